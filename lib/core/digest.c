/*
 * digest.c - the digest service: MD5, SHA-1 and SHA-256 of any object,
 * computed at most once per object and only when someone asks (a report
 * that needs the file's hash, a hash IoC, a cache key), through OpenSSL.
 *
 * The digests of an object are cached in the object; asking for one
 * algorithm computes every algorithm asked for so far in the same pass
 * only when they are asked together (kobj_digests), so a detector that
 * wants all three reads the bytes once.  A read-only file mapping is
 * hashed in 4 MiB steps whose pages are dropped after, so hashing a large
 * file does not leave it resident.  Streamed objects (no data) have no
 * digest.
 */
#include <string.h>

#include <openssl/evp.h>

#include "core/engine.h"

static const EVP_MD *md_of(enum kdigest a)
{
    switch(a) {
    case KDIGEST_MD5: return EVP_md5();
    case KDIGEST_SHA1: return EVP_sha1();
    default: return EVP_sha256();
    }
}

static const size_t md_len[KDIGEST_COUNT] = { 16, 20, 32 };

bool kobj_digests(struct kobj *obj, unsigned want)
{
    EVP_MD_CTX *md[KDIGEST_COUNT] = { NULL };
    bool ok = true;
    unsigned todo = want & ~obj->digested & ((1u << KDIGEST_COUNT) - 1);
    if(!todo)
        return true;
    if(!obj->data && obj->len)
        return false;
    for(int a = 0; a < KDIGEST_COUNT && ok; a++) {
        if(!(todo & (1u << a)))
            continue;
        md[a] = EVP_MD_CTX_new();
        ok = md[a] && EVP_DigestInit_ex(md[a], md_of((enum kdigest)a), NULL);
    }
    const size_t step = 4u << 20;
    for(size_t off = 0; ok && off < obj->len; off += step) {
        size_t k = obj->len - off < step ? obj->len - off : step;
        for(int a = 0; a < KDIGEST_COUNT && ok; a++) {
            if(md[a])
                ok = EVP_DigestUpdate(md[a], obj->data + off, k);
        }
        if(obj->mapped && obj->len > step)
            drop_mapped(obj->data + off, k);
    }
    for(int a = 0; a < KDIGEST_COUNT; a++) {
        uint8_t out[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        if(md[a] && ok && EVP_DigestFinal_ex(md[a], out, &n) &&
           n == md_len[a]) {
            hex_lower(out, n, obj->digest_hex[a]);
            obj->digested |= 1u << a;
        }
        EVP_MD_CTX_free(md[a]);
    }
    return (obj->digested & want) == want;
}

const char *kobj_digest_hex(struct kobj *obj, enum kdigest a)
{
    if((unsigned)a >= KDIGEST_COUNT || !kobj_digests(obj, 1u << a))
        return NULL;
    return obj->digest_hex[a];
}
