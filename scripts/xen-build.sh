#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Get the source of the Xen this host runs (Debian's source package of
# the version dpkg reports for libxenmisc4.17 / xen-utils-4.17; on a build
# machine with neither, the version apt would install, bookworm-security
# included), check that our toolstack series (patches/xen/series) applies
# to it and build only what the series changes: libxenlight (libxl),
# libxlutil (xl's config parsers), xl, which the series' new
# libxl_rdm_reserve field makes depend on the patched libxl.h, and
# hvmloader.  See docs/xen-libxl.rst.
#
# usage: scripts/xen-build.sh [--no-deps] [--version V] [--source-tree DIR]
#                             [--jobs N] [--plain | --each-patch | --check]
#
#   --no-deps     do not touch apt (build dependencies already there)
#   --version V   build on Debian's xen source V instead of the host's
#                 (e2e-prepare.sh: the end-to-end dom0's version).  Its
#                 MAJOR.MINOR picks the series: 4.17 patches/xen/ (Debian
#                 12), 4.20 patches/xen-4.20/ (Debian 13, made by
#                 scripts/xen-series.sh) in build/xen-4.20/, whose source
#                 comes from deb-src entries for trixie and
#                 trixie-security on the mirrors the machine's apt
#                 configuration uses for them, else for its own release's
#                 suites
#   --source-tree DIR  build on the unpacked Xen tree DIR (upstream's, e.g.
#                 git archive RELEASE-4.20.4) instead of Debian's source
#                 package, for a machine whose mirror does not serve it;
#                 the version is the tree's ("upstream-4.20.4") unless
#                 --version names one.  apt is not asked for the source
#   --check       fetch the source and check that the series applies to
#                 it, build nothing (fails naming the patch that does not)
#   --list-deps   change nothing: print the Debian version of Xen it
#                 builds ("source xen VERSION") and what the build would
#                 change in apt, one line each: "package NAME
#                 installed|missing", "apt-source FILE
#                 present|would-add|not-needed"
#   --list-versions  print every Debian version of xen of the same
#                 MAJOR.MINOR that apt's Sources indexes list, newest
#                 first, and whether the archive serves its files:
#                 "version VERSION served|unserved" (adds the apt source
#                 below when needed; e2e-prepare.sh picks dom0's Xen
#                 tools with it)
#   --jobs N      parallel make jobs (default: nproc)
#   --plain       build the same libraries and hvmloader unmodified
#                 (build/xen/src-plain)
#   --each-patch  build the series patch by patch, in build/xen/src-each:
#                 every patch must build on the ones before it
#
# Before it installs or builds anything it checks that the archive apt
# names for that version serves its source files (HEAD requests of the
# URIs apt-get source --print-uris lists): a version apt's Sources index
# lists but whose files the mirror does not serve is refused, naming the
# version, the deb-src entries apt has and what to do.
# The series is applied to a scratch copy of the files it touches before
# anything is copied, configured or built: a version it does not apply to
# is refused, naming the patch, within a minute.
#
# Work dir: build/xen/ in the repository (gitignored; build/xen-4.20/
# for Xen 4.20, its libraries *.so.4.20.0):
#   build/xen/dl/          the downloaded .dsc and tarballs
#   build/xen/pristine-*/  dpkg-source -x result (Debian's patches applied)
#   build/xen/src/         pristine + patches/xen/series, built in place
#   build/xen/out/         the built libraries (libxenlight.so.4.17.0,
#                          libxlutil.so.4.17.0), their symbol lists, xl
#                          (RUNPATH /usr/lib/xen-rdm/lib, where
#                          scripts/install.sh puts the libraries) and
#                          hvmloader, and "version" (the Debian
#                          version of xen they are built on)
# A second run rebuilds only what changed: the tree is updated by content
# (files the series touches are replaced only when they differ, so make
# sees new mtimes only there) and configure runs once.
#
# Prints the output directory on its last line:
#   XEN_OUT=<repo>/build/xen/out
set -eu

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
LIST_VERSIONS=0
PLAIN=0
EACH=0
CHECK=0
XEN_VERSION=
SOURCE_TREE=
LIMIT=
JOBS=$(nproc 2>/dev/null || echo 2)

while [ $# -gt 0 ]; do
    case $1 in
    --no-deps) DO_DEPS=0; shift ;;
    --list-deps) LIST_DEPS=1; shift ;;
    --list-versions) LIST_VERSIONS=1; shift ;;
    --jobs) [ $# -ge 2 ] || die "--jobs needs a number"; JOBS=$2; shift 2 ;;
    --plain) PLAIN=1; shift ;;
    --each-patch) EACH=1; shift ;;
    --check) CHECK=1; shift ;;
    --version)
        [ $# -ge 2 ] || die "--version needs a Debian version of xen (e.g. 4.17.7+13-g2445b30a44-0+deb12u1)"
        XEN_VERSION=$2; shift 2 ;;
    --source-tree)
        [ $# -ge 2 ] || die "--source-tree needs an unpacked Xen source tree"
        [ -f "$2/xen/Makefile" ] && [ -d "$2/tools/libs/light" ] ||
            die "--source-tree $2: not a Xen source tree (no xen/Makefile or tools/libs/light)"
        SOURCE_TREE=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '3,/^set -eu$/p' "$0" | sed '$d'; exit 0 ;;
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

# shellcheck disable=SC2086
ensure_deps() { apt_install_missing xen-build.sh $BUILD_DEPS; }

# The Debian version of xen to build on: --version, else what dpkg says
# the host has installed (libxenmisc4.17 and xen-utils-4.17, which must
# agree: our libxl replaces the first, our xl and hvmloader the second),
# else on a build machine the version apt would install of libxen-dev
# (the same source package, any Xen release)
installed_xen() {
    dpkg-query -W -f='${Package} ${Version} ${db:Status-Status}\n' \
        'libxenmisc[0-9]*' 'xen-utils-[0-9]*' 2>/dev/null |
        awk '$3 == "installed" { print $1 " " $2 }'
}
host_xen_version() {
    if [ -n "$XEN_VERSION" ]; then
        echo "$XEN_VERSION"; return
    fi
    inst=$(installed_xen)
    if [ -n "$inst" ]; then
        vers=$(echo "$inst" | cut -d' ' -f2 | sort -u)
        [ "$(echo "$vers" | wc -l)" = 1 ] ||
            die "the host's Xen packages disagree ($(echo "$inst" | tr '\n' ' ')): upgrade them to one version (apt-get upgrade) or name one with --version"
        echo "$vers"; return
    fi
    v=$(apt-cache policy libxen-dev 2>/dev/null | sed -n 's/^ *Candidate: //p')
    case $v in ''|'(none)')
        die "no Xen installed (libxenmisc*, xen-utils-*) and apt has no candidate for libxen-dev: cannot tell which Xen to build on (name one with --version)" ;;
    esac
    echo "$v"
}
# tree_version DIR: upstream-X.Y.Z of the Xen tree DIR (xen/Makefile)
tree_version() {
    v=$(sed -n 's/^export XEN_VERSION *= *\([0-9]*\)$/\1/p' "$1/xen/Makefile")
    sv=$(sed -n 's/^export XEN_SUBVERSION *= *\([0-9]*\)$/\1/p' "$1/xen/Makefile")
    ev=$(sed -n 's/^export XEN_EXTRAVERSION *?= *\([.0-9]*\).*/\1/p' "$1/xen/Makefile")
    [ -n "$v" ] && [ -n "$sv" ] ||
        die "$1/xen/Makefile names no XEN_VERSION and XEN_SUBVERSION: give the version with --version"
    echo "upstream-$v.$sv$ev"
}
if [ -n "$SOURCE_TREE" ]; then
    [ -n "$XEN_VERSION" ] || XEN_VERSION=$(tree_version "$SOURCE_TREE")
    XEN_VERSION_FROM="the tree $SOURCE_TREE"
elif [ -n "$XEN_VERSION" ]; then
    XEN_VERSION_FROM="named with --version"
elif [ -n "$(installed_xen)" ]; then
    XEN_VERSION_FROM="the version this host runs"
else
    XEN_VERSION_FROM="apt's candidate of libxen-dev"
fi
XEN_VERSION=$(host_xen_version) || exit 1
# the release's major.minor (4.17), which names Debian's per-version
# packages, library sonames and paths (/usr/lib/xen-4.17)
XEN_MM=$(echo "${XEN_VERSION#upstream-}" | sed -n 's/^\([0-9]*:\)\{0,1\}\([0-9][0-9]*\.[0-9][0-9]*\)[.~+-].*/\2/p')
[ -n "$XEN_MM" ] ||
    die "xen version '$XEN_VERSION' does not start with MAJOR.MINOR"

# Per Xen release: its series and work dir and, for a release other than
# the host's Debian's, the Debian release whose suites have its source
SERIES_DIR=$REPO/patches/xen
XEN_CODENAME=
case $XEN_MM in
4.17) ;;
4.20) SERIES_DIR=$REPO/patches/xen-4.20 WORK=$REPO/build/xen-4.20 XEN_CODENAME=trixie ;;
*) die "no series for Xen $XEN_MM (xen $XEN_VERSION, $XEN_VERSION_FROM): patches/xen/ is for 4.17, patches/xen-4.20/ for 4.20; name one of those with --version" ;;
esac
SERIES_NAME=${SERIES_DIR#"$REPO"/}

# deb-src for the release's main and security suites (bookworm and
# bookworm-security on Debian 12), from the mirrors the machine's apt
# configuration uses for them (never a host name of our own): a dom0
# with its security updates runs the security suite's xen
XEN_APT_LIST=/etc/apt/sources.list.d/xen-rdm-xen-build.sources
CODENAME=$(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-bookworm}")
HOST_CODENAME=$CODENAME
# another Debian release's Xen (4.20 on Debian 12: trixie's): its suites,
# in a list of its own, which the host's list never replaces
if [ -n "$XEN_CODENAME" ] && [ "$XEN_CODENAME" != "$CODENAME" ]; then
    CODENAME=$XEN_CODENAME
    XEN_APT_LIST=/etc/apt/sources.list.d/xen-rdm-xen-build-$CODENAME.sources
fi
XEN_SUITES="$CODENAME $CODENAME-security"
xen_source_ok() {
    apt-cache showsrc xen 2>/dev/null | grep -qxF "Version: $XEN_VERSION"
}
xen_apt_list() {
    echo "# Added by xen-rdm scripts/xen-build.sh: Xen's source from the"
    echo "# suites a $CODENAME dom0 takes it from, from the mirrors the"
    echo "# machine's apt configuration uses for them."
    for suite in $XEN_SUITES; do
        uri=$(apt_debian_uri "$suite")
        # a suite apt has no entry for: the archive of the host's own
        # (trixie-security from bookworm-security's)
        [ -n "$uri" ] || [ "$CODENAME" = "$HOST_CODENAME" ] ||
            uri=$(apt_debian_uri "$HOST_CODENAME${suite#"$CODENAME"}")
        [ -n "$uri" ] || continue
        # another release's suite that another list already has as
        # deb-src (trixie, QEMU's source): apt warns of a source
        # configured twice
        if [ "$CODENAME" != "$HOST_CODENAME" ] &&
            apt_deb_src_entries | grep -qxF "$suite $uri/" &&
            ! grep -qx "Suites: $suite" "$XEN_APT_LIST" 2>/dev/null; then
            continue
        fi
        printf '\nTypes: deb-src\nURIs: %s\nSuites: %s\nComponents: main\n' "$uri" "$suite"
        echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    done
}
ensure_xen_source() {
    # another release's suites are listed even when apt already lists the
    # version (trixie's Sources for QEMU's source): the security suite's
    # archive may serve files the main one does not
    xen_source_ok && [ "$CODENAME" = "$HOST_CODENAME" ] && return
    list=$(xen_apt_list)
    echo "$list" | grep -q '^URIs:' ||
        die "apt has no source for Debian $XEN_SUITES (main): cannot tell which mirror serves Xen's source"
    if [ "$(cat "$XEN_APT_LIST" 2>/dev/null)" != "$list" ]; then
        say "apt source (deb-src $(echo "$list" | sed -n 's/^Suites: //p' | tr '\n' ' ')) in $XEN_APT_LIST"
        echo "$list" | $SUDO tee "$XEN_APT_LIST" >/dev/null
    elif xen_source_ok; then
        return
    fi
    $SUDO apt-get update -q >/dev/null
    xen_source_ok ||
        die "apt serves no xen source $XEN_VERSION from $XEN_SUITES even with $XEN_APT_LIST (the versions it serves: $(apt-cache showsrc xen 2>/dev/null | sed -n 's/^Version: //p' | tr '\n' ' '))"
}

# the source must be fetchable before anything is installed or built:
# an archive's Sources index may list a version whose files its mirror
# does not serve (a mirror of debian-security without sources)
check_source_served() {
    dsc=$WORK/dl/xen_${XEN_VERSION#*:}.dsc
    [ -f "$dsc" ] && return
    bad=$(apt_source_unserved xen "$XEN_VERSION") ||
        die "apt lists no file of the xen source $XEN_VERSION (apt-get source --print-uris xen=$XEN_VERSION)"
    [ -z "$bad" ] && return
    tried=$(apt_deb_src_entries | awk '{ printf "%s%s %s", (NR > 1 ? "; " : ""), $1, $2 }')
    echo "$bad" | sed 's/^/xen-build.sh:   not served: /' >&2
    die "the source of xen $XEN_VERSION ($XEN_VERSION_FROM) cannot be fetched: apt's Sources index lists it, but its archive answers $(echo "$bad" | head -1 | cut -d' ' -f2) for its files (above); apt's deb-src entries: ${tried:-none}. Add a deb-src line for an archive that serves xen $XEN_VERSION (Debian's own, or a mirror with sources) to /etc/apt/sources.list.d/ and run apt-get update, then run this again; or install the device model alone: scripts/install.sh --only qemu"
}

if [ "$LIST_VERSIONS" = 1 ]; then
    ensure_xen_source
    apt-cache showsrc xen 2>/dev/null | sed -n 's/^Version: //p' | sort -u -r -V |
        while read -r v; do
            mm=$(echo "$v" | sed -n 's/^\([0-9]*:\)\{0,1\}\([0-9][0-9]*\.[0-9][0-9]*\)[.~+-].*/\2/p')
            [ "$mm" = "$XEN_MM" ] || continue
            bad=$(apt_source_unserved xen "$v") || bad=unlisted
            if [ -z "$bad" ]; then echo "version $v served"; else echo "version $v unserved"; fi
        done
    exit 0
fi

if [ "$LIST_DEPS" = 1 ]; then
    echo "source xen $XEN_VERSION"
    list_packages $BUILD_DEPS
    needed=0
    xen_source_ok || needed=1
    list_apt_source "$XEN_APT_LIST" "$needed"
    exit 0
fi

# Sets DSC after download + sha256 check against the signed Sources index
fetch_source() {
    got=$(apt_source_fetch xen "$XEN_VERSION" "$WORK/dl") || exit 1
    DSC=${got% *} have=${got#* }
    say "Xen source: Debian xen $XEN_VERSION (.dsc sha256 $have)"
}

extract_source() {
    PRISTINE=$WORK/pristine-$XEN_VERSION
    [ -f "$PRISTINE/.xen-rdm-extracted" ] && return
    rm -rf "$PRISTINE" "$PRISTINE.tmp"
    say "unpacking with Debian's patches (dpkg-source -x checks the .dsc checksums)"
    dpkg-source -x "$DSC" "$PRISTINE.tmp" >/dev/null ||
        die "dpkg-source -x $DSC failed"
    mv "$PRISTINE.tmp" "$PRISTINE"
    echo "$XEN_VERSION" > "$PRISTINE/.xen-rdm-extracted"
}

# the series' patches in order (only the first $LIMIT when set)
series_patches() {
    [ "$PLAIN" = 1 ] && return
    [ -f "$SERIES_DIR/series" ] || return 0
    k=0
    while read -r p rest; do
        case $p in ''|'#'*) continue ;; esac
        [ -f "$SERIES_DIR/$p" ] || die "$SERIES_NAME/series names $p, which does not exist"
        k=$((k + 1))
        [ -n "$LIMIT" ] && [ "$k" -gt "$LIMIT" ] && break
        echo "$p"
    done < "$SERIES_DIR/series"
}

# apply_series [FROM_TREE]: the series (its first $LIMIT patches) applied
# to a scratch copy of the pristine files it touches and of those listed
# in FROM_TREE/.xen-rdm-touched, in $new ($WORK/series-tree.PID: one per
# run, as --check may run beside a build); sets $files.
# Fails naming the patch that does not apply.
apply_series() {
    new=$WORK/series-tree.$$
    rm -rf "$new"; mkdir -p "$new"
    files=$(
        [ -n "${1:-}" ] && cat "$1/.xen-rdm-touched" 2>/dev/null
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
            rm -rf "$new"
            die "our patch $n ($p) does not apply to Debian xen $XEN_VERSION: the series needs porting to it (docs/xen-libxl.rst), or build on a version it applies to with --version"
        }
        [ "$QUIET_APPLY" = 1 ] || say "applied patch $n: $p"
    done
}
QUIET_APPLY=0

# The source tree: a full copy of the pristine tree of $XEN_VERSION once
# (again when the version changes), then only the files any version of
# the series touched are kept equal to pristine + series, by content
prepare_tree() {
    fresh=0
    [ "$(cat "$SRC/.xen-rdm-copied" 2>/dev/null)" = "$XEN_VERSION" ] || fresh=1
    if [ "$fresh" = 1 ]; then apply_series; else apply_series "$SRC"; fi
    if [ "$fresh" = 1 ]; then
        rm -rf "$SRC" "$SRC.tmp"
        say "copying the pristine tree of $XEN_VERSION to $SRC"
        cp -a "$PRISTINE" "$SRC.tmp"
        # Debian's patches delete the generated autotools files
        cp /usr/share/autoconf/build-aux/config.guess /usr/share/autoconf/build-aux/config.sub "$SRC.tmp/"
        (cd "$SRC.tmp" && ./autogen.sh >/dev/null) || die "autogen.sh failed in $SRC.tmp"
        mv "$SRC.tmp" "$SRC"
        echo "$XEN_VERSION" > "$SRC/.xen-rdm-copied"
    fi
    touched=$SRC/.xen-rdm-touched
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
if [ -n "$SOURCE_TREE" ]; then
    [ "$DO_DEPS" = 1 ] && [ "$CHECK" = 0 ] && ensure_deps
    PRISTINE=$SOURCE_TREE
    say "Xen source: the tree $SOURCE_TREE ($XEN_VERSION), not Debian's"
else
    ensure_xen_source
    check_source_served
    [ "$DO_DEPS" = 1 ] && [ "$CHECK" = 0 ] && ensure_deps
    fetch_source
    extract_source
fi
# the whole series must apply before anything is built
apply_series
if [ "$CHECK" = 1 ]; then
    rm -rf "$new"
    say "the series ($(series_patches | wc -l) patches) applies to Debian xen $XEN_VERSION"
    exit 0
fi
QUIET_APPLY=1
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
    --localstatedir=/var --with-libexec-leaf-dir=xen-$XEN_MM --disable-blktap1
    --disable-blktap2 --disable-qemu-traditional --disable-rombios
    --with-system-qemu=/usr/libexec/xen-qemu-system-i386 --enable-ovmf
    --with-system-ovmf=/usr/share/ovmf/OVMF.fd
    --with-system-seabios=/usr/share/seabios/bios-256k.bin"
# hvmloader's SMBIOS BIOS date, as debian/rules sets it: the changelog's
# (a tree without one, --source-tree's, leaves it to hvmloader's Makefile)
if [ -f "$PRISTINE/debian/changelog" ]; then
    export SMBIOS_REL_DATE
    SMBIOS_REL_DATE=$(LC_ALL=C date -u -d "$(dpkg-parsechangelog -l "$PRISTINE/debian/changelog" -S Date)" +%m/%d/%Y)
fi
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
for l in light/libxenlight.so.$XEN_MM.0 util/libxlutil.so.$XEN_MM.0; do
    b=$(basename "$l")
    cp "$SRC/tools/libs/$l" "$OUT/$b.new" && mv "$OUT/$b.new" "$OUT/$b"
    nm -D --defined-only "$OUT/$b" | awk '{ print $NF }' | sort > "$OUT/${b%%.so*}.symbols"
done
runpath=$(xl_runpath "$SRC/tools/xl/xl")
[ "$runpath" = "$XL_RUNPATH" ] ||
    die "$SRC/tools/xl/xl has RUNPATH '$runpath', not $XL_RUNPATH: remove it and build again"
cp "$SRC/tools/xl/xl" "$OUT/xl.new" && mv "$OUT/xl.new" "$OUT/xl"
# stripped as Debian's (dh_strip), to install in place of xen-utils-$XEN_MM's
strip --remove-section=.comment --remove-section=.note -o "$OUT/hvmloader.new" \
    "$SRC/tools/firmware/hvmloader/hvmloader" && mv "$OUT/hvmloader.new" "$OUT/hvmloader"
(cd "$SRC/tools" && cp include/libxl.h include/_libxl_types.h include/_libxl_list.h \
    include/libxlutil.h "$OUT/" 2>/dev/null) || true
echo "$XEN_VERSION" > "$OUT/version"
echo "XEN_OUT=$OUT"
