/*
 * Stand-ins for what libxl's RDM functions take from libxl_internal.h,
 * for the tests that build those functions out of the patched tree
 * (tests/xen/extract-c-function.sh): test-libxl-rdm-dm.c and the fuzz
 * target fuzz-libxl-rdm-answer.c.  Include after <libxl.h>.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef TESTS_XEN_LIBXL_STANDINS_H
#define TESTS_XEN_LIBXL_STANDINS_H

/* ---- what the functions take from libxl_internal.h */

typedef struct libxl__gc libxl__gc;
typedef struct libxl__egc libxl__egc;

#define GB(_gb) (_gb##ULL << 30)
#define PCI_BDF "%04x:%02x:%02x.%01x"
#define CONTAINER_OF(inner_ptr, outer, member_name) \
    ((__typeof__(outer) *)((char *)(inner_ptr) - \
                           offsetof(__typeof__(outer), member_name)))
#define EGC_GC libxl__gc *const gc __attribute__((unused)) = NULL

static char *allocs[1024];
static int nallocs;

static char *test_sprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static char *test_sprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0 || nallocs == 1024)
        abort();
    va_end(ap);
    allocs[nallocs++] = s;
    return s;
}
#define GCSPRINTF(f, ...) ((void)gc, test_sprintf((f), __VA_ARGS__))

/* the last message libxl logged at each level (xentoollog.h's) */
static char logged[XTL_NUM_LEVELS][1024];

static void test_log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void test_log(int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(logged[level], sizeof(logged[level]), fmt, ap);
    va_end(ap);
    /* one line of TAP */
    for (char *c = logged[level]; *c; c++)
        if (*c == '\n')
            *c = ' ';
}
#define LOGD(l, d, f, ...) ((void)(d), test_log(XTL_##l, (f), ##__VA_ARGS__))

/* JSON values: a string, an integer, an array or a map of them */
typedef enum {
    JSON_STRING, JSON_INTEGER, JSON_ARRAY, JSON_MAP,
} libxl__json_node_type;
typedef struct libxl__json_object libxl__json_object;
struct libxl__json_object {
    libxl__json_node_type type;
    const char *string;
    long long integer;
    const char *keys[8];              /* a map's */
    const libxl__json_object *items[8]; /* a map's values, an array's */
};

static const libxl__json_object *libxl__json_map_get(const char *key,
    const libxl__json_object *o, libxl__json_node_type type)
{
    int i;

    for (i = 0; o && o->type == JSON_MAP && i < 8 && o->keys[i]; i++)
        if (!strcmp(o->keys[i], key))
            return o->items[i]->type == type ? o->items[i] : NULL;
    return NULL;
}

static const libxl__json_object *libxl__json_array_get(
    const libxl__json_object *o, int i)
{
    return o && o->type == JSON_ARRAY && i < 8 ? o->items[i] : NULL;
}

static const char *libxl__json_object_get_string(
    const libxl__json_object *o)
{
    return o->string;
}

static long long libxl__json_object_get_integer(
    const libxl__json_object *o)
{
    return o->integer;
}

#define JSON(o) ((void)(o), "(the answer)")

/* libxl_pci.c's state of an add, with what the callback uses of it */
typedef struct libxl__ev_qmp libxl__ev_qmp;
typedef void libxl__ev_qmp_callback(libxl__egc *egc, libxl__ev_qmp *ev,
    const libxl__json_object *response, int rc);
struct libxl__ev_qmp {
    uint32_t domid;
    libxl__ev_qmp_callback *callback;
};
typedef struct pci_add_state {
    libxl__ev_qmp qmp;
    libxl_device_pci pci;
    bool dm_rdm_policy;
} pci_add_state;

/* libxl_internal.h's build state, with what the functions use of it */
typedef struct {
    uint64_t start, end;
    unsigned int flags, nid;
} test_vmemrange;
typedef struct libxl__domain_build_state {
    const char *dm_runas;
    test_vmemrange *vmemranges;
    uint32_t num_vmemranges;
    uint64_t lowmem_end, highmem_end;
} libxl__domain_build_state;

/* every string GCSPRINTF made, freed by standins_free() */
static void standins_free(void)
{
    int i;

    for (i = 0; i < nallocs; i++)
        free(allocs[i]);
    nallocs = 0;
}

static inline bool libxl__json_object_is_string(const libxl__json_object *o)
{
    return o && o->type == JSON_STRING;
}

static inline bool libxl__json_object_is_array(const libxl__json_object *o)
{
    return o && o->type == JSON_ARRAY;
}

#endif
