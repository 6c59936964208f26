/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STUB: replaced by the xenctrl work */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"

bool xen_rdm_xenctrl_query(bool host_wide, const uint32_t *sbdfs,
                           size_t nr_sbdfs, XenRdmMap *map, Error **errp)
{
    error_setg(errp, "querying Xen not implemented");
    return false;
}
