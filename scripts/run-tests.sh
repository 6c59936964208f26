#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run every test of the project: unit tests, the tool's tests, the
# real-DMAR corpus test (skips with a message when ../shared/corpus/dmar
# is absent), the libFuzzer targets briefly, and the benchmarks (which
# print figures and assert nothing about speed).
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

"$REPO/scripts/build.sh" --fuzz

echo "== unit, tool and corpus tests"
meson test -C build --print-errorlogs --no-rebuild \
    --suite unit --suite tool --suite corpus
echo "== corpus summary"
grep -h '^# corpus:' build/meson-logs/testlog.txt || true

echo "== fuzzers (short runs)"
meson test -C build-fuzz --print-errorlogs --no-rebuild --suite fuzz

echo "== benchmarks"
meson test -C build --benchmark --no-rebuild --verbose --suite bench
