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
# its layout.  Uninstalled: Debian's files are back (same sha256 as before
# the install, no diversion left) and a second guest gets Debian's QEMU
# (no query-xen-rdm) and Debian's libxl (no layout check).
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
    ls -l $FILES /usr/local/lib/xen-rdm > "$R/ls-installed.txt" 2>&1
    cp /usr/local/lib/xen-rdm/installed "$R/manifest.txt" 2>/dev/null
    # what xl create runs from now on
    if [ "$(cat "$R/install.rc")" = 0 ]; then
        echo ours > "$R/dm-kind"; echo patched > "$R/libxl-kind"; echo patched > "$R/hvmloader-kind"
        sha256sum /usr/lib/xen-4.17/boot/hvmloader > "$R/hvmloader-sha256.txt"
    fi
    cd /
}
post_create() {
    timeout 60 xl destroy e2e
    cd "$IN/install" || return
    log "install.sh --uninstall"
    ./scripts/install.sh --uninstall > "$R/uninstall.log" 2>&1
    echo $? > "$R/uninstall.rc"
    cd /
    sha256sum $FILES > "$R/sha-after-uninstall.txt"
    dpkg-divert --list > "$R/diversions-after.txt" 2>&1
    ls -l /usr/local/lib/xen-rdm > "$R/ls-after.txt" 2>&1
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
              grep -q "install -m 0644 .*libxenlight.so.4.17.0 /usr/lib/x86_64-linux-gnu/libxenlight.so.4.17.0" install-dry-run.log &&
              grep -q "install -m 0644 .*libxlutil.so.4.17.0 /usr/lib/x86_64-linux-gnu/libxlutil.so.4.17.0" install-dry-run.log &&
              grep -q "dpkg-divert --local --rename --divert /usr/lib/xen-rdm/diverted/usr/lib/xen-4.17/bin/xl --add /usr/lib/xen-4.17/bin/xl" install-dry-run.log &&
              grep -q "install -m 0755 .*/xl /usr/lib/xen-4.17/bin/xl" install-dry-run.log &&
              grep -q "dpkg-divert --local --rename --divert /usr/lib/xen-rdm/diverted/usr/lib/xen-4.17/boot/hvmloader --add /usr/lib/xen-4.17/boot/hvmloader" install-dry-run.log &&
              grep -q "install -m 0644 .*hvmloader /usr/lib/xen-4.17/boot/hvmloader" install-dry-run.log &&
              grep -q "ln -sfn /usr/local/lib/xen-rdm/qemu-system-x86_64 /usr/libexec/xen-qemu-system-i386" install-dry-run.log'
    check "install.sh --dry-run changes nothing" cmp -s sha-before.txt sha-after-dry-run.txt
    check "install.sh succeeds" [ "$(cat install.rc 2>/dev/null)" = 0 ]
    [ "$(cat install.rc 2>/dev/null)" = 0 ] || diag < install.log
    check "Debian's files are diverted, not overwritten (dpkg-divert --list: 5 diversions to /usr/lib/xen-rdm/diverted/, out of ldconfig's way: QEMU, the two libraries, xl, hvmloader)" \
        [ "$(grep -c " to /usr/lib/xen-rdm/diverted/" diversions-installed.txt)" = 5 ]
    check "xl create (plain config) started the default device model path, now our QEMU" \
        eval 'grep -q "Spawning device-model /usr/libexec/xen-qemu-system-i386 with arguments" xl-create.log &&
              [ "$RDM_AWARE" = 1 ]'
    check_dm_follows_libxl 0x8000000 0x108000000 0x8000000
    check_libxl_told_dm host relaxed 100*1024*1024
    check "install.sh --uninstall succeeds" [ "$(cat uninstall.rc 2>/dev/null)" = 0 ]
    check "after --uninstall: Debian's files are back, byte for byte (sha256 as before the install)" \
        cmp -s sha-before.txt sha-after-uninstall.txt
    check "after --uninstall: no diversion left, /usr/local/lib/xen-rdm gone" \
        eval '! grep -q "xen-rdm/diverted\|debian-xen-rdm" diversions-after.txt && grep -q "No such file" ls-after.txt'
    check "after --uninstall: xl create works again with Debian's QEMU (no query-xen-rdm) and libxl (no layout check)" \
        eval '[ "$(cat xl-create-2.rc 2>/dev/null)" = 0 ] &&
              qmp_error_class qmp-query-xen-rdm-2.json | grep -q CommandNotFound &&
              ! grep -q "RDM: the device model" xl-create-2.log'
}
