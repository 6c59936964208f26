/*
 * The DMAR corpus folder as the corpus tests read it
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"
#include "rdm-corpus-dir.h"

const char *rdm_corpus_dir(int argc, char **argv, const char *fallback)
{
    const char *dir = argc == 2 ? argv[1] : g_getenv("XEN_RDM_DMAR_CORPUS");

    return dir ? dir : fallback;
}

bool rdm_corpus_present(const char *dir)
{
    g_autofree char *msg = NULL;

    if (g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        return true;
    }
    msg = g_strdup_printf("DMAR corpus folder is absent: looked for %s", dir);
    g_test_skip(msg);
    return false;
}

static gint str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char * const *)a, *(const char * const *)b);
}

GPtrArray *rdm_corpus_names(const char *dir)
{
    GPtrArray *names;
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GDir) d = NULL;
    const char *name;

    if (!rdm_corpus_present(dir)) {
        return NULL;
    }
    d = g_dir_open(dir, 0, &gerr);
    g_assert_no_error(gerr);
    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, ".dat")) {
            g_ptr_array_add(names, g_strdup(name));
        }
    }
    g_ptr_array_sort(names, str_cmp);
    g_assert_cmpuint(names->len, >, 0);
    return names;
}

XenRdmMap *rdm_corpus_load(const char *dir, const char *name, Error **errp)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();

    if (!xen_rdm_dmar_load(path, NULL, map, errp)) {
        g_assert_cmpuint(map->entries->len, ==, 0);
        return NULL;
    }
    return g_steal_pointer(&map);
}

GArray *rdm_corpus_devices(const XenRdmMap *map)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
    GArray *devs = g_array_new(false, false, sizeof(uint32_t));
    guint i, d;

    for (i = 0; i < map->entries->len; i++) {
        const XenRdmEntry *e = g_ptr_array_index(map->entries, i);

        for (d = 0; d < e->devices->len; d++) {
            uint32_t sbdf = g_array_index(e->devices, uint32_t, d);

            if (g_hash_table_add(seen, GUINT_TO_POINTER(sbdf))) {
                g_array_append_val(devs, sbdf);
            }
        }
    }
    return devs;
}
