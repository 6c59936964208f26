/*
 * Xen reserved device memory (RDM), the tool's side: names and parsers
 * of the planner's values (QEMU uses its QAPI enums and qemu_strtosz())
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef XEN_GLUE_RDM_NAMES_H
#define XEN_GLUE_RDM_NAMES_H

#include "hw/xen/xen-rdm-plan.h"

/* Names as used on command lines, in JSON and in QMP */
const char *xen_rdm_strategy_str(XenRdmStrategy s);
const char *xen_rdm_policy_str(XenRdmPolicy p);
const char *xen_rdm_layout_str(XenRdmLayout l);
const char *xen_rdm_status_str(XenRdmStatus s);
const char *xen_rdm_e820_type_str(XenRdmE820Type t);
bool xen_rdm_strategy_parse(const char *str, XenRdmStrategy *s, Error **errp);
bool xen_rdm_policy_parse(const char *str, XenRdmPolicy *p, Error **errp);
bool xen_rdm_layout_parse(const char *str, XenRdmLayout *l, Error **errp);

/*
 * Sizes as xl.cfg and QEMU take them: plain bytes (decimal or 0x hex) or
 * a decimal number with a K/M/G/T suffix (powers of 1024).
 */
bool xen_rdm_size_parse(const char *str, uint64_t *size, Error **errp);

#endif
