/*
 * Xen reserved device memory (RDM): the map of the regions known about a
 * host, as its sources (DMAR table, hypervisor, region file) fill it
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/xen/xen-rdm-plan.h"

static void rdm_entry_free(gpointer p)
{
    XenRdmEntry *e = p;

    g_array_unref(e->devices);
    g_ptr_array_unref(e->unresolved);
    g_free(e);
}

XenRdmMap *xen_rdm_map_new(void)
{
    XenRdmMap *map = g_new0(XenRdmMap, 1);

    map->entries = g_ptr_array_new_with_free_func(rdm_entry_free);
    return map;
}

void xen_rdm_map_free(XenRdmMap *map)
{
    if (map) {
        g_ptr_array_unref(map->entries);
        g_free(map);
    }
}

XenRdmEntry *xen_rdm_map_add(XenRdmMap *map, uint64_t start, uint64_t size,
                             bool host_wide, Error **errp)
{
    XenRdmEntry *e;

    if (size == 0) {
        error_setg(errp, "reserved region at 0x%" PRIx64 " has zero size",
                   start);
        return NULL;
    }
    if (start + size < start) {
        error_setg(errp, "reserved region at 0x%" PRIx64 " of size 0x%"
                   PRIx64 " wraps around the address space", start, size);
        return NULL;
    }
    if (!QEMU_IS_ALIGNED(start, XEN_RDM_PAGE_SIZE) ||
        !QEMU_IS_ALIGNED(size, XEN_RDM_PAGE_SIZE)) {
        error_setg(errp, "reserved region 0x%" PRIx64 "-0x%" PRIx64
                   " is not 4 KiB page aligned", start, start + size - 1);
        return NULL;
    }
    e = g_new0(XenRdmEntry, 1);
    e->start = start;
    e->size = size;
    e->host_wide = host_wide;
    e->devices = g_array_new(false, false, sizeof(uint32_t));
    e->unresolved = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(map->entries, e);
    return e;
}

void xen_rdm_map_take(XenRdmMap *dst, XenRdmMap *src)
{
    g_autofree gpointer *entries = NULL;
    gsize n, i;

    entries = g_ptr_array_steal(src->entries, &n);
    for (i = 0; i < n; i++) {
        g_ptr_array_add(dst->entries, entries[i]);
    }
}

bool xen_rdm_entry_has_device(const XenRdmEntry *entry, uint32_t sbdf)
{
    guint i;

    for (i = 0; i < entry->devices->len; i++) {
        if (g_array_index(entry->devices, uint32_t, i) == sbdf) {
            return true;
        }
    }
    return false;
}

void xen_rdm_entry_add_device(XenRdmEntry *entry, uint32_t sbdf)
{
    if (!xen_rdm_entry_has_device(entry, sbdf)) {
        g_array_append_val(entry->devices, sbdf);
    }
}

void xen_rdm_entry_add_unresolved(XenRdmEntry *entry, const char *what)
{
    g_ptr_array_add(entry->unresolved, g_strdup(what));
}
