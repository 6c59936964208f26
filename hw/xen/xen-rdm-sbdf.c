/*
 * Xen reserved device memory (RDM): PCI devices by SBDF, as xl.cfg
 * writes them ("SSSS:BB:DD.F"), and the list of a guest's devices
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/xen/xen-rdm-plan.h"

/*
 * The value of hex digit @c, without a call (g_ascii_xdigit_value() is
 * one): region files give millions of SBDFs
 */
static inline int hex_value(char c)
{
    return g_ascii_isdigit(c) ? c - '0' : g_ascii_tolower(c) - 'a' + 10;
}

/* Parse a hex field of at most @max_digits digits into @val (<= @max) */
static const char *parse_hex_field(const char *p, int max_digits,
                                   unsigned long max, unsigned long *val)
{
    unsigned long v = 0;
    int n = 0;

    while (g_ascii_isxdigit(*p) && n < max_digits) {
        v = v * 16 + hex_value(*p);
        p++;
        n++;
    }
    if (n == 0 || g_ascii_isxdigit(*p) || v > max) {
        return NULL;
    }
    *val = v;
    return p;
}

static inline unsigned hex2(const char *p)
{
    return hex_value(p[0]) << 4 | hex_value(p[1]);
}

/*
 * "SSSS:BB:DD.F" or "BB:DD.F" with every digit there, as sources write
 * them, without a scan for colons; false for anything else (which
 * xen_rdm_sbdf_parse() then reads field by field).  Each test stops at
 * the string's end: a NUL is no hex digit, colon or dot.
 */
static bool sbdf_parse_full(const char *s, uint32_t *sbdf)
{
    unsigned seg = 0;

    if (g_ascii_isxdigit(s[0]) && g_ascii_isxdigit(s[1]) &&
        g_ascii_isxdigit(s[2]) && g_ascii_isxdigit(s[3]) && s[4] == ':') {
        seg = hex2(s) << 8 | hex2(s + 2);
        s += 5;
    }
    if (!(g_ascii_isxdigit(s[0]) && g_ascii_isxdigit(s[1]) && s[2] == ':' &&
          g_ascii_isxdigit(s[3]) && g_ascii_isxdigit(s[4]) && s[5] == '.' &&
          s[6] >= '0' && s[6] <= '7' && !s[7]) || hex2(s + 3) > 0x1f) {
        return false;
    }
    *sbdf = XEN_RDM_SBDF(seg, hex2(s), hex2(s + 3), s[6] - '0');
    return true;
}

bool xen_rdm_sbdf_parse(const char *str, uint32_t *sbdf, Error **errp)
{
    unsigned long seg = 0, bus, dev, fn;
    const char *p = str;
    const char *colon;

    if (str && sbdf_parse_full(str, sbdf)) {
        return true;
    }
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

/* "SSSS:BB:DD.F": called for every region's devices, so no printf */
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
