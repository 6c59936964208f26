/*
 * What libxc populates for a guest's RAM ranges: how many pages of each
 * size its domain builder asks the hypervisor for
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef XEN_GLUE_RDM_PAGES_H
#define XEN_GLUE_RDM_PAGES_H

#include "hw/xen/xen-rdm-layout.h"

typedef struct XenRdmPages {
    uint64_t pages_4k, pages_2m, pages_1g;
} XenRdmPages;

/*
 * The pages libxc's meminit_hvm() (Xen 4.17, a guest with a device model)
 * populates @nr RAM ranges with, one libxc vmemrange each, counted as the
 * "PHYSICAL MEMORY ALLOCATION" lines of its log count them: 1 GiB where
 * the address is 1 GiB aligned and the range holds a whole 1 GiB, else
 * 2 MiB likewise, else 4 KiB; the range at address 0 in 4 KiB pages up
 * to 2 MiB (the 32 pages of the VGA hole, which libxc skips, counted as
 * libxc counts them).  Assumes every allocation succeeds.
 */
void xen_rdm_ram_pages(const XenRdmRange *ram, size_t nr, XenRdmPages *pages);

/* Bytes of @ram at or above 2 MiB in 4 KiB pages, given @pages of it */
uint64_t xen_rdm_pages_4k_above_2m(const XenRdmRange *ram, size_t nr,
                                   const XenRdmPages *pages);

#endif
