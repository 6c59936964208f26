# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: hot-plug through libxl of a device whose RMRR lies in guest RAM.
# The outer machine gets an emulated e1000 at 00:03.0; Xen reports an RMRR
# at 64 MiB for it (rmrr=0x4000-0x400f=0:3.0).  dom0 makes it assignable
# (xl pci-assignable-add: xen-pciback).  The guest (256 MiB, default
# rdm strategy=ignore) starts without the device, so nothing is reserved
# and guest RAM covers 0x4000000-0x400ffff.  Then, while the guest's
# firmware runs (its report is not waited for):
#   1. xen-rdm-check-device over libxl's QMP socket: strict -> refused,
#      relaxed -> accepted with the region reported as a conflict;
#   2. QMP device_add of the device with rdm-policy=strict (what a libxl
#      that tells QEMU the policy sends): QEMU refuses, naming the region;
#   3. xl pci-attach e2e 00:03.0 (strict, libxl's default): with our libxl
#      series, libxl asks QEMU first (xen-rdm-check-device) and refuses the
#      attach with QEMU's reason, naming the region, before anything is
#      added; Debian's libxl 4.17 tells QEMU no policy, so QEMU warns,
#      reports the collision and adds the device, and Xen refuses the
#      strict assignment;
#   4. a second guest, the same: xl pci-attach e2e 00:03.0,rdm_policy=relaxed
#      is accepted with a warning (our libxl: libxl's and QEMU's, told the
#      relaxed policy; Debian's: QEMU's, told nothing), Xen assigns it
#      relaxed, and the guest finds the e1000 and reads its STATUS register.
DESC="xl pci-attach of a device whose RMRR is in guest RAM: strict refused (by QEMU when told, else by Xen), relaxed warned"
XEN_RMRR="0x4000-0x400f=0:3.0"
OUTER_ARGS="-device e1000,bus=pcie.0,addr=0x3"
# passthrough: without it libxl creates the domain without an IOMMU
# context and pci-attach fails at xc_test_assign_device ("cannot be
# assigned - no IOMMU?"), before QEMU is asked
GUEST_CFG='memory = 256
maxmem = 256
passthrough = "enabled"'
EXPECT_CREATE=ok
TIMEOUT=720
# The guests must outlive the steps: a guest that powers itself off makes
# xl kill its device model (SIGHUP) in the middle of an attach.  Both are
# destroyed by the steps.
GUEST_HOLD=3600
# the guest waits up to 240 s for the e1000 to be hot-plugged, then reads
# its BAR 0
GUEST_ARGS="e2e_bar=8086:100e e2e_bar_wait=240"
DOM0_STEPS='
BDF=0000:00:03.0
pre_create() {
    lspci_line=$(ls -l /sys/bus/pci/devices/$BDF/driver 2>&1)
    echo "driver before: $lspci_line"
    timeout 60 xl pci-assignable-add 00:03.0; echo "pci-assignable-add rc=$?"
    timeout 30 xl pci-assignable-list
    ls -l /sys/bus/pci/devices/$BDF/driver
}
# attach NAME SPEC: xl -vvv pci-attach, bounded; log + rc in $R
# xl pci-list is read again (up to 20 s) while it does not list a device
# that was attached: one run listed nothing right after a successful
# attach, although QEMU and the guest had the device
attach() {
    log "xl pci-attach $2"
    timeout -k 5 150 xl -vvv pci-attach e2e "$2" > "$R/xl-pci-attach-$1.log" 2>&1
    echo $? > "$R/xl-pci-attach-$1.rc"
    log "xl pci-attach $2: rc=$(cat "$R/xl-pci-attach-$1.rc")"
    deadline=$(( $(up) + 20 ))
    while :; do
        timeout -k 5 30 xl pci-list e2e > "$R/xl-pci-list-$1.txt" 2>&1
        [ "$(cat "$R/xl-pci-attach-$1.rc")" = 0 ] || break
        grep -q "${BDF#0000:}" "$R/xl-pci-list-$1.txt" && break
        [ "$(up)" -lt "$deadline" ] || break
        log "xl pci-list does not list ${BDF#0000:} yet"
        sleep 2
    done
    cp /var/log/xen/qemu-dm-e2e.log "$R/qemu-dm-after-$1.log" 2>/dev/null
}
# qmp_tries SOCKET JSON OUTFILE WAIT PATTERN: one QMP command, up to 3
# tries until an answer matches PATTERN (grep): one run got garbage on its
# first connection to the libxl socket ("JSON parse error, stray ..."),
# a later one ESC bytes on query-pci; every try is kept in OUTFILE.tries
qmp_tries() {
    log "$2 on $1"
    for t in 1 2 3; do
        rm -f "$3.try"
        qmp_exec "$1" "$2" "$3.try" "$4"
        cat "$3.try" >> "$3.tries"
        if grep -q "$5" "$3.try"; then log "answered (try $t)"; break; fi
        log "no answer on try $t: $(head -c 200 "$3.try" | tr "\n" " ")"
        sleep 2
    done
    cp "$3.try" "$3"
}
# check_dev SOCKET ARGS OUTFILE: xen-rdm-check-device until it answers
check_dev() {
    qmp_tries "$1" "{\"execute\":\"xen-rdm-check-device\",\"arguments\":{$2}}" "$3" 4 "\"result\""
}
# query_pci SOCKET OUTFILE: query-pci until it returns the device list
query_pci() {
    qmp_tries "$1" "{\"execute\":\"query-pci\"}" "$2" 6 "\"return\": \["
}
# events EPOCH: listen for QMP events on the harness socket in background;
# returns once the listener has negotiated (QEMU answered its
# qmp_capabilities: events from then on reach it), at most 30 s later.
# (A fixed 3 s pause was not enough: under load socat connected after the
# attach, and the event was missed.)
events() {
    timeout -k 5 180 sh -c "$QMP_PIPE" events /run/e2e-qmp.sock "" 170 5 \
        > "$R/qmp-events-$1.json" 2>&1 &
    EVPID=$!
    deadline=$(( $(up) + 30 ))
    until grep -q "\"return\"" "$R/qmp-events-$1.json" 2>/dev/null; do
        if [ "$(up)" -ge "$deadline" ]; then
            log "QMP event listener $1: not connected after 30 s"; return 1
        fi
        sleep 0.5
    done
    log "QMP event listener $1 connected"
}
post_create() {
    d=$1
    L=/var/run/xen/qmp-libxl-$d
    ls -l /var/run/xen/ > "$R/var-run-xen.txt" 2>&1
    check_dev "$L" "\"host\":\"$BDF\"" "$R/qmp-check-strict.json"
    check_dev "$L" "\"host\":\"$BDF\",\"rdm-policy\":\"relaxed\"" "$R/qmp-check-relaxed.json"
    events 1
    qmp_tries "$L" "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"xen-pci-passthrough\",\"id\":\"e2e-told\",\"hostaddr\":\"$BDF\",\"rdm-policy\":\"strict\"}}" \
        "$R/qmp-device-add-strict.json" 4 "\"error\""
    attach strict 00:03.0
    query_pci "$L" "$R/qmp-query-pci-1.json"
    kill $EVPID 2>/dev/null
    cp /var/log/xen/qemu-dm-e2e.log "$R/qemu-dm-guest1.log" 2>/dev/null
    log "xl destroy (guest 1)"
    timeout 60 xl destroy e2e
    log "xl destroy (guest 1) rc=$?"
    # guest 2: the same guest, QEMU again told nothing
    if [ "$(cat "$R/dm-kind")" = ours ]; then
        sed -e "s|guest-serial.log|guest2-serial.log|" /tmp/guest.cfg > /tmp/guest2.cfg
        cp /tmp/guest2.cfg "$R/guest2.cfg"
        rm -f /run/e2e-qmp.sock
        log "xl create (guest 2)"
        xl_create /tmp/guest2.cfg xl-create-2
        log "xl create (guest 2) rc=$(cat "$R/xl-create-2.rc")"
        i=0
        while [ ! -S /run/e2e-qmp.sock ] && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
        d2=$(created_domid "$R/xl-create-2.log")
        echo "$d2" > "$R/domid-2"
        log "guest 2: domid ${d2:-none}, harness QMP socket: $(ls /run/e2e-qmp.sock 2>&1)"
        check_dev "/var/run/xen/qmp-libxl-$d2" "\"host\":\"$BDF\"" "$R/qmp-check-2.json"
        events 2
        attach relaxed2 00:03.0,rdm_policy=relaxed
        log "query-pci (guest 2)"
        query_pci "/var/run/xen/qmp-libxl-$d2" "$R/qmp-query-pci-2.json"
        sleep 3
        kill $EVPID 2>/dev/null
        cp /var/log/xen/qemu-dm-e2e.log "$R/qemu-dm-guest2.log" 2>/dev/null
        # the guest uses the device: its report has the BAR read
        log "waiting up to 300 s for guest 2 to read the e1000"
        deadline=$(( $(up) + 300 ))
        while [ "$(up)" -lt "$deadline" ] &&
              ! grep -q "E2E-GUEST-END" "$R/guest2-serial.log" 2>/dev/null; do
            sleep 3
        done
        log "guest 2: $(grep -c E2E-GUEST-END "$R/guest2-serial.log" 2>/dev/null) report(s)"
    fi
    timeout 30 xl dmesg > "$R/xl-dmesg-steps.txt" 2>&1
    log "steps done"
}
'

# qmp_event FILE STATUS POLICY: a XEN_RDM_CONFLICT event for 0000:00:03.0
# and the region 0x4000000 (64 KiB) with that status and policy
qmp_event() {
    qmp_any "$1" 'o.get("event") == "XEN_RDM_CONFLICT" and
        o["data"].get("device") == "0000:00:03.0" and
        o["data"]["region"]["start"] == 0x4000000 and
        o["data"]["region"]["size"] == 0x10000 and
        o["data"]["region"]["status"] == "'"$2"'" and
        o["data"]["region"]["policy"] == "'"$3"'"'
}
# the e1000 (8086:100e) at guest slot 3 in QEMU's query-pci answer
pt_in_guest() {
    qmp_ret "$1" 'any(d["id"]["vendor"] == 0x8086 and d["id"]["device"] == 0x100e for b in r for d in b["devices"])'
}

checks() {
    local region="0x4000000-0x400ffff"
    local strict_msg="RDM conflict: device 0000:00:03.0 needs region $region with policy strict"
    check "Xen took the RMRR for 00:03.0 (xl dmesg: Adding RMRR ... [4000-400f])" \
        grep -qE 'Adding RMRR for 1 device \(\[0\]: 0x18\) range \[4000-400f\]' xl-dmesg-boot.txt
    check "dom0: xl pci-assignable-add bound 00:03.0 to pciback" grep -q 'drivers/pciback' steps-pre.log
    if [ "$DM_KIND" != ours ]; then
        echo "# $SCENARIO: device model $DM_KIND: the hot-plug checks need our QEMU (xen-rdm-check-device)"
        return
    fi
    local d1 d2 warn
    d1=$(cat domid 2>/dev/null) d2=$(cat domid-2 2>/dev/null)
    warn="xen-rdm: 0000:00:03.0: reserved device memory $region collides with guest RAM 0x0-0xfffffff; QEMU was not told the device's rdm_policy"
    # 1. xen-rdm-check-device over libxl's QMP socket, before any attach
    check "xen-rdm-check-device (default policy): strict, refused, naming the region" \
        qmp_ret qmp-check-strict.json \
        'r["result"] == "refused" and r["rdm-policy"] == "strict" and "needs region '"$region"' with policy strict" in r["reason"] and r["regions"][0]["status"] == "conflict" and r["regions"][0]["start"] == 0x4000000'
    check "xen-rdm-check-device (rdm-policy relaxed): ok, region ignored" \
        qmp_ret qmp-check-relaxed.json \
        'r["result"] == "ok" and r["rdm-policy"] == "relaxed" and r["regions"][0]["status"] == "ignored" and r["regions"][0]["start"] == 0x4000000'
    # 2. told strict (device_add with rdm-policy): QEMU refuses
    check "QMP device_add ...,rdm-policy=strict: QEMU refuses: $strict_msg" \
        qmp_any qmp-device-add-strict.json '"error" in o and "'"$strict_msg"'" in o["error"]["desc"]'
    # 3. xl pci-attach, strict (libxl's default)
    check "xl pci-attach 00:03.0 (strict) fails" \
        eval '[ "$(cat xl-pci-attach-strict.rc)" != 0 ] && [ -n "$(cat xl-pci-attach-strict.rc)" ]'
    if [ "$LIBXL_KIND" = patched ]; then
        check "our libxl refuses the attach with QEMU's reason: PCI device 0000:00:03.0 not added: $strict_msg" \
            grep -qF "PCI device 0000:00:03.0 not added: $strict_msg" xl-pci-attach-strict.log
        check "our libxl asked QEMU (xen-rdm-check-device) and sent no device_add" \
            eval 'grep -q "cmd '"'"'xen-rdm-check-device'"'"'" xl-pci-attach-strict.log &&
                  ! grep -q "cmd '"'"'device_add'"'"'" xl-pci-attach-strict.log'
        check "the device never reached the guest: QEMU's query-pci has no 8086:100e" \
            eval '[ -f qmp-query-pci-1.json ] && ! pt_in_guest qmp-query-pci-1.json'
        check "Xen was never asked to assign it (no identity map of d$d1:4000)" \
            eval '! grep -qE "Cannot setup identity map d$d1:4000" xl-dmesg-steps.txt'
    else
        check "xl pci-attach (strict): QEMU, not told the policy, warns naming the region and adds the device" \
            grep -qF "$warn" qemu-dm-guest1.log
        check "QEMU emitted XEN_RDM_CONFLICT (conflict, strict) for 00:03.0" \
            qmp_event qmp-events-1.json conflict strict
        check "xl pci-attach (strict): Xen refuses the strict assignment (xc_assign_device failed: Device or resource busy)" \
            grep -qF "xc_assign_device failed: Device or resource busy" xl-pci-attach-strict.log
        check "Xen names the region's first frame (Cannot setup identity map d$d1:4000, gfn already mapped)" \
            grep -qE "Cannot setup identity map d$d1:4000, gfn already mapped" xl-dmesg-steps.txt
    fi
    # 4. guest 2: xl pci-attach ...,rdm_policy=relaxed
    check "guest 2 (created as libxl creates it) created" \
        [ "$(cat xl-create-2.rc 2>/dev/null)" = 0 ]
    check "guest 2: xl pci-attach 00:03.0,rdm_policy=relaxed succeeds" \
        [ "$(cat xl-pci-attach-relaxed2.rc 2>/dev/null)" = 0 ]
    if [ "$LIBXL_KIND" = patched ]; then
        local relaxed_warn="xen-rdm: 0000:00:03.0: reserved device memory $region (policy relaxed) is ignored: it collides with guest RAM 0x0-0xfffffff"
        check "guest 2: our libxl warns: PCI device 0000:00:03.0: RDM region $region is left in guest RAM 0x0-0xfffffff (policy relaxed)" \
            grep -qF "PCI device 0000:00:03.0: RDM region $region is left in guest RAM 0x0-0xfffffff (policy relaxed)" xl-pci-attach-relaxed2.log
        # libxl logs no QMP arguments: QEMU's own messages show that
        # device_add carried the policy
        check "guest 2: libxl checked, then added the device (xen-rdm-check-device, device_add)" \
            eval 'grep -q "cmd '"'"'xen-rdm-check-device'"'"'" xl-pci-attach-relaxed2.log &&
                  grep -q "cmd '"'"'device_add'"'"'" xl-pci-attach-relaxed2.log'
        check "guest 2: QEMU was told the device's policy (no \"QEMU was not told the device's rdm_policy\")" \
            eval '[ -s qemu-dm-guest2.log ] && ! grep -qF "QEMU was not told" qemu-dm-guest2.log'
        check "guest 2: QEMU, told the relaxed policy, warns: $relaxed_warn" \
            grep -qF "$relaxed_warn" qemu-dm-guest2.log
        check "guest 2: QEMU emitted XEN_RDM_CONFLICT (ignored, relaxed) for 00:03.0" \
            qmp_event qmp-events-2.json ignored relaxed
    else
        check "guest 2: QEMU warns: $warn" grep -qF "$warn" qemu-dm-guest2.log
        check "guest 2: QEMU emitted XEN_RDM_CONFLICT for 00:03.0" \
            qmp_event qmp-events-2.json conflict strict
    fi
    check "guest 2: the device is attached (xl pci-list; QEMU query-pci has 8086:100e)" \
        eval 'grep -q "0000:00:03.0" xl-pci-list-relaxed2.txt && pt_in_guest qmp-query-pci-2.json'
    check "guest 2: the hot-plugged e1000 appeared in the guest (waited $(guest_io "bar-wait 8086:100e" waited guest2-serial.log))" \
        [ "$(guest_io "bar-wait 8086:100e" present guest2-serial.log)" = yes ]
    check "guest 2: the guest reads the e1000's STATUS register through the passthrough (link up: $(guest_io "bar read" word8 guest2-serial.log))" \
        eval 'v=$(guest_io "bar read" word8 guest2-serial.log); [ -n "$v" ] && [ "$v" != 0xffffffff ] && [ $((v & 2)) = 2 ]'
    check "guest 2: Xen assigned it relaxed over guest RAM (Cannot setup identity map d$d2:4000, gfn already mapped)" \
        grep -qE "Cannot setup identity map d$d2:4000, gfn already mapped" xl-dmesg-steps.txt
    check_libxl_told_dm ignore relaxed 2048*1024*1024
    for n in strict relaxed2; do
        echo "# $SCENARIO: xl pci-attach ($n) rc=$(cat xl-pci-attach-$n.rc 2>/dev/null):"
        grep -E 'error|RDM' "xl-pci-attach-$n.log" 2>/dev/null | head -5 | diag
    done
    grep -h 'xen-rdm' qemu-dm-guest2.log 2>/dev/null | diag
}
