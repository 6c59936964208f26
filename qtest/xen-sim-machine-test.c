/*
 * QEMU's Xen HVM machine under xen-sim: where xen_ram_init puts guest
 * RAM (info mtree -f), guest memory accesses through the mapcache into
 * the simulated domain's memory, and ioreqs from the "guest".
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "xen-sim-qtest.h"

#define MiB ((uint64_t)1 << 20)
#define GiB ((uint64_t)1 << 30)
/* QEMU's and libxl's HVM_BELOW_4G_RAM_END */
#define XEN_LOWMEM_MAX 0xf0000000ULL

/*
 * The alias @name of xen.ram is mapped at [@start, @end) at an offset
 * equal to its guest physical address (what the mapcache relies on);
 * @end == @start: there is no such alias.
 */
static void check_alias(GArray *aliases, const char *name, uint64_t start,
                        uint64_t end)
{
    unsigned found = 0;

    for (guint i = 0; i < aliases->len; i++) {
        XsqMtreeRange *r = &g_array_index(aliases, XsqMtreeRange, i);

        if (strcmp(r->name, name)) {
            continue;
        }
        found++;
        g_assert_cmpstr(r->target, ==, "xen.ram");
        g_assert_cmphex(r->start, ==, start);
        g_assert_cmphex(r->last + 1, ==, end);
        g_assert_cmphex(r->off, ==, start);
    }
    g_assert_cmpuint(found, ==, end > start ? 1 : 0);
}

/*
 * In the flat view, guest RAM (xen.ram) is exactly @nr ranges @expect
 * (start, end pairs), every piece at offset == address.
 */
static void check_flat_ram(GArray *flat, const uint64_t *expect, unsigned nr)
{
    unsigned k = 0;
    uint64_t cur_start = 0, next = 0;
    bool open = false;

    for (guint i = 0; i < flat->len; i++) {
        XsqMtreeRange *r = &g_array_index(flat, XsqMtreeRange, i);

        if (strcmp(r->name, "xen.ram")) {
            continue;
        }
        g_assert_cmphex(r->off, ==, r->start);
        if (open && r->start == next) {
            next = r->last + 1;
            continue;
        }
        if (open) {
            g_assert_cmpuint(k, <, nr);
            g_assert_cmphex(cur_start, ==, expect[2 * k]);
            g_assert_cmphex(next, ==, expect[2 * k + 1]);
            k++;
        }
        open = true;
        cur_start = r->start;
        next = r->last + 1;
    }
    if (open) {
        g_assert_cmpuint(k, <, nr);
        g_assert_cmphex(cur_start, ==, expect[2 * k]);
        g_assert_cmphex(next, ==, expect[2 * k + 1]);
        k++;
    }
    g_assert_cmpuint(k, ==, nr);
}

typedef struct RamCase {
    uint64_t ram;
    uint64_t max_below_4g;      /* 0: not given */
} RamCase;

static const RamCase ram_cases[] = {
    { 128 * MiB, 0 },
    { 1 * GiB, 2 * GiB },
    { 2 * GiB, 1 * GiB },
    { 3840 * MiB, 0 },          /* exactly the default lowmem end */
    { 4 * GiB, 0 },
    { 5 * GiB, 3584 * MiB },
    { 6 * GiB, 2 * GiB },
    { 8 * GiB, 4 * GiB },       /* above Xen's limit: clamped */
};

/* What unmodified QEMU 10.0's xen_ram_init computes */
static void expected_layout(const RamCase *c, uint64_t *low, uint64_t *high)
{
    uint64_t user = c->max_below_4g ? c->max_below_4g : XEN_LOWMEM_MAX;

    user = MIN(user, XEN_LOWMEM_MAX);
    if (c->ram >= user) {
        *low = user;
        *high = c->ram - user;
    } else {
        *low = c->ram;
        *high = 0;
    }
}

static QTestState *start_case(XenSimRun *r, const RamCase *c)
{
    uint64_t low, high;
    g_autofree char *opt = c->max_below_4g ?
        g_strdup_printf(",max-ram-below-4g=%" PRIu64, c->max_below_4g) :
        g_strdup("");

    expected_layout(c, &low, &high);
    xsq_set("XEN_SIM_RAM", "%" PRIu64, c->ram);
    xsq_set("XEN_SIM_MAX_RAM_BELOW_4G", "%" PRIu64, low);
    return xsq_start(r, "-M xenfv%s -m %" PRIu64 "M", opt,
                     c->ram / MiB);
}

static void test_ram_layout(gconstpointer data)
{
    const RamCase *c = data;
    XenSimRun r;
    QTestState *qts;
    GArray *ranges;
    uint64_t low, high;
    uint64_t expect[6];

    if (!xsq_have_qemu()) {
        return;
    }
    expected_layout(c, &low, &high);
    xsq_run_init(&r, 1);
    qts = start_case(&r, c);
    ranges = xsq_mtree(qts, false);
    check_alias(ranges, "xen.ram.640k", 0, 0xa0000);
    check_alias(ranges, "xen.ram.lo", 0xc0000, low);
    check_alias(ranges, "xen.ram.hi", 4 * GiB, 4 * GiB + high);
    g_array_free(ranges, true);

    ranges = xsq_mtree(qts, true);
    expect[0] = 0;
    expect[1] = 0xa0000;
    expect[2] = 0xc0000;
    expect[3] = low;
    expect[4] = 4 * GiB;
    expect[5] = 4 * GiB + high;
    check_flat_ram(ranges, expect, high ? 3 : 2);
    g_array_free(ranges, true);
    xsq_quit_cleanly(qts);
    xsq_run_cleanup(&r);
}

static void test_memory_roundtrip(void)
{
    static const RamCase c = { 6 * GiB, 2 * GiB };
    XenSimRun r;
    QTestState *qts;
    uint32_t v32 = 0;
    uint64_t v64 = 0;
    const uint64_t hi = 4 * GiB + 0x123450;
    const uint64_t hole = 0xe0000000ULL;

    if (!xsq_have_qemu()) {
        return;
    }
    xsq_run_init(&r, 1);
    qts = start_case(&r, &c);

    /* QEMU writes, the domain's memory has it */
    qtest_writel(qts, 0x1000, 0xdeadbeef);
    xsq_mem_read(&r, 0x1000, &v32, 4);
    g_assert_cmphex(v32, ==, 0xdeadbeef);
    qtest_writel(qts, 2 * GiB - 4, 0x01234567);
    xsq_mem_read(&r, 2 * GiB - 4, &v32, 4);
    g_assert_cmphex(v32, ==, 0x01234567);
    qtest_writeq(qts, hi, 0x1122334455667788ULL);
    xsq_mem_read(&r, hi, &v64, 8);
    g_assert_cmphex(v64, ==, 0x1122334455667788ULL);
    qtest_writel(qts, 8 * GiB - 4, 0xcafef00d);
    xsq_mem_read(&r, 8 * GiB - 4, &v32, 4);
    g_assert_cmphex(v32, ==, 0xcafef00d);

    /* the domain's memory changes, QEMU reads the new value */
    v32 = 0x5a5aa5a5;
    xsq_mem_write(&r, 0x200000, &v32, 4);
    g_assert_cmphex(qtest_readl(qts, 0x200000), ==, 0x5a5aa5a5);
    v64 = 0x0102030405060708ULL;
    xsq_mem_write(&r, 6 * GiB, &v64, 8);
    g_assert_cmphex(qtest_readq(qts, 6 * GiB), ==, 0x0102030405060708ULL);
    g_assert_cmphex(qtest_readl(qts, 0x1000), ==, 0xdeadbeef);

    /* the PCI hole is not RAM: a store there reaches no guest memory */
    qtest_writel(qts, hole, 0x77777777);
    v32 = 0;
    xsq_mem_read(&r, hole, &v32, 4);
    g_assert_cmphex(v32, ==, 0);

    /* it all went through the mapcache's 1 MiB buckets */
    xsq_assert_log_has(&r, "xenforeignmemory_map gfn=0x100100 pages=256");
    xsq_assert_log_has(&r, "xenforeignmemory_map gfn=0x7ff00 pages=256");
    xsq_assert_log_has(&r, "xenforeignmemory_map gfn=0x1fff00 pages=256");
    /* the first bucket has the 128 KiB VGA hole libxc leaves unpopulated */
    xsq_assert_log_has(&r, "xenforeignmemory_map gfn=0x0 pages=256 prot=3 "
                       "unpopulated=32 ");
    /* and nothing ever mapped the PCI hole */
    xsq_assert_log_lacks(&r, "xenforeignmemory_map gfn=0xe0000 ");
    xsq_quit_cleanly(qts);
    xsq_run_cleanup(&r);
}

static void test_ioreq_port(void)
{
    static const RamCase c = { 256 * MiB, 0 };
    XenSimRun r;
    QTestState *qts;
    uint64_t v;

    if (!xsq_have_qemu()) {
        return;
    }
    xsq_run_init(&r, 1);
    qts = start_case(&r, &c);

    /* guest writes CMOS byte 0x40 through the ioreq path... */
    xsq_ioreq(&r, 0, XSQ_IOREQ_TYPE_PIO, XSQ_IOREQ_WRITE, 0x70, 1, 0x40);
    xsq_ioreq(&r, 0, XSQ_IOREQ_TYPE_PIO, XSQ_IOREQ_WRITE, 0x71, 1, 0x5a);
    /* ...and QEMU's RTC has it */
    qtest_outb(qts, 0x70, 0x40);
    g_assert_cmphex(qtest_inb(qts, 0x71), ==, 0x5a);

    /* QEMU's RTC gets a value, the guest reads it through an ioreq */
    qtest_outb(qts, 0x70, 0x41);
    qtest_outb(qts, 0x71, 0xa5);
    xsq_ioreq(&r, 0, XSQ_IOREQ_TYPE_PIO, XSQ_IOREQ_WRITE, 0x70, 1, 0x41);
    v = xsq_ioreq(&r, 0, XSQ_IOREQ_TYPE_PIO, XSQ_IOREQ_READ, 0x71, 1, 0);
    g_assert_cmphex(v & 0xff, ==, 0xa5);

    /* an MMIO read (the HPET's capabilities) answers what QEMU has */
    v = xsq_ioreq(&r, 0, XSQ_IOREQ_TYPE_COPY, XSQ_IOREQ_READ, 0xfed00000, 4,
                  0);
    g_assert_cmphex(v & 0xffffffff, ==, qtest_readl(qts, 0xfed00000));

    /* and QEMU signalled completion on the vCPU's event channel */
    xsq_assert_log_has(&r, "xenevtchn_pending remote=10 local=");
    xsq_assert_log_has(&r, "xenevtchn_notify local=");
    xsq_quit_cleanly(qts);
    xsq_run_cleanup(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(ram_cases); i++) {
        g_autofree char *path = g_strdup_printf(
            "/xen-sim/ram-layout/%" PRIu64 "M/below4g-%" PRIu64 "M",
            ram_cases[i].ram / MiB, ram_cases[i].max_below_4g / MiB);
        qtest_add_data_func(path, &ram_cases[i], test_ram_layout);
    }
    qtest_add_func("/xen-sim/memory/roundtrip", test_memory_roundtrip);
    qtest_add_func("/xen-sim/ioreq/port-and-mmio", test_ioreq_port);
    return g_test_run();
}
