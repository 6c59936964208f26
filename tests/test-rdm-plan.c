/*
 * Unit tests for the RDM layout planner (hw/xen/xen-rdm-plan.c)
 *
 * The compat cases follow libxl__domain_device_construct_rdm() and
 * libxl__build_hvm() in Xen 4.17 branch by branch; the expected numbers
 * are worked out by hand from that code.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/xen/xen-rdm-plan.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define G4  (4 * GiB)

#define IGD     XEN_RDM_SBDF(0, 0, 2, 0)
#define XHCI    XEN_RDM_SBDF(0, 0, 0x14, 0)
#define EHCI    XEN_RDM_SBDF(0, 0, 0x1d, 0)
#define NIC     XEN_RDM_SBDF(0, 3, 0, 0)
#define NODEV   0xffffffffU

/* A region for a test map: host-wide unless not_host */
typedef struct TestRdm {
    uint64_t start;
    uint64_t size;
    uint32_t dev1;
    uint32_t dev2;
    bool not_host;
} TestRdm;

#define RDM(s, z) { (s), (z), NODEV, NODEV, false }
#define RDM_DEV(s, z, d) { (s), (z), (d), NODEV, false }
#define RDM_DEV2(s, z, d, e) { (s), (z), (d), (e), false }
#define RDM_ONLY_DEV(s, z, d) { (s), (z), (d), NODEV, true }

static XenRdmMap *make_map(const TestRdm *rdms, size_t n)
{
    XenRdmMap *map = xen_rdm_map_new();
    size_t i;

    for (i = 0; i < n; i++) {
        Error *err = NULL;
        XenRdmEntry *e = xen_rdm_map_add(map, rdms[i].start, rdms[i].size,
                                         !rdms[i].not_host, &err);

        g_assert_null(err);
        g_assert_nonnull(e);
        if (rdms[i].dev1 != NODEV) {
            xen_rdm_entry_add_device(e, rdms[i].dev1);
        }
        if (rdms[i].dev2 != NODEV) {
            xen_rdm_entry_add_device(e, rdms[i].dev2);
        }
    }
    return map;
}

/* Plan, check invariants, return the plan */
static XenRdmPlan *plan_ok(const XenRdmConfig *cfg, const XenRdmMap *map)
{
    XenRdmPlan *plan = NULL;
    Error *err = NULL;

    if (!xen_rdm_plan_compute(cfg, map, &plan, &err)) {
        g_error("plan failed: %s", error_get_pretty(err));
    }
    if (!xen_rdm_plan_check(plan, cfg->ram_size, &err)) {
        g_error("plan invariants: %s", error_get_pretty(err));
    }
    return plan;
}

static const XenRdmRegion *region(const XenRdmPlan *plan, guint i)
{
    g_assert_cmpuint(i, <, plan->regions->len);
    return g_ptr_array_index(plan->regions, i);
}

static const XenRdmRange *ram(const XenRdmPlan *plan, guint i)
{
    g_assert_cmpuint(i, <, plan->ram->len);
    return &g_array_index(plan->ram, XenRdmRange, i);
}

static void assert_ram(const XenRdmPlan *plan, guint i, uint64_t start,
                       uint64_t size)
{
    g_assert_cmphex(ram(plan, i)->start, ==, start);
    g_assert_cmphex(ram(plan, i)->size, ==, size);
}

static void assert_region(const XenRdmPlan *plan, guint i, uint64_t start,
                          uint64_t size, XenRdmPolicy policy,
                          XenRdmStatus status)
{
    const XenRdmRegion *r = region(plan, i);

    g_assert_cmphex(r->start, ==, start);
    g_assert_cmphex(r->size, ==, size);
    g_assert_cmpint(r->policy, ==, policy);
    g_assert_cmpint(r->status, ==, status);
}

static void assert_devices(const XenRdmPlan *plan, guint i,
                           const char *joined)
{
    const XenRdmRegion *r = region(plan, i);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    g_autofree char *s = NULL;
    guint j;

    for (j = 0; j < r->devices->len; j++) {
        g_ptr_array_add(names, g_ptr_array_index(r->devices, j));
    }
    g_ptr_array_add(names, NULL);
    s = g_strjoinv(" ", (char **)names->pdata);
    g_assert_cmpstr(s, ==, joined);
}

static void config(XenRdmConfig *cfg, uint64_t ram_size, XenRdmLayout l)
{
    xen_rdm_config_init(cfg);
    cfg->ram_size = ram_size;
    cfg->layout = l;
}

/* ------------------------------------------------------------------ */
/* Parsers and the map                                                  */

static void test_sbdf_parse(void)
{
    static const struct {
        const char *in;
        uint32_t out;
        const char *canon;
    } good[] = {
        { "0000:00:02.0", IGD, "0000:00:02.0" },
        { "00:02.0", IGD, "0000:00:02.0" },
        { "0:2.0", IGD, "0000:00:02.0" },
        { "ffff:ff:1f.7", XEN_RDM_SBDF(0xffff, 0xff, 0x1f, 7),
          "ffff:ff:1f.7" },
        { "0001:3A:00.1", XEN_RDM_SBDF(1, 0x3a, 0, 1), "0001:3a:00.1" },
    };
    static const char *const bad[] = {
        "", "00:02", "00:20.0", "00:02.8", "10000:00:02.0", "0000:100:02.0",
        "0000:00:02.0x", "x0:02.0", "0000:00:02.0,rdm_policy=strict",
        "0000:00:02:0", ":00:02.0", "0000::02.0", "0000:00:02.",
        "1:2:3:4.0",
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(good); i++) {
        uint32_t v = 0;
        Error *err = NULL;
        g_autofree char *s = NULL;

        g_assert_true(xen_rdm_sbdf_parse(good[i].in, &v, &err));
        g_assert_cmphex(v, ==, good[i].out);
        s = xen_rdm_sbdf_to_string(v);
        g_assert_cmpstr(s, ==, good[i].canon);
    }
    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        uint32_t v = 0x1234;
        Error *err = NULL;

        g_assert_false(xen_rdm_sbdf_parse(bad[i], &v, &err));
        g_assert_cmphex(v, ==, 0x1234);
        g_assert_nonnull(strstr(error_get_pretty(err), "PCI device"));
        error_free(err);
    }
}

static void test_map_add_errors(void)
{
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Error *err = NULL;

    g_assert_null(xen_rdm_map_add(map, 0x1000, 0, true, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "zero size"));
    error_free(err);
    err = NULL;
    g_assert_null(xen_rdm_map_add(map, UINT64_MAX - 0xfff, 0x2000, true,
                                  &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "wraps"));
    error_free(err);
    err = NULL;
    g_assert_null(xen_rdm_map_add(map, 0x1800, 0x1000, true, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "page aligned"));
    error_free(err);
    err = NULL;
    g_assert_null(xen_rdm_map_add(map, 0x1000, 0x800, true, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "page aligned"));
    error_free(err);
    g_assert_cmpuint(map->entries->len, ==, 0);

    /* Ends are exclusive 64-bit values: the last page cannot be held */
    g_assert_null(xen_rdm_map_add(map, UINT64_MAX - 0xfff, 0x1000, true,
                                  NULL));
    g_assert_nonnull(xen_rdm_map_add(map, UINT64_MAX - 0x1fff, 0x1000, true,
                                     NULL));
    g_assert_cmpuint(map->entries->len, ==, 1);
}

static void test_map_take(void)
{
    g_autoptr(XenRdmMap) dst = xen_rdm_map_new();
    g_autoptr(XenRdmMap) src = xen_rdm_map_new();
    XenRdmEntry *e;

    g_assert_nonnull(xen_rdm_map_add(dst, 0x1000, 0x1000, true, NULL));
    e = xen_rdm_map_add(src, 0x2000, 0x1000, false, NULL);
    xen_rdm_entry_add_device(e, IGD);
    g_assert_nonnull(xen_rdm_map_add(src, 0x3000, 0x1000, true, NULL));
    xen_rdm_map_take(dst, src);
    g_assert_cmpuint(src->entries->len, ==, 0);
    g_assert_cmpuint(dst->entries->len, ==, 3);
    /* the very entry moved, in order, devices and all */
    g_assert_true(g_ptr_array_index(dst->entries, 1) == e);
    g_assert_true(xen_rdm_entry_has_device(e, IGD));
    g_assert_cmphex(((XenRdmEntry *)g_ptr_array_index(dst->entries,
                                                      2))->start, ==, 0x3000);
}

/* Entries of equal device lists share one, copied when one of them adds */
static void test_map_shared_lists(void)
{
    static const uint32_t usb[] = { XHCI, EHCI };
    static const uint32_t twice[] = { XHCI, EHCI, XHCI };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    g_autoptr(XenRdmMap) src = xen_rdm_map_new();
    XenRdmEntry *a, *b, *c, *d, *moved;
    XenRdmEntry *many[1000];
    guint i;

    a = xen_rdm_map_add_with_devices(map, 0x1000, 0x1000, true, usb, 2, NULL);
    b = xen_rdm_map_add_with_devices(map, 0x2000, 0x1000, true, usb, 2, NULL);
    c = xen_rdm_map_add_with_devices(map, 0x3000, 0x1000, true, twice, 3,
                                     NULL);
    d = xen_rdm_map_add(map, 0x4000, 0x1000, true, NULL);
    g_assert_true(a->devices == b->devices);
    g_assert_cmpuint(c->devices->len, ==, 2);
    g_assert_cmphex(g_array_index(c->devices, uint32_t, 0), ==, XHCI);
    g_assert_cmphex(g_array_index(c->devices, uint32_t, 1), ==, EHCI);
    g_assert_cmpuint(d->devices->len, ==, 0);
    g_assert_true(a->unresolved == d->unresolved);
    g_assert_cmpuint(a->unresolved->len, ==, 0);

    /* a failed add adds nothing */
    g_assert_null(xen_rdm_map_add_with_devices(map, 0x5000, 0, true, usb, 2,
                                               NULL));
    g_assert_cmpuint(map->entries->len, ==, 4);

    /* copy on write: b's list and d's unresolved ones stay as they were */
    xen_rdm_entry_add_device(a, IGD);
    xen_rdm_entry_add_device(a, XHCI);
    g_assert_cmpuint(a->devices->len, ==, 3);
    g_assert_cmpuint(b->devices->len, ==, 2);
    g_assert_true(xen_rdm_entry_has_device(a, IGD));
    g_assert_false(xen_rdm_entry_has_device(b, IGD));
    xen_rdm_entry_add_unresolved(a, "unresolved:0000:00:1c.0/00.0");
    xen_rdm_entry_add_unresolved(a, "unresolved:0000:00:1c.1/00.0");
    g_assert_cmpuint(a->unresolved->len, ==, 2);
    g_assert_cmpuint(d->unresolved->len, ==, 0);

    /* entries stay where they are while the map grows, and when taken */
    for (i = 0; i < G_N_ELEMENTS(many); i++) {
        many[i] = xen_rdm_map_add_with_devices(src, (i + 1) * 0x1000, 0x1000,
                                               i % 2, usb, i % 3, NULL);
    }
    moved = many[7];
    xen_rdm_map_take(map, src);
    g_clear_pointer(&src, xen_rdm_map_free);
    g_assert_cmpuint(map->entries->len, ==, 4 + G_N_ELEMENTS(many));
    for (i = 0; i < G_N_ELEMENTS(many); i++) {
        g_assert_true(g_ptr_array_index(map->entries, 4 + i) == many[i]);
        g_assert_cmphex(many[i]->start, ==, (i + 1) * 0x1000);
        g_assert_cmpuint(many[i]->host_wide, ==, i % 2);
        g_assert_cmpuint(many[i]->devices->len, ==, i % 3);
    }
    xen_rdm_entry_add_device(moved, NIC);
    g_assert_cmpuint(moved->devices->len, ==, 2);
    g_assert_cmpuint(many[1]->devices->len, ==, 1);
    /* a map taken into one that was empty, and the emptied one reused */
    src = xen_rdm_map_new();
    g_assert_nonnull(xen_rdm_map_add(src, 0x9000, 0x1000, true, NULL));
    {
        g_autoptr(XenRdmMap) empty = xen_rdm_map_new();

        xen_rdm_map_take(empty, src);
        g_assert_cmpuint(empty->entries->len, ==, 1);
        g_assert_cmpuint(src->entries->len, ==, 0);
        g_assert_nonnull(xen_rdm_map_add(src, 0xa000, 0x1000, true, NULL));
        xen_rdm_map_take(empty, src);
        g_assert_cmpuint(empty->entries->len, ==, 2);
    }
}

static void test_config_errors(void)
{
    static const struct {
        uint64_t ram, hole, boundary;
        const char *msg;
    } cases[] = {
        { 0, 256 * MiB, 2 * GiB, "must not be zero" },
        { GiB + 512, 256 * MiB, 2 * GiB, "not a multiple of 4 KiB" },
        { XEN_RDM_MAX_PADDR, 256 * MiB, 2 * GiB, "2^52" },
        { GiB, 128 * MiB, 2 * GiB, "MMIO hole size" },
        { GiB, 3841 * MiB, 2 * GiB, "MMIO hole size" },
        { GiB, 0, 2 * GiB, "MMIO hole size" },
        { GiB, 256 * MiB + 1, 2 * GiB, "MMIO hole size" },
        { GiB, 256 * MiB, G4 + 1, "rdm_mem_boundary" },
    };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        XenRdmConfig cfg;
        XenRdmPlan *plan = NULL;
        Error *err = NULL;

        config(&cfg, cases[i].ram, XEN_RDM_LAYOUT_COMPAT);
        cfg.mmio_hole = cases[i].hole;
        cfg.boundary = cases[i].boundary;
        g_assert_false(xen_rdm_plan_compute(&cfg, map, &plan, &err));
        g_assert_null(plan);
        if (!strstr(error_get_pretty(err), cases[i].msg)) {
            g_error("case %zu: '%s' lacks '%s'", i, error_get_pretty(err),
                    cases[i].msg);
        }
        error_free(err);
    }
}

static void test_duplicate_device(void)
{
    XenRdmDeviceConfig devs[] = {
        { IGD, XEN_RDM_POLICY_STRICT },
        { XHCI, XEN_RDM_POLICY_STRICT },
        { IGD, XEN_RDM_POLICY_RELAXED },
    };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    XenRdmConfig cfg;
    XenRdmPlan *plan = NULL;
    Error *err = NULL;

    config(&cfg, GiB, XEN_RDM_LAYOUT_SPLIT);
    cfg.devices = devs;
    cfg.nr_devices = ARRAY_SIZE(devs);
    g_assert_false(xen_rdm_plan_compute(&cfg, map, &plan, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "device 0000:00:02.0 is listed twice");
    error_free(err);
}

/* ------------------------------------------------------------------ */
/* Plans: a host's regions and a guest's settings, and what comes out  */

#define MAX_RDMS    5
#define MAX_DEVS    2
#define MAX_RANGES  4
#define MAX_E820    6

#define DEV(d, p)   { (d), XEN_RDM_POLICY_ ## p }
#define REG(s, z, p, st, devs) \
    { (s), (z), XEN_RDM_POLICY_ ## p, XEN_RDM_STATUS_ ## st, (devs), NULL }
#define REG_WHY(s, z, p, st, devs, why) \
    { (s), (z), XEN_RDM_POLICY_ ## p, XEN_RDM_STATUS_ ## st, (devs), (why) }
#define E820(s, z, t) { (s), (z), XEN_RDM_E820_ ## t }

typedef struct ExpectRegion {
    uint64_t start;
    uint64_t size;
    XenRdmPolicy policy;
    XenRdmStatus status;
    const char *devices;        /* its devices joined by spaces */
    const char *conflict;       /* found in what it collides with */
} ExpectRegion;

typedef struct PlanCase {
    const char *path;
    /* the host: regions up to the first of size 0 */
    TestRdm rdms[MAX_RDMS];
    /* the guest: what it changes of xen_rdm_config_init()'s defaults */
    uint64_t ram_size;
    XenRdmLayout layout;
    bool host;                  /* strategy=host */
    bool strict;                /* policy=strict */
    bool no_hap;
    uint64_t mmio_hole;         /* 0: the default */
    bool set_boundary;
    uint64_t boundary;
    XenRdmDeviceConfig devs[MAX_DEVS];  /* up to the first SBDF 0 */
    /* the plan */
    bool refused;
    const char *reason;         /* all of it; NULL: none unless refused */
    const char *reason_has[2];  /* found in it */
    uint64_t mmio_start;        /* 0: not looked at */
    uint64_t lowmem_end;
    uint64_t highmem_end;
    XenRdmRange ram[MAX_RANGES];        /* all of it */
    ExpectRegion regions[MAX_RDMS];     /* all of them */
    XenRdmE820Entry e820[MAX_E820];     /* all of it, or nothing */
    guint nr_e820;              /* 0: not looked at */
} PlanCase;

static const PlanCase plan_cases[] = {
    /*
     * compat: libxl__build_hvm() without any RDM (strategy ignore, no
     * device: the host's region is not looked at)
     */
    {
        .path = "compat/no-rdm/1G",
        .rdms = { RDM(0xa0000000, 0x10000) },
        .ram_size = GiB,
        .mmio_start = 0xf0000000, .lowmem_end = GiB, .highmem_end = 0,
        .ram = { { 0, GiB } },
    }, {
        .path = "compat/no-rdm/3840M",
        .rdms = { RDM(0xa0000000, 0x10000) },
        .ram_size = 3840 * MiB,
        .mmio_start = 0xf0000000, .lowmem_end = 3840 * MiB,
        .highmem_end = 0,
        .ram = { { 0, 3840 * MiB } },
    }, {
        .path = "compat/no-rdm/4G",
        .rdms = { RDM(0xa0000000, 0x10000) },
        .ram_size = 4 * GiB,
        .mmio_start = 0xf0000000, .lowmem_end = 3840 * MiB,
        .highmem_end = G4 + 256 * MiB,
        .ram = { { 0, 3840 * MiB }, { G4, 256 * MiB } },
    }, {
        .path = "compat/no-rdm/8G",
        .rdms = { RDM(0xa0000000, 0x10000) },
        .ram_size = 8 * GiB,
        .mmio_start = 0xf0000000, .lowmem_end = 3840 * MiB,
        .highmem_end = G4 + 4352 * MiB,
        .ram = { { 0, 3840 * MiB }, { G4, 4352 * MiB } },
    }, {
        .path = "compat/no-rdm/mmio-hole-2G",
        .rdms = { RDM(0xa0000000, 0x10000) },
        .ram_size = 4 * GiB, .mmio_hole = 2 * GiB,
        .mmio_start = 2 * GiB, .lowmem_end = 2 * GiB,
        .highmem_end = 6 * GiB,
        .ram = { { 0, 2 * GiB }, { G4, 2 * GiB } },
    }, {
        .path = "compat/no-rdm/mmio-hole-3840M",
        .rdms = { RDM(0xa0000000, 0x10000) },
        .ram_size = GiB, .mmio_hole = 3840 * MiB,
        .mmio_start = 256 * MiB, .lowmem_end = 256 * MiB,
        .highmem_end = G4 + 768 * MiB,
        .ram = { { 0, 256 * MiB }, { G4, 768 * MiB } },
    },
    /*
     * strategy host: a region above the boundary moves lowmem_end,
     * rounded down to 2 MiB under HAP; high RAM grows by what low RAM
     * lost; the e820 has low RAM, the region, high RAM
     */
    {
        .path = "compat/move-lowmem-hap",
        .rdms = { RDM_DEV2(0xa3eea000, 0xf000, XHCI, EHCI) },
        .ram_size = 4 * GiB, .host = true,
        .lowmem_end = 0xa3e00000,
        .highmem_end = G4 + 256 * MiB + (0xf0000000 - 0xa3e00000),
        .ram = { { 0, 0xa3e00000 },
                 { G4, 256 * MiB + 0xf0000000 - 0xa3e00000 } },
        .regions = { REG(0xa3eea000, 0xf000, RELAXED, RESERVED,
                         "0000:00:14.0 0000:00:1d.0") },
        .e820 = { E820(0, 0xa3e00000, RAM),
                  E820(0xa3eea000, 0xf000, RESERVED),
                  E820(G4, 256 * MiB + 0xf0000000 - 0xa3e00000, RAM) },
    }, {
        .path = "compat/move-lowmem-no-hap",
        .rdms = { RDM(0xa3eea000, 0xf000) },
        .ram_size = 4 * GiB, .host = true, .no_hap = true,
        .lowmem_end = 0xa3eea000,
        .highmem_end = G4 + 256 * MiB + (0xf0000000 - 0xa3eea000),
        .ram = { { 0, 0xa3eea000 },
                 { G4, 256 * MiB + 0xf0000000 - 0xa3eea000 } },
        .regions = { REG(0xa3eea000, 0xf000, RELAXED, RESERVED, "") },
    }, {
        /* no high memory yet: libxl starts highmem_end at 4 GiB */
        .path = "compat/highmem-from-zero",
        .rdms = { RDM(0x90000000, 0x1000) },
        .ram_size = 3 * GiB, .host = true,
        .lowmem_end = 0x90000000,
        .highmem_end = G4 + 3 * GiB - 0x90000000,
        .ram = { { 0, 0x90000000 }, { G4, 3 * GiB - 0x90000000 } },
        .regions = { REG(0x90000000, 0x1000, RELAXED, RESERVED, "") },
    }, {
        /* regions above the RAM, in the firmware area, far above 4 GiB */
        .path = "compat/no-overlap",
        .rdms = { RDM(0xc0000000, 0x100000), RDM(0xfd000000, 0x1000),
                  RDM(0x200000000ULL, 0x1000) },
        .ram_size = GiB, .host = true, .strict = true,
        .lowmem_end = GiB, .highmem_end = 0,
        .ram = { { 0, GiB } },
        .regions = { REG(0xc0000000, 0x100000, STRICT, RESERVED, ""),
                     REG(0xfd000000, 0x1000, STRICT, RESERVED, ""),
                     REG(0x200000000ULL, 0x1000, STRICT, RESERVED, "") },
    },
    /* the boundary test is '>' on the unrounded start */
    {
        /* at the boundary: not above it, ignored (relaxed) */
        .path = "compat/boundary/at",
        .rdms = { RDM(2 * GiB, 0x1000) },
        .ram_size = 4 * GiB, .host = true,
        .lowmem_end = 0xf0000000, .highmem_end = G4 + 256 * MiB,
        .ram = { { 0, 0xf0000000 }, { G4, 256 * MiB } },
        .regions = { REG_WHY(2 * GiB, 0x1000, RELAXED, IGNORED, "",
                             "rdm_mem_boundary") },
    }, {
        /* a page above: moved, and rounding takes lowmem_end to 2 GiB */
        .path = "compat/boundary/page-above",
        .rdms = { RDM(2 * GiB + 0x1000, 0x1000) },
        .ram_size = 4 * GiB, .host = true,
        .lowmem_end = 2 * GiB, .highmem_end = G4 + 2 * GiB,
        .ram = { { 0, 2 * GiB }, { G4, 2 * GiB } },
        .regions = { REG(2 * GiB + 0x1000, 0x1000, RELAXED, RESERVED, "") },
    }, {
        /* boundary 0, a region at 1 MiB + 4 KiB: no rounding at <= 2 MiB */
        .path = "compat/boundary/zero",
        .rdms = { RDM(0x101000, 0x1000) },
        .ram_size = GiB, .host = true, .set_boundary = true, .boundary = 0,
        .lowmem_end = 0x101000, .highmem_end = G4 + GiB - 0x101000,
        .ram = { { 0, 0x101000 }, { G4, GiB - 0x101000 } },
        .regions = { REG(0x101000, 0x1000, RELAXED, RESERVED, "") },
    }, {
        /* exactly 2 MiB: not '> 2M', so not rounded */
        .path = "compat/boundary/2M",
        .rdms = { RDM(0x200000, 0x1000) },
        .ram_size = GiB, .host = true, .set_boundary = true, .boundary = 0,
        .lowmem_end = 0x200000, .highmem_end = G4 + GiB - 0x200000,
        .ram = { { 0, 0x200000 }, { G4, GiB - 0x200000 } },
        .regions = { REG(0x200000, 0x1000, RELAXED, RESERVED, "") },
    },
    /*
     * Below the boundary: strict refuses, relaxed ignores; libxl leaves
     * the RAM where it was; a conflicting region is not in the e820
     */
    {
        .path = "compat/below-boundary/strict",
        .rdms = { RDM_DEV(0x7b800000, 64 * MiB, IGD) },
        .ram_size = 4 * GiB, .devs = { DEV(IGD, STRICT) },
        .refused = true,
        .reason = "RDM conflict: region 0x7b800000-0x7f7fffff "
                  "(devices: 0000:00:02.0) with policy strict collides "
                  "with guest RAM below lowmem_end (at or below "
                  "rdm_mem_boundary libxl does not move lowmem_end)",
        .lowmem_end = 0xf0000000, .highmem_end = G4 + 256 * MiB,
        .ram = { { 0, 0xf0000000 }, { G4, 256 * MiB } },
        .regions = { REG(0x7b800000, 64 * MiB, STRICT, CONFLICT,
                         "0000:00:02.0") },
        .nr_e820 = 2,
    }, {
        .path = "compat/below-boundary/relaxed",
        .rdms = { RDM_DEV(0x7b800000, 64 * MiB, IGD) },
        .ram_size = 4 * GiB, .devs = { DEV(IGD, RELAXED) },
        .lowmem_end = 0xf0000000, .highmem_end = G4 + 256 * MiB,
        .ram = { { 0, 0xf0000000 }, { G4, 256 * MiB } },
        .regions = { REG(0x7b800000, 64 * MiB, RELAXED, IGNORED,
                         "0000:00:02.0") },
        .nr_e820 = 2,
    }, {
        /*
         * The first pass runs in list order: a later, lower region moves
         * lowmem_end on; the regions come out sorted
         */
        .path = "compat/order",
        .rdms = { RDM(0xc0000000, 0x1000), RDM(0xa0000000, 0x1000),
                  RDM(0xd0000000, 0x1000) },
        .ram_size = 4 * GiB, .host = true, .strict = true,
        .lowmem_end = 0xa0000000,
        .highmem_end = G4 + 256 * MiB + 0x50000000,
        .ram = { { 0, 0xa0000000 }, { G4, 256 * MiB + 0x50000000 } },
        .regions = { REG(0xa0000000, 0x1000, STRICT, RESERVED, ""),
                     REG(0xc0000000, 0x1000, STRICT, RESERVED, ""),
                     REG(0xd0000000, 0x1000, STRICT, RESERVED, "") },
    }, {
        /* high memory conflicts are never resolved */
        .path = "compat/highmem-conflict",
        .rdms = { RDM_DEV(0x120000000ULL, 0x1000, NIC) },
        .ram_size = 8 * GiB, .devs = { DEV(NIC, STRICT) },
        .refused = true, .reason_has = { "above 4 GiB", "0000:03:00.0" },
        .lowmem_end = 0xf0000000, .highmem_end = G4 + 4352 * MiB,
        .ram = { { 0, 0xf0000000 }, { G4, 4352 * MiB } },
        .regions = { REG(0x120000000ULL, 0x1000, STRICT, CONFLICT,
                         "0000:03:00.0") },
    },
    /*
     * Dedup by exact start: the device's policy overrides, the first
     * size stays; the e820 coalesces the overlapping reserved entries
     */
    {
        .path = "compat/dedup",
        .rdms = { RDM_DEV(0xa0000000, 0x2000, XHCI),        /* host-wide */
                  RDM_ONLY_DEV(0xa0000000, 0x8000, XHCI),   /* the device's */
                  RDM_ONLY_DEV(0xa0001000, 0x1000, XHCI) }, /* overlaps */
        .ram_size = GiB, .host = true, .devs = { DEV(XHCI, STRICT) },
        .lowmem_end = GiB, .highmem_end = 0,
        .ram = { { 0, GiB } },
        .regions = { REG(0xa0000000, 0x2000, STRICT, RESERVED,
                         "0000:00:14.0"),
                     REG(0xa0001000, 0x1000, STRICT, RESERVED,
                         "0000:00:14.0") },
        .e820 = { E820(0, GiB, RAM), E820(0xa0000000, 0x2000, RESERVED) },
    }, {
        /* a relaxed device overrides a strict global policy */
        .path = "compat/dedup/relaxed-device",
        .rdms = { RDM_DEV(0xa0000000, 0x2000, XHCI),
                  RDM_ONLY_DEV(0xa0000000, 0x8000, XHCI),
                  RDM_ONLY_DEV(0xa0001000, 0x1000, XHCI) },
        .ram_size = GiB, .host = true, .strict = true,
        .devs = { DEV(XHCI, RELAXED) },
        .lowmem_end = GiB, .highmem_end = 0,
        .ram = { { 0, GiB } },
        .regions = { REG(0xa0000000, 0x2000, RELAXED, RESERVED,
                         "0000:00:14.0"),
                     REG(0xa0001000, 0x1000, RELAXED, RESERVED,
                         "0000:00:14.0") },
    }, {
        /* two devices sharing a region: the last device's policy wins */
        .path = "compat/shared-region",
        .rdms = { RDM_DEV2(0x7c000000, 0x1000, XHCI, EHCI) },
        .ram_size = 4 * GiB,
        .devs = { DEV(XHCI, STRICT), DEV(EHCI, RELAXED) },
        .lowmem_end = 0xf0000000, .highmem_end = G4 + 256 * MiB,
        .ram = { { 0, 0xf0000000 }, { G4, 256 * MiB } },
        .regions = { REG(0x7c000000, 0x1000, RELAXED, IGNORED,
                         "0000:00:14.0 0000:00:1d.0") },
    },
    /* strategy host with an empty host list: libxl returns before devices */
    {
        .path = "compat/empty-host-quirk",
        .rdms = { RDM_ONLY_DEV(0x7c000000, 0x1000, NIC) },
        .ram_size = 4 * GiB, .host = true, .devs = { DEV(NIC, STRICT) },
        .lowmem_end = 0xf0000000, .highmem_end = G4 + 256 * MiB,
        .ram = { { 0, 0xf0000000 }, { G4, 256 * MiB } },
    }, {
        /* under strategy ignore the device is asked, and it conflicts */
        .path = "compat/empty-host-quirk/ignore",
        .rdms = { RDM_ONLY_DEV(0x7c000000, 0x1000, NIC) },
        .ram_size = 4 * GiB, .devs = { DEV(NIC, STRICT) },
        .refused = true, .reason_has = { "0x7c000000-0x7c000fff" },
        .lowmem_end = 0xf0000000, .highmem_end = G4 + 256 * MiB,
        .ram = { { 0, 0xf0000000 }, { G4, 256 * MiB } },
        .regions = { REG(0x7c000000, 0x1000, STRICT, CONFLICT,
                         "0000:03:00.0") },
    }, {
        /*
         * split asks the device whatever the host list says: a hole,
         * widened to 2 MiB under HAP, its RAM above 4 GiB
         */
        .path = "split/empty-host-list",
        .rdms = { RDM_ONLY_DEV(0x7c000000, 0x1000, NIC) },
        .ram_size = 4 * GiB, .layout = XEN_RDM_LAYOUT_SPLIT, .host = true,
        .devs = { DEV(NIC, STRICT) },
        .lowmem_end = 0xf0000000, .highmem_end = G4 + 258 * MiB,
        .ram = { { 0, 0x7c000000 }, { 0x7c200000, 0xf0000000 - 0x7c200000 },
                 { G4, 258 * MiB } },
        .regions = { REG(0x7c000000, 0x1000, STRICT, RESERVED,
                         "0000:03:00.0") },
    }, {
        /* a region inside the first MiB is below any sane boundary */
        .path = "compat/first-mib",
        .rdms = { RDM_DEV(0x7c000, 0x1000, XHCI) },
        .ram_size = 2 * GiB, .host = true, .strict = true,
        .refused = true, .reason_has = { "0x7c000-0x7cfff" },
        .lowmem_end = 2 * GiB, .highmem_end = 0,
        .ram = { { 0, 2 * GiB } },
        .regions = { REG(0x7c000, 0x1000, STRICT, CONFLICT,
                         "0000:00:14.0") },
    }, {
        /* the device's query only answers regions tied to it */
        .path = "compat/device-only-own",
        .rdms = { RDM_DEV(0x7b800000, 64 * MiB, IGD),
                  RDM_DEV(0xa3eea000, 0xf000, XHCI) },
        .ram_size = 4 * GiB, .devs = { DEV(XHCI, STRICT) },
        .lowmem_end = 0xa3e00000,
        .highmem_end = G4 + 256 * MiB + 0xf0000000 - 0xa3e00000,
        .ram = { { 0, 0xa3e00000 },
                 { G4, 256 * MiB + 0xf0000000 - 0xa3e00000 } },
        .regions = { REG(0xa3eea000, 0xf000, STRICT, RESERVED,
                         "0000:00:14.0") },
    },
    /*
     * split: the IGD region below 2 GiB gets a hole; low memory is full:
     * the USB hole is widened to 2 MiB (HAP) all the same, the 2 MiB it
     * takes go above 4 GiB with the rest; nothing is lost
     */
    {
        .path = "split/hole-below-boundary",
        .rdms = { RDM_DEV(0x7b800000, 64 * MiB, IGD),
                  RDM_DEV2(0xa3eea000, 0xf000, XHCI, EHCI) },
        .ram_size = 4 * GiB, .layout = XEN_RDM_LAYOUT_SPLIT, .host = true,
        .lowmem_end = 0xf0000000, .highmem_end = G4 + 322 * MiB,
        .ram = { { 0, 0x7b800000 }, { 0x7f800000, 0xa3e00000 - 0x7f800000 },
                 { 0xa4000000, 0xf0000000 - 0xa4000000 },
                 { G4, 256 * MiB + 64 * MiB + 2 * MiB } },
        .regions = { REG(0x7b800000, 64 * MiB, RELAXED, RESERVED,
                         "0000:00:02.0"),
                     REG(0xa3eea000, 0xf000, RELAXED, RESERVED,
                         "0000:00:14.0 0000:00:1d.0") },
        .nr_e820 = 6,
    },
    /*
     * Under HAP holes widen to 2 MiB, whatever the guest's size; the
     * regions themselves are reported exactly
     */
    {
        .path = "split/hap-alignment",
        .rdms = { RDM(0x10101000, 0x1000), RDM(0x10103000, 0x1000),
                  RDM(0x20000000, 0x1000) },
        .ram_size = GiB, .layout = XEN_RDM_LAYOUT_SPLIT, .host = true,
        .lowmem_end = GiB + 4 * MiB, .highmem_end = 0,
        .ram = { { 0, 0x10000000 }, { 0x10200000, 0x20000000 - 0x10200000 },
                 { 0x20200000, GiB - 0x20000000 + 0x200000 } },
        .regions = { REG(0x10101000, 0x1000, RELAXED, RESERVED, ""),
                     REG(0x10103000, 0x1000, RELAXED, RESERVED, ""),
                     REG(0x20000000, 0x1000, RELAXED, RESERVED, "") },
    }, {
        /* without HAP, exact holes */
        .path = "split/hap-alignment/no-hap",
        .rdms = { RDM(0x10101000, 0x1000), RDM(0x10103000, 0x1000),
                  RDM(0x20000000, 0x1000) },
        .ram_size = GiB, .layout = XEN_RDM_LAYOUT_SPLIT, .host = true,
        .no_hap = true,
        .lowmem_end = 0x40003000, .highmem_end = 0,
        .ram = { { 0, 0x10101000 }, { 0x10102000, 0x1000 },
                 { 0x10104000, 0x20000000 - 0x10104000 },
                 { 0x20001000, 0x20002000 } },
        .regions = { REG(0x10101000, 0x1000, RELAXED, RESERVED, ""),
                     REG(0x10103000, 0x1000, RELAXED, RESERVED, ""),
                     REG(0x20000000, 0x1000, RELAXED, RESERVED, "") },
    }, {
        /*
         * low memory full: the holes are widened all the same (4 MiB in
         * all: the first two regions share a 2 MiB frame), and the RAM
         * they displace goes above 4 GiB, none lost
         */
        .path = "split/hap-alignment/low-memory-full",
        .rdms = { RDM(0x10101000, 0x1000), RDM(0x10103000, 0x1000),
                  RDM(0x20000000, 0x1000) },
        .ram_size = 3840 * MiB - 0x3000, .layout = XEN_RDM_LAYOUT_SPLIT,
        .host = true,
        .lowmem_end = 0xf0000000, .highmem_end = G4 + 4 * MiB - 0x3000,
        .ram = { { 0, 0x10000000 }, { 0x10200000, 0x20000000 - 0x10200000 },
                 { 0x20200000, 0xf0000000 - 0x20200000 },
                 { G4, 4 * MiB - 0x3000 } },
        .regions = { REG(0x10101000, 0x1000, RELAXED, RESERVED, ""),
                     REG(0x10103000, 0x1000, RELAXED, RESERVED, ""),
                     REG(0x20000000, 0x1000, RELAXED, RESERVED, "") },
    }, {
        /* the same guest without HAP: exact holes, all RAM below 4 GiB */
        .path = "split/hap-alignment/low-memory-full-no-hap",
        .rdms = { RDM(0x10101000, 0x1000), RDM(0x10103000, 0x1000),
                  RDM(0x20000000, 0x1000) },
        .ram_size = 3840 * MiB - 0x3000, .layout = XEN_RDM_LAYOUT_SPLIT,
        .host = true, .no_hap = true,
        .lowmem_end = 0xf0000000, .highmem_end = 0,
        .ram = { { 0, 0x10101000 }, { 0x10102000, 0x1000 },
                 { 0x10104000, 0x20000000 - 0x10104000 },
                 { 0x20001000, 0xf0000000 - 0x20001000 } },
        .regions = { REG(0x10101000, 0x1000, RELAXED, RESERVED, ""),
                     REG(0x10103000, 0x1000, RELAXED, RESERVED, ""),
                     REG(0x20000000, 0x1000, RELAXED, RESERVED, "") },
    }, {
        /*
         * A region that is fine on its own is honoured although a
         * neighbour touches a platform area (they were merged, then
         * refused whole)
         */
        .path = "split/platform-neighbours",
        .rdms = { RDM(0xf0000, 0x10000),                   /* first MiB */
                  RDM_ONLY_DEV(0x100000, 0x1000, XHCI),    /* above it */
                  RDM_ONLY_DEV(0xfbfff000, 0x1000, EHCI),  /* below 0xfc.. */
                  RDM(0xfc000000, 0x100000) },             /* firmware */
        .ram_size = 2 * GiB, .layout = XEN_RDM_LAYOUT_SPLIT, .host = true,
        .devs = { DEV(XHCI, STRICT), DEV(EHCI, STRICT) },
        .lowmem_end = 0x80100000, .highmem_end = 0,
        .ram = { { 0, 0x100000 }, { 0x200000, 2 * GiB - 0x100000 } },
        .regions = { REG_WHY(0xf0000, 0x10000, RELAXED, IGNORED, "",
                             "the first MiB"),
                     REG(0x100000, 0x1000, STRICT, RESERVED,
                         "0000:00:14.0"),
                     REG(0xfbfff000, 0x1000, STRICT, RESERVED,
                         "0000:00:1d.0"),
                     REG_WHY(0xfc000000, 0x100000, RELAXED, IGNORED, "",
                             "firmware area") },
    }, {
        /*
         * Overlapping and adjacent regions merge, strict wins, devices
         * unite; a page apart stays apart, but in the same 2 MiB hole
         */
        .path = "split/merge",
        .rdms = { RDM_DEV(0x40000000, 0x2000, XHCI),
                  RDM_DEV(0x40001000, 0x2000, EHCI),        /* overlaps */
                  RDM_DEV(0x40003000, 0x1000, IGD),         /* adjacent */
                  RDM_DEV(0x40005000, 0x1000, NIC),         /* a page apart */
                  RDM_ONLY_DEV(0x40000000, 0x2000, XHCI) }, /* the device's */
        .ram_size = 2 * GiB, .layout = XEN_RDM_LAYOUT_SPLIT, .host = true,
        .devs = { DEV(EHCI, STRICT) },
        .lowmem_end = 2 * GiB + 2 * MiB, .highmem_end = 0,
        .ram = { { 0, 0x40000000 }, { 0x40200000, 2 * GiB - 0x40000000 } },
        .regions = { REG(0x40000000, 0x4000, STRICT, RESERVED,
                         "0000:00:02.0 0000:00:14.0 0000:00:1d.0"),
                     REG(0x40005000, 0x1000, RELAXED, RESERVED,
                         "0000:03:00.0") },
    }, {
        /*
         * Regions above 4 GiB get holes in high memory, RAM continues
         * past them; under HAP the first is widened to [4G, 4G + 2M)
         */
        .path = "split/high-holes",
        .rdms = { RDM(0x100100000ULL, 0x1000),
                  RDM(0x180000000ULL, 0x10000000) },
        .ram_size = 8 * GiB, .layout = XEN_RDM_LAYOUT_SPLIT, .host = true,
        .lowmem_end = 0xf0000000,
        .highmem_end = 0x190000000ULL + 8 * GiB - 0xf0000000 -
                       (0x180000000ULL - 0x100200000ULL),
        .ram = { { 0, 0xf0000000 },
                 { 0x100200000ULL, 0x180000000ULL - 0x100200000ULL },
                 { 0x190000000ULL, 8 * GiB - 0xf0000000 -
                                   (0x180000000ULL - 0x100200000ULL) } },
        .regions = { REG(0x100100000ULL, 0x1000, RELAXED, RESERVED, ""),
                     REG(0x180000000ULL, 0x10000000, RELAXED, RESERVED,
                         "") },
    }, {
        /* without HAP the holes are exact */
        .path = "split/high-holes/no-hap",
        .rdms = { RDM(0x100100000ULL, 0x1000),
                  RDM(0x180000000ULL, 0x10000000) },
        .ram_size = 8 * GiB, .layout = XEN_RDM_LAYOUT_SPLIT, .host = true,
        .no_hap = true,
        .lowmem_end = 0xf0000000,
        .highmem_end = 0x190000000ULL + 8 * GiB - 0xf0000000 - 0x100000 -
                       (0x180000000ULL - 0x100101000ULL),
        .ram = { { 0, 0xf0000000 }, { G4, 0x100000 },
                 { 0x100101000ULL, 0x180000000ULL - 0x100101000ULL },
                 { 0x190000000ULL, 8 * GiB - 0xf0000000 - 0x100000 -
                                   (0x180000000ULL - 0x100101000ULL) } },
        .regions = { REG(0x100100000ULL, 0x1000, RELAXED, RESERVED, ""),
                     REG(0x180000000ULL, 0x10000000, RELAXED, RESERVED,
                         "") },
    }, {
        /* a region in the MMIO hole needs no hole at all */
        .path = "split/mmio-hole-region",
        .rdms = { RDM(0xf8000000, 0x10000) },
        .ram_size = 4 * GiB, .layout = XEN_RDM_LAYOUT_SPLIT, .host = true,
        .lowmem_end = 0xf0000000, .highmem_end = G4 + 256 * MiB,
        .ram = { { 0, 0xf0000000 }, { G4, 256 * MiB } },
        .regions = { REG(0xf8000000, 0x10000, RELAXED, RESERVED, "") },
    },
};

static void test_plan(gconstpointer opaque)
{
    const PlanCase *c = opaque;
    g_autoptr(XenRdmMap) map = NULL;
    g_autoptr(XenRdmPlan) plan = NULL;
    XenRdmConfig cfg;
    guint n;

    for (n = 0; n < MAX_RDMS && c->rdms[n].size; n++) {
        /* count */
    }
    map = make_map(c->rdms, n);
    config(&cfg, c->ram_size, c->layout);
    if (c->host) {
        cfg.strategy = XEN_RDM_STRATEGY_HOST;
    }
    if (c->strict) {
        cfg.policy = XEN_RDM_POLICY_STRICT;
    }
    cfg.hap = !c->no_hap;
    if (c->mmio_hole) {
        cfg.mmio_hole = c->mmio_hole;
    }
    if (c->set_boundary) {
        cfg.boundary = c->boundary;
    }
    /* no case passes through 0000:00:00.0 */
    for (n = 0; n < MAX_DEVS && c->devs[n].sbdf; n++) {
        /* count */
    }
    cfg.devices = c->devs;
    cfg.nr_devices = n;
    plan = plan_ok(&cfg, map);

    g_assert_cmpint(plan->refused, ==, c->refused);
    if (c->reason || !c->refused) {
        g_assert_cmpstr(plan->reason, ==, c->reason);
    }
    for (n = 0; n < ARRAY_SIZE(c->reason_has) && c->reason_has[n]; n++) {
        g_assert_nonnull(strstr(plan->reason, c->reason_has[n]));
    }
    if (c->mmio_start) {
        g_assert_cmphex(plan->mmio_start, ==, c->mmio_start);
    }
    g_assert_cmphex(plan->lowmem_end, ==, c->lowmem_end);
    g_assert_cmphex(plan->highmem_end, ==, c->highmem_end);

    for (n = 0; n < MAX_RANGES && c->ram[n].size; n++) {
        assert_ram(plan, n, c->ram[n].start, c->ram[n].size);
    }
    g_assert_cmpuint(plan->ram->len, ==, n);

    for (n = 0; n < MAX_RDMS && c->regions[n].size; n++) {
        const ExpectRegion *e = &c->regions[n];

        assert_region(plan, n, e->start, e->size, e->policy, e->status);
        assert_devices(plan, n, e->devices);
        if (e->conflict) {
            g_assert_nonnull(region(plan, n)->conflict);
            g_assert_nonnull(strstr(region(plan, n)->conflict, e->conflict));
        }
    }
    g_assert_cmpuint(plan->regions->len, ==, n);

    for (n = 0; n < MAX_E820 && c->e820[n].size; n++) {
        const XenRdmE820Entry *got = &g_array_index(plan->e820,
                                                    XenRdmE820Entry, n);

        g_assert_cmpuint(n, <, plan->e820->len);
        g_assert_cmphex(got->start, ==, c->e820[n].start);
        g_assert_cmphex(got->size, ==, c->e820[n].size);
        g_assert_cmpint(got->type, ==, c->e820[n].type);
    }
    if (n) {
        g_assert_cmpuint(plan->e820->len, ==, n);
    } else if (c->nr_e820) {
        g_assert_cmpuint(plan->e820->len, ==, c->nr_e820);
    }
}

/* ------------------------------------------------------------------ */
/* split                                                                */

static void test_split_no_rdm_equals_compat(void)
{
    static const uint64_t sizes[] = { GiB, 3840 * MiB, 4 * GiB, 16 * GiB };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    size_t i;

    for (i = 0; i < ARRAY_SIZE(sizes); i++) {
        XenRdmConfig cfg;
        g_autoptr(XenRdmPlan) a = NULL;
        g_autoptr(XenRdmPlan) b = NULL;
        guint j;

        config(&cfg, sizes[i], XEN_RDM_LAYOUT_COMPAT);
        a = plan_ok(&cfg, map);
        cfg.layout = XEN_RDM_LAYOUT_SPLIT;
        b = plan_ok(&cfg, map);
        g_assert_cmphex(a->lowmem_end, ==, b->lowmem_end);
        g_assert_cmphex(a->highmem_end, ==, b->highmem_end);
        g_assert_cmpuint(a->ram->len, ==, b->ram->len);
        for (j = 0; j < a->ram->len; j++) {
            assert_ram(b, j, ram(a, j)->start, ram(a, j)->size);
        }
    }
}

static void test_split_platform_collisions(void)
{
    /*
     * Exactly the part in a platform area is refused or ignored; the rest
     * of the region, when there is any, is a hole
     */
    static const struct {
        uint64_t start, size;
        const char *what;
        uint64_t hole_start, hole_size;     /* the part honoured, if any */
    } cases[] = {
        { 0x7c000, 0x1000, "the first MiB", 0, 0 },
        { 0xff000, 0x2000, "the first MiB", 0x100000, 0x1000 },
        { 0xfed00000, 0x1000, "firmware area", 0, 0 },
        { 0xfb000000, 0x2000000, "firmware area", 0xfb000000, 0x1000000 },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        TestRdm rdms[] = { RDM_DEV(cases[i].start, cases[i].size, XHCI) };
        g_autoptr(XenRdmMap) map = make_map(rdms, 1);
        XenRdmDeviceConfig dev = { XHCI, XEN_RDM_POLICY_STRICT };
        g_autoptr(XenRdmPlan) strict = NULL;
        g_autoptr(XenRdmPlan) relaxed = NULL;
        const XenRdmRegion *platform, *hole = NULL;
        XenRdmConfig cfg;

        config(&cfg, 2 * GiB, XEN_RDM_LAYOUT_SPLIT);
        cfg.mmio_hole = 256 * MiB;
        cfg.devices = &dev;
        cfg.nr_devices = 1;
        strict = plan_ok(&cfg, map);
        g_assert_true(strict->refused);
        g_assert_nonnull(strstr(strict->reason, cases[i].what));
        g_assert_nonnull(strstr(strict->reason, "0000:00:14.0"));
        g_assert_cmpuint(strict->regions->len, ==,
                         1 + (cases[i].hole_size != 0));

        dev.policy = XEN_RDM_POLICY_RELAXED;
        relaxed = plan_ok(&cfg, map);
        g_assert_false(relaxed->refused);
        platform = region(relaxed, cases[i].hole_size &&
                                   cases[i].hole_start == cases[i].start);
        g_assert_cmpint(platform->status, ==, XEN_RDM_STATUS_IGNORED);
        g_assert_nonnull(strstr(platform->conflict, cases[i].what));
        g_assert_cmphex(platform->size, ==,
                        cases[i].size - cases[i].hole_size);
        if (cases[i].hole_size) {
            hole = region(relaxed, cases[i].hole_start != cases[i].start);
            g_assert_cmphex(hole->start, ==, cases[i].hole_start);
            g_assert_cmphex(hole->size, ==, cases[i].hole_size);
            g_assert_cmpint(hole->status, ==, XEN_RDM_STATUS_RESERVED);
            g_assert_cmpuint(hole->devices->len, ==, 1);
        }
        if (cases[i].hole_size && cases[i].hole_start < 2 * GiB) {
            /* a hole in low RAM */
            g_assert_cmpuint(relaxed->ram->len, ==, 2);
            assert_ram(relaxed, 0, 0, cases[i].hole_start);
        } else {
            /* RAM untouched (the honoured part lies in the MMIO hole) */
            assert_ram(relaxed, 0, 0, 2 * GiB);
        }
    }
}

/* Unresolved scopes are reported after SBDFs, never matched */
static void test_unresolved_devices(void)
{
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    XenRdmEntry *e = xen_rdm_map_add(map, 0x7c000000, 0x1000, true, NULL);
    XenRdmDeviceConfig dev = { XEN_RDM_SBDF(0, 0x1c, 0, 0),
                               XEN_RDM_POLICY_STRICT };
    g_autoptr(XenRdmPlan) plan = NULL;
    XenRdmConfig cfg;

    xen_rdm_entry_add_unresolved(e, "unresolved:0000:00:1c.0/00.0");
    xen_rdm_entry_add_device(e, IGD);
    config(&cfg, GiB, XEN_RDM_LAYOUT_SPLIT);
    cfg.strategy = XEN_RDM_STRATEGY_HOST;
    plan = plan_ok(&cfg, map);
    assert_devices(plan, 0, "0000:00:02.0 unresolved:0000:00:1c.0/00.0");

    /* a device whose SBDF looks like the path's first hop matches nothing */
    {
        g_autoptr(XenRdmPlan) p2 = NULL;

        cfg.strategy = XEN_RDM_STRATEGY_IGNORE;
        cfg.devices = &dev;
        cfg.nr_devices = 1;
        p2 = plan_ok(&cfg, map);
        g_assert_cmpuint(p2->regions->len, ==, 0);
    }
}

/* ------------------------------------------------------------------ */
/* Devices added to a running guest                                     */

/*
 * A device whose region has an unresolved scope, checked twice: the
 * region's own strings must survive the first check (a use-after-free
 * and double free before the check borrowed them)
 */
static void test_check_device_twice_unresolved(void)
{
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    g_autoptr(XenRdmPlan) plan = NULL;
    XenRdmEntry *e = xen_rdm_map_add(map, 0x7b800000, 64 * MiB, true,
                                     NULL);
    XenRdmConfig cfg;

    xen_rdm_entry_add_device(e, IGD);
    xen_rdm_entry_add_unresolved(e, "unresolved:0000:00:1c.0/00.0");
    config(&cfg, 4 * GiB, XEN_RDM_LAYOUT_COMPAT);
    cfg.strategy = XEN_RDM_STRATEGY_HOST;
    plan = plan_ok(&cfg, map);
    for (int i = 0; i < 2; i++) {
        GPtrArray *regions = NULL;
        const XenRdmRegion *r;

        g_assert_true(xen_rdm_plan_check_device(plan, map, IGD,
                                                XEN_RDM_POLICY_RELAXED,
                                                &regions, NULL));
        g_assert_cmpuint(regions->len, ==, 1);
        r = g_ptr_array_index(regions, 0);
        g_assert_cmpuint(r->devices->len, ==, 2);
        g_assert_cmpstr(g_ptr_array_index(r->devices, 1), ==,
                        "unresolved:0000:00:1c.0/00.0");
        g_ptr_array_unref(regions);
    }
    g_assert_cmpuint(e->unresolved->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(e->unresolved, 0), ==,
                    "unresolved:0000:00:1c.0/00.0");
}

/*
 * The laptop's compat plan of 4 GiB with its IGD relaxed and its xHCI
 * strict: low RAM moved below the xHCI's region, to 0xa3e00000
 */
static XenRdmPlan *laptop_mixed_plan(void)
{
    TestRdm rdms[] = { RDM_DEV(0x7b800000, 64 * MiB, IGD),
                       RDM_DEV2(0xa3eea000, 0xf000, XHCI, EHCI) };
    g_autoptr(XenRdmMap) map = make_map(rdms, ARRAY_SIZE(rdms));
    XenRdmDeviceConfig devs[] = { { IGD, XEN_RDM_POLICY_RELAXED },
                                  { XHCI, XEN_RDM_POLICY_STRICT } };
    XenRdmConfig cfg;

    config(&cfg, 4 * GiB, XEN_RDM_LAYOUT_COMPAT);
    cfg.devices = devs;
    cfg.nr_devices = ARRAY_SIZE(devs);
    return plan_ok(&cfg, map);
}

/*
 * The regions of laptop_mixed_plan() in the RAM 0x0-0xa3dfffff of @p,
 * which is RAM @whose: the IGD's ignored, the xHCI's reserved
 */
static void assert_laptop_mixed_regions(const XenRdmPlan *p,
                                        const char *whose)
{
    g_autofree char *conflict = g_strdup_printf("guest RAM 0x0-0xa3dfffff "
                                                "%s", whose);

    g_assert_cmpuint(p->regions->len, ==, 2);
    assert_region(p, 0, 0x7b800000, 64 * MiB, XEN_RDM_POLICY_RELAXED,
                  XEN_RDM_STATUS_IGNORED);
    g_assert_cmpstr(region(p, 0)->conflict, ==, conflict);
    assert_region(p, 1, 0xa3eea000, 0xf000, XEN_RDM_POLICY_STRICT,
                  XEN_RDM_STATUS_RESERVED);
}

/* The RAM a toolstack populated, checked against a plan's regions */
static void test_populated(void)
{
    g_autoptr(XenRdmPlan) plan = laptop_mixed_plan();

    g_assert_cmphex(plan->lowmem_end, ==, 0xa3e00000);

    /* what libxl populated for the plan: the same, and it checks out */
    {
        g_autoptr(GArray) ram = xen_rdm_ram_from_ends(
            0xa3e00000, 8 * GiB - 0xa3e00000, NULL);
        g_autoptr(XenRdmPlan) p = xen_rdm_plan_populated(plan, ram,
                                                         0xf0000000);

        g_assert_true(xen_rdm_ram_equal(ram, plan->ram));
        g_assert_cmpint(p->layout, ==, XEN_RDM_LAYOUT_TOOLSTACK);
        g_assert_false(p->refused);
        g_assert_cmphex(p->lowmem_end, ==, plan->lowmem_end);
        g_assert_cmphex(p->highmem_end, ==, plan->highmem_end);
        assert_laptop_mixed_regions(p, "populated by the toolstack");
        g_assert_cmpuint(p->e820->len, ==, 3);
        g_assert_true(xen_rdm_plan_check(p, 4 * GiB, NULL));
    }
    /* a toolstack that left RAM over the strict region: refused */
    {
        g_autoptr(GArray) ram = xen_rdm_ram_from_ends(
            0xf0000000, 4 * GiB + 256 * MiB, NULL);
        g_autoptr(XenRdmPlan) p = xen_rdm_plan_populated(plan, ram,
                                                         0xf0000000);

        g_assert_false(xen_rdm_ram_equal(ram, plan->ram));
        g_assert_true(p->refused);
        g_assert_cmpstr(p->reason, ==, "RDM conflict: region "
                        "0xa3eea000-0xa3ef8fff (devices: 0000:00:14.0, "
                        "0000:00:1d.0) with policy strict lies in guest RAM "
                        "0x0-0xefffffff populated by the toolstack");
        assert_region(p, 1, 0xa3eea000, 0xf000, XEN_RDM_POLICY_STRICT,
                      XEN_RDM_STATUS_CONFLICT);
        g_assert_true(xen_rdm_plan_check(p, 4 * GiB, NULL));
    }
    /* no plan: RAM only */
    {
        g_autoptr(GArray) ram = xen_rdm_ram_from_ends(0x80000000, 0,
                                                      NULL);
        g_autoptr(XenRdmPlan) p = xen_rdm_plan_populated(NULL, ram,
                                                         0xf0000000);

        g_assert_cmpuint(p->regions->len, ==, 0);
        g_assert_cmpuint(p->e820->len, ==, 1);
        g_assert_cmphex(p->highmem_end, ==, 0);
        g_assert_true(xen_rdm_plan_check(p, 2 * GiB, NULL));
    }
}

/*
 * The layout of an incoming guest (a migration stream's ranges): taken
 * as it is when it is one, refused saying why when it is not, and when a
 * strict region of the destination lies in its RAM
 */
static void test_layout_incoming(void)
{
    const uint64_t max_end = 8 * GiB;
    const XenRdmRange moved[] = { { 0, 0xa3e00000 },
                                  { 4 * GiB, 4 * GiB - 0xa3e00000 } };
    static const struct {
        XenRdmRange ram[3];
        size_t nr;
        const char *msg;
    } bad[] = {
        { { { 0, 0xf0000000 }, { 4 * GiB, 256 * MiB } }, 2,
          "RDM conflict: region 0xa3eea000-0xa3ef8fff (devices: "
          "0000:00:14.0, 0000:00:1d.0) with policy strict lies in guest RAM "
          "0x0-0xefffffff of the migration stream" },
        { { { 0x1000, 4 * GiB } }, 1,
          "its first RAM range does not cover the first MiB" },
        { { { 0, 2 * GiB }, { 4 * GiB, 0 } }, 2,
          "its RAM range 1 is empty or wraps" },
        { { { 0, 2 * GiB }, { 2 * GiB, 2 * GiB } }, 2,
          "its RAM range 0x80000000 overlaps, touches or is out of order" },
        { { { 0, 2 * GiB }, { 7 * GiB, 2 * GiB } }, 2,
          "its RAM ends at 0x240000000, beyond the 0x200000000 bytes QEMU "
          "set aside" },
        { { { 0, 0xf8000000 }, { 4 * GiB, 128 * MiB } }, 2,
          "RAM range 0x0 reaches into the MMIO hole at 0xf0000000" },
        { { { 0, 2 * GiB }, { 4 * GiB, 1 * GiB } }, 2,
          "RAM ranges sum to 0xc0000000, not the requested 0x100000000" },
        { { { 0, 4 * GiB } }, 0,
          "it has 0 guest RAM ranges, not between 1 and 65536" },
    };
    g_autoptr(XenRdmPlan) plan = laptop_mixed_plan();
    g_autoptr(XenRdmPlan) p = NULL;

    p = xen_rdm_layout_incoming(plan, moved, ARRAY_SIZE(moved), 4 * GiB,
                                0xf0000000, max_end, NULL);
    g_assert_nonnull(p);
    g_assert_cmpint(p->layout, ==, XEN_RDM_LAYOUT_TOOLSTACK);
    g_assert_cmphex(p->lowmem_end, ==, 0xa3e00000);
    assert_laptop_mixed_regions(p, "of the migration stream");

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        Error *err = NULL;

        g_assert_null(xen_rdm_layout_incoming(plan, bad[i].ram, bad[i].nr,
                                              4 * GiB, 0xf0000000, max_end,
                                              &err));
        g_assert_cmpstr(error_get_pretty(err), ==, bad[i].msg);
        error_free(err);
    }
}

static void test_check_device(void)
{
    TestRdm rdms[] = { RDM_DEV(0x7b800000, 64 * MiB, IGD),
                       RDM_DEV2(0xa3eea000, 0xf000, XHCI, EHCI),
                       RDM_ONLY_DEV(0xf8000000, 0x1000, XHCI) };
    g_autoptr(XenRdmMap) map = make_map(rdms, ARRAY_SIZE(rdms));
    g_autoptr(XenRdmPlan) plan = NULL;
    XenRdmConfig cfg;
    GPtrArray *regions = NULL;
    Error *err = NULL;
    const XenRdmRegion *r;

    /* a 4 GiB guest planned without any RDM: RAM to 0xf0000000 */
    config(&cfg, 4 * GiB, XEN_RDM_LAYOUT_COMPAT);
    plan = plan_ok(&cfg, map);

    /* xHCI: its low region is under RAM, the MMIO hole one is fine */
    g_assert_false(xen_rdm_plan_check_device(plan, map, XHCI,
                                             XEN_RDM_POLICY_STRICT,
                                             &regions, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "RDM conflict: device 0000:00:14.0 needs region "
                    "0xa3eea000-0xa3ef8fff with policy strict, but it "
                    "collides with guest RAM 0x0-0xefffffff, which cannot "
                    "move while the guest runs");
    error_free(err);
    err = NULL;
    g_assert_cmpuint(regions->len, ==, 2);
    r = g_ptr_array_index(regions, 0);
    g_assert_cmphex(r->start, ==, 0xa3eea000);
    g_assert_cmpint(r->status, ==, XEN_RDM_STATUS_CONFLICT);
    g_assert_cmpuint(r->devices->len, ==, 2);
    r = g_ptr_array_index(regions, 1);
    g_assert_cmphex(r->start, ==, 0xf8000000);
    g_assert_cmpint(r->status, ==, XEN_RDM_STATUS_RESERVED);
    g_assert_null(r->conflict);
    g_ptr_array_unref(regions);

    /* relaxed: accepted, the region reported as ignored */
    g_assert_true(xen_rdm_plan_check_device(plan, map, XHCI,
                                            XEN_RDM_POLICY_RELAXED,
                                            &regions, &err));
    g_assert_null(err);
    r = g_ptr_array_index(regions, 0);
    g_assert_cmpint(r->status, ==, XEN_RDM_STATUS_IGNORED);
    g_assert_cmpstr(r->conflict, ==, "guest RAM 0x0-0xefffffff");
    g_ptr_array_unref(regions);

    /* a device without regions is always fine */
    g_assert_true(xen_rdm_plan_check_device(plan, map, NIC,
                                            XEN_RDM_POLICY_STRICT,
                                            &regions, NULL));
    g_assert_cmpuint(regions->len, ==, 0);
    g_ptr_array_unref(regions);

    /* planned with the xHCI: its region is reserved, adding it is fine */
    {
        XenRdmDeviceConfig dev = { XHCI, XEN_RDM_POLICY_STRICT };
        g_autoptr(XenRdmPlan) p2 = NULL;

        cfg.devices = &dev;
        cfg.nr_devices = 1;
        p2 = plan_ok(&cfg, map);
        g_assert_true(xen_rdm_plan_check_device(p2, map, XHCI,
                                                XEN_RDM_POLICY_STRICT,
                                                &regions, NULL));
        g_assert_cmpint(((XenRdmRegion *)g_ptr_array_index(regions,
                                                           0))->status, ==,
                        XEN_RDM_STATUS_RESERVED);
        g_ptr_array_unref(regions);
    }
}

/* The RAM a toolstack populated, from hvm_info's two ends */
static void test_ram_from_ends(void)
{
    TestRdm rdms[] = { RDM_DEV2(0xa3eea000, 0xf000, XHCI, EHCI) };
    g_autoptr(XenRdmMap) map = make_map(rdms, ARRAY_SIZE(rdms));
    g_autoptr(GArray) ram = NULL;
    GPtrArray *regions = NULL;
    Error *err = NULL;
    const XenRdmRange *m;

    /* libxl's layout for a 4 GiB guest with the xHCI passed through */
    ram = xen_rdm_ram_from_ends(0xa3e00000, 8 * GiB - 0xa3e00000, &err);
    g_assert_null(err);
    g_assert_cmpuint(ram->len, ==, 2);
    m = &g_array_index(ram, XenRdmRange, 0);
    g_assert_cmphex(m->start, ==, 0);
    g_assert_cmphex(m->size, ==, 0xa3e00000);
    m = &g_array_index(ram, XenRdmRange, 1);
    g_assert_cmphex(m->start, ==, 4 * GiB);
    g_assert_cmphex(m->start + m->size, ==, 8 * GiB - 0xa3e00000);

    /* the region is not guest RAM: the device may be added */
    g_assert_true(xen_rdm_ram_check_device(ram, map, XHCI,
                                           XEN_RDM_POLICY_STRICT,
                                           &regions, &err));
    g_assert_null(err);
    g_assert_cmpint(((XenRdmRegion *)g_ptr_array_index(regions, 0))->status,
                    ==, XEN_RDM_STATUS_RESERVED);
    g_ptr_array_unref(regions);
    g_array_unref(g_steal_pointer(&ram));

    /* one byte more of low RAM and it collides */
    ram = xen_rdm_ram_from_ends(0xa3eea001, 0, &err);
    g_assert_cmpuint(ram->len, ==, 1);
    g_assert_false(xen_rdm_ram_check_device(ram, map, XHCI,
                                            XEN_RDM_POLICY_STRICT,
                                            &regions, &err));
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "collides with guest RAM 0x0-0xa3eea000"));
    error_free(err);
    err = NULL;
    g_ptr_array_unref(regions);
    g_array_unref(g_steal_pointer(&ram));

    /* ends no toolstack gives */
    g_assert_null(xen_rdm_ram_from_ends(4 * GiB + 1, 0, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "guest RAM ending at 0x100000001 below 4 GiB and 0x0 "
                    "above is not a layout");
    error_free(err);
    err = NULL;
    g_assert_null(xen_rdm_ram_from_ends(0xa0000000, 3 * GiB, &err));
    error_free(err);
    err = NULL;
    g_assert_null(xen_rdm_ram_from_ends(0xa0000000, XEN_RDM_MAX_PADDR + 1,
                                        &err));
    error_free(err);
}

/* ------------------------------------------------------------------ */
/* Properties on generated inputs                                       */

static void random_case(GRand *rng, XenRdmLayout layout)
{
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    XenRdmDeviceConfig devs[4];
    XenRdmConfig cfg;
    g_autoptr(XenRdmPlan) plan = NULL;
    Error *err = NULL;
    int n = g_rand_int_range(rng, 0, 40), i;
    guint j, k;

    for (i = 0; i < n; i++) {
        uint64_t start, size;
        XenRdmEntry *e;

        switch (g_rand_int_range(rng, 0, 4)) {
        case 0:     /* anywhere below 4 GiB */
            start = (uint64_t)g_rand_int_range(rng, 0, 0x100000) << 12;
            break;
        case 1:     /* clustered, to make overlaps */
            start = 0x80000000ULL +
                    ((uint64_t)g_rand_int_range(rng, 0, 64) << 12);
            break;
        case 2:     /* above 4 GiB */
            start = G4 + ((uint64_t)g_rand_int_range(rng, 0, 0x400000) << 12);
            break;
        default:    /* between boundary and the hole */
            start = 0x80000000ULL +
                    ((uint64_t)g_rand_int_range(rng, 0, 0x70000) << 12);
            break;
        }
        size = (uint64_t)g_rand_int_range(rng, 1, 64) << 12;
        if (g_rand_int_range(rng, 0, 8) == 0) {
            size <<= 10;
        }
        e = xen_rdm_map_add(map, start, size, g_rand_boolean(rng), NULL);
        g_assert_nonnull(e);
        xen_rdm_entry_add_device(e, XEN_RDM_SBDF(0, 0,
                                                 g_rand_int_range(rng, 0, 6),
                                                 0));
    }
    config(&cfg, (uint64_t)g_rand_int_range(rng, 1, 16 * 256) << 22, layout);
    cfg.strategy = g_rand_boolean(rng) ? XEN_RDM_STRATEGY_HOST
                                       : XEN_RDM_STRATEGY_IGNORE;
    cfg.policy = g_rand_boolean(rng) ? XEN_RDM_POLICY_STRICT
                                     : XEN_RDM_POLICY_RELAXED;
    cfg.hap = g_rand_boolean(rng);
    cfg.mmio_hole = (uint64_t)g_rand_int_range(rng, 1, 16) << 28;
    cfg.boundary = (uint64_t)g_rand_int_range(rng, 0, 5) << 30;
    cfg.nr_devices = g_rand_int_range(rng, 0, 4);
    for (i = 0; i < (int)cfg.nr_devices; i++) {
        devs[i].sbdf = XEN_RDM_SBDF(0, 0, i * 2, 0);
        devs[i].policy = g_rand_boolean(rng) ? XEN_RDM_POLICY_STRICT
                                             : XEN_RDM_POLICY_RELAXED;
    }
    cfg.devices = devs;

    g_assert_true(xen_rdm_plan_compute(&cfg, map, &plan, &err));
    if (!xen_rdm_plan_check(plan, cfg.ram_size, &err)) {
        g_error("invariant: %s", error_get_pretty(err));
    }
    if (layout != XEN_RDM_LAYOUT_SPLIT) {
        return;
    }
    /*
     * split: honoured regions disjoint, not adjacent, no RAM over any;
     * what is not honoured lies wholly in a platform area
     */
    for (j = 0; j < plan->regions->len; j++) {
        const XenRdmRegion *r = g_ptr_array_index(plan->regions, j);

        if (r->status == XEN_RDM_STATUS_RESERVED) {
            for (k = j; k-- > 0;) {
                const XenRdmRegion *q = g_ptr_array_index(plan->regions, k);

                if (q->status == XEN_RDM_STATUS_RESERVED) {
                    g_assert_cmphex(q->start + q->size, <, r->start);
                    break;
                }
            }
            for (k = 0; k < plan->ram->len; k++) {
                const XenRdmRange *m = ram(plan, k);
                g_assert_false(m->start < r->start + r->size &&
                               r->start < m->start + m->size);
            }
            g_assert_true(r->start >= XEN_RDM_FIRST_MIB_END);
        } else {
            /* only platform collisions are not honoured */
            g_assert_nonnull(r->conflict);
            g_assert_true(r->start + r->size <= XEN_RDM_FIRST_MIB_END ||
                          (r->start >= XEN_RDM_FIRMWARE_START &&
                           r->start + r->size <= G4));
            g_assert_true((r->status == XEN_RDM_STATUS_CONFLICT) ==
                          (r->policy == XEN_RDM_POLICY_STRICT));
        }
    }
    /*
     * As much RAM as possible below 4 GiB, around the holes, which under
     * HAP are widened to 2 MiB boundaries (never into the first MiB)
     */
    {
        uint64_t low = 0, holes = 0, hole_end = 0;

        for (k = 0; k < plan->ram->len; k++) {
            const XenRdmRange *m = ram(plan, k);

            if (m->start < G4) {
                low += m->size;
            }
            if (cfg.hap) {
                /* RAM fills whole 2 MiB frames, but for the first MiB */
                g_assert_cmphex(m->start % (2 * MiB), ==, 0);
                g_assert_true((m->start + m->size) % (2 * MiB) == 0 ||
                              m->start + m->size == XEN_RDM_FIRST_MIB_END);
            }
        }
        for (j = 0; j < plan->regions->len; j++) {
            const XenRdmRegion *r = g_ptr_array_index(plan->regions, j);
            uint64_t start = r->start, end = r->start + r->size;

            if (r->status != XEN_RDM_STATUS_RESERVED ||
                r->start >= plan->mmio_start) {
                continue;
            }
            if (cfg.hap) {
                start = MAX(QEMU_ALIGN_DOWN(start, 2 * MiB),
                            XEN_RDM_FIRST_MIB_END);
                end = QEMU_ALIGN_UP(end, 2 * MiB);
            }
            start = MAX(start, hole_end);
            end = MIN(end, plan->mmio_start);
            if (end > start) {
                holes += end - start;
                hole_end = end;
            }
        }
        g_assert_cmphex(low, ==, MIN(cfg.ram_size, plan->mmio_start - holes));
    }
}

static void test_random_properties(void)
{
    g_autoptr(GRand) rng = g_rand_new_with_seed(20261125);
    int i;

    for (i = 0; i < 3000; i++) {
        random_case(rng, XEN_RDM_LAYOUT_COMPAT);
        random_case(rng, XEN_RDM_LAYOUT_SPLIT);
    }
}

int main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rdm-plan/parse/sbdf", test_sbdf_parse);
    g_test_add_func("/rdm-plan/map/add-errors", test_map_add_errors);
    g_test_add_func("/rdm-plan/map/take", test_map_take);
    g_test_add_func("/rdm-plan/map/shared-lists", test_map_shared_lists);
    g_test_add_func("/rdm-plan/config/errors", test_config_errors);
    g_test_add_func("/rdm-plan/config/duplicate-device",
                    test_duplicate_device);
    for (i = 0; i < ARRAY_SIZE(plan_cases); i++) {
        g_autofree char *path = g_strdup_printf("/rdm-plan/%s",
                                                plan_cases[i].path);

        g_test_add_data_func(path, &plan_cases[i], test_plan);
    }
    g_test_add_func("/rdm-plan/split/no-rdm", test_split_no_rdm_equals_compat);
    g_test_add_func("/rdm-plan/split/platform-collisions",
                    test_split_platform_collisions);
    g_test_add_func("/rdm-plan/unresolved", test_unresolved_devices);
    g_test_add_func("/rdm-plan/check-device", test_check_device);
    g_test_add_func("/rdm-plan/check-device-twice-unresolved",
                    test_check_device_twice_unresolved);
    g_test_add_func("/rdm-plan/populated", test_populated);
    g_test_add_func("/rdm-plan/layout-incoming", test_layout_incoming);
    g_test_add_func("/rdm-plan/ram-from-ends", test_ram_from_ends);
    g_test_add_func("/rdm-plan/random-properties", test_random_properties);
    return g_test_run();
}
