/*
 * Reserved device memory (RDM) in Xen HVM guests: the machine property
 * "xen-rdm" of the xenfv machine types
 *
 * The property tells QEMU the guest's RDM settings, as the toolstack was
 * told them (xl.cfg's rdm=, rdm_mem_boundary= and pci=[...,rdm_policy=]).
 * They are checked when they are set and kept in the machine; the guest
 * RAM layout (hw/xen/xen-rdm.c) plans with them.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/units.h"
#include "qapi/visitor.h"
#include "qapi/qapi-visit-misc-target.h"
#include "hw/i386/pc.h"
#include "hw/xen/xen-rdm-options.h"

/* The machine's "xen-rdm" (PCMachineState's xen_rdm_options) */
struct XenRdmMachineOptions {
    XenRdmOptions *opts;
    GArray *devices;            /* XenRdmDeviceConfig from opts->pci */
};

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

static struct XenRdmMachineOptions *xen_rdm_options_of(MachineState *ms)
{
    PCMachineState *pcms = (PCMachineState *)
        object_dynamic_cast(OBJECT(ms), TYPE_PC_MACHINE);

    return pcms ? pcms->xen_rdm_options : NULL;
}

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

        if (!xen_rdm_sbdf_parse(l->value->host, &dev.sbdf, errp) ||
            !xen_rdm_devices_add(devices, &dev, errp)) {
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
    struct XenRdmMachineOptions *mo = PC_MACHINE(obj)->xen_rdm_options;
    g_autoptr(XenRdmOptions) empty = g_new0(XenRdmOptions, 1);
    XenRdmOptions *opts = mo ? mo->opts : empty;

    visit_type_XenRdmOptions(v, name, &opts, errp);
}

static void xen_rdm_set_opts(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    ERRP_GUARD();
    PCMachineState *pcms = PC_MACHINE(obj);
    struct XenRdmMachineOptions *mo;
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
    mo = pcms->xen_rdm_options;
    if (!mo) {
        mo = pcms->xen_rdm_options = g_new0(struct XenRdmMachineOptions, 1);
    }
    qapi_free_XenRdmOptions(mo->opts);
    if (mo->devices) {
        g_array_unref(mo->devices);
    }
    mo->opts = g_steal_pointer(&opts);
    mo->devices = devices;
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

bool xen_rdm_requested(MachineState *ms)
{
    struct XenRdmMachineOptions *mo = xen_rdm_options_of(ms);
    const XenRdmOptions *o = mo ? mo->opts : NULL;

    return o && ((o->has_strategy &&
                  o->strategy == XEN_RDM_RESERVE_STRATEGY_HOST) || o->pci);
}

void xen_rdm_machine_config(MachineState *ms, uint64_t ram_size,
                            uint64_t mmio_start, bool hap,
                            XenRdmConfig *cfg)
{
    struct XenRdmMachineOptions *mo = xen_rdm_options_of(ms);
    const XenRdmOptions *o = mo ? mo->opts : NULL;

    xen_rdm_config_init(cfg);
    cfg->ram_size = ram_size;
    cfg->mmio_hole = 4 * GiB - mmio_start;
    cfg->hap = hap;
    if (!o) {
        return;
    }
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
    cfg->devices = (XenRdmDeviceConfig *)mo->devices->data;
    cfg->nr_devices = mo->devices->len;
}

bool xen_rdm_listed_policy(MachineState *ms, uint32_t sbdf,
                           XenRdmPolicy *policy)
{
    struct XenRdmMachineOptions *mo = xen_rdm_options_of(ms);
    guint i;

    for (i = 0; mo && i < mo->devices->len; i++) {
        const XenRdmDeviceConfig *d =
            &g_array_index(mo->devices, XenRdmDeviceConfig, i);

        if (d->sbdf == sbdf) {
            *policy = d->policy;
            return true;
        }
    }
    return false;
}
