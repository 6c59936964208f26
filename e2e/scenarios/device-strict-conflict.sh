# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: an RMRR at 32 MiB tied to device 00:1f.2 (the outer q35's
# AHCI controller), and a guest with pci=['00:1f.2,rdm_policy=strict'].
# The region is below rdm_mem_boundary (default 2 GiB) inside guest low
# RAM, so libxl cannot move lowmem_end: under strict it must refuse to
# create the domain, naming the region ("RDM conflict at 0x2000000").
# (xl 4.17 ignores policy= in rdm=, so a per-device policy is the only way
# to get strict; see docs/e2e.rst.)  The guest never starts.
DESC="per-device strict RMRR conflict in low RAM: xl create refuses"
XEN_RMRR="0x2000-0x200f=0:1f.2"
GUEST_CFG="memory = 512
pci = [ '00:1f.2,rdm_policy=strict' ]"
EXPECT_CREATE=fail
TIMEOUT=600

checks() {
    check "Xen took the RMRR for 00:1f.2 (xl dmesg: Adding RMRR ... [2000-200f])" \
        grep -qE 'Adding RMRR for 1 device \(\[0\]: 0xfa\) range \[2000-200f\]' xl-dmesg-boot.txt
    check "xl create names the region: 'RDM conflict at 0x2000000'" \
        grep -q 'libxl__domain_device_construct_rdm: RDM conflict at 0x2000000' xl-create.log
    check "libxl says why: checking reserved device memory failed" \
        grep -q 'checking reserved device memory failed' xl-create.log
    check "no guest was left behind" eval '! grep -q "^e2e " xl-list.txt 2>/dev/null'
}
