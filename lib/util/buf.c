/*
 * buf.c - capped growable buffers and small byte helpers.
 *
 * Growth doubles the allocation but never past `max`, so a hostile length
 * field can make a parser fail, never make it allocate without bound.
 */
#define _DEFAULT_SOURCE
#include "util/buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <unistd.h>

#include <openssl/evp.h>

void buf_init(struct buf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

enum kensa_err buf_reserve(struct buf *b, size_t extra)
{
    if(extra > b->max || b->len > b->max - extra)
        return KENSA_ELIMIT;
    size_t need = b->len + extra + 1; /* room for a NUL */
    if(need <= b->cap)
        return KENSA_OK;
    size_t ncap = b->cap ? b->cap : 256;
    while(ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    if(ncap > b->max + 1)
        ncap = b->max + 1;
    uint8_t *np = realloc(b->p, ncap);
    if(!np)
        return KENSA_ENOMEM;
    b->p = np;
    b->cap = ncap;
    return KENSA_OK;
}

void *array_grow(void *v, size_t *cap, size_t n, size_t elem, size_t first)
{
    if(n < *cap)
        return v;
    size_t nc = *cap ? *cap * 2 : first;
    if(nc < *cap || !elem || nc > SIZE_MAX / elem)
        return NULL;
    void *nv = realloc(v, nc * elem);
    if(nv)
        *cap = nc;
    return nv;
}

enum kensa_err buf_append_grow(struct buf *b, const void *data, size_t n)
{
    enum kensa_err rc = buf_reserve(b, n);
    if(rc)
        return rc;
    if(n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    return KENSA_OK;
}

enum kensa_err buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

enum kensa_err buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    enum kensa_err rc = KENSA_OK;
    va_list again;
    va_copy(again, ap);
    /* try in place first when there is room */
    size_t room0 = b->cap > b->len ? b->cap - b->len : 0;
    if(room0 > 1 && b->max - b->len + 1 >= room0) {
        va_list t;
        va_copy(t, ap);
        int k = vsnprintf((char *)b->p + b->len, room0, fmt, t);
        va_end(t);
        if(k >= 0 && (size_t)k < room0) {
            b->len += (size_t)k;
            goto out;
        }
    }
    int n = vsnprintf(NULL, 0, fmt, ap);   /* how long, then in place */
    if(n < 0) {
        rc = KENSA_EINVAL;
        goto out;
    }
    size_t want = (size_t)n, room = b->max - b->len;
    if(want > room) {
        want = room;   /* cut at the cap, not before */
        rc = KENSA_ELIMIT;
    }
    enum kensa_err r2 = buf_reserve(b, want);
    if(r2) {
        rc = r2;
        goto out;
    }
    vsnprintf((char *)b->p + b->len, want + 1, fmt, again);
    b->len += want;
out:
    va_end(again);
    return rc;
}

enum kensa_err buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum kensa_err rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *buf_cstr(struct buf *b)
{
    if(!b->p) {
        if(buf_reserve(b, 0))
            return "";
    }
    b->p[b->len] = 0;
    return (const char *)b->p;
}

void buf_free(struct buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void hex_lower(const void *data, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = data;
    for(size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = 0;
}

enum kensa_err write_full(int fd, const void *p, size_t n)
{
    const uint8_t *q = p;
    for(size_t off = 0; off < n;) {
        ssize_t w = write(fd, q + off, n - off);
        if(w < 0 && errno == EINTR)
            continue;
        if(w <= 0)
            return KENSA_EIO;
        off += (size_t)w;
    }
    return KENSA_OK;
}

void drop_mapped(const void *p, size_t n)
{
    /* a member stored in a mapped archive starts anywhere in a page:
     * madvise wants the page boundary */
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)(sysconf(_SC_PAGESIZE) - 1);
    if(n)
        madvise((void *)a, (uintptr_t)p + n - a, MADV_DONTNEED);
}

void sha256_hex_mapped(const void *data, size_t n, char out[65])
{
    const size_t chunk = 4u << 20;
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    out[0] = 0;
    if(!ctx)
        return;
    if(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        const uint8_t *p = data;
        size_t off;
        for(off = 0; off < n; off += chunk) {
            size_t len = n - off < chunk ? n - off : chunk;
            if(!EVP_DigestUpdate(ctx, p + off, len))
                break;
            drop_mapped(p + off, len);
        }
        if(off >= n && EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == 32)
            hex_lower(md, 32, out);
    }
    EVP_MD_CTX_free(ctx);
}

void sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    if(!EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
        out[0] = 0;
        return;
    }
    hex_lower(md, 32, out);
}
