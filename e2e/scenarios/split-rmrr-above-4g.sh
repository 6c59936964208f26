# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: the split layout with a hole above 4 GiB.  The outer machine
# (6 GiB, so that its RAM reaches past 4 GiB + 64 MiB: Xen refuses an
# rmrr= range outside the host's RAM) gives the e1000 at 00:03.0 an RMRR
# at 4 GiB + 64 MiB (rmrr=0x104000-0x104000=0:3.0).  The guest (512 MiB,
# mmio_hole=3840: 256 MiB below 4 GiB, 256 MiB from 4 GiB) has it passed
# through with rdm_policy=strict and rdm="layout=split".
#
# Debian's libxl never moves high memory: it refuses the strict region in
# the RAM it puts above 4 GiB (the baseline).  The patched libxl punches
# the hole there (2 MiB aligned under HAP: address space, no RAM lost) and
# hvmloader, with the series' adjust_memory_map(), keeps the hole in the
# e820 it hands the guest (unpatched, it stretches the RAM entry at 4 GiB
# over it: docs/hvmloader.rst).  The guest's RAM is on both sides of the
# hole, our QEMU maps the same, and the disk's DMA above 4 GiB arrives
# (movablecore=256M: all RAM above 4 GiB movable, so that the guest I/O
# program finds file pages below 4 GiB and anonymous ones above;
# e2e_dma_hole: half of those above 4 GiB below the hole, half above).
DESC="strict RMRR at 4 GiB + 64 MiB in high RAM: Debian's libxl refuses; rdm=layout=split boots the guest around a hole above 4 GiB"
XEN_RMRR="0x104000-0x104000=0:3.0"
OUTER_MEM=6G
OUTER_ARGS="-device e1000,bus=pcie.0,addr=0x3"
GUEST_CFG='memory = 512
maxmem = 512
mmio_hole = 3840
rdm = "layout=split"
pci = [ "00:03.0,rdm_policy=strict" ]'
EXPECT_CREATE=checks
DM_ARGS='"-drive", "file=/tmp/e2e-disk.img,if=none,id=e2edisk,format=raw", "-device", "virtio-blk-pci,drive=e2edisk"'
GUEST_ARGS="xen_emul_unplug=never nokaslr movablecore=256M e2e_dma=vda e2e_dma_hole=0x104000000 e2e_bar=8086:100e"
DOM0_STEPS='pre_create() {
    truncate -s 8M /tmp/e2e-disk.img && ls -l /tmp/e2e-disk.img
    timeout 60 xl pci-assignable-add 00:03.0; echo "pci-assignable-add rc=$?"
}'

# highmem_end: 256 MiB from 4 GiB and the hole (2 MiB under HAP, one
# page without); the first RAM after the hole: the next 2 MiB, or the
# next page
checks() {
    check_split_hole high 0x104000000 0x10000000 0x20000000 \
        0x110200000 0x104200000 0x110001000
}
