/*
 * Xen reserved device memory (RDM): checks of a guest RAM layout, the
 * planner's or one a toolstack populated: its invariants, the regions it
 * keeps free, and a device added to the running guest
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/xen/xen-rdm-plan.h"
#include "xen-rdm-plan-internal.h"

static int region_ptr_cmp(gconstpointer a, gconstpointer b)
{
    const XenRdmRegion *x = *(XenRdmRegion *const *)a;
    const XenRdmRegion *y = *(XenRdmRegion *const *)b;

    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    return x->size < y->size ? -1 : x->size > y->size;
}

bool xen_rdm_plan_check_device(const XenRdmPlan *plan, const XenRdmMap *map,
                               uint32_t sbdf, XenRdmPolicy policy,
                               GPtrArray **regionsp, Error **errp)
{
    return xen_rdm_ram_check_device(plan->ram, map, sbdf, policy, regionsp,
                                    errp);
}

GArray *xen_rdm_ram_from_ends(uint64_t lowmem_end, uint64_t highmem_end,
                              Error **errp)
{
    GArray *ram;
    XenRdmRange r;

    if (lowmem_end > XEN_RDM_4G ||
        (highmem_end && highmem_end <= XEN_RDM_4G) ||
        highmem_end > XEN_RDM_MAX_PADDR) {
        error_setg(errp, "guest RAM ending at 0x%" PRIx64 " below 4 GiB and "
                   "0x%" PRIx64 " above is not a layout", lowmem_end,
                   highmem_end);
        return NULL;
    }
    ram = g_array_new(false, false, sizeof(XenRdmRange));
    if (lowmem_end) {
        r = (XenRdmRange){ 0, lowmem_end };
        g_array_append_val(ram, r);
    }
    if (highmem_end) {
        r = (XenRdmRange){ XEN_RDM_4G, highmem_end - XEN_RDM_4G };
        g_array_append_val(ram, r);
    }
    return ram;
}

/* The RAM range of @ram that overlaps [start, start + size), or NULL */
static const XenRdmRange *ram_overlapping(const GArray *ram, uint64_t start,
                                          uint64_t size)
{
    guint i;

    for (i = 0; i < ram->len; i++) {
        const XenRdmRange *m = &g_array_index(ram, XenRdmRange, i);

        if (overlaps(m->start, m->size, start, size)) {
            return m;
        }
    }
    return NULL;
}

XenRdmPlan *xen_rdm_plan_populated(const XenRdmPlan *plan, const GArray *ram,
                                   uint64_t mmio_start)
{
    return xen_rdm_plan_of_ram(plan, ram, mmio_start,
                               "populated by the toolstack");
}

XenRdmPlan *xen_rdm_plan_of_ram(const XenRdmPlan *plan, const GArray *ram,
                                uint64_t mmio_start, const char *whose)
{
    XenRdmPlan *out = xen_rdm_plan_new(XEN_RDM_LAYOUT_TOOLSTACK, mmio_start);
    const XenRdmRegion *first = NULL;
    guint i;

    for (i = 0; i < ram->len; i++) {
        const XenRdmRange *m = &g_array_index(ram, XenRdmRange, i);

        xen_rdm_ram_add(out->ram, m->start, m->size);
        if (m->start < XEN_RDM_4G) {
            out->lowmem_end = m->start + m->size;
        } else {
            out->highmem_end = m->start + m->size;
        }
    }
    for (i = 0; plan && i < plan->regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(plan->regions, i);
        const XenRdmRange *m = ram_overlapping(ram, r->start, r->size);
        XenRdmRegion *c = g_new0(XenRdmRegion, 1);

        c->start = r->start;
        c->size = r->size;
        c->policy = r->policy;
        c->devices = g_ptr_array_ref(r->devices);
        if (!m) {
            c->status = XEN_RDM_STATUS_RESERVED;
        } else {
            c->status = r->policy == XEN_RDM_POLICY_STRICT ?
                        XEN_RDM_STATUS_CONFLICT : XEN_RDM_STATUS_IGNORED;
            c->conflict = g_strdup_printf("guest RAM 0x%" PRIx64 "-0x%" PRIx64
                                          " %s", m->start,
                                          m->start + m->size - 1, whose);
            if (c->status == XEN_RDM_STATUS_CONFLICT && !first) {
                first = c;
            }
        }
        g_ptr_array_add(out->regions, c);
    }
    if (first) {
        out->refused = true;
        out->reason = xen_rdm_conflict_reason(first, "lies in");
    }
    xen_rdm_plan_build_e820(out);
    return out;
}

XenRdmPlan *xen_rdm_layout_incoming(const XenRdmPlan *plan,
                                    const XenRdmRange *ranges, size_t nr,
                                    uint64_t ram_size, uint64_t mmio_start,
                                    uint64_t max_end, Error **errp)
{
    g_autoptr(GArray) ram = NULL;
    g_autoptr(XenRdmPlan) layout = NULL;
    uint64_t prev_end = 0;
    size_t i;

    if (!nr || nr > XEN_RDM_LAYOUT_MAX_RANGES) {
        error_setg(errp, "it has %zu guest RAM ranges, not between 1 and %u",
                   nr, XEN_RDM_LAYOUT_MAX_RANGES);
        return NULL;
    }
    if (ranges[0].start || ranges[0].size < XEN_RDM_FIRST_MIB_END) {
        error_setg(errp, "its first RAM range does not cover the first MiB");
        return NULL;
    }
    for (i = 0; i < nr; i++) {
        uint64_t start = ranges[i].start, end = start + ranges[i].size;

        if (!ranges[i].size || end < start) {
            error_setg(errp, "its RAM range %zu is empty or wraps", i);
            return NULL;
        }
        if (i && start <= prev_end) {
            error_setg(errp, "its RAM range 0x%" PRIx64 " overlaps, touches "
                       "or is out of order", start);
            return NULL;
        }
        if (end > max_end) {
            error_setg(errp, "its RAM ends at 0x%" PRIx64 ", beyond the 0x%"
                       PRIx64 " bytes QEMU set aside", end, max_end);
            return NULL;
        }
        prev_end = end;
    }
    ram = g_array_sized_new(false, false, sizeof(XenRdmRange), nr);
    g_array_append_vals(ram, ranges, nr);
    layout = xen_rdm_plan_of_ram(plan, ram, mmio_start,
                                 "of the migration stream");
    if (!xen_rdm_plan_check(layout, ram_size, errp)) {
        return NULL;
    }
    if (layout->refused) {
        error_setg(errp, "%s", layout->reason);
        return NULL;
    }
    return g_steal_pointer(&layout);
}

bool xen_rdm_ram_equal(const GArray *a, const GArray *b)
{
    return a->len == b->len &&
           !memcmp(a->data, b->data, a->len * sizeof(XenRdmRange));
}

bool xen_rdm_ram_check_device(const GArray *ram, const XenRdmMap *map,
                              uint32_t sbdf, XenRdmPolicy policy,
                              GPtrArray **regionsp, Error **errp)
{
    GPtrArray *regions = g_ptr_array_new_with_free_func(xen_rdm_region_free);
    const XenRdmRegion *first = NULL;
    DeviceNames names;
    guint i, j;

    xen_rdm_device_names_init(&names);
    for (i = 0; i < map->entries->len; i++) {
        const XenRdmEntry *e = g_ptr_array_index(map->entries, i);
        XenRdmRegion *r;

        if (!xen_rdm_entry_has_device(e, sbdf)) {
            continue;
        }
        r = g_new0(XenRdmRegion, 1);
        r->start = e->start;
        r->size = e->size;
        r->policy = policy;
        r->status = XEN_RDM_STATUS_RESERVED;
        r->devices = xen_rdm_device_names(&names, &e, 1);
        for (j = 0; j < ram->len; j++) {
            const XenRdmRange *m = &g_array_index(ram, XenRdmRange, j);

            if (overlaps(m->start, m->size, r->start, r->size)) {
                r->status = policy == XEN_RDM_POLICY_STRICT ?
                            XEN_RDM_STATUS_CONFLICT : XEN_RDM_STATUS_IGNORED;
                r->conflict = g_strdup_printf("guest RAM 0x%" PRIx64 "-0x%"
                                              PRIx64, m->start,
                                              m->start + m->size - 1);
                break;
            }
        }
        g_ptr_array_add(regions, r);
    }
    xen_rdm_device_names_destroy(&names);
    g_ptr_array_sort(regions, region_ptr_cmp);

    for (i = 0; i < regions->len && !first; i++) {
        const XenRdmRegion *r = g_ptr_array_index(regions, i);

        if (r->status == XEN_RDM_STATUS_CONFLICT) {
            first = r;
        }
    }
    *regionsp = regions;
    if (first) {
        g_autofree char *dev = xen_rdm_sbdf_to_string(sbdf);

        error_setg(errp, "RDM conflict: device %s needs region 0x%" PRIx64
                   "-0x%" PRIx64 " with policy strict, but it collides with "
                   "%s, which cannot move while the guest runs", dev,
                   first->start, first->start + first->size - 1,
                   first->conflict);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Invariants                                                           */

bool xen_rdm_plan_check(const XenRdmPlan *plan, uint64_t ram_size,
                        Error **errp)
{
    uint64_t total = 0, prev_end = 0, low_end = 0, high_end = 0;
    bool any_conflict = false;
    guint i, j = 0;

    for (i = 0; i < plan->ram->len; i++) {
        const XenRdmRange *r = &g_array_index(plan->ram, XenRdmRange, i);

        if (!r->size || r->start + r->size < r->start) {
            error_setg(errp, "RAM range %u is empty or wraps", i);
            return false;
        }
        if (i && r->start < prev_end) {
            error_setg(errp, "RAM range 0x%" PRIx64 " overlaps or is out of "
                       "order", r->start);
            return false;
        }
        if (r->start + r->size > plan->mmio_start && r->start < XEN_RDM_4G) {
            error_setg(errp, "RAM range 0x%" PRIx64 " reaches into the MMIO "
                       "hole at 0x%" PRIx64, r->start, plan->mmio_start);
            return false;
        }
        prev_end = r->start + r->size;
        total += r->size;
        if (prev_end <= XEN_RDM_4G) {
            low_end = prev_end;
        } else {
            high_end = prev_end;
        }
    }
    if (total != ram_size) {
        error_setg(errp, "RAM ranges sum to 0x%" PRIx64 ", not the requested "
                   "0x%" PRIx64, total, ram_size);
        return false;
    }
    if (low_end != plan->lowmem_end || high_end != plan->highmem_end) {
        error_setg(errp, "lowmem_end/highmem_end 0x%" PRIx64 "/0x%" PRIx64
                   " do not match the RAM ranges (0x%" PRIx64 "/0x%" PRIx64
                   ")", plan->lowmem_end, plan->highmem_end, low_end,
                   high_end);
        return false;
    }

    /* Regions sorted; RAM never over a reserved one (linear sweep) */
    for (i = 0; i < plan->regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(plan->regions, i);

        if (i) {
            const XenRdmRegion *q = g_ptr_array_index(plan->regions, i - 1);
            if (q->start > r->start) {
                error_setg(errp, "regions are not sorted");
                return false;
            }
        }
        any_conflict |= r->status == XEN_RDM_STATUS_CONFLICT;
        if (r->status != XEN_RDM_STATUS_RESERVED) {
            continue;
        }
        while (j < plan->ram->len) {
            const XenRdmRange *m = &g_array_index(plan->ram, XenRdmRange, j);
            if (m->start + m->size <= r->start) {
                j++;
                continue;
            }
            if (overlaps(m->start, m->size, r->start, r->size)) {
                error_setg(errp, "RAM 0x%" PRIx64 "-0x%" PRIx64 " covers "
                           "reserved region 0x%" PRIx64 "-0x%" PRIx64,
                           m->start, m->start + m->size - 1, r->start,
                           r->start + r->size - 1);
                return false;
            }
            break;
        }
    }
    if (any_conflict != plan->refused || plan->refused != !!plan->reason) {
        error_setg(errp, "refused flag, reason and conflicts disagree");
        return false;
    }

    for (i = 1; i < plan->e820->len; i++) {
        const XenRdmE820Entry *a = &g_array_index(plan->e820,
                                                  XenRdmE820Entry, i - 1);
        const XenRdmE820Entry *b = &g_array_index(plan->e820,
                                                  XenRdmE820Entry, i);
        if (a->start + a->size > b->start) {
            error_setg(errp, "e820 entries at 0x%" PRIx64 " and 0x%" PRIx64
                       " overlap or are out of order", a->start, b->start);
            return false;
        }
    }
    return true;
}
