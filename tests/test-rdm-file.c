/*
 * Tests for the RDM text file parser (xen-glue/rdm-file.c), and for the
 * output formats (xen-glue/rdm-format.c) over plans of parsed files
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"
#include "rdm-format.h"

#include <glib/gstdio.h>

static const XenRdmEntry *map_entry(const XenRdmMap *map, guint i)
{
    g_assert_cmpuint(i, <, map->entries->len);
    return g_ptr_array_index(map->entries, i);
}

static void assert_entry(const XenRdmMap *map, guint i, uint64_t start,
                         uint64_t size, guint nr_devices)
{
    const XenRdmEntry *e = map_entry(map, i);

    g_assert_cmphex(e->start, ==, start);
    g_assert_cmphex(e->size, ==, size);
    g_assert_true(e->host_wide);
    g_assert_cmpuint(e->devices->len, ==, nr_devices);
    g_assert_cmpuint(e->unresolved->len, ==, 0);
}

static XenRdmMap *parse_ok(const char *text)
{
    XenRdmMap *map = xen_rdm_map_new();
    Error *err = NULL;

    if (!xen_rdm_file_parse(text, strlen(text), "t.rdm", map, &err)) {
        g_error("unexpected error: %s", error_get_pretty(err));
    }
    return map;
}

static void test_good(void)
{
    static const char text[] =
        "# Reserved regions of a made-up host\n"
        "\n"
        "0xad000000 16M 0000:00:02.0   # graphics stolen memory\n"
        "   \t\n"
        "2071986176\t0x1000 00:14.0 00:1a.0 0001:80:1f.7\n"
        "0x100000000 4K\n"
        "0X200000000 1G 00:1d.0#no space before the comment\n"
        "8192 0x2000\r\n"
        "  0x3000   4096  \n"
        "0x400000 2m\n"
        "#0x5000 4K 00:02.0\n"
        "0x10000000000 1T";
    g_autoptr(XenRdmMap) map = parse_ok(text);
    const XenRdmEntry *e;

    g_assert_cmpuint(map->entries->len, ==, 8);
    assert_entry(map, 0, 0xad000000, 16 << 20, 1);
    g_assert_true(xen_rdm_entry_has_device(map_entry(map, 0),
                                           XEN_RDM_SBDF(0, 0, 2, 0)));

    assert_entry(map, 1, 0x7b800000, 0x1000, 3);
    e = map_entry(map, 1);
    g_assert_cmphex(g_array_index(e->devices, uint32_t, 0), ==,
                    XEN_RDM_SBDF(0, 0, 0x14, 0));
    g_assert_cmphex(g_array_index(e->devices, uint32_t, 1), ==,
                    XEN_RDM_SBDF(0, 0, 0x1a, 0));
    g_assert_cmphex(g_array_index(e->devices, uint32_t, 2), ==,
                    XEN_RDM_SBDF(1, 0x80, 0x1f, 7));

    assert_entry(map, 2, 0x100000000ULL, 0x1000, 0);
    assert_entry(map, 3, 0x200000000ULL, 1ULL << 30, 1);
    g_assert_true(xen_rdm_entry_has_device(map_entry(map, 3),
                                           XEN_RDM_SBDF(0, 0, 0x1d, 0)));
    assert_entry(map, 4, 0x2000, 0x2000, 0);
    assert_entry(map, 5, 0x3000, 0x1000, 0);
    assert_entry(map, 6, 0x400000, 2 << 20, 0);
    assert_entry(map, 7, 0x10000000000ULL, 1ULL << 40, 0);
}

static void test_empty(void)
{
    static const char *const texts[] = {
        "", "\n", "# nothing\n", "   \n\t\n# x\n\n", "#",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_autoptr(XenRdmMap) map = parse_ok(texts[i]);

        g_assert_cmpuint(map->entries->len, ==, 0);
    }
}

static void test_overlap_allowed(void)
{
    /* Overlapping and identical regions are kept: the planner merges */
    g_autoptr(XenRdmMap) map = parse_ok("0x1000 8K 00:02.0\n"
                                        "0x2000 8K 00:03.0\n"
                                        "0x1000 8K 00:03.0\n");

    g_assert_cmpuint(map->entries->len, ==, 3);
    assert_entry(map, 1, 0x2000, 0x2000, 1);
    assert_entry(map, 2, 0x1000, 0x2000, 1);
}

static void test_same_device_on_two_lines(void)
{
    g_autoptr(XenRdmMap) map = parse_ok("0x1000 4K 00:02.0\n"
                                        "0x8000 4K 0000:00:02.0\n");

    g_assert_cmpuint(map->entries->len, ==, 2);
    g_assert_true(xen_rdm_entry_has_device(map_entry(map, 1),
                                           XEN_RDM_SBDF(0, 0, 2, 0)));
}

static void test_appends(void)
{
    /* A second file adds to what the map already holds */
    g_autoptr(XenRdmMap) map = parse_ok("0x1000 4K\n");

    g_assert_true(xen_rdm_file_parse("0x5000 4K\n", 10, "u.rdm", map, NULL));
    g_assert_cmpuint(map->entries->len, ==, 2);
    assert_entry(map, 1, 0x5000, 0x1000, 0);
}

static void test_length_not_nul_terminated(void)
{
    /* Only @len bytes are read: the rest of the buffer is never seen */
    static const char text[] = "0x1000 4K\n0x2000 junk";
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();

    g_assert_true(xen_rdm_file_parse(text, 10, "t.rdm", map, NULL));
    g_assert_cmpuint(map->entries->len, ==, 1);
}

/* ------------------------------------------------------------------ */

typedef struct BadCase {
    const char *text;
    size_t len;                 /* 0: strlen(text) */
    const char *msg;            /* exact substring of the error */
} BadCase;

static const BadCase bad_cases[] = {
    /* missing size */
    { "0x1000 4K\n0x2000\n", 0, "t.rdm:2: missing size after start '0x2000'" },
    { "0x1000   # size forgotten\n", 0, "t.rdm:1: missing size after start" },
    /* junk and bad numbers */
    { "hello 4K\n", 0, "t.rdm:1: bad start 'hello': not a number" },
    { "\n\n0x 4K\n", 0, "t.rdm:3: bad start '0x': not a number" },
    { "0x10g0 4K\n", 0, "t.rdm:1: bad start '0x10g0': not a number" },
    { "-4096 4K\n", 0, "t.rdm:1: bad start '-4096': not a number" },
    { "+4096 4K\n", 0, "t.rdm:1: bad start '+4096': not a number" },
    { "4K 4K\n", 0, "t.rdm:1: bad start '4K': not a number" },
    { "0x1000 4Q\n", 0, "t.rdm:1: invalid size '4Q'" },
    { "0x1000 size\n", 0, "t.rdm:1: invalid size 'size'" },
    { "0x1000 0x10K\n", 0, "t.rdm:1: invalid size '0x10K'" },
    { "0x1000 4K junk\n", 0, "t.rdm:1: invalid PCI device address 'junk'" },
    { "0x1000 4K 00:02.0,rdm_policy=strict\n", 0,
      "t.rdm:1: invalid PCI device address '00:02.0,rdm_policy=strict'" },
    { "0x1000 4K 00:20.0\n", 0, "t.rdm:1: invalid PCI device address" },
    { "0x1000 4K 00:02.8\n", 0, "t.rdm:1: invalid PCI device address" },
    { "0x1000 4K 10000:00:02.0\n", 0, "t.rdm:1: invalid PCI device address" },
    { "0x1000\x01 4K\n", 0, "t.rdm:1: bad start '0x1000\\001': not a number" },
    /* overflow */
    { "0x10000000000000000 4K\n", 0,
      "t.rdm:1: bad start '0x10000000000000000': overflow: does not fit "
      "in 64 bits" },
    { "18446744073709551616 4K\n", 0, "t.rdm:1: bad start "
      "'18446744073709551616': overflow" },
    { "0x1000 0x10000000000000000\n", 0, "t.rdm:1: size "
      "'0x10000000000000000' is too large" },
    { "0x1000 17179869184G\n", 0, "t.rdm:1: size '17179869184G' is too "
      "large" },
    /* zero size, wrapping, alignment */
    { "# one\n# two\n0x1000 0\n", 0, "t.rdm:3: zero size region at 0x1000" },
    { "0x1000 0K\n", 0, "t.rdm:1: zero size region at 0x1000" },
    { "0xfffffffffffff000 8K\n", 0, "t.rdm:1: region 0xfffffffffffff000 + "
      "0x2000 wraps past the end of the 64-bit address space" },
    { "0xfffffffffffff000 4K\n", 0, "t.rdm:1: region 0xfffffffffffff000 + "
      "0x1000 wraps" },
    { "0x1001 4K\n", 0, "t.rdm:1: start 0x1001 is not page aligned (4 KiB)" },
    { "0x1000 100\n", 0, "t.rdm:1: size 0x64 is not a multiple of the page "
      "size (4 KiB)" },
    /* duplicate device on one line */
    { "0x1000 4K 00:02.0 00:14.0 0000:00:02.0\n", 0,
      "t.rdm:1: device 0000:00:02.0 listed twice" },
    /* NUL bytes, long lines */
    { "0x1000 4K\n0x2000 4K\0\n", 21, "t.rdm:2: NUL byte in text" },
    { "# comment \0 with a NUL\n", 23, "t.rdm:1: NUL byte in text" },
};

static void test_bad(gconstpointer opaque)
{
    const BadCase *c = opaque;
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    size_t len = c->len ? c->len : strlen(c->text);
    Error *err = NULL;

    /* What the map held before is kept; nothing from the file is added */
    xen_rdm_map_add(map, 0x7000, 0x1000, false, NULL);
    g_assert_false(xen_rdm_file_parse(c->text, len, "t.rdm", map, &err));
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), c->msg)) {
        g_error("error '%s' does not contain '%s'", error_get_pretty(err),
                c->msg);
    }
    g_assert_cmpuint(map->entries->len, ==, 1);
    g_assert_cmphex(map_entry(map, 0)->start, ==, 0x7000);
    error_free(err);
}

static void test_all_or_nothing(void)
{
    /* Good lines before the bad one are not added either */
    static const char text[] = "0x1000 4K 00:02.0\n0x2000 4K\n0x3000 4K x\n";
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Error *err = NULL;

    g_assert_false(xen_rdm_file_parse(text, strlen(text), "t.rdm", map,
                                      &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), "t.rdm:3: "));
    g_assert_cmpuint(map->entries->len, ==, 0);
    error_free(err);

    /* A NULL errp is fine */
    g_assert_false(xen_rdm_file_parse(text, strlen(text), "t.rdm", map,
                                      NULL));
    g_assert_cmpuint(map->entries->len, ==, 0);
}

static void test_long_line(void)
{
    g_autoptr(GString) text = g_string_new("0x1000 4K\n");
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Error *err = NULL;

    /* 4096 bytes is the limit: a comment that long is fine */
    g_string_append_c(text, '#');
    for (int i = 1; i < 4096; i++) {
        g_string_append_c(text, 'x');
    }
    g_string_append_c(text, '\n');
    g_assert_true(xen_rdm_file_parse(text->str, text->len, "t.rdm", map,
                                     NULL));
    g_assert_cmpuint(map->entries->len, ==, 1);

    /* One more byte is too long, even without a newline at the end */
    g_string_truncate(text, text->len - 1);
    g_string_append(text, "x");
    g_assert_false(xen_rdm_file_parse(text->str, text->len, "t.rdm", map,
                                      &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "t.rdm:2: line too long (4097 bytes, at most 4096)");
    g_assert_cmpuint(map->entries->len, ==, 1);
    error_free(err);
}

static void test_error_quotes_safely(void)
{
    /* Control bytes and long junk are escaped and cut in the message */
    g_autoptr(GString) text = g_string_new("\x1b[31m");
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Error *err = NULL;

    for (int i = 0; i < 100; i++) {
        g_string_append_c(text, 'z');
    }
    g_string_append(text, " 4K\n");
    g_assert_false(xen_rdm_file_parse(text->str, text->len, "t.rdm", map,
                                      &err));
    g_assert_nonnull(err);
    g_assert_null(strchr(error_get_pretty(err), '\x1b'));
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "t.rdm:1: bad start '\\033[31mzzz"));
    g_assert_nonnull(strstr(error_get_pretty(err), "zzz...': not a number"));
    g_assert_cmpuint(strlen(error_get_pretty(err)), <, 120);
    error_free(err);
}

static void test_load(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-rdm-file-XXXXXX", NULL);
    g_autofree char *good = g_build_filename(dir, "good.rdm", NULL);
    g_autofree char *bad = g_build_filename(dir, "bad.rdm", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing.rdm", NULL);
    g_autofree char *want = NULL;
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Error *err = NULL;

    g_assert_nonnull(dir);
    g_assert_true(g_file_set_contents(good, "0xad000000 16M 00:02.0\n", -1,
                                      NULL));
    g_assert_true(g_file_set_contents(bad, "\n0xad000000 16M 00:02.0 x\n",
                                      -1, NULL));

    g_assert_true(xen_rdm_file_load(good, map, &err));
    g_assert_null(err);
    g_assert_cmpuint(map->entries->len, ==, 1);
    assert_entry(map, 0, 0xad000000, 16 << 20, 1);

    /* Errors name the file by its path */
    g_assert_false(xen_rdm_file_load(bad, map, &err));
    want = g_strdup_printf("%s:2: invalid PCI device address 'x'", bad);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), want));
    error_free(err);
    err = NULL;

    g_assert_false(xen_rdm_file_load(missing, map, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), "cannot read RDM file"));
    g_assert_nonnull(strstr(error_get_pretty(err), "missing.rdm"));
    error_free(err);
    g_assert_cmpuint(map->entries->len, ==, 1);

    g_unlink(good);
    g_unlink(bad);
    g_rmdir(dir);
}

/* Lines of the same devices share one list in the map */
static void test_shared_lists(void)
{
    g_autoptr(XenRdmMap) map = parse_ok("0x1000 4K 00:02.0 00:14.0\n"
                                        "0x2000 4K 00:02.0 00:14.0\n"
                                        "0x3000 4K 00:14.0 00:02.0\n"
                                        "0x4000 4K\n"
                                        "0x5000 4K\n");

    g_assert_true(map_entry(map, 0)->devices == map_entry(map, 1)->devices);
    g_assert_true(map_entry(map, 0)->devices != map_entry(map, 2)->devices);
    g_assert_true(map_entry(map, 3)->devices == map_entry(map, 4)->devices);
    g_assert_true(map_entry(map, 0)->unresolved ==
                  map_entry(map, 4)->unresolved);
    assert_entry(map, 2, 0x3000, 0x1000, 2);
    g_assert_cmphex(g_array_index(map_entry(map, 2)->devices, uint32_t, 0),
                    ==, XEN_RDM_SBDF(0, 0, 0x14, 0));
}

/* What xen_rdm_plan_print_*() write to @f, as a string */
static char *printed(const XenRdmPlan *plan, const XenRdmConfig *cfg,
                     const char *format)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    g_assert_nonnull(f);
    if (!strcmp(format, "json")) {
        xen_rdm_plan_print_json(plan, f);
    } else if (!strcmp(format, "e820")) {
        xen_rdm_plan_print_e820(plan, f);
    } else {
        xen_rdm_plan_print_text(plan, cfg, f);
    }
    g_assert_cmpint(fclose(f), ==, 0);
    return buf;
}

/*
 * The formats printed as they are made (in chunks) are the very text of
 * the formats made as strings, for plans large enough to take many chunks
 */
static void test_print_as_format(void)
{
    static const XenRdmDeviceConfig devs[] = {
        { XEN_RDM_SBDF(0, 0, 2, 0), XEN_RDM_POLICY_RELAXED },
    };
    g_autoptr(GString) text = g_string_new(NULL);
    g_autoptr(XenRdmMap) map = NULL;
    int layout;

    for (guint i = 0; i < 3000; i++) {
        /* below and above 4 GiB, some under RAM, some tied to devs[0] */
        g_string_append_printf(text, "0x%" PRIx64 " %uK%s\n",
                               (uint64_t)0x100000 + i * (uint64_t)0x1800000,
                               4 * (1 + i % 5), i % 3 ? " 00:02.0" : "");
    }
    map = parse_ok(text->str);
    for (layout = XEN_RDM_LAYOUT_COMPAT; layout <= XEN_RDM_LAYOUT_SPLIT;
         layout++) {
        g_autoptr(XenRdmPlan) plan = NULL;
        g_autofree char *json = NULL, *table = NULL, *e820 = NULL;
        g_autofree char *pjson = NULL, *ptable = NULL, *pe820 = NULL;
        XenRdmConfig cfg;

        xen_rdm_config_init(&cfg);
        cfg.ram_size = 8ULL << 30;
        cfg.strategy = XEN_RDM_STRATEGY_HOST;
        cfg.layout = layout;
        cfg.devices = devs;
        cfg.nr_devices = G_N_ELEMENTS(devs);
        g_assert_true(xen_rdm_plan_compute(&cfg, map, &plan, NULL));
        json = xen_rdm_plan_format_json(plan);
        table = xen_rdm_plan_format_text(plan, &cfg);
        e820 = xen_rdm_plan_format_e820(plan);
        g_assert_cmpuint(strlen(json), >, 256 * 1024);
        g_assert_cmpuint(strlen(table), >, 256 * 1024);
        pjson = printed(plan, &cfg, "json");
        ptable = printed(plan, &cfg, "text");
        pe820 = printed(plan, &cfg, "e820");
        g_assert_cmpstr(pjson, ==, json);
        g_assert_cmpstr(ptable, ==, table);
        g_assert_cmpstr(pe820, ==, e820);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rdm-file/good", test_good);
    g_test_add_func("/rdm-file/empty", test_empty);
    g_test_add_func("/rdm-file/overlap-allowed", test_overlap_allowed);
    g_test_add_func("/rdm-file/same-device-two-lines",
                    test_same_device_on_two_lines);
    g_test_add_func("/rdm-file/appends", test_appends);
    g_test_add_func("/rdm-file/length", test_length_not_nul_terminated);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        g_autofree char *path = g_strdup_printf("/rdm-file/bad/%zu", i);

        g_test_add_data_func(path, &bad_cases[i], test_bad);
    }
    g_test_add_func("/rdm-file/all-or-nothing", test_all_or_nothing);
    g_test_add_func("/rdm-file/long-line", test_long_line);
    g_test_add_func("/rdm-file/quotes-safely", test_error_quotes_safely);
    g_test_add_func("/rdm-file/load", test_load);
    g_test_add_func("/rdm-file/shared-lists", test_shared_lists);
    g_test_add_func("/rdm-file/print-as-format", test_print_as_format);
    return g_test_run();
}
