#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Whether the patches of a series correspond to their sources (the Xen
# 4.20 series to the 4.17 one, scripts/xen-series.sh): the same author,
# subject (without its [PATCH n/m]) and message, and the same removed
# and added lines of each file in order (context, line numbers and hunk
# boundaries left out).  Says each difference; exit status 1 when any.
#
# usage: patch-correspond.py SERIES-DIR SOURCE...
#            the patches SERIES-DIR/series lists, one per SOURCE in order
#        patch-correspond.py --pair PATCH SOURCE
#            one patch (a port) against its source
import re, sys, email
if sys.argv[1] == '--pair':
    new_dir, series, sources = None, [sys.argv[2]], sys.argv[3:4]
else:
    new_dir, sources = sys.argv[1], sys.argv[2:]
    series = [new_dir + '/' + l.split()[0] for l in open(new_dir + '/series')
              if l.strip() and not l.startswith('#')]

def parse(path):
    text = open(path, encoding='utf-8').read()
    head, _, rest = text.partition('\n---\n')
    msg = email.message_from_string(head + '\n')
    subject = re.sub(r'^\[PATCH[^]]*\]\s*', '', ' '.join(msg['Subject'].split()))
    body = msg.get_payload().strip('\n')
    # per file, its removed and added lines in order; each hunk read as
    # long as its header says (a signature's "-- " is no removed line)
    changes, cur, old, new = [], None, 0, 0
    for line in rest.split('\n'):
        if old > 0 or new > 0:
            if line.startswith('-'):
                old -= 1
                cur.append(line)
            elif line.startswith('+'):
                new -= 1
                cur.append(line)
            elif not line.startswith('\\'):
                old, new = old - 1, new - 1
            continue
        m = re.match(r'diff --git a/\S+ b/(\S+)$', line)
        h = re.match(r'@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@', line)
        if m:
            cur = [m.group(1)]
            changes.append(cur)
        elif h and cur is not None:
            old = int(h.group(1) or 1)
            new = int(h.group(2) or 1)
        elif cur is not None and line.startswith(('new file', 'deleted file')):
            cur.append(line.split(' mode')[0])
    return msg['From'], subject, body, changes

bad = 0
def fail(text):
    global bad
    bad += 1
    print('patch-correspond.py: ' + text, file=sys.stderr)
if len(series) != len(sources):
    fail('%s/series lists %d patches, for %d sources'
         % (new_dir, len(series), len(sources)))
for i, (path, src) in enumerate(zip(series, sources), 1):
    name = path.rsplit('/', 1)[-1]
    try:
        got = parse(path)
    except OSError as e:
        fail('patch %d: %s' % (i, e))
        continue
    want = parse(src)
    short = src.split('/patches/', 1)[-1]
    for what, a, b in (('author', want[0], got[0]), ('subject', want[1], got[1]),
                       ('message', want[2], got[2])):
        if a != b:
            fail('patch %d (%s): its %s is not the one of %s' % (i, name, what, short))
    if want[3] != got[3]:
        files = sorted({c[0] for c in want[3] if c not in got[3]} |
                       {c[0] for c in got[3] if c not in want[3]})
        fail('patch %d (%s): its changes are not those of %s (beyond context '
             'and line numbers) in: %s' % (i, name, short, ' '.join(files) or 'the order of its files'))
sys.exit(1 if bad else 0)
