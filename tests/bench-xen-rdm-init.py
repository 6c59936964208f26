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
# from xen_rdm_query (asking the hypervisor) to the last xen_ram_alias
# (the RAM regions built from the plan).  The whole initialisation is the
# wall time from starting QEMU until it answers query-status.
#
# usage: bench-xen-rdm-init.py QEMU XEN_SIM_LIBDIR

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

QEMU, SIMLIB = sys.argv[1], sys.argv[2]
COUNTS = [0, 1, 10, 100, 1000, 10000]
REPS = 3
TRACE = re.compile(r'^\d+@(\d+\.\d+):(xen_rdm_query|xen_ram_alias|'
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
        args = [QEMU, "-M", machine, "-m", "8G", "-xen-domid", "1",
                "-nodefaults", "-display", "none", "-msg", "timestamp=on",
                "-trace", "xen_rdm_query", "-trace", "xen_ram_alias",
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
    if requested:
        step = stamps["xen_ram_alias"][-1] - stamps["xen_rdm_query"][0]
    else:
        step = None
    return t1 - t0, step, ranges


def main():
    print("%-8s %8s %10s %14s %9s %14s %8s" % ("layout", "regions",
                                                "RAM ranges", "init ms",
                                                "x none", "rdm step ms",
                                                "share"))
    whole = [one_run(0, "compat", False)[0] for _ in range(REPS)]
    none = statistics.median(whole)
    print("%-8s %8s %10s %14.1f %9s %14s %8s" % ("(none)", "-", "-",
                                                 none * 1e3, "1.00", "-",
                                                 "-"))
    for layout in ("compat", "split"):
        for n in COUNTS:
            runs = [one_run(n, layout, True) for _ in range(REPS)]
            w = statistics.median(r[0] for r in runs)
            s = statistics.median(r[1] for r in runs)
            print("%-8s %8d %10d %14.1f %9.2f %14.3f %7.1f%%" %
                  (layout, n, runs[0][2], w * 1e3, w / none, s * 1e3,
                   100 * s / w), flush=True)


main()
