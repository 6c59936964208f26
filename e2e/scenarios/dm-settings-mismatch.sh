# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: the device model runs with RDM settings other than libxl's.
# The host-rmrr-moves-lowmem guest (RMRR at 128 MiB, 256 MiB,
# rdm="strategy=host", rdm_mem_boundary=100: libxl ends low RAM at
# 128 MiB), but device_model_args_hvm adds
# -machine xenfv,xen-rdm.mem-boundary=512M after libxl's own -machine, so
# our QEMU plans with a boundary above the RMRR: its own layout keeps low
# RAM up to 256 MiB (the relaxed RMRR ignored), not libxl's.
#
# With our libxl series, libxl's check of the device model's layout
# (query-xen-rdm) finds QEMU's plan differs from what it populated and
# fails xl create with its mismatch message, naming both layouts, and
# leaves no domain behind.  With Debian's libxl nothing checks: the guest
# is created, and QEMU (which maps RAM where it was populated) reports
# the mismatch in query-xen-rdm only.
DESC="the device model runs with another rdm_mem_boundary: our libxl refuses the guest"
XEN_RMRR="0x8000-0x800f=0:1f.3"
GUEST_CFG='memory = 256
maxmem = 256
rdm = "strategy=host"
rdm_mem_boundary = 100'
QEMU_RDM_OPTS='xenfv,xen-rdm.mem-boundary=536870912'
EXPECT_CREATE=checks
GUEST_TIMEOUT=240

checks() {
    if [ "$RDM_AWARE" = 0 ] && [ "$LIBXL_KIND" = debian ] && [ "$DM_KIND" != ours ]; then
        echo "# $SCENARIO: device model $DM_KIND: it has no xen-rdm settings to get wrong"
        return
    fi
    if [ "$LIBXL_KIND" != patched ]; then
        check "Debian's libxl checks nothing: xl create succeeds" [ "$create_rc" = 0 ]
        check "our QEMU reports the mismatch itself (query-xen-rdm mismatch, RAM where libxl populated it)" \
            qmp_ret qmp-query-xen-rdm.json "'mismatch' in r and r['lowmem-end'] == 0x8000000 and r['plan']['lowmem-end'] == 0x10000000"
        return
    fi
    local msg="RDM: from its RDM settings the device model lays guest RAM out up to lowmem_end 0x10000000 and highmem_end 0x0, libxl up to lowmem_end 0x8000000 and highmem_end 0x108000000: the device model does not run with the settings libxl gave it"
    check "xl create fails" eval '[ "$create_rc" != 0 ] && [ "$create_rc" != none ]'
    check "libxl names both layouts: $msg" grep -qF "$msg" xl-create.log
    check "the device model was started with libxl's settings, then the added -machine" \
        eval 'grep -A1 ":  -machine$" xl-create.log | grep -q "xen-rdm.mem-boundary=104857600" &&
              grep -q "xen-rdm.mem-boundary=536870912" xl-create.log'
    check "no domain is left behind (xl list after the failed create: Domain-0 only)" \
        eval '[ -s xl-list-after-fail.txt ] && [ "$(grep -vc "^Name" xl-list-after-fail.txt)" = 1 ] &&
              grep -q "^Domain-0 " xl-list-after-fail.txt'
    echo "# $SCENARIO: libxl's messages:"
    grep -E 'RDM|rc=-3' xl-create.log | head -5 | diag
}
