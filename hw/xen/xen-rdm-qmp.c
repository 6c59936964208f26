/*
 * Reserved device memory (RDM) in Xen HVM guests: QMP
 *
 * query-xen-rdm reports the guest RAM layout in use, with the regions
 * and QEMU's own plan; xen-rdm-check-device checks a host device before
 * it is added.  Builds without Xen answer both with an error
 * (hw/i386/xen-rdm-stub.c).
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-misc-target.h"
#include "hw/boards.h"
#include "hw/xen/xen-rdm-device.h"
#include "hw/xen/xen-rdm-options.h"
#include "system/xen.h"
#include "xen-rdm-internal.h"
#include "trace.h"

XenRdmInfo *qmp_query_xen_rdm(Error **errp)
{
    const XenRdmState *s = xen_rdm_state();
    const XenRdmPlan *layout = s ? s->layout : NULL;
    XenRdmInfo *info;
    XenRdmMemoryMapEntryList **e820;
    guint i;

    if (!xen_enabled()) {
        error_setg(errp, "query-xen-rdm: not a Xen guest");
        return NULL;
    }
    if (!layout) {
        error_setg(errp, "query-xen-rdm: this machine has no Xen HVM RAM "
                   "layout");
        return NULL;
    }
    info = g_new0(XenRdmInfo, 1);
    info->layout = (XenRdmLayoutMode)layout->layout;
    info->source = s->source;
    info->result = layout->refused ? XEN_RDM_RESULT_REFUSED
                                   : XEN_RDM_RESULT_OK;
    info->reason = g_strdup(layout->reason);
    info->mmio_start = layout->mmio_start;
    info->lowmem_end = layout->lowmem_end;
    info->highmem_end = layout->highmem_end;
    info->ram = xen_rdm_ram_to_list(layout->ram);
    info->regions = xen_rdm_regions_to_list(layout->regions);
    e820 = &info->e820;
    for (i = 0; i < layout->e820->len; i++) {
        const XenRdmE820Entry *e = &g_array_index(layout->e820,
                                                  XenRdmE820Entry, i);
        XenRdmMemoryMapEntry *out = g_new0(XenRdmMemoryMapEntry, 1);

        out->start = e->start;
        out->size = e->size;
        out->type = (XenRdmMemoryType)e->type;
        QAPI_LIST_APPEND(e820, out);
    }
    if (s->plan) {
        info->plan = xen_rdm_plan_info(s->plan);
    }
    info->mismatch = g_strdup(s->mismatch);
    info->toolstack_error = g_strdup(s->toolstack_error);
    return info;
}

XenRdmDeviceCheck *qmp_xen_rdm_check_device(const char *host,
                                            bool has_rdm_policy,
                                            XenRdmReservePolicy rdm_policy,
                                            Error **errp)
{
    ERRP_GUARD();
    g_autoptr(XenRdmDeviceResult) result = NULL;
    XenRdmDeviceCheck *check;
    XenRdmPolicy policy = XEN_RDM_POLICY_STRICT;
    uint32_t sbdf;

    if (!xen_enabled()) {
        error_setg(errp, "xen-rdm-check-device: not a Xen guest");
        return NULL;
    }
    if (!xen_rdm_sbdf_parse(host, &sbdf, errp)) {
        error_prepend(errp, "xen-rdm-check-device: host: ");
        return NULL;
    }
    if (has_rdm_policy) {
        policy = (XenRdmPolicy)rdm_policy;
    } else {
        xen_rdm_listed_policy(MACHINE(qdev_get_machine()), sbdf, &policy);
    }
    result = xen_rdm_check_host_device(sbdf, policy, errp);
    if (!result) {
        return NULL;
    }
    check = g_new0(XenRdmDeviceCheck, 1);
    check->host = xen_rdm_sbdf_to_string(sbdf);
    check->rdm_policy = (XenRdmReservePolicy)policy;
    check->result = result->refusal ? XEN_RDM_RESULT_REFUSED
                                    : XEN_RDM_RESULT_OK;
    check->reason = g_steal_pointer(&result->refusal);
    check->regions = xen_rdm_regions_to_list(result->regions);
    trace_xen_rdm_check_device(check->host, XenRdmReservePolicy_str(
                                   (XenRdmReservePolicy)policy),
                               check->reason ? "refused" : "ok");
    return check;
}
