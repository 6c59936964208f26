#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# End-to-end tests on a real Xen 4.17 hypervisor running under QEMU/TCG:
# for each scenario (e2e/scenarios/*.sh), boot Xen + dom0 in an outer
# qemu-system-x86_64 (q35, emulated VT-d, RMRRs from Xen's rmrr= option),
# let dom0 run `xl create` of the scenario's HVM guest (device model: our
# QEMU when built, else Debian's qemu-system-xen), collect the logs and
# QMP answers, and check them.  Prints TAP; exits non-zero if any check
# fails or any run hangs.  Needs scripts/e2e-prepare.sh first (run it with
# --prepare).  See docs/e2e.rst.
#
# usage: scripts/run-e2e.sh [--prepare] [--dm auto|ours|plain|debian]
#                           [--libxl auto|patched|debian] [--recheck]
#                           [--ci] [SCENARIO...]
#        scripts/run-e2e.sh [--prepare] [--recheck] --matrix
#
#   SCENARIO   a name (e2e/scenarios/NAME.sh) or a path; default: the
#              scenarios e2e/matrix lists with this pair of device model
#              and libxl
#   --ci       default scenarios: only those e2e/matrix marks for CI
#              with this pair (tests/meson.build runs each pair so)
#   --matrix   the full matrix: every scenario with every pair e2e/matrix
#              lists, pair by pair, as one TAP stream
#   --prepare  run scripts/e2e-prepare.sh first
#   --dm       device model: ours (build/qemu/obj/qemu-system-x86_64),
#              plain (the same QEMU unmodified, the baseline:
#              build/qemu/obj-plain, scripts/qemu-build.sh --plain),
#              debian (dom0's /usr/libexec/xen-qemu-system-i386, qemu-system-xen),
#              auto (ours when built; default)
#   --libxl    dom0's libxenlight, libxlutil and xl: patched (our Xen series,
#              build/xen/out, scripts/xen-build.sh), debian (dom0's own,
#              Debian's 4.17 packages), auto (patched with --dm ours when
#              built, else debian; default)
#   --recheck  boot nothing: run the checks again on the last run's results
#
# Environment: E2E_TIMEOUT (seconds for one scenario's outer machine,
# default: the scenario's TIMEOUT or 900), E2E_SMP (outer vCPUs, default
# 2), E2E_DOM0_UP (seconds for dom0's tools to come up before the outer
# boot counts as stalled and is retried once, default 300).
#
# Each run leaves build/e2e/runs/<scenario>/: serial.log (Xen + dom0
# console), results/ (what dom0 collected: xl-create.log, xl-dmesg.txt,
# var-log-xen/, qmp-*.json, guest-serial.log, ...), summary.txt.
set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
E2E=$REPO/build/e2e
DM=auto
LIBXL=auto
PREPARE=0
RECHECK=0
CI=0
MATRIX=0
SCEN=()
while [ $# -gt 0 ]; do
    case $1 in
    --prepare) PREPARE=1; shift ;;
    --dm) DM=$2; shift 2 ;;
    --dm=*) DM=${1#*=}; shift ;;
    --recheck) RECHECK=1; shift ;;
    --ci) CI=1; shift ;;
    --matrix) MATRIX=1; shift ;;
    --libxl) LIBXL=$2; shift 2 ;;
    --libxl=*) LIBXL=${1#*=}; shift ;;
    -h|--help) sed -n '3,40p' "$0"; exit 0 ;;
    -*) echo "run-e2e.sh: unknown option $1" >&2; exit 2 ;;
    *) SCEN+=("$1"); shift ;;
    esac
done

# ------------------------------------------------------------ the matrix
MATRIX_FILE=$REPO/e2e/matrix
# matrix_lines: "SCENARIO PAIR..." of e2e/matrix, checked: every scenario
# has exactly one line, every line names a scenario, every pair is DM:LIBXL
matrix_lines() {
    local f name pair bad=0
    sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$MATRIX_FILE" > "$E2E/.matrix" ||
        { echo "Bail out! $MATRIX_FILE cannot be read"; return 1; }
    while read -r name rest; do
        [ -f "$REPO/e2e/scenarios/$name.sh" ] ||
            { echo "Bail out! e2e/matrix: no scenario e2e/scenarios/$name.sh"; bad=1; }
        for pair in $rest; do
            case ${pair%\*} in
            ours:patched|ours:debian|plain:patched|plain:debian|debian:patched|debian:debian) ;;
            *) echo "Bail out! e2e/matrix: $name: '$pair' is not DM:LIBXL"; bad=1 ;;
            esac
        done
    done < "$E2E/.matrix"
    for f in "$REPO"/e2e/scenarios/*.sh; do
        name=$(basename "$f" .sh)
        [ "$(awk -v n="$name" '$1 == n' "$E2E/.matrix" | wc -l)" = 1 ] ||
            { echo "Bail out! e2e/matrix: scenario $name needs exactly one line"; bad=1; }
    done
    [ "$bad" = 0 ] && cat "$E2E/.matrix"
}
# matrix_scenarios DM LIBXL CI: the scenarios listed with DM:LIBXL (CI=1:
# only those marked for CI)
matrix_scenarios() {
    awk -v p="$1:$2" -v ci="$3" '{
        for (i = 2; i <= NF; i++)
            if ($i == p "*" || (ci == 0 && $i == p)) print $1
    }'
}

mkdir -p "$E2E"
if [ "$MATRIX" = 1 ]; then
    [ ${#SCEN[@]} = 0 ] && [ "$CI" = 0 ] ||
        { echo "run-e2e.sh: --matrix takes no scenario and no --ci" >&2; exit 2; }
    lines=$(matrix_lines) || { echo "$lines"; exit 1; }
    [ "$PREPARE" = 1 ] && { "$REPO/scripts/e2e-prepare.sh" || { echo "Bail out! e2e-prepare.sh failed"; exit 1; }; }
    T0=$(date +%s)
    pairs=$(echo "$lines" | awk '{ for (i = 2; i <= NF; i++) { p = $i; sub(/\*$/, "", p); if (!(p in seen)) { seen[p] = 1; print p } } }')
    rc=0
    n=0
    for pair in $pairs; do
        echo "# matrix: --dm ${pair%:*} --libxl ${pair#*:}: $(echo "$lines" | matrix_scenarios "${pair%:*}" "${pair#*:}" 0 | tr '\n' ' ')"
        # one TAP stream: the pairs' test lines numbered on, their plans dropped
        set -o pipefail
        "$0" $([ "$RECHECK" = 1 ] && echo --recheck) --dm "${pair%:*}" --libxl "${pair#*:}" |
            { m=$n; while IFS= read -r line; do
                  case $line in
                  "ok "*|"not ok "*)
                      m=$((m + 1))
                      echo "$line" | sed -E "s/^(ok|not ok) [0-9]+/\1 $m/" ;;
                  1..*) ;;
                  *) echo "$line" ;;
                  esac
              done; echo "$m" > "$E2E/.matrix-count"; } || rc=1
        set +o pipefail
        n=$(cat "$E2E/.matrix-count")
    done
    echo "1..$n"
    echo "# e2e matrix: $n checks over $(echo $pairs | wc -w) pairs, $(( $(date +%s) - T0 )) s$([ $rc = 0 ] || echo ', some failed')"
    exit $rc
fi

if [ "$PREPARE" = 1 ]; then
    "$REPO/scripts/e2e-prepare.sh" || { echo "Bail out! e2e-prepare.sh failed"; exit 1; }
fi
for f in xen/xen.elf kernel/vmlinuz dom0-initrd.img guest-initrd.img; do
    [ -f "$E2E/$f" ] || { echo "Bail out! $E2E/$f missing: run scripts/e2e-prepare.sh"; exit 1; }
done
command -v qemu-system-x86_64 >/dev/null ||
    { echo "Bail out! qemu-system-x86_64 missing: run scripts/e2e-prepare.sh"; exit 1; }

OURS=$REPO/build/qemu/obj/qemu-system-x86_64
PLAIN=$REPO/build/qemu/obj-plain/qemu-system-x86_64
DM_BIN=
case $DM in
auto) [ -x "$OURS" ] && DM=ours || DM=debian ;;
ours|plain|debian) ;;
*) echo "run-e2e.sh: --dm auto|ours|plain|debian" >&2; exit 2 ;;
esac
case $DM in
ours) DM_BIN=$OURS
      [ -x "$OURS" ] || { echo "Bail out! $OURS not built (scripts/qemu-build.sh)"; exit 1; } ;;
plain) DM_BIN=$PLAIN
       [ -x "$PLAIN" ] || { echo "Bail out! $PLAIN not built (scripts/qemu-build.sh --plain)"; exit 1; } ;;
esac

XEN_OUT=$REPO/build/xen/out
case $LIBXL in
auto) if [ "$DM" = ours ] && [ -f "$XEN_OUT/libxenlight.so.4.17.0" ]; then
          LIBXL=patched
      else
          LIBXL=debian
      fi ;;
patched) [ -f "$XEN_OUT/libxenlight.so.4.17.0" ] ||
             { echo "Bail out! $XEN_OUT/libxenlight.so.4.17.0 not built (scripts/xen-build.sh)"; exit 1; } ;;
debian) ;;
*) echo "run-e2e.sh: --libxl auto|patched|debian" >&2; exit 2 ;;
esac
# the usual pairs (ours + patched, the others + Debian's) under runs/[DM/],
# the compatibility runs under runs/DM-libxl-LIBXL/
DEFAULT_LIBXL=debian
[ "$DM" = ours ] && DEFAULT_LIBXL=patched

if [ ${#SCEN[@]} = 0 ]; then
    lines=$(matrix_lines) || { echo "$lines"; exit 1; }
    for f in $(echo "$lines" | matrix_scenarios "$DM" "$LIBXL" "$CI"); do SCEN+=("$f"); done
    [ ${#SCEN[@]} -gt 0 ] ||
        { echo "1..0 # SKIP e2e/matrix lists no scenario with $DM:$LIBXL$([ "$CI" = 1 ] && echo ' for CI')"; exit 0; }
fi

# ------------------------------------------------------------ TAP helpers
N=0
FAILED=0
ok() { N=$((N + 1)); echo "ok $N - $*"; }
notok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $*"; }
# check DESCRIPTION COMMAND...: one TAP line from a command's status
check() {
    local d=$1; shift
    if "$@"; then ok "$SCENARIO: $d"; else notok "$SCENARIO: $d"; fi
}
diag() { sed 's/^/# /'; }
# fail_report RUN-DIR: what a failed or hung run did, on stderr, where
# `meson test --print-errorlogs` shows it (meson drops TAP comments): the
# harness's timeline in dom0 (dom0 uptime in brackets), the scenario
# steps' own log, and the last lines of the consoles
fail_report() {
    local run=$1 f
    {
        echo "=== $SCENARIO ($DM): failed; logs in $run"
        echo "--- E2E-DOM0 lines of the outer console (serial.log)"
        grep -a 'E2E-DOM0:' "$run/serial.log" 2>/dev/null | tail -40
        for f in dom0-run.log steps-pre.log steps-post.log; do
            [ -s "$run/results/$f" ] || continue
            echo "--- results/$f (last 60 lines)"
            tail -60 "$run/results/$f"
        done
        if [ -s "$run/results/ps-before-budget.txt" ]; then
            echo "--- results/ps-before-budget.txt (processes 20 s before dom0's budget ran out)"
            sed -n '1,/^== /p' "$run/results/ps-before-budget.txt" | grep -v '^== ' |
                grep -vE ' \[[^]]*\]$'
        fi
        for f in guest-serial.log guest2-serial.log; do
            [ -s "$run/results/$f" ] || continue
            echo "--- results/$f (last 15 lines)"
            tr -d '\r' < "$run/results/$f" | tail -15
        done
        echo "--- serial.log (last 25 lines)"
        tail -25 "$run/serial.log" 2>/dev/null
        echo "=== end of $SCENARIO"
    } >&2
}

# --------------------------------------------- helpers for scenario checks
# (run with the current directory = the run's results/)
# qmp_py FILE CODE: run Python CODE for each JSON object o in a QMP log
# (lines that are not JSON are skipped); CODE may print, and may set ok
# to True: the status is 0 when it did.  The helpers below use it.
qmp_py() {
    [ -f "$1" ] || return 1
    python3 -c '
import json, sys
ok, r = False, None
for line in open(sys.argv[1], errors="replace"):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if not isinstance(o, dict):
        continue
    exec(sys.argv[2])
sys.exit(0 if ok else 1)
' "$@"
}
# hmp_text FILE: the text of a human-monitor-command answer in a QMP log
hmp_text() {
    qmp_py "$1" '
if isinstance(o.get("return"), str):
    sys.stdout.write(o["return"].replace("\r", ""))
    ok = True'
}
# qmp_error_class FILE: the class of every error answer in a QMP log
qmp_error_class() {
    qmp_py "$1" '
if "error" in o:
    print(o["error"].get("class", "?"))'
    return 0
}
# mtree_ram FILE: "start end" (hex, inclusive) of every RAM range of the
# guest RAM block (xen.ram) in the flat views of `info mtree -f` (the
# system memory view and the DMA views that share it)
mtree_ram() {
    hmp_text "$1" | awk '
        /\(prio [0-9-]+, ram\): xen\.ram( |$)/ {
            split($1, a, "-"); print a[1], a[2] }' | sort -u
}
# mtree_ram_covers FILE ADDR: some xen.ram range contains ADDR
mtree_ram_covers() {
    local a=$(( $2 ))
    mtree_ram "$1" | while read -r s e; do
        if [ $((16#$s)) -le $a ] && [ $a -le $((16#$e)) ]; then echo y; fi
    done | grep -q y
}
# mtree_ram_max_end FILE: highest end (hex) of the xen.ram ranges
mtree_ram_max_end() {
    mtree_ram "$1" | while read -r s e; do echo $((16#$e)); done | sort -n | tail -1 |
        xargs printf '0x%x\n' 2>/dev/null
}
# qmp_ret FILE EXPR: the Python expression EXPR holds for the last
# non-empty "return" object (r) in a QMP log, e.g.
# qmp_ret F 'r["lowmem-end"] == 0x8000000'
qmp_ret() {
    qmp_py "$1" '
if o.get("return") not in (None, {}):
    r = o["return"]
    ok = bool(eval(sys.argv[3]))' "$2"
}
# qmp_any FILE EXPR: EXPR holds for some JSON object (o) in a QMP log
qmp_any() {
    qmp_py "$1" 'ok = ok or bool(eval("(" + sys.argv[3] + ")"))' "$2"
}
# guest_memmap TYPE START END: the guest kernel's /sys/firmware/memmap has it
guest_memmap() {
    tr -d '\r' < guest-serial.log |
        grep -qiE "^memmap $(printf '0x%x' $(( $2 ))) $(printf '0x%x' $(( $3 ))) $1\$"
}
# guest_reserved_covers START END: one Reserved memmap entry holds [START, END]
guest_reserved_covers() {
    grep -E '^memmap 0x[0-9a-f]+ 0x[0-9a-f]+ Reserved' guest-serial.log |
        while read -r _ s e _; do
            if [ $((s)) -le $(( $1 )) ] && [ $(( $2 )) -le $((e)) ]; then echo y; fi
        done | grep -q y
}
# guest_ram_covers ADDR: a "System RAM" memmap entry contains ADDR
guest_ram_covers() {
    local a=$(( $1 ))
    grep -E '^memmap 0x[0-9a-f]+ 0x[0-9a-f]+ System RAM' guest-serial.log |
        while read -r _ s e _; do
            if [ $((s)) -le $a ] && [ $a -le $((e)) ]; then echo y; fi
        done | grep -q y
}
# guest_ram_top_below_4g: highest end (hex, inclusive) of System RAM below 4 GiB
guest_ram_top_below_4g() {
    grep -E '^memmap 0x[0-9a-f]+ 0x[0-9a-f]+ System RAM' guest-serial.log |
        while read -r _ s e _; do
            [ $((e)) -lt $((1 << 32)) ] && echo $((e)); done | sort -n | tail -1 |
        xargs printf '0x%x\n' 2>/dev/null
}
# check_lowmem_moved RMRR_START RMRR_LAST LOWMEM_END HIGHMEM_END RAM_SIZE:
# the checks of a guest of RAM_SIZE bytes whose RMRR [START, LAST] made
# libxl end low RAM at LOWMEM_END and move the rest to [4 GiB, HIGHMEM_END),
# as hvmloader's E820 and the guest kernel's memory map show it
check_lowmem_moved() {
    local rs=$(($1)) rl=$(($2)) low=$(($3)) high=$(($4)) size=$(($5))
    local hexr
    hexr=$(printf '0x%x-0x%x' "$rs" "$rl")
    check "guest e820: the RMRR $hexr inside a Reserved entry" \
        guest_reserved_covers "$rs" "$rl"
    check "guest e820: RAM $(printf '0x100000000-0x%x' $((high - 1))) (libxl moved it above 4 GiB)" \
        guest_memmap "System RAM" 0x100000000 $((high - 1))
    check "guest e820: no RAM from lowmem_end $(printf '0x%x' "$low") to the guest's $(printf '0x%x' "$size")" \
        eval 'guest_reported && ! guest_ram_covers $low && ! guest_ram_covers $((size - 1))'
    check "hvmloader E820: the RMRR $hexr RESERVED" \
        hvmloader_e820 "$(printf '%08x:%08x - %08x:%08x: RESERVED' $((rs >> 32)) \
                          $((rs & 0xffffffff)) $(((rl + 1) >> 32)) $(((rl + 1) & 0xffffffff)))"
    check "hvmloader E820: RAM from 4 GiB to $(printf '0x%x' "$high")" \
        hvmloader_e820 "$(printf '00000001:00000000 - %08x:%08x: RAM' $((high >> 32)) \
                          $((high & 0xffffffff)))"
}
# check_dm_follows_libxl LOWMEM_END HIGHMEM_END [ADDR...]: the device
# model's RAM (info mtree -f) is libxl's layout, low RAM up to LOWMEM_END
# and RAM up to HIGHMEM_END, none at any ADDR (an RMRR, a BAR), and our
# QEMU's query-xen-rdm says it came from the toolstack with those ends
check_dm_follows_libxl() {
    local low=$(($1)) high=$(($2)) a
    shift 2
    check "our QEMU: low RAM ends at libxl's lowmem_end $(printf 0x%x $low)" \
        eval 'mtree_ram_covers qmp-mtree-f.json $((low - 1)) && ! mtree_ram_covers qmp-mtree-f.json $low'
    for a in "$@"; do
        check "our QEMU: no RAM at $a" eval '! mtree_ram_covers qmp-mtree-f.json '"$a"
    done
    check "our QEMU: RAM up to libxl's highmem_end $(printf 0x%x $high)" \
        [ "$(mtree_ram_max_end qmp-mtree-f.json)" = "$(printf 0x%x $((high - 1)))" ]
    check "our QEMU: query-xen-rdm says the layout came from the toolstack (lowmem-end $(printf 0x%x $low), highmem-end $(printf 0x%x $high))" \
        qmp_ret qmp-query-xen-rdm.json "r['layout'] == 'toolstack' and r['source'] == 'hvm-info' and r['lowmem-end'] == $low and r['highmem-end'] == $high"
}
# check_libxl_told_dm STRATEGY POLICY BOUNDARY [SBDF POLICY]...: with
# our libxl series and our QEMU, libxl passed the guest's RDM settings
# (-machine ...,xen-rdm.*, as its log shows the command line), QEMU planned
# from them with no mismatch (query-xen-rdm's plan), and libxl's check of
# QEMU's layout passed (its log); with Debian's libxl, QEMU was told
# nothing, as before
# the -machine argument libxl started the device model with (its log
# prints each argument on a line of its own)
dm_machine_arg() {
    grep -A1 ':  -machine$' xl-create.log | tail -1 | sed 's/.*:  //'
}
check_libxl_told_dm() {
    local want i=0 m
    m=$(dm_machine_arg)
    if [ "$LIBXL_KIND" != patched ]; then
        check "Debian's libxl: the device model is told no RDM settings (-machine $m)" \
            eval '[ -n "$m" ] && ! echo "$m" | grep -q xen-rdm'
        return
    fi
    local strategy=$1
    want="xen-rdm.strategy=$1,xen-rdm.policy=$2,xen-rdm.mem-boundary=$(( $3 ))"
    shift 3
    while [ $# -ge 2 ]; do
        want="$want,xen-rdm.pci.$i.host=$1,xen-rdm.pci.$i.rdm-policy=$2"
        i=$((i + 1)); shift 2
    done
    if [ "$RDM_AWARE" = 0 ]; then
        check "our libxl, unmodified QEMU: its probe finds no xen-rdm, QEMU is told nothing (-machine $m)" \
            eval '[ -n "$m" ] && ! echo "$m" | grep -q xen-rdm'
        check "our libxl, unmodified QEMU: libxl probed the device model (query-command-line-options)" \
            grep -q "qemu command line probe" xl-create.log
        return
    fi
    check "our libxl tells QEMU the guest's RDM settings: -machine ...,$want" \
        eval 'echo "$m" | grep -qF ",$want" && ! echo "$m" | grep -qF "$want,xen-rdm.pci.$i."'
    if [ "$strategy" = ignore ] && [ "$i" = 0 ]; then
        check "QEMU has nothing to reserve with libxl's settings (query-xen-rdm: no plan, no region, no mismatch)" \
            qmp_ret qmp-query-xen-rdm.json "'plan' not in r and r['regions'] == [] and 'mismatch' not in r"
    else
        check "QEMU planned from libxl's settings (query-xen-rdm: plan, no mismatch)" \
            qmp_ret qmp-query-xen-rdm.json "'plan' in r and r['plan']['result'] == 'ok' and 'mismatch' not in r and r['plan']['lowmem-end'] == r['lowmem-end']"
    fi
    check "libxl's check of QEMU's RDM layout passed (xl create log)" \
        grep -q "RDM: the device model's layout is libxl's" xl-create.log
}
# guest_reported: the guest printed its whole report
guest_reported() { grep -q E2E-GUEST-END guest-serial.log 2>/dev/null; }
# mtree_has_ram FILE: the answer holds at least one xen.ram range
mtree_has_ram() { [ -f "$1" ] && [ -n "$(mtree_ram "$1" 2>/dev/null)" ]; }
# guest_io WHAT FIELD [LOG]: FIELD's value (text after "FIELD=" up to a
# blank) in the guest's "E2E-IO WHAT ..." line (e2e/guest/e2e-io.c) in
# LOG (default guest-serial.log), e.g. guest_io "dma high-read" ok -> 32/32
guest_io() {
    tr -d '\r' < "${3:-guest-serial.log}" | grep -m1 "^E2E-IO $1 " |
        tr ' ' '\n' | sed -n "s/^$2=//p" | head -1
}
# guest_io_all_ok WHAT [FILE]: "E2E-IO WHAT ok=N/N" with N > 0 (in FILE,
# default guest-serial.log)
guest_io_all_ok() {
    local v
    v=$(guest_io "$1" ok "${2:-guest-serial.log}")
    [ -n "$v" ] && [ "${v%/*}" = "${v#*/}" ] && [ "${v%/*}" -gt 0 ]
}
# dma_round_ok CONSOLE OUT: CONSOLE has a whole round of the guest's
# repeated DMA checks (e2e_dma_every) in which every transfer arrived,
# below and above 4 GiB; the last whole round's results go to OUT as
# E2E-IO lines (for guest_io)
dma_round_ok() {
    local r w
    r=$(tr -d '\r' < "$1" |
        awk '/^E2E-ROUND [0-9]+ begin/ { b[$2] = 1 }
             /^E2E-ROUND [0-9]+ end/ && b[$2] { last = $2 }
             END { print last + 0 }')
    tr -d '\r' < "$1" | sed -n "s/^E2E-ROUND $r /E2E-IO /p" > "$2"
    [ "$r" -gt 0 ] || return 1
    for w in "dma low" "dma high-read" "dma high-write"; do
        guest_io_all_ok "$w" "$2" || return 1
    done
}
# qmp_py_ram FILE: query-xen-rdm's RAM ranges as start+size,...
qmp_py_ram() {
    qmp_py "$1" '
if isinstance(o.get("return"), dict) and "ram" in o["return"]:
    print(",".join("0x%x+0x%x" % (x["start"], x["size"]) for x in o["return"]["ram"]))
    ok = True' | tail -1
}
# guest_hap: the guest runs under HAP: Xen's boot log says the hardware
# has it, enabled (xl's hap defaults to 1, so every HVM guest then uses it)
guest_hap() {
    grep -q 'Hardware Assisted Paging (HAP) detected' xl-dmesg-boot.txt &&
        ! grep -q 'Hardware Assisted Paging (HAP) detected but disabled' xl-dmesg-boot.txt
}
# libxc_pages: the pages libxc says it populated the guest with (the
# PHYSICAL MEMORY ALLOCATION lines of xl -vvv create's log), "4K 2M 1G"
libxc_pages() {
    local size n k='' m='' g=''
    while read -r size n; do
        case $size in 4KB) k=$((n)) ;; 2MB) m=$((n)) ;; 1GB) g=$((n)) ;; esac
    done < <(grep -A3 'PHYSICAL MEMORY ALLOCATION' xl-create.log |
             sed -n 's/.* \([0-9][KMG]B\) PAGES: *\(0x[0-9a-fA-F]*\).*/\1 \2/p')
    [ -n "$k" ] && [ -n "$m" ] && [ -n "$g" ] && echo "$k $m $g"
}
# check_libxc_pages: what libxc populated the guest with is what
# xen-rdm-plan predicts for the guest's xl.cfg (results/guest.cfg, with
# hap = 0 when the host has no HAP), Xen's rmrr= regions (XEN_RMRR) and
# layout split: the same 4 KiB pages, and as many 2 MiB frames in 2 MiB
# and 1 GiB pages (libxc falls back to 2 MiB pages where the hypervisor
# has no free 1 GiB one)
check_libxc_pages() {
    local tool=$REPO/build/xen-rdm-plan dir want got
    dir=$(mktemp -d)
    cp guest.cfg "$dir/guest.cfg"
    guest_hap || echo 'hap = 0' >> "$dir/guest.cfg"
    # rmrr=START[-END]=[SEG:]BUS:DEV.FN[,...][;...], in frames, END included
    python3 -c '
import sys
for r in sys.argv[1].split(";"):
    rng, devs = r.split("=", 1)
    s, _, e = rng.partition("-")
    s, e = int(s, 16), int(e or s, 16)
    sbdfs = []
    for d in devs.split(","):
        seg, bus, df = ("0:" + d if d.count(":") == 1 else d).split(":")
        dev, fn = df.split(".")
        sbdfs.append("%04x:%02x:%02x.%x" % (int(seg, 16), int(bus, 16),
                                            int(dev, 16), int(fn, 16)))
    print(hex(s << 12), hex((e - s + 1) << 12), *sbdfs)' "$XEN_RMRR" > "$dir/rmrr.rdm"
    want=$("$tool" --rdm-file "$dir/rmrr.rdm" --xl-config "$dir/guest.cfg" \
               --layout split --format json 2>/dev/null |
           python3 -c 'import json, sys
p = json.load(sys.stdin)["pages"]
print(p["4k"], p["2m"], p["1g"])')
    rm -rf "$dir"
    got=$(libxc_pages)
    echo "# $SCENARIO: pages (4 KiB, 2 MiB, 1 GiB): xen-rdm-plan predicts ${want:-none}, libxc populated ${got:-none}"
    check "libxc populated the pages xen-rdm-plan predicts: ${got:-none} of 4 KiB, 2 MiB and 1 GiB for ${want:-none}" \
        eval 'set -- $want $got; [ $# = 6 ] && [ "$1" = "$4" ] &&
              [ $(($2 + 512 * $3)) = $(($5 + 512 * $6)) ]'
}
# hvmloader_e820 LINE-REGEX: the hvmloader E820 table in `xl dmesg` has it
hvmloader_e820() { grep -A20 'E820 table' xl-dmesg.txt | grep -qiE "$1"; }
# hvmloader_ram_total: bytes of the RAM entries of hvmloader's E820 table
hvmloader_ram_total() {
    grep -A40 'E820 table' xl-dmesg.txt |
        sed -n 's/.*\]: \([0-9a-f]*\):\([0-9a-f]*\) - \([0-9a-f]*\):\([0-9a-f]*\): RAM$/\1\2 \3\4/p' |
        while read -r s e; do echo $((0x$e - 0x$s)); done |
        awk '{ t += $1 } END { printf "%d\n", t }'
}
# check_split_populated HOLE_START HOLE_LAST LOWMEM_END HIGHMEM_END RAM_SIZE
# [RAM_AFTER]: the checks of a guest of RAM_SIZE bytes that libxl
# populated in the split layout around an RMRR [HOLE_START, HOLE_LAST]:
# RAM on both sides of the hole (the first RAM after it at RAM_AFTER,
# default HOLE_LAST + 1: further when the hole is 2 MiB aligned) in
# hvmloader's E820 and the guest kernel's memory map, none in it, all the
# RAM there, and our QEMU's RAM the same
check_split_populated() {
    local hs=$(($1)) hl=$(($2)) low=$(($3)) high=$(($4)) size=$(($5))
    local after=$((${6:-$(($2 + 1))})) hexr total
    hexr=$(printf '0x%x-0x%x' "$hs" "$hl")
    check "guest e820: the RMRR $hexr inside a Reserved entry, no RAM in it" \
        eval 'guest_reserved_covers $hs $hl && ! guest_ram_covers $hs && ! guest_ram_covers $hl'
    check "guest e820: RAM right below the hole ($(printf 0x%x $((hs - 1)))) and after it ($(printf 0x%x $after))" \
        eval 'guest_ram_covers $((hs - 1)) && guest_ram_covers $after'
    check "hvmloader E820: the RMRR $hexr RESERVED" \
        hvmloader_e820 "$(printf '%08x:%08x - %08x:%08x: RESERVED' $((hs >> 32)) \
                          $((hs & 0xffffffff)) $(((hl + 1) >> 32)) $(((hl + 1) & 0xffffffff)))"
    total=$(hvmloader_ram_total)
    check "hvmloader E820: its RAM ($total bytes) is the guest's $size bytes but the 384 KiB from 640 KiB to 1 MiB" \
        [ "$total" = $((size - 0x60000)) ]
    check "our QEMU: query-xen-rdm says the RAM came from the toolstack, split around the hole (lowmem-end $(printf 0x%x $low), highmem-end $(printf 0x%x $high))" \
        qmp_ret qmp-query-xen-rdm.json "r['layout'] == 'toolstack' and r['source'] == 'hvm-info' and r['lowmem-end'] == $low and r['highmem-end'] == $high and not any(x['start'] <= $hs < x['start'] + x['size'] for x in r['ram'])"
    check "our QEMU: no RAM at the RMRR $(printf 0x%x $hs), RAM on both sides (info mtree -f)" \
        eval '! mtree_ram_covers qmp-mtree-f.json $hs && mtree_ram_covers qmp-mtree-f.json $((hs - 1)) && mtree_ram_covers qmp-mtree-f.json $after'
    check "our QEMU: RAM up to highmem_end $(printf 0x%x $high)" \
        [ "$(mtree_ram_max_end qmp-mtree-f.json)" = "$(printf 0x%x $((high - 1)))" ]
}
# check_split_guest_io: the disk's DMA into the guest's RAM (e2e-io, as
# in guest-io-above-4g) all arrives
check_split_guest_io() {
    echo "# $SCENARIO: guest I/O lines:"
    tr -d '\r' < guest-serial.log | grep -E '^E2E-IO ' | diag
    check "the disk appeared in the guest (virtio-blk /dev/vda)" \
        eval 'tr -d "\r" < guest-serial.log | grep -q "^E2E-IO disk /dev/vda"'
    check "DMA into and out of RAM below 4 GiB arrives: $(guest_io "dma low" ok)" guest_io_all_ok "dma low"
    check "DMA into RAM above 4 GiB arrives: $(guest_io "dma high-read" ok)" guest_io_all_ok "dma high-read"
    check "DMA out of RAM above 4 GiB arrives: $(guest_io "dma high-write" ok)" guest_io_all_ok "dma high-write"
}
# check_split_rmrr HOLE_START: the outer machine's e1000 at 00:03.0 has
# a one-page strict RMRR at HOLE_START in the guest's RAM, passed through
# with rdm="layout=split": Xen took the RMRR, and Debian's libxl refuses
# the guest (status 1: nothing more to check)
check_split_rmrr() {
    local page
    page=$(printf %x $(($1 >> 12)))
    check "Xen took the RMRR for 00:03.0 (xl dmesg: Adding RMRR ... [$page-$page])" \
        grep -qE "Adding RMRR for 1 device \(\[0\]: 0x18\) range \[$page-$page\]" xl-dmesg-boot.txt
    [ "$LIBXL_KIND" = patched ] && return 0
    check "Debian's libxl refuses the guest: 'RDM conflict at $1'" \
        grep -q "RDM conflict at $1" xl-create.log
    check "xl create failed and left no guest behind" \
        eval '[ "$(cat xl-create.rc)" != 0 ] && ! grep -q "^e2e " xl-list.txt 2>/dev/null'
    return 1
}
# check_split_hole WHERE HOLE_START LOWMEM_END RAM_SIZE HIGHMEM_END_HAP
#                  RAM_AFTER_HAP HIGHMEM_END_NO_HAP: the checks of a
# split-hole scenario (check_split_rmrr; WHERE: low, below 4 GiB, or
# high): our libxl boots the guest around a hole (2 MiB wide under HAP:
# the first RAM after it at RAM_AFTER_HAP), the disk's DMA uses pages on
# both sides of the hole, and the e1000's BAR answers through the
# passthrough
check_split_hole() {
    local where=$1 hs=$(($2)) low=$3 size=$4
    local hs_hex=$2 hl_hex lo hi
    hl_hex=$(printf 0x%x $((hs + 0xfff)))
    check_split_rmrr "$hs_hex" || return
    check "xl create succeeded" [ "$(cat xl-create.rc)" = 0 ]
    if guest_hap; then
        check_split_populated "$hs_hex" "$hl_hex" "$low" "$5" "$size" "$6"
    else
        check_split_populated "$hs_hex" "$hl_hex" "$low" "$7" "$size"
    fi
    check "libxl told the device model the split layout (xen-rdm.layout=split)" \
        grep -q 'xen-rdm.layout=split' xl-create.log
    check_libxc_pages
    check_split_guest_io
    lo=$(guest_io "pages $where-below" max)
    hi=$(guest_io "pages $where-above" min)
    check "the disk's DMA into $where RAM used pages below the hole (${lo:-none} < $hs_hex) and above it (${hi:-none} > $hl_hex)" \
        eval '[ -n "$lo" ] && [ -n "$hi" ] && [ $((lo)) -lt $hs ] && [ $((hi)) -gt $((hs + 0xfff)) ]'
    check "the e1000's STATUS register answers through the passthrough (link up: $(guest_io "bar read" word8))" \
        eval 'v=$(guest_io "bar read" word8); [ -n "$v" ] && [ "$v" != 0xffffffff ] && [ $((v & 2)) = 2 ]'
}

# ------------------------------------------------------------ one scenario
run_scenario() {
    local file=$1
    [ -f "$file" ] || file=$REPO/e2e/scenarios/$1.sh
    [ -f "$file" ] || { notok "$1: no such scenario"; return; }
    SCENARIO=$(basename "$file" .sh)
    # scenario variables (see e2e/scenarios/README)
    DESC= XEN_RMRR= XEN_EXTRA= GUEST_CFG= EXPECT_CREATE=ok TIMEOUT=900 QEMU_RDM_OPTS=
    DM_ARGS= GUEST_ARGS=
    GUEST_TIMEOUT=480 GUEST_HOLD=15 OUTER_MEM=3G OUTER_ARGS= DOM0_STEPS= DOM0_EXTRA=
    INSTALL_RUN=0 SHIP_PLAIN=0
    unset -f checks
    # shellcheck disable=SC1090
    . "$file"
    local timeout=${E2E_TIMEOUT:-$TIMEOUT}
    local run=$E2E/runs/$SCENARIO
    # each device model's runs side by side
    [ "$DM" = ours ] || run=$E2E/runs/$DM/$SCENARIO
    [ "$LIBXL" = "$DEFAULT_LIBXL" ] || run=$E2E/runs/$DM-libxl-$LIBXL/$SCENARIO
    local t0 t1 rc hang=0 secs
    if [ "$RECHECK" = 1 ]; then
        [ -f "$run/results/dom0-run.rc" ] || { notok "$SCENARIO: has results to recheck"; return; }
        echo "# $SCENARIO: rechecking $run/results"
        secs=$(cut -d' ' -f3 "$run/summary.txt" 2>/dev/null | tr -d s)
        check_results "$run" "${secs:-0}"
        return
    fi
    rm -rf "$run"; mkdir -p "$run/in" "$run/results"
    echo "# $SCENARIO: $DESC"
    echo "# $SCENARIO: device model: $DM; libxl: $LIBXL; logs: $run"

    # the run's input disk
    cp "$E2E/kernel/vmlinuz" "$E2E/guest-initrd.img" "$run/in/"
    cp "$REPO/e2e/dom0-run.sh" "$run/in/"
    printf '%s\n' "$GUEST_CFG" > "$run/in/guest.cfg"
    [ -n "$DOM0_STEPS" ] && printf '%s\n' "$DOM0_STEPS" > "$run/in/dom0-steps.sh"
    {
        echo "GUEST_TIMEOUT=$GUEST_TIMEOUT"
        echo "GUEST_HOLD=$GUEST_HOLD"
        echo "GUEST_ARGS='$GUEST_ARGS'"
        echo "DM_NAME=$DM"
        echo "LIBXL_NAME=$LIBXL"
    } > "$run/in/scenario.env"
    [ -n "$DM_ARGS" ] && printf '%s\n' "$DM_ARGS" > "$run/in/dm-args"
    local ship_dm=$DM_BIN ship_libxl=$LIBXL
    if [ "$INSTALL_RUN" = 1 ]; then
        # scripts/install.sh and what it installs, as in a built clone:
        # dom0's steps install them the way an admin does, so the run
        # ships no device model and no libraries of its own
        if [ "$DM" != ours ] || [ "$LIBXL" != patched ]; then
            echo "# $SCENARIO: SKIP: installs our QEMU and our libxl (--dm ours --libxl patched), not $DM + $LIBXL"
            return
        fi
        mkdir -p "$run/in/install/scripts" "$run/in/install/build/qemu/obj" \
                 "$run/in/install/build/xen/out"
        cp "$REPO/scripts/install.sh" "$REPO/scripts/xen-rdm-check.sh" "$run/in/install/scripts/"
        strip -o "$run/in/install/build/qemu/obj/qemu-system-x86_64" "$OURS"
        for f in libxenlight.so.4.17.0 libxlutil.so.4.17.0 xl; do
            strip --strip-debug -o "$run/in/install/build/xen/out/$f" "$XEN_OUT/$f"
        done
        cp "$XEN_OUT/version" "$XEN_OUT/hvmloader" "$run/in/install/build/xen/out/"
        ship_dm= ship_libxl=installed
    fi
    if [ "$ship_libxl" = patched ]; then
        # dom0 puts them where scripts/install.sh does, the libraries in
        # the private /usr/lib/xen-rdm/lib and xl, which loads them from
        # there (its RUNPATH), in place of Debian's xl (same version, the
        # exported symbols of Debian's and those the series adds:
        # scripts/e2e-prepare.sh checks them)
        mkdir -p "$run/in/libxl"
        for f in libxenlight.so.4.17.0 libxlutil.so.4.17.0 xl; do
            strip --strip-debug -o "$run/in/libxl/$f" "$XEN_OUT/$f" 2>/dev/null ||
                cp "$XEN_OUT/$f" "$run/in/libxl/"
        done
        # and our hvmloader, which dom0 puts in place of Debian's with
        # dpkg-divert when its xen-utils-4.17 is the version it is built on
        cp "$XEN_OUT/hvmloader" "$XEN_OUT/version" "$run/in/libxl/"
    fi
    echo $((timeout - 120)) > "$run/in/budget"
    if [ -n "$ship_dm" ]; then
        mkdir -p "$run/in/qemu/bin"
        # without its debug info: less to unpack in dom0
        strip -o "$run/in/qemu/bin/qemu-system-x86_64" "$DM_BIN" 2>/dev/null ||
            cp "$DM_BIN" "$run/in/qemu/bin/"
        "$DM_BIN" -help 2>/dev/null | grep -q '^-vnc ' ||
            { notok "$SCENARIO: the device model has VNC (libxl always passes -vnc)"; return; }
        # an RDM-aware build (issue 4) is told the scenario's RDM settings
        # the way libxl would have to: -machine xen-rdm.* properties
        if [ -n "$QEMU_RDM_OPTS" ] &&
           "$DM_BIN" -machine xenfv,help 2>/dev/null | grep -q '^ *xen-rdm='; then
            echo "DM_MACHINE_OPTS='$QEMU_RDM_OPTS'" >> "$run/in/scenario.env"
            echo "# $SCENARIO: device model gets -machine $QEMU_RDM_OPTS"
        fi
    fi
    if [ "$SHIP_PLAIN" = 1 ]; then
        # unmodified QEMU beside the pair's device model, for a scenario
        # that moves the guest between them (dom0-run.sh: /opt/e2e-qemu-plain)
        [ -x "$PLAIN" ] ||
            { notok "$SCENARIO: unmodified QEMU is built ($PLAIN: scripts/qemu-build.sh --plain)"; return; }
        mkdir -p "$run/in/qemu-plain/bin"
        strip -o "$run/in/qemu-plain/bin/qemu-system-x86_64" "$PLAIN" 2>/dev/null ||
            cp "$PLAIN" "$run/in/qemu-plain/bin/"
    fi
    tar cf "$run/in.tar" -C "$run/in" .

    local xen_args="console=com1 com1=115200,8n1 dom0_mem=1536M,max:1536M"
    # one dom0 vCPU: a CI run's dom0 left a woken `sleep` in state R for
    # 700 s with two (see docs/e2e.rst, "dom0 has one vCPU")
    xen_args="$xen_args dom0_max_vcpus=1 iommu=1,verbose loglvl=all guest_loglvl=all"
    [ -n "$XEN_RMRR" ] && xen_args="$xen_args rmrr=$XEN_RMRR"
    [ -n "$XEN_EXTRA" ] && xen_args="$xen_args $XEN_EXTRA"
    local dom0_args="console=hvc0 earlyprintk=xen loglevel=6"
    [ -n "$DOM0_EXTRA" ] && dom0_args="$dom0_args $DOM0_EXTRA"

    # One outer boot; a boot that stalls before dom0's tools are up (seen
    # once: dom0's kernel stopped after "hpet_acpi_add" under TCG) is not
    # the scenario's doing: it is reported and the boot retried once.
    local attempt stall up_limit=${E2E_DOM0_UP:-300}
    t0=$(date +%s)
    for attempt in 1 2; do
        stall=0
        truncate -s 0 "$run/out.img"; truncate -s 256M "$run/out.img"
        qemu-system-x86_64 -machine q35 -accel tcg -cpu max,-smap -smp "${E2E_SMP:-2}" \
            -m "$OUTER_MEM" -nodefaults -display none -vga none -monitor none -no-reboot \
            -device intel-iommu,intremap=on \
            -kernel "$E2E/xen/xen.elf" -append "$xen_args" \
            -initrd "$E2E/kernel/vmlinuz $dom0_args,$E2E/dom0-initrd.img" \
            -drive if=none,id=e2ein,file="$run/in.tar",format=raw,readonly=on \
            -device virtio-blk-pci,drive=e2ein,serial=e2ein \
            -drive if=none,id=e2eout,file="$run/out.img",format=raw \
            -device virtio-blk-pci,drive=e2eout,serial=e2eout \
            -serial file:"$run/serial.log" $OUTER_ARGS \
            > "$run/qemu-outer.log" 2>&1 &
        local qpid=$! done_at= a0
        a0=$(date +%s)
        echo "$qpid" > "$run/qemu-outer.pid"
        while kill -0 "$qpid" 2>/dev/null; do
            local now=$(date +%s)
            if [ -z "$done_at" ] && grep -q 'E2E-DOM0-DONE' "$run/serial.log" 2>/dev/null; then
                done_at=$now
            fi
            # dom0 said it is done but the machine did not power off: give it 20 s
            if [ -n "$done_at" ] && [ $((now - done_at)) -gt 20 ]; then
                kill "$qpid"; break
            fi
            if [ $((now - t0)) -ge "$timeout" ]; then
                hang=1; kill "$qpid"; sleep 2; kill -9 "$qpid" 2>/dev/null; break
            fi
            if [ "$attempt" = 1 ] && [ $((now - a0)) -ge "$up_limit" ] &&
               ! grep -qa 'E2E-DOM0: xen tools up' "$run/serial.log"; then
                stall=1; kill "$qpid"; sleep 2; kill -9 "$qpid" 2>/dev/null; break
            fi
            sleep 2
        done
        wait "$qpid" 2>/dev/null
        [ "$stall" = 1 ] || break
        echo "# $SCENARIO: the outer boot stalled: dom0's tools were not up after $up_limit s;" \
             "booting again (console kept as serial-stalled.log, its last lines:)"
        tail -5 "$run/serial.log" | diag
        mv "$run/serial.log" "$run/serial-stalled.log"
    done
    t1=$(date +%s)
    (cd "$run/results" && tar xf "$run/out.img" 2>/dev/null)
    secs=$((t1 - t0))
    echo "# $SCENARIO: outer machine ran $secs s (limit $timeout s)"
    grep -a 'E2E-DOM0:' "$run/serial.log" | diag

    if [ "$hang" = 1 ]; then
        notok "$SCENARIO: finished within $timeout s (it hung; last console lines below)"
        tail -40 "$run/serial.log" | diag
        [ -f "$run/results/guest-serial.log" ] && tail -20 "$run/results/guest-serial.log" | diag
        echo "$SCENARIO HANG ${secs}s" > "$run/summary.txt"
        fail_report "$run"
        return
    fi
    if [ ! -f "$run/results/dom0-run.rc" ]; then
        notok "$SCENARIO: dom0 ran the scenario and wrote its results"
        tail -40 "$run/serial.log" | diag
        echo "$SCENARIO FAIL ${secs}s" > "$run/summary.txt"
        fail_report "$run"
        return
    fi
    check_results "$run" "$secs"
}

# check_results RUN-DIR SECONDS: the TAP lines of one run's results
check_results() {
    local run=$1 secs=$2
    local before=$FAILED
    rm -f "$run/tap-counts" "$run/checks-done"
    (
        cd "$run/results" || exit 1
        # the counters also when a check stops the shell (set -u, say)
        trap 'echo "N=$N FAILED=$FAILED" > ../tap-counts' EXIT
        export DM
        DM_KIND=$(cat dm-kind 2>/dev/null)
        LIBXL_KIND=$(cat libxl-kind 2>/dev/null)
        # Does the device model know about RDM (issue 4's query-xen-rdm)?
        RDM_AWARE=0
        if [ -f qmp-query-xen-rdm.json ] && grep -q '"return"' qmp-query-xen-rdm.json &&
           ! qmp_error_class qmp-query-xen-rdm.json | grep -q .; then
            RDM_AWARE=1
        fi
        echo "# $SCENARIO: dm-kind=$DM_KIND rdm-aware=$RDM_AWARE" \
             "libxl=$LIBXL_KIND xl-create-rc=$(cat xl-create.rc 2>/dev/null)" \
             "guest=$(cat guest-state 2>/dev/null)"
        for f in *.xl-abort; do
            [ -f "$f" ] || continue
            echo "# $SCENARIO: ${f%.xl-abort}: xl aborted at exit after creating the guest (xl 4.17, not the device model):"
            diag < "$f"
        done
        # /init's timeout stops dom0-run.sh at its budget (status 124):
        # whatever came after was never run, whatever the checks say
        check "dom0's script finished within its budget (status $(cat dom0-run.rc 2>/dev/null))" \
            [ "$(cat dom0-run.rc 2>/dev/null)" = 0 ]
        if [ "$LIBXL_KIND" = patched ]; then
            check "dom0's xl loads our libxenlight and libxlutil from /usr/lib/xen-rdm/lib (ldd)" \
                eval 'grep -q "^[[:space:]]*libxenlight.so.4.17 => /usr/lib/xen-rdm/lib/libxenlight.so.4.17 " libxl-ldd.txt &&
                      grep -q "^[[:space:]]*libxlutil.so.4.17 => /usr/lib/xen-rdm/lib/libxlutil.so.4.17 " libxl-ldd.txt'
            [ -f libxl-ldd.txt ] && ! grep -q "libxenlight.so.4.17 => /usr/lib/xen-rdm/lib/" libxl-ldd.txt &&
                diag < libxl-ldd.txt
            check "dom0 runs our hvmloader in place of Debian's (dpkg-divert; xen-utils-4.17 is the version it is built on)" \
                eval '[ "$(cat hvmloader-kind 2>/dev/null)" = patched ] &&
                      [ "$(cut -d" " -f1 hvmloader-sha256.txt)" = "$(sha256sum < "$XEN_OUT/hvmloader" | cut -d" " -f1)" ]'
        fi
        create_rc=$(cat xl-create.rc 2>/dev/null || echo none)
        if [ "$EXPECT_CREATE" = ok ]; then
            check "xl create succeeds" [ "$create_rc" = 0 ]
            [ "$create_rc" = 0 ] || tail -30 xl-create.log | diag
        elif [ "$EXPECT_CREATE" = fail ]; then
            check "xl create fails" eval '[ "$create_rc" != 0 ] && [ "$create_rc" != none ]'
        fi
        # EXPECT_CREATE=checks: the scenario's checks say which
        if declare -F checks >/dev/null; then
            checks
        fi
        : > ../checks-done
    )
    # the subshell's counters
    if [ -f "$run/tap-counts" ]; then
        . "$run/tap-counts"
    fi
    # checks that stopped half-way are a failure, not a pass
    if [ ! -f "$run/checks-done" ]; then
        N=$((N + 1))
        FAILED=$((FAILED + 1))
        echo "not ok $N - $SCENARIO: the checks ran to their end (they stopped at an error, above)"
    fi
    local verdict=PASS
    [ "$FAILED" -gt "$before" ] && verdict=FAIL
    echo "$SCENARIO $verdict ${secs}s dm=$DM" > "$run/summary.txt"
    echo "# $SCENARIO: $verdict in $secs s"
    [ "$verdict" = PASS ] || fail_report "$run"
}

T0=$(date +%s)
for s in "${SCEN[@]}"; do
    run_scenario "$s"
done
echo "1..$N"
echo "# e2e: $((N - FAILED)) passed, $FAILED failed, $(( $(date +%s) - T0 )) s"
[ "$FAILED" = 0 ]
