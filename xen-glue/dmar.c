/*
 * ACPI DMAR (Intel VT-d DMA Remapping Reporting) table parser: turns the
 * RMRRs of a binary DMAR table into RDM regions tied to the devices of
 * their device scopes.  See docs/rdm-sources.rst.
 *
 * The table comes from firmware, a file or a fuzzer: every length and
 * offset is checked before it is used, and anything that does not make
 * sense rejects the whole table with a message naming the byte offset.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"

#define DMAR_HEADER_LEN         48
#define DMAR_OFF_LENGTH         4
#define DMAR_OFF_REVISION       8
#define DMAR_OFF_CHECKSUM       9
#define DMAR_OFF_HAW            36
#define DMAR_HAW_MIN            11      /* 12-bit addresses */
#define DMAR_HAW_MAX            63      /* 64-bit addresses */

/* Remapping structure types */
#define DMAR_TYPE_DRHD          0
#define DMAR_TYPE_RMRR          1
#define DMAR_TYPE_ATSR          2
#define DMAR_TYPE_RHSA          3
#define DMAR_TYPE_ANDD          4
#define DMAR_TYPE_SATC          5

#define DMAR_STRUCT_HEADER_LEN  4
#define DMAR_DRHD_LEN           16      /* fixed part, then scopes */
#define DMAR_RMRR_LEN           24      /* fixed part, then scopes */
#define DMAR_ATSR_LEN           8       /* fixed part, then scopes */
#define DMAR_RHSA_LEN           20
#define DMAR_ANDD_LEN           8       /* fixed part, then a name */
#define DMAR_SATC_LEN           8       /* fixed part, then scopes */

#define DMAR_DRHD_INCLUDE_ALL   0x01
#define DMAR_ATSR_ALL_PORTS     0x01

/* Device scopes */
#define DMAR_SCOPE_HEADER_LEN   6
#define DMAR_SCOPE_ENDPOINT     1
#define DMAR_SCOPE_BRIDGE       2

#define DMAR_PAGE_SIZE          0x1000ULL

typedef struct DmarParser {
    const uint8_t *buf;
    size_t len;                 /* the table's own length */
    const char *name;
    const XenRdmPciResolver *resolver;
    XenRdmMap *map;             /* temporary: moved to the caller's map */
    GArray *rmrrs;              /* DmarRmrrSpan, for the overlap check */
    GHashTable *include_all;    /* segments with an INCLUDE_ALL DRHD */
    GHashTable *all_ports;      /* segments with an ALL_PORTS ATSR */
} DmarParser;

typedef struct DmarRmrrSpan {
    uint64_t base;
    uint64_t limit;
    size_t offset;
} DmarRmrrSpan;

static uint16_t dmar_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t dmar_u32(const uint8_t *p)
{
    return (uint32_t)dmar_u16(p) | ((uint32_t)dmar_u16(p + 2) << 16);
}

static uint64_t dmar_u64(const uint8_t *p)
{
    return (uint64_t)dmar_u32(p) | ((uint64_t)dmar_u32(p + 4) << 32);
}

static const char *dmar_struct_name(uint16_t type)
{
    switch (type) {
    case DMAR_TYPE_DRHD:
        return "DRHD";
    case DMAR_TYPE_RMRR:
        return "RMRR";
    case DMAR_TYPE_ATSR:
        return "ATSR";
    case DMAR_TYPE_RHSA:
        return "RHSA";
    case DMAR_TYPE_ANDD:
        return "ANDD";
    case DMAR_TYPE_SATC:
        return "SATC";
    default:
        return "unknown";
    }
}

static void G_GNUC_PRINTF(4, 5)
dmar_error(const DmarParser *p, size_t offset, Error **errp,
           const char *fmt, ...)
{
    g_autofree char *what = NULL;
    va_list ap;

    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_setg(errp, "%s: DMAR byte %zu (0x%zx): %s", p->name, offset, offset,
               what);
}

/*
 * Check the device scopes in [@start, @end) of the remapping structure
 * @what.  Every scope must have a whole header and a non-empty path of
 * (device, function) pairs inside the structure (Xen's MIN_SCOPE_LEN).
 * RMRR scopes (@rmrr) must also name PCI endpoints or sub-hierarchies
 * with valid device and function numbers, since they become SBDFs.
 */
static bool dmar_check_scopes(const DmarParser *p, size_t start, size_t end,
                              const char *what, bool rmrr, Error **errp)
{
    size_t off = start;

    while (off < end) {
        size_t left = end - off;
        uint8_t type, slen;
        size_t hop;

        if (left < DMAR_SCOPE_HEADER_LEN) {
            dmar_error(p, off, errp, "truncated device scope in %s: "
                       "%zu bytes left, a scope header needs %d", what, left,
                       DMAR_SCOPE_HEADER_LEN);
            return false;
        }
        type = p->buf[off];
        slen = p->buf[off + 1];
        if (slen < DMAR_SCOPE_HEADER_LEN) {
            dmar_error(p, off, errp, "device scope in %s has length %u, "
                       "shorter than its %d-byte header", what, slen,
                       DMAR_SCOPE_HEADER_LEN);
            return false;
        }
        if (slen % 2) {
            dmar_error(p, off, errp, "device scope in %s has odd length %u "
                       "(the path is made of 2-byte entries)", what, slen);
            return false;
        }
        if (slen > left) {
            dmar_error(p, off, errp, "device scope in %s has length %u, "
                       "past the end of the %s (%zu bytes left)", what, slen,
                       what, left);
            return false;
        }
        if (slen == DMAR_SCOPE_HEADER_LEN) {
            dmar_error(p, off, errp, "device scope in %s has an empty PCI "
                       "path", what);
            return false;
        }
        if (rmrr) {
            if (type != DMAR_SCOPE_ENDPOINT && type != DMAR_SCOPE_BRIDGE) {
                dmar_error(p, off, errp, "device scope type %u in RMRR: "
                           "must be PCI endpoint (1) or PCI sub-hierarchy "
                           "(2)", type);
                return false;
            }
            for (hop = off + DMAR_SCOPE_HEADER_LEN; hop < off + slen;
                 hop += 2) {
                uint8_t dev = p->buf[hop], fn = p->buf[hop + 1];

                if (dev > 31 || fn > 7) {
                    dmar_error(p, hop, errp, "device scope path entry "
                               "%02x.%02x in RMRR: device must be at most "
                               "0x1f and function at most 7", dev, fn);
                    return false;
                }
            }
        }
        off += slen;
    }
    return true;
}

/* Walk a multi-hop path from @bus through the bridges; false if unknown */
static bool dmar_resolve_path(const DmarParser *p, uint16_t seg, uint8_t bus,
                              const uint8_t *path, size_t hops,
                              uint32_t *sbdf)
{
    size_t i;

    if (!p->resolver || !p->resolver->secondary_bus) {
        return false;
    }
    for (i = 0; i + 1 < hops; i++) {
        uint32_t bridge = XEN_RDM_SBDF(seg, bus, path[2 * i],
                                       path[2 * i + 1]);
        Error *local_err = NULL;
        uint8_t secondary;

        if (!p->resolver->secondary_bus(p->resolver->opaque, bridge,
                                        &secondary, &local_err)) {
            error_free(local_err);
            return false;
        }
        /* A bridge's secondary bus is always above its own bus */
        if (secondary <= bus) {
            return false;
        }
        bus = secondary;
    }
    *sbdf = XEN_RDM_SBDF(seg, bus, path[2 * (hops - 1)],
                         path[2 * (hops - 1) + 1]);
    return true;
}

/* Tie @entry to the device of each (already checked) scope of an RMRR */
static void dmar_add_scopes(const DmarParser *p, XenRdmEntry *entry,
                            uint16_t seg, size_t start, size_t end)
{
    size_t off = start;

    while (off < end) {
        uint8_t slen = p->buf[off + 1];
        uint8_t bus = p->buf[off + 5];
        const uint8_t *path = p->buf + off + DMAR_SCOPE_HEADER_LEN;
        size_t hops = (slen - DMAR_SCOPE_HEADER_LEN) / 2;
        uint32_t sbdf;

        if (hops == 1) {
            xen_rdm_entry_add_device(entry,
                                     XEN_RDM_SBDF(seg, bus, path[0], path[1]));
        } else if (dmar_resolve_path(p, seg, bus, path, hops, &sbdf)) {
            xen_rdm_entry_add_device(entry, sbdf);
        } else {
            GString *s = g_string_new(NULL);
            size_t i;

            g_string_append_printf(s, "unresolved:%04x:%02x:%02x.%x", seg,
                                   bus, path[0], path[1]);
            for (i = 1; i < hops; i++) {
                g_string_append_printf(s, "/%02x.%x", path[2 * i],
                                       path[2 * i + 1]);
            }
            xen_rdm_entry_add_unresolved(entry, s->str);
            g_string_free(s, TRUE);
        }
        off += slen;
    }
}

static bool dmar_parse_rmrr(DmarParser *p, size_t off, size_t slen,
                            Error **errp)
{
    const uint8_t *s = p->buf + off;
    uint16_t seg = dmar_u16(s + 6);
    uint64_t base = dmar_u64(s + 8);
    uint64_t limit = dmar_u64(s + 16);
    DmarRmrrSpan span = { .base = base, .limit = limit, .offset = off };
    Error *local_err = NULL;
    XenRdmEntry *entry;

    if (limit < base) {
        dmar_error(p, off, errp, "RMRR limit 0x%" PRIx64 " is below its "
                   "base 0x%" PRIx64, limit, base);
        return false;
    }
    if (!QEMU_IS_ALIGNED(base, DMAR_PAGE_SIZE)) {
        dmar_error(p, off, errp, "RMRR base 0x%" PRIx64 " is not 4 KiB "
                   "aligned", base);
        return false;
    }
    if (limit >= XEN_RDM_MAX_PADDR) {
        dmar_error(p, off, errp, "RMRR limit 0x%" PRIx64 " is beyond the "
                   "52-bit physical address space", limit);
        return false;
    }
    if (!QEMU_IS_ALIGNED(limit + 1, DMAR_PAGE_SIZE)) {
        dmar_error(p, off, errp, "RMRR limit 0x%" PRIx64 " does not end a "
                   "4 KiB page (limit + 1 must be 4 KiB aligned)", limit);
        return false;
    }
    if (!dmar_check_scopes(p, off + DMAR_RMRR_LEN, off + slen, "RMRR", true,
                           errp)) {
        return false;
    }

    entry = xen_rdm_map_add(p->map, base, limit + 1 - base, true,
                            &local_err);
    if (!entry) {
        dmar_error(p, off, errp, "RMRR [0x%" PRIx64 "-0x%" PRIx64 "]: %s",
                   base, limit, error_get_pretty(local_err));
        error_free(local_err);
        return false;
    }
    dmar_add_scopes(p, entry, seg, off + DMAR_RMRR_LEN, off + slen);
    g_array_append_val(p->rmrrs, span);
    return true;
}

/* Xen allows one INCLUDE_ALL DRHD and one ALL_PORTS ATSR per segment */
static bool dmar_check_once(const DmarParser *p, size_t off, GHashTable *seen,
                            uint16_t seg, const char *what, Error **errp)
{
    if (!g_hash_table_add(seen, GUINT_TO_POINTER(seg))) {
        dmar_error(p, off, errp, "second %s for PCI segment %04x", what, seg);
        return false;
    }
    return true;
}

static bool dmar_parse_drhd(DmarParser *p, size_t off, size_t slen,
                            Error **errp)
{
    const uint8_t *s = p->buf + off;
    uint8_t flags = s[4];
    uint16_t seg = dmar_u16(s + 6);

    /*
     * A register base address of 0 makes Xen and Linux turn VT-d off for
     * the whole table.  Real firmware ships it (a ThinkPad E15 Gen 2 in
     * the corpus); the RMRRs still describe where devices do DMA, which
     * is what a layout plan needs, so the table is not refused for it.
     */
    if ((flags & DMAR_DRHD_INCLUDE_ALL) &&
        !dmar_check_once(p, off, p->include_all, seg, "INCLUDE_ALL DRHD",
                         errp)) {
        return false;
    }
    return dmar_check_scopes(p, off + DMAR_DRHD_LEN, off + slen, "DRHD",
                             false, errp);
}

static bool dmar_parse_atsr(DmarParser *p, size_t off, size_t slen,
                            Error **errp)
{
    const uint8_t *s = p->buf + off;
    uint8_t flags = s[4];
    uint16_t seg = dmar_u16(s + 6);

    if ((flags & DMAR_ATSR_ALL_PORTS) &&
        !dmar_check_once(p, off, p->all_ports, seg, "ALL_PORTS ATSR", errp)) {
        return false;
    }
    return dmar_check_scopes(p, off + DMAR_ATSR_LEN, off + slen, "ATSR",
                             false, errp);
}

static gint dmar_span_cmp(gconstpointer a, gconstpointer b)
{
    const DmarRmrrSpan *x = a, *y = b;

    if (x->base != y->base) {
        return x->base < y->base ? -1 : 1;
    }
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Xen refuses a table with overlapping RMRRs; so do we (O(n log n)) */
static bool dmar_check_overlaps(DmarParser *p, Error **errp)
{
    guint i;

    g_array_sort(p->rmrrs, dmar_span_cmp);
    for (i = 1; i < p->rmrrs->len; i++) {
        const DmarRmrrSpan *a = &g_array_index(p->rmrrs, DmarRmrrSpan, i - 1);
        const DmarRmrrSpan *b = &g_array_index(p->rmrrs, DmarRmrrSpan, i);
        const DmarRmrrSpan *first = a->offset < b->offset ? a : b;
        const DmarRmrrSpan *second = a->offset < b->offset ? b : a;

        if (b->base <= a->limit) {
            dmar_error(p, second->offset, errp, "RMRR [0x%" PRIx64 "-0x%"
                       PRIx64 "] overlaps the RMRR [0x%" PRIx64 "-0x%" PRIx64
                       "] at byte %zu", second->base, second->limit,
                       first->base, first->limit, first->offset);
            return false;
        }
    }
    return true;
}

static bool dmar_check_header(DmarParser *p, size_t buf_len, Error **errp)
{
    const uint8_t *b = p->buf;
    uint32_t length;
    uint8_t sum = 0;
    size_t i;

    if (buf_len < DMAR_HEADER_LEN) {
        dmar_error(p, 0, errp, "truncated table: %zu bytes, the DMAR header "
                   "alone is %d", buf_len, DMAR_HEADER_LEN);
        return false;
    }
    /*
     * "RMAD": the same table as Xen leaves it for dom0 (acpi_dmar_zap()
     * reverses the signature, which keeps the checksum)
     */
    if (memcmp(b, "DMAR", 4) != 0 && memcmp(b, "RMAD", 4) != 0) {
        dmar_error(p, 0, errp, "signature is %02x %02x %02x %02x, not "
                   "\"DMAR\" (nor \"RMAD\", its name in a Xen dom0)",
                   b[0], b[1], b[2], b[3]);
        return false;
    }
    length = dmar_u32(b + DMAR_OFF_LENGTH);
    if (length < DMAR_HEADER_LEN) {
        dmar_error(p, DMAR_OFF_LENGTH, errp, "table length %" PRIu32
                   " is shorter than the %d-byte DMAR header", length,
                   DMAR_HEADER_LEN);
        return false;
    }
    if (length > buf_len) {
        dmar_error(p, DMAR_OFF_LENGTH, errp, "table length %" PRIu32
                   " is past the end of the data (%zu bytes): truncated",
                   length, buf_len);
        return false;
    }
    if (length < buf_len) {
        dmar_error(p, DMAR_OFF_LENGTH, errp, "table length %" PRIu32
                   " leaves %zu trailing bytes of the %zu given", length,
                   buf_len - length, buf_len);
        return false;
    }
    p->len = length;
    for (i = 0; i < length; i++) {
        sum += b[i];
    }
    if (sum != 0) {
        dmar_error(p, DMAR_OFF_CHECKSUM, errp, "bad checksum: the table's "
                   "bytes sum to 0x%02x, not 0 (checksum byte 0x%02x)", sum,
                   b[DMAR_OFF_CHECKSUM]);
        return false;
    }
    if (b[DMAR_OFF_REVISION] == 0) {
        dmar_error(p, DMAR_OFF_REVISION, errp, "revision 0 is not a DMAR "
                   "revision");
        return false;
    }
    /*
     * The field holds the width minus one.  Xen refuses 0, Linux anything
     * below PAGE_SHIFT - 1 (11); no x86 address is wider than 64 bits.
     */
    if (b[DMAR_OFF_HAW] < DMAR_HAW_MIN || b[DMAR_OFF_HAW] > DMAR_HAW_MAX) {
        dmar_error(p, DMAR_OFF_HAW, errp, "host address width field %u is "
                   "invalid (width - 1, must be %d to %d)", b[DMAR_OFF_HAW],
                   DMAR_HAW_MIN, DMAR_HAW_MAX);
        return false;
    }
    return true;
}

static bool dmar_parse_structures(DmarParser *p, Error **errp)
{
    static const size_t min_len[] = {
        [DMAR_TYPE_DRHD] = DMAR_DRHD_LEN,
        [DMAR_TYPE_RMRR] = DMAR_RMRR_LEN,
        [DMAR_TYPE_ATSR] = DMAR_ATSR_LEN,
        [DMAR_TYPE_RHSA] = DMAR_RHSA_LEN,
        [DMAR_TYPE_ANDD] = DMAR_ANDD_LEN,
        [DMAR_TYPE_SATC] = DMAR_SATC_LEN,
    };
    size_t off = DMAR_HEADER_LEN;

    while (off < p->len) {
        size_t left = p->len - off;
        uint16_t type, slen;
        bool ok = true;

        if (left < DMAR_STRUCT_HEADER_LEN) {
            dmar_error(p, off, errp, "truncated remapping structure: %zu "
                       "bytes left, a structure header needs %d", left,
                       DMAR_STRUCT_HEADER_LEN);
            return false;
        }
        type = dmar_u16(p->buf + off);
        slen = dmar_u16(p->buf + off + 2);
        if (slen == 0) {
            dmar_error(p, off, errp, "%s structure (type %u) has length 0",
                       dmar_struct_name(type), type);
            return false;
        }
        if (slen < DMAR_STRUCT_HEADER_LEN) {
            dmar_error(p, off, errp, "%s structure (type %u) has length %u, "
                       "shorter than its %d-byte header",
                       dmar_struct_name(type), type, slen,
                       DMAR_STRUCT_HEADER_LEN);
            return false;
        }
        if (slen > left) {
            dmar_error(p, off, errp, "%s structure (type %u) has length %u, "
                       "past the end of the table (%zu bytes left)",
                       dmar_struct_name(type), type, slen, left);
            return false;
        }
        if (type < ARRAY_SIZE(min_len) && slen < min_len[type]) {
            dmar_error(p, off, errp, "%s structure has length %u, shorter "
                       "than its %zu-byte fixed part", dmar_struct_name(type),
                       slen, min_len[type]);
            return false;
        }

        switch (type) {
        case DMAR_TYPE_DRHD:
            ok = dmar_parse_drhd(p, off, slen, errp);
            break;
        case DMAR_TYPE_RMRR:
            ok = dmar_parse_rmrr(p, off, slen, errp);
            break;
        case DMAR_TYPE_ATSR:
            ok = dmar_parse_atsr(p, off, slen, errp);
            break;
        case DMAR_TYPE_SATC:
            ok = dmar_check_scopes(p, off + DMAR_SATC_LEN, off + slen,
                                   "SATC", false, errp);
            break;
        default:
            /* RHSA, ANDD and types from later specifications: skipped */
            break;
        }
        if (!ok) {
            return false;
        }
        off += slen;
    }
    return dmar_check_overlaps(p, errp);
}

bool xen_rdm_dmar_parse(const uint8_t *buf, size_t len, const char *name,
                        const XenRdmPciResolver *resolver, XenRdmMap *map,
                        Error **errp)
{
    g_autoptr(XenRdmMap) tmp = xen_rdm_map_new();
    g_autoptr(GArray) rmrrs = g_array_new(FALSE, FALSE, sizeof(DmarRmrrSpan));
    g_autoptr(GHashTable) include_all = g_hash_table_new(NULL, NULL);
    g_autoptr(GHashTable) all_ports = g_hash_table_new(NULL, NULL);
    DmarParser p = {
        .buf = buf,
        .name = name,
        .resolver = resolver,
        .map = tmp,
        .rmrrs = rmrrs,
        .include_all = include_all,
        .all_ports = all_ports,
    };

    if (!dmar_check_header(&p, len, errp) ||
        !dmar_parse_structures(&p, errp)) {
        return false;
    }

    /* All checked: hand the entries over */
    xen_rdm_map_take(map, tmp);
    return true;
}

bool xen_rdm_dmar_load(const char *path, const XenRdmPciResolver *resolver,
                       XenRdmMap *map, Error **errp)
{
    g_autofree char *data = NULL;
    size_t len;

    if (!xen_rdm_read_file(path, "DMAR table", XEN_RDM_DMAR_MAX_SIZE, &data,
                           &len, errp)) {
        return false;
    }
    return xen_rdm_dmar_parse((const uint8_t *)data, len, path, resolver, map,
                              errp);
}
