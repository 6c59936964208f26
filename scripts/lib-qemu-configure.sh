# SPDX-License-Identifier: GPL-2.0-or-later
#
# How our QEMU is configured, shared by scripts/qemu-build.sh and
# scripts/qemu-series.sh --build-each (sourced, not run).
#
# qemu_configure SRC OBJ: configure the tree SRC in OBJ when OBJ has no
# build yet or was configured otherwise (log in OBJ/configure.log).
#
# A device model libxl can start as it is: libxl always passes -vnc (and
# -k with xl.cfg's keymap), so VNC is built in; firmware, option ROMs and
# keymaps are looked up where Debian's qemu-system-data, seabios and
# ipxe-qemu packages put them, the firmware path of Debian's own build
# (pc-bios blobs are not installed: Debian's packages have them).  Not
# relocatable: a relocatable QEMU looks for them relative to where its
# binary is (from /usr/local/bin up to /usr/share/qemu), which finds
# them only at one depth of install directory
FIRMWARE_PATH=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
CONFIGURE_ARGS="--target-list=x86_64-softmmu --enable-xen --enable-xen-pci-passthrough
    --without-default-features --disable-tcg --disable-docs --disable-werror
    --enable-vnc --enable-pixman --firmwarepath=$FIRMWARE_PATH --disable-relocatable
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
