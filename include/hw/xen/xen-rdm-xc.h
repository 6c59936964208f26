/*
 * Reserved device memory from libxenctrl: the one adapter from
 * xc_reserved_device_memory_map() to the query protocol's XenRdmMapFn,
 * used by QEMU (hw/xen/xen-rdm.c) and by the tool (xen-glue/rdm-xenctrl.c).
 * Include it after libxenctrl's header (in QEMU, hw/xen/xen_native.h).
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_XEN_XEN_RDM_XC_H
#define HW_XEN_XEN_RDM_XC_H

#include "hw/xen/xen-rdm-query.h"

G_STATIC_ASSERT(XEN_RDM_QUERY_FLAG_ALL == XENMEM_RDM_ALL);

/* A XenRdmMapFn; @opaque is the xc_interface * to ask through */
static inline int xen_rdm_xc_map(void *opaque, uint32_t flags, uint16_t seg,
                                 uint8_t bus, uint8_t devfn,
                                 XenRdmRawEntry *entries,
                                 uint32_t *max_entries)
{
    g_autofree struct xen_reserved_device_memory *xrdm = NULL;
    uint32_t cap = entries ? *max_entries : 0, i;
    int rc, saved_errno;

    if (cap) {
        xrdm = g_new0(struct xen_reserved_device_memory, cap);
    }
    rc = xc_reserved_device_memory_map(opaque, flags, seg, bus, devfn, xrdm,
                                       max_entries);
    saved_errno = errno;
    /* on success Xen never reports more than the buffer holds */
    for (i = 0; rc == 0 && i < MIN(cap, *max_entries); i++) {
        entries[i].start_pfn = xrdm[i].start_pfn;
        entries[i].nr_pages = xrdm[i].nr_pages;
    }
    errno = saved_errno;
    return rc;
}

#endif
