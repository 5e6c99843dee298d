/*
 * fuzz_msocrypt.c - libFuzzer harness for lib/office/msocrypt.c: the
 * EncryptionInfo parser (Standard, Agile XML), the BIFF8 FILEPASS
 * parser, the key derivation and verifier check with a fixed password,
 * and the decryption of a small EncryptedPackage and Workbook stream.
 *
 * Input: one byte choosing the path (even: an OOXML EncryptionInfo, odd:
 * a BIFF8 record stream), then for OOXML a 16-bit little-endian length,
 * the EncryptionInfo and the EncryptedPackage after it.  The spin count
 * is clamped to 64 here (a harness-only cap, so each input is quick: the
 * engine's own cap is msoc_limits.max_spins); the package is decrypted
 * with the key found or, when the password does not fit, a fixed key, so
 * the decryption is reached whatever the verifier says.
 * Seeds: fuzz/corpus/msocrypt (tests/gen/mkencdoc.py --seeds).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "office/msocrypt.h"

#define HARNESS_SPINS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void keyed(struct msoc_info *in, uint8_t key[64], size_t *kl)
{
    struct msoc_limits lim = { .max_spins = HARNESS_SPINS };
    bool match = false;
    if(in->spins > HARNESS_SPINS)
        in->spins = HARNESS_SPINS;
    if(msoc_key(in, MSOC_DEFAULT_PASSWORD, &lim, key, kl, &match) ||
       !match) {
        memset(key, 0x5A, 64);
        *kl = in->kind == MSOC_AGILE ? in->kd_key_bits / 8 :
              in->kind == MSOC_STANDARD ? in->key_bits / 8 :
              in->kind == MSOC_RC4 ? 5 : 20;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct msoc_info in;
    uint8_t key[64];
    size_t kl = 0;
    if(size < 1)
        return 0;
    if(!(data[0] & 1)) {
        if(size < 3)
            return 0;
        size_t il = (size_t)data[1] | (size_t)data[2] << 8;
        if(il > size - 3)
            il = size - 3;
        if(msoc_parse(data + 3, il, &in))
            return 0;
        keyed(&in, key, &kl);
        struct buf out;
        buf_init(&out, 1u << 20);
        (void)msoc_decrypt_package(&in, key, kl, data + 3 + il,
                                   size - 3 - il, NULL, &out);
        buf_free(&out);
        return 0;
    }
    size_t fl = 0;
    const uint8_t *fp = msoc_biff_filepass(data + 1, size - 1, &fl);
    bool xor = false;
    if(!fp || msoc_parse_filepass(fp, fl, &in, &xor))
        return 0;
    keyed(&in, key, &kl);
    uint8_t *w = malloc(size - 1);
    if(!w)
        return 0;
    memcpy(w, data + 1, size - 1);
    (void)msoc_decrypt_biff(&in, key, kl, w, size - 1);
    free(w);
    return 0;
}
