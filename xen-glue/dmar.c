/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STUB: replaced by the DMAR parser work */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"

bool xen_rdm_dmar_parse(const uint8_t *buf, size_t len, const char *name,
                        const XenRdmPciResolver *resolver, XenRdmMap *map,
                        Error **errp)
{
    error_setg(errp, "%s: DMAR parsing not implemented", name);
    return false;
}

bool xen_rdm_dmar_load(const char *path, const XenRdmPciResolver *resolver,
                       XenRdmMap *map, Error **errp)
{
    error_setg(errp, "%s: DMAR parsing not implemented", path);
    return false;
}
