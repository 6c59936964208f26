/*
 * Benchmark of the RDM layout planner: plans 10, 1,000 and 100,000
 * synthetic regions in both layouts and prints the time per region and
 * the ratio of a plan's time to a qsort() of as many 64-bit keys in the
 * same run (the speed target: 5 at 100,000 regions).
 * Asserts nothing about speed (machines are shared and noisy); it does
 * check every plan's invariants, so it cannot silently measure garbage.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/xen/xen-rdm-plan.h"
#include "rdm-names.h"

#define NR_DEVICES 8

static XenRdmMap *synthetic_map(GRand *rng, unsigned n)
{
    XenRdmMap *map = xen_rdm_map_new();
    unsigned i;

    for (i = 0; i < n; i++) {
        /* spread over 1 MiB..64 GiB, some overlapping, page sized+ */
        uint64_t start = 0x100000ULL +
                         ((uint64_t)g_rand_int_range(rng, 0, 1 << 24) << 12);
        uint64_t size = (uint64_t)g_rand_int_range(rng, 1, 16) << 12;
        XenRdmEntry *e = xen_rdm_map_add(map, start, size, true, NULL);

        g_assert_nonnull(e);
        xen_rdm_entry_add_device(e, XEN_RDM_SBDF(0, 0, i % NR_DEVICES, 0));
    }
    return map;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/*
 * Microseconds one qsort() of @n random 64-bit keys takes, averaged over
 * @reps sorts (the keys refilled before each, outside the timing)
 */
static double qsort_us(GRand *rng, unsigned n, unsigned reps)
{
    g_autofree uint64_t *keys = g_new(uint64_t, n);
    gint64 total = 0;

    for (unsigned r = 0; r < reps; r++) {
        gint64 t0;

        for (unsigned i = 0; i < n; i++) {
            keys[i] = (uint64_t)g_rand_int(rng) << 32 | g_rand_int(rng);
        }
        t0 = g_get_monotonic_time();
        qsort(keys, n, sizeof(*keys), u64_cmp);
        total += g_get_monotonic_time() - t0;
    }
    return (double)total / reps;
}

int main(int argc, char **argv)
{
    static const unsigned counts[] = { 10, 1000, 100000 };
    XenRdmDeviceConfig devs[NR_DEVICES];
    g_autoptr(GRand) rng = g_rand_new_with_seed(42);
    unsigned c, i;
    int layout;

    for (i = 0; i < NR_DEVICES; i++) {
        devs[i].sbdf = XEN_RDM_SBDF(0, 0, i, 0);
        devs[i].policy = XEN_RDM_POLICY_RELAXED;
    }
    printf("%-8s %8s %6s %12s %14s %10s\n", "layout", "regions", "reps",
           "ms/plan", "ns/region", "x qsort");
    for (c = 0; c < G_N_ELEMENTS(counts); c++) {
        g_autoptr(XenRdmMap) map = synthetic_map(rng, counts[c]);

        for (layout = XEN_RDM_LAYOUT_COMPAT; layout <= XEN_RDM_LAYOUT_SPLIT;
             layout++) {
            XenRdmConfig cfg;
            unsigned reps = counts[c] >= 100000 ? 3 : 100000 / counts[c];
            gint64 t0, t1;
            Error *err = NULL;
            unsigned r;

            xen_rdm_config_init(&cfg);
            cfg.ram_size = 16ULL << 30;
            cfg.layout = layout;
            cfg.strategy = XEN_RDM_STRATEGY_HOST;
            cfg.devices = devs;
            cfg.nr_devices = NR_DEVICES;

            t0 = g_get_monotonic_time();
            for (r = 0; r < reps; r++) {
                g_autoptr(XenRdmPlan) plan = NULL;

                if (!xen_rdm_plan_compute(&cfg, map, &plan, &err) ||
                    (r == 0 && !xen_rdm_plan_check(plan, cfg.ram_size,
                                                   &err))) {
                    fprintf(stderr, "bench: %s\n", error_get_pretty(err));
                    return 1;
                }
            }
            t1 = g_get_monotonic_time();
            /* the time of a plan over that of sorting as many keys */
            printf("%-8s %8u %6u %12.3f %14.1f %10.1f\n",
                   xen_rdm_layout_str(layout), counts[c], reps,
                   (t1 - t0) / 1000.0 / reps,
                   (t1 - t0) * 1000.0 / reps / counts[c],
                   (t1 - t0) / (double)reps /
                   MAX(qsort_us(rng, counts[c], reps), 0.001));
        }
    }
    return 0;
}
