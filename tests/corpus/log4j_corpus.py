#!/usr/bin/env python3
"""log4j_corpus.py - kensa log4j against ../shared/corpus/log4j, whose
MANIFEST.tsv gives the ground truth for each real jar, war and class file
(from the advisories, as the corpus README defines its labels).  One TAP
line per file; "skip" when the corpus is absent (a user's clone).

Required: every CRIT file found as vulnerable (critical) with the right
version, every LOW as vulnerable (not critical), MITIGATED as mitigated,
LOG4J1 as end-of-life, FIXED as patched (only with --all), NONE silent.
"""
import csv, json, os, re, subprocess, sys

corpus = os.path.join(os.environ.get('KENSA_CORPUS', '../shared/corpus'), 'log4j')
manifest = os.path.join(corpus, 'MANIFEST.tsv')
if not os.path.exists(manifest):
    print('1..1\nok 1 - shared corpus log4j # skip absent (%s)' % corpus)
    sys.exit(0)

kensa = os.environ['KENSA']
proc = subprocess.run([kensa, 'log4j', '--json', '--all', '--no-summary', corpus],
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
by_file = {}
for line in proc.stdout.decode().splitlines():
    rec = json.loads(line)          # every line must be valid JSON
    if rec['event']['kind'] not in ('alert', 'state'):
        continue
    rel = os.path.relpath(rec['file']['path'], corpus)
    by_file.setdefault(rel, []).append(rec)

VER = re.compile(r'^(\d+\.\d+(?:\.\d+)?(?:-(?:alpha|beta|rc)\d+)?)')


def covers(found, want):
    """found is "2.14.1" or a range "2.14.0..2.16.0"; want a release."""
    if found == want:
        return True
    if '..' not in found:
        return False
    lo, hi = found.split('..')
    def key(v):
        m = re.match(r'(\d+)\.(\d+)(?:\.(\d+))?(?:-(alpha|beta|rc)(\d+))?', v)
        if not m:
            return (0,)
        pre = {'alpha': 1, 'beta': 2, 'rc': 3, None: 9}[m.group(4)]
        return (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0), pre, int(m.group(5) or 0))
    return key(lo) <= key(want) <= key(hi)


def check(row, recs):
    exp = row['expected']
    real = [r for r in recs if r['kensa']['verdict'] != 'patched']
    verdicts = sorted({r['kensa']['verdict'] for r in real})
    ids = set(i for r in real for i in r.get('vulnerability', {}).get('id', []))
    crit = bool(ids & {'CVE-2021-44228', 'CVE-2021-45046'})
    content = row['log4j_content']
    if exp == 'NONE':
        return not real, 'expected nothing, got %s' % verdicts
    if exp == 'FIXED':
        return not real and any(r['kensa']['verdict'] == 'patched' for r in recs), \
            'expected patched only, got %s' % [r['kensa']['verdict'] for r in recs]
    if exp == 'FIXED/LOW':
        return not crit and verdicts in ([], ['vulnerable']), 'got %s' % verdicts
    if exp == 'LOG4J1':
        return verdicts == ['end-of-life'], 'got %s' % verdicts
    if exp == 'MITIGATED':
        return verdicts == ['mitigated'] and 'CVE-2021-44228' not in ids, \
            'got %s %s' % (verdicts, sorted(ids))
    if exp in ('CRIT', 'CRIT/LOW', 'LOW'):
        if 'vulnerable' not in verdicts:
            return False, 'not found as vulnerable (got %s)' % verdicts
        if exp == 'CRIT' and not crit:
            return False, 'found, but not critical: %s' % sorted(ids)
        if exp == 'LOW' and crit:
            return False, 'reported critical: %s' % sorted(ids)
        # versions: plain ones exactly, "X of A B C" lists covered, war lists each
        m = re.match(r'(?:JndiLookup|JndiManager)\.class of (.*)$', content)
        wants = m.group(1).split() if m else [v.strip() for v in content.split(',')]
        wants = [w for w in wants if VER.match(w) and VER.match(w).group(1) == w]
        # one release in package.version, else the range in kensa.version_range
        found = [r['package'].get('version') or r['kensa']['version_range']
                 for r in real]
        for w in wants:
            if m and 'debian' in w:
                continue
            if m:
                if not any(covers(f, w) for f in found):
                    return False, 'version %s not covered by %s' % (w, found)
            elif w not in found:
                return False, 'version %s not found exactly (got %s)' % (w, found)
        return True, ''
    return True, 'no rule for %s' % exp


rows = list(csv.DictReader(open(manifest), delimiter='\t'))
print('1..%d' % len(rows))
bad = 0
for n, row in enumerate(rows, 1):
    ok, why = check(row, by_file.get(row['file'], []))
    print('%s %d - %s [%s]%s' % ('ok' if ok else 'not ok', n, row['file'], row['expected'],
                                 '' if ok else ': ' + why))
    bad += not ok
sys.exit(1 if bad else 0)
