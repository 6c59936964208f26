# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: the split layout populated by libxl.  The outer machine's
# e1000 at 00:03.0 gets an RMRR at 96 MiB (rmrr=0x6000-0x6000=0:3.0),
# below rdm_mem_boundary (default 2 GiB) inside guest low RAM, and the
# guest (384 MiB, mmio_hole=3840: RAM below 4 GiB stops at 256 MiB, the
# rest goes above 4 GiB) has it passed through with rdm_policy=strict and
# rdm="layout=split".
#
# Debian's libxl cannot move lowmem_end below a region under the boundary
# and refuses to create the domain ("RDM conflict at 0x6000000"; its xl
# drops the whole rdm= line it cannot parse, layout= included): the
# baseline.  The patched libxl punches a hole at 96 MiB, the region's
# page, or under HAP [96 MiB, 98 MiB): libxc populates [0, 96 MiB),
# [96 MiB + 4 KiB, 256 MiB) and 128 MiB + 4 KiB from 4 GiB, or under HAP
# [0, 96 MiB), [98 MiB, 256 MiB) and 130 MiB from 4 GiB (docs/rdm-design.rst,
# layout split, step 4), the e820 has RAM on both sides of a reserved entry, and our
# QEMU, told xen-rdm.layout=split, maps the same RAM after checking it
# against the frames the hypervisor populated.  In the guest a virtio-blk
# disk does DMA into RAM below the hole, above it and above 4 GiB
# (e2e_dma_hole: the guest I/O program takes pages on both sides of the
# hole), and the e1000's BAR answers through the passthrough.
DESC="strict RMRR at 96 MiB, below rdm_mem_boundary: Debian's libxl refuses; rdm=layout=split boots the guest around a hole"
XEN_RMRR="0x6000-0x6000=0:3.0"
OUTER_ARGS="-device e1000,bus=pcie.0,addr=0x3"
GUEST_CFG='memory = 384
maxmem = 384
mmio_hole = 3840
rdm = "layout=split"
pci = [ "00:03.0,rdm_policy=strict" ]'
EXPECT_CREATE=checks
DM_ARGS='"-drive", "file=/tmp/e2e-disk.img,if=none,id=e2edisk,format=raw", "-device", "virtio-blk-pci,drive=e2edisk"'
GUEST_ARGS="xen_emul_unplug=never nokaslr movablecore=128M e2e_dma=vda e2e_dma_hole=0x6000000 e2e_bar=8086:100e"
DOM0_STEPS='pre_create() {
    truncate -s 8M /tmp/e2e-disk.img && ls -l /tmp/e2e-disk.img
    timeout 60 xl pci-assignable-add 00:03.0; echo "pci-assignable-add rc=$?"
}'

# Xen took the RMRR; with Debian's libxl, which refuses the guest,
# nothing more to check (status 1)
check_rmrr_96m() {
    check "Xen took the RMRR for 00:03.0 (xl dmesg: Adding RMRR ... [6000-6000])" \
        grep -qE 'Adding RMRR for 1 device \(\[0\]: 0x18\) range \[6000-6000\]' xl-dmesg-boot.txt
    [ "$LIBXL_KIND" = patched ] && return 0
    check "Debian's libxl refuses the guest: 'RDM conflict at 0x6000000'" \
        grep -q 'RDM conflict at 0x6000000' xl-create.log
    check "xl create failed and left no guest behind" \
        eval '[ "$(cat xl-create.rc)" != 0 ] && ! grep -q "^e2e " xl-list.txt 2>/dev/null'
    return 1
}

checks() {
    check_rmrr_96m || return
    check "xl create succeeded" [ "$(cat xl-create.rc)" = 0 ]
    if guest_hap; then
        check_split_populated 0x6000000 0x6000fff 0x10000000 0x108200000 0x18000000 0x6200000
    else
        check_split_populated 0x6000000 0x6000fff 0x10000000 0x108001000 0x18000000
    fi
    check "libxl told the device model the split layout (xen-rdm.layout=split)" \
        grep -q 'xen-rdm.layout=split' xl-create.log
    check_libxc_pages
    check_split_guest_io
    check "the disk read pages below the hole ($(guest_io "pages low-below" max) < 0x6000000) and wrote pages above it ($(guest_io "pages low-above" min) > 0x6000fff)" \
        eval 'lo=$(guest_io "pages low-below" max); hi=$(guest_io "pages low-above" min);
              [ -n "$lo" ] && [ -n "$hi" ] && [ $((lo)) -lt $((0x6000000)) ] && [ $((hi)) -gt $((0x6000fff)) ]'
    check "the e1000's STATUS register answers through the passthrough (link up: $(guest_io "bar read" word8))" \
        eval 'v=$(guest_io "bar read" word8); [ -n "$v" ] && [ "$v" != 0xffffffff ] && [ $((v & 2)) = 2 ]'
}
