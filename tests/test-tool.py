#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tests of the xen-rdm-plan command line: exit status, one-line reasons on
# stderr, and the JSON / e820 / text output on the bundled sample host
# and on RDM text files written here.
#
# usage: test-tool.py XEN_RDM_PLAN SAMPLE_DMAR

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zlib

TOOL = None
SAMPLE = None
G = 1 << 30
M = 1 << 20
G4 = 4 * G


def libxc_pages(ram):
    """meminit_hvm()'s loop of Xen 4.17 (tools/libs/guest/xg_dom_x86.c)
    over one vmemrange per RAM range, transcribed: its page counts"""
    sp_1g, sp_2m = 1 << 18, 1 << 9      # pages of 4 KiB
    stat = {"4k": 0, "2m": 0, "1g": 0}
    for r in ram:
        cur, end = r["start"] >> 12, (r["start"] + r["size"]) >> 12
        if cur == 0:
            # 0-0x9f populated before the loop, the VGA hole skipped
            cur = 0xc0
            stat["4k"] += 0xc0
        while end > cur:
            count = min(end - cur, sp_1g)
            if cur & (sp_1g - 1) and count > (-cur & (sp_1g - 1)):
                count = -cur & (sp_1g - 1)
            elif count & (sp_1g - 1) and count > sp_1g:
                count &= ~(sp_1g - 1)
            pfn = cur
            if (count | pfn) & (sp_1g - 1) == 0:
                stat["1g"] += count // sp_1g
                cur += count
                count = 0
            if count:
                count = min(count, sp_2m * 4)
                if pfn & (sp_2m - 1) and count > (-pfn & (sp_2m - 1)):
                    count = -pfn & (sp_2m - 1)
                elif count & (sp_2m - 1) and count > sp_2m:
                    count &= ~(sp_2m - 1)
                if (count | pfn) & (sp_2m - 1) == 0:
                    stat["2m"] += count // sp_2m
                    cur += count
                    count = 0
            if count:
                cur += count
                stat["4k"] += count
    return stat


def run(*args):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


class ToolCase(unittest.TestCase):
    """Helpers of the tests below"""

    def plan_json(self, *args, rc=0):
        code, out, err = run(*args, "--format", "json")
        self.assertEqual(code, rc, err)
        return json.loads(out), err

    # a temporary file of @text: a region file, or an xl.cfg (".cfg")
    def rdm_file(self, text, suffix=".rdm"):
        f = tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False)
        f.write(text)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def assert_bad(self, args, needle):
        code, out, err = run(*args)
        self.assertEqual(code, 2, (args, out, err))
        self.assertEqual(out, "")
        lines = err.strip("\n").split("\n")
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith("xen-rdm-plan: "), err)
        self.assertIn(needle, lines[0])

    def check_shape(self, plan, ram_size):
        self.assertEqual(set(plan) - {"reason", "pages"},
                         {"layout", "result", "mmio-start", "lowmem-end",
                          "highmem-end", "ram", "regions", "e820"})
        self.assertIn(plan["layout"], ("compat", "split"))
        self.assertIn(plan["result"], ("ok", "refused"))
        self.assertEqual("reason" in plan, plan["result"] == "refused")
        self.assertEqual("pages" in plan, plan["result"] == "ok")
        if "pages" in plan:
            self.assertEqual(plan["pages"], libxc_pages(plan["ram"]))
        total, prev = 0, -1
        for r in plan["ram"]:
            self.assertEqual(set(r), {"start", "size"})
            self.assertGreater(r["start"], prev)
            self.assertGreater(r["size"], 0)
            prev = r["start"] + r["size"] - 1
            total += r["size"]
        self.assertEqual(total, ram_size)
        starts = [r["start"] for r in plan["regions"]]
        self.assertEqual(starts, sorted(starts))
        for r in plan["regions"]:
            self.assertTrue({"start", "size", "policy", "status",
                             "devices"} <= set(r))
            self.assertIn(r["policy"], ("strict", "relaxed"))
            self.assertIn(r["status"], ("reserved", "ignored", "conflict"))
            if r["status"] != "reserved":
                self.assertIn("conflict", r)
            if r["status"] == "reserved":
                for m in plan["ram"]:
                    self.assertFalse(m["start"] < r["start"] + r["size"] and
                                     r["start"] < m["start"] + m["size"])
        prev = -1
        for e in plan["e820"]:
            self.assertIn(e["type"], ("ram", "reserved"))
            self.assertGreater(e["start"], prev)
            prev = e["start"] + e["size"] - 1


class ToolTest(ToolCase):
    # -- the bundled sample host --------------------------------------

    def test_sample_compat_host(self):
        plan, err = self.plan_json("--dmar", SAMPLE, "--memory", "4G",
                                   "--strategy", "host")
        self.check_shape(plan, 4 * G)
        self.assertEqual(plan["layout"], "compat")
        self.assertEqual(plan["result"], "ok")
        # the USB region above 2 GiB moves lowmem_end to 0xa3e00000 (HAP)
        self.assertEqual(plan["lowmem-end"], 0xa3e00000)
        self.assertEqual(plan["highmem-end"],
                         G4 + 256 * M + 0xf0000000 - 0xa3e00000)
        igd, usb = plan["regions"]
        self.assertEqual((igd["start"], igd["size"]), (0x7b800000, 64 * M))
        self.assertEqual(igd["devices"], ["0000:00:02.0"])
        self.assertEqual(igd["status"], "ignored")
        self.assertEqual(usb["devices"], ["0000:00:14.0", "0000:00:1d.0"])
        self.assertEqual(usb["status"], "reserved")
        # the relaxed conflict is warned about on stderr
        self.assertIn("warning: ignoring RDM 0x7b800000-0x7f7fffff", err)

    def test_sample_split_host(self):
        plan, err = self.plan_json("--dmar", SAMPLE, "--memory", "4G",
                                   "--strategy", "host", "--layout", "split")
        self.check_shape(plan, 4 * G)
        self.assertEqual(plan["result"], "ok")
        self.assertEqual([r["status"] for r in plan["regions"]],
                         ["reserved", "reserved"])
        self.assertEqual(plan["lowmem-end"], 0xf0000000)
        self.assertEqual(err, "")

    def test_strict_device_refused(self):
        code, out, err = run("--dmar", SAMPLE, "--memory", "4G",
                             "--device", "00:02.0")
        self.assertEqual(code, 1)
        self.assertIn("Verdict: REFUSED", out)
        lines = err.strip().split("\n")
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0],
                         "xen-rdm-plan: RDM conflict: region "
                         "0x7b800000-0x7f7fffff (devices: 0000:00:02.0) "
                         "with policy strict collides with guest RAM below "
                         "lowmem_end (at or below rdm_mem_boundary libxl "
                         "does not move lowmem_end)")
        plan, _ = self.plan_json("--dmar", SAMPLE, "--memory", "4G",
                                 "--device", "00:02.0", rc=1)
        self.check_shape(plan, 4 * G)
        self.assertEqual(plan["result"], "refused")
        self.assertEqual(plan["regions"][0]["status"], "conflict")

    def test_relaxed_device_ok(self):
        plan, _ = self.plan_json("--dmar", SAMPLE, "--memory", "4G",
                                 "--device", "0000:00:02.0,rdm_policy=relaxed")
        self.assertEqual(plan["result"], "ok")
        self.assertEqual(plan["regions"][0]["policy"], "relaxed")

    def test_boundary_moves_lowmem(self):
        # with the boundary below the IGD region libxl moves lowmem_end
        plan, _ = self.plan_json("--dmar", SAMPLE, "--memory", "4G",
                                 "--device", "00:02.0", "--boundary", "1G")
        self.assertEqual(plan["result"], "ok")
        self.assertEqual(plan["lowmem-end"], 0x7b800000)

    def test_e820_format(self):
        code, out, err = run("--dmar", SAMPLE, "--memory", "4G",
                             "--strategy", "host", "--format", "e820")
        self.assertEqual(code, 0, err)
        self.assertEqual(out.splitlines(), [
            "[mem 0x0000000000000000-0x00000000a3dfffff] usable",
            "[mem 0x00000000a3eea000-0x00000000a3ef8fff] reserved",
            "[mem 0x0000000100000000-0x000000015c1fffff] usable",
        ])

    def test_pages(self):
        # what libxc populates, as its loop counts it, at every size, in
        # both layouts, with and without HAP; the pages hold the RAM
        seen = set()
        for mem in ("1G", "2G", "3G", "4G", "6G", "8G", "17G"):
            for layout in ("compat", "split"):
                for hap in ((), ("--no-hap",)):
                    plan, _ = self.plan_json("--dmar", SAMPLE, "--memory",
                                             mem, "--strategy", "host",
                                             "--layout", layout, *hap)
                    self.check_shape(plan, sum(r["size"]
                                               for r in plan["ram"]))
                    p = plan["pages"]
                    self.assertEqual(p["4k"] * 4096 + p["2m"] * 2 * M +
                                     p["1g"] * G,
                                     sum(r["size"] for r in plan["ram"]))
                    seen.add((p["1g"] > 0, p["4k"] > 512))
        # the plans above have 1 GiB pages and lack them, have 4 KiB
        # pages beyond the first 2 MiB and none
        self.assertEqual(len(seen), 4, seen)
        # the sample host's 4 GiB guest, in text: compat has two 1 GiB
        # pages (1-2 GiB and 4-5 GiB) and only the first 2 MiB in 4 KiB
        # pages
        code, out, err = run("--dmar", SAMPLE, "--memory", "4G",
                             "--strategy", "host")
        self.assertEqual(code, 0, err)
        self.assertIn("libxc's pages: 4 KiB x 512 (0 B beyond the first "
                      "2 MiB), 2 MiB x 1023, 1 GiB x 2\n", out)
        # split, under HAP, widens the USB controllers' hole to 2 MiB
        # boundaries although low RAM is full: the 2 MiB it displaces go
        # above 4 GiB and only the first 2 MiB are in 4 KiB pages;
        # without HAP the hole is exact and the pages around it 4 KiB
        split = {}
        for hap in ((), ("--no-hap",)):
            code, split[hap], err = run("--dmar", SAMPLE, "--memory", "4G",
                                        "--strategy", "host", "--layout",
                                        "split", *hap)
            self.assertEqual(code, 0, err)
        self.assertIn("  0x00000000a4000000-0x00000000efffffff      1216 MiB\n"
                      "  0x0000000100000000-0x00000001141fffff       322 MiB\n"
                      "libxc's pages: 4 KiB x 512 (0 B beyond the first "
                      "2 MiB), 2 MiB x 2047, 1 GiB x 0\n", split[()])
        self.assertIn("  0x00000000a3ef9000-0x00000000efffffff      ~1.2 GiB\n",
                      split[("--no-hap",)])
        self.assertIn("libxc's pages: 4 KiB x 1024 (2 MiB beyond the first "
                      "2 MiB)", split[("--no-hap",)])
        # a refused plan is populated by no one
        plan, _ = self.plan_json("--dmar", SAMPLE, "--memory", "4G",
                                 "--device", "00:02.0", rc=1)
        self.assertNotIn("pages", plan)

    def test_text_format(self):
        code, out, err = run("--dmar", SAMPLE, "--memory", "2G",
                             "--strategy", "host", "--layout", "split")
        self.assertEqual(code, 0, err)
        self.assertIn("Verdict: OK: 2 regions reserved, 0 ignored", out)
        self.assertIn("0x000000007b800000 0x000000007f7fffff       64 MiB  "
                      "relaxed  reserved  0000:00:02.0", out)

    # -- text files ---------------------------------------------------

    def test_rdm_file_split_first_mib(self):
        path = self.rdm_file("# a USB legacy buffer in the first MiB\n"
                             "0x7c000 4K 0000:00:1d.0\n")
        plan, _ = self.plan_json("--rdm-file", path, "--memory", "1G",
                                 "--layout", "split", "--device", "00:1d.0",
                                 rc=1)
        self.assertEqual(plan["result"], "refused")
        self.assertIn("the first MiB", plan["reason"])
        plan, err = self.plan_json("--rdm-file", path, "--memory", "1G",
                                   "--layout", "split", "--device",
                                   "00:1d.0,rdm_policy=relaxed")
        self.assertEqual(plan["regions"][0]["status"], "ignored")
        self.assertIn("first MiB", err)

    def test_rdm_file_no_hap(self):
        path = self.rdm_file("0xa3eea000 0xf000\n")
        plan, _ = self.plan_json("--rdm-file", path, "--memory", "4G",
                                 "--strategy", "host", "--no-hap")
        self.assertEqual(plan["lowmem-end"], 0xa3eea000)

    def test_mmio_hole(self):
        path = self.rdm_file("")
        plan, _ = self.plan_json("--rdm-file", path, "--memory", "4G",
                                 "--mmio-hole", "1G")
        self.assertEqual(plan["mmio-start"], 3 * G)
        self.assertEqual(plan["ram"], [{"start": 0, "size": 3 * G},
                                       {"start": G4, "size": G}])

    # -- bad usage and input: exit 2, one line --------------------------

    def test_bad_usage(self):
        self.assert_bad(["--dmar", SAMPLE], "--memory SIZE is required")
        self.assert_bad(["--memory", "1G"], "give exactly one RDM source")
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE, "--rdm-file",
                         SAMPLE], "give exactly one RDM source")
        self.assert_bad(["--memory", "1Q", "--dmar", SAMPLE],
                        "--memory: invalid size '1Q'")
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE,
                         "--strategy", "all"], "invalid RDM strategy 'all'")
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE,
                         "--policy", "lax"], "invalid RDM policy 'lax'")
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE,
                         "--layout", "x"], "invalid RDM layout 'x'")
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE,
                         "--format", "xml"], "invalid format 'xml'")
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE,
                         "--device", "00:02"], "invalid PCI device address")
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE,
                         "--device", "00:02.0,rdm_policy=loose"],
                        "invalid RDM policy 'loose'")
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE,
                         "--device", "00:02.0,msitranslate=1"],
                        "unknown option 'msitranslate=1'")
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE,
                         "--device", "00:02.0", "--device", "0:2.0"],
                        "--device: device 0000:00:02.0 is listed twice")
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE,
                         "--mmio-hole", "128M"], "MMIO hole size")
        self.assert_bad(["--memory", "0", "--dmar", SAMPLE],
                        "must not be zero")
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE, "extra"],
                        "unexpected argument 'extra'")
        self.assert_bad(["--memory", "1G", "--bogus"], "Unknown option")
        self.assert_bad(["--memory", "1G", "--rdm-file", SAMPLE,
                         "--sysfs", "/sys"], "--sysfs only applies")

    def test_bad_sources(self):
        self.assert_bad(["--memory", "1G", "--dmar", "/nonexistent/DMAR"],
                        "/nonexistent/DMAR")
        self.assert_bad(["--memory", "1G", "--rdm-file", "/nonexistent/x"],
                        "/nonexistent/x")
        # a DMAR table is not a text file, and the reverse
        self.assert_bad(["--memory", "1G", "--rdm-file", SAMPLE], SAMPLE)
        path = self.rdm_file("0x1000 4K\n")
        self.assert_bad(["--memory", "1G", "--dmar", path], path)
        bad = self.rdm_file("0x1000 0\n")
        self.assert_bad(["--memory", "1G", "--rdm-file", bad], ":1:")

    def test_hostile_inputs(self):
        # a FIFO with no writer, a character device, a directory: refused
        # at once, never read (run() would time out on a hang)
        d = tempfile.mkdtemp()
        self.addCleanup(os.rmdir, d)
        fifo = os.path.join(d, "fifo")
        os.mkfifo(fifo)
        self.addCleanup(os.unlink, fifo)
        for opt, what in (("--dmar", "DMAR table"),
                          ("--rdm-file", "RDM file")):
            self.assert_bad(["--memory", "1G", opt, fifo],
                            "cannot read %s: not a regular file (a FIFO)"
                            % what)
            self.assert_bad(["--memory", "1G", opt, "/dev/zero"],
                            "not a regular file (a character device)")
            self.assert_bad(["--memory", "1G", opt, d],
                            "not a regular file (a directory)")
        # larger than the caps: refused before being read (sparse files)
        for opt, cap, what in (("--dmar", 1 << 20, "DMAR table"),
                               ("--rdm-file", 64 << 20, "RDM file")):
            big = os.path.join(d, "big")
            with open(big, "w") as f:
                f.truncate(cap + 1)
            self.addCleanup(lambda p=big: os.path.exists(p) and os.unlink(p))
            self.assert_bad(["--memory", "1G", opt, big],
                            "it has %d bytes, more than the %d a %s can have"
                            % (cap + 1, cap, what))
            os.unlink(big)
        # --sysfs that is not there or not a sysfs tree
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE,
                         "--sysfs", "/nonexistent/sys"],
                        "--sysfs /nonexistent/sys: no such directory")
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE, "--sysfs", d],
                        "bus/pci/devices: No such file or directory "
                        "(not a sysfs tree?)")
        # a FIFO where a bridge's config space should be: not waited on,
        # the scope stays unresolved
        multi_hop = os.path.join(os.path.dirname(__file__),
                                 "fuzz/corpus-dmar/multi-hop.dat")
        sysfs = os.path.join(d, "sys")
        bridge = os.path.join(sysfs, "bus/pci/devices/0000:00:1c.0")
        os.makedirs(bridge)
        os.mkfifo(os.path.join(bridge, "config"))
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", sysfs]))
        plan, err = self.plan_json("--memory", "1G", "--dmar", multi_hop,
                                   "--strategy", "host", "--sysfs", sysfs)
        devices = [dev for r in plan["regions"] for dev in r["devices"]]
        self.assertIn("unresolved:0000:00:1c.0/00.0/03.1", devices)

    def test_region_and_size_limits(self):
        # regions as the DMAR and hypervisor sources refuse them
        self.assert_bad(["--memory", "1G", "--rdm-file",
                         self.rdm_file("0xffffffffff000 0x2000\n")],
                        "ends beyond 2^52 bytes")
        self.assert_bad(["--memory", "1G", "--rdm-file",
                         self.rdm_file("0xfffffffffffff000 0x1000\n")],
                        "wraps past the end of the 64-bit address space")
        # the wrong kind of wrong size gets its own message
        self.assert_bad(["--memory", str((1 << 64) - 1), "--dmar", SAMPLE],
                        "is too large")
        self.assert_bad(["--memory", "1M", "--dmar", SAMPLE],
                        "is too small: an HVM guest needs more than the "
                        "first MiB")
        self.assert_bad(["--memory", "4097M", "--dmar", SAMPLE,
                         "--mmio-hole", "0x10000800"], "MMIO hole size")
        # MiB given as bytes (xl.cfg's units)
        for opt in ("--memory", "--boundary", "--mmio-hole"):
            args = ["--memory", "4G", "--dmar", SAMPLE]
            if opt == "--memory":
                args[1] = "4096"
            else:
                args += [opt, "2048"]
            self.assert_bad(args, "%s 2048: 2048 bytes is less than 1 MiB; "
                            "xl.cfg gives this in MiB: did you mean 2048M?"
                            % opt if opt != "--memory" else
                            "--memory 4096: 4096 bytes is less than 1 MiB")
        self.assert_bad(["--memory", "1G", "--dmar", SAMPLE, "--device",
                         "00:02.0,rdm_policy=strict,rdm_policy=relaxed"],
                        "rdm_policy is given twice")

    def test_device_region_in_ram_warns_with_fix(self):
        import re
        # a relaxed device whose region stays RAM: a warning, not OK
        code, out, err = run("--dmar", SAMPLE, "--memory", "4G",
                             "--device", "00:02.0,rdm_policy=relaxed")
        self.assertEqual(code, 0, err)
        self.assertIn("Verdict: WARNING: 1 region of passed-through devices "
                      "stays guest RAM", out)
        m = re.search(r"0x7b800000-0x7f7fffff: rdm_mem_boundary = (\d+) "
                      r"\(MiB", out)
        self.assertTrue(m, out)
        # the change it names resolves it
        plan, err = self.plan_json("--dmar", SAMPLE, "--memory", "4G",
                                   "--device", "00:02.0,rdm_policy=relaxed",
                                   "--boundary", m.group(1) + "M")
        self.assertEqual([r["status"] for r in plan["regions"]],
                         ["reserved"])
        # a strict region above 4 GiB: the memory that keeps RAM below it
        path = self.rdm_file("0x140000000 4K 00:14.0\n")
        code, out, err = run("--rdm-file", path, "--memory", "8G",
                             "--device", "00:14.0")
        self.assertEqual(code, 1, err)
        m = re.search(r"never moves RAM above 4 GiB: memory = (\d+) \(MiB",
                      out)
        self.assertTrue(m, out)
        plan, err = self.plan_json("--rdm-file", path, "--memory",
                                   m.group(1) + "M", "--device", "00:14.0")
        self.assertEqual(plan["result"], "ok")
        # a region of no passed-through device ignored: still OK
        code, out, err = run("--dmar", SAMPLE, "--memory", "4G",
                             "--strategy", "host")
        self.assertIn("Verdict: OK", out)

    def test_xl_config(self):
        # xl's units (MiB), libxl's video memory, xl 4.17's rdm= parser
        cfg = self.rdm_file('# a guest\ntype = "hvm"\nmemory = 4096\n'
                            'vga = "stdvga"\n'
                            'rdm = "strategy=host,policy=relaxed"\n'
                            "pci = [ '00:02.0,rdm_policy=relaxed',\n"
                            '        "0000:00:14.0@5" ]\n', ".cfg")
        plan, err = self.plan_json("--xl-config", cfg, "--dmar", SAMPLE)
        # maxmem (= memory) less stdvga's 16 MiB, as libxl__build_hvm()
        self.check_shape(plan, (4096 - 16) * M)
        self.assertIn("xl 4.17 drops the whole setting when it has policy=",
                      err)
        by_start = {r["start"]: r for r in plan["regions"]}
        self.assertEqual(by_start[0x7b800000]["policy"], "relaxed")
        self.assertEqual(by_start[0xa3eea000]["policy"], "strict")
        # strategy=host alone is taken; cirrus (the default) takes 8 MiB
        cfg = self.rdm_file('builder = "hvm"\nmemory = 2048\n'
                            'rdm = "strategy=host"\n'
                            'rdm_mem_boundary = 1024\n'
                            'mmio_hole = 1024\nhap = 0\n', ".cfg")
        plan, err = self.plan_json("--xl-config", cfg, "--dmar", SAMPLE)
        self.check_shape(plan, (2048 - 8) * M)
        self.assertEqual(plan["mmio-start"], G4 - G)
        # both regions above the 1 GiB boundary: lowmem_end below both
        self.assertEqual([r["status"] for r in plan["regions"]],
                         ["reserved", "reserved"])
        self.assertEqual(plan["lowmem-end"], 0x7b800000)
        self.assertEqual(err, "")
        # the text output shows libxl's layout and the split one
        code, out, err = run("--xl-config", cfg, "--dmar", SAMPLE)
        self.assertEqual(code, 0, err)
        self.assertIn("What Xen 4.17's libxl lays out for", out)
        self.assertIn("The split layout for the same guest", out)
        # bad configurations, each named
        for text, needle in (
                ('memory = 1024\n', 'not an HVM guest'),
                ('type = "hvm"\n', 'memory is not set'),
                ('type = "hvm"\nmemory = "1G"\n', ':2: memory must be a '
                 'number'),
                ('type = "hvm"\nmemory = 1024\nmmio_hole = 100\n',
                 ':3: invalid mmio_hole 100: xl takes 256 to 3840 (MiB)'),
                ('type = "hvm"\nmemory = 1024\nmaxmem = 512\n',
                 'maxmem (512 MiB) is below memory (1024 MiB)'),
                ('type = "hvm"\nmemory = 8\n', 'leaves no RAM beside the 8 '
                 'MiB of video memory'),
                ('type = "hvm"\nmemory = 1024\nvga = "vesa"\n',
                 ':3: unknown vga "vesa"'),
                ('type = "hvm"\nmemory = 1024\npci = [ "00:02" ]\n',
                 ':3: pci entry "00:02": invalid PCI device address'),
                # an empty entry: g_strsplit() gives no part (found by
                # fuzz-xl-config under UBSan)
                ('type = "hvm"\nmemory = 1024\npci = [ "", "00:14.0@5" ]\n',
                 ':3: pci entry "": empty PCI device address'),
                ('type = "hvm"\nmemory = 1024\n'
                 'pci = [ "00:02.0", "0:2.0,rdm_policy=relaxed" ]\n',
                 ':3: pci entry "0:2.0,rdm_policy=relaxed": device '
                 '0000:00:02.0 is listed twice'),
                ('type = "hvm"\nmemory = 1024\npci = [ "00:02.0",\n',
                 "the list that starts on line 3 has no ']'"),
                ('type = "hvm\n', ':1: unterminated string'),
                ('type "hvm"\n', ":1: expected '=' after 'type'")):
            self.assert_bad(["--xl-config", self.rdm_file(text, ".cfg"),
                             "--dmar", SAMPLE], needle)
        self.assert_bad(["--xl-config", cfg, "--memory", "1G", "--dmar",
                         SAMPLE], "--xl-config gives the guest's settings")
        self.assert_bad(["--xl-config", "/dev/zero", "--dmar", SAMPLE],
                        "cannot read xl.cfg: not a regular file")

    def test_xenctrl_without_xen(self):
        if os.path.exists("/dev/xen/privcmd") or \
           os.path.exists("/proc/xen/privcmd"):
            self.skipTest("this machine runs on Xen: the no-hypervisor "
                          "error cannot be provoked")
        self.assert_bad(["--memory", "1G", "--xenctrl"],
                        "Xen control interface")


def png_pixels(path):
    """(width, height, rows of (r, g, b, a)) of an 8-bit RGB(A) PNG"""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            hdr = body
        elif kind == b"IDAT":
            idat += body
    w, h = int.from_bytes(hdr[0:4], "big"), int.from_bytes(hdr[4:8], "big")
    depth, ctype, interlace = hdr[8], hdr[9], hdr[12]
    assert depth == 8 and ctype in (2, 6) and interlace == 0, hdr
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p_ = a + b - c
                pa, pb, pc = abs(p_ - a), abs(p_ - b), abs(p_ - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3])
                     for x in range(w)])
        prev = line
    return w, h, rows


def hex_rgb(colour):
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


class SvgTest(ToolCase):
    """--format svg, rendered to PNG (rsvg-convert) and sampled"""

    COLOURS = {"ram": "#4caf50", "reserved": "#1e88e5",
               "ignored": "#fb8c00", "conflict": "#e53935"}

    def render(self, *args):
        if not shutil.which("rsvg-convert"):
            self.skipTest("rsvg-convert (Debian package librsvg2-bin, "
                          "installed by scripts/setup.sh) is missing")
        code, out, err = run(*args, "--format", "svg")
        self.assertIn(code, (0, 1), err)
        svg = ET.fromstring(out)
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        with open(os.path.join(d, "map.svg"), "w") as f:
            f.write(out)
        subprocess.run(["rsvg-convert", "-o", os.path.join(d, "map.png"),
                        os.path.join(d, "map.svg")], check=True, timeout=60)
        return svg, png_pixels(os.path.join(d, "map.png"))

    def centre_colour(self, svg, rows, ident):
        ns = "{http://www.w3.org/2000/svg}"
        for r in svg.iter(ns + "rect"):
            if r.get("id") == ident:
                x = float(r.get("x")) + float(r.get("width")) / 2
                y = float(r.get("y")) + float(r.get("height")) / 2
                return rows[int(y)][int(x)], r
        self.fail("no rect %s in the SVG" % ident)

    def test_sample_host_both_layouts(self):
        svg, (w, h, rows) = self.render("--dmar", SAMPLE, "--memory", "4G",
                                        "--strategy", "host")
        plan, _ = self.plan_json("--dmar", SAMPLE, "--memory", "4G",
                                 "--strategy", "host")
        split, _ = self.plan_json("--dmar", SAMPLE, "--memory", "4G",
                                  "--strategy", "host", "--layout", "split")
        self.assertEqual((w, h), (int(svg.get("width")),
                                  int(svg.get("height"))))
        # every RAM range and every region, in both columns, is drawn in
        # its colour
        for col, p in enumerate((plan, split)):
            for i, _ in enumerate(p["ram"]):
                px, _ = self.centre_colour(svg, rows, "p%d-ram-%d" % (col, i))
                self.assertEqual(px, hex_rgb(self.COLOURS["ram"]),
                                 "RAM range %d of column %d" % (i, col))
            for i, reg in enumerate(p["regions"]):
                px, rect = self.centre_colour(svg, rows,
                                              "p%d-region-%d" % (col, i))
                self.assertEqual(px, hex_rgb(self.COLOURS[reg["status"]]),
                                 "region %d of column %d" % (i, col))
                self.assertIn("0x%x-0x%x" % (reg["start"], reg["start"] +
                                             reg["size"] - 1),
                              rect.find("{http://www.w3.org/2000/svg}title")
                              .text)
        # the sample's IGD region is ignored in compat (RAM over it) and
        # reserved in split (a hole)
        self.assertEqual([r["status"] for r in plan["regions"]][0], "ignored")
        self.assertEqual([r["status"] for r in split["regions"]][0],
                         "reserved")
        # long spans are drawn short, with a break mark
        breaks = [e for e in svg.iter("{http://www.w3.org/2000/svg}polyline")
                  if e.get("class") == "axis-break"]
        self.assertGreater(len(breaks), 0)

    def test_one_layout_and_a_conflict(self):
        f = self.rdm_file("0x4000000 64K 0000:00:14.0\n")
        svg, (w, h, rows) = self.render("--rdm-file", f, "--memory", "256M",
                                        "--device", "00:14.0", "--layout",
                                        "compat")
        ids = [r.get("id") for r in
               svg.iter("{http://www.w3.org/2000/svg}rect") if r.get("id")]
        self.assertFalse([i for i in ids if i.startswith("p1-")],
                         "--layout draws one column")
        px, _ = self.centre_colour(svg, rows, "p0-region-0")
        self.assertEqual(px, hex_rgb(self.COLOURS["conflict"]))

    def test_docs_picture_is_current(self):
        # docs/xen-rdm-plan.rst shows it, with the command that makes it
        code, out, err = run("--dmar", SAMPLE, "--memory", "4G",
                             "--strategy", "host", "--format", "svg")
        self.assertEqual(code, 0, err)
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "..", "docs", "sample-host-map.svg")
        with open(path) as f:
            self.assertEqual(f.read(), out, "docs/sample-host-map.svg is "
                             "not what the tool draws: run the command in "
                             "docs/xen-rdm-plan.rst")

    def test_too_many_regions(self):
        f = self.rdm_file("".join("0x%x 4K\n" % (0x100000000 + i * 0x2000)
                                  for i in range(513)))
        self.assert_bad(["--rdm-file", f, "--memory", "1G", "--strategy",
                         "host", "--format", "svg"],
                        "--format svg draws at most 512 reserved regions, "
                        "the plan has 513")


if __name__ == "__main__":
    TOOL, SAMPLE = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
