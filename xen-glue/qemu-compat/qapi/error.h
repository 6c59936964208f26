/*
 * Minimal stand-in for QEMU's qapi/error.h (the subset this project's
 * QEMU-side files use), for building them outside a QEMU tree.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef XEN_RDM_COMPAT_QAPI_ERROR_H
#define XEN_RDM_COMPAT_QAPI_ERROR_H

void error_setg_internal(Error **errp, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
#define error_setg(errp, ...) error_setg_internal((errp), __VA_ARGS__)
void error_prepend(Error **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void error_propagate(Error **dst_errp, Error *local_err);
const char *error_get_pretty(const Error *err);
void error_free(Error *err);
void error_report_err(Error *err);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Error, error_free)

#endif
