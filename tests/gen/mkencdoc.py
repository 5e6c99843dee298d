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
        the default), RC4, or only marked XOR-obfuscated.

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


CLEAR = {0x0809, 0x002F, 0x00E1, 0x0195, 0x0194, 0x0196, 0x0138}


def xls(password, kind):
    wb = mkcfb.xlm_workbook(mkcfb.exec_formulas())
    salt, ver = os.urandom(16), os.urandom(16)
    if kind == "xor":
        fp = struct.pack("<HHH", 0, 0x1234, 0x5678)
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
        hn = spun(hashlib.sha1, salt, password, 50000)

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
        return bytes(out)
    stream = rc4_stream(bkey, len(out))
    i, after = 0, False
    while i + 4 <= len(out):
        t, n = struct.unpack_from("<HH", out, i)
        if after and t not in CLEAR:
            for j in range(4 if t == 0x0085 else 0, n):
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
