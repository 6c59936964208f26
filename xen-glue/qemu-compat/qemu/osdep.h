/*
 * Minimal stand-in for QEMU's qemu/osdep.h, for building the QEMU-side
 * files of this project outside a QEMU tree.  Inside QEMU the real header
 * is used; nothing here may be relied on that QEMU's does not provide.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef XEN_RDM_COMPAT_QEMU_OSDEP_H
#define XEN_RDM_COMPAT_QEMU_OSDEP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <unistd.h>
#include <glib.h>

typedef struct Error Error;

#ifndef QEMU_IS_ALIGNED
#define QEMU_IS_ALIGNED(n, m) (((n) % (m)) == 0)
#endif
#ifndef QEMU_ALIGN_DOWN
#define QEMU_ALIGN_DOWN(n, m) ((n) / (m) * (m))
#endif
#ifndef QEMU_ALIGN_UP
#define QEMU_ALIGN_UP(n, m) QEMU_ALIGN_DOWN((n) + (m) - 1, (m))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif
#ifndef G_GNUC_PRINTF
#define G_GNUC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#endif

#endif
