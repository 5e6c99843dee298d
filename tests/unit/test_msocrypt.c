/*
 * test_msocrypt.c - lib/office/msocrypt.c on inputs built here: the
 * Agile descriptor's attributes, the spin-count cap and the time check
 * (no hashing past either), every truncation of a Standard header, the
 * FILEPASS kinds, and the package decryptor's bounds (stated size, cap,
 * key length).  Decryption against real keys is tested end to end by
 * tests/cli/doccrypt.bats and the shared corpus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "office/msocrypt.h"

#define B64_16 "AAECAwQFBgcICQoLDA0ODw=="      /* 16 bytes */
#define B64_32 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define B64_64 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="

/* An Agile EncryptionInfo with spinCount `spins`, into out. */
static size_t agile_info(uint8_t *out, size_t cap, const char *spins)
{
    char x[2048];
    int n = snprintf(x, sizeof(x),
        "<?xml version=\"1.0\"?><encryption><keyData saltSize=\"16\" "
        "blockSize=\"16\" keyBits=\"256\" hashSize=\"64\" "
        "cipherAlgorithm=\"AES\" cipherChaining=\"ChainingModeCBC\" "
        "hashAlgorithm=\"SHA512\" saltValue=\"" B64_16 "\"/>"
        "<keyEncryptors><keyEncryptor uri=\"x\"><p:encryptedKey "
        "spinCount=\"%s\" saltSize=\"16\" blockSize=\"16\" keyBits=\"256\" "
        "hashSize=\"64\" cipherAlgorithm=\"AES\" "
        "cipherChaining=\"ChainingModeCBC\" hashAlgorithm=\"SHA512\" "
        "saltValue=\"" B64_16 "\" encryptedVerifierHashInput=\"" B64_16
        "\" encryptedVerifierHashValue=\"%s\" encryptedKeyValue=\"%s\"/>"
        "</keyEncryptor></keyEncryptors></encryption>", spins,
        B64_64, B64_32);
    assert_true(n > 0 && (size_t)n < sizeof(x));
    out[0] = 4; out[1] = 0; out[2] = 4; out[3] = 0;
    out[4] = 0x40; out[5] = out[6] = out[7] = 0;
    size_t l = strlen(x);
    assert_true(8 + l <= cap);
    memcpy(out + 8, x, l);
    return 8 + l;
}

static bool stop_now(void *arg)
{
    (*(int *)arg)++;
    return false;
}

static void agile_spin_cap_and_time(void **st)
{
    (void)st;
    uint8_t info[4096], key[64];
    size_t kl;
    bool match = true;
    struct msoc_info in;
    size_t n = agile_info(info, sizeof(info), "4000000000");
    assert_int_equal(msoc_parse(info, n, &in), KENSA_OK);
    assert_int_equal(in.kind, MSOC_AGILE);
    assert_int_equal(in.spins, 4000000000u);
    /* over the cap: refused before any hashing */
    assert_int_equal(msoc_key(&in, "x", NULL, key, &kl, &match),
                     KENSA_ELIMIT);
    assert_false(match);
    /* under the cap, but the time budget says stop */
    in.spins = 200000;
    int asked = 0;
    struct msoc_limits lim = { .go_on = stop_now, .arg = &asked };
    assert_int_equal(msoc_key(&in, "x", &lim, key, &kl, &match),
                     KENSA_ELIMIT);
    assert_int_equal(asked, 1);
    /* a handful of rounds: a wrong password, no key */
    in.spins = 10;
    assert_int_equal(msoc_key(&in, "x", NULL, key, &kl, &match), KENSA_OK);
    assert_false(match);
    assert_int_equal(kl, 0);
}

static void agile_bad_attributes(void **st)
{
    (void)st;
    uint8_t info[4096];
    struct msoc_info in;
    size_t n = agile_info(info, sizeof(info), "100000");
    char *s = (char *)info + 8;
    /* another cipher, another chaining, a non-numeric spin count */
    char *c = strstr(s, "\"AES\"");
    memcpy(c, "\"DES\"", 5);
    assert_int_equal(msoc_parse(info, n, &in), KENSA_EUNSUPPORTED);
    memcpy(c, "\"AES\"", 5);
    c = strstr(s, "spinCount=\"100000\"");
    memcpy(c + 11, "1x", 2);
    assert_int_not_equal(msoc_parse(info, n, &in), KENSA_OK);
    /* every truncation: never a success without its key encryptor */
    n = agile_info(info, sizeof(info), "100000");
    for(size_t k = 0; k < n - 60; k++)
        if(msoc_parse(info, k, &in) == KENSA_OK)
            assert_int_equal(in.kind, MSOC_AGILE);
}

/* A Standard (AES-128) EncryptionInfo: version 3.2, flags, header,
 * verifier. */
static size_t standard_info(uint8_t *p)
{
    static const uint8_t head[] = {
        3, 0, 2, 0, 0x24, 0, 0, 0, 32, 0, 0, 0,           /* size 32 */
        0x24, 0, 0, 0, 0, 0, 0, 0, 0x0E, 0x66, 0, 0, 0x04, 0x80, 0, 0,
        0x80, 0, 0, 0, 0x18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    };
    size_t n = sizeof(head);
    memcpy(p, head, n);
    p[n] = 16; p[n + 1] = p[n + 2] = p[n + 3] = 0;
    memset(p + n + 4, 0xA5, 32);                         /* salt, verifier */
    p[n + 36] = 20; p[n + 37] = p[n + 38] = p[n + 39] = 0;
    memset(p + n + 40, 0x5A, 32);                        /* its hash */
    return n + 72;
}

static void standard_truncations(void **st)
{
    (void)st;
    uint8_t info[256];
    struct msoc_info in;
    size_t n = standard_info(info);
    assert_int_equal(msoc_parse(info, n, &in), KENSA_OK);
    assert_int_equal(in.kind, MSOC_STANDARD);
    assert_int_equal(in.key_bits, 128);
    for(size_t k = 0; k < n; k++)
        assert_int_not_equal(msoc_parse(info, k, &in), KENSA_OK);
    /* Extensible encryption: not decrypted */
    info[2] = 3;
    assert_int_equal(msoc_parse(info, n, &in), KENSA_EUNSUPPORTED);
}

static void filepass_kinds(void **st)
{
    (void)st;
    struct msoc_info in;
    bool xor;
    /* XOR: the key and verifier of "abc" ([MS-OFFCRYPTO] 2.3.7), as a
     * real workbook of the shared corpus has them */
    uint8_t x[6] = { 0, 0, 0x4A, 0x51, 0x1A, 0xCC }, arr[64];
    size_t kl;
    bool match;
    assert_int_equal(msoc_parse_filepass(x, 6, &in, &xor), KENSA_OK);
    assert_true(xor);
    assert_int_equal(in.kind, MSOC_XOR);
    assert_int_equal(msoc_key(&in, "abc", NULL, arr, &kl, &match), KENSA_OK);
    assert_true(match);
    assert_int_equal(kl, 16);
    assert_int_equal(msoc_key(&in, "abd", NULL, arr, &kl, &match), KENSA_OK);
    assert_false(match);
    assert_int_not_equal(msoc_parse_filepass(x, 5, &in, &xor), KENSA_OK);
    uint8_t r[54] = { 1, 0, 1, 0, 1, 0 };
    assert_int_equal(msoc_parse_filepass(r, 54, &in, &xor), KENSA_OK);
    assert_false(xor);
    assert_int_equal(in.kind, MSOC_RC4);
    assert_int_not_equal(msoc_parse_filepass(r, 53, &in, &xor), KENSA_OK);
    /* records: FILEPASS before the first EOF only */
    static const uint8_t w[] = { 0x09, 0x08, 0, 0, 0x0A, 0, 0, 0,
                                 0x2F, 0, 2, 0, 0, 0 };
    size_t fl;
    assert_null(msoc_biff_filepass(w, sizeof(w), &fl));
    assert_non_null(msoc_biff_filepass(w + 8, 6, &fl));
    assert_int_equal(fl, 2);
}

static void package_bounds(void **st)
{
    (void)st;
    struct msoc_info in = { .kind = MSOC_STANDARD, .key_bits = 128 };
    uint8_t key[16] = { 0 }, p[8 + 64];
    struct buf out;
    memset(p, 0xFF, sizeof(p));            /* states 2^64-1 bytes */
    buf_init(&out, 1 << 20);
    assert_int_equal(msoc_decrypt_package(&in, key, 16, p, sizeof(p), NULL,
                                          &out), KENSA_EFORMAT);
    assert_int_equal(out.len, 64);         /* what is there, no more */
    buf_free(&out);
    buf_init(&out, 40);                    /* a cap: what fits kept */
    assert_int_equal(msoc_decrypt_package(&in, key, 16, p, sizeof(p), NULL,
                                          &out), KENSA_ELIMIT);
    assert_int_equal(out.len, 40);
    buf_free(&out);
    buf_init(&out, 1 << 20);
    assert_int_equal(msoc_decrypt_package(&in, key, 7, p, sizeof(p), NULL,
                                          &out), KENSA_EINVAL);
    assert_int_equal(msoc_decrypt_package(&in, key, 16, p, 7, NULL, &out),
                     KENSA_EFORMAT);
    p[0] = 10; memset(p + 1, 0, 7);        /* 10 bytes stated */
    assert_int_equal(msoc_decrypt_package(&in, key, 16, p, sizeof(p), NULL,
                                          &out), KENSA_OK);
    assert_int_equal(out.len, 10);
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(agile_spin_cap_and_time),
        cmocka_unit_test(agile_bad_attributes),
        cmocka_unit_test(standard_truncations),
        cmocka_unit_test(filepass_kinds),
        cmocka_unit_test(package_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
