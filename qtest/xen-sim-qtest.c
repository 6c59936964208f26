/*
 * Helpers for qtests that run QEMU's Xen HVM machine under xen-sim
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sys/mman.h>
#include <sys/wait.h>
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "xen-sim-qtest.h"

static const char *const sim_vars[] = {
    "XEN_SIM_SCENARIO", "XEN_SIM_MODE", "XEN_SIM_DIR", "XEN_SIM_LOG",
    "XEN_SIM_MEM_FILE", "XEN_SIM_DOMID", "XEN_SIM_RAM",
    "XEN_SIM_MAX_RAM_BELOW_4G", "XEN_SIM_FAULTS", "XEN_SIM_RDM",
    "XEN_SIM_RDM_FILE", "XEN_SIM_RDM_DMAR", "XEN_SIM_LOWMEM_END",
    "XEN_SIM_HIGHMEM_END", "XEN_SIM_HVM_INFO", "XEN_SIM_HVM_INFO_LOW",
    "XEN_SIM_HVM_INFO_HIGH", "XEN_SIM_HAP", "XEN_SIM_HOLES",
};

bool xsq_have_qemu(void)
{
    if (!g_getenv("QTEST_QEMU_BINARY") || !g_getenv("XEN_SIM_LIBDIR")) {
        g_test_skip("QTEST_QEMU_BINARY and XEN_SIM_LIBDIR must be set "
                    "(scripts/run-qtests.sh sets them)");
        return false;
    }
    return true;
}

void xsq_set(const char *var, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *v = NULL;

    va_start(ap, fmt);
    v = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_setenv(var, v, true);
}

void xsq_run_init(XenSimRun *r, unsigned domid)
{
    g_autoptr(GError) err = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(sim_vars); i++) {
        g_unsetenv(sim_vars[i]);
    }
    r->dir = g_dir_make_tmp("xen-sim-qtest-XXXXXX", &err);
    g_assert_no_error(err);
    r->log = g_build_filename(r->dir, "calls.log", NULL);
    r->mem = g_build_filename(r->dir, "guest-mem", NULL);
    r->domid = domid;
    g_setenv("XEN_SIM_DIR", r->dir, true);
    xsq_set("XEN_SIM_DOMID", "%u", domid);
}

void xsq_run_cleanup(XenSimRun *r)
{
    static const char *const files[] = {
        "calls.log", "guest-mem", "evtchn-in", "evtchn-out",
    };

    if (!g_getenv("XEN_SIM_KEEP")) {
        for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
            g_autofree char *p = g_build_filename(r->dir, files[i], NULL);
            unlink(p);
        }
        rmdir(r->dir);
    } else {
        g_test_message("kept xen-sim run directory %s", r->dir);
    }
    g_free(r->dir);
    g_free(r->log);
    g_free(r->mem);
}

static void use_sim_libs(bool sim)
{
    if (sim) {
        g_setenv("LD_LIBRARY_PATH", g_getenv("XEN_SIM_LIBDIR"), true);
    } else {
        g_unsetenv("LD_LIBRARY_PATH");
    }
}

QTestState *xsq_start(XenSimRun *r, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *args = NULL;
    QTestState *qts;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    use_sim_libs(true);
    /*
     * libqtest appends "-accel qtest", which QEMU refuses next to the
     * "accel=xen" that xenfv (and -M pc,accel=xen) set.  libqtest starts
     * QEMU through /bin/sh -c, so a trailing '#' makes it a comment; the
     * qtest server (-qtest comes first) and QMP still run.
     */
    qts = qtest_initf("-xen-domid %u -nodefaults %s #", r->domid, args);
    g_unsetenv("LD_LIBRARY_PATH");
    return qts;
}

QDict *xsq_qmp_ok(QTestState *qts, const char *cmd)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': %s }", cmd);

    g_assert_nonnull(rsp);
    if (!qdict_haskey(rsp, "return")) {
        g_autoptr(GString) s = qobject_to_json(QOBJECT(rsp));
        g_error("QMP %s failed: %s", cmd, s->str);
    }
    return rsp;
}

void xsq_quit_cleanly(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'quit' }");

    g_assert_nonnull(rsp);
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    /* bounded (libqtest kills QEMU after its timeout), checks status 0 */
    qtest_wait_qemu(qts);
    qtest_quit(qts);
}

int xsq_run_qemu(bool sim, int timeout, char **err, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *args = NULL;
    g_autofree char *cmd = NULL;
    g_autoptr(GError) gerr = NULL;
    g_auto(GStrv) argv = NULL;
    int status;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* TERM at the limit (exit 124), KILL 5 s later if that is ignored */
    cmd = g_strdup_printf("timeout -k 5 %d %s -display none -nodefaults "
                          "%s", timeout, g_getenv("QTEST_QEMU_BINARY"), args);
    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, &gerr));
    use_sim_libs(sim);
    g_test_message("running: %s%s", sim ? "(xen-sim) " : "(host libs) ", cmd);
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
                               NULL, NULL, err, &status, &gerr));
    g_unsetenv("LD_LIBRARY_PATH");
    g_test_message("wait status 0x%x, stderr: %s", status, *err);
    if (WIFEXITED(status)) {
        if (WEXITSTATUS(status) == 124 || WEXITSTATUS(status) == 137) {
            return -1;      /* stopped by timeout */
        }
        return WEXITSTATUS(status);
    }
    return 128 + WTERMSIG(status);
}

char *xsq_log(XenSimRun *r)
{
    char *text = NULL;

    if (!g_file_get_contents(r->log, &text, NULL, NULL)) {
        return g_strdup("");
    }
    return text;
}

void xsq_assert_log_has(XenSimRun *r, const char *needle)
{
    g_autofree char *log = xsq_log(r);

    if (!strstr(log, needle)) {
        g_error("xen-sim call log %s lacks \"%s\"", r->log, needle);
    }
}

void xsq_assert_log_lacks(XenSimRun *r, const char *needle)
{
    g_autofree char *log = xsq_log(r);

    if (strstr(log, needle)) {
        g_error("xen-sim call log %s has \"%s\"", r->log, needle);
    }
}

void xsq_mem_read(XenSimRun *r, uint64_t gpa, void *buf, size_t len)
{
    int fd = open(r->mem, O_RDONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, buf, len, gpa), ==, len);
    close(fd);
}

void xsq_mem_write(XenSimRun *r, uint64_t gpa, const void *buf, size_t len)
{
    int fd = open(r->mem, O_WRONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, buf, len, gpa), ==, len);
    close(fd);
}

void xsq_evtchn_send(XenSimRun *r, uint32_t port)
{
    g_autofree char *path = g_build_filename(r->dir, "evtchn-in", NULL);
    int fd = open(path, O_WRONLY | O_NONBLOCK);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, &port, sizeof(port)), ==, sizeof(port));
    close(fd);
}

uint64_t xsq_ioreq(XenSimRun *r, unsigned vcpu, uint8_t type, uint8_t dir,
                   uint64_t addr, uint32_t size, uint64_t data)
{
    int fd = open(r->mem, O_RDWR);
    uint8_t *page;
    /* QEMU writes the answer into the shared page while we poll it */
    volatile XsqIoreq *req;
    gint64 end = g_get_monotonic_time() + XSQ_TIMEOUT * G_TIME_SPAN_SECOND;
    uint64_t ret;

    G_STATIC_ASSERT(sizeof(XsqIoreq) == 32);
    g_assert_cmpint(fd, >=, 0);
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                XSQ_IOREQ_GFN << 12);
    g_assert_true(page != MAP_FAILED);
    close(fd);
    /* volatile: the page is shared with QEMU, as above */
    req = (volatile XsqIoreq *)page + vcpu;
    g_assert_cmpuint(req->vp_eport, ==, XSQ_VCPU_PORT_BASE + vcpu);
    g_assert_cmpuint(req->state, ==, XSQ_STATE_IOREQ_NONE);
    req->addr = addr;
    req->data = data;
    req->count = 1;
    req->size = size;
    req->data_is_ptr = 0;
    req->dir = dir;
    req->df = 0;
    req->type = type;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    req->state = XSQ_STATE_IOREQ_READY;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    xsq_evtchn_send(r, req->vp_eport);
    while (req->state != XSQ_STATE_IORESP_READY) {
        if (g_get_monotonic_time() > end) {
            g_error("QEMU did not answer the ioreq (%s 0x%" PRIx64 ") in "
                    "%d s; state %u", dir ? "read" : "write", addr,
                    XSQ_TIMEOUT, req->state);
        }
        g_usleep(1000);
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    ret = req->data;
    req->state = XSQ_STATE_IOREQ_NONE;
    munmap(page, 4096);
    return ret;
}

GArray *xsq_mtree(QTestState *qts, bool flat)
{
    g_autofree char *out = qtest_hmp(qts, flat ? "info mtree -f" :
                                     "info mtree");
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    GArray *ranges = g_array_new(false, true, sizeof(XsqMtreeRange));
    bool in_memory = false;
    bool after_header = false;

    for (int i = 0; lines[i]; i++) {
        const char *l = g_strchomp(lines[i]);   /* HMP ends lines \r\n */
        XsqMtreeRange r = { 0 };
        int n;

        /*
         * Address spaces sharing a root are listed as consecutive
         * "address-space:" headers above one tree; "memory-region:"
         * sections (the aliased regions) follow the address spaces.
         */
        if (g_str_has_prefix(l, "address-space: ")) {
            bool mem = !strcmp(l, "address-space: memory");

            in_memory = after_header ? (in_memory || mem) : mem;
            after_header = true;
            continue;
        }
        after_header = false;
        if (g_str_has_prefix(l, "FlatView #") ||
            g_str_has_prefix(l, "memory-region:")) {
            in_memory = false;
            continue;
        }
        if (flat && strstr(l, " AS \"memory\"")) {
            in_memory = true;
            continue;
        }
        if (!in_memory) {
            continue;
        }
        if (flat) {
            n = sscanf(l, " %" SCNx64 "-%" SCNx64 " (prio %*d, %*[^)]): %63s @%"
                       SCNx64, &r.start, &r.last, r.name, &r.off);
            if (n < 3) {
                continue;
            }
        } else {
            n = sscanf(l, " %" SCNx64 "-%" SCNx64 " (prio %*d, %*[^)]): alias "
                       "%63s @%63s %" SCNx64, &r.start, &r.last, r.name,
                       r.target, &r.off);
            if (n < 5) {
                continue;
            }
        }
        g_array_append_val(ranges, r);
    }
    if (!ranges->len) {
        g_error("no memory address space in info mtree%s:\n%s",
                flat ? " -f" : "", out);
    }
    return ranges;
}
