#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The outer machine's QEMU for the end-to-end scenarios that boot UEFI
# guests (scenario variable OUTER_QEMU=fixed, see docs/e2e.rst): QEMU
# 10.0 from Debian's source (the tree scripts/qemu-build.sh fetched and
# checked, build/qemu/pristine-*) with TCG for x86_64 and the patches of
# e2e/outer-qemu/, built in build/e2e/outer-qemu/.
#
# Debian 12's QEMU 7.2 aborts under a UEFI guest of the nested Xen
# ("tcg_handle_interrupt: assertion failed"), and QEMU 10.0's emulation
# of SVM checks a read of CR8 against the CR0-read intercept, so Xen,
# which intercepts CR0 reads, is asked to emulate edk2's "mov rax, cr8"
# and crashes the guest (e2e/outer-qemu/0001-*.patch).
#
# usage: scripts/e2e-outer-qemu.sh [--jobs N]
# Prints the binary's path on its last line: OUTER_QEMU=<path>; it finds
# the firmware and option ROMs of the host's QEMU (its --firmwarepath is
# Debian's).
set -eu

die() { echo "e2e-outer-qemu.sh: error: $*" >&2; exit 1; }
say() { echo "e2e-outer-qemu.sh: $*" >&2; }

REPO=$(cd "$(dirname "$0")/.." && pwd)
JOBS=$(nproc 2>/dev/null || echo 2)
case ${1:-} in
--jobs) [ $# -ge 2 ] && [ -n "${2##*[!0-9]*}" ] || die "--jobs needs a number"; JOBS=$2 ;;
'') ;;
*) die "unknown argument: $1 (--jobs N)" ;;
esac

PRISTINE=$(ls -d "$REPO"/build/qemu/pristine-* 2>/dev/null | sort -V | tail -1)
[ -n "$PRISTINE" ] && [ -f "$PRISTINE/.xen-rdm-extracted" ] ||
    die "no Debian QEMU source in build/qemu/pristine-*: run scripts/qemu-build.sh first"
WORK=$REPO/build/e2e/outer-qemu
SRC=$WORK/src
OBJ=$WORK/obj
PATCHES=$REPO/e2e/outer-qemu

inputs=$( (cat "$PRISTINE/.xen-rdm-extracted"; cat "$PATCHES"/*.patch) | sha256sum | cut -d' ' -f1)
if [ "$(cat "$SRC/.xen-rdm-tree" 2>/dev/null)" != "$inputs" ]; then
    say "preparing $SRC ($(cat "$PRISTINE/.xen-rdm-extracted") and e2e/outer-qemu/)"
    rm -rf "$SRC.new"; mkdir -p "$WORK"
    rsync -a --exclude=/build "$PRISTINE/" "$SRC.new/"
    for p in "$PATCHES"/*.patch; do
        (cd "$SRC.new" && GIT_CEILING_DIRECTORIES=$WORK git apply -p1 "$p") ||
            die "$(basename "$p") does not apply to $(cat "$PRISTINE/.xen-rdm-extracted")"
    done
    echo "$inputs" > "$SRC.new/.xen-rdm-tree"
    mkdir -p "$SRC"
    # by content: unchanged files keep their mtimes (incremental)
    rsync -rlpc --delete "$SRC.new/" "$SRC/"
    rm -rf "$SRC.new"
fi

CONFIGURE_ARGS="--target-list=x86_64-softmmu --without-default-features
    --enable-tcg --disable-kvm --disable-xen --disable-docs --disable-tools
    --disable-user --disable-werror --python=/usr/bin/python3
    --disable-download --disable-install-blobs
    --firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu"
cfg=$(echo "$CONFIGURE_ARGS" | sha256sum | cut -d' ' -f1)
if [ ! -f "$OBJ/build.ninja" ] || [ "$(cat "$OBJ/.xen-rdm-configure" 2>/dev/null)" != "$cfg" ]; then
    rm -rf "$OBJ"; mkdir -p "$OBJ"
    say "configuring in $OBJ"
    # shellcheck disable=SC2086
    (cd "$OBJ" && "$SRC/configure" $CONFIGURE_ARGS) > "$WORK/configure.log" 2>&1 ||
        { tail -20 "$WORK/configure.log" >&2; die "configure failed ($WORK/configure.log)"; }
    echo "$cfg" > "$OBJ/.xen-rdm-configure"
fi
ninja -C "$OBJ" -j "$JOBS" qemu-system-x86_64 > "$WORK/build.log" 2>&1 ||
    { tail -20 "$WORK/build.log" >&2; die "the build failed ($WORK/build.log)"; }
"$OBJ/qemu-system-x86_64" --version | head -1 >&2
echo "OUTER_QEMU=$OBJ/qemu-system-x86_64"
