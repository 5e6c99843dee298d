#!/usr/bin/env python3
"""mkfixtures.py DIR - build every fixture the CLI tests need, from
nothing: synthetic Log4j classes (a constant pool with the names and the
strings kensa fingerprints, no code), jars, wars, tarballs, exploded
folders and hostile archives.  Nothing here is a real Log4j class; the
real ones are in ../shared/corpus and tested separately.
"""
import gzip, io, lzma, os, struct, sys, tarfile, zipfile

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
P = 'org/apache/logging/log4j/core/'


def klass(this, sup, strings=(), major=52):
    """A minimal class file: Utf8/Class pairs for this and super, the
    extra strings as Utf8 constants, no fields or methods."""
    pool = []
    def utf8(s):
        b = s.encode()
        pool.append(b'\x01' + struct.pack('>H', len(b)) + b)
        return len(pool)
    def cls(s):
        i = utf8(s)
        pool.append(b'\x07' + struct.pack('>H', i))
        return len(pool)
    t = cls(this)
    s = cls(sup)
    for x in strings:
        utf8(x)
    body = b''.join(pool)
    return (b'\xca\xfe\xba\xbe' + struct.pack('>HHH', 0, major, len(pool) + 1)
            + body + struct.pack('>HHHHHHH', 0x21, t, s, 0, 0, 0, 0))


def jndilookup(prefix=P, strings=('Error looking up JNDI resource [{}].',), major=52):
    return klass(prefix + 'lookup/JndiLookup', prefix + 'lookup/AbstractLookup',
                 ('jndi', prefix + 'lookup/StrLookup') + tuple(strings), major)


def jndimanager(prefix=P, strings=(), major=52):
    return klass(prefix + 'net/JndiManager', prefix + 'appender/AbstractManager',
                 tuple(strings), major)


def interpolator(prefix=P, major=52):
    return klass(prefix + 'lookup/Interpolator', prefix + 'lookup/AbstractConfigurationAwareLookup',
                 (prefix + 'lookup/StrLookup',), major)


FEAT = {  # JndiManager strings that changed between releases
    'vuln': (),
    '2.15.0': ('allowedLdapHosts', 'allowedJndiProtocols'),
    '2.16.0': ('allowedLdapHosts', 'isJndiEnabled', 'log4j2.enableJndi'),
    '2.12.2': ('isJndiEnabled', 'log4j2.enableJndi'),
    '2.17.0': ('isJndiEnabled', 'isJndiLookupEnabled', 'isJndiJmsEnabled'),
    '2.17.1': ('isJndiEnabled', 'isJndiLookupEnabled', 'isJndiJdbcEnabled'),
}
POM2 = 'META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties'


def pom(version, artifact='log4j-core', group='org.apache.logging.log4j'):
    return ('version=%s\ngroupId=%s\nartifactId=%s\n' % (version, group, artifact)).encode()


def zbytes(entries, method=zipfile.ZIP_DEFLATED):
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, 'w', method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return bio.getvalue()


def core_jar(version='2.14.1', feat='vuln', prefix=P, with_lookup=True,
             with_pom=True, major=52, lookup_strings=None):
    e = [('META-INF/MANIFEST.MF', b'Manifest-Version: 1.0\n')]
    if with_pom:
        e.append((POM2, pom(version)))
    if with_lookup:
        ls = lookup_strings
        if ls is None:
            ls = ('isJndiLookupEnabled',) if feat in ('2.17.0', '2.17.1') else ('Error looking up JNDI resource [{}].',)
        e.append((prefix + 'lookup/JndiLookup.class', jndilookup(prefix, ls, major)))
    e.append((prefix + 'net/JndiManager.class', jndimanager(prefix, FEAT[feat], major)))
    e.append((prefix + 'lookup/Interpolator.class', interpolator(prefix, major)))
    e.append((prefix + 'Logger.class', klass(prefix + 'Logger', 'java/lang/Object')))
    return zbytes(e)


def write(name, data):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)
    return path


vuln = core_jar()
write('plain/log4j-core-2.14.1.jar', vuln)
write('plain/log4j-core-2.15.0.jar', core_jar('2.15.0', '2.15.0'))
write('plain/log4j-core-2.16.0.jar', core_jar('2.16.0', '2.16.0'))
write('plain/log4j-core-2.12.2.jar', core_jar('2.12.2', '2.12.2', major=51,
                                              lookup_strings=('JNDI is not supported',)))
write('plain/log4j-core-2.17.0.jar', core_jar('2.17.0', '2.17.0'))
write('clean/log4j-core-2.17.1.jar', core_jar('2.17.1', '2.17.1'))
write('clean/log4j-core-2.12.4.jar', core_jar('2.12.4', '2.17.1', major=51))
write('clean/log4j-core-2.3.2.jar', core_jar('2.3.2', '2.17.1', major=50))
# a pom that lies: classes of 2.14.x, pom says 2.17.1
write('plain/liar.jar', core_jar('2.17.1', 'vuln'))

# nesting: war > jar > BOOT-INF/lib jar; tarballs; compressed single jar
boot = zbytes([('BOOT-INF/classes/app/Main.class', klass('app/Main', 'java/lang/Object')),
               ('BOOT-INF/lib/log4j-core-2.14.1.jar', vuln)], zipfile.ZIP_STORED)
war = zbytes([('WEB-INF/web.xml', b'<web-app/>'),
              ('WEB-INF/lib/app.jar', boot),
              ('WEB-INF/lib/other.jar', zbytes([('x.txt', b'x')]))])
write('nested/app.war', war)
write('nested/app.ear', zbytes([('app.war', war)]))
for mode, ext in (('w:gz', 'tar.gz'), ('w:xz', 'tar.xz'), ('w', 'tar')):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode=mode) as t:
        for name, data in (('opt/app/readme.txt', b'hello'), ('opt/app/lib/log4j-core-2.14.1.jar', vuln)):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    write('nested/image.' + ext, bio.getvalue())
write('nested/log4j-core-2.14.1.jar.gz', gzip.compress(vuln))
# the same bytes under several names: a clean library twice, the vulnerable
# jar twice (identical nested archives are scanned once only when clean)
clean_lib = zbytes([('com/x/A.class', klass('com/x/A', 'java/lang/Object'))])
write('repeat/twice.war', zbytes([('WEB-INF/lib/a.jar', clean_lib),
                                  ('WEB-INF/lib/b.jar', clean_lib),
                                  ('WEB-INF/lib/log4j-core-2.14.1.jar', vuln),
                                  ('WEB-INF/lib/copy-of-log4j.jar', vuln)]))
# a 40 MiB inner jar, deflated inside its war: inflated to a spill file,
# never held in memory
text = b''.join(b'%08d some log-like filler text for the big jar\n' % i for i in range(800000))
vz = zipfile.ZipFile(io.BytesIO(vuln))
bigjar = zbytes([('data/filler.txt', text[:40 << 20])] +
                [(n, vz.read(n)) for n in vz.namelist()], zipfile.ZIP_STORED)
write('big/big-inner.war', zbytes([('WEB-INF/lib/big.jar', bigjar)]))
bio = io.BytesIO()
with tarfile.open(fileobj=bio, mode='w:gz', compresslevel=1) as t:
    ti = tarfile.TarInfo('opt/app/big.jar')
    ti.size = len(bigjar)
    t.addfile(ti, io.BytesIO(bigjar))
write('big/image.tar.gz', bio.getvalue())

# shading and relocation
write('shaded/fat.jar', zbytes([
    ('META-INF/MANIFEST.MF', b'Manifest-Version: 1.0\n'),
    ('com/acme/Main.class', klass('com/acme/Main', 'java/lang/Object')),
    ('com/acme/shaded/log4j/core/lookup/JndiLookup.class', jndilookup('com/acme/shaded/log4j/core/')),
    ('com/acme/shaded/log4j/core/net/JndiManager.class', jndimanager('com/acme/shaded/log4j/core/')),
    ('com/acme/shaded/log4j/core/lookup/Interpolator.class', interpolator('com/acme/shaded/log4j/core/'))]))
write('shaded/rootreloc.jar', zbytes([
    ('lookup/JndiLookup.class', jndilookup('')),
    ('net/JndiManager.class', jndimanager('', FEAT['2.15.0']))]))
write('shaded/two-copies.jar', zbytes([
    (POM2, pom('2.16.0')),
    (P + 'lookup/JndiLookup.class', jndilookup()),
    (P + 'net/JndiManager.class', jndimanager(P, FEAT['2.16.0'])),
    ('x/y/lookup/JndiLookup.class', jndilookup('x/y/')),
    ('x/y/net/JndiManager.class', jndimanager('x/y/'))]))

# mitigation and its look-alikes
write('mitigated/removed.jar', core_jar(with_lookup=False))
write('mitigated/renamed.jar', zbytes([
    (POM2, pom('2.1')),
    (P + 'lookup/JndiLookupOther.class', jndilookup()),
    (P + 'net/JndiManager.class', jndimanager()),
    (P + 'lookup/Interpolator.class', interpolator())]))
write('mitigated/removed-2.16.0.jar', core_jar('2.16.0', '2.16.0', with_lookup=False))

# things that only talk about Log4j: silent
write('silent/log4j-api-2.14.1.jar', zbytes([
    ('META-INF/maven/org.apache.logging.log4j/log4j-api/pom.properties', pom('2.14.1', 'log4j-api')),
    ('org/apache/logging/log4j/Logger.class', klass('org/apache/logging/log4j/Logger', 'java/lang/Object'))]))
write('silent/lookalike.jar', zbytes([
    ('com/example/lookup/JndiLookup.class', klass('com/example/lookup/JndiLookup', 'java/lang/Object')),
    ('com/example/net/JndiManager.class', klass('com/example/net/JndiManager', 'java/lang/Object'))]))
write('silent/scanner.zip', zbytes([
    ('scanner/Main.class', klass('scanner/Main', 'java/lang/Object',
                                 ('org/apache/logging/log4j/core/lookup/JndiLookup.class', 'JndiManager')))]))
write('silent/log4j-1.2-api-2.17.1.jar', zbytes([
    ('META-INF/maven/org.apache.logging.log4j/log4j-1.2-api/pom.properties', pom('2.17.1', 'log4j-1.2-api')),
    ('org/apache/log4j/Logger.class', klass('org/apache/log4j/Logger', 'org/apache/log4j/Category',
                                            ('org/apache/logging/log4j/spi/LoggerContext',)))]))
write('silent/notazip.jar', b'this is not a zip file, only a name\n')
write('silent/readme.txt', b'log4j-core 2.14.1 JndiLookup ${jndi:ldap://x}\n')

# log4j 1.x
write('v1/log4j-1.2.17.jar', zbytes([
    ('META-INF/maven/log4j/log4j/pom.properties', pom('1.2.17', 'log4j', 'log4j')),
    ('org/apache/log4j/Logger.class', klass('org/apache/log4j/Logger', 'org/apache/log4j/Category')),
    ('org/apache/log4j/net/JMSAppender.class', klass('org/apache/log4j/net/JMSAppender', 'org/apache/log4j/AppenderSkeleton')),
    ('org/apache/log4j/net/SocketServer.class', klass('org/apache/log4j/net/SocketServer', 'java/lang/Object'))]))

# log4j 1.2.17 as a distribution rebuilt it (Debian's liblog4j1.2-java
# 1.2.17-9 and later): JMSAppender and JMSSink gone, SocketNode and
# chainsaw reading through HardenedObjectInputStream, JDBCAppender with a
# PreparedStatement; SMTPAppender as upstream left it (CVE-2020-9488).
L1 = 'org/apache/log4j/'
def v1_backported(smtp_fixed=False, hardened=True):
    st = 'org/apache/log4j/net/HardenedObjectInputStream' if hardened else 'java/io/ObjectInputStream'
    return zbytes([
        ('META-INF/MANIFEST.MF', b'Manifest-Version: 1.0\nBundle-Name: Apache Log4j\n'
                                 b'Implementation-Title: log4j\nImplementation-Version: 1.2.17\n'),
        (L1 + 'Logger.class', klass(L1 + 'Logger', L1 + 'Category')),
        (L1 + 'net/HardenedObjectInputStream.class', klass(L1 + 'net/HardenedObjectInputStream', 'java/io/ObjectInputStream')),
        (L1 + 'net/SocketServer.class', klass(L1 + 'net/SocketServer', 'java/lang/Object')),
        (L1 + 'net/SocketNode.class', klass(L1 + 'net/SocketNode', 'java/lang/Object', (st,))),
        (L1 + 'jdbc/JDBCAppender.class', klass(L1 + 'jdbc/JDBCAppender', L1 + 'AppenderSkeleton',
                                               ('java/sql/PreparedStatement',) if hardened else ('java/sql/Statement',))),
        (L1 + 'chainsaw/LoggingReceiver$Slurper.class', klass(L1 + 'chainsaw/LoggingReceiver$Slurper', 'java/lang/Object', (st,))),
        (L1 + 'net/SMTPAppender.class', klass(L1 + 'net/SMTPAppender', L1 + 'AppenderSkeleton',
                                              ('mail.smtp.ssl.checkserveridentity',) if smtp_fixed else ('mail.smtp',)))])
write('v1bp/log4j-1.2-1.2.17-debian.jar', v1_backported())
write('v1bp/log4j-1.2.17-allfixed.jar', v1_backported(smtp_fixed=True))
# the same classes without the fixes: every CVE stays
write('v1bp/log4j-1.2.17-upstream.jar', v1_backported(hardened=False))
# a look-alike: the marker string in a class of another name fixes nothing
write('v1bp/log4j-1.2.17-fake.jar', zbytes([
    (L1 + 'Logger.class', klass(L1 + 'Logger', L1 + 'Category')),
    (L1 + 'net/SocketServer.class', klass(L1 + 'net/SocketServer', 'java/lang/Object')),
    (L1 + 'net/SocketNode.class', klass('com/example/SocketNode', 'java/lang/Object',
                                         ('org/apache/log4j/net/HardenedObjectInputStream',)))]))

# a multi-release jar with a second copy under META-INF/versions/9/
V9 = 'META-INF/versions/9/'
write('multirelease/mr.jar', zbytes([
    ('META-INF/MANIFEST.MF', b'Manifest-Version: 1.0\nMulti-Release: true\n'),
    (POM2, pom('2.14.1')),
    (P + 'lookup/JndiLookup.class', jndilookup()),
    (P + 'net/JndiManager.class', jndimanager()),
    (V9 + P + 'lookup/JndiLookup.class', jndilookup()),
    (V9 + P + 'net/JndiManager.class', jndimanager())]))

# pom survives, classes renamed by an obfuscator
write('obfuscated/app-obf.jar', zbytes([
    (POM2, pom('2.14.1')), ('a/a.class', klass('a/a', 'a/b')), ('a/b.class', klass('a/b', 'java/lang/Object'))]))

# exploded class folder with its pom
for name, data in ((P + 'lookup/JndiLookup.class', jndilookup()),
                   (P + 'net/JndiManager.class', jndimanager()),
                   (P + 'lookup/Interpolator.class', interpolator()),
                   (POM2, pom('2.14.1'))):
    write('exploded/WEB-INF/classes/' + name, data)
for name, data in ((P + 'net/JndiManager.class', jndimanager()),
                   (P + 'lookup/Interpolator.class', interpolator())):
    write('exploded-mitigated/classes/' + name, data)

# type by magic, not name
write('magic/data.bin', vuln)
write('magic/launcher', b'#!/bin/sh\nexec java -jar "$0" "$@"\n' + vuln)
write('magic/app.jmod', b'JM\x01\x00' + vuln)
write('magic/trailing-junk.jar', vuln + b'\0JUNK' * 300)


class Unseekable(io.RawIOBase):
    def __init__(self):
        self.b = bytearray()
    def writable(self):
        return True
    def write(self, d):
        self.b += d
        return len(d)


u = Unseekable()
with zipfile.ZipFile(u, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr(POM2, pom('2.14.1'))
    z.writestr(P + 'lookup/JndiLookup.class', jndilookup())
    z.writestr(P + 'net/JndiManager.class', jndimanager())
write('magic/descriptors.jar', bytes(u.b))

# hostile and corrupt
write('hostile/truncated.jar', vuln[:len(vuln) // 2])
write('hostile/empty.jar', b'')
deep = vuln
for i in range(20):
    deep = zbytes([('level%d.jar' % i, deep)], zipfile.ZIP_STORED)
write('hostile/deep.jar', deep)
write('hostile/bomb.jar', zbytes([('inner.jar', b'PK\x03\x04' + b'\0' * (300 << 20))]))
# an entry with a compression method nobody supports, before the classes
bad = bytearray(zbytes([('decoy/net/JndiManager.class', jndimanager('decoy/')), ]))
cd = bad.rfind(b'PK\x01\x02')
bad[8:10] = struct.pack('<H', 99)
bad[cd + 10:cd + 12] = struct.pack('<H', 99)
write('hostile/badmethod.jar', zbytes([('decoy.jar', bytes(bad)), ('log4j-core-2.14.1.jar', vuln)]))
many = io.BytesIO()
with zipfile.ZipFile(many, 'w', zipfile.ZIP_STORED) as z:
    for i in range(70000):
        z.writestr('f/%d.txt' % i, b'')
    z.writestr(P + 'lookup/JndiLookup.class', jndilookup())
    z.writestr(P + 'net/JndiManager.class', jndimanager())
write('zip64/many-entries.jar', many.getvalue())
# a name with a newline and a byte that is not UTF-8
os.makedirs(os.path.join(OUT, 'names'), exist_ok=True)
with open(os.path.join(OUT.encode(), b'names', b'evil\nname\xff.jar'), 'wb') as f:
    f.write(vuln)

# symlinks: a version link is one copy; a loop must end
os.makedirs(os.path.join(OUT, 'links/lib'), exist_ok=True)
write('links/lib/log4j-core-2.14.1.jar', vuln)
os.symlink('log4j-core-2.14.1.jar', os.path.join(OUT, 'links/lib/log4j-core.jar'))
os.symlink('..', os.path.join(OUT, 'links/lib/loop'))
print('fixtures in', OUT)
