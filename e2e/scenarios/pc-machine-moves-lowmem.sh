# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: the host-rmrr-moves-lowmem guest (RMRR at 128 MiB above
# rdm_mem_boundary=100: libxl ends low RAM at 128 MiB) with
# xen_platform_pci=0, which libxl starts on QEMU's "pc" machine
# (-machine pc,accel=xen) instead of xenfv.  Only xenfv has the xen-rdm
# property, so our libxl tells that device model nothing, exactly as
# Debian's libxl and unmodified QEMU do, and our QEMU still maps guest
# RAM where libxl populated it (the hvm_info_table, no option needed);
# unmodified QEMU maps it over the RMRR.
# shellcheck disable=SC1091
. "$(dirname "${BASH_SOURCE[0]}")/host-rmrr-moves-lowmem.sh"
DESC="xen_platform_pci=0 (QEMU's pc machine), RMRR at 128 MiB: started as before, RAM where libxl populated it"
GUEST_CFG="$GUEST_CFG
xen_platform_pci = 0"

checks() {
    local m
    m=$(dm_machine_arg)
    check "libxl starts QEMU's pc machine under Xen (-machine $m)" \
        eval 'echo "$m" | grep -q "^pc,accel=xen"'
    check "the device model is told no RDM settings, as unmodified QEMU is (-machine $m)" \
        eval '[ -n "$m" ] && ! echo "$m" | grep -q xen-rdm'
    check_lowmem_128m
}
