# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: one RMRR at 128 MiB (Xen needs a device scope for every
# rmrr= range: 00:1f.3, the q35 SMBus controller, not passed through),
# guest with 256 MiB, rdm="strategy=host" and rdm_mem_boundary=100 (MiB):
# the RMRR lies above the boundary inside guest low RAM, so libxl moves
# lowmem_end down to 128 MiB and the other 128 MiB above 4 GiB
# (highmem_end 0x108000000).
#
# Baseline (a device model that does not answer query-xen-rdm, i.e.
# unmodified QEMU): it still maps guest RAM (xen.ram) from 0 to 256 MiB,
# over the RMRR and over the hole libxl left, and has no RAM above 4 GiB.
# Our QEMU, started exactly as libxl starts it (our libxl series passes
# the guest's RDM settings and checks QEMU's layout; Debian's libxl passes
# none), reads the layout libxc populated from the guest's hvm_info_table:
# its RAM matches libxl's layout.
DESC="host RMRR at 128 MiB above rdm_mem_boundary: libxl moves lowmem_end"
XEN_RMRR="0x8000-0x800f=0:1f.3"
GUEST_CFG='memory = 256
maxmem = 256
rdm = "strategy=host"
rdm_mem_boundary = 100'
EXPECT_CREATE=ok

# everything but what libxl told the device model (pc-machine-moves-lowmem
# runs them too)
check_lowmem_128m() {
    check "Xen took the RMRR for 00:1f.3 (xl dmesg: Adding RMRR ... [8000-800f])" \
        grep -qE 'Adding RMRR for 1 device \(\[0\]: 0xfb\) range \[8000-800f\]' xl-dmesg-boot.txt
    # the table the admin's tool reads in dom0
    check "dom0 sees the DMAR table as RMAD (Xen's acpi_dmar_zap), not as DMAR" \
        eval 'grep -qx RMAD dom0-acpi-tables.txt && ! grep -qx DMAR dom0-acpi-tables.txt'
    check "xen-rdm-plan reads dom0's RMAD table" \
        eval '"$REPO/build/xen-rdm-plan" --dmar dom0-acpi-RMAD.dat --memory 256M > dom0-acpi-RMAD.plan 2>&1'
    check "guest reported its memory map" grep -q E2E-GUEST-END guest-serial.log
    # libxl's layout, as the guest kernel sees it
    echo "# $SCENARIO: guest kernel's /sys/firmware/memmap:"
    grep '^memmap ' guest-serial.log | diag
    # SeaBIOS reserves the last page(s) of low RAM for its tables, so the
    # guest sees one Reserved entry from just below 128 MiB over the RMRR
    check_lowmem_moved 0x8000000 0x800ffff 0x8000000 0x108000000 0x10000000
    # SeaBIOS reserves the last page(s) of low RAM for its tables, so the
    # guest sees one Reserved entry from just below 128 MiB over the RMRR
    check "guest e820: low RAM ends below 128 MiB (libxl lowmem_end 0x8000000; SeaBIOS takes the last pages)" \
        eval 't=$(guest_ram_top_below_4g); [ -n "$t" ] && [ $((t)) -lt $((0x8000000)) ] && [ $((t)) -ge $((0x7f00000)) ]'
    # the device model's RAM (QMP info mtree -f)
    check "QMP info mtree -f answered with guest RAM (xen.ram) ranges" mtree_has_ram qmp-mtree-f.json
    echo "# $SCENARIO: device model xen.ram ranges:"
    mtree_ram qmp-mtree-f.json | diag
    if [ "$RDM_AWARE" = 0 ]; then
        check "baseline (unmodified QEMU): xen.ram maps over the RMRR at 0x8000000" \
            mtree_ram_covers qmp-mtree-f.json 0x8000000
        check "baseline (unmodified QEMU): xen.ram goes up to 256 MiB (all of -m below 4g), past libxl's lowmem_end" \
            [ "$(mtree_ram_max_end qmp-mtree-f.json)" = 0xfffffff ]
        check "baseline (unmodified QEMU): no RAM region above 4 GiB, where libxl put 128 MiB" \
            eval 'mtree_has_ram qmp-mtree-f.json && ! mtree_ram_covers qmp-mtree-f.json 0x100000000'
    else
        check_dm_follows_libxl 0x8000000 0x108000000 0x8000000
    fi
}

checks() {
    check_lowmem_128m
    check_libxl_told_dm host relaxed 100*1024*1024
}
