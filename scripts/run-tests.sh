#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run every test of the project: unit tests, the tool's tests, the
# real-DMAR corpus test (skips with a message when ../shared/corpus/dmar
# is absent), the libFuzzer targets briefly, QEMU 10.0 built with our
# series and its qtests under xen-sim (scripts/run-qtests.sh), the Xen
# toolstack series built from Debian 12's Xen source with the test of
# xl's rdm= parser and of hvmloader's e820 code (scripts/xen-build.sh,
# tests/xen/), the
# end-to-end suite on a real Xen hypervisor under TCG (meson suite "e2e":
# scripts/run-e2e.sh with unmodified QEMU, the baseline, then with ours;
# the baseline is built first), and the benchmarks (which
# print figures and assert nothing about speed).
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

"$REPO/scripts/build.sh" --fuzz

echo "== unit and tool tests, the documentation (Sphinx, warnings as errors)"
meson test -C build --print-errorlogs --no-rebuild --suite unit --suite tool \
    --suite docs

echo "== real DMAR tables (counts per layout)"
meson test -C build --print-errorlogs --no-rebuild --suite corpus
sed -n '/^test: *xen-rdm:corpus/,/^-* *8< *-*$/p' build/meson-logs/testlog.txt |
    grep -E '^# (DMAR|  |compat|split|all devices|each device|libxl)|# SKIP' || true

echo "== fuzzers (short runs)"
meson test -C build-fuzz --print-errorlogs --no-rebuild --suite fuzz

echo "== QEMU 10.0 with our series, qtests of its Xen machine under xen-sim"
"$REPO/scripts/run-qtests.sh"
echo "-- the main job's device model view (scripts/show-device-model.py): our QEMU"
echo "   on the simulated host maps the RAM libxl populates for the sample host"
python3 "$REPO/scripts/show-device-model.py" \
    --qemu "$REPO/build/qemu/obj/qemu-system-x86_64" --sim "$REPO/build/tests/xen-sim" \
    --tool "$REPO/build/xen-rdm-plan" --dmar "$REPO/build/sample-host-dmar.dat" --memory 4G

echo "== the Xen 4.17 toolstack series (patches/xen): libxenlight, libxlutil and hvmloader, xl's rdm= parser, hvmloader's e820"
# on the newest Xen of the host's release whose source this machine can
# fetch (the version e2e-prepare.sh gives dom0's tools): the host's own
# may be one whose source its archive lists but does not serve
XEN_VER=$("$REPO/scripts/xen-build.sh" --list-versions | awk '$3 == "served" { print $2; exit }')
[ -n "$XEN_VER" ] || { echo "run-tests.sh: this machine can fetch the source of no Xen of the host's release (scripts/xen-build.sh --list-versions)" >&2; exit 1; }
echo "-- xen $XEN_VER"
"$REPO/scripts/xen-build.sh" --version "$XEN_VER"
echo "-- every patch of the series builds on the ones before it"
"$REPO/scripts/xen-build.sh" --no-deps --version "$XEN_VER" --each-patch
"$REPO/tests/xen/run-xlu-rdm-test.sh"
echo "-- libxl's RDM settings for the device model and its hot-plug check's answers"
"$REPO/tests/xen/run-libxl-rdm-test.sh"
echo "-- what libxl makes of any answer of the device model (libFuzzer, short run)"
"$REPO/tests/xen/run-libxl-rdm-fuzz.sh" 100000
echo "-- hvmloader's e820 code with holes in RAM (patched, then Debian's: the baseline)"
"$REPO/tests/xen/run-hvmloader-e820-test.sh"

echo "== end-to-end: libxl on a real Xen 4.17 (under TCG) runs QEMU 10.0"
echo "-- unmodified QEMU (the baseline device model)"
"$REPO/scripts/qemu-build.sh" --plain
"$REPO/scripts/e2e-prepare.sh"
echo "-- the e2e suite: the baseline first (unmodified QEMU, Debian's libxl), then"
echo "   our QEMU with our libxl, then each of them with the other's unmodified partner"
meson test -C build --print-errorlogs --no-rebuild --suite e2e --verbose
# meson shows the checks, not the TAP comments: each run's verdict and
# time (its logs: build/e2e/runs/[DM/]NAME/, docs/e2e.rst)
cat build/e2e/runs/*/summary.txt build/e2e/runs/*/*/summary.txt 2>/dev/null || true

echo "== benchmarks"
meson test -C build --benchmark --no-rebuild --verbose --suite bench
echo "-- the RDM step in QEMU's Xen machine initialisation (xen-sim)"
python3 "$REPO/tests/bench-xen-rdm-init.py" \
    "$REPO/build/qemu/obj/qemu-system-x86_64" \
    "$REPO/build/qtests-meson/tests/xen-sim"
