# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: the BAR a device model hides when it lays RAM out the classic
# way (the failure users report with GPU passthrough and guests of more
# than ~3.5 GiB).  A 3.5 GiB guest, rdm="strategy=host" and
# rdm_mem_boundary=1024 (MiB); the outer machine's RMRR at 1.5 GiB (in
# its own low RAM, so that Xen takes it) lies above the boundary, so
# libxl ends low RAM at 0x60000000 and puts the other 2 GiB above 4 GiB.
# QEMU's classic layout maps RAM from 0 to 3.5 GiB (0xe0000000).  An
# emulated NVMe controller with a 512 MiB controller memory buffer
# (BAR 2, served by QEMU's MMIO handlers) makes hvmloader grow the MMIO
# hole down (pci.c halves pci_mem_start while it stays at or above
# low_mem_pgend): BAR 2 lands at 0xc0000000, inside
# [lowmem_end, QEMU's classic end of RAM).  The guest writes and reads
# two words of that BAR (e2e/guest/e2e-io.c).  (xenfv is the 3.1 machine
# type, whose compat properties give QEMU's NVMe controller Intel's IDs,
# 8086:5845.)
#   - unmodified QEMU: its RAM alias covers the BAR, which is then not in
#     its address space: the guest reads all ones and its writes vanish;
#   - ours, started as libxl starts it: RAM where libxc populated it
#     (hvm_info_table), the BAR answers.
DESC="a 512 MiB BAR hvmloader puts below QEMU's classic end of low RAM (libxl moved lowmem_end to 1.5 GiB)"
XEN_RMRR="0x60000-0x6000f=0:1f.3"
OUTER_MEM=6G
GUEST_CFG='memory = 3584
maxmem = 3584
rdm = "strategy=host"
rdm_mem_boundary = 1024'
EXPECT_CREATE=ok
DM_ARGS='"-drive", "file=/tmp/e2e-nvme.img,if=none,id=e2envme,format=raw", "-device", "nvme,drive=e2envme,serial=e2e,cmb_size_mb=512"'
GUEST_ARGS="e2e_bar=8086:5845/2"
DOM0_STEPS='pre_create() { truncate -s 8M /tmp/e2e-nvme.img && ls -l /tmp/e2e-nvme.img; }'

checks() {
    local bar bar_s bar_e
    check "Xen took the RMRR at 1.5 GiB (xl dmesg: Adding RMRR ... [60000-6000f])" \
        grep -qE 'Adding RMRR .* range \[60000-6000f\]' xl-dmesg-boot.txt
    check "guest reported" guest_reported
    echo "# $SCENARIO: guest I/O lines:"
    tr -d '\r' < guest-serial.log | grep -E '^E2E-IO ' | diag
    check_lowmem_moved 0x60000000 0x6000ffff 0x60000000 0x180000000 0xe0000000
    bar=$(guest_io "bar 8086:5845" bar2)
    bar_s=${bar%-*} bar_e=${bar#*-}
    check "hvmloader put the NVMe CMB (BAR 2, $bar) in [lowmem_end 0x60000000, QEMU's classic end 0xe0000000)" \
        eval '[ -n "$bar" ] && [ $((bar_s)) -ge $((0x60000000)) ] && [ $((bar_e)) -lt $((0xe0000000)) ] &&
              [ $((bar_e - bar_s + 1)) = $((512 << 20)) ]'
    check "QMP info mtree -f answered with guest RAM (xen.ram) ranges" mtree_has_ram qmp-mtree-f.json
    echo "# $SCENARIO: device model xen.ram ranges:"
    mtree_ram qmp-mtree-f.json | diag
    if [ "$RDM_AWARE" = 0 ]; then
        check "baseline (unmodified QEMU): xen.ram covers the BAR at $bar_s" \
            mtree_ram_covers qmp-mtree-f.json "$bar_s"
        # nothing in QEMU's address space claims the BAR's addresses for
        # Xen's ioreq routing, so reads give all ones and writes vanish
        check "baseline (unmodified QEMU): the guest cannot reach the BAR: it reads $(guest_io "bar rw" read) after writing" \
            eval '[ "$(guest_io "bar rw" ok)" = no ] && [ "$(guest_io "bar rw" read)" = 0xffffffff,0xffffffff ]'
    else
        check_dm_follows_libxl 0x60000000 0x180000000 "$bar_s"
        check_libxl_told_dm host relaxed 1024*1024*1024
        check "our QEMU: the guest writes and reads the BAR ($(guest_io "bar rw" read))" \
            eval '[ "$(guest_io "bar rw" ok)" = yes ]'
    fi
}
