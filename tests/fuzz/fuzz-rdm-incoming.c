/*
 * libFuzzer target for the guest RAM layout of an incoming migration
 *
 * QEMU's xen-rdm-layout section carries the RAM ranges of the guest's
 * layout, which the destination takes as untrusted input: its post_load
 * hands them to xen_rdm_layout_incoming() with the destination's plan.
 * The input's bytes are decoded into those ranges (as page numbers, or
 * as raw 64-bit values that can wrap), the guest's size (often the sum
 * of the ranges, so that whole layouts get through), the MMIO hole, and
 * one of three plans of a host's regions: none, strict, or mixed
 * strict and relaxed.  An accepted layout must be the ranges exactly,
 * sorted and apart, covering the first MiB, adding up to the size,
 * below the MMIO hole under 4 GiB and below the RAM QEMU set aside, with
 * no strict region in its RAM, each region of the plan "reserved" or,
 * relaxed in its RAM, "ignored"; a refused one must say why.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/xen/xen-rdm-plan.h"
#include "fuzz-reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE        0x1000ULL
#define GIB         (1ULL << 30)

static uint64_t dword(Reader *r)
{
    uint64_t lo = word(r);

    return lo | (uint64_t)word(r) << 32;
}

/* The regions of a laptop, and one above 4 GiB, as a host reports them */
static const struct {
    uint64_t start, size;
    uint32_t sbdf;
} host_regions[] = {
    { 0x7c000, 0x1000, XEN_RDM_SBDF(0, 0, 0x1d, 0) },
    { 0x7b800000, 0x4000000, XEN_RDM_SBDF(0, 0, 2, 0) },
    { 0xa3eea000, 0xf000, XEN_RDM_SBDF(0, 0, 0x14, 0) },
    { 0x140000000ULL, 0x1000000, XEN_RDM_SBDF(0, 3, 0, 0) },
};

/* The destination's plan: 1, all strict; 2, 00:14.0 and 03:00.0 relaxed */
static XenRdmPlan *host_plan(unsigned variant)
{
    static const XenRdmDeviceConfig devs[] = {
        { XEN_RDM_SBDF(0, 0, 0x14, 0), XEN_RDM_POLICY_RELAXED },
        { XEN_RDM_SBDF(0, 3, 0, 0), XEN_RDM_POLICY_RELAXED },
    };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    XenRdmPlan *plan = NULL;
    XenRdmConfig cfg;

    for (size_t i = 0; i < G_N_ELEMENTS(host_regions); i++) {
        XenRdmEntry *e = xen_rdm_map_add(map, host_regions[i].start,
                                         host_regions[i].size, true, NULL);

        g_assert_nonnull(e);
        xen_rdm_entry_add_device(e, host_regions[i].sbdf);
    }
    xen_rdm_config_init(&cfg);
    cfg.ram_size = 8 * GIB;
    cfg.strategy = XEN_RDM_STRATEGY_HOST;
    cfg.policy = XEN_RDM_POLICY_STRICT;
    cfg.layout = XEN_RDM_LAYOUT_SPLIT;
    if (variant == 2) {
        cfg.devices = devs;
        cfg.nr_devices = G_N_ELEMENTS(devs);
    }
    g_assert_true(xen_rdm_plan_compute(&cfg, map, &plan, NULL));
    g_assert_cmpuint(plan->regions->len, ==, G_N_ELEMENTS(host_regions));
    return plan;
}

static bool overlaps(uint64_t start, uint64_t size, uint64_t rstart,
                     uint64_t rsize)
{
    return start + size > rstart && start < rstart + rsize;
}

/* What an accepted layout of @ranges must be */
static void check_accepted(const XenRdmPlan *layout, const XenRdmPlan *plan,
                           const XenRdmRange *ranges, size_t nr,
                           uint64_t ram_size, uint64_t mmio_start,
                           uint64_t max_end)
{
    uint64_t sum = 0;

    g_assert_false(layout->refused);
    g_assert_cmpuint(layout->ram->len, ==, nr);
    g_assert_cmpmem(layout->ram->data, nr * sizeof(XenRdmRange), ranges,
                    nr * sizeof(XenRdmRange));
    g_assert_cmpuint(ranges[0].start, ==, 0);
    g_assert_cmpuint(ranges[0].size, >=, 0x100000);
    for (size_t i = 0; i < nr; i++) {
        uint64_t end = ranges[i].start + ranges[i].size;

        g_assert_cmpuint(ranges[i].size, !=, 0);
        g_assert_cmpuint(end, >, ranges[i].start);
        g_assert_cmpuint(end, <=, max_end);
        if (i) {
            g_assert_cmpuint(ranges[i].start, >,
                             ranges[i - 1].start + ranges[i - 1].size);
        }
        if (ranges[i].start < 4 * GIB) {
            g_assert_cmpuint(end, <=, mmio_start);
        }
        sum += ranges[i].size;
    }
    g_assert_cmpuint(sum, ==, ram_size);
    g_assert_cmpuint(layout->regions->len, ==,
                     plan ? plan->regions->len : 0);
    for (guint j = 0; plan && j < plan->regions->len; j++) {
        const XenRdmRegion *r = g_ptr_array_index(plan->regions, j);
        const XenRdmRegion *out = g_ptr_array_index(layout->regions, j);
        bool in_ram = false;

        for (size_t i = 0; i < nr; i++) {
            in_ram |= overlaps(ranges[i].start, ranges[i].size, r->start,
                               r->size);
        }
        g_assert_false(in_ram && r->policy == XEN_RDM_POLICY_STRICT);
        g_assert_cmpuint(out->start, ==, r->start);
        g_assert_cmpint(out->status, ==, in_ram ? XEN_RDM_STATUS_IGNORED
                                                : XEN_RDM_STATUS_RESERVED);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static XenRdmPlan *plans[3];
    static const uint64_t holes[] = {
        0xf0000000, 0xe0000000, 0x80000000, 0xfc000000,
    };
    Reader rd = { data, size };
    unsigned flags = byte(&rd);
    unsigned variant = (flags & 3) % 3;
    bool raw = flags & 4, sum_is_size = flags & 8;
    uint64_t mmio_start = holes[(flags >> 4) & 3];
    uint64_t ram_size = (uint64_t)word(&rd) * PAGE, sum = 0, max_end;
    g_autofree XenRdmRange *ranges = NULL;
    g_autoptr(XenRdmPlan) layout = NULL;
    size_t nr = byte(&rd), avail, i;
    Error *err = NULL;

    if (flags & 0x40) {
        /* up to 0x1ffff, beyond XEN_RDM_LAYOUT_MAX_RANGES */
        nr |= byte(&rd) << 8 | (flags & 0x80) << 9;
    }
    if (!plans[1]) {
        plans[1] = host_plan(1);
        plans[2] = host_plan(2);
    }
    /*
     * The ranges the input holds; a count above the limit is passed
     * with them alone, and must be refused before any range is read
     */
    avail = rd.left / (raw ? 16 : 8);
    if (nr <= XEN_RDM_LAYOUT_MAX_RANGES) {
        nr = MIN(nr, avail);
    }
    ranges = g_new0(XenRdmRange, MAX(avail, 1));
    for (i = 0; i < avail; i++) {
        if (raw) {
            ranges[i].start = dword(&rd);
            ranges[i].size = dword(&rd);
        } else {
            ranges[i].start = (uint64_t)word(&rd) * PAGE;
            ranges[i].size = (uint64_t)word(&rd) * PAGE;
        }
        sum += i < nr ? ranges[i].size : 0;
    }
    if (sum_is_size) {
        ram_size = sum;
    }
    /* what QEMU sets aside for an incoming guest: room for any layout */
    max_end = 4 * GIB + ram_size;
    if (max_end < ram_size) {
        max_end = UINT64_MAX;
    }

    layout = xen_rdm_layout_incoming(plans[variant], ranges, nr, ram_size,
                                     mmio_start, max_end, &err);
    if (layout) {
        g_assert_null(err);
        check_accepted(layout, plans[variant], ranges, nr, ram_size,
                       mmio_start, max_end);
        g_assert_true(xen_rdm_plan_check(layout, ram_size, NULL));
    } else {
        g_assert_nonnull(err);
        g_assert_cmpuint(strlen(error_get_pretty(err)), >, 0);
        if (nr > XEN_RDM_LAYOUT_MAX_RANGES || !nr) {
            g_assert_nonnull(strstr(error_get_pretty(err),
                                    "guest RAM ranges"));
        }
        error_free(err);
    }
    return 0;
}
