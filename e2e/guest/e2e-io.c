/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * e2e-io: guest I/O checks of the end-to-end suite (runs inside the HVM
 * guest, built static by scripts/e2e-prepare.sh into the guest initramfs).
 *
 *   e2e-io dma DEVICE RAMFS-DIR
 *       Finds locked user pages of this process whose guest-physical
 *       addresses (from /proc/self/pagemap) are above 4 GiB ("high":
 *       anonymous memory) and below 4 GiB ("low": a file mapped from the
 *       ramfs mounted at RAMFS-DIR), then lets the emulated disk DEVICE do DMA
 *       into and out of them with O_DIRECT, one 4 KiB block per request:
 *         low   blocks 0..N-1 written from low pages, read back into
 *               other low pages;
 *         high-read   blocks 0..N-1 read into high pages (the device
 *                     writes RAM above 4 GiB);
 *         high-write  blocks N..2N-1 written from high pages (the device
 *                     reads RAM above 4 GiB), read back into low pages.
 *       Every buffer is filled with 0x5a before a read, so a transfer
 *       that never reached RAM leaves 0x5a; every block's content is a
 *       pattern of its number.
 *
 *   e2e-io dma DEVICE RAMFS-DIR HOLE
 *       The same with a hole in RAM at address HOLE.  Below 4 GiB: the
 *       ramfs file grows (at most 192 MiB) until it has pages below HOLE
 *       and above it, and the "low" transfers read the ones below and
 *       write the ones above ("pages low-below", "pages low-above").
 *       Above 4 GiB: anonymous memory grows (at most 192 MiB) until half
 *       the high pages are below HOLE and half above ("pages high-below",
 *       "pages high-above"), which both high transfers use.
 *
 *   e2e-io bar VENDOR DEVICE [N]
 *       Finds the PCI device (sysfs), prints BAR N's address (default 0),
 *       maps it (sysfs resourceN) and prints the 32-bit words at offsets
 *       0 and 8.  For QEMU's "edu" device (1234:11e8) it also writes
 *       0x12345678 to its liveness register (offset 4) and prints what it
 *       reads back: edu answers 0x010000ed at offset 0 and the inverted
 *       value, 0xedcba987.  (An e1000 answers CTRL and STATUS.)  For a BAR
 *       other than 0, taken to be device memory (an NVMe controller's
 *       memory buffer, say), it writes a pattern to the words at offsets
 *       0 and 1 MiB, reads them back and prints both.
 *
 *   e2e-io kexec KERNEL INITRD CMDLINE
 *       Loads KERNEL and INITRD with kexec_file_load() and reboots into
 *       them (a Xen HVM guest's kernel asks the toolstack for a soft
 *       reset on the way: xl.cfg on_soft_reset).  Prints "E2E-IO kexec
 *       loaded" first; returns only when it fails, saying why.
 *
 * Output: lines starting with "E2E-IO " on stdout, one per result, so that
 * the harness can check them (see e2e/scenarios/guest-io-above-4g.sh).
 * Exit status 0 when it could run the checks (whatever their results),
 * 1 when it could not (no device, no pages, ...).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/reboot.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096u
#define NPAGES 32u
#define CHUNK (1u << 20)
/* with a hole: at most this many MiB of file pages to find both sides */
#define MAX_LOW_CHUNKS 192
#define GIB4 (1ull << 32)

typedef struct {
    uint8_t *va;
    uint64_t pa;
} Page;

static Page high[NPAGES], low[2 * NPAGES];
static unsigned nhigh, nlow;
/*
 * With a hole (e2e-io dma DEVICE RAMFS-DIR HOLE) below 4 GiB:
 * low[0..NPAGES) below the hole's address, low[NPAGES..2 * NPAGES) above
 * it, so that the "low" transfers read RAM below the hole and write RAM
 * above it.  With a hole above 4 GiB: high[0..NPAGES / 2) below it and
 * high[NPAGES / 2..NPAGES) above it.
 */
static uint64_t hole;
static unsigned nbelow, nabove;

static int fail(const char *what)
{
    printf("E2E-IO error %s: %s\n", what, strerror(errno));
    return 1;
}

/* Guest-physical address of the page at @va, 0 if not known */
static uint64_t phys_of(int pm, const void *va)
{
    uint64_t e;
    off_t off = (off_t)((uintptr_t)va / PAGE) * sizeof(e);

    if (pread(pm, &e, sizeof(e), off) != sizeof(e)) {
        return 0;
    }
    if (!(e >> 63) || !(e & ((1ull << 55) - 1))) {
        return 0;
    }
    return (e & ((1ull << 55) - 1)) * PAGE;
}

/* Take the pages of [@c, @c + @len) that are on the wanted side of 4 GiB */
static void classify(int pm, uint8_t *c, size_t len, bool want_high)
{
    for (size_t off = 0; off < len; off += PAGE) {
        uint64_t pa = phys_of(pm, c + off);

        if (!pa) {
            continue;
        }
        if (want_high && pa >= GIB4 && hole >= GIB4) {
            if (pa < hole && nbelow < NPAGES / 2) {
                high[nbelow++] = (Page){ c + off, pa };
            } else if (pa > hole && nabove < NPAGES / 2) {
                high[NPAGES / 2 + nabove++] = (Page){ c + off, pa };
            }
        } else if (want_high && pa >= GIB4 && nhigh < NPAGES) {
            high[nhigh++] = (Page){ c + off, pa };
        } else if (!want_high && pa < GIB4 && hole && hole < GIB4) {
            if (pa < hole && nbelow < NPAGES) {
                low[nbelow++] = (Page){ c + off, pa };
            } else if (pa > hole && nabove < NPAGES) {
                low[NPAGES + nabove++] = (Page){ c + off, pa };
            }
        } else if (!want_high && pa < GIB4 && nlow < 2 * NPAGES) {
            low[nlow++] = (Page){ c + off, pa };
        }
    }
}

/*
 * High pages: anonymous memory, which Linux takes from the highest zone
 * first (with movablecore=, the RAM above 4 GiB), in 1 MiB chunks, at
 * most 16 MiB.  Low pages: a file on @ramfs, whose pages Linux does not
 * allocate from the movable zone, so below 4 GiB.  Both locked in RAM.
 */
static int collect_pages(const char *ramfs)
{
    int pm = open("/proc/self/pagemap", O_RDONLY);
    char path[512];
    uint8_t *c;
    int fd, chunks = 0, lchunks;

    if (pm < 0) {
        return fail("open /proc/self/pagemap");
    }
    while (hole >= GIB4 ? (nbelow < NPAGES / 2 || nabove < NPAGES / 2) &&
                          chunks < MAX_LOW_CHUNKS
                        : nhigh < NPAGES && chunks < 16) {
        c = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (c == MAP_FAILED || mlock(c, CHUNK) < 0) {
            close(pm);
            return fail("mmap/mlock anonymous memory");
        }
        chunks++;
        memset(c, 0x5a, CHUNK);
        classify(pm, c, CHUNK, true);
    }
    if (hole >= GIB4) {
        nhigh = nbelow == NPAGES / 2 && nabove == NPAGES / 2 ? NPAGES : 0;
    }
    snprintf(path, sizeof(path), "%s/e2e-io-low", ramfs);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        close(pm);
        return fail(path);
    }
    /* with a hole, grow the file until there are pages on both sides */
    for (lchunks = 0; lchunks < (hole && hole < GIB4 ? MAX_LOW_CHUNKS : 1);
         lchunks++) {
        off_t at = (off_t)lchunks * CHUNK;

        if (ftruncate(fd, at + CHUNK) < 0) {
            close(fd);
            close(pm);
            return fail("ramfs file size");
        }
        c = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_SHARED, fd, at);
        if (c == MAP_FAILED) {
            close(fd);
            close(pm);
            return fail("ramfs file mapping");
        }
        memset(c, 0x5a, CHUNK);
        if (mlock(c, CHUNK) < 0) {
            close(fd);
            close(pm);
            return fail("mlock ramfs file mapping");
        }
        classify(pm, c, CHUNK, false);
        if (hole && hole < GIB4 && nbelow == NPAGES && nabove == NPAGES) {
            lchunks++;
            break;
        }
    }
    close(fd);
    close(pm);
    if (hole && hole < GIB4) {
        nlow = nbelow == NPAGES && nabove == NPAGES ? 2 * NPAGES : 0;
    }
    printf("E2E-IO alloc anonymous=%d MiB ramfs=%d MiB\n", chunks, lchunks);
    return 0;
}

static void pages_range(const char *name, const Page *p, unsigned n)
{
    uint64_t lo = UINT64_MAX, hi = 0;

    for (unsigned i = 0; i < n; i++) {
        lo = p[i].pa < lo ? p[i].pa : lo;
        hi = p[i].pa > hi ? p[i].pa : hi;
    }
    if (n) {
        printf("E2E-IO pages %s n=%u min=0x%" PRIx64 " max=0x%" PRIx64 "\n",
               name, n, lo, hi + PAGE - 1);
    } else {
        printf("E2E-IO pages %s n=0\n", name);
    }
}

static void fill_pattern(uint8_t *buf, unsigned block)
{
    uint32_t *w = (uint32_t *)buf;

    for (unsigned i = 0; i < PAGE / 4; i++) {
        w[i] = (block * 0x9e3779b1u) ^ (i * 0x85ebca77u) ^ 0xe2e0d1a5u;
    }
}

/* The first word of @buf that is not block @block's pattern, -1 if none */
static int pattern_mismatch(const uint8_t *buf, unsigned block)
{
    static uint8_t want[PAGE];

    fill_pattern(want, block);
    for (unsigned i = 0; i < PAGE / 4; i++) {
        if (memcmp(buf + 4 * i, want + 4 * i, 4)) {
            return i;
        }
    }
    return -1;
}

typedef struct {
    unsigned ok, bad, ioerr;
    int first_bad;
    uint32_t got;
    uint64_t first_bad_pa;
} Tally;

static void tally_check(Tally *t, const Page *p, unsigned block)
{
    int w = pattern_mismatch(p->va, block);

    if (w < 0) {
        t->ok++;
        return;
    }
    if (!t->bad++) {
        t->first_bad = block;
        t->first_bad_pa = p->pa;
        memcpy(&t->got, p->va + 4 * w, 4);
    }
}

static void tally_print(const char *name, const Tally *t, unsigned n)
{
    printf("E2E-IO dma %s ok=%u/%u bad=%u ioerr=%u", name, t->ok, n,
           t->bad, t->ioerr);
    if (t->bad) {
        printf(" first-bad-block=%d at=0x%" PRIx64 " got=0x%08" PRIx32,
               t->first_bad, t->first_bad_pa, t->got);
    }
    printf("\n");
}

static bool xfer(int fd, bool write, Page *p, unsigned block, Tally *t)
{
    ssize_t r;

    if (write) {
        r = pwrite(fd, p->va, PAGE, (off_t)block * PAGE);
    } else {
        memset(p->va, 0x5a, PAGE);
        r = pread(fd, p->va, PAGE, (off_t)block * PAGE);
    }
    if (r != PAGE) {
        if (!t->ioerr++) {
            printf("E2E-IO dma %s of block %u: %s\n", write ? "write" : "read",
                   block, r < 0 ? strerror(errno) : "short transfer");
        }
        return false;
    }
    return true;
}

static int cmd_dma(const char *dev, const char *ramfs)
{
    Tally tl = { 0 }, tr = { 0 }, tw = { 0 };
    unsigned n;
    int fd;

    if (collect_pages(ramfs)) {
        return 1;
    }
    if (hole) {
        printf("E2E-IO hole 0x%" PRIx64 "\n", hole);
    }
    if (hole >= GIB4) {
        pages_range("high-below", high, nbelow);
        pages_range("high-above", high + NPAGES / 2, nabove);
    } else {
        pages_range("high", high, nhigh);
    }
    if (hole && hole < GIB4) {
        pages_range("low-below", low, nbelow);
        pages_range("low-above", low + NPAGES, nabove);
    } else {
        pages_range("low", low, nlow);
    }
    n = nhigh < nlow / 2 ? nhigh : nlow / 2;
    if (!n) {
        printf("E2E-IO error: no pages above and below 4 GiB to test with\n");
        return 1;
    }
    fd = open(dev, O_RDWR | O_DIRECT | O_SYNC);
    if (fd < 0) {
        return fail(dev);
    }
    /* low: device reads low RAM (write), then writes low RAM (read) */
    for (unsigned k = 0; k < n; k++) {
        fill_pattern(low[k].va, k);
        xfer(fd, true, &low[k], k, &tl);
    }
    for (unsigned k = 0; k < n; k++) {
        if (xfer(fd, false, &low[n + k], k, &tl)) {
            tally_check(&tl, &low[n + k], k);
        }
    }
    tally_print("low", &tl, n);
    /* high-read: device writes RAM above 4 GiB */
    for (unsigned k = 0; k < n; k++) {
        if (xfer(fd, false, &high[k], k, &tr)) {
            tally_check(&tr, &high[k], k);
        }
    }
    tally_print("high-read", &tr, n);
    /* high-write: device reads RAM above 4 GiB; checked through low RAM */
    for (unsigned k = 0; k < n; k++) {
        fill_pattern(high[k].va, n + k);
        xfer(fd, true, &high[k], n + k, &tw);
    }
    for (unsigned k = 0; k < n; k++) {
        if (xfer(fd, false, &low[k], n + k, &tw)) {
            tally_check(&tw, &low[k], n + k);
        }
    }
    tally_print("high-write", &tw, n);
    close(fd);
    return 0;
}

static bool read_hex(const char *dir, const char *name, unsigned long *v)
{
    char path[512];
    FILE *f;
    bool ok;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "r");
    if (!f) {
        return false;
    }
    ok = fscanf(f, "%lx", v) == 1;
    fclose(f);
    return ok;
}

static int cmd_bar(unsigned long vendor, unsigned long device,
                   unsigned barno)
{
    const char *base = "/sys/bus/pci/devices";
    DIR *d = opendir(base);
    struct dirent *e;
    char dir[512] = "", path[600];
    unsigned long long start = 0, end = 0, flags = 0;
    /* device registers: every access must reach the device, in order */
    volatile uint32_t *bar;
    uint32_t id, w8, inv;
    size_t len = PAGE;
    FILE *f;
    int fd;

    if (!d) {
        return fail(base);
    }
    while ((e = readdir(d))) {
        unsigned long v, dv;
        char p[512];

        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(p, sizeof(p), "%s/%s", base, e->d_name);
        if (read_hex(p, "vendor", &v) && read_hex(p, "device", &dv) &&
            v == vendor && dv == device) {
            snprintf(dir, sizeof(dir), "%s", p);
            break;
        }
    }
    closedir(d);
    if (!dir[0]) {
        printf("E2E-IO error: no PCI device %04lx:%04lx\n", vendor, device);
        return 1;
    }
    /*
     * Enable it: a device that came after the firmware's PCI setup (hot
     * plug) has memory decoding off until a driver enables it, and
     * passthrough maps a BAR only then
     */
    snprintf(path, sizeof(path), "%s/enable", dir);
    f = fopen(path, "w");
    if (f) {
        bool bad = fputs("1", f) < 0;

        if (fclose(f) || bad) {
            f = NULL;
        }
    }
    if (!f) {
        printf("E2E-IO bar: cannot enable %s: %s\n", dir, strerror(errno));
    }
    snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/resource");
    f = fopen(dir, "r");
    for (unsigned i = 0; i <= barno; i++) {
        if (!f || fscanf(f, "%llx %llx %llx", &start, &end, &flags) != 3) {
            return fail(dir);
        }
    }
    fclose(f);
    printf("E2E-IO bar %04lx:%04lx bar%u=0x%llx-0x%llx\n", vendor, device,
           barno, start, end);
    if (!start) {
        printf("E2E-IO error: BAR %u not assigned\n", barno);
        return 1;
    }
    if (barno && end - start + 1 > (2u << 20)) {
        len = 2u << 20;
    }
    snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "%u", barno);
    fd = open(dir, O_RDWR | O_SYNC);
    if (fd < 0) {
        return fail(dir);
    }
    bar = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (bar == MAP_FAILED) {
        return fail("mmap resource");
    }
    id = bar[0];
    w8 = bar[2];
    printf("E2E-IO bar read id=0x%08" PRIx32 " word8=0x%08" PRIx32 "\n",
           id, w8);
    if (vendor == 0x1234 && device == 0x11e8) {
        bar[1] = 0x12345678;
        inv = bar[1];
        printf("E2E-IO bar liveness inverted=0x%08" PRIx32 "\n", inv);
    }
    if (barno) {
        uint32_t r0, r1;

        bar[0] = 0x5aa55aa5;
        if (len > (1u << 20)) {
            bar[(1u << 20) / 4] = 0xc33cc33c;
        }
        r0 = bar[0];
        r1 = len > (1u << 20) ? bar[(1u << 20) / 4] : 0xc33cc33c;
        printf("E2E-IO bar rw wrote=0x5aa55aa5,0xc33cc33c read=0x%08" PRIx32
               ",0x%08" PRIx32 " ok=%s\n", r0, r1,
               r0 == 0x5aa55aa5 && r1 == 0xc33cc33c ? "yes" : "no");
    }
    munmap((void *)bar, len);
    return 0;
}

/* A PCI vendor or device ID in hex, e.g. "11e8" */
static bool parse_id(const char *s, unsigned long *v)
{
    char extra;

    return sscanf(s, "%4lx%c", v, &extra) == 1;
}

static int cmd_kexec(const char *kernel, const char *initrd,
                     const char *cmdline)
{
    int kfd = open(kernel, O_RDONLY | O_CLOEXEC);
    int ifd = open(initrd, O_RDONLY | O_CLOEXEC);

    if (kfd < 0 || ifd < 0) {
        printf("E2E-IO error: kexec: cannot open %s: %s\n",
               kfd < 0 ? kernel : initrd, strerror(errno));
        return 1;
    }
    if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
                cmdline, 0UL)) {
        printf("E2E-IO error: kexec_file_load: %s\n", strerror(errno));
        return 1;
    }
    printf("E2E-IO kexec loaded\n");
    sync();
    syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
            LINUX_REBOOT_CMD_KEXEC, NULL);
    printf("E2E-IO error: reboot(LINUX_REBOOT_CMD_KEXEC): %s\n",
           strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    unsigned long vendor, device;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if ((argc == 4 || argc == 5) && !strcmp(argv[1], "dma")) {
        char *end;

        if (argc == 5) {
            hole = strtoull(argv[4], &end, 0);
            if (*end || !hole) {
                fprintf(stderr, "e2e-io: dma: '%s' is not a hole's"
                        " address\n", argv[4]);
                return 2;
            }
        }
        return cmd_dma(argv[2], argv[3]);
    }
    if ((argc == 4 || argc == 5) && !strcmp(argv[1], "bar")) {
        unsigned barno = 0;
        char extra;

        if (!parse_id(argv[2], &vendor) || !parse_id(argv[3], &device)) {
            fprintf(stderr, "e2e-io: bar: '%s' '%s' are not PCI IDs"
                    " (hex, e.g. 1234 11e8)\n", argv[2], argv[3]);
            return 2;
        }
        if (argc == 5 && (sscanf(argv[4], "%u%c", &barno, &extra) != 1 ||
                          barno > 5)) {
            fprintf(stderr, "e2e-io: bar: '%s' is not a BAR number (0-5)\n",
                    argv[4]);
            return 2;
        }
        return cmd_bar(vendor, device, barno);
    }
    if (argc == 5 && !strcmp(argv[1], "kexec")) {
        return cmd_kexec(argv[2], argv[3], argv[4]);
    }
    fprintf(stderr, "usage: e2e-io dma DEVICE RAMFS-DIR [HOLE]\n"
            "       e2e-io bar VENDOR DEVICE [BAR]\n"
            "       e2e-io kexec KERNEL INITRD CMDLINE\n");
    return 2;
}
