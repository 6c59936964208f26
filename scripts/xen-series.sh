#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The Xen 4.20 toolstack series (patches/xen-4.20/) from the Xen 4.17 one
# (patches/xen/), its one source: patches/xen-4.20/from-4.17 says, in
# order, which 4.17 patch the 4.20 series takes ("take": merged onto
# 4.20's files), which it takes ported by hand ("port": a patch whose
# merge conflicts; the 4.20 series' patch of its subject is the port,
# kept by --update and checked against the 4.17 patch like the others),
# which it drops because Xen 4.20 has it ("drop", with the upstream
# commit), and which patch of its own it adds ("own", a file in
# patches/xen-4.20/own/, for what only 4.20 needs).  Every 4.17 patch of
# patches/xen/series is named there once, in the series' order.  patches/xen-4.20/cover-letter.txt is
# the cover letter's subject (first line) and text.  See
# docs/xen-libxl.rst, "The Xen 4.20 series".
#
# usage: scripts/xen-series.sh --update | --check [--pristine-4.17 DIR]
#                              [--pristine-4.20 DIR]
#
#   --update    port the series: commit the 4.17 series (git am) on the
#               4.17 tree's files, then put each patch the 4.20 series
#               takes on the 4.20 tree's files with git cherry-pick (a
#               three-way merge: only context and offsets may differ),
#               each it ports or owns with git am -3, and
#               write the result (git format-patch) and its series to
#               patches/xen-4.20/; fails naming the patch that does not
#               apply
#   --check     needs no Xen source: fail, naming each difference, when
#               patches/xen-4.20/ no longer corresponds to patches/xen/
#               and from-4.17: the same patches in the same order, each
#               with the same author, subject and message, and the same
#               changes (the removed and added lines of each file, in
#               order: context and line numbers may differ), an own patch
#               the same changes as its file in own/.  With both source
#               trees there (the options, or scripts/xen-build.sh's
#               build/xen/pristine-* and build/xen-4.20/pristine-*) it
#               also ports the series again and fails when the result is
#               not byte for byte patches/xen-4.20/ (run by meson test
#               xen-series)
#   --pristine-4.17 DIR, --pristine-4.20 DIR
#               the unmodified source trees (default: the ones
#               scripts/xen-build.sh unpacked)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OLD=$REPO/patches/xen
NEW=$REPO/patches/xen-4.20
MAP=$NEW/from-4.17
COVER=$NEW/cover-letter.txt
MODE=
P17=
P20=

# say, die, compare_series, format_series
. "$REPO/scripts/lib-series.sh"

while [ $# -gt 0 ]; do
    case $1 in
    --update) MODE=update; shift ;;
    --check) MODE=check; shift ;;
    --pristine-4.17) [ $# -ge 2 ] || die "--pristine-4.17 needs a directory"; P17=$2; shift 2 ;;
    --pristine-4.20) [ $# -ge 2 ] || die "--pristine-4.20 needs a directory"; P20=$2; shift 2 ;;
    -h|--help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[ -n "$MODE" ] || die "give --update or --check (see --help)"
for f in "$OLD/series" "$MAP" "$COVER"; do
    [ -f "$f" ] || die "$f is missing"
done

# pristine_default DIR: the one tree scripts/xen-build.sh unpacked in DIR
pristine_default() {
    ls -d "$1"/pristine-* 2>/dev/null | head -1 || true
}
[ -n "$P17" ] || P17=$(pristine_default "$REPO/build/xen")
[ -n "$P20" ] || P20=$(pristine_default "$REPO/build/xen-4.20")
# absolute: port() works in a scratch directory
for v in P17 P20; do
    if [ -n "${!v}" ] && [ -d "${!v}" ]; then
        printf -v "$v" '%s' "$(cd "${!v}" && pwd)"
    fi
done
have_trees=1
for t in "$P17" "$P20"; do
    [ -n "$t" ] && [ -f "$t/tools/libs/light/libxl_dm.c" ] || have_trees=0
done
if [ "$MODE" = update ] && [ "$have_trees" = 0 ]; then
    die "--update needs both unmodified Xen trees (4.17: '${P17:-none}', 4.20: '${P20:-none}'): run scripts/xen-build.sh and scripts/xen-build.sh --version 4.20.x --check first, or give --pristine-4.17 and --pristine-4.20"
fi

# the 4.17 series' patches, in order
old_series() { grep -v '^[[:space:]]*\(#\|$\)' "$OLD/series" | awk '{ print $1 }'; }
# from-4.17 without comments: KIND NAME [REST]
map_lines() { grep -v '^[[:space:]]*\(#\|$\)' "$MAP"; }

# from-4.17 names every 4.17 patch once, in the series' order, and only
# files that exist
map_lines | while read -r kind name rest; do
    case $kind in
    take|drop|port) [ -f "$OLD/$name" ] || die "patches/xen-4.20/from-4.17: $name is not in patches/xen/" ;;
    own) [ -f "$NEW/own/$name" ] || die "patches/xen-4.20/from-4.17: own/$name does not exist" ;;
    *) die "patches/xen-4.20/from-4.17: '$kind' is not a kind of line (take, port, drop, own)" ;;
    esac
    if [ "$kind" = drop ] && [ -z "$rest" ]; then
        die "patches/xen-4.20/from-4.17: drop $name names no upstream commit that has it in 4.20"
    fi
done
if ! diff <(old_series) <(map_lines | awk '$1 != "own" { print $2 }') > /dev/null; then
    diff -u <(old_series) <(map_lines | awk '$1 != "own" { print $2 }') |
        sed 's/^/xen-series.sh:   /' >&2 || true
    die "patches/xen-4.20/from-4.17 does not name each patch of patches/xen/series once, in its order (above: - in the series only, + in from-4.17 only): take or drop each"
fi
# the 4.20 series' sources in order: the 4.17 patch or own/ file of each
new_sources() {
    map_lines | while read -r kind name rest; do
        case $kind in
        take|port) echo "$OLD/$name" ;;
        own) echo "$NEW/own/$name" ;;
        esac
    done
}

# is_port PATCH: from-4.17 says the 4.17 patch PATCH is ported by hand
is_port() {
    map_lines | awk -v n="$(basename "$1")" '$1 == "port" && $2 == n { f = 1 } END { exit !f }'
}
# ported_patch PATCH: the patch of patches/xen-4.20/ with PATCH's subject
ported_patch() {
    local want f
    want=$(patch_subject "$1")
    for f in "$NEW"/[0-9]*.patch; do
        [ -f "$f" ] && [ "$(patch_subject "$f")" = "$want" ] && { echo "$f"; return 0; }
    done
    return 1
}
patch_subject() {
    git mailinfo /dev/null /dev/null < "$1" | sed -n 's/^Subject: //p'
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# port OUT: the 4.20 series made from the sources, in OUT
port() {
    local out=$1 tree=$WORK/tree f p n last_date
    mkdir -p "$tree"
    # the files any patch touches, of both releases: all git am needs
    for p in $(old_series | sed "s|^|$OLD/|") $(new_sources); do
        sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$p"
    done | sort -u > "$WORK/files"
    cd "$tree"
    export GIT_CEILING_DIRECTORIES=$WORK
    git init -q
    git config user.name "xen-rdm project"
    git config user.email "xen-rdm@localhost"
    git config core.autocrlf false
    # base_commit TREE MESSAGE: the index holds TREE's copy of each file
    base_commit() {
        git rm -q -r --cached --ignore-unmatch . > /dev/null
        find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
        while read -r f; do
            [ -f "$1/$f" ] || continue
            mkdir -p "$(dirname "$f")"
            cp "$1/$f" "$f"
            git add "$f"
        done < "$WORK/files"
        GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
            git commit -q --allow-empty -m "$2"
    }
    base_commit "$P17" "Xen 4.17 ($(basename "$P17"))"
    # the 4.17 series as commits, each the three-way merge that ports it
    # (git cherry-pick: its parent is the base, 4.20 the other side)
    for p in $(old_series); do
        git am -q --committer-date-is-author-date "$OLD/$p" > "$WORK/am.log" 2>&1 || {
            cat "$WORK/am.log" >&2
            die "the 4.17 patch $p does not apply to $P17"
        }
        echo "$OLD/$p $(git rev-parse HEAD)" >> "$WORK/commits"
    done
    git checkout -q --detach HEAD
    git checkout -q -b xen-4.20 "$(git rev-list --max-parents=0 HEAD)"
    base_commit "$P20" "Xen 4.20 ($(basename "$P20"))"
    base=$(git rev-parse HEAD)
    n=0
    for p in $(new_sources); do
        n=$((n + 1))
        c=$(awk -v p="$p" '$1 == p { print $2 }' "$WORK/commits")
        # the hand port: the 4.20 series' patch of the same subject, while
        # it corresponds to the 4.17 patch; else the merge again (which,
        # when it conflicts, stops for the port to be made again)
        q=
        if [ -n "$c" ] && is_port "$p"; then
            q=$(ported_patch "$p") &&
                python3 "$REPO/scripts/patch-correspond.py" --pair "$q" "$p" 2> /dev/null || {
                say "patches/xen-4.20/ has no port of $(basename "$p") that corresponds to it: merging it again"
                q=
            }
        fi
        if [ -n "$q" ]; then
            git am -q -3 --committer-date-is-author-date "$q" > "$WORK/am.log" 2>&1
        elif [ -n "$c" ]; then
            GIT_COMMITTER_DATE=$(git log -1 --format=%aD "$c") \
                git cherry-pick "$c" > "$WORK/am.log" 2>&1
        else
            git am -q -3 --committer-date-is-author-date "$p" > "$WORK/am.log" 2>&1
        fi || {
            cat "$WORK/am.log" >&2
            git diff | head -200 >&2
            if [ -n "${XEN_SERIES_KEEP:-}" ]; then
                trap - EXIT
                say "the scratch tree is kept in $tree (XEN_SERIES_KEEP)"
            fi
            die "patch $n of the 4.20 series ($p) does not apply to $P20 with a three-way merge: port it by hand (XEN_SERIES_KEEP=1 keeps the merge's tree; the port's patch goes to patches/xen-4.20/ and from-4.17 says \"port\" for it), see docs/xen-libxl.rst"
        }
    done
    last_date=$(git log -1 --format=%aD)
    format_series "$base" "$out" "$COVER" "$last_date" \
        "Xen 4.20 toolstack series, applied in order by scripts/xen-build.sh;" \
        "made by scripts/xen-series.sh --update from patches/xen/ and from-4.17"
    cd "$REPO"
}

# correspond: patches/xen-4.20/series against its sources, by author,
# subject, message and changes (context and line numbers left out)
correspond() {
    # shellcheck disable=SC2046
    python3 "$REPO/scripts/patch-correspond.py" "$NEW" $(new_sources)
}

case $MODE in
update)
    port "$WORK/out"
    rm -f "$NEW"/[0-9]*.patch
    cp "$WORK/out"/*.patch "$WORK/out/series" "$NEW/"
    correspond || die "the series just written does not correspond to its sources (above)"
    say "wrote $(grep -vc '^#' "$NEW/series") patches, the cover letter and series to patches/xen-4.20/"
    ;;
check)
    rc=0
    correspond || rc=1
    if [ "$have_trees" = 1 ]; then
        port "$WORK/out"
        compare_series "$WORK/out" "$NEW" patches/xen-4.20 "porting the 4.17 series gives" || rc=1
        how="and is what porting it to $(basename "$P20") gives"
    else
        how="(no Xen trees here to port it again: changes compared, not bytes)"
    fi
    if [ "$rc" = 0 ]; then
        say "patches/xen-4.20/ corresponds to patches/xen/ and from-4.17 $how"
    else
        say "run scripts/xen-series.sh --update (docs/xen-libxl.rst, \"The Xen 4.20 series\")"
    fi
    exit $rc
    ;;
esac
