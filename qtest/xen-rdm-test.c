/*
 * Reserved device memory (machine property xen-rdm) on QEMU's Xen HVM
 * machine under xen-sim: RAM regions around the regions, the QMP query
 * against xen-rdm-plan's JSON, strict and relaxed conflicts, hot-plug
 * checks, hypervisor faults and bad option values.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "xen-sim-qtest.h"

#include <xen/hvm/hvm_info_table.h>

#define MiB ((uint64_t)1 << 20)
#define GiB ((uint64_t)1 << 30)

/* Host layouts, as xen_rdm_file_parse() reads them */

/* Laptop: IGD stolen memory below 2 GiB, USB buffer between 2 and 4 GiB */
static const char laptop[] =
    "0x7b800000 64M   0000:00:02.0\n"
    "0xa3eea000 0xf000 0000:00:14.0 0000:00:1d.0\n";

/* A USB legacy buffer inside the first MiB */
static const char first_mib[] =
    "0x7c000 4K 0000:00:1d.0\n";

/* Overlapping regions of two controllers, and one above 4 GiB */
static const char overlapping[] =
    "0x90000000 2M 0000:00:14.0\n"
    "0x90100000 2M 0000:00:1a.0\n"
    "0x180000000 16M 0000:03:00.0\n";

static uint64_t get_u64(QDict *d, const char *key)
{
    QNum *n = qobject_to(QNum, qdict_get(d, key));

    g_assert_nonnull(n);
    return qnum_get_uint(n);
}

typedef struct Scenario {
    XenSimRun run;
    char *rdm_file;
    uint64_t ram;
} Scenario;

static bool scenario_init(Scenario *s, const char *rdms, uint64_t ram,
                          const char *faults)
{
    g_autoptr(GError) err = NULL;

    if (!xsq_have_qemu()) {
        return false;
    }
    xsq_run_init(&s->run, 1);
    s->ram = ram;
    s->rdm_file = g_build_filename(s->run.dir, "host.rdm", NULL);
    g_assert_true(g_file_set_contents(s->rdm_file, rdms, -1, &err));
    xsq_set("XEN_SIM_RDM_FILE", "%s", s->rdm_file);
    xsq_set("XEN_SIM_RAM", "%" PRIu64, ram);
    if (faults) {
        xsq_set("XEN_SIM_FAULTS", "%s", faults);
    }
    return true;
}

static void scenario_cleanup(Scenario *s)
{
    g_free(s->rdm_file);
    xsq_run_cleanup(&s->run);
}

/*
 * xen-rdm-plan --xenctrl against the same simulated hypervisor: the
 * JSON it prints must be what query-xen-rdm answers.
 */
static QDict *tool_json(const char *args, int want_status)
{
    const char *tool = g_getenv("XEN_RDM_PLAN_TOOL");
    g_autofree char *cmd = NULL, *out = NULL, *err = NULL;
    g_autoptr(GError) gerr = NULL;
    g_auto(GStrv) argv = NULL;
    int status;

    g_assert_nonnull(tool);
    cmd = g_strdup_printf("%s --xenctrl --format json %s", tool, args);
    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, &gerr));
    g_setenv("LD_LIBRARY_PATH", g_getenv("XEN_SIM_LIBDIR"), true);
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &gerr));
    g_unsetenv("LD_LIBRARY_PATH");
    g_test_message("%s: status 0x%x, stderr: %s", cmd, status, err);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, want_status);
    return qobject_to(QDict, qobject_from_json(out, &error_abort));
}

static QDict *query_rdm(QTestState *qts)
{
    QDict *rsp = xsq_qmp_ok(qts, "query-xen-rdm");
    QDict *ret = qdict_get_qdict(rsp, "return");

    qobject_ref(ret);
    qobject_unref(rsp);
    return ret;
}

static void assert_same_json(QDict *a, QDict *b)
{
    g_autoptr(GString) ja = qobject_to_json(QOBJECT(a));
    g_autoptr(GString) jb = qobject_to_json(QOBJECT(b));

    /* same members, whatever their order: compare member by member */
    g_assert_cmpuint(qdict_size(a), ==, qdict_size(b));
    for (const QDictEntry *e = qdict_first(a); e; e = qdict_next(a, e)) {
        QObject *other = qdict_get(b, qdict_entry_key(e));

        if (!other || !qobject_is_equal(qdict_entry_value(e), other)) {
            g_error("member '%s' differs:\n  QMP:  %s\n  tool: %s",
                    qdict_entry_key(e), ja->str, jb->str);
        }
    }
}

/* Guest RAM in the flat view: every "xen.ram" range */
static GArray *flat_ram(QTestState *qts)
{
    g_autoptr(GArray) all = xsq_mtree(qts, true);
    GArray *ram = g_array_new(false, true, sizeof(XsqMtreeRange));

    for (guint i = 0; i < all->len; i++) {
        XsqMtreeRange *r = &g_array_index(all, XsqMtreeRange, i);

        if (!strcmp(r->name, "xen.ram")) {
            /* an alias shows its offset, which must be its address */
            g_assert_cmphex(r->off, ==, r->start);
            g_array_append_val(ram, *r);
        }
    }
    return ram;
}

/* No guest RAM over any region the plan reserved; RAM where it says */
static void check_mtree_matches_plan(QTestState *qts, QDict *plan)
{
    g_autoptr(GArray) ram = flat_ram(qts);
    QList *ranges = qdict_get_qlist(plan, "ram");
    QList *regions = qdict_get_qlist(plan, "regions");
    uint64_t flat_total = 0, plan_total = 0;
    const QListEntry *e;

    for (guint i = 0; i < ram->len; i++) {
        XsqMtreeRange *m = &g_array_index(ram, XsqMtreeRange, i);

        flat_total += m->last - m->start + 1;
        QLIST_FOREACH_ENTRY(regions, e) {
            QDict *r = qobject_to(QDict, qlist_entry_obj(e));
            uint64_t start = get_u64(r, "start");
            uint64_t end = start + get_u64(r, "size");

            if (strcmp(qdict_get_str(r, "status"), "reserved")) {
                continue;
            }
            if (m->start < end && start <= m->last) {
                g_error("RAM 0x%" PRIx64 "-0x%" PRIx64 " covers reserved "
                        "region 0x%" PRIx64 "-0x%" PRIx64, m->start, m->last,
                        start, end - 1);
            }
        }
    }
    /* every plan range is mapped (the VGA window 0xa0000-0xbffff aside) */
    QLIST_FOREACH_ENTRY(ranges, e) {
        QDict *r = qobject_to(QDict, qlist_entry_obj(e));
        uint64_t start = get_u64(r, "start");
        uint64_t size = get_u64(r, "size");
        bool found = false;

        plan_total += size;
        for (guint i = 0; i < ram->len; i++) {
            XsqMtreeRange *m = &g_array_index(ram, XsqMtreeRange, i);

            if (m->last + 1 == start + size &&
                (m->start == start || (start == 0 && m->start == 0xc0000))) {
                found = true;
            }
        }
        if (!found) {
            g_error("plan RAM 0x%" PRIx64 "+0x%" PRIx64 " is not mapped",
                    start, size);
        }
    }
    g_assert_cmphex(flat_total, ==, plan_total - 0x20000);
}

static const char *region_status(QDict *plan, uint64_t start)
{
    const QListEntry *e;

    QLIST_FOREACH_ENTRY(qdict_get_qlist(plan, "regions"), e) {
        QDict *r = qobject_to(QDict, qlist_entry_obj(e));

        if (get_u64(r, "start") == start) {
            return qdict_get_str(r, "status");
        }
    }
    g_error("no region at 0x%" PRIx64, start);
}

/* One start: QMP answer == tool JSON, mtree == plan; returns the plan */
static QDict *start_and_check(Scenario *s, const char *machine_opts,
                              const char *tool_args, QTestState **qtsp)
{
    g_autoptr(QDict) tool = NULL;
    QDict *plan;
    QTestState *qts;

    qts = xsq_start(&s->run, "-M xenfv,%s -m %" PRIu64 "M", machine_opts,
                    s->ram / MiB);
    plan = query_rdm(qts);
    tool = tool_json(tool_args, 0);
    assert_same_json(plan, tool);
    check_mtree_matches_plan(qts, plan);
    g_assert_cmpstr(qdict_get_str(plan, "result"), ==, "ok");
    *qtsp = qts;
    return plan;
}

static void compat_host_laptop(uint64_t ram)
{
    Scenario s;
    QTestState *qts;
    g_autoptr(QDict) plan = NULL;
    g_autofree char *args = NULL;

    if (!scenario_init(&s, laptop, ram, NULL)) {
        return;
    }
    args = g_strdup_printf("--memory %" PRIu64 " --strategy host", ram);
    plan = start_and_check(&s, "xen-rdm.strategy=host", args, &qts);
    /* the IGD region is below the 2 GiB boundary: relaxed, ignored */
    g_assert_cmpstr(region_status(plan, 0x7b800000), ==,
                    ram > 0x7b800000 ? "ignored" : "reserved");
    g_assert_cmpstr(region_status(plan, 0xa3eea000), ==, "reserved");
    if (ram > 0xa3eea000) {
        /* libxl's lowmem_end: below the USB region, 2 MiB aligned */
        g_assert_cmphex(get_u64(plan, "lowmem-end"), ==, 0xa3e00000);
        g_assert_cmphex(get_u64(plan, "highmem-end"), ==,
                        4 * GiB + ram - 0xa3e00000);
    }
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

static void test_compat_host_laptop(void)
{
    compat_host_laptop(2 * GiB);
    compat_host_laptop(4 * GiB);
    compat_host_laptop(6 * GiB);
}

/* The sample host's DMAR table (data/sample-host-dmar.dsl) as the source */
static void test_dmar_host(void)
{
    const char *dmar = g_getenv("XEN_RDM_SAMPLE_DMAR");
    Scenario s;
    QTestState *qts;
    g_autoptr(QDict) plan = NULL;

    if (!scenario_init(&s, "", 4 * GiB, NULL)) {
        return;
    }
    g_assert_nonnull(dmar);
    g_unsetenv("XEN_SIM_RDM_FILE");
    xsq_set("XEN_SIM_RDM_DMAR", "%s", dmar);
    plan = start_and_check(&s, "xen-rdm.strategy=host,xen-rdm.layout=split,"
                           "xen-rdm.pci.0.host=00:14.0",
                           "--memory 4G --strategy host --layout split "
                           "--device 00:14.0", &qts);
    g_assert_cmpstr(region_status(plan, 0x7b800000), ==, "reserved");
    g_assert_cmpstr(region_status(plan, 0xa3eea000), ==, "reserved");
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

static void test_split_laptop(void)
{
    Scenario s;
    QTestState *qts;
    g_autoptr(QDict) plan = NULL;
    g_autoptr(GArray) aliases = NULL;
    unsigned nr_lo = 0;

    if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
        return;
    }
    plan = start_and_check(&s, "xen-rdm.strategy=host,xen-rdm.layout=split",
                           "--memory 4G --strategy host --layout split",
                           &qts);
    g_assert_cmpstr(region_status(plan, 0x7b800000), ==, "reserved");
    g_assert_cmpstr(region_status(plan, 0xa3eea000), ==, "reserved");
    /* three RAM ranges below 4 GiB: xen.ram.lo, xen.ram.lo1, xen.ram.lo2 */
    aliases = xsq_mtree(qts, false);
    for (guint i = 0; i < aliases->len; i++) {
        XsqMtreeRange *r = &g_array_index(aliases, XsqMtreeRange, i);

        nr_lo += g_str_has_prefix(r->name, "xen.ram.lo");
    }
    g_assert_cmpuint(nr_lo, ==, 3);
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

static void test_overlapping_split(void)
{
    Scenario s;
    QTestState *qts;
    g_autoptr(QDict) plan = NULL;
    QList *regions;

    if (!scenario_init(&s, overlapping, 8 * GiB, NULL)) {
        return;
    }
    plan = start_and_check(&s, "xen-rdm.strategy=host,xen-rdm.layout=split,"
                           "xen-rdm.pci.0.host=00:1a.0",
                           "--memory 8G --strategy host --layout split "
                           "--device 00:1a.0", &qts);
    /* the two controllers' regions are one, strict; a hole above 4 GiB */
    regions = qdict_get_qlist(plan, "regions");
    g_assert_cmpuint(qlist_size(regions), ==, 2);
    g_assert_cmpstr(region_status(plan, 0x90000000), ==, "reserved");
    g_assert_cmpstr(region_status(plan, 0x180000000ULL), ==, "reserved");
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

/* A strict conflict stops QEMU before the guest runs */
static void test_strict_conflict_exits(void)
{
    Scenario s;
    g_autofree char *err = NULL;
    int rc;

    if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
        return;
    }
    rc = xsq_run_qemu(true, XSQ_TIMEOUT, &err, "-xen-domid 1 -M xenfv,"
                      "xen-rdm.pci.0.host=0000:00:02.0 -m 4G");
    g_assert_cmpint(rc, ==, 1);
    g_assert_nonnull(strstr(err, "xen-rdm: RDM conflict: region "
                            "0x7b800000-0x7f7fffff (devices: 0000:00:02.0) "
                            "with policy strict collides with guest RAM"));
    scenario_cleanup(&s);

    /* split: the first MiB cannot hold a hole */
    if (!scenario_init(&s, first_mib, GiB, NULL)) {
        return;
    }
    g_clear_pointer(&err, g_free);
    rc = xsq_run_qemu(true, XSQ_TIMEOUT, &err, "-xen-domid 1 -M xenfv,"
                      "xen-rdm.layout=split,xen-rdm.pci.0.host=00:1d.0 "
                      "-m 1G");
    g_assert_cmpint(rc, ==, 1);
    g_assert_nonnull(strstr(err, "collides with the first MiB"));
    scenario_cleanup(&s);
}

/* Relaxed: a warning, and the query keeps the conflict */
static void test_relaxed_conflict_reported(void)
{
    Scenario s;
    QTestState *qts;
    g_autoptr(QDict) plan = NULL;

    if (!scenario_init(&s, first_mib, GiB, NULL)) {
        return;
    }
    plan = start_and_check(&s, "xen-rdm.pci.0.host=00:1d.0,"
                           "xen-rdm.pci.0.rdm-policy=relaxed",
                           "--memory 1G --device 00:1d.0,rdm_policy=relaxed",
                           &qts);
    g_assert_cmpstr(region_status(plan, 0x7c000), ==, "ignored");
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

/* Without xen-rdm nothing changes, even on a hypervisor without RDMs */
static void test_not_requested_unchanged(void)
{
    Scenario s;
    QTestState *qts;
    g_autoptr(QDict) plan = NULL;
    g_autoptr(GArray) ram = NULL;

    if (!scenario_init(&s, laptop, 4 * GiB, "rdm-enosys")) {
        return;
    }
    qts = xsq_start(&s.run, "-M xenfv -m 4096M");
    ram = flat_ram(qts);
    /* QEMU 10.0's own layout: low RAM to 0xf0000000, the rest above */
    g_assert_cmpuint(ram->len, ==, 3);
    g_assert_cmphex(g_array_index(ram, XsqMtreeRange, 1).last, ==,
                    0xefffffff);
    g_assert_cmphex(g_array_index(ram, XsqMtreeRange, 2).start, ==,
                    4 * GiB);
    g_assert_cmphex(g_array_index(ram, XsqMtreeRange, 2).last, ==,
                    4 * GiB + 256 * MiB - 1);
    /* the hypervisor was not asked */
    xsq_assert_log_lacks(&s.run, "xc_reserved_device_memory_map");
    plan = query_rdm(qts);
    g_assert_cmpuint(qlist_size(qdict_get_qlist(plan, "regions")), ==, 0);
    g_assert_cmphex(get_u64(plan, "lowmem-end"), ==, 0xf0000000);
    /*
     * Hot-plug: the hypervisor cannot tell the device's regions, and
     * nothing asked for them, so the device is opened as QEMU always did
     * (which fails here only because there is no such host device).
     */
    {
        QDict *rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                               " {'driver': 'xen-pci-passthrough',"
                               "  'hostaddr': '0000:00:14.0'}}");
        const char *desc = qdict_get_str(qdict_get_qdict(rsp, "error"),
                                         "desc");

        g_assert_null(strstr(desc, "xen-rdm"));
        g_assert_null(strstr(desc, "reserved device memory"));
        g_assert_nonnull(strstr(desc, "0000:00:14.0"));
        qobject_unref(rsp);
    }
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

static void test_hypervisor_faults(void)
{
    static const struct {
        const char *fault;
        const char *msg;
    } cases[] = {
        { "rdm-enosys", "no reserved device memory support" },
        { "rdm-eperm", "ermission" },
    };
    Scenario s;

    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *err = NULL;
        int rc;

        if (!scenario_init(&s, laptop, 4 * GiB, cases[i].fault)) {
            return;
        }
        rc = xsq_run_qemu(true, XSQ_TIMEOUT, &err, "-xen-domid 1 "
                          "-M xenfv,xen-rdm.strategy=host -m 4G");
        g_assert_cmpint(rc, ==, 1);
        g_assert_nonnull(strstr(err, "xen-rdm: cannot get reserved device "
                                "memory from the hypervisor"));
        g_assert_nonnull(strstr(err, cases[i].msg));
        scenario_cleanup(&s);
    }
}

/* A count that changes between the two calls is asked again */
static void test_count_change(void)
{
    Scenario s;
    QTestState *qts;
    g_autoptr(QDict) plan = NULL;

    if (!scenario_init(&s, laptop, 2 * GiB, "rdm-count-change")) {
        return;
    }
    qts = xsq_start(&s.run, "-M xenfv,xen-rdm.strategy=host -m 2048M");
    plan = query_rdm(qts);
    /* the two regions plus the one that appeared (at 3 GiB - 64 KiB) */
    g_assert_cmpuint(qlist_size(qdict_get_qlist(plan, "regions")), ==, 3);
    check_mtree_matches_plan(qts, plan);
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

static void test_hotplug_check(void)
{
    Scenario s;
    QTestState *qts;
    QDict *rsp, *ret;

    if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
        return;
    }
    /* nothing reserved at start: RAM runs to 0xf0000000 */
    qts = xsq_start(&s.run, "-M xenfv,xen-rdm.pci.0.host=03:00.0 -m 4096M");

    rsp = qtest_qmp(qts, "{'execute': 'xen-rdm-check-device',"
                    " 'arguments': {'host': '0000:00:14.0'}}");
    ret = qdict_get_qdict(rsp, "return");
    g_assert_cmpstr(qdict_get_str(ret, "result"), ==, "refused");
    g_assert_cmpstr(qdict_get_str(ret, "rdm-policy"), ==, "strict");
    g_assert_nonnull(strstr(qdict_get_str(ret, "reason"),
                            "device 0000:00:14.0 needs region "
                            "0xa3eea000-0xa3ef8fff"));
    qobject_unref(rsp);

    rsp = qtest_qmp(qts, "{'execute': 'xen-rdm-check-device',"
                    " 'arguments': {'host': '00:14.0',"
                    " 'rdm-policy': 'relaxed'}}");
    ret = qdict_get_qdict(rsp, "return");
    g_assert_cmpstr(qdict_get_str(ret, "result"), ==, "ok");
    g_assert_cmpstr(qdict_get_str(ret, "host"), ==, "0000:00:14.0");
    qobject_unref(rsp);

    /* a device without regions */
    rsp = qtest_qmp(qts, "{'execute': 'xen-rdm-check-device',"
                    " 'arguments': {'host': '0000:05:00.0'}}");
    ret = qdict_get_qdict(rsp, "return");
    g_assert_cmpstr(qdict_get_str(ret, "result"), ==, "ok");
    g_assert_cmpuint(qlist_size(qdict_get_qlist(ret, "regions")), ==, 0);
    qobject_unref(rsp);

    /* bad arguments */
    rsp = qtest_qmp(qts, "{'execute': 'xen-rdm-check-device',"
                    " 'arguments': {'host': '00:14'}}");
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                          "desc"),
                            "invalid PCI device address '00:14'"));
    qobject_unref(rsp);
    rsp = qtest_qmp(qts, "{'execute': 'xen-rdm-check-device',"
                    " 'arguments': {'host': '00:14.0', 'rdm-policy': 'x'}}");
    g_assert_true(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);

    /* device_add: strict refused with the region named */
    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                    " {'driver': 'xen-pci-passthrough',"
                    "  'hostaddr': '0000:00:14.0'}}");
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                          "desc"),
                            "needs region 0xa3eea000-0xa3ef8fff with "
                            "policy strict"));
    qobject_unref(rsp);
    qtest_qmp_eventwait(qts, "XEN_RDM_CONFLICT");

    /*
     * relaxed: the event, then the RDM check passes (opening the host
     * device fails next, as there is none here)
     */
    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                    " {'driver': 'xen-pci-passthrough',"
                    "  'hostaddr': '0000:00:14.0', 'rdm-policy': 'relaxed'}}");
    g_assert_null(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                       "desc"), "RDM conflict"));
    qobject_unref(rsp);
    rsp = qtest_qmp_eventwait_ref(qts, "XEN_RDM_CONFLICT");
    ret = qdict_get_qdict(rsp, "data");
    g_assert_cmpstr(qdict_get_str(ret, "device"), ==, "0000:00:14.0");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(ret, "region"), "status"),
                    ==, "ignored");
    qobject_unref(rsp);

    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

/* What libxc writes for the layout it populated (checksum included) */
static void write_hvm_info(XenSimRun *r, uint64_t low_end, uint64_t high_end)
{
    struct hvm_info_table t = {
        .signature = "HVM INFO",
        .length = sizeof(t),
        .nr_vcpus = 1,
        .low_mem_pgend = low_end >> 12,
        .reserved_mem_pgstart = 0xfeff0,
        .high_mem_pgend = high_end >> 12,
    };
    uint8_t sum = 0;
    int fd;

    for (size_t i = 0; i < sizeof(t); i++) {
        sum += ((uint8_t *)&t)[i];
    }
    t.checksum = -sum;
    fd = open(r->mem, O_WRONLY | O_CREAT, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, &t, sizeof(t), HVM_INFO_PADDR), ==,
                    sizeof(t));
    close(fd);
}

/* QEMU checks its plan against the layout libxc populated */
static void test_hvm_info_check(void)
{
    static const char warning[] = "the guest's memory and QEMU's view of it "
                                  "differ";
    Scenario s;
    g_autofree char *err = NULL;
    int rc;

    /* libxl's layout for the laptop: no warning */
    if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
        return;
    }
    write_hvm_info(&s.run, 0xa3e00000, 4 * GiB + 4 * GiB - 0xa3e00000);
    rc = xsq_run_qemu(true, 3, &err, "-xen-domid 1 -M xenfv,"
                      "xen-rdm.strategy=host -m 4G");
    g_assert_cmpint(rc, ==, -1);        /* ran until stopped */
    g_assert_null(strstr(err, warning));
    scenario_cleanup(&s);

    /* a toolstack that ignored the USB region: the warning says so */
    if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
        return;
    }
    write_hvm_info(&s.run, 0xf0000000, 4 * GiB + 256 * MiB);
    g_clear_pointer(&err, g_free);
    rc = xsq_run_qemu(true, 3, &err, "-xen-domid 1 -M xenfv,"
                      "xen-rdm.strategy=host -m 4G");
    g_assert_cmpint(rc, ==, -1);
    g_assert_nonnull(strstr(err, "the toolstack populated guest RAM up to "
                            "0xf0000000 and 0x110000000 (hvm_info), but the "
                            "compat plan ends low RAM at 0xa3e00000"));
    g_assert_nonnull(strstr(err, warning));
    scenario_cleanup(&s);
}

/*
 * Nothing asked QEMU about RDMs (libxl passes nothing), but the toolstack
 * moved RAM off them (hvm_info): a device whose region is no longer
 * guest RAM is accepted, although QEMU's own RAM layout still covers it.
 */
static void test_toolstack_moved_ram(void)
{
    Scenario s;
    QTestState *qts;
    QDict *rsp, *ret;
    QList *regions;
    g_autoptr(QDict) plan = NULL;

    if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
        return;
    }
    /* libxl's layout for the laptop with 00:14.0 passed through */
    write_hvm_info(&s.run, 0xa3e00000, 4 * GiB + 4 * GiB - 0xa3e00000);
    qts = xsq_start(&s.run, "-M xenfv -m 4096M");
    plan = query_rdm(qts);
    g_assert_cmphex(get_u64(plan, "lowmem-end"), ==, 0xf0000000);

    rsp = qtest_qmp(qts, "{'execute': 'xen-rdm-check-device',"
                    " 'arguments': {'host': '0000:00:14.0'}}");
    ret = qdict_get_qdict(rsp, "return");
    g_assert_cmpstr(qdict_get_str(ret, "result"), ==, "ok");
    regions = qdict_get_qlist(ret, "regions");
    g_assert_cmpuint(qlist_size(regions), ==, 1);
    g_assert_cmpstr(qdict_get_str(qobject_to(QDict, qlist_peek(regions)),
                                  "status"), ==, "reserved");
    qobject_unref(rsp);

    /* libxl's device_add: past the RDM check, to opening the device */
    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                    " {'driver': 'xen-pci-passthrough',"
                    "  'hostaddr': '0000:00:14.0'}}");
    g_assert_null(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                       "desc"), "RDM conflict"));
    qobject_unref(rsp);
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);

    /* the same without the table: QEMU's layout is all it knows */
    if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
        return;
    }
    qts = xsq_start(&s.run, "-M xenfv -m 4096M");
    rsp = qtest_qmp(qts, "{'execute': 'xen-rdm-check-device',"
                    " 'arguments': {'host': '0000:00:14.0'}}");
    ret = qdict_get_qdict(rsp, "return");
    g_assert_cmpstr(qdict_get_str(ret, "result"), ==, "refused");
    g_assert_nonnull(strstr(qdict_get_str(ret, "reason"),
                            "collides with guest RAM 0x0-0xefffffff"));
    qobject_unref(rsp);
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

static void test_bad_options(void)
{
    static const struct {
        const char *opts;
        const char *msg;
    } cases[] = {
        { "xen-rdm.strategy=all",
          "xen-rdm: Parameter 'strategy' does not accept value 'all'" },
        { "xen-rdm.policy=loose",
          "xen-rdm: Parameter 'policy' does not accept value 'loose'" },
        { "xen-rdm.layout=holes",
          "xen-rdm: Parameter 'layout' does not accept value 'holes'" },
        { "xen-rdm.mem-boundary=5G", "xen-rdm.mem-boundary: 0x140000000 is "
          "above 4 GiB" },
        { "xen-rdm.mem-boundary=lots",
          "Parameter 'xen-rdm.mem-boundary' expects size" },
        { "xen-rdm.pci.0.host=00:02", "xen-rdm.pci.0.host: invalid PCI "
          "device address '00:02'" },
        { "xen-rdm.pci.0.host=00:02.0,xen-rdm.pci.1.host=0:2.0",
          "xen-rdm.pci.1.host: device 0:2.0 is listed twice" },
        { "xen-rdm.pci.0.rdm-policy=strict",
          "Parameter 'xen-rdm.pci.0.host' is missing" },
        { "xen-rdm.color=red", "Parameter 'xen-rdm.color' is unexpected" },
    };
    g_autoptr(GString) wrong = g_string_new(NULL);
    Scenario s;

    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *err = NULL;
        int rc;

        if (!scenario_init(&s, laptop, GiB, NULL)) {
            return;
        }
        rc = xsq_run_qemu(true, XSQ_TIMEOUT, &err, "-xen-domid 1 "
                          "-M xenfv,%s -m 1G", cases[i].opts);
        if (rc != 1 || !strstr(err, cases[i].msg)) {
            g_string_append_printf(wrong, "%s: exit %d, '%s' lacks '%s'\n",
                                   cases[i].opts, rc, g_strchomp(err),
                                   cases[i].msg);
        }
        scenario_cleanup(&s);
    }
    if (wrong->len) {
        g_error("bad option values not refused as expected:\n%s",
                wrong->str);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/xen-rdm/compat/host-laptop", test_compat_host_laptop);
    qtest_add_func("/xen-rdm/split/laptop", test_split_laptop);
    qtest_add_func("/xen-rdm/split/dmar-host", test_dmar_host);
    qtest_add_func("/xen-rdm/split/overlapping", test_overlapping_split);
    qtest_add_func("/xen-rdm/strict-conflict-exits",
                   test_strict_conflict_exits);
    qtest_add_func("/xen-rdm/relaxed-conflict-reported",
                   test_relaxed_conflict_reported);
    qtest_add_func("/xen-rdm/not-requested-unchanged",
                   test_not_requested_unchanged);
    qtest_add_func("/xen-rdm/faults/enosys-eperm", test_hypervisor_faults);
    qtest_add_func("/xen-rdm/faults/count-change", test_count_change);
    qtest_add_func("/xen-rdm/hotplug-check", test_hotplug_check);
    qtest_add_func("/xen-rdm/hvm-info-check", test_hvm_info_check);
    qtest_add_func("/xen-rdm/toolstack-moved-ram", test_toolstack_moved_ram);
    qtest_add_func("/xen-rdm/bad-options", test_bad_options);
    return g_test_run();
}
