# SPDX-License-Identifier: GPL-2.0-or-later
#
# apt helpers shared by scripts/setup.sh, qemu-build.sh, xen-build.sh and
# e2e-prepare.sh (POSIX sh; source it).  Sourcing it sets SUDO: "" as
# root, else "sudo" when there is one (else "": a caller that cannot go on
# without root says so).
#
# Both need bookworm-backports: QEMU 10.0 needs meson >= 1.5, and the
# project is built with that same meson so that one build directory never
# meets two meson versions.

SUDO=
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
fi

: "${QEMU_SERIES_PREFIX:=1:10.0.}"
APT_LIST=/etc/apt/sources.list.d/xen-rdm-qemu-build.sources

apt_die() {
    echo "error: $*" >&2
    exit 1
}

pkg_installed() {
    dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'
}

# list_packages [--from SUITE] PKG...: "package PKG installed|missing
# [SUITE]", one line each (what a build script's --list-deps prints)
list_packages() {
    from=
    [ "$1" = --from ] && { from=" $2"; shift 2; }
    for p in "$@"; do
        if pkg_installed "$p"; then
            echo "package $p installed"
        else
            echo "package $p missing$from"
        fi
    done
}

# apt_install_missing WHO PKG...: install those of PKG... that are not
# installed (no recommends); a machine that never ran apt-get update has
# no package lists yet: update once and try again.  Fails naming them.
apt_install_missing() {
    who=$1; shift
    missing=
    for p in "$@"; do
        pkg_installed "$p" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "$who: installing build dependencies:$missing"
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing || {
        $SUDO apt-get update -q >/dev/null
        # shellcheck disable=SC2086
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
    } || apt_die "$who: cannot install the build dependencies:$missing"
}

# list_apt_source FILE NEEDED: "apt-source FILE present|would-add|not-needed"
# (NEEDED: 1 when the build would add FILE were it absent)
list_apt_source() {
    if [ -f "$1" ]; then
        echo "apt-source $1 present"
    elif [ "$2" = 1 ]; then
        echo "apt-source $1 would-add"
    else
        echo "apt-source $1 not-needed"
    fi
}

meson_ok() {
    v=$(/usr/bin/meson --version 2>/dev/null) || return 1
    [ "$(printf '%s\n1.5.0\n' "$v" | sort -V | head -1)" = 1.5.0 ]
}

# apt_debian_uri [SUITE]: the URI of the Debian archive the machine's apt
# configuration uses for SUITE's main component (default bookworm; e.g.
# bookworm-security, which Debian serves from another archive), never a
# host name of our own: the machine says which mirror it uses.  Without a
# trailing slash; empty when apt has no source for SUITE.
apt_debian_uri_listed() {
    apt-get indextargets --format '$(RELEASE) $(COMPONENT) $(REPO_URI)' 2>/dev/null |
        awk -v s="${1:-bookworm}" '$1 == s && $2 == "main" { sub("/$", "", $3); print $3; exit }'
}
apt_debian_uri() {
    # apt lists its index targets only once it has fetched them: on a
    # machine that never ran apt-get update, fetch them first
    uri=$(apt_debian_uri_listed "${1:-bookworm}")
    if [ -z "$uri" ]; then
        ${SUDO:-} apt-get update -q >/dev/null 2>&1 || true
        uri=$(apt_debian_uri_listed "${1:-bookworm}")
    fi
    echo "$uri"
}

# apt_source_fetch PACKAGE VERSION DIR: PACKAGE's source package VERSION
# (epoch included) in DIR, downloaded with apt-get source unless DIR
# already has it; its .dsc checked against the sha256 of the (signed)
# Sources index.  Prints the .dsc's path and sha256; fails with a reason.
apt_source_fetch() {
    nov=${2#*:}
    dsc=$3/${1}_$nov.dsc
    want=$(apt-cache showsrc "$1" | awk -v v="$2" '
        /^Package:/ { p = 0 }
        $0 == "Version: " v { p = 1 }
        p && /^Checksums-Sha256:/ { c = 1; next }
        p && c && /^ / { print; next }
        { c = 0 }' | awk -v f="${1}_$nov.dsc" '$3 == f { print $1 }' | head -1)
    [ -n "$want" ] || apt_die "no sha256 for ${1}_$nov.dsc in the apt Sources index"
    mkdir -p "$3"
    if [ ! -f "$dsc" ] || [ "$(sha256sum < "$dsc" | cut -d' ' -f1)" != "$want" ]; then
        echo "downloading the $1 source package $2" >&2
        (cd "$3" && apt-get source --download-only -q "$1=$2" >&2) ||
            apt_die "apt-get source $1=$2 failed"
    fi
    have=$(sha256sum < "$dsc" | cut -d' ' -f1)
    [ "$have" = "$want" ] || apt_die "$dsc: sha256 $have, Sources index says $want"
    echo "$dsc $have"
}

# apt_source_uris PACKAGE VERSION: the URIs apt-get source would download
# for PACKAGE's source package VERSION, one a line (none when apt's
# Sources indexes do not list it)
apt_source_uris() {
    apt-get source --print-uris -q "$1=$2" 2>/dev/null | sed -n "s/^'\([^']*\)' .*/\1/p"
}
# uri_status URI: the HTTP status the archive answers a HEAD request of
# URI with (curl, else wget; 000 when it cannot be reached), "?" when it
# cannot tell (another scheme, neither tool)
uri_status() {
    case $1 in http://*|https://*) ;; *) echo "?"; return ;; esac
    if command -v curl >/dev/null 2>&1; then
        curl -s -I -L --max-time 30 -o /dev/null -w '%{http_code}' "$1" || true
    elif command -v wget >/dev/null 2>&1; then
        wget -q --spider -S -T 30 "$1" 2>&1 | awk '/^ *HTTP\//{ c = $2 } END { print c ? c : "000" }'
    else
        echo "?"
    fi
}
# apt_source_unserved PACKAGE VERSION: "URI STATUS" for each file of the
# source package that the archive apt names does not serve (nothing when
# all are served, or when it cannot tell); fails when apt lists no file
# of it at all
apt_source_unserved() {
    uris=$(apt_source_uris "$1" "$2")
    [ -n "$uris" ] || return 1
    for u in $uris; do
        st=$(uri_status "$u")
        case $st in 200|'?') ;; *) echo "$u $st" ;; esac
    done
}
# apt_deb_src_entries: "SUITE URI" of every deb-src entry apt has, one a
# line
apt_deb_src_entries() {
    apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 'Created-By: Sources' 2>/dev/null | sort -u
}

apt_sources_ok() {
    # deb-src for trixie (QEMU 10.0 source) and bookworm-backports binaries
    apt-cache showsrc qemu 2>/dev/null | grep -q "^Version: $QEMU_SERIES_PREFIX" &&
        apt-cache policy 2>/dev/null | grep -q 'n=bookworm-backports,'
}

ensure_apt_sources() {
    if apt_sources_ok; then
        return
    fi
    if [ ! -f "$APT_LIST" ]; then
        uri=$(apt_debian_uri)
        [ -n "$uri" ] ||
            apt_die "apt has no source for Debian bookworm main: cannot tell which Debian mirror to add bookworm-backports and trixie sources from"
        echo "adding apt sources (deb-src trixie, bookworm-backports from $uri) in $APT_LIST"
        $SUDO tee "$APT_LIST" >/dev/null <<EOS
# Added by xen-rdm scripts/lib-apt.sh: QEMU 10.0 source from trixie,
# meson >= 1.5 and python3-pycotap from bookworm-backports, from the
# mirror the machine's bookworm source uses.
Types: deb deb-src
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
    fi
    $SUDO apt-get update -q
    apt_sources_ok ||
        apt_die "apt still serves no QEMU 10.0 source or backports meson after adding $APT_LIST"
}
