/*
 * Unit tests of the tool's names and value parsers (xen-glue/rdm-names.c)
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-names.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static void test_size_parse(void)
{
    static const struct {
        const char *in;
        uint64_t out;
    } good[] = {
        { "0", 0 }, { "4096", 4096 }, { "0x1000", 0x1000 },
        { "0XfF", 0xff }, { "4K", 4 * KiB }, { "256m", 256 * MiB },
        { "2G", 2 * GiB }, { "1T", 1ULL << 40 },
        { "16383T", 16383ULL << 40 },
        { "18446744073709551615", UINT64_MAX },
    };
    static const char *const bad[] = {
        "", "G", "4X", "4GB", "-1", " 4G", "4G ", "0x", "0x10K", "1.5G",
        "18446744073709551616", "16777216T", "99999999999999999999G",
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(good); i++) {
        uint64_t v = 1;
        Error *err = NULL;

        g_assert_true(xen_rdm_size_parse(good[i].in, &v, &err));
        g_assert_null(err);
        g_assert_cmphex(v, ==, good[i].out);
    }
    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        uint64_t v = 7;
        Error *err = NULL;

        g_assert_false(xen_rdm_size_parse(bad[i], &v, &err));
        g_assert_nonnull(err);
        g_assert_cmpuint(v, ==, 7);
        g_assert_nonnull(strstr(error_get_pretty(err), "size"));
        error_free(err);
    }
    g_assert_false(xen_rdm_size_parse(NULL, &(uint64_t){0}, NULL));
}

static void test_enum_parse(void)
{
    XenRdmStrategy s;
    XenRdmPolicy p;
    XenRdmLayout l;
    Error *err = NULL;

    g_assert_true(xen_rdm_strategy_parse("host", &s, NULL));
    g_assert_cmpint(s, ==, XEN_RDM_STRATEGY_HOST);
    g_assert_true(xen_rdm_strategy_parse("ignore", &s, NULL));
    g_assert_cmpint(s, ==, XEN_RDM_STRATEGY_IGNORE);
    g_assert_true(xen_rdm_policy_parse("strict", &p, NULL));
    g_assert_cmpint(p, ==, XEN_RDM_POLICY_STRICT);
    g_assert_true(xen_rdm_policy_parse("relaxed", &p, NULL));
    g_assert_cmpint(p, ==, XEN_RDM_POLICY_RELAXED);
    g_assert_true(xen_rdm_layout_parse("split", &l, NULL));
    g_assert_cmpint(l, ==, XEN_RDM_LAYOUT_SPLIT);
    g_assert_true(xen_rdm_layout_parse("compat", &l, NULL));
    g_assert_cmpint(l, ==, XEN_RDM_LAYOUT_COMPAT);

    g_assert_false(xen_rdm_strategy_parse("Host", &s, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "invalid RDM strategy 'Host': expected one of "
                    "'ignore', 'host'");
    error_free(err);
    err = NULL;
    g_assert_false(xen_rdm_policy_parse("", &p, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "'strict', 'relaxed'"));
    error_free(err);
    err = NULL;
    g_assert_false(xen_rdm_layout_parse(NULL, &l, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "'compat', 'split'"));
    error_free(err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rdm-names/size", test_size_parse);
    g_test_add_func("/rdm-names/enum", test_enum_parse);
    return g_test_run();
}
