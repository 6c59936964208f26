# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: guest I/O that depends on the device model's RAM layout.
# The host RMRR of host-rmrr-moves-lowmem (0x8000000, above
# rdm_mem_boundary=100 MiB) makes libxl move lowmem_end to 128 MiB and put
# the other 128 MiB of the 256 MiB guest at 0x100000000.  mmio_hole=3840
# (MiB) starts the MMIO hole at 256 MiB (libxl passes QEMU
# max-ram-below-4g=0x10000000, hvmloader starts BARs there), and a second
# RMRR at 0x11000000 lies in it, where hvmloader places BARs around it.
# (Xen refuses an rmrr= range outside the host's RAM, "Invalid pfn in RMRR
# range", so the default hole at 0xf0000000 cannot hold one here.)
# The device model gets an emulated virtio-blk disk (a file in dom0) and
# QEMU's "edu" test device, and an emulated e1000 whose option ROM
# (efi-e1000.rom, Debian's ipxe-qemu) QEMU must find where Debian puts it
# to start at all.  In the guest (e2e/guest/e2e-io.c):
#   - DMA: the disk reads into and writes from locked user pages above
#     4 GiB and below lowmem_end (O_DIRECT, 4 KiB per request).  The guest
#     runs with nokaslr and movablecore=128M so that its kernel, and the
#     virtqueues it allocates, stay below 4 GiB while user pages fill the
#     memory above 4 GiB first; xen_emul_unplug=never, because a Linux
#     guest otherwise asks QEMU's Xen platform device to unplug emulated
#     disks, and QEMU unplugs every PCI storage device, virtio-blk too;
#   - BAR: edu's BAR 0 (1 MiB), which hvmloader places right after the
#     RMRR at 0x11000000, answers with edu's identification register.
# Unmodified QEMU (--dm plain) has no RAM region above 4 GiB: the disk's
# DMA there is lost while DMA below lowmem_end works.  Ours, started as
# libxl starts it (no RDM settings; the harness adds only its QMP socket
# and the emulated devices), has RAM where libxl put it (the guest's
# hvm_info_table) and every transfer arrives.
DESC="guest I/O: virtio-blk DMA above 4 GiB and below lowmem_end, a BAR next to an RMRR"
XEN_RMRR="0x8000-0x800f=0:1f.3;0x11000-0x1100f=0:1f.3"
GUEST_CFG='memory = 256
maxmem = 256
rdm = "strategy=host"
rdm_mem_boundary = 100
mmio_hole = 3840'
EXPECT_CREATE=ok
DM_ARGS='"-drive", "file=/tmp/e2e-disk.img,if=none,id=e2edisk,format=raw", "-device", "virtio-blk-pci,drive=e2edisk", "-device", "edu", "-device", "e1000,romfile=efi-e1000.rom"'
GUEST_ARGS="xen_emul_unplug=never nokaslr movablecore=128M e2e_dma=vda e2e_bar=1234:11e8"
DOM0_STEPS='pre_create() { truncate -s 8M /tmp/e2e-disk.img && ls -l /tmp/e2e-disk.img; }'

checks() {
    check "the device model found the e1000's option ROM (it started with the e1000: its address space in info mtree)" \
        eval 'hmp_text qmp-mtree.json | grep -q "^address-space: e1000$"'
    check "Xen took both RMRRs (xl dmesg: [8000-800f] and [11000-1100f])" \
        eval "grep -qE 'Adding RMRR .* range \\[8000-800f\\]' xl-dmesg-boot.txt &&
              grep -qE 'Adding RMRR .* range \\[11000-1100f\\]' xl-dmesg-boot.txt"
    check "guest reported its memory map and I/O results" guest_reported
    echo "# $SCENARIO: guest I/O lines:"
    tr -d '\r' < guest-serial.log | grep -E '^E2E-IO ' | diag
    check_lowmem_moved 0x8000000 0x800ffff 0x8000000 0x108000000 0x10000000
    check "guest e820: the RMRR at 0x11000000-0x1100ffff is Reserved" \
        guest_reserved_covers 0x11000000 0x1100ffff
    check "hvmloader: PCI memory starts at 0x10000000 (mmio_hole)" \
        grep -qE 'pci_mem_start=0x10000000' xl-dmesg.txt

    # the BAR next to the RMRR: placement (hvmloader), then reachability
    local bar bar_s bar_e
    bar=$(guest_io "bar 1234:11e8" bar0)
    bar_s=${bar%-*} bar_e=${bar#*-}
    check "edu BAR 0 ($bar) placed after the RMRR, within 1 MiB of its end" \
        eval '[ -n "$bar" ] && [ $((bar_s)) -gt $((0x1100ffff)) ] &&
              [ $((bar_s - 0x11010000)) -lt $((1 << 20)) ]'
    check "edu BAR 0 reachable: identification register 0x010000ed" \
        [ "$(guest_io "bar read" id)" = 0x010000ed ]
    check "edu BAR 0 reachable: liveness register inverts 0x12345678" \
        [ "$(guest_io "bar liveness" inverted)" = 0xedcba987 ]

    # which RAM the DMA used
    check "the disk appeared in the guest (virtio-blk /dev/vda)" \
        eval 'tr -d "\r" < guest-serial.log | grep -q "^E2E-IO disk /dev/vda"'
    check "DMA pages above 4 GiB: 0x100000000 <= $(guest_io "pages high" min)" \
        eval 'v=$(guest_io "pages high" min); [ -n "$v" ] && [ $((v)) -ge $((1 << 32)) ]'
    check "DMA pages below lowmem_end: $(guest_io "pages low" max) < 0x8000000" \
        eval 'v=$(guest_io "pages low" max); [ -n "$v" ] && [ $((v)) -lt $((0x8000000)) ]'
    check "DMA below lowmem_end works (disk writes and reads low RAM): $(guest_io "dma low" ok)" \
        guest_io_all_ok "dma low"
    if [ "$RDM_AWARE" = 0 ]; then
        # unmodified QEMU: nothing at 4 GiB in its address space, so the
        # disk's writes there are dropped (the 0x5a fill stays) and its
        # reads from there return zeros (unassigned memory)
        check "baseline (unmodified QEMU): DMA into RAM above 4 GiB is lost, no block arrived ($(guest_io "dma high-read" ok))" \
            eval 'v=$(guest_io "dma high-read" ok); [ -n "$v" ] && [ "${v%/*}" = 0 ] &&
                  [ "$(guest_io "dma high-read" got)" = 0x5a5a5a5a ]'
        check "baseline (unmodified QEMU): DMA from RAM above 4 GiB reads zeros, not what the guest wrote ($(guest_io "dma high-write" ok))" \
            eval 'v=$(guest_io "dma high-write" ok); [ -n "$v" ] && [ "${v%/*}" = 0 ] &&
                  [ "$(guest_io "dma high-write" got)" = 0x00000000 ]'
    else
        check "RDM-aware QEMU: DMA into RAM above 4 GiB arrives: $(guest_io "dma high-read" ok)" \
            guest_io_all_ok "dma high-read"
        check "RDM-aware QEMU: DMA from RAM above 4 GiB reads what the guest wrote: $(guest_io "dma high-write" ok)" \
            guest_io_all_ok "dma high-write"
        check_dm_follows_libxl 0x8000000 0x108000000 0x8000000
        check_libxl_told_dm host relaxed 100*1024*1024
        check "RDM-aware QEMU: query-xen-rdm mmio-start = 0x10000000 (mmio_hole)" \
            qmp_ret qmp-query-xen-rdm.json 'r["mmio-start"] == 0x10000000'
    fi
}
