# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: the life of a guest whose low RAM libxl moved (the compat
# layout, what Xen's libxl itself does) after xl create.  Xen has two
# RMRRs for 00:1f.3 (the q35 SMBus controller, not passed through): 16
# pages at 128 MiB and one page at 64 MiB.  The guest (256 MiB,
# rdm="strategy=host,policy=relaxed", rdm_mem_boundary=100) has low RAM
# up to 128 MiB, the region above the boundary moving lowmem_end down,
# and the other 128 MiB above 4 GiB; the region at 64 MiB, below the
# boundary, stays in its RAM, which the relaxed policy allows with a
# warning.  Then, one after the other, each followed by the device
# model's layout (query-xen-rdm) and a round of the guest's DMA checks
# below and above 4 GiB (e2e_dma_every), with the steps of
# guest-life-split:
#   1. xl save and xl restore;
#   2. xl migrate to the same host;
#   3. xl mem-set to 240 MiB, and the first and last page above 4 GiB
#      taken from the guest as well (guest-life-split's range_ends), then
#      xl save and xl restore (the balloon takes memory the kernel itself
#      can use, below 4 GiB here: 32 MiB and 56 MiB made it run out of
#      memory);
#   4. xl save, then xl restore with policy=strict in the configuration:
#      the same guest on a host that holds the region at 64 MiB strict,
#      which its RAM covers.  The restore must fail naming the region
#      and leave no domain; then xl restore with the guest's own
#      configuration, from the same save file, brings it back.
# Debian's libxl and any device model: the scenario is for our libxl
# and QEMU (query-xen-rdm), and says so otherwise.
# shellcheck disable=SC1091
. "$(dirname "${BASH_SOURCE[0]}")/guest-life-split.sh"
DESC="a guest whose low RAM libxl moved: saved and restored, migrated, ballooned and restored, refused where a region in its RAM is strict"
XEN_RMRR="0x8000-0x800f=0:1f.3;0x4000-0x4000=0:1f.3"
OUTER_ARGS=
GUEST_CFG='memory = 256
maxmem = 256
rdm = "strategy=host,policy=relaxed"
rdm_mem_boundary = 100'
# memmap=4K$ADDR: the first and the last page above 4 GiB, which the
# guest kernel leaves alone and range_ends takes from it
GUEST_ARGS='xen_emul_unplug=never nokaslr movablecore=128M e2e_dma=vda e2e_dma_every=15 memmap=4K$0x100000000 memmap=4K$0x107fff000'
DOM0_STEPS="$DOM0_STEPS"'
pre_create() {
    truncate -s 8M /tmp/e2e-disk.img && ls -l /tmp/e2e-disk.img
    printf "#!/bin/sh\nshift\nexec \"\$@\"\n" > /tmp/e2e-local-ssh
    chmod +x /tmp/e2e-local-ssh
    sed "s/policy=relaxed/policy=strict/" /tmp/guest.cfg > /tmp/guest-strict.cfg
    cp /tmp/guest-strict.cfg "$R/guest-strict.cfg"
}
join_console() {
    cat "$R"/guest-serial-created.log "$R"/guest-serial-restored.log \
        "$R"/guest-serial-migrated.log "$R"/guest-serial-ballooned-restored.log \
        "$R"/guest-serial-restored-again.log "$R"/guest-serial-last.log \
        > "$R/guest-serial.log" 2>/dev/null
}
post_create() {
    wait_for E2E-GUEST-END "$GUEST_TIMEOUT"
    wait_round 300
    layout created
    phase created

    step xl-save xl -vvv save e2e /tmp/e2e.save
    step xl-restore xl -vvv restore /tmp/e2e.save
    rm -f /tmp/e2e.save
    running || return
    sleep 5
    layout restored
    wait_round 400
    phase restored

    step xl-migrate xl -vvv migrate -s /tmp/e2e-local-ssh e2e localhost
    running || return
    sleep 5
    layout migrated
    wait_round 400

    step xl-mem-set xl mem-set e2e 240
    deadline=$(( $(up) + 120 ))
    until [ "$(xl list e2e 2>/dev/null | awk "\$1 == \"e2e\" { print \$3 }")" -le 240 ] 2>/dev/null ||
          [ "$(up)" -ge "$deadline" ]; do
        sleep 3
    done
    layout ballooned
    range_ends remove ballooned
    phase migrated
    step xl-save-ballooned xl -vvv save e2e /tmp/e2e.save
    step xl-restore-ballooned xl -vvv restore /tmp/guest.cfg /tmp/e2e.save
    rm -f /tmp/e2e.save
    running || return
    sleep 5
    layout ballooned-restored
    range_ends probe ballooned-restored
    wait_round 400
    phase ballooned-restored

    step xl-save-again xl -vvv save e2e /tmp/e2e.save
    step xl-restore-strict xl -vvv restore /tmp/guest-strict.cfg /tmp/e2e.save
    timeout -k 5 30 xl list > "$R/xl-list-after-strict.txt" 2>&1
    cp /var/log/xen/qemu-dm-e2e.log "$R/qemu-dm-restore-strict.log" 2>/dev/null
    step xl-restore-again xl -vvv restore /tmp/guest.cfg /tmp/e2e.save
    rm -f /tmp/e2e.save
    running || return
    sleep 5
    layout restored-again
    wait_round 400
    timeout 60 xl destroy e2e
    phase restored-again
    join_console
}'

# round_ok NAME: the console after step NAME has a whole round of DMA
# checks below and above 4 GiB (no hole to check here)
round_ok() { dma_round_ok "guest-serial-$1.log" "round-$1.log"; }

# layout_same NAME: after step NAME our QEMU maps the RAM it mapped when
# the guest was created (query-xen-rdm's ram; info mtree -f: no RAM at
# the RMRR at 128 MiB, RAM below it and above 4 GiB), and says where the
# layout came from
layout_same() {
    local n=$1 want got
    want=$(qmp_py_ram qmp-query-xen-rdm.json)
    got=$(qmp_py_ram "qmp-query-xen-rdm-$n.json")
    check "$n: query-xen-rdm: the guest RAM of the created guest ($want; now ${got:-no answer})" \
        eval '[ -n "$want" ] && [ "$got" = "$want" ]'
    check "$n: query-xen-rdm says the layout came with the guest (source migration)" \
        qmp_ret "qmp-query-xen-rdm-$n.json" "r['source'] == 'migration'"
    check "$n: info mtree -f: no RAM at 0x8000000, RAM below it and at 0x100000000" \
        eval '! mtree_ram_covers qmp-mtree-f-$n.json 0x8000000 && mtree_ram_covers qmp-mtree-f-$n.json 0x7ffffff && mtree_ram_covers qmp-mtree-f-$n.json 0x100000000'
}

checks() {
    if [ "$LIBXL_KIND" != patched ] || [ "$RDM_AWARE" = 0 ]; then
        check "this scenario needs our libxl and our QEMU (libxl-kind $LIBXL_KIND, device model $DM)" false
        return
    fi
    check "xl create succeeded" [ "$(cat xl-create.rc)" = 0 ]
    check "Xen took both RMRRs for 00:1f.3 (xl dmesg: [4000-4000] and [8000-800f])" \
        eval 'grep -qE "Adding RMRR .*range \[4000-4000\]" xl-dmesg-boot.txt &&
              grep -qE "Adding RMRR .*range \[8000-800f\]" xl-dmesg-boot.txt'
    check_dm_follows_libxl 0x8000000 0x108000000 0x8000000
    check "query-xen-rdm: the region at 64 MiB relaxed and left in guest RAM (ignored), the one at 128 MiB reserved" \
        qmp_ret qmp-query-xen-rdm.json "any(g['start'] == 0x4000000 and g['policy'] == 'relaxed' and g['status'] == 'ignored' and 'guest RAM' in g.get('conflict', '') for g in r['regions']) and any(g['start'] == 0x8000000 and g['status'] == 'reserved' for g in r['regions'])"
    check "created: a whole round of DMA checks below and above 4 GiB" round_ok created
    check "xl save succeeded" [ "$(cat xl-save.rc)" = 0 ]
    check "xl restore succeeded" [ "$(cat xl-restore.rc)" = 0 ]
    layout_same restored
    check "restored: a whole round of DMA checks" round_ok restored
    check "xl migrate to this host succeeded" [ "$(cat xl-migrate.rc)" = 0 ]
    layout_same migrated
    check "migrated: a whole round of DMA checks" round_ok migrated
    check "xl mem-set 240: the guest gave 16 MiB back, within a MiB (xl list: $(awk '$1 == "e2e" { print $3 }' xl-list-ballooned.txt) MiB)" \
        eval 'm=$(awk "\$1 == \"e2e\" { print \$3 }" xl-list-ballooned.txt); [ -n "$m" ] && [ "$m" -ge 239 ] && [ "$m" -le 240 ]'
    check_range_ends "0x100000000 0x107fff000"
    check "xl save of the ballooned guest succeeded" [ "$(cat xl-save-ballooned.rc)" = 0 ]
    check "xl restore of the ballooned guest succeeded" [ "$(cat xl-restore-ballooned.rc)" = 0 ]
    layout_same ballooned-restored
    check_range_ends_restored
    check "ballooned and restored: a whole round of DMA checks" round_ok ballooned-restored
    check "xl save succeeded (before the strict restore)" [ "$(cat xl-save-again.rc)" = 0 ]
    echo "# $SCENARIO: the strict restore said:"
    grep -i "error\|conflict\|refus" xl-restore-strict.log qemu-dm-restore-strict.log 2>/dev/null |
        grep -v "xencall" | head -8 | diag
    check "xl restore with policy=strict fails, naming the region at 64 MiB (0x4000000; xl's or the device model's log)" \
        eval '[ "$(cat xl-restore-strict.rc)" != 0 ] && [ -f xl-restore-strict.rc ] &&
              cat xl-restore-strict.log qemu-dm-restore-strict.log 2>/dev/null | grep -qi "0x4000000"'
    check "the refused restore leaves no domain behind (xl list)" \
        eval '[ -s xl-list-after-strict.txt ] && ! grep -q "^e2e " xl-list-after-strict.txt'
    check "xl restore with the guest's own configuration, from the same save file, succeeded" \
        [ "$(cat xl-restore-again.rc)" = 0 ]
    layout_same restored-again
    check "restored again: a whole round of DMA checks" round_ok restored-again
}
