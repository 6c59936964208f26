/*
 * Reserved device memory (RDM) in Xen HVM guests: the guest RAM layout
 *
 * Guest RAM is where the toolstack populated it, as the guest's
 * hvm_info_table says at machine initialisation (and, after an incoming
 * migration, as the QEMU the guest came from laid it out).  When the
 * machine property "xen-rdm" (hw/xen/xen-rdm-options.c) asks for
 * reserved device memory, QEMU also asks the hypervisor for the regions
 * (host-wide and per device), plans the RAM around them
 * (hw/xen/xen-rdm-plan.c) and checks the toolstack's RAM against the
 * plan.  The layout is kept in the machine (PCMachineState's xen_rdm).
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/qapi-events-misc-target.h"
#include "hw/i386/pc.h"
#include "hw/xen/xen_native.h"
#include "hw/xen/xen.h"
#include "hw/xen/xen-rdm-options.h"
#include "hw/xen/xen-rdm-query.h"
#include "hw/xen/xen-rdm-xc.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "system/xen.h"
#include "xen-rdm-internal.h"
#include "trace.h"

#include <xen/hvm/hvm_info_table.h>

QEMU_BUILD_BUG_ON((int)XEN_RDM_REGION_STATUS_CONFLICT !=
                  (int)XEN_RDM_STATUS_CONFLICT);
QEMU_BUILD_BUG_ON((int)XEN_RDM_MEMORY_TYPE_RESERVED !=
                  (int)XEN_RDM_E820_RESERVED);

XenRdmState *xen_rdm_state(void)
{
    PCMachineState *pcms = (PCMachineState *)
        object_dynamic_cast(qdev_get_machine(), TYPE_PC_MACHINE);

    return pcms ? pcms->xen_rdm : NULL;
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

/* ------------------------------------------------------------------ */
/* Asking the hypervisor                                                */

bool xen_rdm_query(bool host_wide, const uint32_t *sbdfs, size_t nr,
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

XenRdmRegionInfoList *xen_rdm_regions_to_list(const GPtrArray *rs)
{
    XenRdmRegionInfoList *head = NULL, **tail = &head;
    guint i;

    for (i = 0; i < rs->len; i++) {
        QAPI_LIST_APPEND(tail,
                         xen_rdm_region_info(g_ptr_array_index(rs, i)));
    }
    return head;
}

void xen_rdm_report_regions(const GPtrArray *regions, const char *device)
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

XenRdmRamRangeList *xen_rdm_ram_to_list(const GArray *ram)
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

XenRdmPlanInfo *xen_rdm_plan_info(const XenRdmPlan *plan)
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
 * last frame of every RAM range populated (unless @holes_only: a guest
 * that has run may have given any of them back, ballooning), those of
 * every hole between two ranges on the same side of 4 GiB not (a frame
 * in a hole is either unpopulated or a device's identity-mapped region:
 * no RAM either way)
 */
static bool xen_rdm_check_frames(const GArray *ram, bool holes_only,
                                 Error **errp)
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
        if (holes_only) {
            continue;
        }
        want[n] = true;
        pfns[n++] = r->start >> XC_PAGE_SHIFT;
        want[n] = true;
        pfns[n++] = (end >> XC_PAGE_SHIFT) - 1;
    }
    if (!n) {
        return true;
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
 * table cannot be used.  For an incoming guest, which has run and may
 * have rewritten its table or given frames back, the table gives only a
 * provisional layout until the migration stream's arrives: never
 * @fatal, and no frame is checked.
 */
static GArray *xen_rdm_ram_from_table(XenRdmState *s, uint64_t low_end,
                                      uint64_t high_end, bool *fatal,
                                      Error **errp)
{
    ERRP_GUARD();
    const XenRdmPlan *plan = s->plan;
    g_autoptr(GArray) ram = NULL;
    uint64_t high_size;

    *fatal = false;
    if (low_end < 1 * MiB) {
        error_setg(errp, "low RAM ends at 0x%" PRIx64 ", below 1 MiB",
                   low_end);
        return NULL;
    }
    if (low_end > s->mmio_start) {
        error_setg(errp, "low RAM ends at 0x%" PRIx64 ", above the start of "
                   "the MMIO hole 0x%" PRIx64, low_end, s->mmio_start);
        return NULL;
    }
    ram = xen_rdm_ram_from_ends(low_end, high_end, errp);
    if (!ram) {
        return NULL;
    }
    high_size = high_end ? high_end - 4 * GiB : 0;
    if (low_end + high_size == s->ram_size) {
        return g_steal_pointer(&ram);
    }
    if (plan && plan->layout == XEN_RDM_LAYOUT_SPLIT &&
        low_end + high_size > s->ram_size) {
        g_autofree char *planned = xen_rdm_ram_str(plan->ram);

        *fatal = !s->incoming;
        if (plan->lowmem_end != low_end || plan->highmem_end != high_end) {
            error_setg(errp, "the toolstack populated guest RAM with holes "
                       "up to 0x%" PRIx64 " below 4 GiB and 0x%" PRIx64
                       " above (hvm_info_table), but the split plan puts it "
                       "at %s", low_end, high_end, planned);
            return NULL;
        }
        if (!s->incoming && !xen_rdm_check_frames(plan->ram, false, errp)) {
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
               low_end + high_size, s->ram_size);
    return NULL;
}

/* The layout unmodified QEMU builds: RAM up to the MMIO hole, then 4 GiB */
static XenRdmPlan *xen_rdm_classic_layout(const XenRdmState *s)
{
    uint64_t low = MIN(s->ram_size, s->mmio_start);
    uint64_t high = s->ram_size - low;
    g_autoptr(GArray) ram = xen_rdm_ram_from_ends(low,
                                                  high ? 4 * GiB + high : 0,
                                                  &error_abort);
    XenRdmPlan *layout = xen_rdm_plan_populated(NULL, ram,
                                                s->mmio_start);

    layout->layout = XEN_RDM_LAYOUT_COMPAT;
    return layout;
}

static void xen_rdm_set_layout(XenRdmState *s, XenRdmPlan *layout,
                               XenRdmLayoutSource source)
{
    if (s->layout != s->plan) {
        xen_rdm_plan_free(s->layout);
    }
    s->layout = layout;
    s->source = source;
    trace_xen_rdm_layout(XenRdmLayoutMode_str(
                             (XenRdmLayoutMode)layout->layout),
                         XenRdmLayoutSource_str(source), layout->lowmem_end,
                         layout->highmem_end);
}

/* ------------------------------------------------------------------ */
/* Machine initialisation                                               */

/* QEMU's own plan from xen-rdm, with the regions the hypervisor reports */
static bool xen_rdm_plan(XenRdmState *s, MachineState *ms, Error **errp)
{
    ERRP_GUARD();
    g_autoptr(GArray) sbdfs = g_array_new(false, false, sizeof(uint32_t));
    XenRdmConfig cfg;
    bool hap;
    guint i;

    if (!xen_rdm_domain_hap(&hap, errp)) {
        return false;
    }
    xen_rdm_machine_config(ms, s->ram_size, s->mmio_start, hap, &cfg);
    for (i = 0; i < cfg.nr_devices; i++) {
        g_array_append_val(sbdfs, cfg.devices[i].sbdf);
    }
    if (!xen_rdm_query(cfg.strategy == XEN_RDM_STRATEGY_HOST,
                       (uint32_t *)sbdfs->data, sbdfs->len, s->map,
                       errp)) {
        return false;
    }
    if (!xen_rdm_plan_compute(&cfg, s->map, &s->plan, errp)) {
        error_prepend(errp, "xen-rdm: cannot plan guest RAM (MMIO hole from "
                      "0x%" PRIx64 "): ", s->mmio_start);
        return false;
    }
    if (!xen_rdm_plan_check(s->plan, s->ram_size, errp)) {
        error_prepend(errp, "xen-rdm: internal error: ");
        return false;
    }
    trace_xen_rdm_plan(XenRdmLayoutMode_str(
                           (XenRdmLayoutMode)s->plan->layout),
                       s->plan->refused ? "refused" : "ok",
                       s->plan->lowmem_end, s->plan->highmem_end);
    return true;
}

/* The plan differs from the RAM the toolstack populated: say so */
static void xen_rdm_report_mismatch(XenRdmState *s)
{
    const XenRdmPlan *plan = s->plan;
    const XenRdmPlan *layout = s->layout;
    g_autofree char *planned = xen_rdm_ram_str(plan->ram);
    g_autofree char *populated = xen_rdm_ram_str(layout->ram);
    g_autoptr(XenRdmPlanInfo) info = xen_rdm_plan_info(plan);

    s->mismatch = g_strdup_printf(
        "the %s plan puts guest RAM at %s, but the toolstack populated %s "
        "(hvm_info_table): RAM follows the toolstack",
        XenRdmLayoutMode_str((XenRdmLayoutMode)plan->layout), planned,
        populated);
    warn_report("xen-rdm: %s", s->mismatch);
    qapi_event_send_xen_rdm_layout_mismatch(layout->lowmem_end,
                                            layout->highmem_end, info,
                                            s->mismatch);
}

/* The layout an incoming migration brought, once the guest runs */
static void xen_rdm_vm_state_change(void *opaque, bool running,
                                    RunState state);
static const VMStateDescription vmstate_xen_rdm_layout;

bool xen_rdm_guest_ram(PCMachineState *pcms, uint64_t ram_size,
                       uint64_t mmio_start, XenRdmMapRamFn map_ram,
                       const GArray **ram, uint64_t *block_len,
                       Error **errp)
{
    ERRP_GUARD();
    MachineState *ms = MACHINE(pcms);
    XenRdmState *s = g_new0(XenRdmState, 1);
    g_autoptr(GArray) populated = NULL;
    Error *local_err = NULL;
    uint64_t low_end, high_end;
    bool fatal = false;
    XenRdmPlan *layout;

    s->ram_size = ram_size;
    s->mmio_start = mmio_start;
    s->map_ram = map_ram;
    s->map = xen_rdm_map_new();
    s->incoming = runstate_check(RUN_STATE_INMIGRATE);
    pcms->xen_rdm = s;

    if (xen_rdm_requested(ms) && !xen_rdm_plan(s, ms, errp)) {
        return false;
    }

    /*
     * Where the toolstack populated the guest's RAM is where its RAM is:
     * follow it.  On an incoming migration the guest has run and could
     * have rewritten the table: the stream's layout decides then
     * (vmstate_xen_rdm), the table only until it arrives.
     */
    if (xen_rdm_read_hvm_info(&low_end, &high_end, &local_err)) {
        populated = xen_rdm_ram_from_table(s, low_end, high_end, &fatal,
                                           &local_err);
    }
    if (!populated && fatal) {
        error_propagate_prepend(errp, local_err, "xen-rdm: ");
        return false;
    }
    if (!populated) {
        s->toolstack_error = g_strdup(error_get_pretty(local_err));
        error_free(local_err);
        if (s->incoming) {
            trace_xen_rdm_incoming_table(s->toolstack_error);
        } else {
            warn_report("xen-rdm: not using the guest's hvm_info_table: %s; "
                        "guest RAM is laid out without it",
                        s->toolstack_error);
        }
    }

    if (xen_rdm_requested(ms)) {
        if (populated) {
            layout = xen_rdm_plan_populated(s->plan, populated,
                                            mmio_start);
            xen_rdm_set_layout(s, layout, XEN_RDM_LAYOUT_SOURCE_HVM_INFO);
            if (!s->incoming && !xen_rdm_ram_equal(s->plan->ram, populated)) {
                xen_rdm_report_mismatch(s);
            }
        } else {
            xen_rdm_set_layout(s, s->plan, XEN_RDM_LAYOUT_SOURCE_PLAN);
        }
    }
    if (xen_rdm_requested(ms) && !s->incoming) {
        /*
         * An incoming guest's regions are checked against the layout
         * the stream brings (xen_rdm_relayout()), not this provisional one
         */
        xen_rdm_report_regions(s->layout->regions, NULL);
        if (s->layout->refused) {
            error_setg(errp, "xen-rdm: %s", s->layout->reason);
            return false;
        }
    }
    if (!xen_rdm_requested(ms)) {
        trace_xen_rdm_not_requested();
        if (populated) {
            xen_rdm_set_layout(s, xen_rdm_plan_populated(NULL, populated,
                                                         mmio_start),
                               XEN_RDM_LAYOUT_SOURCE_HVM_INFO);
        } else {
            xen_rdm_set_layout(s, xen_rdm_classic_layout(s),
                               XEN_RDM_LAYOUT_SOURCE_CLASSIC);
        }
    }
    if (!xen_rdm_plan_check(s->layout, ram_size, errp)) {
        error_prepend(errp, "xen-rdm: internal error: ");
        return false;
    }

    layout = s->layout;
    *ram = layout->ram;
    *block_len = layout->highmem_end ? layout->highmem_end
                                     : layout->lowmem_end;
    if (s->incoming) {
        /* room for any layout of the guest's RAM the stream may bring */
        *block_len = MAX(*block_len, 4 * GiB + ram_size);
        qemu_add_vm_change_state_handler(xen_rdm_vm_state_change, s);
    }
    s->block_len = *block_len;
    vmstate_register(NULL, 0, &vmstate_xen_rdm_layout, s);
    return true;
}

bool xen_rdm_ram_has_holes(PCMachineState *pcms)
{
    const XenRdmState *s = pcms->xen_rdm;
    const XenRdmPlan *layout = s->layout;
    uint64_t high = layout->highmem_end ? layout->highmem_end - 4 * GiB : 0;

    return layout->lowmem_end + high != s->ram_size;
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
    XenRdmState *s = opaque;
    g_autoptr(XenRdmPlan) classic = xen_rdm_classic_layout(s);

    return s->layout &&
           !xen_rdm_ram_equal(s->layout->ram, classic->ram);
}

static int xen_rdm_layout_pre_save(void *opaque)
{
    XenRdmState *s = opaque;
    const GArray *ram = s->layout->ram;

    g_free(s->mig_ram);
    s->mig_nr_ram = ram->len;
    s->mig_ram = g_memdup2(ram->data, ram->len * sizeof(XenRdmRange));
    return 0;
}

static bool xen_rdm_layout_nr_ok(void *opaque, int version_id)
{
    XenRdmState *s = opaque;

    if (s->mig_nr_ram <= 0 ||
        s->mig_nr_ram > XEN_RDM_LAYOUT_MAX_RANGES) {
        error_report("xen-rdm: the migration stream has %" PRId32 " guest "
                     "RAM ranges, not between 1 and %u",
                     s->mig_nr_ram, XEN_RDM_LAYOUT_MAX_RANGES);
        return false;
    }
    return true;
}

/*
 * The hypervisor holds the RAM of the guest that came in (@ram) as
 * @ram says, where that means something for a guest that has run: no
 * RAM at either end of a hole (its RAM frames, which the guest may have
 * given back, are not asked about).  A difference is reported, never
 * fatal: the guest's own hypercalls could have made it.
 */
static void xen_rdm_check_incoming(XenRdmState *s)
{
    Error *local_err = NULL;

    if (xen_rdm_check_frames(s->layout->ram, true, &local_err)) {
        return;
    }
    g_free(s->mismatch);
    s->mismatch = g_strdup_printf("the guest RAM layout the guest came with "
                                  "is not what the hypervisor holds: %s",
                                  error_get_pretty(local_err));
    error_free(local_err);
    warn_report("xen-rdm: %s", s->mismatch);
}

/* Lay guest RAM out as the @nr ranges @ranges, which came from @source */
static bool xen_rdm_relayout(XenRdmState *s, const XenRdmRange *ranges,
                             size_t nr, XenRdmLayoutSource source,
                             Error **errp)
{
    g_autoptr(XenRdmPlan) layout = NULL;
    g_autofree char *was = NULL;
    g_autofree char *now = NULL;
    bool moved;

    layout = xen_rdm_layout_incoming(s->plan, ranges, nr, s->ram_size,
                                     s->mmio_start, s->block_len, errp);
    if (!layout) {
        return false;
    }
    moved = !xen_rdm_ram_equal(layout->ram, s->layout->ram);
    if (moved) {
        was = xen_rdm_ram_str(s->layout->ram);
        now = xen_rdm_ram_str(layout->ram);
        warn_report("xen-rdm: guest RAM was laid out as %s (from %s), the "
                    "guest came with %s (from %s): RAM follows the guest's "
                    "own layout", was, XenRdmLayoutSource_str(s->source), now,
                    XenRdmLayoutSource_str(source));
    }
    xen_rdm_set_layout(s, g_steal_pointer(&layout), source);
    xen_rdm_report_regions(s->layout->regions, NULL);
    if (moved) {
        s->map_ram(s->layout->ram);
    }
    xen_rdm_check_incoming(s);
    return true;
}

static int xen_rdm_layout_post_load(void *opaque, int version_id)
{
    XenRdmState *s = opaque;
    g_autofree XenRdmRange *ram = g_steal_pointer(&s->mig_ram);
    Error *local_err = NULL;

    if (!xen_rdm_relayout(s, ram, s->mig_nr_ram,
                          XEN_RDM_LAYOUT_SOURCE_MIGRATION, &local_err)) {
        error_reportf_err(local_err, "xen-rdm: the guest RAM layout in the "
                          "migration stream is not valid for this guest: ");
        return -EINVAL;
    }
    s->migrated = true;
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
    XenRdmState *s = opaque;
    g_autoptr(XenRdmPlan) classic = NULL;
    Error *local_err = NULL;

    if (!running || !s->incoming) {
        return;
    }
    s->incoming = false;
    if (s->migrated) {
        return;
    }
    /*
     * No layout came with the guest: the QEMU it came from laid its RAM
     * out the classic way (unmodified QEMU always does).
     */
    classic = xen_rdm_classic_layout(s);
    if (!xen_rdm_relayout(s, (XenRdmRange *)classic->ram->data,
                          classic->ram->len, XEN_RDM_LAYOUT_SOURCE_MIGRATION,
                          &local_err)) {
        /* a strict region of this host in it: the guest must not run */
        error_reportf_err(local_err, "xen-rdm: cannot lay guest RAM out as "
                          "the QEMU the guest came from did: ");
        exit(EXIT_FAILURE);
    }
}
