/*
 * Reserved device memory as the Xen hypervisor reports it, through
 * libxenctrl's xc_reserved_device_memory_map()
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"
#include "hw/xen/xen-rdm-query.h"

#include <xenctrl.h>
#include <xentoollog.h>
#include "hw/xen/xen-rdm-xc.h"

/*
 * A xentoollog logger that prints nothing and keeps the last error
 * libxenctrl reported, so that it can go into our Error instead of
 * appearing on stderr.
 */
typedef struct XenRdmQuietLogger {
    xentoollog_logger logger;
    char *last_error;
} XenRdmQuietLogger;

static void G_GNUC_PRINTF(5, 0)
quiet_vmessage(xentoollog_logger *logger, xentoollog_level level,
               int errnoval, const char *context, const char *format,
               va_list al)
{
    XenRdmQuietLogger *ql = (XenRdmQuietLogger *)logger;
    g_autofree char *msg = NULL;

    if (level < XTL_WARN) {
        return;
    }
    msg = g_strdup_vprintf(format, al);
    g_free(ql->last_error);
    if (errnoval >= 0) {
        ql->last_error = g_strdup_printf("%s: %s", msg, g_strerror(errnoval));
    } else {
        ql->last_error = g_steal_pointer(&msg);
    }
}

static void quiet_progress(xentoollog_logger *logger, const char *context,
                           const char *doing_what, int percent,
                           unsigned long done, unsigned long total)
{
}

/* The logger lives on the caller's stack: nothing to free here */
static void quiet_destroy(xentoollog_logger *logger)
{
}

bool xen_rdm_xenctrl_query(bool host_wide, const uint32_t *sbdfs,
                           size_t nr_sbdfs, XenRdmMap *map, Error **errp)
{
    XenRdmQuietLogger ql = {
        .logger = {
            .vmessage = quiet_vmessage,
            .progress = quiet_progress,
            .destroy = quiet_destroy,
        },
    };
    xc_interface *xch;
    bool ok;

    xch = xc_interface_open(&ql.logger, &ql.logger, 0);
    if (!xch) {
        int err = errno;

        error_setg(errp, "cannot open the Xen control interface "
                   "(xc_interface_open: %s): is this a Xen dom0 with "
                   "privcmd loaded?",
                   ql.last_error ? ql.last_error : g_strerror(err));
        g_free(ql.last_error);
        return false;
    }

    ok = xen_rdm_query_entries(xen_rdm_xc_map, xch, host_wide, sbdfs,
                               nr_sbdfs, map, errp);
    xc_interface_close(xch);
    g_free(ql.last_error);
    return ok;
}
