# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# What scripts/qemu-series.sh and scripts/xen-series.sh share (bash;
# source it).

# say and die name the script that sourced this file
say() { echo "${0##*/}: $*" >&2; }
die() { say "error: $*"; exit 1; }

# compare_series OUT DIR NAME GIVES: whether DIR (NAME, as the messages
# call it: patches/qemu) holds the files of OUT, the series GIVES names
# ("the sources give"), byte for byte and no other patch; says each
# difference
compare_series() {
    local out=$1 dir=$2 name=$3 gives=$4 rc=0 f b
    for f in "$out"/*; do
        b=$(basename "$f")
        if [ ! -f "$dir/$b" ]; then
            say "$name/$b is missing"; rc=1
        elif ! cmp -s "$f" "$dir/$b"; then
            say "$name/$b is not what $gives:"
            diff -u "$dir/$b" "$f" | head -40 >&2 || true
            rc=1
        fi
    done
    for f in "$dir"/*.patch; do
        [ -f "$out/$(basename "$f")" ] ||
            { say "$name/$(basename "$f") is not in the series $gives"; rc=1; }
    done
    return $rc
}

# format_series BASE OUT COVER DATE HEADER...: the commits BASE..HEAD of
# the repository in the current directory as a series in OUT: git
# format-patch's patches (no commit ids, no signature, no threading
# headers, whose Message-Id is time-based), the cover letter with the
# subject and text of COVER and DATE (the last patch's), and "series",
# HEADER's lines as comments, then the patches in order
format_series() {
    local base=$1 out=$2 cover_txt=$3 date=$4 cover
    shift 4
    git format-patch -q --zero-commit --no-signature --cover-letter -o "$out" "$base..HEAD"
    cover=$(ls "$out"/0000-*.patch)
    [ -n "$cover" ] || die "git format-patch wrote no cover letter"
    python3 "$REPO/scripts/fill-cover-letter.py" "$cover" "$cover_txt" "$date"
    [ "$cover" = "$out/0000-cover-letter.patch" ] || mv "$cover" "$out/0000-cover-letter.patch"
    sed -i '/^Message-Id: /d; /^In-Reply-To: /d; /^References: /d' "$out"/*.patch
    {
        printf '# %s\n' "$@"
        (cd "$out" && ls [0-9]*.patch | grep -v '^0000-')
    } > "$out/series"
}
