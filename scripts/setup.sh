#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install what building and testing the project needs on Debian 12.
# Idempotent: does nothing when every package is already installed.
set -eu

PKGS="meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev libxen-dev
acpica-tools clang llvm libclang-rt-14-dev python3 jq valgrind"

missing=
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

SUDO=
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
    else
        echo "setup.sh: need root (or sudo) to install:$missing" >&2
        exit 1
    fi
fi
echo "setup.sh: installing:$missing"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
