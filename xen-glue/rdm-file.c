/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STUB: replaced by the text file parser work */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"

bool xen_rdm_file_parse(const char *text, size_t len, const char *name,
                        XenRdmMap *map, Error **errp)
{
    error_setg(errp, "%s: RDM files not implemented", name);
    return false;
}

bool xen_rdm_file_load(const char *path, XenRdmMap *map, Error **errp)
{
    error_setg(errp, "%s: RDM files not implemented", path);
    return false;
}
