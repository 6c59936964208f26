/*
 * What libxc populates for a guest's RAM ranges
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "rdm-pages.h"

#define PAGES_4K    0x1000ULL
#define PAGES_2M    0x200000ULL
#define PAGES_1G    0x40000000ULL
/* libxc populates 0-0x9ffff, skips the VGA hole and counts it all */
#define PAGES_VGA_END 0xc0000ULL

/* [@pos, @end): as meminit_hvm()'s loop over one vmemrange */
static void range_pages(uint64_t pos, uint64_t end, XenRdmPages *p)
{
    uint64_t end_2m = QEMU_ALIGN_DOWN(end, PAGES_2M);
    uint64_t end_1g = QEMU_ALIGN_DOWN(end, PAGES_1G);
    uint64_t next;

    if (pos >= end) {
        return;
    }
    /* up to the next 2 MiB boundary in 4 KiB pages */
    next = MIN(QEMU_ALIGN_UP(pos, PAGES_2M), end);
    p->pages_4k += (next - pos) / PAGES_4K;
    pos = next;
    if (pos < end_2m) {
        /* 2 MiB pages up to a 1 GiB boundary, 1 GiB pages, 2 MiB again */
        next = MIN(QEMU_ALIGN_UP(pos, PAGES_1G), end_2m);
        p->pages_2m += (next - pos) / PAGES_2M;
        pos = next;
        if (pos < end_1g) {
            p->pages_1g += (end_1g - pos) / PAGES_1G;
            pos = end_1g;
        }
        p->pages_2m += (end_2m - pos) / PAGES_2M;
        pos = end_2m;
    }
    p->pages_4k += (end - pos) / PAGES_4K;
}

void xen_rdm_ram_pages(const XenRdmRange *ram, size_t nr, XenRdmPages *pages)
{
    size_t i;

    *pages = (XenRdmPages){ 0 };
    for (i = 0; i < nr; i++) {
        uint64_t pos = ram[i].start, end = ram[i].start + ram[i].size;

        if (!pos) {
            pages->pages_4k += PAGES_VGA_END / PAGES_4K;
            pos = PAGES_VGA_END;
        }
        range_pages(pos, end, pages);
    }
}

uint64_t xen_rdm_pages_4k_above_2m(const XenRdmRange *ram, size_t nr,
                                   const XenRdmPages *pages)
{
    uint64_t below = 0;
    size_t i;

    /* RAM below 2 MiB is all in 4 KiB pages */
    for (i = 0; i < nr && ram[i].start < PAGES_2M; i++) {
        below += MIN(ram[i].start + ram[i].size, PAGES_2M) - ram[i].start;
    }
    return pages->pages_4k * PAGES_4K - below;
}
