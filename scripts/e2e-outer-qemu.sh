#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The outer machine's QEMU for the end-to-end scenarios that need a newer
# one than Debian 12's 7.2 (scenario variable OUTER_QEMU=backports, see
# docs/e2e.rst): qemu-system-x86 from bookworm-backports, QEMU 10.0,
# extracted (dpkg -x, not installed: the host keeps its own QEMU for every
# other scenario) under build/e2e/outer-qemu/VERSION/.
#
# Debian 12's QEMU 7.2 aborts under a UEFI guest of the nested Xen
# ("tcg_handle_interrupt: assertion failed: (qemu_mutex_iothread_locked())":
# its SVM emulation raises the virtual interrupt of a VMRUN through
# cpu_interrupt() without the lock); QEMU 10.0 sets it directly.
#
# usage: scripts/e2e-outer-qemu.sh [--no-deps]
#   --no-deps  do not touch apt (bookworm-backports already configured)
# Prints the binary's path on its last line: OUTER_QEMU=<path>; its
# firmware directory is <path>/../../share/qemu (-L).
set -eu

die() { echo "e2e-outer-qemu.sh: error: $*" >&2; exit 1; }
say() { echo "e2e-outer-qemu.sh: $*" >&2; }

REPO=$(cd "$(dirname "$0")/.." && pwd)
DO_DEPS=1
case ${1:-} in
--no-deps) DO_DEPS=0 ;;
'') ;;
*) die "unknown argument: $1 (--no-deps)" ;;
esac

# SUDO, ensure_apt_sources (bookworm-backports from the mirror the
# machine's apt configuration uses)
. "$REPO/scripts/lib-apt.sh"
[ "$DO_DEPS" = 1 ] && ensure_apt_sources >&2

PKGS="qemu-system-x86 qemu-system-common qemu-system-data"
version=$(apt-cache madison qemu-system-x86 2>/dev/null |
          awk -F'|' '$3 ~ /bookworm-backports/ { gsub(/ /, "", $2); print $2; exit }')
[ -n "$version" ] ||
    die "apt lists no qemu-system-x86 in bookworm-backports (scripts/lib-apt.sh adds that suite; run without --no-deps)"
dir=$REPO/build/e2e/outer-qemu/${version#*:}
bin=$dir/root/usr/bin/qemu-system-x86_64
if [ ! -x "$bin" ]; then
    say "getting QEMU $version from bookworm-backports ($PKGS)"
    rm -rf "$dir.tmp"; mkdir -p "$dir.tmp/debs"
    for p in $PKGS; do
        (cd "$dir.tmp/debs" && apt-get download -q "$p=$version" >&2) ||
            die "apt-get download $p=$version failed"
    done
    for d in "$dir.tmp"/debs/*.deb; do
        dpkg-deb -x "$d" "$dir.tmp/root" || die "dpkg-deb -x $d failed"
    done
    rm -rf "$dir"; mv "$dir.tmp" "$dir"
fi
missing=$(ldd "$bin" 2>&1 | sed -n 's/^[[:space:]]*\([^ ]*\) => not found$/\1/p' | tr '\n' ' ')
[ -z "$missing" ] ||
    die "$bin needs libraries this host lacks: $missing(install the Debian 12 packages that have them)"
"$bin" --version | head -1 >&2
echo "OUTER_QEMU=$bin"
