#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Print the statements of FILE from the first line that contains START (a
# fixed string) to the end of the block they are in: up to, not
# including, the "}" that closes the braces open before START.  Fails,
# naming it, when FILE has no such line.  Used by the tests to build a
# part of a libxl function too large to build whole (e.g. the arguments
# libxl__build_device_model_args_new() gives for dm_restrict) outside
# the Xen tree, with tests/xen/extract-c-function.sh.
#
# usage: tests/xen/extract-c-block.sh FILE START
set -eu
[ $# = 2 ] || { echo "usage: $0 FILE START" >&2; exit 2; }
awk -v start="$2" '
    !inside && index($0, start) { inside = 1; depth = 0 }
    inside {
        line = $0
        opened = gsub(/\{/, "{", line)
        closed = gsub(/\}/, "}", line)
        if (depth + opened - closed < 0) { found = 1; exit }
        depth += opened - closed
        print
    }
    END { if (!found) exit 1 }
' "$1" || { echo "extract-c-block.sh: no block at \"$2\" in $1" >&2; exit 1; }
