#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Regenerate symbols/*.syms from the installed Xen libraries.

The committed lists come from Debian 12's libxen 4.17 packages; run this
only to re-sync them (python3 update-symbols.py [LIBDIR]).
"""
import os
import subprocess
import sys

LIBS = ["libxenctrl.so.4.17", "libxenforeignmemory.so.1",
        "libxendevicemodel.so.1", "libxenevtchn.so.1", "libxengnttab.so.1",
        "libxenstore.so.4", "libxentoolcore.so.1", "libxencall.so.1"]


def main():
    libdir = sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/x86_64-linux-gnu"
    here = os.path.dirname(os.path.abspath(__file__))
    for lib in LIBS:
        out = subprocess.run(["objdump", "-T", os.path.join(libdir, lib)],
                             check=True, capture_output=True,
                             text=True).stdout
        rows = []
        for line in out.splitlines():
            f = line.split()
            # addr flags... section size version name
            if len(f) < 6 or f[-2].startswith("GLIBC") or \
                    not f[-2].startswith("VERS_"):
                continue
            sect = [x for x in f if x.startswith(".")]
            if not sect or sect[0] not in (".text", ".data", ".bss",
                                           ".rodata", ".data.rel.ro"):
                continue
            kind = "F" if any("F" in x for x in f[1:f.index(sect[0])]) else \
                "O:%d" % int(f[f.index(sect[0]) + 1], 16)
            rows.append((f[-2], f[-1], kind))
        rows.sort(key=lambda r: ([int(x) for x in r[0][5:].split(".")], r[1]))
        with open(os.path.join(here, "symbols", lib + ".syms"), "w") as fh:
            fh.write("# Exported symbols of Debian 12's %s (Xen 4.17), "
                     "from objdump -T\n" % lib)
            fh.write("# VERSION NAME KIND (F: function, O:SIZE: object)\n")
            for r in rows:
                fh.write("%s %s %s\n" % r)


if __name__ == "__main__":
    main()
