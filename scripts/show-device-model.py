#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The device model part of the main job (scripts/run-main.sh): start our
# QEMU's Xen machine on a simulated Xen host (tests/xen-sim, no hypervisor
# needed) the way libxl with our series starts it after populating the
# guest, and print what QEMU built (its guest RAM regions from `info mtree
# -f`, and query-xen-rdm) next to what unmodified QEMU maps for the same
# guest (QEMU's classic layout, which our QEMU itself uses when the
# guest's hvm_info_table is unusable: it is started a second time that
# way, told nothing).
#
# The populated layout is libxl 4.17's, as `xen-rdm-plan --layout compat`
# computes it for the same regions and settings; the simulated host
# reports the regions of the DMAR table to QEMU as Xen would.
#
# usage: show-device-model.py --qemu QEMU --sim LIBDIR --tool XEN_RDM_PLAN
#                             --dmar FILE --memory SIZE [--boundary SIZE]

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time


RAM_LINE = re.compile(r'^\s*([0-9a-f]+)-([0-9a-f]+) \(prio -?\d+, ram\): '
                      r'xen\.ram( |$)')


def die(msg):
    print("show-device-model: error: " + msg, file=sys.stderr)
    sys.exit(1)


class Qmp:
    def __init__(self, path, proc, deadline):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(60)
        while True:
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("QEMU did not start")
                time.sleep(0.01)
        self.buf = b""
        self.read()                             # greeting
        self.cmd("qmp_capabilities")

    def read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall((json.dumps(msg) + "\n").encode())
        while True:
            o = self.read()
            if "return" in o or "error" in o:
                return o


def start_qemu(qemu, sim, dmar, memory, machine, env_extra):
    """Run QEMU until it answers; returns (query-xen-rdm, xen.ram ranges)."""
    with tempfile.TemporaryDirectory() as d:
        sockpath = os.path.join(d, "qmp.sock")
        env = dict(os.environ, LD_LIBRARY_PATH=sim, XEN_SIM_DIR=d,
                   XEN_SIM_RAM=str(memory), XEN_SIM_RDM_DMAR=dmar)
        env.update(env_extra)
        args = [qemu, "-M", machine, "-m", "%dM" % (memory >> 20),
                "-xen-domid", "1", "-nodefaults", "-display", "none",
                "-qmp", "unix:%s,server=on,wait=off" % sockpath]
        err = open(os.path.join(d, "stderr"), "w+")
        proc = subprocess.Popen(args, env=env, stderr=err,
                                stdout=subprocess.DEVNULL)
        try:
            try:
                q = Qmp(sockpath, proc, time.time() + 120)
            except RuntimeError as e:
                err.seek(0)
                die("%s: %s\n%s" % (" ".join(args), e, err.read()))
            info = q.cmd("query-xen-rdm")
            mtree = q.cmd("human-monitor-command",
                          **{"command-line": "info mtree -f"})
            q.sock.sendall(b'{"execute": "quit"}\n')
            proc.wait(timeout=60)
            err.seek(0)
            warnings = [l for l in err.read().splitlines() if "xen-rdm" in l]
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    # "  0000000000000000-000000007b7fffff (prio 0, ram): xen.ram ..."
    ranges = set()
    for line in mtree.get("return", "").splitlines():
        m = RAM_LINE.match(line)
        if m:
            ranges.add((int(m.group(1), 16), int(m.group(2), 16)))
    return info, sorted(ranges), warnings


def covered(ranges, start, size):
    return [r for r in ranges if r[0] < start + size and start <= r[1]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--dmar", required=True)
    ap.add_argument("--memory", required=True)
    ap.add_argument("--boundary", default="2G")
    a = ap.parse_args()

    # the layout libxl 4.17 populates (xen-rdm-plan --layout compat)
    tool = subprocess.run([a.tool, "--dmar", a.dmar, "--memory", a.memory,
                           "--boundary", a.boundary, "--strategy", "host",
                           "--format", "json"], capture_output=True,
                          text=True)
    if tool.returncode not in (0, 1):
        die("xen-rdm-plan: " + tool.stderr.strip())
    plan = json.loads(tool.stdout)
    memory = sum(r["size"] for r in plan["ram"])
    low, high = plan["lowmem-end"], plan["highmem-end"]
    print("libxl 4.17 populates the guest (%d MiB, rdm=\"strategy=host\", "
          "rdm_mem_boundary %s): lowmem_end 0x%x, highmem_end 0x%x"
          % (memory >> 20, a.boundary, low, high))
    if plan.get("result") == "refused":
        print("  (libxl refuses this guest: %s; QEMU is shown with the "
              "layout libxl computed)" % plan.get("reason", ""))

    opts = ("xen-rdm.strategy=host,xen-rdm.policy=relaxed,"
            "xen-rdm.mem-boundary=" + a.boundary)
    ours, ours_ram, ours_warn = start_qemu(
        a.qemu, a.sim, a.dmar, memory, "xenfv," + opts,
        {"XEN_SIM_LOWMEM_END": str(low), "XEN_SIM_HIGHMEM_END": str(high)})
    classic, classic_ram, _ = start_qemu(
        a.qemu, a.sim, a.dmar, memory, "xenfv",
        {"XEN_SIM_HVM_INFO": "none"})
    if "return" not in ours:
        die("our QEMU does not answer query-xen-rdm: %s" % ours)
    r = ours["return"]
    regions = r["regions"]

    print()
    print("Our QEMU, started as libxl with our series starts it "
          "(-M xenfv,%s):" % opts)
    print("  query-xen-rdm: layout %s (from %s), result %s, lowmem-end "
          "0x%x, highmem-end 0x%x%s" % (
              r["layout"], r["source"], r["result"], r["lowmem-end"],
              r["highmem-end"],
              ", plan matches" if "plan" in r and "mismatch" not in r
              else ""))
    if "mismatch" in r:
        print("  mismatch: " + r["mismatch"])
    for w in ours_warn:
        print("  " + w)
    print("  %-40s  %s" % ("guest RAM (info mtree -f, xen.ram)",
                           "unmodified QEMU (classic layout, -m %dM)"
                           % (memory >> 20)))
    for i in range(max(len(ours_ram), len(classic_ram))):
        o = ours_ram[i] if i < len(ours_ram) else None
        c = classic_ram[i] if i < len(classic_ram) else None
        print("  %-40s  %s" % (
            "0x%012x-0x%012x" % o if o else "",
            "0x%012x-0x%012x" % c if c else ""))
    print()
    print("  %-25s %-8s %-9s %-14s %-14s %s" % (
        "reserved region", "policy", "status", "our QEMU's RAM",
        "unmodified's", "devices"))
    for g in regions:
        mine = covered(ours_ram, g["start"], g["size"])
        theirs = covered(classic_ram, g["start"], g["size"])
        print("  0x%010x-0x%010x %-8s %-9s %-14s %-14s %s" % (
            g["start"], g["start"] + g["size"] - 1, g["policy"],
            g["status"], "over it" if mine else "none",
            "over it" if theirs else "none",
            " ".join(g["devices"]) or "(host-wide)"))
    if not regions:
        print("  (the host reports no reserved region)")
    ok = r["lowmem-end"] == low and r["highmem-end"] == high
    print()
    print("Our QEMU maps the RAM libxl populated: %s" % ("yes" if ok else
                                                          "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
