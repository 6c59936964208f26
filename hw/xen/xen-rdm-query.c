/*
 * The XENMEM_reserved_device_memory_map two-call protocol
 *
 * A first call with no buffer is answered ENOBUFS and the number of
 * entries (or 0 when there are none); a second call with a buffer of that
 * size gets them.  The count may change between the two calls (a device
 * being assigned, say), so ENOBUFS on the second call means "try again
 * with the new count", a bounded number of times.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/xen/xen-rdm-query.h"

#define XEN_RDM_PAGE_SHIFT  12
#define XEN_RDM_MAX_PFN     (XEN_RDM_MAX_PADDR >> XEN_RDM_PAGE_SHIFT)

static char *query_name(bool host_wide, uint32_t sbdf)
{
    g_autofree char *dev = NULL;

    if (host_wide) {
        return g_strdup("host-wide reserved device memory (XENMEM_RDM_ALL)");
    }
    dev = xen_rdm_sbdf_to_string(sbdf);
    return g_strdup_printf("reserved device memory of %s", dev);
}

static void set_call_error(Error **errp, const char *what, int err)
{
    const char *hint;

    switch (err) {
    case ENOSYS:
        hint = "the hypervisor has no reserved device memory support";
        break;
    case EPERM:
    case EACCES:
        hint = "permission denied (run as root in dom0)";
        break;
    case EINVAL:
        hint = "the hypervisor rejected the request";
        break;
    case EFAULT:
        hint = "the hypervisor could not access the buffer";
        break;
    default:
        hint = "the query failed";
        break;
    }
    error_setg(errp, "%s: %s (XENMEM_reserved_device_memory_map: %s)",
               what, hint, g_strerror(err));
}

static bool check_count(const char *what, uint32_t count, Error **errp)
{
    if (count == 0) {
        error_setg(errp, "%s: the hypervisor answered ENOBUFS but a count "
                   "of 0 entries", what);
        return false;
    }
    if (count > XEN_RDM_QUERY_MAX_ENTRIES) {
        error_setg(errp, "%s: the hypervisor reports %" PRIu32 " entries, "
                   "more than the %u accepted", what, count,
                   XEN_RDM_QUERY_MAX_ENTRIES);
        return false;
    }
    return true;
}

static bool check_entry(const char *what, uint32_t i, uint32_t n,
                        const XenRdmRawEntry *e, Error **errp)
{
    if (e->nr_pages == 0) {
        error_setg(errp, "%s: entry %" PRIu32 " of %" PRIu32 " (start pfn "
                   "0x%" PRIx64 ") has zero pages", what, i, n, e->start_pfn);
        return false;
    }
    if (e->start_pfn > XEN_RDM_MAX_PFN ||
        e->nr_pages > XEN_RDM_MAX_PFN - e->start_pfn) {
        error_setg(errp, "%s: entry %" PRIu32 " of %" PRIu32 " (start pfn "
                   "0x%" PRIx64 ", 0x%" PRIx64 " pages) wraps or ends beyond "
                   "2^52 bytes", what, i, n, e->start_pfn, e->nr_pages);
        return false;
    }
    return true;
}

/* call_once(): the buffer is too small */
#define CALL_TOO_SMALL 1

/*
 * One call of @fn with a buffer of *@count entries (@buf NULL when 0),
 * retried a bounded number of times when interrupted (EINTR, EAGAIN).
 * Returns 0 on success, CALL_TOO_SMALL when the buffer is too small
 * (*@count then being what the hypervisor says it needs, ENOBUFS), or -1
 * with @errp set.
 */

static int call_once(XenRdmMapFn fn, void *opaque, const char *what,
                     uint32_t flags, uint16_t seg, uint8_t bus,
                     uint8_t devfn, XenRdmRawEntry *buf, uint32_t *count,
                     Error **errp)
{
    uint32_t cap = *count;
    int tries, rc;

    for (tries = 0; ; tries++) {
        *count = cap;
        errno = 0;
        rc = fn(opaque, flags, seg, bus, devfn, buf, count);
        if (rc == 0) {
            return 0;
        }
        if (rc != -1) {
            error_setg(errp, "%s: XENMEM_reserved_device_memory_map returned "
                       "%d, neither 0 nor -1", what, rc);
            return -1;
        }
        if (errno == 0) {
            error_setg(errp, "%s: XENMEM_reserved_device_memory_map failed "
                       "without an error code (errno 0)", what);
            return -1;
        }
        if ((errno == EINTR || errno == EAGAIN) &&
            tries < XEN_RDM_QUERY_MAX_RETRIES) {
            continue;
        }
        if (errno == ENOBUFS) {
            return CALL_TOO_SMALL;
        }
        set_call_error(errp, what, errno);
        return -1;
    }
}

/*
 * Run the protocol for one query and add its validated regions to
 * @scratch.
 */
static bool query_one(XenRdmMapFn fn, void *opaque, bool host_wide,
                      uint32_t sbdf, XenRdmMap *scratch, Error **errp)
{
    ERRP_GUARD();
    g_autofree char *what = query_name(host_wide, sbdf);
    g_autofree XenRdmRawEntry *buf = NULL;
    uint32_t flags = host_wide ? XEN_RDM_QUERY_FLAG_ALL : 0;
    uint16_t seg = host_wide ? 0 : XEN_RDM_SBDF_SEG(sbdf);
    uint8_t bus = host_wide ? 0 : XEN_RDM_SBDF_BUS(sbdf);
    uint8_t devfn = host_wide ? 0 : XEN_RDM_SBDF_DEVFN(sbdf);
    uint32_t count = 0, n;
    int attempt, rc;

    rc = call_once(fn, opaque, what, flags, seg, bus, devfn, NULL, &count,
                   errp);
    if (rc < 0) {
        return false;
    }
    if (rc == 0) {
        if (count) {
            error_setg(errp, "%s: the hypervisor answered success for an "
                       "empty buffer, but a count of %" PRIu32 " entries",
                       what, count);
            return false;
        }
        return true;            /* no entries */
    }

    for (attempt = 0; ; attempt++) {
        if (!check_count(what, count, errp)) {
            return false;
        }
        if (attempt == XEN_RDM_QUERY_MAX_RETRIES) {
            error_setg(errp, "%s: the number of entries kept changing "
                       "(%d attempts, last count %" PRIu32 ")", what,
                       XEN_RDM_QUERY_MAX_RETRIES, count);
            return false;
        }
        g_free(buf);
        buf = g_new0(XenRdmRawEntry, count);
        n = count;
        rc = call_once(fn, opaque, what, flags, seg, bus, devfn, buf, &n,
                       errp);
        if (rc < 0) {
            return false;
        }
        if (rc == 0) {
            break;
        }
        if (n <= count) {
            /* too small a buffer, for no more than it holds */
            error_setg(errp, "%s: the hypervisor answered ENOBUFS for a "
                       "buffer of %" PRIu32 " entries, saying it needs %"
                       PRIu32 ": an inconsistent answer", what, count, n);
            return false;
        }
        count = n;
    }
    if (n > count) {
        error_setg(errp, "%s: the hypervisor reports %" PRIu32 " entries "
                   "in a buffer of %" PRIu32, what, n, count);
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint64_t start = buf[i].start_pfn << XEN_RDM_PAGE_SHIFT;
        uint64_t size = buf[i].nr_pages << XEN_RDM_PAGE_SHIFT;

        if (!check_entry(what, i, n, &buf[i], errp)) {
            return false;
        }
        /* a device's entries share one list of that device */
        if (!xen_rdm_map_add_with_devices(scratch, start, size, host_wide,
                                          &sbdf, !host_wide, errp)) {
            error_prepend(errp, "%s: entry %" PRIu32 ": ", what, i);
            return false;
        }
    }
    return true;
}

static bool sbdf_seen(const uint32_t *sbdfs, size_t i)
{
    for (size_t j = 0; j < i; j++) {
        if (sbdfs[j] == sbdfs[i]) {
            return true;
        }
    }
    return false;
}

bool xen_rdm_query_entries(XenRdmMapFn fn, void *opaque, bool host_wide,
                           const uint32_t *sbdfs, size_t nr,
                           XenRdmMap *map, Error **errp)
{
    g_autoptr(XenRdmMap) scratch = xen_rdm_map_new();

    if (host_wide && !query_one(fn, opaque, true, 0, scratch, errp)) {
        return false;
    }
    for (size_t i = 0; i < nr; i++) {
        if (!sbdf_seen(sbdfs, i) &&
            !query_one(fn, opaque, false, sbdfs[i], scratch, errp)) {
            return false;
        }
        if (scratch->entries->len > XEN_RDM_QUERY_MAX_TOTAL) {
            g_autofree char *dev = xen_rdm_sbdf_to_string(sbdfs[i]);

            error_setg(errp, "reserved device memory: %u entries in all "
                       "after the query of %s, more than the %u accepted "
                       "over all queries", scratch->entries->len, dev,
                       XEN_RDM_QUERY_MAX_TOTAL);
            return false;
        }
    }
    xen_rdm_map_take(map, scratch);
    return true;
}
