/*
 * Xen reserved device memory (RDM): the names of strategies, policies,
 * layouts and statuses, and the parsers of xl.cfg's values (SBDFs,
 * sizes, policy names)
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/xen/xen-rdm-plan.h"

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

/* Parse a hex field of at most @max_digits digits into @val (<= @max) */
static const char *parse_hex_field(const char *p, int max_digits,
                                   unsigned long max, unsigned long *val)
{
    unsigned long v = 0;
    int n = 0;

    while (g_ascii_isxdigit(*p) && n < max_digits) {
        v = v * 16 + g_ascii_xdigit_value(*p);
        p++;
        n++;
    }
    if (n == 0 || g_ascii_isxdigit(*p) || v > max) {
        return NULL;
    }
    *val = v;
    return p;
}

bool xen_rdm_sbdf_parse(const char *str, uint32_t *sbdf, Error **errp)
{
    unsigned long seg = 0, bus, dev, fn;
    const char *p = str;
    const char *colon;

    if (!str || !*str) {
        error_setg(errp, "empty PCI device address: expected SSSS:BB:DD.F");
        return false;
    }
    /* Segment present when there are two colons */
    colon = strchr(str, ':');
    if (colon && strchr(colon + 1, ':')) {
        p = parse_hex_field(p, 4, 0xffff, &seg);
        if (!p || *p != ':') {
            goto bad;
        }
        p++;
    }
    p = parse_hex_field(p, 2, 0xff, &bus);
    if (!p || *p != ':') {
        goto bad;
    }
    p = parse_hex_field(p + 1, 2, 0x1f, &dev);
    if (!p || *p != '.') {
        goto bad;
    }
    p = parse_hex_field(p + 1, 1, 7, &fn);
    if (!p || *p) {
        goto bad;
    }
    *sbdf = XEN_RDM_SBDF(seg, bus, dev, fn);
    return true;

bad:
    error_setg(errp, "invalid PCI device address '%s': expected SSSS:BB:DD.F "
               "(hex; device 00-1f, function 0-7)", str);
    return false;
}

/* "SSSS:BB:DD.F": called for every region's devices, so no printf */
bool xen_rdm_devices_add(GArray *devices, const XenRdmDeviceConfig *dev,
                         Error **errp)
{
    guint i;

    for (i = 0; i < devices->len; i++) {
        if (g_array_index(devices, XenRdmDeviceConfig, i).sbdf == dev->sbdf) {
            g_autofree char *s = xen_rdm_sbdf_to_string(dev->sbdf);

            error_setg(errp, "device %s is listed twice", s);
            return false;
        }
    }
    g_array_append_val(devices, *dev);
    return true;
}

char *xen_rdm_sbdf_to_string(uint32_t sbdf)
{
    static const char hex[] = "0123456789abcdef";
    char *s = g_malloc(13);
    uint32_t seg = XEN_RDM_SBDF_SEG(sbdf), bus = XEN_RDM_SBDF_BUS(sbdf);
    uint32_t dev = XEN_RDM_SBDF_DEV(sbdf);

    s[0] = hex[(seg >> 12) & 0xf];
    s[1] = hex[(seg >> 8) & 0xf];
    s[2] = hex[(seg >> 4) & 0xf];
    s[3] = hex[seg & 0xf];
    s[4] = ':';
    s[5] = hex[bus >> 4];
    s[6] = hex[bus & 0xf];
    s[7] = ':';
    s[8] = hex[dev >> 4];
    s[9] = hex[dev & 0xf];
    s[10] = '.';
    s[11] = hex[XEN_RDM_SBDF_FN(sbdf)];
    s[12] = '\0';
    return s;
}

bool xen_rdm_size_parse(const char *str, uint64_t *size, Error **errp)
{
    const char *p = str;
    uint64_t v = 0, mult = 1;
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
    for (; *p; p++) {
        int d = base == 16 ? g_ascii_xdigit_value(*p)
                           : g_ascii_digit_value(*p);
        if (d < 0) {
            break;
        }
        if (v > (UINT64_MAX - d) / base) {
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
