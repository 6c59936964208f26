#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job: build, then plan a 4 GiB HVM guest with strategy=host for
# this host's DMAR table (RMAD in a Xen dom0) when it can be read, else for
# the bundled sample host, in both layouts; then start our QEMU's Xen
# machine for that guest on a simulated Xen host, as libxl starts it, and
# show its RAM next to unmodified QEMU's (scripts/show-device-model.py).
# Extra arguments go to xen-rdm-plan (e.g. --memory 16G --format json).
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

# The device model: our QEMU on the simulated host (tests/xen-sim), as
# libxl starts it once the guest is populated, next to unmodified QEMU's
# RAM for the same guest
echo
echo "== the device model: QEMU 10.0 with our series on a simulated Xen host, this guest"
echo "(building it with scripts/qemu-build.sh when needed: the first time takes 5-10 minutes; log: build/qemu-build.log)"
"$REPO/scripts/qemu-build.sh" > "$REPO/build/qemu-build.log" 2>&1 || {
    tail -20 "$REPO/build/qemu-build.log" >&2
    echo "run-main.sh: error: scripts/qemu-build.sh failed (log: build/qemu-build.log)" >&2
    exit 2
}
python3 "$REPO/scripts/show-device-model.py" \
    --qemu "$REPO/build/qemu/obj/qemu-system-x86_64" \
    --sim "$REPO/build/tests/xen-sim" --tool "$REPO/build/xen-rdm-plan" \
    --dmar "$DMAR" --memory 4G || rc=$?
exit $rc
