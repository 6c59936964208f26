#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# scripts/install.sh on a fresh clone, without root and changing nothing
# on this machine: a copy of scripts/ with no build/, run with stand-ins
# for dpkg-query, dpkg-divert, dpkg, apt-cache and dpkg-architecture that
# describe a Debian 12 dom0 of the version the series is built on, with
# none of the build's packages but flex (one of the Xen build's).  Checks
# that --dry-run lists what it would build, the apt sources and packages
# the builds add, and every file and diversion, and that --uninstall lists
# what it leaves.  Prints TAP.
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

# the host's stand-ins (nothing diverted)
cat > "$T/bin/dpkg-query" <<EOS
#!/bin/sh
case "\$*" in
*Version*libxenmisc4.17|*Version*xen-utils-4.17) printf '%s' '$PIN' ;;
"-L xen-utils-4.17") echo /usr/lib/xen-4.17/bin/xl ;;
*Status*" flex") echo "install ok installed" ;;
*) exit 1 ;;
esac
EOS
printf '#!/bin/sh\nexit 0\n' > "$T/bin/dpkg-divert"
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

# ---- --uninstall --dry-run lists what it leaves
rc=0
"$T/clone/scripts/install.sh" --dry-run --uninstall > "$T/uninstall.log" 2>&1 || rc=$?
sed 's/^/# /' "$T/uninstall.log"
ok "$rc" "install.sh --uninstall --dry-run succeeds (exit $rc)"
check "it lists what the builds added and it leaves" eval "grep -q 'left in place' '$T/uninstall.log' && grep -q '$T/clone/build (the builds)' '$T/uninstall.log' && grep -q 'packages xen-build.sh needs, installed by it or before it: flex\$' '$T/uninstall.log'"

echo "1..$n"
[ "$failed" = 0 ]
