/*
 * xen-sim: libxenctrl.so.4.17 (the parts QEMU's Xen HVM machine uses,
 * and XENMEM_reserved_device_memory_map for the RDM work).
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>

#include "xen-sim.h"

struct xc_interface_core {
    unsigned magic;
};

#define XC_SIM_MAGIC 0x5853494d

xc_interface *xc_interface_open(xentoollog_logger *logger,
                                xentoollog_logger *dombuild_logger,
                                unsigned open_flags)
{
    xc_interface *xch;

    if (xen_sim_no_xen()) {
        /* what the real library prints on a host without Xen */
        fprintf(stderr, "xencall: error: Could not obtain handle on "
                "privileged command interface: No such file or directory "
                "(xen-sim: mode=no-xen)\n");
        errno = ENOENT;
        return NULL;
    }
    xch = calloc(1, sizeof(*xch));
    xch->magic = XC_SIM_MAGIC;
    xen_sim_log("xc_interface_open handle=%p", (void *)xch);
    return xch;
}

int xc_interface_close(xc_interface *xch)
{
    if (xch) {
        if (xch->magic != XC_SIM_MAGIC) {
            xen_sim_unmodelled("xc_interface_close(foreign handle)");
        }
        xen_sim_log("xc_interface_close handle=%p", (void *)xch);
        free(xch);
    }
    return 0;
}

int xc_hvm_param_get(xc_interface *handle, uint32_t dom, uint32_t param,
                     uint64_t *value)
{
    if (!xen_sim_check_domid(__func__, dom)) {
        return -1;
    }
    *value = xen_sim_hvm_param(param);
    xen_sim_log("xc_hvm_param_get param=%u value=0x%" PRIx64, param, *value);
    return 0;
}

int xc_hvm_param_set(xc_interface *handle, uint32_t dom, uint32_t param,
                     uint64_t value)
{
    if (!xen_sim_check_domid(__func__, dom)) {
        return -1;
    }
    xen_sim_set_hvm_param(param, value);
    xen_sim_log("xc_hvm_param_set param=%u value=0x%" PRIx64, param, value);
    return 0;
}

int xc_get_hvm_param(xc_interface *handle, uint32_t dom, int param,
                     unsigned long *value)
{
    uint64_t v;
    int rc = xc_hvm_param_get(handle, dom, param, &v);

    if (!rc) {
        *value = v;
    }
    return rc;
}

int xc_set_hvm_param(xc_interface *handle, uint32_t dom, int param,
                     unsigned long value)
{
    return xc_hvm_param_set(handle, dom, param, value);
}

static int populate(const char *func, uint32_t domid, unsigned long nr,
                    unsigned int order, unsigned int flags, xen_pfn_t *gfns)
{
    if (!xen_sim_check_domid(func, domid)) {
        return -1;
    }
    if (order > 18) {
        return xen_sim_error(func, EINVAL, "extent order %u", order);
    }
    for (unsigned long i = 0; i < nr; i++) {
        xen_sim_populate((uint64_t)gfns[i],
                         1ULL << order);
        xen_sim_log("%s gfn=0x%" PRIx64 " nr=0x%llx flags=0x%x", func,
                    (uint64_t)gfns[i], 1ULL << order, flags);
    }
    return 0;
}

int xc_domain_populate_physmap_exact(xc_interface *xch, uint32_t domid,
                                     unsigned long nr_extents,
                                     unsigned int extent_order,
                                     unsigned int mem_flags,
                                     xen_pfn_t *extent_start)
{
    return populate(__func__, domid, nr_extents, extent_order, mem_flags,
                    extent_start);
}

int xc_domain_populate_physmap(xc_interface *xch, uint32_t domid,
                               unsigned long nr_extents,
                               unsigned int extent_order,
                               unsigned int mem_flags,
                               xen_pfn_t *extent_start)
{
    int rc = populate(__func__, domid, nr_extents, extent_order, mem_flags,
                      extent_start);

    return rc < 0 ? rc : (int)nr_extents;
}

int xc_domain_shutdown(xc_interface *xch, uint32_t domid, int reason)
{
    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    xen_sim_log("xc_domain_shutdown reason=%d", reason);
    return 0;
}

static bool rdm_matches(const XenSimRdm *r, uint32_t flags, uint32_t sbdf)
{
    if (flags & XENMEM_RDM_ALL) {
        return r->host_wide;
    }
    for (unsigned i = 0; i < r->nr_sbdfs; i++) {
        if (r->sbdfs[i] == sbdf) {
            return true;
        }
    }
    return false;
}

/*
 * XENMEM_reserved_device_memory_map: with too small a buffer the answer
 * is ENOBUFS and the count needed in *max_entries (the two-call protocol).
 */
int xc_reserved_device_memory_map(xc_interface *xch, uint32_t flags,
                                  uint16_t seg, uint8_t bus, uint8_t devfn,
                                  struct xen_reserved_device_memory entries[],
                                  uint32_t *max_entries)
{
    static unsigned calls;
    uint32_t sbdf = ((uint32_t)seg << 16) | ((uint32_t)bus << 8) | devfn;
    uint32_t n = 0, extra = 0, i;

    calls++;
    xen_sim_log("xc_reserved_device_memory_map call=%u flags=0x%x "
                "sbdf=%04x:%02x:%02x.%u max_entries=%u", calls, flags, seg,
                bus, devfn >> 3, devfn & 7, *max_entries);
    if (xen_sim_restricted()) {
        return xen_sim_error(__func__, ENOTTY, "restricted");
    }
    if (xen_sim_fault(XEN_SIM_FAULT_RDM_ENOSYS)) {
        xen_sim_log("xc_reserved_device_memory_map -> ENOSYS (fault)");
        errno = ENOSYS;
        return -1;
    }
    if (xen_sim_fault(XEN_SIM_FAULT_RDM_EPERM)) {
        xen_sim_log("xc_reserved_device_memory_map -> EPERM (fault)");
        errno = EPERM;
        return -1;
    }
    if (flags & ~XENMEM_RDM_ALL) {
        return xen_sim_error(__func__, EINVAL, "flags 0x%x", flags);
    }
    for (i = 0; i < xen_sim_rdm_count(); i++) {
        n += rdm_matches(xen_sim_rdm_get(i), flags, sbdf);
    }
    /*
     * rdm-count-change: every call after the first sees one more region
     * (a region appearing between the two calls of the protocol).
     */
    if (xen_sim_fault(XEN_SIM_FAULT_RDM_COUNT_CHANGE) && calls > 1) {
        extra = 1;
    }
    if (*max_entries < n + extra) {
        xen_sim_log("xc_reserved_device_memory_map -> ENOBUFS need=%u",
                    n + extra);
        *max_entries = n + extra;
        errno = ENOBUFS;
        return -1;
    }
    n = 0;
    for (i = 0; i < xen_sim_rdm_count(); i++) {
        const XenSimRdm *r = xen_sim_rdm_get(i);

        if (rdm_matches(r, flags, sbdf)) {
            entries[n].start_pfn = r->start >> XEN_SIM_PAGE_SHIFT;
            entries[n].nr_pages = (r->size + XEN_SIM_PAGE_SIZE - 1) >>
                                  XEN_SIM_PAGE_SHIFT;
            n++;
        }
    }
    if (extra) {
        /* the late region: 64 KiB at 3 GiB - 64 KiB */
        entries[n].start_pfn = (0xc0000000ULL - 0x10000) >> XEN_SIM_PAGE_SHIFT;
        entries[n].nr_pages = 0x10;
        n++;
    }
    *max_entries = n;
    xen_sim_log("xc_reserved_device_memory_map -> 0 entries=%u", n);
    return 0;
}

/*
 * XEN_DOMCTL_getdomaininfo for the domains from @first_domid on: the
 * simulated domain only, HVM, with HAP as the scenario says
 */
int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid,
                      unsigned int max_doms, xc_dominfo_t *info)
{
    xen_sim_log("xc_domain_getinfo first_domid=%u max_doms=%u", first_domid,
                max_doms);
    if (xen_sim_restricted()) {
        return xen_sim_error(__func__, ENOTTY, "restricted");
    }
    if (!max_doms || first_domid > xen_sim_domid()) {
        return 0;
    }
    memset(info, 0, sizeof(*info));
    info->domid = xen_sim_domid();
    info->hvm = 1;
    info->hap = xen_sim_hap();
    info->max_vcpu_id = 0;
    info->nr_online_vcpus = 1;
    xen_sim_log("xc_domain_getinfo -> domid=%u hap=%d", info->domid,
                info->hap);
    return 1;
}
