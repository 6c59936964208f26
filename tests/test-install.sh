#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# scripts/install.sh on a fresh clone, without root and changing nothing
# on this machine: a copy of scripts/ with no build/, run with stand-ins
# for dpkg-query, dpkg-divert, dpkg, apt-cache and dpkg-architecture that
# describe a Debian 12 dom0 of the version the series is built on, with
# none of the build's packages but flex (one of the Xen build's).  Checks
# that --dry-run lists what it would build, the apt sources and packages
# the builds add, and every file and diversion; that Debian's libraries
# are neither diverted nor replaced and ours go where neither the dynamic
# linker nor ldconfig looks (the dry run's commands replayed in a scratch
# root with toy libraries of the same names and sonames: after ldconfig -n
# the sonames' links in the library directory are Debian's); that an
# install over an earlier install.sh's diverted libraries is refused; and
# that --uninstall undoes each layout and lists what it leaves.  Then
# xen-build.sh's choice of the Xen version and its refusal, before any
# build, of a version whose source the archive does not serve (stand-ins
# for apt and curl: no network), and install.sh --status and the dpkg
# hook's checker on a manifest and a scratch dpkg admin directory.
# Prints TAP.
#
# usage: tests/test-install.sh
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 failed=0
ok() {
    n=$((n + 1))
    if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
check() { what=$1; shift; if "$@" >/dev/null 2>&1; then ok 0 "$what"; else ok 1 "$what"; fi; }

PIN=$("$REPO/scripts/xen-build.sh" --list-deps | sed -n 's/^source xen //p')
[ -n "$PIN" ] || { echo "Bail out! scripts/xen-build.sh --list-deps names no Xen version"; exit 1; }

# the fresh clone: scripts/ and nothing built
mkdir -p "$T/clone" "$T/bin"
cp -r "$REPO/scripts" "$T/clone/"

# the host's stand-ins; STUB_DIVERTED: how dpkg-divert answers --truename
# (none: nothing diverted; private: this install.sh's layout, xl and
# hvmloader to /usr/lib/xen-rdm/diverted/PATH, the libraries not;
# diverted: an earlier install.sh's, every file there, the libraries
# too; beside: an older one's, every file to PATH.debian-xen-rdm)
# STUB_MISC, STUB_UTILS: the versions of libxenmisc4.17 and xen-utils-4.17
# installed (none: not installed; default: the version xen-build.sh
# builds here); STUB_CANDIDATE: apt's candidate of libxen-dev
cat > "$T/bin/dpkg-query" <<EOS
#!/bin/sh
case "\$*" in
*db:Status-Status*libxenmisc*)
    m=\${STUB_MISC:-$PIN} u=\${STUB_UTILS:-$PIN}
    [ "\$m" = none ] || echo "libxenmisc4.17 \$m installed"
    [ "\$u" = none ] || echo "xen-utils-4.17 \$u installed" ;;
*Version*libxenmisc4.17) printf '%s' '$PIN' ;;
*Version*xen-utils-4.17) printf '%s' '$PIN' ;;
"-L xen-utils-4.17") echo /usr/lib/xen-4.17/bin/xl ;;
*Status*" flex") echo "install ok installed" ;;
*) exit 1 ;;
esac
EOS
cat > "$T/bin/dpkg-divert" <<'EOS'
#!/bin/sh
[ "$1" = --truename ] || exit 0
case ${STUB_DIVERTED:-none}:$2 in
private:*.so.*) echo "$2" ;;
private:*|diverted:*) echo "/usr/lib/xen-rdm/diverted$2" ;;
beside:*) echo "$2.debian-xen-rdm" ;;
*) echo "$2" ;;
esac
EOS
printf '#!/bin/sh\nexit 1\n' > "$T/bin/dpkg"
cat > "$T/bin/apt-cache" <<'EOS'
#!/bin/sh
[ "$*" = "policy libxen-dev" ] && [ -n "${STUB_CANDIDATE:-}" ] &&
    printf 'libxen-dev:\n  Installed: (none)\n  Candidate: %s\n' "$STUB_CANDIDATE"
exit 0
EOS
printf '#!/bin/sh\necho x86_64-linux-gnu\n' > "$T/bin/dpkg-architecture"
chmod +x "$T/bin"/*
PATH=$T/bin:$PATH
export PATH

# ---- the Xen xen-build.sh builds on: the host's, as dpkg reports it
XB=$T/clone/scripts/xen-build.sh
check "xen-build.sh builds on the installed libxenmisc4.17/xen-utils-4.17 (4.17.9+1-test)" \
    eval "STUB_MISC=4.17.9+1-test STUB_UTILS=4.17.9+1-test '$XB' --list-deps | grep -qxF 'source xen 4.17.9+1-test'"
rc=0
STUB_UTILS=4.17.8-other "$XB" --list-deps > "$T/xb.log" 2>&1 || rc=$?
sed 's/^/# /' "$T/xb.log"
check "xen-build.sh refuses when libxenmisc4.17 and xen-utils-4.17 differ, naming both" \
    eval "[ $rc != 0 ] && grep -q 'xen-utils-4.17 4.17.8-other' '$T/xb.log' && grep -qF 'libxenmisc4.17 $PIN' '$T/xb.log'"
check "xen-build.sh without Xen installed builds on apt's candidate of libxen-dev" \
    eval "STUB_MISC=none STUB_UTILS=none STUB_CANDIDATE=4.17.9+2-cand '$XB' --list-deps | grep -qxF 'source xen 4.17.9+2-cand'"
rc=0
STUB_MISC=none STUB_UTILS=none "$XB" --list-deps > "$T/xb.log" 2>&1 || rc=$?
check "xen-build.sh without Xen installed nor a candidate refuses, saying so (exit $rc)" \
    eval "[ $rc != 0 ] && grep -q 'no Xen installed' '$T/xb.log'"
check "xen-build.sh --version V builds on V" \
    eval "'$XB' --version 4.20.4+63-g7abfd2bce2-0+deb13u1 --list-deps | grep -qxF 'source xen 4.20.4+63-g7abfd2bce2-0+deb13u1'"
rc=0
"$XB" --version banana --list-deps > "$T/xb.log" 2>&1 || rc=$?
check "xen-build.sh --version refuses a version without MAJOR.MINOR, naming it (exit $rc)" \
    eval "[ $rc != 0 ] && grep -q \"xen version 'banana'\" '$T/xb.log'"

# ---- --dry-run on the fresh clone
rc=0
"$T/clone/scripts/install.sh" --dry-run > "$T/dry-run.log" 2>&1 || rc=$?
sed 's/^/# /' "$T/dry-run.log"
ok "$rc" "install.sh --dry-run on a fresh clone succeeds (exit $rc)"
check "it changed nothing: no build/ in the clone" [ ! -e "$T/clone/build" ]
L=$T/dry-run.log
check "it lists the QEMU build" grep -q "scripts/qemu-build.sh: $T/clone/build/qemu/obj/qemu-system-x86_64" "$L"
check "it lists the Xen build" grep -q "scripts/xen-build.sh: $T/clone/build/xen/out/" "$L"
# (added, or there already when this machine ran the builds)
check "it lists the apt sources the builds add" eval "grep -q 'apt source /etc/apt/sources.list.d/xen-rdm-qemu-build.sources' '$L' && grep -q 'apt source /etc/apt/sources.list.d/xen-rdm-xen-build.sources' '$L'"
check "it lists the packages the builds install" eval "grep -q 'apt-get install ninja-build\$' '$L' && grep -q 'apt-get install libyajl-dev\$' '$L' && grep -q 'apt-get install python3-pycotap (from bookworm-backports)' '$L'"
for f in /usr/lib/xen-4.17/bin/xl /usr/lib/xen-4.17/boot/hvmloader; do
    check "it lists the diversion and the install of $f" eval "grep -q -- '^  dpkg-divert --local --rename --divert [^ ]* --add $f\$' '$L' && grep -q -- '^  install -m 07*[0-9]* $T/clone/build/xen/out/[^ ]* $f\$' '$L'"
done
for f in libxenlight.so.4.17.0 libxlutil.so.4.17.0; do
    check "it lists the install of $f and its soname link in our private directory" eval "grep -q -- '^  install -m 0644 $T/clone/build/xen/out/$f /usr/lib/xen-rdm/lib/$f\$' '$L' && grep -q -- '^  ln -sfn $f /usr/lib/xen-rdm/lib/${f%.*}\$' '$L'"
done
check "it lists the device model's path" grep -q "^  ln -sfn /usr/local/lib/xen-rdm/qemu-system-x86_64 /usr/libexec/xen-qemu-system-i386\$" "$L"
check "it lists the checker and the dpkg hook file with its post-invoke line" \
    eval "grep -q -- '^  install -m 0755 $T/clone/scripts/xen-rdm-check.sh /usr/local/lib/xen-rdm/check-stale\$' '$L' &&
          grep -q -- '^  write /etc/dpkg/dpkg.cfg.d/xen-rdm: post-invoke=\"if \[ -x /usr/local/lib/xen-rdm/check-stale \]; then /usr/local/lib/xen-rdm/check-stale --hook; fi || true\"\$' '$L'"
check "it lists the manifest and the packages whose versions it records" \
    grep -q "(and /usr/local/lib/xen-rdm/installed: .*versions of qemu-system-xen xen-utils-4.17 libxenmisc4.17 now and the Xen version" "$L"

# ---- the install --dry-run lists, replayed in a scratch root $R with
# toy libraries of the same names and sonames (Debian's where Debian
# has them, ours as the build's), then ldconfig -n on each directory
# the dynamic linker searches: the soname links there stay Debian's;
# our xl's private directory is outside them
R=$T/root
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
# the directories the dynamic linker searches here, and the default ones
search=$("$LDCONFIG" -v -N -X 2>/dev/null | sed -n 's|^\(/[^:]*\):.*|\1|p')
search="$search /lib /usr/lib /lib64 /usr/lib64 /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu"
toy() { # FILE SONAME SYMBOL
    mkdir -p "$(dirname "$1")"
    echo "int $3(void) { return 0; }" > "$T/toy.c"
    cc -shared -fPIC -Wl,-soname,"$2" -o "$1" "$T/toy.c"
}
soname_of() { basename "$1" | sed 's/\(\.so\.[0-9]*\.[0-9]*\).*/\1/'; }
# whose: which toy a library path resolves to (its symbol)
whose() {
    [ -e "$1" ] || { echo none; return; }
    nm -D --defined-only "$1" | awk '$NF == "debian" || $NF == "ours" { print $NF }'
}
LIBDIR=/usr/lib/x86_64-linux-gnu
DEBLIBS="libxenlight.so.4.17.0 libxlutil.so.4.17.0"
for f in $DEBLIBS; do
    toy "$R$LIBDIR/$f" "$(soname_of "$f")" debian
    ln -s "$f" "$R$LIBDIR/$(soname_of "$f")"
done
for f in $DEBLIBS; do
    check "Debian's $LIBDIR/$f is never diverted" eval "! grep -q -- '--add $LIBDIR/$f\$' '$L'"
done
check "no file is installed or linked in $LIBDIR" eval "! grep -q -- '^  \(install\|ln\) .* $LIBDIR/' '$L'"
replay=0
while read -r cmd a1 a2 a3 a4 a5 a6 a7; do
    case $cmd in
    mkdir) mkdir -p "$R$a2" ;;
    install)
        case $a3 in
        */build/xen/out/*.so.*) toy "$R$a4" "$(soname_of "$a3")" ours ;;
        *) mkdir -p "$(dirname "$R$a4")"; : > "$R$a4" ;;
        esac ;;
    ln) case $a2 in /*) a2=$R$a2 ;; esac; mkdir -p "$(dirname "$R$a3")"; ln -sfn "$a2" "$R$a3" ;;
    dpkg-divert) # --local --rename --divert TO --add FROM
        [ -e "$R$a6" ] && { mkdir -p "$(dirname "$R$a4")"; mv "$R$a6" "$R$a4"; } ;;
    *) continue ;;
    esac
    replay=$((replay + 1))
done < "$L"
check "the dry run's commands replayed ($replay)" [ "$replay" -ge 8 ]
privdirs=$(sed -n 's|^  install -m [0-7]* [^ ]*/build/xen/out/[^ ]*\.so\.[0-9.]* \(/.*\)/[^/]*$|\1|p' "$L" | sort -u)
check "our libraries go to one directory ($privdirs)" [ "$(echo "$privdirs" | wc -w)" = 1 ]
for d in $privdirs; do
    outside=0
    for s in $search; do [ "$s" = "$d" ] && outside=1; done
    ok "$outside" "our libraries' directory $d is outside the directories the dynamic linker and ldconfig search"
done
for s in $(echo "$search" | tr ' ' '\n' | sort -u); do
    [ -d "$R$s" ] && "$LDCONFIG" -n "$R$s"
done
for f in $DEBLIBS; do
    so=$(soname_of "$f")
    link=$(readlink "$R$LIBDIR/$so" || echo none)
    w=$(whose "$R$LIBDIR/$so")
    [ "$link" = "$f" ] && [ "$w" = debian ] && r=0 || r=1
    ok "$r" "after ldconfig, $LIBDIR/$so links to $link, which is Debian's (the toy there: $w)"
    for d in $privdirs; do
        w=$(whose "$R$d/$so")
        [ "$w" = ours ] && r=0 || r=1
        ok "$r" "$d/$so, which our xl's RUNPATH finds, is ours (the toy there: $w)"
    done
done

# ---- an install over an earlier install.sh's diverted libraries is
# refused, naming why and what to run
for layout in diverted beside; do
    rc=0
    STUB_DIVERTED=$layout "$T/clone/scripts/install.sh" --dry-run --only libxl > "$T/in-$layout.log" 2>&1 || rc=$?
    sed 's/^/# /' "$T/in-$layout.log"
    check "$layout layout: install.sh --dry-run refuses to install over it, naming the diverted library, why and the fix" \
        eval "[ $rc != 0 ] && grep -q 'error: /usr/lib/x86_64-linux-gnu/libxenlight.so.4.17.0 is diverted to .* by an earlier install.sh, which gave every libxl client .* run scripts/install.sh --uninstall' '$T/in-$layout.log' && ! grep -q '^  install ' '$T/in-$layout.log'"
done

# ---- --uninstall --dry-run undoes every layout and lists what it leaves
for layout in private diverted beside; do
    rc=0
    STUB_DIVERTED=$layout "$T/clone/scripts/install.sh" --dry-run --uninstall --only libxl > "$T/un-$layout.log" 2>&1 || rc=$?
    sed 's/^/# /' "$T/un-$layout.log"
    U=$T/un-$layout.log
    ok "$rc" "install.sh --uninstall --dry-run with the $layout layout's diversions succeeds (exit $rc)"
    files="/usr/lib/xen-4.17/bin/xl /usr/lib/xen-4.17/boot/hvmloader"
    [ $layout = private ] || files="$files /usr/lib/x86_64-linux-gnu/libxenlight.so.4.17.0 /usr/lib/x86_64-linux-gnu/libxlutil.so.4.17.0"
    for f in $files; do
        check "$layout layout: it removes ours and undoes the diversion of $f" eval "grep -q -- '^  rm -f $f\$' '$U' && grep -q -- '^  dpkg-divert --local --rename --divert [^ ]* --remove $f\$' '$U'"
    done
    if [ $layout = private ]; then
        check "$layout layout: it neither removes nor undiverts Debian's libraries" eval "! grep -q -- ' /usr/lib/x86_64-linux-gnu/' '$U'"
    fi
    check "$layout layout: it removes our private libraries and their soname links" \
        eval "grep -q -- '^  rm -f /usr/lib/xen-rdm/lib/libxenlight.so.4.17.0 /usr/lib/xen-rdm/lib/libxenlight.so.4.17\$' '$U' && grep -q -- '^  rm -f /usr/lib/xen-rdm/lib/libxlutil.so.4.17.0 /usr/lib/xen-rdm/lib/libxlutil.so.4.17\$' '$U'"
    check "$layout layout: it lists the apt source and packages the build added" eval "grep -q 'packages xen-build.sh needs, installed by it or before it: flex\$' '$U' && grep -q 'left in place' '$U'"
done


# ---- xen-build.sh refuses, before it installs or builds anything, a
# version whose source apt's Sources index lists but the archive does
# not serve (a mirror of debian-security without sources): stand-ins for
# apt-cache showsrc, apt-get source --print-uris / indextargets and curl
# (no network)
V=4.17.9+3-g0123456789-0+deb12u9 W=4.17.5+72-g01140da4e8-1
mkdir -p "$T/clone2" "$T/bin2"
cp -r "$REPO/scripts" "$T/clone2/"
cat > "$T/bin2/apt-cache" <<EOS
#!/bin/sh
case "\$*" in
"showsrc xen") printf 'Package: xen\nVersion: %s\nDirectory: pool/updates/main/x/xen\n\nPackage: xen\nVersion: %s\nDirectory: pool/main/x/xen\n\nPackage: xen\nVersion: 4.20.4+63-g7abfd2bce2-0+deb13u1\n' '$V' '$W' ;;
esac
exit 0
EOS
cat > "$T/bin2/apt-get" <<EOS
#!/bin/sh
echo "apt-get \$*" >> '$T/apt-get.calls'
case "\$*" in
*"source --print-uris"*"xen=$V")
    for f in xen_${V}.dsc xen_4.17.9+3-g0123456789.orig.tar.xz xen_${V}.debian.tar.xz; do
        echo "'http://archive.invalid/debian-security/pool/updates/main/x/xen/\$f' \$f 1 SHA256:00"; done ;;
*"source --print-uris"*"xen=$W")
    echo "'http://archive.invalid/debian/pool/main/x/xen/xen_$W.dsc' xen_$W.dsc 1 SHA256:00" ;;
*indextargets*Sources*)
    printf 'bookworm http://archive.invalid/debian/\nbookworm-security http://archive.invalid/debian-security/\n' ;;
*) exit 1 ;;
esac
EOS
cat > "$T/bin2/curl" <<'EOS'
#!/bin/sh
for a; do u=$a; done
case $u in */debian-security/*) printf 404 ;; *) printf 200 ;; esac
EOS
chmod +x "$T/bin2"/*
for how in --check --no-deps; do
    rc=0
    : > "$T/apt-get.calls"
    STUB_MISC=$V STUB_UTILS=$V PATH=$T/bin2:$PATH "$T/clone2/scripts/xen-build.sh" $how > "$T/unserved.log" 2>&1 || rc=$?
    sed 's/^/# /' "$T/unserved.log"
    check "xen-build.sh $how refuses the host's xen $V whose source the archive does not serve, naming the version, the deb-src entries it tried and what to do (exit $rc)" \
        eval "[ $rc != 0 ] && grep -qF 'error: the source of xen $V (the version this host runs) cannot be fetched' '$T/unserved.log' &&
              grep -qF 'answers 404' '$T/unserved.log' &&
              grep -qF 'bookworm http://archive.invalid/debian/; bookworm-security http://archive.invalid/debian-security/' '$T/unserved.log' &&
              grep -qF 'Add a deb-src line for an archive that serves xen $V' '$T/unserved.log' &&
              grep -qF 'scripts/install.sh --only qemu' '$T/unserved.log'"
    check "xen-build.sh $how stopped before it installed, downloaded or built anything (apt-get called only to list: $(cut -d' ' -f2 "$T/apt-get.calls" | sort -u | tr '\n' ' '))" \
        eval "! grep -q 'apt-get \(install\|source --download-only\|update\)' '$T/apt-get.calls' && [ ! -e '$T/clone2/build/xen/src' ] && [ -z \"\$(ls '$T/clone2/build/xen/dl' 2>/dev/null)\" ]"
done
rc=0
STUB_MISC=$V STUB_UTILS=$V PATH=$T/bin2:$PATH "$T/clone2/scripts/xen-build.sh" --list-versions > "$T/versions.log" 2>&1 || rc=$?
sed 's/^/# /' "$T/versions.log"
check "xen-build.sh --list-versions lists the Xen 4.17 versions apt's Sources index has, newest first, and which the archive serves" \
    eval "[ $rc = 0 ] && printf 'version %s unserved\nversion %s served\n' '$V' '$W' | cmp -s - '$T/versions.log'"

# ---- install.sh --status and the dpkg hook's checker (no root), on a
# manifest of the form install.sh writes and a scratch dpkg admin
# directory (status, diversions) and log, which the checker reads
D=$T/dpkg I=$T/inst
mkdir -p "$D" "$I"
status_file() { # XEN_UTILS_VERSION
    printf 'Package: qemu-system-xen\nStatus: install ok installed\nVersion: 1:7.2+dfsg-7+deb12u7\n\n'
    printf 'Package: xen-utils-4.17\nStatus: install ok installed\nVersion: %s\n\n' "$1"
    printf 'Package: libxenmisc4.17\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\n\n' "$PIN"
    printf 'Package: xen-hypervisor-4.17-amd64\nStatus: deinstall ok config-files\nVersion: 4.17.0\n'
}
status_file "$PIN" > "$D/status"
printf '/usr/lib/xen-4.17/bin/xl\n/usr/lib/xen-rdm/diverted/usr/lib/xen-4.17/bin/xl\n:\n' > "$D/diversions"
printf '2026-01-01 10:00:00 upgrade xen-utils-4.17:amd64 4.17.0 %s\n' "$PIN" > "$T/dpkg.log"
echo ours-qemu > "$I/qemu"; ln -s "$I/qemu" "$I/dm"; echo ours-xl > "$I/xl"
export DPKG_ADMINDIR=$D XEN_RDM_MANIFEST=$I/installed XEN_RDM_DPKG_LOG=$T/dpkg.log
CK=$T/clone/scripts/xen-rdm-check.sh
{
    echo "installed-at 2026-01-02 00:00:00"
    echo "clone /srv/xen-rdm"
    echo "xen-mm 4.17"
    echo "xen-source libxl $PIN"
    "$CK" --record qemu qemu-system-xen
    "$CK" --record libxl xen-utils-4.17 libxenmisc4.17 xen-hypervisor-4.17-amd64
    echo "file qemu $(sha256sum < "$I/qemu" | cut -d' ' -f1) $I/qemu"
    echo "symlink qemu $I/dm $I/qemu"
    echo "file libxl $(sha256sum < "$I/xl" | cut -d' ' -f1) $I/xl"
    echo "diversion libxl /usr/lib/xen-4.17/bin/xl /usr/lib/xen-rdm/diverted/usr/lib/xen-4.17/bin/xl"
} > "$I/installed"
sed 's/^/# manifest: /' "$I/installed"
check "the checker records the three packages with their versions from dpkg's status (and not one only in config-files state)" \
    eval "grep -qx 'package libxl libxenmisc4.17 $PIN' '$I/installed' && grep -qx 'package libxl xen-utils-4.17 $PIN' '$I/installed' &&
          grep -qx 'package qemu qemu-system-xen 1:7.2+dfsg-7+deb12u7' '$I/installed' && ! grep -q xen-hypervisor '$I/installed'"
# status CASE: install.sh --status and the hook, in $T/st-CASE.{out,rc,hook,hookout,hookrc}
status() {
    rc=0; "$T/clone/scripts/install.sh" --status > "$T/st-$1.out" 2>&1 || rc=$?; echo $rc > "$T/st-$1.rc"
    sed "s/^/# --status ($1, exit $rc): /" "$T/st-$1.out"
    rc=0; "$CK" --hook > "$T/st-$1.hookout" 2> "$T/st-$1.hook" || rc=$?; echo $rc > "$T/st-$1.hookrc"
    sed "s/^/# hook ($1, exit $rc): /" "$T/st-$1.hook"
}
status fresh
check "fresh install: --status says up to date with the versions, exit 0; the hook prints nothing and exits 0" \
    eval "[ \$(cat '$T/st-fresh.rc') = 0 ] && grep -q 'up to date' '$T/st-fresh.out' && grep -qF 'ok     xen-utils-4.17 $PIN' '$T/st-fresh.out' &&
          grep -qF 'built on Debian'\''s xen $PIN' '$T/st-fresh.out' && [ ! -s '$T/st-fresh.hook' ] && [ ! -s '$T/st-fresh.hookout' ] && [ \$(cat '$T/st-fresh.hookrc') = 0 ]"
printf '2026-01-03 09:00:00 upgrade xen-utils-4.17:amd64 %s %s\n2026-01-03 09:00:01 configure xen-utils-4.17:amd64 %s <none>\n' "$PIN" "$PIN" "$PIN" >> "$T/dpkg.log"
status reinstalled
check "after dpkg reinstalled xen-utils-4.17 (its log): --status names it stale and the one command, exit 1; the hook says the same on stderr only, exit 0" \
    eval "[ \$(cat '$T/st-reinstalled.rc') = 1 ] && grep -q 'STALE  xen-utils-4.17 .*reinstalled' '$T/st-reinstalled.out' &&
          grep -qF 'cd /srv/xen-rdm && scripts/install.sh' '$T/st-reinstalled.out' && ! grep -q 'STALE  \(libxenmisc\|qemu\)' '$T/st-reinstalled.out' &&
          grep -q 'xen-utils-4.17 .*reinstalled' '$T/st-reinstalled.hook' && grep -qF 'cd /srv/xen-rdm && scripts/install.sh' '$T/st-reinstalled.hook' &&
          [ ! -s '$T/st-reinstalled.hookout' ] && [ \$(cat '$T/st-reinstalled.hookrc') = 0 ]"
printf '2026-01-01 10:00:00 upgrade xen-utils-4.17:amd64 4.17.0 %s\n' "$PIN" > "$T/dpkg.log"
status_file 4.17.9+9-new > "$D/status"
status upgraded
check "after an upgrade of xen-utils-4.17: --status and the hook name both versions" \
    eval "[ \$(cat '$T/st-upgraded.rc') = 1 ] && grep -qF 'xen-utils-4.17: $PIN at the install, 4.17.9+9-new now' '$T/st-upgraded.out' &&
          grep -qF 'xen-utils-4.17: $PIN at the install, 4.17.9+9-new now' '$T/st-upgraded.hook'"
status_file "$PIN" > "$D/status"
echo changed > "$I/xl"; : > "$D/diversions"
status changed
check "an installed file changed and a diversion gone: --status names both; the hook (no sha256, to be fast) names the diversion" \
    eval "[ \$(cat '$T/st-changed.rc') = 1 ] && grep -qF 'STALE  $I/xl: changed since the install (sha256)' '$T/st-changed.out' &&
          grep -q 'STALE  /usr/lib/xen-4.17/bin/xl: its diversion .* is gone' '$T/st-changed.out' &&
          grep -q '/usr/lib/xen-4.17/bin/xl: its diversion .* is gone' '$T/st-changed.hook' && ! grep -q '$I/xl' '$T/st-changed.hook'"
grep -v '^package ' "$I/installed" > "$I/installed.old"; mv "$I/installed.old" "$I/installed"
status old
check "a manifest without versions (an older install.sh): --status cannot tell, exit 3; the hook prints nothing" \
    eval "[ \$(cat '$T/st-old.rc') = 3 ] && [ ! -s '$T/st-old.hook' ] && [ \$(cat '$T/st-old.hookrc') = 0 ]"
rm -f "$I/installed"; mkdir "$I/installed"
status garbage
check "the hook exits 0 and prints nothing whatever the manifest is (a directory here)" \
    eval "[ \$(cat '$T/st-garbage.hookrc') = 0 ] && [ ! -s '$T/st-garbage.hook' ]"
rmdir "$I/installed"
status none
check "nothing installed: --status says so, exit 2; the hook prints nothing" \
    eval "[ \$(cat '$T/st-none.rc') = 2 ] && grep -q 'nothing installed' '$T/st-none.out' && [ ! -s '$T/st-none.hook' ]"
unset DPKG_ADMINDIR XEN_RDM_MANIFEST XEN_RDM_DPKG_LOG

echo "1..$n"
[ "$failed" = 0 ]
