/*
 * Reserved device memory (RDM) in Xen HVM guests
 *
 * Guest RAM is where the toolstack populated it, as the guest's
 * hvm_info_table says at machine initialisation (and, after an incoming
 * migration, as the QEMU the guest came from laid it out).  When the
 * machine property "xen-rdm" asks for reserved device memory, QEMU also
 * asks the hypervisor for the regions (host-wide and per device), plans
 * the RAM around them (hw/xen/xen-rdm-plan.c) and checks the toolstack's
 * RAM against the plan.  QMP answers for the layout, and passed-through
 * devices are checked against it when they are added.
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
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/core/qdev-prop-internal.h"
#include "hw/xen/xen_native.h"
#include "hw/xen/xen.h"
#include "hw/xen/xen-rdm.h"
#include "hw/xen/xen-rdm-query.h"
#include "hw/xen/xen-rdm-xc.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "system/xen.h"
#include "trace.h"

#include <xen/hvm/hvm_info_table.h>

typedef struct XenRdmState {
    XenRdmOptions *opts;        /* the machine property, NULL if unset */
    GArray *devices;            /* XenRdmDeviceConfig from opts->pci */
    uint64_t ram_size;          /* -m */
    uint64_t mmio_start;        /* where RAM below 4 GiB must stop */
    XenRdmMap *map;             /* regions asked for at initialisation */
    XenRdmPlan *plan;           /* QEMU's own plan, when asked for one */
    XenRdmPlan *layout;         /* the RAM layout in use */
    XenRdmLayoutSource source;  /* where @layout was decided */
    char *toolstack_error;      /* why the hvm_info_table was not used */
    char *mismatch;             /* how @plan and populated RAM differ */
    XenRdmMapRamFn map_ram;     /* lays guest RAM out (the machine) */
    uint64_t block_len;         /* size of the guest RAM block */
    bool incoming;              /* started for an incoming migration */
    bool migrated;              /* the stream carried a layout */
    /* the layout in the migration stream */
    int32_t mig_nr_ram;
    XenRdmRange *mig_ram;
} XenRdmState;

static XenRdmState xen_rdm;

/*
 * The planner's enums and the QAPI ones are the same lists: QEMU names
 * the planner's values with the QAPI enums' *_str()
 */
QEMU_BUILD_BUG_ON((int)XEN_RDM_RESERVE_STRATEGY_HOST !=
                  (int)XEN_RDM_STRATEGY_HOST);
QEMU_BUILD_BUG_ON((int)XEN_RDM_RESERVE_POLICY_RELAXED !=
                  (int)XEN_RDM_POLICY_RELAXED);
QEMU_BUILD_BUG_ON((int)XEN_RDM_LAYOUT_MODE_SPLIT != (int)XEN_RDM_LAYOUT_SPLIT);
QEMU_BUILD_BUG_ON((int)XEN_RDM_LAYOUT_MODE_TOOLSTACK !=
                  (int)XEN_RDM_LAYOUT_TOOLSTACK);
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
        if (!xen_rdm_devices_add(devices, &dev, errp)) {
            error_prepend(errp, "xen-rdm.pci.%u.host: ", n);
            return false;
        }
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
    if (opts->has_layout && opts->layout == XEN_RDM_LAYOUT_MODE_TOOLSTACK) {
        error_setg(errp, "xen-rdm.layout: 'toolstack' is not a layout QEMU "
                   "plans (QEMU follows the toolstack's RAM by itself); "
                   "expected 'compat' or 'split'");
        return;
    }
    if (opts->has_mem_boundary && !xen_rdm_boundary_valid(opts->mem_boundary)) {
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

/*
 * Whether the domain uses hardware-assisted paging: libxl rounds
 * lowmem_end down to 2 MiB below a region only for HAP guests.
 */
static bool xen_rdm_domain_hap(bool *hap, Error **errp)
{
    xc_dominfo_t info;

    if (xc_domain_getinfo(xen_xc, xen_domid, 1, &info) != 1 ||
        info.domid != xen_domid) {
        error_setg_errno(errp, errno, "xen-rdm: cannot ask the hypervisor "
                         "whether domain %u uses HAP", xen_domid);
        return false;
    }
    *hap = info.hap;
    return true;
}

static bool xen_rdm_config(XenRdmConfig *cfg, Error **errp)
{
    const XenRdmOptions *o = xen_rdm.opts;

    xen_rdm_config_init(cfg);
    cfg->ram_size = xen_rdm.ram_size;
    cfg->mmio_hole = 4 * GiB - xen_rdm.mmio_start;
    if (!xen_rdm_domain_hap(&cfg->hap, errp)) {
        return false;
    }
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
    return true;
}

/* ------------------------------------------------------------------ */
/* Asking the hypervisor                                                */

static bool xen_rdm_query(bool host_wide, const uint32_t *sbdfs, size_t nr,
                          XenRdmMap *map, Error **errp)
{
    ERRP_GUARD();
    trace_xen_rdm_query(host_wide, nr);
    if (!xen_rdm_query_entries(xen_rdm_xc_map, xen_xc, host_wide, sbdfs, nr,
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

        trace_xen_rdm_region(r->start, r->size,
                             XenRdmReservePolicy_str(
                                 (XenRdmReservePolicy)r->policy),
                             XenRdmRegionStatus_str(
                                 (XenRdmRegionStatus)r->status),
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

static XenRdmRamRangeList *xen_rdm_ram_to_list(const GArray *ram)
{
    XenRdmRamRangeList *head = NULL, **tail = &head;
    guint i;

    for (i = 0; i < ram->len; i++) {
        const XenRdmRange *r = &g_array_index(ram, XenRdmRange, i);
        XenRdmRamRange *out = g_new0(XenRdmRamRange, 1);

        out->start = r->start;
        out->size = r->size;
        QAPI_LIST_APPEND(tail, out);
    }
    return head;
}

static XenRdmPlanInfo *xen_rdm_plan_info(const XenRdmPlan *plan)
{
    XenRdmPlanInfo *info = g_new0(XenRdmPlanInfo, 1);

    info->layout = (XenRdmLayoutMode)plan->layout;
    info->result = plan->refused ? XEN_RDM_RESULT_REFUSED : XEN_RDM_RESULT_OK;
    info->reason = g_strdup(plan->reason);
    info->lowmem_end = plan->lowmem_end;
    info->highmem_end = plan->highmem_end;
    info->ram = xen_rdm_ram_to_list(plan->ram);
    return info;
}

/* "0x0-0x7ffffff, 0x100000000-0x107ffffff" (the first few ranges) */
static char *xen_rdm_ram_str(const GArray *ram)
{
    GString *str = g_string_new(NULL);
    guint i;

    for (i = 0; i < ram->len && i < 8; i++) {
        const XenRdmRange *r = &g_array_index(ram, XenRdmRange, i);

        g_string_append_printf(str, "%s0x%" PRIx64 "-0x%" PRIx64,
                               i ? ", " : "", r->start,
                               r->start + r->size - 1);
    }
    if (i < ram->len) {
        g_string_append_printf(str, ", ... (%u ranges)", ram->len);
    }
    if (!ram->len) {
        g_string_append(str, "none");
    }
    return g_string_free(str, false);
}

/* ------------------------------------------------------------------ */
/* The RAM the toolstack populated                                      */

/*
 * libxc writes where the RAM it populated ends into the guest's
 * hvm_info_table before QEMU starts.  Sets @low_end and @high_end to
 * those ends, or fails with @errp saying why the table cannot be used.
 */
static bool xen_rdm_read_hvm_info(uint64_t *low_end, uint64_t *high_end,
                                  Error **errp)
{
    xen_pfn_t pfn = HVM_INFO_PFN;
    const struct hvm_info_table *info;
    uint8_t *page, sum = 0;
    uint32_t i, length;
    bool ok = false;

    page = xenforeignmemory_map(xen_fmem, xen_domid, PROT_READ, 1, &pfn,
                                NULL);
    if (!page) {
        error_setg_errno(errp, errno, "cannot map its page (gfn 0x%x)",
                         HVM_INFO_PFN);
        return false;
    }
    info = (const struct hvm_info_table *)(page + HVM_INFO_OFFSET);
    length = info->length;
    if (memcmp(info->signature, "HVM INFO", 8)) {
        error_setg(errp, "there is none at 0x%x (no \"HVM INFO\" signature)",
                   HVM_INFO_PADDR);
        goto out;
    }
    if (length < sizeof(*info) || length > XC_PAGE_SIZE - HVM_INFO_OFFSET) {
        error_setg(errp, "its length %" PRIu32 " is not between %zu and %lu",
                   length, sizeof(*info),
                   (unsigned long)(XC_PAGE_SIZE - HVM_INFO_OFFSET));
        goto out;
    }
    for (i = 0; i < length; i++) {
        sum += ((const uint8_t *)info)[i];
    }
    if (sum) {
        error_setg(errp, "its checksum is wrong (its bytes add up to 0x%02x, "
                   "not 0)", sum);
        goto out;
    }
    *low_end = (uint64_t)info->low_mem_pgend << XC_PAGE_SHIFT;
    *high_end = (uint64_t)info->high_mem_pgend << XC_PAGE_SHIFT;
    trace_xen_rdm_hvm_info(*low_end, *high_end);
    ok = true;

out:
    xenforeignmemory_unmap(xen_fmem, page, 1);
    return ok;
}

/*
 * Whether the hypervisor holds guest RAM as @ram says: the first and the
 * last frame of every RAM range populated, those of every hole between
 * two ranges on the same side of 4 GiB not (a frame in a hole is either
 * unpopulated or a device's identity-mapped region: no RAM either way)
 */
static bool xen_rdm_check_frames(const GArray *ram, Error **errp)
{
    g_autofree xen_pfn_t *pfns = g_new(xen_pfn_t, 4 * ram->len);
    g_autofree int *err = g_new0(int, 4 * ram->len);
    g_autofree bool *want = g_new(bool, 4 * ram->len);
    size_t n = 0, i;
    void *map;

    for (i = 0; i < ram->len; i++) {
        const XenRdmRange *r = &g_array_index(ram, XenRdmRange, i);
        uint64_t end = r->start + r->size;

        if (i) {
            const XenRdmRange *p = &g_array_index(ram, XenRdmRange, i - 1);
            uint64_t hole = p->start + p->size;

            if ((hole < 4 * GiB) == (r->start < 4 * GiB)) {
                want[n] = false;
                pfns[n++] = hole >> XC_PAGE_SHIFT;
                want[n] = false;
                pfns[n++] = (r->start >> XC_PAGE_SHIFT) - 1;
            }
        }
        want[n] = true;
        pfns[n++] = r->start >> XC_PAGE_SHIFT;
        want[n] = true;
        pfns[n++] = (end >> XC_PAGE_SHIFT) - 1;
    }
    map = xenforeignmemory_map(xen_fmem, xen_domid, PROT_READ, n, pfns, err);
    if (!map) {
        error_setg_errno(errp, errno, "cannot map %zu of its frames to see "
                         "which the hypervisor populated", n);
        return false;
    }
    xenforeignmemory_unmap(xen_fmem, map, n);
    for (i = 0; i < n; i++) {
        trace_xen_rdm_frame((uint64_t)pfns[i] << XC_PAGE_SHIFT, want[i],
                            err[i]);
        if (want[i] != !err[i]) {
            error_setg(errp, "the hypervisor has %s at 0x%" PRIx64 ", where "
                       "the layout has %s",
                       err[i] ? "no RAM" : "guest RAM",
                       (uint64_t)pfns[i] << XC_PAGE_SHIFT,
                       want[i] ? "RAM" : "a hole");
            return false;
        }
    }
    return true;
}

/*
 * The RAM the toolstack populated, from its hvm_info_table's ends @low_end
 * and @high_end.  A toolstack that populated the split layout (libxl
 * with rdm=layout=split) leaves holes, which the two ends do not tell:
 * when they add up to more than -m and QEMU's own split plan ends there
 * too, the RAM is the plan's, once the hypervisor's frames agree.  Any
 * other RAM with holes is an error (@fatal set): QEMU would not know
 * where the guest's RAM is.  Otherwise NULL with @errp says why the
 * table cannot be used.
 */
static GArray *xen_rdm_ram_from_table(uint64_t low_end, uint64_t high_end,
                                      bool *fatal, Error **errp)
{
    ERRP_GUARD();
    const XenRdmPlan *plan = xen_rdm.plan;
    g_autoptr(GArray) ram = NULL;
    uint64_t high_size;

    *fatal = false;
    if (low_end < 1 * MiB) {
        error_setg(errp, "low RAM ends at 0x%" PRIx64 ", below 1 MiB",
                   low_end);
        return NULL;
    }
    if (low_end > xen_rdm.mmio_start) {
        error_setg(errp, "low RAM ends at 0x%" PRIx64 ", above the start of "
                   "the MMIO hole 0x%" PRIx64, low_end, xen_rdm.mmio_start);
        return NULL;
    }
    ram = xen_rdm_ram_from_ends(low_end, high_end, errp);
    if (!ram) {
        return NULL;
    }
    high_size = high_end ? high_end - 4 * GiB : 0;
    if (low_end + high_size == xen_rdm.ram_size) {
        return g_steal_pointer(&ram);
    }
    if (plan && plan->layout == XEN_RDM_LAYOUT_SPLIT &&
        low_end + high_size > xen_rdm.ram_size) {
        g_autofree char *planned = xen_rdm_ram_str(plan->ram);

        *fatal = true;
        if (plan->lowmem_end != low_end || plan->highmem_end != high_end) {
            error_setg(errp, "the toolstack populated guest RAM with holes "
                       "up to 0x%" PRIx64 " below 4 GiB and 0x%" PRIx64
                       " above (hvm_info_table), but the split plan puts it "
                       "at %s", low_end, high_end, planned);
            return NULL;
        }
        if (!xen_rdm_check_frames(plan->ram, errp)) {
            error_prepend(errp, "the toolstack's guest RAM is not the split "
                          "plan's %s: ", planned);
            return NULL;
        }
        g_array_set_size(ram, 0);
        g_array_append_vals(ram, plan->ram->data, plan->ram->len);
        return g_steal_pointer(&ram);
    }
    error_setg(errp, "RAM below 4 GiB (0x%" PRIx64 ") and above "
               "(0x%" PRIx64 ") adds up to 0x%" PRIx64 ", not the "
               "guest's 0x%" PRIx64 " (-m)", low_end, high_size,
               low_end + high_size, xen_rdm.ram_size);
    return NULL;
}

/* The layout unmodified QEMU builds: RAM up to the MMIO hole, then 4 GiB */
static XenRdmPlan *xen_rdm_classic_layout(void)
{
    uint64_t low = MIN(xen_rdm.ram_size, xen_rdm.mmio_start);
    uint64_t high = xen_rdm.ram_size - low;
    g_autoptr(GArray) ram = xen_rdm_ram_from_ends(low,
                                                  high ? 4 * GiB + high : 0,
                                                  &error_abort);
    XenRdmPlan *layout = xen_rdm_plan_populated(NULL, ram,
                                                xen_rdm.mmio_start);

    layout->layout = XEN_RDM_LAYOUT_COMPAT;
    return layout;
}

static void xen_rdm_set_layout(XenRdmPlan *layout, XenRdmLayoutSource source)
{
    if (xen_rdm.layout != xen_rdm.plan) {
        xen_rdm_plan_free(xen_rdm.layout);
    }
    xen_rdm.layout = layout;
    xen_rdm.source = source;
    trace_xen_rdm_layout(XenRdmLayoutMode_str(
                             (XenRdmLayoutMode)layout->layout),
                         XenRdmLayoutSource_str(source), layout->lowmem_end,
                         layout->highmem_end);
}

/* ------------------------------------------------------------------ */
/* Machine initialisation                                               */

/* QEMU's own plan from xen-rdm, with the regions the hypervisor reports */
static bool xen_rdm_plan(Error **errp)
{
    ERRP_GUARD();
    g_autoptr(GArray) sbdfs = g_array_new(false, false, sizeof(uint32_t));
    XenRdmConfig cfg;
    guint i;

    if (!xen_rdm_config(&cfg, errp)) {
        return false;
    }
    for (i = 0; i < cfg.nr_devices; i++) {
        g_array_append_val(sbdfs, cfg.devices[i].sbdf);
    }
    if (!xen_rdm_query(cfg.strategy == XEN_RDM_STRATEGY_HOST,
                       (uint32_t *)sbdfs->data, sbdfs->len, xen_rdm.map,
                       errp)) {
        return false;
    }
    if (!xen_rdm_plan_compute(&cfg, xen_rdm.map, &xen_rdm.plan, errp)) {
        error_prepend(errp, "xen-rdm: cannot plan guest RAM (MMIO hole from "
                      "0x%" PRIx64 "): ", xen_rdm.mmio_start);
        return false;
    }
    if (!xen_rdm_plan_check(xen_rdm.plan, xen_rdm.ram_size, errp)) {
        error_prepend(errp, "xen-rdm: internal error: ");
        return false;
    }
    trace_xen_rdm_plan(XenRdmLayoutMode_str(
                           (XenRdmLayoutMode)xen_rdm.plan->layout),
                       xen_rdm.plan->refused ? "refused" : "ok",
                       xen_rdm.plan->lowmem_end, xen_rdm.plan->highmem_end);
    return true;
}

/* The plan differs from the RAM the toolstack populated: say so */
static void xen_rdm_report_mismatch(void)
{
    const XenRdmPlan *plan = xen_rdm.plan;
    const XenRdmPlan *layout = xen_rdm.layout;
    g_autofree char *planned = xen_rdm_ram_str(plan->ram);
    g_autofree char *populated = xen_rdm_ram_str(layout->ram);
    g_autoptr(XenRdmPlanInfo) info = xen_rdm_plan_info(plan);

    xen_rdm.mismatch = g_strdup_printf(
        "the %s plan puts guest RAM at %s, but the toolstack populated %s "
        "(hvm_info_table): RAM follows the toolstack",
        XenRdmLayoutMode_str((XenRdmLayoutMode)plan->layout), planned,
        populated);
    warn_report("xen-rdm: %s", xen_rdm.mismatch);
    qapi_event_send_xen_rdm_layout_mismatch(layout->lowmem_end,
                                            layout->highmem_end, info,
                                            xen_rdm.mismatch);
}

/* The layout an incoming migration brought, once the guest runs */
static void xen_rdm_vm_state_change(void *opaque, bool running,
                                    RunState state);
static const VMStateDescription vmstate_xen_rdm_layout;

bool xen_rdm_guest_ram(uint64_t ram_size, uint64_t mmio_start,
                       XenRdmMapRamFn map_ram, const GArray **ram,
                       uint64_t *block_len, Error **errp)
{
    ERRP_GUARD();
    g_autoptr(GArray) populated = NULL;
    Error *local_err = NULL;
    uint64_t low_end, high_end;
    bool fatal = false;
    XenRdmPlan *layout;

    xen_rdm.ram_size = ram_size;
    xen_rdm.mmio_start = mmio_start;
    xen_rdm.map_ram = map_ram;
    xen_rdm.map = xen_rdm_map_new();
    xen_rdm.incoming = runstate_check(RUN_STATE_INMIGRATE);

    if (xen_rdm_requested() && !xen_rdm_plan(errp)) {
        return false;
    }

    /*
     * Where the toolstack populated the guest's RAM is where its RAM is:
     * follow it.  On an incoming migration the guest has run and could
     * have rewritten the table: the stream's layout decides then
     * (vmstate_xen_rdm), the table only until it arrives.
     */
    if (xen_rdm_read_hvm_info(&low_end, &high_end, &local_err)) {
        populated = xen_rdm_ram_from_table(low_end, high_end, &fatal,
                                           &local_err);
    }
    if (!populated && fatal) {
        error_propagate_prepend(errp, local_err, "xen-rdm: ");
        return false;
    }
    if (!populated) {
        xen_rdm.toolstack_error = g_strdup(error_get_pretty(local_err));
        error_free(local_err);
        warn_report("xen-rdm: not using the guest's hvm_info_table: %s; "
                    "guest RAM is laid out without it",
                    xen_rdm.toolstack_error);
    }

    if (xen_rdm_requested()) {
        if (populated) {
            layout = xen_rdm_plan_populated(xen_rdm.plan, populated,
                                            mmio_start);
            xen_rdm_set_layout(layout, XEN_RDM_LAYOUT_SOURCE_HVM_INFO);
            if (!xen_rdm_ram_equal(xen_rdm.plan->ram, populated)) {
                xen_rdm_report_mismatch();
            }
        } else {
            xen_rdm_set_layout(xen_rdm.plan, XEN_RDM_LAYOUT_SOURCE_PLAN);
        }
        xen_rdm_report_regions(xen_rdm.layout->regions, NULL);
        if (xen_rdm.layout->refused) {
            error_setg(errp, "xen-rdm: %s", xen_rdm.layout->reason);
            return false;
        }
    } else {
        trace_xen_rdm_not_requested();
        if (populated) {
            xen_rdm_set_layout(xen_rdm_plan_populated(NULL, populated,
                                                      mmio_start),
                               XEN_RDM_LAYOUT_SOURCE_HVM_INFO);
        } else {
            xen_rdm_set_layout(xen_rdm_classic_layout(),
                               XEN_RDM_LAYOUT_SOURCE_CLASSIC);
        }
    }
    if (!xen_rdm_plan_check(xen_rdm.layout, ram_size, errp)) {
        error_prepend(errp, "xen-rdm: internal error: ");
        return false;
    }

    layout = xen_rdm.layout;
    *ram = layout->ram;
    *block_len = layout->highmem_end ? layout->highmem_end
                                     : layout->lowmem_end;
    if (xen_rdm.incoming) {
        /* room for any layout of the guest's RAM the stream may bring */
        *block_len = MAX(*block_len, 4 * GiB + ram_size);
        qemu_add_vm_change_state_handler(xen_rdm_vm_state_change, NULL);
    }
    xen_rdm.block_len = *block_len;
    vmstate_register(NULL, 0, &vmstate_xen_rdm_layout, &xen_rdm);
    return true;
}

bool xen_rdm_ram_has_holes(void)
{
    const XenRdmPlan *layout = xen_rdm.layout;
    uint64_t high = layout->highmem_end ? layout->highmem_end - 4 * GiB : 0;

    return layout->lowmem_end + high != xen_rdm.ram_size;
}

/* ------------------------------------------------------------------ */
/* Migration                                                            */

/*
 * The layout QEMU laid guest RAM out in travels with the guest, so that
 * the destination never takes it from the guest-writable hvm_info_table.
 * It is sent only when it is not QEMU's classic layout, so that a stream
 * of a classic guest stays what unmodified QEMU sends and takes.
 */
static bool xen_rdm_layout_needed(void *opaque)
{
    g_autoptr(XenRdmPlan) classic = xen_rdm_classic_layout();

    return xen_rdm.layout &&
           !xen_rdm_ram_equal(xen_rdm.layout->ram, classic->ram);
}

static int xen_rdm_layout_pre_save(void *opaque)
{
    const GArray *ram = xen_rdm.layout->ram;

    g_free(xen_rdm.mig_ram);
    xen_rdm.mig_nr_ram = ram->len;
    xen_rdm.mig_ram = g_memdup2(ram->data, ram->len * sizeof(XenRdmRange));
    return 0;
}

static bool xen_rdm_layout_nr_ok(void *opaque, int version_id)
{
    if (xen_rdm.mig_nr_ram <= 0 ||
        xen_rdm.mig_nr_ram > XEN_RDM_QUERY_MAX_ENTRIES) {
        error_report("xen-rdm: the migration stream has %" PRId32 " guest "
                     "RAM ranges, not between 1 and %u",
                     xen_rdm.mig_nr_ram, XEN_RDM_QUERY_MAX_ENTRIES);
        return false;
    }
    return true;
}

/* Lay guest RAM out as @ram, which came from @source */
static bool xen_rdm_relayout(const GArray *ram, XenRdmLayoutSource source,
                             Error **errp)
{
    ERRP_GUARD();
    g_autoptr(XenRdmPlan) layout = NULL;
    g_autofree char *was = NULL;
    g_autofree char *now = NULL;
    const XenRdmRange *first = &g_array_index(ram, XenRdmRange, 0);
    const XenRdmRange *last = &g_array_index(ram, XenRdmRange, ram->len - 1);
    uint64_t span = last->start + last->size;

    if (first->start || first->size < 1 * MiB) {
        error_setg(errp, "its first RAM range does not cover the first MiB");
        return false;
    }
    if (span < last->start || span > xen_rdm.block_len) {
        error_setg(errp, "its RAM ends at 0x%" PRIx64 ", beyond the 0x%" PRIx64
                   " bytes QEMU set aside", span, xen_rdm.block_len);
        return false;
    }
    layout = xen_rdm_plan_populated(xen_rdm.plan, ram, xen_rdm.mmio_start);
    if (!xen_rdm_plan_check(layout, xen_rdm.ram_size, errp)) {
        return false;
    }
    if (xen_rdm_ram_equal(layout->ram, xen_rdm.layout->ram)) {
        xen_rdm.source = source;
        return true;
    }
    was = xen_rdm_ram_str(xen_rdm.layout->ram);
    now = xen_rdm_ram_str(layout->ram);
    warn_report("xen-rdm: guest RAM was laid out as %s (from %s), the "
                "guest came with %s (from %s): RAM follows the guest's own "
                "layout", was, XenRdmLayoutSource_str(xen_rdm.source), now,
                XenRdmLayoutSource_str(source));
    xen_rdm_set_layout(g_steal_pointer(&layout), source);
    xen_rdm_report_regions(xen_rdm.layout->regions, NULL);
    xen_rdm.map_ram(xen_rdm.layout->ram);
    return true;
}

static int xen_rdm_layout_post_load(void *opaque, int version_id)
{
    g_autoptr(GArray) ram = g_array_new(false, false, sizeof(XenRdmRange));
    Error *local_err = NULL;

    g_array_append_vals(ram, xen_rdm.mig_ram, xen_rdm.mig_nr_ram);
    g_clear_pointer(&xen_rdm.mig_ram, g_free);
    if (!xen_rdm_relayout(ram, XEN_RDM_LAYOUT_SOURCE_MIGRATION, &local_err)) {
        error_reportf_err(local_err, "xen-rdm: the guest RAM layout in the "
                          "migration stream is not valid for this guest: ");
        return -EINVAL;
    }
    xen_rdm.migrated = true;
    return 0;
}

static const VMStateDescription vmstate_xen_rdm_range = {
    .name = "xen-rdm-range",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(start, XenRdmRange),
        VMSTATE_UINT64(size, XenRdmRange),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_xen_rdm_layout = {
    .name = "xen-rdm-layout",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = xen_rdm_layout_needed,
    .pre_save = xen_rdm_layout_pre_save,
    .post_load = xen_rdm_layout_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_INT32(mig_nr_ram, XenRdmState),
        VMSTATE_VALIDATE("xen-rdm-layout ranges", xen_rdm_layout_nr_ok),
        VMSTATE_STRUCT_VARRAY_ALLOC(mig_ram, XenRdmState, mig_nr_ram, 1,
                                    vmstate_xen_rdm_range, XenRdmRange),
        VMSTATE_END_OF_LIST()
    },
};

static void xen_rdm_vm_state_change(void *opaque, bool running,
                                    RunState state)
{
    g_autoptr(XenRdmPlan) classic = NULL;
    Error *local_err = NULL;

    if (!running || !xen_rdm.incoming) {
        return;
    }
    xen_rdm.incoming = false;
    if (xen_rdm.migrated) {
        return;
    }
    /*
     * No layout came with the guest: the QEMU it came from laid its RAM
     * out the classic way (unmodified QEMU always does).
     */
    classic = xen_rdm_classic_layout();
    if (!xen_rdm_relayout(classic->ram, XEN_RDM_LAYOUT_SOURCE_MIGRATION,
                          &local_err)) {
        warn_reportf_err(local_err, "xen-rdm: cannot lay guest RAM out as "
                         "the QEMU the guest came from did: ");
    }
}

/* ------------------------------------------------------------------ */
/* Devices added later                                                  */

const PropertyInfo qdev_prop_xen_rdm_device_policy = {
    .type = "XenRdmDevicePolicy",
    .description = "auto/strict/relaxed",
    .enum_table = &XenRdmDevicePolicy_lookup,
    .get = qdev_propinfo_get_enum,
    .set = qdev_propinfo_set_enum,
    .set_default_value = qdev_propinfo_set_default_value_enum,
};

/* The device's policy in xen-rdm.pci; false when it is not listed */
static bool xen_rdm_listed_policy(uint32_t sbdf, XenRdmPolicy *policy)
{
    guint i;

    for (i = 0; xen_rdm.devices && i < xen_rdm.devices->len; i++) {
        const XenRdmDeviceConfig *d =
            &g_array_index(xen_rdm.devices, XenRdmDeviceConfig, i);

        if (d->sbdf == sbdf) {
            *policy = d->policy;
            return true;
        }
    }
    return false;
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

/*
 * Check @sbdf against the RAM in use.  Returns false with @errp set
 * when the check cannot be made; otherwise true, with *@refusal NULL
 * when the device may be added under @policy, else why not.
 */
static bool xen_rdm_check(uint32_t sbdf, XenRdmPolicy policy,
                          GPtrArray **regions, char **refusal, Error **errp)
{
    g_autoptr(XenRdmMap) map = NULL;
    g_autoptr(Error) conflict = NULL;
    XenRdmPolicy listed;
    const XenRdmMap *regions_of;

    if (!xen_rdm.layout) {
        error_setg(errp, "xen-rdm: no guest memory layout to check against "
                   "(not a Xen HVM machine)");
        return false;
    }
    if (xen_rdm_listed_policy(sbdf, &listed)) {
        /* asked for at initialisation */
        regions_of = xen_rdm.map;
    } else if (xen_rdm_restricted()) {
        error_setg(errp, "xen-rdm: cannot ask the hypervisor for the "
                   "device's reserved device memory: QEMU runs restricted "
                   "(-xen-domid-restrict)");
        return false;
    } else {
        map = xen_rdm_map_new();
        if (!xen_rdm_query(false, &sbdf, 1, map, errp)) {
            return false;
        }
        regions_of = map;
    }
    *refusal = NULL;
    if (!xen_rdm_ram_check_device(xen_rdm.layout->ram, regions_of, sbdf,
                                  policy, regions, &conflict)) {
        *refusal = g_strdup(error_get_pretty(conflict));
    }
    return true;
}

bool xen_rdm_check_passthrough(uint16_t seg, uint8_t bus, uint8_t dev,
                               uint8_t fn, XenRdmDevicePolicy dev_policy,
                               Error **errp)
{
    uint32_t sbdf = XEN_RDM_SBDF(seg, bus, dev, fn);
    g_autofree char *name = xen_rdm_sbdf_to_string(sbdf);
    g_autoptr(GPtrArray) regions = NULL;
    g_autofree char *refusal = NULL;
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
        told = xen_rdm_listed_policy(sbdf, &policy);
    }
    if (!xen_rdm.layout) {
        /* no Xen HVM RAM layout (xenpvh) */
        trace_xen_rdm_check_skipped(name, "no Xen HVM layout");
        return true;
    }
    if (!xen_rdm_check(sbdf, policy, &regions, &refusal, &local_err)) {
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
                               !refusal ? "ok" : told ? "refused" :
                               "left to Xen");
    xen_rdm_report_regions(regions, name);
    if (!refusal) {
        return true;
    }
    if (told) {
        error_setg(errp, "%s", refusal);
        return false;
    }
    for (i = 0; i < regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(regions, i);

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

/* ------------------------------------------------------------------ */
/* QMP                                                                  */

XenRdmInfo *qmp_query_xen_rdm(Error **errp)
{
    const XenRdmPlan *layout = xen_rdm.layout;
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
    info->source = xen_rdm.source;
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
    if (xen_rdm.plan) {
        info->plan = xen_rdm_plan_info(xen_rdm.plan);
    }
    info->mismatch = g_strdup(xen_rdm.mismatch);
    info->toolstack_error = g_strdup(xen_rdm.toolstack_error);
    return info;
}

XenRdmDeviceCheck *qmp_xen_rdm_check_device(const char *host,
                                            bool has_rdm_policy,
                                            XenRdmReservePolicy rdm_policy,
                                            Error **errp)
{
    ERRP_GUARD();
    g_autoptr(GPtrArray) regions = NULL;
    char *check_reason;
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
        xen_rdm_listed_policy(sbdf, &policy);
    }
    if (!xen_rdm_check(sbdf, policy, &regions, &check_reason, errp)) {
        return NULL;
    }
    check = g_new0(XenRdmDeviceCheck, 1);
    check->host = xen_rdm_sbdf_to_string(sbdf);
    check->rdm_policy = (XenRdmReservePolicy)policy;
    check->result = check_reason ? XEN_RDM_RESULT_REFUSED : XEN_RDM_RESULT_OK;
    check->reason = check_reason;
    check->regions = xen_rdm_regions_to_list(regions);
    trace_xen_rdm_check_device(check->host, XenRdmReservePolicy_str(
                                   (XenRdmReservePolicy)policy),
                               check->reason ? "refused" : "ok");
    return check;
}
