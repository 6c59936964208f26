/*
 * xen-sim: libxentoolcore.so.1
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <xentoolcore.h>

#include "xen-sim.h"

int xentoolcore_restrict_all(domid_t domid)
{
    xen_sim_log("xentoolcore_restrict_all domid=%u", domid);
    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    xen_sim_restrict();
    return 0;
}
