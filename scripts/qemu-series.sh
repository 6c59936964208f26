#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The QEMU patch series (patches/qemu/) from the repository's sources.
# Every patch carries the files it adds, taken from the repository (the
# one copy of each: hw/xen/, include/hw/xen/, qapi/, qtest/), and the
# changes to QEMU's own files, which are written in the patch itself.
# patches/qemu/files says which patch adds which file, and where it goes
# in QEMU's tree, or that a repository file is a fragment the patch
# appends to one of QEMU's files (kind "append": qapi/misc-target.json
# gets qapi/misc-target-xen-rdm.json); patches/qemu/cover-letter.txt is
# the cover letter's subject (first line) and text.  See docs/xen-sim.rst.
#
# usage: scripts/qemu-series.sh --update | --check | --build-each
#                                [--pristine DIR] [--jobs N]
#
#   --update    rewrite patches/qemu/*.patch and series from the sources
#               (git format-patch of the series committed on the pristine
#               tree: the same result for the same inputs)
#   --check     make the series in a temporary directory and fail, naming
#               each difference, when patches/qemu/ is not what the sources
#               give (run by scripts/run-qtests.sh)
#   --build-each  --check, then apply the series to the pristine tree
#               patch by patch in build/qemu/src-each and, after each,
#               build it (one build dir, build/qemu/obj-each, configured
#               as scripts/qemu-build.sh configures QEMU: ninja rebuilds
#               only what the patch changed; qemu-system-x86_64 and the
#               tests the patch touches) and run QEMU's checkpatch.pl on
#               the patch; stops at, and names, the first patch that
#               does not apply, build or pass checkpatch
#   --pristine  the unmodified QEMU tree (default: the one
#               scripts/qemu-build.sh unpacked, build/qemu/pristine-*)
#   --jobs N    parallel build jobs of --build-each (default 2)
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
SERIES_DIR=$REPO/patches/qemu
MANIFEST=$SERIES_DIR/files
COVER=$SERIES_DIR/cover-letter.txt
MODE=
PRISTINE=
JOBS=2

# say, die, compare_series, format_series
. "$REPO/scripts/lib-series.sh"

while [ $# -gt 0 ]; do
    case $1 in
    --update) MODE=update; shift ;;
    --check) MODE=check; shift ;;
    --build-each) MODE=build-each; shift ;;
    --jobs) [ $# -ge 2 ] || die "--jobs needs a number"; JOBS=$2; shift 2 ;;
    --pristine) [ $# -ge 2 ] || die "--pristine needs a directory"
                PRISTINE=$2; shift 2 ;;
    -h|--help) sed -n '3,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[ -n "$MODE" ] || die "give --update, --check or --build-each (see --help)"
if [ -z "$PRISTINE" ]; then
    PRISTINE=$(ls -d "$REPO"/build/qemu/pristine-* 2>/dev/null | head -1 || true)
    [ -n "$PRISTINE" ] || die "no pristine QEMU tree: run scripts/qemu-build.sh first, or give --pristine"
fi
[ -f "$PRISTINE/configure" ] && [ -d "$PRISTINE/hw/xen" ] ||
    die "$PRISTINE does not look like a QEMU source tree"
for f in "$MANIFEST" "$COVER" "$SERIES_DIR/series"; do
    [ -f "$f" ] || die "$f is missing"
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
TREE=$WORK/tree
OUT=$WORK/out

# Every QEMU path the manifest gives a repository file for:
# PATCH-NUMBER QEMU-PATH [REPOSITORY-PATH [append]]
manifest() { grep -v '^[[:space:]]*\(#\|$\)' "$MANIFEST"; }
manifest | while read -r n qpath rpath kind; do
    [ -n "$qpath" ] || die "patches/qemu/files: a line without a path"
    case $n in *[!0-9]*|'') die "patches/qemu/files: '$n' is not a patch number" ;; esac
    [ -f "$REPO/${rpath:-$qpath}" ] || die "patches/qemu/files: ${rpath:-$qpath} does not exist"
    case $kind in
    '') ;;
    append) [ -f "$PRISTINE/$qpath" ] ||
                die "patches/qemu/files: $qpath, which ${rpath} is appended to, is not in $PRISTINE" ;;
    *) die "patches/qemu/files: '$kind' is not a kind of line (only 'append')" ;;
    esac
done
# the files whose diffs come from the repository (the patches' own
# sections for them are left out), and of those the ones the repository
# has whole (not in the base)
manifest | awk '{ print $2 }' > "$WORK/ours"
manifest | awk '$4 != "append" { print $2 }' > "$WORK/ours-whole"

# The base: the QEMU files the patches change (all a patch needs to apply
# and format-patch to describe it), as the pristine tree has them
mkdir -p "$TREE"
while read -r p rest; do
    case $p in ''|'#'*) continue ;; esac
    [ -f "$SERIES_DIR/$p" ] || die "patches/qemu/series names $p, which does not exist"
    sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$SERIES_DIR/$p"
done < "$SERIES_DIR/series" | sort -u | grep -vxF -f "$WORK/ours-whole" | while read -r f; do
    if [ -f "$PRISTINE/$f" ]; then
        mkdir -p "$TREE/$(dirname "$f")"
        cp "$PRISTINE/$f" "$TREE/$f"
    fi
done
cd "$TREE"
export GIT_CEILING_DIRECTORIES=$WORK
git init -q
git config user.name "xen-rdm project"
git config user.email "xen-rdm@example.org"
git config core.autocrlf false
git add -A
GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
    git commit -q -m "pristine QEMU"
base=$(git rev-parse HEAD)

n=0
last_date=
while read -r p rest; do
    case $p in ''|'#'*) continue ;; esac
    n=$((n + 1))
    [ -f "$SERIES_DIR/$p" ] || die "patches/qemu/series names $p, which does not exist"
    # the patch without the files the repository has: those come from it
    python3 - "$SERIES_DIR/$p" "$WORK/ours" > "$WORK/p.patch" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
ours = set(open(sys.argv[2]).read().split())
parts = re.split(r'(?m)^(?=diff --git a/)', text)
out = [parts[0]]
for part in parts[1:]:
    path = re.match(r'diff --git a/\S+ b/(\S+)', part).group(1)
    if path not in ours:
        out.append(part)
sys.stdout.write(''.join(out))
EOF
    git mailinfo "$WORK/msg" "$WORK/diff" < "$WORK/p.patch" > "$WORK/info"
    author=$(sed -n 's/^Author: //p' "$WORK/info")
    email=$(sed -n 's/^Email: //p' "$WORK/info")
    subject=$(sed -n 's/^Subject: //p' "$WORK/info")
    date=$(sed -n 's/^Date: //p' "$WORK/info")
    [ -n "$subject" ] && [ -n "$author" ] && [ -n "$date" ] ||
        die "$p has no From:, Date: or Subject:"
    if [ -s "$WORK/diff" ]; then
        git apply --index "$WORK/diff" 2>"$WORK/apply.log" || {
            cat "$WORK/apply.log" >&2
            die "$p does not apply to $PRISTINE"
        }
    fi
    manifest | while read -r m qpath rpath kind; do
        [ "$m" = "$n" ] || continue
        mkdir -p "$(dirname "$qpath")"
        if [ "$kind" = append ]; then
            # after a blank line, at the end of QEMU's file
            { echo; cat "$REPO/$rpath"; } >> "$qpath"
        else
            cp "$REPO/${rpath:-$qpath}" "$qpath"
        fi
        git add "$qpath"
    done
    { echo "$subject"; echo; cat "$WORK/msg"; } > "$WORK/commit-msg"
    GIT_AUTHOR_NAME=$author GIT_AUTHOR_EMAIL=$email GIT_AUTHOR_DATE=$date \
        GIT_COMMITTER_DATE=$date git commit -q --allow-empty -F "$WORK/commit-msg"
    last_date=$date
done < "$SERIES_DIR/series"
[ "$n" -gt 0 ] || die "patches/qemu/series lists no patch"
if manifest | awk -v n="$n" '$1 < 1 || $1 > n { exit 1 }'; then :; else
    die "patches/qemu/files names a patch number the series does not have (1..$n)"
fi

format_series "$base" "$OUT" "$COVER" "$last_date" \
    "QEMU series, applied in order by scripts/qemu-build.sh; made by" \
    "scripts/qemu-series.sh --update from patches/qemu/files and the sources"

# Apply the series patch by patch to a copy of the pristine tree, build
# and checkpatch after each (--build-each)
build_each() {
    local src=$REPO/build/qemu/src-each obj=$REPO/build/qemu/obj-each
    local k=0 p targets f t0 all0
    all0=$(date +%s)
    # FIRMWARE_PATH, CONFIGURE_ARGS, qemu_configure
    . "$REPO/scripts/lib-qemu-configure.sh"
    mkdir -p "$src"
    # by content: files no patch changes keep their mtimes (incremental)
    rsync -rlpc --delete --exclude=/.git --exclude=/build "$PRISTINE/" "$src/"
    qemu_configure "$src" "$obj" || die "configuring the pristine tree failed"
    while read -r p rest; do
        case $p in ''|'#'*) continue ;; esac
        k=$((k + 1))
        t0=$(date +%s)
        (cd "$src" && GIT_CEILING_DIRECTORIES=$(dirname "$src") git apply -p1 "$SERIES_DIR/$p") ||
            die "patch $k ($p) does not apply on the patches before it"
        # the tests the patch adds or changes, with the machine
        targets=qemu-system-x86_64
        for f in $(sed -n 's|^diff --git a/[^ ]* b/\(tests/[^ ]*\.c\)$|\1|p' "$SERIES_DIR/$p"); do
            case $f in
            tests/unit/test-*.c|tests/qtest/*-test.c) targets="$targets ${f%.c}" ;;
            esac
        done
        # shellcheck disable=SC2086
        ninja -C "$obj" -j "$JOBS" $targets > "$obj/build-$k.log" 2>&1 || {
            grep -E 'error|Error' "$obj/build-$k.log" | head -20 >&2
            die "patch $k ($p) does not build on the patches before it (log: $obj/build-$k.log)"
        }
        (cd "$src" && perl scripts/checkpatch.pl -q "$SERIES_DIR/$p") >&2 ||
            die "patch $k ($p) does not pass scripts/checkpatch.pl"
        say "patch $k ($p): applies, builds ($targets), checkpatch clean, $(( $(date +%s) - t0 ))s"
    done < "$SERIES_DIR/series"
    say "every patch builds on the ones before it and passes checkpatch ($k patches, $(( $(date +%s) - all0 ))s)"
}

case $MODE in
check|build-each)
    rc=0
    compare_series "$OUT" "$SERIES_DIR" patches/qemu "the sources give" || rc=1
    if [ "$rc" = 0 ]; then
        say "patches/qemu/ is what the sources give ($n patches and the cover letter)"
    else
        say "run scripts/qemu-series.sh --update"
    fi
    [ "$rc" = 0 ] && [ "$MODE" = build-each ] && build_each
    exit $rc
    ;;
update)
    rm -f "$SERIES_DIR"/*.patch
    cp "$OUT"/*.patch "$OUT/series" "$SERIES_DIR/"
    say "wrote $n patches, the cover letter and series to patches/qemu/"
    ;;
esac
