/*
 * What libxl with patches/xen tells the device model about RDM, what it
 * does with the device model's answer to a hot-plugged device's check,
 * and what the command line probe makes of the device model's options:
 * dm_rdm_machine_opts() and device_model_probe_cmdline() of libxl_dm.c
 * and pci_add_qmp_check_rdm_cb() with pci_add_read_rdm_check() of
 * libxl_pci.c, taken as they are out of the tree scripts/xen-build.sh
 * patched (tests/xen/extract-c-function.sh, by
 * tests/xen/run-libxl-rdm-test.sh, which passes them in as
 * LIBXL_FUNCTIONS), and the arguments libxl__build_device_model_args_new()
 * gives for dm_restrict's chroot and for device_model_user
 * (tests/xen/extract-c-block.sh: LIBXL_DM_CHROOT, LIBXL_DM_RUNAS), built
 * here against libxl.h of that tree and the stand-ins below for what
 * they take from libxl_internal.h.  Prints TAP.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxl.h>

#include "libxl-standins.h"

/* what the callback goes on with: the device_add, or the end */
static bool device_added;
static int done_rc = 1;

static void pci_add_qmp_device_add(libxl__egc *egc, pci_add_state *pas)
{
    device_added = true;
}

static void pci_add_dm_done(libxl__egc *egc, pci_add_state *pas, int rc)
{
    done_rc = rc;
}

/* libxl_dm.c's spawn of a device model, with what the probe uses of it */
typedef struct libxl__spawn_state {
    int failed_rc; /* libxl__spawn_initiate_failure()'s */
} libxl__spawn_state;
typedef struct libxl__qemu_available_opts {
    bool have_runwith_chroot;
    bool have_runwith_user;
    bool have_machine_xen_rdm;
} libxl__qemu_available_opts;
typedef struct libxl__dm_spawn_state {
    libxl__spawn_state spawn;
    libxl__ev_qmp qmp;
    libxl__qemu_available_opts qemu_opts;
    libxl_domain_config *guest_config;
} libxl__dm_spawn_state;

static const char *qmp_sent; /* the last command libxl__ev_qmp_send() got */

static int libxl__ev_qmp_send(libxl__egc *egc, libxl__ev_qmp *ev,
                              const char *cmd, void *args)
{
    qmp_sent = cmd;
    return 0;
}

static void libxl__spawn_initiate_failure(libxl__egc *egc,
                                          libxl__spawn_state *ss, int rc)
{
    ss->failed_rc = rc;
}

static void device_model_probe_quit(libxl__egc *egc, libxl__ev_qmp *qmp,
    const libxl__json_object *response, int rc)
{
}

#include LIBXL_FUNCTIONS

/* the device model's arguments, as libxl's flexarray_t collects them */
typedef struct flexarray {
    const char *item[8];
    int count;
} flexarray_t;

static void flexarray_append(flexarray_t *a, const char *s)
{
    if (a->count == 8)
        abort();
    a->item[a->count++] = s;
}

/* unused by libxl without the -run-with backports (patches/xen 0004-0005) */
static void flexarray_append_pair(flexarray_t *a, const char *s1,
                                  const char *s2) __attribute__((unused));
static void flexarray_append_pair(flexarray_t *a, const char *s1,
                                  const char *s2)
{
    flexarray_append(a, s1);
    flexarray_append(a, s2);
}

/* dm_restrict's chroot: what follows libxl's chroot_dir */
static void dm_args_chroot(flexarray_t *dm_args, const char *chroot_dir,
                           const libxl__qemu_available_opts *qemu_opts)
{
    libxl__gc *gc __attribute__((unused)) = NULL;
#include LIBXL_DM_CHROOT
}

/* device_model_user: the user libxl runs the device model as */
static void dm_args_runas(flexarray_t *dm_args,
                          const libxl__domain_build_state *state,
                          const libxl__qemu_available_opts *qemu_opts)
{
    libxl__gc *gc __attribute__((unused)) = NULL;
#include LIBXL_DM_RUNAS
}

/* ---- the tests */

static int tests, failed;

static void ok(bool cond, const char *what, ...)
    __attribute__((format(printf, 2, 3)));
static void ok(bool cond, const char *what, ...)
{
    va_list ap;

    printf("%s %d - ", cond ? "ok" : "not ok", ++tests);
    va_start(ap, what);
    vprintf(what, ap);
    va_end(ap);
    printf("\n");
    failed += !cond;
}

/* the device model is told rdm_mem_boundary = MIB as ,xen-rdm.mem-boundary=BYTES */
static void test_boundary(long long mib, uint64_t bytes)
{
    libxl_domain_config config;
    const char *opts, *told;

    libxl_domain_config_init(&config);
    config.b_info.type = LIBXL_DOMAIN_TYPE_HVM;
    config.b_info.u.hvm.rdm.strategy = LIBXL_RDM_RESERVE_STRATEGY_HOST;
    config.b_info.u.hvm.rdm.policy = LIBXL_RDM_RESERVE_POLICY_RELAXED;
    /* as xl_parse.c sets it: rdm_mem_boundary (MiB) * 1024 */
    config.b_info.u.hvm.rdm_mem_boundary_memkb = mib * 1024;
    opts = dm_rdm_machine_opts(NULL, &config);
    told = strstr(opts, ",xen-rdm.mem-boundary=");
    ok(told && strtoull(told + strlen(",xen-rdm.mem-boundary="), NULL,
                        10) == bytes,
       "rdm_mem_boundary = %lld is told as mem-boundary %" PRIu64
       " (libxl told: %s)", mib, bytes, opts);
    libxl_domain_config_dispose(&config);
}

/* what the callback did with an answer */
enum outcome {
    ADDED_CHECKED,   /* device_add with "rdm-policy" */
    ADDED_UNCHECKED, /* device_add without it, as libxl without the check */
    ENDED,           /* the add ends with done_rc */
};

/* the callback's outcome for the answer RESPONSE with RC */
static enum outcome check_device(int rc, const libxl__json_object *response)
{
    pci_add_state pas;
    enum outcome outcome;

    memset(&pas, 0, sizeof(pas));
    libxl_device_pci_init(&pas.pci);
    pas.pci.bus = 0x00;
    pas.pci.dev = 0x14;
    pas.qmp.domid = 7;
    device_added = false;
    done_rc = 1;
    memset(logged, 0, sizeof(logged));
    pci_add_qmp_check_rdm_cb(NULL, &pas.qmp, response, rc);
    ok(device_added != (done_rc != 1),
       "the callback goes on exactly once (device_add %d, done %d)",
       device_added, done_rc);
    outcome = !device_added ? ENDED :
              pas.dm_rdm_policy ? ADDED_CHECKED : ADDED_UNCHECKED;
    libxl_device_pci_dispose(&pas.pci);
    return outcome;
}

#define STR(s) { .type = JSON_STRING, .string = (s) }
#define PARAM(name) { .type = JSON_MAP, .keys = { "name" }, \
    .items = { &(libxl__json_object)STR(name) } }
#define OPTION(name, params) { .type = JSON_MAP, \
    .keys = { "option", "parameters" }, \
    .items = { &(libxl__json_object)STR(name), (params) } }

/*
 * query-command-line-options as QEMU answers it (vl.c's option groups):
 * "run-with" with chroot and user from QEMU 9.0 on (which has no -chroot;
 * 10.0 has no -runas either), none before; "machine" with "xen-rdm" in
 * our QEMU.  ANSWER's options in either order.
 */
static const libxl__json_object runwith_params = {
    .type = JSON_ARRAY, .items = {
        &(libxl__json_object)PARAM("async-teardown"),
        &(libxl__json_object)PARAM("chroot"),
        &(libxl__json_object)PARAM("exit-with-parent"),
        &(libxl__json_object)PARAM("user"),
    },
};
static const libxl__json_object machine_params = {
    .type = JSON_ARRAY, .items = {
        &(libxl__json_object)PARAM("accel"),
        &(libxl__json_object)PARAM("xen-rdm"),
    },
};
static const libxl__json_object no_params = { .type = JSON_ARRAY };
static const libxl__json_object opt_runwith =
    OPTION("run-with", &runwith_params);
static const libxl__json_object opt_machine =
    OPTION("machine", &machine_params);
static const libxl__json_object opt_boot = OPTION("boot", &no_params);

/* ---- the device model's answer to query-xen-rdm */

#define INT(n) { .type = JSON_INTEGER, .integer = (n) }
#define RANGE(start, size) { .type = JSON_MAP, .keys = { "start", "size" }, \
    .items = { &(libxl__json_object)INT(start), \
               &(libxl__json_object)INT(size) } }
#define REGION(start, size, policy, status) { .type = JSON_MAP, \
    .keys = { "start", "size", "policy", "status", "devices" }, \
    .items = { &(libxl__json_object)INT(start), \
               &(libxl__json_object)INT(size), \
               &(libxl__json_object)STR(policy), \
               &(libxl__json_object)STR(status), \
               &(libxl__json_object){ .type = JSON_ARRAY, .items = { \
                   &(libxl__json_object)STR("0000:00:14.0") } } } }

/*
 * The guest RAM of a restored 4 GiB guest as the device model took it
 * from the migration stream: [0, 0xa0000000) and [4 GiB, 0x160000000).
 */
static const libxl__json_object restored_ram = {
    .type = JSON_ARRAY, .items = {
        &(libxl__json_object)RANGE(0, 0xa0000000LL),
        &(libxl__json_object)RANGE(0x100000000LL, 0x60000000LL),
    },
};

static const libxl__json_object source_migration = STR("migration");
static const libxl__json_object restored_lowmem_end = INT(0xa0000000LL);
static const libxl__json_object restored_highmem_end = INT(0x160000000LL);

/* an answer with the ends of that RAM, @ram and @regions */
static libxl__json_object rdm_answer(const libxl__json_object *ram,
                                     const libxl__json_object *regions)
{
    libxl__json_object a = {
        .type = JSON_MAP,
        .keys = { "source", "lowmem-end", "highmem-end", "regions", "ram" },
        .items = { &source_migration, &restored_lowmem_end,
                   &restored_highmem_end, regions, ram },
    };
    return a;
}

/* device_model_check_rdm() of @answer for @rdms (policy in each) */
static int check_rdm(const libxl__domain_build_state *state,
                     libxl_device_rdm *rdms, int nr,
                     const libxl__json_object *answer)
{
    libxl_domain_config d_config;

    memset(&d_config, 0, sizeof(d_config));
    memset(logged, 0, sizeof(logged));
    d_config.b_info.u.hvm.rdm.layout = LIBXL_RDM_RESERVE_LAYOUT_COMPAT;
    d_config.rdms = rdms;
    d_config.num_rdms = nr;
    return device_model_check_rdm(NULL, 7, &d_config, state, answer);
}

/*
 * A restore, a migration in, a soft reset: libxl__build_hvm() did not run
 * (lowmem_end 0), the layout is the one the device model took from the
 * migration stream.  Checked: the answer is well-formed, the device model
 * knows this host's regions and no other, no strict region is in its
 * RAM.
 */
static void test_check_restored(void)
{
    const libxl__domain_build_state restored = { 0 };
    /* a USB buffer above low RAM, strict; IGD memory in it, relaxed */
    libxl_device_rdm rdms[] = {
        { .start = 0xa3eea000, .size = 0xf000,
          .policy = LIBXL_RDM_RESERVE_POLICY_STRICT },
        { .start = 0x7b800000, .size = 0x4000000,
          .policy = LIBXL_RDM_RESERVE_POLICY_RELAXED },
    };
    const libxl__json_object usb_reserved =
        REGION(0xa3eea000, 0xf000, "strict", "reserved");
    const libxl__json_object igd_ignored =
        REGION(0x7b800000, 0x4000000, "relaxed", "ignored");
    const libxl__json_object both = {
        .type = JSON_ARRAY, .items = { &usb_reserved, &igd_ignored },
    };
    const libxl__json_object usb_only = {
        .type = JSON_ARRAY, .items = { &usb_reserved },
    };
    const libxl__json_object usb_in_ram = {
        .type = JSON_ARRAY, .items = {
            &(libxl__json_object)RANGE(0, 0xb0000000LL),
            &(libxl__json_object)RANGE(0x100000000LL, 0x50000000LL),
        },
    };
    const libxl__json_object empty_range = {
        .type = JSON_ARRAY, .items = {
            &(libxl__json_object)RANGE(0, 0xa0000000LL),
            &(libxl__json_object)RANGE(0x100000000LL, 0),
        },
    };
    libxl__json_object answer;
    int rc;

    answer = rdm_answer(&restored_ram, &both);
    rc = check_rdm(&restored, rdms, 2, &answer);
    ok(rc == 0 && strstr(logged[XTL_INFO], "restored"),
       "restored guest, its RAM clear of the strict region: accepted"
       " (rc %d, %s)", rc, logged[XTL_INFO]);
    ok(strstr(logged[XTL_WARN], "0x7b800000-0x7f7fffff") != NULL,
       "restored guest: the relaxed region left in its RAM is a warning"
       " (%s)", logged[XTL_WARN]);

    answer = rdm_answer(&usb_in_ram, &both);
    rc = check_rdm(&restored, rdms, 2, &answer);
    ok(rc == ERROR_FAIL &&
       strstr(logged[XTL_ERROR], "0xa3eea000-0xa3ef8fff (policy strict)")
       && strstr(logged[XTL_ERROR], "0x0-0xafffffff"),
       "restored guest with RAM over the strict region: refused, naming"
       " the region and the RAM (rc %d, %s)", rc, logged[XTL_ERROR]);

    rdms[1].policy = LIBXL_RDM_RESERVE_POLICY_STRICT;
    answer = rdm_answer(&restored_ram, &both);
    rc = check_rdm(&restored, rdms, 2, &answer);
    ok(rc == ERROR_FAIL && strstr(logged[XTL_ERROR], "0x7b800000"),
       "restored guest, a region strict on this host in its RAM: refused,"
       " whatever the device model says of it (rc %d, %s)", rc,
       logged[XTL_ERROR]);
    rdms[1].policy = LIBXL_RDM_RESERVE_POLICY_RELAXED;

    answer = rdm_answer(&restored_ram, &usb_only);
    rc = check_rdm(&restored, rdms, 2, &answer);
    ok(rc == ERROR_FAIL && strstr(logged[XTL_ERROR],
                                  "0x7b800000-0x7f7fffff, which the device"
                                  " model does not know"),
       "restored guest: a region of this host the device model does not"
       " know refuses (rc %d, %s)", rc, logged[XTL_ERROR]);

    answer = rdm_answer(&restored_ram, &both);
    rc = check_rdm(&restored, rdms, 1, &answer);
    ok(rc == ERROR_FAIL && strstr(logged[XTL_ERROR], "which libxl does"
                                  " not"),
       "restored guest: a region the device model knows and this host"
       " does not refuses (rc %d, %s)", rc, logged[XTL_ERROR]);

    answer = rdm_answer(&empty_range, &both);
    rc = check_rdm(&restored, rdms, 2, &answer);
    ok(rc == ERROR_QEMU_API &&
       strstr(logged[XTL_ERROR], "query-xen-rdm") != NULL,
       "restored guest: a RAM range of size 0 is not an answer (rc %d)",
       rc);

    answer = rdm_answer(&restored_ram, &both);
    answer.keys[4] = NULL;
    rc = check_rdm(&restored, rdms, 2, &answer);
    ok(rc == ERROR_QEMU_API,
       "restored guest: an answer without ram is not an answer (rc %d)",
       rc);
}

/* a guest libxl built: the ends still compared, then the same regions */
static void test_check_built(void)
{
    libxl__domain_build_state built = {
        .lowmem_end = 0xa0000000, .highmem_end = 0x160000000,
    };
    libxl_device_rdm rdms[] = {
        { .start = 0xa3eea000, .size = 0xf000,
          .policy = LIBXL_RDM_RESERVE_POLICY_STRICT },
    };
    const libxl__json_object usb = {
        .type = JSON_ARRAY, .items = {
            &(libxl__json_object)REGION(0xa3eea000, 0xf000, "strict",
                                        "reserved"),
        },
    };
    libxl__json_object answer = rdm_answer(&restored_ram, &usb);
    int rc;

    rc = check_rdm(&built, rdms, 1, &answer);
    ok(rc == 0 && strstr(logged[XTL_INFO], "layout is libxl's"),
       "built guest, the same RAM and regions: accepted (rc %d, %s)", rc,
       logged[XTL_INFO]);
    built.lowmem_end = 0x80000000;
    rc = check_rdm(&built, rdms, 1, &answer);
    ok(rc == ERROR_FAIL &&
       strstr(logged[XTL_ERROR], "lowmem_end 0x80000000") != NULL,
       "built guest, RAM ending elsewhere: refused (rc %d, %s)", rc,
       logged[XTL_ERROR]);
}

/* what the probe found in ANSWER, for a guest on xenfv or not */
static libxl__qemu_available_opts probe(const libxl__json_object *answer,
                                        bool xenfv, const char *what)
{
    libxl_domain_config config;
    libxl__dm_spawn_state dmss;

    libxl_domain_config_init(&config);
    libxl_domain_build_info_init_type(&config.b_info, LIBXL_DOMAIN_TYPE_HVM);
    libxl_defbool_set(&config.b_info.u.hvm.xen_platform_pci, xenfv);
    memset(&dmss, 0, sizeof(dmss));
    dmss.guest_config = &config;
    qmp_sent = NULL;
    device_model_probe_cmdline(NULL, &dmss.qmp, answer, 0);
    ok(!dmss.spawn.failed_rc && qmp_sent && !strcmp(qmp_sent, "quit") &&
       dmss.qmp.callback == device_model_probe_quit,
       "%s: the probe reads the answer and quits QEMU (failure rc %d)",
       what, dmss.spawn.failed_rc);
    libxl_domain_config_dispose(&config);
    return dmss.qemu_opts;
}

/* what the probe finds in ANSWER is -run-with chroot, user, xen-rdm */
static void check_probe(const libxl__json_object *answer, bool xenfv,
                        const char *what, bool chroot, bool user, bool rdm)
{
    libxl__qemu_available_opts o = probe(answer, xenfv, what);

    ok(o.have_runwith_chroot == chroot && o.have_runwith_user == user &&
       o.have_machine_xen_rdm == rdm,
       "%s: -run-with chroot %d (want %d), user %d (want %d), xen-rdm %d"
       " (want %d)", what, o.have_runwith_chroot, chroot,
       o.have_runwith_user, user, o.have_machine_xen_rdm, rdm);
}

/* the arguments ARGS as one string, to compare and print */
static const char *joined(const flexarray_t *args)
{
    static char s[256];
    int i;

    s[0] = 0;
    for (i = 0; i < args->count; i++)
        snprintf(s + strlen(s), sizeof(s) - strlen(s), "%s%s",
                 i ? " " : "", args->item[i]);
    return s;
}

/* the probe and the arguments for dm_restrict and device_model_user */
static void test_probe_runwith(void)
{
    const libxl__json_object qemu10 = { .type = JSON_ARRAY,
        .items = { &opt_boot, &opt_machine, &opt_runwith } };
    const libxl__json_object qemu10_runwith_first = { .type = JSON_ARRAY,
        .items = { &opt_runwith, &opt_boot, &opt_machine } };
    const libxl__json_object qemu72 = { .type = JSON_ARRAY,
        .items = { &opt_boot, &opt_machine } };
    const libxl__domain_build_state user = { .dm_runas = "xen-qemuuser-7" };
    const libxl__domain_build_state no_user = { .dm_runas = NULL };
    flexarray_t args;
    int i;

    check_probe(&qemu10, true, "QEMU 10", true, true, true);
    check_probe(&qemu10_runwith_first, true, "run-with before machine",
                true, true, true);
    check_probe(&qemu10, false, "QEMU 10, a guest on pc", true, true, false);
    check_probe(&qemu72, true, "QEMU 7.2", false, false, true);

    /* QEMU 9.0 and later, and before */
    for (i = 0; i < 2; i++) {
        const libxl__qemu_available_opts o = {
            .have_runwith_chroot = !i, .have_runwith_user = !i,
        };
        const char *qemu = i ? "QEMU without -run-with" : "QEMU 10";

        memset(&args, 0, sizeof(args));
        dm_args_chroot(&args, "/var/run/xen/qemu-root-7", &o);
        ok(!strcmp(joined(&args), i ? "-chroot /var/run/xen/qemu-root-7" :
                   "-run-with chroot=/var/run/xen/qemu-root-7"),
           "dm_restrict, %s: %s", qemu, joined(&args));
        memset(&args, 0, sizeof(args));
        dm_args_runas(&args, &user, &o);
        ok(!strcmp(joined(&args), i ? "-runas xen-qemuuser-7" :
                   "-run-with user=xen-qemuuser-7"),
           "device_model_user, %s: %s", qemu, joined(&args));
        memset(&args, 0, sizeof(args));
        dm_args_runas(&args, &no_user, &o);
        ok(args.count == 0, "no device model user, %s: nothing (%s)",
           qemu, joined(&args));
    }
}

int main(void)
{
    const libxl__json_object ok_s = STR("ok"), conflict_s = STR("conflict");
    const libxl__json_object reason_s =
        STR("RDM conflict: device 0000:00:14.0 needs region ...");
    const libxl__json_object regions = { .type = JSON_ARRAY };
    const libxl__json_object answer_ok = {
        .type = JSON_MAP, .keys = { "result", "regions" },
        .items = { &ok_s, &regions },
    };
    const libxl__json_object answer_conflict = {
        .type = JSON_MAP, .keys = { "result", "reason", "regions" },
        .items = { &conflict_s, &reason_s, &regions },
    };
    const libxl__json_object answer_unreadable = {
        .type = JSON_MAP, .keys = { "regions" }, .items = { &regions },
    };
    enum outcome outcome;
    int i;

    /* -run-with for dm_restrict and device_model_user when QEMU has it */
    test_probe_runwith();

    /* query-xen-rdm of a guest libxl built, restored or migrated in */
    test_check_built();
    test_check_restored();

    /* rdm_mem_boundary: libxl applies any value above 4 GiB as 4 GiB */
    test_boundary(2048, 2ULL << 30);
    test_boundary(4096, 4ULL << 30);
    test_boundary(4097, 4ULL << 30);
    test_boundary(8192, 4ULL << 30);
    test_boundary(1LL << 40, 4ULL << 30);

    /* xen-rdm-check-device: only a definite conflict refuses */
    ok(check_device(0, &answer_ok) == ADDED_CHECKED,
       "result ok: device_add with rdm-policy");
    ok(!logged[XTL_WARN][0] && !logged[XTL_ERROR][0],
       "result ok: nothing logged (%s%s)", logged[XTL_WARN],
       logged[XTL_ERROR]);

    outcome = check_device(0, &answer_conflict);
    ok(outcome == ENDED && done_rc == ERROR_FAIL,
       "a conflict: the add fails (rc %d)", done_rc);
    ok(strstr(logged[XTL_ERROR], "PCI device 0000:00:14.0 not added: "
              "RDM conflict") != NULL,
       "a conflict: the device model's reason logged (%s)",
       logged[XTL_ERROR]);

    ok(check_device(ERROR_QMP_COMMAND_NOT_FOUND, NULL) == ADDED_UNCHECKED,
       "no such command (an unmodified QEMU): device_add as before");
    ok(!logged[XTL_WARN][0], "no such command: no warning (%s)",
       logged[XTL_WARN]);

    {
        static const int errors[] = {
            ERROR_QMP_GENERIC_ERROR, ERROR_QMP_DEVICE_NOT_ACTIVE,
            ERROR_QMP_DEVICE_NOT_FOUND, ERROR_UNKNOWN_QMP_ERROR,
        };

        for (i = 0; i < 4; i++) {
            outcome = check_device(errors[i], NULL);
            ok(outcome == ADDED_UNCHECKED,
               "QMP error %s: device_add as before, without rdm-policy"
               " (the add ended with rc %d)",
               libxl_error_to_string(errors[i]), done_rc);
            ok(strstr(logged[XTL_WARN], "PCI device 0000:00:14.0") &&
               strstr(logged[XTL_WARN],
                      libxl_error_to_string(errors[i])),
               "QMP error %s: a warning naming the device and the error"
               " (%s)", libxl_error_to_string(errors[i]),
               logged[XTL_WARN]);
        }
    }

    outcome = check_device(0, &answer_unreadable);
    ok(outcome == ADDED_UNCHECKED,
       "an answer without result: device_add as before (the add ended"
       " with rc %d)", done_rc);
    ok(strstr(logged[XTL_WARN], "xen-rdm-check-device") != NULL,
       "an answer without result: a warning (%s)", logged[XTL_WARN]);

    outcome = check_device(ERROR_ABORTED, NULL);
    ok(outcome == ENDED && done_rc == ERROR_ABORTED,
       "the operation aborted: the add ends with it (rc %d)", done_rc);

    standins_free();
    printf("1..%d\n", tests);
    return failed ? 1 : 0;
}
