# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: a device passed through at creation with rdm_policy=strict,
# whose RMRR lies above rdm_mem_boundary inside guest low RAM.  The outer
# machine's e1000 at 00:03.0 gets an RMRR at 128 MiB
# (rmrr=0x8000-0x800f=0:3.0); dom0 makes it assignable; the guest
# (256 MiB, rdm_mem_boundary=100, pci=['00:03.0,rdm_policy=strict'])
# boots with it: libxl moves lowmem_end to 128 MiB, the other 128 MiB
# above 4 GiB, and reserves the RMRR in the e820.
#
# The device model is started exactly as libxl starts it: with our libxl
# series, -machine ...,xen-rdm.* with the guest's settings (the device and
# its strict policy); with Debian's libxl, nothing.  Our QEMU lays its RAM
# out where libxc populated it (the guest's hvm_info_table): low RAM to
# 128 MiB, the rest above 4 GiB.  libxl adds the device to QEMU with QMP
# device_add after QEMU started (our libxl asks xen-rdm-check-device
# first); QEMU accepts it, the region not being guest RAM.
# Unmodified QEMU maps RAM up to 256 MiB, over the RMRR.  The guest reads
# the e1000's BAR 0 (registers of the outer machine's e1000, mapped
# through by Xen).
DESC="strict passed-through device, RMRR above the boundary: libxl moves lowmem_end, the guest boots with it"
XEN_RMRR="0x8000-0x800f=0:3.0"
OUTER_ARGS="-device e1000,bus=pcie.0,addr=0x3"
GUEST_CFG='memory = 256
maxmem = 256
rdm_mem_boundary = 100
pci = [ "00:03.0,rdm_policy=strict" ]'
EXPECT_CREATE=ok
GUEST_ARGS="e2e_bar=8086:100e"
DOM0_STEPS='pre_create() {
    timeout 60 xl pci-assignable-add 00:03.0; echo "pci-assignable-add rc=$?"
    ls -l /sys/bus/pci/devices/0000:00:03.0/driver
}'

checks() {
    check "Xen took the RMRR for 00:03.0 (xl dmesg: Adding RMRR ... [8000-800f])" \
        grep -qE 'Adding RMRR for 1 device \(\[0\]: 0x18\) range \[8000-800f\]' xl-dmesg-boot.txt
    check "dom0: xl pci-assignable-add bound 00:03.0 to pciback" grep -q 'drivers/pciback' steps-pre.log
    check "libxl added the device to the device model (QMP device_add)" \
        grep -q "cmd 'device_add'" xl-create.log
    check "the device model logged no RDM conflict" \
        eval '! grep -q "RDM conflict" var-log-xen/qemu-dm-e2e.log xl-create.log'
    check "guest reported its memory map" guest_reported
    echo "# $SCENARIO: guest kernel's /sys/firmware/memmap:"
    grep '^memmap ' guest-serial.log | diag
    check_lowmem_moved 0x8000000 0x800ffff 0x8000000 0x108000000 0x10000000
    # the device in the guest
    echo "# $SCENARIO: $(tr -d '\r' < guest-serial.log | grep '^E2E-IO ' | tr '\n' ' ')"
    check "the guest sees the e1000 and its BAR 0 ($(guest_io "bar 8086:100e" bar0))" \
        eval '[ -n "$(guest_io "bar 8086:100e" bar0)" ]'
    check "the e1000's STATUS register answers through the passthrough (link up: $(guest_io "bar read" word8))" \
        eval 'v=$(guest_io "bar read" word8); [ -n "$v" ] && [ "$v" != 0xffffffff ] && [ $((v & 2)) = 2 ]'
    check "QMP info mtree -f answered with guest RAM (xen.ram) ranges" mtree_has_ram qmp-mtree-f.json
    echo "# $SCENARIO: device model xen.ram ranges:"
    mtree_ram qmp-mtree-f.json | diag
    if [ "$RDM_AWARE" = 0 ]; then
        check "baseline (unmodified QEMU): xen.ram maps over the RMRR at 0x8000000, up to 256 MiB" \
            eval 'mtree_ram_covers qmp-mtree-f.json 0x8000000 && [ "$(mtree_ram_max_end qmp-mtree-f.json)" = 0xfffffff ]'
    else
        check_dm_follows_libxl 0x8000000 0x108000000 0x8000000
    fi
    check_libxl_told_dm ignore relaxed 100*1024*1024 0000:00:03.0 strict
}
