/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STUB: replaced by the DMAR parser work */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"

void xen_rdm_pci_resolver_sysfs(XenRdmPciResolver *resolver,
                                const char *sysfs_root)
{
    resolver->secondary_bus = NULL;
    resolver->opaque = NULL;
}
