#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job: build, then plan a 4 GiB HVM guest with strategy=host for
# this host's DMAR table (RMAD in a Xen dom0) when it can be read, else for
# the bundled sample
# host, in both layouts.  Extra arguments go to xen-rdm-plan (e.g.
# --memory 16G --format json).
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
"$REPO/scripts/build.sh"

# In a Xen dom0 the table is RMAD: Xen renames DMAR for dom0
DMAR=
for t in /sys/firmware/acpi/tables/DMAR /sys/firmware/acpi/tables/RMAD; do
    if [ -r "$t" ] && head -c 4 "$t" >/dev/null 2>&1; then
        DMAR=$t
        break
    fi
done
if [ -n "$DMAR" ]; then
    echo "== this host's DMAR table ($DMAR)"
else
    echo "== no readable DMAR (or, in a Xen dom0, RMAD) table in /sys/firmware/acpi/tables: using the bundled sample host"
    DMAR=$REPO/build/sample-host-dmar.dat
fi

rc=0
for layout in compat split; do
    echo
    echo "== xen-rdm-plan --dmar $DMAR --memory 4G --strategy host --layout $layout $*"
    "$REPO/build/xen-rdm-plan" --dmar "$DMAR" --memory 4G --strategy host \
        --layout "$layout" "$@" || rc=$?
done
exit $rc
