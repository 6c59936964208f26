# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: a soft reset of a split guest.  The guest of guest-life-split
# (RMRR at 96 MiB, rdm="strategy=host,layout=split": RAM around a hole
# at 96 MiB) with on_soft_reset = "soft-reset", and a second virtio
# disk holding its own kernel and initramfs.  After its report and a
# round of DMA checks on both sides of the hole, the guest kexecs into
# them (e2e_kexec: kexec_file_load and reboot); a Xen HVM guest's kernel
# asks for a soft reset on the way (SHUTDOWN_soft_reset), and xl's
# daemon for the guest resets the domain, keeping its memory, and starts
# a new device model that takes the old one's state, as on a restore.
# Checks: the same domain, a new device model whose RAM is the created
# guest's (query-xen-rdm, from the migration stream), and the kexec'd
# kernel's own report and DMA checks on both sides of the hole.
# Debian's libxl cannot populate the split layout: the scenario is for
# our libxl, and says so otherwise.
# shellcheck disable=SC1091
. "$(dirname "${BASH_SOURCE[0]}")/guest-life-split.sh"
DESC="a split guest kexecs itself: soft reset keeps its layout"
OUTER_ARGS=
GUEST_CFG='memory = 384
maxmem = 384
mmio_hole = 3840
rdm = "strategy=host,layout=split"
on_soft_reset = "soft-reset"'
DM_ARGS="$DM_ARGS"', "-drive", "file=/tmp/e2e-kexec.img,if=none,id=e2ekexec,format=raw,readonly=on", "-device", "virtio-blk-pci,drive=e2ekexec"'
GUEST_ARGS="$GUEST_ARGS e2e_kexec=vdb"
TIMEOUT=1800
DOM0_STEPS="$DOM0_STEPS"'
pre_create() {
    local k=/e2e-in/vmlinuz i=/e2e-in/guest-initrd.img ks is
    truncate -s 8M /tmp/e2e-disk.img && ls -l /tmp/e2e-disk.img
    # the kernel and initramfs the guest kexecs into (e2e/guest/init)
    ks=$(stat -c %s $k) is=$(stat -c %s $i)
    printf "E2EKEXEC %s %s\n" "$ks" "$is" | dd of=/tmp/e2e-kexec.img conv=notrunc 2>/dev/null
    dd if=$k of=/tmp/e2e-kexec.img bs=1M seek=1 conv=notrunc 2>/dev/null
    dd if=$i of=/tmp/e2e-kexec.img bs=1M seek=$(( 1 + (ks + 1048575) / 1048576 )) conv=notrunc 2>/dev/null
    ls -l /tmp/e2e-kexec.img; head -1 /tmp/e2e-kexec.img
}
# dm_pid: the device model of the guest (its command line names it)
dm_pid() {
    local p
    for p in /proc/[0-9]*; do
        case $(tr "\0" " " < "$p/cmdline" 2>/dev/null) in
        *qemu*-xen-domid*) echo "${p#/proc/}" ;;
        esac
    done | head -1
}
post_create() {
    local d1 d2 p1 p2 deadline
    wait_for E2E-GUEST-END "$GUEST_TIMEOUT"
    wait_for "E2E-KEXEC begin" 400 || return
    d1=$(timeout -k 5 30 xl domid e2e) p1=$(dm_pid)
    layout created
    cp "$R/guest-serial.log" "$R/guest-serial-created.log"
    echo "before: domid $d1 device model $p1" > "$R/soft-reset.txt"
    # xl'"'"'s daemon for the guest does the soft reset: wait for a new
    # device model
    deadline=$(( $(up) + 300 ))
    until p2=$(dm_pid); [ -n "$p2" ] && [ "$p2" != "$p1" ]; do
        [ "$(up)" -lt "$deadline" ] || { log "no new device model after 300 s"; break; }
        sleep 2
    done
    d2=$(timeout -k 5 30 xl domid e2e)
    echo "after: domid $d2 device model $p2" >> "$R/soft-reset.txt"
    log "soft reset: $(tr "\n" " " < "$R/soft-reset.txt")"
    wait_for E2E-KEXECED 400
    # a whole round after the kexec'"'"'d kernel'"'"'s marker
    deadline=$(( $(up) + 400 ))
    until sed -n "/E2E-KEXECED/,\$p" "$R/guest-serial.log" 2>/dev/null |
              grep -q "^E2E-ROUND [0-9]* end"; do
        [ "$(up)" -lt "$deadline" ] || { log "no round after the kexec"; break; }
        sleep 3
    done
    layout soft-reset
    timeout -k 5 30 xl list > "$R/xl-list-soft-reset.txt" 2>&1
    cp /var/log/xen/xl-e2e.log "$R/xl-e2e.log" 2>/dev/null
    timeout 60 xl destroy e2e
    sed -n "/E2E-KEXECED/,\$p" "$R/guest-serial.log" > "$R/guest-serial-soft-reset.log"
    cp "$R/guest-serial-created.log" "$R/guest-serial-all.log"
    cat "$R/guest-serial-soft-reset.log" >> "$R/guest-serial-all.log"
}'

checks() {
    if [ "$LIBXL_KIND" != patched ] || [ "$RDM_AWARE" = 0 ]; then
        check "this scenario needs our libxl and our QEMU (libxl-kind $LIBXL_KIND, device model $DM)" false
        return
    fi
    check_split_created
    check "the guest loaded its kernel and initramfs for kexec (E2E-IO kexec loaded)" \
        eval 'tr -d "\r" < guest-serial-created.log | grep -q "^E2E-KEXEC begin" &&
              tr -d "\r" < guest-serial-created.log | grep -q "^E2E-IO kexec loaded"'
    tr -d '\r' < guest-serial-created.log | grep "E2E-KEXEC\|kexec" | diag
    echo "# $SCENARIO: $(tr '\n' ' ' < soft-reset.txt 2>/dev/null)"
    check "soft reset: the same domain, a new device model" \
        eval 'set -- $(sed -n "s/^before: domid \([0-9]*\) device model \([0-9]*\)$/\1 \2/p" soft-reset.txt)
              d1=$1 p1=$2
              set -- $(sed -n "s/^after: domid \([0-9]*\) device model \([0-9]*\)$/\1 \2/p" soft-reset.txt)
              [ -n "$d1" ] && [ "$1" = "$d1" ] && [ -n "$2" ] && [ "$2" != "$p1" ]'
    check "xl's daemon for the guest did the soft reset (xl-e2e.log)" \
        grep -qi "soft.reset" xl-e2e.log
    grep -i "soft.reset\|error" xl-e2e.log 2>/dev/null | head -6 | diag
    layout_same soft-reset
    check "the kexec'd kernel ran its init (E2E-KEXECED)" grep -q E2E-KEXECED guest-serial-soft-reset.log
    check "soft reset: a whole round of DMA checks on both sides of the hole" round_ok soft-reset
}
