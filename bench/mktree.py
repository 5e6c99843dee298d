#!/usr/bin/env python3
"""mktree.py DIR - the Log4j benchmark tree: ~24k ordinary files and ~900
archives (jars, wars with nested jars, shaded and renamed copies, a few
holding entries of hundreds of MB), some with vulnerable Log4j.  Prints
the number of vulnerable copies planted, which the bench checks.
Deterministic (seeded), synthetic: the Log4j classes are the test
suite's fingerprints, not Apache's code."""
import io, os, random, sys, zipfile

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
print(planted)
