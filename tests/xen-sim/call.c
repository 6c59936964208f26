/*
 * xen-sim: libxencall.so.1.  QEMU never calls libxencall directly (only
 * through the real libxenctrl); every function is a loud stub.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "xen-sim.h"
