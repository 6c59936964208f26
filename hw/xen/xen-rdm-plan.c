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
 * Each rule is stated where the code applies it.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/xen/xen-rdm-plan.h"
#include "hw/xen/xen-rdm-layout.h"
#include "xen-rdm-plan-internal.h"

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
 * A region while planning and what the planner decided about it.  Its
 * devices are those of the map entries behind it (Planner.sources).
 */
typedef struct PlanRegion {
    uint64_t start;
    uint64_t size;
    union {
        uint64_t names;         /* its devices in short (names_key()) */
        GPtrArray *devices;     /* then their names (resolve_names()) */
    };
    guint order;                /* position in libxl's list, or by address */
    uint8_t policy;             /* XenRdmPolicy */
    uint8_t status;             /* XenRdmStatus */
    uint8_t conflict;           /* 1 + its text's index in Planner.texts */
} PlanRegion;

/* The distinct conflict texts of a plan: a few static strings */
#define PLAN_MAX_TEXTS  8

struct XenRdmRegionStore {
    XenRdmRegion *records;      /* those of XenRdmPlan.regions */
    GPtrArray *lists;           /* references to their device lists */
    char *texts[PLAN_MAX_TEXTS]; /* their conflict texts */
};

typedef struct Planner {
    const XenRdmConfig *cfg;
    const XenRdmMap *map;
    GArray *regions;            /* PlanRegion */
    /* the entries behind region of order i: sources[first[i]..first[i+1]) */
    const XenRdmEntry **sources;
    /*
     * or, in split when no entry has unresolved scopes, their device
     * lists (they are all split reads of them, out of order)
     */
    const GArray **lists;
    guint *first;
    const char *texts[PLAN_MAX_TEXTS];
    guint nr_texts;
    XenRdmPlan *plan;
} Planner;

/* @what (a static string) as a PlanRegion's conflict */
static uint8_t planner_text(Planner *p, const char *what)
{
    guint i;

    for (i = 0; i < p->nr_texts; i++) {
        if (p->texts[i] == what) {
            return i + 1;
        }
    }
    g_assert(p->nr_texts < PLAN_MAX_TEXTS);
    p->texts[p->nr_texts++] = what;
    return p->nr_texts;
}

/*
 * The devices of a region in short, so that the usual region (of one
 * device, or of none) finds its names without reading its map entries
 * again: NAMES_NONE, the SBDF + 1, or NAMES_MIXED (several, or
 * unresolved scopes: the names are built from the entries)
 */
#define NAMES_NONE  0
#define NAMES_MIXED UINT64_MAX

/* The device list of @e, NULL when it has unresolved scopes */
static const GArray *entry_list(const XenRdmEntry *e)
{
    return e->unresolved->len ? NULL : e->devices;
}

/* The key of an entry of entry_list() @list */
static uint64_t list_key(const GArray *list)
{
    if (!list || list->len > 1) {
        return NAMES_MIXED;
    }
    return list->len ? g_array_index(list, uint32_t, 0) + 1ULL : NAMES_NONE;
}

static uint64_t names_key(const XenRdmEntry *e)
{
    return list_key(entry_list(e));
}

static uint64_t names_key_join(uint64_t a, uint64_t b)
{
    if (a == NAMES_NONE || a == b) {
        return b;
    }
    return b == NAMES_NONE ? a : NAMES_MIXED;
}

void xen_rdm_device_names_init(DeviceNames *n)
{
    n->sbdfs = g_array_new(false, false, sizeof(uint32_t));
    n->unresolved = g_ptr_array_new();
    n->by_sbdf = g_hash_table_new_full(NULL, NULL, NULL,
                                       (GDestroyNotify)g_ptr_array_unref);
    memset(n->recent, 0, sizeof(n->recent));
    memset(n->sets, 0, sizeof(n->sets));
    n->by_sbdfs = g_hash_table_new_full(xen_rdm_sbdf_set_hash,
                                        xen_rdm_sbdf_set_equal,
                                        g_free,
                                        (GDestroyNotify)g_ptr_array_unref);
    n->none = g_ptr_array_new_with_free_func(g_free);
    n->others = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_ptr_array_unref);
}

void xen_rdm_device_names_destroy(DeviceNames *n)
{
    g_array_unref(n->sbdfs);
    g_ptr_array_unref(n->unresolved);
    g_hash_table_unref(n->by_sbdf);
    g_hash_table_unref(n->by_sbdfs);
    g_ptr_array_unref(n->none);
    g_ptr_array_unref(n->others);
}

static void keep_list(gpointer key, gpointer value, gpointer keep)
{
    g_ptr_array_add(keep, g_ptr_array_ref(value));
}

void xen_rdm_device_names_keep(DeviceNames *n, GPtrArray *keep)
{
    g_ptr_array_add(keep, g_ptr_array_ref(n->none));
    g_hash_table_foreach(n->by_sbdf, keep_list, keep);
    g_hash_table_foreach(n->by_sbdfs, keep_list, keep);
    for (guint i = 0; i < n->others->len; i++) {
        keep_list(NULL, g_ptr_array_index(n->others, i), keep);
    }
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

/* The shared names of a region of one device or none (not NAMES_MIXED) */
static GPtrArray *device_names_of_key(DeviceNames *n, uint64_t key)
{
    GPtrArray *names;
    DeviceNamesSlot *recent;

    if (key == NAMES_NONE) {
        return n->none;
    }
    recent = &n->recent[(key - 1) % G_N_ELEMENTS(n->recent)];
    if (recent->names && recent->sbdf == key - 1) {
        return recent->names;
    }
    names = g_hash_table_lookup(n->by_sbdf, GUINT_TO_POINTER(key - 1));
    if (!names) {
        names = g_ptr_array_new_full(1, g_free);
        g_ptr_array_add(names, xen_rdm_sbdf_to_string(key - 1));
        g_hash_table_insert(n->by_sbdf, GUINT_TO_POINTER(key - 1), names);
    }
    recent->sbdf = key - 1;
    recent->names = names;
    return names;
}

/* The names of the SBDFs @n->sbdfs (sorted, distinct), not yet shared */
static GPtrArray *device_names_of_sbdfs(DeviceNames *n)
{
    GPtrArray *names = g_ptr_array_new_full(n->sbdfs->len +
                                            n->unresolved->len, g_free);
    guint i;

    for (i = 0; i < n->sbdfs->len; i++) {
        g_ptr_array_add(names, xen_rdm_sbdf_to_string(
                            g_array_index(n->sbdfs, uint32_t, i)));
    }
    return names;
}

/*
 * The slot of @n->sets for the device lists of @nr map entries, @entries
 * or (when @entries is NULL) their entry_list() @lists, with their lists
 * in @set: NULL when an entry has unresolved scopes or they have more
 * than DEVICE_NAMES_SET_LISTS lists
 */
static DeviceNamesSet *device_names_set(DeviceNames *n,
                                        const XenRdmEntry *const *entries,
                                        const GArray *const *lists,
                                        guint nr, DeviceNamesSet *set)
{
    uint64_t h = 0;
    guint i, j;

    set->nr = 0;
    for (i = 0; i < nr; i++) {
        const GArray *d = entries ? entry_list(entries[i]) : lists[i];

        if (!d) {
            return NULL;
        }
        for (j = 0; j < set->nr && (uintptr_t)set->lists[j] < (uintptr_t)d;
             j++) {
            /* the lists in order of their addresses */
        }
        if (j < set->nr && set->lists[j] == d) {
            continue;
        }
        if (set->nr == DEVICE_NAMES_SET_LISTS) {
            return NULL;
        }
        memmove(set->lists + j + 1, set->lists + j,
                (set->nr - j) * sizeof(set->lists[0]));
        set->lists[j] = d;
        set->nr++;
    }
    if (!set->nr) {
        return NULL;
    }
    for (i = 0; i < set->nr; i++) {
        h = (h ^ (uintptr_t)set->lists[i]) * 0x9e3779b97f4a7c15ULL;
    }
    return &n->sets[(h >> 40) % G_N_ELEMENTS(n->sets)];
}

/*
 * xen_rdm_device_names_borrow() without its cache of sets, of @entries
 * or (when NULL) the entries without unresolved scopes of lists @lists
 */
static GPtrArray *device_names_build(DeviceNames *n,
                                     const XenRdmEntry *const *entries,
                                     const GArray *const *lists, guint nr)
{
    GPtrArray *names;
    const char *prev = NULL;
    SbdfSet key, *stored;
    guint i;

    g_array_set_size(n->sbdfs, 0);
    g_ptr_array_set_size(n->unresolved, 0);
    for (i = 0; i < nr; i++) {
        const GArray *d = entries ? entries[i]->devices : lists[i];

        g_array_append_vals(n->sbdfs, d->data, d->len);
        if (entries && entries[i]->unresolved->len) {
            g_ptr_array_extend(n->unresolved, entries[i]->unresolved, NULL,
                               NULL);
        }
    }
    if (n->sbdfs->len > 1) {
        uint32_t *sbdfs = (uint32_t *)n->sbdfs->data;
        guint kept = 1;

        if (n->sbdfs->len > 16) {
            g_array_sort(n->sbdfs, u32_cmp);
        }
        /* the usual few: an insertion sort */
        for (i = 1; i < n->sbdfs->len && n->sbdfs->len <= 16; i++) {
            uint32_t s = sbdfs[i];
            guint j;

            for (j = i; j && sbdfs[j - 1] > s; j--) {
                sbdfs[j] = sbdfs[j - 1];
            }
            sbdfs[j] = s;
        }
        for (i = 1; i < n->sbdfs->len; i++) {
            uint32_t s = g_array_index(n->sbdfs, uint32_t, i);

            if (s != g_array_index(n->sbdfs, uint32_t, kept - 1)) {
                g_array_index(n->sbdfs, uint32_t, kept++) = s;
            }
        }
        g_array_set_size(n->sbdfs, kept);
    }
    if (!n->unresolved->len && n->sbdfs->len <= 1) {
        return device_names_of_key(n, n->sbdfs->len ?
                                   g_array_index(n->sbdfs, uint32_t, 0) + 1ULL
                                   : NAMES_NONE);
    }
    if (!n->unresolved->len) {
        /* several devices: the list of the same ones before */
        key = (SbdfSet){ n->sbdfs->len, (uint32_t *)n->sbdfs->data };
        names = g_hash_table_lookup(n->by_sbdfs, &key);
        if (!names) {
            stored = g_malloc(sizeof(*stored) + key.len * sizeof(uint32_t));
            stored->len = key.len;
            stored->sbdfs = memcpy(stored + 1, key.sbdfs,
                                   key.len * sizeof(uint32_t));
            names = device_names_of_sbdfs(n);
            g_hash_table_insert(n->by_sbdfs, stored, names);
        }
        return names;
    }

    names = device_names_of_sbdfs(n);
    g_ptr_array_sort(n->unresolved, str_cmp);
    for (i = 0; i < n->unresolved->len; i++) {
        const char *u = g_ptr_array_index(n->unresolved, i);

        if (!prev || strcmp(prev, u)) {
            g_ptr_array_add(names, g_strdup(u));
        }
        prev = u;
    }
    g_ptr_array_add(n->others, names);
    return names;
}

/*
 * The names of several devices, of @entries or (when NULL) of the
 * entries without unresolved scopes of lists @lists: those of the same
 * device lists as lately (the map shares them) without sorting or
 * hashing their SBDFs
 */
static GPtrArray *device_names_of(DeviceNames *n,
                                  const XenRdmEntry *const *entries,
                                  const GArray *const *lists, guint nr)
{
    DeviceNamesSet set, *slot = device_names_set(n, entries, lists, nr,
                                                 &set);
    GPtrArray *names;

    if (slot && slot->names && slot->nr == set.nr &&
        !memcmp(slot->lists, set.lists, set.nr * sizeof(set.lists[0]))) {
        return slot->names;
    }
    names = device_names_build(n, entries, lists, nr);
    if (slot) {
        *slot = set;
        slot->names = names;
    }
    return names;
}

GPtrArray *xen_rdm_device_names_borrow(DeviceNames *n,
                                       const XenRdmEntry *const *entries,
                                       guint nr)
{
    return device_names_of(n, entries, NULL, nr);
}

GPtrArray *xen_rdm_device_names(DeviceNames *n,
                                 const XenRdmEntry *const *entries, guint nr)
{
    return g_ptr_array_ref(xen_rdm_device_names_borrow(n, entries, nr));
}

static PlanRegion *planner_add_region(Planner *p, uint64_t start,
                                      uint64_t size, uint64_t names,
                                      XenRdmPolicy policy)
{
    PlanRegion r = {
        .start = start,
        .size = size,
        .names = names,
        .policy = policy,
        .status = XEN_RDM_STATUS_RESERVED,
        .order = p->regions->len,
    };

    g_array_append_val(p->regions, r);
    return &g_array_index(p->regions, PlanRegion, p->regions->len - 1);
}

/* A configured device, for finding it by SBDF */
typedef struct DeviceSlot {
    uint32_t sbdf;
    guint pos;                  /* in XenRdmConfig.devices */
} DeviceSlot;

static int slot_cmp(const void *a, const void *b)
{
    return u32_cmp(&((const DeviceSlot *)a)->sbdf,
                   &((const DeviceSlot *)b)->sbdf);
}

/* The configured devices sorted by SBDF (check_config() refused repeats) */
static DeviceSlot *device_slots(const XenRdmConfig *cfg)
{
    DeviceSlot *slots = g_new(DeviceSlot, cfg->nr_devices);
    size_t i;

    for (i = 0; i < cfg->nr_devices; i++) {
        slots[i] = (DeviceSlot){ cfg->devices[i].sbdf, i };
    }
    if (cfg->nr_devices) {
        qsort(slots, cfg->nr_devices, sizeof(*slots), slot_cmp);
    }
    return slots;
}

/* The configured device (of @nr in @slots) that @e lists @j-th, or NULL */
static const DeviceSlot *device_slot(const DeviceSlot *slots, size_t nr,
                                     const XenRdmEntry *e, guint j)
{
    DeviceSlot key = { .sbdf = g_array_index(e->devices, uint32_t, j) };

    return nr ? bsearch(&key, slots, nr, sizeof(*slots), slot_cmp) : NULL;
}

/*
 * Group the (region order, entry) pairs @links as Planner.sources and
 * Planner.first: a counting sort by region
 */
typedef struct Link {
    guint region;
    const XenRdmEntry *entry;
} Link;

static void planner_group_sources(Planner *p, const Link *links, guint nr)
{
    guint nr_regions = p->regions->len, i;
    g_autofree guint *fill = g_new0(guint, nr_regions + 1);

    p->first = g_new0(guint, nr_regions + 1);
    p->sources = g_new(const XenRdmEntry *, MAX(nr, 1));
    for (i = 0; i < nr; i++) {
        p->first[links[i].region + 1]++;
    }
    for (i = 0; i < nr_regions; i++) {
        p->first[i + 1] += p->first[i];
    }
    memcpy(fill, p->first, (nr_regions + 1) * sizeof(*fill));
    for (i = 0; i < nr; i++) {
        p->sources[fill[links[i].region]++] = links[i].entry;
    }
}

/*
 * Regions by start address, for libxl's duplicate check: an open
 * addressing table of region orders + 1 and their starts (so that a probe
 * reads no region)
 */
typedef struct StartSlot {
    uint64_t start;
    guint order;                /* + 1; 0: a free slot */
} StartSlot;

typedef struct StartIndex {
    StartSlot *slots;
    guint mask;
} StartIndex;

static void start_index_init(StartIndex *idx, guint max)
{
    guint size = 16;

    while (size < 2 * max) {
        size *= 2;
    }
    idx->slots = g_new0(StartSlot, size);
    idx->mask = size - 1;
}

/* The region of @regions starting at @start, or insert @order for it */
static PlanRegion *start_index_find_or_add(StartIndex *idx, GArray *regions,
                                           uint64_t start, guint order)
{
    guint h = (guint)(((start >> 12) * 0x9E3779B97F4A7C15ULL) >> 32);
    StartSlot *slot;

    for (h &= idx->mask; idx->slots[h].order; h = (h + 1) & idx->mask) {
        slot = &idx->slots[h];
        if (slot->start == start) {
            return &g_array_index(regions, PlanRegion, slot->order - 1);
        }
    }
    idx->slots[h] = (StartSlot){ .start = start, .order = order + 1 };
    return NULL;
}

static void decide(Planner *p, PlanRegion *r, bool strict, const char *what)
{
    r->status = strict ? XEN_RDM_STATUS_CONFLICT : XEN_RDM_STATUS_IGNORED;
    r->conflict = planner_text(p, what);
    if (strict) {
        p->plan->refused = true;
    }
}

void xen_rdm_ram_add(GArray *ram, uint64_t start, uint64_t size)
{
    size_t n = ram->len;

    g_array_set_size(ram, n + 1);
    xen_rdm_range_append((XenRdmRange *)ram->data, &n, start, size);
    g_array_set_size(ram, n);
}

/*
 * Gather the regions as libxl does: the host-wide answer under strategy
 * host with the global policy, then every device's answer with its
 * policy, with libxl's duplicate check (same start address: the
 * device's policy overrides, the first size stays) and its early return
 * when the host has no RDM at all.
 */
static void gather_compat(Planner *p)
{
    const XenRdmConfig *cfg = p->cfg;
    const GPtrArray *entries = p->map->entries;
    g_autofree DeviceSlot *slots = NULL;
    g_autofree guint *first = NULL;
    g_autofree guint *end = NULL;
    g_autofree const XenRdmEntry **answers = NULL;
    g_autoptr(GArray) links = NULL;
    StartIndex idx;
    guint nr_answers = 0, i, j;

    if (cfg->strategy == XEN_RDM_STRATEGY_IGNORE && !cfg->nr_devices) {
        return;
    }
    /* every device's answer in map order: a counting sort by device */
    slots = device_slots(cfg);
    first = g_new0(guint, cfg->nr_devices + 1);
    for (i = 0; i < entries->len; i++) {
        const XenRdmEntry *e = g_ptr_array_index(entries, i);

        for (j = 0; j < e->devices->len; j++) {
            const DeviceSlot *s = device_slot(slots, cfg->nr_devices, e, j);

            if (s) {
                first[s->pos + 1]++;
                nr_answers++;
            }
        }
    }
    for (i = 0; i < cfg->nr_devices; i++) {
        first[i + 1] += first[i];
    }
    answers = g_new(const XenRdmEntry *, MAX(nr_answers, 1));
    /* device i's answer: answers[first[i]..end[i]) */
    end = g_memdup2(first, cfg->nr_devices * sizeof(*first));
    for (i = 0; i < entries->len; i++) {
        const XenRdmEntry *e = g_ptr_array_index(entries, i);

        for (j = 0; j < e->devices->len; j++) {
            const DeviceSlot *s = device_slot(slots, cfg->nr_devices, e, j);

            /* an entry listing a device twice answers once */
            if (s && (end[s->pos] == first[s->pos] ||
                      answers[end[s->pos] - 1] != e)) {
                answers[end[s->pos]++] = e;
            }
        }
    }

    /* room for every region at once: a million are 32 MiB to copy */
    g_array_unref(p->regions);
    p->regions = g_array_sized_new(false, false, sizeof(PlanRegion),
                                   entries->len + nr_answers);
    links = g_array_sized_new(false, false, sizeof(Link),
                              entries->len + nr_answers);
    if (cfg->strategy == XEN_RDM_STRATEGY_HOST) {
        for (i = 0; i < entries->len; i++) {
            const XenRdmEntry *e = g_ptr_array_index(entries, i);
            Link l;

            if (!e->host_wide) {
                continue;
            }
            l.region = planner_add_region(p, e->start, e->size,
                                          names_key(e), cfg->policy)->order;
            l.entry = e;
            g_array_append_val(links, l);
        }
    }
    /* libxl returns early when the host has no RDM at all */
    if (cfg->strategy == XEN_RDM_STRATEGY_HOST && !p->regions->len) {
        planner_group_sources(p, NULL, 0);
        return;
    }
    /* the duplicate check: only device answers can find a region */
    start_index_init(&idx, nr_answers ? p->regions->len + nr_answers : 0);
    for (i = 0; nr_answers && i < p->regions->len; i++) {
        start_index_find_or_add(&idx, p->regions,
                                g_array_index(p->regions, PlanRegion,
                                              i).start, i);
    }
    for (i = 0; i < cfg->nr_devices; i++) {
        const XenRdmDeviceConfig *dev = &cfg->devices[i];

        for (j = first[i]; j < end[i]; j++) {
            const XenRdmEntry *e = answers[j];
            PlanRegion *r = start_index_find_or_add(&idx, p->regions,
                                                    e->start,
                                                    p->regions->len);
            Link l = { .entry = e };

            if (r) {
                r->policy = dev->policy;
                r->names = names_key_join(r->names, names_key(e));
            } else {
                r = planner_add_region(p, e->start, e->size, names_key(e),
                                       dev->policy);
            }
            l.region = r->order;
            g_array_append_val(links, l);
        }
    }
    g_free(idx.slots);
    planner_group_sources(p, (Link *)links->data, links->len);
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

    gather_compat(p);

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
        decide(p, r, r->policy == XEN_RDM_POLICY_STRICT, what);
    }

    plan->lowmem_end = lowmem_end;
    plan->highmem_end = highmem_end;
    xen_rdm_ram_add(plan->ram, 0, lowmem_end);
    if (highmem_end) {
        xen_rdm_ram_add(plan->ram, XEN_RDM_4G, highmem_end - XEN_RDM_4G);
    }
}

/*
 * Sorting a million regions: fn(@v, @nr) sorts the @nr records of Type
 * at @v by @cmp, which compares their 64-bit @start first: it checks
 * whether they are sorted already (region files often are), else radix
 * sorts them by @start, stably, over the bits in which the starts
 * differ, and sorts each run of an equal @start by @cmp.  The records
 * move whole.  One pass scatters them by their top SORT_DIGIT_BITS bits
 * into as many buckets (out of order, each record a cache miss); then
 * each bucket, a few hundred records in the cache, is sorted by the rest
 * of the bits on its own (passes of at most SORT_LOCAL_BITS, or an
 * insertion sort for the smallest).
 */
#define SORT_RADIX_MIN      256         /* fewer: qsort() */
#define SORT_DIGIT_BITS     12
#define SORT_LOCAL_BITS     8
#define SORT_LOCAL_MIN      32          /* fewer: an insertion sort */
#define SORT_DIGIT(r, shift, mask) (((r)->start >> (shift)) & (mask))

/* Sort @n records of Type from @src into @dst by bits lo..lo+span-1 */
#define DEFINE_START_SORT_LOCAL(fn, Type)                                   \
static void fn(Type *src, Type *dst, size_t n, unsigned lo, unsigned span) \
{                                                                           \
    size_t count[1u << SORT_LOCAL_BITS];                                    \
    unsigned passes, bits, mask, d;                                         \
    Type *from = src, *to = dst;                                            \
    size_t i, j;                                                            \
                                                                            \
    if (n < SORT_LOCAL_MIN || !span) {                                      \
        memcpy(dst, src, n * sizeof(*dst));                                 \
        for (i = 1; i < n && span; i++) {                                   \
            Type r = dst[i];                                                \
                                                                            \
            for (j = i; j && dst[j - 1].start > r.start; j--) {             \
                dst[j] = dst[j - 1];                                        \
            }                                                               \
            dst[j] = r;                                                     \
        }                                                                   \
        return;                                                             \
    }                                                                       \
    passes = (span + SORT_LOCAL_BITS - 1) / SORT_LOCAL_BITS;                \
    bits = (span + passes - 1) / passes;                                    \
    mask = (1u << bits) - 1;                                                \
    for (d = 0; d < passes; d++) {                                          \
        unsigned shift = lo + d * bits;                                     \
        size_t sum = 0;                                                     \
                                                                            \
        memset(count, 0, (mask + 1) * sizeof(count[0]));                    \
        for (i = 0; i < n; i++) {                                           \
            count[SORT_DIGIT(&from[i], shift, mask)]++;                     \
        }                                                                   \
        for (i = 0; i <= mask; i++) {                                       \
            size_t c = count[i];                                            \
                                                                            \
            count[i] = sum;                                                 \
            sum += c;                                                       \
        }                                                                   \
        for (i = 0; i < n; i++) {                                           \
            to[count[SORT_DIGIT(&from[i], shift, mask)]++] = from[i];       \
        }                                                                   \
        from = to;                                                          \
        to = to == dst ? src : dst;                                         \
    }                                                                       \
    if (from != dst) {                                                      \
        memcpy(dst, from, n * sizeof(*dst));                                \
    }                                                                       \
}

#define DEFINE_START_SORT(fn, Type, cmp)                                    \
DEFINE_START_SORT_LOCAL(fn##_local, Type)                                   \
                                                                            \
static void fn(Type *v, size_t nr)                                          \
{                                                                           \
    g_autofree Type *tmp = NULL;                                            \
    g_autofree size_t *count = NULL;                                        \
    uint64_t diff = 0;                                                      \
    unsigned lo, span, top, shift, buckets, b;                              \
    size_t i, run, from;                                                    \
                                                                            \
    for (i = 1; i < nr && cmp(&v[i - 1], &v[i]) <= 0; i++) {                \
        /* sorted so far */                                                 \
    }                                                                       \
    if (i >= nr) {                                                          \
        return;                                                             \
    }                                                                       \
    if (nr < SORT_RADIX_MIN) {                                              \
        qsort(v, nr, sizeof(*v), cmp);                                      \
        return;                                                             \
    }                                                                       \
    for (i = 1; i < nr; i++) {                                              \
        diff |= v[i].start ^ v[0].start;                                    \
    }                                                                       \
    if (diff) {                                                             \
        /* the top digit: one pass out of order */                          \
        lo = __builtin_ctzll(diff);                                         \
        span = 64 - __builtin_clzll(diff) - lo;                             \
        top = MIN(span, SORT_DIGIT_BITS);                                   \
        shift = lo + span - top;                                            \
        buckets = 1u << top;                                                \
        count = g_new0(size_t, buckets);                                    \
        for (i = 0; i < nr; i++) {                                          \
            count[SORT_DIGIT(&v[i], shift, buckets - 1)]++;                 \
        }                                                                   \
        for (b = 0, from = 0; b < buckets; b++) {                           \
            size_t c = count[b];                                            \
                                                                            \
            count[b] = from;                                                \
            from += c;                                                      \
        }                                                                   \
        tmp = g_new(Type, nr);                                              \
        for (i = 0; i < nr; i++) {                                          \
            tmp[count[SORT_DIGIT(&v[i], shift, buckets - 1)]++] = v[i];     \
        }                                                                   \
        /* then each bucket (now up to count[b]) by the rest, back to @v */ \
        for (b = 0, from = 0; b < buckets; from = count[b++]) {             \
            fn##_local(tmp + from, v + from, count[b] - from, lo,           \
                       span - top);                                         \
        }                                                                   \
    }                                                                       \
    for (i = 0; i < nr; i = run) {                                          \
        for (run = i + 1; run < nr && v[run].start == v[i].start; run++) {  \
            /* the same start */                                            \
        }                                                                   \
        if (run - i > 1) {                                                  \
            qsort(v + i, run - i, sizeof(*v), cmp);                         \
        }                                                                   \
    }                                                                       \
}

/* libxl's order of compat's regions: by start, size, then that order */
static int region_cmp_start(const void *a, const void *b)
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

DEFINE_START_SORT(sort_regions, PlanRegion, region_cmp_start)

DEFINE_START_SORT(sort_parts, XenRdmLayoutRegion, xen_rdm_layout_part_cmp)

/*
 * Gather the regions for split: each map entry once, as the host-wide
 * answer under strategy host and the answer of every device it lists
 * include it, strict if any of them is (split merges regions by address
 * anyway, so an entry answered twice is one region).
 */
static GArray *gather_split(Planner *p, const GArray **lists,
                            bool *unresolved)
{
    const XenRdmConfig *cfg = p->cfg;
    const GPtrArray *entries = p->map->entries;
    g_autofree DeviceSlot *slots = device_slots(cfg);
    GArray *regions = g_array_sized_new(false, false,
                                        sizeof(XenRdmLayoutRegion),
                                        entries->len);
    guint i, j;

    for (i = 0; i < entries->len; i++) {
        const XenRdmEntry *e = g_ptr_array_index(entries, i);
        bool in = cfg->strategy == XEN_RDM_STRATEGY_HOST && e->host_wide;
        bool strict = in && cfg->policy == XEN_RDM_POLICY_STRICT;
        XenRdmLayoutRegion r;

        for (j = 0; j < e->devices->len; j++) {
            const DeviceSlot *s = device_slot(slots, cfg->nr_devices, e, j);

            if (s) {
                in = true;
                strict |= cfg->devices[s->pos].policy ==
                          XEN_RDM_POLICY_STRICT;
            }
        }
        if (!in) {
            continue;
        }
        lists[i] = entry_list(e);
        *unresolved |= !lists[i];
        r = (XenRdmLayoutRegion){
            .start = e->start, .end = e->start + e->size,
            .source = i, .strict = strict,
        };
        g_array_append_val(regions, r);
    }
    return regions;
}

static bool plan_split(Planner *p, Error **errp)
{
    const XenRdmConfig *cfg = p->cfg;
    XenRdmPlan *plan = p->plan;
    /* the entry_list() of each map entry gathered */
    g_autofree const GArray **lists = g_new(const GArray *,
                                            MAX(p->map->entries->len, 1));
    bool unresolved = false;
    g_autoptr(GArray) gathered = gather_split(p, lists, &unresolved);
    g_autofree XenRdmLayoutRegion *parts = NULL;
    g_autofree XenRdmLayoutRegion *merged = NULL;
    size_t nr_parts, nr_merged, nr_ram, i;

    nr_parts = xen_rdm_layout_nr_parts((XenRdmLayoutRegion *)gathered->data,
                                       gathered->len);
    parts = g_new(XenRdmLayoutRegion, MAX(nr_parts, 1));
    xen_rdm_layout_clip((XenRdmLayoutRegion *)gathered->data, gathered->len,
                        parts);
    g_clear_pointer(&gathered, g_array_unref);
    sort_parts(parts, nr_parts);
    merged = g_new(XenRdmLayoutRegion, MAX(nr_parts, 1));
    nr_merged = xen_rdm_layout_merge(parts, nr_parts, merged);

    /* Decide every region: a part in a platform area is not honoured */
    for (i = 0; i < nr_merged; i++) {
        const XenRdmLayoutRegion *m = &merged[i];
        PlanRegion *r = planner_add_region(p, m->start, m->end - m->start,
                                           NAMES_NONE, m->strict ?
                                           XEN_RDM_POLICY_STRICT :
                                           XEN_RDM_POLICY_RELAXED);
        const char *what = xen_rdm_area_str(m->area);

        if (what) {
            decide(p, r, m->strict, what);
        }
    }

    /*
     * the entries behind each merged region: its parts, in a run; only
     * their device lists unless some have unresolved scopes
     */
    p->first = g_new0(guint, nr_merged + 1);
    if (unresolved) {
        p->sources = g_new(const XenRdmEntry *, MAX(nr_parts, 1));
    } else {
        p->lists = g_new(const GArray *, MAX(nr_parts, 1));
    }
    for (i = 0; i < nr_parts; i++) {
        PlanRegion *r = &g_array_index(p->regions, PlanRegion,
                                       parts[i].merged);
        const GArray *list = lists[parts[i].source];

        if (unresolved) {
            p->sources[i] = g_ptr_array_index(p->map->entries,
                                              parts[i].source);
        } else {
            p->lists[i] = list;
        }
        p->first[parts[i].merged + 1] = i + 1;
        r->names = names_key_join(r->names, list_key(list));
    }

    g_array_set_size(plan->ram, nr_merged + 2);
    nr_ram = xen_rdm_layout_place_ram(merged, nr_merged, cfg->ram_size,
                                      plan->mmio_start, cfg->hap,
                                      (XenRdmRange *)plan->ram->data);
    g_array_set_size(plan->ram, nr_ram);
    if (!nr_ram) {
        error_setg(errp, "guest RAM of 0x%" PRIx64 " bytes does not fit "
                   "below the 2^52 guest-physical limit around the "
                   "reserved regions", cfg->ram_size);
        return false;
    }
    for (i = 0; i < nr_ram; i++) {
        const XenRdmRange *m = &g_array_index(plan->ram, XenRdmRange, i);

        if (m->start < XEN_RDM_4G) {
            plan->lowmem_end = m->start + m->size;
        } else {
            plan->highmem_end = m->start + m->size;
        }
    }
    return true;
}

void xen_rdm_region_free(gpointer data)
{
    XenRdmRegion *r = data;

    g_ptr_array_unref(r->devices);
    g_free(r->conflict);
    g_free(r);
}

/* "RDM conflict: region ... (devices: ...) with policy strict @verb ..." */
char *xen_rdm_conflict_reason(const XenRdmRegion *r, const char *verb)
{
    g_autoptr(GString) devs = g_string_new(NULL);
    guint i;

    for (i = 0; i < r->devices->len; i++) {
        g_string_append_printf(devs, "%s%s", i ? ", " : "devices: ",
                               (char *)g_ptr_array_index(r->devices, i));
    }
    return g_strdup_printf("RDM conflict: region 0x%" PRIx64 "-0x%" PRIx64
                           " (%s) with policy strict %s %s", r->start,
                           r->start + r->size - 1,
                           devs->len ? devs->str : "host-wide, no device",
                           verb, r->conflict);
}

/*
 * Produce the plan's region list, reason and e820 from the regions: the
 * records in one block, which the plan keeps with the device lists and
 * texts they share (XenRdmPlan.store)
 */
static void finish_plan(Planner *p)
{
    XenRdmPlan *plan = p->plan;
    XenRdmRegionStore *store = g_new0(XenRdmRegionStore, 1);
    const XenRdmRegion *first_conflict = NULL;
    guint first_order = G_MAXUINT, nr = p->regions->len;
    DeviceNames names;
    guint i;

    plan->store = store;
    store->records = g_new(XenRdmRegion, MAX(nr, 1));
    store->lists = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_ptr_array_unref);
    for (i = 0; i < p->nr_texts; i++) {
        store->texts[i] = g_strdup(p->texts[i]);
    }
    g_ptr_array_set_free_func(plan->regions, NULL);
    g_ptr_array_set_size(plan->regions, nr);

    /*
     * The device names of each region, in the order of their map entries
     * (Planner.sources), then compat's regions in libxl's order
     */
    xen_rdm_device_names_init(&names);
    for (i = 0; i < nr; i++) {
        PlanRegion *r = &g_array_index(p->regions, PlanRegion, i);

        r->devices = r->names != NAMES_MIXED ?
            device_names_of_key(&names, r->names) :
            device_names_of(&names,
                            p->sources ? p->sources + p->first[r->order]
                            : NULL,
                            p->lists ? p->lists + p->first[r->order] : NULL,
                            p->first[r->order + 1] - p->first[r->order]);
    }
    if (p->cfg->layout == XEN_RDM_LAYOUT_COMPAT) {
        sort_regions((PlanRegion *)p->regions->data, nr);
    }
    for (i = 0; i < nr; i++) {
        const PlanRegion *r = &g_array_index(p->regions, PlanRegion, i);
        XenRdmRegion *out = &store->records[i];

        out->start = r->start;
        out->size = r->size;
        out->policy = r->policy;
        out->status = r->status;
        out->devices = r->devices;
        out->conflict = r->conflict ? store->texts[r->conflict - 1] : NULL;
        g_ptr_array_index(plan->regions, i) = out;
        /* the first strict conflict in libxl's order */
        if (r->status == XEN_RDM_STATUS_CONFLICT && r->order < first_order) {
            first_order = r->order;
            first_conflict = out;
        }
    }
    xen_rdm_device_names_keep(&names, store->lists);
    xen_rdm_device_names_destroy(&names);
    if (first_conflict) {
        plan->reason = xen_rdm_conflict_reason(first_conflict, "collides with");
    }
    xen_rdm_plan_build_e820(plan);
}

/* The e820 map of a plan's RAM and of the regions it keeps free */
void xen_rdm_plan_build_e820(XenRdmPlan *plan)
{
    g_autofree XenRdmRange *reserved = g_new(XenRdmRange,
                                             MAX(plan->regions->len, 1));
    size_t nr_reserved = 0, n;
    guint i;

    for (i = 0; i < plan->regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(plan->regions, i);

        if (r->status == XEN_RDM_STATUS_RESERVED) {
            reserved[nr_reserved++] = (XenRdmRange){ r->start, r->size };
        }
    }
    g_array_set_size(plan->e820, plan->ram->len + nr_reserved);
    n = xen_rdm_layout_e820((XenRdmRange *)plan->ram->data, plan->ram->len,
                            reserved, nr_reserved,
                            (XenRdmE820Entry *)plan->e820->data);
    g_array_set_size(plan->e820, n);
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

XenRdmPlan *xen_rdm_plan_new(XenRdmLayout layout, uint64_t mmio_start)
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
    guint i;

    if (!plan) {
        return;
    }
    g_free(plan->reason);
    g_array_unref(plan->ram);
    g_ptr_array_unref(plan->regions);
    g_array_unref(plan->e820);
    if (plan->store) {
        g_free(plan->store->records);
        g_ptr_array_unref(plan->store->lists);
        for (i = 0; i < PLAN_MAX_TEXTS; i++) {
            g_free(plan->store->texts[i]);
        }
        g_free(plan->store);
    }
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
    plan = xen_rdm_plan_new(cfg->layout, XEN_RDM_4G - cfg->mmio_hole);

    p.plan = plan;
    p.regions = g_array_sized_new(false, false, sizeof(PlanRegion),
                                  map->entries->len);

    if (cfg->layout == XEN_RDM_LAYOUT_COMPAT) {
        plan_compat(&p);
    } else {
        ok = plan_split(&p, errp);
    }
    if (ok) {
        finish_plan(&p);
    }
    g_array_unref(p.regions);
    g_free(p.sources);
    g_free(p.lists);
    g_free(p.first);
    if (!ok) {
        return false;
    }
    *planp = g_steal_pointer(&plan);
    return true;
}
