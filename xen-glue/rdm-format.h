/*
 * Output formats for an RDM layout plan: JSON (the shape QMP's
 * query-xen-rdm returns), a table for people, an e820 listing and an SVG
 * picture.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef XEN_GLUE_RDM_FORMAT_H
#define XEN_GLUE_RDM_FORMAT_H

#include "hw/xen/xen-rdm-plan.h"

/*
 * Each format as a string, or printed to a stream as it is made (the
 * same text; xen_rdm_plan_print_*() hold no more than a small buffer of
 * it in memory, whatever the size of the plan).
 */

/* One JSON object, no trailing newline; see docs/xen-rdm-plan.rst */
char *xen_rdm_plan_format_json(const XenRdmPlan *plan);
void xen_rdm_plan_print_json(const XenRdmPlan *plan, FILE *f);
/*
 * Aligned tables and a verdict, newline terminated.  A region of one of
 * @cfg's passed-through devices that stays guest RAM makes the verdict a
 * warning; each such region, and each strict conflict, gets the xl.cfg
 * change that would keep it free (@cfg: the configuration planned).
 */
char *xen_rdm_plan_format_text(const XenRdmPlan *plan,
                               const XenRdmConfig *cfg);
void xen_rdm_plan_print_text(const XenRdmPlan *plan, const XenRdmConfig *cfg,
                             FILE *f);
/* One line per e820 entry, as Linux prints its BIOS-e820 map */
char *xen_rdm_plan_format_e820(const XenRdmPlan *plan);
void xen_rdm_plan_print_e820(const XenRdmPlan *plan, FILE *f);
/*
 * xen-rdm-plan's warning line about each region ignored under the
 * relaxed policy ("xen-rdm-plan: warning: ignoring RDM ..."), for stderr
 */
void xen_rdm_plan_print_warnings(const XenRdmPlan *plan, FILE *f);

/* Plans drawn by xen_rdm_plan_format_svg() hold at most this many regions */
#define XEN_RDM_SVG_MAX_REGIONS 512
/*
 * An SVG picture of @n plans side by side (one column each, headed by
 * @titles[i]) on one broken address axis; see rdm-svg.c
 */
char *xen_rdm_plan_format_svg(const XenRdmPlan *const *plans,
                              const char *const *titles, guint n);

#endif
