#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmark: what the reserved device memory step costs in QEMU's Xen
# machine initialisation, under xen-sim, for 0 to 10,000 regions, against
# the whole initialisation.  Prints figures; asserts nothing about speed
# (machines are shared and noisy), but checks that every run planned the
# regions it was given, so it cannot measure a failed start.
#
# The RDM step is timed from QEMU's own trace events (-msg timestamp=on):
# from xen_rdm_query (asking the hypervisor) to xen_ram_map (the RAM
# regions built from the plan are mapped: one event, where a trace of
# each region would add its own cost to the step; "-" for a QEMU without
# that event).  The whole initialisation is the wall time from starting
# QEMU until it answers query-status, and the CPU
# time QEMU's threads ran until then (/proc/PID/task/*/schedstat), which
# other jobs on a shared machine change much less than the wall time.
# Each start is paired with a start without xen-rdm just before it, and a
# row's ratios are the medians of its pairs' ratios, so that a load that
# changes over a run weighs on both sides of a ratio.
#
# usage: bench-xen-rdm-init.py [--only CASE [--wrap CMD]] QEMU XEN_SIM_LIBDIR
#   --only CASE  one start only, of CASE: none (without xen-rdm), or
#                LAYOUT:REGIONS, e.g. split:1000
#   --wrap CMD   start QEMU under CMD, e.g. to count the instructions it
#                runs: --wrap 'valgrind --tool=callgrind'

import argparse
import json
import os
import re
import shlex
import socket
import statistics
import subprocess
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("--only")
ap.add_argument("--wrap", default="")
ap.add_argument("qemu")
ap.add_argument("simlib")
ARGS = ap.parse_args()
QEMU, SIMLIB = ARGS.qemu, ARGS.simlib
COUNTS = [0, 1, 10, 100, 1000, 10000]
REPS = 5
TRACE = re.compile(r'^\d+@(\d+\.\d+):(xen_rdm_query|xen_ram_map|'
                   r'xen_rdm_not_requested)\b')


def rdm_file(path, n, layout):
    with open(path, "w") as f:
        for i in range(n):
            if layout == "compat":
                # inside the MMIO hole: reserved, no RAM moves
                start = 0xf0000000 + i * 0x4000
            else:
                # above 4 GiB, 4 MiB apart: each one a hole in high RAM
                # (until the RAM runs out), even 2 MiB aligned
                start = 0x100000000 + i * 0x400000
            f.write("0x%x 4K 0000:00:14.0\n" % start)


def qmp(sock, cmd):
    sock.sendall((json.dumps({"execute": cmd}) + "\n").encode())
    buf = b""
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise RuntimeError("QMP closed")
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            if not line.strip():
                continue
            msg = json.loads(line)
            if "return" in msg or "error" in msg:
                return msg


def cpu_time(pid):
    """Seconds the threads of process @pid have run"""
    ns = 0
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, task)) as f:
                ns += int(f.read().split()[0])
        except FileNotFoundError:
            pass                                # the thread just ended
    return ns / 1e9


def one_run(n, layout, requested):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "host.rdm")
        rdm_file(path, n, layout)
        env = dict(os.environ, LD_LIBRARY_PATH=SIMLIB, XEN_SIM_DIR=d,
                   XEN_SIM_RAM=str(8 << 30), XEN_SIM_RDM_FILE=path)
        if layout == "split":
            # no toolstack populates split layouts: without a table QEMU
            # lays RAM out from its own plan, one alias per RAM range
            env["XEN_SIM_HVM_INFO"] = "none"
        sockpath = os.path.join(d, "qmp.sock")
        machine = "xenfv"
        if requested:
            machine += ",xen-rdm.strategy=host,xen-rdm.layout=" + layout
        args = shlex.split(ARGS.wrap) + [
            QEMU, "-M", machine, "-m", "8G", "-xen-domid", "1",
            "-nodefaults", "-display", "none", "-msg", "timestamp=on",
            "-trace", "xen_rdm_query", "-trace", "xen_ram_map",
            "-trace", "xen_rdm_not_requested",
            "-qmp", "unix:%s,server=on,wait=off" % sockpath]
        # stderr to a file: a full pipe would stall QEMU's tracing
        errf = open(os.path.join(d, "stderr"), "w+")
        t0 = time.time()
        p = subprocess.Popen(args, env=env, stderr=errf,
                             stdout=subprocess.DEVNULL, text=True)
        try:
            deadline = t0 + 120
            while not os.path.exists(sockpath):
                if p.poll() is not None or time.time() > deadline:
                    errf.seek(0)
                    raise RuntimeError("QEMU did not start: " + errf.read())
                time.sleep(0.002)
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(120)
            while True:
                try:
                    s.connect(sockpath)
                    break
                except ConnectionRefusedError:
                    # bound but not yet listening
                    if p.poll() is not None or time.time() > deadline:
                        raise
                    time.sleep(0.002)
            s.recv(65536)                       # greeting
            qmp(s, "qmp_capabilities")
            status = qmp(s, "query-status")
            t1 = time.time()
            cpu = cpu_time(p.pid)
            ranges = None
            if requested:
                plan = qmp(s, "query-xen-rdm")["return"]
                if len(plan["regions"]) != n:
                    raise RuntimeError("planned %d regions, not %d" %
                                       (len(plan["regions"]), n))
                ranges = len(plan["ram"])
            assert status["return"]["status"] == "running", status
            s.sendall(b'{"execute": "quit"}\n')
            p.wait(timeout=60)
            errf.seek(0)
            err = errf.read()
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
    stamps = {}
    for line in err.splitlines():
        m = TRACE.match(line)
        if m:
            stamps.setdefault(m.group(2), []).append(float(m.group(1)))
    if requested and "xen_ram_map" in stamps:
        step = stamps["xen_ram_map"][-1] - stamps["xen_rdm_query"][0]
    else:
        step = None
    return t1 - t0, cpu, step, ranges


def only(case):
    if case == "none":
        r = one_run(0, "compat", False)
        n, layout = "-", "(none)"
    else:
        layout, _, n = case.partition(":")
        if layout not in ("compat", "split") or not n.isdigit():
            raise SystemExit("--only: none, compat:N or split:N, not " +
                             case)
        r = one_run(int(n), layout, True)
    print("%-8s %8s %10s %9s %8s" % ("layout", "regions", "RAM ranges",
                                     "init ms", "cpu ms"))
    print("%-8s %8s %10s %9.1f %8.1f" % (layout, n, r[3] or "-",
                                         r[0] * 1e3, r[1] * 1e3))


def main():
    head = "%-8s %8s %10s %9s %7s %8s %7s %12s %6s"
    row = "%-8s %8s %10s %9.1f %7s %8.1f %7s %12s %6s"
    print(head % ("layout", "regions", "RAM ranges", "init ms", "x none",
                  "cpu ms", "x none", "rdm step ms", "share"))
    base = [one_run(0, "compat", False) for _ in range(REPS)]
    print(row % ("(none)", "-", "-",
                 statistics.median(r[0] for r in base) * 1e3, "1.00",
                 statistics.median(r[1] for r in base) * 1e3, "1.00",
                 "-", "-"))
    for layout in ("compat", "split"):
        for n in COUNTS:
            runs, wall, cpu = [], [], []
            for _ in range(REPS):
                none = one_run(0, "compat", False)
                runs.append(one_run(n, layout, True))
                wall.append(runs[-1][0] / none[0])
                cpu.append(runs[-1][1] / none[1])
            w = statistics.median(r[0] for r in runs)
            step, share = "-", "-"
            if runs[0][2] is not None:
                s = statistics.median(r[2] for r in runs)
                step, share = "%.3f" % (s * 1e3), "%.1f%%" % (100 * s / w)
            print(row % (layout, n, runs[0][3], w * 1e3,
                         "%.2f" % statistics.median(wall),
                         statistics.median(r[1] for r in runs) * 1e3,
                         "%.2f" % statistics.median(cpu), step, share),
                  flush=True)


if ARGS.only:
    only(ARGS.only)
else:
    main()
