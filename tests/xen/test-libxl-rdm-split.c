/*
 * libxl's split RDM layout equals the project's planner: libxl's
 * gathering and planning (tools/libs/light/libxl_rdm_split.c of
 * patches/xen/, built as it is against tests/xen/libxl-stub/) and
 * xen_rdm_plan_compute() with layout split, on every table of the DMAR
 * corpus (../shared/corpus/dmar) at the corpus test's RAM sizes (1, 2,
 * 4, 8 and 16 GiB), for the host-wide regions, each device alone
 * (strict) and the host with every device (strict and relaxed in turn).
 * libxl is given what Xen answers for such a host: the host-wide query
 * every region in table order, a device's query every region whose
 * scope lists it.  Compared: refused or not, the RAM ranges and every
 * region with its status.
 *
 * usage: test-libxl-rdm-split [CORPUS_DIR]
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
#include "rdm-corpus-dir.h"
#include "rdm-names.h"

#include "libxl_internal.h"
#include "libxl_rdm_split.h"

#ifndef XEN_RDM_DMAR_CORPUS_DEFAULT
#define XEN_RDM_DMAR_CORPUS_DEFAULT "../shared/corpus/dmar"
#endif

/* ---- what libxl_rdm_split.c takes from libxl (libxl-stub) */

struct libxl__gc {
    GPtrArray *allocs;
};

void *libxl__calloc(libxl__gc *gc, size_t nmemb, size_t size)
{
    void *p = g_malloc0_n(nmemb, size);

    g_ptr_array_add(gc->allocs, p);
    return p;
}

static unsigned log_errors, log_warnings;

void libxl_stub_log(int level, uint32_t domid, const char *fmt, ...)
{
    if (level == XTL_ERROR) {
        log_errors++;
    } else {
        log_warnings++;
    }
}

/* ---- the comparison */

static const char *corpus_dir;

typedef struct Counts {
    unsigned tables, plans, refused, holes;
} Counts;

/* A region as both sides report it */
typedef struct Region {
    uint64_t start, size;
    XenRdmStatus status;
} Region;

/*
 * libxl's merged regions as the planner lists them: a part in a
 * platform area is merged with nothing, so a region both the host and a
 * device answer is two identical parts there (the planner gathers each
 * table entry once): one, strict if either is
 */
static GArray *libxl_regions(const libxl__rdm_split *split)
{
    GArray *out = g_array_new(false, false, sizeof(Region));
    bool last_strict = false;
    size_t i;

    for (i = 0; i < split->nr_regions; i++) {
        const XenRdmLayoutRegion *m = &split->regions[i];
        Region r = { m->start, m->end - m->start, XEN_RDM_STATUS_RESERVED };
        Region *last = out->len ? &g_array_index(out, Region, out->len - 1)
                                : NULL;

        if (m->area) {
            r.status = m->strict ? XEN_RDM_STATUS_CONFLICT
                                 : XEN_RDM_STATUS_IGNORED;
        }
        if (m->area && last && last->start == r.start &&
            last->size == r.size && last->status != XEN_RDM_STATUS_RESERVED) {
            last_strict |= m->strict;
            last->status = last_strict ? XEN_RDM_STATUS_CONFLICT
                                       : XEN_RDM_STATUS_IGNORED;
            continue;
        }
        last_strict = m->strict;
        g_array_append_val(out, r);
    }
    return out;
}

/* The planner's regions, identical platform parts as one, likewise */
static GArray *plan_regions(const XenRdmPlan *plan)
{
    GArray *out = g_array_new(false, false, sizeof(Region));
    guint i;

    for (i = 0; i < plan->regions->len; i++) {
        const XenRdmRegion *p = g_ptr_array_index(plan->regions, i);
        Region r = { p->start, p->size, p->status };
        Region *last = out->len ? &g_array_index(out, Region, out->len - 1)
                                : NULL;

        if (r.status != XEN_RDM_STATUS_RESERVED && last &&
            last->start == r.start && last->size == r.size &&
            last->status != XEN_RDM_STATUS_RESERVED) {
            if (r.status == XEN_RDM_STATUS_CONFLICT) {
                last->status = r.status;
            }
            continue;
        }
        g_array_append_val(out, r);
    }
    return out;
}

/* What Xen answers a query for @sbdf (every device if NULL: the host) */
static GArray *xen_answer(const XenRdmMap *map, const uint32_t *sbdf)
{
    GArray *rdms = g_array_new(false, false,
                               sizeof(xen_reserved_device_memory_t));
    guint i;

    for (i = 0; i < map->entries->len; i++) {
        const XenRdmEntry *e = g_ptr_array_index(map->entries, i);
        xen_reserved_device_memory_t r = {
            e->start >> XC_PAGE_SHIFT, e->size >> XC_PAGE_SHIFT,
        };

        if (sbdf ? xen_rdm_entry_has_device(e, *sbdf) : e->host_wide) {
            g_array_append_val(rdms, r);
        }
    }
    return rdms;
}

/* Plan @cfg for @map both ways and assert they agree */
static void compare(const char *table, const XenRdmMap *map,
                    const XenRdmConfig *cfg, Counts *c)
{
    g_autoptr(XenRdmPlan) plan = NULL;
    g_autoptr(GPtrArray) answers_data =
        g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
    g_autoptr(GArray) answers = g_array_new(false, false,
                                            sizeof(libxl__rdm_answer));
    g_autoptr(GArray) lr = NULL;
    g_autoptr(GArray) pr = NULL;
    g_autoptr(Error) err = NULL;
    libxl__gc gc = { g_ptr_array_new_with_free_func(g_free) };
    libxl__rdm_split split = { 0 };
    g_autofree char *what = g_strdup_printf(
        "%s, %" PRIu64 " MiB, strategy %s, %zu device(s)", table,
        cfg->ram_size >> 20, xen_rdm_strategy_str(cfg->strategy),
        cfg->nr_devices);
    unsigned errors = log_errors;
    size_t i;
    int rc;

    if (!xen_rdm_plan_compute(cfg, map, &plan, &err)) {
        g_error("%s: planner error: %s", what, error_get_pretty(err));
    }

    /* libxl__domain_device_construct_rdm()'s queries, in its order */
    if (cfg->strategy == XEN_RDM_STRATEGY_HOST) {
        GArray *rdms = xen_answer(map, NULL);
        libxl__rdm_answer a = {
            (void *)rdms->data, rdms->len,
            cfg->policy == XEN_RDM_POLICY_STRICT,
        };

        g_ptr_array_add(answers_data, rdms);
        g_array_append_val(answers, a);
    }
    for (i = 0; i < cfg->nr_devices; i++) {
        GArray *rdms = xen_answer(map, &cfg->devices[i].sbdf);
        libxl__rdm_answer a = {
            (void *)rdms->data, rdms->len,
            cfg->devices[i].policy == XEN_RDM_POLICY_STRICT,
        };

        g_ptr_array_add(answers_data, rdms);
        g_array_append_val(answers, a);
    }
    rc = libxl__rdm_split_plan(&gc, 1, (libxl__rdm_answer *)answers->data,
                               answers->len, cfg->ram_size, plan->mmio_start,
                               cfg->hap, &split);

    c->plans++;
    if (plan->refused) {
        c->refused++;
        if (rc != ERROR_FAIL || log_errors == errors) {
            g_error("%s: the planner refuses (%s), libxl returns %d", what,
                    plan->reason, rc);
        }
    } else if (rc) {
        g_error("%s: libxl returns %d, the planner lays RAM out", what, rc);
    } else {
        if (split.nr_ram != plan->ram->len ||
            memcmp(split.ram, plan->ram->data,
                   split.nr_ram * sizeof(XenRdmRange))) {
            g_error("%s: libxl places RAM in %zu range(s) (first at 0x%"
                    PRIx64 "), the planner in %u", what, split.nr_ram,
                    split.nr_ram ? split.ram[0].start : 0, plan->ram->len);
        }
        c->holes += split.nr_ram > 2;
    }

    /* the regions, also of a refused plan */
    lr = libxl_regions(&split);
    pr = plan_regions(plan);
    if (lr->len != pr->len) {
        g_error("%s: libxl has %u region(s), the planner %u", what, lr->len,
                pr->len);
    }
    for (i = 0; i < lr->len; i++) {
        const Region *l = &g_array_index(lr, Region, i);
        const Region *p = &g_array_index(pr, Region, i);

        if (l->start != p->start || l->size != p->size ||
            l->status != p->status) {
            g_error("%s: region %zu: libxl 0x%" PRIx64 "+0x%" PRIx64 " %s, "
                    "the planner 0x%" PRIx64 "+0x%" PRIx64 " %s", what, i,
                    l->start, l->size, xen_rdm_status_str(l->status),
                    p->start, p->size, xen_rdm_status_str(p->status));
        }
    }
    g_ptr_array_unref(gc.allocs);
}

static void test_corpus(void)
{
    static const unsigned gib[] = RDM_CORPUS_RAM_GIB;
    g_autoptr(GPtrArray) names = rdm_corpus_names(corpus_dir);
    Counts c = { 0 };
    guint i, j, s;

    if (!names) {
        return;
    }
    for (i = 0; i < names->len; i++) {
        g_autoptr(Error) err = NULL;
        g_autoptr(XenRdmMap) map = rdm_corpus_load(corpus_dir,
                                                   names->pdata[i], &err);
        g_autoptr(GArray) sbdfs = NULL;
        g_autoptr(GArray) devs = g_array_new(false, false,
                                             sizeof(XenRdmDeviceConfig));

        if (!map) {
            g_error("%s: %s", (char *)names->pdata[i],
                    error_get_pretty(err));
        }
        c.tables++;
        sbdfs = rdm_corpus_devices(map);
        for (j = 0; j < sbdfs->len; j++) {
            XenRdmDeviceConfig dev = {
                g_array_index(sbdfs, uint32_t, j), XEN_RDM_POLICY_STRICT,
            };

            g_array_append_val(devs, dev);
        }

        for (s = 0; s < G_N_ELEMENTS(gib); s++) {
            XenRdmConfig cfg;

            xen_rdm_config_init(&cfg);
            cfg.ram_size = (uint64_t)gib[s] << 30;
            cfg.layout = XEN_RDM_LAYOUT_SPLIT;

            /* the host-wide regions, relaxed (xl's default) */
            cfg.strategy = XEN_RDM_STRATEGY_HOST;
            compare(names->pdata[i], map, &cfg, &c);

            /* each device alone, strict (its default) */
            cfg.strategy = XEN_RDM_STRATEGY_IGNORE;
            cfg.nr_devices = 1;
            for (j = 0; j < devs->len; j++) {
                cfg.devices = &g_array_index(devs, XenRdmDeviceConfig, j);
                compare(names->pdata[i], map, &cfg, &c);
            }

            /* the host and every device: regions answered twice */
            if (devs->len) {
                cfg.strategy = XEN_RDM_STRATEGY_HOST;
                cfg.devices = (XenRdmDeviceConfig *)devs->data;
                cfg.nr_devices = devs->len;
                compare(names->pdata[i], map, &cfg, &c);
                cfg.policy = XEN_RDM_POLICY_STRICT;
                for (j = 0; j < devs->len; j++) {
                    g_array_index(devs, XenRdmDeviceConfig, j).policy =
                        j % 2 ? XEN_RDM_POLICY_STRICT : XEN_RDM_POLICY_RELAXED;
                }
                compare(names->pdata[i], map, &cfg, &c);
                for (j = 0; j < devs->len; j++) {
                    g_array_index(devs, XenRdmDeviceConfig, j).policy =
                        XEN_RDM_POLICY_STRICT;
                }
            }
        }
    }
    g_test_message("libxl's split layout equals the planner's: %u tables, "
                   "%u plans (%u refused, %u with more than two RAM ranges); "
                   "libxl logged %u error(s), %u warning(s)", c.tables,
                   c.plans, c.refused, c.holes, log_errors, log_warnings);
    g_assert_cmpuint(c.tables, ==, names->len);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (argc > 2) {
        g_printerr("usage: %s [CORPUS_DIR]\n", argv[0]);
        return 2;
    }
    corpus_dir = rdm_corpus_dir(argc, argv, XEN_RDM_DMAR_CORPUS_DEFAULT);
    g_test_add_func("/libxl/rdm-split/corpus", test_corpus);
    return g_test_run();
}
