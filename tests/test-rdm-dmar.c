/*
 * Tests for the ACPI DMAR parser (xen-glue/dmar.c) and the sysfs PCI
 * bridge resolver (xen-glue/pci-sysfs.c).
 *
 * Good tables come from ASL written for this project (tests/data/dmar-*.dsl,
 * compiled with iasl at build time, paths given as arguments); bad ones
 * are built here, byte by byte or by mutating the good ones.
 *
 * usage: test-rdm-dmar GOOD.dat OVERLAP.dat SAMPLE.dat [gtest options]
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"

#include <glib/gstdio.h>

static const char *good_path, *overlap_path, *sample_path;

/* ------------------------------------------------------------------ */
/* Table builder                                                        */

typedef struct TableBuilder {
    GByteArray *b;
    size_t cur;                 /* offset of the open structure */
} TableBuilder;

static void put(TableBuilder *t, uint64_t v, unsigned bytes)
{
    unsigned i;

    for (i = 0; i < bytes; i++) {
        uint8_t c = i < 8 ? v >> (8 * i) : 0;

        g_byte_array_append(t->b, &c, 1);
    }
}

static void set_le(uint8_t *p, uint64_t v, unsigned bytes)
{
    unsigned i;

    for (i = 0; i < bytes; i++) {
        p[i] = v >> (8 * i);
    }
}

static void tb_init(TableBuilder *t)
{
    static const uint8_t hdr[48] = {
        'D', 'M', 'A', 'R', 0, 0, 0, 0, 1, 0,
        'X', 'E', 'N', 'R', 'D', 'M', 'B', 'U', 'I', 'L', 'D', 'E', 'R', ' ',
        1, 0, 0, 0, 'I', 'N', 'T', 'L', 1, 0, 0, 0,
        0x26, 0x01,
    };

    t->b = g_byte_array_new();
    g_byte_array_append(t->b, hdr, sizeof(hdr));
    t->cur = 0;
}

/* Open a structure of @type with @fixed bytes of fixed part (all zero) */
static size_t tb_struct(TableBuilder *t, uint16_t type, unsigned fixed)
{
    t->cur = t->b->len;
    put(t, type, 2);
    put(t, fixed, 2);
    put(t, 0, fixed - 4);
    return t->cur;
}

static void tb_grow(TableBuilder *t, unsigned n)
{
    uint8_t *len = t->b->data + t->cur + 2;

    set_le(len, len[0] + (len[1] << 8) + n, 2);
}

static size_t tb_rmrr(TableBuilder *t, uint16_t seg, uint64_t base,
                      uint64_t limit)
{
    size_t off = tb_struct(t, 1, 24);

    set_le(t->b->data + off + 6, seg, 2);
    set_le(t->b->data + off + 8, base, 8);
    set_le(t->b->data + off + 16, limit, 8);
    return off;
}

static size_t tb_drhd(TableBuilder *t, uint8_t flags, uint16_t seg,
                      uint64_t address)
{
    size_t off = tb_struct(t, 0, 16);

    t->b->data[off + 4] = flags;
    set_le(t->b->data + off + 6, seg, 2);
    set_le(t->b->data + off + 8, address, 8);
    return off;
}

/* Add a device scope with @hops (dev, fn) pairs to the open structure */
static size_t tb_scope(TableBuilder *t, uint8_t type, uint8_t bus,
                       const uint8_t *path, unsigned hops)
{
    size_t off = t->b->len;

    put(t, type, 1);
    put(t, 6 + 2 * hops, 1);
    put(t, 0, 2);
    put(t, 0, 1);
    put(t, bus, 1);
    g_byte_array_append(t->b, path, 2 * hops);
    tb_grow(t, 6 + 2 * hops);
    return off;
}

static size_t tb_ep(TableBuilder *t, uint8_t bus, uint8_t dev, uint8_t fn)
{
    const uint8_t path[2] = { dev, fn };

    return tb_scope(t, 1, bus, path, 1);
}

/* Raw bytes inside the open structure */
static size_t tb_raw(TableBuilder *t, const uint8_t *data, unsigned n)
{
    size_t off = t->b->len;

    g_byte_array_append(t->b, data, n);
    tb_grow(t, n);
    return off;
}

static void fix_checksum(uint8_t *buf, size_t len)
{
    uint8_t sum = 0;
    size_t i;

    buf[9] = 0;
    for (i = 0; i < len; i++) {
        sum += buf[i];
    }
    buf[9] = -sum;
}

/* Set the header's length and checksum */
static void tb_finish(TableBuilder *t)
{
    set_le(t->b->data + 4, t->b->len, 4);
    fix_checksum(t->b->data, t->b->len);
}

static GByteArray *read_table(const char *path)
{
    g_autoptr(GError) gerr = NULL;
    gchar *data;
    gsize len;

    if (!g_file_get_contents(path, &data, &len, &gerr)) {
        g_error("%s", gerr->message);
    }
    return g_byte_array_new_take((guint8 *)data, len);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static const XenRdmEntry *entry(const XenRdmMap *map, guint i)
{
    g_assert_cmpuint(i, <, map->entries->len);
    return g_ptr_array_index(map->entries, i);
}

static void assert_entry(const XenRdmMap *map, guint i, uint64_t start,
                         uint64_t size, guint nr_devices, guint nr_unresolved)
{
    const XenRdmEntry *e = entry(map, i);

    g_assert_cmphex(e->start, ==, start);
    g_assert_cmphex(e->size, ==, size);
    g_assert_true(e->host_wide);
    g_assert_cmpuint(e->devices->len, ==, nr_devices);
    g_assert_cmpuint(e->unresolved->len, ==, nr_unresolved);
}

static uint32_t device(const XenRdmMap *map, guint i, guint d)
{
    return g_array_index(entry(map, i)->devices, uint32_t, d);
}

static const char *unresolved(const XenRdmMap *map, guint i, guint u)
{
    return g_ptr_array_index(entry(map, i)->unresolved, u);
}

static XenRdmMap *parse_ok(const uint8_t *buf, size_t len,
                           const XenRdmPciResolver *resolver)
{
    XenRdmMap *map = xen_rdm_map_new();
    Error *err = NULL;

    if (!xen_rdm_dmar_parse(buf, len, "t.dat", resolver, map, &err)) {
        g_error("unexpected error: %s", error_get_pretty(err));
    }
    return map;
}

static void assert_untouched(const XenRdmMap *map)
{
    g_assert_cmpuint(map->entries->len, ==, 1);
    g_assert_cmphex(entry(map, 0)->start, ==, 0x5000);
    g_assert_cmphex(entry(map, 0)->size, ==, 0x1000);
    g_assert_false(entry(map, 0)->host_wide);
    g_assert_cmpuint(entry(map, 0)->devices->len, ==, 0);
}

/*
 * Parse what must fail: the message must contain each of the NULL
 * terminated substrings, and a map that already held one entry must be
 * left exactly as it was.
 */
static void G_GNUC_NULL_TERMINATED
parse_bad(const uint8_t *buf, size_t len, ...)
{
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    g_autoptr(Error) err = NULL;
    const char *want;
    va_list ap;

    g_assert_nonnull(xen_rdm_map_add(map, 0x5000, 0x1000, false, NULL));
    g_assert_false(xen_rdm_dmar_parse(buf, len, "bad.dat", NULL, map, &err));
    g_assert_nonnull(err);
    if (g_test_verbose()) {
        g_test_message("%s", error_get_pretty(err));
    }
    g_assert_true(g_str_has_prefix(error_get_pretty(err), "bad.dat: "));
    va_start(ap, len);
    while ((want = va_arg(ap, const char *))) {
        if (!strstr(error_get_pretty(err), want)) {
            g_error("error \"%s\" lacks \"%s\"", error_get_pretty(err), want);
        }
    }
    va_end(ap);
    assert_untouched(map);
}

/* A made-up PCI topology: bridge SBDF -> secondary bus */
typedef struct FakeTopology {
    GHashTable *bridges;
    unsigned calls;
} FakeTopology;

static bool fake_secondary_bus(void *opaque, uint32_t bridge_sbdf,
                               uint8_t *secondary_bus, Error **errp)
{
    FakeTopology *f = opaque;
    gpointer v;

    f->calls++;
    if (!g_hash_table_lookup_extended(f->bridges,
                                      GUINT_TO_POINTER(bridge_sbdf), NULL,
                                      &v)) {
        error_setg(errp, "no bridge at %x", bridge_sbdf);
        return false;
    }
    *secondary_bus = GPOINTER_TO_UINT(v);
    return true;
}

static void fake_init(FakeTopology *f, XenRdmPciResolver *r)
{
    f->bridges = g_hash_table_new(NULL, NULL);
    f->calls = 0;
    r->secondary_bus = fake_secondary_bus;
    r->opaque = f;
}

static void fake_bridge(FakeTopology *f, uint32_t sbdf, uint8_t secondary)
{
    g_hash_table_insert(f->bridges, GUINT_TO_POINTER(sbdf),
                        GUINT_TO_POINTER(secondary));
}

#define MULTI_HOP_UNRESOLVED "unresolved:0000:00:1c.0/00.0/03.1"

/* tests/data/dmar-good.dsl, with the multi-hop scope as given */
static void assert_good_table(const XenRdmMap *map, guint first,
                              bool resolved)
{
    g_assert_cmpuint(map->entries->len, ==, first + 4);
    assert_entry(map, first, 0xa3eea000, 0xf000, 2, 0);
    g_assert_cmphex(device(map, first, 0), ==, XEN_RDM_SBDF(0, 0, 0x14, 0));
    g_assert_cmphex(device(map, first, 1), ==, XEN_RDM_SBDF(0, 0, 0x1d, 7));
    if (resolved) {
        assert_entry(map, first + 1, 0xa3ef9000, 0x1000, 1, 0);
        g_assert_cmphex(device(map, first + 1, 0), ==,
                        XEN_RDM_SBDF(0, 3, 3, 1));
    } else {
        assert_entry(map, first + 1, 0xa3ef9000, 0x1000, 0, 1);
        g_assert_cmpstr(unresolved(map, first + 1, 0), ==,
                        MULTI_HOP_UNRESOLVED);
    }
    /* An RMRR without device scopes: host-wide, no device */
    assert_entry(map, first + 2, 0x80000, 0x1000, 0, 0);
    /* A sub-hierarchy scope names the bridge itself, segment 1 */
    assert_entry(map, first + 3, 0x7b800000, 0x4000000, 1, 0);
    g_assert_cmphex(device(map, first + 3, 0), ==,
                    XEN_RDM_SBDF(1, 0x80, 1, 0));
}

static void test_good_iasl(void)
{
    g_autoptr(GByteArray) t = read_table(good_path);
    g_autoptr(XenRdmMap) map = parse_ok(t->data, t->len, NULL);
    XenRdmPciResolver none = { NULL, NULL };
    g_autoptr(XenRdmMap) map2 = parse_ok(t->data, t->len, &none);

    assert_good_table(map, 0, false);
    assert_good_table(map2, 0, false);
}

/*
 * The table as a Xen dom0 sees it: Xen reverses the signature to "RMAD"
 * (acpi_dmar_zap(), which keeps the checksum); it parses the same
 */
static void test_xen_dom0_signature(void)
{
    g_autoptr(GByteArray) t = read_table(good_path);
    g_autoptr(XenRdmMap) map = NULL;

    memcpy(t->data, "RMAD", 4);
    map = parse_ok(t->data, t->len, NULL);
    assert_good_table(map, 0, false);
}

static void test_good_resolver(void)
{
    g_autoptr(GByteArray) t = read_table(good_path);
    XenRdmPciResolver r;
    FakeTopology f;
    g_autoptr(XenRdmMap) map = NULL;

    fake_init(&f, &r);
    fake_bridge(&f, XEN_RDM_SBDF(0, 0, 0x1c, 0), 2);
    fake_bridge(&f, XEN_RDM_SBDF(0, 2, 0, 0), 3);
    map = parse_ok(t->data, t->len, &r);
    assert_good_table(map, 0, true);
    /* Only the two bridges of the multi-hop path were asked about */
    g_assert_cmpuint(f.calls, ==, 2);
    g_hash_table_unref(f.bridges);
}

static void test_resolver_fails(void)
{
    g_autoptr(GByteArray) t = read_table(good_path);
    XenRdmPciResolver r;
    FakeTopology f;

    /* The second hop's bridge is unknown: never guess from the first */
    fake_init(&f, &r);
    fake_bridge(&f, XEN_RDM_SBDF(0, 0, 0x1c, 0), 2);
    {
        g_autoptr(XenRdmMap) map = parse_ok(t->data, t->len, &r);

        assert_good_table(map, 0, false);
        g_assert_cmpuint(f.calls, ==, 2);
    }

    /* A secondary bus that is not above the bridge's bus is refused */
    fake_bridge(&f, XEN_RDM_SBDF(0, 0, 0x1c, 0), 0);
    fake_bridge(&f, XEN_RDM_SBDF(0, 0, 0, 0), 3);
    {
        g_autoptr(XenRdmMap) map = parse_ok(t->data, t->len, &r);

        assert_good_table(map, 0, false);
    }
    g_hash_table_unref(f.bridges);
}

static void test_sample(void)
{
    g_autoptr(GByteArray) t = read_table(sample_path);
    g_autoptr(XenRdmMap) map = parse_ok(t->data, t->len, NULL);

    g_assert_cmpuint(map->entries->len, ==, 2);
    assert_entry(map, 0, 0xa3eea000, 0xf000, 2, 0);
    g_assert_cmphex(device(map, 0, 0), ==, XEN_RDM_SBDF(0, 0, 0x14, 0));
    g_assert_cmphex(device(map, 0, 1), ==, XEN_RDM_SBDF(0, 0, 0x1d, 0));
    assert_entry(map, 1, 0x7b800000, 0x4000000, 1, 0);
    g_assert_cmphex(device(map, 1, 0), ==, XEN_RDM_SBDF(0, 0, 2, 0));
}

static void test_overlap_iasl(void)
{
    g_autoptr(GByteArray) t = read_table(overlap_path);

    parse_bad(t->data, t->len, "DMAR byte 80 (0x50): ",
              "RMRR [0x7f000000-0x7f0fffff] overlaps the RMRR "
              "[0x7b800000-0x7f7fffff] at byte 48", NULL);
}

/* Successful parses append after what the map already holds */
static void test_appends(void)
{
    g_autoptr(GByteArray) t = read_table(good_path);
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();

    g_assert_nonnull(xen_rdm_map_add(map, 0x5000, 0x1000, false, NULL));
    g_assert_true(xen_rdm_dmar_parse(t->data, t->len, "good", NULL, map,
                                     NULL));
    g_assert_cmphex(entry(map, 0)->start, ==, 0x5000);
    assert_good_table(map, 1, false);
}

/* Finish @t, which must be refused with a message containing @want */
static void tb_expect_error(TableBuilder *t, const char *want)
{
    tb_finish(t);
    parse_bad(t->b->data, t->b->len, want, NULL);
    g_byte_array_unref(t->b);
}

static void test_header_errors(void)
{
    g_autoptr(GByteArray) good = read_table(good_path);
    g_autoptr(GByteArray) t = NULL;
    g_autofree char *past = NULL;
    uint8_t byte = 0;

    parse_bad(good->data, 40, "DMAR byte 0 (0x0): truncated table: 40 bytes,"
              " the DMAR header alone is 48", NULL);
    parse_bad(good->data, 0, "truncated table: 0 bytes", NULL);

    t = g_byte_array_append(g_byte_array_new(), good->data, good->len);
    t->data[3] = 'X';
    parse_bad(t->data, t->len, "byte 0 ", "signature is 44 4d 41 58, not "
              "\"DMAR\" (nor \"RMAD\", its name in a Xen dom0)", NULL);

    t->data[3] = 'R';
    t->data[10] ^= 1;
    parse_bad(t->data, t->len, "byte 9 (0x9): bad checksum: the table's "
              "bytes sum to 0x01, not 0", NULL);
    t->data[10] ^= 1;

    /* The header says more than was given: truncated file */
    past = g_strdup_printf("byte 4 (0x4): table length %u is past the end "
                           "of the data (%u bytes): truncated", good->len,
                           good->len - 1);
    parse_bad(t->data, t->len - 1, past, NULL);

    /* Less than given: trailing bytes (checksum unaffected by a zero) */
    g_byte_array_append(t, &byte, 1);
    parse_bad(t->data, t->len, "byte 4 ", "leaves 1 trailing bytes", NULL);
    g_byte_array_set_size(t, good->len);

    set_le(t->data + 4, 20, 4);
    fix_checksum(t->data, t->len);
    parse_bad(t->data, t->len, "byte 4 ", "table length 20 is shorter "
              "than the 48-byte DMAR header", NULL);
    set_le(t->data + 4, t->len, 4);

    t->data[8] = 0;
    fix_checksum(t->data, t->len);
    parse_bad(t->data, t->len, "byte 8 (0x8): revision 0", NULL);
    t->data[8] = 1;

    t->data[36] = 0;
    fix_checksum(t->data, t->len);
    parse_bad(t->data, t->len, "byte 36 (0x24): host address width field "
              "0 is invalid (width - 1, must be 11 to 63)", NULL);
    t->data[36] = 10;
    fix_checksum(t->data, t->len);
    parse_bad(t->data, t->len, "host address width field 10 is invalid",
              NULL);
    t->data[36] = 11;
    fix_checksum(t->data, t->len);
    {
        g_autoptr(XenRdmMap) map = parse_ok(t->data, t->len, NULL);

        assert_good_table(map, 0, false);
    }
    t->data[36] = 64;
    fix_checksum(t->data, t->len);
    parse_bad(t->data, t->len, "host address width field 64", NULL);
}

/* One RMRR (0x1000-0x1fff) at byte 48; the caller adds to it */
static void tb_one_rmrr(TableBuilder *t)
{
    tb_init(t);
    tb_rmrr(t, 0, 0x1000, 0x1fff);
}

static void test_structure_errors(void)
{
    TableBuilder t;

    tb_one_rmrr(&t);
    set_le(t.b->data + 50, 0, 2);
    tb_expect_error(&t, "DMAR byte 48 (0x30): RMRR structure "
                    "(type 1) has length 0");

    tb_one_rmrr(&t);
    set_le(t.b->data + 50, 3, 2);
    tb_expect_error(&t, "DMAR byte 48 (0x30): RMRR structure (type 1) "
                    "has length 3, shorter than its 4-byte header");

    tb_one_rmrr(&t);
    set_le(t.b->data + 50, 0x100, 2);
    tb_expect_error(&t, "DMAR byte 48 (0x30): RMRR structure (type 1) "
                    "has length 256, past the end of the table (24 bytes "
                    "left)");

    /* Two bytes after the last structure, inside the table's length */
    tb_one_rmrr(&t);
    g_byte_array_append(t.b, (const uint8_t *)"\x01\x00", 2);
    tb_expect_error(&t, "DMAR byte 72 (0x48): truncated remapping "
                    "structure: 2 bytes left, a structure header needs 4");

    tb_init(&t);
    tb_struct(&t, 1, 16);
    tb_expect_error(&t, "DMAR byte 48 (0x30): RMRR structure has length "
                    "16, shorter than its 24-byte fixed part");

    tb_init(&t);
    tb_struct(&t, 0, 12);
    tb_expect_error(&t, "DRHD structure has length 12, shorter "
                    "than its 16-byte fixed part");

    tb_init(&t);
    tb_struct(&t, 3, 16);
    tb_expect_error(&t, "RHSA structure has length 16, shorter "
                    "than its 20-byte fixed part");

    /* Unknown types are skipped, but their length is still checked */
    tb_init(&t);
    tb_struct(&t, 0x7f, 8);
    set_le(t.b->data + 50, 9, 2);
    tb_expect_error(&t, "unknown structure (type 127) has "
                    "length 9, past the end of the table (8 bytes left)");
}

static void test_rmrr_errors(void)
{
    static const struct {
        uint64_t base, limit;
        const char *want;
    } cases[] = {
        { 0x2000, 0x0fff, "RMRR limit 0xfff is below its base 0x2000" },
        { 0x1800, 0x2fff, "RMRR base 0x1800 is not 4 KiB aligned" },
        { 0x1000, 0x1ffe, "RMRR limit 0x1ffe does not end a 4 KiB page" },
        { 0x1000, 0x1000, "RMRR limit 0x1000 does not end a 4 KiB page" },
        { 0, UINT64_MAX, "RMRR limit 0xffffffffffffffff is beyond the "
          "52-bit physical address space" },
        { 1ULL << 52, (1ULL << 52) + 0xfff, "is beyond the 52-bit" },
    };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        TableBuilder t;

        tb_init(&t);
        tb_rmrr(&t, 0, cases[i].base, cases[i].limit);
        tb_ep(&t, 0, 2, 0);
        tb_finish(&t);
        parse_bad(t.b->data, t.b->len, "DMAR byte 48 (0x30): ",
                  cases[i].want, NULL);
        g_byte_array_unref(t.b);
    }
}

static void test_rmrr_overlaps(void)
{
    TableBuilder t;
    g_autoptr(XenRdmMap) map = NULL;

    /* An exact duplicate */
    tb_one_rmrr(&t);
    tb_ep(&t, 0, 2, 0);
    tb_rmrr(&t, 0, 0x1000, 0x1fff);
    tb_ep(&t, 0, 0x14, 0);
    tb_expect_error(&t, "DMAR byte 80 (0x50): RMRR [0x1000-0x1fff]"
                    " overlaps the RMRR [0x1000-0x1fff] at byte 48");

    /* The later one lower in memory, overlapping by one page */
    tb_init(&t);
    tb_rmrr(&t, 0, 0x10000, 0x1ffff);
    tb_rmrr(&t, 0, 0x3000, 0x10fff);
    tb_expect_error(&t, "DMAR byte 72 (0x48): RMRR [0x3000-0x10fff] "
                    "overlaps the RMRR [0x10000-0x1ffff] at byte 48");

    /* Adjacent ones are fine (real tables have them) */
    tb_init(&t);
    tb_rmrr(&t, 0, 0x10000, 0x1ffff);
    tb_rmrr(&t, 0, 0x3000, 0xffff);
    tb_rmrr(&t, 0, 0x20000, 0x20fff);
    tb_finish(&t);
    map = parse_ok(t.b->data, t.b->len, NULL);
    g_assert_cmpuint(map->entries->len, ==, 3);
    assert_entry(map, 1, 0x3000, 0xd000, 0, 0);
    g_byte_array_unref(t.b);
}

static void test_scope_errors(void)
{
    static const struct {
        uint8_t bytes[10];
        unsigned len;
        const char *want;
    } cases[] = {
        { { 1, 7, 0, 0, 0, 0, 2, 0 }, 8,
          "DMAR byte 72 (0x48): device scope in RMRR has odd length 7" },
        { { 1, 4, 0, 0, 0, 0, 2, 0 }, 8,
          "byte 72 (0x48): device scope in RMRR has length 4, shorter than "
          "its 6-byte header" },
        { { 1, 0, 0, 0, 0, 0, 2, 0 }, 8,
          "device scope in RMRR has length 0, shorter" },
        { { 1, 6, 0, 0, 0, 0 }, 6,
          "byte 72 (0x48): device scope in RMRR has an empty PCI path" },
        { { 1, 10, 0, 0, 0, 0, 2, 0 }, 8,
          "device scope in RMRR has length 10, past the end of the RMRR (8 "
          "bytes left)" },
        { { 1, 8, 0, 0 }, 4,
          "byte 72 (0x48): truncated device scope in RMRR: 4 bytes left, a "
          "scope header needs 6" },
        { { 3, 8, 0, 0, 0, 0, 2, 0 }, 8,
          "byte 72 (0x48): device scope type 3 in RMRR: must be PCI endpoint "
          "(1) or PCI sub-hierarchy (2)" },
        { { 0, 8, 0, 0, 0, 0, 2, 0 }, 8, "device scope type 0 in RMRR" },
        { { 5, 8, 0, 0, 0, 0, 2, 0 }, 8, "device scope type 5 in RMRR" },
        { { 1, 8, 0, 0, 0, 0, 32, 0 }, 8,
          "DMAR byte 78 (0x4e): device scope path entry 20.00 in RMRR: "
          "device must be at most 0x1f and function at most 7" },
        { { 1, 8, 0, 0, 0, 0, 2, 8 }, 8, "byte 78 (0x4e): device scope path "
          "entry 02.08 in RMRR" },
        { { 2, 10, 0, 0, 0, 0, 0x1c, 0, 0, 0xff }, 10,
          "byte 80 (0x50): device scope path entry 00.ff in RMRR" },
    };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        TableBuilder t;

        tb_one_rmrr(&t);
        tb_raw(&t, cases[i].bytes, cases[i].len);
        tb_finish(&t);
        parse_bad(t.b->data, t.b->len, cases[i].want, NULL);
        g_byte_array_unref(t.b);
    }
}

static void test_other_structures(void)
{
    static const uint8_t empty_scope[] = { 1, 6, 0, 0, 0, 0 };
    TableBuilder t;

    /*
     * A DRHD register base of 0 (real firmware ships it) does not make
     * the RMRRs wrong: the table parses and the region is there.
     */
    tb_init(&t);
    tb_drhd(&t, 1, 0, 0);
    tb_rmrr(&t, 0, 0x7c000000, 0x7c000fff);
    tb_ep(&t, 0, 0x14, 0);
    tb_finish(&t);
    {
        g_autoptr(XenRdmMap) map = parse_ok(t.b->data, t.b->len, NULL);

        g_assert_cmpuint(map->entries->len, ==, 1);
        g_assert_cmphex(entry(map, 0)->start, ==, 0x7c000000);
    }
    g_byte_array_unref(t.b);

    tb_init(&t);
    tb_drhd(&t, 1, 0, 0xfed90000);
    tb_drhd(&t, 1, 0, 0xfed91000);
    tb_expect_error(&t, "DMAR byte 64 (0x40): second INCLUDE_ALL "
                    "DRHD for PCI segment 0000");

    tb_init(&t);
    tb_struct(&t, 2, 8);
    t.b->data[t.cur + 4] = 1;
    tb_struct(&t, 2, 8);
    t.b->data[t.cur + 4] = 1;
    tb_expect_error(&t, "DMAR byte 56 (0x38): second ALL_PORTS "
                    "ATSR for PCI segment 0000");

    tb_init(&t);
    tb_drhd(&t, 0, 0, 0xfed90000);
    tb_raw(&t, empty_scope, sizeof(empty_scope));
    tb_expect_error(&t, "DMAR byte 64 (0x40): device scope in "
                    "DRHD has an empty PCI path");

    tb_init(&t);
    tb_struct(&t, 2, 8);
    tb_raw(&t, empty_scope, 4);
    tb_expect_error(&t, "truncated device scope in ATSR");

    tb_init(&t);
    tb_struct(&t, 5, 8);
    tb_raw(&t, (const uint8_t *)"\x01\x09\0\0\0\0\x02\0", 8);
    tb_expect_error(&t, "byte 56 (0x38): device scope in SATC "
                    "has odd length 9");
}

/* Things real tables do, or that the specification allows */
static void test_good_builder(void)
{
    static const uint8_t two_hops[] = { 0x1c, 4, 0, 0 };
    static const uint8_t unknown[] = { 0xaa, 0xbb, 0xcc, 0xdd };
    g_autoptr(XenRdmMap) map = NULL;
    TableBuilder t;

    tb_init(&t);
    /* Two INCLUDE_ALL DRHDs, in different segments; odd scopes in DRHDs */
    tb_drhd(&t, 1, 0, 0xfed90000);
    tb_scope(&t, 3, 0xf0, two_hops, 1);
    tb_raw(&t, (const uint8_t *)"\x09\x08\0\0\0\0\x40\x40", 8);
    tb_drhd(&t, 1, 1, 0xfed91000);
    /* A structure type from a later specification: skipped */
    tb_struct(&t, 0x7f, 8);
    tb_raw(&t, unknown, sizeof(unknown));
    tb_struct(&t, 3, 20);
    tb_struct(&t, 5, 8);
    tb_ep(&t, 0, 2, 0);
    /* The same device twice; a two-hop path, unresolved */
    tb_rmrr(&t, 0, 0x40000000, 0x47ffffff);
    tb_ep(&t, 0, 2, 0);
    tb_ep(&t, 0, 2, 0);
    tb_scope(&t, 1, 0, two_hops, 2);
    tb_rmrr(&t, 0xffff, 0xfff00000, 0xffffffff);
    tb_ep(&t, 0xff, 0x1f, 7);
    tb_rmrr(&t, 0, 0xfffff000000, 0xfffffffffff);
    tb_finish(&t);
    map = parse_ok(t.b->data, t.b->len, NULL);
    g_byte_array_unref(t.b);

    g_assert_cmpuint(map->entries->len, ==, 3);
    assert_entry(map, 0, 0x40000000, 0x8000000, 1, 1);
    g_assert_cmphex(device(map, 0, 0), ==, XEN_RDM_SBDF(0, 0, 2, 0));
    g_assert_cmpstr(unresolved(map, 0, 0), ==, "unresolved:0000:00:1c.4/00.0");
    assert_entry(map, 1, 0xfff00000, 0x100000, 1, 0);
    g_assert_cmphex(device(map, 1, 0), ==, XEN_RDM_SBDF(0xffff, 0xff, 0x1f, 7));
    assert_entry(map, 2, 0xfffff000000, 0x1000000, 0, 0);
}

/*
 * Every prefix of the good table, made self-consistent (length and
 * checksum fixed), and every byte of it changed: no crash, and a failed
 * parse leaves the map untouched.
 */
static void test_mutations(void)
{
    g_autoptr(GByteArray) good = read_table(good_path);
    g_autofree uint8_t *buf = g_malloc(good->len);
    unsigned ok = 0, failed = 0;
    size_t len, i;
    int delta;

    for (len = 0; len <= good->len; len++) {
        g_autoptr(XenRdmMap) map = xen_rdm_map_new();
        g_autoptr(Error) err = NULL;

        memcpy(buf, good->data, len);
        if (len >= 48) {
            set_le(buf + 4, len, 4);
            fix_checksum(buf, len);
        }
        g_assert_nonnull(xen_rdm_map_add(map, 0x5000, 0x1000, false, NULL));
        if (xen_rdm_dmar_parse(buf, len, "prefix", NULL, map, &err)) {
            ok++;
            g_assert_cmpuint(map->entries->len, <=, 5);
        } else {
            failed++;
            g_assert_nonnull(err);
            assert_untouched(map);
        }
    }
    /* The header alone, and the table cut after a structure, parse */
    g_assert_cmpuint(ok, >=, 2);
    g_assert_cmpuint(failed, >, 200);

    for (i = 0; i < good->len; i++) {
        for (delta = 1; delta < 256; delta += 37) {
            g_autoptr(XenRdmMap) map = xen_rdm_map_new();
            g_autoptr(Error) err = NULL;

            memcpy(buf, good->data, good->len);
            buf[i] += delta;
            if (i != 9) {
                fix_checksum(buf, good->len);
            }
            g_assert_nonnull(xen_rdm_map_add(map, 0x5000, 0x1000, false,
                                             NULL));
            if (!xen_rdm_dmar_parse(buf, good->len, "mutant", NULL, map,
                                    &err)) {
                assert_untouched(map);
            }
        }
    }
}

static void test_load(void)
{
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    g_autoptr(Error) err = NULL;

    g_assert_true(xen_rdm_dmar_load(good_path, NULL, map, NULL));
    assert_good_table(map, 0, false);
    g_assert_false(xen_rdm_dmar_load("/nonexistent/DMAR", NULL, map, &err));
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "/nonexistent/DMAR: cannot read DMAR table: "));
    g_assert_cmpuint(map->entries->len, ==, 4);
}

/* ------------------------------------------------------------------ */
/* sysfs resolver over a fake sysfs tree                                */

static void rm_rf(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
        !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            rm_rf(child);
        }
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

/* Write a config space file for @sbdf: @len bytes, header type, buses */
static void fake_config(const char *root, const char *sbdf, size_t len,
                        uint16_t vendor, uint8_t header_type, uint8_t primary,
                        uint8_t secondary)
{
    g_autofree char *dir = g_build_filename(root, "bus/pci/devices", sbdf,
                                            NULL);
    g_autofree char *file = g_build_filename(dir, "config", NULL);
    uint8_t cfg[256] = { 0 };

    g_assert_cmpuint(len, <=, sizeof(cfg));
    set_le(cfg, vendor, 2);
    set_le(cfg + 2, 0x1234, 2);
    cfg[0x0e] = header_type;
    cfg[0x18] = primary;
    cfg[0x19] = secondary;
    cfg[0x1a] = secondary;
    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_assert_true(g_file_set_contents(file, (const char *)cfg, len, NULL));
}

static void assert_sysfs_error(const XenRdmPciResolver *r, uint32_t sbdf,
                               const char *want)
{
    g_autoptr(Error) err = NULL;
    uint8_t sec = 0x55;

    g_assert_false(r->secondary_bus(r->opaque, sbdf, &sec, &err));
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), want)) {
        g_error("error \"%s\" lacks \"%s\"", error_get_pretty(err), want);
    }
    g_assert_cmpuint(sec, ==, 0x55);
}

static void test_sysfs(void)
{
    g_autoptr(GByteArray) t = read_table(good_path);
    g_autofree char *root = g_dir_make_tmp("rdm-sysfs-XXXXXX", NULL);
    XenRdmPciResolver r;
    uint8_t sec = 0;

    g_assert_nonnull(root);
    /* A multi-function root port (header type 0x81), 256 bytes as root */
    fake_config(root, "0000:00:1c.0", 256, 0x8086, 0x81, 0, 2);
    /* A switch port: 64 bytes, as an unprivileged reader sees it */
    fake_config(root, "0000:02:00.0", 64, 0x8086, 0x01, 2, 3);
    fake_config(root, "0000:00:14.0", 64, 0x8086, 0x80, 0, 0);
    fake_config(root, "0000:00:1d.0", 16, 0x8086, 0x01, 0, 1);
    fake_config(root, "0000:00:1e.0", 64, 0xffff, 0x01, 0, 4);
    fake_config(root, "0000:00:1f.0", 64, 0x8086, 0x01, 0, 0);
    fake_config(root, "0001:80:01.0", 64, 0x8086, 0x01, 0x80, 0x40);
    xen_rdm_pci_resolver_sysfs(&r, root);

    g_assert_true(r.secondary_bus(r.opaque, XEN_RDM_SBDF(0, 0, 0x1c, 0),
                                  &sec, NULL));
    g_assert_cmpuint(sec, ==, 2);
    assert_sysfs_error(&r, XEN_RDM_SBDF(0, 0, 0x14, 0),
                       "PCI device 0000:00:14.0 is not a PCI-to-PCI bridge: "
                       "its header type is 0, not 1");
    assert_sysfs_error(&r, XEN_RDM_SBDF(0, 0, 0x1d, 0),
                       "has only 16 bytes, too short for a bridge header");
    assert_sysfs_error(&r, XEN_RDM_SBDF(0, 0, 0x1e, 0),
                       "reads vendor ID 0xffff: no device there");
    assert_sysfs_error(&r, XEN_RDM_SBDF(0, 0, 0x1f, 0),
                       "PCI bridge 0000:00:1f.0 has secondary bus 00, not "
                       "above its own bus");
    assert_sysfs_error(&r, XEN_RDM_SBDF(1, 0x80, 1, 0),
                       "has secondary bus 40, not above its own bus");
    assert_sysfs_error(&r, XEN_RDM_SBDF(0, 0, 1, 0),
                       "PCI bridge 0000:00:01.0: cannot read ");

    {
        g_autoptr(XenRdmMap) map = parse_ok(t->data, t->len, &r);

        assert_good_table(map, 0, true);
    }

    /* The second hop is not a bridge after all: unresolved */
    fake_config(root, "0000:02:00.0", 64, 0x8086, 0x00, 0, 0);
    {
        g_autoptr(XenRdmMap) map = parse_ok(t->data, t->len, &r);

        assert_good_table(map, 0, false);
    }
    rm_rf(root);
    g_assert_false(g_file_test(root, G_FILE_TEST_EXISTS));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (argc != 4) {
        g_printerr("usage: %s GOOD.dat OVERLAP.dat SAMPLE.dat\n", argv[0]);
        return 2;
    }
    good_path = argv[1];
    overlap_path = argv[2];
    sample_path = argv[3];

    g_test_add_func("/dmar/good/iasl", test_good_iasl);
    g_test_add_func("/dmar/good/xen-dom0-signature",
                    test_xen_dom0_signature);
    g_test_add_func("/dmar/good/resolver", test_good_resolver);
    g_test_add_func("/dmar/good/resolver-fails", test_resolver_fails);
    g_test_add_func("/dmar/good/sample", test_sample);
    g_test_add_func("/dmar/good/builder", test_good_builder);
    g_test_add_func("/dmar/good/appends", test_appends);
    g_test_add_func("/dmar/good/load", test_load);
    g_test_add_func("/dmar/bad/overlap-iasl", test_overlap_iasl);
    g_test_add_func("/dmar/bad/header", test_header_errors);
    g_test_add_func("/dmar/bad/structure", test_structure_errors);
    g_test_add_func("/dmar/bad/rmrr", test_rmrr_errors);
    g_test_add_func("/dmar/bad/rmrr-overlaps", test_rmrr_overlaps);
    g_test_add_func("/dmar/bad/scope", test_scope_errors);
    g_test_add_func("/dmar/bad/other-structures", test_other_structures);
    g_test_add_func("/dmar/bad/mutations", test_mutations);
    g_test_add_func("/dmar/sysfs", test_sysfs);
    return g_test_run();
}
