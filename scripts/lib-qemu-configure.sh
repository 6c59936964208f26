# SPDX-License-Identifier: GPL-2.0-or-later
#
# How our QEMU is configured, shared by scripts/qemu-build.sh and
# scripts/qemu-series.sh --build-each (sourced, not run).
#
# qemu_configure SRC OBJ: configure the tree SRC in OBJ when OBJ has no
# build yet or was configured otherwise (log in OBJ/configure.log).
#
# A device model with every feature of Debian's own device model, the
# qemu-system-xen binary that libxl starts by default: the options of
# debian/rules' configure-xen in the same source package (SPICE, USB
# passthrough with libusb, virtfs for xl.cfg's p9=, VNC with JPEG,
# cap-ng, no audio, no TCG or KVM), with two differences that lose
# nothing under Xen: the x86_64 target (Debian builds i386; the xenfv
# machine and the Xen backends are the same) and the qtest accelerator
# the qtests need (--without-default-features keeps it).  Firmware,
# option ROMs and keymaps are looked up where Debian's qemu-system-data,
# seabios and ipxe-qemu packages put them, the firmware path of Debian's
# own build (pc-bios blobs are not installed: Debian's packages have
# them).  Not relocatable: a relocatable QEMU looks for them relative to
# where its binary is (from /usr/local/bin up to /usr/share/qemu), which
# finds them only at one depth of install directory
FIRMWARE_PATH=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
CONFIGURE_ARGS="--target-list=x86_64-softmmu --enable-xen --enable-xen-pci-passthrough
    --without-default-features --disable-tcg --disable-kvm --disable-tools
    --disable-docs --disable-werror --enable-avx2 --audio-drv-list=
    --enable-libusb --enable-pixman --enable-vnc --enable-vnc-jpeg --enable-spice
    --enable-virtfs --enable-attr --enable-cap-ng --disable-xkbcommon
    --firmwarepath=$FIRMWARE_PATH --disable-relocatable
    --python=/usr/bin/python3 --disable-download --disable-install-blobs"

qemu_configure() {
    local src=$1 obj=$2 cfg_hash
    cfg_hash=$(echo "$CONFIGURE_ARGS" | sha256sum | cut -d' ' -f1)
    mkdir -p "$obj"
    if [ -f "$obj/build.ninja" ] && [ "$(cat "$obj/.xen-rdm-configure" 2>/dev/null)" = "$cfg_hash" ]; then
        return 0
    fi
    echo "configuring QEMU in $obj" >&2
    # shellcheck disable=SC2086
    (cd "$obj" && "$src/configure" $CONFIGURE_ARGS) > "$obj/configure.log" 2>&1 || {
        tail -40 "$obj/configure.log" >&2
        echo "QEMU configure failed (full log: $obj/configure.log)" >&2
        return 1
    }
    echo "$cfg_hash" > "$obj/.xen-rdm-configure"
}
