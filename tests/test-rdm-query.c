/*
 * Tests for the XENMEM_reserved_device_memory_map two-call protocol
 * (hw/xen/xen-rdm-query.c) against scripted fakes of the hypervisor, and
 * for xen_rdm_xenctrl_query() on a host without Xen.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"
#include "hw/xen/xen-rdm-query.h"

/* ------------------------------------------------------------------ */
/* A scripted fake: one step per call                                  */

typedef struct FakeStep {
    int err;                        /* 0: return 0, else -1 with errno */
    int ret;                        /* when not 0: return it, errno = err */
    uint32_t count;                 /* *max_entries on return */
    const XenRdmRawEntry *entries;  /* copied into the buffer, if any */
    uint32_t nr_entries;
} FakeStep;

typedef struct FakeCall {
    uint32_t flags;
    uint16_t seg;
    uint8_t bus;
    uint8_t devfn;
    bool had_buffer;
    uint32_t cap;
} FakeCall;

typedef struct Fake {
    const FakeStep *steps;
    size_t nr_steps;
    size_t next;
    GArray *calls;                  /* FakeCall */
} Fake;

static void fake_record(Fake *f, uint32_t flags, uint16_t seg, uint8_t bus,
                        uint8_t devfn, XenRdmRawEntry *entries,
                        uint32_t cap)
{
    FakeCall c = {
        .flags = flags, .seg = seg, .bus = bus, .devfn = devfn,
        .had_buffer = entries != NULL, .cap = cap,
    };

    g_array_append_val(f->calls, c);
}

static int scripted_fn(void *opaque, uint32_t flags, uint16_t seg,
                       uint8_t bus, uint8_t devfn, XenRdmRawEntry *entries,
                       uint32_t *max_entries)
{
    Fake *f = opaque;
    const FakeStep *s;

    fake_record(f, flags, seg, bus, devfn, entries, *max_entries);
    g_assert_cmpuint(f->next, <, f->nr_steps);
    s = &f->steps[f->next++];
    if (entries) {
        for (uint32_t i = 0; i < s->nr_entries && i < *max_entries; i++) {
            entries[i] = s->entries[i];
        }
    } else {
        g_assert_cmpuint(*max_entries, ==, 0);
    }
    *max_entries = s->count;
    if (s->ret) {
        errno = s->err;
        return s->ret;
    }
    if (s->err) {
        errno = s->err;
        return -1;
    }
    return 0;
}

static void fake_init(Fake *f, const FakeStep *steps, size_t nr_steps)
{
    f->steps = steps;
    f->nr_steps = nr_steps;
    f->next = 0;
    f->calls = g_array_new(false, false, sizeof(FakeCall));
}

static void fake_destroy(Fake *f)
{
    g_array_unref(f->calls);
}

static const FakeCall *fake_call(const Fake *f, guint i)
{
    g_assert_cmpuint(i, <, f->calls->len);
    return &g_array_index(f->calls, FakeCall, i);
}

static const XenRdmEntry *map_entry(const XenRdmMap *map, guint i)
{
    g_assert_cmpuint(i, <, map->entries->len);
    return g_ptr_array_index(map->entries, i);
}

/* Run a host-wide query against @steps; returns the error, if any */
static Error *run_host_wide(const FakeStep *steps, size_t nr_steps,
                            XenRdmMap *map, Fake *f)
{
    Error *err = NULL;
    bool ok;

    fake_init(f, steps, nr_steps);
    ok = xen_rdm_query_entries(scripted_fn, f, true, NULL, 0, map, &err);
    g_assert_cmpint(ok, ==, err == NULL);
    /* Every scripted step was used: no call more, none less */
    g_assert_cmpuint(f->next, ==, nr_steps);
    return err;
}

static void assert_error(Error *err, const char *substr)
{
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), substr)) {
        g_error("error '%s' does not contain '%s'", error_get_pretty(err),
                substr);
    }
}

static const XenRdmRawEntry two_entries[] = {
    { .start_pfn = 0xad000, .nr_pages = 0x1000 },
    { .start_pfn = 0x7b800, .nr_pages = 1 },
};

static const XenRdmRawEntry three_entries[] = {
    { .start_pfn = 0xad000, .nr_pages = 0x1000 },
    { .start_pfn = 0x7b800, .nr_pages = 1 },
    { .start_pfn = 0x100000, .nr_pages = 0x200 },
};

/* ------------------------------------------------------------------ */

static void test_no_entries(void)
{
    static const FakeStep steps[] = { { .err = 0, .count = 0 } };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);

    g_assert_null(err);
    g_assert_cmpuint(map->entries->len, ==, 0);
    g_assert_cmpuint(f.calls->len, ==, 1);
    g_assert_false(fake_call(&f, 0)->had_buffer);
    fake_destroy(&f);
}

static void test_two_calls(void)
{
    static const FakeStep steps[] = {
        { .err = ENOBUFS, .count = 2 },
        { .err = 0, .count = 2, .entries = two_entries, .nr_entries = 2 },
    };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);
    const XenRdmEntry *e;

    g_assert_null(err);
    g_assert_cmpuint(map->entries->len, ==, 2);
    e = map_entry(map, 0);
    g_assert_cmphex(e->start, ==, 0xad000000);
    g_assert_cmphex(e->size, ==, 0x1000000);
    g_assert_true(e->host_wide);
    g_assert_cmpuint(e->devices->len, ==, 0);
    e = map_entry(map, 1);
    g_assert_cmphex(e->start, ==, 0x7b800000);
    g_assert_cmphex(e->size, ==, 0x1000);
    g_assert_true(e->host_wide);

    g_assert_cmpuint(f.calls->len, ==, 2);
    g_assert_false(fake_call(&f, 0)->had_buffer);
    g_assert_true(fake_call(&f, 1)->had_buffer);
    g_assert_cmpuint(fake_call(&f, 1)->cap, ==, 2);
    /* Host-wide: XENMEM_RDM_ALL and no device */
    for (guint i = 0; i < 2; i++) {
        g_assert_cmpuint(fake_call(&f, i)->flags, ==, 1);
        g_assert_cmpuint(fake_call(&f, i)->seg, ==, 0);
        g_assert_cmpuint(fake_call(&f, i)->bus, ==, 0);
        g_assert_cmpuint(fake_call(&f, i)->devfn, ==, 0);
    }
    fake_destroy(&f);
}

static void test_count_grows(void)
{
    static const FakeStep steps[] = {
        { .err = ENOBUFS, .count = 1 },
        { .err = ENOBUFS, .count = 2, .entries = three_entries,
          .nr_entries = 1 },
        { .err = ENOBUFS, .count = 3, .entries = three_entries,
          .nr_entries = 2 },
        { .err = 0, .count = 3, .entries = three_entries, .nr_entries = 3 },
    };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);

    g_assert_null(err);
    g_assert_cmpuint(map->entries->len, ==, 3);
    g_assert_cmphex(map_entry(map, 2)->start, ==, 0x100000000ULL);
    g_assert_cmphex(map_entry(map, 2)->size, ==, 0x200000);
    g_assert_cmpuint(fake_call(&f, 1)->cap, ==, 1);
    g_assert_cmpuint(fake_call(&f, 2)->cap, ==, 2);
    g_assert_cmpuint(fake_call(&f, 3)->cap, ==, 3);
    fake_destroy(&f);
}

static void test_count_shrinks(void)
{
    /* Three announced, one left by the time of the second call */
    static const FakeStep steps[] = {
        { .err = ENOBUFS, .count = 3 },
        { .err = 0, .count = 1, .entries = three_entries, .nr_entries = 1 },
    };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);

    g_assert_null(err);
    g_assert_cmpuint(map->entries->len, ==, 1);
    g_assert_cmphex(map_entry(map, 0)->start, ==, 0xad000000);
    g_assert_cmpuint(fake_call(&f, 1)->cap, ==, 3);
    fake_destroy(&f);
}

static void test_count_shrinks_to_zero(void)
{
    static const FakeStep steps[] = {
        { .err = ENOBUFS, .count = 2 },
        { .err = 0, .count = 0 },
    };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);

    g_assert_null(err);
    g_assert_cmpuint(map->entries->len, ==, 0);
    fake_destroy(&f);
}

/* A hypervisor whose count is always one more than the buffer offered */
static int growing_fn(void *opaque, uint32_t flags, uint16_t seg,
                      uint8_t bus, uint8_t devfn, XenRdmRawEntry *entries,
                      uint32_t *max_entries)
{
    unsigned *calls = opaque;

    (*calls)++;
    *max_entries += 1;
    errno = ENOBUFS;
    return -1;
}

static void test_count_changes_forever(void)
{
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Error *err = NULL;
    unsigned calls = 0;

    g_assert_false(xen_rdm_query_entries(growing_fn, &calls, true, NULL, 0,
                                         map, &err));
    assert_error(err, "host-wide");
    assert_error(err, "kept changing");
    assert_error(err, "8 attempts");
    g_assert_cmpuint(calls, ==, 1 + XEN_RDM_QUERY_MAX_RETRIES);
    g_assert_cmpuint(map->entries->len, ==, 0);
    error_free(err);
}

static void test_enosys(void)
{
    static const FakeStep steps[] = { { .err = ENOSYS, .count = 0 } };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);

    assert_error(err, "host-wide reserved device memory (XENMEM_RDM_ALL): "
                 "the hypervisor has no reserved device memory support");
    assert_error(err, g_strerror(ENOSYS));
    g_assert_cmpuint(map->entries->len, ==, 0);
    error_free(err);
    fake_destroy(&f);
}

static void test_enosys_on_second_call(void)
{
    static const FakeStep steps[] = {
        { .err = ENOBUFS, .count = 2 },
        { .err = ENOSYS, .count = 0 },
    };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);

    assert_error(err, "no reserved device memory support");
    g_assert_cmpuint(map->entries->len, ==, 0);
    error_free(err);
    fake_destroy(&f);
}

static void test_eperm(void)
{
    static const FakeStep steps[] = { { .err = EPERM, .count = 0 } };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);

    assert_error(err, "permission denied");
    assert_error(err, g_strerror(EPERM));
    error_free(err);
    fake_destroy(&f);
}

static void test_other_errno(void)
{
    static const FakeStep steps[] = { { .err = EIO, .count = 0 } };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);

    assert_error(err, "the query failed (XENMEM_reserved_device_memory_map: ");
    assert_error(err, g_strerror(EIO));
    error_free(err);
    fake_destroy(&f);
}

static void test_absurd_count(void)
{
    static const FakeStep first[] = { { .err = ENOBUFS, .count = 65537 } };
    static const FakeStep huge[] = { { .err = ENOBUFS, .count = UINT32_MAX } };
    static const FakeStep later[] = {
        { .err = ENOBUFS, .count = 2 },
        { .err = ENOBUFS, .count = 1000000 },
    };
    static const FakeStep zero[] = { { .err = ENOBUFS, .count = 0 } };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err;

    err = run_host_wide(first, G_N_ELEMENTS(first), map, &f);
    assert_error(err, "reports 65537 entries, more than the 65536 accepted");
    error_free(err);
    fake_destroy(&f);

    err = run_host_wide(huge, G_N_ELEMENTS(huge), map, &f);
    assert_error(err, "reports 4294967295 entries");
    error_free(err);
    fake_destroy(&f);

    err = run_host_wide(later, G_N_ELEMENTS(later), map, &f);
    assert_error(err, "reports 1000000 entries");
    error_free(err);
    fake_destroy(&f);

    err = run_host_wide(zero, G_N_ELEMENTS(zero), map, &f);
    assert_error(err, "answered ENOBUFS but a count of 0");
    error_free(err);
    fake_destroy(&f);

    g_assert_cmpuint(map->entries->len, ==, 0);
}

static void test_limit_count_accepted(void)
{
    /* Exactly the limit is accepted */
    g_autofree XenRdmRawEntry *many = g_new(XenRdmRawEntry,
                                            XEN_RDM_QUERY_MAX_ENTRIES);
    FakeStep steps[2] = {
        { .err = ENOBUFS, .count = XEN_RDM_QUERY_MAX_ENTRIES },
        { .err = 0, .count = XEN_RDM_QUERY_MAX_ENTRIES, .entries = many,
          .nr_entries = XEN_RDM_QUERY_MAX_ENTRIES },
    };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err;

    for (uint32_t i = 0; i < XEN_RDM_QUERY_MAX_ENTRIES; i++) {
        many[i].start_pfn = 0x100000 + 2 * (uint64_t)i;
        many[i].nr_pages = 1;
    }
    err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);
    g_assert_null(err);
    g_assert_cmpuint(map->entries->len, ==, XEN_RDM_QUERY_MAX_ENTRIES);
    fake_destroy(&f);
}

static void test_bad_entries(void)
{
    static const XenRdmRawEntry zero_size[] = {
        { .start_pfn = 0xad000, .nr_pages = 0x10 },
        { .start_pfn = 0xae000, .nr_pages = 0 },
    };
    static const XenRdmRawEntry wrapping[] = {
        { .start_pfn = UINT64_MAX - 1, .nr_pages = 4 },
    };
    static const XenRdmRawEntry beyond[] = {
        { .start_pfn = (1ULL << 40) - 1, .nr_pages = 2 },
    };
    static const XenRdmRawEntry huge_pages[] = {
        { .start_pfn = 0x100, .nr_pages = UINT64_MAX },
    };
    static const struct {
        XenRdmRawEntry const *entries;
        uint32_t nr;
        const char *msg;
    } cases[] = {
        { zero_size, 2, "entry 1 of 2 (start pfn 0xae000) has zero pages" },
        { wrapping, 1, "entry 0 of 1 (start pfn 0xfffffffffffffffe, 0x4 "
                       "pages) wraps or ends beyond 2^52 bytes" },
        { beyond, 1, "(start pfn 0xffffffffff, 0x2 pages) wraps or ends "
                     "beyond 2^52 bytes" },
        { huge_pages, 1, "wraps or ends beyond 2^52 bytes" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        FakeStep steps[2] = {
            { .err = ENOBUFS, .count = cases[i].nr },
            { .err = 0, .count = cases[i].nr, .entries = cases[i].entries,
              .nr_entries = cases[i].nr },
        };
        g_autoptr(XenRdmMap) map = xen_rdm_map_new();
        Fake f;
        Error *err;

        /* Something already in the map stays, nothing is added */
        xen_rdm_map_add(map, 0x1000, 0x1000, true, NULL);
        err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);
        assert_error(err, cases[i].msg);
        g_assert_cmpuint(map->entries->len, ==, 1);
        g_assert_cmphex(map_entry(map, 0)->start, ==, 0x1000);
        error_free(err);
        fake_destroy(&f);
    }
}

static void test_entry_ending_at_limit(void)
{
    static const XenRdmRawEntry top[] = {
        { .start_pfn = (1ULL << 40) - 2, .nr_pages = 2 },
    };
    static const FakeStep steps[] = {
        { .err = ENOBUFS, .count = 1 },
        { .err = 0, .count = 1, .entries = top, .nr_entries = 1 },
    };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);

    g_assert_null(err);
    g_assert_cmpuint(map->entries->len, ==, 1);
    g_assert_cmphex(map_entry(map, 0)->start + map_entry(map, 0)->size, ==,
                    XEN_RDM_MAX_PADDR);
    fake_destroy(&f);
}

static void test_more_than_buffer(void)
{
    /* Success, but claiming more entries than the buffer holds */
    static const FakeStep steps[] = {
        { .err = ENOBUFS, .count = 1 },
        { .err = 0, .count = 2, .entries = two_entries, .nr_entries = 2 },
    };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);

    assert_error(err, "reports 2 entries in a buffer of 1");
    g_assert_cmpuint(map->entries->len, ==, 0);
    error_free(err);
    fake_destroy(&f);
}

/* ------------------------------------------------------------------ */
/* A hypervisor with real semantics: per-device lists, ENOBUFS protocol */

typedef struct FakeDevice {
    bool all;                       /* the XENMEM_RDM_ALL answer */
    uint32_t sbdf;
    int err;                        /* fail this query with errno */
    const XenRdmRawEntry *entries;
    uint32_t nr;
} FakeDevice;

typedef struct FakeHost {
    const FakeDevice *devices;
    size_t nr_devices;
    GArray *calls;                  /* FakeCall */
} FakeHost;

static int host_fn(void *opaque, uint32_t flags, uint16_t seg, uint8_t bus,
                   uint8_t devfn, XenRdmRawEntry *entries,
                   uint32_t *max_entries)
{
    FakeHost *h = opaque;
    Fake rec = { .calls = h->calls };
    uint32_t sbdf = XEN_RDM_SBDF(seg, bus, devfn >> 3, devfn & 7);
    const FakeDevice *d = NULL;
    uint32_t cap = *max_entries;

    fake_record(&rec, flags, seg, bus, devfn, entries, cap);
    for (size_t i = 0; i < h->nr_devices; i++) {
        if (flags & 1 ? h->devices[i].all
                      : !h->devices[i].all && h->devices[i].sbdf == sbdf) {
            d = &h->devices[i];
        }
    }
    if (d && d->err) {
        errno = d->err;
        return -1;
    }
    *max_entries = d ? d->nr : 0;
    if (*max_entries > cap) {
        errno = ENOBUFS;
        return -1;
    }
    for (uint32_t i = 0; i < *max_entries; i++) {
        entries[i] = d->entries[i];
    }
    return 0;
}

static const XenRdmRawEntry gfx_entries[] = {
    { .start_pfn = 0xad000, .nr_pages = 0x4000 },
};
static const XenRdmRawEntry usb_entries[] = {
    { .start_pfn = 0x7b800, .nr_pages = 0x10 },
    { .start_pfn = 0x7b900, .nr_pages = 0x1 },
};

static void test_per_device(void)
{
    static const FakeDevice devs[] = {
        { .all = true, .entries = three_entries, .nr = 3 },
        { .sbdf = XEN_RDM_SBDF(0, 0, 2, 0), .entries = gfx_entries, .nr = 1 },
        { .sbdf = XEN_RDM_SBDF(1, 0x14, 0x1d, 7), .entries = usb_entries,
          .nr = 2 },
    };
    const uint32_t sbdfs[] = {
        XEN_RDM_SBDF(0, 0, 2, 0),
        XEN_RDM_SBDF(1, 0x14, 0x1d, 7),
        XEN_RDM_SBDF(0, 3, 0, 0),           /* no regions */
        XEN_RDM_SBDF(0, 0, 2, 0),           /* listed twice: asked once */
    };
    FakeHost h = {
        .devices = devs, .nr_devices = G_N_ELEMENTS(devs),
        .calls = g_array_new(false, false, sizeof(FakeCall)),
    };
    Fake rec = { .calls = h.calls };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Error *err = NULL;
    const XenRdmEntry *e;

    g_assert_true(xen_rdm_query_entries(host_fn, &h, true, sbdfs,
                                        G_N_ELEMENTS(sbdfs), map, &err));
    g_assert_null(err);

    /* host-wide: 2 calls, 00:02.0: 2, 0001:14:1d.7: 2, 03:00.0: 1 */
    g_assert_cmpuint(h.calls->len, ==, 7);
    g_assert_cmpuint(fake_call(&rec, 0)->flags, ==, 1);
    g_assert_cmpuint(fake_call(&rec, 1)->flags, ==, 1);
    g_assert_cmpuint(fake_call(&rec, 2)->flags, ==, 0);
    g_assert_cmpuint(fake_call(&rec, 2)->seg, ==, 0);
    g_assert_cmpuint(fake_call(&rec, 2)->bus, ==, 0);
    g_assert_cmphex(fake_call(&rec, 2)->devfn, ==, 0x10);
    g_assert_cmpuint(fake_call(&rec, 4)->flags, ==, 0);
    g_assert_cmphex(fake_call(&rec, 4)->seg, ==, 1);
    g_assert_cmphex(fake_call(&rec, 4)->bus, ==, 0x14);
    g_assert_cmphex(fake_call(&rec, 4)->devfn, ==, 0xef);
    g_assert_cmphex(fake_call(&rec, 6)->bus, ==, 3);
    g_assert_cmphex(fake_call(&rec, 6)->devfn, ==, 0);

    g_assert_cmpuint(map->entries->len, ==, 6);
    for (guint i = 0; i < 3; i++) {
        e = map_entry(map, i);
        g_assert_true(e->host_wide);
        g_assert_cmpuint(e->devices->len, ==, 0);
    }
    e = map_entry(map, 3);
    g_assert_false(e->host_wide);
    g_assert_cmphex(e->start, ==, 0xad000000);
    g_assert_cmphex(e->size, ==, 0x4000000);
    g_assert_cmpuint(e->devices->len, ==, 1);
    g_assert_true(xen_rdm_entry_has_device(e, XEN_RDM_SBDF(0, 0, 2, 0)));
    for (guint i = 4; i < 6; i++) {
        e = map_entry(map, i);
        g_assert_false(e->host_wide);
        g_assert_cmpuint(e->devices->len, ==, 1);
        g_assert_true(xen_rdm_entry_has_device(e,
                                               XEN_RDM_SBDF(1, 0x14, 0x1d, 7)));
    }
    g_assert_cmphex(map_entry(map, 5)->start, ==, 0x7b900000);
    g_array_unref(h.calls);
}

static void test_per_device_only(void)
{
    static const FakeDevice devs[] = {
        { .all = true, .entries = three_entries, .nr = 3 },
        { .sbdf = XEN_RDM_SBDF(0, 0, 2, 0), .entries = gfx_entries, .nr = 1 },
    };
    const uint32_t sbdfs[] = { XEN_RDM_SBDF(0, 0, 2, 0) };
    FakeHost h = {
        .devices = devs, .nr_devices = G_N_ELEMENTS(devs),
        .calls = g_array_new(false, false, sizeof(FakeCall)),
    };
    Fake rec = { .calls = h.calls };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();

    g_assert_true(xen_rdm_query_entries(host_fn, &h, false, sbdfs, 1, map,
                                        NULL));
    /* No host-wide call at all */
    g_assert_cmpuint(h.calls->len, ==, 2);
    g_assert_cmpuint(fake_call(&rec, 0)->flags, ==, 0);
    g_assert_cmpuint(map->entries->len, ==, 1);
    g_assert_false(map_entry(map, 0)->host_wide);
    g_array_unref(h.calls);
}

static void test_all_or_nothing(void)
{
    static const FakeDevice devs[] = {
        { .all = true, .entries = three_entries, .nr = 3 },
        { .sbdf = XEN_RDM_SBDF(0, 0, 2, 0), .entries = gfx_entries, .nr = 1 },
        { .sbdf = XEN_RDM_SBDF(0, 0, 0x14, 0), .err = EPERM },
    };
    const uint32_t sbdfs[] = {
        XEN_RDM_SBDF(0, 0, 2, 0), XEN_RDM_SBDF(0, 0, 0x14, 0),
    };
    FakeHost h = {
        .devices = devs, .nr_devices = G_N_ELEMENTS(devs),
        .calls = g_array_new(false, false, sizeof(FakeCall)),
    };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Error *err = NULL;

    xen_rdm_map_add(map, 0x2000, 0x1000, true, NULL);
    g_assert_false(xen_rdm_query_entries(host_fn, &h, true, sbdfs,
                                         G_N_ELEMENTS(sbdfs), map, &err));
    assert_error(err, "reserved device memory of 0000:00:14.0: permission "
                 "denied");
    g_assert_cmpuint(map->entries->len, ==, 1);
    g_assert_cmphex(map_entry(map, 0)->start, ==, 0x2000);
    error_free(err);
    g_array_unref(h.calls);
}

/* ------------------------------------------------------------------ */
/* The real libxenctrl, on this machine                                 */

static bool have_privcmd(void)
{
    return g_file_test("/dev/xen/privcmd", G_FILE_TEST_EXISTS) ||
           g_file_test("/proc/xen/privcmd", G_FILE_TEST_EXISTS);
}

/* Answers that contradict the protocol, each with its own outcome */
static void test_protocol_violations(void)
{
    static const struct {
        FakeStep steps[2];
        size_t nr;
        const char *msg;
    } cases[] = {
        /* success for no buffer, but entries to give */
        { { { .err = 0, .count = 3 } }, 1,
          "answered success for an empty buffer, but a count of 3 entries" },
        /* -1 without an error code */
        { { { .err = 0, .ret = -1 } }, 1,
          "failed without an error code (errno 0)" },
        /* neither 0 nor -1 */
        { { { .err = 0, .ret = 1 } }, 1, "returned 1, neither 0 nor -1" },
        { { { .err = ENOBUFS, .ret = -2, .count = 2 } }, 1,
          "returned -2, neither 0 nor -1" },
        /* ENOBUFS for a buffer that holds what it asked for */
        { { { .err = ENOBUFS, .count = 2 }, { .err = ENOBUFS, .count = 2 } },
          2, "answered ENOBUFS for a buffer of 2 entries, saying it needs 2: "
          "an inconsistent answer" },
        /* ENOBUFS with a count of 0 on the second call */
        { { { .err = ENOBUFS, .count = 2 }, { .err = ENOBUFS, .count = 0 } },
          2, "answered ENOBUFS for a buffer of 2 entries, saying it needs 0" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(XenRdmMap) map = xen_rdm_map_new();
        Fake f;
        Error *err = run_host_wide(cases[i].steps, cases[i].nr, map, &f);

        assert_error(err, "host-wide reserved device memory");
        assert_error(err, cases[i].msg);
        g_assert_cmpuint(map->entries->len, ==, 0);
        error_free(err);
        fake_destroy(&f);
    }
}

/* An interrupted call is asked again, a bounded number of times */
static void test_interrupted(void)
{
    static const FakeStep steps[] = {
        { .err = EINTR },
        { .err = ENOBUFS, .count = 2 },
        { .err = EAGAIN },
        { .err = 0, .count = 2, .entries = two_entries, .nr_entries = 2 },
    };
    FakeStep forever[1 + XEN_RDM_QUERY_MAX_RETRIES];
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    g_autoptr(XenRdmMap) map2 = xen_rdm_map_new();
    Fake f;
    Error *err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);

    g_assert_null(err);
    g_assert_cmpuint(map->entries->len, ==, 2);
    fake_destroy(&f);

    for (size_t i = 0; i < G_N_ELEMENTS(forever); i++) {
        forever[i] = (FakeStep){ .err = EINTR };
    }
    err = run_host_wide(forever, G_N_ELEMENTS(forever), map2, &f);
    assert_error(err, g_strerror(EINTR));
    g_assert_cmpuint(map2->entries->len, ==, 0);
    error_free(err);
    fake_destroy(&f);
}

/* A per-device answer is checked as the host-wide one is */
static void test_per_device_bad_entries(void)
{
    static const XenRdmRawEntry zero[] = { { .start_pfn = 0x1000 } };
    static const XenRdmRawEntry wrap[] = {
        { .start_pfn = UINT64_MAX - 1, .nr_pages = 4 },
    };
    static const struct {
        const XenRdmRawEntry *e;
        const char *msg;
    } cases[] = {
        { zero, "has zero pages" },
        { wrap, "wraps or ends beyond 2^52 bytes" },
    };
    const uint32_t sbdf = XEN_RDM_SBDF(0, 0, 0x14, 0);

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const FakeStep steps[] = {
            { .err = ENOBUFS, .count = 1 },
            { .err = 0, .count = 1, .entries = cases[i].e, .nr_entries = 1 },
        };
        g_autoptr(XenRdmMap) map = xen_rdm_map_new();
        Error *err = NULL;
        Fake f;

        fake_init(&f, steps, G_N_ELEMENTS(steps));
        g_assert_false(xen_rdm_query_entries(scripted_fn, &f, false, &sbdf,
                                             1, map, &err));
        assert_error(err, "reserved device memory of 0000:00:14.0");
        assert_error(err, cases[i].msg);
        g_assert_cmpuint(map->entries->len, ==, 0);
        error_free(err);
        fake_destroy(&f);
    }
}

/* Overlapping and repeated entries are kept as given */
static void test_overlapping_entries(void)
{
    static const XenRdmRawEntry entries[] = {
        { .start_pfn = 0x7b800, .nr_pages = 4 },
        { .start_pfn = 0x7b800, .nr_pages = 4 },
        { .start_pfn = 0x7b802, .nr_pages = 4 },
    };
    static const FakeStep steps[] = {
        { .err = ENOBUFS, .count = 3 },
        { .err = 0, .count = 3, .entries = entries, .nr_entries = 3 },
    };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Fake f;
    Error *err = run_host_wide(steps, G_N_ELEMENTS(steps), map, &f);

    g_assert_null(err);
    g_assert_cmpuint(map->entries->len, ==, 3);
    g_assert_cmphex(map_entry(map, 1)->start, ==, 0x7b800000);
    g_assert_cmphex(map_entry(map, 2)->start, ==, 0x7b802000);
    fake_destroy(&f);
}

/* Every device answering the most it may: the total is capped */
static int full_fn(void *opaque, uint32_t flags, uint16_t seg, uint8_t bus,
                   uint8_t devfn, XenRdmRawEntry *entries,
                   uint32_t *max_entries)
{
    uint32_t want = XEN_RDM_QUERY_MAX_ENTRIES;

    if (*max_entries < want) {
        *max_entries = want;
        errno = ENOBUFS;
        return -1;
    }
    for (uint32_t i = 0; i < want; i++) {
        entries[i].start_pfn = 0x100000 + i;
        entries[i].nr_pages = 1;
    }
    *max_entries = want;
    return 0;
}

static void test_total_cap(void)
{
    const uint32_t sbdfs[] = { XEN_RDM_SBDF(0, 0, 2, 0),
                               XEN_RDM_SBDF(0, 0, 3, 0) };
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Error *err = NULL;

    g_assert_false(xen_rdm_query_entries(full_fn, NULL, false, sbdfs, 2,
                                         map, &err));
    assert_error(err, "131072 entries in all after the query of "
                 "0000:00:03.0, more than the 65536 accepted");
    g_assert_cmpuint(map->entries->len, ==, 0);
    error_free(err);
}

static void test_xenctrl_no_xen(void)
{
    g_autoptr(XenRdmMap) map = NULL;
    Error *err = NULL;

    if (have_privcmd()) {
        g_test_skip("privcmd exists: this host may run Xen, so the "
                    "no-hypervisor failure cannot be checked here");
        return;
    }
    if (g_test_subprocess()) {
        const uint32_t sbdf = XEN_RDM_SBDF(0, 0, 2, 0);

        map = xen_rdm_map_new();
        g_assert_false(xen_rdm_xenctrl_query(true, &sbdf, 1, map, &err));
        assert_error(err, "cannot open the Xen control interface "
                     "(xc_interface_open: ");
        assert_error(err, "privileged command interface");
        assert_error(err, "): is this a Xen dom0 with privcmd loaded?");
        g_assert_cmpuint(map->entries->len, ==, 0);
        /* What the caller will print; libxenctrl itself printed nothing */
        printf("%s\n", error_get_pretty(err));
        error_free(err);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("*is this a Xen dom0 with privcmd loaded?*");
    g_test_trap_assert_stderr("");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rdm-query/no-entries", test_no_entries);
    g_test_add_func("/rdm-query/two-calls", test_two_calls);
    g_test_add_func("/rdm-query/count-grows", test_count_grows);
    g_test_add_func("/rdm-query/count-shrinks", test_count_shrinks);
    g_test_add_func("/rdm-query/count-shrinks-to-zero",
                    test_count_shrinks_to_zero);
    g_test_add_func("/rdm-query/count-changes-forever",
                    test_count_changes_forever);
    g_test_add_func("/rdm-query/enosys", test_enosys);
    g_test_add_func("/rdm-query/enosys-second-call",
                    test_enosys_on_second_call);
    g_test_add_func("/rdm-query/eperm", test_eperm);
    g_test_add_func("/rdm-query/other-errno", test_other_errno);
    g_test_add_func("/rdm-query/absurd-count", test_absurd_count);
    g_test_add_func("/rdm-query/limit-count", test_limit_count_accepted);
    g_test_add_func("/rdm-query/bad-entries", test_bad_entries);
    g_test_add_func("/rdm-query/entry-at-limit", test_entry_ending_at_limit);
    g_test_add_func("/rdm-query/more-than-buffer", test_more_than_buffer);
    g_test_add_func("/rdm-query/per-device", test_per_device);
    g_test_add_func("/rdm-query/per-device-only", test_per_device_only);
    g_test_add_func("/rdm-query/all-or-nothing", test_all_or_nothing);
    g_test_add_func("/rdm-query/protocol-violations",
                    test_protocol_violations);
    g_test_add_func("/rdm-query/interrupted", test_interrupted);
    g_test_add_func("/rdm-query/per-device-bad-entries",
                    test_per_device_bad_entries);
    g_test_add_func("/rdm-query/overlapping-entries",
                    test_overlapping_entries);
    g_test_add_func("/rdm-query/total-cap", test_total_cap);
    g_test_add_func("/rdm-query/xenctrl-no-xen", test_xenctrl_no_xen);
    return g_test_run();
}
