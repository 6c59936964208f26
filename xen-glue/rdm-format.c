/*
 * Output formats for an RDM layout plan
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "rdm-format.h"
#include "rdm-names.h"
#include "rdm-pages.h"

/*
 * Where a format writes: @buf, which is handed to @f (when not NULL)
 * whenever it holds XEN_RDM_OUT_CHUNK bytes, so that printing a plan of a
 * million regions needs no copy of all of its text in memory
 */
#define XEN_RDM_OUT_CHUNK   (64 * 1024)

typedef struct RdmOut {
    GString *buf;
    FILE *f;
} RdmOut;

static void out_init(RdmOut *o, FILE *f)
{
    o->buf = g_string_sized_new(f ? XEN_RDM_OUT_CHUNK * 2 : 256);
    o->f = f;
}

/* After each record: pass a full chunk on */
static void out_flush(RdmOut *o, bool all)
{
    if (o->f && (all || o->buf->len >= XEN_RDM_OUT_CHUNK)) {
        fwrite(o->buf->str, 1, o->buf->len, o->f);
        g_string_truncate(o->buf, 0);
    }
}

/* The text written: NULL when it went to a file */
static char *out_finish(RdmOut *o)
{
    out_flush(o, true);
    if (o->f) {
        g_string_free(o->buf, true);
        return NULL;
    }
    return g_string_free(o->buf, false);
}

/*
 * g_string_append_len() without a call when there is room (what
 * glib 2.76 inlines): a plan of a million regions is a few tens of
 * millions of appends
 */
static inline void put(GString *out, const char *s, size_t n)
{
    if (out->len + n < out->allocated_len) {
        memcpy(out->str + out->len, s, n);
        out->len += n;
        out->str[out->len] = '\0';
    } else {
        g_string_append_len(out, s, n);
    }
}

static inline void put_str(GString *out, const char *s)
{
    put(out, s, strlen(s));
}

/* Room for @n more bytes (and a NUL) in @out: where they go */
static inline char *out_room(GString *out, size_t n)
{
    if (out->len + n >= out->allocated_len) {
        size_t keep = out->len;

        g_string_set_size(out, keep + n);
        g_string_truncate(out, keep);
    }
    return out->str + out->len;
}

/* What was written in out_room()'s room, up to @w */
static inline void out_wrote(GString *out, char *w)
{
    *w = '\0';
    out->len = w - out->str;
}

/* @v in decimal, as PRIu64 prints it, into @buf (20 bytes); its length */
static size_t format_dec(char *buf, uint64_t v)
{
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324"
        "25262728293031323334353637383940414243444546474849"
        "50515253545556575859606162636465666768697071727374"
        "75767778798081828384858687888990919293949596979899";
    char digits[20];
    size_t n = sizeof(digits);

    /* two digits a division */
    for (; v >= 100; v /= 100) {
        n -= 2;
        memcpy(digits + n, pairs + 2 * (v % 100), 2);
    }
    if (v >= 10) {
        n -= 2;
        memcpy(digits + n, pairs + 2 * v, 2);
    } else {
        digits[--n] = '0' + v;
    }
    memcpy(buf, digits + n, sizeof(digits) - n);
    return sizeof(digits) - n;
}

static void append_dec(GString *out, uint64_t v)
{
    char buf[20];

    put(out, buf, format_dec(buf, v));
}

/* The two hex digits of each byte value */
static const char hex_pairs[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* @v in 16 hex digits, as "%016" PRIx64 prints it, into @buf */
static void format_hex16(char *buf, uint64_t v)
{
    for (int i = 14; i >= 0; i -= 2) {
        memcpy(buf + i, hex_pairs + 2 * (v & 0xff), 2);
        v >>= 8;
    }
}

/* "0x" and 16 hex digits, as "0x%016" PRIx64 prints it */
static void append_hex16(GString *out, uint64_t v)
{
    char buf[18] = { '0', 'x' };

    format_hex16(buf + 2, v);
    put(out, buf, sizeof(buf));
}

/* @v in hex, as PRIx64 prints it */
static void append_hex(GString *out, uint64_t v)
{
    char buf[16];
    int skip = 0;

    format_hex16(buf, v);
    while (skip < 15 && buf[skip] == '0') {
        skip++;
    }
    put(out, buf + skip, sizeof(buf) - skip);
}

/* @n blanks */
static void append_blanks(GString *out, size_t n)
{
    static const char blanks[] = "                ";

    for (; n > sizeof(blanks) - 1; n -= sizeof(blanks) - 1) {
        put(out, blanks, sizeof(blanks) - 1);
    }
    put(out, blanks, n);
}

/* @s, then blanks up to @width, as "%-Ns" prints it */
static void append_left(GString *out, const char *s, size_t width)
{
    size_t len = strlen(s);

    put(out, s, len);
    append_blanks(out, width > len ? width - len : 0);
}

/* Blanks up to @width, then @s, as "%Ns" prints it */
static void append_right(GString *out, const char *s, size_t width)
{
    size_t len = strlen(s);

    append_blanks(out, width > len ? width - len : 0);
    put(out, s, len);
}

static void json_string(GString *out, const char *s)
{
    const char *plain = s;

    g_string_append_c(out, '"');
    for (; *s; s++) {
        unsigned char c = *s;

        if (c == '"' || c == '\\' || c < 0x20) {
            put(out, plain, s - plain);
            plain = s + 1;
            if (c < 0x20) {
                g_string_append_printf(out, "\\u%04x", c);
            } else {
                g_string_append_c(out, '\\');
                g_string_append_c(out, c);
            }
        }
    }
    put(out, plain, s - plain);
    g_string_append_c(out, '"');
}

/*
 * A string of ours that needs no escape (a key, a policy, a status), as
 * json_string() writes it, without looking at each character
 */
static inline void json_plain(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    put_str(out, s);
    g_string_append_c(out, '"');
}

static inline void json_key(GString *out, const char *key)
{
    json_plain(out, key);
    put_str(out, ": ");
}

/* ', "KEY": NUMBER' */
static inline void json_number(GString *out, const char *key, uint64_t v)
{
    put_str(out, ", ");
    json_key(out, key);
    append_dec(out, v);
}

/*
 * What follows a region's start and size in its object, from ', "policy"'
 * to the end of its device list and object
 */
static void json_region_tail(GString *out, const XenRdmRegion *r)
{
    guint j;

    put_str(out, ", ");
    json_key(out, "policy");
    json_plain(out, xen_rdm_policy_str(r->policy));
    put_str(out, ", ");
    json_key(out, "status");
    json_plain(out, xen_rdm_status_str(r->status));
    if (r->conflict) {
        put_str(out, ", ");
        json_key(out, "conflict");
        json_string(out, r->conflict);
    }
    put_str(out, ", \"devices\": [");
    for (j = 0; j < r->devices->len; j++) {
        if (j) {
            put_str(out, ", ");
        }
        json_string(out, g_ptr_array_index(r->devices, j));
    }
    put_str(out, "]}");
}

/*
 * The tails of the regions' rows or objects (what follows their start,
 * end and size), each written by @write once for all the regions of the
 * same policy, status, conflict text and device list (the plan shares
 * those): a small cache, by their addresses
 */
#define REGION_TAILS    1024

typedef struct RegionTail {
    const GPtrArray *devices;
    const char *conflict;
    int policy, status;
    GString *text;
} RegionTail;

typedef void RegionTailFn(GString *out, const XenRdmRegion *r);

static const GString *region_tail(RegionTail *tails, const XenRdmRegion *r,
                                  RegionTailFn *write)
{
    uint64_t h = ((uintptr_t)r->devices ^ (uintptr_t)r->conflict >> 3 ^
                  r->policy << 1 ^ r->status << 3) * 0x9e3779b97f4a7c15ULL;
    RegionTail *t = &tails[(h >> 32) % REGION_TAILS];

    if (!t->text || t->devices != r->devices || t->conflict != r->conflict ||
        t->policy != (int)r->policy || t->status != (int)r->status) {
        if (!t->text) {
            t->text = g_string_new(NULL);
        }
        g_string_truncate(t->text, 0);
        write(t->text, r);
        t->devices = r->devices;
        t->conflict = r->conflict;
        t->policy = r->policy;
        t->status = r->status;
    }
    return t->text;
}

static void region_tails_free(RegionTail *tails)
{
    for (guint i = 0; i < REGION_TAILS; i++) {
        if (tails[i].text) {
            g_string_free(tails[i].text, true);
        }
    }
}

/*
 * '{"start": START, "size": SIZE' and @tail, after ', ' unless it is the
 * first (@i 0), written straight into @out's buffer
 */
static void json_range_with(GString *out, guint i, uint64_t start,
                            uint64_t size, const char *tail, size_t len)
{
    static const char head[] = ", {\"start\": ", mid[] = ", \"size\": ";
    char *w = out_room(out, sizeof(head) + sizeof(mid) + 2 * 20 + len);

    memcpy(w, head + (i ? 0 : 2), sizeof(head) - 1 - (i ? 0 : 2));
    w += sizeof(head) - 1 - (i ? 0 : 2);
    w += format_dec(w, start);
    memcpy(w, mid, sizeof(mid) - 1);
    w += sizeof(mid) - 1;
    w += format_dec(w, size);
    memcpy(w, tail, len);
    out_wrote(out, w + len);
}

static char *plan_json(const XenRdmPlan *plan, FILE *f)
{
    RegionTail tails[REGION_TAILS] = { 0 };
    g_autoptr(GString) type = g_string_new(NULL);
    int type_of = -1;
    RdmOut o;
    GString *out;
    guint i;

    out_init(&o, f);
    out = o.buf;
    g_string_append_c(out, '{');
    json_key(out, "layout");
    json_string(out, xen_rdm_layout_str(plan->layout));
    put_str(out, ", ");
    json_key(out, "result");
    json_string(out, plan->refused ? "refused" : "ok");
    if (plan->reason) {
        put_str(out, ", ");
        json_key(out, "reason");
        json_string(out, plan->reason);
    }
    json_number(out, "mmio-start", plan->mmio_start);
    json_number(out, "lowmem-end", plan->lowmem_end);
    json_number(out, "highmem-end", plan->highmem_end);
    put_str(out, ", \"ram\": [");
    for (i = 0; i < plan->ram->len; i++) {
        const XenRdmRange *r = &g_array_index(plan->ram, XenRdmRange, i);

        json_range_with(out, i, r->start, r->size, "}", 1);
        out_flush(&o, false);
    }
    put_str(out, "]");
    if (!plan->refused) {
        XenRdmPages pages;

        xen_rdm_ram_pages(&g_array_index(plan->ram, XenRdmRange, 0),
                          plan->ram->len, &pages);
        put_str(out, ", \"pages\": {\"4k\": ");
        append_dec(out, pages.pages_4k);
        json_number(out, "2m", pages.pages_2m);
        json_number(out, "1g", pages.pages_1g);
        g_string_append_c(out, '}');
    }
    put_str(out, ", \"regions\": [");
    for (i = 0; i < plan->regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(plan->regions, i);
        const GString *tail = region_tail(tails, r, json_region_tail);

        json_range_with(out, i, r->start, r->size, tail->str, tail->len);
        out_flush(&o, false);
    }
    put_str(out, "], \"e820\": [");
    for (i = 0; i < plan->e820->len; i++) {
        const XenRdmE820Entry *e = &g_array_index(plan->e820,
                                                  XenRdmE820Entry, i);

        if ((int)e->type != type_of) {
            /* the tail of an entry, written again only when types change */
            g_string_assign(type, ", \"type\": ");
            json_plain(type, xen_rdm_e820_type_str(e->type));
            g_string_append_c(type, '}');
            type_of = e->type;
        }
        json_range_with(out, i, e->start, e->size, type->str, type->len);
        out_flush(&o, false);
    }
    put_str(out, "]}");
    region_tails_free(tails);
    return out_finish(&o);
}

char *xen_rdm_plan_format_json(const XenRdmPlan *plan)
{
    return plan_json(plan, NULL);
}

void xen_rdm_plan_print_json(const XenRdmPlan *plan, FILE *f)
{
    plan_json(plan, f);
}

/* Room for what human_size() writes: 20 digits, a blank, a unit */
#define HUMAN_SIZE_LEN  32

/* "1.5 GiB", "64 KiB", exact where possible, into @buf */
static const char *human_size(uint64_t size, char *buf)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;
    uint64_t v = size;
    size_t len;

    while (u < 4 && v >= 1024 && v % 1024 == 0) {
        v /= 1024;
        u++;
    }
    if (v >= 1024 * 10 && u < 4) {
        /* not a round number: show it approximately in a larger unit */
        double d = v;
        while (u < 4 && d >= 1024) {
            d /= 1024;
            u++;
        }
        snprintf(buf, HUMAN_SIZE_LEN, "~%.1f %s", d, units[u]);
        return buf;
    }
    /* "%" PRIu64 " %s" without printf: most regions are exact sizes */
    len = format_dec(buf, v);
    buf[len] = ' ';
    strcpy(buf + len + 1, units[u]);
    return buf;
}

static void append_range_line(GString *out, uint64_t start, uint64_t size)
{
    char hs[HUMAN_SIZE_LEN];

    put_str(out, "  ");
    append_hex16(out, start);
    g_string_append_c(out, '-');
    append_hex16(out, start + size - 1);
    put_str(out, "  ");
    append_right(out, human_size(size, hs), 12);
    g_string_append_c(out, '\n');
}

/* What libxc populates the plan's RAM with */
static void append_pages_line(GString *out, const XenRdmPlan *plan)
{
    const XenRdmRange *ram = &g_array_index(plan->ram, XenRdmRange, 0);
    char hs[HUMAN_SIZE_LEN];
    XenRdmPages pages;

    xen_rdm_ram_pages(ram, plan->ram->len, &pages);
    g_string_append_printf(out, "libxc's pages: 4 KiB x %" PRIu64 " (%s "
                           "beyond the first 2 MiB), 2 MiB x %" PRIu64
                           ", 1 GiB x %" PRIu64 "\n", pages.pages_4k,
                           human_size(xen_rdm_pages_4k_above_2m(
                                          ram, plan->ram->len, &pages), hs),
                           pages.pages_2m, pages.pages_1g);
}

/*
 * Whether one of the passed-through devices named @names (char *, as
 * the plan's regions name them) is among @r's devices
 */
static bool region_of_device(const XenRdmRegion *r, const GPtrArray *names)
{
    for (guint i = 0; i < names->len; i++) {
        for (guint j = 0; j < r->devices->len; j++) {
            if (!strcmp(g_ptr_array_index(r->devices, j),
                        g_ptr_array_index(names, i))) {
                return true;
            }
        }
    }
    return false;
}

/*
 * The xl.cfg change that keeps @r, which guest RAM covers in the compat
 * layout (libxl's), free: libxl moves lowmem_end below a region in low
 * RAM only when it starts above rdm_mem_boundary, and never moves RAM
 * above 4 GiB.  (The split layout keeps any region outside the platform
 * areas free; xen-rdm-plan --layout split shows it.)
 */
static void append_fix(GString *out, const XenRdmPlan *plan,
                       const XenRdmRegion *r, const XenRdmConfig *cfg)
{
    g_string_append_printf(out, "  0x%" PRIx64 "-0x%" PRIx64 ": ", r->start,
                           r->start + r->size - 1);
    if (r->start < XEN_RDM_FIRST_MIB_END ||
        (r->start < XEN_RDM_4G && r->start + r->size >
                                  XEN_RDM_FIRMWARE_START)) {
        put_str(out, "it lies in a fixed platform area (the first "
                        "MiB or 0xfc000000-0xffffffff): no layout keeps it "
                        "free\n");
        return;
    }
    if (plan->layout == XEN_RDM_LAYOUT_COMPAT && r->start < XEN_RDM_4G) {
        g_string_append_printf(out, "rdm_mem_boundary = %" PRIu64 " (MiB, "
                               "below its start; now %" PRIu64 ") makes libxl "
                               "end low RAM below it", (r->start - 1) >> 20,
                               cfg->boundary >> 20);
    } else if (plan->layout == XEN_RDM_LAYOUT_COMPAT) {
        uint64_t fit = plan->lowmem_end + (r->start - XEN_RDM_4G);

        g_string_append_printf(out, "libxl never moves RAM above 4 GiB: "
                               "memory = %" PRIu64 " (MiB, now %" PRIu64 ") "
                               "ends RAM below it", fit >> 20,
                               cfg->ram_size >> 20);
    } else {
        put_str(out, "(split keeps every region outside the platform "
                        "areas free)");
    }
    if (plan->layout == XEN_RDM_LAYOUT_COMPAT) {
        put_str(out, "; or the split layout (--layout split) keeps "
                        "it free");
    }
    put_str(out, "\n");
}

/*
 * One region's row of the table: its start, end and size, then @tail
 * (text_region_tail()), written straight into @out's buffer
 */
static void append_region_line(GString *out, const XenRdmRegion *r,
                               const GString *tail)
{
    char hs[HUMAN_SIZE_LEN];
    size_t len = strlen(human_size(r->size, hs));
    char *w = out_room(out, 2 + 2 * 19 + MAX(len, 12) + tail->len);

    memcpy(w, "  0x", 4);
    format_hex16(w + 4, r->start);
    memcpy(w + 20, " 0x", 3);
    format_hex16(w + 23, r->start + r->size - 1);
    w[39] = ' ';
    w += 40;
    if (len < 12) {
        memset(w, ' ', 12 - len);
        w += 12 - len;
    }
    memcpy(w, hs, len);
    w += len;
    memcpy(w, tail->str, tail->len);
    out_wrote(out, w + tail->len);
}

/* What follows a region's size in its row of the table, to its newline */
static void text_region_tail(GString *out, const XenRdmRegion *r)
{
    gsize before;
    guint j;

    put_str(out, "  ");
    append_left(out, xen_rdm_policy_str(r->policy), 7);
    put_str(out, "  ");
    append_left(out, xen_rdm_status_str(r->status), 8);
    put_str(out, "  ");
    before = out->len;
    for (j = 0; j < r->devices->len; j++) {
        if (j) {
            g_string_append_c(out, ',');
        }
        put_str(out, g_ptr_array_index(r->devices, j));
    }
    if (out->len == before) {
        g_string_append_c(out, '-');
    }
    if (r->conflict) {
        put_str(out, "  <- collides with ");
        put_str(out, r->conflict);
    }
    g_string_append_c(out, '\n');
}

static char *plan_text(const XenRdmPlan *plan, const XenRdmConfig *cfg,
                       FILE *f)
{
    RegionTail tails[REGION_TAILS] = { 0 };
    RdmOut o;
    GString *out;
    g_autoptr(GPtrArray) to_fix = g_ptr_array_new();
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    guint i, reserved = 0, ignored = 0, conflicts = 0, device_ram = 0;

    for (size_t d = 0; d < cfg->nr_devices; d++) {
        g_ptr_array_add(names, xen_rdm_sbdf_to_string(cfg->devices[d].sbdf));
    }
    out_init(&o, f);
    out = o.buf;
    g_string_append_printf(out, "Layout %s: RAM below 4 GiB stops at "
                           "0x%" PRIx64 " (MMIO hole), lowmem_end 0x%" PRIx64
                           ", highmem_end 0x%" PRIx64 "\n\n",
                           xen_rdm_layout_str(plan->layout), plan->mmio_start,
                           plan->lowmem_end, plan->highmem_end);
    put_str(out, "Guest RAM:\n");
    for (i = 0; i < plan->ram->len; i++) {
        const XenRdmRange *r = &g_array_index(plan->ram, XenRdmRange, i);

        append_range_line(out, r->start, r->size);
        out_flush(&o, false);
    }
    if (!plan->refused) {
        append_pages_line(out, plan);
    }
    put_str(out, "\nReserved device memory:\n");
    if (!plan->regions->len) {
        put_str(out, "  (none)\n");
    } else {
        g_string_append_printf(out, "  %-18s %-18s %12s  %-7s  %-8s  %s\n",
                               "START", "END", "SIZE", "POLICY", "STATUS",
                               "DEVICES");
    }
    for (i = 0; i < plan->regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(plan->regions, i);

        append_region_line(out, r, region_tail(tails, r, text_region_tail));
        out_flush(&o, false);
        switch (r->status) {
        case XEN_RDM_STATUS_RESERVED:
            reserved++;
            break;
        case XEN_RDM_STATUS_IGNORED:
            ignored++;
            if (region_of_device(r, names)) {
                device_ram++;
                g_ptr_array_add(to_fix, (gpointer)r);
            }
            break;
        case XEN_RDM_STATUS_CONFLICT:
            conflicts++;
            g_ptr_array_add(to_fix, (gpointer)r);
            break;
        }
    }
    put_str(out, "\n");
    if (plan->refused) {
        g_string_append_printf(out, "Verdict: REFUSED (%u strict conflict%s): "
                               "%s\n", conflicts, conflicts == 1 ? "" : "s",
                               plan->reason);
    } else if (device_ram) {
        g_string_append_printf(out, "Verdict: WARNING: %u region%s of "
                               "passed-through devices stay%s guest RAM "
                               "(relaxed): the device%s DMA there corrupts "
                               "the guest's memory; %u reserved, %u "
                               "ignored\n", device_ram,
                               device_ram == 1 ? "" : "s",
                               device_ram == 1 ? "s" : "",
                               device_ram == 1 ? "'s" : "s'", reserved,
                               ignored);
    } else {
        g_string_append_printf(out, "Verdict: OK: %u region%s reserved, %u "
                               "ignored\n", reserved,
                               reserved == 1 ? "" : "s", ignored);
    }
    if (to_fix->len) {
        put_str(out, "\nWhat would keep them free:\n");
        for (i = 0; i < to_fix->len; i++) {
            append_fix(out, plan, g_ptr_array_index(to_fix, i), cfg);
            out_flush(&o, false);
        }
    }
    region_tails_free(tails);
    return out_finish(&o);
}

char *xen_rdm_plan_format_text(const XenRdmPlan *plan,
                               const XenRdmConfig *cfg)
{
    return plan_text(plan, cfg, NULL);
}

void xen_rdm_plan_print_text(const XenRdmPlan *plan, const XenRdmConfig *cfg,
                             FILE *f)
{
    plan_text(plan, cfg, f);
}

static char *plan_e820(const XenRdmPlan *plan, FILE *f)
{
    RdmOut o;
    guint i;

    out_init(&o, f);
    for (i = 0; i < plan->e820->len; i++) {
        const XenRdmE820Entry *e = &g_array_index(plan->e820,
                                                  XenRdmE820Entry, i);

        put_str(o.buf, "[mem ");
        append_hex16(o.buf, e->start);
        g_string_append_c(o.buf, '-');
        append_hex16(o.buf, e->start + e->size - 1);
        put_str(o.buf, e->type == XEN_RDM_E820_RAM ? "] usable\n"
                                                   : "] reserved\n");
        out_flush(&o, false);
    }
    return out_finish(&o);
}

char *xen_rdm_plan_format_e820(const XenRdmPlan *plan)
{
    return plan_e820(plan, NULL);
}

void xen_rdm_plan_print_e820(const XenRdmPlan *plan, FILE *f)
{
    plan_e820(plan, f);
}

void xen_rdm_plan_print_warnings(const XenRdmPlan *plan, FILE *f)
{
    RdmOut o;

    out_init(&o, f);
    for (guint i = 0; i < plan->regions->len; i++) {
        const XenRdmRegion *r = g_ptr_array_index(plan->regions, i);

        if (r->status != XEN_RDM_STATUS_IGNORED) {
            continue;
        }
        /* "...ignoring RDM 0x%" PRIx64 "-0x%" PRIx64 " (relaxed): ..." */
        put_str(o.buf, "xen-rdm-plan: warning: ignoring RDM 0x");
        append_hex(o.buf, r->start);
        put_str(o.buf, "-0x");
        append_hex(o.buf, r->start + r->size - 1);
        put_str(o.buf, " (relaxed): it collides with ");
        put_str(o.buf, r->conflict ? r->conflict : "(null)");
        g_string_append_c(o.buf, '\n');
        out_flush(&o, false);
    }
    out_finish(&o);
}
