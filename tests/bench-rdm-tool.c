/*
 * Helper of tests/bench-rdm-tool.py, the benchmark of xen-rdm-plan over
 * large region files.  Three modes:
 *
 *   bench-rdm-tool phases FILE LAYOUT FORMAT
 *     does in one process what `xen-rdm-plan --rdm-file FILE --memory 16G
 *     --strategy host --layout LAYOUT --format FORMAT` does, and prints
 *     the CPU time of each phase (reading the file, parsing it, planning,
 *     checking the plan, printing it and the warnings to /dev/null,
 *     freeing the plan and the map) and the peak RSS after each, so that
 *     the planner's share of the tool's time is seen apart from the
 *     tool's own.
 *
 *   bench-rdm-tool reference FILE
 *     the floor of what the tool does with FILE: reads it, converts each
 *     line's START and SIZE with strtoull(), sorts the starts with qsort()
 *     and prints one line per region to stdout.
 *
 *   bench-rdm-tool run OUT PROGRAM [ARG...]
 *     runs PROGRAM with its stdout to OUT and its stderr to OUT.err, and
 *     prints its wall time and CPU time (s), peak RSS (KiB) and exit
 *     status.  A process forked from the benchmark's Python would count
 *     Python's own RSS in its peak (the kernel keeps the peak across
 *     exec); one forked from this small program starts near nothing.
 *
 * Asserts nothing about speed.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"
#include "rdm-format.h"
#include "rdm-names.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>

static gint64 t_last;

/*
 * The peak RSS of this process image in KiB: VmHWM, not ru_maxrss, which
 * keeps the peak of the process that exec'd it (the benchmark's Python)
 */
static long peak_rss_kib(void)
{
    g_autofree char *status = NULL;
    const char *hwm;

    if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL) ||
        !(hwm = strstr(status, "\nVmHWM:"))) {
        return -1;
    }
    return strtol(hwm + strlen("\nVmHWM:"), NULL, 10);
}

/* CPU time of this process in microseconds: other jobs disturb it less */
static gint64 cpu_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* CPU milliseconds since the last call, and the peak RSS so far in MiB */
static void phase(const char *name)
{
    gint64 now = cpu_us();

    printf(" %s=%.1f/%.1f", name, (now - t_last) / 1000.0,
           peak_rss_kib() / 1024.0);
    t_last = cpu_us();
}

static int phases(const char *path, const char *layout, const char *format)
{
    g_autofree char *text = NULL;
    XenRdmMap *map = xen_rdm_map_new();
    XenRdmPlan *plan = NULL;
    XenRdmConfig cfg;
    Error *err = NULL;
    FILE *null = fopen("/dev/null", "w");
    size_t len;

    if (!null) {
        fprintf(stderr, "bench-rdm-tool: /dev/null: %s\n", g_strerror(errno));
        return 1;
    }
    xen_rdm_config_init(&cfg);
    cfg.ram_size = 16ULL << 30;
    cfg.strategy = XEN_RDM_STRATEGY_HOST;
    if (!xen_rdm_layout_parse(layout, &cfg.layout, &err)) {
        goto fail;
    }
    printf("ms/MiB:");
    t_last = cpu_us();
    if (!xen_rdm_read_file(path, "RDM file", XEN_RDM_FILE_MAX_SIZE, &text,
                           &len, &err)) {
        goto fail;
    }
    phase("read");
    if (!xen_rdm_file_parse(text, len, path, map, &err)) {
        goto fail;
    }
    g_clear_pointer(&text, g_free);     /* as xen_rdm_file_load() does */
    phase("parse");
    if (!xen_rdm_plan_compute(&cfg, map, &plan, &err)) {
        goto fail;
    }
    phase("plan");
    if (!xen_rdm_plan_check(plan, cfg.ram_size, &err)) {
        goto fail;
    }
    phase("check");
    /* printed as the tool prints it, to a file that keeps nothing */
    if (!strcmp(format, "json")) {
        xen_rdm_plan_print_json(plan, null);
    } else if (!strcmp(format, "e820")) {
        xen_rdm_plan_print_e820(plan, null);
    } else {
        xen_rdm_plan_print_text(plan, &cfg, null);
    }
    fflush(null);
    phase("format");
    xen_rdm_plan_print_warnings(plan, null);
    fflush(null);
    phase("warn");
    xen_rdm_plan_free(plan);
    phase("free-plan");
    xen_rdm_map_free(map);
    phase("free-map");
    printf("\n");
    fclose(null);
    return 0;

fail:
    fprintf(stderr, "bench-rdm-tool: %s\n", error_get_pretty(err));
    return 1;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static int reference(const char *path)
{
    g_autofree char *text = NULL;
    g_autoptr(GArray) starts = g_array_new(false, false, sizeof(uint64_t));
    g_autoptr(GArray) sizes = g_array_new(false, false, sizeof(uint64_t));
    Error *err = NULL;
    size_t len;
    char *p;

    if (!xen_rdm_read_file(path, "RDM file", XEN_RDM_FILE_MAX_SIZE, &text,
                           &len, &err)) {
        fprintf(stderr, "bench-rdm-tool: %s\n", error_get_pretty(err));
        return 1;
    }
    for (p = text; *p;) {
        char *end;
        uint64_t start = strtoull(p, &end, 0);
        uint64_t size = strtoull(end, &end, 0);

        if (end != p) {
            g_array_append_val(starts, start);
            g_array_append_val(sizes, size);
        }
        p = strchr(end, '\n');
        if (!p) {
            break;
        }
        p++;
    }
    qsort(starts->data, starts->len, sizeof(uint64_t), u64_cmp);
    for (guint i = 0; i < starts->len; i++) {
        printf("0x%016" PRIx64 " 0x%016" PRIx64 "\n",
               g_array_index(starts, uint64_t, i),
               g_array_index(sizes, uint64_t, i));
    }
    return 0;
}

static int run(const char *out, char **argv)
{
    g_autofree char *err = g_strconcat(out, ".err", NULL);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int efd = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    struct rusage ru;
    gint64 t0, t1;
    int status;
    pid_t pid;

    if (fd < 0 || efd < 0) {
        fprintf(stderr, "bench-rdm-tool: %s: %s\n", out, g_strerror(errno));
        return 1;
    }
    t0 = g_get_monotonic_time();
    pid = fork();
    if (pid == 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(efd, STDERR_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
        fprintf(stderr, "bench-rdm-tool: %s: %s\n", argv[0],
                g_strerror(errno));
        return 1;
    }
    t1 = g_get_monotonic_time();
    printf("%.6f %.6f %ld %d\n", (t1 - t0) / 1e6,
           ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
           ru.ru_maxrss,
           WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    close(fd);
    close(efd);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "phases")) {
        return phases(argv[2], argv[3], argv[4]);
    }
    if (argc == 3 && !strcmp(argv[1], "reference")) {
        return reference(argv[2]);
    }
    if (argc >= 4 && !strcmp(argv[1], "run")) {
        return run(argv[2], argv + 3);
    }
    fprintf(stderr, "usage: bench-rdm-tool phases FILE LAYOUT FORMAT\n"
            "       bench-rdm-tool reference FILE\n"
            "       bench-rdm-tool run OUT PROGRAM [ARG...]\n");
    return 2;
}
