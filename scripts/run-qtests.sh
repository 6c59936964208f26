#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build QEMU 10.0 with our tree (scripts/qemu-build.sh) and xen-sim (the
# project's meson build), then run the qtests of qtest/ against QEMU's
# Xen HVM machine under xen-sim.  Prints each test's result; exits
# non-zero if anything failed.  See docs/xen-sim.rst.
#
# usage: scripts/run-qtests.sh [--no-deps] [--qemu-src PATH] [-p PATH]
#   --no-deps        do not touch apt
#   --qemu-src PATH  build an existing QEMU tree instead of Debian's 10.0
#   -p PATH          run only the test paths matching PATH (gtest -p)
#
# Environment: XEN_SIM_KEEP=1 keeps the run directories of the tests.
set -eu

die() { echo "run-qtests.sh: error: $*" >&2; exit 1; }
say() { echo "run-qtests.sh: $*"; }

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD_ARGS=
DO_DEPS=1
TEST_ARGS=
while [ $# -gt 0 ]; do
    case $1 in
    --no-deps) BUILD_ARGS="$BUILD_ARGS --no-deps"; DO_DEPS=0; shift ;;
    --qemu-src) [ $# -ge 2 ] || die "--qemu-src needs a path"
                BUILD_ARGS="$BUILD_ARGS --qemu-src $2"; shift 2 ;;
    -p) [ $# -ge 2 ] || die "-p needs a test path"
        TEST_ARGS="$TEST_ARGS -p $2"; shift 2 ;;
    -h|--help) sed -n '3,16p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
    esac
done

start_all=$(date +%s)

# --- QEMU -------------------------------------------------------------
# shellcheck disable=SC2086
"$REPO/scripts/qemu-build.sh" $BUILD_ARGS | tee "$REPO/build/qemu-build.log" ||
    die "scripts/qemu-build.sh failed"
QEMU=$(sed -n 's/^QEMU=//p' "$REPO/build/qemu-build.log" | tail -1)
[ -x "$QEMU" ] || die "qemu-build.sh did not print a QEMU binary"
OBJ=$(dirname "$QEMU")

# --- xen-sim (the project's meson build) ------------------------------
if [ "$DO_DEPS" = 1 ] && ! command -v iasl >/dev/null 2>&1; then
    say "installing acpica-tools (iasl, needed by the project's meson build)"
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends acpica-tools
    else
        sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends acpica-tools
    fi
fi
MB=$REPO/build/qtests-meson
if [ ! -f "$MB/build.ninja" ]; then
    meson setup "$MB" "$REPO" >"$REPO/build/qtests-meson-setup.log" 2>&1 || {
        tail -30 "$REPO/build/qtests-meson-setup.log" >&2
        die "meson setup of the project failed"
    }
fi
SIM=$MB/tests/xen-sim
SIM_TARGETS="tests/xen-sim/xen-sim-selftest xen-rdm-plan sample-host-dmar.dat"
for l in libxenctrl.so.4.17 libxenforeignmemory.so.1 libxendevicemodel.so.1 \
         libxenevtchn.so.1 libxengnttab.so.1 libxenstore.so.4 \
         libxentoolcore.so.1 libxencall.so.1; do
    SIM_TARGETS="$SIM_TARGETS tests/xen-sim/$l"
done
# shellcheck disable=SC2086
ninja -C "$MB" $SIM_TARGETS >/dev/null || {
    ninja -C "$MB" $SIM_TARGETS >&2 || true
    die "building xen-sim failed"
}

# The very binary must load xen-sim in place of every Xen library it needs
ldd_out=$(LD_LIBRARY_PATH=$SIM ldd "$QEMU")
need=$(echo "$ldd_out" | grep -c 'libxen[a-z]*\.so\.' || true)
have=$(echo "$ldd_out" | grep 'libxen[a-z]*\.so\.' | grep -c "$SIM/" || true)
[ "$need" -gt 0 ] && [ "$need" = "$have" ] || {
    echo "$ldd_out" | grep libxen >&2
    die "not every Xen library of $QEMU resolves to xen-sim ($have of $need)"
}
say "$QEMU loads all $need Xen libraries from xen-sim ($SIM)"

# --- run --------------------------------------------------------------
export QTEST_QEMU_BINARY=$QEMU
export XEN_SIM_LIBDIR=$SIM
# xen-rdm-test compares query-xen-rdm with the tool's JSON
export XEN_RDM_PLAN_TOOL=$MB/xen-rdm-plan
export XEN_RDM_SAMPLE_DMAR=$MB/sample-host-dmar.dat
export XEN_RDM_CORPUS_DIR=${XEN_RDM_CORPUS_DIR:-$(cd "$REPO/.." && pwd)/shared/corpus/dmar}
failed=0
total_ok=0
total_fail=0
total_skip=0

run_one() {
    name=$1; shift
    out=$REPO/build/qtest-$name.log
    t0=$(date +%s)
    set +e
    timeout -s KILL 900 "$@" --tap -k $TEST_ARGS >"$out" 2>&1
    rc=$?
    set -e
    ok=$(grep -c '^ok ' "$out" || true)
    skip=$(grep -c '^ok .*# SKIP' "$out" || true)
    bad=$(grep -c '^not ok ' "$out" || true)
    grep -E '^(ok|not ok) ' "$out" | sed 's/^/    /'
    if [ "$skip" -gt 0 ]; then
        echo "    (skipped tests print their reason after '# SKIP')"
    fi
    if [ "$rc" != 0 ] || [ "$bad" != 0 ] || [ "$ok" = 0 ]; then
        failed=1
        echo "run-qtests.sh: FAIL $name (exit $rc, $bad failed; log: $out)"
        grep -v '^ok ' "$out" | tail -25 | sed 's/^/    | /'
    else
        echo "run-qtests.sh: PASS $name ($((ok - skip)) passed, $skip skipped, $(( $(date +%s) - t0 ))s)"
    fi
    total_ok=$((total_ok + ok - skip))
    total_fail=$((total_fail + bad))
    total_skip=$((total_skip + skip))
    [ "$rc" = 0 ] || [ "$bad" != 0 ] || total_fail=$((total_fail + 1))
}

say "xen-sim self-test"
run_one xen-sim-selftest env XEN_SIM_SCENARIO="$REPO/tests/xen-sim/selftest.scenario" \
    "$SIM/xen-sim-selftest"

tests=$(ls "$REPO"/qtest/*-test.c 2>/dev/null || true)
[ -n "$tests" ] || die "no qtests in $REPO/qtest"
for c in $tests; do
    t=$(basename "$c" .c)
    bin=$OBJ/tests/qtest/xen-sim/$t
    [ -x "$bin" ] || die "qtest $t was not built ($bin)"
    say "qtest $t"
    run_one "$t" "$bin"
done

# QEMU's own qtests of what the series touches must still pass with it:
# every QMP query (our schema), every device's properties (the new
# rdm-policy of xen-pci-passthrough), every machine type's QOM tree and
# HMP commands (the machine property xen-rdm), the "none" machine.  They
# run the QEMU build itself (no xen-sim; xenfv is left out by
# qtest_cb_for_every_machine, as it needs a hypervisor); pc and q35 need
# the firmware of Debian's seabios package (installed by qemu-build.sh).
# The binary runs as installed, from a copy outside its build tree: in the
# tree QEMU looks for firmware in the build's own qemu-bundle, which holds
# none (--disable-install-blobs).
RUN_BIN=$REPO/build/qemu/run/bin/qemu-system-x86_64
mkdir -p "$(dirname "$RUN_BIN")"
cp "$QEMU" "$RUN_BIN"
for t in qmp-cmd-test device-introspect-test qom-test test-hmp \
         machine-none-test; do
    say "QEMU's $t"
    ninja -C "$OBJ" "tests/qtest/$t" >/dev/null || die "building $t failed"
    run_one "$t" env QTEST_QEMU_BINARY="$RUN_BIN" "$OBJ/tests/qtest/$t"
done

# The planner's unit tests as the series wires them into QEMU's
# tests/unit (patch 3), built with QEMU's flags and libqemuutil
for t in test-xen-rdm-layout test-xen-rdm-plan; do
    say "QEMU's tests/unit/$t"
    ninja -C "$OBJ" "tests/unit/$t" >/dev/null || die "building $t failed"
    run_one "$t" "$OBJ/tests/unit/$t"
done

echo "run-qtests.sh: $total_ok passed, $total_fail failed, $total_skip skipped" \
     "in $(( $(date +%s) - start_all ))s"
[ "$failed" = 0 ] || die "some qtests failed"
echo "run-qtests.sh: all qtests passed"
