#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Write the files that the patches PATCH... create (each "new file" of
# a git format-patch) into OUTDIR, by their base names; the last patch
# that creates a file wins.  Used by the tests to build libxl's files of
# patches/xen/ outside the Xen tree.
#
# usage: tests/xen/extract-patch-files.sh OUTDIR PATCH...
set -eu
[ $# -ge 2 ] || { echo "usage: $0 OUTDIR PATCH..." >&2; exit 2; }
out=$1; shift
mkdir -p "$out"
for p in "$@"; do
    awk -v out="$out" '
        /^diff --git / { if (file != "") close(file); file = ""; body = 0; created = 0; next }
        /^--- \/dev\/null$/ { created = 1; next }
        /^\+\+\+ b\// && created {
            n = split($2, part, "/"); file = out "/" part[n]
            printf "" > file; next
        }
        file != "" && /^@@ / { body = 1; next }
        file != "" && body && /^-- $/ { close(file); file = ""; next }
        file != "" && body && /^\+/ { print substr($0, 2) > file }
    ' "$p"
done
