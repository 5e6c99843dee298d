#!/usr/bin/env python3
"""zipcmp.py ORIGINAL FIXED - check a `kensa log4j --fix` result: the only
entries gone are JndiLookup.class ones; every other entry keeps its name,
order, method, time, extra field, comment, attributes and bytes; entries
that are not rebuilt archives keep their compressed size and CRC too (they
were copied, not recompressed); nested archives are compared the same way,
all the way down.  Exit 0 when all holds, else print what differs."""
import io, sys, zipfile

bad = []


def cmp(a_bytes, b_bytes, where):
    za = zipfile.ZipFile(io.BytesIO(a_bytes))
    zb = zipfile.ZipFile(io.BytesIO(b_bytes))
    for i in zb.infolist():
        try:
            zb.read(i)
        except NotImplementedError:
            pass   # a method zipfile cannot read: compared as raw below
        except Exception as e:
            bad.append('%s: %s unreadable: %s' % (where, i.filename, e))
    ia = [i for i in za.infolist()]
    ib = {i.filename: i for i in zb.infolist()}
    order_b = [i.filename for i in zb.infolist()]
    kept = [i.filename for i in ia if i.filename in ib]
    if kept != order_b:
        bad.append('%s: order or extra entries differ' % where)
    for i in ia:
        if i.filename not in ib:
            if not i.filename.endswith('JndiLookup.class'):
                bad.append('%s: %s removed' % (where, i.filename))
            continue
        j = ib[i.filename]
        for f in ('compress_type', 'date_time', 'extra', 'comment', 'external_attr',
                  'create_system', 'flag_bits'):
            va, vb = getattr(i, f), getattr(j, f)
            if f == 'flag_bits':
                va, vb = va & ~8, vb & ~8
            if va != vb:
                bad.append('%s!/%s: %s %r != %r' % (where, i.filename, f, va, vb))
        try:
            da, db = za.read(i), zb.read(j)
        except NotImplementedError:
            if (i.CRC, i.compress_size, i.file_size) != (j.CRC, j.compress_size, j.file_size):
                bad.append('%s!/%s: raw entry changed' % (where, i.filename))
            continue
        if da == db:
            if (i.CRC, i.compress_size) != (j.CRC, j.compress_size):
                bad.append('%s!/%s: recompressed' % (where, i.filename))
        elif da[:4] == b'PK\x03\x04' or b'PK\x05\x06' in da[-65557:]:
            cmp(da, db, where + '!/' + i.filename)
        else:
            bad.append('%s!/%s: content changed' % (where, i.filename))


cmp(open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read(), sys.argv[2])
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
