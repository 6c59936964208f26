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

checks() {
    check "Xen took the RMRR for 00:03.0 (xl dmesg: Adding RMRR ... [104000-104000])" \
        grep -qE 'Adding RMRR for 1 device \(\[0\]: 0x18\) range \[104000-104000\]' xl-dmesg-boot.txt
    if [ "$LIBXL_KIND" != patched ]; then
        check "Debian's libxl refuses the guest: 'RDM conflict at 0x104000000'" \
            grep -q 'RDM conflict at 0x104000000' xl-create.log
        check "xl create failed and left no guest behind" \
            eval '[ "$(cat xl-create.rc)" != 0 ] && ! grep -q "^e2e " xl-list.txt 2>/dev/null'
        return
    fi
    check "xl create succeeded" [ "$(cat xl-create.rc)" = 0 ]
    # highmem_end: 256 MiB from 4 GiB and the hole (2 MiB under HAP, one
    # page without); the first RAM after the hole: the next 2 MiB, or the
    # next page
    if guest_hap; then
        check_split_populated 0x104000000 0x104000fff 0x10000000 0x110200000 0x20000000 0x104200000
    else
        check_split_populated 0x104000000 0x104000fff 0x10000000 0x110001000 0x20000000
    fi
    check "libxl told the device model the split layout (xen-rdm.layout=split)" \
        grep -q 'xen-rdm.layout=split' xl-create.log
    check_libxc_pages
    check_split_guest_io
    check "the disk's DMA above 4 GiB used pages below the hole ($(guest_io "pages high-below" max) < 0x104000000) and above it ($(guest_io "pages high-above" min) > 0x104000fff)" \
        eval 'lo=$(guest_io "pages high-below" max); hi=$(guest_io "pages high-above" min);
              [ -n "$lo" ] && [ -n "$hi" ] && [ $((lo)) -lt $((0x104000000)) ] && [ $((hi)) -gt $((0x104000fff)) ]'
    check "the e1000's STATUS register answers through the passthrough (link up: $(guest_io "bar read" word8))" \
        eval 'v=$(guest_io "bar read" word8); [ -n "$v" ] && [ "$v" != 0xffffffff ] && [ $((v & 2)) = 2 ]'
}
