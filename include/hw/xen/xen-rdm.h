/*
 * Reserved device memory (RDM) in Xen HVM guests
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_XEN_XEN_RDM_H
#define HW_XEN_XEN_RDM_H

#include "hw/xen/xen-rdm-plan.h"
#include "qapi/qapi-types-xen-target.h"

/* xen-pci-passthrough's "rdm-policy" (XenRdmDevicePolicy) */
extern const PropertyInfo qdev_prop_xen_rdm_device_policy;

/* Add the "xen-rdm" property (XenRdmOptions) to a machine class */
void xen_rdm_machine_class_init(ObjectClass *oc);

/* Refuse "xen-rdm" on a machine that does not run on Xen */
bool xen_rdm_check_machine_options(Error **errp);

/* Lay guest RAM out as @ram (XenRdmRange, sorted), replacing any layout */
typedef void (*XenRdmMapRamFn)(const GArray *ram);

/*
 * Decide where the guest RAM of a Xen HVM machine of @ram_size bytes is,
 * RAM below 4 GiB stopping at @mmio_start: where the toolstack populated
 * it (the guest's hvm_info_table), else QEMU's own plan when the machine
 * property "xen-rdm" asks for reserved device memory, else QEMU's
 * classic layout.  With "xen-rdm", the hypervisor is asked for the
 * regions and the plan checks the toolstack's RAM: a strict region in
 * guest RAM is an error.  Sets @ram to the RAM ranges to map (owned by
 * this module) and @block_len to the size of the guest RAM block to
 * create for them.  @map_ram lays RAM out again when an incoming
 * migration brings another layout.
 */
bool xen_rdm_guest_ram(uint64_t ram_size, uint64_t mmio_start,
                       XenRdmMapRamFn map_ram, const GArray **ram,
                       uint64_t *block_len, Error **errp);

/*
 * Whether the RAM in use has holes, so that it spans more than the RAM
 * size below and above 4 GiB
 */
bool xen_rdm_ram_has_holes(void);

/*
 * Check the host device SSSS:BB:DD.F about to be passed through against
 * the RAM in use.  Under a policy QEMU was told (@policy, or the
 * device's in xen-rdm.pci when @policy is auto) a strict collision
 * fails and a relaxed one is warned about and reported with
 * XEN_RDM_CONFLICT.  A device QEMU was told no policy for is checked
 * and a collision warned about and reported, but it is added: Xen
 * applies the toolstack's policy when it assigns the device.
 */
bool xen_rdm_check_passthrough(uint16_t seg, uint8_t bus, uint8_t dev,
                               uint8_t fn, XenRdmDevicePolicy policy,
                               Error **errp);

#endif
