#!/usr/bin/env python3
"""mkvba.py - vbaProject.bin files for the doc tests, on mkcfb.py.

vba_project({"Module1": (source, "std"), "ThisWorkbook": (src, "doc")})
returns the bytes of a Compound File holding PROJECT, VBA/dir,
VBA/_VBA_PROJECT and one stream per module (source compressed as MS-OVBA
2.4.1 says, no p-code): the project, compressor and CFB writer are
mkcfb.py's; this file keeps the small dict-based interface mkdoc.py uses
and a decompressor to check the compressor.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkcfb  # noqa: E402


def _copy_bits(pos):
    """offset bits of a copy token at `pos` bytes into its chunk"""
    bits = 4
    while (1 << bits) < pos:
        bits += 1
    return min(bits, 12)


def compress(data):
    return mkcfb.ovba_compress(data)


def cfb(streams):
    """streams: {"VBA/dir": bytes, "PROJECT": bytes}; storages implied"""
    return mkcfb.cfb(sorted(streams.items()))


def vba_project(modules):
    """modules: {name: (source text, "std" | "doc" | "class")}"""
    mods = [{"name": name, "type": kind,
             "source": src.replace("\r\n", "\n").replace("\n", "\r\n")}
            for name, (src, kind) in modules.items()]
    return mkcfb.cfb(mkcfb.vba_project(mods, prefix="", pcode=False))


def decompress(p):
    """MS-OVBA 2.4.1 decompression, to check compress() in tests"""
    assert p[0] == 1
    out = bytearray()
    i = 1
    while i < len(p):
        hdr = struct.unpack("<H", p[i:i + 2])[0]
        size = (hdr & 0xFFF) + 3
        end = i + size
        i += 2
        start = len(out)
        if not hdr & 0x8000:
            out += p[i:i + 4096]
            i += 4096
            continue
        while i < end:
            flags = p[i]
            i += 1
            for t in range(8):
                if i >= end:
                    break
                if flags >> t & 1:
                    tok = struct.unpack("<H", p[i:i + 2])[0]
                    i += 2
                    obits = _copy_bits(len(out) - start)
                    off = (tok >> (16 - obits)) + 1
                    n = (tok & (0xFFFF >> obits)) + 3
                    for _ in range(n):
                        out.append(out[-off])
                else:
                    out.append(p[i])
                    i += 1
    return bytes(out)


if __name__ == "__main__":
    import sys
    sample = b"Sub AutoOpen()\r\n  MsgBox \"hello hello hello\"\r\nEnd Sub\r\n" * 90
    assert decompress(compress(sample)) == sample
    sys.stdout.buffer.write(vba_project({"Module1": (sample.decode(),
                                                      "std")}))
