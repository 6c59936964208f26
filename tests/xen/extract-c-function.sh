#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Print the definitions of the C functions NAME... of FILE, each from the
# line that starts it (its return type at the start of a line, its name
# followed by "(") to the first "}" at the start of a line after it; a
# declaration (a ";" before any "{") is skipped.  Fails, naming it, when
# a function has no definition in FILE.  Used by the tests to build
# static functions of libxl's files (patches/xen/, applied by
# scripts/xen-build.sh) outside the Xen tree.
#
# usage: tests/xen/extract-c-function.sh FILE NAME...
set -eu
[ $# -ge 2 ] || { echo "usage: $0 FILE NAME..." >&2; exit 2; }
file=$1; shift
for name in "$@"; do
    awk -v name="$name" '
        !inside && $0 ~ "^[a-z].*[ *]" name "\\(" { inside = 1; body = 0; n = 0 }
        inside {
            text[++n] = $0
            if (!body && /;[ \t]*$/ && !/\{/) { inside = 0; next }
            if (/\{/) body = 1
            if (body && /^\}/) {
                for (i = 1; i <= n; i++) print text[i]
                print ""
                found = 1; exit
            }
        }
        END { if (!found) exit 1 }
    ' "$file" || { echo "extract-c-function.sh: no definition of $name in $file" >&2; exit 1; }
done
