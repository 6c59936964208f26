#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# libxl's RDM functions of the tree built with our Xen series
# (scripts/xen-build.sh, build/xen/src) on the host: dm_rdm_machine_opts()
# (what the device model is told, libxl_dm.c),
# pci_add_qmp_check_rdm_cb() (what xl pci-attach does with the answer to
# xen-rdm-check-device, libxl_pci.c) and device_model_probe_cmdline()
# (what libxl_dm.c's command line probe finds: -run-with, xen-rdm),
# taken out of the patched files by tests/xen/extract-c-function.sh, and
# the arguments libxl__build_device_model_args_new() gives for
# dm_restrict's chroot and device_model_user, by
# tests/xen/extract-c-block.sh; all built in
# tests/xen/test-libxl-rdm-dm.c against the tree's libxl.h and
# libxenlight.  Prints TAP.  XEN_RELEASE=4.20 tests the 4.20 build
# (build/xen-4.20/).
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
# XEN, SRC, OUT, SO, SERIES (XEN_RELEASE=4.20: the 4.20 build)
. "$REPO/tests/xen/lib-xen-release.sh"
T=$XEN/test/libxl-rdm
LIGHT=$SRC/tools/libs/light
[ -f "$OUT/libxenlight.so.$SO.0" ] && [ -f "$LIGHT/libxl_dm.c" ] ||
    { echo "Bail out! no libxenlight built in $OUT: run scripts/xen-build.sh"; exit 1; }
mkdir -p "$T/lib"
ln -sf "$OUT/libxenlight.so.$SO.0" "$T/lib/libxenlight.so.$SO"
{
    "$REPO/tests/xen/extract-c-function.sh" "$LIGHT/libxl_dm.c" dm_rdm_machine_opts \
        device_model_probe_cmdline overlaps_rdm qmp_map_get_u64 qmp_ram_range_get \
        qmp_ram_ranges_str rdm_libxl_ram_str rdm_libxl_has_start rdm_check_ram_built \
        rdm_check_ram_restored rdm_check_regions device_model_check_rdm
    "$REPO/tests/xen/extract-c-function.sh" "$LIGHT/libxl_pci.c" pci_add_read_rdm_check \
        pci_add_qmp_check_rdm_cb
} > "$T/libxl-functions.c" || { echo "Bail out! the functions are not in $LIGHT"; exit 1; }
"$REPO/tests/xen/extract-c-block.sh" "$LIGHT/libxl_dm.c" 'Add "-chroot [dir]" to command-line' \
    > "$T/libxl-dm-chroot.c" &&
"$REPO/tests/xen/extract-c-block.sh" "$LIGHT/libxl_dm.c" 'if (state->dm_runas) {' \
    > "$T/libxl-dm-runas.c" ||
    { echo "Bail out! libxl_dm.c has no chroot or runas arguments"; exit 1; }
cc -O1 -g -Wall -Werror -Wno-unused-parameter -I"$SRC/tools/include" -Wl,-rpath-link,"$LIBDIRS" \
    -DLIBXL_FUNCTIONS="\"$T/libxl-functions.c\"" \
    -DLIBXL_DM_CHROOT="\"$T/libxl-dm-chroot.c\"" -DLIBXL_DM_RUNAS="\"$T/libxl-dm-runas.c\"" -o "$T/test-libxl-rdm-dm" \
    "$REPO/tests/xen/test-libxl-rdm-dm.c" "$OUT/libxenlight.so.$SO.0"
libs=$T/lib:$LIBDIRS
echo "# libxl's RDM settings for the device model, its hot-plug check and the probe's -run-with, with $SERIES"
LD_LIBRARY_PATH=$libs "$T/test-libxl-rdm-dm"
