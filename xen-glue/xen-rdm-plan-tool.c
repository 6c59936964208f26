/*
 * xen-rdm-plan: show the guest memory layout that reserved device memory
 * (RDM) regions lead to, as libxl computes it (compat) or with holes
 * punched around every region (split).
 *
 * Exit status: 0 plan accepted, 1 plan refused (strict conflict),
 * 2 bad usage or bad input.  Reasons go to stderr, one line each.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"
#include "rdm-format.h"
#include "xl-config.h"
#include "rdm-names.h"

#define EXIT_REFUSED    1
#define EXIT_BAD_INPUT  2

/* Warnings about ignored regions go to stderr in chunks of this size */
#define WARNINGS_CHUNK  (64 * 1024)

#define HOST_DMAR "/sys/firmware/acpi/tables/DMAR"
/* The same table in a Xen dom0: Xen renames it (acpi_dmar_zap()) */
#define HOST_DMAR_XEN "/sys/firmware/acpi/tables/RMAD"

typedef enum OutputFormat {
    FORMAT_TEXT,
    FORMAT_JSON,
    FORMAT_E820,
    FORMAT_SVG,
} OutputFormat;

static G_GNUC_PRINTF(1, 2) G_NORETURN void bad_input(const char *fmt, ...)
{
    va_list ap;

    fputs("xen-rdm-plan: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(EXIT_BAD_INPUT);
}

static void die_on_error(Error *err, const char *context)
{
    if (err) {
        bad_input("%s%s", context, error_get_pretty(err));
    }
}

/* "SBDF[,rdm_policy=strict|relaxed]", as in xl.cfg's pci=[...] */
static void parse_device(const char *arg, XenRdmDeviceConfig *dev)
{
    g_auto(GStrv) parts = g_strsplit(arg, ",", -1);
    Error *err = NULL;
    int i;

    bool have_policy = false;

    dev->policy = XEN_RDM_POLICY_STRICT;
    if (!xen_rdm_sbdf_parse(parts[0], &dev->sbdf, &err)) {
        die_on_error(err, "--device: ");
    }
    for (i = 1; parts[i]; i++) {
        if (g_str_has_prefix(parts[i], "rdm_policy=")) {
            if (have_policy) {
                bad_input("--device '%s': rdm_policy is given twice", arg);
            }
            have_policy = true;
            if (!xen_rdm_policy_parse(parts[i] + strlen("rdm_policy="),
                                      &dev->policy, &err)) {
                die_on_error(err, "--device: ");
            }
        } else {
            bad_input("--device '%s': unknown option '%s' (only "
                      "rdm_policy=strict|relaxed is known)", arg, parts[i]);
        }
    }
}

/*
 * stderr fully buffered, for many lines: stderr itself is unbuffered
 * (one write() per line).  Close it (fclose) when done; stderr itself
 * when no second stream can be opened.
 */
static FILE *buffered_stderr(void)
{
    int fd = dup(STDERR_FILENO);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

    if (!f) {
        if (fd >= 0) {
            close(fd);
        }
        return stderr;
    }
    setvbuf(f, NULL, _IOFBF, WARNINGS_CHUNK);
    return f;
}

/*
 * A SIZE option.  xl.cfg gives memory, mmio_hole and rdm_mem_boundary in
 * MiB: a plain number that is not even 1 MiB as bytes is taken for that
 * mistake and refused with a hint (none of them can be that small).
 */
static uint64_t parse_size_opt(const char *opt, const char *arg)
{
    Error *err = NULL;
    uint64_t v;

    if (!xen_rdm_size_parse(arg, &v, &err)) {
        g_autofree char *ctx = g_strdup_printf("%s: ", opt);
        die_on_error(err, ctx);
    }
    if (v && v < (1u << 20) && arg[strspn(arg, "0123456789")] == '\0') {
        bad_input("%s %s: %s bytes is less than 1 MiB; xl.cfg gives this "
                  "in MiB: did you mean %sM?", opt, arg, arg, arg);
    }
    return v;
}

int main(int argc, char **argv)
{
    g_autofree char *dmar = NULL, *rdm_file = NULL, *sysfs = NULL;
    g_autofree char *memory = NULL, *mmio_hole = NULL, *boundary = NULL;
    g_autofree char *strategy = NULL, *policy = NULL, *layout = NULL;
    g_autofree char *format = NULL, *xl_config = NULL;
    g_auto(GStrv) devices = NULL;
    gboolean use_xenctrl = false, no_hap = false, version = false;
    GOptionEntry entries[] = {
        { "dmar", 0, 0, G_OPTION_ARG_FILENAME, &dmar,
          "Read RDM regions (RMRRs) from a binary ACPI DMAR table", "FILE" },
        { "rdm-file", 0, 0, G_OPTION_ARG_FILENAME, &rdm_file,
          "Read RDM regions from a text file (START SIZE [SBDF...])",
          "FILE" },
        { "xenctrl", 0, 0, G_OPTION_ARG_NONE, &use_xenctrl,
          "Ask the running Xen hypervisor (needs dom0 privileges)", NULL },
        { "sysfs", 0, 0, G_OPTION_ARG_FILENAME, &sysfs,
          "Resolve DMAR scopes behind bridges with the PCI topology under "
          "this sysfs root (default: /sys when --dmar is this host's table, "
          "DMAR or, in a Xen dom0, RMAD)",
          "DIR" },
        { "xl-config", 0, 0, G_OPTION_ARG_FILENAME, &xl_config,
          "Plan the HVM guest this xl.cfg describes, as Xen 4.17's xl and "
          "libxl read it (instead of --memory, --device, ...)", "FILE" },
        { "memory", 'm', 0, G_OPTION_ARG_STRING, &memory,
          "Guest RAM size (required without --xl-config)", "SIZE" },
        { "mmio-hole", 0, 0, G_OPTION_ARG_STRING, &mmio_hole,
          "MMIO hole below 4 GiB, 256M..3840M (default 256M)", "SIZE" },
        { "boundary", 0, 0, G_OPTION_ARG_STRING, &boundary,
          "rdm_mem_boundary (default 2G)", "SIZE" },
        { "strategy", 0, 0, G_OPTION_ARG_STRING, &strategy,
          "RDM strategy: host or ignore (default ignore)", "S" },
        { "policy", 0, 0, G_OPTION_ARG_STRING, &policy,
          "Global RDM policy: strict or relaxed (default relaxed)", "P" },
        { "device", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &devices,
          "Passed-through device, repeatable (rdm_policy default strict)",
          "SBDF[,rdm_policy=P]" },
        { "no-hap", 0, 0, G_OPTION_ARG_NONE, &no_hap,
          "Guest without hardware assisted paging", NULL },
        { "layout", 0, 0, G_OPTION_ARG_STRING, &layout,
          "compat (as libxl, default) or split", "L" },
        { "format", 0, 0, G_OPTION_ARG_STRING, &format,
          "Output: text (default), json, e820 or svg (a picture; both "
          "layouts side by side without --layout)", "F" },
        { "version", 0, 0, G_OPTION_ARG_NONE, &version,
          "Print the version and exit", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(XenRdmMap) map = xen_rdm_map_new();
    g_autoptr(XenRdmPlan) plan = NULL;
    g_autoptr(XenRdmPlan) split = NULL;
    XenRdmXlConfig xl = { 0 };
    g_autoptr(GArray) devs = g_array_new(false, false,
                                         sizeof(XenRdmDeviceConfig));
    g_autoptr(GError) gerr = NULL;
    g_autofree char *out = NULL;
    FILE *warn;
    OutputFormat fmt = FORMAT_TEXT;
    XenRdmConfig cfg;
    Error *err = NULL;
    int nr_sources;
    guint i;

    ctx = g_option_context_new("- plan a Xen HVM guest's memory around "
                               "reserved device memory");
    g_option_context_set_summary(ctx,
        "Exactly one source: --dmar, --rdm-file or --xenctrl.\n"
        "SIZE is bytes (decimal or 0x hex) or a number with K/M/G/T.\n"
        "Exit status: 0 accepted, 1 refused (strict conflict), 2 bad "
        "usage or input.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
        bad_input("%s (see --help)", gerr->message);
    }
    if (version) {
        printf("xen-rdm-plan %s\n", XEN_RDM_VERSION);
        return 0;
    }
    if (argc > 1) {
        bad_input("unexpected argument '%s' (see --help)", argv[1]);
    }

    xen_rdm_config_init(&cfg);
    if (xl_config) {
        if (memory || mmio_hole || boundary || strategy || policy ||
            devices || no_hap) {
            bad_input("--xl-config gives the guest's settings: leave out "
                      "--memory, --mmio-hole, --boundary, --strategy, "
                      "--policy, --device and --no-hap");
        }
        if (!xen_rdm_xl_config_load(xl_config, &xl, &err)) {
            die_on_error(err, "");
        }
        for (i = 0; i < xl.notes->len; i++) {
            fprintf(stderr, "xen-rdm-plan: note: %s\n",
                    (char *)g_ptr_array_index(xl.notes, i));
        }
        cfg = xl.cfg;
        g_array_append_vals(devs, xl.devices->data, xl.devices->len);
    } else if (!memory) {
        bad_input("--memory SIZE is required (see --help)");
    } else {
        cfg.ram_size = parse_size_opt("--memory", memory);
    }
    if (mmio_hole) {
        cfg.mmio_hole = parse_size_opt("--mmio-hole", mmio_hole);
    }
    if (boundary) {
        cfg.boundary = parse_size_opt("--boundary", boundary);
    }
    if (strategy && !xen_rdm_strategy_parse(strategy, &cfg.strategy, &err)) {
        die_on_error(err, "--strategy: ");
    }
    if (policy && !xen_rdm_policy_parse(policy, &cfg.policy, &err)) {
        die_on_error(err, "--policy: ");
    }
    if (layout && !xen_rdm_layout_parse(layout, &cfg.layout, &err)) {
        die_on_error(err, "--layout: ");
    }
    if (!xl_config) {
        cfg.hap = !no_hap;
    }
    if (format) {
        if (!strcmp(format, "text")) {
            fmt = FORMAT_TEXT;
        } else if (!strcmp(format, "json")) {
            fmt = FORMAT_JSON;
        } else if (!strcmp(format, "e820")) {
            fmt = FORMAT_E820;
        } else if (!strcmp(format, "svg")) {
            fmt = FORMAT_SVG;
        } else {
            bad_input("--format: invalid format '%s': expected one of "
                      "'text', 'json', 'e820', 'svg'", format);
        }
    }
    for (i = 0; devices && devices[i]; i++) {
        XenRdmDeviceConfig dev;

        parse_device(devices[i], &dev);
        if (!xen_rdm_devices_add(devs, &dev, &err)) {
            die_on_error(err, "--device: ");
        }
    }
    cfg.devices = (XenRdmDeviceConfig *)devs->data;
    cfg.nr_devices = devs->len;

    nr_sources = !!dmar + !!rdm_file + !!use_xenctrl;
    if (nr_sources != 1) {
        bad_input("give exactly one RDM source: --dmar FILE, --rdm-file "
                  "FILE or --xenctrl (got %d)", nr_sources);
    }
    if (sysfs && !dmar) {
        bad_input("--sysfs only applies to --dmar");
    }
    if (dmar) {
        XenRdmPciResolver resolver;
        const char *root = sysfs;

        if (!root && (!strcmp(dmar, HOST_DMAR) ||
                      !strcmp(dmar, HOST_DMAR_XEN))) {
            root = "/sys";
        }
        if (sysfs) {
            g_autofree char *devs = g_build_filename(sysfs, "bus", "pci",
                                                     "devices", NULL);

            if (!g_file_test(sysfs, G_FILE_TEST_IS_DIR)) {
                bad_input("--sysfs %s: no such directory", sysfs);
            }
            if (access(devs, R_OK | X_OK) < 0) {
                bad_input("--sysfs %s: cannot read %s: %s (not a sysfs "
                          "tree?)", sysfs, devs, g_strerror(errno));
            }
        }
        if (root) {
            xen_rdm_pci_resolver_sysfs(&resolver, root);
        }
        if (!xen_rdm_dmar_load(dmar, root ? &resolver : NULL, map, &err)) {
            die_on_error(err, "");
        }
    } else if (rdm_file) {
        if (!xen_rdm_file_load(rdm_file, map, &err)) {
            die_on_error(err, "");
        }
    } else {
        g_autoptr(GArray) sbdfs = g_array_new(false, false,
                                              sizeof(uint32_t));

        for (i = 0; i < devs->len; i++) {
            g_array_append_val(sbdfs,
                               g_array_index(devs, XenRdmDeviceConfig,
                                             i).sbdf);
        }
        if (!xen_rdm_xenctrl_query(cfg.strategy == XEN_RDM_STRATEGY_HOST,
                                   (uint32_t *)sbdfs->data, sbdfs->len, map,
                                   &err)) {
            die_on_error(err, "");
        }
    }

    if (!xen_rdm_plan_compute(&cfg, map, &plan, &err)) {
        die_on_error(err, "");
    }
    if (!layout && ((xl_config && fmt == FORMAT_TEXT) || fmt == FORMAT_SVG)) {
        /* what libxl 4.17 does, and next to it what split would do */
        XenRdmConfig scfg = cfg;

        scfg.layout = XEN_RDM_LAYOUT_SPLIT;
        if (!xen_rdm_plan_compute(&scfg, map, &split, &err)) {
            error_free(err);
            err = NULL;
        }
    }
    if (!xen_rdm_plan_check(plan, cfg.ram_size, &err)) {
        /* a planner bug, not bad input: say so loudly */
        fprintf(stderr, "xen-rdm-plan: internal error: plan fails its "
                "invariants: %s\n", error_get_pretty(err));
        abort();
    }

    switch (fmt) {
    case FORMAT_JSON:
        xen_rdm_plan_print_json(plan, stdout);
        putchar('\n');
        break;
    case FORMAT_E820:
        xen_rdm_plan_print_e820(plan, stdout);
        break;
    case FORMAT_SVG: {
        /* without --layout: libxl 4.17's layout and split side by side */
        const XenRdmPlan *plans[2] = { plan, split };
        const char *titles[2] = { layout ? xen_rdm_layout_str(cfg.layout) :
                                  "compat (libxl 4.17)", "split" };
        guint n = split ? 2 : 1;

        for (i = 0; i < n; i++) {
            if (plans[i]->regions->len > XEN_RDM_SVG_MAX_REGIONS) {
                bad_input("--format svg draws at most %d reserved regions, "
                          "the plan has %u: use --format text or json",
                          XEN_RDM_SVG_MAX_REGIONS, plans[i]->regions->len);
            }
        }
        out = xen_rdm_plan_format_svg(plans, titles, n);
        fputs(out, stdout);
        break;
    }
    case FORMAT_TEXT:
        if (split) {
            printf("What Xen 4.17's libxl lays out for %s:\n\n", xl_config);
            xen_rdm_plan_print_text(plan, &cfg, stdout);
            printf("\nThe split layout for the same guest (--layout split; "
                   "no libxl populates it yet):\n\n");
            xen_rdm_plan_print_text(split, &cfg, stdout);
        } else {
            xen_rdm_plan_print_text(plan, &cfg, stdout);
        }
        break;
    }
    fflush(stdout);

    warn = buffered_stderr();
    xen_rdm_plan_print_warnings(plan, warn);
    if (warn != stderr) {
        fclose(warn);
    }
    xen_rdm_xl_config_clear(&xl);
    if (plan->refused) {
        fprintf(stderr, "xen-rdm-plan: %s\n", plan->reason);
        return EXIT_REFUSED;
    }
    return 0;
}
