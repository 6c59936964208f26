# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: after scripts/install.sh, libvirt, the real libxl client
# other than xl, still creates guests (issue 21), and xen-init-dom0, run
# at every boot, still works.  The run ships no device model or library:
# dom0's steps install ours as install-on-dom0 does (install.sh
# --no-build from a tree laid out as a built clone).
#
# Then, in pre_create: xen-init-dom0 again, the binary dom0's /init ran
# at boot (dom0's root is an initramfs in RAM, so a reboot of the outer
# machine would start from the image without the install: docs/e2e.rst);
# libvirtd started by hand (dom0 has no systemd; only its libxl driver
# is kept, the QEMU driver wants a libvirt-qemu user the image lacks);
# `virsh -c xen:///system` defines and starts an HVM guest that passes
# through the outer machine's e1000 at 01:00.0 (RMRR at 512 MiB, outside
# the guest's 256 MiB: libvirt sets no rdm= and no rdm_mem_boundary, so
# libxl's defaults apply, a strict per-device policy and a 2 GiB
# boundary, and an RMRR inside the guest's RAM would fail the create).
# libvirt loads Debian's libxenlight (our libxl is private to our xl),
# which starts the default device model, now our QEMU, telling it no RDM
# settings; our QEMU maps the RAM libxl populated (from the guest's
# hvm_info_table), which QMP on libxl's own socket
# /var/run/xen/qmp-libxl-DOMID shows, next to hvmloader's E820 and the
# guest's memory map; the guest reads the e1000's STATUS register.  Then
# the harness's own `xl create` (our xl) of a plain guest.
DESC="after the install: xen-init-dom0 runs, and libvirt (Debian's libxl) starts an HVM guest with a passed-through device on our QEMU"
# the e1000 sits behind a PCIe root port, at 01:00.0: libvirt resets a
# device before it assigns it, and the e1000 has no FLR or PM reset, so
# libvirt resets its bus, which it cannot do on the root bus
XEN_RMRR="0x20000-0x2000f=1:0.0"
OUTER_ARGS="-device pcie-root-port,id=e2erp,bus=pcie.0,addr=0x3,chassis=1 -device e1000,bus=e2erp,addr=0x0"
GUEST_CFG='memory = 256
maxmem = 256'
INSTALL_RUN=1
EXPECT_CREATE=ok
TIMEOUT=1200
GUEST_HOLD=3600
DOM0_STEPS='
LVDRV=/usr/lib/x86_64-linux-gnu/libvirt/connection-driver
# lv_qmp NAME JSON: one command on the libvirt guest'"'"'s libxl socket, up
# to three tries (a first connection once got garbage: hotplug-rdm-conflict)
lv_qmp() {
    local i
    for i in 1 2 3; do
        : > "$R/lv-$1.json"
        qmp_exec "/var/run/xen/qmp-libxl-$LVDOMID" "$2" "$R/lv-$1.json" 12
        grep -q "\"return\"" "$R/lv-$1.json" && ! grep -q "\"error\"" "$R/lv-$1.json" && return 0
        cat "$R/lv-$1.json" >> "$R/lv-$1.json.tries"
        grep -q CommandNotFound "$R/lv-$1.json" && return 0
        sleep 2
    done
}
pre_create() {
    local i p deadline
    cd "$IN/install" || return
    log "install.sh --no-build"
    ./scripts/install.sh --no-build > "$R/install.log" 2>&1
    echo $? > "$R/install.rc"
    cd /
    ldconfig
    ldd /usr/lib/xen-4.17/bin/xl > "$R/libxl-ldd.txt" 2>&1
    if [ "$(cat "$R/install.rc")" = 0 ]; then
        echo ours > "$R/dm-kind"; echo patched > "$R/libxl-kind"; echo patched > "$R/hvmloader-kind"
        sha256sum /usr/lib/xen-4.17/boot/hvmloader > "$R/hvmloader-sha256.txt"
    fi
    # xen-init-dom0 as /init ran it at boot, now with the install in
    # place; the dynamic linker says which libxenlight it loaded
    cp /tmp/xen-init-dom0.log "$R/xen-init-dom0-boot.log" 2>/dev/null
    log "xen-init-dom0 after the install"
    LD_DEBUG=libs LD_DEBUG_OUTPUT=/tmp/xen-init-dom0-ld \
        timeout 60 /usr/lib/xen-4.17/bin/xen-init-dom0 > "$R/xen-init-dom0-installed.log" 2>&1
    echo $? > "$R/xen-init-dom0-installed.rc"
    cat /tmp/xen-init-dom0-ld.* > "$R/xen-init-dom0-ld.txt" 2>/dev/null
    xenstore-read /local/domain/0/name > "$R/dom0-name.txt" 2>&1
    # the device
    timeout 60 xl pci-assignable-add 01:00.0; echo "pci-assignable-add rc=$?"
    ls -l /sys/bus/pci/devices/0000:01:00.0/driver
    # libvirtd with its Xen driver only
    mkdir -p /tmp/libvirt-drivers-off
    for p in "$LVDRV"/*.so; do
        case $p in */libvirt_driver_libxl.so) ;; *) mv "$p" /tmp/libvirt-drivers-off/ ;; esac
    done
    ls "$LVDRV" > "$R/libvirt-drivers.txt"
    # the outer machine'"'"'s CPU (QEMU 7.2'"'"'s TCG) has no VME, which
    # every model of libvirt'"'"'s CPU map requires: the Xen driver cannot
    # decode the host CPU ("Cannot find suitable CPU model for given
    # data") and libvirtd stops; the 486 model of dom0'"'"'s copy of the
    # map (dom0'"'"'s root is in RAM) goes without it
    sed -i "/<feature name=.vme.\/>/d" /usr/share/libvirt/cpu_map/x86_486.xml
    cp /usr/share/libvirt/cpu_map/x86_486.xml "$R/libvirt-cpu-map-486.xml"
    log "libvirtd"
    LIBVIRT_LOG_OUTPUTS="3:file:$R/libvirtd.log" libvirtd --daemon --pid-file=/run/e2e-libvirtd.pid
    echo "libvirtd: status $?"
    deadline=$(( $(up) + 90 ))
    until timeout -k 5 30 virsh -c xen:///system version > "$R/virsh-version.txt" 2>&1; do
        [ "$(up)" -lt "$deadline" ] || break
        sleep 3
    done
    cat > /tmp/e2e-lv.xml <<XML
<domain type="xen">
  <name>e2e-lv</name>
  <memory unit="MiB">256</memory>
  <currentMemory unit="MiB">256</currentMemory>
  <vcpu>1</vcpu>
  <os>
    <type arch="x86_64" machine="xenfv">hvm</type>
    <kernel>$IN/vmlinuz</kernel>
    <initrd>$IN/guest-initrd.img</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 mitigations=off 8250.nr_uarts=1 e2e_hold=3600 e2e_bar=8086:100e</cmdline>
  </os>
  <features><acpi/><apic/><pae/></features>
  <clock offset="utc"><timer name="tsc" mode="native"/></clock>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <serial type="file"><source path="$R/guest-lv-serial.log"/><target port="0"/></serial>
    <hostdev mode="subsystem" type="pci" managed="no">
      <source><address domain="0x0000" bus="0x01" slot="0x00" function="0x0"/></source>
    </hostdev>
  </devices>
</domain>
XML
    cp /tmp/e2e-lv.xml "$R/e2e-lv.xml"
    timeout -k 5 60 virsh -c xen:///system define /tmp/e2e-lv.xml > "$R/virsh-define.log" 2>&1
    echo $? > "$R/virsh-define.rc"
    log "virsh start e2e-lv"
    timeout -k 5 240 virsh -c xen:///system start e2e-lv > "$R/virsh-start.log" 2>&1
    echo $? > "$R/virsh-start.rc"
    log "virsh start: rc $(cat "$R/virsh-start.rc")"
    LVDOMID=$(timeout -k 5 30 virsh -c xen:///system domid e2e-lv 2>/dev/null | head -1)
    echo "$LVDOMID" > "$R/lv-domid"
    if [ -n "$LVDOMID" ] && [ "$LVDOMID" != "-" ]; then
        lv_qmp mtree-f "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info mtree -f\"}}"
        lv_qmp query-xen-rdm "{\"execute\":\"query-xen-rdm\"}"
        # the processes: QEMU (binary, arguments, libraries) and libvirtd
        for p in /proc/[0-9]*; do
            case $(cat "$p/comm" 2>/dev/null) in
            libvirtd|*qemu*)
                echo "== $(cat "$p/comm") ${p#/proc/} $(readlink "$p/exe")"
                echo "args: $(tr "\0" " " < "$p/cmdline")"
                grep -o "/[^ ]*\(libxenlight\|libxlutil\)[^ ]*" "$p/maps" | sort -u ;;
            esac
        done > "$R/lv-processes.txt" 2>&1
        # the guest runs: its report (deadline on the clock)
        deadline=$(( $(up) + 480 ))
        while [ "$(up)" -lt "$deadline" ]; do
            grep -q E2E-GUEST-END "$R/guest-lv-serial.log" 2>/dev/null && break
            sleep 3
        done
        log "libvirt guest: $(grep -c E2E-GUEST-END "$R/guest-lv-serial.log" 2>/dev/null) report(s)"
        timeout -k 5 30 virsh -c xen:///system dumpxml e2e-lv > "$R/virsh-dumpxml.xml" 2>&1
        timeout -k 5 60 virsh -c xen:///system destroy e2e-lv > "$R/virsh-destroy.log" 2>&1
        echo $? > "$R/virsh-destroy.rc"
    fi
    mkdir -p "$R/var-log-libvirt"
    cp -r /var/log/libvirt/. "$R/var-log-libvirt/" 2>/dev/null
    kill "$(cat /run/e2e-libvirtd.pid)" 2>/dev/null
    # the device back from pciback is not needed: the next guest has none
    timeout -k 5 30 xl list > "$R/xl-list-after-libvirt.txt" 2>&1
}
post_create() {
    # our xl still creates guests beside libvirt'"'"'s
    for p in /proc/[0-9]*; do
        case $(cat "$p/comm" 2>/dev/null) in
        xl) echo "== xl ${p#/proc/}"
            grep -o "/[^ ]*libxenlight[^ ]*" "$p/maps" | sort -u ;;
        esac
    done > "$R/maps-running.txt" 2>&1
}'

# lv_dmesg DOMID: hvmloader's lines of that guest in xl dmesg
lv_dmesg() { grep -a "^(d$1) " xl-dmesg.txt | sed "s/^(d$1) //"; }

checks() {
    local lv
    if [ "$DM" != ours ] || [ "${LIBXL:-}" = debian ]; then
        echo "# $SCENARIO: SKIP: it installs our builds (--dm ours --libxl patched)"
        return
    fi
    lv=$(cat lv-domid 2>/dev/null)
    check "install.sh succeeds" [ "$(cat install.rc 2>/dev/null)" = 0 ]
    [ "$(cat install.rc 2>/dev/null)" = 0 ] || diag < install.log
    # -- xen-init-dom0
    check "xen-init-dom0 ran at boot without an error (/init: no 'xen-init-dom0 failed')" \
        eval '! grep -aq "xen-init-dom0 failed" ../serial.log'
    check "xen-init-dom0, run again after the install, succeeds (status $(cat xen-init-dom0-installed.rc 2>/dev/null)), dom0's name in xenstore ($(cat dom0-name.txt 2>/dev/null))" \
        eval '[ "$(cat xen-init-dom0-installed.rc 2>/dev/null)" = 0 ] && grep -qx Domain-0 dom0-name.txt'
    echo "# $SCENARIO: xen-init-dom0 loaded: $(grep -o "calling init: [^ ]*libx[^ ]*" xen-init-dom0-ld.txt 2>/dev/null | sed 's/calling init: //' | tr '\n' ' ')"
    check "xen-init-dom0 loaded Debian's libxenlight and libxlutil, not ours (LD_DEBUG=libs)" \
        eval 'grep -q "calling init: /\(usr/\)\{0,1\}lib/x86_64-linux-gnu/libxenlight.so.4.17$" xen-init-dom0-ld.txt &&
              ! grep -q "xen-rdm" xen-init-dom0-ld.txt'
    # -- libvirt
    check "libvirtd answers on xen:///system (virsh version: $(grep -o "hypervisor: .*" virsh-version.txt 2>/dev/null | head -1))" \
        grep -q "Running hypervisor: Xen" virsh-version.txt
    check "virsh define and start of the HVM guest with the passed-through e1000 succeed" \
        eval '[ "$(cat virsh-define.rc 2>/dev/null)" = 0 ] && [ "$(cat virsh-start.rc 2>/dev/null)" = 0 ] && [ -n "$lv" ] && [ "$lv" != - ]'
    [ "$(cat virsh-start.rc 2>/dev/null)" = 0 ] || { diag < virsh-start.log; tail -20 libvirtd.log 2>/dev/null | diag; }
    echo "# $SCENARIO: libvirt's guest: domid ${lv:-none}; processes:"
    grep -v '^args' lv-processes.txt 2>/dev/null | diag
    check "libvirtd runs Debian's libxenlight (/proc/PID/maps), not ours" \
        eval 'sed -n "/^== libvirtd /,/^==/p" lv-processes.txt | grep -v "^==" | grep -q "^/usr/lib/x86_64-linux-gnu/libxenlight.so.4.17.0$" &&
              ! sed -n "/^== libvirtd /,/^==/p" lv-processes.txt | grep -v "^==" | grep -q xen-rdm'
    check "libxl started the default device model, our QEMU (/usr/local/lib/xen-rdm/qemu-system-x86_64), with no RDM setting (-machine without xen-rdm)" \
        eval 'grep -q "^== [^ ]*qemu[^ ]* [0-9]* /usr/local/lib/xen-rdm/qemu-system-x86_64$" lv-processes.txt &&
              grep "^args: /usr/libexec/xen-qemu-system-i386 " lv-processes.txt | grep -q " -machine xenfv" &&
              ! grep "^args: /usr/libexec/xen-qemu-system-i386 " lv-processes.txt | grep -q xen-rdm'
    check "Xen took the RMRR for 01:00.0 (Adding RMRR ... [20000-2000f])" \
        grep -qE 'Adding RMRR for 1 device \(\[0\]: 0x100\) range \[20000-2000f\]' xl-dmesg-boot.txt
    echo "# $SCENARIO: libvirt guest's hvmloader E820:"
    lv_dmesg "$lv" | grep -A12 'E820 table' | diag
    check "hvmloader E820 of libvirt's guest: RAM up to 256 MiB, the RMRR 0x20000000-0x2000ffff RESERVED (libxl's strict default for a device)" \
        eval 'lv_dmesg "$lv" | grep -A12 "E820 table" | grep -q "00000000:00100000 - 00000000:10000000: RAM" &&
              lv_dmesg "$lv" | grep -A12 "E820 table" | grep -q "00000000:20000000 - 00000000:20010000: RESERVED"'
    echo "# $SCENARIO: libvirt guest's device model RAM (info mtree -f):"
    mtree_ram lv-mtree-f.json | diag
    check "our QEMU maps the RAM libxl populated: xen.ram up to 0xfffffff, none at the RMRR (info mtree -f)" \
        eval 'mtree_ram_covers lv-mtree-f.json 0xfffffff && ! mtree_ram_covers lv-mtree-f.json 0x10000000 &&
              ! mtree_ram_covers lv-mtree-f.json 0x20000000 && [ "$(mtree_ram_max_end lv-mtree-f.json)" = 0xfffffff ]'
    check "query-xen-rdm: RAM from the toolstack (hvm-info), lowmem-end 0x10000000, no plan and no mismatch (Debian's libxl told QEMU nothing)" \
        qmp_ret lv-query-xen-rdm.json "r['layout'] == 'toolstack' and r['source'] == 'hvm-info' and r['lowmem-end'] == 0x10000000 and 'plan' not in r and 'mismatch' not in r"
    check "libvirt's guest ran: it printed its report (guest-lv-serial.log)" \
        grep -q E2E-GUEST-END guest-lv-serial.log
    echo "# $SCENARIO: $(tr -d '\r' < guest-lv-serial.log 2>/dev/null | grep '^E2E-IO ' | tr '\n' ' ')"
    check "libvirt's guest reads the e1000's STATUS register through the passthrough (link up: $(guest_io "bar read" word8 guest-lv-serial.log))" \
        eval 'v=$(guest_io "bar read" word8 guest-lv-serial.log); [ -n "$v" ] && [ "$v" != 0xffffffff ] && [ $((v & 2)) = 2 ]'
    check "the guest's kernel sees the RMRR reserved and RAM up to 256 MiB (memmap)" \
        eval 'tr -d "\r" < guest-lv-serial.log | grep -q "^memmap 0x20000000 0x2000ffff Reserved" &&
              tr -d "\r" < guest-lv-serial.log | grep -q "^memmap 0x100000 0x[0-9a-f]* System RAM"'
    check "the device model logged no crash (qemu-dm-e2e-lv.log: no abort, no signal)" \
        eval '[ -f var-log-xen/qemu-dm-e2e-lv.log ] && ! grep -qi "abort\|segfault\|core dumped\|assert" var-log-xen/qemu-dm-e2e-lv.log'
    check "virsh destroy succeeds" [ "$(cat virsh-destroy.rc 2>/dev/null)" = 0 ]
    # -- our xl afterwards
    check "then our xl creates its guest: it maps our libxenlight (/proc/PID/maps)" \
        grep -qx "/usr/lib/xen-rdm/lib/libxenlight.so.4.17.0" maps-running.txt
}
