/*
 * zipfix.c - the nested zip rewriter (zipfix.h).
 *
 * Layout of the output: the bytes before the first local header (a
 * launcher script, a .jmod header) unchanged; then each kept entry in the
 * order of its local header, as the original region [header, next header)
 * or as a rebuilt header and data for a nested archive that changed; then
 * the central directory in its original order, each record copied with
 * its offset (and, if rebuilt, CRC and sizes) patched; then the end record
 * with counts, size and offset patched, and whatever followed it.
 */
#include "fix/zipfix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

#include "formats/zip.h"

#define MAX_MEMBER (2u << 30)

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

struct plan {
    size_t idx;
    uint64_t start, end;   /* region of the original */
    int action;            /* 0 copy, 1 remove, 2 rebuild */
    uint32_t crc;
    uint64_t csize, usize, new_lho;
};

static int by_start(const void *a, const void *b)
{
    const struct plan *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Recompress a rebuilt member: libdeflate, level 6 (zip's default), a
 * few times faster than zlib for the same output size. */
static enum kensa_err deflate_raw(const uint8_t *p, size_t n, struct buf *out)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
    if(!c)
        return KENSA_ENOMEM;
    size_t bound = libdeflate_deflate_compress_bound(c, n);
    enum kensa_err rc = buf_reserve(out, bound);
    if(!rc) {
        size_t got = libdeflate_deflate_compress(c, p, n, out->p + out->len,
                                                 bound);
        if(!got)
            rc = KENSA_EFORMAT;
        else
            out->len += got;
    }
    libdeflate_free_compressor(c);
    return rc;
}

static bool name_is(const struct zip_entry *e, const char *s)
{
    return s && strlen(s) == e->name_len && !memcmp(e->name, s, e->name_len);
}

enum kensa_err zipfix_rewrite(const uint8_t *in, size_t n,
                              const struct zipfix_target *t, size_t nt,
                              struct buf *out, unsigned *removed, char *why,
                              size_t whycap)
{
    struct zip z;
    struct plan *pl = NULL;
    struct buf scratch, inner, packed;
    enum kensa_err rc = zip_open(&z, in, n, 0);

    buf_init(&scratch, MAX_MEMBER);
    buf_init(&inner, MAX_MEMBER);
    buf_init(&packed, MAX_MEMBER);
    if(rc) {
        snprintf(why, whycap, "not a readable zip");
        return rc;
    }
    rc = KENSA_EUNSUPPORTED;
    uint32_t sig;
    if(z.eocd_off >= 20 && zrd32(in, n, z.eocd_off - 20, &sig) &&
       sig == 0x07064b50u) {
        snprintf(why, whycap, "zip64 archives are not rewritten");
        goto out;
    }
    if(z.overlapping || z.truncated) {
        snprintf(why, whycap, "overlapping or too many entries");
        goto out;
    }
    pl = calloc(z.count ? z.count : 1, sizeof(*pl));
    if(!pl) {
        rc = KENSA_ENOMEM;
        goto out;
    }
    bool signed_jar = false;
    for(size_t i = 0; i < z.count; i++) {
        const struct zip_entry *e = &z.e[i];
        if(e->name_len > 12 && !memcmp(e->name, "META-INF/", 9) &&
           !memcmp(e->name + e->name_len - 3, ".SF", 3))
            signed_jar = true;
        if(e->csize == 0xffffffffu || e->usize == 0xffffffffu ||
           e->lho - z.prefix == 0xffffffffu) {
            snprintf(why, whycap, "zip64 entries are not rewritten");
            goto out;
        }
        pl[i].idx = i;
        pl[i].start = e->lho;
        for(size_t k = 0; k < nt; k++) {
            if(t[k].chain_len == 0 && name_is(e, t[k].entry))
                pl[i].action = 1;
            else if(t[k].chain_len > 0 && name_is(e, t[k].chain[0]) &&
                    pl[i].action == 0)
                pl[i].action = 2;
        }
        if(pl[i].action && (e->flags & 1)) {
            snprintf(why, whycap, "entry %s is encrypted", e->name);
            goto out;
        }
    }
    /* regions: from a local header to the next one, or to the directory */
    struct plan *order = malloc(z.count * sizeof(*order) + 1);
    if(!order) {
        rc = KENSA_ENOMEM;
        goto out;
    }
    memcpy(order, pl, z.count * sizeof(*order));
    qsort(order, z.count, sizeof(*order), by_start);
    for(size_t i = 0; i < z.count; i++) {
        order[i].end = i + 1 < z.count ? order[i + 1].start : z.cd_start;
        if(order[i].end < order[i].start || order[i].end > n) {
            free(order);
            snprintf(why, whycap, "entries out of order");
            goto out;
        }
    }
    bool any_removed_here = false;
    for(size_t i = 0; i < z.count; i++)
        any_removed_here |= order[i].action == 1;
    if(signed_jar && any_removed_here) {
        free(order);
        snprintf(why, whycap, "signed jar: removing a class breaks its "
                 "signature; upgrade Log4j instead");
        goto out;
    }

    uint64_t first = z.count ? order[0].start : z.cd_start;
    out->len = 0;
    if((rc = buf_append(out, in, (size_t)first)))
        goto out_order;
    for(size_t i = 0; i < z.count; i++) {
        struct plan *p = &order[i];
        const struct zip_entry *e = &z.e[p->idx];
        if(p->action == 1) {
            (*removed)++;
            continue;
        }
        p->new_lho = out->len;
        if(p->action == 2) {
            /* the member holds targets further down: rebuild it */
            struct zipfix_target sub[64];
            size_t ns = 0;
            for(size_t k = 0; k < nt && ns < 64; k++) {
                if(t[k].chain_len > 0 && name_is(e, t[k].chain[0])) {
                    sub[ns].chain = t[k].chain + 1;
                    sub[ns].chain_len = t[k].chain_len - 1;
                    sub[ns].entry = t[k].entry;
                    ns++;
                }
            }
            const uint8_t *data;
            size_t dlen;
            rc = zip_get(&z, p->idx, 1000, &scratch, &data, &dlen);
            if(rc) {
                snprintf(why, whycap, "cannot read %s", e->name);
                goto out_order;
            }
            unsigned sub_removed = 0;
            inner.len = 0;
            rc = zipfix_rewrite(data, dlen, sub, ns, &inner, &sub_removed,
                                why, whycap);
            if(rc)
                goto out_order;
            if(sub_removed) {
                *removed += sub_removed;
                packed.len = 0;
                if(e->method == 8)
                    rc = deflate_raw(inner.p, inner.len, &packed);
                else if(e->method == 0)
                    rc = buf_append(&packed, inner.p, inner.len);
                else
                    rc = KENSA_EUNSUPPORTED;
                if(rc)
                    goto out_order;
                if(packed.len > 0xfffffffeu || inner.len > 0xfffffffeu) {
                    rc = KENSA_EUNSUPPORTED;
                    snprintf(why, whycap, "rebuilt member would need zip64");
                    goto out_order;
                }
                uint16_t lnl, lxl;
                if(!zrd16(in, n, e->lho + 26, &lnl) ||
                   !zrd16(in, n, e->lho + 28, &lxl)) {
                    rc = KENSA_EFORMAT;
                    goto out_order;
                }
                uint8_t hdr[30];
                memcpy(hdr, in + e->lho, 30);
                uint16_t flags = (uint16_t)(hdr[6] | hdr[7] << 8);
                put16(hdr + 6, flags & ~8u);   /* sizes are in the header */
                p->crc = (uint32_t)crc32(0, inner.p, (uInt)inner.len);
                p->csize = packed.len;
                p->usize = inner.len;
                put32(hdr + 14, p->crc);
                put32(hdr + 18, (uint32_t)p->csize);
                put32(hdr + 22, (uint32_t)p->usize);
                if((rc = buf_append(out, hdr, 30)) ||
                   (rc = buf_append(out, in + e->lho + 30,
                                    (size_t)lnl + lxl)) ||
                   (rc = buf_append(out, packed.p, packed.len)))
                    goto out_order;
                continue;
            }
            p->action = 0;   /* nothing below changed: copy as is */
        }
        if((rc = buf_append(out, in + p->start, (size_t)(p->end - p->start))))
            goto out_order;
    }
    /* the central directory, in its own order: the plans go back to the
     * directory's indexes so each record finds its own in one step */
    for(size_t k = 0; k < z.count; k++)
        pl[order[k].idx] = order[k];
    uint64_t cd_new = out->len;
    size_t kept = 0;
    for(size_t i = 0; i < z.count; i++) {
        const struct zip_entry *e = &z.e[i];
        struct plan *p = &pl[i];
        if(p->action == 1)
            continue;
        uint16_t nl = 0, xl = 0, cl = 0;
        zrd16(in, n, e->cd_off + 28, &nl);
        zrd16(in, n, e->cd_off + 30, &xl);
        zrd16(in, n, e->cd_off + 32, &cl);
        size_t rl = 46 + (size_t)nl + xl + cl;
        size_t at = out->len;
        if((rc = buf_append(out, in + e->cd_off, rl)))
            goto out_order;
        put32(out->p + at + 42, (uint32_t)(p->new_lho - z.prefix));
        if(p->action == 2) {
            uint16_t fl = (uint16_t)(out->p[at + 8] | out->p[at + 9] << 8);
            put16(out->p + at + 8, fl & ~8u);
            put32(out->p + at + 16, p->crc);
            put32(out->p + at + 20, (uint32_t)p->csize);
            put32(out->p + at + 24, (uint32_t)p->usize);
        }
        kept++;
    }
    uint64_t cd_size = out->len - cd_new;
    size_t at = out->len;
    if((rc = buf_append(out, in + z.eocd_off, n - (size_t)z.eocd_off)))
        goto out_order;
    if(kept > 0xffff || cd_new - z.prefix > 0xfffffffeu) {
        rc = KENSA_EUNSUPPORTED;
        snprintf(why, whycap, "rewritten archive would need zip64");
        goto out_order;
    }
    put16(out->p + at + 8, (uint32_t)kept);
    put16(out->p + at + 10, (uint32_t)kept);
    put32(out->p + at + 12, (uint32_t)cd_size);
    put32(out->p + at + 16, (uint32_t)(cd_new - z.prefix));
    rc = KENSA_OK;
out_order:
    free(order);
out:
    free(pl);
    buf_free(&scratch);
    buf_free(&inner);
    buf_free(&packed);
    zip_close(&z);
    return rc;
}
