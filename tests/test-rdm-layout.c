/*
 * Unit tests of the split layout's arithmetic (hw/xen/xen-rdm-layout.c),
 * called directly as libxl calls it: caller-owned arrays, no map, no
 * plan
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/xen/xen-rdm-layout.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static XenRdmLayoutRegion region(uint64_t start, uint64_t end,
                                 uint32_t source, bool strict)
{
    return (XenRdmLayoutRegion){
        .start = start, .end = end, .source = source, .strict = strict,
    };
}

/* One region across both platform areas is cut at each of their edges */
static void test_clip(void)
{
    XenRdmLayoutRegion in[] = {
        region(0xF0000, 5 * GiB, 7, true),
        region(2 * GiB, 2 * GiB + 4096, 8, false),
    };
    XenRdmLayoutRegion parts[6];
    static const struct {
        uint64_t start, end;
        XenRdmArea area;
    } want[] = {
        { 0xF0000, MiB, XEN_RDM_AREA_FIRST_MIB },
        { MiB, 0xFC000000, XEN_RDM_AREA_NONE },
        { 0xFC000000, 4 * GiB, XEN_RDM_AREA_FIRMWARE },
        { 4 * GiB, 5 * GiB, XEN_RDM_AREA_NONE },
        { 2 * GiB, 2 * GiB + 4096, XEN_RDM_AREA_NONE },
    };
    size_t i;

    g_assert_cmpuint(xen_rdm_layout_nr_parts(in, 2), ==, G_N_ELEMENTS(want));
    xen_rdm_layout_clip(in, 2, parts);
    for (i = 0; i < G_N_ELEMENTS(want); i++) {
        g_assert_cmphex(parts[i].start, ==, want[i].start);
        g_assert_cmphex(parts[i].end, ==, want[i].end);
        g_assert_cmpuint(parts[i].area, ==, want[i].area);
        g_assert_cmpuint(parts[i].source, ==, i < 4 ? 7 : 8);
        g_assert_cmpuint(parts[i].strict, ==, i < 4);
    }
    g_assert_nonnull(xen_rdm_area_str(XEN_RDM_AREA_FIRMWARE));
    g_assert_null(xen_rdm_area_str(XEN_RDM_AREA_NONE));
}

/*
 * Touching and overlapping regions merge (strict wins); a part in a
 * platform area merges with nothing, not even its touching neighbour
 */
static void test_merge(void)
{
    XenRdmLayoutRegion parts[] = {
        region(3 * MiB, 4 * MiB, 2, false),
        region(0xF0000, MiB, 0, true),
        region(MiB, 2 * MiB, 1, false),
        region(2 * MiB, 3 * MiB, 3, true),
        region(3 * MiB + 4096, 3 * MiB + 8192, 4, false),
    };
    XenRdmLayoutRegion merged[G_N_ELEMENTS(parts)];
    size_t n, i;

    parts[1].area = XEN_RDM_AREA_FIRST_MIB;
    n = xen_rdm_layout_merge(parts, G_N_ELEMENTS(parts), merged);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmphex(merged[0].start, ==, 0xF0000);
    g_assert_cmpuint(merged[0].area, ==, XEN_RDM_AREA_FIRST_MIB);
    g_assert_cmphex(merged[1].start, ==, MiB);
    g_assert_cmphex(merged[1].end, ==, 4 * MiB);
    g_assert_true(merged[1].strict);
    g_assert_cmpuint(merged[1].source, ==, 1);
    /* sorted by address, each part knows where it went */
    for (i = 0; i < G_N_ELEMENTS(parts); i++) {
        g_assert_cmpuint(parts[i].merged, ==, i ? 1 : 0);
        g_assert_true(!i || parts[i].start >= parts[i - 1].start);
    }
}

/*
 * RAM goes around a hole at 64 MiB of a 256 MiB guest: under HAP the
 * hole is widened to 2 MiB boundaries; without HAP it is exactly the
 * region
 */
static void test_place_ram_low(void)
{
    XenRdmLayoutRegion merged[] = { region(64 * MiB + 4096,
                                           64 * MiB + 8192, 0, true) };
    XenRdmRange ram[3];
    size_t n;

    n = xen_rdm_layout_place_ram(merged, 1, 256 * MiB, 0xF0000000, true,
                                 ram);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmphex(ram[0].start, ==, 0);
    g_assert_cmphex(ram[0].size, ==, 64 * MiB);
    g_assert_cmphex(ram[1].start, ==, 66 * MiB);
    g_assert_cmphex(ram[1].size, ==, 192 * MiB);

    n = xen_rdm_layout_place_ram(merged, 1, 256 * MiB, 0xF0000000, false,
                                 ram);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmphex(ram[0].size, ==, 64 * MiB + 4096);
    g_assert_cmphex(ram[1].start, ==, 64 * MiB + 8192);
    g_assert_cmphex(ram[0].size + ram[1].size, ==, 256 * MiB);
}

/*
 * With low RAM full, under HAP the holes are widened all the same and
 * the RAM they displace goes above 4 GiB; never into the first MiB, never
 * past the MMIO hole (here not 2 MiB aligned)
 */
static void test_place_ram_low_full(void)
{
    const uint64_t mmio_start = 0xE0100000;
    XenRdmLayoutRegion merged[] = {
        region(MiB, MiB + 4096, 0, true),
        region(64 * MiB + 4096, 64 * MiB + 8192, 1, true),
        region(0xE0001000, 0xE0002000, 2, true),
    };
    uint64_t ram_size = mmio_start - 3 * 4096;
    XenRdmRange ram[5];
    size_t n;

    n = xen_rdm_layout_place_ram(merged, 3, ram_size, mmio_start, true, ram);
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmphex(ram[0].start, ==, 0);
    g_assert_cmphex(ram[0].size, ==, MiB);
    g_assert_cmphex(ram[1].start, ==, 2 * MiB);
    g_assert_cmphex(ram[1].size, ==, 62 * MiB);
    g_assert_cmphex(ram[2].start, ==, 66 * MiB);
    g_assert_cmphex(ram[2].size, ==, 0xE0000000 - 66 * MiB);
    /* 1 + 2 + 1 MiB of holes, less the three pages of the regions */
    g_assert_cmphex(ram[3].start, ==, 4 * GiB);
    g_assert_cmphex(ram[3].size, ==, 4 * MiB - 3 * 4096);

    n = xen_rdm_layout_place_ram(merged, 3, ram_size, mmio_start, false,
                                 ram);
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmphex(ram[1].start, ==, MiB + 4096);
    g_assert_cmphex(ram[3].start, ==, 0xE0002000);
    g_assert_cmphex(ram[3].start + ram[3].size, ==, mmio_start);
}

/* RAM past the MMIO hole continues at 4 GiB, around a high hole */
static void test_place_ram_high(void)
{
    XenRdmLayoutRegion merged[] = { region(5 * GiB, 5 * GiB + 4096, 0,
                                           false) };
    XenRdmRange ram[3];
    size_t n;

    n = xen_rdm_layout_place_ram(merged, 1, 6 * GiB, 3 * GiB, true, ram);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmphex(ram[0].start, ==, 0);
    g_assert_cmphex(ram[0].size, ==, 3 * GiB);
    g_assert_cmphex(ram[1].start, ==, 4 * GiB);
    g_assert_cmphex(ram[1].size, ==, GiB);
    g_assert_cmphex(ram[2].start, ==, 5 * GiB + 2 * MiB);
    g_assert_cmphex(ram[2].size, ==, 2 * GiB);
}

/* RAM that cannot fit below 2^52 is refused (0 ranges) */
static void test_place_ram_too_much(void)
{
    XenRdmLayoutRegion merged[] = { region(4 * GiB, (1ULL << 52) - MiB, 0,
                                           true) };
    XenRdmRange ram[3];

    g_assert_cmpuint(xen_rdm_layout_place_ram(merged, 1, 8 * GiB, 3 * GiB,
                                              true, ram), ==, 0);
}

/* Ranges that touch or overlap are joined; empty ones are dropped */
static void test_range_append(void)
{
    XenRdmRange r[3];
    size_t n = 0;

    xen_rdm_range_append(r, &n, 0, MiB);
    xen_rdm_range_append(r, &n, MiB, MiB);
    xen_rdm_range_append(r, &n, 3 * MiB, 0);
    xen_rdm_range_append(r, &n, 4 * MiB, MiB);
    xen_rdm_range_append(r, &n, 4 * MiB + 4096, 4096);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmphex(r[0].size, ==, 2 * MiB);
    g_assert_cmphex(r[1].start, ==, 4 * MiB);
    g_assert_cmphex(r[1].size, ==, MiB);
}

/* e820: RAM and reserved entries in order, touching reserved coalesced */
static void test_e820(void)
{
    XenRdmRange ram[] = { { 0, 64 * MiB }, { 66 * MiB, 190 * MiB } };
    XenRdmRange reserved[] = {
        { 64 * MiB, MiB }, { 64 * MiB + 4096, 4096 }, { 65 * MiB, MiB },
        { 0xFED00000, 4096 },
    };
    XenRdmE820Entry e820[6];
    size_t n = xen_rdm_layout_e820(ram, 2, reserved, 4, e820);

    g_assert_cmpuint(n, ==, 4);
    g_assert_cmpuint(e820[0].type, ==, XEN_RDM_E820_RAM);
    g_assert_cmpuint(e820[1].type, ==, XEN_RDM_E820_RESERVED);
    g_assert_cmphex(e820[1].start, ==, 64 * MiB);
    g_assert_cmphex(e820[1].size, ==, 2 * MiB);
    g_assert_cmpuint(e820[2].type, ==, XEN_RDM_E820_RAM);
    g_assert_cmphex(e820[3].start, ==, 0xFED00000);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xen-rdm-layout/clip", test_clip);
    g_test_add_func("/xen-rdm-layout/merge", test_merge);
    g_test_add_func("/xen-rdm-layout/place-ram/low", test_place_ram_low);
    g_test_add_func("/xen-rdm-layout/place-ram/low-full",
                    test_place_ram_low_full);
    g_test_add_func("/xen-rdm-layout/place-ram/high", test_place_ram_high);
    g_test_add_func("/xen-rdm-layout/place-ram/too-much",
                    test_place_ram_too_much);
    g_test_add_func("/xen-rdm-layout/range-append", test_range_append);
    g_test_add_func("/xen-rdm-layout/e820", test_e820);
    return g_test_run();
}
