/*
 * libFuzzer target for the ACPI DMAR parser
 *
 * Any input must either parse (every entry then being a valid, page
 * aligned, non-wrapping host-wide region below 2^52, whose unresolved
 * scopes read "unresolved:...") or fail with an error naming the table
 * and a byte offset, leaving the map untouched.  The fake PCI topology
 * answers for some bridges and not for others, so that multi-hop scopes
 * take both the resolved and the unresolved path.  Two inputs in three
 * get a valid ACPI header first (signature, length, checksum), so that
 * mutations reach the remapping structures instead of stopping at the
 * header; the others are parsed as they are.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bridges at even device numbers lead to the bus dev + fn + 1 above */
static bool fuzz_secondary_bus(void *opaque, uint32_t bridge_sbdf,
                               uint8_t *secondary_bus, Error **errp)
{
    unsigned bus = XEN_RDM_SBDF_BUS(bridge_sbdf);
    unsigned dev = XEN_RDM_SBDF_DEV(bridge_sbdf);

    if (dev % 2) {
        error_setg(errp, "no bridge at %x", bridge_sbdf);
        return false;
    }
    /* Sometimes nonsense (not above the bridge's bus, or wrapping) */
    *secondary_bus = bus + dev + XEN_RDM_SBDF_FN(bridge_sbdf) + 1;
    return true;
}

/* ACPI header: signature, length (LE32 at 4), checksum (byte 9) */
#define ACPI_HEADER_LEN 36

static uint8_t *fix_header(const uint8_t *data, size_t size)
{
    uint8_t *t = g_memdup2(data, size);
    uint8_t sum = 0;

    memcpy(t, "DMAR", 4);
    t[4] = size;
    t[5] = size >> 8;
    t[6] = size >> 16;
    t[7] = size >> 24;
    t[9] = 0;
    for (size_t i = 0; i < size; i++) {
        sum += t[i];
    }
    t[9] = -sum;
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const XenRdmPciResolver resolver = { fuzz_secondary_bus, NULL };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    g_autofree uint8_t *fixed = NULL;
    Error *err = NULL;

    if (size >= ACPI_HEADER_LEN && size % 3) {
        fixed = fix_header(data, size);
        data = fixed;
    }

    /* One entry already there, which must survive a failed parse */
    xen_rdm_map_add(map, 0x1000, 0x1000, false, NULL);

    if (xen_rdm_dmar_parse(data, size, "fuzz.dat",
                           size % 2 ? &resolver : NULL, map, &err)) {
        g_assert_null(err);
        for (guint i = 1; i < map->entries->len; i++) {
            const XenRdmEntry *e = g_ptr_array_index(map->entries, i);

            g_assert_true(e->host_wide);
            g_assert_cmpuint(e->size, !=, 0);
            g_assert_cmpuint(e->start % 4096, ==, 0);
            g_assert_cmpuint(e->size % 4096, ==, 0);
            g_assert_cmpuint(e->start + e->size, <=, XEN_RDM_MAX_PADDR);
            g_assert_cmpuint(e->start + e->size, >, e->start);
            for (guint u = 0; u < e->unresolved->len; u++) {
                g_assert_true(g_str_has_prefix(e->unresolved->pdata[u],
                                               "unresolved:"));
            }
        }
    } else {
        g_assert_nonnull(err);
        g_assert_true(g_str_has_prefix(error_get_pretty(err),
                                       "fuzz.dat: DMAR byte "));
        g_assert_cmpuint(map->entries->len, ==, 1);
        error_free(err);
    }
    return 0;
}
