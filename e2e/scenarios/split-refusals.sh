# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: the guests the split layout cannot give, refused by libxl
# with a message that names what to change.  The split-rmrr-in-low-ram
# guest (strict RMRR at 96 MiB for the passed-through e1000 at 00:03.0,
# 384 MiB, rdm="layout=split": a hole in low RAM), started five ways,
# each of which libxl must refuse before the guest runs, leaving no
# domain:
#
#   xl create (the run's own): with vNUMA (vnuma=): libxl's vNUMA ranges
#       know no holes
#   pod: populate-on-demand, memory 256 below maxmem 384, and
#       rdm="strategy=host,layout=split" instead of the device (libxl
#       refuses passthrough with populate-on-demand on its own): libxc
#       cannot populate vmemranges on demand
#   stubdom: device_model_stubdomain_override=1: a device model in a
#       stub domain cannot be told of the holes
#   debian-dm: device_model_override= Debian's qemu-system-xen
#       (/usr/libexec/xen-qemu-system-i386), which has no xen-rdm machine
#       property to be told of them
#   pc: xen_platform_pci=0, which libxl starts on the device model's pc
#       machine, which has no xen-rdm property either
#
# The sixth refusal, a memory map of more entries than hvmloader takes
# (25), needs more reserved regions than Xen's rmrr= option gives (10).
# Debian's libxl refuses the guest anyway ("RDM conflict at
# 0x6000000", the baseline of split-rmrr-in-low-ram).
# the split-rmrr-in-low-ram guest: its RMRR, outer machine and xl.cfg
# shellcheck disable=SC1091
. "$(dirname "${BASH_SOURCE[0]}")/split-rmrr-in-low-ram.sh"
DESC="layout=split with vNUMA, populate-on-demand, a stub domain, a device model without xen-rdm or xen_platform_pci=0: libxl refuses each, naming why"
GUEST_CFG="$GUEST_CFG
vnuma = [ [ \"pnode=0\", \"size=384\", \"vcpus=0\", \"vdistances=10\" ] ]"
DM_ARGS= GUEST_ARGS=
EXPECT_CREATE=checks
DOM0_STEPS='pre_create() {
    timeout 60 xl pci-assignable-add 00:03.0; echo "pci-assignable-add rc=$?"
    # the run'\''s guest without vNUMA, and one change each
    sed "/^vnuma = /d" /tmp/guest.cfg > /tmp/full.cfg
    sed "/^memory = /d; /^rdm = /d; /^pci = /d" /tmp/full.cfg > /tmp/pod.cfg
    echo "memory = 256" >> /tmp/pod.cfg
    echo "rdm = \"strategy=host,layout=split\"" >> /tmp/pod.cfg
    sed "/^device_model_override = /d" /tmp/full.cfg > /tmp/stubdom.cfg
    echo "device_model_stubdomain_override = 1" >> /tmp/stubdom.cfg
    sed "/^device_model_override = /d" /tmp/full.cfg > /tmp/debian-dm.cfg
    echo "device_model_override = \"/usr/libexec/xen-qemu-system-i386\"" >> /tmp/debian-dm.cfg
    sed "/^xen_platform_pci = /d" /tmp/full.cfg > /tmp/pc.cfg
    echo "xen_platform_pci = 0" >> /tmp/pc.cfg
    for v in pod stubdom debian-dm pc; do
        cp /tmp/$v.cfg "$R/$v.cfg"
        xl_create /tmp/$v.cfg "xl-create-$v"
        echo "$v: rc=$?"
        timeout -k 5 30 xl list > "$R/xl-list-after-$v.txt" 2>&1
        timeout 60 xl destroy e2e > /dev/null 2>&1
    done
}'

# libxl refused the start NAME (xl-create-NAME.log / .rc; the run's own
# is xl-create) with MESSAGE and left Domain-0 alone
check_refused() {
    local name=$1 msg=$2 list=$3
    check "$name: xl create fails (status $(cat "$name.rc" 2>/dev/null))" \
        eval '[ -s "$name.rc" ] && [ "$(cat "$name.rc")" != 0 ]'
    check "$name: libxl says why: '$msg'" grep -qF "$msg" "$name.log"
    check "$name: no domain is left behind (xl list: Domain-0 only)" \
        eval '[ -s "$list" ] && [ "$(grep -vc "^Name" "$list")" = 1 ] && grep -q "^Domain-0 " "$list"'
    grep -E 'RDM|refus|rc=-' "$name.log" | head -4 | diag
}

checks() {
    check_split_rmrr 0x6000000 || return
    check_refused xl-create "RDM: layout split cannot be combined with vNUMA (vnuma=): remove one of them" \
        xl-list-after-fail.txt
    check_refused xl-create-pod "RDM: layout split needs 3 RAM ranges around the reserved regions, which populate-on-demand (memory below maxmem) cannot populate: make memory equal to maxmem" \
        xl-list-after-pod.txt
    check_refused xl-create-stubdom "RDM: layout split puts holes in guest RAM, which a device model in a stub domain cannot be told of: use device_model_stubdomain_override=0 or layout compat" \
        xl-list-after-stubdom.txt
    check_refused xl-create-debian-dm "RDM: layout split puts holes in guest RAM, but the device model /usr/libexec/xen-qemu-system-i386 has no xen-rdm machine property to be told of them (this device model has none): use a device model that has it, or layout compat" \
        xl-list-after-debian-dm.txt
    check_refused xl-create-pc "has no xen-rdm machine property to be told of them (xen_platform_pci=0 starts its pc machine, which has none): use a device model that has it, or layout compat" \
        xl-list-after-pc.txt
}
