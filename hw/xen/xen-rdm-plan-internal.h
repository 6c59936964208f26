/*
 * Xen reserved device memory (RDM): what the planner (xen-rdm-plan.c)
 * shares with the checks of a layout (xen-rdm-check.c) and the map
 * (xen-rdm-map.c); private to hw/xen/
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_XEN_XEN_RDM_PLAN_INTERNAL_H
#define HW_XEN_XEN_RDM_PLAN_INTERNAL_H

#include "hw/xen/xen-rdm-plan.h"

/* libxl's overlaps_rdm() */
static inline bool overlaps(uint64_t start, uint64_t size,
                     uint64_t rdm_start, uint64_t rdm_size)
{
    return start + size > rdm_start && start < rdm_start + rdm_size;
}

/*
 * The device names of regions: one shared, read-only list for all the
 * regions of the same devices (the common case is one device), built
 * once per plan and owned by the DeviceNames until destroyed
 */
/* A list of SBDFs as the key of a hash table (of the lists shared) */
typedef struct SbdfSet {
    guint len;
    const uint32_t *sbdfs;
} SbdfSet;

guint xen_rdm_sbdf_set_hash(gconstpointer p);
gboolean xen_rdm_sbdf_set_equal(gconstpointer a, gconstpointer b);

typedef struct DeviceNamesSlot {
    uint32_t sbdf;
    GPtrArray *names;           /* NULL: none */
} DeviceNamesSlot;

/*
 * The list of the map entries' device lists @lists (sorted by address,
 * distinct; the map shares them), without unresolved scopes
 */
#define DEVICE_NAMES_SET_LISTS  4

typedef struct DeviceNamesSet {
    guint nr;                   /* 0: none */
    const GArray *lists[DEVICE_NAMES_SET_LISTS];
    GPtrArray *names;
} DeviceNamesSet;

typedef struct DeviceNames {
    GArray *sbdfs;              /* scratch: uint32_t */
    GPtrArray *unresolved;      /* scratch: borrowed char * */
    GHashTable *by_sbdf;        /* SBDF -> GPtrArray of its name */
    /* some of @by_sbdf's, each at its SBDF modulo their number */
    DeviceNamesSlot recent[64];
    GHashTable *by_sbdfs;       /* SbdfSet of several -> GPtrArray */
    /* some of the lists of several, each at a hash of its entries' lists */
    DeviceNamesSet sets[256];
    GPtrArray *none;
    GPtrArray *others;          /* the lists with unresolved scopes */
} DeviceNames;

void xen_rdm_device_names_init(DeviceNames *n);
void xen_rdm_device_names_destroy(DeviceNames *n);
/*
 * The devices of a region the map entries @entries (@nr of them) are
 * behind: every SBDF they list, sorted, then their unresolved scopes,
 * sorted, each once.  Owned by @n, valid until it is destroyed (take a
 * reference to keep it longer); shared, read only.
 */
GPtrArray *xen_rdm_device_names_borrow(DeviceNames *n,
                                       const XenRdmEntry *const *entries,
                                       guint nr);
/* The same, as a new reference */
GPtrArray *xen_rdm_device_names(DeviceNames *n,
                                 const XenRdmEntry *const *entries, guint nr);
/* Add a reference to every list @n holds to @keep (of g_ptr_array_unref) */
void xen_rdm_device_names_keep(DeviceNames *n, GPtrArray *keep);

/* An empty plan of @layout whose RAM below 4 GiB stops at @mmio_start */
XenRdmPlan *xen_rdm_plan_new(XenRdmLayout layout, uint64_t mmio_start);
/* Append a RAM range to @ram (XenRdmRange), joined with a touching one */
void xen_rdm_ram_add(GArray *ram, uint64_t start, uint64_t size);
/* The e820 map of a plan's RAM and of the regions it keeps free */
void xen_rdm_plan_build_e820(XenRdmPlan *plan);
void xen_rdm_region_free(gpointer data);
/* "RDM conflict: region ... (devices: ...) with policy strict @verb ..." */
char *xen_rdm_conflict_reason(const XenRdmRegion *r, const char *verb);

#endif
