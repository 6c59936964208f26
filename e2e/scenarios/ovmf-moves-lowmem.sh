# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: a UEFI guest whose low RAM libxl moved.  The guest of
# guest-io-above-4g without its BAR devices (256 MiB, rdm="strategy=host",
# rdm_mem_boundary=100, mmio_hole=3840; an RMRR at 128 MiB for 00:1f.3,
# not passed through: libxl ends low RAM at 128 MiB and puts the other
# 128 MiB above 4 GiB), booted by OVMF built for Xen (OvmfXen,
# scripts/ovmf-build.sh; bios = "ovmf" with bios_path_override, as
# docs/ovmf.rst tells an admin) instead of SeaBIOS.  OVMF loads the
# kernel and initramfs libxl gives QEMU (fw_cfg), the kernel runs with
# efi=debug and prints the UEFI memory map it was handed.
#
# OVMF takes its memory map from hvmloader's e820 (RAM entries become
# memory, reserved entries reserved), but the size of low memory from
# CMOS 0x34/0x35, which hvmloader writes from low_mem_pgend (here 128
# MiB), and puts its PEI memory just below that (XenPlatformPei's
# PublishPeiMemory); its DEBUG build prints where (PeiInstallPeiMemory,
# port 0xe9, in xl dmesg).
DESC="a UEFI guest (OvmfXen) whose low RAM libxl moved below an RMRR at 128 MiB"
XEN_RMRR="0x8000-0x800f=0:1f.3"
# OVMF's debug output (xl dmesg) would overrun Xen's default console ring
XEN_EXTRA="conring_size=8M"
SHIP_OVMF=1
OUTER_QEMU=fixed
GUEST_CFG='memory = 256
maxmem = 256
rdm = "strategy=host"
rdm_mem_boundary = 100
mmio_hole = 3840
bios = "ovmf"
bios_path_override = "/e2e-in/OVMF-xen.fd"'
EXPECT_CREATE=ok
TIMEOUT=1800
GUEST_TIMEOUT=600
DM_ARGS='"-drive", "file=/tmp/e2e-disk.img,if=none,id=e2edisk,format=raw", "-device", "virtio-blk-pci,drive=e2edisk"'
GUEST_ARGS="xen_emul_unplug=never nokaslr movablecore=128M efi=debug e2e_dma=vda"
DOM0_STEPS='pre_create() { truncate -s 8M /tmp/e2e-disk.img && ls -l /tmp/e2e-disk.img; }'

checks() {
    if [ "$RDM_AWARE" = 0 ]; then
        check "this scenario needs an RDM-aware device model (device model $DM)" false
        return
    fi
    check "guest reported its memory map and I/O results" guest_reported
    check_ovmf_booted
    check_ovmf_pei_clear 0x8000000 0x8000000 0x800ffff
    check "guest e820: the RMRR 0x8000000-0x800ffff inside a Reserved entry" \
        guest_reserved_covers 0x8000000 0x800ffff
    check "guest e820: no RAM from lowmem_end 0x8000000 to the guest's 0x10000000" \
        eval '! guest_ram_covers 0x8000000 && ! guest_ram_covers 0xfffffff'
    check "hvmloader E820: the RMRR 0x8000000-0x800ffff RESERVED" \
        hvmloader_e820 '00000000:08000000 - 00000000:08010000: RESERVED'
    check_ovmf_high_ram 0x108000000 0x10000000
    check_ovmf_ram_adds_up 0x8000000 0x800ffff
    check "DMA below lowmem_end works (disk writes and reads low RAM): $(guest_io "dma low" ok)" \
        guest_io_all_ok "dma low"
    check_dma_high_ok
    check_dm_follows_libxl 0x8000000 0x108000000 0x8000000
}
