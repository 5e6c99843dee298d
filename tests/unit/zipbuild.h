/*
 * zipbuild.h - builds small zip archives in memory for the unit tests,
 * so no fixture is committed.  Deflate through zlib's raw mode.
 */
#ifndef KENSA_TESTS_ZIPBUILD_H
#define KENSA_TESTS_ZIPBUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct zb_entry {
    const char *name;
    const void *data;
    size_t len;
    int method; /* 0 or 8 */
};

static void zb_put16(uint8_t **p, unsigned v) { (*p)[0] = v & 255; (*p)[1] = (v >> 8) & 255; *p += 2; }
static void zb_put32(uint8_t **p, uint32_t v) { zb_put16(p, v & 0xffff); zb_put16(p, v >> 16); }

/* Returns a malloc'd archive of *out_len bytes, with `prefix` bytes of
 * junk in front (offsets left as if the prefix were not there). */
static inline uint8_t *zb_build(const struct zb_entry *e, size_t n,
                                size_t prefix, size_t *out_len)
{
    size_t cap = prefix + 1024;
    for(size_t i = 0; i < n; i++)
        cap += 2 * (strlen(e[i].name) + 100) + e[i].len * 2 + 64;
    uint8_t *buf = calloc(1, cap), *p = buf + prefix;
    uint32_t *lho = calloc(n ? n : 1, sizeof(uint32_t));
    uint32_t *csz = calloc(n ? n : 1, sizeof(uint32_t));
    uint32_t *crc = calloc(n ? n : 1, sizeof(uint32_t));
    memset(buf, '#', prefix);
    for(size_t i = 0; i < n; i++) {
        size_t nl = strlen(e[i].name);
        lho[i] = (uint32_t)(p - buf - prefix);
        crc[i] = (uint32_t)crc32(0, e[i].data, (uInt)e[i].len);
        uint8_t *hdr = p;
        p += 30 + nl;
        if(e[i].method == 8) {
            z_stream zs;
            memset(&zs, 0, sizeof(zs));
            deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
            zs.next_in = (Bytef *)e[i].data;
            zs.avail_in = (uInt)e[i].len;
            zs.next_out = p;
            zs.avail_out = (uInt)(cap - (size_t)(p - buf));
            deflate(&zs, Z_FINISH);
            csz[i] = (uint32_t)zs.total_out;
            deflateEnd(&zs);
        } else {
            memcpy(p, e[i].data, e[i].len);
            csz[i] = (uint32_t)e[i].len;
        }
        p += csz[i];
        uint8_t *q = hdr;
        zb_put32(&q, 0x04034b50); zb_put16(&q, 20); zb_put16(&q, 0);
        zb_put16(&q, (unsigned)e[i].method); zb_put32(&q, 0);
        zb_put32(&q, crc[i]); zb_put32(&q, csz[i]);
        zb_put32(&q, (uint32_t)e[i].len); zb_put16(&q, (unsigned)nl);
        zb_put16(&q, 0);
        memcpy(q, e[i].name, nl);
    }
    uint32_t cdoff = (uint32_t)(p - buf - prefix);
    for(size_t i = 0; i < n; i++) {
        size_t nl = strlen(e[i].name);
        zb_put32(&p, 0x02014b50); zb_put16(&p, 20); zb_put16(&p, 20);
        zb_put16(&p, 0); zb_put16(&p, (unsigned)e[i].method);
        zb_put32(&p, 0); zb_put32(&p, crc[i]); zb_put32(&p, csz[i]);
        zb_put32(&p, (uint32_t)e[i].len); zb_put16(&p, (unsigned)nl);
        zb_put16(&p, 0); zb_put16(&p, 0); zb_put16(&p, 0); zb_put16(&p, 0);
        zb_put32(&p, 0); zb_put32(&p, lho[i]);
        memcpy(p, e[i].name, nl);
        p += nl;
    }
    uint32_t cdsize = (uint32_t)(p - buf - prefix) - cdoff;
    zb_put32(&p, 0x06054b50); zb_put16(&p, 0); zb_put16(&p, 0);
    zb_put16(&p, (unsigned)n); zb_put16(&p, (unsigned)n);
    zb_put32(&p, cdsize); zb_put32(&p, cdoff); zb_put16(&p, 0);
    *out_len = (size_t)(p - buf);
    free(lho);
    free(csz);
    free(crc);
    return buf;
}

#endif
