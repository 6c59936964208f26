/*
 * xen-sim: libxenevtchn.so.1.  Event channels bound by QEMU are paired
 * with "remote" (guest side) ports.  The guest side is the test: it
 * writes a remote port number (uint32_t, host byte order) into the FIFO
 * <dir>/evtchn-in to signal QEMU, and reads the remote ports QEMU
 * notifies from <dir>/evtchn-out.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenevtchn.h>

#include "xen-sim.h"

#define MAX_BINDINGS 256
#define FIRST_LOCAL_PORT 100

struct xenevtchn_handle {
    unsigned magic;
};

/* local port - FIRST_LOCAL_PORT -> remote port + 1 (0: free) */
static uint32_t bindings[MAX_BINDINGS];

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger,
                                 unsigned int flags)
{
    xenevtchn_handle *h;

    if (xen_sim_no_xen()) {
        fprintf(stderr, "xenevtchn: error: open /dev/xen/evtchn: "
                "No such file or directory (xen-sim: mode=no-xen)\n");
        errno = ENOENT;
        return NULL;
    }
    if (xen_sim_fault(XEN_SIM_FAULT_EVTCHN_OPEN)) {
        xen_sim_error(__func__, ENOENT, "fault injected by the scenario "
                      "(evtchn-open)");
        return NULL;
    }
    h = calloc(1, sizeof(*h));
    xen_sim_log("xenevtchn_open handle=%p", (void *)h);
    return h;
}

int xenevtchn_close(xenevtchn_handle *xce)
{
    xen_sim_log("xenevtchn_close handle=%p", (void *)xce);
    free(xce);
    return 0;
}

int xenevtchn_restrict(xenevtchn_handle *xce, domid_t domid)
{
    xen_sim_log("xenevtchn_restrict domid=%u", domid);
    return xen_sim_check_domid(__func__, domid) ? 0 : -1;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
    return xen_sim_evtchn_in_fd();
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce,
                                                     uint32_t domid,
                                                     evtchn_port_t remote_port)
{
    if (!xen_sim_check_domid(__func__, domid)) {
        return -1;
    }
    for (unsigned i = 0; i < MAX_BINDINGS; i++) {
        if (!bindings[i]) {
            bindings[i] = remote_port + 1;
            xen_sim_log("xenevtchn_bind_interdomain remote=%u local=%u",
                        remote_port, FIRST_LOCAL_PORT + i);
            return FIRST_LOCAL_PORT + i;
        }
    }
    return xen_sim_error(__func__, ENOSPC, "out of event channels");
}

static int remote_of(evtchn_port_t port)
{
    if (port < FIRST_LOCAL_PORT || port >= FIRST_LOCAL_PORT + MAX_BINDINGS ||
        !bindings[port - FIRST_LOCAL_PORT]) {
        return -1;
    }
    return bindings[port - FIRST_LOCAL_PORT] - 1;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
    if (remote_of(port) < 0) {
        return xen_sim_error(__func__, EINVAL, "port %u is not bound", port);
    }
    bindings[port - FIRST_LOCAL_PORT] = 0;
    xen_sim_log("xenevtchn_unbind local=%u", port);
    return 0;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
    int remote = remote_of(port);
    uint32_t r;

    if (remote < 0) {
        return xen_sim_error(__func__, EINVAL, "port %u is not bound", port);
    }
    r = remote;
    if (write(xen_sim_evtchn_out_fd(), &r, sizeof(r)) != sizeof(r)) {
        xen_sim_warn("evtchn-out FIFO full, notification of port %u dropped",
                     remote);
    }
    xen_sim_log("xenevtchn_notify local=%u remote=%u", port, remote);
    return 0;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
    uint32_t remote;
    ssize_t n = read(xen_sim_evtchn_in_fd(), &remote, sizeof(remote));

    if (n != sizeof(remote)) {
        if (n > 0) {
            xen_sim_warn("evtchn-in: short write of %zd bytes ignored "
                         "(write 4-byte port numbers)", n);
        }
        errno = EAGAIN;
        return -1;
    }
    for (unsigned i = 0; i < MAX_BINDINGS; i++) {
        if (bindings[i] == remote + 1) {
            xen_sim_log("xenevtchn_pending remote=%u local=%u", remote,
                        FIRST_LOCAL_PORT + i);
            return FIRST_LOCAL_PORT + i;
        }
    }
    xen_sim_warn("evtchn-in: remote port %u is not bound to QEMU, ignored",
                 remote);
    errno = EAGAIN;
    return -1;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
    return 0;
}
