/*
 * xen-sim: libxendevicemodel.so.1 (ioreq server, memory types, relocation,
 * interrupt lines).  Everything QEMU asks is recorded in the call log.
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
#include <unistd.h>

#include <xendevicemodel.h>
#include <xen/hvm/ioreq.h>

#include "xen-sim.h"

struct xendevicemodel_handle {
    unsigned magic;
};

xendevicemodel_handle *xendevicemodel_open(struct xentoollog_logger *logger,
                                           unsigned int open_flags)
{
    xendevicemodel_handle *h;

    if (xen_sim_no_xen()) {
        fprintf(stderr, "xendevicemodel: error: Could not obtain handle on "
                "privileged command interface: No such file or directory "
                "(xen-sim: mode=no-xen)\n");
        errno = ENOENT;
        return NULL;
    }
    h = calloc(1, sizeof(*h));
    xen_sim_log("xendevicemodel_open handle=%p", (void *)h);
    return h;
}

int xendevicemodel_close(xendevicemodel_handle *dmod)
{
    xen_sim_log("xendevicemodel_close handle=%p", (void *)dmod);
    free(dmod);
    return 0;
}

int xendevicemodel_restrict(xendevicemodel_handle *dmod, domid_t domid)
{
    xen_sim_log("xendevicemodel_restrict domid=%u", domid);
    return xen_sim_check_domid(__func__, domid) ? 0 : -1;
}

static bool check_server(const char *func, domid_t domid, ioservid_t id)
{
    if (!xen_sim_check_domid(func, domid)) {
        return false;
    }
    if (!xen_sim_ioreq_server_exists(id)) {
        xen_sim_error(func, ENOENT, "no ioreq server %u", id);
        return false;
    }
    return true;
}

static void write_page(uint64_t gfn, const void *data)
{
    if (pwrite(xen_sim_mem_fd(), data, XEN_SIM_PAGE_SIZE,
               gfn << XEN_SIM_PAGE_SHIFT) != (ssize_t)XEN_SIM_PAGE_SIZE) {
        xen_sim_warn("writing gfn 0x%" PRIx64 " failed: %s", gfn,
                     strerror(errno));
    }
}

int xendevicemodel_create_ioreq_server(xendevicemodel_handle *dmod,
                                       domid_t domid, int handle_bufioreq,
                                       ioservid_t *id)
{
    uint8_t page[XEN_SIM_PAGE_SIZE];
    ioreq_t *req = (ioreq_t *)page;
    uint16_t sid;

    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    if (xen_sim_fault(XEN_SIM_FAULT_IOREQ_SERVER)) {
        return xen_sim_error(__func__, EPERM,
                             "fault injected by the scenario (ioreq-server)");
    }
    if (xen_sim_ioreq_server_create(handle_bufioreq, &sid) < 0) {
        return xen_sim_error(__func__, errno, "no free ioreq server");
    }
    memset(page, 0, sizeof(page));
    write_page(xen_sim_bufioreq_gfn(sid), page);
    /* every vCPU slot gets its event channel, as Xen fills vp_eport */
    for (unsigned i = 0; i < XEN_SIM_MAX_VCPUS; i++) {
        req[i].vp_eport = XEN_SIM_VCPU_PORT_BASE + i;
    }
    write_page(xen_sim_ioreq_gfn(sid), page);
    *id = sid;
    xen_sim_log("xendevicemodel_create_ioreq_server id=%u bufioreq=%d "
                "ioreq_gfn=0x%" PRIx64 " bufioreq_gfn=0x%" PRIx64
                " bufioreq_port=%u vcpu_port_base=%u", sid, handle_bufioreq,
                xen_sim_ioreq_gfn(sid), xen_sim_bufioreq_gfn(sid),
                XEN_SIM_BUFIOREQ_PORT, XEN_SIM_VCPU_PORT_BASE);
    return 0;
}

int xendevicemodel_get_ioreq_server_info(xendevicemodel_handle *dmod,
                                         domid_t domid, ioservid_t id,
                                         xen_pfn_t *ioreq_gfn,
                                         xen_pfn_t *bufioreq_gfn,
                                         evtchn_port_t *bufioreq_port)
{
    if (!check_server(__func__, domid, id)) {
        return -1;
    }
    if (ioreq_gfn) {
        *ioreq_gfn = xen_sim_ioreq_gfn(id);
    }
    if (bufioreq_gfn) {
        *bufioreq_gfn = xen_sim_bufioreq_gfn(id);
    }
    if (bufioreq_port) {
        *bufioreq_port = XEN_SIM_BUFIOREQ_PORT;
    }
    xen_sim_log("xendevicemodel_get_ioreq_server_info id=%u", id);
    return 0;
}

int xendevicemodel_map_io_range_to_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id, int is_mmio,
    uint64_t start, uint64_t end)
{
    if (!check_server(__func__, domid, id)) {
        return -1;
    }
    xen_sim_log("map_io_range id=%u %s start=0x%" PRIx64 " end=0x%" PRIx64,
                id, is_mmio ? "mmio" : "port", start, end);
    return 0;
}

int xendevicemodel_unmap_io_range_from_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id, int is_mmio,
    uint64_t start, uint64_t end)
{
    if (!check_server(__func__, domid, id)) {
        return -1;
    }
    xen_sim_log("unmap_io_range id=%u %s start=0x%" PRIx64 " end=0x%" PRIx64,
                id, is_mmio ? "mmio" : "port", start, end);
    return 0;
}

int xendevicemodel_map_pcidev_to_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
    uint16_t segment, uint8_t bus, uint8_t device, uint8_t function)
{
    if (!check_server(__func__, domid, id)) {
        return -1;
    }
    xen_sim_log("map_pcidev id=%u sbdf=%04x:%02x:%02x.%u", id, segment, bus,
                device, function);
    return 0;
}

int xendevicemodel_unmap_pcidev_from_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
    uint16_t segment, uint8_t bus, uint8_t device, uint8_t function)
{
    if (!check_server(__func__, domid, id)) {
        return -1;
    }
    xen_sim_log("unmap_pcidev id=%u sbdf=%04x:%02x:%02x.%u", id, segment,
                bus, device, function);
    return 0;
}

int xendevicemodel_destroy_ioreq_server(xendevicemodel_handle *dmod,
                                        domid_t domid, ioservid_t id)
{
    if (!check_server(__func__, domid, id)) {
        return -1;
    }
    xen_sim_ioreq_server_destroy(id);
    xen_sim_log("xendevicemodel_destroy_ioreq_server id=%u", id);
    return 0;
}

int xendevicemodel_set_ioreq_server_state(xendevicemodel_handle *dmod,
                                          domid_t domid, ioservid_t id,
                                          int enabled)
{
    if (!check_server(__func__, domid, id)) {
        return -1;
    }
    xen_sim_log("xendevicemodel_set_ioreq_server_state id=%u enabled=%d", id,
                enabled);
    return 0;
}

int xendevicemodel_set_pci_intx_level(xendevicemodel_handle *dmod,
                                      domid_t domid, uint16_t segment,
                                      uint8_t bus, uint8_t device,
                                      uint8_t intx, unsigned int level)
{
    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    xen_sim_log("set_pci_intx_level sbdf=%04x:%02x:%02x intx=%u level=%u",
                segment, bus, device, intx, level);
    return 0;
}

int xendevicemodel_set_isa_irq_level(xendevicemodel_handle *dmod,
                                     domid_t domid, uint8_t irq,
                                     unsigned int level)
{
    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    xen_sim_log("set_isa_irq_level irq=%u level=%u", irq, level);
    return 0;
}

int xendevicemodel_set_irq_level(xendevicemodel_handle *dmod, domid_t domid,
                                 unsigned int irq, unsigned int level)
{
    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    xen_sim_log("set_irq_level irq=%u level=%u", irq, level);
    return 0;
}

int xendevicemodel_set_pci_link_route(xendevicemodel_handle *dmod,
                                      domid_t domid, uint8_t link,
                                      uint8_t irq)
{
    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    xen_sim_log("set_pci_link_route link=%u irq=%u", link, irq);
    return 0;
}

int xendevicemodel_inject_msi(xendevicemodel_handle *dmod, domid_t domid,
                              uint64_t msi_addr, uint32_t msi_data)
{
    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    xen_sim_log("inject_msi addr=0x%" PRIx64 " data=0x%x", msi_addr,
                msi_data);
    return 0;
}

int xendevicemodel_track_dirty_vram(xendevicemodel_handle *dmod,
                                    domid_t domid, uint64_t first_pfn,
                                    uint32_t nr, unsigned long *dirty_bitmap)
{
    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    /* no guest CPU writes here: report everything dirty, always correct */
    memset(dirty_bitmap, 0xff,
           (nr + 8 * sizeof(long) - 1) / (8 * sizeof(long)) * sizeof(long));
    xen_sim_log("track_dirty_vram first_pfn=0x%" PRIx64 " nr=%u", first_pfn,
                nr);
    return 0;
}

int xendevicemodel_modified_memory(xendevicemodel_handle *dmod,
                                   domid_t domid, uint64_t first_pfn,
                                   uint32_t nr)
{
    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    xen_sim_log("modified_memory first_pfn=0x%" PRIx64 " nr=%u", first_pfn,
                nr);
    return 0;
}

int xendevicemodel_set_mem_type(xendevicemodel_handle *dmod, domid_t domid,
                                hvmmem_type_t mem_type, uint64_t first_pfn,
                                uint32_t nr)
{
    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    xen_sim_log("set_mem_type type=%d first_pfn=0x%" PRIx64 " nr=0x%x",
                (int)mem_type, first_pfn, nr);
    return 0;
}

int xendevicemodel_shutdown(xendevicemodel_handle *dmod, domid_t domid,
                            unsigned int reason)
{
    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    xen_sim_log("xendevicemodel_shutdown reason=%u", reason);
    return 0;
}

/*
 * XENMAPSPACE_gmfn_range: the pages at src_gfn now appear at dst_gfn
 * (QEMU moves VRAM into a BAR this way).  Modelled by copying the
 * contents and moving the populated range.
 */
int xendevicemodel_relocate_memory(xendevicemodel_handle *dmod,
                                   domid_t domid, uint32_t size,
                                   uint64_t src_gfn, uint64_t dst_gfn)
{
    uint8_t page[XEN_SIM_PAGE_SIZE];
    int fd = xen_sim_mem_fd();

    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    for (uint32_t i = 0; i < size; i++) {
        if (!xen_sim_gfn_populated(src_gfn + i)) {
            return xen_sim_error(__func__, EINVAL, "gfn 0x%" PRIx64
                                 " is not populated", src_gfn + i);
        }
    }
    for (uint32_t i = 0; i < size; i++) {
        if (pread(fd, page, sizeof(page),
                  (src_gfn + i) << XEN_SIM_PAGE_SHIFT) != sizeof(page) ||
            pwrite(fd, page, sizeof(page),
                   (dst_gfn + i) << XEN_SIM_PAGE_SHIFT) != sizeof(page)) {
            return xen_sim_error(__func__, EIO, "copying gfn 0x%" PRIx64,
                                 src_gfn + i);
        }
    }
    xen_sim_depopulate(src_gfn, size);
    xen_sim_populate(dst_gfn, size);
    xen_sim_log("relocate_memory src_gfn=0x%" PRIx64 " dst_gfn=0x%" PRIx64
                " nr=0x%x", src_gfn, dst_gfn, size);
    return 0;
}

int xendevicemodel_pin_memory_cacheattr(xendevicemodel_handle *dmod,
                                        domid_t domid, uint64_t start,
                                        uint64_t end, uint32_t type)
{
    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    xen_sim_log("pin_memory_cacheattr start=0x%" PRIx64 " end=0x%" PRIx64
                " type=%u", start, end, type);
    return 0;
}
