/*
 * Reserved device memory (RDM) in Xen HVM guests: the machine property
 * "xen-rdm" of the xenfv machine types
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_XEN_XEN_RDM_OPTIONS_H
#define HW_XEN_XEN_RDM_OPTIONS_H

#include "hw/xen/xen-rdm-plan.h"
#include "hw/boards.h"

/*
 * Add the property "xen-rdm" (XenRdmOptions) to a machine class whose
 * instances are PCMachineState (the xenfv machine types)
 */
void xen_rdm_machine_class_init(ObjectClass *oc);

/*
 * Whether @ms asks for reserved device memory: strategy host, or
 * devices to reserve for.  False for a machine without the property.
 */
bool xen_rdm_requested(MachineState *ms);

/*
 * The planner's settings from the property of @ms, for a guest of
 * @ram_size bytes whose RAM below 4 GiB stops at @mmio_start, on a
 * domain that uses hardware-assisted paging when @hap.  The devices
 * point into @ms's options, which outlive @cfg.
 */
void xen_rdm_machine_config(MachineState *ms, uint64_t ram_size,
                            uint64_t mmio_start, bool hap,
                            XenRdmConfig *cfg);

/*
 * The policy xen-rdm.pci of @ms gives the device @sbdf; false when the
 * device is not listed
 */
bool xen_rdm_listed_policy(MachineState *ms, uint32_t sbdf,
                           XenRdmPolicy *policy);

#endif
