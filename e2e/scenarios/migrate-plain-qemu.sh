# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: migration between our QEMU and unmodified QEMU 10
# (build/qemu/obj-plain, shipped to dom0 by SHIP_PLAIN) on the same host
# (xl migrate -C CONFIG: the receiving side starts the device model that
# CONFIG names).  Xen has an RMRR at 128 MiB for 00:1f.3.
#   1. A classic guest (384 MiB, mmio_hole=3840: 256 MiB below 4 GiB and
#      128 MiB above, no rdm=: libxl moves nothing) created on
#      ours migrates to unmodified QEMU and back: the stream of a classic
#      guest has no xen-rdm-layout section, so both load it; after each
#      move the guest runs under the expected binary and its DMA checks
#      pass below and above 4 GiB, and back on ours QEMU maps the
#      created guest's RAM.
#   2. A second guest, e2e-moved (the same, rdm="strategy=host", rdm_mem_boundary
#      100: libxl ends its low RAM at 128 MiB), created on ours, cannot
#      go to unmodified QEMU: its stream carries the xen-rdm-layout
#      section, which unmodified QEMU refuses ("Unknown savevm section
#      or instance 'xen-rdm-layout'"), and xl migrate fails; the guest
#      stays on the host under ours, running.
# For our QEMU as the pair's device model (the other pairs say so).
DESC="migration to unmodified QEMU and back for a classic guest, refused for one whose low RAM libxl moved"
XEN_RMRR="0x8000-0x800f=0:1f.3"
SHIP_PLAIN=1
GUEST_CFG='memory = 384
maxmem = 384
mmio_hole = 3840'
EXPECT_CREATE=checks
TIMEOUT=1800
GUEST_TIMEOUT=480
GUEST_HOLD=3600
DM_ARGS='"-drive", "file=/tmp/e2e-disk.img,if=none,id=e2edisk,format=raw", "-device", "virtio-blk-pci,drive=e2edisk"'
GUEST_ARGS="xen_emul_unplug=never nokaslr movablecore=128M e2e_dma=vda e2e_dma_every=15"
DOM0_STEPS='
PLAIN_DM=/opt/e2e-qemu-plain/bin/qemu-system-x86_64
pre_create() {
    truncate -s 8M /tmp/e2e-disk.img && ls -l /tmp/e2e-disk.img
    printf "#!/bin/sh\nshift\nexec \"\$@\"\n" > /tmp/e2e-local-ssh
    chmod +x /tmp/e2e-local-ssh
    # the same guest with unmodified QEMU as its device model
    sed "s|^device_model_override = .*|device_model_override = \"$PLAIN_DM\"|" \
        /tmp/guest.cfg > /tmp/guest-plain.cfg
    grep -q "$PLAIN_DM" /tmp/guest-plain.cfg || echo "no device_model_override in guest.cfg"
    cp /tmp/guest-plain.cfg "$R/guest-plain.cfg"
    # the guest whose low RAM libxl moves, with its own disk and console
    truncate -s 8M /tmp/e2e-disk-moved.img
    sed -e "s/^name = .*/name = \"e2e-moved\"/" \
        -e "s|guest-serial.log|guest-moved-serial.log|" -e "s|/run/e2e-qmp.sock|/run/e2e-qmp-moved.sock|" \
        -e "s|/tmp/e2e-disk.img|/tmp/e2e-disk-moved.img|" /tmp/guest.cfg > /tmp/guest-moved.cfg
    printf "rdm = \"strategy=host\"\nrdm_mem_boundary = 100\n" >> /tmp/guest-moved.cfg
    sed "s|^device_model_override = .*|device_model_override = \"$PLAIN_DM\"|" \
        /tmp/guest-moved.cfg > /tmp/guest-moved-plain.cfg
    cp /tmp/guest-moved.cfg /tmp/guest-moved-plain.cfg "$R/"
}
wait_for() {
    deadline=$(( $(up) + $2 ))
    until grep -q "$1" "$3" 2>/dev/null; do
        [ "$(up)" -lt "$deadline" ] || { log "no \"$1\" in $3 after $2 s"; return 1; }
        sleep 2
    done
}
# wait_round FILE SECS: a whole round of DMA checks in FILE
wait_round() {
    deadline=$(( $(up) + $2 ))
    until awk "/^E2E-ROUND [0-9]+ begin/ { b[\$2] = 1 } /^E2E-ROUND [0-9]+ end/ && b[\$2] { f = 1 } END { exit !f }" \
              "$1" 2>/dev/null; do
        [ "$(up)" -lt "$deadline" ] || { log "no whole round of DMA checks in $1 after $2 s"; return 1; }
        sleep 3
    done
}
# dm_of NAME: the binary of the device model of domain NAME
dm_of() {
    local d p
    d=$(timeout -k 5 30 xl domid "$1" 2>/dev/null) || return
    for p in /proc/[0-9]*; do
        case " $(tr "\0" " " < "$p/cmdline" 2>/dev/null) " in
        *" -xen-domid $d "*) readlink "$p/exe"; return ;;
        esac
    done
}
# layout NAME DOMAIN: what the device model says of guest RAM
layout() {
    L=/var/run/xen/qmp-libxl-$(timeout -k 5 30 xl domid "$2")
    qmp_exec "$L" "{\"execute\":\"query-xen-rdm\"}" "$R/qmp-query-xen-rdm-$1.json"
    qmp_exec "$L" "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info mtree -f\"}}" \
        "$R/qmp-mtree-f-$1.json" 12
    echo "$(dm_of "$2")" > "$R/dm-$1.txt"
}
step() {
    n=$1; shift
    log "$n: $*"
    timeout -k 5 600 "$@" > "$R/$n.log" 2>&1
    echo $? > "$R/$n.rc"
    log "$n: rc=$(cat "$R/$n.rc")"
}
post_create() {
    wait_for E2E-GUEST-END "$GUEST_TIMEOUT" "$R/guest-serial.log"
    wait_round "$R/guest-serial.log" 300
    layout created e2e
    mv "$R/guest-serial.log" "$R/guest-serial-created.log"

    step xl-migrate-to-plain xl -vvv migrate -C /tmp/guest-plain.cfg -s /tmp/e2e-local-ssh e2e localhost
    sleep 5
    layout on-plain e2e
    wait_round "$R/guest-serial.log" 400
    mv "$R/guest-serial.log" "$R/guest-serial-on-plain.log"

    step xl-migrate-back xl -vvv migrate -C /tmp/guest.cfg -s /tmp/e2e-local-ssh e2e localhost
    sleep 5
    layout back e2e
    wait_round "$R/guest-serial.log" 400
    cp "$R/guest-serial.log" "$R/guest-serial-back.log"
    timeout 60 xl destroy e2e

    xl_create /tmp/guest-moved.cfg xl-create-moved || return
    wait_for E2E-GUEST-END "$GUEST_TIMEOUT" "$R/guest-moved-serial.log"
    layout moved-created e2e-moved
    step xl-migrate-moved-to-plain xl -vvv migrate -C /tmp/guest-moved-plain.cfg -s /tmp/e2e-local-ssh e2e-moved localhost
    cp /var/log/xen/qemu-dm-e2e-moved*.log "$R/" 2>/dev/null
    timeout -k 5 30 xl list > "$R/xl-list-moved.txt" 2>&1
    sleep 5
    layout moved-after e2e-moved
    timeout 60 xl destroy e2e-moved
}'

# round_ok FILE: FILE has a whole round of DMA checks below and above
# 4 GiB
round_ok() { dma_round_ok "$1" "$1.round"; }

checks() {
    if [ "$DM" != ours ]; then
        check "this scenario moves guests between our QEMU and unmodified QEMU: it needs --dm ours (not $DM)" false
        return
    fi
    check "xl create of the classic guest on ours succeeded" [ "$(cat xl-create.rc)" = 0 ]
    check "created: the device model is ours ($(cat dm-created.txt 2>/dev/null))" \
        grep -qx /opt/e2e-qemu/bin/qemu-system-x86_64 dm-created.txt
    check "created: query-xen-rdm: the classic layout" \
        qmp_ret qmp-query-xen-rdm-created.json "r['lowmem-end'] == 0x10000000 and [x['start'] for x in r['ram']] == [0, 0x100000000]"
    check "created: a whole round of DMA checks below and above 4 GiB" round_ok guest-serial-created.log
    check "xl migrate to unmodified QEMU succeeded" [ "$(cat xl-migrate-to-plain.rc)" = 0 ]
    check "on unmodified QEMU: its device model is the plain binary ($(cat dm-on-plain.txt 2>/dev/null)), which has no query-xen-rdm" \
        eval 'grep -qx /opt/e2e-qemu-plain/bin/qemu-system-x86_64 dm-on-plain.txt &&
              qmp_error_class qmp-query-xen-rdm-on-plain.json | grep -q CommandNotFound'
    check "on unmodified QEMU: a whole round of DMA checks" round_ok guest-serial-on-plain.log
    check "xl migrate back to ours succeeded" [ "$(cat xl-migrate-back.rc)" = 0 ]
    check "back on ours: its device model is ours, mapping the created guest's RAM ($(qmp_py_ram qmp-query-xen-rdm-back.json))" \
        eval 'grep -qx /opt/e2e-qemu/bin/qemu-system-x86_64 dm-back.txt &&
              [ -n "$(qmp_py_ram qmp-query-xen-rdm-created.json)" ] &&
              [ "$(qmp_py_ram qmp-query-xen-rdm-back.json)" = "$(qmp_py_ram qmp-query-xen-rdm-created.json)" ]'
    check "back on ours: a whole round of DMA checks" round_ok guest-serial-back.log
    check "xl create of e2e-moved on ours succeeded" [ "$(cat xl-create-moved.rc 2>/dev/null)" = 0 ]
    check "e2e-moved: libxl ended its low RAM at 128 MiB (query-xen-rdm lowmem-end 0x8000000)" \
        qmp_ret qmp-query-xen-rdm-moved-created.json "r['lowmem-end'] == 0x8000000"
    echo "# $SCENARIO: the receiving device model of e2e-moved said:"
    cat qemu-dm-e2e-moved*.log 2>/dev/null | grep -i "unknown\|load\|fail" | head -4 | diag
    check "xl migrate of e2e-moved to unmodified QEMU fails: it refuses the xen-rdm-layout section" \
        eval '[ "$(cat xl-migrate-moved-to-plain.rc)" != 0 ] && [ -f xl-migrate-moved-to-plain.rc ] &&
              cat qemu-dm-e2e-moved*.log 2>/dev/null | grep -q "Unknown savevm section or instance .xen-rdm-layout."'
    check "e2e-moved stays on the host under ours, running (xl list; query-xen-rdm answers)" \
        eval 'grep -q "^e2e-moved " xl-list-moved.txt && ! grep -q "incoming" xl-list-moved.txt &&
              grep -qx /opt/e2e-qemu/bin/qemu-system-x86_64 dm-moved-after.txt &&
              qmp_ret qmp-query-xen-rdm-moved-after.json "r[\"lowmem-end\"] == 0x8000000"'
}
