#!/usr/bin/env python3
"""mkencdoc.py - password-encrypted Office documents for kensa's tests
([MS-OFFCRYPTO]), written with python3-cryptography (SHA, AES) and the
CFB writer of mkcfb.py.

    mkencdoc.py agile|standard PASSWORD IN OUT [--spins N] [--truncate]
        IN (an OOXML package: .xlsm, .docx...) encrypted into the CFB OUT
        (EncryptionInfo + EncryptedPackage); Agile: SHA-512, AES-256-CBC,
        N spins (100000); Standard: AES-128-ECB, SHA-1, 50,000 spins.
        --truncate cuts the EncryptedPackage stream in half;
        --claim-spins N writes spinCount N without spending it (hostile).
    mkencdoc.py --seeds OUTDIR
        seeds for fuzz/fuzz_msocrypt.c (its input layout; Agile with 16
        spins so the harness's cap lets the password through).
    mkencdoc.py xls PASSWORD OUT [rc4|capi|xor]
        an .xls whose Workbook (an Excel 4 macro sheet running EXEC on
        Auto_Open, from mkcfb.py) is encrypted with RC4 CryptoAPI (capi,
        the default), RC4, or XOR obfuscation.

Exit status 77 when python3-cryptography is missing (tests skip).
Nothing here runs anything: the macros are text.
"""
import base64
import hashlib
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkcfb  # noqa: E402

try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
    from cryptography.hazmat.primitives.ciphers import modes
except ImportError:
    sys.stderr.write("mkencdoc.py: python3-cryptography is missing\n")
    sys.exit(77)

DEFAULT = "VelvetSweatshop"
BK_INPUT = bytes.fromhex("fea7d2763b4b9e79")
BK_VALUE = bytes.fromhex("d7aa0f6d3061344e")
BK_KEY = bytes.fromhex("146e0be7abacd0d6")


def aes(key, data, iv=None):
    mode = modes.CBC(iv) if iv else modes.ECB()
    e = Cipher(algorithms.AES(key), mode).encryptor()
    return e.update(data) + e.finalize()


def pad(b, n=16):
    return b + b"\0" * (-len(b) % n)


def spun(h, salt, password, spins):
    x = h(salt + password.encode("utf-16-le")).digest()
    for i in range(spins):
        x = h(struct.pack("<I", i) + x).digest()
    return x


def fit(b, n):
    return b[:n] if len(b) >= n else b + b"\x36" * (n - len(b))


def agile(password, pkg, spins=100000, claim=None):
    h = hashlib.sha512
    kd_salt, pw_salt = os.urandom(16), os.urandom(16)
    secret = os.urandom(32)
    hn = spun(h, pw_salt, password, spins)

    def k(block):
        return fit(h(hn + block).digest(), 32)
    vin = os.urandom(16)
    evi = aes(k(BK_INPUT), vin, pw_salt)
    evv = aes(k(BK_VALUE), pad(h(vin).digest()), pw_salt)
    ekv = aes(k(BK_KEY), secret, pw_salt)
    out = struct.pack("<Q", len(pkg))
    for i in range(0, len(pkg), 4096):
        iv = h(kd_salt + struct.pack("<I", i // 4096)).digest()[:16]
        out += aes(secret, pad(pkg[i:i + 4096]), iv)

    def b64(b):
        return base64.b64encode(b).decode()
    common = ('blockSize="16" keyBits="256" hashSize="64" '
              'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" '
              'hashAlgorithm="SHA512"')
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
           '<encryption xmlns="http://schemas.microsoft.com/office/2006/'
           'encryption" xmlns:p="http://schemas.microsoft.com/office/2006/'
           'keyEncryptor/password"><keyData saltSize="16" {c} '
           'saltValue="{ks}"/><dataIntegrity encryptedHmacKey="{z}" '
           'encryptedHmacValue="{z}"/><keyEncryptors><keyEncryptor '
           'uri="http://schemas.microsoft.com/office/2006/keyEncryptor/'
           'password"><p:encryptedKey spinCount="{n}" saltSize="16" {c} '
           'saltValue="{ps}" encryptedVerifierHashInput="{evi}" '
           'encryptedVerifierHashValue="{evv}" encryptedKeyValue="{ekv}"/>'
           '</keyEncryptor></keyEncryptors></encryption>').format(
               c=common, ks=b64(kd_salt), z=b64(bytes(16)), n=claim or spins,
               ps=b64(pw_salt), evi=b64(evi), evv=b64(evv), ekv=b64(ekv))
    info = struct.pack("<HHI", 4, 4, 0x40) + xml.encode()
    return info, out


def standard(password, pkg):
    salt = os.urandom(16)
    hn = spun(hashlib.sha1, salt, password, 50000)
    hf = hashlib.sha1(hn + struct.pack("<I", 0)).digest()
    x1 = hashlib.sha1(bytes(b ^ 0x36 for b in hf) + b"\x36" * 44).digest()
    x2 = hashlib.sha1(bytes(b ^ 0x5C for b in hf) + b"\x5C" * 44).digest()
    key = (x1 + x2)[:16]
    ver = os.urandom(16)
    csp = "Microsoft Enhanced RSA and AES Cryptographic Provider\0"
    hdr = struct.pack("<IIIIIIII", 0x24, 0, 0x660E, 0x8004, 128, 0x18, 0,
                      0) + csp.encode("utf-16-le")
    vfy = (struct.pack("<I", 16) + salt + aes(key, ver) +
           struct.pack("<I", 20) + aes(key, pad(hashlib.sha1(ver).digest(),
                                                32)))
    info = struct.pack("<HHII", 3, 2, 0x24, len(hdr)) + hdr + vfy
    return info, struct.pack("<Q", len(pkg)) + aes(key, pad(pkg))


# ---- BIFF8 ------------------------------------------------------------------

def rc4(key, n):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 255
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for _ in range(n):
        i = (i + 1) & 255
        j = (j + s[i]) & 255
        s[i], s[j] = s[j], s[i]
        out.append(s[(s[i] + s[j]) & 255])
    return bytes(out)


# XOR obfuscation, method 1 ([MS-OFFCRYPTO] 2.3.7.1-2.3.7.3)
XOR_IC = [
    0xE1F0, 0x1D0F, 0xCC9C, 0x84C0, 0x110C, 0x0E10, 0xF1CE, 0x313E, 0x1872,
    0xE139, 0xD40F, 0x84F9, 0x280C, 0xA96A, 0x4EC3,
]
XOR_MATRIX = [
    0xAEFC, 0x4DD9, 0x9BB2, 0x2745, 0x4E8A, 0x9D14, 0x2A09, 0x7B61, 0xF6C2,
    0xFDA5, 0xEB6B, 0xC6F7, 0x9DCF, 0x2BBF, 0x4563, 0x8AC6, 0x05AD, 0x0B5A,
    0x16B4, 0x2D68, 0x5AD0, 0x0375, 0x06EA, 0x0DD4, 0x1BA8, 0x3750, 0x6EA0,
    0xDD40, 0xD849, 0xA0B3, 0x5147, 0xA28E, 0x553D, 0xAA7A, 0x44D5, 0x6F45,
    0xDE8A, 0xAD35, 0x4A4B, 0x9496, 0x390D, 0x721A, 0xEB23, 0xC667, 0x9CEF,
    0x29FF, 0x53FE, 0xA7FC, 0x5FD9, 0x47D3, 0x8FA6, 0x0F6D, 0x1EDA, 0x3DB4,
    0x7B68, 0xF6D0, 0xB861, 0x60E3, 0xC1C6, 0x93AD, 0x377B, 0x6EF6, 0xDDEC,
    0x45A0, 0x8B40, 0x06A1, 0x0D42, 0x1A84, 0x3508, 0x6A10, 0xAA51, 0x4483,
    0x8906, 0x022D, 0x045A, 0x08B4, 0x1168, 0x76B4, 0xED68, 0xCAF1, 0x85C3,
    0x1BA7, 0x374E, 0x6E9C, 0x3730, 0x6E60, 0xDCC0, 0xA9A1, 0x4363, 0x86C6,
    0x1DAD, 0x3331, 0x6662, 0xCCC4, 0x89A9, 0x0373, 0x06E6, 0x0DCC, 0x1021,
    0x2042, 0x4084, 0x8108, 0x1231, 0x2462, 0x48C4,
]
XOR_PAD = [
    0xBB, 0xFF, 0xFF, 0xBA, 0xFF, 0xFF, 0xB9, 0x80, 0x00, 0xBE, 0x0F, 0x00,
    0xBF, 0x0F, 0x00,
]
def xor_key(pw):
    """The 16-bit XOR key of password bytes pw (at most 15)."""
    k, e = XOR_IC[len(pw) - 1], 0x68
    for c in reversed(pw):
        for _ in range(7):
            if c & 0x40:
                k ^= XOR_MATRIX[e]
            c, e = (c << 1) & 0xFF, e - 1
    return k


def xor_verifier(pw):
    v = 0
    for b in reversed(bytes([len(pw)]) + pw):
        v = (((v * 2) & 0x7FFF) | (1 if v & 0x4000 else 0)) ^ b
    return v ^ 0xCE4B


def _xor_ror(a, b):
    v = a ^ b
    return ((v >> 1) | (v << 7)) & 0xFF


def xor_array(pw):
    """The 16-byte XOR array: the password, then the pad, each byte
    XORed with a byte of the key and rotated right by one."""
    k = xor_key(pw)
    hi, lo = k >> 8, k & 0xFF
    o, i = [0] * 16, len(pw)
    if i % 2:
        o[i] = _xor_ror(XOR_PAD[0], hi)
        i -= 1
        o[i] = _xor_ror(pw[-1], lo)
    while i > 0:
        i -= 1
        o[i] = _xor_ror(pw[i], hi)
        i -= 1
        o[i] = _xor_ror(pw[i], lo)
    i, p = 15, 15 - len(pw)
    while p > 0:
        o[i] = _xor_ror(XOR_PAD[p], hi)
        o[i - 1] = _xor_ror(XOR_PAD[p - 1], lo)
        i, p = i - 2, p - 2
    return o

CLEAR = {0x0809, 0x002F, 0x00E1, 0x0195, 0x0194, 0x0196, 0x0138}


def xls(password, kind):
    wb = mkcfb.xlm_workbook(mkcfb.exec_formulas())
    salt, ver = os.urandom(16), os.urandom(16)
    if kind == "xor":
        pb = password.encode("latin-1")[:15]
        fp = struct.pack("<HHH", 0, xor_key(pb), xor_verifier(pb))
    elif kind == "rc4":
        h0 = hashlib.md5(password.encode("utf-16-le")).digest()[:5]
        base = hashlib.md5((h0 + salt) * 16).digest()[:5]

        def bkey(b):
            return hashlib.md5(base + struct.pack("<I", b)).digest()
        ks = rc4(bkey(0), 32)
        enc = bytes(a ^ b for a, b in zip(ver + hashlib.md5(ver).digest(),
                                          ks))
        fp = struct.pack("<HHH", 1, 1, 1) + salt + enc
    else:
        # RC4 CryptoAPI: H0 = SHA-1(salt + password), never iterated
        # ([MS-OFFCRYPTO] 2.3.5.2)
        hn = spun(hashlib.sha1, salt, password, 0)

        def bkey(b):
            return hashlib.sha1(hn + struct.pack("<I", b)).digest()[:16]
        ks = rc4(bkey(0), 36)
        enc = bytes(a ^ b for a, b in zip(ver + hashlib.sha1(ver).digest(),
                                          ks))
        csp = "Microsoft Enhanced Cryptographic Provider v1.0\0"
        hdr = struct.pack("<IIIIIIII", 0x04, 0, 0x6801, 0x8004, 128, 1, 0,
                          0) + csp.encode("utf-16-le")
        fp = (struct.pack("<HHHII", 1, 4, 2, 0x04, len(hdr)) + hdr +
              struct.pack("<I", 16) + salt + enc[:16] +
              struct.pack("<I", 20) + enc[16:])
    # FILEPASS after the first BOF; the sheets' stream offsets move
    bof_end = 4 + struct.unpack_from("<H", wb, 2)[0]
    rec = struct.pack("<HH", 0x002F, len(fp)) + fp
    out = bytearray(wb[:bof_end] + rec + wb[bof_end:])
    i = 0
    while i + 4 <= len(out):
        t, n = struct.unpack_from("<HH", out, i)
        if t == 0x0085:
            p = struct.unpack_from("<I", out, i + 4)[0]
            struct.pack_into("<I", out, i + 4, p + len(rec))
        i += 4 + n
    if kind == "xor":
        xa = xor_array(pb)
    else:
        stream = rc4_stream(bkey, len(out))
    i, after = 0, False
    while i + 4 <= len(out):
        t, n = struct.unpack_from("<HH", out, i)
        if after and t not in CLEAR:
            for j in range(4 if t == 0x0085 else 0, n):
                if kind == "xor":      # rotate left 5, then XOR
                    b = out[i + 4 + j]
                    b = ((b << 5) | (b >> 3)) & 0xFF
                    out[i + 4 + j] = b ^ xa[(i + 4 + j + n) % 16]
                else:
                    out[i + 4 + j] ^= stream[i + 4 + j]
        after = after or t == 0x002F
        i += 4 + n
    return bytes(out)


def rc4_stream(bkey, n):
    """The keystream by stream offset: a new RC4 key every 1024 bytes."""
    return b"".join(rc4(bkey(b), 1024) for b in range((n + 1023) // 1024))


# ---- decryption (tests/corpus/maldoc_read.py: the corpus' documents) -------

def _attrs(xml, el):
    m = re.search(r"<(?:\w+:)?%s\b([^>]*)>" % el, xml)
    return dict(re.findall(r'(\w+)="([^"]*)"', m.group(1))) if m else {}


def decrypt(info, enc, password):
    """The OOXML package an EncryptionInfo + EncryptedPackage hold, or
    None when `password` does not open it (Agile AES-CBC, Standard)."""
    def dec(key, data, iv=None):
        mode = modes.CBC(iv) if iv else modes.ECB()
        d = Cipher(algorithms.AES(key), mode).decryptor()
        return d.update(data) + d.finalize()
    size = struct.unpack_from("<Q", enc)[0]
    body = enc[8:]
    if info[:4] == b"\x04\x00\x04\x00":
        xml = info[8:].decode("utf-8", "replace")
        kd = _attrs(xml, "keyData")
        ek = [a for a in [_attrs(xml, "encryptedKey")] if "spinCount" in a]
        if not ek:
            return None
        ek = ek[0]

        def h(name):
            return getattr(hashlib, name.replace("-", "").lower())
        hp, hk = h(ek["hashAlgorithm"]), h(kd["hashAlgorithm"])
        salt = base64.b64decode(ek["saltValue"])
        hn = spun(hp, salt, password, int(ek["spinCount"]))
        kb = int(ek["keyBits"]) // 8

        def k(block):
            return fit(hp(hn + block).digest(), kb)
        iv = fit(salt, 16)
        vin = dec(k(BK_INPUT), base64.b64decode(
            ek["encryptedVerifierHashInput"]), iv)[:len(salt)]
        vv = dec(k(BK_VALUE), base64.b64decode(
            ek["encryptedVerifierHashValue"]), iv)
        if hp(vin).digest() != vv[:hp().digest_size]:
            return None
        secret = dec(k(BK_KEY), base64.b64decode(ek["encryptedKeyValue"]),
                     iv)[:int(kd["keyBits"]) // 8]
        kds = base64.b64decode(kd["saltValue"])
        out = b""
        for i in range(0, len(body) - len(body) % 16, 4096):
            seg = body[i:i + 4096]
            seg = seg[:len(seg) - len(seg) % 16]
            ivs = fit(hk(kds + struct.pack("<I", i // 4096)).digest(), 16)
            out += dec(secret, seg, ivs)
        return out[:size]
    hsize = struct.unpack_from("<I", info, 8)[0]
    bits = struct.unpack_from("<I", info, 12 + 16)[0]
    v = info[12 + hsize:]
    salt, ever, evh = v[4:20], v[20:36], v[40:72]
    hn = spun(hashlib.sha1, salt, password, 50000)
    hf = hashlib.sha1(hn + struct.pack("<I", 0)).digest()
    x1 = hashlib.sha1(bytes(b ^ 0x36 for b in hf) + b"\x36" * 44).digest()
    x2 = hashlib.sha1(bytes(b ^ 0x5C for b in hf) + b"\x5C" * 44).digest()
    key = (x1 + x2)[:bits // 8]
    if hashlib.sha1(dec(key, ever)).digest() != dec(key, evh)[:20]:
        return None
    return dec(key, body[:len(body) - len(body) % 16])[:size]


def seeds(out):
    os.makedirs(out, exist_ok=True)
    pkg = bytes(range(256)) * 20            # two segments and a bit

    def w(name, mode, info=b"", enc=b""):
        with open(os.path.join(out, name), "wb") as f:
            if mode & 1:
                f.write(bytes([mode]) + info)
            else:
                f.write(bytes([mode]) + struct.pack("<H", len(info)) + info +
                        enc)
    w("agile", 0, *agile(DEFAULT, pkg, 16))
    w("standard", 0, *standard(DEFAULT, pkg[:100]))
    for k in ("capi", "rc4", "xor"):
        w("xls_" + k, 1, xls(DEFAULT, k))


def main(a):
    if a[0] == "--seeds":
        seeds(a[1])
        return
    if a[0] == "xls":
        wb = xls(a[1], a[3] if len(a) > 3 else "capi")
        with open(a[2], "wb") as f:
            f.write(mkcfb.cfb([("Workbook", wb)]))
        return
    kind, password, src, dst = a[:4]
    spins = int(a[a.index("--spins") + 1]) if "--spins" in a else 100000
    with open(src, "rb") as f:
        pkg = f.read()
    if kind == "agile":
        claim = (int(a[a.index("--claim-spins") + 1])
                 if "--claim-spins" in a else None)
        info, enc = agile(password, pkg, 1 if claim else spins, claim)
    else:
        info, enc = standard(password, pkg)
    if "--truncate" in a:
        enc = enc[:len(enc) // 2]
    with open(dst, "wb") as f:
        f.write(mkcfb.cfb([("EncryptionInfo", info),
                           ("EncryptedPackage", enc)]))


if __name__ == "__main__":
    main(sys.argv[1:])
