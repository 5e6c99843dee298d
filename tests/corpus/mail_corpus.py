#!/usr/bin/env python3
"""mail_corpus.py - kensa mail against ../shared/corpus/mail.

Ground truth: MANIFEST.tsv.  One TAP line per file:
  - parsed without a crash or a hang: exit status 0 or 1 within the time
    limit, every output line a JSON record, no signal;
  - every attachment the `obs_attachments` column lists (names joined by
    '|') is reached: named by a mail's record (`kensa mail --all` writes
    one state record per mail, email.attachments.file.name) or by the
    path of a record.  Names the column lists that are not MIME
    attachments of the message itself are not required: files inside a
    TNEF winmail.dat (opened, formats/tnef.c, but a clean file inside
    gives no record that would name it), the "header"/"dsn_status"
    pseudo-parts of delivery reports, and the attachment of a
    message/partial fragment (reassembled only when all fragments are in
    one mbox; a lone fragment is noted with a warning).  A name the column holds with U+FFFD (raw 8-bit bytes
    that are not UTF-8) matches any one character in that place: kensa
    decodes such names with its fallback charsets.
"Skip" when the corpus is absent.
"""
import csv, json, os, re, subprocess, sys

corpus = os.path.join(os.environ.get('KENSA_CORPUS', '../shared/corpus'), 'mail')
if not os.path.isdir(corpus):
    print('1..1\nok 1 - shared corpus mail # skip absent (%s)' % corpus)
    sys.exit(0)
kensa = os.environ['KENSA']
NOT_PARTS = {'header', 'dsn_status'}

results = []
for row in csv.DictReader(open(os.path.join(corpus, 'MANIFEST.tsv'), encoding='utf-8'),
                          delimiter='\t'):
    path = os.path.join(corpus, row['file'])
    if not os.path.isfile(path):
        continue
    why = ''
    try:
        p = subprocess.run([kensa, 'mail', '--all', '--json', '--no-summary', '--threads', '1',
                            path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    except subprocess.TimeoutExpired:
        results.append((False, row['file'] + ': hang (120 s)'))
        continue
    if p.returncode not in (0, 1):
        why = 'exit status %d: %s' % (p.returncode, p.stderr.decode(errors='replace')[:200])
    reached = set()
    for line in p.stdout.decode('utf-8', errors='replace').splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            why = why or 'not JSON: ' + line[:80]
            continue
        names = (((rec.get('email') or {}).get('attachments') or {}).get('file') or {}).get('name')
        if isinstance(names, list):
            reached.update(names)
        elif isinstance(names, str):
            reached.add(names)
        kp = (rec.get('kensa') or {}).get('path') or ''
        for comp in kp.split('!/'):
            reached.add(comp)
    want = [n for n in row['obs_attachments'].split('|')
            if n and n not in NOT_PARTS and '(inside TNEF)' not in n]
    if 'tnef' in row['container'].lower() or 'message/partial' in row['expected']:
        want = []

    def seen(n):
        if '\ufffd' not in n:
            return n in reached
        pat = re.compile('^' + '.{1,2}'.join(re.escape(x) for x in re.split('\ufffd+', n)) + '$')
        return any(pat.match(r) for r in reached)
    missing = [n for n in want if not seen(n)]
    if missing and not why:
        why = 'attachments not reached: %s (reached: %s)' % (
            '|'.join(missing), '|'.join(sorted(reached))[:300])
    results.append((not why, row['file'] + (': ' + why if why else '')))

print('1..%d' % len(results))
for i, (ok, desc) in enumerate(results, 1):
    print('%s %d - %s' % ('ok' if ok else 'not ok', i, desc))
sys.exit(0 if all(ok for ok, _ in results) else 1)
