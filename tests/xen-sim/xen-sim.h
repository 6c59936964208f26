/*
 * xen-sim: a simulated Xen host for running QEMU's Xen HVM machine
 * without a hypervisor.  Internal API shared by the core library
 * (libxen-sim-core.so) and the libraries that stand in for Xen's
 * (libxenctrl.so.4.17, libxenforeignmemory.so.1, ...).
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef XEN_SIM_H
#define XEN_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XEN_SIM_PAGE_SHIFT      12
#define XEN_SIM_PAGE_SIZE       (1ULL << XEN_SIM_PAGE_SHIFT)

/* Where the ioreq server pages live (like Xen's special pages below 4G) */
#define XEN_SIM_IOREQ_GFN_BASE  0xfeff0ULL
/* Remote (guest side) event channel ports of the ioreq server */
#define XEN_SIM_BUFIOREQ_PORT   9
#define XEN_SIM_VCPU_PORT_BASE  10
#define XEN_SIM_MAX_VCPUS       128

/* Faults a scenario can inject (bit mask) */
enum {
    XEN_SIM_FAULT_RDM_ENOSYS       = 1 << 0,
    XEN_SIM_FAULT_RDM_EPERM        = 1 << 1,
    XEN_SIM_FAULT_RDM_COUNT_CHANGE = 1 << 2,
    XEN_SIM_FAULT_FOREIGN_MAP      = 1 << 3,
    XEN_SIM_FAULT_XS_OPEN          = 1 << 4,
    XEN_SIM_FAULT_IOREQ_SERVER     = 1 << 5,
    XEN_SIM_FAULT_EVTCHN_OPEN      = 1 << 6,
};

typedef struct XenSimRdm {
    uint64_t start;             /* bytes, page aligned */
    uint64_t size;
    bool host_wide;
    uint32_t *sbdfs;
    unsigned nr_sbdfs;
} XenSimRdm;

/*
 * Print "xen-sim: NAME: not modelled by xen-sim" and abort().  Every
 * function of the real libraries that xen-sim does not implement ends
 * here (see gen-stubs.py).
 */
void xen_sim_unmodelled(const char *name) __attribute__((noreturn));

/*
 * Load the scenario (once; every entry point calls this).  Returns false
 * in "no-xen" mode, after printing nothing: callers then fail the way the
 * real libraries fail on a host without Xen.
 */
bool xen_sim_init(void);
bool xen_sim_no_xen(void);
bool xen_sim_fault(unsigned fault);
/* Whether the domain uses HAP (scenario key hap, default 1) */
bool xen_sim_hap(void);
/*
 * xentoolcore_restrict_all() was called: like the real libxencall, whose
 * privcmd descriptor becomes /dev/null, every hypercall of libxenctrl
 * fails from then on with ENOTTY
 */
void xen_sim_restrict(void);
bool xen_sim_restricted(void);
unsigned xen_sim_domid(void);

/* Call log: one line per call, "name key=value ..." */
void xen_sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Loud warning on stderr, also logged */
void xen_sim_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Set errno, warn with the function name, return -1 */
int xen_sim_error(const char *func, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Check that @domid is the simulated domain; sets errno=ESRCH if not */
bool xen_sim_check_domid(const char *func, uint32_t domid);

/* Guest memory: one sparse file indexed by gfn */
int xen_sim_mem_fd(void);
bool xen_sim_gfn_populated(uint64_t gfn);
void xen_sim_populate(uint64_t gfn, uint64_t nr);
void xen_sim_depopulate(uint64_t gfn, uint64_t nr);
/*
 * Map @nr gfns from @gfns at @addr (NULL: anywhere).  Sets err[i] to 0 or
 * -errno for each page; with @err NULL any failing page fails the call.
 */
void *xen_sim_map_gfns(void *addr, int prot, size_t nr, const uint64_t *gfns,
                       int *err);

/* HVM params */
uint64_t xen_sim_hvm_param(unsigned idx);
void xen_sim_set_hvm_param(unsigned idx, uint64_t value);

/* ioreq server */
int xen_sim_ioreq_server_create(int handle_bufioreq, uint16_t *id);
bool xen_sim_ioreq_server_exists(uint16_t id);
uint64_t xen_sim_ioreq_gfn(uint16_t id);        /* the shared (sync) page */
uint64_t xen_sim_bufioreq_gfn(uint16_t id);     /* the buffered page */
void xen_sim_ioreq_server_destroy(uint16_t id);

/* Event channels: FIFOs in the run directory (see docs/xen-sim.rst) */
const char *xen_sim_dir(void);
int xen_sim_evtchn_in_fd(void);     /* test -> QEMU: remote ports */
int xen_sim_evtchn_out_fd(void);    /* QEMU -> test: remote ports */

/* RDM regions of the scenario */
unsigned xen_sim_rdm_count(void);
const XenSimRdm *xen_sim_rdm_get(unsigned i);

/* xenstore (in memory) */
typedef struct XenSimXs XenSimXs;
XenSimXs *xen_sim_xs_open(void);
void xen_sim_xs_close(XenSimXs *h);
int xen_sim_xs_fileno(XenSimXs *h);
char *xen_sim_xs_read(const char *path, unsigned *len);
bool xen_sim_xs_write(const char *path, const void *data, unsigned len);
bool xen_sim_xs_mkdir(const char *path);
bool xen_sim_xs_rm(const char *path);
char **xen_sim_xs_directory(const char *path, unsigned *num);
bool xen_sim_xs_watch(XenSimXs *h, const char *path, const char *token);
bool xen_sim_xs_unwatch(XenSimXs *h, const char *path, const char *token);
/* Next pending watch event as a malloc'd {path, token} vector, or NULL */
char **xen_sim_xs_next_event(XenSimXs *h, bool block);

#endif
