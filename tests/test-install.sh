#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# scripts/install.sh on a fresh clone, without root and changing nothing
# on this machine: a copy of scripts/ with no build/, run with stand-ins
# for dpkg-query, dpkg-divert, dpkg, apt-cache and dpkg-architecture that
# describe a Debian 12 dom0 of the version the series is built on, with
# none of the build's packages but flex (one of the Xen build's).  Checks
# that --dry-run lists what it would build, the apt sources and packages
# the builds add, and every file and diversion; that each library it
# diverts goes where ldconfig does not look (a toy library of the same
# name and soname: ldconfig -n keeps the soname's link on ours, where a
# renamed copy beside it takes it); and that --uninstall undoes both
# diversion layouts and lists what it leaves.  Prints TAP.
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
# (none: nothing diverted; new: to /usr/lib/xen-rdm/diverted/PATH; old:
# to PATH.debian-xen-rdm)
cat > "$T/bin/dpkg-query" <<EOS
#!/bin/sh
case "\$*" in
*Version*libxenmisc4.17|*Version*xen-utils-4.17) printf '%s' '$PIN' ;;
"-L xen-utils-4.17") echo /usr/lib/xen-4.17/bin/xl ;;
*Status*" flex") echo "install ok installed" ;;
*) exit 1 ;;
esac
EOS
cat > "$T/bin/dpkg-divert" <<'EOS'
#!/bin/sh
[ "$1" = --truename ] || exit 0
case ${STUB_DIVERTED:-none} in
new) echo "/usr/lib/xen-rdm/diverted$2" ;;
old) echo "$2.debian-xen-rdm" ;;
*) echo "$2" ;;
esac
EOS
printf '#!/bin/sh\nexit 1\n' > "$T/bin/dpkg"
printf '#!/bin/sh\nexit 0\n' > "$T/bin/apt-cache"
printf '#!/bin/sh\necho x86_64-linux-gnu\n' > "$T/bin/dpkg-architecture"
chmod +x "$T/bin"/*
PATH=$T/bin:$PATH
export PATH

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
for f in /usr/lib/x86_64-linux-gnu/libxenlight.so.4.17.0 /usr/lib/x86_64-linux-gnu/libxlutil.so.4.17.0 /usr/lib/xen-4.17/bin/xl /usr/lib/xen-4.17/boot/hvmloader; do
    check "it lists the diversion and the install of $f" eval "grep -q -- '^  dpkg-divert --local --rename --divert [^ ]* --add $f\$' '$L' && grep -q -- '^  install -m 07*[0-9]* $T/clone/build/xen/out/[^ ]* $f\$' '$L'"
done
check "it lists the device model's path" grep -q "^  ln -sfn /usr/local/lib/xen-rdm/qemu-system-x86_64 /usr/libexec/xen-qemu-system-i386\$" "$L"

# ---- ldconfig with the diversions --dry-run lists: a toy library of
# each diverted library's name and soname, Debian's where install.sh
# diverts it and ours at its path
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
# the directories the dynamic linker searches here, and the default ones
search=$("$LDCONFIG" -v -N -X 2>/dev/null | sed -n 's|^\(/[^:]*\):.*|\1|p')
search="$search /lib /usr/lib /lib64 /usr/lib64 /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu"
toy() { # FILE SONAME SYMBOL
    mkdir -p "$(dirname "$1")"
    echo "int $3(void) { return 0; }" > "$T/toy.c"
    cc -shared -fPIC -Wl,-soname,"$2" -o "$1" "$T/toy.c"
}
libs=$(sed -n 's|^  dpkg-divert --local --rename --divert \([^ ]*\) --add \(.*\.so\.[0-9.]*\)$|\1 \2|p' "$L")
[ -n "$libs" ] || ok 1 "--dry-run diverts libraries"
echo "$libs" | while read -r to from; do
    [ -n "$to" ] || continue
    soname=$(basename "$from" | sed 's/\(\.so\.[0-9]*\.[0-9]*\).*/\1/')
    todir=$(dirname "$to")
    outside=0
    for d in $search; do [ "$d" = "$todir" ] && outside=1; done
    ok "$outside" "$from is diverted to $to, outside the directories the dynamic linker searches"
    R=$T/root-$soname
    toy "$R$to" "$soname" debian
    toy "$R$from" "$soname" ours
    "$LDCONFIG" -n "$R$(dirname "$from")"
    [ "$outside" = 0 ] && "$LDCONFIG" -n "$R$todir"
    link=$(readlink "$R$(dirname "$from")/$soname" || echo none)
    [ "$link" = "$(basename "$from")" ] && r=0 || r=1
    ok "$r" "after ldconfig, $soname links to ours, $(basename "$from") (it links to $link)"
    # what the layout avoids: Debian's renamed beside ours takes the link
    R=$T/beside-$soname
    toy "$R$from.debian-xen-rdm" "$soname" debian
    toy "$R$from" "$soname" ours
    "$LDCONFIG" -n "$R$(dirname "$from")"
    link=$(readlink "$R$(dirname "$from")/$soname" || echo none)
    [ "$link" = "$(basename "$from").debian-xen-rdm" ] && r=0 || r=1
    ok "$r" "the flip avoided: renamed beside it, $soname links to $link"
done > "$T/ldconfig.tap"
cat "$T/ldconfig.tap"
n=$((n + $(grep -c '^\(not \)\{0,1\}ok' "$T/ldconfig.tap")))
failed=$((failed + $(grep -c '^not ok' "$T/ldconfig.tap" || true)))
[ "$(grep -c '^\(not \)\{0,1\}ok' "$T/ldconfig.tap")" -ge 6 ] ||
    { n=$((n + 1)); echo "not ok $n - both libraries checked"; failed=$((failed + 1)); }

# ---- --uninstall --dry-run undoes either layout and lists what it leaves
for layout in new old; do
    rc=0
    STUB_DIVERTED=$layout "$T/clone/scripts/install.sh" --dry-run --uninstall --only libxl > "$T/un-$layout.log" 2>&1 || rc=$?
    sed 's/^/# /' "$T/un-$layout.log"
    ok "$rc" "install.sh --uninstall --dry-run with the $layout layout's diversions succeeds (exit $rc)"
    for f in /usr/lib/x86_64-linux-gnu/libxenlight.so.4.17.0 /usr/lib/x86_64-linux-gnu/libxlutil.so.4.17.0 /usr/lib/xen-4.17/bin/xl /usr/lib/xen-4.17/boot/hvmloader; do
        check "$layout layout: it removes ours and undoes the diversion of $f" eval "grep -q -- '^  rm -f $f\$' '$T/un-$layout.log' && grep -q -- '^  dpkg-divert --local --rename --divert [^ ]* --remove $f\$' '$T/un-$layout.log'"
    done
    check "$layout layout: it lists the apt source and packages the build added" eval "grep -q 'packages xen-build.sh needs, installed by it or before it: flex\$' '$T/un-$layout.log' && grep -q 'left in place' '$T/un-$layout.log'"
done

echo "1..$n"
[ "$failed" = 0 ]
