/*
 * Reserved device memory (RDM) in Xen HVM guests: checking a host device
 * before it is passed through
 *
 * A device's regions must not be guest RAM, which can no longer move
 * once the guest runs.  xen-pci-passthrough checks its host device when
 * it is realized, and QMP's xen-rdm-check-device answers for a device
 * before it is added.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qapi/error.h"
#include "hw/boards.h"
#include "hw/qdev-core.h"
#include "hw/core/qdev-prop-internal.h"
#include "hw/xen/xen_native.h"
#include "hw/xen/xen.h"
#include "hw/xen/xen-rdm-device.h"
#include "hw/xen/xen-rdm-options.h"
#include "xen-rdm-internal.h"
#include "trace.h"

const PropertyInfo qdev_prop_xen_rdm_device_policy = {
    .type = "XenRdmDevicePolicy",
    .description = "auto/strict/relaxed",
    .enum_table = &XenRdmDevicePolicy_lookup,
    .get = qdev_propinfo_get_enum,
    .set = qdev_propinfo_set_enum,
    .set_default_value = qdev_propinfo_set_default_value_enum,
};

void xen_rdm_device_result_free(XenRdmDeviceResult *result)
{
    if (result->regions) {
        g_ptr_array_unref(result->regions);
    }
    g_free(result->refusal);
    g_free(result);
}

/*
 * After start-up, a device model started with -xen-domid-restrict can
 * no longer make hypercalls: only the devices listed in xen-rdm.pci,
 * whose regions were asked for at initialisation, can still be checked.
 */
static bool xen_rdm_restricted(void)
{
    return xen_domid_restrict && phase_check(PHASE_MACHINE_READY);
}

/* Frames asked about per mapping (a region has any number) */
#define XEN_RDM_POPULATED_BATCH 1024

/*
 * The first frame of [@start, @start + @size) the hypervisor holds guest
 * memory at, in *@at; false when it holds none there or cannot be asked
 */
static bool xen_rdm_populated_at(uint64_t start, uint64_t size, uint64_t *at)
{
    g_autofree xen_pfn_t *pfns = g_new(xen_pfn_t, XEN_RDM_POPULATED_BATCH);
    g_autofree int *err = g_new(int, XEN_RDM_POPULATED_BATCH);
    uint64_t pfn = start >> XC_PAGE_SHIFT;
    uint64_t end = (start + size) >> XC_PAGE_SHIFT;

    while (pfn < end) {
        size_t n = MIN(end - pfn, XEN_RDM_POPULATED_BATCH), i;
        void *map;

        for (i = 0; i < n; i++) {
            pfns[i] = pfn + i;
        }
        map = xenforeignmemory_map(xen_fmem, xen_domid, PROT_READ, n, pfns,
                                   err);
        if (!map) {
            trace_xen_rdm_check_populated(start, size, "not asked: the "
                                          "frames cannot be mapped");
            return false;
        }
        xenforeignmemory_unmap(xen_fmem, map, n);
        for (i = 0; i < n; i++) {
            if (!err[i]) {
                *at = (uint64_t)pfns[i] << XC_PAGE_SHIFT;
                trace_xen_rdm_check_populated(start, size, "populated");
                return true;
            }
        }
        pfn += n;
    }
    trace_xen_rdm_check_populated(start, size, "not populated");
    return false;
}

/*
 * A device's region outside guest RAM must also be outside what the
 * hypervisor populated there: video RAM a BAR in the MMIO hole maps,
 * the pages hvmloader and the toolstack keep for themselves.  Each such
 * region of @result becomes a conflict (policy strict, the device's
 * refusal) or is ignored (relaxed); one in a hole of the RAM layout, or
 * in the MMIO hole where nothing is populated, stays reserved: the
 * device goes there as it is, nothing is planned for it.
 */
static void xen_rdm_check_populated(XenRdmDeviceResult *result,
                                    uint32_t sbdf, XenRdmPolicy policy)
{
    guint i;

    for (i = 0; i < result->regions->len; i++) {
        XenRdmRegion *r = g_ptr_array_index(result->regions, i);
        uint64_t at;

        if (r->status != XEN_RDM_STATUS_RESERVED ||
            !xen_rdm_populated_at(r->start, r->size, &at)) {
            continue;
        }
        r->status = policy == XEN_RDM_POLICY_STRICT ?
                    XEN_RDM_STATUS_CONFLICT : XEN_RDM_STATUS_IGNORED;
        r->conflict = g_strdup_printf("guest memory the hypervisor holds at "
                                      "0x%" PRIx64 ", outside guest RAM "
                                      "(video RAM, firmware or toolstack "
                                      "pages)", at);
        if (r->status == XEN_RDM_STATUS_CONFLICT && !result->refusal) {
            g_autofree char *dev = xen_rdm_sbdf_to_string(sbdf);

            result->refusal = g_strdup_printf(
                "RDM conflict: device %s needs region 0x%" PRIx64 "-0x%"
                PRIx64 " with policy strict, but it collides with %s, which "
                "cannot move while the guest runs", dev, r->start,
                r->start + r->size - 1, r->conflict);
        }
    }
}

XenRdmDeviceResult *xen_rdm_check_host_device(uint32_t sbdf,
                                              XenRdmPolicy policy,
                                              Error **errp)
{
    const XenRdmState *s = xen_rdm_state();
    g_autoptr(XenRdmDeviceResult) result = g_new0(XenRdmDeviceResult, 1);
    g_autoptr(XenRdmMap) map = NULL;
    g_autoptr(Error) conflict = NULL;
    XenRdmPolicy listed;
    const XenRdmMap *regions_of;

    if (!s || !s->layout) {
        error_setg(errp, "xen-rdm: no guest memory layout to check against "
                   "(not a Xen HVM machine)");
        return NULL;
    }
    if (xen_rdm_listed_policy(MACHINE(qdev_get_machine()), sbdf, &listed)) {
        /* asked for at initialisation */
        regions_of = s->map;
    } else if (xen_rdm_restricted()) {
        error_setg(errp, "xen-rdm: cannot ask the hypervisor for the "
                   "device's reserved device memory: QEMU runs restricted "
                   "(-xen-domid-restrict)");
        return NULL;
    } else {
        map = xen_rdm_map_new();
        if (!xen_rdm_query(false, &sbdf, 1, map, errp)) {
            return NULL;
        }
        regions_of = map;
    }
    /* a strict conflict is the device's refusal, not an error here */
    if (!xen_rdm_ram_check_device(s->layout->ram, regions_of, sbdf, policy,
                                  &result->regions, &conflict)) {
        result->refusal = g_strdup(error_get_pretty(conflict));
    }
    xen_rdm_check_populated(result, sbdf, policy);
    return g_steal_pointer(&result);
}

bool xen_rdm_check_passthrough(uint16_t seg, uint8_t bus, uint8_t dev,
                               uint8_t fn, XenRdmDevicePolicy dev_policy,
                               Error **errp)
{
    uint32_t sbdf = XEN_RDM_SBDF(seg, bus, dev, fn);
    g_autofree char *name = xen_rdm_sbdf_to_string(sbdf);
    g_autoptr(XenRdmDeviceResult) result = NULL;
    const XenRdmState *s = xen_rdm_state();
    Error *local_err = NULL;
    XenRdmPolicy policy = XEN_RDM_POLICY_STRICT;
    bool told;
    guint i;

    /*
     * Refuse only under a policy QEMU was told: libxl 4.17 tells it none,
     * and Xen applies the device's policy itself when it assigns it.
     */
    if (dev_policy != XEN_RDM_DEVICE_POLICY_AUTO) {
        policy = dev_policy == XEN_RDM_DEVICE_POLICY_RELAXED ?
                 XEN_RDM_POLICY_RELAXED : XEN_RDM_POLICY_STRICT;
        told = true;
    } else {
        told = xen_rdm_listed_policy(MACHINE(qdev_get_machine()), sbdf,
                                     &policy);
    }
    if (!s || !s->layout) {
        /* no Xen HVM RAM layout (xenpvh) */
        trace_xen_rdm_check_skipped(name, "no Xen HVM layout");
        return true;
    }
    result = xen_rdm_check_host_device(sbdf, policy, &local_err);
    if (!result) {
        if (xen_rdm_restricted()) {
            warn_report("xen-rdm: %s: reserved device memory not checked: %s; "
                        "the hypervisor checks it when it assigns the device",
                        name, error_get_pretty(local_err));
            error_free(local_err);
            return true;
        }
        if (!told) {
            /* as QEMU always did when the hypervisor cannot tell */
            trace_xen_rdm_check_skipped(name, error_get_pretty(local_err));
            error_free(local_err);
            return true;
        }
        error_propagate(errp, local_err);
        return false;
    }
    trace_xen_rdm_check_device(name, XenRdmReservePolicy_str(
                                   (XenRdmReservePolicy)policy),
                               !result->refusal ? "ok" : told ? "refused" :
                               "left to Xen");
    xen_rdm_report_regions(result->regions, name);
    if (!result->refusal) {
        return true;
    }
    if (told) {
        error_setg(errp, "%s", result->refusal);
        return false;
    }
    for (i = 0; i < result->regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(result->regions, i);

        if (r->status == XEN_RDM_STATUS_CONFLICT) {
            warn_report("xen-rdm: %s: reserved device memory 0x%" PRIx64
                        "-0x%" PRIx64 " collides with %s; QEMU was not told "
                        "the device's rdm_policy (xen-rdm.pci, or the "
                        "device's rdm-policy) and adds it: the hypervisor "
                        "refuses to assign a strict device", name, r->start,
                        r->start + r->size - 1, r->conflict);
        }
    }
    return true;
}
