/*
 * msocrypt.h - password-encrypted Office documents ([MS-OFFCRYPTO]):
 * the EncryptionInfo of an OOXML package kept in a CFB (Standard and
 * Agile AES encryption) and of a BIFF8 FILEPASS record (RC4 and RC4
 * CryptoAPI), the key a password gives (checked against the file's
 * verifier), and the decryption of the EncryptedPackage stream and of a
 * BIFF8 Workbook stream.
 *
 * Pure functions over memory: nothing here knows about the engine.  The
 * password-hashing loop is the costly part (a file chooses its spin
 * count): it stops at msoc_limits.max_spins (KENSA_ELIMIT, nothing
 * spent) and asks go_on() every 65,536 rounds, so the caller's time
 * budget holds.  Hashes and AES come from libcrypto; RC4 is done here
 * (OpenSSL 3 keeps it in its legacy provider, absent from static builds).
 */
#ifndef KENSA_OFFICE_MSOCRYPT_H
#define KENSA_OFFICE_MSOCRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/kensa.h"
#include "util/buf.h"

/* The password Excel uses when a workbook is "encrypted" without one
 * (a read-only or protected structure): malware relies on it. */
#define MSOC_DEFAULT_PASSWORD "VelvetSweatshop"
#define MSOC_MAX_SPINS 10000000u       /* default cap on the spin count */
#define MSOC_MAX_INFO (1u << 20)       /* an EncryptionInfo read whole */

enum msoc_kind {
    MSOC_STANDARD = 1,   /* AES-128/192/256 ECB, SHA-1, 50,000 spins */
    MSOC_AGILE = 2,      /* XML descriptor: SHA-1/2, AES-CBC, segments */
    MSOC_RC4 = 3,        /* BIFF8 FILEPASS RC4 (1.1): MD5 keys */
    MSOC_RC4_CAPI = 4,   /* BIFF8 FILEPASS RC4 CryptoAPI: SHA-1 keys */
    MSOC_XOR = 5,        /* BIFF8 FILEPASS XOR obfuscation (method 1) */
};

enum msoc_hash { MSOC_SHA1 = 1, MSOC_SHA256, MSOC_SHA384, MSOC_SHA512,
                 MSOC_MD5 };

/* A parsed EncryptionInfo; plain data, no pointers. */
struct msoc_info {
    enum msoc_kind kind;
    uint16_t vmajor, vminor;
    enum msoc_hash hash;       /* of the password key */
    uint32_t spins;
    uint32_t key_bits;         /* of the password key (Agile: encryptor) */
    uint32_t alg_id;           /* Standard/CryptoAPI: CALG_* */
    uint16_t xor_key, xor_verifier;  /* XOR: FILEPASS key, verifier */
    uint8_t salt[64];          /* password salt */
    size_t salt_len;
    uint8_t verifier[64];      /* encrypted verifier (hash input) */
    size_t verifier_len;
    uint8_t verifier_hash[64]; /* encrypted verifier hash (value) */
    size_t verifier_hash_len;
    /* Agile only */
    uint32_t block;            /* cipher block size of the encryptor */
    uint8_t key_value[64];     /* encryptedKeyValue */
    size_t key_value_len;
    enum msoc_hash kd_hash;    /* keyData: the package's segments */
    uint32_t kd_key_bits, kd_block;
    uint8_t kd_salt[64];
    size_t kd_salt_len;
};

struct msoc_limits {
    uint32_t max_spins;        /* 0: MSOC_MAX_SPINS */
    /* Asked every 65,536 hashing rounds and every MiB decrypted; false
     * stops the work with KENSA_ELIMIT.  NULL: never asked. */
    bool (*go_on)(void *arg);
    void *arg;
};

/*
 * Parse an EncryptionInfo stream p[0..n) (an OOXML package's) into *out.
 * KENSA_EFORMAT when it does not hold together, KENSA_EUNSUPPORTED for
 * an encryption this reader does not do (Extensible, certificate-only,
 * another cipher or chaining) - either way the document stays encrypted.
 */
enum kensa_err msoc_parse(const uint8_t *p, size_t n, struct msoc_info *out);

/*
 * A BIFF8 FILEPASS record's data d[0..n) into *out: RC4 (1.1), RC4
 * CryptoAPI and XOR obfuscation (wEncryptionType 0: *xor set too) are
 * parsed (KENSA_OK); anything else KENSA_EFORMAT or KENSA_EUNSUPPORTED.
 */
enum kensa_err msoc_parse_filepass(const uint8_t *d, size_t n,
                                   struct msoc_info *out, bool *xor);

/*
 * The key `password` (UTF-8; ASCII and the BMP are converted to the
 * UTF-16LE Office hashes) gives for `in`, checked against the file's
 * verifier: KENSA_OK and *match true with the key in key[0..*key_len)
 * (at most 64 bytes) when it opens the file, *match false when it does
 * not.  KENSA_ELIMIT when in->spins exceeds the cap or go_on() said
 * stop; KENSA_EUNSUPPORTED, KENSA_ENOMEM.  XOR: the 16-byte XOR array of
 * a password (its first 15 characters) whose key and verifier match.
 */
enum kensa_err msoc_key(const struct msoc_info *in, const char *password,
                        const struct msoc_limits *lim, uint8_t key[64],
                        size_t *key_len, bool *match);

/*
 * Decrypt an EncryptedPackage stream p[0..n) (an 8-byte size, then the
 * AES blocks) with a key from msoc_key(), appending the package to
 * `out` (the caller's buf, its max the cap: KENSA_ELIMIT beyond it, what
 * fitted kept).  A stream shorter than its stated size gives what it
 * holds and KENSA_EFORMAT (truncated); KENSA_EINVAL for an `in` that is
 * not Standard or Agile or a key that is not 16, 24 or 32 bytes.
 */
enum kensa_err msoc_decrypt_package(const struct msoc_info *in,
                                    const uint8_t *key, size_t key_len,
                                    const uint8_t *p, size_t n,
                                    const struct msoc_limits *lim,
                                    struct buf *out);

/*
 * The data of the FILEPASS record in the BIFF8 record stream w[0..n)
 * (*len its length), or NULL when there is none before the first EOF.
 */
const uint8_t *msoc_biff_filepass(const uint8_t *w, size_t n, size_t *len);

/*
 * Decrypt, in place, a BIFF8 record stream w[0..n) encrypted with RC4,
 * RC4 CryptoAPI or XOR (the key from msoc_key() on its FILEPASS): record
 * headers stay, record data from the one after FILEPASS on is
 * decrypted, except what [MS-XLS] leaves in the clear (BOF, FILEPASS,
 * INTERFACEHDR, FILELOCK, USREXCL, RRDINFO, RRDHEAD and the stream
 * position of BOUNDSHEET).  KENSA_EFORMAT when no FILEPASS is found.
 */
enum kensa_err msoc_decrypt_biff(const struct msoc_info *in,
                                 const uint8_t *key, size_t key_len,
                                 uint8_t *w, size_t n);

#endif
