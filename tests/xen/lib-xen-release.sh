# SPDX-License-Identifier: GPL-2.0-or-later
#
# Which build of scripts/xen-build.sh the tests/xen/run-*.sh scripts test
# (POSIX sh; source it after setting REPO): XEN_RELEASE=4.17 (the
# default) is build/xen/ and patches/xen/, XEN_RELEASE=4.20
# build/xen-4.20/ (scripts/xen-build.sh --version 4.20.x) and
# patches/xen-4.20/.  Sets XEN (the work dir), SRC (the patched tree),
# OUT (the built libraries), SO (their version: libxlutil.so.$SO.0) and
# SERIES (the series' directory, for the messages).
XEN_RELEASE=${XEN_RELEASE:-4.17}
case $XEN_RELEASE in
4.17) XEN=$REPO/build/xen SERIES=patches/xen ;;
4.20) XEN=$REPO/build/xen-4.20 SERIES=patches/xen-4.20 ;;
*) echo "Bail out! XEN_RELEASE=$XEN_RELEASE: the tests know Xen 4.17 (build/xen) and 4.20 (build/xen-4.20)"
   exit 1 ;;
esac
SRC=$XEN/src
OUT=$XEN/out
SO=$XEN_RELEASE
# LIBDIRS: the tree's library directories (LD_LIBRARY_PATH=$T/lib:$LIBDIRS
# runs a test with them), which the linker also searches for what our
# libxenlight needs (-Wl,-rpath-link: Xen 4.20's libxenctrl.so.4.20 is
# not on a Debian 12 host)
LIBDIRS=
for d in "$SRC"/tools/libs/*/; do LIBDIRS="${LIBDIRS:+$LIBDIRS:}$d"; done
