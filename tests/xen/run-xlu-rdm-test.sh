#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# xl's rdm= parser test (tests/xen/test-xlu-rdm.c) against the libxlutil
# built with our Xen series (scripts/xen-build.sh, build/xen/), then
# against Debian's unpatched one when this machine has it (libxen-dev),
# else the one scripts/xen-build.sh --plain built: the baseline, which
# refuses every valid policy=.  Prints TAP per run.
# XEN_RELEASE=4.20 tests the 4.20 build (build/xen-4.20/).
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
# XEN, SRC, OUT, SO, SERIES (XEN_RELEASE=4.20: the 4.20 build)
. "$REPO/tests/xen/lib-xen-release.sh"
T=$XEN/test
[ -f "$OUT/libxlutil.so.$SO.0" ] ||
    { echo "Bail out! $OUT/libxlutil.so.$SO.0 missing: run scripts/xen-build.sh"; exit 1; }
mkdir -p "$T/lib" "$T/lib-plain"
# the libraries by their sonames: ours, then the rest of the build's
ln -sf "$OUT/libxlutil.so.$SO.0" "$T/lib/libxlutil.so.$SO"
ln -sf "$OUT/libxenlight.so.$SO.0" "$T/lib/libxenlight.so.$SO"
cc -O1 -g -Wall -Werror -I"$SRC/tools/include" -Wl,-rpath-link,"$LIBDIRS" -o "$T/test-xlu-rdm" \
    "$REPO/tests/xen/test-xlu-rdm.c" "$OUT/libxlutil.so.$SO.0" "$OUT/libxenlight.so.$SO.0"
libs=$T/lib:$LIBDIRS
echo "# xl's rdm= parser, libxlutil with $SERIES"
LD_LIBRARY_PATH=$libs "$T/test-xlu-rdm"
deb=/usr/lib/x86_64-linux-gnu/libxlutil.so.$SO.0
if [ -f "$deb" ]; then
    echo "# the same parser in Debian's libxlutil ($(dpkg-query -W -f='${Package} ${Version}' libxenmisc$SO 2>/dev/null || echo "$deb")): the baseline"
    LD_LIBRARY_PATH= "$T/test-xlu-rdm" --debian-baseline
elif [ -f "$XEN/out-plain/libxlutil.so.$SO.0" ]; then
    # the same release built unpatched (scripts/xen-build.sh --plain)
    ln -sf "$XEN/out-plain/libxlutil.so.$SO.0" "$T/lib-plain/libxlutil.so.$SO"
    ln -sf "$XEN/out-plain/libxenlight.so.$SO.0" "$T/lib-plain/libxenlight.so.$SO"
    echo "# the same parser in the unpatched libxlutil of $(cat "$XEN/out-plain/version") (scripts/xen-build.sh --plain; $deb is not installed): the baseline"
    LD_LIBRARY_PATH=$T/lib-plain:$LIBDIRS "$T/test-xlu-rdm" --debian-baseline
else
    echo "# SKIP the Debian baseline: $deb is not installed (package libxenmisc$SO)"
fi
