/*
 * RDM regions from a plain text file, for what-if planning and tests
 *
 *   # START      SIZE   [SBDF ...]
 *   0xad000000   16M    0000:00:02.0
 *   0x7b800000   0x1000 00:14.0 00:1a.0   # USB
 *
 * See docs/rdm-sources.rst for the exact format.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"
#include "rdm-names.h"

#define XEN_RDM_FILE_MAX_LINE   4096
#define XEN_RDM_FILE_PAGE_SIZE  4096ULL

/* A token as it may appear in a message: escaped and not too long */
static char *quote_token(const char *tok)
{
    g_autofree char *esc = g_strescape(tok, NULL);

    if (strlen(esc) > 40) {
        return g_strdup_printf("%.40s...", esc);
    }
    return g_steal_pointer(&esc);
}

/* Decimal or 0x hex, nothing else (no sign, no suffix) */
static bool parse_start(const char *tok, uint64_t *value, const char **why)
{
    unsigned base = 10;
    const char *p = tok;
    uint64_t v = 0, limit;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (!*p) {
        *why = "not a number";
        return false;
    }
    limit = UINT64_MAX / base;
    for (; *p; p++) {
        int d;

        if (g_ascii_isdigit(*p)) {
            d = *p - '0';
        } else if (base == 16 && g_ascii_isxdigit(*p)) {
            d = g_ascii_tolower(*p) - 'a' + 10;
        } else {
            *why = "not a number (decimal or 0x hex)";
            return false;
        }
        /* v * base + d > UINT64_MAX */
        if (v > limit || (v == limit && (uint64_t)d > UINT64_MAX % base)) {
            *why = "overflow: does not fit in 64 bits";
            return false;
        }
        v = v * base + d;
    }
    *value = v;
    return true;
}

/* What separates tokens: blanks, and \r (CRLF files) */
static bool is_blank(char c)
{
    switch (c) {
    case ' ':
    case '\t':
    case '\r':
    case '\v':
    case '\f':
        return true;
    default:
        return false;
    }
}

/*
 * The next token of @buf (@end bytes, room for one more) from *@pos on,
 * NUL terminated in place; NULL when none is left
 */
static char *next_token(char *buf, size_t end, size_t *pos)
{
    size_t p = *pos, n;

    while (p < end && is_blank(buf[p])) {
        p++;
    }
    if (p == end) {
        *pos = p;
        return NULL;
    }
    for (n = p; n < end && !is_blank(buf[n]); n++) {
        /* the token runs on */
    }
    buf[n] = '\0';
    *pos = n < end ? n + 1 : n;
    return buf + p;
}

/* 1 + the value of each hex digit, 0 for any other byte */
static const uint8_t hex_digits[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
    ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* The value of hex digit @c, 16 or more for any other character */
static inline unsigned digit_value(char c)
{
    return hex_digits[(unsigned char)c] - 1u;
}

/*
 * At most @max digits of @base from @p on (before @end) into *@value:
 * the end of the digits, NULL when there are none or more than @max
 * (which cannot overflow then)
 */
static const char *fast_digits(const char *p, const char *end,
                               unsigned base, long max, uint64_t *value)
{
    const char *first = p;
    uint64_t v = 0;

    for (; p < end; p++) {
        unsigned d = digit_value(*p);

        if (d >= base) {
            break;
        }
        v = v * base + d;
    }
    if (p == first || p - first > max) {
        return NULL;
    }
    *value = v;
    return p;
}

/* Whether a token ends at @p: a blank, or the end of the line or text */
static inline bool token_ends(const char *p, const char *end)
{
    return p == end || is_blank(*p) || *p == '\n';
}

/* A start or a size: 0x and at most 15 hex digits, or 18 decimal ones */
static const char *fast_number(const char *p, const char *end,
                               uint64_t *value)
{
    if (end - p > 2 && p[0] == '0' && (p[1] | 0x20) == 'x') {
        return fast_digits(p + 2, end, 16, 15, value);
    }
    return fast_digits(p, end, 10, 18, value);
}

/*
 * The usual line, from @line on in a text that ends at @end, read in one
 * pass without a copy, its newline found on the way: a start, a size
 * (bytes, or decimal with a K/M/G/T suffix) and the SBDFs written in full
 * (SSSS:BB:DD.F or BB:DD.F), a valid region of distinct devices and no
 * comment.  Its end (its newline, or @end), or NULL for any other line,
 * which parse_line() then reads token by token (and explains, if it is
 * wrong).
 */
static const char *fast_line(const char *line, const char *end,
                             uint64_t *startp, uint64_t *sizep,
                             uint32_t *sbdfs, size_t *nr)
{
    const char *p = line;
    uint64_t start, size;
    unsigned shift = 0;
    size_t n = 0;

    while (p < end && is_blank(*p)) {
        p++;
    }
    p = fast_number(p, end, &start);
    if (!p || p == end || !is_blank(*p)) {
        return NULL;
    }
    while (p < end && is_blank(*p)) {
        p++;
    }
    if (end - p > 2 && p[0] == '0' && (p[1] | 0x20) == 'x') {
        p = fast_digits(p + 2, end, 16, 15, &size);
    } else {
        p = fast_digits(p, end, 10, 18, &size);
        if (p && !token_ends(p, end)) {
            switch (*p | 0x20) {
            case 'k':
                shift = 10;
                break;
            case 'm':
                shift = 20;
                break;
            case 'g':
                shift = 30;
                break;
            case 't':
                shift = 40;
                break;
            default:
                return NULL;
            }
            p++;
        }
    }
    if (!p || !token_ends(p, end) || size > UINT64_MAX >> shift) {
        return NULL;
    }
    size <<= shift;
    if (size == 0 || size > UINT64_MAX - start ||
        start + size > XEN_RDM_MAX_PADDR ||
        !QEMU_IS_ALIGNED(start | size, XEN_RDM_FILE_PAGE_SIZE)) {
        return NULL;
    }

    for (;;) {
        unsigned seg = 0, bus, dev, fn;
        uint32_t sbdf;

        while (p < end && is_blank(*p)) {
            p++;
        }
        if (p == end || *p == '\n') {
            break;
        }
        if (end - p >= 5 && p[4] == ':' && digit_value(p[0]) < 16 &&
            digit_value(p[1]) < 16 && digit_value(p[2]) < 16 &&
            digit_value(p[3]) < 16) {
            seg = digit_value(p[0]) << 12 | digit_value(p[1]) << 8 |
                  digit_value(p[2]) << 4 | digit_value(p[3]);
            p += 5;
        }
        if (end - p < 7 || p[2] != ':' || p[5] != '.' ||
            digit_value(p[0]) > 15 || digit_value(p[1]) > 15 ||
            digit_value(p[3]) > 15 || digit_value(p[4]) > 15 ||
            p[6] < '0' || p[6] > '7' || !token_ends(p + 7, end)) {
            return NULL;
        }
        bus = digit_value(p[0]) << 4 | digit_value(p[1]);
        dev = digit_value(p[3]) << 4 | digit_value(p[4]);
        fn = p[6] - '0';
        if (dev > 0x1f) {
            return NULL;
        }
        sbdf = XEN_RDM_SBDF(seg, bus, dev, fn);
        for (size_t j = 0; j < n; j++) {
            if (sbdfs[j] == sbdf) {
                return NULL;
            }
        }
        sbdfs[n++] = sbdf;
        p += 7;
    }
    if (p - line > XEN_RDM_FILE_MAX_LINE) {
        return NULL;
    }
    *startp = start;
    *sizep = size;
    *nr = n;
    return p;
}

/* Add a line's region to @map */
static bool add_region(XenRdmMap *map, uint64_t start, uint64_t size,
                       const uint32_t *sbdfs, size_t nr_sbdfs,
                       const char *name, unsigned lineno, Error **errp)
{
    Error *local_err = NULL;

    if (!xen_rdm_map_add_with_devices(map, start, size, true, sbdfs,
                                      nr_sbdfs, &local_err)) {
        error_prepend(&local_err, "%s:%u: ", name, lineno);
        error_propagate(errp, local_err);
        return false;
    }
    return true;
}

/*
 * The scratch space of a parse, allocated once for all of its lines: a
 * copy of the line (its tokens are cut in place) and its SBDFs
 */
typedef struct RdmFileScratch {
    char *line;
    uint32_t *sbdfs;            /* room for every token of a line */
} RdmFileScratch;

/* Parse one line (without its newline) into @scratch */
static bool parse_line(const char *line, size_t len, const char *name,
                       unsigned lineno, RdmFileScratch *s, XenRdmMap *map,
                       Error **errp)
{
    g_autofree char *q = NULL;
    const char *hash, *why = NULL;
    Error *local_err = NULL;
    uint64_t start, size;
    size_t end, pos = 0, nr_sbdfs = 0;
    char *tok, *first;

    if (len > XEN_RDM_FILE_MAX_LINE) {
        error_setg(errp, "%s:%u: line too long (%zu bytes, at most %d)",
                   name, lineno, len, XEN_RDM_FILE_MAX_LINE);
        return false;
    }
    if (memchr(line, '\0', len)) {
        error_setg(errp, "%s:%u: NUL byte in text", name, lineno);
        return false;
    }
    hash = memchr(line, '#', len);
    end = hash ? (size_t)(hash - line) : len;
    memcpy(s->line, line, end);
    first = next_token(s->line, end, &pos);
    if (!first) {
        return true;            /* blank or comment only */
    }

    if (!parse_start(first, &start, &why)) {
        q = quote_token(first);
        error_setg(errp, "%s:%u: bad start '%s': %s", name, lineno, q, why);
        return false;
    }
    tok = next_token(s->line, end, &pos);
    if (!tok) {
        q = quote_token(first);
        error_setg(errp, "%s:%u: missing size after start '%s'",
                   name, lineno, q);
        return false;
    }
    if (!xen_rdm_size_parse(tok, &size, &local_err)) {
        error_prepend(&local_err, "%s:%u: ", name, lineno);
        error_propagate(errp, local_err);
        return false;
    }

    if (size == 0) {
        error_setg(errp, "%s:%u: zero size region at 0x%" PRIx64,
                   name, lineno, start);
        return false;
    }
    if (size > UINT64_MAX - start) {
        error_setg(errp, "%s:%u: region 0x%" PRIx64 " + 0x%" PRIx64
                   " wraps past the end of the 64-bit address space",
                   name, lineno, start, size);
        return false;
    }
    if (start + size > XEN_RDM_MAX_PADDR) {
        error_setg(errp, "%s:%u: region 0x%" PRIx64 " + 0x%" PRIx64
                   " ends beyond 2^52 bytes, the highest physical address "
                   "(as the DMAR and hypervisor sources refuse it)",
                   name, lineno, start, size);
        return false;
    }
    if (!QEMU_IS_ALIGNED(start, XEN_RDM_FILE_PAGE_SIZE)) {
        error_setg(errp, "%s:%u: start 0x%" PRIx64 " is not page aligned "
                   "(4 KiB)", name, lineno, start);
        return false;
    }
    if (!QEMU_IS_ALIGNED(size, XEN_RDM_FILE_PAGE_SIZE)) {
        error_setg(errp, "%s:%u: size 0x%" PRIx64 " is not a multiple of "
                   "the page size (4 KiB)", name, lineno, size);
        return false;
    }

    while ((tok = next_token(s->line, end, &pos))) {
        uint32_t sbdf;

        if (!xen_rdm_sbdf_parse(tok, &sbdf, &local_err)) {
            error_prepend(&local_err, "%s:%u: ", name, lineno);
            error_propagate(errp, local_err);
            return false;
        }
        for (size_t j = 0; j < nr_sbdfs; j++) {
            if (s->sbdfs[j] == sbdf) {
                g_autofree char *dev = xen_rdm_sbdf_to_string(sbdf);

                error_setg(errp, "%s:%u: device %s listed twice",
                           name, lineno, dev);
                return false;
            }
        }
        s->sbdfs[nr_sbdfs++] = sbdf;
    }

    return add_region(map, start, size, s->sbdfs, nr_sbdfs, name, lineno,
                      errp);
}

bool xen_rdm_file_parse(const char *text, size_t len, const char *name,
                        XenRdmMap *map, Error **errp)
{
    g_autoptr(XenRdmMap) scratch = xen_rdm_map_new();
    g_autofree char *line = g_malloc(XEN_RDM_FILE_MAX_LINE + 1);
    /* a token and its blank take 2 bytes at least */
    g_autofree uint32_t *sbdfs = g_new(uint32_t,
                                       XEN_RDM_FILE_MAX_LINE / 2 + 1);
    RdmFileScratch s = { .line = line, .sbdfs = sbdfs };
    size_t pos = 0, nr;
    unsigned lineno = 0;
    uint64_t start, size;

    if (!name) {
        name = "<rdm file>";
    }
    while (pos < len) {
        const char *nl = fast_line(text + pos, text + len, &start, &size,
                                   sbdfs, &nr);
        size_t line_len;

        lineno++;
        if (nl) {
            if (!add_region(scratch, start, size, sbdfs, nr, name, lineno,
                            errp)) {
                return false;
            }
            pos = nl - text + 1;
            continue;
        }
        nl = memchr(text + pos, '\n', len - pos);
        line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (!parse_line(text + pos, line_len, name, lineno, &s, scratch,
                        errp)) {
            return false;
        }
        pos += line_len + 1;
    }
    xen_rdm_map_take(map, scratch);
    return true;
}

bool xen_rdm_file_load(const char *path, XenRdmMap *map, Error **errp)
{
    g_autofree char *text = NULL;
    size_t len;

    if (!xen_rdm_read_file(path, "RDM file", XEN_RDM_FILE_MAX_SIZE, &text,
                           &len, errp)) {
        return false;
    }
    return xen_rdm_file_parse(text, len, path, map, errp);
}
