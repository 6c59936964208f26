/*
 * Stand-in for libxl's libxl_osdeps.h, for building libxl's split RDM
 * planning (tools/libs/light/libxl_rdm_split.c, patches/xen/) outside
 * libxl: see libxl_internal.h here.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
