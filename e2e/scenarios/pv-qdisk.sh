# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: a PV guest whose disk QEMU serves (issue 21: nothing that
# worked stops working).  For a PV guest with a backendtype=qdisk disk
# libxl starts the device model with -xen-attach and -machine xenpv, only
# to run QEMU's Xen block backend; after the install the default device
# model is ours, so that QEMU is ours too.  dom0's pre_create creates
# such a guest (type "pv", the harness's guest kernel and initramfs,
# console=hvc0) with a 4 MiB image in dom0's /tmp as xvda (a known
# pattern written at offsets 0 and 1 MiB), and the device model of the
# run's pair (the device_model_override line the harness writes for
# --dm ours, none for --dm debian: libxl's default,
# /usr/libexec/xen-qemu-system-i386).  The guest's init (e2e_pvblk=xvda)
# loads xen-blkfront (scripts/e2e-prepare.sh puts it in the guest
# initramfs), reads the pattern back and writes a line at 2 MiB.
# Checks: xl create succeeds, libxl spawned that binary with -xen-attach
# and -machine xenpv, the process is that binary and holds the image
# open, QEMU's qdisk backend in xenstore (backend/qdisk/DOMID/51712)
# reaches state 2 (InitWait, QEMU has opened the image) with the image's
# size in sectors, the guest boots (its report on its console, hvc0,
# which xl console reads from xenconsoled), its frontend connects (state
# 4, Connected, on both sides), it reads the pattern at 0 and 1 MiB, its
# write is in the image after xl destroy, and the device model's log has
# no error.  So the level reached is state 4 and data both ways.  The
# harness's HVM guest is created as usual and destroyed by the steps.
DESC="a PV guest with a qdisk disk: libxl starts the device model with -xen-attach -machine xenpv, its block backend serves the guest's xen-blkfront"
# the harness's HVM guest (libxl refuses one with no memory line:
# "shadow_memkb value 72057594037928956kB too large", seen in a run)
GUEST_CFG='memory = 256
maxmem = 256'
EXPECT_CREATE=ok
TIMEOUT=600
DOM0_STEPS='
PV_IMG=/tmp/e2e-pv.img
# img_lines: the first line at 0, 1 MiB and 2 MiB of the image
img_lines() {
    for o in 0 1 2; do
        echo "$o $(dd if="$PV_IMG" bs=1M skip=$o count=1 2>/dev/null | head -1 | tr -d "\0")"
    done
}
pre_create() {
    local i b f state p pid deadline
    # the image: 4 MiB, a pattern at 0 and at 1 MiB
    truncate -s 4M "$PV_IMG"
    printf "E2E-PV-QDISK-PATTERN-0\n" | dd of="$PV_IMG" conv=notrunc 2>/dev/null
    printf "E2E-PV-QDISK-PATTERN-1M\n" | dd of="$PV_IMG" bs=1M seek=1 conv=notrunc 2>/dev/null
    img_lines > "$R/pv-img-before.txt"
    stat -c %s "$PV_IMG" > "$R/pv-img-size.txt"
    # the PV guest: the HVM guest'\''s kernel, initramfs and device model;
    # its init loads xen-blkfront and reads and writes xvda (e2e_pvblk)
    {
        echo "name = \"e2e-pv\""
        echo "type = \"pv\""
        echo "vcpus = 1"
        echo "memory = 128"
        grep -E "^(kernel|ramdisk|device_model_version|device_model_override) " /tmp/guest.cfg
        echo "extra = \"console=hvc0 quiet panic=-1 mitigations=off e2e_hold=600 e2e_pvblk=xvda\""
        echo "on_poweroff = \"destroy\""
        echo "on_reboot = \"destroy\""
        echo "on_crash = \"destroy\""
        echo "disk = [ \"format=raw,vdev=xvda,access=rw,backendtype=qdisk,target=$PV_IMG\" ]"
    } > /tmp/guest-pv.cfg
    cp /tmp/guest-pv.cfg "$R/guest-pv.cfg"
    log "xl create (PV guest)"
    xl_create /tmp/guest-pv.cfg xl-create-pv || return
    i=$(created_domid "$R/xl-create-pv.log")
    echo "$i" > "$R/pv-domid"
    log "PV guest domid $i"
    # its console (hvc0, served by xenconsoled, not by QEMU)
    sleep 300 | timeout -k 5 280 xl console e2e-pv > "$R/pv-console.log" 2>&1 &
    # the backend QEMU serves (51712 is xvda, 202:0): first InitWait,
    # QEMU having opened the image, before the guest'\''s frontend
    b=/local/domain/0/backend/qdisk/$i/51712
    f=/local/domain/$i/device/vbd/51712
    echo "$b" > "$R/pv-backend-path.txt"
    deadline=$(( $(up) + 40 ))
    state=
    while [ "$(up)" -lt "$deadline" ]; do
        state=$(xenstore-read "$b/state" 2>&1)
        [ "$state" = 2 ] || [ "$state" = 4 ] && break
        sleep 1
    done
    echo "$state" > "$R/pv-backend-state-first.txt"
    log "PV qdisk backend state $state"
    # the device model of the PV guest: the process with -xen-attach and
    # this -xen-domid; its binary, arguments and open files
    pid=
    for p in /proc/[0-9]*; do
        tr "\0" "\n" < "$p/cmdline" 2>/dev/null | grep -qx -- "-xen-attach" || continue
        tr "\0" "\n" < "$p/cmdline" 2>/dev/null | grep -A1 -x -- "-xen-domid" | grep -qx "$i" || continue
        pid=${p#/proc/}
    done
    echo "${pid:-none}" > "$R/pv-dm-pid.txt"
    if [ -n "$pid" ]; then
        readlink "/proc/$pid/exe" > "$R/pv-dm-exe.txt"
        tr "\0" "\n" < "/proc/$pid/cmdline" > "$R/pv-dm-cmdline.txt"
        for p in /proc/$pid/fd/*; do readlink "$p"; done > "$R/pv-dm-fds.txt" 2>&1
    fi
    timeout -k 5 30 xl list > "$R/xl-list-pv.txt" 2>&1
    # the guest boots and uses the disk: its report on its console
    deadline=$(( $(up) + 150 ))
    while [ "$(up)" -lt "$deadline" ]; do
        grep -q E2E-GUEST-END "$R/pv-console.log" 2>/dev/null && break
        sleep 2
    done
    log "PV guest: $(grep -c E2E-GUEST-END "$R/pv-console.log") report(s)"
    # then the backend and the frontend: 4, Connected
    deadline=$(( $(up) + 20 ))
    while [ "$(up)" -lt "$deadline" ]; do
        state=$(xenstore-read "$b/state" 2>&1)
        [ "$state" = 4 ] && break
        sleep 1
    done
    echo "$state" > "$R/pv-backend-state.txt"
    xenstore-read "$f/state" > "$R/pv-frontend-state.txt" 2>&1
    timeout 30 xenstore-ls -f "$b" > "$R/pv-backend-ls.txt" 2>&1
    timeout 30 xenstore-ls -f "$f" > "$R/pv-frontend-ls.txt" 2>&1
    timeout 60 xl destroy e2e-pv
    echo "$?" > "$R/xl-destroy-pv.rc"
    sleep 1
    img_lines > "$R/pv-img-after.txt"
    cp /var/log/xen/qemu-dm-e2e-pv.log "$R/qemu-dm-pv.log" 2>/dev/null
    log "PV guest done"
}
post_create() {
    timeout -k 5 30 xl list > "$R/xl-list-hvm.txt" 2>&1
}'

# pv_dm_arg OPT: the argument that follows OPT in libxl's command line
# for the PV guest's device model (xl -vvv create's log prints one
# argument a line)
pv_dm_arg() { grep -A1 ":  $1\$" xl-create-pv.log | grep -v ":  $1\$" | grep -v '^--$' | sed 's/.*:  //'; }
# pv_dm_errors: the lines of the PV guest's device model log that report
# an error, but the one QEMU 10 prints for every guest (its console is
# xenconsoled's: "failed to create 'console' device '0': declining to
# handle console type 'xenconsoled'") and the signal xl destroy sends
pv_dm_errors() {
    grep -i "error\|fail\|invalid\|unable\|cannot\|can't\|abort" qemu-dm-pv.log |
        grep -v "failed to create 'console' device '0': declining to handle console type 'xenconsoled'"
}

checks() {
    local want sectors
    case $DM_KIND in
    debian) want=/usr/libexec/xen-qemu-system-i386 ;;
    *) want=/opt/e2e-qemu/bin/qemu-system-x86_64 ;;
    esac
    echo "# $SCENARIO: PV guest domid $(cat pv-domid 2>/dev/null), device model pid $(cat pv-dm-pid.txt 2>/dev/null): $(cat pv-dm-exe.txt 2>/dev/null) $(tr '\n' ' ' < pv-dm-cmdline.txt 2>/dev/null)"
    check "xl create of the PV guest with a qdisk disk succeeds" \
        [ "$(cat xl-create-pv.rc 2>/dev/null)" = 0 ]
    [ "$(cat xl-create-pv.rc 2>/dev/null)" = 0 ] || tail -20 xl-create-pv.log 2>/dev/null | diag
    check "libxl spawned $want for it with -xen-attach and -machine xenpv" \
        eval 'grep -q "Spawning device-model $want with arguments:" xl-create-pv.log &&
              grep -q ":  -xen-attach$" xl-create-pv.log &&
              pv_dm_arg -machine | grep -qx xenpv'
    check "its device model runs: the process is $want with -xen-attach and -machine xenpv" \
        eval '[ "$(cat pv-dm-exe.txt 2>/dev/null)" = "$want" ] &&
              grep -A1 -x -- "-machine" pv-dm-cmdline.txt | grep -qx xenpv'
    check "the device model holds the disk image open (/proc/PID/fd)" \
        grep -qx /tmp/e2e-pv.img pv-dm-fds.txt
    sectors=$(( $(cat pv-img-size.txt 2>/dev/null || echo 0) / 512 ))
    check "QEMU's qdisk backend takes the disk: state 2 (InitWait) or 4 (Connected) after xl create (state $(cat pv-backend-state-first.txt 2>/dev/null))" \
        grep -qx "[24]" pv-backend-state-first.txt
    echo "# $SCENARIO: qdisk backend $(cat pv-backend-path.txt 2>/dev/null): $(tr '\n' ';' < pv-backend-ls.txt 2>/dev/null)"
    check "the backend publishes the image's size: sectors = $sectors" \
        eval '[ "$sectors" -gt 0 ] && grep -q "/sectors = \"$sectors\"$" pv-backend-ls.txt'
    check "the PV guest boots: its report on its console (hvc0, pv-console.log)" \
        eval 'grep -q E2E-GUEST-BEGIN pv-console.log && grep -q E2E-GUEST-END pv-console.log'
    grep "E2E-PVBLK\|blkfront: " pv-console.log 2>/dev/null | diag
    check "the guest's xen-blkfront connects: backend and frontend in state 4 (Connected; $(cat pv-backend-state.txt 2>/dev/null) and $(cat pv-frontend-state.txt 2>/dev/null))" \
        eval 'grep -qx 4 pv-backend-state.txt && grep -qx 4 pv-frontend-state.txt'
    check "the guest sees the disk (/dev/xvda, $sectors sectors) and reads the pattern at 0 and 1 MiB through the backend" \
        eval 'grep -q "^E2E-PVBLK disk /dev/xvda after [0-9]* s, $sectors sectors" pv-console.log &&
              grep -q "^E2E-PVBLK read 0: E2E-PV-QDISK-PATTERN-0" pv-console.log &&
              grep -q "^E2E-PVBLK read 1M: E2E-PV-QDISK-PATTERN-1M" pv-console.log'
    echo "# $SCENARIO: the image before: $(tr '\n' ';' < pv-img-before.txt 2>/dev/null) after: $(tr '\n' ';' < pv-img-after.txt 2>/dev/null)"
    check "xl destroy of the PV guest succeeds; the guest's write at 2 MiB is in the image, the patterns at 0 and 1 MiB as written" \
        eval '[ "$(cat xl-destroy-pv.rc 2>/dev/null)" = 0 ] &&
              grep -qx "0 E2E-PV-QDISK-PATTERN-0" pv-img-after.txt &&
              grep -qx "1 E2E-PV-QDISK-PATTERN-1M" pv-img-after.txt &&
              grep -qx "2 E2E-PV-GUEST-WROTE" pv-img-after.txt &&
              grep -qx "2 " pv-img-before.txt'
    check "the device model's log has no error" \
        eval '[ -f qemu-dm-pv.log ] && [ -z "$(pv_dm_errors)" ]'
    pv_dm_errors 2>/dev/null | head -5 | diag
}
