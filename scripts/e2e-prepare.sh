#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Prepare everything a real Xen 4.17 host needs for the end-to-end tests
# (scripts/run-e2e.sh), from Debian 12 packages only, and cache it under
# build/e2e/.  A second run only rebuilds what changed (stamps hold the
# hash of each step's inputs).  See docs/e2e.rst.
#
# usage: scripts/e2e-prepare.sh [--no-deps] [--force]
#
#   --no-deps   do not touch apt on the host (packages already there)
#   --force     rebuild every step
#
# Environment:
#   E2E_MIRROR  Debian mirror for debootstrap (default: the URI the host's
#               apt configuration uses for bookworm main)
#   E2E_SECURITY_MIRROR  Debian security archive for dom0's updates
#               (default: the URI the host's apt configuration uses for
#               bookworm-security)
#
# Output (build/e2e/):
#   xen/xen.elf              the hypervisor (multiboot ELF, gunzipped)
#   kernel/vmlinuz           Debian's kernel, for dom0 and for the guest
#   dom0-initrd.img          dom0 root (debootstrap'd Debian 12 + Xen tools,
#                            with bookworm-security's updates) packed as
#                            an initramfs (cpio, zstd)
#   guest-initrd.img         busybox initramfs whose init prints the e820
#                            and runs the guest I/O checks (e2e-io)
#   dom0-root/               the unpacked dom0 root (kept for the cache)
#   debs/, dbs-cache/        downloaded packages
set -eu

die() { echo "e2e-prepare.sh: error: $*" >&2; exit 1; }
say() { echo "e2e-prepare.sh: $*"; }

REPO=$(cd "$(dirname "$0")/.." && pwd)
# SUDO, apt_debian_uri
. "$REPO/scripts/lib-apt.sh"
OUT=$REPO/build/e2e
DO_DEPS=1
FORCE=0
while [ $# -gt 0 ]; do
    case $1 in
    --no-deps) DO_DEPS=0; shift ;;
    --force) FORCE=1; shift ;;
    -h|--help) sed -n '3,30p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
    esac
done
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, apt-get)"
mkdir -p "$OUT"

T_ALL=$(date +%s.%N)
step_t0=
step_begin() { step_t0=$(date +%s.%N); say "step $1 ..."; }
step_end() {
    local t
    t=$(echo "$(date +%s.%N) - $step_t0" | bc 2>/dev/null || echo "?")
    say "step $1: $2 ($(printf '%.1f' "$t" 2>/dev/null || echo "$t") s)"
}
# stamp NAME HASH: true if the step NAME was done with inputs HASH
stamp_ok() { [ "$FORCE" = 0 ] && [ "$(cat "$OUT/.stamp-$1" 2>/dev/null)" = "$2" ]; }
stamp_set() { echo "$2" > "$OUT/.stamp-$1"; }
hash_of() { sha256sum | cut -c1-16; }

# ------------------------------------------------------------ host packages
HOST_PKGS="qemu-system-x86 debootstrap busybox-static cpio zstd kmod bc
    socat python3 xz-utils ca-certificates gcc libc6-dev"
step_begin host-packages
if [ "$DO_DEPS" = 1 ]; then
    missing=
    for p in $HOST_PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        say "installing:$missing"
        apt-get update -qq || die "apt-get update failed"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            $missing > "$OUT/apt-host.log" 2>&1 ||
            { tail -20 "$OUT/apt-host.log" >&2; die "apt-get install failed"; }
        step_end host-packages "installed$missing"
    else
        step_end host-packages "all present"
    fi
else
    step_end host-packages "skipped (--no-deps)"
fi

# ------------------------------------------------------------ Xen + kernel
step_begin debs
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
       sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1)
if [ -z "$KPKG" ]; then
    apt-get update -qq
    KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
           sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1)
fi
[ -n "$KPKG" ] || die "cannot resolve linux-image-amd64 (apt-get update?)"
# the hypervisor of Debian 12's Xen release (xen-system-amd64's), whose
# MAJOR.MINOR names the per-version packages, libraries and paths
XPKG=$(apt-cache depends xen-system-amd64 2>/dev/null |
       sed -n 's/^ *Depends: \(xen-hypervisor-[0-9.]*-amd64\)$/\1/p' | head -1)
[ -n "$XPKG" ] || die "cannot resolve xen-system-amd64's hypervisor package (apt-get update?)"
XMM=$(echo "$XPKG" | sed 's/^xen-hypervisor-\(.*\)-amd64$/\1/')
KVERP=$(apt-cache policy "$KPKG" | sed -n 's/^ *Candidate: //p')
XVERP=$(apt-cache policy "$XPKG" | sed -n 's/^ *Candidate: //p')
debs_hash=$(echo "$KPKG=$KVERP $XPKG=$XVERP" | hash_of)
if stamp_ok debs "$debs_hash" && ls "$OUT"/debs/*.deb >/dev/null 2>&1; then
    step_end debs "cached ($KPKG $KVERP, $XPKG $XVERP)"
else
    rm -rf "$OUT/debs"; mkdir -p "$OUT/debs"
    (cd "$OUT/debs" && apt-get download -q "$KPKG=$KVERP" "$XPKG=$XVERP") \
        > "$OUT/debs.log" 2>&1 || { cat "$OUT/debs.log" >&2; die "apt-get download failed"; }
    stamp_set debs "$debs_hash"
    step_end debs "downloaded $KPKG $KVERP, $XPKG $XVERP"
fi

step_begin extract
# the kernel modules kept beside drivers/xen and drivers/virtio: the
# guests' disk drivers (virtio-blk; xen-blkfront, pv-qdisk's PV guest)
KMODS="drivers/block/virtio_blk drivers/block/xen-blkfront"
extract_hash=$(echo "$debs_hash $KMODS" | hash_of)
if stamp_ok extract "$extract_hash" && [ -f "$OUT/xen/xen.elf" ] && [ -f "$OUT/kernel/vmlinuz" ]; then
    step_end extract cached
else
    rm -rf "$OUT/xen" "$OUT/kernel" "$OUT/kx"
    mkdir -p "$OUT/xen" "$OUT/kernel" "$OUT/kx"
    dpkg -x "$OUT"/debs/xen-hypervisor-*.deb "$OUT/kx/xen"
    zcat "$OUT"/kx/xen/boot/xen-$XMM-amd64.gz > "$OUT/xen/xen.elf"
    dpkg -x "$OUT"/debs/linux-image-*.deb "$OUT/kx/linux"
    cp "$OUT"/kx/linux/boot/vmlinuz-* "$OUT/kernel/vmlinuz"
    KVER=$(basename "$OUT"/kx/linux/lib/modules/*)
    echo "$KVER" > "$OUT/kernel/version"
    # Only the modules dom0 needs: Xen drivers, virtio (the harness's
    # disks), pciback, and the guests' disk drivers.  The rest of the
    # 400 MB stays out of the initramfs.
    mkdir -p "$OUT/kernel/modules/lib/modules/$KVER/kernel/drivers/block"
    for d in drivers/xen drivers/virtio; do
        mkdir -p "$OUT/kernel/modules/lib/modules/$KVER/kernel/$(dirname $d)"
        cp -a "$OUT/kx/linux/lib/modules/$KVER/kernel/$d" \
              "$OUT/kernel/modules/lib/modules/$KVER/kernel/$d"
    done
    for m in $KMODS; do
        cp "$OUT/kx/linux/lib/modules/$KVER/kernel/$m.ko" \
           "$OUT/kernel/modules/lib/modules/$KVER/kernel/drivers/block/" ||
            die "kernel module $m.ko missing in $KPKG"
    done
    cp "$OUT"/kx/linux/lib/modules/$KVER/modules.builtin* \
       "$OUT"/kx/linux/lib/modules/$KVER/modules.order \
       "$OUT/kernel/modules/lib/modules/$KVER/"
    depmod -b "$OUT/kernel/modules" "$KVER"
    rm -rf "$OUT/kx"
    stamp_set extract "$extract_hash"
    step_end extract "xen.elf, vmlinuz ($KVER), dom0 modules"
fi
KVER=$(cat "$OUT/kernel/version")

# ------------------------------------------------------------ dom0 root
# Packages of dom0: the Xen tools (xl, xenstored, xenconsoled, hvmloader),
# Debian's QEMU as a device model (and the libraries our QEMU needs),
# SeaBIOS for hvmloader, socat for QMP.
DOM0_PKGS="xen-utils-$XMM,xenstore-utils,qemu-system-xen,seabios,kmod,socat,procps,busybox,iproute2"
# libvirt's Xen driver (libvirtd with libvirt_driver_libxl.so, virsh):
# the libxl client that the libvirt-on-dom0 scenario drives
DOM0_PKGS="$DOM0_PKGS,libvirt-daemon,libvirt-daemon-driver-xen,libvirt-clients"
MIRROR=${E2E_MIRROR:-$(apt_debian_uri)}
[ -n "$MIRROR" ] || die "no Debian mirror: apt has no source for bookworm main, and E2E_MIRROR is not set"
# dom0 runs what an up-to-date Debian 12 host runs: bookworm-security's
# updates, from the archive the host's apt uses for it
SECURITY=${E2E_SECURITY_MIRROR:-$(apt_debian_uri bookworm-security)}
[ -n "$SECURITY" ] || die "no Debian security archive: apt has no source for bookworm-security (main), and E2E_SECURITY_MIRROR is not set"
# except its Xen tools: the newest Xen $XMM whose source this machine
# can fetch (bookworm-security's when its archive serves the source,
# else bookworm main's), so that the series is built for the version
# dom0 runs (scripts/xen-build.sh --list-versions)
"$REPO/scripts/xen-build.sh" --version "$XVERP" --list-versions > "$OUT/xen-versions.txt" 2> "$OUT/xen-versions.log" ||
    { cat "$OUT/xen-versions.log" >&2; die "scripts/xen-build.sh --list-versions failed"; }
TOOLS_VER=$(awk '$3 == "served" { print $2; exit }' "$OUT/xen-versions.txt")
[ -n "$TOOLS_VER" ] ||
    die "this machine's apt serves the source of no Xen $XMM ($(tr '\n' ' ' < "$OUT/xen-versions.txt")): add a deb-src line for an archive that serves it"
say "dom0's Xen tools: xen $TOOLS_VER, the newest Xen $XMM whose source this machine can fetch ($(sed 's/^version //' "$OUT/xen-versions.txt" | paste -sd, - | sed 's/,/, /g'))"
root_hash=$(echo "bookworm minbase $DOM0_PKGS $MIRROR security $SECURITY xen-tools=$TOOLS_VER keep-debs" | hash_of)
step_begin dom0-root
if stamp_ok dom0-root "$root_hash" && [ -x "$OUT/dom0-root/usr/sbin/xl" ]; then
    step_end dom0-root "cached (xen tools $TOOLS_VER)"
else
    # a run stopped during the upgrade left proc mounted there
    ! mountpoint -q "$OUT/dom0-root/proc" || umount "$OUT/dom0-root/proc"
    rm -rf "$OUT/dom0-root"; mkdir -p "$OUT/dbs-cache"
    debootstrap --variant=minbase --include="$DOM0_PKGS" \
        --cache-dir="$OUT/dbs-cache" bookworm "$OUT/dom0-root" "$MIRROR" \
        > "$OUT/debootstrap.log" 2>&1 ||
        { tail -30 "$OUT/debootstrap.log" >&2; die "debootstrap failed (log: $OUT/debootstrap.log)"; }
    R=$OUT/dom0-root
    cat > "$R/etc/apt/sources.list" <<EOS
deb $MIRROR bookworm main
deb $SECURITY bookworm-security main
EOS
    # no service of dom0 starts while it is upgraded on the build host
    printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
    chmod 0755 "$R/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
    mount -t proc proc "$R/proc"
    # the binary packages of source xen dom0 has: held at $TOOLS_VER
    xen_pkgs=$(chroot "$R" dpkg-query -W -f='${Package} ${source:Package}\n' | awk '$2 == "xen" { print $1 }' | sort -u)
    rc=0
    { chroot "$R" apt-get update -q &&
      chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get -y -q --allow-downgrades \
          -o Dpkg::Options::=--force-confold install $(for p in $xen_pkgs; do echo "$p=$TOOLS_VER"; done) &&
      chroot "$R" apt-mark hold $xen_pkgs &&
      chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get -y -q \
          -o Dpkg::Options::=--force-confold upgrade &&
      chroot "$R" apt-mark unhold $xen_pkgs &&
      chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get -y -q -d --reinstall \
          install "libxenmisc$XMM=$TOOLS_VER" "xen-utils-$XMM=$TOOLS_VER"; } \
        > "$OUT/dom0-upgrade.log" 2>&1 || rc=$?
    umount "$R/proc"
    rm -f "$R/usr/sbin/policy-rc.d"
    [ "$rc" = 0 ] ||
        { tail -30 "$OUT/dom0-upgrade.log" >&2; die "dom0's upgrade from bookworm-security (Xen tools at $TOOLS_VER) failed (log: $OUT/dom0-upgrade.log)"; }
    got=$(chroot "$R" dpkg-query -W -f='${Version}' "xen-utils-$XMM")
    [ "$got" = "$TOOLS_VER" ] ||
        die "dom0 has xen-utils-$XMM $got after its upgrade, not $TOOLS_VER (log: $OUT/dom0-upgrade.log)"
    upgraded=$(grep -c '^Unpacking .*(.*) over (' "$OUT/dom0-upgrade.log" || true)
    # Shrink what goes into RAM: docs, locales, apt lists, and the .debs
    # but the Xen libraries' and tools' (install-on-dom0 reinstalls them)
    keep=
    for p in "libxenmisc$XMM" "xen-utils-$XMM"; do
        f=$(ls "$R/var/cache/apt/archives/${p}_$(echo "$TOOLS_VER" | sed 's/:/%3a/')"_*.deb 2>/dev/null | head -1)
        [ -n "$f" ] || die "dom0 has no .deb of $p $TOOLS_VER in /var/cache/apt/archives (log: $OUT/dom0-upgrade.log)"
        keep="$keep $f"
    done
    mkdir -p "$OUT/dom0-keep"; rm -f "$OUT"/dom0-keep/*.deb
    cp $keep "$OUT/dom0-keep/"
    rm -rf "$OUT"/dom0-root/usr/share/{doc,man,info,locale} \
           "$OUT"/dom0-root/var/lib/apt/lists/* \
           "$OUT"/dom0-root/var/cache/apt/*.bin \
           "$OUT"/dom0-root/var/cache/apt/archives/*.deb
    cp "$OUT"/dom0-keep/*.deb "$R/var/cache/apt/archives/"
    [ "$(ls "$R"/var/cache/apt/archives/*.deb 2>/dev/null | wc -l)" = 2 ] ||
        die "dom0 keeps $(ls "$R"/var/cache/apt/archives/ | tr '\n' ' ')in /var/cache/apt/archives, not the .debs of libxenmisc$XMM and xen-utils-$XMM $TOOLS_VER"
    stamp_set dom0-root "$root_hash"
    step_end dom0-root "debootstrap bookworm ($DOM0_PKGS), $upgraded package(s) upgraded from bookworm-security, Xen tools held at $TOOLS_VER: xen-utils-$XMM $got; kept $(cd "$R/var/cache/apt/archives" && echo *.deb)"
fi

step_begin dom0-initrd
dom0_hash=$( (echo "$root_hash $debs_hash"; cat "$REPO"/e2e/dom0/*) | hash_of)
if stamp_ok dom0-initrd "$dom0_hash" && [ -f "$OUT/dom0-initrd.img" ]; then
    step_end dom0-initrd cached
else
    R=$OUT/dom0-root
    rm -rf "$R/lib/modules"
    cp -a "$OUT/kernel/modules/lib/modules" "$R/lib/modules"
    install -m 0755 "$REPO/e2e/dom0/init" "$R/init"
    mkdir -p "$R/e2e"
    for f in "$REPO"/e2e/dom0/*; do
        install -m 0755 "$f" "$R/e2e/$(basename "$f")"
    done
    (cd "$R" && find . -xdev -print0 | cpio --null -o -H newc --quiet) |
        zstd -q -T2 -6 > "$OUT/dom0-initrd.img.new"
    mv "$OUT/dom0-initrd.img.new" "$OUT/dom0-initrd.img"
    stamp_set dom0-initrd "$dom0_hash"
    step_end dom0-initrd "packed $(du -h "$OUT/dom0-initrd.img" | cut -f1)"
fi

# ------------------------------------------------------------ guest initrd
step_begin guest-initrd
bb=$(command -v busybox || echo /bin/busybox)
guest_hash=$( (sha256sum "$bb"; echo "$KVER"; cat "$REPO"/e2e/guest/*) | hash_of)
if stamp_ok guest-initrd "$guest_hash" && [ -f "$OUT/guest-initrd.img" ]; then
    step_end guest-initrd cached
else
    G=$OUT/guest-root
    rm -rf "$G"; mkdir -p "$G"/{bin,sbin,proc,sys,dev,tmp}
    cp "$bb" "$G/bin/busybox"
    file "$G/bin/busybox" 2>/dev/null | grep -q 'statically' ||
        ldd "$G/bin/busybox" 2>&1 | grep -q 'not a dynamic' ||
        die "$bb is not static (install busybox-static)"
    for a in sh mount umount cat ls echo dmesg grep sed sleep poweroff sync \
             head tail tr printf dd od hexdump uname wc cut insmod kill mkdir; do
        ln -sf busybox "$G/bin/$a"
    done
    install -m 0755 "$REPO/e2e/guest/init" "$G/init"
    # the guest I/O checks (static: the initramfs has no C library), the
    # virtio-blk driver they use and the PV block frontend (pv-qdisk)
    gcc -static -O2 -Wall -Werror -o "$G/bin/e2e-io" "$REPO/e2e/guest/e2e-io.c" ||
        die "cannot build e2e/guest/e2e-io.c (gcc, libc6-dev)"
    mkdir -p "$G/modules"
    for m in drivers/virtio/virtio_ring drivers/virtio/virtio \
             drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci_modern_dev \
             drivers/virtio/virtio_pci drivers/block/virtio_blk \
             drivers/block/xen-blkfront; do
        cp "$OUT/kernel/modules/lib/modules/$KVER/kernel/$m.ko" "$G/modules/" ||
            die "kernel module $m.ko missing"
    done
    (cd "$G" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -6 > "$OUT/guest-initrd.img"
    stamp_set guest-initrd "$guest_hash"
    step_end guest-initrd "packed $(du -h "$OUT/guest-initrd.img" | cut -f1)"
fi

# ------------------------------------------------------------ our libxl
# The Xen toolstack series (patches/xen), built from the source of the
# very version dom0 runs; run-e2e.sh --libxl patched puts the two
# libraries and xl in place of Debian's in dom0: same package version,
# and exactly the exported symbols of Debian's plus those the series
# documents as added (patches/xen/LIB.symbols-added: the functions of
# its new IDL type), nothing else
step_begin libxl
dom0_ver=$(sed -n "/^Package: libxenmisc$XMM\$/,/^\$/s/^Version: //p" "$OUT/dom0-root/var/lib/dpkg/status")
[ -n "$dom0_ver" ] || die "dom0 has no libxenmisc$XMM (debootstrap log: $OUT/debootstrap.log)"
"$REPO/scripts/xen-build.sh" --version "$dom0_ver" > "$OUT/xen-build.log" 2>&1 ||
    { tail -20 "$OUT/xen-build.log" >&2; die "scripts/xen-build.sh --version $dom0_ver (dom0's) failed (log: $OUT/xen-build.log)"; }
XEN_OUT=$REPO/build/xen/out
[ "$dom0_ver" = "$(cat "$XEN_OUT/version")" ] ||
    die "dom0 has libxenmisc$XMM $dom0_ver, the series is built on xen $(cat "$XEN_OUT/version")"
# our hvmloader goes in place of xen-utils-$XMM's (dom0-run.sh)
utils_ver=$(sed -n "/^Package: xen-utils-$XMM\$/,/^\$/s/^Version: //p" "$OUT/dom0-root/var/lib/dpkg/status")
[ "$utils_ver" = "$(cat "$XEN_OUT/version")" ] ||
    die "dom0 has xen-utils-$XMM $utils_ver, our hvmloader is built on xen $(cat "$XEN_OUT/version")"
[ -f "$XEN_OUT/hvmloader" ] || die "$XEN_OUT/hvmloader is not built (scripts/xen-build.sh)"
for l in libxenlight libxlutil; do
    nm -D --defined-only "$OUT/dom0-root/usr/lib/x86_64-linux-gnu/$l.so.$XMM.0" |
        awk '{ print $NF }' | sort > "$OUT/$l.debian.symbols"
    added=$REPO/patches/xen/$l.symbols-added
    [ -f "$added" ] || added=/dev/null
    sort -u "$OUT/$l.debian.symbols" "$added" > "$OUT/$l.expected.symbols"
    cmp -s "$OUT/$l.expected.symbols" "$XEN_OUT/$l.symbols" || {
        diff "$OUT/$l.expected.symbols" "$XEN_OUT/$l.symbols" | head -20 >&2
        die "$l.so.$XMM.0 built with our series does not export exactly the symbols of Debian's and those of patches/xen/$l.symbols-added"
    }
done
[ -x "$XEN_OUT/xl" ] || die "$XEN_OUT/xl is not built (scripts/xen-build.sh)"
step_end libxl "xen $dom0_ver with patches/xen: libxenlight ($(wc -l < "$XEN_OUT/libxenlight.symbols") symbols, $(wc -l < "$REPO/patches/xen/libxenlight.symbols-added") of them added) and libxlutil ($(wc -l < "$XEN_OUT/libxlutil.symbols")) export what Debian's do and what the series adds; xl built with them; hvmloader for xen-utils-$XMM $utils_ver"

# ------------------------------------------------------------ our QEMU
QEMU_OURS=$REPO/build/qemu/obj/qemu-system-x86_64
if [ -x "$QEMU_OURS" ]; then
    say "our QEMU: $QEMU_OURS (run-e2e.sh puts it into dom0 at each run)"
else
    say "our QEMU: not built ($QEMU_OURS missing; scripts/qemu-build.sh builds it);" \
        "run-e2e.sh falls back to Debian's qemu-system-xen"
fi

t=$(echo "$(date +%s.%N) - $T_ALL" | bc)
say "done in $(printf '%.1f' "$t") s: $OUT"
