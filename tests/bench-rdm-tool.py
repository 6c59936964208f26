#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmark: xen-rdm-plan over a region file of 10^6 regions, in both
# layouts and the text, JSON and e820 formats.  Prints the wall time, the
# CPU time (user and system: less disturbed by other jobs on the machine)
# and the peak RSS of each run (the helper runs them: bench-rdm-tool run),
# and their ratios to a reference measured in
# the same run: the trivial reader of the same file (bench-rdm-tool
# reference: read it, strtoull() each line's start and size, qsort() the
# starts, print one line per region), the floor of any tool that reads,
# sorts and prints that many regions.  Then the CPU time and the peak RSS
# of each phase of the same work done in one process (bench-rdm-tool phases),
# which shows the planner's share (xen_rdm_plan_compute(), "plan", and
# freeing its plan) apart from what the tool costs itself: reading and
# parsing the file into a map, checking and formatting the plan.
#
# Asserts nothing about speed (machines are shared and noisy), but checks
# that every run succeeds and prints every region, so that it cannot
# measure a failure.
#
# usage: bench-rdm-tool.py XEN_RDM_PLAN BENCH_RDM_TOOL [NR_REGIONS]
#        bench-rdm-tool.py --region-file PATH [NR_REGIONS]
#          (only write the region file, e.g. for valgrind)

import os
import random
import subprocess
import sys
import tempfile

TOOL, HELPER = sys.argv[1], sys.argv[2]
NR = int(sys.argv[3]) if len(sys.argv) > 3 else 10 ** 6
REPS = 3
LAYOUTS = ["compat", "split"]
FORMATS = ["text", "json", "e820"]
# the guest of every run, the helper's too (bench-rdm-tool.c)
GUEST = ["--memory", "16G", "--strategy", "host"]
# the phases of bench-rdm-tool phases that are the planner's
PLANNER = ("plan", "free-plan")


def region_file(path, n):
    """n regions over 1 MiB..64 GiB, some overlapping, 1-15 pages each,
    each tied to one or two of 8 devices, sizes in K or hex"""
    rng = random.Random(42)
    with open(path, "w") as f:
        f.write("# %d regions made by tests/bench-rdm-tool.py\n" % n)
        for i in range(n):
            start = 0x100000 + (rng.randrange(1 << 24) << 12)
            pages = rng.randrange(1, 16)
            size = "%dK" % (pages * 4) if i % 2 else "0x%x" % (pages << 12)
            devs = "0000:00:%02x.0" % (i % 8)
            if i % 16 == 0:
                devs += " 00:1f.%d" % (i % 7)
            f.write("0x%x %s %s\n" % (start, size, devs))


def measure(args, out_path):
    """(wall seconds, CPU seconds, peak RSS in MiB, exit status) of one
    process, run by the helper (see bench-rdm-tool.c: a child of Python
    would count Python's RSS in its peak)"""
    p = subprocess.run([HELPER, "run", out_path, *args], check=True,
                       capture_output=True, text=True)
    wall, cpu, rss_kib, rc = p.stdout.split()
    return float(wall), float(cpu), int(rss_kib) / 1024.0, int(rc)


def best(args, out_path, check):
    """the fastest of REPS runs (wall, CPU), and the highest peak RSS"""
    walls, cpus, rss = [], [], []
    for _ in range(REPS):
        wall, cpu, peak, rc = measure(args, out_path)
        if rc != 0:
            with open(out_path + ".err") as f:
                sys.exit("bench-rdm-tool: %s: exit %d: %s" %
                         (" ".join(args), rc, f.read(2000)))
        check(out_path)
        walls.append(wall)
        cpus.append(cpu)
        rss.append(peak)
    return min(walls), min(cpus), max(rss)


def tail(path, size=4096):
    with open(path, "rb") as f:
        f.seek(max(0, os.path.getsize(path) - size))
        return f.read().decode()


def check_output(fmt, nr):
    def check(path):
        size = os.path.getsize(path)
        # every region is printed: at least its start and end in hex
        if size < nr * 20:
            sys.exit("bench-rdm-tool: %s output of %d bytes for %d regions"
                     % (fmt, size, nr))
        end = tail(path)
        if fmt == "text" and \
                not end.split("\n")[-2].startswith("Verdict: "):
            sys.exit("bench-rdm-tool: text output without a verdict")
        if fmt == "json" and not end.endswith("]}\n"):
            sys.exit("bench-rdm-tool: JSON output does not end its object")
        if fmt == "e820" and not end.endswith(("] usable\n",
                                               "] reserved\n")):
            sys.exit("bench-rdm-tool: e820 output does not end an entry")
    return check


def phases(path, layout, fmt):
    """{phase: (ms, peak MiB after it)} from the helper, the fastest of
    REPS runs for each phase (RSS: the highest)"""
    out = {}
    for _ in range(REPS):
        p = subprocess.run([HELPER, "phases", path, layout, fmt],
                           capture_output=True, text=True, check=True)
        for field in p.stdout.split()[1:]:
            name, value = field.split("=")
            ms, mib = (float(v) for v in value.split("/"))
            if name in out:
                ms, mib = min(ms, out[name][0]), max(mib, out[name][1])
            out[name] = (ms, mib)
    return out


def main():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "host.rdm")
        region_file(path, NR)
        out = os.path.join(d, "out")
        mib = os.path.getsize(path) / 2 ** 20
        print("xen-rdm-plan --rdm-file FILE %s --layout L --format F" %
              " ".join(GUEST))
        print("FILE: %d regions, %.1f MiB; each figure the fastest of %d "
              "runs (RSS: the highest)" % (NR, mib, REPS))

        ref_wall, ref_cpu, ref_rss = best([HELPER, "reference", path], out,
                                          check_output("reference", NR))
        print("reference (read, strtoull, qsort, print): %.3f s wall, "
              "%.3f s CPU, %.1f MiB" % (ref_wall, ref_cpu, ref_rss))
        print()
        print("%-7s %-5s %7s %6s %7s %6s %8s %6s %8s %8s" %
              ("layout", "fmt", "wall s", "x ref", "CPU s", "x ref",
               "RSS MiB", "x ref", "planner", "the tool"))
        rows = []
        for layout in LAYOUTS:
            for fmt in FORMATS:
                wall, cpu, rss = best([TOOL, "--rdm-file", path, *GUEST,
                                       "--layout", layout, "--format", fmt],
                                      out, check_output(fmt, NR))
                ph = phases(path, layout, fmt)
                plan_s = sum(ph[n][0] for n in PLANNER) / 1000
                own_s = sum(ph[n][0] for n in ph if n not in PLANNER) / 1000
                rows.append((layout, fmt, ph))
                print("%-7s %-5s %7.3f %6.1f %7.3f %6.1f %8.1f %6.1f %7.3fs "
                      "%7.3fs" %
                      (layout, fmt, wall, wall / ref_wall, cpu,
                       cpu / ref_cpu, rss, rss / ref_rss, plan_s, own_s))
        print()
        print("planner, the tool: CPU time of the phases below, the "
              "planner's (plan, free-plan)")
        print("and the tool's own (all others: file, map, check, output, "
              "warnings)")
        print()
        names = ["read", "parse", "plan", "check", "format", "warn",
                 "free-plan", "free-map"]
        print("phases in one process (bench-rdm-tool phases), CPU ms and "
              "the peak RSS in MiB after each:")
        print("%-7s %-5s " % ("layout", "fmt") +
              " ".join("%13s" % n for n in names))
        for layout, fmt, ph in rows:
            print("%-7s %-5s " % (layout, fmt) +
                  " ".join("%6.0f/%6.0f" % ph[n] for n in names))


if __name__ == "__main__":
    if TOOL == "--region-file":
        region_file(HELPER, NR)
    else:
        main()
