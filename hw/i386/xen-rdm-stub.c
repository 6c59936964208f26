/*
 * Reserved device memory (RDM) in Xen HVM guests: QMP without Xen
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-misc-target.h"

XenRdmInfo *qmp_query_xen_rdm(Error **errp)
{
    error_setg(errp, "query-xen-rdm: Xen HVM reserved device memory "
               "support is not compiled in");
    return NULL;
}

XenRdmDeviceCheck *qmp_xen_rdm_check_device(const char *host,
                                            bool has_rdm_policy,
                                            XenRdmReservePolicy rdm_policy,
                                            Error **errp)
{
    error_setg(errp, "xen-rdm-check-device: Xen HVM reserved device "
               "memory support is not compiled in");
    return NULL;
}
