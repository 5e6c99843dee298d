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
#define _GNU_SOURCE
#include "fix/zipfix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zlib.h>

#include "core/engine.h"
#include "formats/zip.h"

#define MAX_MEMBER (2u << 30)
#define NEST_MEM (4u << 20)    /* a nested member larger than this is
                                  inflated, rebuilt and read from
                                  temporary files, not memory */
#define CHUNK (1u << 20)       /* copies and recompression go by this */
#define WBUF (256u << 10)      /* writes to a file are gathered up to this */

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

/* ---- output: a buffer or a file ------------------------------------------ */

/*
 * Where a rewrite writes: a caller's buffer (zipfix_rewrite), or a file
 * descriptor written in order through a small buffer, with headers
 * patched in place once their sizes are known.  `len` counts the bytes
 * written from the zip's start, which is where offsets are measured.
 */
struct zout {
    struct buf *b;         /* the buffer, or NULL for fd */
    int fd;
    off_t base;            /* the file offset where this output starts */
    uint64_t len;
    uint8_t *wb;           /* pending bytes for fd */
    size_t wn;
};

static enum kensa_err zo_flush(struct zout *o)
{
    enum kensa_err rc = KENSA_OK;
    if(!o->b && o->wn)
        rc = write_full(o->fd, o->wb, o->wn);
    o->wn = 0;
    return rc;
}

static enum kensa_err zo_put(struct zout *o, const void *p, size_t n)
{
    enum kensa_err rc = KENSA_OK;
    if(o->b)
        rc = buf_append(o->b, p, n);
    else if(o->wn + n <= WBUF) {
        memcpy(o->wb + o->wn, p, n);
        o->wn += n;
    } else if(!(rc = zo_flush(o))) {
        if(n < WBUF) {
            memcpy(o->wb, p, n);
            o->wn = n;
        } else {
            rc = write_full(o->fd, p, n);
        }
    }
    if(!rc)
        o->len += n;
    return rc;
}

/* Overwrite n bytes at `at` (already written). */
static enum kensa_err zo_patch(struct zout *o, uint64_t at, const void *p,
                               size_t n)
{
    if(o->b) {
        memcpy(o->b->p + at, p, n);
        return KENSA_OK;
    }
    enum kensa_err rc = zo_flush(o);
    if(rc)
        return rc;
    return pwrite(o->fd, p, n, o->base + (off_t)at) == (ssize_t)n ?
           KENSA_OK : KENSA_EIO;
}

static enum kensa_err zo_open_fd(struct zout *o, int fd)
{
    memset(o, 0, sizeof(*o));
    o->fd = fd;
    o->base = lseek(fd, 0, SEEK_CUR);
    o->wb = malloc(WBUF);
    if(o->base < 0)
        return KENSA_EIO;
    return o->wb ? KENSA_OK : KENSA_ENOMEM;
}

/* Copy in[0..n) to o; if `mapped`, drop its pages as we go. */
static enum kensa_err zo_copy(struct zout *o, const uint8_t *in, size_t n,
                              bool mapped)
{
    for(size_t off = 0; off < n; off += CHUNK) {
        size_t c = n - off < CHUNK ? n - off : CHUNK;
        enum kensa_err rc = zo_put(o, in + off, c);
        if(rc)
            return rc;
        if(mapped)
            drop_mapped(in + off, c);
    }
    return KENSA_OK;
}

/* ---- temporary files ----------------------------------------------------- */

/* Bytes that are either in memory or in a mapped temporary file. */
struct blob {
    const uint8_t *p;
    size_t n;
    bool mapped;           /* p is our mapping of `fd`: unmap it */
    int fd;
};

static enum kensa_err blob_map(struct blob *b, int fd, uint64_t len)
{
    b->fd = fd;
    b->n = (size_t)len;
    if(!len) {
        b->p = (const uint8_t *)"";
        return KENSA_OK;
    }
    void *m = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, fd, 0);
    if(m == MAP_FAILED)
        return KENSA_EIO;
    b->p = m;
    b->mapped = true;
    return KENSA_OK;
}

static void blob_free(struct blob *b)
{
    if(b->mapped)
        munmap((void *)b->p, b->n);
    if(b->fd >= 0)
        close(b->fd);
    b->mapped = false;
    b->fd = -1;
}

/* ---- recompression ------------------------------------------------------- */

/* Write `in` (n bytes) to o as member data with `method`: stored, or
 * deflated (libdeflate level 6 in memory for small members, zlib level 6
 * streamed for large ones, so memory stays flat).  Fills crc and csize. */
static enum kensa_err pack(struct zout *o, const uint8_t *in, size_t n,
                           bool mapped, uint16_t method, uint32_t *crc,
                           uint64_t *csize)
{
    enum kensa_err rc = KENSA_OK;
    uint64_t at = o->len;
    uLong c = crc32(0, NULL, 0);

    for(size_t off = 0; off < n; off += CHUNK) {
        size_t k = n - off < CHUNK ? n - off : CHUNK;
        c = crc32(c, in + off, (uInt)k);
        if(mapped)
            drop_mapped(in + off, k);
    }
    *crc = (uint32_t)c;
    if(method == 0) {
        rc = zo_copy(o, in, n, mapped);
    } else if(method != 8) {
        rc = KENSA_EUNSUPPORTED;
    } else if(n <= NEST_MEM) {
        struct buf packed;
        buf_init(&packed, MAX_MEMBER);
        if(!(rc = deflate_raw(in, n, &packed)))
            rc = zo_put(o, packed.p, packed.len);
        buf_free(&packed);
    } else {
        z_stream zs;
        uint8_t *ob = malloc(CHUNK);
        memset(&zs, 0, sizeof(zs));
        if(!ob || deflateInit2(&zs, 6, Z_DEFLATED, -15, 8,
                               Z_DEFAULT_STRATEGY) != Z_OK) {
            free(ob);
            return KENSA_ENOMEM;
        }
        size_t off = 0;
        int zr = Z_OK;
        while(!rc && zr != Z_STREAM_END) {
            size_t k = n - off < CHUNK ? n - off : CHUNK;
            zs.next_in = (Bytef *)in + off;
            zs.avail_in = (uInt)k;
            int flush = off + k >= n ? Z_FINISH : Z_NO_FLUSH;
            do {
                zs.next_out = ob;
                zs.avail_out = CHUNK;
                zr = deflate(&zs, flush);
                if(zr == Z_STREAM_ERROR) {
                    rc = KENSA_EFORMAT;
                    break;
                }
                rc = zo_put(o, ob, CHUNK - zs.avail_out);
            } while(!rc && zs.avail_out == 0);
            if(mapped)
                drop_mapped(in + off, k);
            off += k;
        }
        deflateEnd(&zs);
        free(ob);
    }
    *csize = o->len - at;
    return rc;
}

static bool name_is(const struct zip_entry *e, const char *s)
{
    return s && strlen(s) == e->name_len && !memcmp(e->name, s, e->name_len);
}

static enum kensa_err rewrite(const uint8_t *in, size_t n, bool mapped,
                              const struct zipfix_target *t, size_t nt,
                              struct zout *out, unsigned *removed, char *why,
                              size_t whycap);

/*
 * Entry e holds targets further down: inflate it (in memory when small,
 * else to a temporary file), rewrite it (the same), and when something
 * was removed, write it to `out` as header + repacked data, with CRC and
 * sizes patched into the header afterwards.  *changed tells whether it
 * was written; if not, the caller copies the original region.
 */
static enum kensa_err rebuild(const struct zip *z, size_t idx, bool mapped,
                              const struct zipfix_target *t, size_t nt,
                              struct zout *out, struct plan *p,
                              unsigned *removed, bool *changed, char *why,
                              size_t whycap)
{
    const struct zip_entry *e = &z->e[idx];
    struct zipfix_target sub[64];
    size_t ns = 0;
    struct buf scratch, inner;
    struct blob data = { .fd = -1 }, rebuilt = { .fd = -1 };
    struct zout io = { .fd = -1 };
    unsigned sub_removed = 0;
    enum kensa_err rc;

    *changed = false;
    for(size_t k = 0; k < nt && ns < 64; k++) {
        if(t[k].chain_len > 0 && name_is(e, t[k].chain[0])) {
            sub[ns].chain = t[k].chain + 1;
            sub[ns].chain_len = t[k].chain_len - 1;
            sub[ns].entry = t[k].entry;
            ns++;
        }
    }
    buf_init(&scratch, NEST_MEM);
    buf_init(&inner, MAX_MEMBER);
    bool data_mapped;
    if(e->method == 8 && e->usize > NEST_MEM) {
        uint64_t len = 0;
        data.fd = spill_fd();
        rc = data.fd < 0 ? KENSA_EIO :
             zip_spill(z, idx, 1000, MAX_MEMBER, data.fd, &len);
        if(!rc)
            rc = blob_map(&data, data.fd, len);
        const uint8_t *raw;
        size_t rawlen;
        if(mapped && !zip_raw(z, idx, &raw, &rawlen))
            drop_mapped(raw, rawlen);
        data_mapped = true;
    } else {
        rc = zip_get(z, idx, 1000, &scratch, &data.p, &data.n);
        /* stored: a slice of our input, which may be a mapping */
        data_mapped = mapped && data.p != scratch.p;
    }
    if(rc) {
        snprintf(why, whycap, "cannot read %s", e->name);
        goto out;
    }
    /* the rewritten member is about as large as the original one */
    if(data.n > NEST_MEM) {
        int fd = spill_fd();
        if(fd < 0) {
            rc = KENSA_EIO;
            snprintf(why, whycap, "no temporary file to rebuild %s",
                     e->name);
            goto out;
        }
        rebuilt.fd = fd;
        rc = zo_open_fd(&io, fd);
    } else {
        io.b = &inner;
    }
    if(!rc)
        rc = rewrite(data.p, data.n, data_mapped, sub, ns, &io, &sub_removed,
                     why, whycap);
    if(!rc && !io.b)
        rc = zo_flush(&io);
    blob_free(&data);
    buf_free(&scratch);
    if(rc || !sub_removed)
        goto out;
    *removed += sub_removed;
    if(io.b) {
        rebuilt.p = inner.p;
        rebuilt.n = inner.len;
    } else if((rc = blob_map(&rebuilt, rebuilt.fd, io.len))) {
        goto out;
    }

    const uint8_t *in = z->p;
    size_t n = z->n;
    uint16_t lnl, lxl;
    if(!zrd16(in, n, e->lho + 26, &lnl) || !zrd16(in, n, e->lho + 28, &lxl)) {
        rc = KENSA_EFORMAT;
        goto out;
    }
    uint8_t hdr[30];
    memcpy(hdr, in + e->lho, 30);
    uint16_t flags = (uint16_t)(hdr[6] | hdr[7] << 8);
    put16(hdr + 6, flags & ~8u);   /* sizes are in the header */
    if((rc = zo_put(out, hdr, 30)) ||
       (rc = zo_put(out, in + e->lho + 30, (size_t)lnl + lxl)) ||
       (rc = pack(out, rebuilt.p, rebuilt.n, rebuilt.mapped, e->method,
                  &p->crc, &p->csize)))
        goto out;
    p->usize = rebuilt.n;
    if(p->csize > 0xfffffffeu || p->usize > 0xfffffffeu) {
        rc = KENSA_EUNSUPPORTED;
        snprintf(why, whycap, "rebuilt member would need zip64");
        goto out;
    }
    put32(hdr + 14, p->crc);
    put32(hdr + 18, (uint32_t)p->csize);
    put32(hdr + 22, (uint32_t)p->usize);
    rc = zo_patch(out, p->new_lho + 14, hdr + 14, 12);
    *changed = !rc;
out:
    blob_free(&data);
    blob_free(&rebuilt);
    buf_free(&scratch);
    buf_free(&inner);
    free(io.wb);
    return rc;
}

static enum kensa_err rewrite(const uint8_t *in, size_t n, bool mapped,
                              const struct zipfix_target *t, size_t nt,
                              struct zout *out, unsigned *removed, char *why,
                              size_t whycap)
{
    struct zip z;
    struct plan *pl = NULL, *order = NULL;
    struct buf rec;
    enum kensa_err rc = zip_open(&z, in, n, 0);

    buf_init(&rec, 46 + 3 * 65535);
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
    order = malloc(z.count * sizeof(*order) + 1);
    if(!order) {
        rc = KENSA_ENOMEM;
        goto out;
    }
    memcpy(order, pl, z.count * sizeof(*order));
    qsort(order, z.count, sizeof(*order), by_start);
    for(size_t i = 0; i < z.count; i++) {
        order[i].end = i + 1 < z.count ? order[i + 1].start : z.cd_start;
        if(order[i].end < order[i].start || order[i].end > n) {
            snprintf(why, whycap, "entries out of order");
            goto out;
        }
    }
    bool any_removed_here = false;
    for(size_t i = 0; i < z.count; i++)
        any_removed_here |= order[i].action == 1;
    if(signed_jar && any_removed_here) {
        snprintf(why, whycap, "signed jar: removing a class breaks its "
                 "signature; upgrade Log4j instead");
        goto out;
    }

    uint64_t first = z.count ? order[0].start : z.cd_start;
    if((rc = zo_copy(out, in, (size_t)first, mapped)))
        goto out;
    for(size_t i = 0; i < z.count; i++) {
        struct plan *p = &order[i];
        if(p->action == 1) {
            (*removed)++;
            continue;
        }
        p->new_lho = out->len;
        if(p->action == 2) {
            /* the member holds targets further down: rebuild it */
            bool changed;
            rc = rebuild(&z, p->idx, mapped, t, nt, out, p, removed,
                         &changed, why, whycap);
            if(rc)
                goto out;
            if(changed)
                continue;
            p->action = 0;   /* nothing below changed: copy as is */
        }
        if((rc = zo_copy(out, in + p->start, (size_t)(p->end - p->start),
                         mapped)))
            goto out;
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
        rec.len = 0;
        if((rc = buf_append(&rec, in + e->cd_off, 46 + (size_t)nl + xl + cl)))
            goto out;
        put32(rec.p + 42, (uint32_t)(p->new_lho - z.prefix));
        if(p->action == 2) {
            uint16_t fl = (uint16_t)(rec.p[8] | rec.p[9] << 8);
            put16(rec.p + 8, fl & ~8u);
            put32(rec.p + 16, p->crc);
            put32(rec.p + 20, (uint32_t)p->csize);
            put32(rec.p + 24, (uint32_t)p->usize);
        }
        if((rc = zo_put(out, rec.p, rec.len)))
            goto out;
        kept++;
    }
    uint64_t cd_size = out->len - cd_new;
    if(kept > 0xffff || cd_new - z.prefix > 0xfffffffeu) {
        rc = KENSA_EUNSUPPORTED;
        snprintf(why, whycap, "rewritten archive would need zip64");
        goto out;
    }
    uint8_t end[22];
    memcpy(end, in + z.eocd_off, 22);
    put16(end + 8, (uint32_t)kept);
    put16(end + 10, (uint32_t)kept);
    put32(end + 12, (uint32_t)cd_size);
    put32(end + 16, (uint32_t)(cd_new - z.prefix));
    if((rc = zo_put(out, end, 22)) ||
       (rc = zo_copy(out, in + z.eocd_off + 22, n - (size_t)z.eocd_off - 22,
                     mapped)))
        goto out;
    rc = KENSA_OK;
out:
    free(order);
    free(pl);
    buf_free(&rec);
    zip_close(&z);
    return rc;
}

enum kensa_err zipfix_rewrite(const uint8_t *in, size_t n,
                              const struct zipfix_target *t, size_t nt,
                              struct buf *out, unsigned *removed, char *why,
                              size_t whycap)
{
    struct zout o = { .b = out, .fd = -1 };
    out->len = 0;
    return rewrite(in, n, false, t, nt, &o, removed, why, whycap);
}

enum kensa_err zipfix_rewrite_fd(const uint8_t *in, size_t n, bool mapped,
                                 const struct zipfix_target *t, size_t nt,
                                 int fd, unsigned *removed, char *why,
                                 size_t whycap)
{
    struct zout o;
    if(whycap)
        why[0] = 0;
    enum kensa_err rc = zo_open_fd(&o, fd);
    if(!rc)
        rc = rewrite(in, n, mapped, t, nt, &o, removed, why, whycap);
    if(!rc)
        rc = zo_flush(&o);
    if(rc == KENSA_EIO && !why[0])
        snprintf(why, whycap, "cannot write the rewritten archive: %s",
                 strerror(errno));
    free(o.wb);
    return rc;
}
