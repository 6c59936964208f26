# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario: a split guest's life after xl create.  The outer machine's
# e1000 at 00:03.0 has an RMRR at 96 MiB (rmrr=0x6000-0x6000=0:3.0),
# inside the guest's low RAM (384 MiB, mmio_hole=3840: 256 MiB below
# 4 GiB, the rest above).  rdm="strategy=host,layout=split" makes our
# libxl populate RAM around a hole at 96 MiB ([96 MiB, 98 MiB) under
# HAP) without the device, which a guest with a passed-through device
# could not do (libxl saves and migrates no such guest).  Then, one after
# the other, each followed by the device model's layout (query-xen-rdm,
# info mtree -f) and a round of the guest's DMA checks on both sides of
# the hole (e2e_dma_every):
#   1. xl save and xl restore;
#   2. xl migrate to the same host (a stand-in for ssh that runs the
#      receiving xl locally);
#   3. xl mem-set to 320 MiB (the guest's balloon driver gives 64 MiB
#      back), and the pages at the ends of the guest's RAM ranges taken
#      from it as well (range_ends below), then xl save and xl restore
#      of the ballooned guest;
#   4. xl pci-attach of the e1000, strict: its region lies in the hole
#      the guest already has, so QEMU accepts it and Xen assigns it.
# Debian's libxl cannot populate the split layout (its xl drops the rdm=
# line): the scenario is for our libxl, and says so otherwise.
DESC="a split guest saved and restored, migrated, ballooned and restored, then given the device whose RMRR is in its hole"
XEN_RMRR="0x6000-0x6000=0:3.0"
OUTER_ARGS="-device e1000,bus=pcie.0,addr=0x3"
GUEST_CFG='memory = 384
maxmem = 384
mmio_hole = 3840
rdm = "strategy=host,layout=split"
passthrough = "enabled"'
EXPECT_CREATE=checks
TIMEOUT=2400
GUEST_TIMEOUT=480
GUEST_HOLD=3600
DM_ARGS='"-drive", "file=/tmp/e2e-disk.img,if=none,id=e2edisk,format=raw", "-device", "virtio-blk-pci,drive=e2edisk"'
# memmap=4K$ADDR: pages the guest kernel leaves alone, which range_ends
# takes from it: the last page before the hole, the first after it
# (0x6200000 under HAP, 0x6001000 without), the first and the last above
# 4 GiB (0x1081ff000 under HAP, 0x108000000 without)
GUEST_ARGS='xen_emul_unplug=never nokaslr movablecore=128M e2e_dma=vda e2e_dma_hole=0x6000000 e2e_dma_every=15 memmap=4K$0x5fff000 memmap=4K$0x6200000 memmap=4K$0x6001000 memmap=4K$0x100000000 memmap=4K$0x1081ff000 memmap=4K$0x108000000'
DOM0_STEPS='
pre_create() {
    truncate -s 8M /tmp/e2e-disk.img && ls -l /tmp/e2e-disk.img
    timeout 60 xl pci-assignable-add 00:03.0; echo "pci-assignable-add rc=$?"
    # xl migrate runs "SSH HOST xl migrate-receive": here, on this host
    printf "#!/bin/sh\nshift\nexec \"\$@\"\n" > /tmp/e2e-local-ssh
    chmod +x /tmp/e2e-local-ssh
}
# wait_for PATTERN SECS: until the guest console has PATTERN
wait_for() {
    deadline=$(( $(up) + $2 ))
    until grep -q "$1" "$R/guest-serial.log" 2>/dev/null; do
        [ "$(up)" -lt "$deadline" ] || { log "no \"$1\" after $2 s"; return 1; }
        sleep 2
    done
}
# running: the guest is there; else the console so far is the last
# phase'"'"'s, and the steps end
running() {
    [ "$(guest_state)" = there ] && return 0
    log "the guest is gone"
    mv "$R/guest-serial.log" "$R/guest-serial-last.log" 2>/dev/null
    join_console
    return 1
}
# join_console: the whole console, each device model'"'"'s in turn
join_console() {
    cat "$R"/guest-serial-created.log "$R"/guest-serial-restored.log \
        "$R"/guest-serial-migrated.log "$R"/guest-serial-ballooned-restored.log \
        "$R"/guest-serial-last.log > "$R/guest-serial.log" 2>/dev/null
}
# wait_round SECS: until the console of the running device model has a
# whole round of DMA checks
wait_round() {
    deadline=$(( $(up) + $1 ))
    until awk "/^E2E-ROUND [0-9]+ begin/ { b[\$2] = 1 } /^E2E-ROUND [0-9]+ end/ && b[\$2] { f = 1 } END { exit !f }" \
              "$R/guest-serial.log" 2>/dev/null; do
        [ "$(up)" -lt "$deadline" ] || { log "no whole round of DMA checks after $1 s"; return 1; }
        [ "$(guest_state)" != gone ] || { log "the guest is gone"; return 1; }
        sleep 3
    done
}
# phase NAME: the console so far is phase NAME'"'"'s (a device model that
# starts, on restore or migration, writes a new one; the one before keeps
# writing to the file it has open)
phase() {
    mv "$R/guest-serial.log" "$R/guest-serial-$1.log"
}
# layout NAME: what the device model says of guest RAM (over libxl'"'"'s
# QMP socket of the domain: a device model that exits unlinks the path of
# its own sockets, and after a migration to this host the one the
# harness gives both device models is gone), and what the hypervisor
# populated (xl list memory)
layout() {
    L=/var/run/xen/qmp-libxl-$(timeout -k 5 30 xl domid e2e)
    qmp_exec "$L" "{\"execute\":\"query-xen-rdm\"}" "$R/qmp-query-xen-rdm-$1.json"
    qmp_exec "$L" "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info mtree -f\"}}" \
        "$R/qmp-mtree-f-$1.json" 12
    timeout -k 5 30 xl list > "$R/xl-list-$1.txt" 2>&1
    cp /var/log/xen/qemu-dm-e2e.log "$R/qemu-dm-$1.log" 2>/dev/null
}
# range_ends remove|probe NAME: the first and the last page of each RAM
# range in query-xen-rdm-NAME.json (but for page 0 and the last page of
# low RAM, which hold the firmware'"'"'s tables) that the guest kernel
# leaves alone (its memmap=4K$ADDR arguments).  remove takes each from
# the guest as its balloon driver would give it back (the hypervisor'"'"'s
# decrease_reservation, one page), after a probe; remove and probe then
# probe whether the hypervisor has it (a foreign mapping of the page).
# A line per page in range-ends-NAME.txt: ADDR present|absent [removed
# RC] [now present|absent]
range_ends() {
    timeout -k 5 60 python3 - "$1" "$R/qmp-query-xen-rdm-$2.json" "$(timeout -k 5 30 xl domid e2e)" \
        "$GUEST_ARGS" > "$R/range-ends-$2.txt" 2>&1 <<"EOF"
import ctypes, glob, json, re, sys
from ctypes import POINTER, c_int, c_size_t, c_uint, c_uint32, c_ulong, c_void_p
mode, qmp, domid, args = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lay = None
for line in open(qmp, errors="replace"):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if isinstance(o, dict) and isinstance(o.get("return"), dict) and "ram" in o["return"]:
        lay = o["return"]
if lay is None:
    sys.exit("no query-xen-rdm answer in " + qmp)
kept = {int(a, 16) for a in re.findall(r"memmap=4K\$(0x[0-9a-fA-F]+)", args)}
pages = []
for g in lay["ram"]:
    s, e = g["start"], g["start"] + g["size"]
    pages += [p for p in (s, e - 4096)
              if p in kept and p != 0 and p + 4096 != lay["lowmem-end"]]
def lib(name):
    return ctypes.CDLL(sorted(glob.glob("/usr/lib/*/lib%s.so.[0-9]*" % name))[0])
fm = lib("xenforeignmemory")
fm.xenforeignmemory_open.restype = c_void_p
fm.xenforeignmemory_map.restype = c_void_p
fm.xenforeignmemory_map.argtypes = [c_void_p, c_uint32, c_int, c_size_t,
                                    POINTER(c_ulong), POINTER(c_int)]
fm.xenforeignmemory_unmap.argtypes = [c_void_p, c_void_p, c_size_t]
fmh = fm.xenforeignmemory_open(None, 0)
def probe(p):
    gfn, err = (c_ulong * 1)(p >> 12), (c_int * 1)(0)
    a = fm.xenforeignmemory_map(fmh, domid, 1, 1, gfn, err)
    if a:
        fm.xenforeignmemory_unmap(fmh, a, 1)
    return "present" if a and err[0] == 0 else "absent"
if mode == "remove":
    xc = lib("xenctrl")
    xc.xc_interface_open.restype = c_void_p
    xc.xc_domain_decrease_reservation_exact.argtypes = [
        c_void_p, c_uint32, c_ulong, c_uint, POINTER(c_ulong)]
    xch = xc.xc_interface_open(None, None, 0)
for p in pages:
    out = ["0x%x" % p, probe(p)]
    if mode == "remove":
        rc = xc.xc_domain_decrease_reservation_exact(
            xch, domid, 1, 0, (c_ulong * 1)(p >> 12))
        out += ["removed", str(rc), "now", probe(p)]
    print(" ".join(out))
EOF
    log "range_ends $1 $2: $(tr "\n" ";" < "$R/range-ends-$2.txt")"
}
# step NAME COMMAND...: bounded, its log and status in $R
step() {
    n=$1; shift
    log "$n: $*"
    timeout -k 5 600 "$@" > "$R/$n.log" 2>&1
    echo $? > "$R/$n.rc"
    log "$n: rc=$(cat "$R/$n.rc")"
}
post_create() {
    wait_for E2E-GUEST-END "$GUEST_TIMEOUT"
    wait_round 300
    layout created
    phase created

    step xl-save xl -vvv save e2e /tmp/e2e.save
    step xl-restore xl -vvv restore /tmp/e2e.save
    rm -f /tmp/e2e.save
    running || return
    sleep 5
    layout restored
    wait_round 400
    phase restored

    step xl-migrate xl -vvv migrate -s /tmp/e2e-local-ssh e2e localhost
    running || return
    sleep 5
    layout migrated
    wait_round 400

    step xl-mem-set xl mem-set e2e 320
    deadline=$(( $(up) + 120 ))
    # the balloon driver stops within a page or so of the target: xl list
    # says 319 or 320
    until [ "$(xl list e2e 2>/dev/null | awk "\$1 == \"e2e\" { print \$3 }")" -le 320 ] 2>/dev/null ||
          [ "$(up)" -ge "$deadline" ]; do
        sleep 3
    done
    layout ballooned
    range_ends remove ballooned
    phase migrated
    step xl-save-ballooned xl -vvv save e2e /tmp/e2e.save
    # with the configuration it was created with: memory below maxmem
    # (the ballooned guest'"'"'s own) would be populate-on-demand, which
    # libxl refuses with passthrough ("IOMMU required for device
    # passthrough but not supported together with PoD")
    step xl-restore-ballooned xl -vvv restore /tmp/guest.cfg /tmp/e2e.save
    rm -f /tmp/e2e.save
    running || return
    sleep 5
    layout ballooned-restored
    range_ends probe ballooned-restored
    wait_round 400

    d=$(timeout -k 5 30 xl domid e2e)
    qmp_exec /var/run/xen/qmp-libxl-$d \
        "{\"execute\":\"xen-rdm-check-device\",\"arguments\":{\"host\":\"0000:00:03.0\"}}" \
        "$R/qmp-check-device.json"
    step xl-pci-attach xl -vvv pci-attach e2e 00:03.0,rdm_policy=strict
    timeout -k 5 30 xl pci-list e2e > "$R/xl-pci-list.txt" 2>&1
    layout attached
    timeout 60 xl destroy e2e
    phase ballooned-restored
    join_console
}'

# round_ok NAME: the console after step NAME has a whole round of DMA
# checks in which every transfer arrived, on both sides of the hole; the
# last whole round's results in round-NAME.log, as E2E-IO lines
round_ok() {
    local lo hi
    dma_round_ok "guest-serial-$1.log" "round-$1.log" || return 1
    lo=$(guest_io "pages low-below" max "round-$1.log")
    hi=$(guest_io "pages low-above" min "round-$1.log")
    [ -n "$lo" ] && [ -n "$hi" ] && [ $((lo)) -lt $((0x6000000)) ] && [ $((hi)) -gt $((0x6000fff)) ]
}
# layout_same NAME: after step NAME our QEMU maps the RAM it mapped when
# the guest was created (query-xen-rdm's ram, no RAM in the hole, RAM on
# both sides), and says where the layout came from
layout_same() {
    local n=$1 want got
    want=$(qmp_py_ram qmp-query-xen-rdm.json)
    got=$(qmp_py_ram "qmp-query-xen-rdm-$n.json")
    check "$n: query-xen-rdm: the guest RAM of the created guest ($want; now ${got:-no answer})" \
        eval '[ -n "$want" ] && [ "$got" = "$want" ]'
    check "$n: query-xen-rdm says the layout came with the guest (source migration)" \
        qmp_ret "qmp-query-xen-rdm-$n.json" "r['source'] == 'migration'"
    check "$n: info mtree -f: no RAM at 0x6000000, RAM below it and at ${HOLE_AFTER}" \
        eval '! mtree_ram_covers qmp-mtree-f-$n.json 0x6000000 && mtree_ram_covers qmp-mtree-f-$n.json 0x5ffffff && mtree_ram_covers qmp-mtree-f-$n.json $HOLE_AFTER'
}
# range_ends_listed NAME: the pages range-ends-NAME.txt lists
range_ends_listed() {
    [ -f "range-ends-$1.txt" ] && awk '/^0x/ { printf "%s%s", s, $1; s = " " }' "range-ends-$1.txt"
}
# check_range_ends "ADDR...": the ballooned guest has lost the first and
# last pages of its RAM ranges, ADDR...: each was populated, taken
# (decrease_reservation returned 0) and is gone (range-ends-ballooned.txt)
check_range_ends() {
    local ends=$1
    echo "# $SCENARIO: range ends taken from the ballooned guest:"
    diag < range-ends-ballooned.txt
    check "ballooned: the hypervisor gave back the pages at the ends of the RAM ranges ($ends): each present, removed, then absent" \
        eval '[ "$(range_ends_listed ballooned)" = "$ends" ] &&
              [ "$(awk "\$2 == \"present\" && \$3 == \"removed\" && \$4 == 0 && \$6 == \"absent\"" range-ends-ballooned.txt | wc -l)" = "$(echo $ends | wc -w)" ]'
}
# check_range_ends_restored: the restored guest still has none of them
# (range-ends-ballooned-restored.txt: the same pages, each absent)
check_range_ends_restored() {
    check "ballooned and restored: the hypervisor has none of the pages taken ($(range_ends_listed ballooned-restored))" \
        eval '[ -n "$(range_ends_listed ballooned)" ] &&
              [ "$(range_ends_listed ballooned-restored)" = "$(range_ends_listed ballooned)" ] &&
              [ "$(awk "\$2 == \"absent\"" range-ends-ballooned-restored.txt | wc -l)" = "$(range_ends_listed ballooned | wc -w)" ]'
}
# check_split_created: the created guest as split-rmrr-in-low-ram's
# (HOLE_AFTER: where RAM starts again after the hole), and its DMA round
check_split_created() {
    check "xl create succeeded" [ "$(cat xl-create.rc)" = 0 ]
    if guest_hap; then
        HOLE_AFTER=0x6200000
        check_split_populated 0x6000000 0x6000fff 0x10000000 0x108200000 0x18000000 0x6200000
    else
        HOLE_AFTER=0x6001000
        check_split_populated 0x6000000 0x6000fff 0x10000000 0x108001000 0x18000000
    fi
    check "created: a whole round of DMA checks on both sides of the hole" round_ok created
}

checks() {
    if [ "$LIBXL_KIND" != patched ]; then
        check "Debian's libxl cannot populate the split layout: this scenario needs our libxl (libxl-kind $LIBXL_KIND)" false
        return
    fi
    check_split_created
    check "xl save succeeded" [ "$(cat xl-save.rc)" = 0 ]
    check "xl restore succeeded" [ "$(cat xl-restore.rc)" = 0 ]
    layout_same restored
    check "restored: a whole round of DMA checks on both sides of the hole" round_ok restored
    check "xl migrate to this host succeeded" [ "$(cat xl-migrate.rc)" = 0 ]
    layout_same migrated
    check "migrated: a whole round of DMA checks on both sides of the hole" round_ok migrated
    check "xl mem-set 320: the guest gave 64 MiB back, within a MiB (xl list: $(awk '$1 == "e2e" { print $3 }' xl-list-ballooned.txt) MiB)" \
        eval 'm=$(awk "\$1 == \"e2e\" { print \$3 }" xl-list-ballooned.txt); [ -n "$m" ] && [ "$m" -ge 319 ] && [ "$m" -le 320 ]'
    if guest_hap; then
        check_range_ends "0x5fff000 0x6200000 0x100000000 0x1081ff000"
    else
        check_range_ends "0x5fff000 0x6001000 0x100000000 0x108000000"
    fi
    check "xl save of the ballooned guest succeeded" [ "$(cat xl-save-ballooned.rc)" = 0 ]
    check "xl restore of the ballooned guest succeeded" [ "$(cat xl-restore-ballooned.rc)" = 0 ]
    layout_same ballooned-restored
    check_range_ends_restored
    check "ballooned and restored: a whole round of DMA checks on both sides of the hole" round_ok ballooned-restored
    check "the device's region lies in the guest's hole: QEMU answers ok" \
        qmp_ret qmp-check-device.json "r['result'] == 'ok'"
    check "xl pci-attach 00:03.0,rdm_policy=strict succeeded" [ "$(cat xl-pci-attach.rc)" = 0 ]
    check "xl pci-list lists 00:03.0" grep -q "00:03.0" xl-pci-list.txt
    check "attached: the RAM is as before, no new hole (query-xen-rdm)" \
        eval '[ "$(qmp_py_ram qmp-query-xen-rdm-attached.json)" = "$(qmp_py_ram qmp-query-xen-rdm.json)" ]'
}
