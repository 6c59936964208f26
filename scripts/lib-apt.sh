# SPDX-License-Identifier: GPL-2.0-or-later
#
# apt helpers shared by scripts/setup.sh and scripts/qemu-build.sh (POSIX
# sh; source it).  The callers set SUDO ("" as root, else "sudo").
#
# Both need bookworm-backports: QEMU 10.0 needs meson >= 1.5, and the
# project is built with that same meson so that one build directory never
# meets two meson versions.

: "${QEMU_SERIES_PREFIX:=1:10.0.}"
APT_LIST=/etc/apt/sources.list.d/xen-rdm-qemu-build.sources

apt_die() {
    echo "error: $*" >&2
    exit 1
}

pkg_installed() {
    dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'
}

meson_ok() {
    v=$(/usr/bin/meson --version 2>/dev/null) || return 1
    [ "$(printf '%s\n1.5.0\n' "$v" | sort -V | head -1)" = 1.5.0 ]
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
        echo "adding apt sources (deb-src trixie, bookworm-backports) in $APT_LIST"
        $SUDO tee "$APT_LIST" >/dev/null <<'EOS'
# Added by xen-rdm scripts/lib-apt.sh: QEMU 10.0 source from trixie,
# meson >= 1.5 and python3-pycotap from bookworm-backports.
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
    fi
    $SUDO apt-get update -q
    apt_sources_ok ||
        apt_die "apt still serves no QEMU 10.0 source or backports meson after adding $APT_LIST"
}
