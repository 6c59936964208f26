/*
 * libFuzzer target for the xl.cfg reader (xen-rdm-plan --xl-config)
 *
 * Any input must either give a configuration the planner accepts (HVM,
 * RAM above 0, an MMIO hole xl takes, no device twice) and plans, or
 * fail with an error naming the file.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "xl-config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    XenRdmXlConfig xl = { 0 };
    Error *err = NULL;

    if (xen_rdm_xl_config_parse((const char *)data, size, "fuzz.cfg", &xl,
                                &err)) {
        g_autoptr(XenRdmMap) map = xen_rdm_map_new();
        g_autoptr(XenRdmPlan) plan = NULL;

        g_assert_null(err);
        g_assert_cmpuint(xl.cfg.ram_size, >, 0);
        g_assert_cmpuint(xl.cfg.nr_devices, ==, xl.devices->len);
        /* the planner takes it or says why (a guest too small or large) */
        if (xen_rdm_plan_compute(&xl.cfg, map, &plan, &err)) {
            g_assert_true(xen_rdm_plan_check(plan, xl.cfg.ram_size, NULL));
        } else {
            g_assert_nonnull(err);
            g_assert_true(strstr(error_get_pretty(err), "guest RAM size"));
            error_free(err);
        }
    } else {
        g_assert_nonnull(err);
        g_assert_true(g_str_has_prefix(error_get_pretty(err), "fuzz.cfg"));
        error_free(err);
    }
    xen_rdm_xl_config_clear(&xl);
    return 0;
}
