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

/* Add the "xen-rdm" property (XenRdmOptions) to a machine class */
void xen_rdm_machine_class_init(ObjectClass *oc);

/* Refuse "xen-rdm" on a machine that does not run on Xen */
bool xen_rdm_check_machine_options(Error **errp);

/*
 * Plan the guest RAM of a Xen HVM machine of @ram_size bytes whose RAM
 * below 4 GiB stops at @max_ram_below_4g.  When the machine asks for
 * reserved device memory, the hypervisor is asked for the regions and
 * @plan is set to the layout to build (owned by this module); a strict
 * conflict, or a hypervisor that cannot answer, is an error.  When it
 * does not ask, @plan is NULL and QEMU lays RAM out as it always has.
 */
bool xen_rdm_plan_guest_ram(uint64_t ram_size, uint64_t max_ram_below_4g,
                            const XenRdmPlan **plan, Error **errp);

/*
 * Check the host device SSSS:BB:DD.F about to be passed through against
 * the running layout, under @policy ("strict" or "relaxed"; NULL: the
 * device's policy from xen-rdm.pci, else strict).  Relaxed conflicts are
 * warned about and reported with XEN_RDM_CONFLICT; a strict one fails.
 */
bool xen_rdm_check_passthrough(uint16_t seg, uint8_t bus, uint8_t dev,
                               uint8_t fn, const char *policy,
                               Error **errp);

#endif
