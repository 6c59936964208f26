#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Get Xen 4.17 (Debian 12's source package, the version a bookworm dom0
# runs), apply our toolstack series (patches/xen/series) and build only
# what the series changes: libxenlight (libxl), libxlutil (xl's config
# parsers), xl, which the series' new libxl_rdm_reserve field makes
# depend on the patched libxl.h, and hvmloader.  See docs/xen-libxl.rst.
#
# usage: scripts/xen-build.sh [--no-deps] [--jobs N] [--plain | --each-patch]
#
#   --no-deps     do not touch apt (build dependencies already there)
#   --list-deps   change nothing: print the Debian version of Xen it
#                 builds ("source xen VERSION") and what the build would
#                 change in apt, one line each: "package NAME
#                 installed|missing", "apt-source FILE
#                 present|would-add|not-needed"
#   --jobs N      parallel make jobs (default: nproc)
#   --plain       build the same libraries and hvmloader unmodified
#                 (build/xen/src-plain)
#   --each-patch  build the series patch by patch, in build/xen/src-each:
#                 every patch must build on the ones before it
#
# Work dir: build/xen/ in the repository (gitignored):
#   build/xen/dl/          the downloaded .dsc and tarballs
#   build/xen/pristine-*/  dpkg-source -x result (Debian's patches applied)
#   build/xen/src/         pristine + patches/xen/series, built in place
#   build/xen/out/         the built libraries (libxenlight.so.4.17.0,
#                          libxlutil.so.4.17.0), their symbol lists, xl
#                          (RUNPATH /usr/lib/xen-rdm/lib, where
#                          scripts/install.sh puts the libraries) and
#                          hvmloader
# A second run rebuilds only what changed: the tree is updated by content
# (files the series touches are replaced only when they differ, so make
# sees new mtimes only there) and configure runs once.
#
# Prints the output directory on its last line:
#   XEN_OUT=<repo>/build/xen/out
set -eu

XEN_PIN_VERSION='4.17.5+72-g01140da4e8-1'
# where scripts/install.sh puts our libxenlight and libxlutil, a directory
# neither the dynamic linker nor ldconfig searches: only our xl, linked
# with this RUNPATH, loads them (docs/install.rst)
XL_RUNPATH=/usr/lib/xen-rdm/lib

die() { echo "xen-build.sh: error: $*" >&2; exit 1; }
# xl_runpath FILE: the RUNPATH (DT_RUNPATH) FILE is linked with, if any
xl_runpath() {
    readelf -d "$1" | sed -n 's/.*(RUNPATH) *Library runpath: \[\(.*\)\]$/\1/p'
}
say() { echo "xen-build.sh: $*"; }

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=$REPO/build/xen
DO_DEPS=1
LIST_DEPS=0
PLAIN=0
EACH=0
LIMIT=
JOBS=$(nproc 2>/dev/null || echo 2)

while [ $# -gt 0 ]; do
    case $1 in
    --no-deps) DO_DEPS=0; shift ;;
    --list-deps) LIST_DEPS=1; shift ;;
    --jobs) [ $# -ge 2 ] || die "--jobs needs a number"; JOBS=$2; shift 2 ;;
    --plain) PLAIN=1; shift ;;
    --each-patch) EACH=1; shift ;;
    -h|--help) sed -n '3,38p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
    esac
done

# SUDO, pkg_installed, apt_debian_uri, apt_source_fetch
. "$REPO/scripts/lib-apt.sh"

# What building libxenlight needs beyond the QEMU build's packages
# (configure checks for all of them, docs/xen-libxl.rst)
BUILD_DEPS="build-essential pkgconf python3 python3-dev dpkg-dev rsync xz-utils
    patch git libyajl-dev acpica-tools gcc-multilib flex bison libzstd-dev autoconf
    autoconf-archive uuid-dev libncurses-dev libglib2.0-dev libpixman-1-dev
    zlib1g-dev liblzma-dev libbz2-dev"

ensure_deps() {
    missing=
    for p in $BUILD_DEPS; do
        pkg_installed "$p" || missing="$missing $p"
    done
    [ -z "$missing" ] && return
    say "installing build dependencies:$missing"
    # a machine that never ran apt-get update has no package lists yet
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing || {
        $SUDO apt-get update -q >/dev/null
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
    } || die "cannot install the build dependencies:$missing"
}

# deb-src for bookworm main, from the mirror the machine's apt
# configuration uses for bookworm (never a host name of our own)
XEN_APT_LIST=/etc/apt/sources.list.d/xen-rdm-xen-build.sources
xen_source_ok() {
    apt-cache showsrc xen 2>/dev/null | grep -qxF "Version: $XEN_PIN_VERSION"
}
ensure_xen_source() {
    xen_source_ok && return
    if [ ! -f "$XEN_APT_LIST" ]; then
        uri=$(apt_debian_uri)
        [ -n "$uri" ] ||
            die "apt has no source for Debian bookworm main: cannot tell which mirror serves Xen's source"
        say "adding apt source (deb-src bookworm from $uri) in $XEN_APT_LIST"
        $SUDO tee "$XEN_APT_LIST" >/dev/null <<EOS
# Added by xen-rdm scripts/xen-build.sh: Xen 4.17's source from bookworm,
# from the mirror the machine's bookworm source uses.
Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
    fi
    $SUDO apt-get update -q >/dev/null
    xen_source_ok ||
        die "apt serves no xen source $XEN_PIN_VERSION (dom0's version, Debian 12's bookworm main) even after adding $XEN_APT_LIST"
}

if [ "$LIST_DEPS" = 1 ]; then
    echo "source xen $XEN_PIN_VERSION"
    list_packages $BUILD_DEPS
    needed=0
    xen_source_ok || needed=1
    list_apt_source "$XEN_APT_LIST" "$needed"
    exit 0
fi

# Sets DSC after download + sha256 check against the signed Sources index
fetch_source() {
    ensure_xen_source
    got=$(apt_source_fetch xen "$XEN_PIN_VERSION" "$WORK/dl") || exit 1
    DSC=${got% *} have=${got#* }
    say "Xen source: Debian xen $XEN_PIN_VERSION (.dsc sha256 $have)"
}

extract_source() {
    PRISTINE=$WORK/pristine-$XEN_PIN_VERSION
    [ -f "$PRISTINE/.xen-rdm-extracted" ] && return
    rm -rf "$PRISTINE" "$PRISTINE.tmp"
    say "unpacking with Debian's patches (dpkg-source -x checks the .dsc checksums)"
    dpkg-source -x "$DSC" "$PRISTINE.tmp" >/dev/null ||
        die "dpkg-source -x $DSC failed"
    mv "$PRISTINE.tmp" "$PRISTINE"
    echo "$XEN_PIN_VERSION" > "$PRISTINE/.xen-rdm-extracted"
}

SERIES_DIR=$REPO/patches/xen
# the series' patches in order (only the first $LIMIT when set)
series_patches() {
    [ "$PLAIN" = 1 ] && return
    [ -f "$SERIES_DIR/series" ] || return 0
    k=0
    while read -r p rest; do
        case $p in ''|'#'*) continue ;; esac
        [ -f "$SERIES_DIR/$p" ] || die "patches/xen/series names $p, which does not exist"
        k=$((k + 1))
        [ -n "$LIMIT" ] && [ "$k" -gt "$LIMIT" ] && break
        echo "$p"
    done < "$SERIES_DIR/series"
}

# The source tree: a full copy of the pristine tree once, then only the
# files any version of the series touched are kept equal to pristine +
# series, by content
prepare_tree() {
    if [ ! -f "$SRC/.xen-rdm-copied" ]; then
        rm -rf "$SRC"
        say "copying the pristine tree to $SRC"
        cp -a "$PRISTINE" "$SRC.tmp"
        # Debian's patches delete the generated autotools files
        cp /usr/share/autoconf/build-aux/config.guess /usr/share/autoconf/build-aux/config.sub "$SRC.tmp/"
        (cd "$SRC.tmp" && ./autogen.sh >/dev/null) || die "autogen.sh failed in $SRC.tmp"
        mv "$SRC.tmp" "$SRC"
        touch "$SRC/.xen-rdm-copied"
    fi
    new=$WORK/series-tree
    rm -rf "$new"; mkdir -p "$new"
    touched=$SRC/.xen-rdm-touched
    : >> "$touched"
    files=$(
        cat "$touched"
        for p in $(series_patches); do
            lsdiff --strip=1 "$SERIES_DIR/$p" 2>/dev/null ||
                sed -n 's|^+++ b/\([^	 ]*\).*|\1|p' "$SERIES_DIR/$p"
        done | sort -u
    )
    files=$(printf '%s\n' $files | sort -u)
    for f in $files; do
        mkdir -p "$new/$(dirname "$f")"
        [ -f "$PRISTINE/$f" ] && cp -p "$PRISTINE/$f" "$new/$f"
    done
    n=0
    for p in $(series_patches); do
        n=$((n + 1))
        (cd "$new" && patch -p1 -s --no-backup-if-mismatch -f < "$SERIES_DIR/$p") > "$WORK/apply.log" 2>&1 || {
            cat "$WORK/apply.log" >&2
            die "our patch $n ($p) does not apply to Debian xen $XEN_PIN_VERSION"
        }
        say "applied patch $n: $p"
    done
    changed=0
    for f in $files; do
        if [ -f "$new/$f" ]; then
            if ! cmp -s "$new/$f" "$SRC/$f"; then
                mkdir -p "$SRC/$(dirname "$f")"
                cp "$new/$f" "$SRC/$f"
                changed=$((changed + 1))
            fi
        elif [ -f "$SRC/$f" ]; then
            rm -f "$SRC/$f"; changed=$((changed + 1))
        fi
    done
    printf '%s\n' $files > "$touched"
    rm -rf "$new"
    say "source tree: $changed file(s) changed"
}

# ------------------------------------------------------------ main
mkdir -p "$WORK"
[ "$DO_DEPS" = 1 ] && ensure_deps
fetch_source
extract_source
if [ "$PLAIN" = 1 ]; then
    SRC=$WORK/src-plain OUT=$WORK/out-plain
elif [ "$EACH" = 1 ]; then
    SRC=$WORK/src-each OUT=
else
    SRC=$WORK/src OUT=$WORK/out
fi

# debian/rules' configure flags and make arguments for the tools
ARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
GNU=$(dpkg-architecture -qDEB_HOST_GNU_TYPE)
MAKE_ARGS=(CC="$GNU-gcc" LD="$GNU-ld" XEN_COMPILE_ARCH=x86_64 XEN_TARGET_ARCH=x86_64
           EXTRA_CFLAGS_XEN_TOOLS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
           PREPEND_LDFLAGS_XEN_TOOLS="$(dpkg-buildflags --get LDFLAGS)"
           WGET=/bin/false GIT=/bin/false
           # as Debian's build, which has no libnl (no COLO proxy): the
           # same exported symbols whatever -dev packages this host has
           CONFIG_LIBNL=n)
CONFIGURE_ARGS="--disable-stubdom --prefix=/usr --includedir=/usr/include
    --libdir=/usr/lib/$ARCH --with-libexec-libdir-suffix=/$ARCH --host=$ARCH
    --mandir=/usr/share/man --infodir=/usr/share/info --sysconfdir=/etc
    --localstatedir=/var --with-libexec-leaf-dir=xen-4.17 --disable-blktap1
    --disable-blktap2 --disable-qemu-traditional --disable-rombios
    --with-system-qemu=/usr/libexec/xen-qemu-system-i386 --enable-ovmf
    --with-system-ovmf=/usr/share/ovmf/OVMF.fd
    --with-system-seabios=/usr/share/seabios/bios-256k.bin"
# hvmloader's SMBIOS BIOS date, as debian/rules sets it: the changelog's
export SMBIOS_REL_DATE
SMBIOS_REL_DATE=$(LC_ALL=C date -u -d "$(dpkg-parsechangelog -l "$PRISTINE/debian/changelog" -S Date)" +%m/%d/%Y)
cfg_hash=$(echo "$CONFIGURE_ARGS ${MAKE_ARGS[*]}" | sha256sum | cut -d' ' -f1)

# configure once, then make what the tree's changes need
build_tree() {
    if [ "$(cat "$SRC/.xen-rdm-configure" 2>/dev/null)" != "$cfg_hash" ]; then
        say "configuring the tools"
        # shellcheck disable=SC2086
        (cd "$SRC" && ./configure "${MAKE_ARGS[@]:0:4}" $CONFIGURE_ARGS) > "$WORK/configure.log" 2>&1 || {
            tail -30 "$WORK/configure.log" >&2
            die "configure failed (log: $WORK/configure.log)"
        }
        # objects built with other arguments are not reused
        make -C "$SRC/tools/libs" clean > /dev/null 2>&1 || true
        echo "$cfg_hash" > "$SRC/.xen-rdm-configure"
    fi

    start=$(date +%s)
    say "building tools/include, tools/libs (libxenlight, libxlutil and what they link), tools/xl and hvmloader"
    # xl finds our libraries in the private directory scripts/install.sh
    # puts them in (its RUNPATH): relinked when that changes
    if [ "$(cat "$SRC/tools/xl/.xen-rdm-runpath" 2>/dev/null)" != "$XL_RUNPATH" ]; then
        rm -f "$SRC/tools/xl/xl"
        echo "$XL_RUNPATH" > "$SRC/tools/xl/.xen-rdm-runpath"
    fi
    for d in tools/include tools/libs tools/xl tools/firmware/hvmloader; do
        extra=()
        [ "$d" = tools/xl ] && extra=(APPEND_LDFLAGS="-Wl,-rpath,$XL_RUNPATH -Wl,--enable-new-dtags")
        make -C "$SRC/$d" -j "$JOBS" "${MAKE_ARGS[@]}" "${extra[@]}" > "$WORK/make.log" 2>&1 || {
            grep -E 'error|Error' "$WORK/make.log" | head -30 >&2
            die "make -C $d failed (log: $WORK/make.log)"
        }
    done
    say "build took $(( $(date +%s) - start ))s"
}

if [ "$EACH" = 1 ]; then
    total=$(series_patches | wc -l)
    for LIMIT in $(seq 1 "$total"); do
        say "== the series up to patch $LIMIT of $total: $(series_patches | tail -1)"
        prepare_tree
        build_tree
    done
    say "every patch of the series builds on the ones before it"
    exit 0
fi
prepare_tree
build_tree

mkdir -p "$OUT"
for l in light/libxenlight.so.4.17.0 util/libxlutil.so.4.17.0; do
    b=$(basename "$l")
    cp "$SRC/tools/libs/$l" "$OUT/$b.new" && mv "$OUT/$b.new" "$OUT/$b"
    nm -D --defined-only "$OUT/$b" | awk '{ print $NF }' | sort > "$OUT/${b%%.so*}.symbols"
done
runpath=$(xl_runpath "$SRC/tools/xl/xl")
[ "$runpath" = "$XL_RUNPATH" ] ||
    die "$SRC/tools/xl/xl has RUNPATH '$runpath', not $XL_RUNPATH: remove it and build again"
cp "$SRC/tools/xl/xl" "$OUT/xl.new" && mv "$OUT/xl.new" "$OUT/xl"
# stripped as Debian's (dh_strip), to install in place of xen-utils-4.17's
strip --remove-section=.comment --remove-section=.note -o "$OUT/hvmloader.new" \
    "$SRC/tools/firmware/hvmloader/hvmloader" && mv "$OUT/hvmloader.new" "$OUT/hvmloader"
(cd "$SRC/tools" && cp include/libxl.h include/_libxl_types.h include/_libxl_list.h \
    include/libxlutil.h "$OUT/" 2>/dev/null) || true
echo "$XEN_PIN_VERSION" > "$OUT/version"
echo "XEN_OUT=$OUT"
