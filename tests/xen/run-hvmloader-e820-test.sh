#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# hvmloader's e820 code on the host (tests/xen/test-hvmloader-e820.c):
# tools/firmware/hvmloader/e820.c of the tree built with our Xen series
# (scripts/xen-build.sh, build/xen/src), then of Debian's unpatched source
# (build/xen/pristine-*), the baseline, whose checks pass when its bugs
# show.  Each e820.c is compiled as it is, 32-bit as hvmloader (-m32,
# gcc-multilib), with tests/xen/hvmloader-shim/ in place of hvmloader's
# config.h and util.h.  Prints TAP per run.  XEN_RELEASE=4.20 tests the
# 4.20 build (build/xen-4.20/; its baseline the tree it was built on).
#
# The 32-bit programs run natively where the kernel runs i386 programs
# (CONFIG_IA32_EMULATION, not switched off by ia32_emulation=0), and
# through qemu-i386 (Debian's qemu-user, installed by scripts/setup.sh)
# on every host, so that the way a kernel without IA32 emulation runs
# them is tested everywhere.  Each run says which way it ran; a host that
# has neither way fails, naming what is missing.
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
# XEN, SRC, OUT, SO, SERIES (XEN_RELEASE=4.20: the 4.20 build)
. "$REPO/tests/xen/lib-xen-release.sh"
T=$XEN/test/hvmloader
PATCHED=$XEN/src/tools/firmware/hvmloader
DEBIAN=$(ls -d "$XEN"/pristine-*/tools/firmware/hvmloader 2>/dev/null | head -1)
[ -f "$PATCHED/e820.c" ] && [ -n "$DEBIAN" ] ||
    { echo "Bail out! no Xen source in $XEN: run scripts/xen-build.sh"; exit 1; }

# build KIND DIR [CFLAGS...]: e820.c and e820.h of DIR next to the shim
build() {
    kind=$1 dir=$2; shift 2
    rm -rf "$T/$kind"; mkdir -p "$T/$kind"
    cp "$dir/e820.c" "$dir/e820.h" "$REPO"/tests/xen/hvmloader-shim/*.h "$T/$kind/"
    # in its directory: BUG() names e820.c as hvmloader's build does
    (cd "$T/$kind" && cc -m32 -O1 -g -Wall -Werror -std=gnu99 -I. "$@" \
        -o test-hvmloader-e820 "$REPO/tests/xen/test-hvmloader-e820.c" e820.c)
}
# the series' e820.h includes xen-tools/hvmloader-e820.h of the tree
build patched "$PATCHED" -DHVMLOADER_PATCHED -I"$XEN/src/tools/include"
build debian "$DEBIAN"
PROBE=$T/patched/test-hvmloader-e820

# why this kernel runs no i386 program (its error as the shell printed it)
ia32_missing() {
    cmdline=$(cat /proc/cmdline 2>/dev/null || true)
    config=$(zcat /proc/config.gz 2>/dev/null ||
             cat "/boot/config-$(uname -r)" 2>/dev/null || true)
    case " $cmdline " in
    *" ia32_emulation=0 "*|*" ia32_emulation=false "*|*" ia32_emulation=off "*|*" ia32_emulation=n "*)
        echo "the kernel command line switches IA32 emulation off (ia32_emulation=...)"; return ;;
    esac
    if [ -n "$config" ]; then
        if ! echo "$config" | grep -qx 'CONFIG_IA32_EMULATION=y'; then
            echo "the kernel $(uname -r) is built without CONFIG_IA32_EMULATION"; return
        fi
        if echo "$config" | grep -qx 'CONFIG_IA32_EMULATION_DEFAULT_DISABLED=y'; then
            echo "the kernel $(uname -r) has IA32 emulation off by default (CONFIG_IA32_EMULATION_DEFAULT_DISABLED) and its command line has no ia32_emulation=1"; return
        fi
    fi
    echo "the kernel $(uname -r) refuses to run it ($1)"
}

# RUNNERS: "native" when the kernel runs the ILP32 build, "qemu-i386"
# when Debian's user-mode emulator does
RUNNERS=
if abi=$("$PROBE" --abi 2>"$T/native.err"); then
    [ "$abi" = ilp32 ] ||
        { echo "Bail out! $PROBE says it is $abi, not the ILP32 build of hvmloader (-m32)"; exit 1; }
    RUNNERS=native
    echo "# this kernel runs i386 programs: the test runs natively"
else
    why=$(ia32_missing "$(tail -1 "$T/native.err" | sed 's/.*: //')")
    echo "# no native run: $why"
fi
if command -v qemu-i386 >/dev/null 2>&1; then
    abi=$(qemu-i386 "$PROBE" --abi 2>&1) && [ "$abi" = ilp32 ] ||
        { echo "Bail out! qemu-i386 $(command -v qemu-i386) cannot run the i386 test: $abi"; exit 1; }
    echo "# $(qemu-i386 --version | head -1): the test runs under it${RUNNERS:+ too}"
    RUNNERS="$RUNNERS qemu-i386"
elif [ -n "$RUNNERS" ]; then
    echo "# qemu-i386 is not installed (Debian package qemu-user; scripts/setup.sh installs it): the emulated run is left out"
else
    echo "Bail out! cannot run hvmloader's 32-bit code here: $why, and qemu-i386 is not installed (Debian package qemu-user; scripts/setup.sh installs it)"
    exit 1
fi

# run RUNNER KIND [ARGS...]: the KIND build's test, natively or emulated
run() {
    runner=$1 kind=$2; shift 2
    case $runner in
    native) "$T/$kind/test-hvmloader-e820" "$@" ;;
    *) "$runner" "$T/$kind/test-hvmloader-e820" "$@" ;;
    esac
}
# the baseline is Debian's source, or the tree xen-build.sh --source-tree
# built on
base_name="Debian's source"
[ -d "$DEBIAN/../../../debian" ] || base_name="the unpatched source"
status=0
for r in $RUNNERS; do
    echo "# hvmloader's e820.c with $SERIES ($r)"
    run "$r" patched || status=1
    echo "# the same in $base_name ($(basename "$(dirname "$(dirname "$(dirname "$DEBIAN")")")")): the baseline ($r)"
    run "$r" debian --debian-baseline || status=1
done
exit $status
