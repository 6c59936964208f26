/*
 * Xen reserved device memory (RDM): the split guest RAM layout
 *
 * The part of the planner a toolstack needs to populate a guest around
 * its RDM regions: cut the regions at the fixed platform areas, merge
 * them, place the RAM around the holes and write the e820 map.  Plain
 * C99 with no allocation and no header beyond the C library's, so that
 * QEMU, the xen-rdm-plan tool and libxl (which uses neither glib nor
 * QEMU's headers) build this one file, as Xen's hypervisor and tools
 * share libelf.  The caller owns every array; each function says how
 * large the arrays it fills must be.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef HW_XEN_XEN_RDM_LAYOUT_H
#define HW_XEN_XEN_RDM_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The fixed platform areas no hole can be punched into */
typedef enum XenRdmArea {
    XEN_RDM_AREA_NONE,
    XEN_RDM_AREA_FIRST_MIB,     /* [0, 1 MiB): legacy BIOS and VGA */
    XEN_RDM_AREA_FIRMWARE,      /* [0xFC000000, 4 GiB): IO-APIC ... BIOS */
} XenRdmArea;

/* A guest RAM range */
typedef struct XenRdmRange {
    uint64_t start;
    uint64_t size;
} XenRdmRange;

typedef enum XenRdmE820Type {
    XEN_RDM_E820_RAM,
    XEN_RDM_E820_RESERVED,
} XenRdmE820Type;

typedef struct XenRdmE820Entry {
    uint64_t start;
    uint64_t size;
    XenRdmE820Type type;
} XenRdmE820Entry;

/*
 * A region, or a part of one, as the layout sees it: [start, end).
 * @source: the caller's index of the region it comes from.
 * @merged: set by xen_rdm_layout_merge(): the merged region it went into.
 */
typedef struct XenRdmLayoutRegion {
    uint64_t start;
    uint64_t end;
    uint32_t source;
    uint32_t merged;
    bool strict;
    uint8_t area;               /* XenRdmArea */
} XenRdmLayoutRegion;

/* What names a platform area in messages; NULL for XEN_RDM_AREA_NONE */
const char *xen_rdm_area_str(XenRdmArea area);

/* How many parts xen_rdm_layout_clip() cuts @regions into */
size_t xen_rdm_layout_nr_parts(const XenRdmLayoutRegion *regions,
                               size_t nr);

/*
 * Cut each region at the platform areas' edges into @parts (of
 * xen_rdm_layout_nr_parts() entries), each part with its region's
 * @source and @strict and the area it lies in.
 */
void xen_rdm_layout_clip(const XenRdmLayoutRegion *regions, size_t nr,
                         XenRdmLayoutRegion *parts);

/*
 * The order of parts xen_rdm_layout_merge() sorts them in (a qsort()
 * comparison): by start, end, then @source
 */
int xen_rdm_layout_part_cmp(const void *a, const void *b);

/*
 * Sort @parts by address (xen_rdm_layout_part_cmp(); parts sorted so
 * already cost only the check) and merge the overlapping or adjacent ones
 * outside the platform areas into @merged (room for @nr entries): a
 * merged region is strict if any of its parts is, and its @source is
 * that of its first part.  A part in a platform area is merged with
 * nothing.  Sets every part's @merged; returns the number of merged
 * regions, sorted by address.
 */
size_t xen_rdm_layout_merge(XenRdmLayoutRegion *parts, size_t nr,
                            XenRdmLayoutRegion *merged);

/*
 * Place @ram_size bytes of RAM around the merged regions @merged (as
 * xen_rdm_layout_merge() gives them) outside the platform areas: from 0
 * up to @mmio_start around the holes below it, the rest from 4 GiB up
 * around the holes above 4 GiB.  Under @hap each hole is widened to 2 MiB
 * boundaries, but never into the first MiB nor past @mmio_start, and the
 * RAM it displaces below @mmio_start goes above 4 GiB.  Writes the RAM
 * ranges to @ram (room for @nr + 2 entries) and returns how many, or 0
 * when the RAM does not fit below 2^52.
 */
size_t xen_rdm_layout_place_ram(const XenRdmLayoutRegion *merged,
                                size_t nr, uint64_t ram_size,
                                uint64_t mmio_start, bool hap,
                                XenRdmRange *ram);

/*
 * Append [start, start + size) to the ranges @ranges[0..*nr), sorted by
 * start, as one with the last range when the two overlap or touch.
 * Empty ranges are skipped.
 */
void xen_rdm_range_append(XenRdmRange *ranges, size_t *nr, uint64_t start,
                          uint64_t size);

/*
 * The e820 map of RAM ranges @ram and reserved ranges @reserved (each
 * sorted by address; reserved ranges may overlap each other but no RAM)
 * into @e820 (room for @nr_ram + @nr_reserved entries): sorted, with
 * reserved entries that overlap or touch coalesced.  Returns its length.
 */
size_t xen_rdm_layout_e820(const XenRdmRange *ram, size_t nr_ram,
                           const XenRdmRange *reserved, size_t nr_reserved,
                           XenRdmE820Entry *e820);

#endif
