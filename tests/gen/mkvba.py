#!/usr/bin/env python3
"""mkvba.py - a small vbaProject.bin writer for the doc tests.

vba_project({"Module1": (source, "std"), "ThisWorkbook": (src, "doc")})
returns the bytes of a Compound File (MS-CFB version 3, 512-byte
sectors, small streams in the mini stream) holding PROJECT, VBA/dir,
VBA/_VBA_PROJECT and one stream per module whose source is compressed
as MS-OVBA 2.4.1 says (copy tokens found by a plain window search).
Python standard library only; kept small on purpose (a fuller CFB
writer lives in mkcfb.py on another branch).
"""
import struct

# ---- MS-OVBA compression ---------------------------------------------------

def _copy_bits(pos):
    """offset bits of a copy token at `pos` bytes into its chunk"""
    bits = 4
    while (1 << bits) < pos:
        bits += 1
    return min(bits, 12)


def _chunk(data):
    out = bytearray()
    i = 0
    while i < len(data):
        flag_at = len(out)
        out.append(0)
        flags = 0
        for t in range(8):
            if i >= len(data):
                break
            obits = _copy_bits(i)
            maxlen = (0xFFFF >> obits) + 3
            best_len, best_off = 0, 0
            for j in range(max(0, i - (1 << obits)), i):
                n = 0
                while (n < maxlen and i + n < len(data)
                       and data[j + n] == data[i + n]):
                    n += 1
                if n > best_len:
                    best_len, best_off = n, i - j
            if best_len >= 3:
                lbits = 16 - obits
                out += struct.pack("<H", ((best_off - 1) << lbits)
                                   | (best_len - 3))
                flags |= 1 << t
                i += best_len
            else:
                out.append(data[i])
                i += 1
        out[flag_at] = flags
    return bytes(out)


def compress(data):
    """an MS-OVBA CompressedContainer"""
    out = bytearray(b"\x01")
    for st in range(0, len(data), 4096):
        part = data[st:st + 4096]
        body = _chunk(part)
        if len(body) > 4096 and len(part) == 4096:
            out += struct.pack("<H", 0x3000 | 4095) + part   # raw
        else:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
    return bytes(out)

# ---- the dir stream --------------------------------------------------------

def _rec(rid, data=b""):
    return struct.pack("<HI", rid, len(data)) + data


def dir_stream(modules, codepage=1252):
    d = _rec(0x01, struct.pack("<I", 1))           # SYSKIND win32
    d += _rec(0x02, struct.pack("<I", 0x409))      # LCID
    d += _rec(0x14, struct.pack("<I", 0x409))      # LCIDINVOKE
    d += _rec(0x03, struct.pack("<H", codepage))   # CODEPAGE
    d += _rec(0x04, b"VBAProject")                 # NAME
    d += _rec(0x05) + _rec(0x40)                   # DOCSTRING
    d += _rec(0x06) + _rec(0x3D)                   # HELPFILEPATH
    d += _rec(0x07, struct.pack("<I", 0))          # HELPCONTEXT
    d += _rec(0x08, struct.pack("<I", 0))          # LIBFLAGS
    d += struct.pack("<HIIH", 0x09, 4, 1, 0)       # VERSION (size says 4)
    d += _rec(0x0C) + _rec(0x3C)                   # CONSTANTS
    d += _rec(0x0F, struct.pack("<H", len(modules)))
    d += _rec(0x13, struct.pack("<H", 0xFFFF))     # PROJECTCOOKIE
    for name, (_, kind) in modules.items():
        a = name.encode("cp1252")
        u = name.encode("utf-16-le")
        d += _rec(0x19, a) + _rec(0x47, u)
        d += _rec(0x1A, a) + _rec(0x32, u)
        d += _rec(0x1C) + _rec(0x48)
        d += _rec(0x31, struct.pack("<I", 0))      # MODULEOFFSET
        d += _rec(0x1E, struct.pack("<I", 0))
        d += _rec(0x2C, struct.pack("<H", 0xFFFF))
        d += _rec(0x21 if kind == "std" else 0x22)
        d += _rec(0x2B)
    d += _rec(0x10)
    return d

# ---- the compound file -----------------------------------------------------

FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def cfb(streams):
    """streams: {"VBA/dir": bytes, "PROJECT": bytes}; storages implied"""
    # directory entries: 0 root, then storages and streams
    entries = [{"name": "Root Entry", "type": 5, "kids": [], "data": b""}]
    index = {"": 0}
    for path in sorted(streams):
        parts = path.split("/")
        for k in range(1, len(parts) + 1):
            p = "/".join(parts[:k])
            if p in index:
                continue
            e = {"name": parts[k - 1], "type": 2 if k == len(parts) else 1,
                 "kids": [], "data": streams[path] if k == len(parts)
                 else b""}
            index[p] = len(entries)
            entries.append(e)
            entries[index["/".join(parts[:k - 1])]]["kids"].append(
                index[p])
    # mini stream for streams under 4096 bytes
    mini = bytearray()
    minifat = []
    big = []
    for e in entries[1:]:
        if e["type"] != 2:
            continue
        data = e["data"]
        if len(data) < 4096:
            e["start"] = len(mini) // 64 if data else END
            n = (len(data) + 63) // 64
            for k in range(n):
                minifat.append(e["start"] + k + 1 if k + 1 < n else END)
            mini += data + b"\0" * (n * 64 - len(data))
        else:
            big.append(e)

    def nsec(n):
        return (n + 511) // 512

    n_dir = nsec(len(entries) * 128)
    n_mfat = nsec(len(minifat) * 4)
    n_mini = nsec(len(mini))
    n_big = sum(nsec(len(e["data"])) for e in big)
    n_fat = 1
    while n_fat * 128 < n_fat + n_dir + n_mfat + n_mini + n_big:
        n_fat += 1
    assert n_fat <= 109
    fat = [FATSECT] * n_fat
    sectors = []

    def chain(data):
        st = n_fat + len(sectors)
        n = nsec(len(data))
        for k in range(n):
            fat.append(st + k + 1 if k + 1 < n else END)
            sectors.append(data[k * 512:(k + 1) * 512].ljust(512, b"\0"))
        return st if n else END

    dir_start = n_fat  # directory first, written below once complete
    sectors.extend([b""] * n_dir)
    for k in range(n_dir):
        fat.append(dir_start + k + 1 if k + 1 < n_dir else END)
    mfat_start = chain(b"".join(struct.pack("<I", x) for x in minifat))
    entries[0]["start"] = chain(bytes(mini))
    entries[0]["size"] = len(mini)
    for e in big:
        e["start"] = chain(e["data"])

    # siblings: each storage's children in a right-leaning chain
    for e in entries:
        e.setdefault("left", FREE)
        e.setdefault("right", FREE)
        e.setdefault("child", FREE)

    def key(i):
        n = entries[i]["name"]
        return (len(n), n.upper())

    for e in entries:
        kids = sorted(e["kids"], key=key)
        if kids:
            e["child"] = kids[0]
            for a, b in zip(kids, kids[1:]):
                entries[a]["right"] = b
    d = bytearray()
    for e in entries:
        name = e["name"].encode("utf-16-le") + b"\0\0"
        size = e.get("size", len(e["data"]))
        start = e.get("start", 0 if e["type"] == 1 else END)
        if e["type"] == 1:
            start = 0
        d += name.ljust(64, b"\0")
        d += struct.pack("<HBB", len(name), e["type"], 1)
        d += struct.pack("<III", e["left"], e["right"], e["child"])
        d += b"\0" * 16 + struct.pack("<I", 0) + b"\0" * 16
        d += struct.pack("<IQ", start, size)
    d = bytes(d).ljust(n_dir * 512, b"\0")
    for k in range(n_dir):
        sectors[k] = d[k * 512:(k + 1) * 512]
    fat += [FREE] * (n_fat * 128 - len(fat))
    hdr = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 16
    hdr += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    hdr += struct.pack("<IIIIIIII", 0, n_fat, dir_start, 0, 4096,
                       mfat_start if minifat else END, n_mfat, END)
    hdr += struct.pack("<I", 0)
    difat = list(range(n_fat)) + [FREE] * (109 - n_fat)
    hdr += b"".join(struct.pack("<I", x) for x in difat)
    assert len(hdr) == 512
    fatb = b"".join(struct.pack("<I", x) for x in fat)
    return hdr + fatb + b"".join(sectors)


def vba_project(modules):
    """modules: {name: (source text, "std" | "doc" | "class")}"""
    streams = {
        "VBA/dir": compress(dir_stream(modules)),
        "VBA/_VBA_PROJECT": bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x00,
                                   0x00]),
    }
    proj = "ID=\"{00000000-0000-0000-0000-000000000000}\"\r\n"
    for name, (src, kind) in modules.items():
        text = src.replace("\r\n", "\n").replace("\n", "\r\n")
        streams["VBA/" + name] = compress(text.encode("cp1252"))
        proj += ("Module=" if kind == "std" else
                 "Document=" if kind == "doc" else "Class=") + name
        proj += "/&H00000000\r\n" if kind == "doc" else "\r\n"
    streams["PROJECT"] = (proj + "Name=\"VBAProject\"\r\n").encode()
    return cfb(streams)


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
