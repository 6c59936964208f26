# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: an admin installs our QEMU and our Xen series (libxl, hvmloader) on the Xen
# host with scripts/install.sh, creates a guest with a plain config (no
# device_model_override, nothing added), then takes them out again with
# --uninstall.  The run ships no device model or library of its own:
# dom0's steps run install.sh --no-build from a tree laid out as a built
# clone (scripts/, build/qemu/obj/, build/xen/out/).
#
# The guest is host-rmrr-moves-lowmem's (RMRR at 128 MiB, 256 MiB,
# rdm="strategy=host", rdm_mem_boundary=100).  Installed: libxl starts its
# default device model path, now our QEMU, tells it the settings and checks
# its layout; our libxl is private to our xl (/usr/lib/xen-rdm/lib, xl's
# RUNPATH): Debian's libxenlight and libxlutil are byte for byte as before;
# install.sh --status says up to date with dom0's versions and a dpkg run
# that changes nothing gets no word from the dpkg hook; after a reinstall
# of libxenmisc4.17 and xen-utils-4.17 (dpkg -i of the .debs
# e2e-prepare.sh keeps in dom0's apt cache: dom0 has no network; dpkg
# runs ldconfig) the hook names both stale with the one command that
# rebuilds, --status says stale, and xl still loads ours while
# Debian's xl, xen-init-dom0 and libvirt's libxl driver load Debian's, and
# our QEMU loads no libxenlight.  Uninstalled: Debian's files are back
# (same sha256 as before the install, no diversion left), xl loads
# Debian's libxl, the hook and its checker are gone (--status: nothing
# installed), and a second guest gets Debian's QEMU (no query-xen-rdm)
# and Debian's libxl (no layout check).
DESC="scripts/install.sh on dom0: a plain xl create uses our QEMU and libxl; --uninstall gives Debian's back"
XEN_RMRR="0x8000-0x800f=0:1f.3"
GUEST_CFG='memory = 256
maxmem = 256
rdm = "strategy=host"
rdm_mem_boundary = 100'
INSTALL_RUN=1
EXPECT_CREATE=ok
TIMEOUT=720
GUEST_HOLD=3600
DOM0_STEPS='
FILES="/usr/libexec/xen-qemu-system-i386 /usr/lib/x86_64-linux-gnu/libxenlight.so.4.17.0 /usr/lib/x86_64-linux-gnu/libxlutil.so.4.17.0 /usr/lib/xen-4.17/bin/xl /usr/lib/xen-4.17/boot/hvmloader"
DEBLIBS="/usr/lib/x86_64-linux-gnu/libxenlight.so.4.17.0 /usr/lib/x86_64-linux-gnu/libxlutil.so.4.17.0"
# which_libs NAME: ldconfig, then the libxenlight and libxlutil that xl,
# Debian'"'"'s xl (where it is), xen-init-dom0, libvirt'"'"'s libxl driver
# and the default device model load (ldd), in $R/ldd-NAME.txt
which_libs() {
    ldconfig
    for b in /usr/lib/xen-4.17/bin/xl /usr/lib/xen-rdm/diverted/usr/lib/xen-4.17/bin/xl \
             /usr/lib/xen-4.17/bin/xen-init-dom0 \
             /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_libxl.so \
             "$(readlink -f /usr/libexec/xen-qemu-system-i386)"; do
        [ -e "$b" ] || continue
        echo "== $b"
        ldd "$b" 2>&1 | grep "libxenlight\|libxlutil" || echo "(no libxenlight or libxlutil)"
    done > "$R/ldd-$1.txt" 2>&1
}
pre_create() {
    sha256sum $FILES > "$R/sha-before.txt"
    cd "$IN/install" || return
    log "install.sh --dry-run"
    ./scripts/install.sh --dry-run --no-build > "$R/install-dry-run.log" 2>&1
    echo $? > "$R/install-dry-run.rc"
    sha256sum $FILES > "$R/sha-after-dry-run.txt"
    log "install.sh --no-build"
    ./scripts/install.sh --no-build > "$R/install.log" 2>&1
    echo $? > "$R/install.rc"
    dpkg-divert --list > "$R/diversions-installed.txt" 2>&1
    # what --status and the dpkg hook say right after the install
    dpkg-query -W -f="\${Package} \${Version}\n" qemu-system-xen xen-utils-4.17 libxenmisc4.17 > "$R/versions.txt" 2>&1
    ./scripts/install.sh --status > "$R/status-installed.txt" 2>&1; echo $? > "$R/status-installed.rc"
    ls -l /etc/dpkg/dpkg.cfg.d/xen-rdm /usr/local/lib/xen-rdm/check-stale > "$R/hook-installed.txt" 2>&1
    cat /etc/dpkg/dpkg.cfg.d/xen-rdm >> "$R/hook-installed.txt" 2>&1
    dpkg --configure -a > "$R/hook-fresh.out" 2> "$R/hook-fresh.err"; echo $? > "$R/hook-fresh.rc"

    sha256sum $DEBLIBS > "$R/sha-libs-installed.txt"
    ls -l $FILES /usr/local/lib/xen-rdm /usr/lib/xen-rdm/lib > "$R/ls-installed.txt" 2>&1
    # what a library package'"'"'s install does: ldconfig (its trigger),
    # after a reinstall of libxenmisc4.17 (its .deb kept in dom0)
    which_libs installed
    # (a library package and one whose files are diverted, in one dpkg
    # run, whose post-invoke hook runs once; no service started)
    debs=$(ls /var/cache/apt/archives/libxenmisc4.17_*.deb /var/cache/apt/archives/xen-utils-4.17_*.deb 2>/dev/null)
    printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d
    t0=$(date +%s%N)
    dpkg -i $debs > "$R/reinstall.out" 2> "$R/reinstall.err"
    rc=$?; ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    echo "dpkg -i $(echo $debs): status $rc, $ms ms" > "$R/reinstall.log"
    cat "$R/reinstall.out" >> "$R/reinstall.log"
    rm -f /usr/sbin/policy-rc.d
    t0=$(date +%s%N)
    /usr/local/lib/xen-rdm/check-stale --hook 2> /dev/null
    echo $(( ($(date +%s%N) - t0) / 1000000 )) > "$R/hook-ms.txt"
    ./scripts/install.sh --status > "$R/status-reinstalled.txt" 2>&1; echo $? > "$R/status-reinstalled.rc"
    which_libs reinstalled
    sha256sum $DEBLIBS > "$R/sha-libs-reinstalled.txt"
    ldd /usr/lib/xen-4.17/bin/xl > "$R/libxl-ldd.txt" 2>&1
    cp /usr/local/lib/xen-rdm/installed "$R/manifest.txt" 2>/dev/null
    # what xl create runs from now on
    if [ "$(cat "$R/install.rc")" = 0 ]; then
        echo ours > "$R/dm-kind"; echo patched > "$R/libxl-kind"; echo patched > "$R/hvmloader-kind"
        sha256sum /usr/lib/xen-4.17/boot/hvmloader > "$R/hvmloader-sha256.txt"
    fi
    cd /
}
post_create() {
    # the running xl (xl create stays to watch its guest) and QEMU (its
    # name is the path libxl ran, xen-qemu-system-i386): the libraries
    # they mapped
    for p in /proc/[0-9]*; do
        case $(cat "$p/comm" 2>/dev/null) in
        xl|*qemu*) echo "== $(cat "$p/comm") ${p#/proc/} $(readlink "$p/exe")"
            grep -o "/[^ ]*\(libxenlight\|libxlutil\)[^ ]*" "$p/maps" | sort -u ;;
        esac
    done > "$R/maps-running.txt" 2>&1
    timeout 60 xl destroy e2e
    cd "$IN/install" || return
    log "install.sh --uninstall"
    ./scripts/install.sh --uninstall > "$R/uninstall.log" 2>&1
    echo $? > "$R/uninstall.rc"
    cd /
    sha256sum $FILES > "$R/sha-after-uninstall.txt"
    ls -l /etc/dpkg/dpkg.cfg.d/xen-rdm /usr/local/lib/xen-rdm/check-stale > "$R/hook-uninstalled.txt" 2>&1
    dpkg --configure -a > "$R/hook-uninstalled.out" 2> "$R/hook-uninstalled.err"
    "$IN/install/scripts/install.sh" --status > "$R/status-uninstalled.txt" 2>&1; echo $? > "$R/status-uninstalled.rc"
    dpkg-divert --list > "$R/diversions-after.txt" 2>&1
    ls -l /usr/local/lib/xen-rdm /usr/lib/xen-rdm > "$R/ls-after.txt" 2>&1
    which_libs uninstalled
    sed -e "s|guest-serial.log|guest2-serial.log|" /tmp/guest.cfg > /tmp/guest2.cfg
    rm -f /run/e2e-qmp.sock
    log "xl create (guest 2, after the uninstall)"
    xl_create /tmp/guest2.cfg xl-create-2
    i=0
    while [ ! -S /run/e2e-qmp.sock ] && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
    qmp_cmd query-xen-rdm "$R/qmp-query-xen-rdm-2.json"
    timeout 60 xl destroy e2e
}'

checks() {
    if [ "$DM" != ours ] || [ "${LIBXL:-}" = debian ]; then
        echo "# $SCENARIO: SKIP: it installs our builds (--dm ours --libxl patched)"
        return
    fi
    check "install.sh --dry-run succeeds and lists every file and diversion" \
        eval '[ "$(cat install-dry-run.rc)" = 0 ] &&
              grep -q "dpkg-divert --local --rename --divert /usr/lib/xen-rdm/diverted/usr/libexec/xen-qemu-system-i386 --add /usr/libexec/xen-qemu-system-i386" install-dry-run.log &&
              grep -q "install -m 0644 .*libxenlight.so.4.17.0 /usr/lib/xen-rdm/lib/libxenlight.so.4.17.0" install-dry-run.log &&
              grep -q "ln -sfn libxenlight.so.4.17.0 /usr/lib/xen-rdm/lib/libxenlight.so.4.17" install-dry-run.log &&
              grep -q "install -m 0644 .*libxlutil.so.4.17.0 /usr/lib/xen-rdm/lib/libxlutil.so.4.17.0" install-dry-run.log &&
              grep -q "dpkg-divert --local --rename --divert /usr/lib/xen-rdm/diverted/usr/lib/xen-4.17/bin/xl --add /usr/lib/xen-4.17/bin/xl" install-dry-run.log &&
              grep -q "install -m 0755 .*/xl /usr/lib/xen-4.17/bin/xl" install-dry-run.log &&
              grep -q "dpkg-divert --local --rename --divert /usr/lib/xen-rdm/diverted/usr/lib/xen-4.17/boot/hvmloader --add /usr/lib/xen-4.17/boot/hvmloader" install-dry-run.log &&
              grep -q "install -m 0644 .*hvmloader /usr/lib/xen-4.17/boot/hvmloader" install-dry-run.log &&
              grep -q "ln -sfn /usr/local/lib/xen-rdm/qemu-system-x86_64 /usr/libexec/xen-qemu-system-i386" install-dry-run.log &&
              ! grep -q " /usr/lib/x86_64-linux-gnu/" install-dry-run.log'
    check "install.sh --dry-run changes nothing" cmp -s sha-before.txt sha-after-dry-run.txt
    check "install.sh succeeds" [ "$(cat install.rc 2>/dev/null)" = 0 ]
    [ "$(cat install.rc 2>/dev/null)" = 0 ] || diag < install.log
    check "Debian's files are diverted, not overwritten (dpkg-divert --list: 3 diversions to /usr/lib/xen-rdm/diverted/: QEMU, xl, hvmloader; none of a library)" \
        eval '[ "$(grep -c " to /usr/lib/xen-rdm/diverted/" diversions-installed.txt)" = 3 ] &&
              ! grep -q "\.so\." diversions-installed.txt'
    check "installed: install.sh --status says up to date (exit 0) with dom0's versions of qemu-system-xen, xen-utils-4.17 and libxenmisc4.17 and the Xen the series is built on" \
        eval '[ "$(cat status-installed.rc)" = 0 ] && grep -q "up to date" status-installed.txt &&
              [ "$(wc -l < versions.txt)" = 3 ] &&
              ! while read -r p v; do grep -qF "ok     $p $v, as at the install" status-installed.txt || echo missing; done < versions.txt | grep -q missing &&
              grep -qF "is built on Debian'"'"'s xen $(sed -n "s/^libxenmisc4.17 //p" versions.txt)" status-installed.txt'
    [ "$(cat status-installed.rc 2>/dev/null)" = 0 ] || diag < status-installed.txt
    check "installed: the dpkg hook (/etc/dpkg/dpkg.cfg.d/xen-rdm, post-invoke) and its checker are in place, and a dpkg run that changes nothing gets no word from it" \
        eval 'grep -q "^post-invoke=.*/usr/local/lib/xen-rdm/check-stale --hook" hook-installed.txt &&
              ! grep -q "No such file" hook-installed.txt &&
              [ "$(cat hook-fresh.rc)" = 0 ] && [ ! -s hook-fresh.err ]'
    check "dpkg -i of libxenmisc4.17 and xen-utils-4.17 ($(head -1 reinstall.log)): dpkg succeeds and the hook names both stale on stderr, with the one command (cd CLONE && scripts/install.sh)" \
        eval 'grep -q "^dpkg -i .*libxenmisc4.17_.*xen-utils-4.17_.*: status 0," reinstall.log &&
              grep -q "what scripts/install.sh installed is stale after this dpkg run" reinstall.err &&
              grep -q "^  libxenmisc4.17 .*reinstalled since the install" reinstall.err &&
              grep -q "^  xen-utils-4.17 .*reinstalled since the install" reinstall.err &&
              grep -q "to rebuild it for the new versions and reinstall: cd /[^ ]* && scripts/install.sh$" reinstall.err'
    grep -q "stale after this dpkg run" reinstall.err 2>/dev/null || diag < reinstall.err
    check "the hook's checker is fast: $(cat hook-ms.txt 2>/dev/null) ms in dom0 under TCG (under 3 s)" \
        eval '[ "$(cat hook-ms.txt)" -lt 3000 ]'
    check "after the reinstall: install.sh --status says stale (exit 1), naming both packages and the command" \
        eval '[ "$(cat status-reinstalled.rc)" = 1 ] &&
              grep -q "STALE  libxenmisc4.17 .*reinstalled" status-reinstalled.txt &&
              grep -q "STALE  xen-utils-4.17 .*reinstalled" status-reinstalled.txt &&
              ! grep -q "STALE  qemu-system-xen" status-reinstalled.txt &&
              grep -q "stale; to rebuild and reinstall: cd /[^ ]* && scripts/install.sh$" status-reinstalled.txt'
    check "installed: Debian's libxenlight and libxlutil are byte for byte as before (sha256), after ldconfig and the reinstall too" \
        eval 'grep -F -f sha-libs-installed.txt sha-before.txt | cmp -s - sha-libs-installed.txt &&
              cmp -s sha-libs-installed.txt sha-libs-reinstalled.txt'
    local k
    for k in installed reinstalled; do
        check "$k, after ldconfig ($(head -1 reinstall.log)): our xl loads our libxenlight and libxlutil from /usr/lib/xen-rdm/lib" \
            eval 'sed -n "/^== \/usr\/lib\/xen-4.17\/bin\/xl\$/,/^==/p" ldd-$k.txt | grep -q "libxenlight.so.4.17 => /usr/lib/xen-rdm/lib/libxenlight.so.4.17 " &&
                  sed -n "/^== \/usr\/lib\/xen-4.17\/bin\/xl\$/,/^==/p" ldd-$k.txt | grep -q "libxlutil.so.4.17 => /usr/lib/xen-rdm/lib/libxlutil.so.4.17 "'
        check "$k, after ldconfig: Debian's xl and xen-init-dom0 (and libvirt's driver, where installed) load Debian's libxenlight" \
            eval 'grep -q "^== /usr/lib/xen-rdm/diverted/usr/lib/xen-4.17/bin/xl" ldd-$k.txt &&
                  grep -q "^== /usr/lib/xen-4.17/bin/xen-init-dom0" ldd-$k.txt &&
                  [ "$(grep -c "libxenlight.so.4.17 => " ldd-$k.txt)" -ge 3 ] &&
                  [ "$(grep "libxenlight.so.4.17 => " ldd-$k.txt | grep -vc " => /\(usr/\)\{0,1\}lib/x86_64-linux-gnu/libxenlight.so.4.17 ")" = 1 ]'
        check "$k: our QEMU loads no libxenlight" \
            eval 'sed -n "/^== \/usr\/local\/lib\/xen-rdm\/qemu-system-x86_64\$/,/^==/p" ldd-$k.txt | grep -q "(no libxenlight or libxlutil)"'
    done
    [ "$(grep -c " => /usr/lib/xen-rdm/lib/" ldd-reinstalled.txt 2>/dev/null)" = 2 ] || diag < ldd-reinstalled.txt
    check "the running xl mapped our libxenlight, the running QEMU none (/proc/PID/maps)" \
        eval 'grep -A3 "^== xl " maps-running.txt | grep -qx "/usr/lib/xen-rdm/lib/libxenlight.so.4.17.0" &&
              ! grep -q "/usr/lib/x86_64-linux-gnu/libxenlight" maps-running.txt &&
              grep -q "^== [^ ]*qemu[^ ]* [0-9]* /usr/local/lib/xen-rdm/qemu-system-x86_64$" maps-running.txt &&
              [ "$(sed -n "/^== [^ ]*qemu/,/^==/p" maps-running.txt | grep -c libxenlight)" = 0 ]'
    grep -q "^== [^ ]*qemu" maps-running.txt 2>/dev/null || diag < maps-running.txt
    check "xl create (plain config) started the default device model path, now our QEMU" \
        eval 'grep -q "Spawning device-model /usr/libexec/xen-qemu-system-i386 with arguments" xl-create.log &&
              [ "$RDM_AWARE" = 1 ]'
    check_dm_follows_libxl 0x8000000 0x108000000 0x8000000
    check_libxl_told_dm host relaxed 100*1024*1024
    check "install.sh --uninstall succeeds" [ "$(cat uninstall.rc 2>/dev/null)" = 0 ]
    check "after --uninstall: Debian's files are back, byte for byte (sha256 as before the install)" \
        cmp -s sha-before.txt sha-after-uninstall.txt
    check "after --uninstall: no diversion left, /usr/local/lib/xen-rdm and /usr/lib/xen-rdm gone" \
        eval '! grep -q "xen-rdm/diverted\|debian-xen-rdm" diversions-after.txt &&
              [ "$(grep -c "No such file" ls-after.txt)" = 2 ]'
    check "after --uninstall: the dpkg hook and its checker are gone, a dpkg run prints nothing of ours, --status says nothing installed (exit 2)" \
        eval '[ "$(grep -c "No such file" hook-uninstalled.txt)" = 2 ] && ! grep -q xen-rdm hook-uninstalled.err &&
              [ "$(cat status-uninstalled.rc)" = 2 ] && grep -q "nothing installed" status-uninstalled.txt'
    check "after --uninstall and ldconfig: xl loads Debian's libxenlight" \
        eval 'sed -n "/^== \/usr\/lib\/xen-4.17\/bin\/xl\$/,/^==/p" ldd-uninstalled.txt | grep -q "libxenlight.so.4.17 => /\(usr/\)\{0,1\}lib/x86_64-linux-gnu/libxenlight.so.4.17 " &&
              ! grep -q xen-rdm ldd-uninstalled.txt'
    check "after --uninstall: xl create works again with Debian's QEMU (no query-xen-rdm) and libxl (no layout check)" \
        eval '[ "$(cat xl-create-2.rc 2>/dev/null)" = 0 ] &&
              qmp_error_class qmp-query-xen-rdm-2.json | grep -q CommandNotFound &&
              ! grep -q "RDM: the device model" xl-create-2.log'
}
