#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install our QEMU as the Xen host's default device model, our xl with
# a private libxl (the Xen series) and our hvmloader, on a Debian 12 Xen
# host (dom0), and take them out again.  See docs/install.rst.
#
# usage: scripts/install.sh [--dry-run] [--uninstall] [--no-build]
#                           [--only qemu|libxl]
#        scripts/install.sh --status
#
#   --dry-run    print what it would build, every apt source and package
#                the build would add, and every file it would add, divert
#                or remove, and do nothing (no root, no build needed)
#   --uninstall  remove what an install added and give Debian's files
#                back their names (dpkg-divert --remove); lists what the
#                builds added and it leaves (apt sources, packages, build/)
#   --no-build   install what build/ already has (default: build it
#                first with scripts/qemu-build.sh and scripts/xen-build.sh)
#   --only PART  only the device model (qemu) or only the Xen series
#                (libxl: the private libraries, xl and hvmloader)
#   --status     what is installed, from which Debian versions, and
#                whether it is stale (scripts/xen-rdm-check.sh --status;
#                exit 0 up to date, 1 stale, 2 nothing installed, 3
#                cannot tell); no root needed
#
# Files another package owns are never overwritten: Debian's are renamed
# with dpkg-divert (PATH to /usr/lib/xen-rdm/diverted/PATH, a directory
# the dynamic linker never searches) and ours take their path, so apt
# upgrades of those packages go to the renamed files and `dpkg -S` says
# what happened.  Debian's libxenlight and libxlutil are not touched:
# the series changes libxl's ABI within the soname libxenlight.so.4.17,
# so ours are private to our xl (its RUNPATH), and every other libxl
# client (libvirt, xen-init-dom0) keeps loading Debian's.  Ours are:
#   /usr/local/lib/xen-rdm/qemu-system-x86_64   our QEMU
#   /usr/libexec/xen-qemu-system-i386           a symlink to it: the path
#                                               libxl starts by default
#                                               (Debian's qemu-system-xen
#                                               binary, diverted)
#   /usr/lib/xen-rdm/lib/libxenlight.so.4.17.0  our libxl series, with
#   /usr/lib/xen-rdm/lib/libxlutil.so.4.17.0    their soname links, where
#                                               neither the dynamic linker
#                                               nor ldconfig looks
#   /usr/lib/xen-4.17/bin/xl                    xl built with them, which
#                                               finds them through its
#                                               RUNPATH (xen-utils-4.17's,
#                                               diverted)
#   /usr/lib/xen-4.17/boot/hvmloader            our hvmloader (Debian's,
#                                               xen-utils-4.17's, diverted)
#   /usr/local/lib/xen-rdm/installed            what was installed, with
#                                               sha256 sums, the Debian
#                                               versions of the packages
#                                               whose files it diverted or
#                                               replaced and the clone
#   /usr/local/lib/xen-rdm/check-stale          scripts/xen-rdm-check.sh,
#   /etc/dpkg/dpkg.cfg.d/xen-rdm                which dpkg runs after every
#                                               run (post-invoke): it says
#                                               when one of those packages
#                                               was upgraded or reinstalled
# (4.17: the host's Xen release, MAJOR.MINOR of its xen-utils-*, names
# the packages, paths and sonames.)  The libraries, xl and hvmloader are
# installed only when the host's libxenmisc4.17 and xen-utils-4.17 are
# the version the series was built on (build/xen/out/version with
# --no-build, else the version scripts/xen-build.sh builds: the host's);
# this is checked, and that the series applies to it and its source can
# be fetched (scripts/xen-build.sh --check), before anything is built.
# An install over an earlier install.sh's, which diverted Debian's
# libraries, is refused; --uninstall undoes either.
set -eu

die() { echo "install.sh: error: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }

REPO=$(cd "$(dirname "$0")/.." && pwd)
DRY=0 UNINSTALL=0 BUILD=1 ONLY=
while [ $# -gt 0 ]; do
    case $1 in
    --status) exec "$REPO/scripts/xen-rdm-check.sh" --status ;;
    --dry-run) DRY=1; shift ;;
    --uninstall) UNINSTALL=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --only) [ $# -ge 2 ] || die "--only needs qemu or libxl"; ONLY=$2; shift 2 ;;
    --only=*) ONLY=${1#*=}; shift ;;
    -h|--help) sed -n "3,$(($(grep -n '^set -eu' "$0" | cut -d: -f1) - 1))p" "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
    esac
done
case $ONLY in
''|qemu|libxl) ;;
*) die "--only takes qemu or libxl, not '$ONLY'" ;;
esac
want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

[ "$DRY" = 1 ] || [ "$(id -u)" = 0 ] || die "must run as root (dpkg-divert, files under /usr); --dry-run does not"
command -v dpkg-divert >/dev/null || die "dpkg-divert missing: this is for a Debian host"

ARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
       gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
LIBDIR=/usr/lib/$ARCH
OURDIR=/usr/local/lib/xen-rdm
MANIFEST=$OURDIR/installed
DM_PATH=/usr/libexec/xen-qemu-system-i386
# where Debian's files go (dpkg-divert --divert): outside every
# directory the dynamic linker and ldconfig search
DIVERTED=/usr/lib/xen-rdm/diverted
# where an install.sh before it put them (PATH.debian-xen-rdm), still
# undone by --uninstall
SUFFIX=.debian-xen-rdm
# our libxenlight and libxlutil, private to our xl: its RUNPATH (set by
# scripts/xen-build.sh), outside every directory the dynamic linker and
# ldconfig search
PRIVLIB=/usr/lib/xen-rdm/lib
QEMU_BIN=$REPO/build/qemu/obj/qemu-system-x86_64
XEN_OUT=$REPO/build/xen/out
# the checker dpkg runs after every run, and the file that tells it to
CHECKER=$OURDIR/check-stale
DPKG_HOOK=/etc/dpkg/dpkg.cfg.d/xen-rdm

# The host's Xen release (MAJOR.MINOR: 4.17 on Debian 12, 4.20 on Debian
# 13), which names Debian's per-version packages, paths and sonames: the
# one an install recorded, else that of the installed xen-utils-*, else
# that of the version scripts/xen-build.sh would build
xen_mm_of() { echo "$1" | sed -n 's/^\([0-9]*:\)\{0,1\}\([0-9][0-9]*\.[0-9][0-9]*\)[.~+-].*/\2/p'; }
XMM=$(sed -n 's/^xen-mm //p' "$MANIFEST" 2>/dev/null | tail -1)
[ -n "$XMM" ] || XMM=$(dpkg-query -W -f='${Package} ${Version} ${db:Status-Status}\n' \
        'libxenmisc[0-9]*' 'xen-utils-[0-9]*' 2>/dev/null |
    awk '$1 ~ /^xen-utils-[0-9]/ && $3 == "installed" { sub("^xen-utils-", "", $1); print $1; exit }')
if [ -z "$XMM" ] && want libxl; then
    XMM=$(xen_mm_of "$("$REPO/scripts/xen-build.sh" --list-deps | sed -n 's/^source xen //p')")
fi
[ -n "$XMM" ] || ! want libxl ||
    die "cannot tell the host's Xen release: no xen-utils-* installed and scripts/xen-build.sh names no version (install xen-utils, or use --only qemu)"
MISC_PKG=libxenmisc$XMM UTILS_PKG=xen-utils-$XMM
LIBS="libxenlight.so.$XMM.0 libxlutil.so.$XMM.0"
# xen-utils-4.17's xl (/usr/sbin/xl runs it through xen-utils-wrapper)
XL_PATH=/usr/lib/xen-$XMM/bin/xl
HVMLOADER=/usr/lib/xen-$XMM/boot/hvmloader

run() {
    echo "  $*"
    [ "$DRY" = 1 ] || "$@"
}
# ours_diverted PATH: PATH is diverted by install.sh (either layout)
ours_diverted() {
    to=$(dpkg-divert --truename "$1")
    [ "$to" = "$DIVERTED$1" ] || [ "$to" = "$1$SUFFIX" ]
}
# divert PATH: rename another package's PATH to $DIVERTED/PATH, for good
divert() {
    to=$(dpkg-divert --truename "$1")
    if [ "$to" = "$DIVERTED$1" ]; then
        echo "  (already diverted: $1 -> $to)"
        return
    fi
    [ "$to" != "$1$SUFFIX" ] ||
        die "$1 is diverted to $to, beside it, by an earlier install.sh: run its scripts/install.sh --uninstall, then install again"
    [ "$to" = "$1" ] ||
        die "$1 is diverted to $to by something else than install.sh (dpkg-divert --list $1): remove that diversion first"
    run mkdir -p "$(dirname "$DIVERTED$1")"
    run dpkg-divert --local --rename --divert "$DIVERTED$1" --add "$1"
}
undivert() {
    ours_diverted "$1" || return 0
    run dpkg-divert --local --rename --divert "$(dpkg-divert --truename "$1")" --remove "$1"
}
# build_changes SCRIPT: what scripts/SCRIPT would change in apt
build_changes() {
    "$REPO/scripts/$1" --list-deps | while read -r kind name state from; do
        case $kind:$state in
        package:missing) echo "    apt-get install $name${from:+ (from $from)}" ;;
        apt-source:would-add) echo "    add apt source $name" ;;
        apt-source:present) echo "    apt source $name (there already)" ;;
        esac
    done
}
# build_leftovers SCRIPT: what scripts/SCRIPT added to apt, or may have
build_leftovers() {
    [ -x "$REPO/scripts/$1" ] || {
        echo "    (scripts/$1 is not in this tree: what it added is not listed)"
        return
    }
    "$REPO/scripts/$1" --list-deps | {
        pkgs=
        while read -r kind name state from; do
            case $kind:$state in
            package:installed) pkgs="$pkgs $name" ;;
            apt-source:present) echo "    apt source $name (added by $1)" ;;
            esac
        done
        [ -z "$pkgs" ] || echo "    packages $1 needs, installed by it or before it:$pkgs"
    }
}

if [ "$UNINSTALL" = 1 ]; then
    say "removing our files and giving Debian's back their names"
    if want qemu; then
        [ -L "$DM_PATH" ] && [ "$(readlink "$DM_PATH")" = "$OURDIR/qemu-system-x86_64" ] &&
            run rm -f "$DM_PATH"
        undivert "$DM_PATH"
        [ -e "$OURDIR/qemu-system-x86_64" ] && run rm -f "$OURDIR/qemu-system-x86_64"
    fi
    if want libxl; then
        # the libraries' paths are diverted only by an earlier install.sh
        for p in $(for f in $LIBS; do echo "$LIBDIR/$f"; done) "$XL_PATH" "$HVMLOADER"; do
            if ours_diverted "$p"; then
                run rm -f "$p"
                undivert "$p"
            fi
        done
        for f in $LIBS; do
            run rm -f "$PRIVLIB/$f" "$PRIVLIB/${f%.*}"
        done
    fi
    [ -d "${DIVERTED%/*}" ] && run find "${DIVERTED%/*}" -depth -type d -empty -delete
    # the manifest keeps the other part's lines; with no part left, it
    # goes with the dpkg hook and its checker
    left=
    if [ -n "$ONLY" ] && [ -f "$MANIFEST" ]; then
        left=$(awk -v p="$ONLY" '($1 == "package" || $1 == "file" || $1 == "symlink" || $1 == "diversion" || $1 == "xen-source") && $2 != p { print $2; exit }' "$MANIFEST")
    fi
    if [ -n "$left" ]; then
        echo "  (and $MANIFEST: the lines of $ONLY removed)"
        [ "$DRY" = 1 ] || sed -i -e "/^\(package\|file\|symlink\|diversion\|xen-source\) $ONLY /d" "$MANIFEST"
    else
        [ -e "$DPKG_HOOK" ] && run rm -f "$DPKG_HOOK"
        [ -e "$CHECKER" ] && run rm -f "$CHECKER"
        [ -e "$MANIFEST" ] && run rm -f "$MANIFEST"
        [ -d "$OURDIR" ] && run rmdir --ignore-fail-on-non-empty "$OURDIR"
    fi
    say "left in place: what the builds added (apt-get remove, rm and apt-get update what you do not want):"
    echo "    $REPO/build (the builds)"
    want qemu && build_leftovers qemu-build.sh
    want libxl && build_leftovers xen-build.sh
    [ "$DRY" = 1 ] && say "dry run: nothing was changed" || say "done"
    exit 0
fi

# ------------------------------------------------------------ what to install
# the host is checked before anything is built: the version the series
# is built on (--no-build), else the one scripts/xen-build.sh builds (the
# host's own)
if want libxl; then
    if [ "$BUILD" = 0 ] && [ -f "$XEN_OUT/version" ]; then
        xen_ver=$(cat "$XEN_OUT/version")
    else
        xen_ver=$("$REPO/scripts/xen-build.sh" --list-deps | sed -n 's/^source xen //p')
    fi
    host_ver=$(dpkg-query -W -f='${Version}' $MISC_PKG 2>/dev/null) ||
        die "$MISC_PKG is not installed: no libxl to replace (install $UTILS_PKG, or use --only qemu)"
    [ "$host_ver" = "$xen_ver" ] ||
        die "this host has $MISC_PKG $host_ver, the libxl series is built on xen $xen_ver: our xl would run an older libxl than the host's (use --only qemu)"
    # xl must match the libraries' ABI: Debian's xl cannot run with ours;
    # hvmloader comes with them, built on the same xen
    xl_ver=$(dpkg-query -W -f='${Version}' $UTILS_PKG 2>/dev/null) ||
        die "$UTILS_PKG is not installed: no xl and hvmloader to replace (install it, or use --only qemu)"
    [ "$xl_ver" = "$xen_ver" ] ||
        die "this host has $UTILS_PKG $xl_ver, the libxl series, its xl and hvmloader are built on xen $xen_ver: installing them would replace a newer xl and hvmloader (use --only qemu)"
    dpkg-query -L $UTILS_PKG 2>/dev/null | grep -qxF "$XL_PATH" ||
        die "$UTILS_PKG $xl_ver has no $XL_PATH: it is not laid out as Debian's $XMM (use --only qemu)"
    # an earlier install.sh put our libraries in Debian's place, where
    # every libxl client loads them
    for f in $LIBS; do
        ! ours_diverted "$LIBDIR/$f" ||
            die "$LIBDIR/$f is diverted to $(dpkg-divert --truename "$LIBDIR/$f") by an earlier install.sh, which gave every libxl client (libvirt, xen-init-dom0) our libxl and its changed ABI: run scripts/install.sh --uninstall (it undoes that layout), then install again"
    done
fi
if [ "$BUILD" = 1 ] && [ "$DRY" = 1 ]; then
    say "dry run: it would build (each build changes apt as listed):"
    want qemu && { echo "  scripts/qemu-build.sh: $QEMU_BIN"; build_changes qemu-build.sh; }
    want libxl && { echo "  scripts/xen-build.sh: $XEN_OUT/ ($LIBS xl hvmloader)"; build_changes xen-build.sh; }
elif [ "$BUILD" = 1 ]; then
    # the series must apply to the host's Xen before any build starts
    want libxl && { "$REPO/scripts/xen-build.sh" --check ||
        die "scripts/xen-build.sh --check refused this host's Xen $xen_ver, before any build: its source cannot be fetched or the series does not apply to it (the reason and the fix above; or use --only qemu)"; }
    want qemu && { "$REPO/scripts/qemu-build.sh" || die "scripts/qemu-build.sh failed"; }
    want libxl && { "$REPO/scripts/xen-build.sh" || die "scripts/xen-build.sh failed"; }
fi
# built (a dry run that would build them lists them as they will be)
if [ "$BUILD" = 0 ] || [ "$DRY" = 0 ]; then
    if want qemu; then
        [ -x "$QEMU_BIN" ] || die "$QEMU_BIN is not built (scripts/qemu-build.sh, or leave out --no-build)"
    fi
    if want libxl; then
        for f in $LIBS xl hvmloader; do
            [ -f "$XEN_OUT/$f" ] || die "$XEN_OUT/$f is not built (scripts/xen-build.sh, or leave out --no-build)"
        done
        # xl must find the private libraries (readelf: binutils, not on
        # every dom0; the install checks with ldd too)
        if command -v readelf >/dev/null; then
            rp=$(readelf -d "$XEN_OUT/xl" | sed -n 's/.*(RUNPATH) *Library runpath: \[\(.*\)\]$/\1/p')
            [ "$rp" = "$PRIVLIB" ] ||
                die "$XEN_OUT/xl has RUNPATH '$rp', not $PRIVLIB: it would load Debian's libxenlight (built by an older scripts/xen-build.sh: run it again, or leave out --no-build)"
        fi
    fi
fi

[ "$DRY" = 1 ] && say "dry run: these are the changes, nothing is done" ||
    say "installing"
run mkdir -p "$OURDIR"
if want qemu; then
    run install -m 0755 "$QEMU_BIN" "$OURDIR/qemu-system-x86_64"
    if [ -e "$DM_PATH" ] && ! { [ -L "$DM_PATH" ] && [ "$(readlink "$DM_PATH")" = "$OURDIR/qemu-system-x86_64" ]; }; then
        if dpkg -S "$DM_PATH" >/dev/null 2>&1; then
            divert "$DM_PATH"
        else
            die "$DM_PATH exists and no package owns it: not touching it"
        fi
    fi
    run ln -sfn "$OURDIR/qemu-system-x86_64" "$DM_PATH"
fi
if want libxl; then
    run mkdir -p "$PRIVLIB"
    for f in $LIBS; do
        run install -m 0644 "$XEN_OUT/$f" "$PRIVLIB/$f"
        run ln -sfn "$f" "$PRIVLIB/${f%.*}"
    done
    divert "$XL_PATH"
    run install -m 0755 "$XEN_OUT/xl" "$XL_PATH"
    divert "$HVMLOADER"
    run install -m 0644 "$XEN_OUT/hvmloader" "$HVMLOADER"
    # our xl loads ours, from the private directory
    if [ "$DRY" = 0 ]; then
        for f in $LIBS; do
            got=$(ldd "$XL_PATH" | sed -n "s|^[[:space:]]*${f%.*} => \([^ ]*\) .*|\1|p")
            [ "$got" = "$PRIVLIB/${f%.*}" ] ||
                die "$XL_PATH loads ${f%.*} from '$got', not $PRIVLIB (ldd $XL_PATH): scripts/install.sh --uninstall, then rebuild with scripts/xen-build.sh"
        done
    fi
fi
# the checker and the dpkg hook that runs it after every dpkg run
run install -m 0755 "$REPO/scripts/xen-rdm-check.sh" "$CHECKER"
hook_text() {
    echo "# Added by xen-rdm scripts/install.sh; scripts/install.sh --uninstall removes it."
    echo "# After every dpkg run: say (stderr) when a package whose files it diverted"
    echo "# or replaced was upgraded or reinstalled, and how to rebuild; never fails."
    echo "post-invoke=\"if [ -x $CHECKER ]; then $CHECKER --hook; fi || true\""
}
run mkdir -p "${DPKG_HOOK%/*}"
echo "  write $DPKG_HOOK: $(hook_text | tail -1)"
[ "$DRY" = 1 ] || hook_text > "$DPKG_HOOK"
# part_lines PART: the manifest's lines of PART as installed now
part_lines() {
    if [ "$1" = qemu ]; then
        "$REPO/scripts/xen-rdm-check.sh" --record qemu qemu-system-xen
        echo "file qemu $(sha256sum < "$OURDIR/qemu-system-x86_64" | cut -d' ' -f1) $OURDIR/qemu-system-x86_64"
        echo "symlink qemu $DM_PATH $OURDIR/qemu-system-x86_64"
        ! ours_diverted "$DM_PATH" || echo "diversion qemu $DM_PATH $(dpkg-divert --truename "$DM_PATH")"
    else
        echo "xen-source libxl $(cat "$XEN_OUT/version")"
        "$REPO/scripts/xen-rdm-check.sh" --record libxl "$UTILS_PKG" "$MISC_PKG"
        for f in $(for l in $LIBS; do echo "$PRIVLIB/$l"; done) "$XL_PATH" "$HVMLOADER"; do
            echo "file libxl $(sha256sum < "$f" | cut -d' ' -f1) $f"
        done
        for f in "$XL_PATH" "$HVMLOADER"; do
            echo "diversion libxl $f $(dpkg-divert --truename "$f")"
        done
    fi
}
if [ "$DRY" = 0 ]; then
    {
        echo "# installed by xen-rdm scripts/install.sh; read by scripts/install.sh --status and $CHECKER"
        # (the format of dpkg's log, which the checker compares it with)
        echo "installed-at $(date '+%Y-%m-%d %H:%M:%S')"
        echo "clone $REPO"
        echo "xen-mm $XMM"
        echo "hook $DPKG_HOOK"
        for part in qemu libxl; do
            if want "$part"; then
                part_lines "$part"
            elif [ -f "$MANIFEST" ]; then
                # the other part, as an earlier install recorded it
                awk -v p="$part" '$1 != "installed-at" && $1 != "clone" && $1 != "xen-mm" && $1 != "hook" && $2 == p' "$MANIFEST"
            fi
        done
    } > "$MANIFEST.new"
    mv "$MANIFEST.new" "$MANIFEST"
    say "done: $MANIFEST lists it; scripts/install.sh --uninstall takes it out"
else
    echo "  (and $MANIFEST: what was installed, with the Debian versions of$(want qemu && echo " qemu-system-xen")$(want libxl && echo " $UTILS_PKG $MISC_PKG") now$(want libxl && echo " and the Xen version the series is built on"))"
fi
