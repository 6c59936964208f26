#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Configure (once) and build the project in build/ with the system
# compiler; with --fuzz also a clang build in build-fuzz/ for the
# libFuzzer targets.
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

"$REPO/scripts/setup.sh"
if [ ! -f build/build.ninja ]; then
    meson setup build >/dev/null
fi
ninja -C build >/dev/null
if [ "${1:-}" = --fuzz ]; then
    if [ ! -f build-fuzz/build.ninja ]; then
        CC=clang meson setup build-fuzz >/dev/null
    fi
    ninja -C build-fuzz >/dev/null
fi
