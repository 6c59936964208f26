/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * xl's rdm= parser, xlu_rdm_parse() in libxlutil (Xen 4.17,
 * tools/libs/util/libxlu_pci.c), through its public API: every form xl.cfg(5)
 * documents, and the errors.  Prints TAP.
 *
 * usage: test-xlu-rdm [--debian-baseline]
 *   --debian-baseline  the checks of Debian's unpatched libxlutil, whose
 *                      parser refuses every valid policy= (the bug
 *                      patches/xen/0001 fixes) and leaves what the string
 *                      does not set as the caller's memory held it (0002)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxl.h>
#include <libxlutil.h>

static int n, failed;
static FILE *report;     /* where libxlutil writes its messages */

/* libxlutil's messages of the last call, as TAP comments */
static void flush_report(void)
{
    char line[256];

    fflush(report);
    rewind(report);
    while (fgets(line, sizeof(line), report)) {
        printf("# libxlutil says: %s%s", line,
               strchr(line, '\n') ? "" : "\n");
    }
    rewind(report);
    if (ftruncate(fileno(report), 0)) {
        printf("Bail out! cannot truncate the report file\n");
        exit(1);
    }
}

static void ok(int cond, const char *what, const char *str)
{
    n++;
    if (!cond) {
        failed++;
    }
    printf("%sok %d - xlu_rdm_parse(\"%s\"): %s\n", cond ? "" : "not ", n,
           str, what);
}

static const char *policy_name(libxl_rdm_reserve_policy p)
{
    if (p == LIBXL_RDM_RESERVE_POLICY_INVALID) {
        return "unset";
    }
    return libxl_rdm_reserve_policy_to_string(p) ?: "left uninitialised";
}

/*
 * Not libxl_rdm_reserve_layout_to_string(): the baseline runs with
 * Debian's libxenlight, which predates it
 */
static const char *layout_name(int l)
{
    return l == LIBXL_RDM_RESERVE_LAYOUT_COMPAT ? "compat" :
           l == LIBXL_RDM_RESERVE_LAYOUT_SPLIT ? "split" : "garbage";
}

/*
 * One string: the return value and, when 0, the strategy, the policy
 * and, unless @want_layout is -1 (Debian's libxlutil, which predates the
 * field), the layout
 */
static void check(XLU_Config *cfg, const char *str, int want_rc,
                  libxl_rdm_reserve_strategy want_strategy,
                  libxl_rdm_reserve_policy want_policy, int want_layout)
{
    libxl_rdm_reserve rdm;
    char what[160];
    int rc;

    /* as xl passes it: not initialised */
    memset(&rdm, 0xa5, sizeof(rdm));
    rc = xlu_rdm_parse(cfg, &rdm, str);
    flush_report();
    if (want_rc) {
        snprintf(what, sizeof(what), "refused (ERROR_INVAL), got %d", rc);
        ok(rc == ERROR_INVAL, what, str);
        return;
    }
    snprintf(what, sizeof(what), "accepted: strategy %s, policy %s, "
             "layout %s (got rc %d, %s, %s, %s)",
             libxl_rdm_reserve_strategy_to_string(want_strategy),
             policy_name(want_policy),
             want_layout < 0 ? "not checked" : layout_name(want_layout), rc,
             libxl_rdm_reserve_strategy_to_string(rdm.strategy) ?: "garbage",
             policy_name(rdm.policy),
             layout_name(rdm.layout));
    ok(rc == 0 && rdm.strategy == want_strategy && rdm.policy == want_policy &&
       (want_layout < 0 || (int)rdm.layout == want_layout), what, str);
}

int main(int argc, char **argv)
{
    const libxl_rdm_reserve_strategy host = LIBXL_RDM_RESERVE_STRATEGY_HOST;
    const libxl_rdm_reserve_strategy ignore =
        LIBXL_RDM_RESERVE_STRATEGY_IGNORE;
    const libxl_rdm_reserve_policy strict = LIBXL_RDM_RESERVE_POLICY_STRICT;
    const libxl_rdm_reserve_policy relaxed = LIBXL_RDM_RESERVE_POLICY_RELAXED;
    const libxl_rdm_reserve_policy unset = LIBXL_RDM_RESERVE_POLICY_INVALID;
    const int compat = LIBXL_RDM_RESERVE_LAYOUT_COMPAT;
    const int split = LIBXL_RDM_RESERVE_LAYOUT_SPLIT;
    int baseline = argc > 1 && !strcmp(argv[1], "--debian-baseline");
    XLU_Config *cfg;

    /* its messages (without a newline) go to a file, then to stdout */
    report = tmpfile();
    cfg = report ? xlu_cfg_init(report, "test-xlu-rdm") : NULL;
    if (!cfg) {
        printf("Bail out! xlu_cfg_init failed\n");
        return 1;
    }

    if (baseline) {
        /* Debian's 4.17: a valid policy makes the whole rdm= an error */
        check(cfg, "strategy=host,policy=relaxed", ERROR_INVAL, 0, 0, -1);
        check(cfg, "strategy=host,policy=strict", ERROR_INVAL, 0, 0, -1);
        check(cfg, "strategy=host", 0, host,
              (libxl_rdm_reserve_policy)0xa5a5a5a5, -1);
        check(cfg, "strategy=host,layout=split", ERROR_INVAL, 0, 0, -1);
    } else {
        check(cfg, "strategy=host,policy=relaxed", 0, host, relaxed, compat);
        check(cfg, "strategy=host,policy=strict", 0, host, strict, compat);
        check(cfg, "policy=strict,strategy=host", 0, host, strict, compat);
        check(cfg, "policy=relaxed", 0, ignore, relaxed, compat);
        check(cfg, "strategy=host", 0, host, unset, compat);
        check(cfg, "strategy=host,layout=split", 0, host, unset, split);
        check(cfg, "layout=split,strategy=host,policy=strict", 0, host,
              strict, split);
        check(cfg, "layout=compat", 0, ignore, unset, compat);
        check(cfg, "strategy=host,policy=bogus", ERROR_INVAL, 0, 0, 0);
        check(cfg, "strategy=host,policy=", ERROR_INVAL, 0, 0, 0);
        check(cfg, "strategy=bogus", ERROR_INVAL, 0, 0, 0);
        check(cfg, "strategy=host,layout=holes", ERROR_INVAL, 0, 0, 0);
        check(cfg, "layout=", ERROR_INVAL, 0, 0, 0);
        check(cfg, "strategy=host,", ERROR_INVAL, 0, 0, 0);
        check(cfg, "", ERROR_INVAL, 0, 0, 0);
    }
    xlu_cfg_destroy(cfg);
    printf("1..%d\n", n);
    return failed ? 1 : 0;
}
