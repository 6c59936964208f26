/*
 * Xen reserved device memory (RDM): the map of the regions known about a
 * host, as its sources (DMAR table, hypervisor, region file) fill it
 *
 * A map may hold a million entries (a region file), so an entry costs
 * no allocation of its own: entries live in blocks, and their device
 * lists are kept once per map for every distinct list (a host has few
 * devices with reserved memory), shared and copied when an entry adds to
 * its list.  The map owns its shared lists; entries hold no reference to
 * them.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/xen/xen-rdm-plan.h"
#include "xen-rdm-plan-internal.h"

/* Entries per block: as many as the map holds, within these bounds */
#define RDM_MAP_BLOCK_MIN   16
#define RDM_MAP_BLOCK_MAX   4096

/* A device list that entries of a map share, keyed by its SBDFs */
typedef struct RdmDeviceList {
    SbdfSet key;                /* first: the hash table's key; @array's */
    GArray *array;
} RdmDeviceList;

guint xen_rdm_sbdf_set_hash(gconstpointer p)
{
    const SbdfSet *set = p;
    guint h = set->len;

    for (guint i = 0; i < set->len; i++) {
        h = h * 31 + set->sbdfs[i];
    }
    return h;
}

gboolean xen_rdm_sbdf_set_equal(gconstpointer a, gconstpointer b)
{
    const SbdfSet *x = a, *y = b;

    return x->len == y->len &&
           (!x->len || !memcmp(x->sbdfs, y->sbdfs, x->len * sizeof(uint32_t)));
}

static void device_list_free(gpointer p)
{
    RdmDeviceList *l = p;

    g_array_unref(l->array);
    g_free(l);
}

/* The map's shared list of @len SBDFs @sbdfs (distinct) */
static GArray *shared_device_list(XenRdmMap *map, const uint32_t *sbdfs,
                                  guint len)
{
    SbdfSet key = { .len = len, .sbdfs = sbdfs };
    /* the hash's top bits, mixed: SBDFs differ in few low bits */
    RdmDeviceList **recent = &map->recent_lists[
        (xen_rdm_sbdf_set_hash(&key) * 0x9E3779B9u) >> 28];
    RdmDeviceList *l = *recent;

    if (l && xen_rdm_sbdf_set_equal(&l->key, &key)) {
        return l->array;
    }
    l = g_hash_table_lookup(map->device_lists, &key);
    if (!l) {
        l = g_new(RdmDeviceList, 1);
        l->array = g_array_sized_new(false, false, sizeof(uint32_t), len);
        g_array_append_vals(l->array, sbdfs, len);
        l->key.len = len;
        l->key.sbdfs = (const uint32_t *)l->array->data;
        g_hash_table_add(map->device_lists, l);
    }
    *recent = l;
    return l->array;
}

/* Free what @e owns: the lists it does not share */
static void rdm_entry_clear(XenRdmEntry *e)
{
    if (!e->devices_shared) {
        g_array_unref(e->devices);
    }
    if (!e->unresolved_shared) {
        g_ptr_array_unref(e->unresolved);
    }
}

XenRdmMap *xen_rdm_map_new(void)
{
    XenRdmMap *map = g_new0(XenRdmMap, 1);

    map->entries = g_ptr_array_new();
    map->blocks = g_ptr_array_new_with_free_func(g_free);
    map->device_lists = g_hash_table_new_full(xen_rdm_sbdf_set_hash,
                                              xen_rdm_sbdf_set_equal,
                                              device_list_free, NULL);
    map->no_unresolved = g_ptr_array_new_with_free_func(g_free);
    return map;
}

void xen_rdm_map_free(XenRdmMap *map)
{
    if (map) {
        for (guint i = 0; i < map->entries->len; i++) {
            rdm_entry_clear(g_ptr_array_index(map->entries, i));
        }
        g_ptr_array_unref(map->entries);
        g_ptr_array_unref(map->blocks);
        g_hash_table_unref(map->device_lists);
        g_ptr_array_unref(map->no_unresolved);
        g_free(map);
    }
}

static bool rdm_region_valid(uint64_t start, uint64_t size, Error **errp)
{
    if (size == 0) {
        error_setg(errp, "reserved region at 0x%" PRIx64 " has zero size",
                   start);
        return false;
    }
    if (start + size < start) {
        error_setg(errp, "reserved region at 0x%" PRIx64 " of size 0x%"
                   PRIx64 " wraps around the address space", start, size);
        return false;
    }
    if (!QEMU_IS_ALIGNED(start, XEN_RDM_PAGE_SIZE) ||
        !QEMU_IS_ALIGNED(size, XEN_RDM_PAGE_SIZE)) {
        error_setg(errp, "reserved region 0x%" PRIx64 "-0x%" PRIx64
                   " is not 4 KiB page aligned", start, start + size - 1);
        return false;
    }
    return true;
}

/* Room for one more entry, from the map's last block or a new one */
static XenRdmEntry *map_new_entry(XenRdmMap *map)
{
    if (!map->block_free) {
        guint n = MIN(MAX(map->entries->len, RDM_MAP_BLOCK_MIN),
                      RDM_MAP_BLOCK_MAX);

        map->block = g_new(XenRdmEntry, n);
        map->block_free = n;
        g_ptr_array_add(map->blocks, map->block);
    }
    map->block_free--;
    return map->block++;
}

static bool sbdfs_distinct(const uint32_t *sbdfs, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (sbdfs[j] == sbdfs[i]) {
                return false;
            }
        }
    }
    return true;
}

XenRdmEntry *xen_rdm_map_add_with_devices(XenRdmMap *map, uint64_t start,
                                          uint64_t size, bool host_wide,
                                          const uint32_t *devices,
                                          size_t nr_devices, Error **errp)
{
    XenRdmEntry *e;

    if (!rdm_region_valid(start, size, errp)) {
        return NULL;
    }
    e = map_new_entry(map);
    *e = (XenRdmEntry) {
        .start = start,
        .size = size,
        .host_wide = host_wide,
        .devices_shared = true,
        .unresolved_shared = true,
        .unresolved = map->no_unresolved,
    };
    if (sbdfs_distinct(devices, nr_devices)) {
        e->devices = shared_device_list(map, devices, nr_devices);
    } else {
        e->devices = shared_device_list(map, NULL, 0);
        for (size_t i = 0; i < nr_devices; i++) {
            xen_rdm_entry_add_device(e, devices[i]);
        }
    }
    g_ptr_array_add(map->entries, e);
    return e;
}

XenRdmEntry *xen_rdm_map_add(XenRdmMap *map, uint64_t start, uint64_t size,
                             bool host_wide, Error **errp)
{
    return xen_rdm_map_add_with_devices(map, start, size, host_wide, NULL, 0,
                                        errp);
}

void xen_rdm_map_take(XenRdmMap *dst, XenRdmMap *src)
{
    g_autofree gpointer *blocks = NULL;
    gsize n, i;

    if (!dst->entries->len) {
        /* nothing in @dst shares a list yet: swap the maps' insides */
        XenRdmMap tmp = *dst;

        *dst = *src;
        *src = tmp;
        return;
    }
    /* the shared lists stay with @src: share @dst's instead */
    for (i = 0; i < src->entries->len; i++) {
        XenRdmEntry *e = g_ptr_array_index(src->entries, i);

        if (e->devices_shared) {
            e->devices = shared_device_list(dst,
                                            (const uint32_t *)e->devices->data,
                                            e->devices->len);
        }
        if (e->unresolved_shared) {
            e->unresolved = dst->no_unresolved;
        }
    }
    g_ptr_array_extend(dst->entries, src->entries, NULL, NULL);
    g_ptr_array_set_size(src->entries, 0);
    blocks = g_ptr_array_steal(src->blocks, &n);
    for (i = 0; i < n; i++) {
        g_ptr_array_add(dst->blocks, blocks[i]);
    }
    src->block = NULL;
    src->block_free = 0;
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
    if (xen_rdm_entry_has_device(entry, sbdf)) {
        return;
    }
    if (entry->devices_shared) {
        entry->devices = g_array_copy(entry->devices);
        entry->devices_shared = false;
    }
    g_array_append_val(entry->devices, sbdf);
}

void xen_rdm_entry_add_unresolved(XenRdmEntry *entry, const char *what)
{
    if (entry->unresolved_shared) {
        entry->unresolved = g_ptr_array_new_with_free_func(g_free);
        entry->unresolved_shared = false;
    }
    g_ptr_array_add(entry->unresolved, g_strdup(what));
}
