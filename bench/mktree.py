#!/usr/bin/env python3
"""mktree.py DIR - the Log4j benchmark tree: ~24k ordinary files and ~900
archives (jars, wars with nested jars, shaded and renamed copies, a few
holding entries of hundreds of MB), some with vulnerable Log4j, plus the
shapes real hosts have: five identical copies of a ~1.5 MB source
.tar.bz2 (usr/src), ~2,000 small gzip-compressed man and doc pages that
are not tarballs (usr/share), and ~7,000 ordinary headers, python files
and zoneinfo-like binaries (usr/include, usr/lib), some large, whose
tails magic typing looks at.  Prints the number of vulnerable copies
planted, which the bench checks.  Deterministic (seeded), synthetic: the
Log4j classes are the test suite's fingerprints, not Apache's code, and
the text is generated from a word list."""
import bz2, gzip, io, os, random, sys, tarfile, zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'tests', 'gen'))
OUT = sys.argv[1]
random.seed(42)

# reuse the fixture builders without running the fixture script
src = open(os.path.join(os.path.dirname(__file__), '..', 'tests', 'gen', 'mkfixtures.py')).read()
src = src[:src.index("vuln = core_jar()")]
g = {'__name__': 'mk', 'sys': sys}
sys.argv = [sys.argv[0], '/tmp/.kensa-unused']
exec(compile(src, 'mkfixtures', 'exec'), g)
klass, jndilookup, jndimanager, interpolator, pom, FEAT, P, POM2 = (
    g[k] for k in ('klass', 'jndilookup', 'jndimanager', 'interpolator', 'pom', 'FEAT', 'P', 'POM2'))


def filler(n, pkg):
    """n class-like entries of realistic size and compressibility."""
    out = []
    for i in range(n):
        body = klass('%s/C%d' % (pkg, i), 'java/lang/Object',
                     ['method%d_%d' % (i, j) for j in range(20)])
        body += bytes(random.getrandbits(8) for _ in range(random.randint(300, 2500)))
        out.append(('%s/C%d.class' % (pkg, i), body))
    return out


jar = g['zbytes']    # the fixtures' zip builder


def core(feat='vuln', version='2.14.1', prefix=P, with_pom=True):
    e = [(POM2, pom(version))] if with_pom else []
    ls = ('isJndiLookupEnabled',) if feat == '2.17.1' else ('Error looking up JNDI resource [{}].',)
    e += [(prefix + 'lookup/JndiLookup.class', jndilookup(prefix, ls)),
          (prefix + 'net/JndiManager.class', jndimanager(prefix, FEAT[feat])),
          (prefix + 'lookup/Interpolator.class', interpolator(prefix))]
    return e


templates = [jar(filler(random.randint(150, 450), 'com/lib%d' % t)) for t in range(12)]
vuln_core = jar(core() + filler(300, 'org/apache/logging/log4j/core/impl'))
fixed_core = jar(core('2.17.1', '2.17.1') + filler(300, 'org/apache/logging/log4j/core/impl'))
shaded = jar(core(prefix='com/acme/shaded/log4j/core/', with_pom=False) + filler(400, 'com/acme/app'))

def w(path, data):
    full = os.path.join(OUT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, 'wb') as f:
        f.write(data)

planted = 0
for i in range(24000):
    d = 'srv/data/%02d/%02d' % (i % 40, (i // 40) % 25)
    w('%s/file%05d.%s' % (d, i, random.choice(['txt', 'log', 'conf', 'html', 'json'])),
      ('line %d of some ordinary content\n' % i).encode() * random.randint(5, 60))
for i in range(760):
    kind = i % 38
    if kind == 0:
        w('opt/app%d/lib/log4j-core-2.14.1.jar' % i, vuln_core); planted += 1
    elif kind == 1:
        w('opt/app%d/lib/app-all.jar' % i, shaded); planted += 1
    elif kind == 2:
        w('opt/app%d/lib/blob%d.bin' % (i, i), vuln_core); planted += 1
    elif kind == 3:
        w('opt/app%d/lib/log4j-core-2.17.1.jar' % i, fixed_core)
    else:
        w('opt/app%d/lib/lib%d.jar' % (i, i), templates[i % len(templates)])
for i in range(120):
    inner = [('WEB-INF/lib/lib%d.jar' % j, templates[(i + j) % len(templates)]) for j in range(4)]
    if i % 4 == 0:
        inner.append(('WEB-INF/lib/log4j-core-2.14.1.jar', vuln_core)); planted += 1
    w('srv/tomcat/webapps/app%d.war' % i, jar(inner, zipfile.ZIP_STORED if i % 2 else zipfile.ZIP_DEFLATED))
# entries of hundreds of MB: never inflated, never needed
big = io.BytesIO()
with zipfile.ZipFile(big, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('data/huge.bin', b'\0' * (400 << 20))
    for n, d in core():
        z.writestr(n, d)
w('opt/big/huge-with-log4j.jar', big.getvalue()); planted += 1
w('opt/big/stored-random.jar', jar([('blob.bin', os.urandom(150 << 20))] +
                                   filler(50, 'com/big'), zipfile.ZIP_STORED))
# a war whose inner jar is 60 MiB once inflated: spilled, never in memory
text = b''.join(b'%08d filler text for a big inner jar\n' % i for i in range(1700000))
w('srv/tomcat/webapps/big.war', jar([('WEB-INF/lib/big.jar',
    jar([('data/filler.txt', text[:60 << 20])] + core(), zipfile.ZIP_STORED))]))
planted += 1

# ---- the shapes of a real host -------------------------------------------
random.seed(43)
WORDS = ['%s%s' % (random.choice(['get', 'set', 'init', 'free', 'parse', 'read', 'buf', 'len', 'ctx',
                                  'node', 'list', 'hash', 'str', 'open', 'close']),
                   random.choice(['', '_x', '_len', '_data', '_next', '_prev', 'er', 's', '_t', '2']))
         for _ in range(600)] + ['int', 'char', 'return', 'if', 'else', 'for', 'while', 'struct', 'static',
                                 'const', 'void', 'size_t', '{', '}', '(', ')', ';', '=', '==', '->', '*', '0']


def text(n, indent='    ', lead=''):
    """about n bytes of source-like text"""
    out, size = [], 0
    while size < n:
        l = lead + indent * random.randint(0, 3) + ' '.join(
            random.choice(WORDS) for _ in range(random.randint(2, 12))) + '\n'
        out.append(l)
        size += len(l)
    return ''.join(out).encode()


def tar_bytes(members, compress=None):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode='w', format=tarfile.USTAR_FORMAT) as tf:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime, ti.mode = len(data), 1600000000, 0o644
            tf.addfile(ti, io.BytesIO(data))
    return bio.getvalue()


# five identical copies of a ~1.5 MB source .tar.bz2 (no Log4j in it)
src_tbz = bz2.compress(tar_bytes([('pkg-1.0/src/f%03d.c' % i, text(random.randint(5000, 40000)))
                                  for i in range(420)]), 9)
for d in ('usr/src', 'opt/build/cache', 'home/dev/Downloads', 'var/cache/pkg', 'srv/mirror/pool'):
    w('%s/pkg-1.0.tar.bz2' % d, src_tbz)
# ~2,000 small gzip-compressed man and doc pages (not tarballs)
for i in range(1300):
    page = text(random.randint(1500, 12000), indent='', lead='.B ')
    w('usr/share/man/man%d/cmd%04d.%d.gz' % (1 + i % 8, i, 1 + i % 8), gzip.compress(page, 9, mtime=0))
for i in range(700):
    log = text(random.randint(1000, 20000), indent='  * ')
    w('usr/share/doc/pkg%04d/changelog.Debian.gz' % i, gzip.compress(log, 9, mtime=0))
# ordinary files: headers and python (some large), zoneinfo-like binaries
for i in range(3500):
    n = random.choice([2000, 6000, 20000, 90000, 300000]) if i % 10 == 0 else random.randint(300, 8000)
    w('usr/include/lib%02d/h%04d.h' % (i % 60, i), text(n))
for i in range(3000):
    n = random.choice([5000, 30000, 150000]) if i % 15 == 0 else random.randint(300, 12000)
    w('usr/lib/python3/dist-packages/m%02d/mod%04d.py' % (i % 50, i), text(n, indent='    ', lead=''))
for i in range(600):
    body = b'TZif2' + bytes(15) + bytes(random.getrandbits(8) for _ in range(random.randint(100, 3000)))
    w('usr/share/zoneinfo/Area%02d/City%03d' % (i % 12, i), body)
print(planted)
