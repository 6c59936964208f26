/*
 * The part of an xl.cfg that decides a Xen HVM guest's memory layout, as
 * Xen 4.17's xl and libxl read it.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef XEN_GLUE_XL_CONFIG_H
#define XEN_GLUE_XL_CONFIG_H

#include "hw/xen/xen-rdm-plan.h"

/* Largest xl.cfg read (bytes): a guest configuration is a few KiB */
#define XEN_RDM_XL_CONFIG_MAX_SIZE  (1u << 20)

typedef struct XenRdmXlConfig {
    XenRdmConfig cfg;           /* what libxl 4.17 plans with */
    GArray *devices;            /* XenRdmDeviceConfig, cfg.devices */
    GPtrArray *notes;           /* char *: what xl did not take as written */
} XenRdmXlConfig;

/*
 * Read the xl.cfg at @path into @xl: memory and maxmem (MiB; the RAM
 * libxl lays out is maxmem, else memory, less the video memory of vga=,
 * stdvga= and videoram=), mmio_hole, rdm_mem_boundary (MiB), hap, rdm=
 * (as xl 4.17's parser takes it: only "strategy=host"; any policy= makes
 * it drop the whole setting, which a note says) and pci=[...] with each
 * device's rdm_policy (default strict, as libxl applies it).  Other keys
 * are ignored.  A malformed file, a value of the wrong type, an invalid
 * value or a configuration that is not HVM is an error naming the line.
 */
bool xen_rdm_xl_config_load(const char *path, XenRdmXlConfig *xl,
                            Error **errp);
/* The same for @len bytes of xl.cfg text, @name naming it in errors */
bool xen_rdm_xl_config_parse(const char *text, size_t len, const char *name,
                             XenRdmXlConfig *xl, Error **errp);
void xen_rdm_xl_config_clear(XenRdmXlConfig *xl);

#endif
