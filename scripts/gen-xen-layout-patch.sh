#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Write the libxl patch that adds the split layout's arithmetic to
# libxenlight: a copy of hw/xen/xen-rdm-layout.c and
# include/hw/xen/xen-rdm-layout.h as tools/libs/light/libxl_rdm_layout.c
# and .h, byte for byte but the .c file's line that includes the header
# (libxl has no hw/xen/ directory).  One implementation of the layout,
# shared by QEMU, the xen-rdm-plan tool and libxl (docs/rdm-design.rst,
# "The split layout's arithmetic"); this script is the only way the copy
# is made, so the patch cannot drift from the repository's sources.
#
# usage: scripts/gen-xen-layout-patch.sh [--check]
#
#   (none)    write patches/xen/0009-libxl-add-the-split-RDM-layout-s-arithmetic.patch
#   --check   write nothing; exit 1, naming the difference, when the
#             committed patch is not what the sources give (run by the
#             unit tests)
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
NAME=0009-libxl-add-the-split-RDM-layout-s-arithmetic.patch
PATCH=$REPO/patches/xen/$NAME
CHECK=0
case ${1:-} in
--check) CHECK=1 ;;
'') ;;
*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

SRC_C=$REPO/hw/xen/xen-rdm-layout.c
SRC_H=$REPO/include/hw/xen/xen-rdm-layout.h
INC_FROM='#include "hw/xen/xen-rdm-layout.h"'
INC_TO='#include "libxl_rdm_layout.h"'
[ "$(grep -cxF "$INC_FROM" "$SRC_C")" = 1 ] || {
    echo "gen-xen-layout-patch.sh: $SRC_C must include its header exactly once as: $INC_FROM" >&2
    exit 1
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/tools/libs/light"
cp "$SRC_H" "$TMP/tools/libs/light/libxl_rdm_layout.h"
awk -v from="$INC_FROM" -v to="$INC_TO" '$0 == from { print to; next } { print }' \
    "$SRC_C" > "$TMP/tools/libs/light/libxl_rdm_layout.c"

# a new file as git format-patch writes it
new_file() {
    f=$1
    n=$(wc -l < "$TMP/$f")
    printf 'diff --git a/%s b/%s\nnew file mode 100644\n' "$f" "$f"
    printf 'index 0000000..%s\n' "$(git hash-object "$TMP/$f" | cut -c1-7)"
    printf -- '--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%s @@\n' "$f" "$n"
    sed 's/^/+/' "$TMP/$f"
}

{
    # the Makefile hunk, on Debian's xen 4.17.5+72-g01140da4e8-1 (no
    # earlier patch of the series touches this Makefile)
    cat <<'EOF'
diff --git a/tools/libs/light/Makefile b/tools/libs/light/Makefile
--- a/tools/libs/light/Makefile
+++ b/tools/libs/light/Makefile
@@ -107,10 +107,17 @@ OBJS-y += libxl_vsnd.o
 OBJS-y += libxl_vkb.o
 OBJS-y += libxl_genid.o
 OBJS-y += _libxl_types.o
 OBJS-y += libxl_flask.o
 OBJS-y += _libxl_types_internal.o
+OBJS-y += libxl_rdm_layout.o
+
+# libxl_rdm_layout.[ch] are shared with other programs as they are, so
+# they cannot say _hidden: keep their functions out of libxenlight's ABI
+# this way.
+CFLAGS_libxl_rdm_layout.o += -fvisibility=hidden
+CFLAGS_libxl_rdm_layout.opic += -fvisibility=hidden
 
 ifeq ($(CONFIG_LIBNL),y)
 CFLAGS_LIBXL += $(LIBNL3_CFLAGS)
 endif
 CFLAGS_LIBXL += -Wshadow
EOF
    new_file tools/libs/light/libxl_rdm_layout.c
    new_file tools/libs/light/libxl_rdm_layout.h
} > "$TMP/diff"

# its place in the series: "[PATCH 09/NN]", NN the number of patches
total=$(grep -cv '^[[:space:]]*\(#\|$\)' "$REPO/patches/xen/series")
{
    cat <<EOF
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: xen-rdm project <xen-rdm@localhost>
Date: Tue, 1 Dec 2026 17:00:00 +0000
Subject: [PATCH 09/$total] libxl: add the split RDM layout's arithmetic
EOF
    cat <<'EOF'

libxl can keep reserved device memory (RDM) out of guest RAM only by
moving the end of low RAM, and only for regions above rdm_mem_boundary;
any other region that guest RAM covers is refused (strict) or left in
RAM (relaxed).  A layout that punches a hole for each region, below or
above 4 GiB, keeps every region free and loses no RAM: the "split"
layout of the device model's RDM planner.

libxl and the device model must reach exactly the same layout, because
libxl populates the guest and the device model maps what it populated
and checks it.  So instead of a second implementation, this adds the
planner's own arithmetic, as its project builds it into QEMU: cut the
regions at the fixed platform areas (the first MiB, the firmware area
below 4 GiB), merge them, place RAM around the holes, write the e820
map.  The two files are plain C99, include nothing but the C library
and allocate nothing (the caller owns every array); they are licensed
LGPL-2.1-or-later.  They are copied byte for byte (but the .c file's
include of its own header) by the project's
scripts/gen-xen-layout-patch.sh, which is how this patch is made, so
fixes go to the project's sources first.

Since the files cannot carry _hidden, they are built with
-fvisibility=hidden: libxenlight exports no new symbol.  Nothing calls
them yet.

Signed-off-by: xen-rdm project <xen-rdm@localhost>
---
EOF
    (cd "$TMP" && git apply --stat --summary diff 2>/dev/null | sed 's/^/ /; s/^  / /') || true
    echo
    cat "$TMP/diff"
    printf -- '-- \n2.39.5\n\n'
} > "$TMP/patch"

if [ "$CHECK" = 1 ]; then
    if ! cmp -s "$TMP/patch" "$PATCH"; then
        echo "patches/xen/$NAME is not what scripts/gen-xen-layout-patch.sh makes of" \
             "hw/xen/xen-rdm-layout.c and include/hw/xen/xen-rdm-layout.h; run it:" >&2
        diff -u "$PATCH" "$TMP/patch" | head -40 >&2 || true
        exit 1
    fi
    echo "patches/xen/$NAME is current"
    exit 0
fi
cp "$TMP/patch" "$PATCH"
echo "wrote patches/xen/$NAME"
