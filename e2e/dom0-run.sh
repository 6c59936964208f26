#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs in the e2e dom0 (from the run's input disk, /e2e-in): creates the
# scenario's guest with xl, asks its device model over QMP, waits for the
# guest's report, collects the logs into $1.  Every wait is bounded.
# Inputs in /e2e-in: scenario.env (variables below), guest.cfg (the
# scenario's xl.cfg lines), vmlinuz, guest-initrd.img, optionally
# qemu/qemu-system-x86_64 (our device model), optionally dom0-steps.sh
# (the scenario's DOM0_STEPS: pre_create / post_create functions),
# optionally dm-args (the scenario's DM_ARGS: more device model arguments,
# as xl.cfg list items).  scenario.env:
#   GUEST_TIMEOUT  seconds to wait for the guest's report (default 300)
#   GUEST_HOLD     seconds the guest keeps running after it (default 15)
#   GUEST_ARGS     more guest kernel arguments
#   DM_NAME        ours|plain|debian, recorded in dm-kind
# Optionally libxl/ (our libxenlight, libxlutil, xl, hvmloader and the
# version they are built on).
R=$1
IN=/e2e-in
GUEST_TIMEOUT=420
GUEST_HOLD=15
GUEST_ARGS=
DM_NAME=
. "$IN/scenario.env"
DM_EXTRA=
[ -f "$IN/dm-args" ] && DM_EXTRA=", $(cat "$IN/dm-args")"
PATH=/usr/lib/xen-4.17/bin:$PATH
log() { echo "E2E-DOM0: $*" > /dev/console; echo "[$(cut -d' ' -f1 /proc/uptime)] $*"; }
QMP=/run/e2e-qmp.sock
up() { cut -d. -f1 /proc/uptime; }

# A run that uses up its budget is killed by /init's timeout: 20 s before
# that, record what every process is doing (ps with kernel wait channel,
# and the kernel stacks of the harness's own commands), to show where it
# hung: results/ps-before-budget.txt
if [ -f "$IN/budget" ] && [ "$(cat "$IN/budget")" -gt 40 ]; then
    (
        sleep $(( $(cat "$IN/budget") - 20 ))
        {
            echo "dom0 uptime $(up) s: dom0-run.sh is about to run out of its budget"
            ps -eo pid,ppid,pgid,stat,etimes,wchan:32,args
            for p in /proc/[0-9]*; do
                case $(cat "$p/comm" 2>/dev/null) in
                sh|socat|timeout|sleep|xl|cat|grep|qemu*)
                    echo "== ${p#/proc/} $(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)"
                    cat "$p/stack" 2>/dev/null ;;
                esac
            done
        } > "$R/ps-before-budget.txt" 2>&1
    ) &
    WATCHDOG=$!
    trap 'kill $WATCHDOG 2>/dev/null' EXIT
fi

# qmp_send SOCKET JSON-COMMAND WAIT LINGER LIMIT: the handshake and one
# command; the answers (stdout) are read for WAIT s, then up to LINGER s
# after the input ends, all within LIMIT s.  The whole pipeline runs
# under one timeout (its process group is killed 5 s after the TERM at
# LIMIT): a CI run once waited 700 s on the pipeline's `sleep 12`, in
# state R after socat had exited; and socat 1.7.4 runs its exit code
# inside the signal handler, which can deadlock.
# (the pipeline: sh -c "$QMP_PIPE" NAME SOCKET JSON-COMMAND WAIT LINGER)
QMP_PIPE='{ printf "%s\n" "{\"execute\":\"qmp_capabilities\"}" "$2"; sleep "$3"; } |
    socat -t "$4" - UNIX-CONNECT:"$1"'
qmp_send() {
    if [ ! -S "$1" ]; then echo "no QMP socket $1"; return 1; fi
    timeout -k 5 "$5" sh -c "$QMP_PIPE" qmp_send "$@" 2>&1
}
qmp_hmp() { # qmp_hmp "info mtree -f" OUTFILE
    qmp_send "$QMP" "$(printf '{"execute":"human-monitor-command","arguments":{"command-line":"%s"}}' "$1")" \
        12 20 40 > "$2"
}
qmp_cmd() { # qmp_cmd COMMAND OUTFILE
    qmp_send "$QMP" "{\"execute\":\"$1\"}" 3 5 20 > "$2"
}
# qmp_exec SOCKET JSON-COMMAND OUTFILE [WAIT]: one QMP command on any
# socket (e.g. libxl's /var/run/xen/qmp-libxl-DOMID), answer appended
qmp_exec() {
    qmp_send "$1" "$2" "${4:-4}" 10 40 >> "$3"
}
# guest_state: "there", "gone" (xl domid knows no guest e2e) or
# "unknown" (xl did not answer within 30 s: once `xl domid` right after
# an xl create took longer than that; unbounded, it used up a CI run's
# budget)
guest_state() {
    timeout -k 5 30 xl domid e2e >/dev/null 2>&1
    case $? in 0) echo there ;; 124|137) echo unknown ;; *) echo gone ;; esac
}
# created_domid LOG: the domid that an `xl -vvv create` log shows libxl
# gave the guest (its "Domain N:" lines), else xl domid's answer
created_domid() {
    set -- "$(sed -n 's/.*initiate_domain_create: Domain \([0-9][0-9]*\):.*/\1/p' "$1" | head -1)"
    [ -n "$1" ] || set -- "$(timeout -k 5 30 xl domid e2e 2>/dev/null)"
    echo "$1"
}
# xl_create CFG NAME: xl -vvv create CFG within 180 s; its log in
# $R/NAME.log, its status in $R/NAME.rc and returned.  xl 4.17 was seen
# to abort at exit (glibc: "corrupted double-linked list", status 134)
# after libxl had created and unpaused the guest (whose device model then
# answered QMP): when
# the log shows that (the unpause, then its asynchronous operation
# complete with rc=0) and the guest exists, the status counts as 0 and
# $R/NAME.xl-abort records what happened (run-e2e.sh reports it).
xl_create() {
    timeout -k 5 180 xl -vvv create "$1" > "$R/$2.log" 2>&1
    set -- "$1" "$2" $?
    if [ "$3" = 134 ] &&
       sed -n '/libxl_domain_unpause: .*create:/,$p' "$R/$2.log" |
           grep 'libxl__ao_complete:' | tail -1 | grep -q 'complete, rc=0$' &&
       [ "$(guest_state)" = there ]; then
        { echo "xl create exited with status 134 after libxl completed the create;"
          echo "the guest exists (domid $(created_domid "$R/$2.log")); xl's last lines:"
          tail -3 "$R/$2.log"; } > "$R/$2.xl-abort"
        log "$2: xl aborted at exit after a complete create; counted as created"
        set -- "$1" "$2" 0
    fi
    echo "$3" > "$R/$2.rc"
    return "$3"
}
# a scenario's own dom0 steps (DOM0_STEPS in the scenario): functions
# pre_create (before xl create) and post_create (after it succeeded and
# the QMP answers were taken; the guest is destroyed after it instead of
# waiting for its report).  They must bound their own waits.
STEPS=0
if [ -f "$IN/dom0-steps.sh" ]; then
    . "$IN/dom0-steps.sh"
    STEPS=1
fi
has_fn() { type "$1" 2>/dev/null | grep -q function; }

xl info > "$R/xl-info.txt" 2>&1
xl dmesg > "$R/xl-dmesg-boot.txt" 2>&1
# the ACPI tables dom0 sees (Xen renames DMAR to RMAD for dom0), and a
# copy of that table for the tool's check on the host
ls /sys/firmware/acpi/tables > "$R/dom0-acpi-tables.txt" 2>&1
for t in DMAR RMAD; do
    [ -r "/sys/firmware/acpi/tables/$t" ] &&
        cp "/sys/firmware/acpi/tables/$t" "$R/dom0-acpi-$t.dat"
done

# the libxl series as scripts/install.sh installs it: our libxenlight
# and libxlutil (with their soname links) in /usr/lib/xen-rdm/lib, where
# neither the dynamic linker nor ldconfig looks, and xl built with them
# (the series changes libxl's ABI), which finds them through its RUNPATH,
# in place of Debian's xl; Debian's libraries stay for every other
# program.  Else Debian's.  libxl-ldd.txt: the libraries xl loads
PRIVLIB=/usr/lib/xen-rdm/lib
if [ -d "$IN/libxl" ]; then
    mkdir -p "$PRIVLIB"
    for f in "$IN"/libxl/*.so.4.17.0; do
        cp "$f" "$PRIVLIB/"
        f=${f##*/}
        ln -sfn "$f" "$PRIVLIB/${f%.*}"
    done
    cp "$IN/libxl/xl" /usr/lib/xen-4.17/bin/xl
    echo patched > "$R/libxl-kind"
else
    echo debian > "$R/libxl-kind"
fi
ldd /usr/lib/xen-4.17/bin/xl > "$R/libxl-ldd.txt" 2>&1
sha256sum /usr/lib/x86_64-linux-gnu/libxenlight.so.4.17.0 \
    /usr/lib/x86_64-linux-gnu/libxlutil.so.4.17.0 \
    /usr/lib/xen-4.17/bin/xl $PRIVLIB/*.so.4.17.0 > "$R/libxl-sha256.txt" 2>&1
# and our hvmloader (patches/xen 0014-0017) in place of Debian's, diverted
# beside it (scripts/install.sh diverts to /usr/lib/xen-rdm/diverted/,
# out of ldconfig's way; hvmloader is no library), only when dom0's
# xen-utils-4.17 is the version it is built on; hvmloader-kind says which
# runs
HVMLOADER=/usr/lib/xen-4.17/boot/hvmloader
if [ -f "$IN/libxl/hvmloader" ]; then
    have=$(dpkg-query -W -f='${Version}' xen-utils-4.17 2>/dev/null)
    if [ "$have" != "$(cat "$IN/libxl/version")" ]; then
        echo "dom0 has xen-utils-4.17 $have, our hvmloader is built on xen $(cat "$IN/libxl/version")" > "$R/hvmloader-kind"
    elif dpkg-divert --local --rename --divert "$HVMLOADER.debian-xen-rdm" \
             --add "$HVMLOADER" > "$R/hvmloader-divert.log" 2>&1 &&
         cp "$IN/libxl/hvmloader" "$HVMLOADER"; then
        echo patched > "$R/hvmloader-kind"
    else
        echo "the divert or the copy failed" > "$R/hvmloader-kind"
    fi
else
    echo debian > "$R/hvmloader-kind"
fi
sha256sum "$HVMLOADER" > "$R/hvmloader-sha256.txt" 2>&1

DM_LINE=
if [ -x "$IN/qemu-plain/bin/qemu-system-x86_64" ]; then
    # unmodified QEMU, for a scenario's steps (run-e2e.sh SHIP_PLAIN)
    mkdir -p /opt/e2e-qemu-plain/bin
    cp "$IN/qemu-plain/bin/qemu-system-x86_64" /opt/e2e-qemu-plain/bin/
fi
if [ -x "$IN/qemu/bin/qemu-system-x86_64" ]; then
    # started as libxl starts it, the binary itself: it has VNC and finds
    # Debian's firmware, option ROMs and keymaps (its --firmwarepath)
    mkdir -p /opt/e2e-qemu/bin
    cp "$IN/qemu/bin/qemu-system-x86_64" /opt/e2e-qemu/bin/
    DM_LINE='device_model_override = "/opt/e2e-qemu/bin/qemu-system-x86_64"'
    echo "${DM_NAME:-ours}" > "$R/dm-kind"
else
    echo "debian" > "$R/dm-kind"
fi

cat > /tmp/guest.cfg <<CFG
name = "e2e"
type = "hvm"
vcpus = 1
tsc_mode = "native"
kernel = "$IN/vmlinuz"
ramdisk = "$IN/guest-initrd.img"
cmdline = "console=ttyS0 quiet panic=-1 mitigations=off 8250.nr_uarts=1 e2e_hold=$GUEST_HOLD${GUEST_ARGS:+ $GUEST_ARGS}"
serial = "file:$R/guest-serial.log"
vnc = 0
sdl = 0
vga = "none"
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
device_model_version = "qemu-xen"
device_model_args_hvm = [ "-qmp", "unix:$QMP,server=on,wait=off"${DM_MACHINE_OPTS:+, \"-machine\", \"$DM_MACHINE_OPTS\"}$DM_EXTRA ]
$DM_LINE
CFG
cat "$IN/guest.cfg" >> /tmp/guest.cfg
cp /tmp/guest.cfg "$R/guest.cfg"

if [ $STEPS = 1 ] && has_fn pre_create; then
    log "scenario steps: pre_create"
    pre_create > "$R/steps-pre.log" 2>&1
fi
log "xl create"
t0=$(cut -d' ' -f1 /proc/uptime)
xl_create /tmp/guest.cfg xl-create
rc=$?
t1=$(cut -d' ' -f1 /proc/uptime)
log "xl create rc=$rc after $(echo "$t1 $t0" | awk '{printf "%.1f", $1-$2}') s"

if [ "$rc" = 0 ]; then
    domid=$(created_domid "$R/xl-create.log")
    echo "$domid" > "$R/domid"
    timeout -k 5 30 xl list > "$R/xl-list.txt" 2>&1
    i=0
    while [ ! -S "$QMP" ] && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
    qmp_hmp "info mtree -f" "$R/qmp-mtree-f.json"
    qmp_hmp "info mtree" "$R/qmp-mtree.json"
    qmp_cmd query-xen-rdm "$R/qmp-query-xen-rdm.json"
    if [ $STEPS = 1 ] && has_fn post_create; then
        log "scenario steps: post_create (domid $domid)"
        post_create "$domid" > "$R/steps-post.log" 2>&1
        log "scenario steps done"
        timeout 60 xl destroy e2e
        echo "steps" > "$R/guest-state"
        log "dom0-run.sh done"
        exit 0
    fi
    log "QMP answers collected; waiting up to $GUEST_TIMEOUT s for the guest"
    # deadlines on the clock: under TCG a loop turn takes seconds
    deadline=$(( $(up) + GUEST_TIMEOUT )); state=timeout
    while [ "$(up)" -lt "$deadline" ]; do
        if grep -q E2E-GUEST-END "$R/guest-serial.log" 2>/dev/null; then state=report; break; fi
        # gone only when xl says so twice (one xl call can fail under load)
        if [ "$(guest_state)" = gone ]; then
            sleep 1
            [ "$(guest_state)" = gone ] && { state=gone; break; }
        fi
        sleep 2
    done
    t2=$(cut -d' ' -f1 /proc/uptime)
    log "guest: $state after $(echo "$t2 $t1" | awk '{printf "%.1f", $1-$2}') s"
    echo "$state $(echo "$t2 $t1" | awk '{printf "%.1f", $1-$2}')" > "$R/guest-state"
    if [ "$state" = report ]; then
        qmp_hmp "info mtree -f" "$R/qmp-mtree-f-late.json"
    fi
    deadline=$(( $(up) + GUEST_HOLD + 60 ))
    while [ "$(guest_state)" != gone ] && [ "$(up)" -lt "$deadline" ]; do
        sleep 2
    done
    if [ "$(guest_state)" != gone ]; then
        log "guest still there: xl destroy"
        echo "destroyed" > "$R/guest-destroyed"
        timeout 60 xl destroy e2e
    fi
else
    # what a failed create left behind (libxl destroys the domain)
    sleep 2
    timeout -k 5 30 xl list > "$R/xl-list-after-fail.txt" 2>&1
fi
# /init collects xl dmesg and /var/log/xen after this script, even on timeout
log "dom0-run.sh done"
exit 0
