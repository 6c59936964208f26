# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: a UEFI guest in the split layout with two holes in low RAM,
# one of them within the top 64 MiB of it.  Xen has two RMRRs for
# 00:1f.3 (not passed through): one page at 96 MiB and one at 240 MiB.
# The guest (384 MiB, mmio_hole=3840: low RAM up to 256 MiB, the rest
# above 4 GiB; rdm="strategy=host,layout=split") is populated by our
# libxl around a hole at each ([96 MiB, 98 MiB) and [240 MiB, 242 MiB)
# under HAP, one page each without) and booted by OVMF built for Xen
# (scripts/ovmf-build.sh).
#
# OVMF sizes low memory from CMOS 0x34/0x35 and puts its PEI memory, up
# to 64 MiB and more (the page tables of its 64-bit DXE phase), just below
# that end (XenPlatformPei's PublishPeiMemory): the hole at 240 MiB lies
# there when hvmloader reports the end of low RAM, 256 MiB.  The checks
# say where the PEI memory went (its DEBUG build's PeiInstallPeiMemory
# line in xl dmesg) and that it holds no hole; the UEFI memory map the
# guest kernel was handed (efi=debug) must reserve both holes and add up
# to hvmloader's RAM; the guest's disk does DMA on both sides of the hole
# at 96 MiB and above 4 GiB.
# Debian's libxl cannot populate the split layout: the scenario is for
# our libxl, and says so otherwise.
DESC="a UEFI guest (OvmfXen) in the split layout, a hole in the top 64 MiB of low RAM: the firmware's PEI memory clear of it"
XEN_RMRR="0x6000-0x6000=0:1f.3;0xf000-0xf000=0:1f.3"
# OVMF's debug output (xl dmesg) would overrun Xen's default console ring
XEN_EXTRA="conring_size=8M"
SHIP_OVMF=1
OUTER_QEMU=fixed
GUEST_CFG='memory = 384
maxmem = 384
mmio_hole = 3840
rdm = "strategy=host,layout=split"
bios = "ovmf"
bios_path_override = "/e2e-in/OVMF-xen.fd"'
EXPECT_CREATE=checks
TIMEOUT=1800
GUEST_TIMEOUT=900
DM_ARGS='"-drive", "file=/tmp/e2e-disk.img,if=none,id=e2edisk,format=raw", "-device", "virtio-blk-pci,drive=e2edisk"'
GUEST_ARGS="xen_emul_unplug=never nokaslr movablecore=128M efi=debug e2e_dma=vda e2e_dma_hole=0x6000000"
DOM0_STEPS='pre_create() { truncate -s 8M /tmp/e2e-disk.img && ls -l /tmp/e2e-disk.img; }'

checks() {
    if [ "$LIBXL_KIND" != patched ]; then
        check "Debian's libxl cannot populate the split layout: this scenario needs our libxl (libxl-kind $LIBXL_KIND)" false
        return
    fi
    # where RAM starts again after each hole, and the hole's last byte
    local after1=0x6001000 after2=0xf001000 last1 last2
    if guest_hap; then
        after1=0x6200000 after2=0xf200000
    fi
    last1=$(printf 0x%x $((after1 - 1))) last2=$(printf 0x%x $((after2 - 1)))
    check "xl create succeeded" [ "$(cat xl-create.rc)" = 0 ]
    check "guest reported its memory map and I/O results" guest_reported
    check_ovmf_booted
    check_ovmf_pei_clear 0x10000000 0x6000000 $last1 0xf000000 $last2
    check "guest e820: both RMRRs inside Reserved entries, no RAM in them" \
        eval 'guest_reserved_covers 0x6000000 0x6000fff && guest_reserved_covers 0xf000000 0xf000fff &&
              ! guest_ram_covers 0x6000000 && ! guest_ram_covers 0xf000000'
    check "guest e820: RAM on both sides of each hole" \
        eval 'guest_ram_covers 0x5ffffff && guest_ram_covers $after1 &&
              guest_ram_covers 0xeffffff && guest_ram_covers $after2'
    check_ovmf_ram_adds_up 0x6000000 $last1 0xf000000 $last2
    check "the guest's DMA checks pass below and above the hole at 96 MiB and above 4 GiB" \
        eval 'guest_io_all_ok "dma low" && guest_io_all_ok "dma high-read" && guest_io_all_ok "dma high-write"'
    check "our QEMU maps no RAM in either hole, RAM on both sides (info mtree -f)" \
        eval '! mtree_ram_covers qmp-mtree-f.json 0x6000000 && ! mtree_ram_covers qmp-mtree-f.json 0xf000000 &&
              mtree_ram_covers qmp-mtree-f.json 0x5ffffff && mtree_ram_covers qmp-mtree-f.json $after2'
}
