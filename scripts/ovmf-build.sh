#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build OVMF for Xen HVM guests (edk2's OvmfPkg/OvmfXen.dsc) from the
# edk2 source package of the Debian release this host runs.  Debian's
# ovmf package builds only the generic platform (OvmfPkgX64.dsc), which
# lost Xen support in edk2 d06eb2d1d9 (2021): /usr/share/ovmf/OVMF.fd,
# what libxl loads for bios = "ovmf", does not boot a Xen HVM guest.
# See docs/ovmf.rst.
#
# usage: scripts/ovmf-build.sh [--no-deps] [--version V] [--jobs N]
#
#   --no-deps     do not touch apt (build dependencies already there)
#   --version V   build Debian's edk2 source V instead of the host's
#                 (the version of its ovmf package, else the one apt
#                 would install)
#   --jobs N      parallel build jobs (default: nproc)
#   --list-deps   change nothing: print the edk2 version it builds
#                 ("source edk2 VERSION") and what the build would change
#                 in apt ("package NAME installed|missing", "apt-source
#                 FILE present|would-add|not-needed")
#
# edk2's DEBUG target with DEBUG_ON_HYPERVISOR_CONSOLE: its debug messages
# go to I/O port 0xe9 (edk2's PcdDebugIoPort for Xen) without first
# reading the port to see whether a debug console is there (Xen takes
# writes to it and refuses reads), and Xen prints them in its console,
# `xl dmesg`, each line prefixed with the domain ("(d1) "), where they say
# where the firmware put its own memory.
#
# Work dir: build/ovmf/ in the repository (gitignored):
#   build/ovmf/dl/            the .dsc and tarballs, checked against apt's
#                             signed Sources index
#   build/ovmf/pristine-V/    dpkg-source -x (Debian's patches applied)
#   build/ovmf/src/           pristine + patches/ovmf/series, built there
#   build/ovmf/out/OVMF-xen.fd  the firmware, and
#   build/ovmf/out/version      "edk2 V DEBUG"
# A second run with the same inputs (the version and the series) builds
# nothing.
#
# Prints the firmware's path on its last line: OVMF=<path>
set -eu

die() { echo "ovmf-build.sh: error: $*" >&2; exit 1; }
say() { echo "ovmf-build.sh: $*"; }

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=$REPO/build/ovmf
SERIES_DIR=$REPO/patches/ovmf
DO_DEPS=1
LIST_DEPS=0
VERSION=
TARGET=DEBUG
JOBS=$(nproc 2>/dev/null || echo 2)

while [ $# -gt 0 ]; do
    case $1 in
    --no-deps) DO_DEPS=0; shift ;;
    --list-deps) LIST_DEPS=1; shift ;;
    --version) [ $# -ge 2 ] || die "--version needs a Debian version of edk2"
               VERSION=$2; shift 2 ;;
    --jobs) [ $# -ge 2 ] || die "--jobs needs a number"
            case $2 in ''|*[!0-9]*|0) die "--jobs needs a number of jobs, not '$2'" ;; esac
            JOBS=$2; shift 2 ;;
    -h|--help) sed -n '3,/^set -eu$/p' "$0" | sed '$d'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
    esac
done

# ---------------------------------------------------------------- apt
# SUDO, apt_install_missing, list_packages, list_apt_source,
# apt_debian_uri, apt_deb_src_entries, apt_source_fetch, apt_source_unserved
. "$REPO/scripts/lib-apt.sh"

CODENAME=$(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-bookworm}")
# what edk2's BaseTools and OvmfXen.dsc need (Debian's Build-Depends for
# the x86 firmware, without the cross compilers and image tools)
BUILD_DEPS="build-essential nasm acpica-tools uuid-dev python3 dpkg-dev rsync"
# BaseTools' Python needs distutils, which Debian 12 packages apart
[ "$CODENAME" = bookworm ] && BUILD_DEPS="$BUILD_DEPS python3-distutils"

if [ -z "$VERSION" ]; then
    VERSION=$(dpkg-query -W -f='${Version}' ovmf 2>/dev/null || true)
    VERSION_FROM="the installed ovmf package"
    if [ -z "$VERSION" ]; then
        VERSION=$(apt-cache policy ovmf 2>/dev/null | sed -n 's/^ *Candidate: //p')
        VERSION_FROM="the ovmf package apt would install"
    fi
    [ -n "$VERSION" ] && [ "$VERSION" != "(none)" ] ||
        die "cannot tell which edk2 this host's Debian has (no ovmf package installed or known to apt): give --version"
else
    VERSION_FROM="--version"
fi
case $VERSION in
*[!0-9A-Za-z.+~:-]*) die "'$VERSION' is not a Debian version" ;;
esac

# deb-src for the release's suites, from the mirrors the machine's apt
# configuration uses for them (never a host name of our own)
APT_LIST=/etc/apt/sources.list.d/xen-rdm-ovmf-build.sources
source_ok() {
    apt-cache showsrc edk2 2>/dev/null | grep -qxF "Version: $VERSION"
}
apt_list() {
    echo "# Added by xen-rdm scripts/ovmf-build.sh: edk2's source from the"
    echo "# suites of $CODENAME, from the mirrors the machine's apt"
    echo "# configuration uses for them."
    for suite in $CODENAME $CODENAME-security; do
        uri=$(apt_debian_uri "$suite")
        [ -n "$uri" ] || continue
        # a deb-src entry another list has (scripts/xen-build.sh's): apt
        # warns of a source configured twice
        if apt_deb_src_entries | grep -qxF "$suite $uri/" &&
            ! grep -qx "Suites: $suite" "$APT_LIST" 2>/dev/null; then
            continue
        fi
        printf '\nTypes: deb-src\nURIs: %s\nSuites: %s\nComponents: main\n' "$uri" "$suite"
        echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    done
}

if [ "$LIST_DEPS" = 1 ]; then
    echo "source edk2 $VERSION"
    list_packages $BUILD_DEPS
    needed=0
    source_ok || needed=1
    list_apt_source "$APT_LIST" "$needed"
    exit 0
fi

ensure_source() {
    source_ok && return
    list=$(apt_list)
    if [ "$(cat "$APT_LIST" 2>/dev/null)" != "$list" ] && echo "$list" | grep -q '^URIs:'; then
        say "apt source (deb-src $(echo "$list" | sed -n 's/^Suites: //p' | tr '\n' ' ')) in $APT_LIST"
        echo "$list" | $SUDO tee "$APT_LIST" >/dev/null
    fi
    $SUDO apt-get update -q >/dev/null
    source_ok ||
        die "apt serves no edk2 source $VERSION ($VERSION_FROM) from the deb-src entries it has for $CODENAME (the versions it serves: $(apt-cache showsrc edk2 2>/dev/null | sed -n 's/^Version: //p' | tr '\n' ' '))"
}

# shellcheck disable=SC2086
ensure_deps() { apt_install_missing ovmf-build.sh $BUILD_DEPS; }

# ---------------------------------------------------------------- source
mkdir -p "$WORK"
ensure_source
dsc=$WORK/dl/edk2_${VERSION#*:}.dsc
if [ ! -f "$dsc" ]; then
    bad=$(apt_source_unserved edk2 "$VERSION") ||
        die "apt lists no file of the edk2 source $VERSION (apt-get source --print-uris edk2=$VERSION)"
    [ -z "$bad" ] ||
        die "the source of edk2 $VERSION ($VERSION_FROM) cannot be fetched: its archive answers $(echo "$bad" | head -1 | cut -d' ' -f2) for $(echo "$bad" | head -1 | cut -d' ' -f1)"
fi
[ "$DO_DEPS" = 1 ] && ensure_deps
got=$(apt_source_fetch edk2 "$VERSION" "$WORK/dl") || exit 1
say "source: Debian edk2 $VERSION ($VERSION_FROM; .dsc sha256 ${got#* })"

PRISTINE=$WORK/pristine-${VERSION#*:}
if [ ! -f "$PRISTINE/.xen-rdm-extracted" ]; then
    rm -rf "$PRISTINE" "$PRISTINE.tmp"
    say "unpacking with Debian's patches (dpkg-source -x, checks the .dsc checksums)"
    dpkg-source -x "$dsc" "$PRISTINE.tmp" >/dev/null || die "dpkg-source -x $dsc failed"
    mv "$PRISTINE.tmp" "$PRISTINE"
    echo "$VERSION" > "$PRISTINE/.xen-rdm-extracted"
fi

# ---------------------------------------------------------------- tree
SRC=$WORK/src
OUT=$WORK/out
inputs=$( {
    echo "edk2 $VERSION"
    cat "$SERIES_DIR/series"
    sed 's/#.*//' "$SERIES_DIR/series" | while read -r p; do
        [ -n "$p" ] && cat "$SERIES_DIR/$p"
    done
} | sha256sum | cut -d' ' -f1)
if [ "$(cat "$SRC/.xen-rdm-tree" 2>/dev/null)" != "$inputs" ]; then
    say "preparing $SRC (patches/ovmf/series)"
    rm -rf "$SRC"
    cp -a "$PRISTINE" "$SRC.new"
    n=0
    while read -r p; do
        p=${p%%#*}
        p=$(echo $p)
        [ -n "$p" ] || continue
        n=$((n + 1))
        [ -f "$SERIES_DIR/$p" ] || die "patches/ovmf/series names $p, which does not exist"
        (cd "$SRC.new" && GIT_CEILING_DIRECTORIES=$WORK git apply -p1 "$SERIES_DIR/$p") ||
            die "patch $n ($p) does not apply to Debian's edk2 $VERSION"
        say "applied patch $n: $p"
    done < "$SERIES_DIR/series"
    echo "$inputs" > "$SRC.new/.xen-rdm-tree"
    mv "$SRC.new" "$SRC"
fi

BUILD_DEFINES="-D DEBUG_ON_HYPERVISOR_CONSOLE"
stamp="edk2 $VERSION $TARGET $BUILD_DEFINES $inputs"
if [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$stamp" ] && [ -f "$OUT/OVMF-xen.fd" ]; then
    say "$OUT/OVMF-xen.fd is up to date"
    echo "OVMF=$OUT/OVMF-xen.fd"
    exit 0
fi

# ---------------------------------------------------------------- build
say "building OvmfPkg/OvmfXen.dsc (X64, GCC5, $TARGET, $BUILD_DEFINES, $JOBS jobs)"
start=$(date +%s)
(
    cd "$SRC"
    # edksetup.sh reads its own arguments and unset variables
    set +eu
    make -C BaseTools -j "$JOBS" > "$WORK/basetools.log" 2>&1 ||
        { echo "ovmf-build.sh: error: BaseTools failed: $WORK/basetools.log" >&2; exit 1; }
    . ./edksetup.sh > /dev/null
    # shellcheck disable=SC2086
    build -a X64 -t GCC5 -b "$TARGET" -p OvmfPkg/OvmfXen.dsc -n "$JOBS" $BUILD_DEFINES \
        > "$WORK/build-$TARGET.log" 2>&1 ||
        { tail -20 "$WORK/build-$TARGET.log" >&2
          echo "ovmf-build.sh: error: the edk2 build failed: $WORK/build-$TARGET.log" >&2; exit 1; }
) || exit 1
fd=$SRC/Build/OvmfXen/${TARGET}_GCC5/FV/OVMF.fd
[ -s "$fd" ] || die "the build made no $fd"
mkdir -p "$OUT"
cp "$fd" "$OUT/OVMF-xen.fd"
echo "edk2 $VERSION $TARGET" > "$OUT/version"
echo "$stamp" > "$OUT/.stamp"
say "build took $(( $(date +%s) - start ))s: $(stat -c %s "$OUT/OVMF-xen.fd") bytes"
echo "OVMF=$OUT/OVMF-xen.fd"
