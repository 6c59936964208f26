#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every error and warning message the project's code can print is in the
# admin's catalogue (docs/errors.rst, or docs/xen-libxl.rst for libxl's):
# each literal piece of ten characters or more of each message's format
# string must appear there.  Prints TAP.
#
# usage: test-docs-errors.py REPO

import glob
import os
import re
import sys

REPO = sys.argv[1]
C_CALL = re.compile(r'\b(dmar_error|error_setg_errno|error_setg|bad_input|'
                    r'warn_report|error_report|error_prepend|LOGED|LOGD|'
                    r'LOG)\s*\(')
CONV = re.compile(r'%[-+ #0]*[0-9.*]*(?:hh|h|ll|l|z|j|t)?[diouxXcsp]|%%?')
MIN = 10


def c_format(src, pos):
    """The adjacent string literals of the call's format argument"""
    out, depth, i = [], 1, pos
    while i < len(src) and depth:
        c = src[i]
        if c == '"':
            j, s = i + 1, ""
            while src[j] != '"':
                if src[j] == "\\":
                    s += {'"': '"', "n": "\n", "\\": "\\"}.get(src[j + 1],
                                                              src[j + 1])
                    j += 2
                else:
                    s += src[j]
                    j += 1
            # a macro between two literals (PRIx64) ends a conversion
            out.append(s + ("%" if out and False else ""))
            i = j + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 1 and out:
            break
        elif c.isalpha() and out:
            out.append("%")             # PRIx64 and the like
            while i < len(src) and (src[i].isalnum() or src[i] == "_"):
                i += 1
            continue
        i += 1
    return "".join(out)


def messages():
    for f in sorted(glob.glob(os.path.join(REPO, "hw/xen/*.c")) +
                    glob.glob(os.path.join(REPO, "xen-glue/*.c"))):
        src = open(f).read()
        for m in C_CALL.finditer(src):
            yield "%s:%d" % (os.path.relpath(f, REPO),
                             src.count("\n", 0, m.start()) + 1), \
                c_format(src, m.end())
        # the tool's own lines, to stderr or to a buffered copy of it
        for m in re.finditer(r'fprintf\(\w+, "xen-rdm-plan: ', src):
            yield os.path.relpath(f, REPO), c_format(src, m.end() - 15)
    # libxl's messages added by the series, of Xen 4.17 and of 4.20
    for f in sorted(glob.glob(os.path.join(REPO, "patches/xen/*.patch")) +
                    glob.glob(os.path.join(REPO, "patches/xen-4.20/*.patch"))):
        added = "\n".join(l[1:] for l in open(f).read().splitlines()
                          if l.startswith("+") and not l.startswith("+++"))
        for m in C_CALL.finditer(added):
            if m.group(1) in ("LOGD", "LOG", "LOGED") and \
               not re.match(r'\s*(ERROR|WARN)', added[m.end():]):
                continue
            yield os.path.basename(f), c_format(added, m.end())
    src = open(os.path.join(REPO, "scripts/install.sh")).read()
    src = re.sub(r'\$\([^)]*\)', "%", src)
    for m in re.finditer(r'\bdie "((?:[^"\\]|\\.)*)"', src):
        yield "scripts/install.sh", re.sub(r'\$\{?\w+\}?', "%", m.group(1))


def norm(s):
    return " ".join(s.replace("``", "").split())


docs = norm(open(os.path.join(REPO, "docs/errors.rst")).read() + " " +
            open(os.path.join(REPO, "docs/xen-libxl.rst")).read())
n = failed = 0
for where, fmt in messages():
    for piece in CONV.split(fmt):
        piece = norm(piece).strip(" :;,.")
        if piece.startswith("xen-rdm-plan: "):
            piece = piece[len("xen-rdm-plan: "):]
        if len(piece) < MIN:
            continue
        n += 1
        ok = piece in docs
        failed += not ok
        print("%sok %d - %s: \"%s\"" % ("" if ok else "not ", n, where, piece))
print("1..%d" % n)
sys.exit(1 if failed or not n else 0)
