/*
 * Helpers for qtests that run QEMU's Xen HVM machine under xen-sim
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef XEN_SIM_QTEST_H
#define XEN_SIM_QTEST_H

#include "libqtest.h"

/* Where xen-sim keeps the ioreq server pages (see tests/xen-sim) */
#define XSQ_IOREQ_GFN       0xfeff1ULL
#define XSQ_VCPU_PORT_BASE  10

/* The ioreq ABI (xen/include/public/hvm/ioreq.h), 32 bytes a vCPU */
typedef struct XsqIoreq {
    uint64_t addr;
    uint64_t data;
    uint32_t count;
    uint32_t size;
    uint32_t vp_eport;
    uint16_t pad0;
    uint8_t state:4;
    uint8_t data_is_ptr:1;
    uint8_t dir:1;
    uint8_t df:1;
    uint8_t pad1:1;
    uint8_t type;
} XsqIoreq;

#define XSQ_STATE_IOREQ_NONE        0
#define XSQ_STATE_IOREQ_READY       1
#define XSQ_STATE_IORESP_READY      3
#define XSQ_IOREQ_READ              1
#define XSQ_IOREQ_WRITE             0
#define XSQ_IOREQ_TYPE_PIO          0
#define XSQ_IOREQ_TYPE_COPY         1

/* Every wait is bounded by this many seconds */
#define XSQ_TIMEOUT 60

typedef struct XenSimRun {
    char *dir;          /* fresh run directory (XEN_SIM_DIR) */
    char *log;          /* the sim's call log */
    char *mem;          /* guest memory backing file */
    unsigned domid;
} XenSimRun;

/*
 * Start a fresh simulated host: a new run directory, all XEN_SIM_*
 * variables cleared, then XEN_SIM_DIR and XEN_SIM_DOMID set.  Further
 * scenario settings with xsq_set() before starting QEMU.
 */
void xsq_run_init(XenSimRun *r, unsigned domid);
void xsq_run_cleanup(XenSimRun *r);
void xsq_set(const char *var, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/*
 * Start QEMU under xen-sim with libqtest (QMP handshake done), with
 * -xen-domid and -nodefaults.  @fmt must select Xen itself (-M xenfv,
 * -M pc,accel=xen or -M pc -accel xen); libqtest's trailing
 * "-accel qtest" is dropped (see xen-sim-qtest.c), so clock_step and
 * friends are not available, but memory/port access and QMP are.
 */
QTestState *xsq_start(XenSimRun *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Answer of a QMP command that must succeed (caller unrefs) */
QDict *xsq_qmp_ok(QTestState *qts, const char *cmd);

/* Quit through QMP and check that QEMU exits with status 0 */
void xsq_quit_cleanly(QTestState *qts);

/*
 * Run QEMU to completion (no qtest), with the sim (@sim) or with the
 * libraries the binary finds itself.  Returns the exit status, or -1 if
 * it was still running after @timeout seconds (it is then stopped);
 * *err gets its stderr.
 */
int xsq_run_qemu(bool sim, int timeout, char **err, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* The call log so far (caller frees) and a check that it has @needle */
char *xsq_log(XenSimRun *r);
void xsq_assert_log_has(XenSimRun *r, const char *needle);
void xsq_assert_log_lacks(XenSimRun *r, const char *needle);

/* Read / write the simulated guest's memory directly (bypassing QEMU) */
void xsq_mem_read(XenSimRun *r, uint64_t gpa, void *buf, size_t len);
void xsq_mem_write(XenSimRun *r, uint64_t gpa, const void *buf, size_t len);

/* Signal remote port @port to QEMU through the sim's event channel FIFO */
void xsq_evtchn_send(XenSimRun *r, uint32_t port);

/*
 * Inject one ioreq on vCPU @vcpu and wait (bounded) for QEMU to answer;
 * returns the answered data.
 */
uint64_t xsq_ioreq(XenSimRun *r, unsigned vcpu, uint8_t type, uint8_t dir,
                   uint64_t addr, uint32_t size, uint64_t data);

typedef struct XsqMtreeRange {
    uint64_t start;
    uint64_t last;
    uint64_t off;               /* offset into the target region */
    char name[64];
    char target[64];            /* aliases: the region aliased */
} XsqMtreeRange;

/*
 * Parse the "memory" address space of "info mtree" (@flat false: the
 * tree, of which the aliases are kept) or "info mtree -f" (@flat true:
 * the flat view, where an alias shows as its target region @offset).
 */
GArray *xsq_mtree(QTestState *qts, bool flat);

/* Skip (with the reason printed) unless the harness gave a binary */
bool xsq_have_qemu(void);

#endif
