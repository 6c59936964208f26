/*
 * Reserved device memory (RDM) in Xen HVM guests: checking a host device
 * before it is passed through
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_XEN_XEN_RDM_DEVICE_H
#define HW_XEN_XEN_RDM_DEVICE_H

#include "hw/xen/xen-rdm-plan.h"
#include "hw/qdev-properties.h"
#include "qapi/qapi-types-misc-target.h"

/* xen-pci-passthrough's "rdm-policy" (XenRdmDevicePolicy) */
extern const PropertyInfo qdev_prop_xen_rdm_device_policy;

/* What checking a host device against the RAM in use found */
typedef struct XenRdmDeviceResult {
    GPtrArray *regions;     /* XenRdmRegion *: the device's, with status */
    char *refusal;          /* why it may not be added, NULL if it may */
} XenRdmDeviceResult;

void xen_rdm_device_result_free(XenRdmDeviceResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(XenRdmDeviceResult, xen_rdm_device_result_free)

/*
 * Check the host device @sbdf against the guest RAM in use under
 * @policy: its regions (the ones asked for at initialisation when
 * xen-rdm.pci lists it, else the hypervisor's answer now), each with its
 * status, and the refusal naming the first strict conflict.  NULL with
 * @errp set when the check cannot be made: no Xen HVM RAM layout, or the
 * hypervisor cannot be asked (QEMU runs restricted, no RDM support).
 */
XenRdmDeviceResult *xen_rdm_check_host_device(uint32_t sbdf,
                                              XenRdmPolicy policy,
                                              Error **errp);

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
