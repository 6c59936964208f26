/*
 * Guest RAM and reserved device memory on QEMU's Xen HVM machine under
 * xen-sim: RAM where the toolstack populated it (the hvm_info_table),
 * with and without the machine property xen-rdm, for layouts of libxl
 * from real DMAR tables; the plan as the check of the toolstack's RAM
 * (mismatch, strict refusal, HAP); QEMU's own plan when the table is
 * unusable; the QMP query against xen-rdm-plan's JSON; hot-plug checks;
 * restricted device models; incoming migration; hypervisor faults and
 * bad option values.
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
    unlink(s->rdm_file);
    g_free(s->rdm_file);
    xsq_run_cleanup(&s->run);
}

/* xen-rdm-plan --format json ARGS: its JSON, and *status its exit status */
static QDict *tool_json_args(const char *args, int *status)
{
    const char *tool = g_getenv("XEN_RDM_PLAN_TOOL");
    g_autofree char *cmd = NULL, *out = NULL, *err = NULL;
    g_autoptr(GError) gerr = NULL;
    g_auto(GStrv) argv = NULL;
    int ws;

    g_assert_nonnull(tool);
    cmd = g_strdup_printf("%s --format json %s", tool, args);
    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, &gerr));
    g_setenv("LD_LIBRARY_PATH", g_getenv("XEN_SIM_LIBDIR"), true);
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &ws, &gerr));
    g_unsetenv("LD_LIBRARY_PATH");
    g_assert_true(WIFEXITED(ws));
    *status = WEXITSTATUS(ws);
    if (*status > 1) {
        g_test_message("%s: status %d, stderr: %s", cmd, *status, err);
        return NULL;
    }
    return qobject_to(QDict, qobject_from_json(out, &error_abort));
}

/*
 * xen-rdm-plan --xenctrl against the same simulated hypervisor: the
 * plan libxl makes for these settings, and what QEMU's plan must be
 */
static QDict *tool_json(const char *args, int want_status)
{
    g_autofree char *full = g_strdup_printf("--xenctrl %s", args);
    int status;
    QDict *plan = tool_json_args(full, &status);

    g_assert_cmpint(status, ==, want_status);
    return plan;
}

static QDict *query_rdm(QTestState *qts)
{
    QDict *rsp = xsq_qmp_ok(qts, "query-xen-rdm");
    QDict *ret = qdict_get_qdict(rsp, "return");

    qobject_ref(ret);
    qobject_unref(rsp);
    return ret;
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

/* The part of the sim's call log of the process that started last */
static void assert_last_process_lacks(XenSimRun *r, const char *needle)
{
    g_autofree char *log = xsq_log(r);
    const char *last = log, *p;

    while ((p = strstr(last + 1, "init pid="))) {
        last = p;
    }
    if (strstr(last, needle)) {
        g_error("the last process in %s called %s", r->log, needle);
    }
}

/* The toolstack populated @plan's RAM (libxl's layouts: two ranges) */
static void populate_as(QDict *plan)
{
    xsq_set("XEN_SIM_LOWMEM_END", "%" PRIu64, get_u64(plan, "lowmem-end"));
    xsq_set("XEN_SIM_HIGHMEM_END", "%" PRIu64, get_u64(plan, "highmem-end"));
}

static void assert_members_equal(QDict *a, QDict *b,
                                 const char *const *keys, const char *what)
{
    for (; *keys; keys++) {
        QObject *x = qdict_get(a, *keys), *y = qdict_get(b, *keys);

        if (!x || !y || !qobject_is_equal(x, y)) {
            g_autoptr(GString) ja = qobject_to_json(QOBJECT(a));
            g_autoptr(GString) jb = qobject_to_json(QOBJECT(b));

            g_error("%s: member '%s' differs:\n  QMP:  %s\n  tool: %s",
                    what, *keys, ja->str, jb->str);
        }
    }
}

/* The same regions, what the conflict text says aside */
static void assert_regions_equal(QList *a, QList *b)
{
    static const char *const keys[] = {
        "start", "size", "policy", "status", "devices", NULL
    };
    const QListEntry *x, *y;

    g_assert_cmpuint(qlist_size(a), ==, qlist_size(b));
    for (x = qlist_first(a), y = qlist_first(b); x && y;
         x = qlist_next(x), y = qlist_next(y)) {
        assert_members_equal(qobject_to(QDict, qlist_entry_obj(x)),
                             qobject_to(QDict, qlist_entry_obj(y)), keys,
                             "region");
    }
}

/*
 * query-xen-rdm of a QEMU whose RAM follows what the toolstack populated
 * after @tool's plan: RAM, e820 and regions are the plan's, the plan is
 * the tool's, and nothing disagrees
 */
static void assert_follows_tool(QDict *q, QDict *tool, bool planned)
{
    static const char *const layout_keys[] = {
        "mmio-start", "lowmem-end", "highmem-end", "ram", "result", NULL
    };
    static const char *const plan_keys[] = {
        "layout", "lowmem-end", "highmem-end", "ram", "result", NULL
    };

    g_assert_cmpstr(qdict_get_str(q, "layout"), ==, "toolstack");
    g_assert_cmpstr(qdict_get_str(q, "source"), ==, "hvm-info");
    assert_members_equal(q, tool, layout_keys, "query-xen-rdm");
    g_assert_false(qdict_haskey(q, "mismatch"));
    g_assert_false(qdict_haskey(q, "toolstack-error"));
    if (planned) {
        static const char *const e820[] = { "e820", NULL };

        assert_members_equal(q, tool, e820, "query-xen-rdm");
        assert_regions_equal(qdict_get_qlist(q, "regions"),
                             qdict_get_qlist(tool, "regions"));
        assert_members_equal(qdict_get_qdict(q, "plan"), tool, plan_keys,
                             "query-xen-rdm plan");
    } else {
        const QListEntry *e, *r;

        g_assert_false(qdict_haskey(q, "plan"));
        g_assert_cmpuint(qlist_size(qdict_get_qlist(q, "regions")), ==, 0);
        /* the e820 of the RAM alone */
        g_assert_cmpuint(qlist_size(qdict_get_qlist(q, "e820")), ==,
                         qlist_size(qdict_get_qlist(q, "ram")));
        for (e = qlist_first(qdict_get_qlist(q, "e820")),
             r = qlist_first(qdict_get_qlist(q, "ram")); e && r;
             e = qlist_next(e), r = qlist_next(r)) {
            QDict *ed = qobject_to(QDict, qlist_entry_obj(e));
            QDict *rd = qobject_to(QDict, qlist_entry_obj(r));

            g_assert_cmpstr(qdict_get_str(ed, "type"), ==, "ram");
            g_assert_cmphex(get_u64(ed, "start"), ==, get_u64(rd, "start"));
            g_assert_cmphex(get_u64(ed, "size"), ==, get_u64(rd, "size"));
        }
    }
}

/*
 * The toolstack populates the tool's plan for @tool_args (as libxl does
 * for compat) and QEMU starts with @machine_opts: its RAM is where the
 * toolstack put it and its answer the tool's.  Returns the answer.
 */
static QDict *start_and_check(Scenario *s, const char *machine_opts,
                              const char *tool_args, QTestState **qtsp)
{
    g_autoptr(QDict) tool = tool_json(tool_args, 0);
    QDict *q;
    QTestState *qts;

    populate_as(tool);
    qts = xsq_start(&s->run, "-M xenfv,%s -m %" PRIu64 "M", machine_opts,
                    s->ram / MiB);
    q = query_rdm(qts);
    assert_follows_tool(q, tool, true);
    check_mtree_matches_plan(qts, q);
    g_assert_cmpstr(qdict_get_str(q, "result"), ==, "ok");
    *qtsp = qts;
    return q;
}

/*
 * No usable hvm_info_table: RAM follows QEMU's own plan, which is the
 * tool's.  Returns the answer.
 */
static QDict *start_plan_fallback(Scenario *s, const char *machine_opts,
                                  const char *tool_args, QTestState **qtsp)
{
    static const char *const keys[] = {
        "layout", "result", "mmio-start", "lowmem-end", "highmem-end", "ram",
        "regions", "e820", NULL
    };
    g_autoptr(QDict) tool = tool_json(tool_args, 0);
    QDict *q;
    QTestState *qts;

    xsq_set("XEN_SIM_HVM_INFO", "none");
    qts = xsq_start(&s->run, "-M xenfv,%s -m %" PRIu64 "M", machine_opts,
                    s->ram / MiB);
    q = query_rdm(qts);
    g_assert_cmpstr(qdict_get_str(q, "source"), ==, "plan");
    g_assert_nonnull(strstr(qdict_get_str(q, "toolstack-error"),
                            "there is none at 0x9f800"));
    assert_members_equal(q, tool, keys, "query-xen-rdm");
    check_mtree_matches_plan(qts, q);
    *qtsp = qts;
    return q;
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
    plan = start_plan_fallback(&s, "xen-rdm.strategy=host,"
                               "xen-rdm.layout=split,"
                               "xen-rdm.pci.0.host=00:14.0",
                               "--memory 4G --strategy host --layout split "
                               "--device 00:14.0", &qts);
    g_assert_cmpstr(region_status(plan, 0x7b800000), ==, "reserved");
    g_assert_cmpstr(region_status(plan, 0xa3eea000), ==, "reserved");
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

/*
 * No toolstack's layout to follow: RAM follows the split plan, holes
 * and all (the ram_size == below + above assertion relaxed for them)
 */
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
    plan = start_plan_fallback(&s, "xen-rdm.strategy=host,"
                               "xen-rdm.layout=split",
                               "--memory 4G --strategy host --layout split",
                               &qts);
    g_assert_cmpstr(qdict_get_str(plan, "layout"), ==, "split");
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

/*
 * layout=split with a toolstack that populated libxl's compat layout
 * (today's libxl): RAM follows the toolstack, and the disagreement is
 * in the warning and the query, never silent
 */
static void test_split_toolstack_mismatch(void)
{
    Scenario s;
    QTestState *qts;
    g_autoptr(QDict) compat = NULL;
    g_autoptr(QDict) q = NULL;
    g_autofree char *err = NULL;
    QDict *plan;
    int rc;

    if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
        return;
    }
    compat = tool_json("--memory 4G --strategy host", 0);
    populate_as(compat);
    rc = xsq_run_qemu(true, 3, &err, "-xen-domid 1 -M xenfv,"
                      "xen-rdm.strategy=host,xen-rdm.layout=split -m 4G");
    g_assert_cmpint(rc, ==, -1);        /* ran until stopped */
    g_assert_nonnull(strstr(err, "xen-rdm: the split plan puts guest RAM "
                            "at 0x0-0x7b7fffff, 0x7f800000-0xa3dfffff, "
                            "0xa4000000-"));
    g_assert_nonnull(strstr(err, "but the toolstack populated "
                            "0x0-0xa3dfffff, 0x100000000-0x15c1fffff "
                            "(hvm_info_table): RAM follows the toolstack"));
    /* the IGD region lies in the RAM libxl populated: relaxed, ignored */
    g_assert_nonnull(strstr(err, "reserved device memory "
                            "0x7b800000-0x7f7fffff (policy relaxed) is "
                            "ignored: it collides with guest RAM "
                            "0x0-0xa3dfffff populated by the toolstack"));

    qts = xsq_start(&s.run, "-M xenfv,xen-rdm.strategy=host,"
                    "xen-rdm.layout=split -m 4096M");
    q = query_rdm(qts);
    g_assert_cmpstr(qdict_get_str(q, "layout"), ==, "toolstack");
    g_assert_nonnull(strstr(qdict_get_str(q, "mismatch"),
                            "RAM follows the toolstack"));
    plan = qdict_get_qdict(q, "plan");
    g_assert_cmpstr(qdict_get_str(plan, "layout"), ==, "split");
    g_assert_cmpuint(qlist_size(qdict_get_qlist(plan, "ram")), ==, 4);
    g_assert_cmphex(get_u64(q, "lowmem-end"), ==, 0xa3e00000);
    g_assert_cmpstr(region_status(q, 0x7b800000), ==, "ignored");
    g_assert_cmpstr(region_status(q, 0xa3eea000), ==, "reserved");
    check_mtree_matches_plan(qts, q);
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

/*
 * The toolstack populated @plan's RAM holes and all, as libxl with
 * rdm=layout=split does (one vmemrange per RAM range)
 */
static void populate_split(QDict *plan, uint64_t shift)
{
    g_autoptr(GString) holes = g_string_new(NULL);
    uint64_t prev_end = 0;
    const QListEntry *e;

    populate_as(plan);
    for (e = qlist_first(qdict_get_qlist(plan, "ram")); e;
         e = qlist_next(e)) {
        QDict *r = qobject_to(QDict, qlist_entry_obj(e));
        uint64_t start = get_u64(r, "start");

        if (prev_end && (prev_end < 4 * GiB) == (start < 4 * GiB)) {
            g_string_append_printf(holes, "0x%" PRIx64 "+0x%" PRIx64 ",",
                                   prev_end + shift, start - prev_end);
        }
        prev_end = start + get_u64(r, "size");
    }
    g_assert_cmpuint(holes->len, >, 0);
    xsq_set("XEN_SIM_HOLES", "%s", holes->str);
}

/*
 * layout=split populated by the toolstack: QEMU's RAM is the RAM with its
 * holes, below 4 GiB (a strict region at 64 MiB of a 256 MiB guest,
 * which libxl 4.17 refuses: below rdm_mem_boundary) and above
 */
static void test_split_populated(void)
{
    static const struct {
        const char *rdms, *opts, *args;
        uint64_t ram;
    } cases[] = {
        { "0x4000000 4K 0000:00:14.0\n", "xen-rdm.pci.0.host=00:14.0",
          "--device 00:14.0", 256 * MiB },
        { "0x140000000 4K 0000:03:00.0\n", "xen-rdm.pci.0.host=03:00.0",
          "--device 03:00.0", 6 * GiB },
        { laptop, "xen-rdm.strategy=host", "--strategy host", 6 * GiB },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *args = g_strdup_printf("--memory %" PRIu64
                                                " --layout split %s",
                                                cases[i].ram, cases[i].args);
        g_autoptr(QDict) tool = NULL;
        g_autoptr(QDict) q = NULL;
        QTestState *qts;
        Scenario s;

        if (!scenario_init(&s, cases[i].rdms, cases[i].ram, NULL)) {
            return;
        }
        tool = tool_json(args, 0);
        populate_split(tool, 0);
        qts = xsq_start(&s.run, "-M xenfv,xen-rdm.layout=split,%s "
                        "-m %" PRIu64 "M", cases[i].opts,
                        cases[i].ram / MiB);
        q = query_rdm(qts);
        assert_follows_tool(q, tool, true);
        g_assert_cmpuint(qlist_size(qdict_get_qlist(q, "ram")), >=, 2);
        check_mtree_matches_plan(qts, q);
        xsq_quit_cleanly(qts);
        scenario_cleanup(&s);
    }
}

/*
 * Holes QEMU's split plan does not explain stop QEMU: holes elsewhere
 * (the ends the plan's), or RAM that ends elsewhere
 */
static void test_split_populated_elsewhere(void)
{
    static const char rdms[] = "0x4000000 4K 0000:00:14.0\n";
    g_autoptr(QDict) tool = NULL;
    g_autofree char *err = NULL;
    Scenario s;
    int rc;

    if (!scenario_init(&s, rdms, 256 * MiB, NULL)) {
        return;
    }
    tool = tool_json("--memory 256M --layout split --device 00:14.0", 0);
    /* the plan's hole, [64 MiB, 66 MiB), 2 MiB higher */
    populate_split(tool, 2 * MiB);
    rc = xsq_run_qemu(true, XSQ_TIMEOUT, &err, "-xen-domid 1 -M xenfv,"
                      "xen-rdm.layout=split,xen-rdm.pci.0.host=00:14.0 "
                      "-m 256M");
    g_assert_cmpint(rc, ==, 1);
    g_assert_nonnull(strstr(err, "xen-rdm: the toolstack's guest RAM is not "
                            "the split plan's 0x0-0x3ffffff, "
                            "0x4200000-0x101fffff: the hypervisor has guest "
                            "RAM at 0x4000000, where the layout has a hole"));
    scenario_cleanup(&s);

    if (!scenario_init(&s, rdms, 256 * MiB, NULL)) {
        return;
    }
    xsq_set("XEN_SIM_LOWMEM_END", "0x10400000");
    xsq_set("XEN_SIM_HOLES", "0x4000000+2M,0x8000000+2M");
    g_clear_pointer(&err, g_free);
    rc = xsq_run_qemu(true, XSQ_TIMEOUT, &err, "-xen-domid 1 -M xenfv,"
                      "xen-rdm.layout=split,xen-rdm.pci.0.host=00:14.0 "
                      "-m 256M");
    g_assert_cmpint(rc, ==, 1);
    g_assert_nonnull(strstr(err, "xen-rdm: the toolstack populated guest RAM "
                            "with holes up to 0x10400000 below 4 GiB and 0x0 "
                            "above (hvm_info_table), but the split plan puts "
                            "it at 0x0-0x3ffffff, 0x4200000-0x101fffff"));
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
    plan = start_plan_fallback(&s, "xen-rdm.strategy=host,"
                               "xen-rdm.layout=split,"
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

/* A region QEMU must keep free under strict policy in guest RAM: exit */
static void test_strict_conflict_exits(void)
{
    Scenario s;
    g_autofree char *err = NULL;
    int rc;

    /* in the RAM the toolstack populated (libxl was not told the device) */
    if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
        return;
    }
    rc = xsq_run_qemu(true, XSQ_TIMEOUT, &err, "-xen-domid 1 -M xenfv,"
                      "xen-rdm.pci.0.host=0000:00:02.0 -m 4G");
    g_assert_cmpint(rc, ==, 1);
    g_assert_nonnull(strstr(err, "xen-rdm: RDM conflict: region "
                            "0x7b800000-0x7f7fffff (devices: 0000:00:02.0) "
                            "with policy strict lies in guest RAM "
                            "0x0-0xefffffff populated by the toolstack"));
    scenario_cleanup(&s);

    /* a region in the first MiB, the RAM there populated */
    if (!scenario_init(&s, first_mib, GiB, NULL)) {
        return;
    }
    g_clear_pointer(&err, g_free);
    rc = xsq_run_qemu(true, XSQ_TIMEOUT, &err, "-xen-domid 1 -M xenfv,"
                      "xen-rdm.layout=split,xen-rdm.pci.0.host=00:1d.0 "
                      "-m 1G");
    g_assert_cmpint(rc, ==, 1);
    g_assert_nonnull(strstr(err, "region 0x7c000-0x7cfff (devices: "
                            "0000:00:1d.0) with policy strict lies in guest "
                            "RAM 0x0-0x3fffffff populated by the toolstack"));
    scenario_cleanup(&s);

    /* without the table, QEMU's own split plan refuses it */
    if (!scenario_init(&s, first_mib, GiB, NULL)) {
        return;
    }
    xsq_set("XEN_SIM_HVM_INFO", "none");
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

/*
 * Without xen-rdm on a classic layout: unmodified QEMU's RAM, even on a
 * hypervisor without RDMs, which is not asked
 */
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
    xsq_assert_log_lacks(&s.run, "xc_domain_getinfo");
    plan = query_rdm(qts);
    g_assert_cmpstr(qdict_get_str(plan, "layout"), ==, "toolstack");
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

/* The data of the next XEN_RDM_CONFLICT event (caller unrefs) */
static QDict *conflict_event(QTestState *qts)
{
    return qtest_qmp_eventwait_ref(qts, "XEN_RDM_CONFLICT");
}

static const char *error_desc(QDict *rsp)
{
    return qdict_get_str(qdict_get_qdict(rsp, "error"), "desc");
}

static void test_hotplug_check(void)
{
    Scenario s;
    QTestState *qts;
    QDict *rsp, *ret, *ev;

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
    g_assert_nonnull(strstr(error_desc(rsp),
                            "invalid PCI device address '00:14'"));
    qobject_unref(rsp);
    rsp = qtest_qmp(qts, "{'execute': 'xen-rdm-check-device',"
                    " 'arguments': {'host': '00:14.0', 'rdm-policy': 'x'}}");
    g_assert_true(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                    " {'driver': 'xen-pci-passthrough',"
                    "  'hostaddr': '0000:00:14.0', 'rdm-policy': 'loose'}}");
    g_assert_nonnull(strstr(error_desc(rsp), "rdm-policy"));
    g_assert_nonnull(strstr(error_desc(rsp), "loose"));
    qobject_unref(rsp);

    /*
     * device_add as libxl 4.17 sends it, no policy: QEMU checks, reports
     * the collision, and adds the device (opening the host device fails
     * next, as there is none here): Xen applies libxl's policy
     */
    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                    " {'driver': 'xen-pci-passthrough',"
                    "  'hostaddr': '0000:00:14.0'}}");
    g_assert_null(strstr(error_desc(rsp), "RDM conflict"));
    g_assert_nonnull(strstr(error_desc(rsp), "0000:00:14.0"));
    qobject_unref(rsp);
    ev = conflict_event(qts);
    ret = qdict_get_qdict(ev, "data");
    g_assert_cmpstr(qdict_get_str(ret, "device"), ==, "0000:00:14.0");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(ret, "region"), "status"),
                    ==, "conflict");
    qobject_unref(ev);

    /* told strict: refused with the region named */
    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                    " {'driver': 'xen-pci-passthrough',"
                    "  'hostaddr': '0000:00:14.0', 'rdm-policy': 'strict'}}");
    g_assert_nonnull(strstr(error_desc(rsp),
                            "needs region 0xa3eea000-0xa3ef8fff with "
                            "policy strict"));
    qobject_unref(rsp);
    qobject_unref(conflict_event(qts));

    /* told relaxed: the event, then the RDM check passes */
    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                    " {'driver': 'xen-pci-passthrough',"
                    "  'hostaddr': '0000:00:14.0', 'rdm-policy': 'relaxed'}}");
    g_assert_null(strstr(error_desc(rsp), "RDM conflict"));
    qobject_unref(rsp);
    ev = conflict_event(qts);
    ret = qdict_get_qdict(ev, "data");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(ret, "region"), "status"),
                    ==, "ignored");
    qobject_unref(ev);

    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

/* A split guest of 256 MiB with a hole at 64 MiB for 00:14.0's region */
static const char split_rdms[] = "0x4000000 4K 0000:00:14.0\n";
#define SPLIT_OPTS "-M xenfv,xen-rdm.layout=split,xen-rdm.pci.0.host=00:14.0"

/* Map the std VGA's video RAM (00:04.0, BAR 0) at @addr, as firmware does */
static void map_vga_vram(QTestState *qts, uint32_t addr)
{
    const uint32_t cfg = 0x80000000 | (4 << 11);

    qtest_outl(qts, 0xcf8, cfg);
    g_assert_cmphex(qtest_inl(qts, 0xcfc), ==, 0x11111234);
    qtest_outl(qts, 0xcf8, cfg | 0x10);
    qtest_outl(qts, 0xcfc, addr);
    qtest_outl(qts, 0xcf8, cfg | 0x04);
    qtest_outw(qts, 0xcfc, 0x0003);
}

static QDict *check_device(QTestState *qts, const char *host,
                           const char *policy)
{
    QDict *rsp = qtest_qmp(qts, "{'execute': 'xen-rdm-check-device',"
                           " 'arguments': {'host': %s, 'rdm-policy': %s}}",
                           host, policy);
    QDict *ret = qdict_get_qdict(rsp, "return");

    g_assert_nonnull(ret);
    qobject_ref(ret);
    qobject_unref(rsp);
    return ret;
}

static const char *only_region_status(QDict *ret)
{
    QList *regions = qdict_get_qlist(ret, "regions");

    g_assert_cmpuint(qlist_size(regions), ==, 1);
    return qdict_get_str(qobject_to(QDict, qlist_peek(regions)), "status");
}

/*
 * Hot-plug of a device whose region is not guest RAM: in a hole of the
 * guest's split layout, accepted as it is (nothing new planned); over
 * video RAM the hypervisor populated in the MMIO hole (the VGA's BAR),
 * refused under strict, a warning under relaxed; elsewhere in the MMIO
 * hole, accepted
 */
static void test_hotplug_outside_ram(void)
{
    static const char rdms[] =
        "0x4000000 4K 0000:00:14.0\n"
        "0x4100000 4K 0000:00:1d.0\n"      /* in 00:14.0's hole */
        "0xf0100000 4K 0000:00:1a.0\n"     /* over the VGA's VRAM */
        "0xf8000000 4K 0000:00:1b.0\n";    /* the MMIO hole, nothing there */
    g_autoptr(QDict) tool = NULL;
    g_autoptr(QDict) before = NULL;
    g_autoptr(QDict) after = NULL;
    QDict *ret, *rsp;
    QTestState *qts;
    Scenario s;

    if (!scenario_init(&s, rdms, 256 * MiB, NULL)) {
        return;
    }
    tool = tool_json("--memory 256M --layout split --device 00:14.0", 0);
    populate_split(tool, 0);
    qts = xsq_start(&s.run, SPLIT_OPTS " -m 256M "
                    "-device VGA,addr=04.0,romfile=");
    before = query_rdm(qts);
    map_vga_vram(qts, 0xf0000000);
    xsq_assert_log_has(&s.run, "dst_gfn=0xf0000 ");

    ret = check_device(qts, "00:1d.0", "strict");
    g_assert_cmpstr(qdict_get_str(ret, "result"), ==, "ok");
    g_assert_cmpstr(only_region_status(ret), ==, "reserved");
    qobject_unref(ret);
    after = query_rdm(qts);
    assert_regions_equal(qdict_get_qlist(after, "regions"),
                         qdict_get_qlist(before, "regions"));
    g_assert_cmpuint(qlist_size(qdict_get_qlist(after, "ram")), ==,
                     qlist_size(qdict_get_qlist(before, "ram")));
    check_mtree_matches_plan(qts, after);

    ret = check_device(qts, "00:1a.0", "strict");
    g_assert_cmpstr(qdict_get_str(ret, "result"), ==, "refused");
    g_assert_cmpstr(only_region_status(ret), ==, "conflict");
    g_assert_nonnull(strstr(qdict_get_str(ret, "reason"),
                            "device 0000:00:1a.0 needs region "
                            "0xf0100000-0xf0100fff with policy strict, but "
                            "it collides with guest memory the hypervisor "
                            "holds at 0xf0100000, outside guest RAM"));
    qobject_unref(ret);
    ret = check_device(qts, "00:1a.0", "relaxed");
    g_assert_cmpstr(qdict_get_str(ret, "result"), ==, "ok");
    g_assert_cmpstr(only_region_status(ret), ==, "ignored");
    qobject_unref(ret);

    /* xen-pci-passthrough's own check, told strict: refused */
    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                    " {'driver': 'xen-pci-passthrough',"
                    "  'hostaddr': '0000:00:1a.0', 'rdm-policy': 'strict'}}");
    g_assert_nonnull(strstr(error_desc(rsp), "RDM conflict: device "
                            "0000:00:1a.0 needs region 0xf0100000"));
    qobject_unref(rsp);
    qobject_unref(conflict_event(qts));

    ret = check_device(qts, "00:1b.0", "strict");
    g_assert_cmpstr(qdict_get_str(ret, "result"), ==, "ok");
    g_assert_cmpstr(only_region_status(ret), ==, "reserved");
    qobject_unref(ret);
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

/* A device added without a policy: the warning QEMU gives */
static void test_hotplug_untold_warns(void)
{
    Scenario s;
    g_autofree char *err = NULL;
    int rc;

    if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
        return;
    }
    rc = xsq_run_qemu(true, XSQ_TIMEOUT, &err, "-xen-domid 1 -M xenfv -m 4G "
                      "-device xen-pci-passthrough,hostaddr=0000:00:14.0");
    /* no such host device here: QEMU stops after the RDM check */
    g_assert_cmpint(rc, ==, 1);
    g_assert_nonnull(strstr(err, "xen-rdm: 0000:00:14.0: reserved device "
                            "memory 0xa3eea000-0xa3ef8fff collides with "
                            "guest RAM 0x0-0xefffffff; QEMU was not told the "
                            "device's rdm_policy"));
    g_assert_null(strstr(err, "RDM conflict"));
    scenario_cleanup(&s);
}

/*
 * Every unusable hvm_info_table: one warning naming what is wrong, and
 * QEMU's classic layout
 */
static void test_bad_hvm_info(void)
{
    static const struct {
        const char *var, *val;
        const char *msg;
    } cases[] = {
        { "XEN_SIM_HVM_INFO", "none", "there is none at 0x9f800" },
        { "XEN_SIM_HVM_INFO", "bad-signature", "there is none at 0x9f800" },
        { "XEN_SIM_HVM_INFO", "bad-checksum", "its checksum is wrong" },
        { "XEN_SIM_HVM_INFO", "bad-length",
          "its length 4096 is not between" },
        { "XEN_SIM_HVM_INFO_LOW", "0xf8000000",
          "low RAM ends at 0xf8000000, above the start of the MMIO hole "
          "0xf0000000" },
        { "XEN_SIM_HVM_INFO_LOW", "0x80000",
          "low RAM ends at 0x80000, below 1 MiB" },
        { "XEN_SIM_HVM_INFO_LOW", "0x80000000",
          "RAM below 4 GiB (0x80000000) and above (0x10000000) adds up to "
          "0x90000000, not the guest's 0x100000000 (-m)" },
        { "XEN_SIM_HVM_INFO_HIGH", "0x80000000",
          "below 4 GiB and 0x80000000 above is not a layout" },
    };
    g_autoptr(GString) wrong = g_string_new(NULL);

    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        Scenario s;
        QTestState *qts;
        g_autofree char *err = NULL;
        g_autoptr(QDict) q = NULL;
        g_autoptr(GArray) ram = NULL;
        const char *w;
        int rc;

        if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
            return;
        }
        xsq_set(cases[i].var, "%s", cases[i].val);
        rc = xsq_run_qemu(true, 3, &err, "-xen-domid 1 -M xenfv -m 4G");
        w = strstr(err, "xen-rdm: not using the guest's hvm_info_table: ");
        if (rc != -1 || !w || !strstr(w, cases[i].msg) ||
            strstr(w + 1, "xen-rdm:")) {
            g_string_append_printf(wrong, "%s=%s: exit %d, stderr '%s' lacks "
                                   "one warning with '%s'\n", cases[i].var,
                                   cases[i].val, rc, g_strchomp(err),
                                   cases[i].msg);
        }
        qts = xsq_start(&s.run, "-M xenfv -m 4096M");
        q = query_rdm(qts);
        g_assert_cmpstr(qdict_get_str(q, "source"), ==, "classic");
        g_assert_cmpstr(qdict_get_str(q, "layout"), ==, "compat");
        g_assert_nonnull(strstr(qdict_get_str(q, "toolstack-error"),
                                cases[i].msg));
        ram = flat_ram(qts);
        g_assert_cmpuint(ram->len, ==, 3);
        g_assert_cmphex(g_array_index(ram, XsqMtreeRange, 1).last, ==,
                        0xefffffff);
        g_assert_cmphex(g_array_index(ram, XsqMtreeRange, 2).last, ==,
                        4 * GiB + 256 * MiB - 1);
        xsq_quit_cleanly(qts);
        scenario_cleanup(&s);
    }
    if (wrong->len) {
        g_error("unusable hvm_info_tables not reported as expected:\n%s",
                wrong->str);
    }
}

/*
 * Nothing told QEMU about RDMs (libxl passes nothing), but the toolstack
 * moved RAM off them: QEMU's RAM is the toolstack's, and a device whose
 * region is not guest RAM is accepted.
 */
static void test_toolstack_moved_ram(void)
{
    Scenario s;
    QTestState *qts;
    QDict *rsp, *ret;
    QList *regions;
    g_autoptr(QDict) q = NULL;
    g_autoptr(QDict) tool = NULL;

    if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
        return;
    }
    /* libxl's layout for the laptop with 00:14.0 passed through */
    tool = tool_json("--memory 4G --device 00:14.0", 0);
    g_assert_cmphex(get_u64(tool, "lowmem-end"), ==, 0xa3e00000);
    populate_as(tool);
    qts = xsq_start(&s.run, "-M xenfv -m 4096M");
    q = query_rdm(qts);
    assert_follows_tool(q, tool, false);
    check_mtree_matches_plan(qts, q);
    /* QEMU did not ask the hypervisor at start-up (the tool did) */
    assert_last_process_lacks(&s.run, "xc_reserved_device_memory_map");

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
                    "  'hostaddr': '0000:00:14.0', 'rdm-policy': 'strict'}}");
    g_assert_null(strstr(error_desc(rsp), "RDM conflict"));
    qobject_unref(rsp);
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

/*
 * HAP from the domain: libxl rounds lowmem_end down to 2 MiB below a
 * region only for HAP guests, and QEMU's plan does as the domain does
 */
static void test_hap_from_domain(void)
{
    for (int hap = 0; hap <= 1; hap++) {
        Scenario s;
        QTestState *qts;
        g_autoptr(QDict) q = NULL;
        g_autofree char *err = NULL;
        uint64_t low = hap ? 0xa3e00000 : 0xa3eea000;
        int rc;

        if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
            return;
        }
        xsq_set("XEN_SIM_HAP", "%d", hap);
        /* libxl (shadow paging for hap 0) populated this */
        xsq_set("XEN_SIM_LOWMEM_END", "%" PRIu64, low);
        xsq_set("XEN_SIM_HIGHMEM_END", "%" PRIu64, 8 * GiB - low);
        qts = xsq_start(&s.run, "-M xenfv,xen-rdm.pci.0.host=00:14.0 "
                        "-m 4096M");
        q = query_rdm(qts);
        xsq_assert_log_has(&s.run, "xc_domain_getinfo -> domid=1 hap=");
        g_assert_cmphex(get_u64(qdict_get_qdict(q, "plan"), "lowmem-end"),
                        ==, low);
        g_assert_cmphex(get_u64(q, "lowmem-end"), ==, low);
        g_assert_false(qdict_haskey(q, "mismatch"));
        check_mtree_matches_plan(qts, q);
        xsq_quit_cleanly(qts);

        /* the other rounding is a mismatch */
        xsq_set("XEN_SIM_HAP", "%d", !hap);
        rc = xsq_run_qemu(true, 3, &err, "-xen-domid 1 "
                          "-M xenfv,xen-rdm.pci.0.host=00:14.0 -m 4G");
        g_assert_cmpint(rc, ==, -1);
        g_assert_nonnull(strstr(err, "RAM follows the toolstack"));
        scenario_cleanup(&s);
    }
}

/*
 * -xen-domid-restrict: start-up works as without the series; devices
 * listed in xen-rdm.pci are still checked (their regions were asked for
 * before the restriction), others are left to Xen's check
 */
static void test_restricted(void)
{
    Scenario s;
    QTestState *qts;
    QDict *rsp, *ret;
    g_autoptr(QDict) q = NULL;

    if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
        return;
    }
    qts = xsq_start(&s.run, "-xen-domid-restrict -M xenfv,"
                    "xen-rdm.pci.0.host=00:1d.0,"
                    "xen-rdm.pci.0.rdm-policy=relaxed -m 4096M");
    xsq_assert_log_has(&s.run, "xentoolcore_restrict_all domid=1");
    q = query_rdm(qts);
    g_assert_cmpstr(qdict_get_str(q, "layout"), ==, "toolstack");

    /* listed: answered from what was asked for at start-up */
    rsp = qtest_qmp(qts, "{'execute': 'xen-rdm-check-device',"
                    " 'arguments': {'host': '00:1d.0'}}");
    ret = qdict_get_qdict(rsp, "return");
    g_assert_cmpstr(qdict_get_str(ret, "rdm-policy"), ==, "relaxed");
    g_assert_cmpstr(qdict_get_str(ret, "result"), ==, "ok");
    g_assert_cmpuint(qlist_size(qdict_get_qlist(ret, "regions")), ==, 1);
    qobject_unref(rsp);

    /* not listed: the hypervisor cannot be asked any more */
    rsp = qtest_qmp(qts, "{'execute': 'xen-rdm-check-device',"
                    " 'arguments': {'host': '00:14.0'}}");
    g_assert_nonnull(strstr(error_desc(rsp), "QEMU runs restricted "
                            "(-xen-domid-restrict)"));
    qobject_unref(rsp);

    /* and device_add goes on to the device, even told strict */
    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                    " {'driver': 'xen-pci-passthrough',"
                    "  'hostaddr': '0000:00:14.0', 'rdm-policy': 'strict'}}");
    g_assert_null(strstr(error_desc(rsp), "RDM conflict"));
    g_assert_null(strstr(error_desc(rsp), "restricted"));
    qobject_unref(rsp);
    /* nothing asked the hypervisor for RDMs after the restriction */
    {
        g_autofree char *log = xsq_log(&s.run);
        const char *after = strstr(log, "xentoolcore_restrict_all");

        g_assert_nonnull(after);
        g_assert_null(strstr(after, "xc_reserved_device_memory_map"));
    }
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}


/*
 * libxl's layouts on real hosts: for DMAR tables of the corpus whose
 * RMRRs make libxl (strategy=host) move lowmem_end, leave it, or move
 * RAM above 4 GiB, the sim populates libxl's layout.  QEMU told nothing
 * has its RAM exactly there; told the same settings, its plan agrees.
 */
static int str_ptr_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_corpus_layouts(void)
{
    const char *dir = g_getenv("XEN_RDM_CORPUS_DIR");
    static const uint64_t sizes[] = { 2 * GiB, 3 * GiB, 6 * GiB };
    static const char *const kinds[] = {
        "lowmem_end moved", "lowmem_end not moved",
        "lowmem_end moved, more RAM above 4 GiB"
    };
    g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    unsigned found[3] = { 0 };
    g_autoptr(GDir) d = NULL;
    const char *name;

    if (!xsq_have_qemu()) {
        return;
    }
    if (!dir || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_test_skip("the DMAR corpus is not there (XEN_RDM_CORPUS_DIR, "
                    "scripts/run-qtests.sh: ../shared/corpus/dmar next to "
                    "the repository): its libxl layouts are not run");
        return;
    }
    d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, ".dat")) {
            g_ptr_array_add(files, g_build_filename(dir, name, NULL));
        }
    }
    g_ptr_array_sort(files, str_ptr_cmp);

    for (guint f = 0; f < files->len; f++) {
        for (unsigned z = 0; z < G_N_ELEMENTS(sizes); z++) {
            g_autofree char *args = g_strdup_printf(
                "--dmar %s --memory %" PRIu64 " --strategy host",
                (char *)g_ptr_array_index(files, f), sizes[z]);
            g_autoptr(QDict) plan = NULL;
            uint64_t classic_low = MIN(sizes[z], 0xf0000000ULL);
            uint64_t low;
            int status, kind;

            plan = tool_json_args(args, &status);
            if (status) {
                continue;
            }
            low = get_u64(plan, "lowmem-end");
            if (low == classic_low) {
                kind = 1;
            } else if (sizes[z] > classic_low) {
                kind = 2;
            } else {
                kind = 0;
            }
            if (found[kind] < 2) {
                found[kind]++;
                g_ptr_array_add(cases, g_strdup_printf(
                    "%s|%" PRIu64 "|%d",
                    (char *)g_ptr_array_index(files, f), sizes[z], kind));
            }
        }
    }
    g_test_message("corpus cases: %u moved, %u not moved, %u above 4 GiB",
                   found[0], found[1], found[2]);
    g_assert_cmpuint(found[0] + found[2], >, 0);
    g_assert_cmpuint(found[1], >, 0);

    for (guint c = 0; c < cases->len; c++) {
        g_auto(GStrv) parts = g_strsplit(g_ptr_array_index(cases, c), "|",
                                         3);
        uint64_t ram = g_ascii_strtoull(parts[1], NULL, 10);
        g_autofree char *args = g_strdup_printf("--memory %" PRIu64
                                                " --strategy host", ram);
        g_autoptr(QDict) tool = NULL;
        Scenario s;

        g_test_message("%s, %" PRIu64 " MiB: %s", parts[0], ram / MiB,
                       kinds[atoi(parts[2])]);
        for (int told = 0; told <= 1; told++) {
            g_autoptr(QDict) q = NULL;
            QTestState *qts;

            if (!scenario_init(&s, "", ram, NULL)) {
                return;
            }
            g_unsetenv("XEN_SIM_RDM_FILE");
            xsq_set("XEN_SIM_RDM_DMAR", "%s", parts[0]);
            if (!tool) {
                tool = tool_json(args, 0);
            }
            populate_as(tool);
            qts = xsq_start(&s.run, "-M xenfv%s -m %" PRIu64 "M",
                            told ? ",xen-rdm.strategy=host" : "",
                            ram / MiB);
            q = query_rdm(qts);
            assert_follows_tool(q, tool, told);
            check_mtree_matches_plan(qts, q);
            xsq_quit_cleanly(qts);
            scenario_cleanup(&s);
        }
    }
}

static void save_devices(QTestState *qts, const char *file)
{
    QDict *rsp = qtest_qmp(qts, "{'execute': 'xen-save-devices-state',"
                           " 'arguments': {'filename': %s, 'live': false}}",
                           file);

    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

/* Wait (bounded) for the incoming migration to finish and the VM to run */
static void wait_running(QTestState *qts)
{
    for (int i = 0; i < XSQ_TIMEOUT * 10; i++) {
        g_autoptr(QDict) rsp = xsq_qmp_ok(qts, "query-status");
        const char *st = qdict_get_str(qdict_get_qdict(rsp, "return"),
                                       "status");

        if (!strcmp(st, "running")) {
            return;
        }
        g_usleep(100 * 1000);
    }
    g_error("the guest did not run after the incoming migration");
}

/*
 * Restore after save (libxl: xen-save-devices-state on the source, the
 * device model started with -incoming on the destination): the guest
 * has run, and its hvm_info_table page is guest-writable, so the layout
 * is the one the QEMU it came from used, carried in the device state
 */
static void restore_with_table(const char *file, QDict *populated,
                               uint64_t table_low, uint64_t table_high,
                               uint64_t want_low)
{
    g_autoptr(QDict) q = NULL;
    Scenario s;
    QTestState *qts;

    if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
        return;
    }
    if (populated) {
        populate_as(populated);
    }
    /* what the guest wrote into its table */
    xsq_set("XEN_SIM_HVM_INFO_LOW", "%" PRIu64, table_low);
    xsq_set("XEN_SIM_HVM_INFO_HIGH", "%" PRIu64, table_high);
    qts = xsq_start(&s.run, "-M xenfv -m 4096M -incoming file:%s", file);
    wait_running(qts);
    q = query_rdm(qts);
    g_assert_cmpstr(qdict_get_str(q, "source"), ==, "migration");
    g_assert_cmphex(get_u64(q, "lowmem-end"), ==, want_low);
    g_assert_cmphex(get_u64(q, "highmem-end"), ==,
                    8 * GiB - want_low);
    check_mtree_matches_plan(qts, q);
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

static char *state_file(void)
{
    char *file = g_build_filename(g_get_tmp_dir(),
                                  "xen-rdm-test-state-XXXXXX", NULL);
    int fd = g_mkstemp(file);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    return file;
}

/*
 * Save a 4 GiB guest of the laptop into @file, its RAM where libxl puts
 * it with xen-rdm-plan's @args (NULL: classic), that plan in *@tool
 */
static void save_laptop(const char *file, const char *args, QDict **tool)
{
    Scenario s;
    QTestState *qts;

    g_assert_true(scenario_init(&s, laptop, 4 * GiB, NULL));
    if (args) {
        *tool = tool_json(args, 0);
        populate_as(*tool);
    }
    qts = xsq_start(&s.run, "-M xenfv -m 4096M");
    save_devices(qts, file);
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

static void test_migration(void)
{
    g_autofree char *file = NULL;
    g_autoptr(QDict) moved = NULL;
    Scenario s;

    if (!xsq_have_qemu()) {
        return;
    }
    file = state_file();
    /* a source whose RAM libxl moved off 00:14.0's region */
    save_laptop(file, "--memory 4G --device 00:14.0", &moved);
    /* the guest rewrote its table to say "classic": the stream decides */
    restore_with_table(file, moved, 0xf0000000, 4 * GiB + 256 * MiB,
                       0xa3e00000);

    /* a stream whose layout is not one of this guest: the load fails */
    {
        static const struct {
            unsigned offset;        /* after the section's version */
            uint32_t value;         /* big-endian 32-bit word written */
            const char *msg;
        } bad[] = {
            { 0, 0x10000000, "the migration stream has 268435456 guest RAM "
              "ranges, not between 1 and 65536" },
            /* the low half of the first range's size: one page more */
            { 4 + 8 + 4, 0xa3e01000, "RAM ranges sum to 0x100001000, not "
              "the requested 0x100000000" },
        };
        g_autofree char *data = NULL;
        gsize len;
        const char *sec;

        g_assert_true(g_file_get_contents(file, &data, &len, NULL));
        sec = memmem(data, len, "\x0exen-rdm-layout", 15);
        g_assert_nonnull(sec);
        for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
            g_autofree char *copy = g_memdup2(data, len);
            g_autofree char *bad_file = g_strdup_printf("%s.bad", file);
            g_autofree char *err = NULL;
            uint32_t be = GUINT32_TO_BE(bad[i].value);
            int rc;

            memcpy(copy + (sec - data) + 15 + 8 + bad[i].offset, &be, 4);
            g_assert_true(g_file_set_contents(bad_file, copy, len, NULL));
            if (!scenario_init(&s, laptop, 4 * GiB, NULL)) {
                return;
            }
            populate_as(moved);
            rc = xsq_run_qemu(true, XSQ_TIMEOUT, &err, "-xen-domid 1 "
                              "-M xenfv -m 4G -incoming file:%s", bad_file);
            g_assert_cmpint(rc, ==, 1);
            g_assert_nonnull(strstr(err, bad[i].msg));
            scenario_cleanup(&s);
            unlink(bad_file);
        }
    }

    /* a classic source sends no layout (as unmodified QEMU does) */
    save_laptop(file, NULL, NULL);
    /* its guest rewrote the table to claim a moved layout: classic */
    restore_with_table(file, NULL, 0xa3e00000, 8 * GiB - 0xa3e00000,
                       0xf0000000);
    unlink(file);
}

/* Save a split guest into @file; its plan (the tool's) in *@tool */
static void save_split(const char *file, QDict **tool)
{
    Scenario s;
    QTestState *qts;

    g_assert_true(scenario_init(&s, split_rdms, 256 * MiB, NULL));
    *tool = tool_json("--memory 256M --layout split --device 00:14.0", 0);
    populate_split(*tool, 0);
    qts = xsq_start(&s.run, SPLIT_OPTS " -m 256M");
    save_devices(qts, file);
    xsq_quit_cleanly(qts);
    scenario_cleanup(&s);
}

/*
 * A split guest restored where what it wrote differs from what libxl
 * populated: neither its hvm_info_table nor a frame it gave back decides
 * or refuses anything; the stream's layout does
 */
static void test_incoming_split_guest_wrote(void)
{
    static const struct {
        const char *what, *var, *val;
        bool balloon;
    } cases[] = {
        /* the last frame below the hole, given back by the balloon */
        { "balloon", NULL, NULL, true },
        /* the table rewritten (valid checksum) to claim more RAM */
        { "table", "XEN_SIM_HVM_INFO_LOW", "0x10400000", false },
        /* and the split RAM ends a 2nd hole would give */
        { "table-high", "XEN_SIM_HVM_INFO_HIGH", "0x100200000", false },
    };
    g_autofree char *file = NULL;
    g_autoptr(QDict) tool = NULL;

    if (!xsq_have_qemu()) {
        return;
    }
    file = state_file();
    save_split(file, &tool);
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(QDict) q = NULL;
        QTestState *qts;
        Scenario s;

        g_test_message("restore: %s", cases[i].what);
        g_assert_true(scenario_init(&s, split_rdms, 256 * MiB, NULL));
        populate_split(tool, 0);
        if (cases[i].var) {
            xsq_set(cases[i].var, "%s", cases[i].val);
        }
        if (cases[i].balloon) {
            /* [64 MiB - 4 KiB, 64 MiB) unpopulated, before the plan's hole */
            xsq_set("XEN_SIM_HOLES", "0x3fff000+0x1000,%s",
                    g_getenv("XEN_SIM_HOLES"));
            xsq_set("XEN_SIM_RAM", "%" PRIu64, 256 * MiB - 4096);
        }
        qts = xsq_start(&s.run, SPLIT_OPTS " -m 256M -incoming file:%s",
                        file);
        wait_running(qts);
        q = query_rdm(qts);
        g_assert_cmpstr(qdict_get_str(q, "source"), ==, "migration");
        g_assert_false(qdict_haskey(q, "mismatch"));
        assert_regions_equal(qdict_get_qlist(q, "regions"),
                             qdict_get_qlist(tool, "regions"));
        g_assert_cmphex(get_u64(q, "lowmem-end"), ==,
                        get_u64(tool, "lowmem-end"));
        g_assert_cmpuint(qlist_size(qdict_get_qlist(q, "ram")), ==,
                         qlist_size(qdict_get_qlist(tool, "ram")));
        check_mtree_matches_plan(qts, q);
        xsq_quit_cleanly(qts);
        scenario_cleanup(&s);
    }

    /*
     * What a QEMU without the section (unmodified QEMU) says of it: the
     * section renamed, so that this QEMU does not know it either
     */
    {
        g_autofree char *data = NULL;
        g_autofree char *err = NULL;
        char *sec;
        gsize len;
        Scenario s;
        int rc;

        g_assert_true(g_file_get_contents(file, &data, &len, NULL));
        sec = memmem(data, len, "\x0exen-rdm-layout", 15);
        g_assert_nonnull(sec);
        sec[14] = 'X';
        g_assert_true(g_file_set_contents(file, data, len, NULL));
        g_assert_true(scenario_init(&s, split_rdms, 256 * MiB, NULL));
        populate_split(tool, 0);
        rc = xsq_run_qemu(true, XSQ_TIMEOUT, &err, "-xen-domid 1 "
                          SPLIT_OPTS " -m 256M -incoming file:%s", file);
        g_assert_cmpint(rc, ==, 1);
        g_assert_nonnull(strstr(err, "Unknown savevm section or instance "
                                "'xen-rdm-layouX' 0"));
        scenario_cleanup(&s);
    }
    unlink(file);
}

/*
 * The guest comes to a host with a strict region in the RAM its stream
 * carries (the layout of the host it came from): the load fails naming
 * the region and its device, whatever this host's table says; relaxed,
 * a warning.  A classic guest (no layout in its stream) is refused so
 * before it runs.
 */
static void test_incoming_strict_region(void)
{
    static const char dest_rdms[] = "0x90000000 2M 0000:00:02.0\n";
    static const struct {
        bool classic;           /* the stream of a classic source */
        const char *table;      /* this host's hvm_info_table */
        const char *policy;
        int rc;                 /* -1: still running after 3 s */
        const char *msg;
    } runs[] = {
        { false, "none", "strict", 1, "xen-rdm: the guest RAM layout in the "
          "migration stream is not valid for this guest: RDM conflict: "
          "region 0x90000000-0x901fffff (devices: 0000:00:02.0) with policy "
          "strict lies in guest RAM 0x0-0xa3dfffff of the migration stream" },
        { false, "valid", "strict", 1, "xen-rdm: the guest RAM layout in the "
          "migration stream is not valid for this guest: RDM conflict: "
          "region 0x90000000-0x901fffff (devices: 0000:00:02.0) with policy "
          "strict lies in guest RAM 0x0-0xa3dfffff of the migration stream" },
        { false, "valid", "relaxed", -1, "xen-rdm: reserved device memory "
          "0x90000000-0x901fffff (policy relaxed) is ignored: it collides "
          "with guest RAM 0x0-0xa3dfffff of the migration stream" },
        { true, "none", "strict", 1, "xen-rdm: cannot lay guest RAM out as "
          "the QEMU the guest came from did: RDM conflict: region "
          "0x90000000-0x901fffff (devices: 0000:00:02.0) with policy strict "
          "lies in guest RAM 0x0-0xefffffff of the migration stream" },
    };
    g_autofree char *moved_file = NULL;
    g_autofree char *classic_file = NULL;
    g_autoptr(QDict) moved = NULL;
    Scenario s;

    if (!xsq_have_qemu()) {
        return;
    }
    /* a source whose RAM libxl moved off 00:14.0's region, to 0xa3e00000 */
    moved_file = state_file();
    save_laptop(moved_file, "--memory 4G --device 00:14.0", &moved);
    /* a classic source: no layout in its stream */
    classic_file = state_file();
    save_laptop(classic_file, NULL, NULL);

    for (unsigned i = 0; i < G_N_ELEMENTS(runs); i++) {
        g_autofree char *err = NULL;
        int rc;

        g_test_message("%s stream, hvm_info_table %s, policy %s",
                       runs[i].classic ? "classic" : "moved",
                       runs[i].table, runs[i].policy);
        g_assert_true(scenario_init(&s, dest_rdms, 4 * GiB, NULL));
        if (!runs[i].classic) {
            populate_as(moved);
        }
        xsq_set("XEN_SIM_HVM_INFO", "%s", runs[i].table);
        rc = xsq_run_qemu(true, runs[i].rc < 0 ? 3 : XSQ_TIMEOUT, &err,
                          "-xen-domid 1 -M xenfv,xen-rdm.pci.0.host=00:02.0,"
                          "xen-rdm.pci.0.rdm-policy=%s -m 4G "
                          "-incoming file:%s", runs[i].policy,
                          runs[i].classic ? classic_file : moved_file);
        g_assert_cmpint(rc, ==, runs[i].rc);
        g_assert_nonnull(strstr(err, runs[i].msg));
        scenario_cleanup(&s);
    }
    unlink(moved_file);
    unlink(classic_file);
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
        { "xen-rdm.layout=toolstack",
          "xen-rdm.layout: 'toolstack' is not a layout QEMU plans" },
        { "xen-rdm.mem-boundary=5G", "xen-rdm.mem-boundary: 0x140000000 is "
          "above 4 GiB" },
        { "xen-rdm.mem-boundary=lots",
          "Parameter 'xen-rdm.mem-boundary' expects size" },
        { "xen-rdm.pci.0.host=00:02", "xen-rdm.pci.0.host: invalid PCI "
          "device address '00:02'" },
        { "xen-rdm.pci.0.host=00:02.0,xen-rdm.pci.1.host=0:2.0",
          "xen-rdm.pci.1.host: device 0000:00:02.0 is listed twice" },
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

/*
 * Only the xenfv machine types have the property: "pc", which libxl
 * starts for a guest without the Xen platform device, refuses it under
 * Xen as under any other accelerator
 */
static void test_pc_has_none(void)
{
    static const char *const machines[] = { "pc,accel=xen", "pc" };
    g_autoptr(GString) wrong = g_string_new(NULL);
    Scenario s;

    for (unsigned i = 0; i < G_N_ELEMENTS(machines); i++) {
        g_autofree char *err = NULL;
        int rc;

        if (!scenario_init(&s, laptop, GiB, NULL)) {
            return;
        }
        rc = xsq_run_qemu(true, XSQ_TIMEOUT, &err, "-xen-domid 1 "
                          "-M %s,xen-rdm.strategy=host -m 1G", machines[i]);
        if (rc != 1 || !strstr(err, ".xen-rdm' not found")) {
            g_string_append_printf(wrong, "-M %s: exit %d, '%s'\n",
                                   machines[i], rc, g_strchomp(err));
        }
        scenario_cleanup(&s);
    }
    if (wrong->len) {
        g_error("xen-rdm not refused as a property of pc:\n%s", wrong->str);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/xen-rdm/compat/host-laptop", test_compat_host_laptop);
    qtest_add_func("/xen-rdm/toolstack/corpus", test_corpus_layouts);
    qtest_add_func("/xen-rdm/toolstack/moved-ram", test_toolstack_moved_ram);
    qtest_add_func("/xen-rdm/toolstack/bad-hvm-info", test_bad_hvm_info);
    qtest_add_func("/xen-rdm/toolstack/split-populated", test_split_populated);
    qtest_add_func("/xen-rdm/toolstack/split-populated-elsewhere",
                   test_split_populated_elsewhere);
    qtest_add_func("/xen-rdm/toolstack/split-mismatch",
                   test_split_toolstack_mismatch);
    qtest_add_func("/xen-rdm/toolstack/hap", test_hap_from_domain);
    qtest_add_func("/xen-rdm/toolstack/migration", test_migration);
    qtest_add_func("/xen-rdm/incoming/split-guest-wrote",
                   test_incoming_split_guest_wrote);
    qtest_add_func("/xen-rdm/incoming/strict-region",
                   test_incoming_strict_region);
    qtest_add_func("/xen-rdm/split/laptop", test_split_laptop);
    qtest_add_func("/xen-rdm/split/dmar-host", test_dmar_host);
    qtest_add_func("/xen-rdm/split/overlapping", test_overlapping_split);
    qtest_add_func("/xen-rdm/strict-conflict-exits",
                   test_strict_conflict_exits);
    qtest_add_func("/xen-rdm/relaxed-conflict-reported",
                   test_relaxed_conflict_reported);
    qtest_add_func("/xen-rdm/not-requested-unchanged",
                   test_not_requested_unchanged);
    qtest_add_func("/xen-rdm/restricted", test_restricted);
    qtest_add_func("/xen-rdm/faults/enosys-eperm", test_hypervisor_faults);
    qtest_add_func("/xen-rdm/faults/count-change", test_count_change);
    qtest_add_func("/xen-rdm/hotplug-check", test_hotplug_check);
    qtest_add_func("/xen-rdm/hotplug-outside-ram", test_hotplug_outside_ram);
    qtest_add_func("/xen-rdm/hotplug-untold-warns",
                   test_hotplug_untold_warns);
    qtest_add_func("/xen-rdm/bad-options", test_bad_options);
    qtest_add_func("/xen-rdm/pc-has-none", test_pc_has_none);
    return g_test_run();
}
