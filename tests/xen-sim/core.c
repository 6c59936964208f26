/*
 * xen-sim core: the simulated host's state (scenario, guest memory,
 * ioreq server, event channel FIFOs, xenstore, RDM regions, call log).
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xen-sim.h"
#include <xen/xen.h>
#include <xen/hvm/hvm_info_table.h>

#define GIB (1ULL << 30)
/* The backing file is sparse: 1 TiB of guest-physical address space */
#define XEN_SIM_MEM_FILE_SIZE   (1ULL << 40)
#define XEN_SIM_MAX_IOREQ_SERVERS 8

typedef struct XenSimRange {
    uint64_t gfn;
    uint64_t nr;
} XenSimRange;

typedef struct XenSimState {
    bool loaded;
    bool no_xen;
    unsigned domid;
    uint64_t ram;
    uint64_t max_ram_below_4g;
    uint64_t lowmem_end;        /* populated layout (libxc's), 0: classic */
    uint64_t highmem_end;
    char *hvm_info;             /* "valid", "none", "bad-signature", ... */
    uint64_t hvm_info_low;      /* ends the table claims (0: the real ones) */
    uint64_t hvm_info_high;
    bool hvm_info_high_set;
    bool hap;
    bool restricted;
    unsigned faults;
    char *dir;
    char *log_path;
    char *mem_path;
    int log_fd;
    int mem_fd;
    int evtchn_in_fd;
    int evtchn_out_fd;
    GArray *populated;          /* XenSimRange, sorted, merged */
    GArray *holes;              /* XenSimRange the toolstack left out */
    GArray *rdm;                /* XenSimRdm */
    uint64_t hvm_params[64];
    bool ioreq_servers[XEN_SIM_MAX_IOREQ_SERVERS];
    GHashTable *xs;             /* path -> value (GBytes) */
    GList *xs_handles;
} XenSimState;

static XenSimState sim = {
    .log_fd = -1, .mem_fd = -1, .evtchn_in_fd = -1, .evtchn_out_fd = -1,
};
static GRecMutex sim_lock;

static const struct {
    const char *name;
    unsigned bit;
} fault_names[] = {
    { "rdm-enosys", XEN_SIM_FAULT_RDM_ENOSYS },
    { "rdm-eperm", XEN_SIM_FAULT_RDM_EPERM },
    { "rdm-count-change", XEN_SIM_FAULT_RDM_COUNT_CHANGE },
    { "foreign-map", XEN_SIM_FAULT_FOREIGN_MAP },
    { "xs-open", XEN_SIM_FAULT_XS_OPEN },
    { "ioreq-server", XEN_SIM_FAULT_IOREQ_SERVER },
    { "evtchn-open", XEN_SIM_FAULT_EVTCHN_OPEN },
};

static void G_GNUC_NORETURN sim_die(const char *fmt, ...)
    G_GNUC_PRINTF(1, 2);

static void sim_die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, "xen-sim: error: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

void xen_sim_unmodelled(const char *name)
{
    fprintf(stderr, "xen-sim: %s: called, but not modelled by xen-sim; "
            "aborting (see docs/xen-sim.rst)\n", name);
    if (sim.log_fd >= 0) {
        xen_sim_log("UNMODELLED %s", name);
    }
    abort();
}

void xen_sim_log(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    g_autofree char *line = NULL;

    if (sim.log_fd < 0) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    line = g_strdup_printf("%s\n", msg);
    if (write(sim.log_fd, line, strlen(line)) < 0) {
        /* nothing better to do: the log is best effort */
    }
}

void xen_sim_warn(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "xen-sim: %s\n", msg);
    xen_sim_log("WARNING %s", msg);
}

int xen_sim_error(const char *func, int err, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "xen-sim: %s: %s (errno %s)\n", func, msg,
            g_strerror(err));
    xen_sim_log("%s FAILED errno=%d %s", func, err, msg);
    errno = err;
    return -1;
}

/* ------------------------------------------------------------ scenario */

static bool parse_size(const char *str, uint64_t *out)
{
    char *end;
    uint64_t v;

    errno = 0;
    v = g_ascii_strtoull(str, &end, 0);
    if (errno || end == str) {
        return false;
    }
    switch (g_ascii_toupper(*end)) {
    case 'T':
        v <<= 10;
        /* fall through */
    case 'G':
        v <<= 10;
        /* fall through */
    case 'M':
        v <<= 10;
        /* fall through */
    case 'K':
        v <<= 10;
        end++;
        if (g_ascii_toupper(*end) == 'B' || g_ascii_toupper(*end) == 'I') {
            end++;
        }
        break;
    default:
        break;
    }
    if (*end) {
        return false;
    }
    *out = v;
    return true;
}

static void add_rdm_map(const XenRdmMap *map)
{
    for (guint i = 0; i < map->entries->len; i++) {
        const XenRdmEntry *e = g_ptr_array_index(map->entries, i);
        XenSimRdm r = {
            .start = e->start,
            .size = e->size,
            .host_wide = e->host_wide,
        };

        if (e->devices && e->devices->len) {
            r.nr_sbdfs = e->devices->len;
            r.sbdfs = g_memdup2(e->devices->data,
                                sizeof(uint32_t) * e->devices->len);
        }
        g_array_append_val(sim.rdm, r);
    }
}

static void load_rdm_text(const char *text, const char *name)
{
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Error *err = NULL;

    if (!xen_rdm_file_parse(text, strlen(text), name, map, &err)) {
        sim_die("%s", error_get_pretty(err));
    }
    add_rdm_map(map);
}

static void load_rdm_file(const char *path)
{
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Error *err = NULL;

    if (!xen_rdm_file_load(path, map, &err)) {
        sim_die("RDM file: %s", error_get_pretty(err));
    }
    add_rdm_map(map);
}

static void load_rdm_dmar(const char *path)
{
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    Error *err = NULL;

    if (!xen_rdm_dmar_load(path, NULL, map, &err)) {
        sim_die("DMAR table: %s", error_get_pretty(err));
    }
    add_rdm_map(map);
}

static void set_faults(const char *list, const char *where)
{
    g_auto(GStrv) names = g_strsplit_set(list, ", ", -1);

    for (int i = 0; names[i]; i++) {
        bool found = false;

        if (!names[i][0] || !strcmp(names[i], "none")) {
            continue;
        }
        for (size_t j = 0; j < G_N_ELEMENTS(fault_names); j++) {
            if (!strcmp(names[i], fault_names[j].name)) {
                sim.faults |= fault_names[j].bit;
                found = true;
            }
        }
        if (!found) {
            sim_die("%s: unknown fault '%s' (known: rdm-enosys, rdm-eperm, "
                    "rdm-count-change, foreign-map, xs-open, ioreq-server, "
                    "evtchn-open)", where, names[i]);
        }
    }
}

static void set_key(const char *key, const char *val, const char *where)
{
    uint64_t v;

    if (!strcmp(key, "domid")) {
        if (!parse_size(val, &v) || v >= 0x7ff0) {
            sim_die("%s: bad domid '%s'", where, val);
        }
        sim.domid = v;
    } else if (!strcmp(key, "ram")) {
        if (!parse_size(val, &v) || !v || (v & (XEN_SIM_PAGE_SIZE - 1))) {
            sim_die("%s: bad ram size '%s'", where, val);
        }
        sim.ram = v;
    } else if (!strcmp(key, "max_ram_below_4g") ||
               !strcmp(key, "max-ram-below-4g")) {
        if (!parse_size(val, &v) || v > (4 * GIB) ||
            (v & (XEN_SIM_PAGE_SIZE - 1))) {
            sim_die("%s: bad max_ram_below_4g '%s'", where, val);
        }
        sim.max_ram_below_4g = v;
    } else if (!strcmp(key, "lowmem_end") || !strcmp(key, "highmem_end")) {
        if (!parse_size(val, &v) || (v & (XEN_SIM_PAGE_SIZE - 1))) {
            sim_die("%s: bad %s '%s'", where, key, val);
        }
        *(key[0] == 'l' ? &sim.lowmem_end : &sim.highmem_end) = v;
    } else if (!strcmp(key, "holes")) {
        g_auto(GStrv) list = g_strsplit(val, ",", -1);

        g_array_set_size(sim.holes, 0);
        for (int i = 0; list[i]; i++) {
            g_auto(GStrv) ss = g_strsplit(g_strstrip(list[i]), "+", 2);
            uint64_t start, size;
            XenSimRange h;

            if (!list[i][0]) {
                continue;
            }
            if (!ss[0] || !ss[1] || !parse_size(ss[0], &start) ||
                !parse_size(ss[1], &size) || !size ||
                ((start | size) & (XEN_SIM_PAGE_SIZE - 1))) {
                sim_die("%s: bad hole '%s' in holes (START+SIZE, page "
                        "aligned)", where, list[i]);
            }
            h = (XenSimRange){ start >> XEN_SIM_PAGE_SHIFT,
                               size >> XEN_SIM_PAGE_SHIFT };
            g_array_append_val(sim.holes, h);
        }
    } else if (!strcmp(key, "hvm_info")) {
        static const char *const kinds[] = {
            "valid", "none", "bad-signature", "bad-checksum", "bad-length",
            NULL
        };

        if (!g_strv_contains(kinds, val)) {
            sim_die("%s: hvm_info must be valid, none, bad-signature, "
                    "bad-checksum or bad-length, not '%s'", where, val);
        }
        g_free(sim.hvm_info);
        sim.hvm_info = g_strdup(val);
    } else if (!strcmp(key, "hvm_info_low") || !strcmp(key, "hvm_info_high")) {
        if (!parse_size(val, &v) || (v & (XEN_SIM_PAGE_SIZE - 1))) {
            sim_die("%s: bad %s '%s'", where, key, val);
        }
        if (key[9] == 'l') {
            sim.hvm_info_low = v;
        } else {
            sim.hvm_info_high = v;
            sim.hvm_info_high_set = true;
        }
    } else if (!strcmp(key, "hap")) {
        if (strcmp(val, "0") && strcmp(val, "1")) {
            sim_die("%s: hap must be 0 or 1, not '%s'", where, val);
        }
        sim.hap = val[0] == '1';
    } else if (!strcmp(key, "mode")) {
        if (!strcmp(val, "no-xen")) {
            sim.no_xen = true;
        } else if (!strcmp(val, "xen")) {
            sim.no_xen = false;
        } else {
            sim_die("%s: mode must be 'xen' or 'no-xen', not '%s'", where, val);
        }
    } else if (!strcmp(key, "dir")) {
        g_free(sim.dir);
        sim.dir = g_strdup(val);
    } else if (!strcmp(key, "log")) {
        g_free(sim.log_path);
        sim.log_path = g_strdup(val);
    } else if (!strcmp(key, "mem_file")) {
        g_free(sim.mem_path);
        sim.mem_path = g_strdup(val);
    } else if (!strcmp(key, "fault") || !strcmp(key, "faults")) {
        set_faults(val, where);
    } else if (!strcmp(key, "rdm")) {
        load_rdm_text(val, where);
    } else if (!strcmp(key, "rdm_file")) {
        load_rdm_file(val);
    } else if (!strcmp(key, "rdm_dmar")) {
        load_rdm_dmar(val);
    } else if (!strcmp(key, "xenstore")) {
        g_auto(GStrv) kv = g_strsplit_set(val, " \t", 2);

        if (!kv[0] || kv[0][0] != '/' || !kv[1]) {
            sim_die("%s: xenstore needs 'PATH VALUE', got '%s'", where, val);
        }
        xen_sim_xs_write(kv[0], g_strstrip(kv[1]), strlen(kv[1]));
    } else {
        sim_die("%s: unknown key '%s'", where, key);
    }
}

static void load_scenario_file(const char *path)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) gerr = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(path, &text, NULL, &gerr)) {
        sim_die("cannot read scenario: %s", gerr->message);
    }
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        g_autofree char *where = g_strdup_printf("%s:%d", path, i + 1);
        char *line = lines[i];
        char *hash = strchr(line, '#');
        char *sep;

        if (hash) {
            *hash = '\0';
        }
        g_strstrip(line);
        if (!*line) {
            continue;
        }
        sep = line + strcspn(line, "= \t");
        if (!*sep) {
            sim_die("%s: expected 'key = value'", where);
        }
        *sep++ = '\0';
        sep += strspn(sep, "= \t");
        set_key(line, g_strstrip(sep), where);
    }
}

static void env_key(const char *env, const char *key)
{
    const char *v = g_getenv(env);

    if (v && *v) {
        set_key(key, v, env);
    }
}

static void open_fifo(const char *name, int *fd)
{
    g_autofree char *path = g_build_filename(sim.dir, name, NULL);

    if (mkfifo(path, 0600) < 0 && errno != EEXIST) {
        sim_die("mkfifo %s: %s", path, g_strerror(errno));
    }
    /* O_RDWR: never blocks, never sees EOF when the test closes its end */
    *fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (*fd < 0) {
        sim_die("open %s: %s", path, g_strerror(errno));
    }
}

/*
 * Guest RAM as libxc's HVM builder populates it for libxl: [0,
 * lowmem_end) but the VGA hole, and [4 GiB, highmem_end), less the holes
 * a toolstack that punches them (one vmemrange per RAM range) leaves
 * out.  Without lowmem_end/highmem_end in the scenario, libxl's layout
 * with no RDM: RAM up to max_ram_below_4g, the rest above 4 GiB.
 */
static void populate_ram(void)
{
    uint64_t low = sim.lowmem_end, high_end = sim.highmem_end;
    uint64_t holes = 0;

    for (guint i = 0; i < sim.holes->len; i++) {
        const XenSimRange *h = &g_array_index(sim.holes, XenSimRange, i);
        uint64_t start = h->gfn << XEN_SIM_PAGE_SHIFT;
        uint64_t end = (h->gfn + h->nr) << XEN_SIM_PAGE_SHIFT;

        if (!((start >= 0x100000 && end <= low) ||
              (start >= 4 * GIB && end <= high_end))) {
            sim_die("hole 0x%" PRIx64 "-0x%" PRIx64 " is not inside the RAM "
                    "below lowmem_end 0x%" PRIx64 " (above 1 MiB) or from "
                    "4 GiB to highmem_end 0x%" PRIx64, start, end - 1, low,
                    high_end);
        }
        holes += end - start;
    }
    if (!low) {
        low = MIN(sim.ram, sim.max_ram_below_4g);
        high_end = sim.ram > low ? 4 * GIB + sim.ram - low : 0;
    } else if (low > 4 * GIB || low + (high_end ? high_end - 4 * GIB : 0) !=
               sim.ram + holes || (high_end && high_end < 4 * GIB)) {
        sim_die("lowmem_end 0x%" PRIx64 " and highmem_end 0x%" PRIx64
                " less holes of 0x%" PRIx64 " bytes are not a layout of ram "
                "0x%" PRIx64, low, high_end, holes, sim.ram);
    }
    sim.lowmem_end = low;
    sim.highmem_end = high_end;
    xen_sim_populate(0, MIN(low, 0xa0000) >> XEN_SIM_PAGE_SHIFT);
    if (low > 0xc0000) {
        xen_sim_populate(0xc0, (low - 0xc0000) >> XEN_SIM_PAGE_SHIFT);
    }
    if (high_end) {
        xen_sim_populate((4 * GIB) >> XEN_SIM_PAGE_SHIFT,
                         (high_end - 4 * GIB) >> XEN_SIM_PAGE_SHIFT);
    }
    for (guint i = 0; i < sim.holes->len; i++) {
        const XenSimRange *h = &g_array_index(sim.holes, XenSimRange, i);

        xen_sim_depopulate(h->gfn, h->nr);
    }
}

/*
 * The guest's hvm_info_table, as libxc's bootlate_hvm() writes it:
 * where the RAM it populated ends.  The scenario can leave it out,
 * break it, or make it claim other ends.
 */
static void write_hvm_info(void)
{
    struct hvm_info_table t = {
        .signature = "HVM INFO",
        .length = sizeof(t),
        .apic_mode = 1,
        .nr_vcpus = 1,
        .low_mem_pgend = (sim.hvm_info_low ? sim.hvm_info_low
                                           : sim.lowmem_end) >> 12,
        .reserved_mem_pgstart = XEN_SIM_IOREQ_GFN_BASE,
        .high_mem_pgend = (sim.hvm_info_high_set ? sim.hvm_info_high
                                                 : sim.highmem_end) >> 12,
    };
    uint8_t sum = 0;

    if (!strcmp(sim.hvm_info, "none")) {
        /* nothing there, whatever an earlier process of the run wrote */
        memset(&t, 0, sizeof(t));
        if (pwrite(sim.mem_fd, &t, sizeof(t), HVM_INFO_PADDR) != sizeof(t)) {
            sim_die("cannot clear the hvm_info_table: %s", g_strerror(errno));
        }
        return;
    }
    t.vcpu_online[0] = 1;
    if (!strcmp(sim.hvm_info, "bad-length")) {
        /* longer than the page holds: refused before it is summed */
        t.length = 4096;
    }
    for (size_t i = 0; i < sizeof(t); i++) {
        sum += ((uint8_t *)&t)[i];
    }
    t.checksum = -sum;
    if (!strcmp(sim.hvm_info, "bad-signature")) {
        t.signature[0] = 'X';
        t.checksum += 'H' - 'X';
    } else if (!strcmp(sim.hvm_info, "bad-checksum")) {
        t.checksum++;
    }
    if (pwrite(sim.mem_fd, &t, sizeof(t), HVM_INFO_PADDR) != sizeof(t)) {
        sim_die("cannot write the hvm_info_table: %s", g_strerror(errno));
    }
}

bool xen_sim_init(void)
{
    const char *scenario;

    g_rec_mutex_lock(&sim_lock);
    if (sim.loaded) {
        g_rec_mutex_unlock(&sim_lock);
        return !sim.no_xen;
    }
    sim.loaded = true;
    sim.domid = 1;
    sim.ram = 128 * 1024 * 1024;
    sim.max_ram_below_4g = 0xf0000000ULL;
    sim.hvm_info = g_strdup("valid");
    sim.hap = true;
    sim.populated = g_array_new(false, false, sizeof(XenSimRange));
    sim.holes = g_array_new(false, false, sizeof(XenSimRange));
    sim.rdm = g_array_new(false, true, sizeof(XenSimRdm));
    sim.xs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify)g_bytes_unref);

    scenario = g_getenv("XEN_SIM_SCENARIO");
    if (scenario && *scenario) {
        load_scenario_file(scenario);
    }
    env_key("XEN_SIM_MODE", "mode");
    env_key("XEN_SIM_DIR", "dir");
    env_key("XEN_SIM_LOG", "log");
    env_key("XEN_SIM_MEM_FILE", "mem_file");
    env_key("XEN_SIM_DOMID", "domid");
    env_key("XEN_SIM_RAM", "ram");
    env_key("XEN_SIM_MAX_RAM_BELOW_4G", "max_ram_below_4g");
    env_key("XEN_SIM_FAULTS", "fault");
    env_key("XEN_SIM_RDM", "rdm");
    env_key("XEN_SIM_RDM_FILE", "rdm_file");
    env_key("XEN_SIM_RDM_DMAR", "rdm_dmar");
    env_key("XEN_SIM_LOWMEM_END", "lowmem_end");
    env_key("XEN_SIM_HIGHMEM_END", "highmem_end");
    env_key("XEN_SIM_HOLES", "holes");
    env_key("XEN_SIM_HVM_INFO", "hvm_info");
    env_key("XEN_SIM_HVM_INFO_LOW", "hvm_info_low");
    env_key("XEN_SIM_HVM_INFO_HIGH", "hvm_info_high");
    env_key("XEN_SIM_HAP", "hap");

    if (sim.no_xen) {
        g_rec_mutex_unlock(&sim_lock);
        return false;
    }
    if (!sim.dir) {
        sim.dir = g_strdup_printf("%s/xen-sim-%d", g_get_tmp_dir(),
                                  (int)getpid());
    }
    if (g_mkdir_with_parents(sim.dir, 0700) < 0) {
        sim_die("cannot create run directory %s: %s", sim.dir,
                g_strerror(errno));
    }
    if (!sim.log_path) {
        sim.log_path = g_build_filename(sim.dir, "calls.log", NULL);
    }
    sim.log_fd = open(sim.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                      0644);
    if (sim.log_fd < 0) {
        sim_die("cannot open call log %s: %s", sim.log_path,
                g_strerror(errno));
    }
    if (!sim.mem_path) {
        sim.mem_path = g_build_filename(sim.dir, "guest-mem", NULL);
    }
    sim.mem_fd = open(sim.mem_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (sim.mem_fd < 0) {
        sim_die("cannot open guest memory file %s: %s", sim.mem_path,
                g_strerror(errno));
    }
    if (ftruncate(sim.mem_fd, XEN_SIM_MEM_FILE_SIZE) < 0) {
        sim_die("cannot size guest memory file %s: %s", sim.mem_path,
                g_strerror(errno));
    }
    open_fifo("evtchn-in", &sim.evtchn_in_fd);
    open_fifo("evtchn-out", &sim.evtchn_out_fd);
    populate_ram();
    write_hvm_info();

    /* The tree libxl leaves for a device model */
    {
        g_autofree char *dom = g_strdup_printf("/local/domain/%u", sim.domid);
        g_autofree char *dm = g_strdup_printf(
            "/local/domain/0/device-model/%u", sim.domid);
        g_autofree char *name = g_strdup_printf("%s/name", dom);
        g_autofree char *dmid = g_strdup_printf(
            "%s/image/device-model-domid", dom);

        if (!g_hash_table_contains(sim.xs, name)) {
            xen_sim_xs_write(name, "xen-sim-guest", 13);
        }
        if (!g_hash_table_contains(sim.xs, dmid)) {
            xen_sim_xs_write(dmid, "0", 1);
        }
        xen_sim_xs_mkdir(dm);
    }

    xen_sim_log("init pid=%d domid=%u ram=0x%" PRIx64
                " max_ram_below_4g=0x%" PRIx64 " lowmem_end=0x%" PRIx64
                " highmem_end=0x%" PRIx64 " hvm_info=%s hap=%d faults=0x%x"
                " rdm=%u mem_file=%s", (int)getpid(), sim.domid, sim.ram,
                sim.max_ram_below_4g, sim.lowmem_end, sim.highmem_end,
                sim.hvm_info, sim.hap, sim.faults, sim.rdm->len,
                sim.mem_path);
    g_rec_mutex_unlock(&sim_lock);
    return true;
}

bool xen_sim_hap(void)
{
    xen_sim_init();
    return sim.hap;
}

void xen_sim_restrict(void)
{
    g_rec_mutex_lock(&sim_lock);
    sim.restricted = true;
    g_rec_mutex_unlock(&sim_lock);
}

bool xen_sim_restricted(void)
{
    return sim.restricted;
}

bool xen_sim_no_xen(void)
{
    return !xen_sim_init();
}

bool xen_sim_fault(unsigned fault)
{
    return (sim.faults & fault) != 0;
}

unsigned xen_sim_domid(void)
{
    return sim.domid;
}

bool xen_sim_check_domid(const char *func, uint32_t domid)
{
    if (domid != sim.domid) {
        xen_sim_error(func, ESRCH, "domain %u does not exist (the simulated "
                      "domain is %u: give QEMU -xen-domid %u)", domid,
                      sim.domid, sim.domid);
        return false;
    }
    return true;
}

const char *xen_sim_dir(void)
{
    return sim.dir;
}

int xen_sim_evtchn_in_fd(void)
{
    return sim.evtchn_in_fd;
}

int xen_sim_evtchn_out_fd(void)
{
    return sim.evtchn_out_fd;
}

/* -------------------------------------------------------------- memory */

int xen_sim_mem_fd(void)
{
    return sim.mem_fd;
}

static bool gfn_populated_locked(uint64_t gfn)
{
    for (guint i = 0; i < sim.populated->len; i++) {
        XenSimRange *r = &g_array_index(sim.populated, XenSimRange, i);

        if (gfn >= r->gfn && gfn - r->gfn < r->nr) {
            return true;
        }
    }
    for (unsigned id = 0; id < XEN_SIM_MAX_IOREQ_SERVERS; id++) {
        if (sim.ioreq_servers[id] &&
            (gfn == xen_sim_ioreq_gfn(id) || gfn == xen_sim_bufioreq_gfn(id))) {
            return true;
        }
    }
    return false;
}

bool xen_sim_gfn_populated(uint64_t gfn)
{
    bool ret;

    g_rec_mutex_lock(&sim_lock);
    ret = gfn_populated_locked(gfn);
    g_rec_mutex_unlock(&sim_lock);
    return ret;
}

static gint range_cmp(gconstpointer a, gconstpointer b)
{
    const XenSimRange *ra = a, *rb = b;

    return ra->gfn < rb->gfn ? -1 : ra->gfn > rb->gfn;
}

void xen_sim_depopulate(uint64_t gfn, uint64_t nr)
{
    GArray *out = g_array_new(false, false, sizeof(XenSimRange));
    uint64_t end = gfn + nr;

    g_rec_mutex_lock(&sim_lock);
    for (guint i = 0; i < sim.populated->len; i++) {
        XenSimRange r = g_array_index(sim.populated, XenSimRange, i);
        uint64_t rend = r.gfn + r.nr;

        if (rend <= gfn || r.gfn >= end) {
            g_array_append_val(out, r);
            continue;
        }
        if (r.gfn < gfn) {
            XenSimRange a = { r.gfn, gfn - r.gfn };
            g_array_append_val(out, a);
        }
        if (rend > end) {
            XenSimRange b = { end, rend - end };
            g_array_append_val(out, b);
        }
    }
    g_array_free(sim.populated, true);
    sim.populated = out;
    g_rec_mutex_unlock(&sim_lock);
}

void xen_sim_populate(uint64_t gfn, uint64_t nr)
{
    GArray *merged;
    XenSimRange n = { gfn, nr };

    if (!nr) {
        return;
    }
    g_rec_mutex_lock(&sim_lock);
    xen_sim_depopulate(gfn, nr);
    g_array_append_val(sim.populated, n);
    g_array_sort(sim.populated, range_cmp);
    merged = g_array_new(false, false, sizeof(XenSimRange));
    for (guint i = 0; i < sim.populated->len; i++) {
        XenSimRange r = g_array_index(sim.populated, XenSimRange, i);
        XenSimRange *last = merged->len ?
            &g_array_index(merged, XenSimRange, merged->len - 1) : NULL;

        if (last && last->gfn + last->nr == r.gfn) {
            last->nr += r.nr;
        } else {
            g_array_append_val(merged, r);
        }
    }
    g_array_free(sim.populated, true);
    sim.populated = merged;
    g_rec_mutex_unlock(&sim_lock);
}

void *xen_sim_map_gfns(void *addr, int prot, size_t nr, const uint64_t *gfns,
                       int *err)
{
    size_t len = nr * XEN_SIM_PAGE_SIZE;
    bool failed = false;
    uint8_t *base;
    size_t i = 0;

    if (!nr) {
        errno = EINVAL;
        return NULL;
    }
    base = mmap(addr, len, PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
                (addr ? MAP_FIXED : 0), -1, 0);
    if (base == MAP_FAILED) {
        return NULL;
    }
    while (i < nr) {
        size_t run = 1;

        if (!xen_sim_gfn_populated(gfns[i])) {
            if (err) {
                err[i] = -EINVAL;
            }
            failed = true;
            i++;
            continue;
        }
        while (i + run < nr && gfns[i + run] == gfns[i] + run &&
               xen_sim_gfn_populated(gfns[i + run])) {
            run++;
        }
        if (mmap(base + i * XEN_SIM_PAGE_SIZE, run * XEN_SIM_PAGE_SIZE, prot,
                 MAP_SHARED | MAP_FIXED, sim.mem_fd,
                 gfns[i] << XEN_SIM_PAGE_SHIFT) == MAP_FAILED) {
            int e = errno;

            munmap(base, len);
            errno = e;
            return NULL;
        }
        if (err) {
            for (size_t j = 0; j < run; j++) {
                err[i + j] = 0;
            }
        }
        i += run;
    }
    if (failed && !err) {
        munmap(base, len);
        errno = EINVAL;
        return NULL;
    }
    return base;
}

/* ---------------------------------------------------------- hvm params */

uint64_t xen_sim_hvm_param(unsigned idx)
{
    return idx < G_N_ELEMENTS(sim.hvm_params) ? sim.hvm_params[idx] : 0;
}

void xen_sim_set_hvm_param(unsigned idx, uint64_t value)
{
    if (idx < G_N_ELEMENTS(sim.hvm_params)) {
        sim.hvm_params[idx] = value;
    }
}

/* --------------------------------------------------------------- ioreq */

uint64_t xen_sim_ioreq_gfn(uint16_t id)
{
    return XEN_SIM_IOREQ_GFN_BASE + 2 * id + 1;
}

uint64_t xen_sim_bufioreq_gfn(uint16_t id)
{
    return XEN_SIM_IOREQ_GFN_BASE + 2 * id;
}

int xen_sim_ioreq_server_create(int handle_bufioreq, uint16_t *id)
{
    uint16_t i;

    g_rec_mutex_lock(&sim_lock);
    for (i = 0; i < XEN_SIM_MAX_IOREQ_SERVERS; i++) {
        if (!sim.ioreq_servers[i]) {
            break;
        }
    }
    if (i == XEN_SIM_MAX_IOREQ_SERVERS) {
        g_rec_mutex_unlock(&sim_lock);
        errno = ENOSPC;
        return -1;
    }
    sim.ioreq_servers[i] = true;
    g_rec_mutex_unlock(&sim_lock);
    *id = i;
    return 0;
}

bool xen_sim_ioreq_server_exists(uint16_t id)
{
    return id < XEN_SIM_MAX_IOREQ_SERVERS && sim.ioreq_servers[id];
}

void xen_sim_ioreq_server_destroy(uint16_t id)
{
    if (id < XEN_SIM_MAX_IOREQ_SERVERS) {
        sim.ioreq_servers[id] = false;
    }
}

/* ----------------------------------------------------------------- RDM */

unsigned xen_sim_rdm_count(void)
{
    return sim.rdm ? sim.rdm->len : 0;
}

const XenSimRdm *xen_sim_rdm_get(unsigned i)
{
    return &g_array_index(sim.rdm, XenSimRdm, i);
}

/* ------------------------------------------------------------ xenstore */

struct XenSimXs {
    int pipe[2];                /* a byte per queued event */
    GQueue events;              /* char ** {path, token} */
    GPtrArray *watches;         /* triples: path, token, "r" if relative */
};

/* Relative paths are relative to the connection's home: dom0's */
#define XS_HOME "/local/domain/0/"

static char *xs_abs(const char *path)
{
    return path[0] == '/' ? g_strdup(path) : g_strconcat(XS_HOME, path, NULL);
}

static bool xs_is_under(const char *path, const char *watch)
{
    size_t n = strlen(watch);

    return !strncmp(path, watch, n) && (path[n] == '\0' || path[n] == '/');
}

static void xs_queue_event(XenSimXs *h, const char *path, const char *token)
{
    size_t lp = strlen(path) + 1, lt = strlen(token) + 1;
    /* one block, as libxenstore returns it: free() frees all */
    char **vec = malloc(2 * sizeof(char *) + lp + lt);
    char *s = (char *)(vec + 2);

    memcpy(s, path, lp);
    memcpy(s + lp, token, lt);
    vec[0] = s;
    vec[1] = s + lp;
    g_queue_push_tail(&h->events, vec);
    if (write(h->pipe[1], "w", 1) < 0) {
        /* pipe full: the event is still queued */
    }
}

static void xs_fire(const char *path)
{
    for (GList *l = sim.xs_handles; l; l = l->next) {
        XenSimXs *h = l->data;

        for (guint i = 0; i + 2 < h->watches->len; i += 3) {
            const char *w = g_ptr_array_index(h->watches, i);
            bool rel = !strcmp(g_ptr_array_index(h->watches, i + 2), "r");

            if (xs_is_under(path, w)) {
                /* relative watches see paths relative to dom0's home */
                xs_queue_event(h, rel ? path + strlen(XS_HOME) : path,
                               g_ptr_array_index(h->watches, i + 1));
            }
        }
    }
}

static void xs_make_parents(const char *path)
{
    g_autofree char *p = g_strdup(path);
    char *slash;

    while ((slash = strrchr(p, '/')) && slash != p) {
        *slash = '\0';
        if (g_hash_table_contains(sim.xs, p)) {
            break;
        }
        g_hash_table_insert(sim.xs, g_strdup(p), g_bytes_new("", 0));
    }
}

XenSimXs *xen_sim_xs_open(void)
{
    XenSimXs *h = g_new0(XenSimXs, 1);

    if (pipe2(h->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        g_free(h);
        return NULL;
    }
    g_queue_init(&h->events);
    h->watches = g_ptr_array_new_with_free_func(g_free);
    g_rec_mutex_lock(&sim_lock);
    sim.xs_handles = g_list_prepend(sim.xs_handles, h);
    g_rec_mutex_unlock(&sim_lock);
    return h;
}

void xen_sim_xs_close(XenSimXs *h)
{
    g_rec_mutex_lock(&sim_lock);
    sim.xs_handles = g_list_remove(sim.xs_handles, h);
    g_rec_mutex_unlock(&sim_lock);
    close(h->pipe[0]);
    close(h->pipe[1]);
    g_queue_clear_full(&h->events, free);
    g_ptr_array_free(h->watches, true);
    g_free(h);
}

int xen_sim_xs_fileno(XenSimXs *h)
{
    return h->pipe[0];
}

char *xen_sim_xs_read(const char *rpath, unsigned *len)
{
    g_autofree char *path = xs_abs(rpath);
    GBytes *b;
    char *ret = NULL;

    g_rec_mutex_lock(&sim_lock);
    b = g_hash_table_lookup(sim.xs, path);
    if (b) {
        gsize n;
        const void *d = g_bytes_get_data(b, &n);

        ret = malloc(n + 1);
        memcpy(ret, d, n);
        ret[n] = '\0';
        if (len) {
            *len = n;
        }
    } else {
        errno = ENOENT;
    }
    g_rec_mutex_unlock(&sim_lock);
    return ret;
}

bool xen_sim_xs_write(const char *rpath, const void *data, unsigned len)
{
    g_autofree char *path = xs_abs(rpath);

    g_rec_mutex_lock(&sim_lock);
    xs_make_parents(path);
    g_hash_table_insert(sim.xs, g_strdup(path), g_bytes_new(data, len));
    xs_fire(path);
    g_rec_mutex_unlock(&sim_lock);
    return true;
}

bool xen_sim_xs_mkdir(const char *rpath)
{
    g_autofree char *path = xs_abs(rpath);
    bool ret = true;

    g_rec_mutex_lock(&sim_lock);
    if (!g_hash_table_contains(sim.xs, path)) {
        ret = xen_sim_xs_write(path, "", 0);
    }
    g_rec_mutex_unlock(&sim_lock);
    return ret;
}

bool xen_sim_xs_rm(const char *rpath)
{
    g_autofree char *path = xs_abs(rpath);
    GHashTableIter it;
    gpointer key;
    bool found = false;

    g_rec_mutex_lock(&sim_lock);
    g_hash_table_iter_init(&it, sim.xs);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (xs_is_under(key, path)) {
            g_hash_table_iter_remove(&it);
            found = true;
        }
    }
    if (found) {
        xs_fire(path);
    }
    g_rec_mutex_unlock(&sim_lock);
    if (!found) {
        errno = ENOENT;
    }
    return found;
}

char **xen_sim_xs_directory(const char *rpath, unsigned *num)
{
    g_autofree char *path = xs_abs(rpath);
    GHashTableIter it;
    gpointer key;
    GPtrArray *names = g_ptr_array_new();
    size_t plen = strlen(path);
    size_t total = 0;
    char **vec;
    char *s;

    g_rec_mutex_lock(&sim_lock);
    if (!g_hash_table_contains(sim.xs, path)) {
        g_rec_mutex_unlock(&sim_lock);
        g_ptr_array_free(names, true);
        errno = ENOENT;
        return NULL;
    }
    g_hash_table_iter_init(&it, sim.xs);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        const char *k = key;

        if (!strncmp(k, path, plen) && k[plen] == '/' &&
            !strchr(k + plen + 1, '/')) {
            g_ptr_array_add(names, (char *)k + plen + 1);
            total += strlen(k + plen + 1) + 1;
        }
    }
    vec = malloc((names->len + 1) * sizeof(char *) + total);
    s = (char *)(vec + names->len + 1);
    for (guint i = 0; i < names->len; i++) {
        size_t n = strlen(g_ptr_array_index(names, i)) + 1;

        memcpy(s, g_ptr_array_index(names, i), n);
        vec[i] = s;
        s += n;
    }
    vec[names->len] = NULL;
    *num = names->len;
    g_rec_mutex_unlock(&sim_lock);
    g_ptr_array_free(names, true);
    return vec;
}

bool xen_sim_xs_watch(XenSimXs *h, const char *path, const char *token)
{
    g_autofree char *abs = xs_abs(path);

    g_rec_mutex_lock(&sim_lock);
    g_ptr_array_add(h->watches, g_strdup(abs));
    g_ptr_array_add(h->watches, g_strdup(token));
    g_ptr_array_add(h->watches, g_strdup(path[0] == '/' ? "a" : "r"));
    /* like xenstored: a new watch fires once at once */
    xs_queue_event(h, path, token);
    g_rec_mutex_unlock(&sim_lock);
    return true;
}

bool xen_sim_xs_unwatch(XenSimXs *h, const char *path, const char *token)
{
    g_autofree char *abs = xs_abs(path);
    bool found = false;

    g_rec_mutex_lock(&sim_lock);
    for (guint i = 0; i + 2 < h->watches->len; i += 3) {
        if (!strcmp(g_ptr_array_index(h->watches, i), abs) &&
            !strcmp(g_ptr_array_index(h->watches, i + 1), token)) {
            g_ptr_array_remove_range(h->watches, i, 3);
            found = true;
            break;
        }
    }
    g_rec_mutex_unlock(&sim_lock);
    if (!found) {
        errno = ENOENT;
    }
    return found;
}

char **xen_sim_xs_next_event(XenSimXs *h, bool block)
{
    char **ev;
    char c;

    for (;;) {
        g_rec_mutex_lock(&sim_lock);
        ev = g_queue_pop_head(&h->events);
        g_rec_mutex_unlock(&sim_lock);
        if (ev) {
            if (read(h->pipe[0], &c, 1) < 0) {
                /* the byte may be missing if the pipe was full */
            }
            return ev;
        }
        if (!block) {
            errno = EAGAIN;
            return NULL;
        }
        /* nothing in this process can ever queue one while we sleep */
        xen_sim_error("xs_read_watch", EDEADLK,
                      "blocking wait for a watch event that cannot come");
        return NULL;
    }
}
