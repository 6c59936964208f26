#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The cover letter git format-patch --cover-letter wrote, with the subject
# (first line) and text of a cover-letter.txt and a fixed date (the
# series' last patch's): scripts/qemu-series.sh and scripts/xen-series.sh.
#
# usage: fill-cover-letter.py COVER-PATCH COVER-TXT DATE
import sys

path, cover, date = sys.argv[1:]
lines = open(cover).read().split('\n')
subject, blurb = lines[0], '\n'.join(lines[1:]).strip('\n')
text = open(path).read()
text = text.replace('*** SUBJECT HERE ***', subject)
text = text.replace('*** BLURB HERE ***', blurb)
out = []
for line in text.split('\n'):
    if line.startswith('Date: '):
        line = 'Date: ' + date
    out.append(line)
open(path, 'w').write('\n'.join(out))
