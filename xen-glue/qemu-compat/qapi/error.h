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

/*
 * ERRP_GUARD() as QEMU has it (without error_fatal, which nothing here
 * uses): @errp points at a local Error when the caller passed NULL, so
 * that error_prepend() and tests of *errp work, and what was set there
 * reaches the caller's @errp when the function returns
 */
typedef struct ErrorPropagator {
    Error *local_err;
    Error **errp;
} ErrorPropagator;

static inline void error_propagator_cleanup(ErrorPropagator *prop)
{
    error_propagate(prop->errp, prop->local_err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ErrorPropagator, error_propagator_cleanup)

#define ERRP_GUARD()                                            \
    g_auto(ErrorPropagator) _auto_errp_prop = { .errp = errp }; \
    do {                                                        \
        if (!errp) {                                            \
            errp = &_auto_errp_prop.local_err;                  \
        }                                                       \
    } while (0)

#endif
