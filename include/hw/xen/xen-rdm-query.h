/*
 * The XENMEM_reserved_device_memory_map two-call protocol, independent of
 * libxenctrl so that it can be tested without a hypervisor.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_XEN_XEN_RDM_QUERY_H
#define HW_XEN_XEN_RDM_QUERY_H

#include "hw/xen/xen-rdm-plan.h"

/* Xen's XENMEM_RDM_ALL: ask for every region, ignoring the device */
#define XEN_RDM_QUERY_FLAG_ALL      1u

/* Entries per query above which an answer is refused as absurd */
#define XEN_RDM_QUERY_MAX_ENTRIES   65536u

/* Entries over all the queries of one xen_rdm_query_entries() */
#define XEN_RDM_QUERY_MAX_TOTAL     65536u

/*
 * How often the buffer is resized when the count keeps changing, and how
 * often an interrupted call (EINTR, EAGAIN) is repeated
 */
#define XEN_RDM_QUERY_MAX_RETRIES   8

/* One struct xen_reserved_device_memory, in 4 KiB pages */
typedef struct XenRdmRawEntry {
    uint64_t start_pfn;
    uint64_t nr_pages;
} XenRdmRawEntry;

/*
 * Same semantics as xc_reserved_device_memory_map(): on entry
 * *@max_entries is the capacity of @entries (which may be NULL when it
 * is 0); on return it is the number of entries the hypervisor has.
 * Returns 0 on success, or -1 with errno set (ENOBUFS when the buffer is
 * too small, *@max_entries then being the number needed).
 */
typedef int (*XenRdmMapFn)(void *opaque, uint32_t flags, uint16_t seg,
                           uint8_t bus, uint8_t devfn,
                           XenRdmRawEntry *entries, uint32_t *max_entries);

/*
 * Query the host-wide list when @host_wide (flags XENMEM_RDM_ALL) and
 * then the list of each device in @sbdfs (@nr of them) through @fn, and
 * add the regions to @map: host-wide ones with host_wide set and no
 * device, a device's ones with host_wide clear and that device.  A
 * device listed twice is queried once.  Entries that overlap or repeat
 * one another are kept as the hypervisor gives them (the planner merges
 * them).  On any error nothing is added and @errp names the query that
 * failed: an answer that contradicts the protocol (a return value other
 * than 0 or -1, -1 without errno, success with a count for no buffer,
 * ENOBUFS for a buffer large enough), an absurd count, a bad entry, or
 * more than XEN_RDM_QUERY_MAX_TOTAL entries in all.
 */
bool xen_rdm_query_entries(XenRdmMapFn fn, void *opaque, bool host_wide,
                           const uint32_t *sbdfs, size_t nr,
                           XenRdmMap *map, Error **errp);

#endif
