/*
 * xen-sim: libxenstore.so.4, an in-memory xenstore with watches.
 * Transactions are accepted and always commit.  Writes are logged.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "xen-sim.h"

struct xs_handle {
    XenSimXs *xs;
};

/* Paths in the log are absolute: relative ones are under dom0's home */
static const char *home(const char *path)
{
    return path[0] == '/' ? "" : "/local/domain/0/";
}

struct xs_handle *xs_open(unsigned long flags)
{
    struct xs_handle *h;

    if (xen_sim_no_xen()) {
        fprintf(stderr, "xenstore: error: cannot connect to xenstored "
                "(xen-sim: mode=no-xen)\n");
        errno = ENOENT;
        return NULL;
    }
    if (xen_sim_fault(XEN_SIM_FAULT_XS_OPEN)) {
        xen_sim_error(__func__, ECONNREFUSED, "fault injected by the "
                      "scenario (xs-open)");
        return NULL;
    }
    h = calloc(1, sizeof(*h));
    h->xs = xen_sim_xs_open();
    if (!h->xs) {
        free(h);
        return NULL;
    }
    xen_sim_log("xs_open handle=%p", (void *)h);
    return h;
}

struct xs_handle *xs_daemon_open(void)
{
    return xs_open(0);
}

struct xs_handle *xs_domain_open(void)
{
    return xs_open(0);
}

struct xs_handle *xs_daemon_open_readonly(void)
{
    return xs_open(0);
}

void xs_close(struct xs_handle *xsh)
{
    if (xsh) {
        xen_sim_log("xs_close handle=%p", (void *)xsh);
        xen_sim_xs_close(xsh->xs);
        free(xsh);
    }
}

void xs_daemon_close(struct xs_handle *xsh)
{
    xs_close(xsh);
}

int xs_fileno(struct xs_handle *h)
{
    return xen_sim_xs_fileno(h->xs);
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t,
                    const char *path, unsigned int *num)
{
    return xen_sim_xs_directory(path, num);
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path,
              unsigned int *len)
{
    return xen_sim_xs_read(path, len);
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
              const void *data, unsigned int len)
{
    xen_sim_log("xs_write %s%s = %.*s", home(path), path, (int)len,
                (const char *)data);
    return xen_sim_xs_write(path, data, len);
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    xen_sim_log("xs_mkdir %s%s", home(path), path);
    return xen_sim_xs_mkdir(path);
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    xen_sim_log("xs_rm %s%s", home(path), path);
    return xen_sim_xs_rm(path);
}

struct xs_permissions *xs_get_permissions(struct xs_handle *h,
                                          xs_transaction_t t,
                                          const char *path,
                                          unsigned int *num)
{
    struct xs_permissions *p;
    char *v = xen_sim_xs_read(path, NULL);

    if (!v) {
        return NULL;
    }
    free(v);
    p = calloc(1, sizeof(*p));
    p->id = 0;
    p->perms = XS_PERM_NONE;
    *num = 1;
    return p;
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t,
                        const char *path, struct xs_permissions *perms,
                        unsigned int num_perms)
{
    char *v = xen_sim_xs_read(path, NULL);

    if (!v) {
        return false;
    }
    free(v);
    xen_sim_log("xs_set_permissions %s%s owner=%u n=%u", home(path), path,
                num_perms ? perms[0].id : 0, num_perms);
    return true;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
    xen_sim_log("xs_watch %s%s token=%s", home(path), path, token);
    return xen_sim_xs_watch(h->xs, path, token);
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
    xen_sim_log("xs_unwatch %s%s token=%s", home(path), path, token);
    return xen_sim_xs_unwatch(h->xs, path, token);
}

char **xs_check_watch(struct xs_handle *h)
{
    return xen_sim_xs_next_event(h->xs, false);
}

char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
    char **ev = xen_sim_xs_next_event(h->xs, true);

    if (ev && num) {
        *num = 2;
    }
    return ev;
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
    return 1;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
    return true;
}

char *xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
    char *p = NULL;

    if (asprintf(&p, "/local/domain/%u", domid) < 0) {
        return NULL;
    }
    return p;
}

bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
    return domid == 0 || domid == xen_sim_domid();
}

bool xs_path_is_subpath(const char *parent, const char *child)
{
    size_t n = strlen(parent);

    return !strncmp(child, parent, n) &&
           (child[n] == '\0' || child[n] == '/' ||
            (n && parent[n - 1] == '/'));
}
