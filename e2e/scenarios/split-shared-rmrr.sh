# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: two devices sharing one RMRR and an RMRR touching it, the
# case users report with USB controllers.  The outer machine's e1000s at
# 00:03.0 and 00:04.0 share an RMRR at 64 MiB (rmrr=0x4000-0x400f=0:3.0,0:4.0),
# and 00:04.0 has a second one right after it (0x4010-0x401f).  The guest
# (384 MiB, mmio_hole=3840) gets both with rdm="layout=split".
#
# Xen assigns a device whose RMRR another device shares only with the
# relaxed flag ("It's disallowed to assign ... with shared RMRR" under
# strict, "risky" under relaxed), so both are passed through with
# rdm_policy=relaxed.  Debian's libxl then leaves both regions, below
# rdm_mem_boundary, in guest RAM (relaxed: ignored), where the devices keep
# doing DMA.  The patched libxl's split layout honours relaxed regions
# too: the regions make one hole of 128 KiB, 2 MiB under HAP (hvmloader
# and the guest see one reserved range), both devices are assigned and
# the guest sees them.
DESC="two devices sharing an RMRR, and an RMRR touching it: one hole, both devices assigned"
XEN_RMRR="0x4000-0x400f=0:3.0,0:4.0;0x4010-0x401f=0:4.0"
OUTER_ARGS="-device e1000,bus=pcie.0,addr=0x3 -device e1000,bus=pcie.0,addr=0x4"
GUEST_CFG='memory = 384
maxmem = 384
mmio_hole = 3840
rdm = "layout=split"
pci = [ "00:03.0,rdm_policy=relaxed", "00:04.0,rdm_policy=relaxed" ]'
EXPECT_CREATE=checks
GUEST_ARGS="e2e_bar=8086:100e"
DOM0_STEPS='pre_create() {
    for d in 00:03.0 00:04.0; do
        timeout 60 xl pci-assignable-add $d; echo "pci-assignable-add $d rc=$?"
    done
}'

checks() {
    check "Xen took the shared RMRR for both devices and the one touching it" \
        eval "grep -qE 'Adding RMRR for 2 device .* range \\[4000-400f\\]' xl-dmesg-boot.txt &&
              grep -qE 'Adding RMRR for 1 device .* range \\[4010-401f\\]' xl-dmesg-boot.txt"
    check "xl create succeeded" [ "$(cat xl-create.rc)" = 0 ]
    check "Xen assigned both devices, sharing the RMRR, as relaxed (xl dmesg: 'risky' for d1, never 'disallowed')" \
        eval "grep -q 'risky to assign 0000:00:03.0 with shared RMRR at 4000000 for d1' xl-dmesg.txt &&
              grep -q 'risky to assign 0000:00:04.0 with shared RMRR at 4000000 for d1' xl-dmesg.txt &&
              ! grep -q 'disallowed to assign' xl-dmesg.txt"
    if [ "$LIBXL_KIND" != patched ]; then
        check "Debian's libxl leaves the regions in guest RAM (relaxed, below the boundary): RAM at 0x4000000" \
            guest_ram_covers 0x4000000
        return
    fi
    if guest_hap; then
        check_split_populated 0x4000000 0x401ffff 0x10000000 0x108200000 0x18000000 0x4200000
    else
        check_split_populated 0x4000000 0x401ffff 0x10000000 0x108020000 0x18000000
    fi
    check_libxc_pages
    check "our QEMU: one region of 128 KiB at 0x4000000 for both devices (query-xen-rdm)" \
        qmp_ret qmp-query-xen-rdm.json "[x for x in r['regions'] if x['start'] == 0x4000000 and x['size'] == 0x20000 and x['status'] == 'reserved' and x['devices'] == ['0000:00:03.0', '0000:00:04.0']]"
    check "libxl added both devices to the device model (two QMP device_add)" \
        [ "$(grep -c "cmd 'device_add'" xl-create.log)" -ge 2 ]
    check "the guest sees an e1000 and its BAR answers ($(guest_io "bar read" word8))" \
        eval 'v=$(guest_io "bar read" word8); [ -n "$v" ] && [ "$v" != 0xffffffff ]'
}
