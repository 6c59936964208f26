/*
 * libFuzzer target for the layout planner
 *
 * The input's bytes are decoded into a whole planner input: guest RAM
 * size, MMIO hole, rdm_mem_boundary, strategy, policy, layout, HAP, the
 * devices passed through with their policies, and regions placed near
 * the addresses that matter (the first MiB, the boundary, the MMIO hole,
 * the firmware area, 4 GiB, the end of RAM), tied to devices, host-wide
 * or not, some with unresolved scopes.  Every plan must pass the
 * invariant check; a compat plan must equal what an independent
 * reimplementation of libxl 4.17's libxl__domain_device_construct_rdm()
 * computes (below, written from libxl's code, not from the planner's);
 * and every device is checked for hot-plug twice.
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
#define MIB         (1ULL << 20)
#define GIB         (1ULL << 30)
#define MAX_REGIONS 24
#define MAX_DEVS    4

/* libxl's overlaps_rdm() */
static bool overlaps(uint64_t start, uint64_t size, uint64_t rstart,
                     uint64_t rsize)
{
    return start + size > rstart && start < rstart + rsize;
}

typedef struct RefRdm {
    uint64_t start, size;
    XenRdmPolicy policy;
} RefRdm;

typedef struct Ref {
    uint64_t lowmem_end, highmem_end;
    bool refused;
    unsigned nr, ignored;
    RefRdm rdm[MAX_REGIONS * (MAX_DEVS + 1)];
} Ref;

/*
 * libxl__build_hvm()'s lowmem_end/highmem_end, then
 * libxl__domain_device_construct_rdm(): the host-wide list (strategy
 * host, returning early when it is empty), each device's list added
 * unless an entry with the same start is there (whose policy becomes
 * the device's), lowmem_end moved below each region above the boundary
 * (2 MiB aligned under HAP), then every region still in RAM a conflict.
 */
static void libxl_reference(const XenRdmConfig *cfg, const XenRdmMap *map,
                            Ref *ref)
{
    uint64_t mmio_start = (1ULL << 32) - cfg->mmio_hole;
    uint64_t lowmem_end = cfg->ram_size, highmem_end = 0;
    unsigned i, j, k;

    memset(ref, 0, sizeof(*ref));
    if (lowmem_end > mmio_start) {
        highmem_end = (1ULL << 32) + (lowmem_end - mmio_start);
        lowmem_end = mmio_start;
    }
    ref->lowmem_end = lowmem_end;
    ref->highmem_end = highmem_end;
    if (cfg->strategy == XEN_RDM_STRATEGY_IGNORE && !cfg->nr_devices) {
        return;
    }
    if (cfg->strategy == XEN_RDM_STRATEGY_HOST) {
        for (i = 0; i < map->entries->len; i++) {
            const XenRdmEntry *e = g_ptr_array_index(map->entries, i);

            if (e->host_wide) {
                ref->rdm[ref->nr++] = (RefRdm){ e->start, e->size,
                                                cfg->policy };
            }
        }
        if (!ref->nr) {
            return;
        }
    }
    for (k = 0; k < cfg->nr_devices; k++) {
        for (i = 0; i < map->entries->len; i++) {
            const XenRdmEntry *e = g_ptr_array_index(map->entries, i);
            bool found = false;

            if (!xen_rdm_entry_has_device(e, cfg->devices[k].sbdf)) {
                continue;
            }
            for (j = 0; j < ref->nr; j++) {
                if (ref->rdm[j].start == e->start) {
                    ref->rdm[j].policy = cfg->devices[k].policy;
                    found = true;
                    break;
                }
            }
            if (!found) {
                ref->rdm[ref->nr++] = (RefRdm){ e->start, e->size,
                                                cfg->devices[k].policy };
            }
        }
    }
    for (i = 0; i < ref->nr; i++) {
        uint64_t rdm_start = ref->rdm[i].start;

        if (!overlaps(0, lowmem_end, rdm_start, ref->rdm[i].size)) {
            continue;
        }
        if (rdm_start > cfg->boundary) {
            if (cfg->hap && rdm_start > 2 * MIB) {
                rdm_start &= ~(2 * MIB - 1);
            }
            if (!highmem_end) {
                highmem_end = 1ULL << 32;
            }
            highmem_end += lowmem_end - rdm_start;
            lowmem_end = rdm_start;
        }
    }
    for (i = 0; i < ref->nr; i++) {
        if (!overlaps(0, lowmem_end, ref->rdm[i].start, ref->rdm[i].size) &&
            !(highmem_end &&
              overlaps(1ULL << 32, highmem_end - (1ULL << 32),
                       ref->rdm[i].start, ref->rdm[i].size))) {
            continue;
        }
        if (ref->rdm[i].policy == XEN_RDM_POLICY_STRICT) {
            ref->refused = true;
        } else {
            ref->ignored++;
        }
    }
    ref->lowmem_end = lowmem_end;
    ref->highmem_end = highmem_end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t sbdfs[MAX_DEVS] = {
        XEN_RDM_SBDF(0, 0, 2, 0), XEN_RDM_SBDF(0, 0, 0x14, 0),
        XEN_RDM_SBDF(0, 0, 0x1d, 0), XEN_RDM_SBDF(0, 3, 0, 0),
    };
    Reader r = { data, size };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    g_autoptr(XenRdmPlan) plan = NULL;
    XenRdmDeviceConfig devs[MAX_DEVS];
    XenRdmConfig cfg;
    Error *err = NULL;
    uint64_t anchors[12];
    unsigned flags, nr, i, k;
    static Ref ref;

    xen_rdm_config_init(&cfg);
    cfg.ram_size = (byte(&r) % 64 + 1) * 128 * MIB + (byte(&r) % 4) * PAGE;
    cfg.mmio_hole = (byte(&r) % 15 + 1) * 256 * MIB;
    cfg.boundary = byte(&r) % 2 ? (byte(&r) % 5) * GIB
                                : (uint64_t)(word(&r) % (1u << 20)) * PAGE;
    flags = byte(&r);
    cfg.strategy = flags & 1 ? XEN_RDM_STRATEGY_HOST : XEN_RDM_STRATEGY_IGNORE;
    cfg.policy = flags & 2 ? XEN_RDM_POLICY_STRICT : XEN_RDM_POLICY_RELAXED;
    cfg.layout = flags & 4 ? XEN_RDM_LAYOUT_SPLIT : XEN_RDM_LAYOUT_COMPAT;
    cfg.hap = !(flags & 8);
    cfg.nr_devices = byte(&r) % (MAX_DEVS + 1);
    for (k = 0; k < cfg.nr_devices; k++) {
        devs[k].sbdf = sbdfs[k];
        devs[k].policy = flags & (16 << k) ? XEN_RDM_POLICY_RELAXED
                                           : XEN_RDM_POLICY_STRICT;
    }
    cfg.devices = devs;

    anchors[0] = 0;
    anchors[1] = 0xa0000;
    anchors[2] = 0xf0000;
    anchors[3] = MIB;
    anchors[4] = 2 * MIB;
    anchors[5] = cfg.boundary & ~(PAGE - 1);
    anchors[6] = (1ULL << 32) - cfg.mmio_hole;
    anchors[7] = XEN_RDM_FIRMWARE_START;
    anchors[8] = 1ULL << 32;
    anchors[9] = MIN(cfg.ram_size, anchors[6]) & ~(PAGE - 1);
    anchors[10] = (1ULL << 32) + cfg.ram_size;
    anchors[11] = (uint64_t)(word(&r) % (1u << 21)) * PAGE;
    nr = byte(&r) % (MAX_REGIONS + 1);
    for (i = 0; i < nr; i++) {
        unsigned a = byte(&r);
        int64_t off = ((int64_t)(int8_t)byte(&r)) * (int64_t)PAGE *
                      (a & 0x80 ? 512 : 1);
        uint64_t start = anchors[a % 12] + off;
        uint64_t pages = 1 + (word(&r) % (1u << (byte(&r) % 20)));
        unsigned ties = byte(&r);
        XenRdmEntry *e;

        if (off < 0 && (uint64_t)-off > anchors[a % 12]) {
            start = 0;
        }
        e = xen_rdm_map_add(map, start, pages * PAGE, !(ties & 0x80), NULL);
        if (!e) {
            continue;
        }
        for (k = 0; k < MAX_DEVS; k++) {
            if (ties & (1u << k)) {
                xen_rdm_entry_add_device(e, sbdfs[k]);
            }
        }
        if (ties & 0x40) {
            xen_rdm_entry_add_unresolved(e, "unresolved:0000:00:1c.0/00.0");
        }
    }

    if (!xen_rdm_plan_compute(&cfg, map, &plan, &err)) {
        /* only split can fail: RAM that does not fit below 2^52 */
        g_assert_cmpint(cfg.layout, ==, XEN_RDM_LAYOUT_SPLIT);
        g_assert_nonnull(strstr(error_get_pretty(err), "does not fit"));
        error_free(err);
        return 0;
    }
    if (!xen_rdm_plan_check(plan, cfg.ram_size, &err)) {
        g_error("plan fails its invariants: %s", error_get_pretty(err));
    }
    if (cfg.layout == XEN_RDM_LAYOUT_COMPAT) {
        unsigned ignored = 0;

        libxl_reference(&cfg, map, &ref);
        for (i = 0; i < plan->regions->len; i++) {
            const XenRdmRegion *pr = g_ptr_array_index(plan->regions, i);

            ignored += pr->status == XEN_RDM_STATUS_IGNORED;
        }
        g_assert_cmphex(plan->lowmem_end, ==, ref.lowmem_end);
        g_assert_cmphex(plan->highmem_end, ==, ref.highmem_end);
        g_assert_cmpint(plan->refused, ==, ref.refused);
        g_assert_cmpuint(plan->regions->len, ==, ref.nr);
        g_assert_cmpuint(ignored, ==, ref.ignored);
    }
    for (k = 0; k < MAX_DEVS; k++) {
        for (int twice = 0; twice < 2; twice++) {
            GPtrArray *regions = NULL;
            Error *conflict = NULL;
            bool ok = xen_rdm_plan_check_device(plan, map, sbdfs[k],
                                                XEN_RDM_POLICY_STRICT,
                                                &regions, &conflict);

            g_assert_cmpint(ok, ==, conflict == NULL);
            g_assert_cmpuint(regions->len, <=, map->entries->len);
            for (i = 0; i < regions->len; i++) {
                const XenRdmRegion *dr = g_ptr_array_index(regions, i);

                g_assert_cmpuint(dr->devices->len, >, 0);
            }
            g_ptr_array_unref(regions);
            error_free(conflict);
        }
    }
    return 0;
}
