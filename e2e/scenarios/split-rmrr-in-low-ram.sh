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

# lowmem_end 256 MiB; highmem_end 4 GiB + the 128 MiB above 4 GiB and
# what the hole displaced (2 MiB under HAP, one page without)
checks() {
    check_split_hole low 0x6000000 0x10000000 0x18000000 \
        0x108200000 0x6200000 0x108001000
}
