#!/usr/bin/env python3
"""mkrar.py OUT NAME=FILE... [--encrypted-flag] - write a RAR 4 archive
whose members are stored (method 0x30, no compression), from the block
layout of RAR 4's technical note: a marker block, an archive header, one
file header plus data per member, an end block; each header's CRC is the
low 16 bits of the CRC-32 of the header after the CRC field.

Debian's `rar` is non-free and libarchive writes no RAR, so the tests make
their RAR fixtures here.  --encrypted-flag sets the "password" flag (0x04)
on every file header, with the data left as it is: enough for a reader to
see an encrypted member, which libarchive then cannot read."""
import struct
import sys
import zlib


def block(htype, flags, body):
    size = 7 + len(body)
    rest = struct.pack('<BHH', htype, flags, size) + body
    return struct.pack('<H', zlib.crc32(rest) & 0xffff) + rest


def main():
    args = sys.argv[1:]
    enc = '--encrypted-flag' in args
    args = [a for a in args if a != '--encrypted-flag']
    out, members = args[0], args[1:]
    parts = [b'Rar!\x1a\x07\x00', block(0x73, 0, b'\0' * 6)]
    for m in members:
        name, path = m.split('=', 1)
        data = open(path, 'rb').read()
        nm = name.encode()
        dos_time = (2024 - 1980) << 25 | 1 << 21 | 1 << 16
        body = struct.pack('<IIBIIBBHI', len(data), len(data), 3,
                           zlib.crc32(data), dos_time, 20, 0x30, len(nm),
                           0o100644) + nm
        flags = 0x8000 | (0x04 if enc else 0)
        parts.append(block(0x74, flags, body) + data)
    parts.append(block(0x7b, 0x4000, b''))
    with open(out, 'wb') as f:
        f.write(b''.join(parts))


if __name__ == '__main__':
    main()
