/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STUB: replaced by the xenctrl work (hypervisor-independent protocol) */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"
