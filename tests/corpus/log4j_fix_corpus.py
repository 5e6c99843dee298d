#!/usr/bin/env python3
"""log4j_fix_corpus.py - `kensa log4j --fix` on a copy of every vulnerable
(CRIT) archive of ../shared/corpus/log4j: after the fix each rescans as
mitigated, every other entry is unchanged (tests/gen/zipcmp.py), and
--restore gives back the original byte for byte.  TAP; skip when absent."""
import csv, hashlib, json, os, shutil, subprocess, sys, tempfile

corpus = os.path.join(os.environ.get('KENSA_CORPUS', '../shared/corpus'), 'log4j')
manifest = os.path.join(corpus, 'MANIFEST.tsv')
if not os.path.exists(manifest):
    print('1..1\nok 1 - shared corpus log4j fix # skip absent (%s)' % corpus)
    sys.exit(0)
kensa = os.environ['KENSA']
zipcmp = os.path.join(os.environ.get('KENSA_TOP', '.'), 'tests', 'gen', 'zipcmp.py')
rows = [r for r in csv.DictReader(open(manifest), delimiter='\t')
        if r['expected'] == 'CRIT' and r['kind'] != 'class']


def sha(p):
    return hashlib.sha256(open(p, 'rb').read()).hexdigest()


print('1..%d' % len(rows))
bad = 0
work = tempfile.mkdtemp()
for n, row in enumerate(rows, 1):
    d = os.path.join(work, str(n))
    os.makedirs(d)
    f = os.path.join(d, os.path.basename(row['file']))
    shutil.copy(os.path.join(corpus, row['file']), f)
    h = sha(f)
    bak = os.path.join(work, 'bak%d' % n)
    fix = subprocess.run([kensa, 'log4j', '--fix', '--backup-dir', bak, '--quiet', '--threads', '1', f],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    scan = subprocess.run([kensa, 'log4j', '--json', '--no-summary', f], stdout=subprocess.PIPE)
    recs = [json.loads(l) for l in scan.stdout.decode().splitlines()]
    recs = [r for r in recs if r['event']['kind'] in ('alert', 'state')]
    verdicts = sorted({r['kensa']['verdict'] for r in recs})
    critical = [r['kensa']['path'] for r in recs if r['kensa']['severity'] == 'critical']
    backups = [os.path.join(bak, x) for x in os.listdir(bak) if x.endswith('.kensa-bak')] \
        if os.path.isdir(bak) else []
    why = ''
    # nothing critical is left: mitigated, or nothing left at all (a
    # stripped jar whose only Log4j class was JndiLookup); copies of
    # 2.16.0/2.17.0 in the same war keep their medium CVEs (not JndiLookup's)
    if critical or 'mitigated' not in verdicts and verdicts:
        why = 'after fix: %s %s; %s' % (verdicts, critical, fix.stderr.decode().strip()[:200])
    elif len(backups) != 1:
        why = 'backup missing'
    else:
        cmp = subprocess.run([sys.executable, zipcmp, backups[0], f], stdout=subprocess.PIPE)
        if cmp.returncode:
            why = 'entries changed: ' + cmp.stdout.decode()[:200]
        else:
            subprocess.run([kensa, 'log4j', '--restore', backups[0]], stdout=subprocess.DEVNULL)
            if sha(f) != h:
                why = 'restore did not give the original back'
    print('%s %d - fix %s%s' % ('not ok' if why else 'ok', n, row['file'], ': ' + why if why else ''))
    bad += bool(why)
shutil.rmtree(work)
sys.exit(1 if bad else 0)
