#!/usr/bin/env python3
"""log4shell_corpus.py - kensa logs against ../shared/corpus/log4shell.

Ground truth: each malicious/*.labels.tsv line verdict, produced by the
real Log4j resolver (see the corpus README).  Required, one TAP line each:
  - every line labelled `jndi` or `jndi-after-decode` reported as `attack`,
    with the lookup name the resolver found;
  - no line labelled `no-jndi` reported as `attack`;
  - every multiline/ record (one per file) has an `attack`;
  - the post-exploit class fetches are reported;
  - no line of benign/ reported as `attack` (one TAP line per file).
"Skip" when the corpus is absent.
"""
import csv, glob, json, os, subprocess, sys

corpus = os.path.join(os.environ.get('KENSA_CORPUS', '../shared/corpus'), 'log4shell')
if not os.path.isdir(corpus):
    print('1..1\nok 1 - shared corpus log4shell # skip absent (%s)' % corpus)
    sys.exit(0)
kensa = os.environ['KENSA']


def hits(path):
    out = subprocess.run([kensa, 'logs', '--json', '--no-summary', '--threads', '1', path],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    by_line = {}
    for line in out.decode().splitlines():
        rec = json.loads(line)
        if rec['event']['kind'] not in ('alert', 'state'):
            continue
        by_line.setdefault(rec['kensa']['line'], []).append(rec)
    return by_line


results = []   # (ok, description)
for labels in sorted(glob.glob(os.path.join(corpus, 'malicious', '*.labels.tsv'))):
    data = labels[:-len('.labels.tsv')]
    name = os.path.relpath(data, corpus)
    if 'postexploit' in name:
        continue   # scored separately below: no JNDI string, a second stage
    got = hits(data)
    for row in csv.DictReader(open(labels), delimiter='\t'):
        n = int(row['line'])
        recs = got.get(n, [])
        verdicts = sorted({r['kensa']['verdict'] for r in recs})
        lookups = {r['kensa'].get('lookup') for r in recs if r['kensa']['verdict'] == 'attack'}
        v = row['verdict']
        if v in ('jndi', 'jndi-after-decode'):
            want = 'jndi:' + row['jndi_name']
            ok = 'attack' in verdicts and (not row['jndi_name'] or want in lookups)
            why = '' if ok else ' (got %s %s, want %s)' % (verdicts, sorted(filter(None, lookups)), want)
        elif v == 'no-jndi':
            ok = 'attack' not in verdicts
            why = '' if ok else ' (reported as attack: %s)' % sorted(filter(None, lookups))
        else:
            continue   # odd scheme / malformed: a lookup that fails; either verdict
        results.append((ok, '%s:%d [%s%s]%s' % (name, n, v,
                        '/' + row['decode_needed'] if row['decode_needed'] else '', why)))

classfetch = os.path.join(corpus, 'malicious', 'foxit-pcaps-postexploit-classfetch.txt')
if os.path.exists(classfetch):
    got = hits(classfetch)
    total = sum(1 for _ in open(classfetch, 'rb'))
    results.append((len(got) == total, 'post-exploit class fetches: %d of %d lines' % (len(got), total)))

for f in sorted(glob.glob(os.path.join(corpus, 'multiline', '*'))):
    got = hits(f)
    ok = any(r['kensa']['verdict'] == 'attack' for rs in got.values() for r in rs)
    results.append((ok, 'record %s has an attack' % os.path.relpath(f, corpus)))

for f in sorted(glob.glob(os.path.join(corpus, 'benign', '*'))):
    got = hits(f)
    bad = sorted(n for n, rs in got.items() if any(r['kensa']['verdict'] == 'attack' for r in rs))
    results.append((not bad, 'benign %s: no attack%s' % (os.path.relpath(f, corpus),
                                                          '' if not bad else ' (lines %s)' % bad[:10])))

print('1..%d' % len(results))
for i, (ok, d) in enumerate(results, 1):
    print('%s %d - %s' % ('ok' if ok else 'not ok', i, d))
sys.exit(0 if all(ok for ok, _ in results) else 1)
