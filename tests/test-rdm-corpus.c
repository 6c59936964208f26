/*
 * Corpus test: every real DMAR table in ../shared/corpus/dmar (ACPI
 * tables collected by Linux users at linux-hardware.org, CC BY 4.0) must
 * parse, and the planner must produce a plan that passes its invariant
 * check for each device with an RMRR and for all of them together, at
 * 1, 2, 4, 8 and 16 GiB, in both layouts.  Prints counts.
 *
 * usage: test-rdm-corpus [CORPUS_DIR] [gtest options]
 * The directory is the argument, else $XEN_RDM_DMAR_CORPUS, else the
 * default compiled in by meson.  Skipped when the folder is absent.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"
#include "rdm-names.h"
#include "rdm-corpus-dir.h"
#include "rdm-pages.h"

#ifndef XEN_RDM_DMAR_CORPUS_DEFAULT
#define XEN_RDM_DMAR_CORPUS_DEFAULT "../shared/corpus/dmar"
#endif

typedef struct CorpusTable {
    char *name;
    XenRdmMap *map;
} CorpusTable;

static const char *corpus_dir;
static GPtrArray *tables;           /* CorpusTable *, the parsed ones */

static void corpus_table_free(gpointer data)
{
    CorpusTable *t = data;

    g_free(t->name);
    xen_rdm_map_free(t->map);
    g_free(t);
}

static void test_parse(void)
{
    g_autoptr(GPtrArray) names = rdm_corpus_names(corpus_dir);
    g_autoptr(GHashTable) devices = g_hash_table_new(NULL, NULL);
    unsigned failed = 0, rmrrs = 0, no_scope = 0;
    unsigned multi_device = 0, scopes = 0, unresolved = 0, no_rmrr = 0;
    unsigned first_mib = 0, above_4g = 0;
    uint64_t largest = 0;
    guint i, j;

    if (!names) {
        return;
    }

    for (i = 0; i < names->len; i++) {
        g_autoptr(Error) err = NULL;
        g_autoptr(XenRdmMap) map = rdm_corpus_load(corpus_dir,
                                                   names->pdata[i], &err);
        CorpusTable *t;

        if (!map) {
            g_test_message("FAILED: %s", error_get_pretty(err));
            failed++;
            continue;
        }
        no_rmrr += map->entries->len == 0;
        for (j = 0; j < map->entries->len; j++) {
            const XenRdmEntry *e = g_ptr_array_index(map->entries, j);
            guint d;

            g_assert_true(e->host_wide);
            rmrrs++;
            scopes += e->devices->len + e->unresolved->len;
            unresolved += e->unresolved->len;
            no_scope += e->devices->len + e->unresolved->len == 0;
            multi_device += e->devices->len > 1;
            first_mib += e->start < XEN_RDM_FIRST_MIB_END;
            above_4g += e->start + e->size > XEN_RDM_4G;
            largest = MAX(largest, e->size);
            for (d = 0; d < e->devices->len; d++) {
                g_hash_table_add(devices, GUINT_TO_POINTER(
                    g_array_index(e->devices, uint32_t, d)));
            }
        }
        t = g_new0(CorpusTable, 1);
        t->name = g_strdup(names->pdata[i]);
        t->map = g_steal_pointer(&map);
        g_ptr_array_add(tables, t);
    }

    g_test_message("DMAR corpus %s: %u tables, %u parsed, %u failed",
                   corpus_dir, names->len, tables->len, failed);
    g_test_message("  %u RMRRs (%u tables without any), %u device scopes, "
                   "%u distinct devices, %u unresolved multi-hop scopes",
                   rmrrs, no_rmrr, scopes, g_hash_table_size(devices),
                   unresolved);
    g_test_message("  %u RMRRs without device scopes, %u with several "
                   "devices, %u starting in the first MiB, %u reaching above "
                   "4 GiB, largest 0x%" PRIx64 " bytes", no_scope,
                   multi_device, first_mib, above_4g, largest);
    g_assert_cmpuint(failed, ==, 0);
    g_assert_cmpuint(tables->len, ==, names->len);
    g_assert_cmpuint(rmrrs, >, 0);
}

typedef struct PlanCounts {
    unsigned plans, ok, refused, ignored;
    unsigned refused_area;      /* split: refused for a platform area */
    unsigned refused_first_mib; /* ... for one in the first MiB */
} PlanCounts;

/* Plan @map with @cfg and check it; count the outcome in @c */
static XenRdmPlan *plan_one(const CorpusTable *t, const XenRdmConfig *cfg,
                            PlanCounts *c)
{
    g_autoptr(XenRdmPlan) plan = NULL;
    g_autoptr(Error) err = NULL;
    bool area = false, first_mib = false;
    guint i;

    if (!xen_rdm_plan_compute(cfg, t->map, &plan, &err)) {
        g_error("%s: %s, %" PRIu64 " MiB: planner error: %s", t->name,
                xen_rdm_layout_str(cfg->layout), cfg->ram_size >> 20,
                error_get_pretty(err));
    }
    if (!xen_rdm_plan_check(plan, cfg->ram_size, &err)) {
        g_error("%s: %s, %" PRIu64 " MiB: invariant broken: %s", t->name,
                xen_rdm_layout_str(cfg->layout), cfg->ram_size >> 20,
                error_get_pretty(err));
    }
    c->plans++;
    if (plan->refused) {
        c->refused++;
    } else {
        c->ok++;
    }
    for (i = 0; i < plan->regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(plan->regions, i);

        c->ignored += r->status == XEN_RDM_STATUS_IGNORED;
        if (r->status == XEN_RDM_STATUS_CONFLICT) {
            bool in_first_mib = !g_strcmp0(r->conflict, xen_rdm_area_str(
                                               XEN_RDM_AREA_FIRST_MIB));

            first_mib |= in_first_mib;
            area |= in_first_mib ||
                    !g_strcmp0(r->conflict,
                               xen_rdm_area_str(XEN_RDM_AREA_FIRMWARE));
        }
        /* Planning one device: every region is that device's */
        if (cfg->nr_devices == 1 && cfg->strategy == XEN_RDM_STRATEGY_IGNORE) {
            g_autofree char *sbdf =
                xen_rdm_sbdf_to_string(cfg->devices[0].sbdf);

            g_assert_true(g_ptr_array_find_with_equal_func(r->devices, sbdf,
                                                           g_str_equal,
                                                           NULL));
        }
    }
    c->refused_area += area;
    c->refused_first_mib += first_mib;
    if (cfg->nr_devices == 1) {
        g_assert_cmpuint(plan->regions->len, >, 0);
    }
    return g_steal_pointer(&plan);
}

/* What libxc populates a plan's RAM with, summed over plans */
typedef struct PageCounts {
    uint64_t below_4g;          /* bytes of RAM below 4 GiB */
    uint64_t small;             /* bytes in 4 KiB pages beyond 2 MiB */
    uint64_t huge;              /* 1 GiB pages */
} PageCounts;

static void count_pages(const XenRdmRange *ram, size_t nr,
                        uint64_t ram_size, PageCounts *c)
{
    XenRdmPages pages;
    size_t i;

    xen_rdm_ram_pages(ram, nr, &pages);
    /* the pages hold the RAM, no more */
    g_assert_cmpuint(pages.pages_4k * 4096 + pages.pages_2m * (2 << 20) +
                     pages.pages_1g * (1ULL << 30), ==, ram_size);
    for (i = 0; i < nr; i++) {
        c->below_4g += ram[i].start < XEN_RDM_4G ? ram[i].size : 0;
    }
    c->small += xen_rdm_pages_4k_above_2m(ram, nr, &pages);
    c->huge += pages.pages_1g;
}

static void count_plan_pages(const XenRdmPlan *plan, uint64_t ram_size,
                             PageCounts *c)
{
    count_pages(&g_array_index(plan->ram, XenRdmRange, 0), plan->ram->len,
                ram_size, c);
}

/*
 * The other side of split's choice (docs/rdm-design.rst): its holes
 * widened to 1 GiB boundaries (never into the first MiB), which keeps
 * every 1 GiB frame of RAM whole, at the cost of the RAM below 4 GiB
 */
static void count_1g_holes(const XenRdmPlan *split, uint64_t ram_size,
                           PageCounts *c)
{
    g_autofree XenRdmLayoutRegion *holes =
        g_new0(XenRdmLayoutRegion, split->regions->len);
    g_autofree XenRdmLayoutRegion *merged =
        g_new0(XenRdmLayoutRegion, split->regions->len);
    g_autofree XenRdmRange *ram = g_new(XenRdmRange,
                                        split->regions->len + 2);
    size_t n = 0, nr_ram;
    guint i;

    for (i = 0; i < split->regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(split->regions, i);

        if (r->status != XEN_RDM_STATUS_RESERVED ||
            (r->start >= split->mmio_start && r->start < XEN_RDM_4G)) {
            continue;       /* in the MMIO hole: no hole at all */
        }
        holes[n].start = MAX(QEMU_ALIGN_DOWN(r->start, 1ULL << 30),
                             XEN_RDM_FIRST_MIB_END);
        holes[n].end = QEMU_ALIGN_UP(r->start + r->size, 1ULL << 30);
        n++;
    }
    n = xen_rdm_layout_merge(holes, n, merged);
    nr_ram = xen_rdm_layout_place_ram(merged, n, ram_size, split->mmio_start,
                                      true, ram);
    g_assert_cmpuint(nr_ram, >, 0);
    count_pages(ram, nr_ram, ram_size, c);
}

/* The two layouts side by side, over the same plans */
typedef struct PlanPair {
    PlanCounts compat, split;
    unsigned split_boots;       /* refused by compat, accepted by split */
    unsigned both_ok;
    /* over the plans both accept */
    PageCounts pages_compat, pages_split, pages_1g_holes;
} PlanPair;

static void plan_pair(const CorpusTable *t, XenRdmConfig *cfg, PlanPair *p)
{
    g_autoptr(XenRdmPlan) compat = NULL;
    g_autoptr(XenRdmPlan) split = NULL;

    cfg->layout = XEN_RDM_LAYOUT_COMPAT;
    compat = plan_one(t, cfg, &p->compat);
    cfg->layout = XEN_RDM_LAYOUT_SPLIT;
    split = plan_one(t, cfg, &p->split);
    p->split_boots += compat->refused && !split->refused;
    if (!compat->refused && !split->refused) {
        p->both_ok++;
        count_plan_pages(compat, cfg->ram_size, &p->pages_compat);
        count_plan_pages(split, cfg->ram_size, &p->pages_split);
        count_1g_holes(split, cfg->ram_size, &p->pages_1g_holes);
    }
}

static void report_pages(const char *what, const char *layout,
                         unsigned plans, const PageCounts *c)
{
    g_test_message("%s: libxc's pages, %s: %.1f MiB in 4 KiB pages beyond "
                   "the first 2 MiB (%.2f MiB a plan), %" PRIu64 " 1 GiB "
                   "pages, %.1f GiB of RAM below 4 GiB", what, layout,
                   c->small / (double)(1 << 20),
                   plans ? c->small / (double)(1 << 20) / plans : 0,
                   c->huge, c->below_4g / (double)(1ULL << 30));
}

static void report_pair(const char *what, const PlanPair *p)
{
    g_test_message("%s: libxl 4.17's layout (compat) refuses %u of %u "
                   "plans, split %u (each for a strict region in a platform "
                   "area: %u in the first MiB, %u in the firmware area); "
                   "split boots %u that compat refuses", what,
                   p->compat.refused, p->compat.plans, p->split.refused,
                   p->split.refused_first_mib,
                   p->split.refused_area - p->split.refused_first_mib,
                   p->split_boots);
    g_test_message("%s: RAM below 4 GiB over the %u plans both accept: "
                   "compat %.1f GiB, split %.1f GiB; regions ignored "
                   "(relaxed): compat %u, split %u", what, p->both_ok,
                   p->pages_compat.below_4g / (double)(1ULL << 30),
                   p->pages_split.below_4g / (double)(1ULL << 30),
                   p->compat.ignored, p->split.ignored);
    report_pages(what, "compat", p->both_ok, &p->pages_compat);
    report_pages(what, "split", p->both_ok, &p->pages_split);
    report_pages(what, "split, holes widened to 1 GiB", p->both_ok,
                 &p->pages_1g_holes);
    g_assert_cmpuint(p->compat.plans, ==, p->split.plans);
    /* split refuses only what no hole can hold */
    g_assert_cmpuint(p->split.refused, ==, p->split.refused_area);
    g_assert_cmpuint(p->split.refused, <=, p->compat.refused);
    /* under HAP split has no more RAM in 4 KiB pages than compat */
    g_assert_cmpuint(p->pages_split.small, <=, p->pages_compat.small);
}

static void test_plan(void)
{
    static const unsigned gib[] = RDM_CORPUS_RAM_GIB;
    PlanPair all = { 0 }, all_strict = { 0 }, each = { 0 };
    guint i, j, s;

    if (!rdm_corpus_present(corpus_dir)) {
        return;
    }
    if (!tables->len) {
        g_test_skip("no DMAR table of the corpus parsed (see /corpus/parse)");
        return;
    }
    for (i = 0; i < tables->len; i++) {
        const CorpusTable *t = g_ptr_array_index(tables, i);
        g_autoptr(GArray) devs = rdm_corpus_devices(t->map);

        for (s = 0; s < ARRAY_SIZE(gib); s++) {
            XenRdmDeviceConfig dev = { 0 };
            XenRdmConfig cfg;

            xen_rdm_config_init(&cfg);
            cfg.ram_size = (uint64_t)gib[s] << 30;

            /* All together: the host-wide answer, relaxed and strict */
            cfg.strategy = XEN_RDM_STRATEGY_HOST;
            plan_pair(t, &cfg, &all);
            cfg.policy = XEN_RDM_POLICY_STRICT;
            plan_pair(t, &cfg, &all_strict);
            cfg.policy = XEN_RDM_POLICY_RELAXED;

            /* Each device alone, with its default (strict) policy */
            cfg.strategy = XEN_RDM_STRATEGY_IGNORE;
            cfg.devices = &dev;
            cfg.nr_devices = 1;
            for (j = 0; j < devs->len; j++) {
                dev.sbdf = g_array_index(devs, uint32_t, j);
                dev.policy = XEN_RDM_POLICY_STRICT;
                plan_pair(t, &cfg, &each);
            }
        }
    }
    report_pair("all devices (strategy=host, policy relaxed)", &all);
    report_pair("all devices (strategy=host, policy strict)", &all_strict);
    report_pair("each device alone (rdm_policy strict)", &each);
    g_assert_cmpuint(all.compat.plans, ==, tables->len * ARRAY_SIZE(gib));
    g_assert_cmpuint(each.compat.plans, >, 0);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (argc > 2) {
        g_printerr("usage: %s [CORPUS_DIR]\n", argv[0]);
        return 2;
    }
    corpus_dir = rdm_corpus_dir(argc, argv, XEN_RDM_DMAR_CORPUS_DEFAULT);
    tables = g_ptr_array_new_with_free_func(corpus_table_free);

    g_test_add_func("/corpus/parse", test_parse);
    g_test_add_func("/corpus/plan", test_plan);
    ret = g_test_run();
    g_ptr_array_unref(tables);
    return ret;
}
