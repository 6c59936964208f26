/*
 * PCI topology from Linux sysfs: the secondary bus of a PCI bridge, read
 * from its configuration space, so that DMAR device scopes whose path
 * crosses bridges can be turned into SBDFs on the host that runs us.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"

#include <fcntl.h>
#include <sys/stat.h>

#define PCI_VENDOR_ID           0x00
#define PCI_HEADER_TYPE         0x0e
#define PCI_HEADER_TYPE_MASK    0x7f
#define PCI_HEADER_TYPE_BRIDGE  1
#define PCI_PRIMARY_BUS         0x18
#define PCI_SECONDARY_BUS       0x19
/* What an unprivileged reader of sysfs config gets: the standard header */
#define PCI_STD_HEADER_LEN      64

/*
 * Read up to @size bytes of @path; returns how many, -1 (errno set) when
 * it cannot be read, -2 when it is not a regular file
 */
static ssize_t pci_sysfs_read(const char *path, uint8_t *buf, size_t size)
{
    size_t done = 0;
    struct stat st;
    /* never wait on a FIFO or a device planted in a fake sysfs tree */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0) {
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        int saved = errno;

        close(fd);
        errno = saved;
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return -2;
    }
    while (done < size) {
        ssize_t n = read(fd, buf + done, size - done);

        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n < 0) {
            int saved = errno;

            close(fd);
            errno = saved;
            return -1;
        }
        if (n == 0) {
            break;
        }
        done += n;
    }
    close(fd);
    return done;
}

static bool pci_sysfs_secondary_bus(void *opaque, uint32_t bridge_sbdf,
                                    uint8_t *secondary_bus, Error **errp)
{
    const char *root = opaque;
    g_autofree char *sbdf = xen_rdm_sbdf_to_string(bridge_sbdf);
    g_autofree char *path = g_strdup_printf("%s/bus/pci/devices/%s/config",
                                            root, sbdf);
    uint8_t cfg[PCI_STD_HEADER_LEN];
    ssize_t n = pci_sysfs_read(path, cfg, sizeof(cfg));
    uint8_t header_type;

    if (n == -2) {
        error_setg(errp, "PCI bridge %s: %s is not a regular file", sbdf,
                   path);
        return false;
    }
    if (n < 0) {
        error_setg(errp, "PCI bridge %s: cannot read %s: %s", sbdf, path,
                   g_strerror(errno));
        return false;
    }
    if (n <= PCI_SECONDARY_BUS) {
        error_setg(errp, "PCI bridge %s: %s has only %zd bytes, too short "
                   "for a bridge header", sbdf, path, n);
        return false;
    }
    if (cfg[PCI_VENDOR_ID] == 0xff && cfg[PCI_VENDOR_ID + 1] == 0xff) {
        error_setg(errp, "PCI bridge %s: %s reads vendor ID 0xffff: no "
                   "device there", sbdf, path);
        return false;
    }
    header_type = cfg[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MASK;
    if (header_type != PCI_HEADER_TYPE_BRIDGE) {
        error_setg(errp, "PCI device %s is not a PCI-to-PCI bridge: its "
                   "header type is %u, not 1", sbdf, header_type);
        return false;
    }
    if (cfg[PCI_SECONDARY_BUS] <= XEN_RDM_SBDF_BUS(bridge_sbdf)) {
        error_setg(errp, "PCI bridge %s has secondary bus %02x, not above "
                   "its own bus: bridge not configured", sbdf,
                   cfg[PCI_SECONDARY_BUS]);
        return false;
    }
    *secondary_bus = cfg[PCI_SECONDARY_BUS];
    return true;
}

void xen_rdm_pci_resolver_sysfs(XenRdmPciResolver *resolver,
                                const char *sysfs_root)
{
    resolver->secondary_bus = pci_sysfs_secondary_bus;
    resolver->opaque = (void *)sysfs_root;
}
