/*
 * msocrypt.c - password-encrypted Office documents ([MS-OFFCRYPTO]), for
 * msocrypt.h: reading EncryptionInfo (Standard binary header, Agile XML
 * descriptor, BIFF8 FILEPASS), deriving and checking a password's key,
 * decrypting an EncryptedPackage and a BIFF8 Workbook stream.
 *
 * The Agile descriptor is a few hundred bytes of XML written by Office:
 * two elements (keyData and the password encryptedKey) and a dozen
 * attributes are read from it with a bounded scanner (no entities, no
 * DTD, nothing allocated), as docs/DESIGN.md explains.  Every length read
 * from the file is checked against what holds it; fixed arrays take
 * salts, verifiers and keys (64 bytes each, the most SHA-512 needs).
 */
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "office/msocrypt.h"
#include "office/xmlattr.h"

#define SEGMENT 4096u          /* Agile package segment */
#define ECB_CHUNK 4096u        /* Standard package: AES blocks at a time */
#define GO_ON_SPINS 65536u
#define MAX_PASSWORD 255       /* UTF-16 units Office accepts */
#define MAX_DESCRIPTOR 65536u  /* the Agile XML looked at */

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static const EVP_MD *md_of(enum msoc_hash h)
{
    switch(h) {
    case MSOC_SHA1: return EVP_sha1();
    case MSOC_SHA256: return EVP_sha256();
    case MSOC_SHA384: return EVP_sha384();
    case MSOC_SHA512: return EVP_sha512();
    case MSOC_MD5: return EVP_md5();
    }
    return NULL;
}

/* ---- EncryptionInfo: Standard (binary) ---------------------------------- */

#define CALG_RC4 0x6801u
#define CALG_AES128 0x660Eu
#define CALG_AES192 0x660Fu
#define CALG_AES256 0x6610u
#define CALG_SHA1 0x8004u
#define F_EXTERNAL 0x10u

/* A 16-byte salt and encrypted verifier, as Standard and RC4 keep them. */
static void salt_verifier(struct msoc_info *out, const uint8_t *salt,
                          const uint8_t *verifier)
{
    memcpy(out->salt, salt, 16);
    out->salt_len = 16;
    memcpy(out->verifier, verifier, 16);
    out->verifier_len = 16;
}

/* Flags, header and verifier from p[0..n) (after the version). */
static enum kensa_err parse_binary(const uint8_t *p, size_t n,
                                   struct msoc_info *out)
{
    if(n < 8)
        return KENSA_EFORMAT;
    uint32_t flags = rd32(p), hsize = rd32(p + 4);
    if(flags & F_EXTERNAL)
        return KENSA_EUNSUPPORTED;
    if(hsize < 32 || hsize > n - 8)
        return KENSA_EFORMAT;
    const uint8_t *h = p + 8;
    uint32_t alg = rd32(h + 8), alg_hash = rd32(h + 12), bits = rd32(h + 16);
    const uint8_t *v = h + hsize;
    size_t vn = n - 8 - hsize;
    if(vn < 40)
        return KENSA_EFORMAT;
    uint32_t salt_size = rd32(v);
    if(salt_size != 16)
        return KENSA_EFORMAT;
    if(alg_hash != CALG_SHA1 && alg_hash != 0)
        return KENSA_EUNSUPPORTED;
    out->hash = MSOC_SHA1;
    out->alg_id = alg;
    /* RC4 CryptoAPI's hash "MUST NOT be iterated" ([MS-OFFCRYPTO]
     * 2.3.5.2): H0 = H(salt + password) alone; Standard spins 50,000 */
    out->spins = alg == CALG_RC4 ? 0 : 50000;
    salt_verifier(out, v + 4, v + 20);
    uint32_t vh = rd32(v + 36);
    size_t want = alg == CALG_RC4 ? 20 : 32;
    if(vh != 20 || vn - 40 < want)
        return KENSA_EFORMAT;
    memcpy(out->verifier_hash, v + 40, want);
    out->verifier_hash_len = want;
    switch(alg) {
    case CALG_RC4:
        out->kind = MSOC_RC4_CAPI;
        if(bits == 0)
            bits = 40;
        if(bits < 40 || bits > 128 || bits % 8)
            return KENSA_EUNSUPPORTED;
        break;
    case CALG_AES128: case CALG_AES192: case CALG_AES256: case 0:
        out->kind = MSOC_STANDARD;
        if(bits != 128 && bits != 192 && bits != 256)
            return KENSA_EUNSUPPORTED;
        break;
    default:
        return KENSA_EUNSUPPORTED;
    }
    out->key_bits = bits;
    return KENSA_OK;
}

/* ---- EncryptionInfo: Agile (XML) ------------------------------------------ */

/* The element <prefix:name ...> (the prefix optional) in s[0..n) whose
 * attributes include `need` (NULL: any): its inside up to '>' in el and
 * len. */
static bool find_el(const char *s, size_t n, const char *name,
                    const char *need, const char **el, size_t *len)
{
    size_t k = strlen(name);
    for(size_t i = 0; i < n; i++) {
        if(s[i] != '<')
            continue;
        size_t j = i + 1, st = j;
        while(j < n && j - st < 64 && s[j] != ' ' && s[j] != '>' &&
              s[j] != '/' && s[j] != '\t' && s[j] != '\r' && s[j] != '\n') {
            if(s[j] == ':')
                st = j + 1;
            j++;
        }
        if(j - st != k || strncmp(s + st, name, k))
            continue;
        const char *e = memchr(s + j, '>', n - j);
        if(!e)
            return false;
        size_t l = (size_t)(e - (s + j));
        if(need) {
            size_t nk = strlen(need);
            bool has = false;
            for(size_t q = 0; q + nk < l && !has; q++)
                has = !strncmp(s + j + q, need, nk) &&
                      s[j + q + nk] == '=' &&
                      (s[j + q - 1] == ' ' || s[j + q - 1] == '\t' ||
                       s[j + q - 1] == '\r' || s[j + q - 1] == '\n');
            if(!has)
                continue;
        }
        *el = s + j;
        *len = l;
        return true;
    }
    return false;
}

static bool attr_eq(const char *el, size_t n, const char *name,
                    const char *want)
{
    size_t l;
    const char *v = xml_attr(el, n, name, &l);
    return v && l == strlen(want) && !strncmp(v, want, l);
}

static bool attr_u32(const char *el, size_t n, const char *name,
                     uint32_t *out)
{
    size_t l;
    const char *v = xml_attr(el, n, name, &l);
    uint64_t x = 0;
    if(!v || !l || l > 10)
        return false;
    for(size_t i = 0; i < l; i++) {
        if(v[i] < '0' || v[i] > '9')
            return false;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    if(x > UINT32_MAX)
        return false;
    *out = (uint32_t)x;
    return true;
}

static int b64v(char c)
{
    if(c >= 'A' && c <= 'Z') return c - 'A';
    if(c >= 'a' && c <= 'z') return c - 'a' + 26;
    if(c >= '0' && c <= '9') return c - '0' + 52;
    if(c == '+') return 62;
    if(c == '/') return 63;
    return -1;
}

/* Base64 attribute `name` into out[0..cap): its length, 0 on trouble. */
static size_t attr_b64(const char *el, size_t n, const char *name,
                       uint8_t *out, size_t cap)
{
    size_t l, k = 0;
    const char *v = xml_attr(el, n, name, &l);
    uint32_t acc = 0;
    unsigned bits = 0;
    if(!v)
        return 0;
    for(size_t i = 0; i < l; i++) {
        if(v[i] == '=' || v[i] == ' ' || v[i] == '\r' || v[i] == '\n' ||
           v[i] == '\t')
            continue;
        int d = b64v(v[i]);
        if(d < 0)
            return 0;
        acc = (acc << 6) | (uint32_t)d;
        bits += 6;
        if(bits >= 8) {
            bits -= 8;
            if(k >= cap)
                return 0;
            out[k++] = (uint8_t)(acc >> bits);
        }
    }
    return k;
}

static bool hash_name(const char *el, size_t n, enum msoc_hash *h)
{
    static const struct { const char *s; enum msoc_hash h; } t[] = {
        { "SHA1", MSOC_SHA1 }, { "SHA-1", MSOC_SHA1 },
        { "SHA256", MSOC_SHA256 }, { "SHA384", MSOC_SHA384 },
        { "SHA512", MSOC_SHA512 }, { "MD5", MSOC_MD5 },
    };
    for(size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if(attr_eq(el, n, "hashAlgorithm", t[i].s)) {
            *h = t[i].h;
            return true;
        }
    return false;
}

/* AES in CBC with a 16-byte block and a 128/192/256-bit key: all the
 * Agile cipher this reader takes. */
static bool aes_cbc(const char *el, size_t n, uint32_t *bits,
                    uint32_t *block)
{
    return attr_eq(el, n, "cipherAlgorithm", "AES") &&
           attr_eq(el, n, "cipherChaining", "ChainingModeCBC") &&
           attr_u32(el, n, "keyBits", bits) &&
           (*bits == 128 || *bits == 192 || *bits == 256) &&
           attr_u32(el, n, "blockSize", block) && *block == 16;
}

static enum kensa_err parse_agile(const uint8_t *p, size_t n,
                                  struct msoc_info *out)
{
    const char *s = (const char *)p, *el;
    size_t len;
    if(n > MAX_DESCRIPTOR)
        n = MAX_DESCRIPTOR;
    out->kind = MSOC_AGILE;
    if(!find_el(s, n, "keyData", NULL, &el, &len))
        return KENSA_EFORMAT;
    if(!hash_name(el, len, &out->kd_hash) ||
       !aes_cbc(el, len, &out->kd_key_bits, &out->kd_block))
        return KENSA_EUNSUPPORTED;
    out->kd_salt_len = attr_b64(el, len, "saltValue", out->kd_salt,
                                sizeof(out->kd_salt));
    if(!out->kd_salt_len)
        return KENSA_EFORMAT;
    /* the password key encryptor (a certificate one has no spinCount) */
    if(!find_el(s, n, "encryptedKey", "spinCount", &el, &len))
        return KENSA_EUNSUPPORTED;
    if(!hash_name(el, len, &out->hash) ||
       !aes_cbc(el, len, &out->key_bits, &out->block))
        return KENSA_EUNSUPPORTED;
    if(!attr_u32(el, len, "spinCount", &out->spins))
        return KENSA_EFORMAT;
    uint32_t salt_size = 0;
    if(!attr_u32(el, len, "saltSize", &salt_size))
        return KENSA_EFORMAT;
    out->salt_len = attr_b64(el, len, "saltValue", out->salt,
                             sizeof(out->salt));
    out->verifier_len = attr_b64(el, len, "encryptedVerifierHashInput",
                                 out->verifier, sizeof(out->verifier));
    out->verifier_hash_len = attr_b64(el, len, "encryptedVerifierHashValue",
                                      out->verifier_hash,
                                      sizeof(out->verifier_hash));
    out->key_value_len = attr_b64(el, len, "encryptedKeyValue",
                                  out->key_value, sizeof(out->key_value));
    if(!out->salt_len || salt_size != out->salt_len ||
       !out->verifier_len || out->verifier_len % 16 ||
       out->verifier_len < out->salt_len ||
       !out->verifier_hash_len || out->verifier_hash_len % 16 ||
       out->verifier_hash_len < (size_t)EVP_MD_get_size(md_of(out->hash)) ||
       out->key_value_len % 16 || out->key_value_len < out->kd_key_bits / 8)
        return KENSA_EFORMAT;
    return KENSA_OK;
}

enum kensa_err msoc_parse(const uint8_t *p, size_t n, struct msoc_info *out)
{
    memset(out, 0, sizeof(*out));
    if(!p || n < 8)
        return KENSA_EFORMAT;
    out->vmajor = rd16(p);
    out->vminor = rd16(p + 2);
    if(out->vmajor == 4 && out->vminor == 4)
        return rd32(p + 4) == 0x40 ? parse_agile(p + 8, n - 8, out)
                                   : KENSA_EFORMAT;
    if(out->vmajor >= 2 && out->vmajor <= 4 && out->vminor == 2)
        return parse_binary(p + 4, n - 4, out);
    if((out->vmajor == 3 || out->vmajor == 4) && out->vminor == 3)
        return KENSA_EUNSUPPORTED;       /* Extensible encryption */
    return KENSA_EFORMAT;
}

enum kensa_err msoc_parse_filepass(const uint8_t *d, size_t n,
                                   struct msoc_info *out, bool *xor)
{
    memset(out, 0, sizeof(*out));
    *xor = false;
    if(n < 2)
        return KENSA_EFORMAT;
    uint16_t type = rd16(d);
    if(type == 0) {
        *xor = true;
        if(n < 6)
            return KENSA_EFORMAT;
        out->kind = MSOC_XOR;
        out->xor_key = rd16(d + 2);
        out->xor_verifier = rd16(d + 4);
        return KENSA_OK;
    }
    if(type != 1 || n < 6)
        return KENSA_EFORMAT;
    out->vmajor = rd16(d + 2);
    out->vminor = rd16(d + 4);
    if(out->vmajor == 1 && out->vminor == 1) {
        if(n < 6 + 48)
            return KENSA_EFORMAT;
        out->kind = MSOC_RC4;
        out->hash = MSOC_MD5;
        out->key_bits = 40;
        salt_verifier(out, d + 6, d + 22);
        memcpy(out->verifier_hash, d + 38, 16);
        out->verifier_hash_len = 16;
        return KENSA_OK;
    }
    enum kensa_err rc = msoc_parse(d + 2, n - 2, out);
    if(!rc && out->kind != MSOC_RC4_CAPI)
        rc = KENSA_EFORMAT;
    return rc;
}

/* ---- keys ---------------------------------------------------------------- */

/* UTF-8 to UTF-16LE (BMP; anything else a U+FFFD), at most MAX_PASSWORD
 * units; the byte count. */
static size_t utf16le(const char *s, uint8_t *out)
{
    size_t k = 0;
    const unsigned char *u = (const unsigned char *)s;
    while(*u && k < 2 * MAX_PASSWORD) {
        uint32_t c = *u++;
        if(c >= 0xC0 && c < 0xE0 && (u[0] & 0xC0) == 0x80) {
            c = (c & 0x1F) << 6 | (u[0] & 0x3F);
            u += 1;
        } else if(c >= 0xE0 && c < 0xF0 && (u[0] & 0xC0) == 0x80 &&
                  (u[1] & 0xC0) == 0x80) {
            c = (c & 0x0F) << 12 | (uint32_t)(u[0] & 0x3F) << 6 |
                (u[1] & 0x3F);
            u += 2;
        } else if(c >= 0x80) {
            while((*u & 0xC0) == 0x80)
                u++;
            c = 0xFFFD;
        }
        out[k++] = (uint8_t)c;
        out[k++] = (uint8_t)(c >> 8);
    }
    return k;
}

/* out = H(a || b); false on a libcrypto failure. */
static bool hash2(EVP_MD_CTX *x, const EVP_MD *md, const uint8_t *a,
                  size_t an, const uint8_t *b, size_t bn, uint8_t *out)
{
    unsigned int ol;
    return EVP_DigestInit_ex(x, md, NULL) &&
           EVP_DigestUpdate(x, a, an) && (!bn || EVP_DigestUpdate(x, b, bn)) &&
           EVP_DigestFinal_ex(x, out, &ol);
}

/* H0 = H(salt || password), Hi = H(i || Hi-1) for `spins` rounds, into
 * h (EVP_MD_get_size bytes). */
static enum kensa_err spin(EVP_MD_CTX *x, const EVP_MD *md,
                           const struct msoc_info *in, const char *password,
                           const struct msoc_limits *lim, uint8_t *h)
{
    uint8_t pw[2 * MAX_PASSWORD], it[4 + EVP_MAX_MD_SIZE];
    size_t pn = utf16le(password, pw);
    size_t hs = (size_t)EVP_MD_get_size(md);
    if(!hash2(x, md, in->salt, in->salt_len, pw, pn, h))
        return KENSA_ENOMEM;
    for(uint32_t i = 0; i < in->spins; i++) {
        if(i && !(i % GO_ON_SPINS) && lim && lim->go_on &&
           !lim->go_on(lim->arg))
            return KENSA_ELIMIT;
        wr32(it, i);
        memcpy(it + 4, h, hs);
        if(!hash2(x, md, it, 4 + hs, NULL, 0, h))
            return KENSA_ENOMEM;
    }
    return KENSA_OK;
}

/* AES (ECB, or CBC with iv) over n bytes (a multiple of 16), no
 * padding. */
static bool aes(const uint8_t *key, size_t kl, const uint8_t *iv,
                const uint8_t *in, size_t n, uint8_t *out)
{
    const EVP_CIPHER *c = kl == 16 ? (iv ? EVP_aes_128_cbc() :
                                           EVP_aes_128_ecb()) :
                          kl == 24 ? (iv ? EVP_aes_192_cbc() :
                                           EVP_aes_192_ecb()) :
                          kl == 32 ? (iv ? EVP_aes_256_cbc() :
                                           EVP_aes_256_ecb()) : NULL;
    EVP_CIPHER_CTX *x;
    int a = 0, b = 0;
    bool ok;
    if(!c || n % 16 || n > INT32_MAX || !(x = EVP_CIPHER_CTX_new()))
        return false;
    ok = EVP_DecryptInit_ex(x, c, NULL, key, iv) &&
         EVP_CIPHER_CTX_set_padding(x, 0) &&
         EVP_DecryptUpdate(x, out, &a, in, (int)n) &&
         EVP_DecryptFinal_ex(x, out + a, &b) && (size_t)(a + b) == n;
    EVP_CIPHER_CTX_free(x);
    return ok;
}

/* ---- RC4 ------------------------------------------------------------------ */

struct rc4 { uint8_t s[256]; uint8_t i, j; };

static void rc4_init(struct rc4 *r, const uint8_t *k, size_t kl)
{
    for(unsigned i = 0; i < 256; i++)
        r->s[i] = (uint8_t)i;
    uint8_t j = 0;
    for(unsigned i = 0; i < 256; i++) {
        j = (uint8_t)(j + r->s[i] + k[i % kl]);
        uint8_t t = r->s[i];
        r->s[i] = r->s[j];
        r->s[j] = t;
    }
    r->i = r->j = 0;
}

static uint8_t rc4_byte(struct rc4 *r)
{
    r->i++;
    r->j = (uint8_t)(r->j + r->s[r->i]);
    uint8_t t = r->s[r->i];
    r->s[r->i] = r->s[r->j];
    r->s[r->j] = t;
    return r->s[(uint8_t)(r->s[r->i] + r->s[r->j])];
}

/* The RC4 key of 1024-byte block `block` from the password key. */
static bool rc4_block_key(const struct msoc_info *in, const uint8_t *key,
                          size_t kl, uint32_t block, uint8_t out[16],
                          size_t *ol)
{
    uint8_t b[4], h[EVP_MAX_MD_SIZE];
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    bool ok;
    wr32(b, block);
    if(!x)
        return false;
    ok = hash2(x, md_of(in->kind == MSOC_RC4 ? MSOC_MD5 : MSOC_SHA1), key,
               kl, b, 4, h);
    EVP_MD_CTX_free(x);
    if(!ok)
        return false;
    if(in->kind == MSOC_RC4) {
        memcpy(out, h, 16);
        *ol = 16;
    } else {
        /* a 40-bit key is used as 128 bits, zero-padded */
        size_t k = in->key_bits / 8;
        memset(out, 0, 16);
        memcpy(out, h, k);
        *ol = 16;
    }
    return true;
}

/* ---- XOR obfuscation ([MS-OFFCRYPTO] 2.3.7.1-2.3.7.2) ------------------- */

static const uint16_t XOR_INITIAL[15] = {
    0xE1F0, 0x1D0F, 0xCC9C, 0x84C0, 0x110C, 0x0E10, 0xF1CE, 0x313E,
    0x1872, 0xE139, 0xD40F, 0x84F9, 0x280C, 0xA96A, 0x4EC3,
};

static const uint16_t XOR_MATRIX[105] = {
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
};

static const uint8_t XOR_PAD[15] = { 0xBB, 0xFF, 0xFF, 0xBA, 0xFF, 0xFF,
                                     0xB9, 0x80, 0x00, 0xBE, 0x0F, 0x00,
                                     0xBF, 0x0F, 0x00 };

static uint8_t xor_ror(uint8_t a, uint8_t b)
{
    uint8_t v = a ^ b;
    return (uint8_t)(v >> 1 | v << 7);
}

/* The XOR array of a password (its bytes: each UTF-16 unit's low byte,
 * or its high byte when the low one is 0; at most 15) when its key and
 * verifier are the FILEPASS's. */
static bool xor_check(const struct msoc_info *in, const char *password,
                      uint8_t arr[16])
{
    uint8_t u[2 * MAX_PASSWORD], pw[15];
    size_t un = utf16le(password, u), n = 0;
    for(size_t i = 0; i + 1 < un && n < 15; i += 2)
        pw[n++] = u[i] ? u[i] : u[i + 1];
    if(!n)
        return false;
    uint16_t key = XOR_INITIAL[n - 1], ver = 0;
    int el = 104;
    for(size_t i = n; i-- > 0;) {
        uint8_t c = pw[i];
        for(int b = 0; b < 7; b++, el--, c = (uint8_t)(c << 1))
            if(c & 0x40)
                key ^= XOR_MATRIX[el];
    }
    for(size_t i = n + 1; i-- > 0;) {
        uint8_t c = i ? pw[i - 1] : (uint8_t)n;
        ver = (uint16_t)(((ver & 0x4000) ? 1 : 0) | ((ver << 1) & 0x7FFF));
        ver ^= c;
    }
    ver ^= 0xCE4B;
    if(key != in->xor_key || ver != in->xor_verifier)
        return false;
    uint8_t hi = (uint8_t)(key >> 8), lo = (uint8_t)key;
    size_t i = n;
    memset(arr, 0, 16);
    if(i % 2) {
        arr[i] = xor_ror(XOR_PAD[0], hi);
        i--;
        arr[i] = xor_ror(pw[n - 1], lo);
    }
    while(i > 0) {
        i--;
        arr[i] = xor_ror(pw[i], hi);
        i--;
        arr[i] = xor_ror(pw[i], lo);
    }
    /* the pad from its end, two bytes a round, while its index is > 0 */
    for(int p = 15 - (int)n, k = 15; p > 0; p -= 2, k -= 2) {
        arr[k] = xor_ror(XOR_PAD[p], hi);
        arr[k - 1] = xor_ror(XOR_PAD[p - 1], lo);
    }
    return true;
}

/* ---- msoc_key -------------------------------------------------------------- */

/* The RC4 (1.1) password key: MD5 of 16 copies of (5 bytes of
 * MD5(password) || salt), its first 5 bytes. */
static bool rc4_md5_key(EVP_MD_CTX *x, const struct msoc_info *in,
                        const char *password, uint8_t key[5])
{
    uint8_t pw[2 * MAX_PASSWORD], h[EVP_MAX_MD_SIZE], buf[16 * 21];
    size_t pn = utf16le(password, pw);
    if(!hash2(x, EVP_md5(), pw, pn, NULL, 0, h))
        return false;
    for(int i = 0; i < 16; i++) {
        memcpy(buf + 21 * i, h, 5);
        memcpy(buf + 21 * i + 5, in->salt, 16);
    }
    if(!hash2(x, EVP_md5(), buf, sizeof(buf), NULL, 0, h))
        return false;
    memcpy(key, h, 5);
    return true;
}

static enum kensa_err rc4_check(EVP_MD_CTX *x, const struct msoc_info *in,
                                const uint8_t *key, size_t kl, bool *match)
{
    uint8_t bk[16], v[16], vh[20], h[EVP_MAX_MD_SIZE];
    size_t bl, hn = in->kind == MSOC_RC4 ? 16 : 20;
    struct rc4 r;
    if(!rc4_block_key(in, key, kl, 0, bk, &bl))
        return KENSA_ENOMEM;
    rc4_init(&r, bk, bl);
    for(size_t i = 0; i < 16; i++)
        v[i] = in->verifier[i] ^ rc4_byte(&r);
    for(size_t i = 0; i < hn; i++)
        vh[i] = in->verifier_hash[i] ^ rc4_byte(&r);
    if(!hash2(x, md_of(in->kind == MSOC_RC4 ? MSOC_MD5 : MSOC_SHA1), v, 16,
              NULL, 0, h))
        return KENSA_ENOMEM;
    *match = !memcmp(h, vh, hn);
    return KENSA_OK;
}

/* Standard: the 0x36/0x5C derivation of [MS-OFFCRYPTO] 2.3.4.7, then the
 * verifier decrypted with AES-ECB. */
static enum kensa_err std_check(EVP_MD_CTX *x, const struct msoc_info *in,
                                const uint8_t *hn, uint8_t *key,
                                size_t *kl, bool *match)
{
    uint8_t b[4] = { 0 }, hf[20], x1[64], x2[64], d[40];
    uint8_t v[16], vh[32], h[20];
    if(!hash2(x, EVP_sha1(), hn, 20, b, 4, hf))
        return KENSA_ENOMEM;
    memset(x1, 0x36, 64);
    memset(x2, 0x5C, 64);
    for(int i = 0; i < 20; i++) {
        x1[i] ^= hf[i];
        x2[i] ^= hf[i];
    }
    if(!hash2(x, EVP_sha1(), x1, 64, NULL, 0, d) ||
       !hash2(x, EVP_sha1(), x2, 64, NULL, 0, d + 20))
        return KENSA_ENOMEM;
    *kl = in->key_bits / 8;
    memcpy(key, d, *kl);
    if(!aes(key, *kl, NULL, in->verifier, 16, v) ||
       !aes(key, *kl, NULL, in->verifier_hash, 32, vh) ||
       !hash2(x, EVP_sha1(), v, 16, NULL, 0, h))
        return KENSA_ENOMEM;
    *match = !memcmp(h, vh, 20);
    return KENSA_OK;
}

/* h truncated or padded with 0x36 to n bytes. */
static void fit(const uint8_t *h, size_t hl, uint8_t *out, size_t n)
{
    memset(out, 0x36, n);
    memcpy(out, h, hl < n ? hl : n);
}

static const uint8_t BK_INPUT[8] = { 0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b,
                                     0x9e, 0x79 };
static const uint8_t BK_VALUE[8] = { 0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61,
                                     0x34, 0x4e };
static const uint8_t BK_KEY[8] = { 0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac,
                                   0xd0, 0xd6 };

/* Agile: three keys from the spun hash (block keys above), the verifier
 * hash input and value compared, the intermediate key decrypted. */
static enum kensa_err agile_check(EVP_MD_CTX *x, const struct msoc_info *in,
                                  const uint8_t *hn, uint8_t *key,
                                  size_t *kl, bool *match)
{
    const EVP_MD *md = md_of(in->hash);
    size_t hs = (size_t)EVP_MD_get_size(md), kb = in->key_bits / 8;
    uint8_t h[EVP_MAX_MD_SIZE], k[32], iv[16], d1[64], d2[64], d3[64];
    fit(in->salt, in->salt_len, iv, 16);
    if(!hash2(x, md, hn, hs, BK_INPUT, 8, h))
        return KENSA_ENOMEM;
    fit(h, hs, k, kb);
    if(!aes(k, kb, iv, in->verifier, in->verifier_len, d1) ||
       !hash2(x, md, d1, in->salt_len, NULL, 0, h))
        return KENSA_ENOMEM;
    uint8_t want[EVP_MAX_MD_SIZE];
    memcpy(want, h, hs);
    if(!hash2(x, md, hn, hs, BK_VALUE, 8, h))
        return KENSA_ENOMEM;
    fit(h, hs, k, kb);
    if(!aes(k, kb, iv, in->verifier_hash, in->verifier_hash_len, d2))
        return KENSA_ENOMEM;
    *match = !memcmp(want, d2, hs);
    if(!*match)
        return KENSA_OK;
    if(!hash2(x, md, hn, hs, BK_KEY, 8, h))
        return KENSA_ENOMEM;
    fit(h, hs, k, kb);
    if(!aes(k, kb, iv, in->key_value, in->key_value_len, d3))
        return KENSA_ENOMEM;
    *kl = in->kd_key_bits / 8;
    memcpy(key, d3, *kl);
    return KENSA_OK;
}

enum kensa_err msoc_key(const struct msoc_info *in, const char *password,
                        const struct msoc_limits *lim, uint8_t key[64],
                        size_t *key_len, bool *match)
{
    uint32_t cap = lim && lim->max_spins ? lim->max_spins : MSOC_MAX_SPINS;
    uint8_t hn[EVP_MAX_MD_SIZE];
    enum kensa_err rc;
    *match = false;
    *key_len = 0;
    if(in->kind == MSOC_XOR) {
        *match = xor_check(in, password, key);
        *key_len = *match ? 16 : 0;
        return KENSA_OK;
    }
    if(in->spins > cap)
        return KENSA_ELIMIT;
    const EVP_MD *md = md_of(in->hash);
    if(!md)
        return KENSA_EUNSUPPORTED;
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    if(!x)
        return KENSA_ENOMEM;
    if(in->kind == MSOC_RC4) {
        rc = rc4_md5_key(x, in, password, key) ? KENSA_OK : KENSA_ENOMEM;
        if(!rc) {
            *key_len = 5;
            rc = rc4_check(x, in, key, 5, match);
        }
        goto out;
    }
    rc = spin(x, md, in, password, lim, hn);
    if(rc)
        goto out;
    switch(in->kind) {
    case MSOC_RC4_CAPI:
        memcpy(key, hn, 20);
        *key_len = 20;
        rc = rc4_check(x, in, key, 20, match);
        break;
    case MSOC_STANDARD:
        rc = std_check(x, in, hn, key, key_len, match);
        break;
    case MSOC_AGILE:
        rc = agile_check(x, in, hn, key, key_len, match);
        break;
    default:
        rc = KENSA_EUNSUPPORTED;
    }
out:
    EVP_MD_CTX_free(x);
    if(rc || !*match) {
        *key_len = 0;
        *match = false;
    }
    return rc;
}

/* ---- packages ---------------------------------------------------------- */

enum kensa_err msoc_decrypt_package(const struct msoc_info *in,
                                    const uint8_t *key, size_t key_len,
                                    const uint8_t *p, size_t n,
                                    const struct msoc_limits *lim,
                                    struct buf *out)
{
    uint8_t seg[SEGMENT], iv[16], h[EVP_MAX_MD_SIZE], sb[64 + 4];
    if((in->kind != MSOC_STANDARD && in->kind != MSOC_AGILE) ||
       (key_len != 16 && key_len != 24 && key_len != 32))
        return KENSA_EINVAL;
    if(n < 8)
        return KENSA_EFORMAT;
    uint64_t size = (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
    const uint8_t *c = p + 8;
    size_t cn = n - 8, done = 0;
    enum kensa_err rc = KENSA_OK;
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    const EVP_MD *md = md_of(in->kd_hash);
    if(!x)
        return KENSA_ENOMEM;
    for(uint32_t i = 0; done < cn && (uint64_t)out->len < size; i++) {
        size_t l = cn - done < SEGMENT ? cn - done : SEGMENT;
        l -= l % 16;
        if(!l) {
            rc = KENSA_EFORMAT;    /* a partial last block */
            break;
        }
        if(i && !(i % 256) && lim && lim->go_on && !lim->go_on(lim->arg)) {
            rc = KENSA_ELIMIT;
            break;
        }
        bool ok;
        if(in->kind == MSOC_AGILE) {
            if(!md || in->kd_salt_len > 64) {
                rc = KENSA_EUNSUPPORTED;
                break;
            }
            memcpy(sb, in->kd_salt, in->kd_salt_len);
            wr32(sb + in->kd_salt_len, i);
            ok = hash2(x, md, sb, in->kd_salt_len + 4, NULL, 0, h);
            fit(h, (size_t)EVP_MD_get_size(md), iv, 16);
            ok = ok && aes(key, key_len, iv, c + done, l, seg);
        } else {
            ok = aes(key, key_len, NULL, c + done, l, seg);
        }
        if(!ok) {
            rc = KENSA_ENOMEM;
            break;
        }
        done += l;
        uint64_t left = size - out->len;
        size_t take = left < l ? (size_t)left : l;
        bool full = out->max - out->len < take;   /* keep what fits */
        if(full)
            take = out->max - out->len;
        rc = buf_append(out, seg, take);
        if(!rc && full)
            rc = KENSA_ELIMIT;
        if(rc)
            break;
    }
    if(!rc && (uint64_t)out->len < size)
        rc = KENSA_EFORMAT;        /* truncated */
    EVP_MD_CTX_free(x);
    return rc;
}

/* ---- BIFF8 ----------------------------------------------------------------- */

/* Records [MS-XLS] 2.2.10 leaves in the clear. */
static bool clear_record(uint16_t t)
{
    return t == 0x0809 || t == 0x002F || t == 0x00E1 || t == 0x0195 ||
           t == 0x0194 || t == 0x0196 || t == 0x0138;
}

const uint8_t *msoc_biff_filepass(const uint8_t *w, size_t n, size_t *len)
{
    for(size_t i = 0; i + 4 <= n;) {
        uint16_t t = rd16(w + i), l = rd16(w + i + 2);
        if(l > n - i - 4 || t == 0x000A)       /* cut, or EOF */
            return NULL;
        if(t == 0x002F) {
            *len = l;
            return w + i + 4;
        }
        i += 4 + (size_t)l;
    }
    return NULL;
}

struct ks {
    const struct msoc_info *in;
    const uint8_t *key;
    size_t kl;
    struct rc4 r;
    uint32_t block;
    size_t pos;       /* stream offset the next keystream byte is for */
};

/* The keystream byte for stream offset pos (called with pos rising). */
static bool ks_at(struct ks *k, size_t pos, uint8_t *out)
{
    uint32_t b = (uint32_t)(pos / 1024);
    if(b != k->block || pos < k->pos) {
        uint8_t bk[16];
        size_t bl;
        if(!rc4_block_key(k->in, k->key, k->kl, b, bk, &bl))
            return false;
        rc4_init(&k->r, bk, bl);
        k->block = b;
        k->pos = (size_t)b * 1024;
    }
    while(k->pos < pos) {
        (void)rc4_byte(&k->r);
        k->pos++;
    }
    *out = rc4_byte(&k->r);
    k->pos++;
    return true;
}

enum kensa_err msoc_decrypt_biff(const struct msoc_info *in,
                                 const uint8_t *key, size_t key_len,
                                 uint8_t *w, size_t n)
{
    struct ks k = { .in = in, .key = key, .kl = key_len,
                    .block = UINT32_MAX };
    size_t i = 0;
    bool after = false;
    if((in->kind != MSOC_RC4 && in->kind != MSOC_RC4_CAPI &&
        in->kind != MSOC_XOR) || (in->kind == MSOC_XOR && key_len != 16))
        return KENSA_EINVAL;
    while(i + 4 <= n) {
        uint16_t t = rd16(w + i), len = rd16(w + i + 2);
        size_t d = i + 4;
        if(len > n - d)
            len = (uint16_t)(n - d);      /* a cut stream: what is there */
        if(after && !clear_record(t)) {
            size_t from = t == 0x0085 ? 4 : 0;   /* BOUNDSHEET lbPlyPos */
            for(size_t j = from; j < len && in->kind == MSOC_XOR; j++) {
                /* the array index runs from (offset + record size) */
                uint8_t v = w[d + j] ^ key[(d + j + len) % 16];
                w[d + j] = (uint8_t)(v >> 5 | v << 3);
            }
            for(size_t j = from; j < len && in->kind != MSOC_XOR; j++) {
                uint8_t b;
                if(!ks_at(&k, d + j, &b))
                    return KENSA_ENOMEM;
                w[d + j] ^= b;
            }
        }
        if(t == 0x002F)
            after = true;
        i = d + len;
    }
    return after ? KENSA_OK : KENSA_EFORMAT;
}
