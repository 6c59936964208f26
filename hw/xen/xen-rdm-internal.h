/*
 * Reserved device memory (RDM) in Xen HVM guests: the state of the guest
 * RAM layout, shared by hw/xen/xen-rdm*.c
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_XEN_XEN_RDM_INTERNAL_H
#define HW_XEN_XEN_RDM_INTERNAL_H

#include "hw/xen/xen-rdm.h"
#include "qapi/qapi-types-misc-target.h"

/* A Xen HVM machine's guest RAM layout (PCMachineState's xen_rdm) */
struct XenRdmState {
    uint64_t ram_size;          /* -m */
    uint64_t mmio_start;        /* where RAM below 4 GiB must stop */
    XenRdmMap *map;             /* regions asked for at initialisation */
    XenRdmPlan *plan;           /* QEMU's own plan, when asked for one */
    XenRdmPlan *layout;         /* the RAM layout in use */
    XenRdmLayoutSource source;  /* where @layout was decided */
    char *toolstack_error;      /* why the hvm_info_table was not used */
    char *mismatch;             /* how @plan and populated RAM differ */
    XenRdmMapRamFn map_ram;     /* lays guest RAM out (the machine) */
    uint64_t block_len;         /* size of the guest RAM block */
    bool incoming;              /* started for an incoming migration */
    bool migrated;              /* the stream carried a layout */
    /* the layout in the migration stream */
    int32_t mig_nr_ram;
    XenRdmRange *mig_ram;
};

/*
 * The current machine's guest RAM layout; NULL when it is not a Xen HVM
 * machine (or before its RAM is laid out)
 */
XenRdmState *xen_rdm_state(void);

/*
 * Ask the hypervisor for the host-wide regions (when @host_wide) and
 * those of the @nr devices @sbdfs, into @map
 */
bool xen_rdm_query(bool host_wide, const uint32_t *sbdfs, size_t nr,
                   XenRdmMap *map, Error **errp);

/*
 * Warn about and report with XEN_RDM_CONFLICT every region of @regions
 * (XenRdmRegion *) guest RAM covers; @device names the device they are
 * of, or is NULL for the machine's own
 */
void xen_rdm_report_regions(const GPtrArray *regions, const char *device);

/* QAPI conversions */
XenRdmRegionInfoList *xen_rdm_regions_to_list(const GPtrArray *regions);
XenRdmRamRangeList *xen_rdm_ram_to_list(const GArray *ram);
XenRdmPlanInfo *xen_rdm_plan_info(const XenRdmPlan *plan);

#endif
