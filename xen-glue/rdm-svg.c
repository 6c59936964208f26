/*
 * A picture of a guest-physical memory map: one column per layout plan,
 * addresses growing upwards on a broken axis (every span between two
 * addresses where something starts or ends gets a height that grows with
 * the logarithm of its size, and a span much longer than it is drawn is
 * marked with a break), RAM, the reserved regions coloured by status,
 * the MMIO hole and the platform areas, lowmem_end and highmem_end.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <math.h>
#include "rdm-format.h"
#include "rdm-names.h"

#define GIB4            (1ULL << 32)
#define FIRST_MIB       0x100000ULL
#define LEGACY_START    0xa0000ULL      /* VGA memory and BIOS area */
#define FIRMWARE_START  0xfc000000ULL   /* hvmloader and the BIOS */

/* Geometry (pixels) */
#define MARGIN          16
#define TITLE_H         44
#define AXIS_W          150             /* address labels left of a column */
#define COL_W           150
#define COL_GAP         40
#define SPAN_MIN_H      12
#define LEGEND_H        92

/* The colours (docs/xen-rdm-plan.rst lists them; the tests sample them) */
static const char xen_rdm_svg_colour_ram[] = "#4caf50";
static const char xen_rdm_svg_colour_mmio[] = "#bdbdbd";
static const char xen_rdm_svg_colour_platform[] = "#795548";
static const char xen_rdm_svg_colour_empty[] = "#ffffff";

static const char *status_colour(XenRdmStatus s)
{
    switch (s) {
    case XEN_RDM_STATUS_RESERVED:
        return "#1e88e5";
    case XEN_RDM_STATUS_IGNORED:
        return "#fb8c00";
    case XEN_RDM_STATUS_CONFLICT:
    default:
        return "#e53935";
    }
}

static int cmp_u64(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void add_point(GArray *pts, uint64_t a)
{
    g_array_append_val(pts, a);
}

/* Every address where something starts or ends, in any of the plans */
static GArray *axis_points(const XenRdmPlan *const *plans, guint n)
{
    GArray *pts = g_array_new(false, false, sizeof(uint64_t));
    GArray *uniq = g_array_new(false, false, sizeof(uint64_t));
    guint p, i;

    add_point(pts, 0);
    add_point(pts, LEGACY_START);
    add_point(pts, FIRST_MIB);
    add_point(pts, FIRMWARE_START);
    add_point(pts, GIB4);
    for (p = 0; p < n; p++) {
        const XenRdmPlan *plan = plans[p];

        add_point(pts, plan->mmio_start);
        add_point(pts, plan->lowmem_end);
        if (plan->highmem_end) {
            add_point(pts, plan->highmem_end);
        }
        for (i = 0; i < plan->ram->len; i++) {
            const XenRdmRange *r = &g_array_index(plan->ram, XenRdmRange, i);

            add_point(pts, r->start);
            add_point(pts, r->start + r->size);
        }
        for (i = 0; i < plan->regions->len; i++) {
            const XenRdmRegion *r = g_ptr_array_index(plan->regions, i);

            add_point(pts, r->start);
            add_point(pts, r->start + r->size);
        }
    }
    g_array_sort(pts, cmp_u64);
    for (i = 0; i < pts->len; i++) {
        uint64_t a = g_array_index(pts, uint64_t, i);

        if (!uniq->len || g_array_index(uniq, uint64_t, uniq->len - 1) != a) {
            g_array_append_val(uniq, a);
        }
    }
    g_array_free(pts, true);
    return uniq;
}

/* Drawn height of the span [a, b) */
static double span_height(uint64_t a, uint64_t b)
{
    double pages = (double)(b - a) / 4096.0;

    return SPAN_MIN_H + 4.0 * log2(pages < 1 ? 1 : pages);
}

typedef struct Axis {
    GArray *pts;        /* uint64_t */
    GArray *y;          /* double: the y of each point */
    double height;
} Axis;

static double axis_y(const Axis *ax, uint64_t a)
{
    guint lo = 0, hi = ax->pts->len - 1;

    /* a is always one of the points */
    while (lo < hi) {
        guint mid = (lo + hi) / 2;

        if (g_array_index(ax->pts, uint64_t, mid) < a) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return g_array_index(ax->y, double, lo);
}

static void rect(GString *out, const char *id, double x, double y0,
                 double y1, double w, const char *fill, const char *title)
{
    /* y0 above y1 on the page: addresses grow upwards */
    g_string_append_printf(out, "<rect%s%s%s x=\"%.1f\" y=\"%.1f\" "
                           "width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                           "stroke=\"#424242\" stroke-width=\"0.5\">",
                           id ? " id=\"" : "", id ? id : "", id ? "\"" : "",
                           x, y1, w, y0 - y1, fill);
    if (title) {
        g_string_append_printf(out, "<title>%s</title>", title);
    }
    g_string_append(out, "</rect>\n");
}

static void draw_plan(GString *out, const Axis *ax, const XenRdmPlan *plan,
                      const char *title, guint col, double x)
{
    double top = MARGIN + TITLE_H;
    double yl;
    guint i;

    g_string_append_printf(out, "<text x=\"%.1f\" y=\"%d\" "
                           "font-weight=\"bold\">%s</text>\n", x, MARGIN + 14,
                           title);
    g_string_append_printf(out, "<text x=\"%.1f\" y=\"%d\">%s</text>\n", x,
                           MARGIN + 32, plan->refused ? "refused" : "ok");

    /* the platform areas and the MMIO hole, under everything */
    rect(out, NULL, x, top + axis_y(ax, LEGACY_START),
         top + axis_y(ax, FIRST_MIB), COL_W, xen_rdm_svg_colour_platform,
         "VGA memory and BIOS (0xa0000-0xfffff)");
    rect(out, NULL, x, top + axis_y(ax, plan->mmio_start),
         top + axis_y(ax, GIB4), COL_W, xen_rdm_svg_colour_mmio,
         "MMIO hole");
    rect(out, NULL, x, top + axis_y(ax, FIRMWARE_START),
         top + axis_y(ax, GIB4), COL_W, xen_rdm_svg_colour_platform,
         "firmware (0xfc000000-0xffffffff)");
    /* RAM: the left two thirds of the column */
    for (i = 0; i < plan->ram->len; i++) {
        const XenRdmRange *r = &g_array_index(plan->ram, XenRdmRange, i);
        g_autofree char *id = g_strdup_printf("p%u-ram-%u", col, i);
        g_autofree char *t = g_strdup_printf("RAM 0x%" PRIx64 "-0x%" PRIx64,
                                             r->start,
                                             r->start + r->size - 1);

        rect(out, id, x, top + axis_y(ax, r->start),
             top + axis_y(ax, r->start + r->size), COL_W * 2 / 3,
             xen_rdm_svg_colour_ram, t);
    }
    /* reserved regions: the right third, over RAM where RAM covers them */
    for (i = 0; i < plan->regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(plan->regions, i);
        g_autofree char *id = g_strdup_printf("p%u-region-%u", col, i);
        g_autofree char *t = g_strdup_printf("RDM 0x%" PRIx64 "-0x%" PRIx64
                                             " %s, %s", r->start,
                                             r->start + r->size - 1,
                                             xen_rdm_policy_str(r->policy),
                                             xen_rdm_status_str(r->status));

        rect(out, id, x + COL_W * 2 / 3, top + axis_y(ax, r->start),
             top + axis_y(ax, r->start + r->size), COL_W / 3,
             status_colour(r->status), t);
    }
    /* the ends of RAM */
    yl = top + axis_y(ax, plan->lowmem_end);
    g_string_append_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                           "y2=\"%.1f\" stroke=\"#000\" stroke-width=\"2\"/>"
                           "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">"
                           "lowmem_end</text>\n", x, yl, x + COL_W, yl,
                           x + 2, yl - 2);
    if (plan->highmem_end) {
        yl = top + axis_y(ax, plan->highmem_end);
        g_string_append_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" "
                               "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" "
                               "stroke-width=\"2\"/><text x=\"%.1f\" "
                               "y=\"%.1f\" font-size=\"10\">highmem_end"
                               "</text>\n", x, yl, x + COL_W, yl, x + 2,
                               yl - 2);
    }
}

char *xen_rdm_plan_format_svg(const XenRdmPlan *const *plans,
                              const char *const *titles, guint n)
{
    GString *out = g_string_new(NULL);
    Axis ax;
    double y = 0, width, height, top = MARGIN + TITLE_H;
    guint i;

    g_assert(n >= 1);
    ax.pts = axis_points(plans, n);
    ax.y = g_array_new(false, false, sizeof(double));
    /* from the top (the highest address) down */
    for (i = ax.pts->len; i-- > 0;) {
        if (i + 1 < ax.pts->len) {
            y += span_height(g_array_index(ax.pts, uint64_t, i),
                             g_array_index(ax.pts, uint64_t, i + 1));
        }
        g_array_insert_val(ax.y, 0, y);
    }
    ax.height = y;
    width = MAX(2 * MARGIN + AXIS_W + n * COL_W + (n - 1) * COL_GAP, 680);
    height = top + ax.height + LEGEND_H + MARGIN;

    g_string_append_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                           "width=\"%.0f\" height=\"%.0f\" "
                           "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" "
                           "font-size=\"12\">\n"
                           "<rect width=\"100%%\" height=\"100%%\" "
                           "fill=\"%s\"/>\n", width, height, width, height,
                           xen_rdm_svg_colour_empty);

    /* the axis: one label per point, a break mark on long spans */
    for (i = 0; i < ax.pts->len; i++) {
        uint64_t a = g_array_index(ax.pts, uint64_t, i);
        double ya = top + g_array_index(ax.y, double, i);

        g_string_append_printf(out, "<text x=\"%d\" y=\"%.1f\" "
                               "font-family=\"monospace\" font-size=\"10\">"
                               "0x%" PRIx64 "</text>\n", MARGIN, ya + 3, a);
        g_string_append_printf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" "
                               "y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n",
                               MARGIN + AXIS_W - 30, ya, width - MARGIN, ya);
        if (i + 1 < ax.pts->len &&
            g_array_index(ax.pts, uint64_t, i + 1) - a >= 64ULL << 20) {
            double ym = top + (g_array_index(ax.y, double, i) +
                               g_array_index(ax.y, double, i + 1)) / 2;
            double xb = MARGIN + AXIS_W - 20;

            /* the axis is broken here: a zigzag */
            g_string_append_printf(out, "<polyline class=\"axis-break\" "
                                   "points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f "
                                   "%.1f,%.1f\" fill=\"none\" "
                                   "stroke=\"#000\"/>\n", xb - 6, ym + 3,
                                   xb - 2, ym - 3, xb + 2, ym + 3, xb + 6,
                                   ym - 3);
        }
    }
    for (i = 0; i < n; i++) {
        draw_plan(out, &ax, plans[i], titles[i], i,
                  MARGIN + AXIS_W + i * (COL_W + COL_GAP));
    }

    /* the legend */
    {
        static const struct {
            const char *what;
            int status;         /* -1: not a region */
        } items[] = {
            { "RAM", -1 }, { "MMIO hole", -2 }, { "platform area", -3 },
            { "RDM reserved", XEN_RDM_STATUS_RESERVED },
            { "RDM ignored (relaxed, RAM over it)", XEN_RDM_STATUS_IGNORED },
            { "RDM conflict (strict)", XEN_RDM_STATUS_CONFLICT },
        };
        double ly = top + ax.height + 20;

        for (i = 0; i < G_N_ELEMENTS(items); i++) {
            const char *fill = items[i].status == -1 ? xen_rdm_svg_colour_ram :
                items[i].status == -2 ? xen_rdm_svg_colour_mmio :
                items[i].status == -3 ? xen_rdm_svg_colour_platform :
                status_colour(items[i].status);
            double lx = MARGIN + (i % 3) * 200, lyy = ly + (i / 3) * 22;

            g_string_append_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" "
                                   "width=\"14\" height=\"14\" fill=\"%s\" "
                                   "stroke=\"#424242\"/><text x=\"%.1f\" "
                                   "y=\"%.1f\" font-size=\"11\">%s</text>\n",
                                   lx, lyy, fill, lx + 20, lyy + 11,
                                   items[i].what);
        }
        g_string_append_printf(out, "<text x=\"%d\" y=\"%.1f\" "
                               "font-size=\"10\">addresses grow upwards; "
                               "a span's height grows with the logarithm "
                               "of its size; zigzag: 64 MiB or more drawn "
                               "short</text>\n", MARGIN, ly + 60);
    }
    g_string_append(out, "</svg>\n");
    g_array_free(ax.pts, true);
    g_array_free(ax.y, true);
    return g_string_free(out, false);
}
