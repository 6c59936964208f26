/*
 * Xen reserved device memory (RDM) guest layout planner
 *
 * Two layouts are computed from the same inputs:
 *
 * compat: exactly what Xen 4.17's libxl computes in
 *   libxl__domain_device_construct_rdm() (tools/libs/light/libxl_dm.c),
 *   quirks included, because libxl populates the guest's memory itself and
 *   the device model has to agree with it.
 *
 * split: every RDM is honoured by punching a hole in guest RAM, below or
 *   above 4 GiB, unless it collides with a fixed platform region; the RAM
 *   total is preserved and as much of it as possible stays below 4 GiB.
 *
 * See docs/rdm-design.rst for the exact rules.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/xen/xen-rdm-plan.h"

#define RDM_2M              0x200000ULL
#define RDM_MIN_MMIO_HOLE   0x10000000ULL   /* xl: HVM_BELOW_4G_MMIO_LENGTH */
#define RDM_MAX_MMIO_HOLE   0xF0000000ULL   /* xl: HVM_BELOW_4G_MMIO_START */

void xen_rdm_config_init(XenRdmConfig *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->mmio_hole = XEN_RDM_DEFAULT_MMIO_HOLE;
    cfg->boundary = XEN_RDM_DEFAULT_BOUNDARY;
    cfg->strategy = XEN_RDM_STRATEGY_IGNORE;
    cfg->policy = XEN_RDM_POLICY_RELAXED;
    cfg->layout = XEN_RDM_LAYOUT_COMPAT;
    cfg->hap = true;
}

/* ------------------------------------------------------------------ */
/* Planning                                                             */

/*
 * A region while planning: where it came from (for its devices) and what
 * the planner decided about it.
 */
typedef struct PlanRegion {
    uint64_t start;
    uint64_t size;
    XenRdmPolicy policy;
    XenRdmStatus status;
    const char *conflict;
    GArray *sbdfs;              /* uint32_t, may hold duplicates */
    GPtrArray *unresolved;      /* borrowed char *, may hold duplicates */
    guint order;                /* position in libxl's list */
    const char *platform;       /* split: the platform area it lies in */
} PlanRegion;

typedef struct Planner {
    const XenRdmConfig *cfg;
    const XenRdmMap *map;
    GArray *regions;            /* PlanRegion */
    XenRdmPlan *plan;
} Planner;

static uint64_t region_end(const PlanRegion *r)
{
    return r->start + r->size;
}

/* libxl's overlaps_rdm() */
static bool overlaps(uint64_t start, uint64_t size,
                     uint64_t rdm_start, uint64_t rdm_size)
{
    return start + size > rdm_start && start < rdm_start + rdm_size;
}

static PlanRegion *planner_add_region(Planner *p, const XenRdmEntry *e,
                                      XenRdmPolicy policy)
{
    PlanRegion r = {
        .start = e->start,
        .size = e->size,
        .policy = policy,
        .status = XEN_RDM_STATUS_RESERVED,
        .sbdfs = g_array_new(false, false, sizeof(uint32_t)),
        .unresolved = g_ptr_array_new(),
        .order = p->regions->len,
    };

    g_array_append_val(p->regions, r);
    return &g_array_index(p->regions, PlanRegion, p->regions->len - 1);
}

static void region_take_devices(PlanRegion *r, const XenRdmEntry *e)
{
    guint i;

    g_array_append_vals(r->sbdfs, e->devices->data, e->devices->len);
    for (i = 0; i < e->unresolved->len; i++) {
        g_ptr_array_add(r->unresolved, g_ptr_array_index(e->unresolved, i));
    }
}

static void plan_region_clear(gpointer data)
{
    PlanRegion *r = data;

    g_array_unref(r->sbdfs);
    g_ptr_array_unref(r->unresolved);
}

/*
 * Index: SBDF -> the map entries a per-device query for it answers, in
 * map order, so that every device query is linear in its own answer.
 */
static GHashTable *index_devices(const XenRdmMap *map)
{
    GHashTable *idx = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                            NULL,
                                            (GDestroyNotify)g_ptr_array_unref);
    guint i, j;

    for (i = 0; i < map->entries->len; i++) {
        XenRdmEntry *e = g_ptr_array_index(map->entries, i);

        for (j = 0; j < e->devices->len; j++) {
            gpointer key = GUINT_TO_POINTER(g_array_index(e->devices,
                                                          uint32_t, j));
            GPtrArray *list = g_hash_table_lookup(idx, key);

            if (!list) {
                list = g_ptr_array_new();
                g_hash_table_insert(idx, key, list);
            }
            /* an entry listing a device twice answers once */
            if (!list->len || g_ptr_array_index(list, list->len - 1) != e) {
                g_ptr_array_add(list, e);
            }
        }
    }
    return idx;
}

/*
 * Gather the regions as libxl does: the host-wide answer under strategy
 * host with the global policy, then every device's answer with its
 * policy.  @dedup_by_start reproduces libxl's duplicate check (same start
 * address: the device's policy overrides, the first size stays); without
 * it every answer is kept and merged later by address.
 */
static void gather_regions(Planner *p, bool dedup_by_start,
                           bool stop_on_empty_host)
{
    const XenRdmConfig *cfg = p->cfg;
    g_autoptr(GHashTable) by_start = NULL;
    g_autoptr(GHashTable) dev_index = NULL;
    guint i, j;

    if (cfg->strategy == XEN_RDM_STRATEGY_IGNORE && !cfg->nr_devices) {
        return;
    }
    /* keyed by the map entries' own start fields: no copies */
    by_start = g_hash_table_new(g_int64_hash, g_int64_equal);
    if (cfg->strategy == XEN_RDM_STRATEGY_HOST) {
        for (i = 0; i < p->map->entries->len; i++) {
            XenRdmEntry *e = g_ptr_array_index(p->map->entries, i);
            PlanRegion *r;

            if (!e->host_wide) {
                continue;
            }
            r = planner_add_region(p, e, cfg->policy);
            region_take_devices(r, e);
            if (!g_hash_table_contains(by_start, &e->start)) {
                g_hash_table_insert(by_start, &e->start,
                                    GUINT_TO_POINTER(r->order));
            }
        }
        /* libxl returns early when the host has no RDM at all */
        if (!p->regions->len && stop_on_empty_host) {
            return;
        }
    }

    dev_index = index_devices(p->map);
    for (i = 0; i < cfg->nr_devices; i++) {
        const XenRdmDeviceConfig *dev = &cfg->devices[i];
        GPtrArray *answer = g_hash_table_lookup(dev_index,
                                                GUINT_TO_POINTER(dev->sbdf));

        for (j = 0; answer && j < answer->len; j++) {
            XenRdmEntry *e = g_ptr_array_index(answer, j);
            gpointer found;
            PlanRegion *r;

            if (dedup_by_start &&
                g_hash_table_lookup_extended(by_start, &e->start, NULL,
                                             &found)) {
                r = &g_array_index(p->regions, PlanRegion,
                                   GPOINTER_TO_UINT(found));
                r->policy = dev->policy;
                region_take_devices(r, e);
                continue;
            }
            r = planner_add_region(p, e, dev->policy);
            region_take_devices(r, e);
            if (!g_hash_table_contains(by_start, &e->start)) {
                g_hash_table_insert(by_start, &e->start,
                                    GUINT_TO_POINTER(r->order));
            }
        }
    }
}

static void add_ram(XenRdmPlan *plan, uint64_t start, uint64_t size)
{
    XenRdmRange *last;
    XenRdmRange r = { .start = start, .size = size };

    if (!size) {
        return;
    }
    if (plan->ram->len) {
        last = &g_array_index(plan->ram, XenRdmRange, plan->ram->len - 1);
        if (last->start + last->size == start) {
            last->size += size;
            return;
        }
    }
    g_array_append_val(plan->ram, r);
}

static void refuse(Planner *p, PlanRegion *r, const char *what)
{
    r->status = XEN_RDM_STATUS_CONFLICT;
    r->conflict = what;
    p->plan->refused = true;
}

/* The libxl algorithm, see libxl__domain_device_construct_rdm() */
static void plan_compat(Planner *p)
{
    const XenRdmConfig *cfg = p->cfg;
    XenRdmPlan *plan = p->plan;
    uint64_t lowmem_end = cfg->ram_size;
    uint64_t highmem_end = 0;
    guint i;

    /* libxl__build_hvm() */
    if (lowmem_end > plan->mmio_start) {
        highmem_end = XEN_RDM_4G + (lowmem_end - plan->mmio_start);
        lowmem_end = plan->mmio_start;
    }

    gather_regions(p, true, true);

    /* Move lowmem_end below conflicting regions above the boundary */
    for (i = 0; i < p->regions->len; i++) {
        PlanRegion *r = &g_array_index(p->regions, PlanRegion, i);
        uint64_t rdm_start = r->start;

        if (!overlaps(0, lowmem_end, r->start, r->size)) {
            continue;
        }
        /* the test is on the unrounded start, as in libxl */
        if (rdm_start > cfg->boundary) {
            if (cfg->hap && rdm_start > RDM_2M) {
                rdm_start &= ~(RDM_2M - 1);
            }
            if (!highmem_end) {
                highmem_end = XEN_RDM_4G;
            }
            highmem_end += lowmem_end - rdm_start;
            lowmem_end = rdm_start;
        }
    }

    /* Whatever still overlaps RAM is a conflict */
    for (i = 0; i < p->regions->len; i++) {
        PlanRegion *r = &g_array_index(p->regions, PlanRegion, i);
        bool low = overlaps(0, lowmem_end, r->start, r->size);
        bool high = highmem_end &&
                    overlaps(XEN_RDM_4G, highmem_end - XEN_RDM_4G,
                             r->start, r->size);
        const char *what;

        if (!low && !high) {
            continue;
        }
        /*
         * Low conflicts left are all at or below the boundary: the first
         * pass moved lowmem_end below every other one.
         */
        what = low ? "guest RAM below lowmem_end (at or below "
                     "rdm_mem_boundary libxl does not move lowmem_end)"
                   : "guest RAM above 4 GiB (libxl never moves high memory)";
        if (r->policy == XEN_RDM_POLICY_STRICT) {
            refuse(p, r, what);
        } else {
            r->status = XEN_RDM_STATUS_IGNORED;
            r->conflict = what;
        }
    }

    plan->lowmem_end = lowmem_end;
    plan->highmem_end = highmem_end;
    add_ram(plan, 0, lowmem_end);
    if (highmem_end) {
        add_ram(plan, XEN_RDM_4G, highmem_end - XEN_RDM_4G);
    }
}

static int region_cmp_start(gconstpointer a, gconstpointer b)
{
    const PlanRegion *ra = a, *rb = b;

    if (ra->start != rb->start) {
        return ra->start < rb->start ? -1 : 1;
    }
    if (ra->size != rb->size) {
        return ra->size < rb->size ? -1 : 1;
    }
    return ra->order < rb->order ? -1 : ra->order > rb->order;
}

/* Merge overlapping and adjacent regions; the strictest policy wins */
static void merge_regions(Planner *p)
{
    GArray *in = p->regions;
    GArray *out = g_array_sized_new(false, false, sizeof(PlanRegion),
                                    in->len);
    guint i;

    g_array_sort(in, region_cmp_start);
    for (i = 0; i < in->len; i++) {
        PlanRegion *r = &g_array_index(in, PlanRegion, i);
        PlanRegion *last = out->len ?
            &g_array_index(out, PlanRegion, out->len - 1) : NULL;

        /* parts in a platform area are decided on their own (split) */
        if (last && r->start <= region_end(last) && !r->platform &&
            !last->platform) {
            uint64_t end = MAX(region_end(last), region_end(r));

            last->size = end - last->start;
            if (r->policy == XEN_RDM_POLICY_STRICT) {
                last->policy = XEN_RDM_POLICY_STRICT;
            }
            g_array_append_vals(last->sbdfs, r->sbdfs->data, r->sbdfs->len);
            g_ptr_array_extend(last->unresolved, r->unresolved, NULL, NULL);
            plan_region_clear(r);
            continue;
        }
        r->order = out->len;
        g_array_append_val(out, *r);
    }
    /* the regions now live in @out; drop @in without clearing them */
    g_array_set_clear_func(in, NULL);
    g_array_unref(in);
    g_array_set_clear_func(out, plan_region_clear);
    p->regions = out;
}

/*
 * The fixed platform areas no hole can be punched into: the legacy first
 * MiB (BIOS and VGA) and the firmware area below 4 GiB (IO-APIC, HPET,
 * LAPIC, BIOS).
 */
static const struct {
    uint64_t start, end;
    const char *what;
} platform_areas[] = {
    { 0, XEN_RDM_FIRST_MIB_END, "the first MiB (legacy BIOS and VGA area)" },
    { XEN_RDM_FIRMWARE_START, XEN_RDM_4G,
      "the firmware area 0xfc000000-0xffffffff" },
};

/*
 * Cut every region at the platform areas' edges, so that the parts in a
 * platform area are refused (strict) or ignored (relaxed) while every
 * other byte of the region can still be a hole.  The parts keep the
 * region's devices, policy and place in libxl's order.
 */
static void clip_platform(Planner *p)
{
    GArray *out = g_array_sized_new(false, false, sizeof(PlanRegion),
                                    p->regions->len);
    guint i, j;

    for (i = 0; i < p->regions->len; i++) {
        PlanRegion *r = &g_array_index(p->regions, PlanRegion, i);
        uint64_t pos = r->start, end = region_end(r);
        bool first = true;

        while (pos < end) {
            uint64_t cut = end;
            const char *what = NULL;
            PlanRegion part = *r;

            for (j = 0; j < ARRAY_SIZE(platform_areas); j++) {
                if (pos >= platform_areas[j].start &&
                    pos < platform_areas[j].end) {
                    what = platform_areas[j].what;
                    cut = MIN(cut, platform_areas[j].end);
                } else if (platform_areas[j].start > pos) {
                    cut = MIN(cut, platform_areas[j].start);
                }
            }
            part.start = pos;
            part.size = cut - pos;
            part.platform = what;
            if (!first) {
                /* a part of its own: copies of the device lists */
                part.sbdfs = g_array_copy(r->sbdfs);
                part.unresolved = g_ptr_array_copy(r->unresolved, NULL,
                                                   NULL);
            }
            first = false;
            g_array_append_val(out, part);
            pos = cut;
        }
    }
    /* the parts own the regions' lists now */
    g_array_set_clear_func(p->regions, NULL);
    g_array_unref(p->regions);
    g_array_set_clear_func(out, plan_region_clear);
    p->regions = out;
}

/* A span of guest-physical space that holds no RAM */
typedef struct Span {
    uint64_t start;
    uint64_t end;
} Span;

static void add_span(GArray *spans, uint64_t start, uint64_t end)
{
    Span s = { .start = start, .end = end };
    Span *last = spans->len ?
        &g_array_index(spans, Span, spans->len - 1) : NULL;

    if (start >= end) {
        return;
    }
    if (last && start <= last->end) {
        last->end = MAX(last->end, end);
        return;
    }
    g_array_append_val(spans, s);
}

/* Bytes of [start, end) that no hole from index @from on covers */
static uint64_t uncovered(const GArray *holes, guint from,
                          uint64_t start, uint64_t end)
{
    uint64_t bytes = 0, pos = start;
    guint i;

    for (i = from; i < holes->len && pos < end; i++) {
        const Span *h = &g_array_index(holes, Span, i);

        if (h->start >= end) {
            break;
        }
        if (h->start > pos) {
            bytes += h->start - pos;
        }
        pos = MAX(pos, h->end);
    }
    if (pos < end) {
        bytes += end - pos;
    }
    return bytes;
}

/*
 * Place @remaining bytes of RAM from @from up to @limit around @spans
 * (sorted, disjoint).  Returns what did not fit.
 */
static uint64_t place_ram(XenRdmPlan *plan, const GArray *spans,
                          uint64_t from, uint64_t limit, uint64_t remaining)
{
    uint64_t pos = from;
    guint i;

    for (i = 0; i <= spans->len && remaining; i++) {
        uint64_t gap_end = limit;
        uint64_t chunk;

        if (i < spans->len) {
            const Span *s = &g_array_index(spans, Span, i);

            if (s->end <= pos) {
                continue;
            }
            gap_end = MIN(s->start, limit);
            if (gap_end <= pos) {
                pos = MAX(pos, s->end);
                continue;
            }
            chunk = MIN(gap_end - pos, remaining);
            add_ram(plan, pos, chunk);
            remaining -= chunk;
            pos = s->end;
            continue;
        }
        if (gap_end > pos) {
            chunk = MIN(gap_end - pos, remaining);
            add_ram(plan, pos, chunk);
            remaining -= chunk;
        }
    }
    return remaining;
}

static bool plan_split(Planner *p, Error **errp)
{
    const XenRdmConfig *cfg = p->cfg;
    XenRdmPlan *plan = p->plan;
    uint64_t mmio_start = plan->mmio_start;
    g_autoptr(GArray) low_holes = g_array_new(false, false, sizeof(Span));
    g_autoptr(GArray) low_spans = g_array_new(false, false, sizeof(Span));
    g_autoptr(GArray) high_spans = g_array_new(false, false, sizeof(Span));
    uint64_t capacity = mmio_start, slack, remaining;
    guint i;

    gather_regions(p, false, false);
    clip_platform(p);
    merge_regions(p);

    /* Decide every region; collect the honoured ones as holes */
    for (i = 0; i < p->regions->len; i++) {
        PlanRegion *r = &g_array_index(p->regions, PlanRegion, i);
        const char *what = r->platform;

        if (what) {
            if (r->policy == XEN_RDM_POLICY_STRICT) {
                refuse(p, r, what);
            } else {
                r->status = XEN_RDM_STATUS_IGNORED;
                r->conflict = what;
            }
            continue;
        }
        if (r->start < mmio_start) {
            Span h = { r->start, MIN(region_end(r), mmio_start) };

            g_array_append_val(low_holes, h);
            capacity -= h.end - h.start;
        } else if (r->start >= XEN_RDM_4G) {
            uint64_t start = r->start, end = region_end(r);

            if (cfg->hap) {
                /* above 4 GiB alignment costs address space, not RAM */
                start = QEMU_ALIGN_DOWN(start, RDM_2M);
                end = end > UINT64_MAX - RDM_2M ? end :
                      QEMU_ALIGN_UP(end, RDM_2M);
            }
            add_span(high_spans, start, end);
        }
        /* else: inside the MMIO hole, which holds no RAM anyway */
    }

    /*
     * Under HAP widen each hole below 4 GiB to 2 MiB boundaries, lowest
     * first, as long as the RAM that fits below the MMIO hole still holds
     * the whole of what would have gone there unaligned.
     */
    slack = capacity > cfg->ram_size ? capacity - cfg->ram_size : 0;
    for (i = 0; i < low_holes->len; i++) {
        const Span *h = &g_array_index(low_holes, Span, i);
        uint64_t start = h->start, end = h->end;

        if (cfg->hap) {
            uint64_t a_start = MAX(QEMU_ALIGN_DOWN(start, RDM_2M),
                                   XEN_RDM_FIRST_MIB_END);
            uint64_t a_end = MIN(QEMU_ALIGN_UP(end, RDM_2M), mmio_start);
            uint64_t covered = low_spans->len ?
                g_array_index(low_spans, Span, low_spans->len - 1).end : 0;
            uint64_t extra;

            a_start = MAX(a_start, covered);
            extra = (a_start < start ? start - a_start : 0) +
                    uncovered(low_holes, i + 1, end, a_end);
            if (extra <= slack) {
                slack -= extra;
                start = MIN(start, a_start);
                end = a_end;
            }
        }
        add_span(low_spans, start, end);
    }

    remaining = place_ram(plan, low_spans, 0, mmio_start, cfg->ram_size);
    if (plan->ram->len) {
        XenRdmRange *last = &g_array_index(plan->ram, XenRdmRange,
                                           plan->ram->len - 1);
        plan->lowmem_end = last->start + last->size;
    }
    if (remaining) {
        remaining = place_ram(plan, high_spans, XEN_RDM_4G,
                              XEN_RDM_MAX_PADDR, remaining);
        if (remaining) {
            error_setg(errp, "guest RAM of 0x%" PRIx64 " bytes does not fit "
                       "below the 2^52 guest-physical limit around the "
                       "reserved regions", cfg->ram_size);
            return false;
        }
        {
            XenRdmRange *last = &g_array_index(plan->ram, XenRdmRange,
                                               plan->ram->len - 1);
            plan->highmem_end = last->start + last->size;
        }
    }
    return true;
}

static int str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int u32_cmp(gconstpointer a, gconstpointer b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

static GPtrArray *region_device_names(PlanRegion *r)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *prev = NULL;
    guint i;

    g_array_sort(r->sbdfs, u32_cmp);
    for (i = 0; i < r->sbdfs->len; i++) {
        uint32_t s = g_array_index(r->sbdfs, uint32_t, i);

        if (i && s == g_array_index(r->sbdfs, uint32_t, i - 1)) {
            continue;
        }
        g_ptr_array_add(names, xen_rdm_sbdf_to_string(s));
    }
    g_ptr_array_sort(r->unresolved, str_cmp);
    for (i = 0; i < r->unresolved->len; i++) {
        const char *u = g_ptr_array_index(r->unresolved, i);

        if (!prev || strcmp(prev, u)) {
            g_ptr_array_add(names, g_strdup(u));
        }
        prev = u;
    }
    return names;
}

static void xen_rdm_region_free(gpointer data)
{
    XenRdmRegion *r = data;

    g_ptr_array_unref(r->devices);
    g_free(r->conflict);
    g_free(r);
}

static int e820_cmp(gconstpointer a, gconstpointer b)
{
    const XenRdmE820Entry *x = a, *y = b;

    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    return x->size < y->size ? -1 : x->size > y->size;
}

/* Produce the plan's region list, reason and e820 from the regions */
static void plan_build_e820(XenRdmPlan *plan);

static void finish_plan(Planner *p)
{
    XenRdmPlan *plan = p->plan;
    PlanRegion *first_conflict = NULL;
    guint i;

    for (i = 0; i < p->regions->len; i++) {
        PlanRegion *r = &g_array_index(p->regions, PlanRegion, i);

        if (r->status == XEN_RDM_STATUS_CONFLICT &&
            (!first_conflict || r->order < first_conflict->order)) {
            first_conflict = r;
        }
    }
    if (first_conflict) {
        g_autoptr(GPtrArray) names = region_device_names(first_conflict);
        g_autofree char *devs = NULL;

        g_ptr_array_add(names, NULL);
        devs = g_strjoinv(", ", (char **)names->pdata);
        plan->reason = g_strdup_printf(
            "RDM conflict: region 0x%" PRIx64 "-0x%" PRIx64 " (%s%s) with "
            "policy strict collides with %s",
            first_conflict->start, region_end(first_conflict) - 1,
            *devs ? "devices: " : "host-wide, no device",
            devs, first_conflict->conflict);
    }

    g_array_sort(p->regions, region_cmp_start);
    for (i = 0; i < p->regions->len; i++) {
        PlanRegion *r = &g_array_index(p->regions, PlanRegion, i);
        XenRdmRegion *out = g_new0(XenRdmRegion, 1);

        out->start = r->start;
        out->size = r->size;
        out->policy = r->policy;
        out->status = r->status;
        out->devices = region_device_names(r);
        out->conflict = g_strdup(r->conflict);
        g_ptr_array_add(plan->regions, out);
    }
    plan_build_e820(plan);
}

/* The e820 map of a plan's RAM and of the regions it keeps free */
static void plan_build_e820(XenRdmPlan *plan)
{
    g_autoptr(GArray) e820 = g_array_new(false, false,
                                         sizeof(XenRdmE820Entry));
    guint i;

    for (i = 0; i < plan->regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(plan->regions, i);

        if (r->status == XEN_RDM_STATUS_RESERVED) {
            XenRdmE820Entry e = { r->start, r->size, XEN_RDM_E820_RESERVED };
            g_array_append_val(e820, e);
        }
    }
    for (i = 0; i < plan->ram->len; i++) {
        XenRdmRange *r = &g_array_index(plan->ram, XenRdmRange, i);
        XenRdmE820Entry e = { r->start, r->size, XEN_RDM_E820_RAM };
        g_array_append_val(e820, e);
    }
    g_array_sort(e820, e820_cmp);

    /* Coalesce reserved entries that overlap or touch (compat keeps them) */
    for (i = 0; i < e820->len; i++) {
        XenRdmE820Entry *e = &g_array_index(e820, XenRdmE820Entry, i);
        XenRdmE820Entry *last = plan->e820->len ?
            &g_array_index(plan->e820, XenRdmE820Entry,
                           plan->e820->len - 1) : NULL;

        if (last && last->type == XEN_RDM_E820_RESERVED &&
            e->type == XEN_RDM_E820_RESERVED &&
            e->start <= last->start + last->size) {
            last->size = MAX(last->start + last->size,
                             e->start + e->size) - last->start;
            continue;
        }
        g_array_append_val(plan->e820, *e);
    }
}

static bool check_config(const XenRdmConfig *cfg, Error **errp)
{
    size_t i;

    if (cfg->ram_size == 0) {
        error_setg(errp, "guest RAM size must not be zero");
        return false;
    }
    /*
     * An HVM guest's legacy first MiB is RAM, and hvmloader runs at
     * 1 MiB: a guest of no more than that cannot start
     */
    if (cfg->ram_size <= XEN_RDM_FIRST_MIB_END) {
        error_setg(errp, "guest RAM size 0x%" PRIx64 " is too small: an HVM "
                   "guest needs more than the first MiB (its firmware, "
                   "hvmloader, runs at 1 MiB)", cfg->ram_size);
        return false;
    }
    /* too large before misaligned: 2^64 - 1 is too large, first */
    if (cfg->ram_size > XEN_RDM_MAX_PADDR - XEN_RDM_4G) {
        error_setg(errp, "guest RAM size 0x%" PRIx64 " is too large: it "
                   "exceeds the 2^52 guest-physical address space",
                   cfg->ram_size);
        return false;
    }
    if (!QEMU_IS_ALIGNED(cfg->ram_size, XEN_RDM_PAGE_SIZE)) {
        error_setg(errp, "guest RAM size 0x%" PRIx64 " is not a multiple of "
                   "4 KiB", cfg->ram_size);
        return false;
    }
    if (cfg->mmio_hole < RDM_MIN_MMIO_HOLE ||
        cfg->mmio_hole > RDM_MAX_MMIO_HOLE ||
        !QEMU_IS_ALIGNED(cfg->mmio_hole, XEN_RDM_PAGE_SIZE)) {
        error_setg(errp, "MMIO hole size 0x%" PRIx64 " is invalid: it must "
                   "be 4 KiB aligned and between 256 MiB and 3840 MiB, as "
                   "xl's mmio_hole", cfg->mmio_hole);
        return false;
    }
    if (!xen_rdm_boundary_valid(cfg->boundary)) {
        error_setg(errp, "rdm_mem_boundary 0x%" PRIx64 " is above 4 GiB",
                   cfg->boundary);
        return false;
    }
    if (cfg->strategy > XEN_RDM_STRATEGY_HOST ||
        cfg->policy > XEN_RDM_POLICY_RELAXED ||
        cfg->layout > XEN_RDM_LAYOUT_SPLIT) {
        error_setg(errp, "invalid RDM strategy, policy or layout value");
        return false;
    }
    if (cfg->nr_devices && !cfg->devices) {
        error_setg(errp, "device list missing");
        return false;
    }
    for (i = 0; i < cfg->nr_devices; i++) {
        if (cfg->devices[i].policy > XEN_RDM_POLICY_RELAXED) {
            error_setg(errp, "invalid RDM policy for a device");
            return false;
        }
    }
    if (cfg->nr_devices > 1) {
        g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);

        for (i = 0; i < cfg->nr_devices; i++) {
            gpointer key = GUINT_TO_POINTER(cfg->devices[i].sbdf + 1);

            if (g_hash_table_contains(seen, key)) {
                g_autofree char *s =
                    xen_rdm_sbdf_to_string(cfg->devices[i].sbdf);
                error_setg(errp, "device %s is listed twice", s);
                return false;
            }
            g_hash_table_add(seen, key);
        }
    }
    return true;
}

static XenRdmPlan *plan_new(XenRdmLayout layout, uint64_t mmio_start)
{
    XenRdmPlan *plan = g_new0(XenRdmPlan, 1);

    plan->layout = layout;
    plan->mmio_start = mmio_start;
    plan->ram = g_array_new(false, false, sizeof(XenRdmRange));
    plan->regions = g_ptr_array_new_with_free_func(xen_rdm_region_free);
    plan->e820 = g_array_new(false, false, sizeof(XenRdmE820Entry));
    return plan;
}

void xen_rdm_plan_free(XenRdmPlan *plan)
{
    if (!plan) {
        return;
    }
    g_free(plan->reason);
    g_array_unref(plan->ram);
    g_ptr_array_unref(plan->regions);
    g_array_unref(plan->e820);
    g_free(plan);
}

bool xen_rdm_plan_compute(const XenRdmConfig *cfg, const XenRdmMap *map,
                          XenRdmPlan **planp, Error **errp)
{
    g_autoptr(XenRdmPlan) plan = NULL;
    Planner p = { .cfg = cfg, .map = map };
    bool ok = true;

    if (!check_config(cfg, errp)) {
        return false;
    }
    plan = plan_new(cfg->layout, XEN_RDM_4G - cfg->mmio_hole);

    p.plan = plan;
    p.regions = g_array_new(false, false, sizeof(PlanRegion));
    g_array_set_clear_func(p.regions, plan_region_clear);

    if (cfg->layout == XEN_RDM_LAYOUT_COMPAT) {
        plan_compat(&p);
    } else {
        ok = plan_split(&p, errp);
    }
    if (ok) {
        finish_plan(&p);
    }
    g_array_unref(p.regions);
    if (!ok) {
        return false;
    }
    *planp = g_steal_pointer(&plan);
    return true;
}

/* ------------------------------------------------------------------ */
/* Devices added to a running guest                                     */

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
    XenRdmPlan *out = plan_new(XEN_RDM_LAYOUT_TOOLSTACK, mmio_start);
    const XenRdmRegion *first = NULL;
    guint i;

    for (i = 0; i < ram->len; i++) {
        const XenRdmRange *m = &g_array_index(ram, XenRdmRange, i);

        add_ram(out, m->start, m->size);
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
        guint j;

        c->start = r->start;
        c->size = r->size;
        c->policy = r->policy;
        c->devices = g_ptr_array_new_full(r->devices->len, g_free);
        for (j = 0; j < r->devices->len; j++) {
            g_ptr_array_add(c->devices,
                            g_strdup(g_ptr_array_index(r->devices, j)));
        }
        if (!m) {
            c->status = XEN_RDM_STATUS_RESERVED;
        } else {
            c->status = r->policy == XEN_RDM_POLICY_STRICT ?
                        XEN_RDM_STATUS_CONFLICT : XEN_RDM_STATUS_IGNORED;
            c->conflict = g_strdup_printf("guest RAM 0x%" PRIx64 "-0x%" PRIx64
                                          " populated by the toolstack",
                                          m->start, m->start + m->size - 1);
            if (c->status == XEN_RDM_STATUS_CONFLICT && !first) {
                first = c;
            }
        }
        g_ptr_array_add(out->regions, c);
    }
    if (first) {
        g_autofree char *devs = NULL;

        g_ptr_array_add(first->devices, NULL);
        devs = g_strjoinv(", ", (char **)first->devices->pdata);
        g_ptr_array_remove_index(first->devices, first->devices->len - 1);
        out->refused = true;
        out->reason = g_strdup_printf(
            "RDM conflict: region 0x%" PRIx64 "-0x%" PRIx64 " (%s%s) with "
            "policy strict lies in %s", first->start,
            first->start + first->size - 1,
            *devs ? "devices: " : "host-wide, no device", devs,
            first->conflict);
    }
    plan_build_e820(out);
    return out;
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
    guint i, j;

    for (i = 0; i < map->entries->len; i++) {
        const XenRdmEntry *e = g_ptr_array_index(map->entries, i);
        PlanRegion tmp;
        XenRdmRegion *r;

        if (!xen_rdm_entry_has_device(e, sbdf)) {
            continue;
        }
        /* region_device_names() sorts, so give it copies */
        tmp.sbdfs = g_array_copy(e->devices);
        /* borrowed strings, as a planner region holds them */
        tmp.unresolved = g_ptr_array_sized_new(e->unresolved->len);
        for (j = 0; j < e->unresolved->len; j++) {
            g_ptr_array_add(tmp.unresolved,
                            g_ptr_array_index(e->unresolved, j));
        }
        r = g_new0(XenRdmRegion, 1);
        r->start = e->start;
        r->size = e->size;
        r->policy = policy;
        r->status = XEN_RDM_STATUS_RESERVED;
        r->devices = region_device_names(&tmp);
        plan_region_clear(&tmp);
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
