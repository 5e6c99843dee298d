#!/usr/bin/env python3
"""mktnef.py OUT.dat FILE... - a TNEF stream (winmail.dat) carrying FILEs,
as Outlook writes one (MS-OXTNEF): the signature and key, the message's
version, class and code page, then per file its rendering data, its 8.3
title (attAttachTitle), its bytes (attAttachData) and a MAPI property
list (attAttachment) with the long file name (PR_ATTACH_LONG_FILENAME,
PT_UNICODE) after a named property and a multi-valued one, so a reader
must walk the list to find the name.

  --damage  cut the stream inside the last attribute (the files before it
            must still come out)
  --cp932   write the names as Japanese Outlook does in a non-Unicode
            stream: 8-bit (PT_STRING8) in the stream's code page, 932
  --as NAME name the (first) file NAME instead of its own name
"""
import os
import struct
import sys


def attr(level, aid, data):
    return (struct.pack('<BII', level, aid, len(data)) + data +
            struct.pack('<H', sum(data) & 0xFFFF))


def pad4(b):
    return b + b'\0' * (-len(b) % 4)


def mapi_props(longname, cp932=False):
    props = []
    # a named property (GUID, kind 1: a UTF-16 name), PT_LONG
    name = 'x-kensa'.encode('utf-16-le') + b'\0\0'
    props.append(struct.pack('<HH', 0x0003, 0x8001) + b'\x11' * 16 +
                 struct.pack('<II', 1, len(name)) + pad4(name) +
                 struct.pack('<I', 7))
    # a multi-valued PT_LONG (0x1003), three values
    props.append(struct.pack('<HH', 0x1003, 0x6001) +
                 struct.pack('<IIII', 3, 1, 2, 3))
    # PR_ATTACH_METHOD (PT_LONG) = 1, by value
    props.append(struct.pack('<HHI', 0x0003, 0x3705, 1))
    # PR_ATTACH_LONG_FILENAME, PT_UNICODE (or PT_STRING8 in cp932)
    if cp932:
        ln = longname.encode('cp932') + b'\0'
        props.append(struct.pack('<HHII', 0x001E, 0x3707, 1, len(ln)) + pad4(ln))
    else:
        ln = longname.encode('utf-16-le') + b'\0\0'
        props.append(struct.pack('<HHII', 0x001F, 0x3707, 1, len(ln)) + pad4(ln))
    return struct.pack('<I', len(props)) + b''.join(props)


def short_name(name, cp932=False):
    base, ext = os.path.splitext(name)
    return (base[:3].upper() + '~1' + ext[:4].upper()).encode(
        'cp932' if cp932 else 'ascii', 'replace')


def tnef(files, damage=False, cp932=False):
    out = struct.pack('<IH', 0x223E9F78, 0x0001)
    out += attr(1, 0x00089006, struct.pack('<I', 0x00010000))   # version
    out += attr(1, 0x00078008, b'IPM.Microsoft Mail.Note\0')     # class
    out += attr(1, 0x00069007, struct.pack('<II', 932, 0))       # code page
    for name, data in files:
        out += attr(2, 0x00069002, struct.pack('<HIHHI', 1, 0xFFFFFFFF, 0, 0, 0))
        out += attr(2, 0x00018010, short_name(name, cp932) + b'\0')
        out += attr(2, 0x0006800F, data)
        out += attr(2, 0x00069005, mapi_props(name, cp932))
    if damage:
        out += attr(2, 0x00069002, b'\1\0\0\0')[:-3] + b'\xff' * 2
    return out


if __name__ == '__main__':
    args = sys.argv[1:]
    damage = '--damage' in args
    cp932 = '--cp932' in args
    rename = None
    if '--as' in args:
        i = args.index('--as')
        rename = args[i + 1]
        del args[i:i + 2]
    args = [a for a in args if a not in ('--damage', '--cp932')]
    files = [(os.path.basename(f), open(f, 'rb').read()) for f in args[1:]]
    if rename:
        files[0] = (rename, files[0][1])
    open(args[0], 'wb').write(tnef(files, damage, cp932))
