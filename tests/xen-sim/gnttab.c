/*
 * xen-sim: libxengnttab.so.1.  No grant tables: QEMU only probes
 * grant copy (with no segments) at start-up; any real use fails loudly.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <xengnttab.h>

#include "xen-sim.h"

struct xengntdev_handle {
    unsigned magic;
};

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger,
                                 unsigned int open_flags)
{
    xengnttab_handle *h;

    if (xen_sim_no_xen()) {
        errno = ENOENT;
        return NULL;
    }
    h = calloc(1, sizeof(*h));
    xen_sim_log("xengnttab_open handle=%p", (void *)h);
    return h;
}

int xengnttab_close(xengnttab_handle *xgt)
{
    xen_sim_log("xengnttab_close handle=%p", (void *)xgt);
    free(xgt);
    return 0;
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
    xen_sim_log("xengnttab_set_max_grants nr=%u", nr_grants);
    return 0;
}

int xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
                         xengnttab_grant_copy_segment_t *segs)
{
    if (count == 0) {
        /* QEMU's capability probe: answer "not supported", quietly */
        xen_sim_log("xengnttab_grant_copy count=0 -> ENOSYS");
        errno = ENOSYS;
        return -1;
    }
    return xen_sim_error(__func__, ENOSYS, "grant copy of %u segments: "
                         "grant tables are not modelled", count);
}
