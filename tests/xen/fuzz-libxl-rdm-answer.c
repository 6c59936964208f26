/*
 * fuzz-libxl-rdm-answer: libFuzzer target for what libxl with
 * patches/xen makes of the device model's RDM answers:
 *   - to query-xen-rdm once the device model runs:
 *     device_model_check_rdm() of libxl_dm.c, with its parts
 *     rdm_check_ram_built(), rdm_check_ram_restored() and
 *     rdm_check_regions(), and qmp_map_get_u64(), qmp_ram_range_get(),
 *     overlaps_rdm(), rdm_libxl_has_start(), qmp_ram_ranges_str() and
 *     rdm_libxl_ram_str(), for a guest libxl built and for a restored
 *     one (lowmem_end 0);
 *   - to xen-rdm-check-device before a hot-plug:
 *     pci_add_read_rdm_check() of libxl_pci.c;
 * taken as they are out of the tree scripts/xen-build.sh patched
 * (tests/xen/extract-c-function.sh, by tests/xen/run-libxl-rdm-fuzz.sh,
 * which passes them in as LIBXL_FUNCTIONS) and built with the stand-ins of
 * libxl-standins.h.  The input decodes to the build state and the
 * configuration libxl checks against, and to the answer, a tree of JSON
 * values (what libxl reads of any answer yajl parsed, not yajl itself).
 * Every answer must be taken or refused with a code the callers handle,
 * a query-xen-rdm answer taken only when its RAM ends are libxl's (a
 * restored guest's: when no strict region lies in its RAM), and a
 * refused device never marked as checked; no sanitizer report.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxl.h>

#include "libxl-standins.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include LIBXL_FUNCTIONS

/* ---- the input, a byte at a time (zeros once it is used up) */

typedef struct {
    const uint8_t *p;
    size_t n;
} input;

static uint8_t take(input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

/* the words and numbers an answer is made of, and any 64-bit value */
static const char *const words[] = {
    "start", "size", "lowmem-end", "highmem-end", "plan", "ram",
    "regions", "status", "policy", "conflict", "devices", "mismatch",
    "result", "reason", "ok", "refused", "ignored", "reserved", "strict",
    "relaxed", "0000:00:02.0", "",
};
static const long long numbers[] = {
    0, 1, -1, 0x1000, 0x6000000, 0x6001000, 0x6200000, 0x10000000,
    0xf0000000LL, 0x100000000LL, 0x108200000LL, INT64_MAX, INT64_MIN,
};

static const char *take_word(input *in)
{
    return words[take(in) % ARRAY_SIZE(words)];
}

static long long take_number(input *in)
{
    uint8_t b = take(in);
    uint64_t v = 0;
    int i;

    if (!(b & 0x80))
        return numbers[b % ARRAY_SIZE(numbers)];
    for (i = 0; i < 8; i++)
        v = v << 8 | take(in);
    return (long long)v;
}

/* ---- the answer: a tree of at most MAX_NODES values, 4 levels deep */

#define MAX_NODES 128
static libxl__json_object nodes[MAX_NODES];
static int nr_nodes;

static const libxl__json_object *take_value(input *in, int depth)
{
    libxl__json_object *o;
    uint8_t kind = take(in);
    int i, n;

    if (nr_nodes == MAX_NODES)
        return NULL;
    o = &nodes[nr_nodes++];
    memset(o, 0, sizeof(*o));
    switch (depth >= 4 ? kind % 2 : kind % 4) {
    case 0:
        o->type = JSON_STRING;
        o->string = take_word(in);
        break;
    case 1:
        o->type = JSON_INTEGER;
        o->integer = take_number(in);
        break;
    case 2:
        o->type = JSON_ARRAY;
        n = take(in) % 9;
        for (i = 0; i < n; i++) {
            o->items[i] = take_value(in, depth + 1);
            if (!o->items[i])
                break;
        }
        break;
    default:
        o->type = JSON_MAP;
        n = take(in) % 9;
        for (i = 0; i < n; i++) {
            o->items[i] = take_value(in, depth + 1);
            if (!o->items[i])
                break;
            o->keys[i] = take_word(in);
        }
        break;
    }
    return o;
}

/* the integer at @key of the map @o, as the check reads it */
static bool map_int(const libxl__json_object *o, const char *key,
                    long long *v)
{
    o = libxl__json_map_get(key, o, JSON_INTEGER);
    if (o)
        *v = o->integer;
    return o;
}

/* whether a strict region of @d_config lies in a RAM range of @answer */
static bool strict_in_ram(const libxl_domain_config *d_config,
                          const libxl__json_object *answer)
{
    const libxl__json_object *ram, *range;
    long long start, size;
    int i, j;

    ram = libxl__json_map_get("ram", answer, JSON_ARRAY);
    for (i = 0; (range = libxl__json_array_get(ram, i)); i++) {
        if (!map_int(range, "start", &start) ||
            !map_int(range, "size", &size))
            abort(); /* taken, so well-formed */
        for (j = 0; j < d_config->num_rdms; j++) {
            const libxl_device_rdm *r = &d_config->rdms[j];

            if (r->policy == LIBXL_RDM_RESERVE_POLICY_STRICT &&
                (uint64_t)start < r->start + r->size &&
                r->start < (uint64_t)start + (uint64_t)size)
                return true;
        }
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = { data, size };
    libxl_domain_config d_config;
    libxl_device_rdm rdms[4];
    libxl__domain_build_state state = { 0 };
    test_vmemrange ranges[4];
    pci_add_state pas;
    const libxl__json_object *answer;
    long long low, high;
    uint8_t b;
    int i, rc;

    /* what libxl built: the layout, the RAM ends or ranges, the regions */
    memset(&d_config, 0, sizeof(d_config));
    b = take(&in);
    d_config.b_info.u.hvm.rdm.layout = b & 1 ? LIBXL_RDM_RESERVE_LAYOUT_SPLIT
                                             : LIBXL_RDM_RESERVE_LAYOUT_COMPAT;
    /* lowmem_end 0: a restore, a migration in, a soft reset */
    state.lowmem_end = b & 0x80 ? 0 : take_number(&in);
    state.highmem_end = b & 0x80 ? 0 : take_number(&in);
    state.num_vmemranges = (b >> 1) % 5;
    for (i = 0; i < (int)state.num_vmemranges; i++) {
        ranges[i].start = take_number(&in);
        ranges[i].end = take_number(&in);
    }
    state.vmemranges = ranges;
    d_config.num_rdms = (b >> 4) % 5;
    for (i = 0; i < d_config.num_rdms; i++) {
        rdms[i].start = take_number(&in);
        rdms[i].size = take_number(&in);
        rdms[i].policy = take(&in) & 1 ? LIBXL_RDM_RESERVE_POLICY_STRICT
                                       : LIBXL_RDM_RESERVE_POLICY_RELAXED;
    }
    d_config.rdms = rdms;

    nr_nodes = 0;
    answer = take_value(&in, 0);

    rc = device_model_check_rdm(NULL, 1, &d_config, &state, answer);
    if (rc != 0 && rc != ERROR_FAIL && rc != ERROR_QEMU_API)
        abort();
    /*
     * taken: the RAM the device model maps ends where libxl's does; for a
     * restored guest, no strict region lies in it
     */
    if (!rc && (!map_int(answer, "lowmem-end", &low) ||
                !map_int(answer, "highmem-end", &high)))
        abort();
    if (!rc && state.lowmem_end &&
        ((uint64_t)low != state.lowmem_end ||
         (uint64_t)high != state.highmem_end))
        abort();
    if (!rc && !state.lowmem_end && strict_in_ram(&d_config, answer))
        abort();

    memset(&pas, 0, sizeof(pas));
    pas.qmp.domid = 1;
    rc = pci_add_read_rdm_check(NULL, &pas, 1, answer);
    if (rc != 0 && rc != ERROR_FAIL)
        abort();
    if (rc == ERROR_FAIL && pas.dm_rdm_policy)
        abort();

    standins_free();
    return 0;
}
