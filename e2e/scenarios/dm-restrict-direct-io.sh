# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: two xl.cfg options that work with Debian's own device model
# and libxl keep working with ours (issue 21): dm_restrict=1 with
# device_model_user, and a qdisk disk with direct-io-safe.
#
# dm_restrict: libxl 4.17 runs a restricted device model in a chroot
# (XEN_RUN_DIR/qemu-root-DOMID) as the user device_model_user names
# (docs/features/qemu-deprivilege.pandoc: one user per guest, and a
# xen-qemuuser-reaper user to kill it; dom0's steps create both).
# Debian's libxl passes -chroot DIR and -runas USER, which QEMU 7.2 (Debian's device
# model) has and QEMU 9.0/10.0 removed; our series probes the device
# model's command line and passes -run-with chroot=DIR and -run-with
# user=USER to a QEMU that lists them (patches 0003-0005), and our QEMU
# accepts -chroot and -runas again (QEMU patch 0017) and starts under
# libxl's limits (0014-0016).  So the restricted guest starts with
# Debian's libxl and QEMU, and with ours and either libxl; unmodified
# QEMU 10 (plain) does not start under Debian's libxl, which passes
# -chroot: the checks assert each.
#
# direct-io-safe makes QEMU's qdisk backend open the disk with O_DIRECT
# and aio=native; dom0's tmpfs refuses O_DIRECT (dm-features leaves the
# option out for that).  The outer machine gives dom0 an extra virtio disk (serial
# e2edio, QEMU's null-co driver: reads give zeros, writes go nowhere),
# a block device, which takes O_DIRECT; a second guest, created in
# pre_create (dm_restrict has no qdisk support, so it is another guest),
# has it as a PV-only disk (xvde: libxl emulates only the first four).
# Debian 12's device model, built without linux-aio, refuses that
# backend ("aio=native was specified, but is not supported in this
# build"), and so does ours, configured as Debian's: the checks assert
# that, or, for a build with linux-aio, the disk served with O_DIRECT.
DESC="dm_restrict=1 with device_model_user, and a qdisk disk with direct-io-safe"
OUTER_ARGS="-blockdev driver=null-co,node-name=e2edio,size=67108864,read-zeroes=on -device virtio-blk-pci,drive=e2edio,serial=e2edio"
GUEST_CFG='memory = 256
maxmem = 256
dm_restrict = 1
device_model_user = "xen-qemuuser-e2e"'
# the outcome depends on the libxl and the device model: checks() says
EXPECT_CREATE=checks
TIMEOUT=1080
GUEST_HOLD=3600
DOM0_STEPS='
# dm_pids: the device model processes (their name is the binary libxl ran)
dm_pids() {
    for p in /proc/[0-9]*; do
        case $(cat "$p/comm" 2>/dev/null) in
        *qemu*) echo "${p#/proc/}" ;;
        esac
    done
}
pre_create() {
    local b dev state i p fd
    # the device model users (xl.cfg device_model_user, and the reaper
    # libxl kills restricted device models with)
    useradd --system --no-create-home --user-group --shell /usr/sbin/nologin xen-qemuuser-e2e
    useradd --system --no-create-home --user-group --shell /usr/sbin/nologin xen-qemuuser-reaper
    getent passwd xen-qemuuser-e2e xen-qemuuser-reaper > "$R/dm-users.txt"
    # the extra disk of the outer machine
    dev=
    for b in /sys/block/vd*; do
        [ "$(cat "$b/serial" 2>/dev/null)" = e2edio ] && dev=/dev/${b##*/}
    done
    echo "${dev:-none}" > "$R/dio-dev.txt"
    log "direct-io-safe guest on ${dev:-no disk}"
    [ -n "$dev" ] || return
    # O_DIRECT: the block device takes it, dom0 tmpfs does not
    dd if=/dev/zero of="$dev" bs=4096 count=1 oflag=direct > "$R/dio-dd-dev.txt" 2>&1
    echo "status $?" >> "$R/dio-dd-dev.txt"
    dd if=/dev/zero of=/tmp/e2e-dio.img bs=4096 count=1 oflag=direct > "$R/dio-dd-tmpfs.txt" 2>&1
    echo "status $?" >> "$R/dio-dd-tmpfs.txt"
    sed -e "s/^name = .*/name = \"e2e-dio\"/" -e "/^dm_restrict/d" -e "/^device_model_user/d" \
        -e "s|guest-serial.log|guest-dio-serial.log|" -e "s|/run/e2e-qmp.sock|/run/e2e-qmp-dio.sock|" \
        /tmp/guest.cfg > /tmp/guest-dio.cfg
    echo "disk = [ \"format=raw,vdev=xvde,access=rw,backendtype=qdisk,direct-io-safe,target=$dev\" ]" \
        >> /tmp/guest-dio.cfg
    cp /tmp/guest-dio.cfg "$R/guest-dio.cfg"
    log "xl create (direct-io-safe guest)"
    xl_create /tmp/guest-dio.cfg xl-create-dio || return
    i=$(created_domid "$R/xl-create-dio.log")
    # the backend: libxl writes direct-io-safe, QEMU takes the device
    # (state 2, InitWait: the guest has no PV disk driver to go further)
    b=/local/domain/0/backend/qdisk/$i/$(xenstore-list "/local/domain/0/backend/qdisk/$i" 2>/dev/null | head -1)
    state=
    for i in $(seq 30); do
        state=$(xenstore-read "$b/state" 2>&1)
        [ "$state" = 2 ] || [ "$state" = 4 ] && break
        sleep 1
    done
    { echo "backend $b"; echo "state $state"
      echo "direct-io-safe $(xenstore-read "$b/direct-io-safe" 2>&1)"; } > "$R/dio-backend.txt"
    # the file descriptors of the device model that hold the disk, with
    # their open flags (O_DIRECT is 040000 on x86)
    for p in $(dm_pids); do
        for fd in /proc/$p/fd/*; do
            [ "$(readlink "$fd")" = "$dev" ] || continue
            echo "$p ${fd##*/} $(sed -n "s/^flags:[[:space:]]*//p" "/proc/$p/fdinfo/${fd##*/}")"
        done
    done > "$R/dio-fds.txt"
    timeout 60 xl destroy e2e-dio
    cp /var/log/xen/qemu-dm-e2e-dio.log "$R/qemu-dm-dio.log" 2>/dev/null
}
post_create() {
    local p i deadline
    # the restricted device model: its user, its root, its arguments
    for p in $(dm_pids); do
        echo "pid $p uid $(sed -n "s/^Uid:[[:space:]]*//p" /proc/$p/status) root $(readlink /proc/$p/root)"
    done > "$R/dm-restricted.txt"
    id -u xen-qemuuser-e2e > "$R/dm-user-uid.txt"
    qmp_cmd query-status "$R/qmp-query-status.json"
    # the guest runs: its report (deadline on the clock)
    deadline=$(( $(up) + 420 ))
    while [ "$(up)" -lt "$deadline" ]; do
        grep -q E2E-GUEST-END "$R/guest-serial.log" 2>/dev/null && break
        sleep 3
    done
    log "restricted guest: $(grep -c E2E-GUEST-END "$R/guest-serial.log" 2>/dev/null) report(s)"
}'

# dm_arg OPT: the arguments that follow OPT in libxl's device model
# command line (xl -vvv create's log prints one argument a line)
dm_arg() { grep -A1 ":  $1\$" xl-create.log | grep -v ":  $1\$" | grep -v '^--$' | sed 's/.*:  //'; }

checks() {
    local uid
    echo "# $SCENARIO: users: $(cut -d: -f1,3 dm-users.txt 2>/dev/null | tr '\n' ' ')"
    # -- direct-io-safe (every device model and libxl)
    check "the extra disk takes O_DIRECT in dom0, dom0's tmpfs does not (dd oflag=direct)" \
        eval 'grep -qx "status 0" dio-dd-dev.txt && grep -q "status 1" dio-dd-tmpfs.txt'
    check "xl create of the guest with a direct-io-safe qdisk disk ($(cat dio-dev.txt 2>/dev/null)) succeeds" \
        [ "$(cat xl-create-dio.rc 2>/dev/null)" = 0 ]
    [ "$(cat xl-create-dio.rc 2>/dev/null)" = 0 ] || tail -20 xl-create-dio.log 2>/dev/null | diag
    check "libxl wrote direct-io-safe 1 to the qdisk backend ($(head -1 dio-backend.txt 2>/dev/null))" \
        grep -qx "direct-io-safe 1" dio-backend.txt
    # what the device model does with it: QEMU's Xen block backend opens
    # a direct-io-safe disk with aio=native; Debian 12's qemu-system-xen
    # (7.2) is built without linux-aio and refuses the backend, and ours,
    # configured as Debian's, does the same; a build with linux-aio
    # serves it with O_DIRECT
    echo "# $SCENARIO: device model fds on the disk (pid fd flags): $(tr '\n' ';' < dio-fds.txt 2>/dev/null); its log: $(grep qdisk qemu-dm-dio.log 2>/dev/null)"
    if grep -q "aio=native was specified, but is not supported in this build" qemu-dm-dio.log 2>/dev/null; then
        check "the device model refuses the direct-io-safe backend as Debian 12's does (built without linux-aio: 'aio=native was specified, but is not supported in this build'), state stays 1, no other error" \
            eval 'grep -qx "state 1" dio-backend.txt && [ ! -s dio-fds.txt ] &&
                  [ "$(grep "failed to create" qemu-dm-dio.log | grep -vc "failed to create .console.")" = 1 ]'
    else
        check "the device model serves the direct-io-safe backend (state 2 or 4) and holds the disk open with O_DIRECT (/proc/PID/fdinfo flags)" \
            eval 'grep -qx "state [24]" dio-backend.txt && [ -s dio-fds.txt ] &&
                  while read -r _ _ f; do [ $((0$f & 040000)) != 0 ] && echo y; done < dio-fds.txt | grep -q y'
    fi
    check "the device model logged no O_DIRECT error (a file system that refuses it)" \
        eval '[ -f qemu-dm-dio.log ] && ! grep -q "O_DIRECT" qemu-dm-dio.log'
    # -- dm_restrict with device_model_user
    if [ "$LIBXL_KIND" = patched ]; then
        check "our libxl passes -run-with chroot=/var/run/xen/qemu-root-N and -run-with user=xen-qemuuser-e2e, no -chroot, no -runas" \
            eval 'dm_arg -run-with | grep -qx "chroot=/var/run/xen/qemu-root-[0-9]*" &&
                  dm_arg -run-with | grep -qx "user=xen-qemuuser-e2e" &&
                  ! grep -q ":  -chroot$\|:  -runas$" xl-create.log'
    else
        check "Debian's libxl passes -chroot /var/run/xen/qemu-root-N and -runas xen-qemuuser-e2e (and -xen-domid-restrict)" \
            eval 'dm_arg -chroot | grep -qx "/var/run/xen/qemu-root-[0-9]*" &&
                  dm_arg -runas | grep -qx "xen-qemuuser-e2e" &&
                  grep -q ":  -xen-domid-restrict$" xl-create.log'
    fi
    if [ "$LIBXL_KIND" = debian ] && [ "$DM" = plain ]; then
        # what really happens: unmodified QEMU 10 has no -chroot
        check "Debian's libxl with unmodified QEMU 10: xl create fails, the device model refusing -chroot" \
            eval '[ "$(cat xl-create.rc 2>/dev/null)" != 0 ] && [ -f xl-create.rc ] &&
                  grep -q "chroot" var-log-xen/qemu-dm-e2e.log'
        grep -i "chroot\|runas\|invalid" var-log-xen/qemu-dm-e2e.log 2>/dev/null | head -3 | diag
        return
    fi
    check "xl create of the dm_restrict=1 guest succeeds" [ "$(cat xl-create.rc 2>/dev/null)" = 0 ]
    [ "$(cat xl-create.rc 2>/dev/null)" = 0 ] || { tail -20 xl-create.log | diag; tail -5 var-log-xen/qemu-dm-e2e.log 2>/dev/null | diag; }
    uid=$(cat dm-user-uid.txt 2>/dev/null)
    echo "# $SCENARIO: restricted device model: $(cat dm-restricted.txt 2>/dev/null)"
    check "the device model runs as xen-qemuuser-e2e (uid ${uid:-?}), chrooted to /var/run/xen/qemu-root-N" \
        eval '[ -n "$uid" ] && [ "$(wc -l < dm-restricted.txt)" = 1 ] &&
              grep -q "^pid [0-9]* uid $uid[[:space:]]$uid[[:space:]]$uid[[:space:]]$uid root /\(var/\)\{0,1\}run/xen/qemu-root-[0-9]*$" dm-restricted.txt'
    check "QMP query-status: the restricted guest is running" qmp_ret qmp-query-status.json "r['status'] == 'running'"
    check "the restricted guest ran: it printed its report" guest_reported
}
