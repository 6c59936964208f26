/*
 * Reserved device memory (RDM) in Xen HVM guests: the guest RAM layout
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_XEN_XEN_RDM_H
#define HW_XEN_XEN_RDM_H

#include "hw/xen/xen-rdm-plan.h"

struct PCMachineState;
typedef struct XenRdmState XenRdmState;

/* Lay guest RAM out as @ram (XenRdmRange, sorted), replacing any layout */
typedef void (*XenRdmMapRamFn)(const GArray *ram);

/*
 * Decide where the guest RAM of the Xen HVM machine @pcms, of @ram_size
 * bytes, is, RAM below 4 GiB stopping at @mmio_start: where the
 * toolstack populated it (the guest's hvm_info_table), else QEMU's own
 * plan when the machine property "xen-rdm" asks for reserved device
 * memory, else QEMU's classic layout.  With "xen-rdm", the hypervisor
 * is asked for the regions and the plan checks the toolstack's RAM: a
 * strict region in guest RAM is an error.  Keeps the layout in @pcms,
 * sets @ram to the RAM ranges to map (owned by the layout) and
 * @block_len to the size of the guest RAM block to create for them.
 * @map_ram lays RAM out again when an incoming migration brings another
 * layout.
 */
bool xen_rdm_guest_ram(struct PCMachineState *pcms, uint64_t ram_size,
                       uint64_t mmio_start, XenRdmMapRamFn map_ram,
                       const GArray **ram, uint64_t *block_len,
                       Error **errp);

/*
 * Whether the RAM @pcms laid out has holes, so that it spans more than
 * the RAM size below and above 4 GiB
 */
bool xen_rdm_ram_has_holes(struct PCMachineState *pcms);

#endif
