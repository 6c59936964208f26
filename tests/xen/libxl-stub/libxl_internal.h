/*
 * Stand-in for libxl's libxl_internal.h with exactly what
 * tools/libs/light/libxl_rdm_split.c (patches/xen/) uses of it, so that
 * tests/xen/test-libxl-rdm-split.c builds that file as it is and runs it
 * against the project's planner.  Each definition is libxl 4.17's, or
 * behaves as it for this use: libxl__calloc() from a gc the test frees,
 * LOGD() into the test's log.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef LIBXL_INTERNAL_STUB_H
#define LIBXL_INTERNAL_STUB_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define _hidden

/* libxl.h */
#define ERROR_FAIL  -3
#define ERROR_INVAL -6

/* xen/memory.h (through xenctrl.h) */
typedef uint64_t xen_pfn_t;
typedef struct xen_reserved_device_memory {
    xen_pfn_t start_pfn;
    unsigned long nr_pages;
} xen_reserved_device_memory_t;

/* libxl_internal.h */
#define XC_PAGE_SHIFT 12
#define pfn_to_paddr(x) ((uint64_t)(x) << XC_PAGE_SHIFT)

typedef struct libxl__gc libxl__gc;
void *libxl__calloc(libxl__gc *gc, size_t nmemb, size_t size);

enum { XTL_ERROR, XTL_WARN };
void libxl_stub_log(int level, uint32_t domid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define LOGD(l, d, f, ...) libxl_stub_log(XTL_##l, (d), (f), ##__VA_ARGS__)

#endif
