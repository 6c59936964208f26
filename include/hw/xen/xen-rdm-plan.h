/*
 * Xen reserved device memory (RDM) guest layout planner
 *
 * Pure layout logic: turns a guest RAM size, the RDM regions reported for
 * the host and for passed-through devices, and the xl.cfg rdm= policies
 * into a guest-physical memory layout.  No Xen or target headers are used
 * so that the planner can be unit-tested and reused by a toolstack.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_XEN_XEN_RDM_PLAN_H
#define HW_XEN_XEN_RDM_PLAN_H

#include "hw/xen/xen-rdm-layout.h"

/* libxl's HVM_BELOW_4G_MMIO_LENGTH: RAM below 4 GiB ends at 0xF0000000. */
#define XEN_RDM_DEFAULT_MMIO_HOLE   0x10000000ULL
/* libxl's default rdm_mem_boundary */
#define XEN_RDM_DEFAULT_BOUNDARY    0x80000000ULL
/* Highest guest-physical address the planner will ever place RAM at */
#define XEN_RDM_MAX_PADDR           (1ULL << 52)

#define XEN_RDM_4G                  (1ULL << 32)
/* Regions, RAM and sizes are in whole 4 KiB pages */
#define XEN_RDM_PAGE_SIZE           0x1000ULL
/* The legacy first MiB: always RAM, never a place for an RDM hole */
#define XEN_RDM_FIRST_MIB_END       0x100000ULL
/* The fixed firmware area below 4 GiB (IO-APIC, HPET, LAPIC, BIOS) */
#define XEN_RDM_FIRMWARE_START      0xFC000000ULL

typedef enum XenRdmStrategy {
    XEN_RDM_STRATEGY_IGNORE,
    XEN_RDM_STRATEGY_HOST,
} XenRdmStrategy;

typedef enum XenRdmPolicy {
    XEN_RDM_POLICY_STRICT,
    XEN_RDM_POLICY_RELAXED,
} XenRdmPolicy;

typedef enum XenRdmLayout {
    XEN_RDM_LAYOUT_COMPAT,
    XEN_RDM_LAYOUT_SPLIT,
    /*
     * Not a layout the planner makes: guest RAM as a toolstack populated
     * it, checked against a plan's regions (xen_rdm_plan_populated())
     */
    XEN_RDM_LAYOUT_TOOLSTACK,
} XenRdmLayout;

typedef enum XenRdmStatus {
    XEN_RDM_STATUS_RESERVED,
    XEN_RDM_STATUS_IGNORED,
    XEN_RDM_STATUS_CONFLICT,
} XenRdmStatus;

/* PCI segment/bus/device/function packed as Xen does: seg << 16 | bdf */
#define XEN_RDM_SBDF(seg, bus, dev, fn) \
    (((uint32_t)(seg) << 16) | ((uint32_t)(bus) << 8) | \
     ((uint32_t)(dev) << 3) | (uint32_t)(fn))
#define XEN_RDM_SBDF_SEG(sbdf)   ((sbdf) >> 16)
#define XEN_RDM_SBDF_BUS(sbdf)   (((sbdf) >> 8) & 0xff)
#define XEN_RDM_SBDF_DEVFN(sbdf) ((sbdf) & 0xff)
#define XEN_RDM_SBDF_DEV(sbdf)   (((sbdf) >> 3) & 0x1f)
#define XEN_RDM_SBDF_FN(sbdf)    ((sbdf) & 0x7)

/*
 * One reserved region as its source reports it.
 *
 * @host_wide: the region is part of the host-wide answer
 *             (XENMEM_RDM_ALL, i.e. strategy=host sees it).
 * @devices:   uint32_t SBDFs the source ties the region to; a per-device
 *             query for SBDF s answers every entry listing s.
 * @unresolved: char * descriptions of device scopes that name no SBDF
 *             (e.g. "unresolved:0000:00:1c.0/00.0"); never matched.
 *
 * Both lists are never NULL and are read-only for users of the map: only
 * xen_rdm_entry_add_device() and xen_rdm_entry_add_unresolved() change
 * them.  Entries of one map share equal lists (copied on write), so that
 * a map of a million regions tied to a few devices holds a few lists.
 */
typedef struct XenRdmEntry {
    uint64_t start;
    uint64_t size;
    bool host_wide;
    /* private: whether @devices, @unresolved are shared (copy on write) */
    bool devices_shared;
    bool unresolved_shared;
    GArray *devices;
    GPtrArray *unresolved;
} XenRdmEntry;

/*
 * The RDM regions known about a host, in source order.  @entries
 * (XenRdmEntry *) is read-only for users of the map.  The entries
 * themselves are allocated in blocks, and equal device lists are kept
 * once (see XenRdmEntry).
 */
typedef struct XenRdmMap {
    GPtrArray *entries;
    /* private */
    GPtrArray *blocks;          /* the XenRdmEntry arrays of @entries */
    XenRdmEntry *block;         /* the last one, with room for ... */
    guint block_free;           /* ... this many more entries */
    GHashTable *device_lists;   /* the lists entries share */
    /* some of @device_lists, each at the top 4 bits of its mixed hash */
    struct RdmDeviceList *recent_lists[16];
    GPtrArray *no_unresolved;   /* the empty list entries share */
} XenRdmMap;

/* A device passed through to the guest, with its rdm_policy */
typedef struct XenRdmDeviceConfig {
    uint32_t sbdf;
    XenRdmPolicy policy;
} XenRdmDeviceConfig;

/*
 * Append @dev to @devices (of XenRdmDeviceConfig), the list of a guest's
 * passed-through devices being read from its configuration; fails with
 * "device SSSS:BB:DD.F is listed twice" when a device of that address is
 * there already (callers prepend where the list came from).
 */
bool xen_rdm_devices_add(GArray *devices, const XenRdmDeviceConfig *dev,
                         Error **errp);

/*
 * Whether @boundary can be an rdm_mem_boundary: libxl only moves the end
 * of low RAM, so a boundary above 4 GiB means nothing
 */
static inline bool xen_rdm_boundary_valid(uint64_t boundary)
{
    return boundary <= XEN_RDM_4G;
}

typedef struct XenRdmConfig {
    uint64_t ram_size;          /* bytes of guest RAM to place */
    uint64_t mmio_hole;         /* requested MMIO hole below 4 GiB */
    uint64_t boundary;          /* rdm_mem_boundary in bytes */
    XenRdmStrategy strategy;
    XenRdmPolicy policy;        /* global policy, for host-wide regions */
    XenRdmLayout layout;
    bool hap;
    const XenRdmDeviceConfig *devices;
    size_t nr_devices;
} XenRdmConfig;

typedef struct XenRdmRegion {
    uint64_t start;
    uint64_t size;
    XenRdmPolicy policy;
    XenRdmStatus status;
    /* char *, SBDFs sorted, then unresolved; shared: read only */
    GPtrArray *devices;
    char *conflict;             /* what it collides with, or NULL; read only */
} XenRdmRegion;

/* The records of a computed plan's regions, which the plan owns */
typedef struct XenRdmRegionStore XenRdmRegionStore;

typedef struct XenRdmPlan {
    XenRdmLayout layout;
    bool refused;
    char *reason;               /* one line, set when refused */
    uint64_t mmio_start;        /* where RAM below 4 GiB must stop */
    uint64_t lowmem_end;        /* end of the last RAM range below 4 GiB */
    uint64_t highmem_end;       /* end of RAM above 4 GiB, 0 if none */
    GArray *ram;                /* XenRdmRange, sorted */
    GPtrArray *regions;         /* XenRdmRegion *, sorted by start */
    GArray *e820;               /* XenRdmE820Entry, sorted */
    /*
     * private: where the records @regions points to live, with the
     * device lists and conflict texts they share, when the planner made
     * them (one allocation for all of them); NULL when each record is
     * allocated on its own
     */
    XenRdmRegionStore *store;
} XenRdmPlan;

/* "SSSS:BB:DD.F" (or "BB:DD.F", segment 0), all hex, as xl.cfg writes it */
bool xen_rdm_sbdf_parse(const char *str, uint32_t *sbdf, Error **errp);
char *xen_rdm_sbdf_to_string(uint32_t sbdf);

XenRdmMap *xen_rdm_map_new(void);
void xen_rdm_map_free(XenRdmMap *map);
/*
 * Add a region; fails (and adds nothing) for a zero size, a region that
 * wraps or one that is not page aligned.  The returned entry stays valid
 * for the life of @map.
 */
XenRdmEntry *xen_rdm_map_add(XenRdmMap *map, uint64_t start, uint64_t size,
                             bool host_wide, Error **errp);
/*
 * The same, tied to the @nr_devices SBDFs @devices (each once, in their
 * first order, as xen_rdm_entry_add_device() adds them).  An entry of the
 * same devices in the same order added before shares its list (no
 * allocation per entry): what sources that add many entries use.
 */
XenRdmEntry *xen_rdm_map_add_with_devices(XenRdmMap *map, uint64_t start,
                                          uint64_t size, bool host_wide,
                                          const uint32_t *devices,
                                          size_t nr_devices, Error **errp);
/*
 * Move every entry of @src to the end of @dst, leaving @src empty.
 * Sources fill a scratch map and hand it over only once all of their
 * input is accepted, so that a failure never leaves a half-filled map.
 */
void xen_rdm_map_take(XenRdmMap *dst, XenRdmMap *src);
void xen_rdm_entry_add_device(XenRdmEntry *entry, uint32_t sbdf);
void xen_rdm_entry_add_unresolved(XenRdmEntry *entry, const char *what);
bool xen_rdm_entry_has_device(const XenRdmEntry *entry, uint32_t sbdf);

void xen_rdm_config_init(XenRdmConfig *cfg);

/*
 * Compute the guest layout.  Returns false and sets @errp for invalid
 * input (bad sizes, duplicate devices, ...).  Otherwise returns true and
 * a plan in @plan; a strict conflict gives a plan with @refused set, the
 * offending regions marked XEN_RDM_STATUS_CONFLICT and @reason naming
 * the first of them.
 */
bool xen_rdm_plan_compute(const XenRdmConfig *cfg, const XenRdmMap *map,
                          XenRdmPlan **plan, Error **errp);
void xen_rdm_plan_free(XenRdmPlan *plan);

/*
 * Check a finished plan's invariants: RAM sorted, non-overlapping,
 * summing to @ram_size, no RAM over a reserved region, e820 sorted and
 * non-overlapping.  Used by tests and as a self-check before use.
 */
bool xen_rdm_plan_check(const XenRdmPlan *plan, uint64_t ram_size,
                        Error **errp);

/*
 * Check a device about to be added (hot-plugged) against a finished
 * plan, whose RAM can no longer move.  Every region a query for @sbdf
 * answers in @map goes into @regions (XenRdmRegion *, sorted by start),
 * as "reserved" when no guest RAM covers it, else "conflict" under a
 * strict @policy or "ignored" under a relaxed one, with the RAM range
 * it collides with.  Returns false, and sets @errp naming the first
 * conflict, when a strict region collides with RAM.
 */
bool xen_rdm_plan_check_device(const XenRdmPlan *plan, const XenRdmMap *map,
                               uint32_t sbdf, XenRdmPolicy policy,
                               GPtrArray **regions, Error **errp);

/*
 * The same check against guest RAM @ram (XenRdmRange, sorted), e.g. the
 * RAM a toolstack populated (xen_rdm_ram_from_ends()) rather than a plan's.
 */
bool xen_rdm_ram_check_device(const GArray *ram, const XenRdmMap *map,
                              uint32_t sbdf, XenRdmPolicy policy,
                              GPtrArray **regions, Error **errp);

/*
 * Guest RAM as a toolstack that tells only where it ends populated it
 * (libxc, in the guest's hvm_info_table: low_mem_pgend, high_mem_pgend):
 * [0, @lowmem_end) and, when @highmem_end is above 4 GiB,
 * [4 GiB, @highmem_end), as XenRdmRange, in the same terms as a plan's
 * RAM.  Returns NULL, and sets @errp, for ends no toolstack can give
 * (@lowmem_end above 4 GiB, @highmem_end between 0 and 4 GiB).
 */
GArray *xen_rdm_ram_from_ends(uint64_t lowmem_end, uint64_t highmem_end,
                              Error **errp);

/*
 * The layout of guest RAM @ram (XenRdmRange, sorted, as from
 * xen_rdm_ram_from_ends()) that a toolstack populated, checked against
 * the regions of @plan (NULL: none): a plan of layout
 * XEN_RDM_LAYOUT_TOOLSTACK whose RAM is @ram, whose RAM below 4 GiB
 * must stop at @mmio_start, and whose regions are @plan's, each
 * "reserved" when no RAM of @ram covers it, else "conflict" under the
 * strict policy (the plan is then refused, naming the first) or
 * "ignored" under the relaxed one.  The RAM is taken as it is: the
 * caller checks that it is a layout (xen_rdm_plan_check()).
 */
XenRdmPlan *xen_rdm_plan_populated(const XenRdmPlan *plan, const GArray *ram,
                                   uint64_t mmio_start);
/*
 * The same, for RAM @whose (a conflict's text says "guest RAM S-E
 * @whose"; xen_rdm_plan_populated(): "populated by the toolstack")
 */
XenRdmPlan *xen_rdm_plan_of_ram(const XenRdmPlan *plan, const GArray *ram,
                                uint64_t mmio_start, const char *whose);

/* The most RAM ranges a guest's layout can have (a migration stream's) */
#define XEN_RDM_LAYOUT_MAX_RANGES   65536u

/*
 * The layout of guest RAM an incoming migration stream carries: the
 * @nr ranges @ranges, untrusted, which must be between 1 and
 * XEN_RDM_LAYOUT_MAX_RANGES, the first covering the first MiB, each
 * non-empty, in order and apart from the next, ending at or below
 * @max_end (the guest RAM QEMU set aside), none below 4 GiB reaching
 * @mmio_start, adding up to @ram_size, and covering no region of @plan
 * (NULL: none) with policy strict.  Returns it as a plan of layout
 * XEN_RDM_LAYOUT_TOOLSTACK with @plan's regions (those of policy
 * relaxed in its RAM "ignored"), or NULL with @errp saying what is
 * wrong, a strict region in its RAM named with its devices.  No Xen
 * and no migration code: what QEMU's post_load of the xen-rdm-layout
 * section calls, and its fuzzer (tests/fuzz/fuzz-rdm-incoming.c).
 */
XenRdmPlan *xen_rdm_layout_incoming(const XenRdmPlan *plan,
                                    const XenRdmRange *ranges, size_t nr,
                                    uint64_t ram_size, uint64_t mmio_start,
                                    uint64_t max_end, Error **errp);

/* Whether two lists of RAM ranges (XenRdmRange) are the same */
bool xen_rdm_ram_equal(const GArray *a, const GArray *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(XenRdmMap, xen_rdm_map_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(XenRdmPlan, xen_rdm_plan_free)

#endif
