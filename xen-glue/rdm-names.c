/*
 * Xen reserved device memory (RDM), the tool's side: the names of the
 * planner's strategies, policies, layouts and statuses, and the parsers
 * of xl.cfg's values and sizes.  QEMU has its own pieces for these (the
 * QAPI enums of qapi/misc-target-xen-rdm.json, qemu_strtosz() behind the QAPI
 * size type), so this file is not part of the QEMU series.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-names.h"

static const char *const strategy_names[] = {
    [XEN_RDM_STRATEGY_IGNORE] = "ignore",
    [XEN_RDM_STRATEGY_HOST] = "host",
};

static const char *const policy_names[] = {
    [XEN_RDM_POLICY_STRICT] = "strict",
    [XEN_RDM_POLICY_RELAXED] = "relaxed",
};

static const char *const layout_names[] = {
    [XEN_RDM_LAYOUT_COMPAT] = "compat",
    [XEN_RDM_LAYOUT_SPLIT] = "split",
    [XEN_RDM_LAYOUT_TOOLSTACK] = "toolstack",
};

static const char *const status_names[] = {
    [XEN_RDM_STATUS_RESERVED] = "reserved",
    [XEN_RDM_STATUS_IGNORED] = "ignored",
    [XEN_RDM_STATUS_CONFLICT] = "conflict",
};

static const char *const e820_names[] = {
    [XEN_RDM_E820_RAM] = "ram",
    [XEN_RDM_E820_RESERVED] = "reserved",
};

const char *xen_rdm_strategy_str(XenRdmStrategy s)
{
    g_assert(s < ARRAY_SIZE(strategy_names));
    return strategy_names[s];
}

const char *xen_rdm_policy_str(XenRdmPolicy p)
{
    g_assert(p < ARRAY_SIZE(policy_names));
    return policy_names[p];
}

const char *xen_rdm_layout_str(XenRdmLayout l)
{
    g_assert(l < ARRAY_SIZE(layout_names));
    return layout_names[l];
}

const char *xen_rdm_status_str(XenRdmStatus s)
{
    g_assert(s < ARRAY_SIZE(status_names));
    return status_names[s];
}

const char *xen_rdm_e820_type_str(XenRdmE820Type t)
{
    g_assert(t < ARRAY_SIZE(e820_names));
    return e820_names[t];
}

static bool parse_name(const char *what, const char *str,
                       const char *const *names, size_t nr_names,
                       int *value, Error **errp)
{
    size_t i;
    g_autofree char *choices = NULL;

    for (i = 0; i < nr_names; i++) {
        if (str && !strcmp(str, names[i])) {
            *value = i;
            return true;
        }
    }
    choices = g_strjoinv("', '", (char **)names);
    error_setg(errp, "invalid %s '%s': expected one of '%s'",
               what, str ? str : "", choices);
    return false;
}

bool xen_rdm_strategy_parse(const char *str, XenRdmStrategy *s, Error **errp)
{
    const char *names[] = { "ignore", "host", NULL };
    int v;

    if (!parse_name("RDM strategy", str, names, 2, &v, errp)) {
        return false;
    }
    *s = v;
    return true;
}

bool xen_rdm_policy_parse(const char *str, XenRdmPolicy *p, Error **errp)
{
    const char *names[] = { "strict", "relaxed", NULL };
    int v;

    if (!parse_name("RDM policy", str, names, 2, &v, errp)) {
        return false;
    }
    *p = v;
    return true;
}

bool xen_rdm_layout_parse(const char *str, XenRdmLayout *l, Error **errp)
{
    const char *names[] = { "compat", "split", NULL };
    int v;

    if (!parse_name("RDM layout", str, names, 2, &v, errp)) {
        return false;
    }
    *l = v;
    return true;
}

/*
 * The value of hex digit @c, without a call (g_ascii_xdigit_value() is
 * one): region files give millions of numbers
 */
static inline int hex_value(char c)
{
    return g_ascii_isdigit(c) ? c - '0' : g_ascii_tolower(c) - 'a' + 10;
}

bool xen_rdm_size_parse(const char *str, uint64_t *size, Error **errp)
{
    const char *p = str;
    uint64_t v = 0, mult = 1, limit;
    int base = 10;
    bool any = false;

    if (!str || !*str) {
        error_setg(errp, "empty size: expected bytes or a number with a "
                   "K/M/G/T suffix");
        return false;
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    limit = UINT64_MAX / base;
    for (; base == 16 ? g_ascii_isxdigit(*p) : g_ascii_isdigit(*p); p++) {
        int d = hex_value(*p);

        /* v * base + d > UINT64_MAX */
        if (v > limit || (v == limit && (uint64_t)d > UINT64_MAX % base)) {
            error_setg(errp, "size '%s' is too large", str);
            return false;
        }
        v = v * base + d;
        any = true;
    }
    if (!any) {
        goto bad;
    }
    if (*p) {
        if (base == 16 || p[1]) {
            goto bad;
        }
        switch (g_ascii_toupper(*p)) {
        case 'K':
            mult = 1ULL << 10;
            break;
        case 'M':
            mult = 1ULL << 20;
            break;
        case 'G':
            mult = 1ULL << 30;
            break;
        case 'T':
            mult = 1ULL << 40;
            break;
        default:
            goto bad;
        }
        if (v > UINT64_MAX / mult) {
            error_setg(errp, "size '%s' is too large", str);
            return false;
        }
    }
    *size = v * mult;
    return true;

bad:
    error_setg(errp, "invalid size '%s': expected bytes (decimal or 0x hex) "
               "or a decimal number with a K/M/G/T suffix", str);
    return false;
}
