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

static const char xen_rdm_file_blanks[] = " \t\r\v\f";

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
    uint64_t v = 0;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (!*p) {
        *why = "not a number";
        return false;
    }
    for (; *p; p++) {
        int d = base == 16 ? g_ascii_xdigit_value(*p) : g_ascii_digit_value(*p);

        if (d < 0) {
            *why = "not a number (decimal or 0x hex)";
            return false;
        }
        if (v > (UINT64_MAX - d) / base) {
            *why = "overflow: does not fit in 64 bits";
            return false;
        }
        v = v * base + d;
    }
    *value = v;
    return true;
}

/* Parse one line (without its newline) into @scratch */
static bool parse_line(const char *line, size_t len, const char *name,
                       unsigned lineno, XenRdmMap *scratch, Error **errp)
{
    g_autofree char *copy = NULL;
    g_auto(GStrv) fields = NULL;
    g_autoptr(GPtrArray) toks = g_ptr_array_new();
    g_autofree char *q = NULL;
    g_autoptr(GArray) sbdfs = g_array_new(false, false, sizeof(uint32_t));
    const char *hash, *why = NULL;
    Error *local_err = NULL;
    uint64_t start, size;
    XenRdmEntry *e;

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
    copy = g_strndup(line, hash ? (size_t)(hash - line) : len);
    fields = g_strsplit_set(copy, xen_rdm_file_blanks, -1);
    for (char **f = fields; *f; f++) {
        if (**f) {
            g_ptr_array_add(toks, *f);
        }
    }
    if (toks->len == 0) {
        return true;            /* blank or comment only */
    }

    q = quote_token(toks->pdata[0]);
    if (!parse_start(toks->pdata[0], &start, &why)) {
        error_setg(errp, "%s:%u: bad start '%s': %s", name, lineno, q, why);
        return false;
    }
    if (toks->len < 2) {
        error_setg(errp, "%s:%u: missing size after start '%s'",
                   name, lineno, q);
        return false;
    }
    if (!xen_rdm_size_parse(toks->pdata[1], &size, &local_err)) {
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

    for (guint i = 2; i < toks->len; i++) {
        uint32_t sbdf;

        if (!xen_rdm_sbdf_parse(toks->pdata[i], &sbdf, &local_err)) {
            error_prepend(&local_err, "%s:%u: ", name, lineno);
            error_propagate(errp, local_err);
            return false;
        }
        for (guint j = 0; j < sbdfs->len; j++) {
            if (g_array_index(sbdfs, uint32_t, j) == sbdf) {
                g_autofree char *dev = xen_rdm_sbdf_to_string(sbdf);

                error_setg(errp, "%s:%u: device %s listed twice",
                           name, lineno, dev);
                return false;
            }
        }
        g_array_append_val(sbdfs, sbdf);
    }

    e = xen_rdm_map_add(scratch, start, size, true, &local_err);
    if (!e) {
        error_prepend(&local_err, "%s:%u: ", name, lineno);
        error_propagate(errp, local_err);
        return false;
    }
    for (guint i = 0; i < sbdfs->len; i++) {
        xen_rdm_entry_add_device(e, g_array_index(sbdfs, uint32_t, i));
    }
    return true;
}

bool xen_rdm_file_parse(const char *text, size_t len, const char *name,
                        XenRdmMap *map, Error **errp)
{
    g_autoptr(XenRdmMap) scratch = xen_rdm_map_new();
    size_t pos = 0;
    unsigned lineno = 0;

    if (!name) {
        name = "<rdm file>";
    }
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;

        lineno++;
        if (!parse_line(text + pos, line_len, name, lineno, scratch, errp)) {
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
