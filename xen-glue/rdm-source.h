/*
 * Where RDM regions come from: ACPI DMAR tables, plain text region files
 * and the Xen hypervisor (libxenctrl).  Each source fills a XenRdmMap
 * that the planner (hw/xen/xen-rdm-plan.c) consumes.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef XEN_GLUE_RDM_SOURCE_H
#define XEN_GLUE_RDM_SOURCE_H

#include "hw/xen/xen-rdm-plan.h"

/*
 * ACPI DMAR (Intel VT-d) tables
 * -----------------------------
 *
 * Every RMRR becomes one host-wide XenRdmEntry whose devices are the
 * RMRR's device scopes.  A scope whose path has a single hop names
 * segment:start_bus:dev.fn directly.  A longer path crosses bridges: the
 * device's bus is the secondary bus of the last bridge on the path, which
 * only the host's PCI topology knows.  With a resolver the path is walked
 * hop by hop; without one, or when a hop cannot be resolved, the scope is
 * recorded with xen_rdm_entry_add_unresolved() as
 * "unresolved:SSSS:BB:DD.F/DD.F[/...]" (start bus, then each hop), which
 * is never mistaken for an SBDF.
 */

/*
 * Answers the secondary bus number of the PCI bridge at @bridge_sbdf.
 * Returns false (and sets @errp) when the bridge is not known.
 */
typedef bool (*XenRdmSecondaryBusFn)(void *opaque, uint32_t bridge_sbdf,
                                     uint8_t *secondary_bus, Error **errp);

typedef struct XenRdmPciResolver {
    XenRdmSecondaryBusFn secondary_bus;
    void *opaque;
} XenRdmPciResolver;

/*
 * Resolver reading Linux sysfs under @sysfs_root (normally "/sys"):
 * <root>/bus/pci/devices/SSSS:BB:DD.F/config, byte 0x19 of a type 1
 * header.  @sysfs_root must outlive the resolver.
 */
void xen_rdm_pci_resolver_sysfs(XenRdmPciResolver *resolver,
                                const char *sysfs_root);

/*
 * Parse a binary DMAR table in @buf (@len bytes).  @name names the table
 * in error messages (e.g. its file name).  Checks the signature, the
 * header length against @len, the checksum, every remapping structure's
 * type/length and every device scope; on any error nothing is added to
 * @map and @errp says what is wrong and at which byte offset.
 * @resolver may be NULL (multi-hop scopes are then left unresolved).
 */
bool xen_rdm_dmar_parse(const uint8_t *buf, size_t len, const char *name,
                        const XenRdmPciResolver *resolver, XenRdmMap *map,
                        Error **errp);

/* Read @path (e.g. /sys/firmware/acpi/tables/DMAR) and parse it */
bool xen_rdm_dmar_load(const char *path, const XenRdmPciResolver *resolver,
                       XenRdmMap *map, Error **errp);

/*
 * RDM text files
 * --------------
 *
 * One region per line: START SIZE [SBDF...]; '#' starts a comment, blank
 * lines are ignored.  START is a number (decimal or 0x hex), SIZE a size
 * as xen_rdm_size_parse() takes it, SBDFs as xen_rdm_sbdf_parse() takes
 * them.  Every region is host-wide; the SBDFs are the devices it is tied
 * to.  See docs/rdm-sources.rst.  Errors name the file and line.
 */
bool xen_rdm_file_parse(const char *text, size_t len, const char *name,
                        XenRdmMap *map, Error **errp);
bool xen_rdm_file_load(const char *path, XenRdmMap *map, Error **errp);

/*
 * The hypervisor (XENMEM_reserved_device_memory_map)
 * --------------------------------------------------
 *
 * Ask Xen through libxenctrl: the host-wide list when @host_wide, and the
 * list of every device in @sbdfs.  Host-wide regions are added with
 * host_wide set and no device; a device's regions are added with that
 * device.  Follows the two-call protocol (a first call with no buffer is
 * answered ENOBUFS and the count), retries when the count changes between
 * the calls, refuses absurd counts and rejects zero-size or wrapping
 * entries.  On a host without Xen it fails with a clear message.
 */
/* Caps on what a source file may hold (bytes) */
#define XEN_RDM_DMAR_MAX_SIZE   (1u << 20)      /* an ACPI table: a few KiB */
#define XEN_RDM_FILE_MAX_SIZE   (64u << 20)     /* a million regions and more */

/*
 * Read the whole of @path (at most @max bytes), a @what ("DMAR table",
 * "RDM file", ...), into a NUL-terminated g_malloc'd buffer.  Anything
 * but a regular file is refused without blocking (a FIFO, a device), and
 * so is a file larger than @max, before it is read.
 */
bool xen_rdm_read_file(const char *path, const char *what, size_t max,
                       char **data, size_t *len, Error **errp);

bool xen_rdm_xenctrl_query(bool host_wide, const uint32_t *sbdfs,
                           size_t nr_sbdfs, XenRdmMap *map, Error **errp);

#endif
