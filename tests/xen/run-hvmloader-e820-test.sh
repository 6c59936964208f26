#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# hvmloader's e820 code on the host (tests/xen/test-hvmloader-e820.c):
# tools/firmware/hvmloader/e820.c of the tree built with our Xen series
# (scripts/xen-build.sh, build/xen/src), then of Debian's unpatched source
# (build/xen/pristine-*), the baseline, whose checks pass when its bugs
# show.  Each e820.c is compiled as it is, 32-bit as hvmloader (-m32,
# gcc-multilib), with tests/xen/hvmloader-shim/ in place of hvmloader's
# config.h and util.h.  Prints TAP per run.
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
XEN=$REPO/build/xen
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
build patched "$PATCHED" -DHVMLOADER_PATCHED
build debian "$DEBIAN"
echo "# hvmloader's e820.c with patches/xen"
"$T/patched/test-hvmloader-e820"
echo "# the same in Debian's source ($(basename "$(dirname "$(dirname "$(dirname "$DEBIAN")")")")): the baseline"
"$T/debian/test-hvmloader-e820" --debian-baseline
