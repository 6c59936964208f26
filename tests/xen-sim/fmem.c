/*
 * xen-sim: libxenforeignmemory.so.1.  Foreign mappings map pages of the
 * simulated domain's memory file, so QEMU's mapcache really reads and
 * writes the guest's memory.
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
#include <sys/mman.h>

#include <xenforeignmemory.h>
#include <xen/memory.h>

#include "xen-sim.h"

struct xenforeignmemory_handle {
    unsigned magic;
};

struct xenforeignmemory_resource_handle {
    void *addr;
    unsigned long nr_frames;
};

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger,
                                               unsigned int open_flags)
{
    xenforeignmemory_handle *h;

    if (xen_sim_no_xen()) {
        fprintf(stderr, "xenforeignmemory: error: Could not obtain handle on "
                "privileged command interface: No such file or directory "
                "(xen-sim: mode=no-xen)\n");
        errno = ENOENT;
        return NULL;
    }
    h = calloc(1, sizeof(*h));
    xen_sim_log("xenforeignmemory_open handle=%p", (void *)h);
    return h;
}

int xenforeignmemory_close(xenforeignmemory_handle *fmem)
{
    xen_sim_log("xenforeignmemory_close handle=%p", (void *)fmem);
    free(fmem);
    return 0;
}

int xenforeignmemory_restrict(xenforeignmemory_handle *fmem, domid_t domid)
{
    xen_sim_log("xenforeignmemory_restrict domid=%u", domid);
    return xen_sim_check_domid(__func__, domid) ? 0 : -1;
}

void *xenforeignmemory_map2(xenforeignmemory_handle *fmem, uint32_t dom,
                            void *addr, int prot, int flags, size_t pages,
                            const xen_pfn_t arr[], int err[])
{
    uint64_t *gfns;
    void *ret;
    size_t bad = 0;

    if (!xen_sim_check_domid(__func__, dom)) {
        return NULL;
    }
    if (!pages) {
        xen_sim_error(__func__, EINVAL, "zero pages");
        return NULL;
    }
    if (xen_sim_fault(XEN_SIM_FAULT_FOREIGN_MAP)) {
        xen_sim_error(__func__, EFAULT, "fault injected by the scenario "
                      "(foreign-map): gfn 0x%" PRIx64 " pages %zu",
                      (uint64_t)arr[0], pages);
        return NULL;
    }
    gfns = malloc(pages * sizeof(*gfns));
    for (size_t i = 0; i < pages; i++) {
        gfns[i] = arr[i];
    }
    ret = xen_sim_map_gfns((flags & MAP_FIXED) ? addr : NULL, prot, pages,
                           gfns, err);
    if (err) {
        for (size_t i = 0; i < pages; i++) {
            bad += err[i] != 0;
        }
    }
    xen_sim_log("xenforeignmemory_map gfn=0x%" PRIx64 " pages=%zu prot=%d "
                "unpopulated=%zu -> %s", gfns[0], pages, prot, bad,
                ret ? "ok" : "error");
    free(gfns);
    return ret;
}

void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom,
                           int prot, size_t pages, const xen_pfn_t arr[],
                           int err[])
{
    return xenforeignmemory_map2(fmem, dom, NULL, prot, 0, pages, arr, err);
}

int xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr,
                           size_t pages)
{
    xen_sim_log("xenforeignmemory_unmap pages=%zu", pages);
    return munmap(addr, pages * XEN_SIM_PAGE_SIZE);
}

xenforeignmemory_resource_handle *xenforeignmemory_map_resource(
    xenforeignmemory_handle *fmem, domid_t domid, unsigned int type,
    unsigned int id, unsigned long frame, unsigned long nr_frames,
    void **paddr, int prot, int flags)
{
    xenforeignmemory_resource_handle *fres;
    uint64_t gfns[2];

    if (!xen_sim_check_domid(__func__, domid)) {
        return NULL;
    }
    if (type != XENMEM_resource_ioreq_server) {
        xen_sim_error(__func__, EOPNOTSUPP, "resource type %u is not "
                      "modelled (only ioreq server pages are)", type);
        return NULL;
    }
    if (!xen_sim_ioreq_server_exists(id) || frame + nr_frames > 2 ||
        !nr_frames) {
        xen_sim_error(__func__, EINVAL, "ioreq server %u frames %lu+%lu",
                      id, frame, nr_frames);
        return NULL;
    }
    /* frame 0: buffered ioreq page, frame 1: synchronous ioreq page */
    for (unsigned long i = 0; i < nr_frames; i++) {
        gfns[i] = frame + i == 0 ? xen_sim_bufioreq_gfn(id) :
                                   xen_sim_ioreq_gfn(id);
    }
    fres = calloc(1, sizeof(*fres));
    fres->addr = xen_sim_map_gfns((flags & MAP_FIXED) ? *paddr : NULL, prot,
                                  nr_frames, gfns, NULL);
    if (!fres->addr) {
        int e = errno;

        free(fres);
        xen_sim_error(__func__, e, "mapping ioreq server pages failed");
        return NULL;
    }
    fres->nr_frames = nr_frames;
    *paddr = fres->addr;
    xen_sim_log("xenforeignmemory_map_resource type=ioreq_server id=%u "
                "frame=%lu nr_frames=%lu", id, frame, nr_frames);
    return fres;
}

int xenforeignmemory_unmap_resource(xenforeignmemory_handle *fmem,
                                    xenforeignmemory_resource_handle *fres)
{
    if (fres) {
        munmap(fres->addr, fres->nr_frames * XEN_SIM_PAGE_SIZE);
        free(fres);
    }
    xen_sim_log("xenforeignmemory_unmap_resource");
    return 0;
}
