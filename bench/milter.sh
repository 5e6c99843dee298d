#!/bin/sh
# bench/milter.sh [KENSA] - `kensa milter` in front of a real Postfix
# (tests/milter/pfx.py: confined to a temporary folder, loopback only):
# 2,000 messages from 16 concurrent SMTP clients, once through Postfix
# alone and once with kensa as its milter.  Half the messages are plain
# text, half carry a macro workbook (tests/gen/mkdoc.py's harmless
# benign.xlsm), a few (1 in 50) the Flagpro workbook, which kensa
# rejects.  Reports messages/s, the time of one SMTP transaction
# (connect to the reply after DATA) p50/p99 and what kensa adds to it,
# the milter's peak resident memory (VmHWM) and its own time per message
# (its SIGUSR1 statistics), and accounts for every
# message: delivered (by Message-ID, once) or rejected, nothing else.
# Bounded: 2,000 messages, 16 clients, a 15-minute cap.  Needs root.
set -eu
KENSA=${1:-./build/kensa}
case $KENSA in /*) ;; *) KENSA="$(pwd)/$KENSA" ;; esac
TOP=$(cd "$(dirname "$0")/.." && pwd)
export KENSA TOP
exec timeout 900 python3 - "$@" <<'PY'
import concurrent.futures as cf
import email.message
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.environ['TOP']
KENSA = os.environ['KENSA']
sys.path.insert(0, os.path.join(TOP, 'tests/milter'))
import pfx  # noqa: E402

COUNT, CLIENTS = 2000, 16
work = tempfile.mkdtemp(prefix='kensa-bench-milter-')
os.chmod(work, 0o755)   # the postfix user walks into it
docs = os.path.join(work, 'docs')
subprocess.run(['python3', os.path.join(TOP, 'tests/gen/mkdoc.py'), docs],
               check=True, stdout=subprocess.DEVNULL)
XLSM = open(os.path.join(docs, 'benign.xlsm'), 'rb').read()
FP = open(os.path.join(docs, 'flagpro.xlsm'), 'rb').read()
FRM, TO = 'bench@partner.example', ['user@victim.example']


def message(run, i):
    m = email.message.EmailMessage()
    m['From'] = FRM
    m['To'] = TO[0]
    m['Subject'] = 'bench %d' % i
    m['Message-ID'] = '<%s-%d@bench.example>' % (run, i)
    m.set_content('message %d\n' % i + 'lorem ipsum dolor sit amet\n' * 40)
    if i % 50 == 7:
        m.add_attachment(FP, maintype='application', subtype='vnd.ms-excel.'
                         'sheet.macroEnabled.12', filename='order.xlsm')
    elif i % 2:
        m.add_attachment(XLSM, maintype='application', subtype='vnd.ms-excel.'
                         'sheet.macroEnabled.12', filename='table.xlsm')
    return bytes(m)


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * q))] if v else 0.0


def one_run(run, with_kensa):
    top = os.path.join(work, run)
    os.makedirs(top)
    m = pfx.Milter(KENSA, top) if with_kensa else None
    p = pfx.Postfix(top, m.postfix_spec if m else None, procs=CLIENTS + 4)
    msgs = [message(run, i) for i in range(COUNT)]
    lat, codes = [0.0] * COUNT, [0] * COUNT
    peak = 0
    own = ''
    try:
        if m:
            m.start()
        p.start()

        def send(i):
            t = time.monotonic()
            codes[i] = p.send(msgs[i], FRM, TO)[0]
            lat[i] = (time.monotonic() - t) * 1000

        t0 = time.monotonic()
        with cf.ThreadPoolExecutor(CLIENTS) as ex:
            list(ex.map(send, range(COUNT)))
        wall = time.monotonic() - t0
        # every accepted message delivered (the queue drains)
        want = {'<%s-%d@bench.example>' % (run, i)
                for i in range(COUNT) if codes[i] == 250}
        end = time.time() + 120
        while time.time() < end:
            got = p.delivered()
            if want <= set(got) and p.queued() == 0:
                break
            time.sleep(0.5)
        got = p.delivered()
        if m:
            # the milter's own time per message (SIGUSR1 statistics)
            m.proc.send_signal(signal.SIGUSR1)
            time.sleep(0.5)
            stats = [l for l in m.log().splitlines() if 'stats:' in l]
            own = stats[-1].split('stats: ', 1)[1] if stats else '?'
            for line in open('/proc/%d/status' % m.proc.pid):
                if line.startswith('VmHWM:'):
                    peak = int(line.split()[1]) // 1024
    finally:
        if m:
            m.stop()
        p.stop()
    ids = ['<%s-%d@bench.example>' % (run, i) for i in range(COUNT)]
    delivered = sum(1 for i in range(COUNT) if codes[i] == 250 and len(got.get(ids[i], [])) == 1)
    rejected = sum(1 for c in codes if c // 100 == 5)
    dup = sum(1 for k in got if len(got[k]) > 1)
    other = COUNT - delivered - rejected
    return dict(wall=wall, rate=COUNT / wall, p50=pct(lat, .5), p99=pct(lat, .99),
                delivered=delivered, rejected=rejected, dup=dup, other=other,
                peak=peak, held=p.held(), own=own)


try:
    base = one_run('plain', False)
    kens = one_run('kensa', True)
finally:
    shutil.rmtree(work, ignore_errors=True)
for name, r in (('postfix alone', base), ('postfix + kensa', kens)):
    print('%-16s %6.1f msg/s  p50 %6.1f ms  p99 %6.1f ms  delivered %d  '
          'rejected %d  duplicated %d  unaccounted %d%s' % (
              name, r['rate'], r['p50'], r['p99'], r['delivered'], r['rejected'],
              r['dup'], r['other'],
              '  milter peak RSS %d MiB' % r['peak'] if r['peak'] else ''))
print('kensa milter itself (SIGUSR1): %s' % kens['own'])
print('added by kensa: p50 %+.1f ms, p99 %+.1f ms per message' % (
    kens['p50'] - base['p50'], kens['p99'] - base['p99']))
ok = all(r['other'] == 0 and r['dup'] == 0 for r in (base, kens)) and \
    kens['rejected'] == COUNT // 50 and base['rejected'] == 0
print('every message accounted for' if ok else 'MESSAGES UNACCOUNTED FOR')
sys.exit(0 if ok else 1)
PY
