#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install what building and testing the project needs on Debian 12, meson
# from bookworm-backports (the version QEMU 10.0 needs too).  Idempotent:
# does nothing when everything is already installed.
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)

# SUDO, pkg_installed, meson_ok, ensure_apt_sources
. "$REPO/scripts/lib-apt.sh"
if [ "$(id -u)" != 0 ] && [ -z "$SUDO" ]; then
    echo "setup.sh: need root (or sudo) to install packages" >&2
    exit 1
fi

# qemu-user: qemu-i386 runs hvmloader's 32-bit e820 test on a kernel that
# runs no i386 program (tests/xen/run-hvmloader-e820-test.sh)
PKGS="ninja-build pkg-config gcc libc6-dev libglib2.0-dev libxen-dev
acpica-tools clang llvm libclang-rt-14-dev python3 jq valgrind
python3-sphinx librsvg2-bin qemu-user"

missing=
for p in $PKGS; do
    pkg_installed "$p" || missing="$missing $p"
done
if [ -z "$missing" ] && meson_ok; then
    exit 0
fi

ensure_apt_sources
$SUDO apt-get update -q
if [ -n "$missing" ]; then
    echo "setup.sh: installing:$missing"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends $missing
fi
if ! meson_ok; then
    echo "setup.sh: installing meson from bookworm-backports"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends -t bookworm-backports meson
fi
meson_ok || apt_die "meson >= 1.5 is needed, /usr/bin/meson is $(/usr/bin/meson --version 2>/dev/null || echo missing)"
