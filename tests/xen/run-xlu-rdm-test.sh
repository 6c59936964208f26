#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# xl's rdm= parser test (tests/xen/test-xlu-rdm.c) against the libxlutil
# built with our Xen series (scripts/xen-build.sh, build/xen/), then
# against Debian's unpatched one when this machine has it (libxen-dev):
# the baseline, which refuses every valid policy=.  Prints TAP per run.
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SRC=$REPO/build/xen/src
OUT=$REPO/build/xen/out
T=$REPO/build/xen/test
[ -f "$OUT/libxlutil.so.4.17.0" ] ||
    { echo "Bail out! $OUT/libxlutil.so.4.17.0 missing: run scripts/xen-build.sh"; exit 1; }
mkdir -p "$T/lib"
# the libraries by their sonames: ours, then the rest of the build's
ln -sf "$OUT/libxlutil.so.4.17.0" "$T/lib/libxlutil.so.4.17"
ln -sf "$OUT/libxenlight.so.4.17.0" "$T/lib/libxenlight.so.4.17"
cc -O1 -g -Wall -Werror -I"$SRC/tools/include" -o "$T/test-xlu-rdm" \
    "$REPO/tests/xen/test-xlu-rdm.c" "$OUT/libxlutil.so.4.17.0" "$OUT/libxenlight.so.4.17.0"
libs=$T/lib
for d in "$SRC"/tools/libs/*/; do libs="$libs:$d"; done
echo "# xl's rdm= parser, libxlutil with patches/xen"
LD_LIBRARY_PATH=$libs "$T/test-xlu-rdm"
deb=/usr/lib/x86_64-linux-gnu/libxlutil.so.4.17.0
if [ -f "$deb" ]; then
    echo "# the same parser in Debian's libxlutil ($(dpkg-query -W -f='${Package} ${Version}' libxenmisc4.17 2>/dev/null || echo "$deb")): the baseline"
    LD_LIBRARY_PATH= "$T/test-xlu-rdm" --debian-baseline
else
    echo "# SKIP the Debian baseline: $deb is not installed (package libxenmisc4.17)"
fi
