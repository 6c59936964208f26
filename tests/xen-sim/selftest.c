/*
 * Self-test of xen-sim: the libraries as a program linked against them
 * sees them (RDM two-call protocol and faults, guest memory through
 * foreign mappings, xenstore and watches, event channels).
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <xenctrl.h>
#include <xenforeignmemory.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenstore.h>

static char *run_dir;

static void set_run_env(const char *name)
{
    g_autofree char *dir = g_build_filename(run_dir, name, NULL);

    g_setenv("XEN_SIM_DIR", dir, true);
}

static uint32_t rdm_query(xc_interface *xch, uint32_t flags, uint16_t seg,
                          uint8_t bus, uint8_t devfn,
                          struct xen_reserved_device_memory **out, int *err)
{
    uint32_t n = 0;
    int rc = xc_reserved_device_memory_map(xch, flags, seg, bus, devfn, NULL,
                                           &n);

    *out = NULL;
    *err = rc ? errno : 0;
    if (rc && errno == ENOBUFS) {
        *out = g_new0(struct xen_reserved_device_memory, n);
        rc = xc_reserved_device_memory_map(xch, flags, seg, bus, devfn, *out,
                                           &n);
        *err = rc ? errno : 0;
    }
    return n;
}

static void test_rdm(void)
{
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    struct xen_reserved_device_memory *e;
    int err;
    uint32_t n;

    g_assert_nonnull(xch);
    n = rdm_query(xch, XENMEM_RDM_ALL, 0, 0, 0, &e, &err);
    g_assert_cmpint(err, ==, 0);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmphex(e[0].start_pfn, ==, 0x7d000);
    g_assert_cmphex(e[0].nr_pages, ==, 0x800);
    g_assert_cmphex(e[1].start_pfn, ==, 0xbb000);
    g_assert_cmphex(e[1].nr_pages, ==, 0x10);
    g_free(e);

    /* per device: 00:1a.0 has the USB region only */
    n = rdm_query(xch, 0, 0, 0, (0x1a << 3) | 0, &e, &err);
    g_assert_cmpint(err, ==, 0);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmphex(e[0].start_pfn, ==, 0xbb000);
    g_free(e);

    /* a device without regions: no ENOBUFS, zero entries */
    n = 5;
    g_assert_cmpint(xc_reserved_device_memory_map(xch, 0, 0, 3, 0, NULL, &n),
                    ==, 0);
    g_assert_cmpuint(n, ==, 0);
    xc_interface_close(xch);
}

/* Run @fn in a child with XEN_SIM_FAULTS=@fault; it must exit 0 */
static void in_child(const char *fault, void (*fn)(void))
{
    pid_t pid = fork();
    int status;

    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        set_run_env(fault);
        g_setenv("XEN_SIM_FAULTS", fault, true);
        fn();
        _exit(0);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static void child_enosys(void)
{
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    uint32_t n = 0;

    if (xc_reserved_device_memory_map(xch, XENMEM_RDM_ALL, 0, 0, 0, NULL,
                                      &n) != -1 || errno != ENOSYS) {
        _exit(1);
    }
}

static void child_eperm(void)
{
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    uint32_t n = 0;

    if (xc_reserved_device_memory_map(xch, XENMEM_RDM_ALL, 0, 0, 0, NULL,
                                      &n) != -1 || errno != EPERM) {
        _exit(1);
    }
}

static void child_count_change(void)
{
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    struct xen_reserved_device_memory e[8];
    uint32_t n = 0;

    /* first call: 2 needed; second call with room for 2: now 3 */
    if (xc_reserved_device_memory_map(xch, XENMEM_RDM_ALL, 0, 0, 0, NULL,
                                      &n) != -1 || errno != ENOBUFS ||
        n != 2) {
        _exit(1);
    }
    if (xc_reserved_device_memory_map(xch, XENMEM_RDM_ALL, 0, 0, 0, e,
                                      &n) != -1 || errno != ENOBUFS ||
        n != 3) {
        _exit(2);
    }
    if (xc_reserved_device_memory_map(xch, XENMEM_RDM_ALL, 0, 0, 0, e,
                                      &n) != 0 || n != 3) {
        _exit(3);
    }
}

static void child_foreign_map(void)
{
    xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
    xen_pfn_t gfn = 0;

    if (xenforeignmemory_map(fm, 7, PROT_READ, 1, &gfn, NULL) != NULL) {
        _exit(1);
    }
}

static void test_faults(void)
{
    in_child("rdm-enosys", child_enosys);
    in_child("rdm-eperm", child_eperm);
    in_child("rdm-count-change", child_count_change);
    in_child("foreign-map", child_foreign_map);
}

static void test_memory(void)
{
    xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
    /* 2 GiB below 4G, 1 GiB above: last low page, first high page */
    xen_pfn_t gfns[3] = { 0x7ffff, 0x100000, 0x80000 };
    int err[3];
    uint8_t *p;
    uint32_t v = 0;
    g_autofree char *mem = g_build_filename(g_getenv("XEN_SIM_DIR"),
                                            "guest-mem", NULL);
    int fd;

    g_assert_nonnull(fm);
    p = xenforeignmemory_map(fm, 7, PROT_READ | PROT_WRITE, 3, gfns, err);
    g_assert_nonnull(p);
    g_assert_cmpint(err[0], ==, 0);
    g_assert_cmpint(err[1], ==, 0);
    g_assert_cmpint(err[2], !=, 0);     /* the hole above 2 GiB */
    memcpy(p + 0x1000 + 8, "\x78\x56\x34\x12", 4);

    fd = open(mem, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, &v, 4, 0x100000000ULL + 8), ==, 4);
    g_assert_cmphex(v, ==, 0x12345678);
    close(fd);
    xenforeignmemory_unmap(fm, p, 3);

    /* without an error array a single bad page fails the whole map */
    g_assert_null(xenforeignmemory_map(fm, 7, PROT_READ, 3, gfns, NULL));
    /* the wrong domain */
    g_assert_null(xenforeignmemory_map(fm, 3, PROT_READ, 1, gfns, NULL));
    g_assert_cmpint(errno, ==, ESRCH);
    xenforeignmemory_close(fm);
}

static void test_xenstore(void)
{
    struct xs_handle *xs = xs_open(0);
    unsigned len, num;
    char *v;
    char **dir, **ev;

    g_assert_nonnull(xs);
    g_assert_true(xs_watch(xs, "/local/domain/7/data", "tok"));
    ev = xs_check_watch(xs);            /* fires once when set */
    g_assert_nonnull(ev);
    g_assert_cmpstr(ev[1], ==, "tok");
    free(ev);
    g_assert_null(xs_check_watch(xs));
    g_assert_true(xs_write(xs, 0, "/local/domain/7/data/a", "hello", 5));
    ev = xs_check_watch(xs);
    g_assert_nonnull(ev);
    g_assert_cmpstr(ev[0], ==, "/local/domain/7/data/a");
    free(ev);
    v = xs_read(xs, 0, "/local/domain/7/data/a", &len);
    g_assert_cmpstr(v, ==, "hello");
    g_assert_cmpuint(len, ==, 5);
    free(v);
    dir = xs_directory(xs, 0, "/local/domain/7/data", &num);
    g_assert_cmpuint(num, ==, 1);
    g_assert_cmpstr(dir[0], ==, "a");
    free(dir);
    g_assert_null(xs_read(xs, 0, "/nowhere", &len));
    g_assert_true(xs_rm(xs, 0, "/local/domain/7/data"));
    g_assert_null(xs_read(xs, 0, "/local/domain/7/data/a", &len));
    xs_close(xs);
}

static void test_ioreq_evtchn(void)
{
    xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
    xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
    ioservid_t id;
    xen_pfn_t ioreq_gfn, buf_gfn;
    evtchn_port_t bufport;
    int local;
    uint32_t remote = 10, got = 0;
    g_autofree char *in = g_build_filename(g_getenv("XEN_SIM_DIR"),
                                           "evtchn-in", NULL);
    g_autofree char *out = g_build_filename(g_getenv("XEN_SIM_DIR"),
                                            "evtchn-out", NULL);
    int fin, fout;

    g_assert_cmpint(xendevicemodel_create_ioreq_server(dm, 7, 1, &id), ==, 0);
    g_assert_cmpint(xendevicemodel_get_ioreq_server_info(dm, 7, id,
                    &ioreq_gfn, &buf_gfn, &bufport), ==, 0);
    g_assert_cmphex(ioreq_gfn, ==, 0xfeff1);
    g_assert_cmphex(buf_gfn, ==, 0xfeff0);
    local = xenevtchn_bind_interdomain(xce, 7, remote);
    g_assert_cmpint(local, >, 0);
    fin = open(in, O_WRONLY | O_NONBLOCK);
    fout = open(out, O_RDONLY | O_NONBLOCK);
    g_assert_cmpint(fin, >=, 0);
    g_assert_cmpint(fout, >=, 0);
    g_assert_cmpint(xenevtchn_pending(xce), ==, -1);
    g_assert_cmpint(write(fin, &remote, 4), ==, 4);
    g_assert_cmpint(xenevtchn_pending(xce), ==, local);
    g_assert_cmpint(xenevtchn_notify(xce, local), ==, 0);
    g_assert_cmpint(read(fout, &got, 4), ==, 4);
    g_assert_cmpuint(got, ==, remote);
    close(fin);
    close(fout);
}

int main(int argc, char **argv)
{
    g_autoptr(GError) gerr = NULL;

    run_dir = g_dir_make_tmp("xen-sim-selftest-XXXXXX", &gerr);
    g_assert_nonnull(run_dir);
    set_run_env("main");
    g_test_init(&argc, &argv, NULL);
    /* first: the children must load their own scenario (with faults) */
    g_test_add_func("/xen-sim/faults", test_faults);
    g_test_add_func("/xen-sim/rdm", test_rdm);
    g_test_add_func("/xen-sim/memory", test_memory);
    g_test_add_func("/xen-sim/xenstore", test_xenstore);
    g_test_add_func("/xen-sim/ioreq-evtchn", test_ioreq_evtchn);
    return g_test_run();
}
