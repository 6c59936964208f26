/*
 * Output formats for an RDM layout plan
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "rdm-format.h"
#include "rdm-names.h"

static void json_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (; *s; s++) {
        unsigned char c = *s;

        if (c == '"' || c == '\\') {
            g_string_append_printf(out, "\\%c", c);
        } else if (c < 0x20) {
            g_string_append_printf(out, "\\u%04x", c);
        } else {
            g_string_append_c(out, c);
        }
    }
    g_string_append_c(out, '"');
}

static void json_key(GString *out, const char *key)
{
    json_string(out, key);
    g_string_append(out, ": ");
}

char *xen_rdm_plan_format_json(const XenRdmPlan *plan)
{
    GString *out = g_string_new("{");
    guint i, j;

    json_key(out, "layout");
    json_string(out, xen_rdm_layout_str(plan->layout));
    g_string_append(out, ", ");
    json_key(out, "result");
    json_string(out, plan->refused ? "refused" : "ok");
    if (plan->reason) {
        g_string_append(out, ", ");
        json_key(out, "reason");
        json_string(out, plan->reason);
    }
    g_string_append_printf(out, ", \"mmio-start\": %" PRIu64
                           ", \"lowmem-end\": %" PRIu64
                           ", \"highmem-end\": %" PRIu64 ", \"ram\": [",
                           plan->mmio_start, plan->lowmem_end,
                           plan->highmem_end);
    for (i = 0; i < plan->ram->len; i++) {
        const XenRdmRange *r = &g_array_index(plan->ram, XenRdmRange, i);

        g_string_append_printf(out, "%s{\"start\": %" PRIu64
                               ", \"size\": %" PRIu64 "}",
                               i ? ", " : "", r->start, r->size);
    }
    g_string_append(out, "], \"regions\": [");
    for (i = 0; i < plan->regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(plan->regions, i);

        g_string_append_printf(out, "%s{\"start\": %" PRIu64
                               ", \"size\": %" PRIu64 ", ",
                               i ? ", " : "", r->start, r->size);
        json_key(out, "policy");
        json_string(out, xen_rdm_policy_str(r->policy));
        g_string_append(out, ", ");
        json_key(out, "status");
        json_string(out, xen_rdm_status_str(r->status));
        if (r->conflict) {
            g_string_append(out, ", ");
            json_key(out, "conflict");
            json_string(out, r->conflict);
        }
        g_string_append(out, ", \"devices\": [");
        for (j = 0; j < r->devices->len; j++) {
            if (j) {
                g_string_append(out, ", ");
            }
            json_string(out, g_ptr_array_index(r->devices, j));
        }
        g_string_append(out, "]}");
    }
    g_string_append(out, "], \"e820\": [");
    for (i = 0; i < plan->e820->len; i++) {
        const XenRdmE820Entry *e = &g_array_index(plan->e820,
                                                  XenRdmE820Entry, i);

        g_string_append_printf(out, "%s{\"start\": %" PRIu64
                               ", \"size\": %" PRIu64 ", \"type\": ",
                               i ? ", " : "", e->start, e->size);
        json_string(out, xen_rdm_e820_type_str(e->type));
        g_string_append_c(out, '}');
    }
    g_string_append(out, "]}");
    return g_string_free(out, false);
}

/* "1.5 GiB", "64 KiB", exact where possible */
static char *human_size(uint64_t size)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;
    uint64_t v = size;

    while (u < 4 && v >= 1024 && v % 1024 == 0) {
        v /= 1024;
        u++;
    }
    if (v >= 1024 * 10 && u < 4) {
        /* not a round number: show it approximately in a larger unit */
        double d = v;
        while (u < 4 && d >= 1024) {
            d /= 1024;
            u++;
        }
        return g_strdup_printf("~%.1f %s", d, units[u]);
    }
    return g_strdup_printf("%" PRIu64 " %s", v, units[u]);
}

static void append_range_line(GString *out, uint64_t start, uint64_t size)
{
    g_autofree char *hs = human_size(size);

    g_string_append_printf(out, "  0x%016" PRIx64 "-0x%016" PRIx64 "  %12s\n",
                           start, start + size - 1, hs);
}

/* Whether one of @cfg's passed-through devices is among @r's devices */
static bool region_of_device(const XenRdmRegion *r, const XenRdmConfig *cfg)
{
    for (size_t i = 0; i < cfg->nr_devices; i++) {
        g_autofree char *name = xen_rdm_sbdf_to_string(cfg->devices[i].sbdf);

        for (guint j = 0; j < r->devices->len; j++) {
            if (!strcmp(g_ptr_array_index(r->devices, j), name)) {
                return true;
            }
        }
    }
    return false;
}

/*
 * The xl.cfg change that keeps @r, which guest RAM covers in the compat
 * layout (libxl's), free: libxl moves lowmem_end below a region in low
 * RAM only when it starts above rdm_mem_boundary, and never moves RAM
 * above 4 GiB.  (The split layout keeps any region outside the platform
 * areas free; xen-rdm-plan --layout split shows it.)
 */
static void append_fix(GString *out, const XenRdmPlan *plan,
                       const XenRdmRegion *r, const XenRdmConfig *cfg)
{
    g_string_append_printf(out, "  0x%" PRIx64 "-0x%" PRIx64 ": ", r->start,
                           r->start + r->size - 1);
    if (r->start < XEN_RDM_FIRST_MIB_END ||
        (r->start < XEN_RDM_4G && r->start + r->size >
                                  XEN_RDM_FIRMWARE_START)) {
        g_string_append(out, "it lies in a fixed platform area (the first "
                        "MiB or 0xfc000000-0xffffffff): no layout keeps it "
                        "free\n");
        return;
    }
    if (plan->layout == XEN_RDM_LAYOUT_COMPAT && r->start < XEN_RDM_4G) {
        g_string_append_printf(out, "rdm_mem_boundary = %" PRIu64 " (MiB, "
                               "below its start; now %" PRIu64 ") makes libxl "
                               "end low RAM below it", (r->start - 1) >> 20,
                               cfg->boundary >> 20);
    } else if (plan->layout == XEN_RDM_LAYOUT_COMPAT) {
        uint64_t fit = plan->lowmem_end + (r->start - XEN_RDM_4G);

        g_string_append_printf(out, "libxl never moves RAM above 4 GiB: "
                               "memory = %" PRIu64 " (MiB, now %" PRIu64 ") "
                               "ends RAM below it", fit >> 20,
                               cfg->ram_size >> 20);
    } else {
        g_string_append(out, "(split keeps every region outside the platform "
                        "areas free)");
    }
    if (plan->layout == XEN_RDM_LAYOUT_COMPAT) {
        g_string_append(out, "; or the split layout (--layout split) keeps "
                        "it free");
    }
    g_string_append(out, "\n");
}

char *xen_rdm_plan_format_text(const XenRdmPlan *plan,
                               const XenRdmConfig *cfg)
{
    GString *out = g_string_new(NULL);
    g_autoptr(GPtrArray) to_fix = g_ptr_array_new();
    guint i, reserved = 0, ignored = 0, conflicts = 0, device_ram = 0;

    g_string_append_printf(out, "Layout %s: RAM below 4 GiB stops at "
                           "0x%" PRIx64 " (MMIO hole), lowmem_end 0x%" PRIx64
                           ", highmem_end 0x%" PRIx64 "\n\n",
                           xen_rdm_layout_str(plan->layout), plan->mmio_start,
                           plan->lowmem_end, plan->highmem_end);
    g_string_append(out, "Guest RAM:\n");
    for (i = 0; i < plan->ram->len; i++) {
        const XenRdmRange *r = &g_array_index(plan->ram, XenRdmRange, i);

        append_range_line(out, r->start, r->size);
    }
    g_string_append(out, "\nReserved device memory:\n");
    if (!plan->regions->len) {
        g_string_append(out, "  (none)\n");
    } else {
        g_string_append_printf(out, "  %-18s %-18s %12s  %-7s  %-8s  %s\n",
                               "START", "END", "SIZE", "POLICY", "STATUS",
                               "DEVICES");
    }
    for (i = 0; i < plan->regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(plan->regions, i);
        g_autofree char *hs = human_size(r->size);
        g_autofree char *devs = NULL;
        g_autoptr(GPtrArray) names = g_ptr_array_new();
        guint j;

        for (j = 0; j < r->devices->len; j++) {
            g_ptr_array_add(names, g_ptr_array_index(r->devices, j));
        }
        g_ptr_array_add(names, NULL);
        devs = g_strjoinv(",", (char **)names->pdata);
        g_string_append_printf(out, "  0x%016" PRIx64 " 0x%016" PRIx64
                               " %12s  %-7s  %-8s  %s%s%s\n",
                               r->start, r->start + r->size - 1, hs,
                               xen_rdm_policy_str(r->policy),
                               xen_rdm_status_str(r->status),
                               *devs ? devs : "-",
                               r->conflict ? "  <- collides with " : "",
                               r->conflict ? r->conflict : "");
        switch (r->status) {
        case XEN_RDM_STATUS_RESERVED:
            reserved++;
            break;
        case XEN_RDM_STATUS_IGNORED:
            ignored++;
            if (region_of_device(r, cfg)) {
                device_ram++;
                g_ptr_array_add(to_fix, (gpointer)r);
            }
            break;
        case XEN_RDM_STATUS_CONFLICT:
            conflicts++;
            g_ptr_array_add(to_fix, (gpointer)r);
            break;
        }
    }
    g_string_append(out, "\n");
    if (plan->refused) {
        g_string_append_printf(out, "Verdict: REFUSED (%u strict conflict%s): "
                               "%s\n", conflicts, conflicts == 1 ? "" : "s",
                               plan->reason);
    } else if (device_ram) {
        g_string_append_printf(out, "Verdict: WARNING: %u region%s of "
                               "passed-through devices stay%s guest RAM "
                               "(relaxed): the device%s DMA there corrupts "
                               "the guest's memory; %u reserved, %u "
                               "ignored\n", device_ram,
                               device_ram == 1 ? "" : "s",
                               device_ram == 1 ? "s" : "",
                               device_ram == 1 ? "'s" : "s'", reserved,
                               ignored);
    } else {
        g_string_append_printf(out, "Verdict: OK: %u region%s reserved, %u "
                               "ignored\n", reserved,
                               reserved == 1 ? "" : "s", ignored);
    }
    if (to_fix->len) {
        g_string_append(out, "\nWhat would keep them free:\n");
        for (i = 0; i < to_fix->len; i++) {
            append_fix(out, plan, g_ptr_array_index(to_fix, i), cfg);
        }
    }
    return g_string_free(out, false);
}

char *xen_rdm_plan_format_e820(const XenRdmPlan *plan)
{
    GString *out = g_string_new(NULL);
    guint i;

    for (i = 0; i < plan->e820->len; i++) {
        const XenRdmE820Entry *e = &g_array_index(plan->e820,
                                                  XenRdmE820Entry, i);

        g_string_append_printf(out, "[mem 0x%016" PRIx64 "-0x%016" PRIx64
                               "] %s\n", e->start, e->start + e->size - 1,
                               e->type == XEN_RDM_E820_RAM ? "usable"
                                                           : "reserved");
    }
    return g_string_free(out, false);
}
