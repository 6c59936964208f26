/*
 * Xen reserved device memory (RDM): the split guest RAM layout
 *
 * Built as it is by QEMU, by the xen-rdm-plan tool and by libxl, so it
 * includes nothing but its own header and the C library's (no
 * qemu/osdep.h, no libxl_osdeps.h), as libvhost-user does in QEMU and
 * libelf in Xen.  The rule each step implements is stated at the step:
 * the regions merged, exactly the parts in a platform area set apart, and
 * the RAM placed around the holes left, which are widened to 2 MiB
 * boundaries under HAP.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>

#include "hw/xen/xen-rdm-layout.h"

#define LAYOUT_1M           0x100000ULL
#define LAYOUT_2M           0x200000ULL
#define LAYOUT_4G           (1ULL << 32)
#define LAYOUT_FIRMWARE     0xFC000000ULL
#define LAYOUT_MAX_PADDR    (1ULL << 52)

#define LAYOUT_MIN(a, b)    ((a) < (b) ? (a) : (b))
#define LAYOUT_MAX(a, b)    ((a) > (b) ? (a) : (b))

/* Sorted by address */
static const struct {
    uint64_t start, end;
    XenRdmArea area;
    const char *what;
} areas[] = {
    { 0, LAYOUT_1M, XEN_RDM_AREA_FIRST_MIB,
      "the first MiB (legacy BIOS and VGA area)" },
    { LAYOUT_FIRMWARE, LAYOUT_4G, XEN_RDM_AREA_FIRMWARE,
      "the firmware area 0xfc000000-0xffffffff" },
};

#define NR_AREAS (sizeof(areas) / sizeof(areas[0]))
/* Where the last platform area ends: a region above is one part */
#define AREAS_END (areas[NR_AREAS - 1].end)

const char *xen_rdm_area_str(XenRdmArea area)
{
    size_t i;

    for (i = 0; i < NR_AREAS; i++) {
        if (areas[i].area == area) {
            return areas[i].what;
        }
    }
    return NULL;
}

/*
 * Where the part of a region that starts at @pos ends (before @end) and
 * in which area it lies
 */
static uint64_t part_end(uint64_t pos, uint64_t end, uint8_t *area)
{
    uint64_t cut = end;
    size_t i;

    *area = XEN_RDM_AREA_NONE;
    for (i = 0; i < NR_AREAS; i++) {
        if (pos >= areas[i].start && pos < areas[i].end) {
            *area = areas[i].area;
            cut = LAYOUT_MIN(cut, areas[i].end);
        } else if (areas[i].start > pos) {
            cut = LAYOUT_MIN(cut, areas[i].start);
        }
    }
    return cut;
}

size_t xen_rdm_layout_nr_parts(const XenRdmLayoutRegion *regions,
                               size_t nr)
{
    size_t parts = 0, i;

    for (i = 0; i < nr; i++) {
        uint64_t pos = regions[i].start;
        uint8_t area;

        if (pos >= AREAS_END) {
            parts++;
            continue;
        }
        while (pos < regions[i].end) {
            pos = part_end(pos, regions[i].end, &area);
            parts++;
        }
    }
    return parts;
}

void xen_rdm_layout_clip(const XenRdmLayoutRegion *regions, size_t nr,
                         XenRdmLayoutRegion *parts)
{
    size_t i;

    for (i = 0; i < nr; i++) {
        uint64_t pos = regions[i].start;

        if (pos >= AREAS_END) {
            *parts = regions[i];
            parts->area = XEN_RDM_AREA_NONE;
            parts++;
            continue;
        }
        while (pos < regions[i].end) {
            *parts = regions[i];
            parts->start = pos;
            parts->end = part_end(pos, regions[i].end, &parts->area);
            pos = parts->end;
            parts++;
        }
    }
}

int xen_rdm_layout_part_cmp(const void *a, const void *b)
{
    const XenRdmLayoutRegion *x = a, *y = b;

    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    if (x->end != y->end) {
        return x->end < y->end ? -1 : 1;
    }
    return x->source < y->source ? -1 : x->source > y->source;
}

/* Whether @parts are sorted already (the caller may have sorted them) */
static bool parts_sorted(const XenRdmLayoutRegion *parts, size_t nr)
{
    size_t i;

    for (i = 1; i < nr; i++) {
        if (xen_rdm_layout_part_cmp(&parts[i - 1], &parts[i]) > 0) {
            return false;
        }
    }
    return true;
}

size_t xen_rdm_layout_merge(XenRdmLayoutRegion *parts, size_t nr,
                            XenRdmLayoutRegion *merged)
{
    size_t out = 0, i;

    if (!parts_sorted(parts, nr)) {
        qsort(parts, nr, sizeof(*parts), xen_rdm_layout_part_cmp);
    }
    for (i = 0; i < nr; i++) {
        XenRdmLayoutRegion *last = out ? &merged[out - 1] : NULL;

        if (last && parts[i].start <= last->end && !parts[i].area &&
            !last->area) {
            last->end = LAYOUT_MAX(last->end, parts[i].end);
            last->strict |= parts[i].strict;
        } else {
            merged[out] = parts[i];
            merged[out].merged = out;
            out++;
        }
        parts[i].merged = out - 1;
    }
    return out;
}

void xen_rdm_range_append(XenRdmRange *ranges, size_t *nr, uint64_t start,
                          uint64_t size)
{
    XenRdmRange *last = *nr ? &ranges[*nr - 1] : NULL;

    if (!size) {
        return;
    }
    if (last && start <= last->start + last->size) {
        last->size = LAYOUT_MAX(last->start + last->size, start + size) -
                     last->start;
        return;
    }
    ranges[*nr].start = start;
    ranges[*nr].size = size;
    (*nr)++;
}

/* A hole in RAM below @mmio_start (an honoured region starting there) */
static bool low_hole(const XenRdmLayoutRegion *r, uint64_t mmio_start)
{
    return !r->area && r->start < mmio_start;
}

/*
 * Where RAM goes, one span that holds none at a time: spans arrive
 * sorted by start; overlapping or touching ones are joined, and RAM is
 * placed in the gap before each joined span, from @pos up to @limit.
 */
typedef struct Placer {
    XenRdmRange *ram;
    size_t nr_ram;
    uint64_t pos;
    uint64_t limit;
    uint64_t remaining;
    XenRdmRange span;           /* the span being joined, size 0: none */
} Placer;

static void place_gap(Placer *p, uint64_t gap_end)
{
    uint64_t chunk;

    gap_end = LAYOUT_MIN(gap_end, p->limit);
    if (!p->remaining || gap_end <= p->pos) {
        return;
    }
    chunk = LAYOUT_MIN(gap_end - p->pos, p->remaining);
    xen_rdm_range_append(p->ram, &p->nr_ram, p->pos, chunk);
    p->remaining -= chunk;
}

static void place_span_done(Placer *p)
{
    uint64_t end = p->span.start + p->span.size;

    if (!p->span.size || end <= p->pos) {
        return;
    }
    place_gap(p, p->span.start);
    p->pos = end;
}

static void place_span(Placer *p, uint64_t start, uint64_t end)
{
    size_t one = p->span.size ? 1 : 0;

    if (start >= end) {
        return;
    }
    if (one && start > p->span.start + p->span.size) {
        place_span_done(p);
        one = 0;
    }
    xen_rdm_range_append(&p->span, &one, start, end - start);
}

/* Place RAM up to @limit after the last span, and start over at @pos */
static void place_rest(Placer *p, uint64_t limit, uint64_t pos)
{
    place_span_done(p);
    p->span.size = 0;
    place_gap(p, limit);
    p->pos = pos;
}

/*
 * Under HAP a hole is widened to 2 MiB boundaries, within [@floor,
 * @ceiling), so that RAM on either side of it fills whole 2 MiB frames
 */
static void widen_2m(uint64_t *start, uint64_t *end, uint64_t floor,
                     uint64_t ceiling)
{
    *start = LAYOUT_MAX(*start & ~(LAYOUT_2M - 1), floor);
    if (*end <= UINT64_MAX - LAYOUT_2M) {
        *end = LAYOUT_MIN((*end + LAYOUT_2M - 1) & ~(LAYOUT_2M - 1),
                          ceiling);
    }
}

size_t xen_rdm_layout_place_ram(const XenRdmLayoutRegion *merged,
                                size_t nr, uint64_t ram_size,
                                uint64_t mmio_start, bool hap,
                                XenRdmRange *ram)
{
    Placer p = {
        .ram = ram, .limit = mmio_start, .remaining = ram_size,
    };
    size_t i;

    /*
     * Below 4 GiB the widening never reaches into the first MiB nor past
     * the MMIO hole; the RAM it displaces goes above 4 GiB
     */
    for (i = 0; i < nr; i++) {
        uint64_t start = merged[i].start;
        uint64_t end = LAYOUT_MIN(merged[i].end, mmio_start);

        if (!low_hole(&merged[i], mmio_start)) {
            continue;
        }
        if (hap) {
            widen_2m(&start, &end, LAYOUT_1M, mmio_start);
        }
        place_span(&p, start, end);
    }
    place_rest(&p, mmio_start, LAYOUT_4G);

    /* Above 4 GiB alignment costs address space, not RAM */
    p.limit = LAYOUT_MAX_PADDR;
    for (i = 0; i < nr && p.remaining; i++) {
        uint64_t start = merged[i].start, end = merged[i].end;

        if (start < LAYOUT_4G) {
            continue;
        }
        if (hap) {
            widen_2m(&start, &end, 0, UINT64_MAX);
        }
        place_span(&p, start, end);
    }
    place_rest(&p, LAYOUT_MAX_PADDR, LAYOUT_MAX_PADDR);
    return p.remaining ? 0 : p.nr_ram;
}

size_t xen_rdm_layout_e820(const XenRdmRange *ram, size_t nr_ram,
                           const XenRdmRange *reserved, size_t nr_reserved,
                           XenRdmE820Entry *e820)
{
    size_t i = 0, j = 0, n = 0;

    while (i < nr_ram || j < nr_reserved) {
        bool take_ram = j == nr_reserved ||
            (i < nr_ram && ram[i].start < reserved[j].start);
        const XenRdmRange *r = take_ram ? &ram[i++] : &reserved[j++];
        XenRdmE820Entry *last = n ? &e820[n - 1] : NULL;

        if (!take_ram && last && last->type == XEN_RDM_E820_RESERVED &&
            r->start <= last->start + last->size) {
            last->size = LAYOUT_MAX(last->start + last->size,
                                    r->start + r->size) - last->start;
            continue;
        }
        e820[n].start = r->start;
        e820[n].size = r->size;
        e820[n].type = take_ram ? XEN_RDM_E820_RAM : XEN_RDM_E820_RESERVED;
        n++;
    }
    return n;
}
