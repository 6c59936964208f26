#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The libFuzzer target tests/xen/fuzz-libxl-rdm-answer.c: what libxl of
# the tree built with our Xen series (scripts/xen-build.sh, build/xen/src)
# makes of the device model's answers to query-xen-rdm
# (device_model_check_rdm() and its helpers, libxl_dm.c, for a guest
# libxl built and a restored one) and to
# xen-rdm-check-device (pci_add_read_rdm_check(), libxl_pci.c), taken out
# of the patched files by tests/xen/extract-c-function.sh and built with
# clang's libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer.
# Runs it RUNS times (default 100000) from an empty corpus and prints TAP.
# XEN_RELEASE=4.20 fuzzes the 4.20 build (build/xen-4.20/).
#
# usage: tests/xen/run-libxl-rdm-fuzz.sh [RUNS]
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${1:-100000}
# XEN, SRC, OUT, SO, SERIES (XEN_RELEASE=4.20: the 4.20 build)
. "$REPO/tests/xen/lib-xen-release.sh"
T=$XEN/test/libxl-rdm-fuzz
LIGHT=$SRC/tools/libs/light
case $RUNS in ''|*[!0-9]*) echo "Bail out! RUNS must be a number, not '$RUNS'"; exit 1 ;; esac
[ -f "$LIGHT/libxl_dm.c" ] ||
    { echo "Bail out! no patched Xen tree in $SRC: run scripts/xen-build.sh"; exit 1; }
command -v clang >/dev/null ||
    { echo "Bail out! clang missing (scripts/setup.sh installs it for the fuzz build)"; exit 1; }
mkdir -p "$T/corpus"
{
    "$REPO/tests/xen/extract-c-function.sh" "$LIGHT/libxl_dm.c" overlaps_rdm \
        qmp_map_get_u64 qmp_ram_range_get rdm_libxl_has_start qmp_ram_ranges_str \
        rdm_libxl_ram_str rdm_check_ram_built rdm_check_ram_restored rdm_check_regions \
        device_model_check_rdm
    "$REPO/tests/xen/extract-c-function.sh" "$LIGHT/libxl_pci.c" pci_add_read_rdm_check
} > "$T/libxl-functions.c" || { echo "Bail out! the functions are not in $LIGHT"; exit 1; }
clang -O1 -g -Wall -Werror -Wno-unused-parameter -Wno-unused-function \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$SRC/tools/include" -DLIBXL_FUNCTIONS="\"$T/libxl-functions.c\"" \
    -o "$T/fuzz-libxl-rdm-answer" "$REPO/tests/xen/fuzz-libxl-rdm-answer.c" ||
    { echo "Bail out! fuzz-libxl-rdm-answer does not build"; exit 1; }
echo "# libxl's reading of the device model's RDM answers, with $SERIES: $RUNS runs"
if "$T/fuzz-libxl-rdm-answer" -runs="$RUNS" -max_len=4096 -error_exitcode=1 \
        "$T/corpus" > "$T/fuzz.log" 2>&1; then
    echo "ok 1 - fuzz-libxl-rdm-answer: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$T/fuzz.log" | tail -1), no crash, no sanitizer report"
else
    echo "not ok 1 - fuzz-libxl-rdm-answer: failed (log: $T/fuzz.log)"
    tail -40 "$T/fuzz.log" | sed 's/^/# /'
    echo "1..1"
    exit 1
fi
echo "1..1"
