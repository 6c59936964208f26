/*
 * Reserved device memory (RDM) in Xen HVM guests
 *
 * At machine initialisation, ask the hypervisor for the RDM regions the
 * machine property "xen-rdm" names (host-wide and per device), plan the
 * guest RAM around them (hw/xen/xen-rdm-plan.c) and answer for the plan
 * over QMP.  Passed-through devices are checked against the plan when
 * they are added.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qapi/qapi-visit-xen-target.h"
#include "qapi/qapi-commands-xen-target.h"
#include "qapi/qapi-events-xen-target.h"
#include "hw/xen/xen_native.h"
#include "hw/xen/xen-rdm.h"
#include "hw/xen/xen-rdm-query.h"
#include "system/xen.h"
#include "trace.h"

#include <xen/hvm/hvm_info_table.h>

typedef struct XenRdmState {
    XenRdmOptions *opts;        /* the machine property, NULL if unset */
    GArray *devices;            /* XenRdmDeviceConfig from opts->pci */
    XenRdmPlan *plan;           /* the layout in use, once planned */
    bool planned_ram;           /* plan drives the RAM (else QEMU's own) */
    char *plan_error;           /* why there is no plan */
    GArray *guest_ram;          /* RAM the toolstack populated, when it */
                                /* differs from the plan's (hvm_info) */
} XenRdmState;

static XenRdmState xen_rdm;

/* The planner's enums and the QAPI ones are the same lists */
QEMU_BUILD_BUG_ON((int)XEN_RDM_RESERVE_STRATEGY_HOST !=
                  (int)XEN_RDM_STRATEGY_HOST);
QEMU_BUILD_BUG_ON((int)XEN_RDM_RESERVE_POLICY_RELAXED !=
                  (int)XEN_RDM_POLICY_RELAXED);
QEMU_BUILD_BUG_ON((int)XEN_RDM_LAYOUT_MODE_SPLIT != (int)XEN_RDM_LAYOUT_SPLIT);
QEMU_BUILD_BUG_ON((int)XEN_RDM_REGION_STATUS_CONFLICT !=
                  (int)XEN_RDM_STATUS_CONFLICT);
QEMU_BUILD_BUG_ON((int)XEN_RDM_MEMORY_TYPE_RESERVED !=
                  (int)XEN_RDM_E820_RESERVED);

/* ------------------------------------------------------------------ */
/* The machine property                                                 */

static bool xen_rdm_parse_devices(const XenRdmOptions *opts, GArray **out,
                                  Error **errp)
{
    ERRP_GUARD();
    g_autoptr(GArray) devices = g_array_new(false, false,
                                            sizeof(XenRdmDeviceConfig));
    XenRdmDeviceOptionsList *l;
    unsigned n = 0;
    guint i;

    for (l = opts->pci; l; l = l->next, n++) {
        XenRdmDeviceConfig dev = {
            .policy = l->value->has_rdm_policy ?
                      (XenRdmPolicy)l->value->rdm_policy :
                      XEN_RDM_POLICY_STRICT,
        };

        if (!xen_rdm_sbdf_parse(l->value->host, &dev.sbdf, errp)) {
            error_prepend(errp, "xen-rdm.pci.%u.host: ", n);
            return false;
        }
        for (i = 0; i < devices->len; i++) {
            if (g_array_index(devices, XenRdmDeviceConfig, i).sbdf ==
                dev.sbdf) {
                error_setg(errp, "xen-rdm.pci.%u.host: device %s is listed "
                           "twice", n, l->value->host);
                return false;
            }
        }
        g_array_append_val(devices, dev);
    }
    *out = g_steal_pointer(&devices);
    return true;
}

static void xen_rdm_get_opts(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    g_autoptr(XenRdmOptions) empty = g_new0(XenRdmOptions, 1);
    XenRdmOptions *opts = xen_rdm.opts ? xen_rdm.opts : empty;

    visit_type_XenRdmOptions(v, name, &opts, errp);
}

static void xen_rdm_set_opts(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    ERRP_GUARD();
    g_autoptr(XenRdmOptions) opts = NULL;
    GArray *devices;

    if (!visit_type_XenRdmOptions(v, name, &opts, errp)) {
        error_prepend(errp, "xen-rdm: ");
        return;
    }
    if (opts->has_mem_boundary && opts->mem_boundary > 4 * GiB) {
        error_setg(errp, "xen-rdm.mem-boundary: 0x%" PRIx64 " is above "
                   "4 GiB", opts->mem_boundary);
        return;
    }
    if (!xen_rdm_parse_devices(opts, &devices, errp)) {
        return;
    }
    qapi_free_XenRdmOptions(xen_rdm.opts);
    if (xen_rdm.devices) {
        g_array_unref(xen_rdm.devices);
    }
    xen_rdm.opts = g_steal_pointer(&opts);
    xen_rdm.devices = devices;
}

void xen_rdm_machine_class_init(ObjectClass *oc)
{
    object_class_property_add(oc, "xen-rdm", "XenRdmOptions",
                              xen_rdm_get_opts, xen_rdm_set_opts,
                              NULL, NULL);
    object_class_property_set_description(oc, "xen-rdm",
        "Xen reserved device memory: strategy=ignore|host, "
        "policy=strict|relaxed, mem-boundary=SIZE, layout=compat|split, "
        "pci.N.host=SBDF, pci.N.rdm-policy=strict|relaxed");
}

bool xen_rdm_check_machine_options(Error **errp)
{
    if (xen_rdm.opts && !xen_enabled()) {
        error_setg(errp, "the machine property xen-rdm needs the Xen "
                   "accelerator");
        return false;
    }
    return true;
}

static bool xen_rdm_requested(void)
{
    const XenRdmOptions *o = xen_rdm.opts;

    return o && ((o->has_strategy &&
                  o->strategy == XEN_RDM_RESERVE_STRATEGY_HOST) || o->pci);
}

static void xen_rdm_config(XenRdmConfig *cfg, uint64_t ram_size,
                           uint64_t mmio_hole)
{
    const XenRdmOptions *o = xen_rdm.opts;

    xen_rdm_config_init(cfg);
    cfg->ram_size = ram_size;
    cfg->mmio_hole = mmio_hole;
    if (o) {
        if (o->has_strategy) {
            cfg->strategy = (XenRdmStrategy)o->strategy;
        }
        if (o->has_policy) {
            cfg->policy = (XenRdmPolicy)o->policy;
        }
        if (o->has_mem_boundary) {
            cfg->boundary = o->mem_boundary;
        }
        if (o->has_layout) {
            cfg->layout = (XenRdmLayout)o->layout;
        }
    }
    if (xen_rdm.devices) {
        cfg->devices = (XenRdmDeviceConfig *)xen_rdm.devices->data;
        cfg->nr_devices = xen_rdm.devices->len;
    }
}

/* ------------------------------------------------------------------ */
/* Asking the hypervisor                                                */

static int xen_rdm_xc_map(void *opaque, uint32_t flags, uint16_t seg,
                          uint8_t bus, uint8_t devfn,
                          XenRdmRawEntry *entries, uint32_t *max_entries)
{
    g_autofree struct xen_reserved_device_memory *xrdm = NULL;
    uint32_t cap = *max_entries, i;
    int rc, saved_errno;

    if (cap) {
        xrdm = g_new0(struct xen_reserved_device_memory, cap);
    }
    rc = xc_reserved_device_memory_map(xen_xc, flags, seg, bus, devfn,
                                       xrdm, max_entries);
    saved_errno = errno;
    for (i = 0; rc == 0 && i < MIN(cap, *max_entries); i++) {
        entries[i].start_pfn = xrdm[i].start_pfn;
        entries[i].nr_pages = xrdm[i].nr_pages;
    }
    errno = saved_errno;
    return rc;
}

static bool xen_rdm_query(bool host_wide, const uint32_t *sbdfs, size_t nr,
                          XenRdmMap *map, Error **errp)
{
    ERRP_GUARD();
    trace_xen_rdm_query(host_wide, nr);
    if (!xen_rdm_query_entries(xen_rdm_xc_map, NULL, host_wide, sbdfs, nr,
                               map, errp)) {
        error_prepend(errp, "xen-rdm: cannot get reserved device memory "
                      "from the hypervisor: ");
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* QAPI conversions                                                     */

static strList *xen_rdm_devices_to_list(const GPtrArray *devices)
{
    strList *head = NULL, **tail = &head;
    guint i;

    for (i = 0; i < devices->len; i++) {
        QAPI_LIST_APPEND(tail, g_strdup(g_ptr_array_index(devices, i)));
    }
    return head;
}

static XenRdmRegionInfo *xen_rdm_region_info(const XenRdmRegion *r)
{
    XenRdmRegionInfo *info = g_new0(XenRdmRegionInfo, 1);

    info->start = r->start;
    info->size = r->size;
    info->policy = (XenRdmReservePolicy)r->policy;
    info->status = (XenRdmRegionStatus)r->status;
    info->conflict = g_strdup(r->conflict);
    info->devices = xen_rdm_devices_to_list(r->devices);
    return info;
}

static XenRdmRegionInfoList *xen_rdm_regions_to_list(const GPtrArray *rs)
{
    XenRdmRegionInfoList *head = NULL, **tail = &head;
    guint i;

    for (i = 0; i < rs->len; i++) {
        QAPI_LIST_APPEND(tail,
                         xen_rdm_region_info(g_ptr_array_index(rs, i)));
    }
    return head;
}

/* Report every region guest RAM covers (no client is listening yet) */
static void xen_rdm_report_regions(const GPtrArray *regions,
                                   const char *device)
{
    guint i;

    for (i = 0; i < regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(regions, i);
        g_autoptr(XenRdmRegionInfo) info = NULL;

        trace_xen_rdm_region(r->start, r->size, xen_rdm_policy_str(r->policy),
                             xen_rdm_status_str(r->status),
                             r->conflict ? r->conflict : "");
        if (r->status == XEN_RDM_STATUS_RESERVED) {
            continue;
        }
        if (r->status == XEN_RDM_STATUS_IGNORED) {
            warn_report("xen-rdm: %s%sreserved device memory 0x%" PRIx64
                        "-0x%" PRIx64 " (policy relaxed) is ignored: it "
                        "collides with %s", device ? device : "",
                        device ? ": " : "", r->start,
                        r->start + r->size - 1, r->conflict);
        }
        info = xen_rdm_region_info(r);
        qapi_event_send_xen_rdm_conflict(device, info);
    }
}

/* ------------------------------------------------------------------ */
/* Machine initialisation                                               */

/*
 * libxc wrote where the RAM it populated ends into the guest's
 * hvm_info_table before QEMU started.  Returns false when there is no
 * valid table to read.
 */
static bool xen_rdm_read_hvm_info(uint64_t *low_end, uint64_t *high_end)
{
    xen_pfn_t pfn = HVM_INFO_PFN;
    const struct hvm_info_table *info;
    uint8_t *page, sum = 0;
    bool ok = false;
    uint32_t i;

    page = xenforeignmemory_map(xen_fmem, xen_domid, PROT_READ, 1, &pfn,
                                NULL);
    if (!page) {
        trace_xen_rdm_hvm_info_absent("cannot map the hvm_info page");
        return false;
    }
    info = (const struct hvm_info_table *)(page + HVM_INFO_OFFSET);
    if (memcmp(info->signature, "HVM INFO", 8) ||
        info->length < sizeof(*info) ||
        info->length > XC_PAGE_SIZE - HVM_INFO_OFFSET) {
        trace_xen_rdm_hvm_info_absent("no hvm_info_table");
        goto out;
    }
    for (i = 0; i < info->length; i++) {
        sum += ((const uint8_t *)info)[i];
    }
    if (sum) {
        trace_xen_rdm_hvm_info_absent("bad hvm_info_table checksum");
        goto out;
    }
    *low_end = (uint64_t)info->low_mem_pgend << XC_PAGE_SHIFT;
    *high_end = (uint64_t)info->high_mem_pgend << XC_PAGE_SHIFT;
    ok = true;
out:
    xenforeignmemory_unmap(xen_fmem, page, 1);
    return ok;
}

/*
 * Compare the plan with the RAM the toolstack really populated.  Where
 * they differ, devices added later are checked against the toolstack's
 * RAM, which is the guest's memory; when QEMU laid its RAM out from the
 * plan (@planned_ram), a difference also means QEMU's view of guest
 * memory is wrong, and it says so.
 */
static void xen_rdm_check_hvm_info(const XenRdmPlan *plan, bool planned_ram)
{
    Error *local_err = NULL;
    uint64_t low_end, high_end;

    if (!xen_rdm_read_hvm_info(&low_end, &high_end)) {
        return;
    }
    trace_xen_rdm_hvm_info(low_end, high_end, plan->lowmem_end,
                           plan->highmem_end);
    if (low_end == plan->lowmem_end && high_end == plan->highmem_end) {
        return;
    }
    xen_rdm.guest_ram = xen_rdm_ram_from_ends(low_end, high_end, &local_err);
    if (!xen_rdm.guest_ram) {
        warn_reportf_err(local_err, "xen-rdm: ignoring the hvm_info_table: ");
        return;
    }
    if (planned_ram) {
        warn_report("xen-rdm: the toolstack populated guest RAM up to "
                    "0x%" PRIx64 " and 0x%" PRIx64 " (hvm_info), but the "
                    "%s plan ends low RAM at 0x%" PRIx64 " and high RAM at "
                    "0x%" PRIx64 ": the guest's memory and QEMU's view of "
                    "it differ", low_end, high_end,
                    xen_rdm_layout_str(plan->layout), plan->lowmem_end,
                    plan->highmem_end);
    }
}

bool xen_rdm_plan_guest_ram(uint64_t ram_size, uint64_t max_ram_below_4g,
                            const XenRdmPlan **planp, Error **errp)
{
    ERRP_GUARD();
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    g_autoptr(GArray) sbdfs = g_array_new(false, false, sizeof(uint32_t));
    XenRdmConfig cfg;
    Error *local_err = NULL;
    guint i;

    *planp = NULL;
    xen_rdm_config(&cfg, ram_size, 4 * GiB - max_ram_below_4g);

    if (!xen_rdm_requested()) {
        /*
         * Nothing asks for RDMs: QEMU lays RAM out as it always has, and
         * the hypervisor is not even asked.  The plan of that layout is
         * kept for query-xen-rdm and for checking devices added later.
         */
        trace_xen_rdm_not_requested();
        if (!xen_rdm_plan_compute(&cfg, map, &xen_rdm.plan, &local_err)) {
            xen_rdm.plan_error = g_strdup(error_get_pretty(local_err));
            error_free(local_err);
            return true;
        }
        /* the toolstack may have moved RAM off RDMs all the same (libxl) */
        xen_rdm_check_hvm_info(xen_rdm.plan, false);
        return true;
    }

    for (i = 0; i < cfg.nr_devices; i++) {
        g_array_append_val(sbdfs, cfg.devices[i].sbdf);
    }
    if (!xen_rdm_query(cfg.strategy == XEN_RDM_STRATEGY_HOST,
                       (uint32_t *)sbdfs->data, sbdfs->len, map, errp)) {
        return false;
    }
    if (!xen_rdm_plan_compute(&cfg, map, &xen_rdm.plan, errp)) {
        error_prepend(errp, "xen-rdm: cannot plan guest RAM (max-ram-below-4g"
                      " 0x%" PRIx64 "): ", max_ram_below_4g);
        return false;
    }
    if (!xen_rdm_plan_check(xen_rdm.plan, ram_size, errp)) {
        error_prepend(errp, "xen-rdm: internal error: ");
        return false;
    }
    trace_xen_rdm_plan(xen_rdm_layout_str(xen_rdm.plan->layout),
                       xen_rdm.plan->refused ? "refused" : "ok",
                       xen_rdm.plan->lowmem_end, xen_rdm.plan->highmem_end);
    xen_rdm_report_regions(xen_rdm.plan->regions, NULL);
    if (xen_rdm.plan->refused) {
        error_setg(errp, "xen-rdm: %s", xen_rdm.plan->reason);
        return false;
    }
    xen_rdm_check_hvm_info(xen_rdm.plan, true);
    xen_rdm.planned_ram = true;
    *planp = xen_rdm.plan;
    return true;
}

/* ------------------------------------------------------------------ */
/* Devices added later                                                  */

static XenRdmPolicy xen_rdm_device_policy(uint32_t sbdf)
{
    guint i;

    for (i = 0; xen_rdm.devices && i < xen_rdm.devices->len; i++) {
        const XenRdmDeviceConfig *d =
            &g_array_index(xen_rdm.devices, XenRdmDeviceConfig, i);

        if (d->sbdf == sbdf) {
            return d->policy;
        }
    }
    return XEN_RDM_POLICY_STRICT;
}

/*
 * Check @sbdf against the running layout.  Returns false with @errp set
 * when the check cannot be made; otherwise true, with @ok telling
 * whether the device may be added and @conflict why not.
 */
static bool xen_rdm_check(uint32_t sbdf, XenRdmPolicy policy,
                          GPtrArray **regions, bool *ok, Error **conflict,
                          Error **errp)
{
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();

    if (!xen_rdm.plan) {
        error_setg(errp, "xen-rdm: no guest memory layout to check against"
                   "%s%s", xen_rdm.plan_error ? ": " : "",
                   xen_rdm.plan_error ? xen_rdm.plan_error : "");
        return false;
    }
    if (!xen_rdm_query(false, &sbdf, 1, map, errp)) {
        return false;
    }
    /* against the guest's RAM: the toolstack's where it differs */
    *ok = xen_rdm_ram_check_device(xen_rdm.guest_ram ? xen_rdm.guest_ram :
                                   xen_rdm.plan->ram, map, sbdf, policy,
                                   regions, conflict);
    return true;
}

bool xen_rdm_check_passthrough(uint16_t seg, uint8_t bus, uint8_t dev,
                               uint8_t fn, const char *policy_str,
                               Error **errp)
{
    ERRP_GUARD();
    uint32_t sbdf = XEN_RDM_SBDF(seg, bus, dev, fn);
    g_autofree char *name = xen_rdm_sbdf_to_string(sbdf);
    g_autoptr(GPtrArray) regions = NULL;
    XenRdmPolicy policy = xen_rdm_device_policy(sbdf);
    bool ok;
    bool asked = xen_rdm.planned_ram || policy_str;
    Error *local_err = NULL;

    if (policy_str && !xen_rdm_policy_parse(policy_str, &policy, errp)) {
        error_prepend(errp, "rdm-policy: ");
        return false;
    }
    if (!xen_rdm.plan && !asked) {
        /* no layout to check against (xenpvh, odd max-ram-below-4g) */
        trace_xen_rdm_check_skipped(name, xen_rdm.plan_error ?
                                    xen_rdm.plan_error : "no Xen HVM layout");
        return true;
    }
    if (!xen_rdm_check(sbdf, policy, &regions, &ok, errp, &local_err)) {
        if (!asked) {
            /*
             * Nothing asked for reserved device memory handling: when the
             * hypervisor cannot tell, add the device as QEMU always did.
             */
            trace_xen_rdm_check_skipped(name, error_get_pretty(local_err));
            error_free(local_err);
            return true;
        }
        error_propagate(errp, local_err);
        return false;
    }
    trace_xen_rdm_check_device(name, xen_rdm_policy_str(policy),
                               ok ? "ok" : "refused");
    xen_rdm_report_regions(regions, name);
    return ok;
}

/* ------------------------------------------------------------------ */
/* QMP                                                                  */

XenRdmInfo *qmp_query_xen_rdm(Error **errp)
{
    const XenRdmPlan *plan = xen_rdm.plan;
    XenRdmInfo *info;
    XenRdmRamRangeList **ram;
    XenRdmMemoryMapEntryList **e820;
    guint i;

    if (!xen_enabled()) {
        error_setg(errp, "query-xen-rdm: not a Xen guest");
        return NULL;
    }
    if (!plan) {
        error_setg(errp, "query-xen-rdm: no RDM plan for this machine%s%s",
                   xen_rdm.plan_error ? ": " : "",
                   xen_rdm.plan_error ? xen_rdm.plan_error : "");
        return NULL;
    }
    info = g_new0(XenRdmInfo, 1);
    info->layout = (XenRdmLayoutMode)plan->layout;
    info->result = plan->refused ? XEN_RDM_RESULT_REFUSED : XEN_RDM_RESULT_OK;
    info->reason = g_strdup(plan->reason);
    info->mmio_start = plan->mmio_start;
    info->lowmem_end = plan->lowmem_end;
    info->highmem_end = plan->highmem_end;
    ram = &info->ram;
    for (i = 0; i < plan->ram->len; i++) {
        const XenRdmRange *r = &g_array_index(plan->ram, XenRdmRange, i);
        XenRdmRamRange *out = g_new0(XenRdmRamRange, 1);

        out->start = r->start;
        out->size = r->size;
        QAPI_LIST_APPEND(ram, out);
    }
    info->regions = xen_rdm_regions_to_list(plan->regions);
    e820 = &info->e820;
    for (i = 0; i < plan->e820->len; i++) {
        const XenRdmE820Entry *e = &g_array_index(plan->e820,
                                                  XenRdmE820Entry, i);
        XenRdmMemoryMapEntry *out = g_new0(XenRdmMemoryMapEntry, 1);

        out->start = e->start;
        out->size = e->size;
        out->type = (XenRdmMemoryType)e->type;
        QAPI_LIST_APPEND(e820, out);
    }
    return info;
}

XenRdmDeviceCheck *qmp_xen_rdm_check_device(const char *host,
                                            bool has_rdm_policy,
                                            XenRdmReservePolicy rdm_policy,
                                            Error **errp)
{
    ERRP_GUARD();
    g_autoptr(GPtrArray) regions = NULL;
    g_autoptr(Error) conflict = NULL;
    XenRdmDeviceCheck *check;
    XenRdmPolicy policy;
    uint32_t sbdf;
    bool ok;

    if (!xen_enabled()) {
        error_setg(errp, "xen-rdm-check-device: not a Xen guest");
        return NULL;
    }
    if (!xen_rdm_sbdf_parse(host, &sbdf, errp)) {
        error_prepend(errp, "xen-rdm-check-device: host: ");
        return NULL;
    }
    policy = has_rdm_policy ? (XenRdmPolicy)rdm_policy
                            : xen_rdm_device_policy(sbdf);
    if (!xen_rdm_check(sbdf, policy, &regions, &ok, &conflict, errp)) {
        return NULL;
    }
    check = g_new0(XenRdmDeviceCheck, 1);
    check->host = xen_rdm_sbdf_to_string(sbdf);
    check->rdm_policy = (XenRdmReservePolicy)policy;
    check->result = ok ? XEN_RDM_RESULT_OK : XEN_RDM_RESULT_REFUSED;
    check->reason = conflict ? g_strdup(error_get_pretty(conflict)) : NULL;
    check->regions = xen_rdm_regions_to_list(regions);
    trace_xen_rdm_check_device(check->host, xen_rdm_policy_str(policy),
                               ok ? "ok" : "refused");
    return check;
}
