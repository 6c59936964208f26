#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Get QEMU 10.0.x (Debian's source package from trixie), put our tree into
# it and build a minimal qemu-system-x86_64 with Xen support plus our
# qtests.  See docs/xen-sim.rst.
#
# usage: scripts/qemu-build.sh [--qemu-src PATH] [--no-deps] [--jobs N]
#                              [--check-series] [--plain]
#
#   --qemu-src PATH  use an existing QEMU source tree (e.g. upstream master)
#                    instead of Debian's package; it is copied, never
#                    modified.  Says clearly when our series does not apply.
#   --no-deps        do not touch apt (build dependencies already there)
#   --list-deps      change nothing: print what the build would change in
#                    apt, one line each: "package NAME installed|missing
#                    [SUITE]", "apt-source FILE present|would-add|not-needed"
#   --jobs N         parallel build jobs (default: nproc)
#   --check-series   only prepare the source tree (pristine + series), run
#                    QEMU's checkpatch.pl on every patch, do not build
#   --plain          build the same QEMU unmodified (no series, so no
#                    qtests) in build/qemu/src-plain, obj-plain: the
#                    baseline device model of the end-to-end tests
#
# Work dir: build/qemu/ in the repository (gitignored).  Layout:
#   build/qemu/dl/          downloaded .dsc / tarballs
#   build/qemu/pristine-*/  dpkg-source -x result (Debian patches applied)
#   build/qemu/src/         pristine + our patch series
#   build/qemu/obj/         QEMU build directory
#   build/qemu/obj-plain/   unmodified QEMU (--plain)
# A second run only rebuilds what changed: the pristine tree is reused,
# the working tree is synchronised by content (rsync -c) so unchanged
# files keep their timestamps, and configure is rerun only when its
# arguments change.
#
# Prints the path of the built binary on its last line:
#   QEMU=<repo>/build/qemu/obj/qemu-system-x86_64
set -eu

QEMU_PIN_VERSION='1:10.0.13+ds-0+deb13u1'
QEMU_SERIES_PREFIX='1:10.0.'

die() { echo "qemu-build.sh: error: $*" >&2; exit 1; }
say() { echo "qemu-build.sh: $*"; }

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=$REPO/build/qemu
QEMU_SRC=
DO_DEPS=1
LIST_DEPS=0
CHECK_SERIES=0
PLAIN=0
JOBS=$(nproc 2>/dev/null || echo 2)

while [ $# -gt 0 ]; do
    case $1 in
    --qemu-src) [ $# -ge 2 ] || die "--qemu-src needs a path"
                QEMU_SRC=$(cd "$2" && pwd) || die "no such directory: $2"
                shift 2 ;;
    --qemu-src=*) QEMU_SRC=$(cd "${1#*=}" && pwd) ||
                  die "no such directory: ${1#*=}"; shift ;;
    --no-deps) DO_DEPS=0; shift ;;
    --list-deps) LIST_DEPS=1; shift ;;
    --jobs) [ $# -ge 2 ] || die "--jobs needs a number"; JOBS=$2; shift 2 ;;
    --check-series) CHECK_SERIES=1; shift ;;
    --plain) PLAIN=1; shift ;;
    -h|--help) sed -n '3,37p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
    esac
done

# ---------------------------------------------------------------- apt
# SUDO, APT_LIST, apt_sources_ok, ensure_apt_sources, pkg_installed, meson_ok
. "$REPO/scripts/lib-apt.sh"

# Debian 12 packages; meson and pycotap from bookworm-backports
# (seabios, ipxe-qemu, qemu-system-data: the firmware, option ROMs and
# keymaps the build looks for in /usr, --firmwarepath below; the -dev
# packages of the features Debian's own device model has, the options of
# scripts/lib-qemu-configure.sh)
BUILD_DEPS="build-essential pkgconf ninja-build python3 python3-venv
    libglib2.0-dev libpixman-1-dev zlib1g-dev libxen-dev dpkg-dev rsync
    xz-utils patch git perl seabios ipxe-qemu qemu-system-data
    libusb-1.0-0-dev libjpeg-dev libspice-server-dev libspice-protocol-dev
    libcap-ng-dev libattr1-dev"
BPO_DEPS="meson python3-pycotap"

ensure_deps() {
    missing=
    for p in $BUILD_DEPS; do
        pkg_installed "$p" || missing="$missing $p"
    done
    bpo_missing=
    pkg_installed python3-pycotap || bpo_missing="$bpo_missing python3-pycotap"
    meson_ok || bpo_missing="$bpo_missing meson"
    if [ -z "$missing" ] && [ -z "$bpo_missing" ]; then
        return
    fi
    ensure_apt_sources
    if [ -n "$missing" ]; then
        say "installing build dependencies:$missing"
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
    fi
    if [ -n "$bpo_missing" ]; then
        say "installing from bookworm-backports:$bpo_missing"
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            -t bookworm-backports $bpo_missing
    fi
    meson_ok || die "meson >= 1.5 is needed, /usr/bin/meson is $(/usr/bin/meson --version 2>/dev/null || echo missing)"
}

if [ "$LIST_DEPS" = 1 ]; then
    list_packages $BUILD_DEPS
    list_packages --from bookworm-backports python3-pycotap
    if meson_ok; then
        echo "package meson installed"
    else
        echo "package meson missing bookworm-backports"
    fi
    needed=0
    apt_sources_ok || needed=1
    list_apt_source "$APT_LIST" "$needed"
    exit 0
fi

# ---------------------------------------------------------------- source
# Sets QEMU_VERSION (Debian version) and DSC (path) after download+verify
fetch_debian_source() {
    ensure_apt_sources
    versions=$(apt-cache showsrc qemu | sed -n 's/^Version: //p' | sort -u)
    if printf '%s\n' "$versions" | grep -qxF "$QEMU_PIN_VERSION"; then
        QEMU_VERSION=$QEMU_PIN_VERSION
    else
        QEMU_VERSION=$(printf '%s\n' "$versions" | grep "^$QEMU_SERIES_PREFIX" |
                       sort -V | tail -1)
        [ -n "$QEMU_VERSION" ] || die "apt serves no QEMU 10.0.x source (have: $(echo $versions))"
        echo "qemu-build.sh: WARNING: pinned QEMU $QEMU_PIN_VERSION is no longer served;" >&2
        echo "qemu-build.sh: WARNING: using the newest 10.0.x instead: $QEMU_VERSION" >&2
    fi
    got=$(apt_source_fetch qemu "$QEMU_VERSION" "$WORK/dl") || exit 1
    DSC=${got% *} have=${got#* }
    grep -qxF "Version: $QEMU_VERSION" "$DSC" ||
        die "$DSC is not version $QEMU_VERSION"
    say "QEMU source: Debian qemu $QEMU_VERSION (.dsc sha256 $have)"
}

extract_debian_source() {
    nov=${QEMU_VERSION#*:}
    PRISTINE=$WORK/pristine-$nov
    if [ -f "$PRISTINE/.xen-rdm-extracted" ]; then
        return
    fi
    rm -rf "$PRISTINE" "$PRISTINE.tmp"
    say "unpacking with Debian's patches (dpkg-source -x, checks the .dsc checksums)"
    dpkg-source --require-valid-signature -x "$DSC" "$PRISTINE.tmp" >/dev/null 2>&1 ||
        dpkg-source -x "$DSC" "$PRISTINE.tmp" ||
        die "dpkg-source -x $DSC failed"
    mv "$PRISTINE.tmp" "$PRISTINE"
    echo "$QEMU_VERSION" > "$PRISTINE/.xen-rdm-extracted"
}

# ---------------------------------------------------------------- tree
# Our series: every patch carries what it adds and changes (our files
# under hw/, include/, qapi/ and qtest/ go in through it, made by
# scripts/qemu-series.sh --update)
SERIES_DIR=$REPO/patches/qemu

# Make the tree at $1 (pristine + our series)
prepare_tree() {
    dst=$1
    rsync -a --delete --exclude=/.git --exclude=/build "$PRISTINE/" "$dst/"
    [ "$PLAIN" = 1 ] && return 0
    n=0
    while read -r p rest; do
        case $p in ''|'#'*) continue ;; esac
        n=$((n + 1))
        [ -f "$SERIES_DIR/$p" ] || die "patches/qemu/series names $p, which does not exist"
        # GIT_CEILING_DIRECTORIES: apply as a plain patch, never
        # relative to an enclosing repository (this one)
        if ! (cd "$dst" && GIT_CEILING_DIRECTORIES=$(dirname "$dst") git apply --check -p1 "$SERIES_DIR/$p") 2>"$dst.apply.log"; then
            cat "$dst.apply.log" >&2
            rm -rf "$dst"
            die "our patch $n ($p) does not apply to $SOURCE_DESC"
        fi
        (cd "$dst" && GIT_CEILING_DIRECTORIES=$(dirname "$dst") git apply -p1 "$SERIES_DIR/$p")
        say "applied patch $n: $p"
    done < "$SERIES_DIR/series"
}

# Fingerprint of everything prepare_tree uses
tree_inputs_hash() {
    {
        echo "$SOURCE_DESC plain=$PLAIN"
        [ "$PLAIN" = 1 ] && { sed -n '/^prepare_tree()/,/^}/p' "$0"; return; }
        find "$SERIES_DIR" -type f | sort | xargs cat
        if [ -n "$QEMU_SRC" ]; then
            (cd "$QEMU_SRC" && git rev-parse HEAD 2>/dev/null && git status --porcelain 2>/dev/null) || true
        fi
        sed -n '/^prepare_tree()/,/^}/p' "$0"
    } | sha256sum | cut -d' ' -f1
}

# ---------------------------------------------------------------- main
mkdir -p "$WORK"
[ "$DO_DEPS" = 1 ] && ensure_deps
command -v rsync >/dev/null || die "rsync is needed (apt-get install rsync)"

if [ -n "$QEMU_SRC" ]; then
    [ -f "$QEMU_SRC/configure" ] && [ -d "$QEMU_SRC/hw/xen" ] ||
        die "$QEMU_SRC does not look like a QEMU source tree"
    PRISTINE=$QEMU_SRC
    desc=$( (cd "$QEMU_SRC" && git describe --always --dirty 2>/dev/null) || echo "no git")
    SOURCE_DESC="QEMU tree $QEMU_SRC ($desc, VERSION $(cat "$QEMU_SRC/VERSION"))"
    SRC=$WORK/src-custom
    OBJ=$WORK/obj-custom
else
    fetch_debian_source
    extract_debian_source
    SOURCE_DESC="Debian qemu $QEMU_VERSION"
    SRC=$WORK/src
    OBJ=$WORK/obj
fi
if [ "$PLAIN" = 1 ]; then
    [ "$CHECK_SERIES" = 0 ] || die "--plain has no series to check"
    SOURCE_DESC="$SOURCE_DESC, unmodified"
    SRC=$SRC-plain
    OBJ=$OBJ-plain
fi
say "source: $SOURCE_DESC"

# The series must be what the sources give: a build never uses a patch
# older than the file it carries
if [ "$PLAIN" = 0 ] && [ -z "$QEMU_SRC" ]; then
    "$REPO/scripts/qemu-series.sh" --check --pristine "$PRISTINE" ||
        die "patches/qemu/ is not what the sources give: run scripts/qemu-series.sh --update"
elif [ "$PLAIN" = 0 ]; then
    say "not checking patches/qemu/ against the sources (needs Debian's tree; scripts/qemu-series.sh --check)"
fi

hash=$(tree_inputs_hash)
if [ -f "$SRC/.xen-rdm-tree" ] && [ "$(cat "$SRC/.xen-rdm-tree")" = "$hash" ]; then
    say "source tree $SRC is up to date"
else
    if [ "$PLAIN" = 1 ]; then
        say "preparing source tree $SRC (unmodified)"
    else
        say "preparing source tree $SRC (patches/qemu/series)"
    fi
    rm -rf "$SRC.new"
    prepare_tree "$SRC.new"
    mkdir -p "$SRC"
    # by content, so that unchanged files keep their mtimes (incremental)
    rsync -rlpc --delete "$SRC.new/" "$SRC/"
    rm -rf "$SRC.new"
    echo "$hash" > "$SRC/.xen-rdm-tree"
fi

if [ "$CHECK_SERIES" = 1 ]; then
    rc=0
    while read -r p rest; do
        case $p in ''|'#'*) continue ;; esac
        say "checkpatch: $p"
        (cd "$SRC" && perl scripts/checkpatch.pl "$SERIES_DIR/$p") || rc=1
    done < "$SERIES_DIR/series"
    exit $rc
fi

# FIRMWARE_PATH, CONFIGURE_ARGS, qemu_configure
. "$REPO/scripts/lib-qemu-configure.sh"
qemu_configure "$SRC" "$OBJ" || die "QEMU configure failed"

targets="qemu-system-x86_64"
# our qtests (patch 10 puts qtest/*-test.c at tests/qtest/xen-sim/)
[ "$PLAIN" = 1 ] || for c in "$REPO"/qtest/*-test.c; do
    [ -f "$c" ] && targets="$targets tests/qtest/xen-sim/$(basename "$c" .c)"
done
say "building: $targets"
start=$(date +%s)
ninja -C "$OBJ" -j "$JOBS" $targets || die "QEMU build failed"
say "build took $(( $(date +%s) - start ))s"
echo "QEMU=$OBJ/qemu-system-x86_64"
