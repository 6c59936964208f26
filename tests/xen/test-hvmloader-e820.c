/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * hvmloader's e820 code (Xen 4.17, tools/firmware/hvmloader/e820.c:
 * memory_map_setup(), adjust_memory_map(), build_e820_table(), and with
 * patches/xen 0016-0017 e820_range_is_ram() and e820_ram_size()), built
 * on the host as it is, with stand-ins for hvmloader's headers
 * (tests/xen/hvmloader-shim/), on the memory maps a toolstack writes for
 * a guest with and without holes in RAM.  Prints TAP.
 *
 * usage: test-hvmloader-e820 [--debian-baseline | --abi]
 *   --debian-baseline  the checks of Debian's unpatched e820.c: RAM above
 *                      4GB stretched over a hole, a 129th entry written
 *                      past memory_map.map[], a 16-entry table overrun
 *   --abi              print the data model it was built for ("ilp32" as
 *                      hvmloader, else "lp64") and exit: whether this
 *                      host runs it, and how (run-hvmloader-e820-test.sh)
 *
 * Built by tests/xen/run-hvmloader-e820-test.sh, once with the patched
 * e820.c (-DHVMLOADER_PATCHED) and once with Debian's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"
#undef printf   /* the shim's printf is e820.c's; the test prints TAP */

/* ------------------------------------------------ what e820.c links to */
struct hvm_info_table shim_hvm_info;
unsigned long igd_opregion_pgbase;
bool acpi_enabled = true;

unsigned long acpi_pages_allocated(void)
{
    return 16;
}

bool check_overlap(uint64_t start, uint64_t size,
                   uint64_t reserved_start, uint64_t reserved_size)
{
    return (start + size > reserved_start) &&
           (start < reserved_start + reserved_size);
}

/* what XENMEM_memory_map answers: the toolstack's map, cut to the buffer */
static struct e820entry xen_map[256];
static unsigned int xen_map_nr;

int get_mem_mapping_layout(struct e820entry entries[],
                           unsigned int *max_entries)
{
    unsigned int n = xen_map_nr < *max_entries ? xen_map_nr : *max_entries;

    memcpy(entries, xen_map, n * sizeof(*entries));
    *max_entries = n;
    return 0;
}

/* hvmloader's printf, line by line as TAP comments; the last line kept */
static char line[512], last_line[512];
static size_t line_len;

int shim_printf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;
    size_t i;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    for ( i = 0; buf[i]; i++ )
    {
        if ( buf[i] == '\n' )
        {
            line[line_len] = '\0';
            snprintf(last_line, sizeof(last_line), "%s", line);
            printf("#   hvmloader: %s\n", line);
            line_len = 0;
        }
        else if ( line_len < sizeof(line) - 1 )
            line[line_len++] = buf[i];
    }
    return n;
}

static jmp_buf bug_jmp;
static int bug_armed;

void shim_bug(const char *file, int line_nr)
{
    shim_printf("BUG at %s:%d\n", file, line_nr);
    if ( !bug_armed )
    {
        printf("Bail out! unexpected BUG() at %s:%d\n", file, line_nr);
        exit(1);
    }
    longjmp(bug_jmp, 1);
}

/* ------------------------------------------------------------ TAP */
static int n, failed;

static void ok(int cond, const char *fmt, ...)
{
    va_list ap;

    n++;
    if ( !cond )
        failed++;
    printf("%sok %d - ", cond ? "" : "not ", n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* ------------------------------------------------------------ maps */
#define RAM E820_RAM
#define RES E820_RESERVED

struct ent {
    uint64_t start, end;
    uint32_t type;
};

/* the toolstack's map and hvm_info's ends, as libxl and libxc leave them */
static void set_guest(const struct ent *e, unsigned int nr,
                      uint64_t low_end, uint64_t high_end)
{
    unsigned int i;

    memset(&memory_map, 0, sizeof(memory_map));
    for ( i = 0; i < nr; i++ )
    {
        xen_map[i].addr = e[i].start;
        xen_map[i].size = e[i].end - e[i].start;
        xen_map[i].type = e[i].type;
    }
    xen_map_nr = nr;
    shim_hvm_info.low_mem_pgend = low_end >> PAGE_SHIFT;
    shim_hvm_info.high_mem_pgend = high_end >> PAGE_SHIFT;
    memory_map_setup();
}

static void show(const char *what, const struct e820entry *e, unsigned int nr)
{
    unsigned int i;

    printf("# %s (%u entries):\n", what, nr);
    for ( i = 0; i < nr; i++ )
        printf("#   0x%09llx-0x%09llx %s\n", (unsigned long long)e[i].addr,
               (unsigned long long)(e[i].addr + e[i].size - 1),
               e[i].type == RAM ? "RAM" :
               e[i].type == RES ? "RESERVED" : "other");
}

/* the map is exactly want[] (in its order) */
static int map_is(const struct ent *want, unsigned int nr)
{
    unsigned int i;

    if ( memory_map.nr_map != nr )
        return 0;
    for ( i = 0; i < nr; i++ )
        if ( memory_map.map[i].addr != want[i].start ||
             memory_map.map[i].addr + memory_map.map[i].size != want[i].end ||
             memory_map.map[i].type != want[i].type )
            return 0;
    return 1;
}

/* a RAM entry of e[] overlaps an entry of another type or another RAM entry */
static int ram_overlaps(const struct e820entry *e, unsigned int nr)
{
    unsigned int i, j;

    for ( i = 0; i < nr; i++ )
        for ( j = 0; j < nr; j++ )
            if ( i != j && e[i].type == RAM &&
                 check_overlap(e[i].addr, e[i].size, e[j].addr, e[j].size) )
                return 1;
    return 0;
}

/* bytes of [start, end) that RAM entries of e[] cover */
static uint64_t ram_in(const struct e820entry *e, unsigned int nr,
                       uint64_t start, uint64_t end)
{
    uint64_t sum = 0;
    unsigned int i;

    for ( i = 0; i < nr; i++ )
    {
        uint64_t s = e[i].addr, t = e[i].addr + e[i].size;

        if ( e[i].type != RAM )
            continue;
        s = s > start ? s : start;
        t = t < end ? t : end;
        if ( t > s )
            sum += t - s;
    }
    return sum;
}

/*
 * Guests.  split-high: libxl's split layout for an RMRR at 5GB (2MB
 * aligned hole) in a 5GB guest; split-hole-at-4g: an RMRR at 4GB itself;
 * split-low: two RMRRs below 4GB; compat: Xen 4.17 libxl's own map (one
 * low and one high RAM entry, an RMRR above lowmem_end).
 */
static const struct ent split_high[] = {
    { 0x000100000, 0x0f0000000, RAM },
    { 0x100000000, 0x140000000, RAM },
    { 0x140000000, 0x140010000, RES },
    { 0x140200000, 0x150200000, RAM },
};
#define SPLIT_HIGH_LOW 0x0f0000000ULL
#define SPLIT_HIGH_HIGH 0x150200000ULL

static const struct ent split_hole_at_4g[] = {
    { 0x000100000, 0x0f0000000, RAM },
    { 0x100000000, 0x100004000, RES },
    { 0x100200000, 0x140200000, RAM },
};

static const struct ent split_low[] = {
    { 0x000100000, 0x008000000, RAM },
    { 0x008000000, 0x008010000, RES },
    { 0x008200000, 0x040000000, RAM },
    { 0x040000000, 0x040001000, RES },
    { 0x040200000, 0x0f0000000, RAM },
    { 0x100000000, 0x100400000, RAM },
};

static const struct ent compat[] = {
    { 0x000100000, 0x008000000, RAM },
    { 0x008000000, 0x008010000, RES },
    { 0x100000000, 0x108000000, RAM },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int baseline;

/* the table hvmloader hands SeaBIOS, as seabios_setup_e820() builds it */
static void show_seabios_table(void)
{
    static struct e820entry table[E820MAX + 64];
    unsigned int nr = build_e820_table(table, 0, 0xe0000);

    printf("# the e820 table hvmloader gives SeaBIOS (hvmloader's dump_e820_table()):\n");
    dump_e820_table(table, nr);
}

static void test_adjust(void)
{
    struct ent want[8];

    /* a hole above 4GB */
    set_guest(split_high, N(split_high), SPLIT_HIGH_LOW, SPLIT_HIGH_HIGH);
    adjust_memory_map();
    show("split-high: memory_map after adjust_memory_map()", memory_map.map,
         memory_map.nr_map);
    show_seabios_table();
    if ( baseline )
    {
        ok(memory_map.map[1].addr == GB(4) &&
           memory_map.map[1].addr + memory_map.map[1].size == SPLIT_HIGH_HIGH,
           "split-high: Debian's adjust_memory_map() stretches the RAM at "
           "4GB to high_mem_end 0x%llx", SPLIT_HIGH_HIGH);
        ok(ram_overlaps(memory_map.map, memory_map.nr_map),
           "split-high: Debian's: that RAM covers the RMRR at 0x140000000 "
           "and the RAM after it");
    }
    else
    {
        ok(map_is(split_high, N(split_high)),
           "split-high: the map is the toolstack's: RAM on both sides of the "
           "hole above 4GB");
        ok(!ram_overlaps(memory_map.map, memory_map.nr_map),
           "split-high: no RAM over the RMRR");
    }

    /* the hole starts at 4GB */
    set_guest(split_hole_at_4g, N(split_hole_at_4g), SPLIT_HIGH_LOW,
              0x140200000ULL);
    adjust_memory_map();
    if ( baseline )
        ok(memory_map.nr_map == 4 && memory_map.map[3].addr == GB(4) &&
           ram_overlaps(memory_map.map, memory_map.nr_map),
           "split-hole-at-4g: Debian's adds RAM [4GB, high_mem_end) over the "
           "RMRR at 4GB");
    else
        ok(map_is(split_hole_at_4g, N(split_hole_at_4g)),
           "split-hole-at-4g: the map is the toolstack's (no RAM added at 4GB)");

    /* holes below 4GB survive either way */
    set_guest(split_low, N(split_low), 0x0f0000000ULL, 0x100400000ULL);
    adjust_memory_map();
    ok(map_is(split_low, N(split_low)),
       "split-low: two holes below 4GB: the map is the toolstack's");

    /* the map of Xen 4.17's libxl: the same result either way */
    set_guest(compat, N(compat), 0x008000000ULL, 0x108000000ULL);
    adjust_memory_map();
    ok(map_is(compat, N(compat)), "compat: libxl 4.17's map is unchanged");

    /* hvmloader relocated 16MB of low RAM to the top (qemu-traditional) */
    set_guest(compat, N(compat), 0x007000000ULL, 0x109000000ULL);
    adjust_memory_map();
    memcpy(want, compat, sizeof(compat));
    want[0].end = 0x007000000ULL;
    want[2].end = 0x109000000ULL;
    ok(map_is(want, N(compat)),
       "compat, 16MB relocated: low RAM cut to 0x7000000, high RAM grown to "
       "0x109000000");

    /* relocation in a guest without RAM above 4GB creates it */
    set_guest(compat, 2, 0x007000000ULL, 0x101000000ULL);
    adjust_memory_map();
    want[2].start = GB(4);
    want[2].end = 0x101000000ULL;
    want[2].type = RAM;
    ok(map_is(want, 3), "compat without high RAM, 16MB relocated: RAM "
       "[4GB, 0x101000000) added");

    /* mem_hole_populate_ram() took the last page of RAM */
    set_guest(split_high, N(split_high), SPLIT_HIGH_LOW,
              SPLIT_HIGH_HIGH - PAGE_SIZE);
    adjust_memory_map();
    if ( baseline )
        ok(memory_map.map[1].size == SPLIT_HIGH_HIGH - PAGE_SIZE - GB(4),
           "split-high, last page taken: Debian's stretches the RAM at 4GB "
           "to the new high_mem_end");
    else
    {
        memcpy(want, split_high, sizeof(split_high));
        want[3].end -= PAGE_SIZE;
        ok(map_is(want, N(split_high)),
           "split-high, last page taken: only the last RAM range is one page "
           "shorter");
    }
}

/* a map of nr entries: low RAM, then small reserved regions; no high RAM */
static void set_full_guest(unsigned int nr, uint64_t high_end)
{
    static struct ent e[256];
    unsigned int i;

    e[0].start = MB(1);
    e[0].end = MB(128);
    e[0].type = RAM;
    for ( i = 1; i < nr; i++ )
    {
        e[i].start = MB(128) + (uint64_t)i * MB(2);
        e[i].end = e[i].start + 0x1000;
        e[i].type = RES;
    }
    set_guest(e, nr, MB(128), high_end);
}

static void test_map_limits(void)
{
    volatile int bugged = 0;

    /* a toolstack map of E820MAX entries: Xen may have cut it */
    xen_map_nr = 0;
    bug_armed = 1;
    if ( setjmp(bug_jmp) == 0 )
        set_full_guest(E820MAX, 0);
    else
        bugged = 1;
    bug_armed = 0;
    if ( baseline )
        ok(!bugged && memory_map.nr_map == E820MAX,
           "a map of E820MAX (%u) entries: Debian's takes it as it is", E820MAX);
    else
        ok(bugged && strstr(last_line, "BUG at") &&
           memory_map.nr_map == 0,
           "a map of E820MAX (%u) entries is refused with a message (it may be "
           "cut)", E820MAX);

    /* one entry less (libxl's most), then RAM appears above 4GB */
    bugged = 0;
    if ( baseline )
    {
        set_full_guest(E820MAX, GB(4) + MB(16));
        memset(memory_map.guard, 0, sizeof(memory_map.guard));
        adjust_memory_map();
        ok(memory_map.nr_map == E820MAX + 1 && memory_map.guard[0].addr == GB(4),
           "a full map gaining RAM above 4GB: Debian's writes entry %u past "
           "memory_map.map[%u]", E820MAX + 1, E820MAX);
    }
    else
    {
        set_full_guest(E820MAX - 1, GB(4) + MB(16));
        memset(memory_map.guard, 0, sizeof(memory_map.guard));
        adjust_memory_map();
        ok(memory_map.nr_map == E820MAX &&
           memory_map.map[E820MAX - 1].addr == GB(4) &&
           memory_map.guard[0].addr == 0,
           "a map of E820MAX-1 entries gaining RAM above 4GB: the entry fits, "
           "nothing written past memory_map.map[]");
        memory_map.map[E820MAX - 1].type = RES;
        shim_hvm_info.high_mem_pgend = (GB(4) + MB(32)) >> PAGE_SHIFT;
        bug_armed = 1;
        if ( setjmp(bug_jmp) == 0 )
            adjust_memory_map();
        else
            bugged = 1;
        bug_armed = 0;
        ok(bugged && memory_map.guard[0].addr == 0,
           "a full map with no RAM entry above 4GB to grow: refused with a "
           "message, nothing written past memory_map.map[]");
    }
}

#define GUARD 0x5a

static void test_build_table(void)
{
    /* as seabios.c allocates it: 16 entries in Debian's, E820_TABLE_MAX in ours */
#ifdef HVMLOADER_PATCHED
    const unsigned int size = E820_TABLE_MAX;
#else
    const unsigned int size = 16;
#endif
    static struct e820entry table[E820MAX + 64];
    static struct ent e[E820MAX];
    unsigned int i, nr, holes = 8, guard_hit = 0;
    uint64_t ram;

    /* split: 8 RMRRs below 4GB, each a hole in low RAM, and RAM above */
    for ( i = 0; i < holes; i++ )
    {
        e[2 * i].start = i ? e[2 * i - 1].end + MB(2) - 0x1000 : MB(1);
        e[2 * i].end = MB(256) * (i + 1);
        e[2 * i].type = RAM;
        e[2 * i + 1].start = e[2 * i].end;
        e[2 * i + 1].end = e[2 * i].end + 0x1000;
        e[2 * i + 1].type = RES;
    }
    e[2 * holes].start = e[2 * holes - 1].end + MB(2) - 0x1000;
    e[2 * holes].end = 0x0f0000000ULL;
    e[2 * holes].type = RAM;
    e[2 * holes + 1].start = GB(4);
    e[2 * holes + 1].end = GB(4) + MB(512);
    e[2 * holes + 1].type = RAM;
    set_guest(e, 2 * holes + 2, 0x0f0000000ULL, GB(4) + MB(512));
    adjust_memory_map();

    memset(table, GUARD, sizeof(table));
    nr = build_e820_table(table, 0, 0xe0000);
    for ( i = size; i < N(table); i++ )
        if ( table[i].type != 0x5a5a5a5a )
            guard_hit++;
    dump_e820_table(table, nr);
    if ( baseline )
    {
        ok(nr > size && guard_hit,
           "split-low, 8 holes: Debian's build_e820_table() writes %u entries "
           "into SeaBIOS's table of %u", nr, size);
        return;
    }
    ok(nr == 4 + 2 * holes + 2 && nr <= size && !guard_hit,
       "split-low, 8 holes: %u entries, within the table of E820_TABLE_MAX "
       "(%u)", nr, size);
    for ( i = 1; i < nr; i++ )
        if ( table[i].addr < table[i - 1].addr + table[i - 1].size )
            break;
    ok(i == nr, "split-low, 8 holes: the table is sorted, nothing overlaps");
    ram = ram_in(table, nr, 0, ~0ULL);
    ok(ram == 0xa0000 + ram_in(memory_map.map, memory_map.nr_map, 0, ~0ULL),
       "split-low, 8 holes: its RAM is the toolstack's RAM and the 640KB "
       "below the BIOS area");

    /* the largest map libxl writes, 127 entries, fits too */
    set_full_guest(E820MAX - 1, GB(4) + MB(16));
    adjust_memory_map();
    memset(table, GUARD, sizeof(table));
    nr = build_e820_table(table, 0, 0xe0000);
    guard_hit = 0;
    for ( i = size; i < N(table); i++ )
        if ( table[i].type != 0x5a5a5a5a )
            guard_hit++;
    ok(nr == 4 + E820MAX && !guard_hit,
       "a map of E820MAX-1 entries plus RAM above 4GB: %u entries, nothing "
       "written past E820_TABLE_MAX", nr);
}

#ifdef HVMLOADER_PATCHED
/*
 * hvmloader's own entries at their most (a BIOS reservation below
 * 0xA0000, ACPI, the IGD OpRegion splitting the special pages) are the
 * HVMLOADER_E820_OWN_ENTRIES libxl counts on (xen-tools/hvmloader-e820.h),
 * and the toolstack's map of HVMLOADER_E820_TOOLSTACK_ENTRIES then fills
 * SeaBIOS's SEABIOS_E820_MAX exactly
 */
static void test_own_entries(void)
{
    static struct e820entry table[E820MAX + 64];
    static struct ent e[E820MAX];
    volatile unsigned int nr = 0;
    volatile int bugged = 0;
    unsigned int i, n = 0;

    /*
     * RAM from 1 MiB and a 4 KiB region after it, again and again, then
     * RAM above 4GB: HVMLOADER_E820_TOOLSTACK_ENTRIES entries
     */
    for ( i = 0; n + 1 < HVMLOADER_E820_TOOLSTACK_ENTRIES; i++ )
    {
        e[n].start = n ? e[n - 1].end : MB(1);
        e[n].end = MB(64) * (i + 1);
        e[n].type = RAM;
        n++;
        e[n].start = e[n - 1].end;
        e[n].end = e[n - 1].end + 0x1000;
        e[n].type = RES;
        n++;
    }
    e[n].start = GB(4);
    e[n].end = GB(4) + MB(512);
    e[n].type = RAM;
    n++;
    set_guest(e, n, e[n - 3].end, GB(4) + MB(512));
    adjust_memory_map();

    igd_opregion_pgbase = 0xfd000;
    bug_armed = 1;
    if ( setjmp(bug_jmp) == 0 )
        nr = build_e820_table(table, 0x9f000, 0xe0000);
    else
        bugged = 1;
    bug_armed = 0;
    igd_opregion_pgbase = 0;
    ok(!bugged && nr - memory_map.nr_map == HVMLOADER_E820_OWN_ENTRIES,
       "hvmloader's own entries at their most: %u, the %u of "
       "xen-tools/hvmloader-e820.h (%s)",
       bugged ? 0 : nr - memory_map.nr_map, HVMLOADER_E820_OWN_ENTRIES,
       bugged ? last_line : "no BUG");
    ok(!bugged && memory_map.nr_map == HVMLOADER_E820_TOOLSTACK_ENTRIES &&
       nr == SEABIOS_E820_MAX,
       "a toolstack map of HVMLOADER_E820_TOOLSTACK_ENTRIES (%u): %u "
       "entries for SeaBIOS, which keeps %u", memory_map.nr_map, nr,
       SEABIOS_E820_MAX);
}

static void test_ram_helpers(void)
{
    static const struct ent low_rmrr[] = {
        { 0x000100000, 0x000600000, RAM },
        { 0x000600000, 0x000601000, RES },
        { 0x000800000, 0x000a00000, RAM },
        { 0x000a00000, 0x080000000, RAM },
    };
    uint64_t base;

    /* tests.c: the first 4MB block at a 4MB boundary above hvmloader */
    set_guest(low_rmrr, N(low_rmrr), 0x080000000ULL, 0);
    ok(!e820_range_is_ram(MB(4), MB(4)),
       "e820_range_is_ram(): the block at 4MB holds an RMRR at 6MB: not RAM");
    ok(e820_range_is_ram(MB(8), MB(4)),
       "e820_range_is_ram(): the block at 8MB, across two adjacent RAM "
       "entries, is RAM");
    ok(!e820_range_is_ram(0x000601000ULL, 0x1000),
       "e820_range_is_ram(): the gap after the RMRR (the 2MB-aligned hole) "
       "is not RAM");
    ok(!e820_range_is_ram(0x07fe00000ULL, MB(4)),
       "e820_range_is_ram(): a block past the end of RAM is not RAM");
    for ( base = MB(4); !e820_range_is_ram(base, MB(4)); base += MB(4) )
        ;
    ok(base == MB(8), "perform_tests() would use the block at 0x%llx (8MB)",
       (unsigned long long)base);

    /* smbios.c: RAM only */
    set_guest(split_high, N(split_high), SPLIT_HIGH_LOW, SPLIT_HIGH_HIGH);
    adjust_memory_map();
    ok(e820_ram_size() == GB(5),
       "e820_ram_size(): split-high, a 5GB guest: 0x%llx (5GB), the ends of "
       "RAM say 0x%llx",
       (unsigned long long)e820_ram_size(),
       SPLIT_HIGH_LOW + SPLIT_HIGH_HIGH - GB(4));
    set_guest(compat, N(compat), 0x008000000ULL, 0x108000000ULL);
    ok(e820_ram_size() == 0x008000000ULL + 0x008000000ULL,
       "e820_ram_size(): compat: 256MB, what the ends of RAM say");
}
#endif

int main(int argc, char **argv)
{
    if ( argc > 1 && !strcmp(argv[1], "--abi") )
    {
        printf("%s\n", sizeof(long) == 4 && sizeof(void *) == 4 ?
               "ilp32" : "lp64");
        return 0;
    }
    baseline = argc > 1 && !strcmp(argv[1], "--debian-baseline");
#ifdef HVMLOADER_PATCHED
    if ( baseline )
    {
        printf("Bail out! --debian-baseline needs the build of Debian's e820.c\n");
        return 2;
    }
#endif
    if ( baseline )
        printf("# the checks of Debian's e820.c: each passes when its bug shows\n");
    /* e820.c's unsigned long arithmetic is hvmloader's only when 32-bit */
    ok(sizeof(long) == 4 && sizeof(void *) == 4,
       "built as hvmloader is: 32-bit long and pointers (ILP32)");
    test_adjust();
    test_map_limits();
    test_build_table();
#ifdef HVMLOADER_PATCHED
    test_own_entries();
    test_ram_helpers();
#endif
    printf("1..%d\n", n);
    printf("# %d passed, %d failed\n", n - failed, failed);
    return failed ? 1 : 0;
}
