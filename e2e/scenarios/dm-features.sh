# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: the device model keeps every feature of Debian's own.  Our
# QEMU is configured as Debian's qemu-system-xen is (debian/rules'
# configure-xen: SPICE, libusb, virtfs, VNC with JPEG, cap-ng;
# scripts/lib-qemu-configure.sh), so the xl.cfg options a guest on a
# Debian host uses keep working after the install.  dom0 asks the device
# model that ran and Debian's /usr/libexec/xen-qemu-system-i386 for their
# devices (-device help) and display backends (-display help), and
# creates a guest with VNC, SPICE and a QXL card, USB (-usb, a tablet, an
# EHCI controller from usbctrl), a 9pfs share (p9=, QEMU's Xen 9pfs
# backend, which only a QEMU built with virtfs has) and a disk that QEMU
# serves (backendtype=qdisk: the emulated disk and its Xen PV backend),
# then asks the running device model over QMP.  (direct-io-safe makes
# QEMU's qdisk backend open the image with O_DIRECT, which dom0's tmpfs
# refuses: "filesystem does not support O_DIRECT"; dom0 has no other
# file system, so the option is not part of the scenario.)  Every
# device model passes: Debian's (--dm debian) is the reference the checks
# describe.
DESC="the device model has Debian's devices and displays, and starts a guest with VNC, SPICE, QXL, USB, 9pfs and a qdisk disk"
# QXL takes 128 MiB of the guest's memory for its video RAM (libxl's
# minimum for it)
GUEST_CFG='memory = 512
maxmem = 512
vnc = 1
vnclisten = "127.0.0.1"
spice = 1
spicehost = "127.0.0.1"
spiceport = 6000
spicedisable_ticketing = 1
vga = "qxl"
usb = 1
usbdevice = [ "tablet" ]
usbctrl = [ "version=2,ports=6" ]
p9 = [ "tag=e2e,security_model=none,path=/tmp/e2e-p9" ]
disk = [ "format=raw,vdev=hda,access=rw,backendtype=qdisk,target=/tmp/e2e-disk.img" ]'
EXPECT_CREATE=ok
# the guest must outlive the steps (xl stops its device model when it
# powers off); the steps destroy it
GUEST_HOLD=3600
DOM0_STEPS='pre_create() {
    mkdir -p /tmp/e2e-p9 && truncate -s 8M /tmp/e2e-disk.img
}
post_create() {
    local dm i state
    # QEMU'\''s 9pfs backend takes the share: its state goes from 1
    # (Initialising, libxl'\''s) to 2 (InitWait); the guest has no
    # 9pfs frontend to go further
    i=0
    while [ $i -lt 30 ]; do
        state=$(xenstore-read "/local/domain/0/backend/9pfs/$1/0/state" 2>&1)
        [ "$state" = 2 ] && break
        sleep 1; i=$((i + 1))
    done
    echo "$state" > "$R/p9-backend-state.txt"
    xenstore-read "/local/domain/0/backend/qdisk/$1/768/state" \
        > "$R/qdisk-backend-state.txt" 2>&1
    # the device model libxl started (its log names it), and Debian'\''s
    dm=$(sed -n "s/.*Spawning device-model \([^ ]*\) with arguments.*/\1/p" \
         "$R/xl-create.log" | head -1)
    echo "$dm" > "$R/dm-path.txt"
    for b in "$dm:dm" /usr/libexec/xen-qemu-system-i386:debian; do
        timeout 60 "${b%:*}" -device help > "$R/${b##*:}-device-help.txt" 2>&1
        timeout 60 "${b%:*}" -display help > "$R/${b##*:}-display-help.txt" 2>&1
    done
    qmp_cmd query-spice "$R/qmp-query-spice.json"
    qmp_cmd query-vnc "$R/qmp-query-vnc.json"
    qmp_hmp "info usb" "$R/qmp-info-usb.json"
    qmp_hmp "info qtree" "$R/qmp-info-qtree.json"
}'

# device_names FILE: the device names of a -device help listing, CPU
# models named as the x86_64 target names them (Debian's device model is
# built for the i386 target, ours for x86_64: "max-i386-cpu" is
# "max-x86_64-cpu" there)
device_names() {
    sed -n 's/^name "\([^"]*\)".*/\1/p' "$1" | sed 's/-i386-cpu$/-x86_64-cpu/' | sort -u
}
# display_names FILE: the backends of a -display help listing (the
# lines after its heading, up to the first empty one)
display_names() {
    sed -n '2,/^ *$/p' "$1" | tr -d ' \r' | grep -v '^$' | sort -u
}
# The devices Debian's QEMU 7.2 has and QEMU 10.0 no longer has at all
# (removed upstream, not left out by our configuration): sga, "removed in
# 8.0" (QEMU's docs/about/removed-features.rst; SeaBIOS prints to the
# serial console itself)
REMOVED_SINCE_7_2="sga"

checks() {
    local missing
    check "libxl started the device model with VNC and SPICE (-vnc, -spice port=6000)" \
        eval 'grep -A1 ":  -vnc$" xl-create.log | grep -q "127.0.0.1" &&
              grep -A1 ":  -spice$" xl-create.log | grep -q "port=6000"'
    check "query-spice: SPICE enabled on port 6000" \
        qmp_ret qmp-query-spice.json "r['enabled'] and r.get('port') == 6000"
    check "query-vnc: VNC enabled" qmp_ret qmp-query-vnc.json "r['enabled']"
    check "info qtree: the QXL card (vga = \"qxl\") and the EHCI controller (usbctrl)" \
        eval 'hmp_text qmp-info-qtree.json | grep -q "dev: qxl-vga" &&
              hmp_text qmp-info-qtree.json | grep -q "dev: usb-ehci"'
    check "info usb: the tablet (usbdevice)" \
        eval 'hmp_text qmp-info-usb.json | grep -q "QEMU USB Tablet"'
    check "the device model serves the 9pfs share (backend state $(cat p9-backend-state.txt 2>/dev/null), 2 = InitWait)" \
        [ "$(cat p9-backend-state.txt 2>/dev/null)" = 2 ]
    check "the qdisk disk: emulated by the device model (-drive ...e2e-disk.img) and its PV backend served by it (state $(cat qdisk-backend-state.txt 2>/dev/null): 2 = InitWait, 4 = Connected)" \
        eval 'grep -A1 ":  -drive$" xl-create.log | grep -q "e2e-disk.img" &&
              grep -qx "[24]" qdisk-backend-state.txt'
    missing=$(comm -23 <(device_names debian-device-help.txt) <(device_names dm-device-help.txt) |
              grep -vxF -f <(printf '%s\n' $REMOVED_SINCE_7_2) || true)
    echo "# $SCENARIO: devices of Debian's device model: $(device_names debian-device-help.txt | wc -l), of $(cat dm-path.txt): $(device_names dm-device-help.txt | wc -l)"
    check "every device of Debian's device model is in $(cat dm-path.txt) (but those QEMU removed since 7.2)${missing:+; missing: $(echo $missing)}" \
        eval '[ "$(device_names debian-device-help.txt | wc -l)" -gt 100 ] && [ -z "$missing" ]'
    missing=$(comm -23 <(display_names debian-display-help.txt) <(display_names dm-display-help.txt))
    check "every display backend of Debian's device model is in $(cat dm-path.txt)${missing:+; missing: $(echo $missing)}" \
        eval '[ -s debian-display-help.txt ] && [ -z "$missing" ]'
}
