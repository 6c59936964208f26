/*
 * QEMU's Xen HVM machine starts, answers QMP and quits under xen-sim;
 * start-up failures end with a clear error and a non-zero exit.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "xen-sim-qtest.h"

static void check_running(QTestState *qts)
{
    QDict *rsp = xsq_qmp_ok(qts, "query-status");
    QDict *ret = qdict_get_qdict(rsp, "return");

    g_assert_cmpstr(qdict_get_str(ret, "status"), ==, "running");
    g_assert_true(qdict_get_bool(ret, "running"));
    qobject_unref(rsp);
}

static void check_device_model_calls(XenSimRun *r)
{
    g_autofree char *state = g_strdup_printf(
        "xs_write /local/domain/0/device-model/%u/state = running", r->domid);

    xsq_assert_log_has(r, "xendevicemodel_create_ioreq_server id=0");
    xsq_assert_log_has(r, "xenforeignmemory_map_resource type=ioreq_server");
    xsq_assert_log_has(r, "xendevicemodel_set_ioreq_server_state id=0 "
                       "enabled=1");
    xsq_assert_log_has(r, "xenevtchn_bind_interdomain remote=10");
    /* the PIIX3 IDE/ISA ports and the PCI host are claimed */
    xsq_assert_log_has(r, "map_io_range id=0 port start=0xcf8");
    xsq_assert_log_has(r, "map_pcidev id=0 sbdf=0000:00:01.");
    xsq_assert_log_has(r, state);
    xsq_assert_log_lacks(r, "UNMODELLED");
}

static void test_xenfv(void)
{
    XenSimRun r;
    QTestState *qts;

    if (!xsq_have_qemu()) {
        return;
    }
    xsq_run_init(&r, 3);
    qts = xsq_start(&r, "-M xenfv -m 256M");
    check_running(qts);
    check_device_model_calls(&r);
    xsq_quit_cleanly(qts);
    /* QEMU's exit notifier tears the ioreq server down */
    xsq_assert_log_has(&r, "xendevicemodel_destroy_ioreq_server id=0");
    xsq_run_cleanup(&r);
}

static void test_pc_accel_xen(void)
{
    XenSimRun r;
    QTestState *qts;

    if (!xsq_have_qemu()) {
        return;
    }
    xsq_run_init(&r, 1);
    qts = xsq_start(&r, "-M pc,accel=xen -m 256M");
    check_running(qts);
    check_device_model_calls(&r);
    xsq_quit_cleanly(qts);
    xsq_run_cleanup(&r);
}

static void test_vga_populates(void)
{
    XenSimRun r;
    QTestState *qts;

    if (!xsq_have_qemu()) {
        return;
    }
    xsq_run_init(&r, 1);
    qts = xsq_start(&r, "-M xenfv -m 256M -device VGA,romfile=");
    check_running(qts);
    /* VRAM is not guest RAM: QEMU asks Xen to populate it */
    xsq_assert_log_has(&r, "xc_domain_populate_physmap_exact gfn=");
    xsq_quit_cleanly(qts);
    xsq_run_cleanup(&r);
}

/* A start-up that must fail: non-zero exit, @msg on stderr, no hang */
static void expect_failure(bool sim, const char *msg, const char *args)
{
    g_autofree char *err = NULL;
    int status = xsq_run_qemu(sim, XSQ_TIMEOUT, &err, "%s", args);

    if (status == -1) {
        g_error("QEMU hung (killed after %d s): %s", XSQ_TIMEOUT, args);
    }
    g_assert_cmpint(status, !=, 0);
    if (!strstr(err, msg)) {
        g_error("QEMU's error output lacks \"%s\":\n%s", msg, err);
    }
}

static void test_no_hypervisor(void)
{
    if (!g_getenv("QTEST_QEMU_BINARY")) {
        g_test_skip("QTEST_QEMU_BINARY is not set");
        return;
    }
    if (g_file_test("/proc/xen/capabilities", G_FILE_TEST_EXISTS) ||
        g_file_test("/dev/xen/privcmd", G_FILE_TEST_EXISTS)) {
        g_test_skip("this host runs Xen: the real libraries would find it");
        return;
    }
    /* the real Debian libraries, on a host without Xen */
    expect_failure(false, "failed to initialize xen",
                   "-M xenfv -xen-domid 1 -m 128M");
}

static void test_sim_no_xen(void)
{
    XenSimRun r;

    if (!xsq_have_qemu()) {
        return;
    }
    xsq_run_init(&r, 1);
    xsq_set("XEN_SIM_MODE", "no-xen");
    expect_failure(true, "failed to initialize xen",
                   "-M xenfv -xen-domid 1 -m 128M");
    xsq_run_cleanup(&r);
}

static void test_fault_xenstore(void)
{
    XenSimRun r;

    if (!xsq_have_qemu()) {
        return;
    }
    xsq_run_init(&r, 1);
    xsq_set("XEN_SIM_FAULTS", "xs-open");
    expect_failure(true, "xenstore open failed",
                   "-M xenfv -xen-domid 1 -m 128M");
    xsq_run_cleanup(&r);
}

static void test_fault_foreign_map(void)
{
    XenSimRun r;

    if (!xsq_have_qemu()) {
        return;
    }
    xsq_run_init(&r, 1);
    xsq_set("XEN_SIM_FAULTS", "foreign-map");
    /* VGA's VRAM is the first guest memory QEMU maps through the mapcache */
    expect_failure(true, "xenforeignmemory_map2: Bad address",
                   "-M xenfv -xen-domid 1 -m 128M -device VGA,romfile=");
    xsq_assert_log_has(&r, "xenforeignmemory_map2 FAILED errno=14");
    xsq_run_cleanup(&r);
}

static void test_fault_evtchn(void)
{
    XenSimRun r;

    if (!xsq_have_qemu()) {
        return;
    }
    xsq_run_init(&r, 1);
    xsq_set("XEN_SIM_FAULTS", "evtchn-open");
    expect_failure(true, "xen: event channel open failed",
                   "-M xenfv -xen-domid 1 -m 128M");
    xsq_run_cleanup(&r);
}

/*
 * Not a start-up failure in unmodified QEMU 10.0: when the ioreq server
 * cannot be created (here: QEMU is pointed at a domain that does not
 * exist) it only warns and keeps running, serving no guest.  Pin that
 * behaviour down, bounded: QEMU must still be running after 5 s.
 */
static void test_wrong_domid(void)
{
    XenSimRun r;
    g_autofree char *err = NULL;
    int status;

    if (!xsq_have_qemu()) {
        return;
    }
    xsq_run_init(&r, 1);
    status = xsq_run_qemu(true, 5, &err, "-M xenfv -xen-domid 5 -m 128M");
    g_assert_cmpint(status, ==, -1);
    g_assert_nonnull(strstr(err, "xen: failed to create ioreq server"));
    g_assert_nonnull(strstr(err, "domain 5 does not exist"));
    xsq_assert_log_has(&r, "xendevicemodel_create_ioreq_server FAILED "
                       "errno=3");
    xsq_run_cleanup(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/xen-sim/start/xenfv", test_xenfv);
    qtest_add_func("/xen-sim/start/pc-accel-xen", test_pc_accel_xen);
    qtest_add_func("/xen-sim/start/vga-populate", test_vga_populates);
    qtest_add_func("/xen-sim/fail/no-hypervisor", test_no_hypervisor);
    qtest_add_func("/xen-sim/fail/sim-no-xen", test_sim_no_xen);
    qtest_add_func("/xen-sim/fail/xenstore", test_fault_xenstore);
    qtest_add_func("/xen-sim/fail/foreign-map", test_fault_foreign_map);
    qtest_add_func("/xen-sim/fail/evtchn", test_fault_evtchn);
    qtest_add_func("/xen-sim/quirk/wrong-domid-keeps-running",
                   test_wrong_domid);
    return g_test_run();
}
