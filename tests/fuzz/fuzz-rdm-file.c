/*
 * libFuzzer target for the RDM text file parser
 *
 * Any input must either parse (every entry then being a valid, page
 * aligned, non-wrapping host-wide region below 2^52) or fail with an error naming
 * the file and line, leaving the map untouched.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Error *err = NULL;

    /* One entry already there, which must survive a failed parse */
    xen_rdm_map_add(map, 0x1000, 0x1000, false, NULL);

    if (xen_rdm_file_parse((const char *)data, size, "fuzz.rdm", map,
                           &err)) {
        g_assert_null(err);
        for (guint i = 1; i < map->entries->len; i++) {
            const XenRdmEntry *e = g_ptr_array_index(map->entries, i);

            g_assert_true(e->host_wide);
            g_assert_cmpuint(e->size, !=, 0);
            g_assert_cmpuint(e->start % 4096, ==, 0);
            g_assert_cmpuint(e->size % 4096, ==, 0);
            g_assert_cmpuint(e->start + e->size, >, e->start);
            g_assert_cmpuint(e->start + e->size, <=, XEN_RDM_MAX_PADDR);
        }
    } else {
        g_assert_nonnull(err);
        g_assert_true(g_str_has_prefix(error_get_pretty(err), "fuzz.rdm:"));
        g_assert_cmpuint(map->entries->len, ==, 1);
        error_free(err);
    }
    return 0;
}
