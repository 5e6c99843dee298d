/*
 * zip.c - the zip family: central-directory reader (zip.h) and the zip
 * format's walk, which shows a container's members to the detectors and
 * opens the members that are themselves containers.
 *
 * Hand-written rather than libzip/libarchive: a scanner must read the
 * central directory without touching entry data, accept a prefix in front
 * of the archive (launchers, .jmod), survive overlapping entries, peek at
 * the first bytes of a 400 MiB entry without inflating it, and (for
 * --fix) know each entry's exact byte ranges.  See docs/DESIGN.md.
 */
#define _GNU_SOURCE
#include "formats/zip.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libdeflate.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "core/engine.h"
#include "formats/mail.h"
#include "formats/archive.h"

static bool find_overlap(const struct zip *z);

#define SIG_LFH 0x04034b50u
#define SIG_CDH 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_Z64LOC 0x07064b50u
#define SIG_Z64EOCD 0x06064b50u

/* Try the end record at `eo`; fill cd position and prefix if it holds. */
static bool try_eocd(struct zip *z, uint64_t eo)
{
    const uint8_t *p = z->p;
    size_t n = z->n;
    uint32_t cdsize32, cdoff32;
    uint64_t cdsize, cdoff, cdend;

    if(!zrd32(p, n, eo + 12, &cdsize32) || !zrd32(p, n, eo + 16, &cdoff32))
        return false;
    cdsize = cdsize32;
    cdoff = cdoff32;
    cdend = eo;
    uint32_t lsig = 0;
    bool z64 = eo >= 20 && zrd32(p, n, eo - 20, &lsig) && lsig == SIG_Z64LOC;
    if(cdsize32 == 0xffffffffu || cdoff32 == 0xffffffffu || z64) {
        /* Zip64: the locator sits right before the end record and points
         * at the zip64 end record, whose fields are the real ones (also
         * when only the entry count overflowed). */
        uint32_t sig;
        uint64_t z64off, z64pos;
        if(!z64 || !zrd64(p, n, eo - 20 + 8, &z64off))
            return false;
        /* The zip64 end record normally sits right before the locator. */
        z64pos = z64off;
        if(!zrd32(p, n, z64pos, &sig) || sig != SIG_Z64EOCD) {
            if(eo < 20 + 56)
                return false;
            z64pos = eo - 20 - 56;
            if(!zrd32(p, n, z64pos, &sig) || sig != SIG_Z64EOCD)
                return false;
        }
        if(!zrd64(p, n, z64pos + 40, &cdsize) ||
           !zrd64(p, n, z64pos + 48, &cdoff))
            return false;
        cdend = z64pos;
    }
    if(cdsize > cdend)
        return false;
    uint64_t start = cdend - cdsize;  /* where the directory really is */
    if(start < cdoff)
        return false;
    if(cdsize > 0) {
        uint32_t sig;
        if(!zrd32(p, n, start, &sig) || sig != SIG_CDH)
            return false;
    }
    z->cd_start = start;
    z->cd_size = cdsize;
    z->prefix = start - cdoff;
    z->eocd_off = eo;
    return true;
}

static void zip64_extra(const uint8_t *x, size_t xl, struct zip_entry *e,
                        bool need_u, bool need_c, bool need_o)
{
    size_t off = 0;
    while(off + 4 <= xl) {
        uint16_t id = (uint16_t)(x[off] | x[off + 1] << 8);
        uint16_t sz = (uint16_t)(x[off + 2] | x[off + 3] << 8);
        if(off + 4 + sz > xl)
            return;
        if(id == 1) {
            size_t q = off + 4, end = off + 4 + sz;
            uint64_t v;
            if(need_u && zrd64(x, end, q, &v)) { e->usize = v; q += 8; }
            if(need_c && zrd64(x, end, q, &v)) { e->csize = v; q += 8; }
            if(need_o && zrd64(x, end, q, &v)) { e->lho = v; }
            return;
        }
        off += 4 + sz;
    }
}

enum kensa_err zip_open(struct zip *z, const uint8_t *p, size_t n,
                        uint32_t max_entries)
{
    memset(z, 0, sizeof(*z));
    z->p = p;
    z->n = n;
    if(n < 22)
        return KENSA_EFORMAT;

    /* The end record is in the last 64 KiB + 22 bytes; a comment or junk
     * may follow it, and a comment may hold a fake one, so take the last
     * record whose central directory checks out. */
    bool found = false;
    size_t lo = n > 65557 ? n - 65557 : 0;
    for(size_t i = n - 22 + 1; i-- > lo;) {
        if(p[i] == 'P' && p[i + 1] == 'K' && p[i + 2] == 5 && p[i + 3] == 6 &&
           try_eocd(z, i)) {
            found = true;
            break;
        }
    }
    if(!found)
        return KENSA_EFORMAT;

    /* Count first, so the arrays are allocated once. */
    size_t cap = 0, namebytes = 0;
    uint64_t off = z->cd_start, end = z->cd_start + z->cd_size;
    while(off + 46 <= end) {
        uint32_t sig;
        uint16_t nl, xl, cl;
        if(!zrd32(p, n, off, &sig) || sig != SIG_CDH)
            break;
        if(!zrd16(p, n, off + 28, &nl) || !zrd16(p, n, off + 30, &xl) ||
           !zrd16(p, n, off + 32, &cl))
            break;
        if(off + 46 + nl + xl + cl > end)
            break;
        if(max_entries && cap >= max_entries) {
            z->truncated = true;
            break;
        }
        cap++;
        namebytes += (size_t)nl + 1;
        off += 46 + (uint64_t)nl + xl + cl;
    }
    if(!cap)
        return z->cd_size == 0 ? KENSA_OK : KENSA_EFORMAT;
    z->e = calloc(cap, sizeof(*z->e));
    z->names = malloc(namebytes);
    if(!z->e || !z->names) {
        zip_close(z);
        return KENSA_ENOMEM;
    }
    char *np = z->names;
    off = z->cd_start;
    for(size_t i = 0; i < cap; i++) {
        struct zip_entry *e = &z->e[i];
        uint16_t flags = 0, method = 0, nl = 0, xl = 0, cl = 0;
        uint32_t crc = 0, cs = 0, us = 0, lho = 0;
        zrd16(p, n, off + 8, &flags);
        zrd16(p, n, off + 10, &method);
        zrd32(p, n, off + 16, &crc);
        zrd32(p, n, off + 20, &cs);
        zrd32(p, n, off + 24, &us);
        zrd16(p, n, off + 28, &nl);
        zrd16(p, n, off + 30, &xl);
        zrd16(p, n, off + 32, &cl);
        zrd32(p, n, off + 42, &lho);
        e->flags = flags;
        e->method = method;
        e->crc = crc;
        e->csize = cs;
        e->usize = us;
        e->lho = lho;
        e->cd_off = off;
        if(cs == 0xffffffffu || us == 0xffffffffu || lho == 0xffffffffu)
            zip64_extra(p + off + 46 + nl, xl, e, us == 0xffffffffu,
                        cs == 0xffffffffu, lho == 0xffffffffu);
        e->lho += z->prefix;
        memcpy(np, p + off + 46, nl);
        np[nl] = 0;
        e->name = np;
        e->name_len = nl;
        np += nl + 1;
        off += 46 + (uint64_t)nl + xl + cl;
    }
    z->count = cap;
    z->overlapping = find_overlap(z);
    return KENSA_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Entries whose bytes overlap (each file's data holding the next local
 * header) let 42 KB claim gigabytes: spot them before anything is read. */
static bool find_overlap(const struct zip *z)
{
    bool found = false;
    uint64_t *v = malloc(z->count * 2 * sizeof(*v));
    if(!v)
        return false;
    for(size_t i = 0; i < z->count; i++) {
        const struct zip_entry *e = &z->e[i];
        uint16_t nl = 0, xl = 0;
        zrd16(z->p, z->n, e->lho + 26, &nl);
        zrd16(z->p, z->n, e->lho + 28, &xl);
        v[2 * i] = e->lho;
        v[2 * i + 1] = e->lho + 30 + nl + xl + e->csize;
    }
    /* sort (start, end) pairs by start: qsort on 16-byte records */
    qsort(v, z->count, 2 * sizeof(*v), cmp_u64);
    for(size_t i = 1; i < z->count && !found; i++) {
        if(v[2 * i] < v[2 * (i - 1) + 1])
            found = true;
    }
    free(v);
    return found;
}

void zip_close(struct zip *z)
{
    free(z->e);
    free(z->names);
    z->e = NULL;
    z->names = NULL;
    z->count = 0;
}

enum kensa_err zip_raw(const struct zip *z, size_t i, const uint8_t **out,
                       size_t *out_len)
{
    const struct zip_entry *e = &z->e[i];
    uint32_t sig;
    uint16_t nl, xl;
    if(!zrd32(z->p, z->n, e->lho, &sig) || sig != SIG_LFH ||
       !zrd16(z->p, z->n, e->lho + 26, &nl) ||
       !zrd16(z->p, z->n, e->lho + 28, &xl))
        return KENSA_EFORMAT;
    uint64_t start = e->lho + 30 + nl + xl;
    if(start > z->n || e->csize > z->n - start)
        return KENSA_EFORMAT;
    *out = z->p + start;
    *out_len = (size_t)e->csize;
    return KENSA_OK;
}

/* The raw bytes of an entry we can decode (not encrypted). */
static enum kensa_err plain_raw(const struct zip *z, size_t i,
                                const uint8_t **raw, size_t *rawlen)
{
    if(z->e[i].flags & 1)
        return KENSA_EUNSUPPORTED;
    return zip_raw(z, i, raw, rawlen);
}

enum kensa_err zip_peek(const struct zip *z, size_t i, uint8_t *head,
                        size_t want, size_t *got)
{
    const struct zip_entry *e = &z->e[i];
    const uint8_t *raw;
    size_t rawlen;
    enum kensa_err rc;

    *got = 0;
    rc = plain_raw(z, i, &raw, &rawlen);
    if(rc)
        return rc;
    if(e->method == 0) {
        *got = rawlen < want ? rawlen : want;
        memcpy(head, raw, *got);
        return KENSA_OK;
    }
    if(e->method != 8)
        return KENSA_EUNSUPPORTED;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if(inflateInit2(&zs, -15) != Z_OK)
        return KENSA_ENOMEM;
    /* Feed at most 64 KiB of input: enough for any sane first bytes. */
    zs.next_in = (Bytef *)raw;
    zs.avail_in = (uInt)(rawlen < 65536 ? rawlen : 65536);
    zs.next_out = head;
    zs.avail_out = (uInt)want;
    int zr = inflate(&zs, Z_SYNC_FLUSH);
    *got = want - zs.avail_out;
    inflateEnd(&zs);
    if(zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
        return KENSA_EFORMAT;
    return KENSA_OK;
}

/*
 * Is `out` bytes inflated from `in` bytes over the ratio limit?  Only past
 * 1 MiB of output: small members of zeros are harmless.  Callers measure
 * `in` as the input consumed so far, not the member's whole size, so a
 * bomb whose sizes lie is refused after its first MiB, not at its end.
 */
static bool over_ratio(uint64_t out, uint64_t in, uint32_t max_ratio)
{
    return max_ratio && out > (1u << 20) && out / (in ? in : 1) > max_ratio;
}

enum kensa_err zip_get(const struct zip *z, size_t i, uint32_t max_ratio,
                       struct buf *scratch, const uint8_t **out,
                       size_t *out_len)
{
    const struct zip_entry *e = &z->e[i];
    const uint8_t *raw;
    size_t rawlen;
    enum kensa_err rc;

    rc = plain_raw(z, i, &raw, &rawlen);
    if(rc)
        return rc;
    if(e->method == 0) {
        *out = raw;
        *out_len = rawlen;
        return KENSA_OK;
    }
    if(e->method != 8)
        return KENSA_EUNSUPPORTED;
    if(e->usize > scratch->max)
        return KENSA_ELIMIT;
    /* deflate cannot expand more than 1032:1: a larger claimed size is a
     * lie, and must not become an allocation */
    if(e->usize > (uint64_t)rawlen * 1032 + 1024)
        return KENSA_EFORMAT;
    if(over_ratio(e->usize, rawlen, max_ratio))
        return KENSA_ELIMIT;
    scratch->len = 0;
    rc = buf_reserve(scratch, (size_t)e->usize);
    if(rc)
        return rc;
    /* libdeflate inflates a whole member in one call when the declared
     * size is right, which it is for almost every real jar. */
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if(!d)
        return KENSA_ENOMEM;
    size_t actual = 0;
    enum libdeflate_result lr = libdeflate_deflate_decompress(
        d, raw, rawlen, scratch->p, (size_t)e->usize, &actual);
    libdeflate_free_decompressor(d);
    if(lr == LIBDEFLATE_SUCCESS) {
        scratch->len = actual;
        *out = scratch->p;
        *out_len = actual;
        return KENSA_OK;
    }
    if(lr != LIBDEFLATE_INSUFFICIENT_SPACE)
        return KENSA_EFORMAT;
    /* The declared size lies: stream with zlib up to the buffer's cap. */
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if(inflateInit2(&zs, -15) != Z_OK)
        return KENSA_ENOMEM;
    zs.next_in = (Bytef *)raw;
    zs.avail_in = (uInt)(rawlen > UINT32_MAX ? UINT32_MAX : rawlen);
    scratch->len = 0;
    int zr;
    rc = KENSA_OK;
    do {
        if(scratch->cap - 1 - scratch->len < 65536) {
            rc = buf_reserve(scratch, 65536);
            if(rc)
                break;
        }
        zs.next_out = scratch->p + scratch->len;
        zs.avail_out = (uInt)(scratch->cap - 1 - scratch->len);
        size_t before = zs.avail_out;
        zr = inflate(&zs, Z_NO_FLUSH);
        scratch->len += before - zs.avail_out;
        if(over_ratio(scratch->len, (size_t)(zs.next_in - (Bytef *)raw),
                      max_ratio)) {
            rc = KENSA_ELIMIT;
            break;
        }
    } while(zr == Z_OK);
    inflateEnd(&zs);
    if(rc)
        return rc;
    if(zr != Z_STREAM_END)
        return KENSA_EFORMAT;
    *out = scratch->p;
    *out_len = scratch->len;
    return KENSA_OK;
}

static bool fd_sink(void *ud, const uint8_t *p, size_t n)
{
    return write_full(*(int *)ud, p, n) == KENSA_OK;
}

enum kensa_err zip_spill(const struct zip *z, size_t i, uint32_t max_ratio,
                         uint64_t max, int fd, uint64_t *out_len)
{
    enum kensa_err rc = zip_stream(z, i, max_ratio, max, fd_sink, &fd,
                                   out_len);
    return rc == KENSA_EINVAL ? KENSA_EIO : rc;
}

enum kensa_err zip_stream(const struct zip *z, size_t i, uint32_t max_ratio,
                          uint64_t max, zip_sink sink, void *ud,
                          uint64_t *out_len)
{
    const struct zip_entry *e = &z->e[i];
    const uint8_t *raw;
    size_t rawlen;
    enum kensa_err rc;
    uint8_t out[1u << 16];

    *out_len = 0;
    rc = plain_raw(z, i, &raw, &rawlen);
    if(rc)
        return rc;
    if(e->method == 0) {
        size_t n = rawlen > max ? (size_t)max : rawlen;
        *out_len = n;
        if(!sink(ud, raw, n))
            return KENSA_EINVAL;
        return rawlen > max ? KENSA_ELIMIT : KENSA_OK;
    }
    if(e->method != 8)
        return KENSA_EUNSUPPORTED;
    /* refused from the directory, as zip_get does: nothing inflated */
    if(over_ratio(e->usize, rawlen, max_ratio))
        return KENSA_ELIMIT;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if(inflateInit2(&zs, -15) != Z_OK)
        return KENSA_ENOMEM;
    int zr = Z_OK;
    size_t fed = 0;
    while(zr == Z_OK) {
        if(!zs.avail_in && fed < rawlen) {
            size_t chunk = rawlen - fed > (1u << 30) ? (1u << 30) : rawlen - fed;
            zs.next_in = (Bytef *)raw + fed;
            zs.avail_in = (uInt)chunk;
            fed += chunk;
        }
        zs.next_out = out;
        zs.avail_out = sizeof(out);
        zr = inflate(&zs, Z_NO_FLUSH);
        size_t got = sizeof(out) - zs.avail_out;
        if(zr != Z_OK && zr != Z_STREAM_END)
            break;
        if(*out_len + got > max) {
            rc = KENSA_ELIMIT;
            break;
        }
        if(over_ratio(*out_len + got, fed - zs.avail_in, max_ratio)) {
            rc = KENSA_ELIMIT;
            break;
        }
        if(got && !sink(ud, out, got)) {
            rc = KENSA_EINVAL;
            break;
        }
        *out_len += got;
        if(!got && !zs.avail_in && fed >= rawlen)
            break;   /* truncated stream */
    }
    inflateEnd(&zs);
    if(rc)
        return rc;
    return zr == Z_STREAM_END ? KENSA_OK : KENSA_EFORMAT;
}

/* ---- the zip format in the engine -------------------------------------- */

struct zview {
    struct zip *z;
    uint32_t max_ratio;
};

static const char *zv_name(const struct kmembers *m, size_t i, size_t *len)
{
    const struct zview *v = m->impl;
    if(len)
        *len = v->z->e[i].name_len;
    return v->z->e[i].name;
}

static uint64_t zv_size(const struct kmembers *m, size_t i)
{
    const struct zview *v = m->impl;
    return v->z->e[i].usize;
}

static enum kensa_err zv_read(const struct kmembers *m, size_t i,
                              struct buf *out)
{
    const struct zview *v = m->impl;
    const uint8_t *p;
    size_t n;
    enum kensa_err rc = zip_get(v->z, i, v->max_ratio, out, &p, &n);
    if(rc)
        return rc;
    if(p != out->p) {   /* stored: copy, so the caller always owns out */
        out->len = 0;
        rc = buf_append(out, p, n);
    }
    return rc;
}

/*
 * Is p[i..] a believable end-of-central-directory record?  Four bytes of
 * signature are easy to plant in a log line, so the record must also be
 * consistent: its comment fits in the buffer, and the central directory it
 * describes ends right before it and starts with a central header (or a
 * zip64 locator precedes it).  An empty zip counts only when the record
 * is the whole file.
 */
static bool eocd_valid(const uint8_t *p, size_t n, size_t i)
{
    uint16_t entries, comment;
    uint32_t cd_size, sig;
    if(!zrd16(p, n, i + 10, &entries) || !zrd32(p, n, i + 12, &cd_size) ||
       !zrd16(p, n, i + 20, &comment) || i + 22 + (size_t)comment > n)
        return false;
    if(i >= 20 && zrd32(p, n, i - 20, &sig) && sig == SIG_Z64LOC)
        return true;          /* zip64: the locator says where to look */
    if(!entries)
        return i == 0 && !cd_size;
    if(cd_size < 46 || cd_size > i)
        return false;
    return zrd32(p, n, i - cd_size, &sig) && sig == SIG_CDH;
}

/* A consistent end record in the last 64 KiB + 22 bytes (its comment is
 * at most 65535 bytes long)? */
static bool has_zip_end(const uint8_t *p, size_t n)
{
    if(n < 22)
        return false;
    size_t lo = n > 65557 ? n - 65557 : 0;
    /* look for the signature's last byte (6: text never holds it) with
     * memrchr, then check the rest: candidates i in [lo, n-22] */
    size_t end = n - 22 + 1 + 3;
    while(end > lo + 3) {
        const uint8_t *q = memrchr(p + lo + 3, 6, end - (lo + 3));
        if(!q)
            break;
        size_t i = (size_t)(q - p) - 3;
        if(p[i] == 'P' && p[i + 1] == 'K' && p[i + 2] == 5 &&
           eocd_valid(p, n, i))
            return true;
        end = i + 3;
    }
    return false;
}

/* A local header at the start, or, for archives with a prefix (shell
 * launchers, .jmod's 4-byte header, self-extractors), an end record near
 * the end.  A tar holding a stored jar near its end also "ends like a
 * zip"; the tar's head signature wins, and the jar is read as a member. */
static int zip_probe(const uint8_t *p, size_t n)
{
    if(n >= 4 && !memcmp(p, "PK\3\4", 4))
        return PROBE_HEAD;
    return has_zip_end(p, n) ? PROBE_TAIL : PROBE_NO;
}

static bool zip_container_head(const uint8_t *p, size_t n)
{
    if(n >= 2 && p[0] == '#' && p[1] == '!')    /* launcher script + jar */
        return true;
    return n >= 4 && (!memcmp(p, "PK\3\4", 4) ||
                      !memcmp(p, "PK\5\6", 4) ||  /* empty zip */
                      !memcmp(p, "JM\1\0", 4));   /* jmod */
}

static bool skip_peek(const struct zip_entry *e)
{
    if(!e->name_len || e->name[e->name_len - 1] == '/')
        return true;   /* folder */
    if(e->usize == 0)
        return true;
    /* Class files are read by the detectors that want them; peeking at
     * thousands of them per jar would cost more than it could find. */
    if(e->name_len > 6 && !memcmp(e->name + e->name_len - 6, ".class", 6))
        return true;
    return false;
}


static void spill_child(struct kobj *obj, const struct zip *z, size_t i,
                        size_t max)
{
    struct kctx *c = obj->ctx;
    const struct zip_entry *e = &z->e[i];
    uint64_t len = 0;
    int fd = spill_fd();
    if(fd < 0) {
        ctx_warn(c, obj->path, KENSA_EIO, KMSG_ZIP_NO_TMPFILE, e->name);
        return;
    }
    enum kensa_err rc = zip_spill(z, i, c->s->opts.limits.max_ratio, max,
                                  fd, &len);
    if(rc || !len) {
        ctx_warn(c, obj->path, rc ? rc : KENSA_EFORMAT,
                 rc == KENSA_ELIMIT ? KMSG_ZIP_OVER_LIMIT : KMSG_ZIP_CORRUPT,
                 e->name);
        close(fd);
        return;
    }
    if(len > e->usize)   /* the directory lied: charge the truth */
        ctx_charge(c, obj->path, len - e->usize);
    void *map = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if(map == MAP_FAILED) {
        ctx_warn(c, obj->path, KENSA_EIO, KMSG_ZIP_MAP, e->name);
        return;
    }
    object_scan_child_mapped(obj, e->name, map, (size_t)len);
    munmap(map, (size_t)len);
}

struct zsink {
    struct kstream *ks;
    struct kobj *obj;
    bool inflated;      /* the bytes are decompressed: charge them */
};

/* Every chunk is charged to the file's budget (and the clock looked at),
 * so a nested bomb's streamed members cost --max-scansize in total, not
 * once per member, and --max-scantime stops even a member of zeros. */
static bool stream_sink(void *ud, const uint8_t *p, size_t n)
{
    struct zsink *z = ud;
    if(!ctx_charge(z->obj->ctx, z->obj->path, z->inflated ? n : 0))
        return false;
    detectors_stream_data(z->ks, p, n);
    return true;
}

/* Offer a member that is not a container to the detectors that stream
 * (logs inside a zip).  False when a limit of the file ran out. */
static bool stream_member(struct kobj *obj, const struct zip *z, size_t i)
{
    struct zsink zs = { .obj = obj, .inflated = z->e[i].method != 0 };
    uint64_t len;
    const struct kensa_limits *l = &obj->ctx->s->opts.limits;
    char nb[24];
    zs.ks = detectors_stream_begin(obj, z->e[i].name);
    if(!zs.ks)
        return true;
    /* a member whose sizes say "bomb" is refused before inflating */
    enum kensa_err rc = zip_stream(z, i, l->max_ratio, UINT64_MAX / 2,
                                   stream_sink, &zs, &len);
    if(rc == KENSA_ELIMIT)
        ctx_warn(obj->ctx, obj->path, rc, KMSG_ZIP_RATIO, z->e[i].name,
                 kmsg_u64(nb, l->max_ratio));
    else if(rc && rc != KENSA_EINVAL)
        ctx_warn(obj->ctx, obj->path, rc, KMSG_ZIP_ENTRY_ERROR,
                 z->e[i].name);
    detectors_stream_end(zs.ks);
    return rc != KENSA_EINVAL;
}

/* sha256 of a member's stored bytes, its method and size: the identity of
 * a nested archive for the clean cache.  Non-zero on failure. */
static int member_digest(const struct zip *z, size_t i, bool mapped,
                         uint8_t out[32])
{
    const uint8_t *raw;
    size_t rawlen;
    unsigned int n = 0;
    memset(out, 0, 32);
    if(zip_raw(z, i, &raw, &rawlen))
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = -1;
    uint8_t meta[10];
    memcpy(meta, &z->e[i].method, 2);
    memcpy(meta + 2, &z->e[i].usize, 8);
    if(ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
       EVP_DigestUpdate(ctx, meta, sizeof(meta))) {
        /* a stored jar in a mapped war: hashing must not keep it */
        size_t off = 0;
        for(; off < rawlen; off += 4u << 20) {
            size_t k = rawlen - off < (4u << 20) ? rawlen - off : 4u << 20;
            if(!EVP_DigestUpdate(ctx, raw + off, k))
                break;
            if(mapped)
                drop_mapped(raw + off, k);
        }
        if(off >= rawlen && EVP_DigestFinal_ex(ctx, out, &n) && n == 32)
            rc = 0;
    }
    EVP_MD_CTX_free(ctx);
    if(rc)
        memset(out, 0, 32);
    return rc;
}

/* Worth hashing whole before a walk: it holds a member that may be an
 * archive (by its name), which the walk would inflate and open.  A jar of
 * classes costs its walk less than a hash of it. */
static bool holds_archives(const struct zip *z)
{
    static const char *const ext[] = {
        ".jar", ".war", ".ear", ".zip", ".sar", ".rar", ".aar", ".jmod", ".7z",
        ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst",
    };
    for(size_t i = 0; i < z->count; i++) {
        const struct zip_entry *e = &z->e[i];
        for(size_t k = 0; k < sizeof(ext) / sizeof(ext[0]); k++) {
            size_t n = strlen(ext[k]);
            if(e->name_len > n &&
               !strncasecmp(e->name + e->name_len - n, ext[k], n))
                return true;
        }
    }
    return false;
}

static bool zip_walk(struct kobj *obj)
{
    struct kctx *c = obj->ctx;
    const struct kensa_limits *l = &c->s->opts.limits;
    char nb[24];
    struct zip z;
    uint64_t events0 = c->events;
    enum kensa_err rc = zip_open(&z, obj->data, obj->len, l->max_files);

    if(rc) {
        ctx_warn(c, obj->path, rc, KMSG_ZIP_UNREADABLE);
        return false;
    }
    if(z.truncated)
        ctx_warn(c, obj->path, KENSA_ELIMIT, KMSG_ZIP_TOO_MANY,
                 kmsg_u64(nb, l->max_files));

    if(z.overlapping)
        ctx_warn(c, obj->path, KENSA_ELIMIT, KMSG_ZIP_OVERLAP);

    /* Encrypted members: libarchive decrypts them with the candidate
     * passwords of the context; when none is given or none opens them, one
     * warning says so (an encrypted archive never passes for a clean one)
     * and the members that are not encrypted are read below. */
    size_t sealed = 0, first = 0;
    for(size_t i = z.count; i-- > 0;) {
        if(z.e[i].flags & 1) {
            sealed++;
            first = i;
        }
    }
    if(sealed && !z.overlapping) {
        if(archive_walk_encrypted_zip(obj)) {
            zip_close(&z);
            return true;
        }
        size_t npw = kobj_attr_count(obj, "password");
        char n1[24], n2[24];
        const char *args[3] = { kmsg_u64(n1, sealed), z.e[first].name,
                                kmsg_u64(n2, npw) };
        struct kensa_msg why = {
            .id = kmsg_key(npw ? KMSG_ARCHIVE_SEALED_NONE :
                           KMSG_ARCHIVE_SEALED_NOPW),
            .args = args, .nargs = npw ? 3 : 2 };
        if(mail_report_sealed(obj, &why))
            ;   /* by mail: a suspicious finding instead of a warning */
        else if(npw)
            ctx_warn(c, obj->path, KENSA_EUNSUPPORTED,
                     npw == 1 ? KMSG_ARCHIVE_SEALED_NONE_ONE :
                                KMSG_ARCHIVE_SEALED_NONE,
                     kmsg_u64(n1, sealed),
                     z.e[first].name, kmsg_u64(n2, npw));
        else
            ctx_warn(c, obj->path, KENSA_EUNSUPPORTED,
                     KMSG_ARCHIVE_SEALED_NOPW, kmsg_u64(n1, sealed),
                     z.e[first].name);
    }

    /* a top-level file whose bytes were scanned clean in this run */
    uint8_t key[32] = { 0 };
    if(obj->depth == 0 && holds_archives(&z) && clean_seen_object(obj, key)) {
        zip_close(&z);
        return true;
    }

    struct zview zv = { .z = &z, .max_ratio = l->max_ratio };
    struct kmembers m = {
        .count = z.count, .name = zv_name, .size = zv_size, .read = zv_read,
        .impl = &zv, .obj = obj,
    };
    detectors_on_members(&m);

    struct buf scratch;
    uint64_t room = l->max_scansize ? l->max_scansize : UINT64_MAX;
    buf_init(&scratch, room > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)room);
    for(size_t i = 0; i < z.count && !z.overlapping; i++) {
        const struct zip_entry *e = &z.e[i];
        if(skip_peek(e) || (e->flags & 1))  /* encrypted: warned above */
            continue;
        if(!ctx_count_entry(c, obj->path))
            break;
        uint8_t head[8];
        size_t got = 0;
        rc = zip_peek(&z, i, head, sizeof(head), &got);
        if(rc) {
            ctx_warn(c, obj->path, rc,
                     rc == KENSA_EUNSUPPORTED ? KMSG_ZIP_ENCRYPTED :
                                                KMSG_ZIP_CORRUPT,
                     e->name);
            continue;
        }
        if(!ctx_wants_whole(c) && !formats_container_head(head, got)) {
            if(!stream_member(obj, &z, i))
                break;
            continue;
        }
        /* a nested archive seen before, byte for byte, and found clean */
        uint8_t digest[32];
        if(!member_digest(&z, i, obj->mapped, digest)) {
            clean_key_member(obj, e->name, digest);
            if(clean_seen(c->s, digest))
                continue;
        }
        uint64_t events = c->events;
        if(!ctx_charge(c, obj->path, e->method ? e->usize : 0))
            break;
        /* what is left of the file's budget, this member's claim included:
         * a member whose sizes lie inflates no further than that */
        uint64_t left = e->method ? e->usize : 0;
        if(l->max_scansize)
            left += l->max_scansize - c->scanned_bytes;
        else
            left = UINT64_MAX / 2;
        scratch.max = left < room ? (size_t)left : (size_t)room;
        if(e->method == 8 && (e->usize > SPILL_OVER ||
                              c->mem_held + e->usize > MEM_HELD_MAX)) {
            spill_child(obj, &z, i, scratch.max);
            if(c->events == events)
                clean_add(c->s, digest);
            continue;
        }
        const uint8_t *data;
        size_t len;
        rc = zip_get(&z, i, l->max_ratio, &scratch, &data, &len);
        if(!rc && e->method && len > e->usize)
            ctx_charge(c, obj->path, len - e->usize);
        if(rc) {
            /* the ratio stopped a member whose sizes lied (read whole
             * for a `whole` detector): what was inflated before it
             * stopped counts against the file's budget, as it does when
             * the member is streamed */
            uint64_t spent = e->method && l->max_ratio &&
                             e->csize <= UINT64_MAX / 2 / l->max_ratio ?
                             e->csize * l->max_ratio : 0;
            if(rc == KENSA_ELIMIT && spent && spent < scratch.max) {
                ctx_warn(c, obj->path, rc, KMSG_ZIP_RATIO, e->name,
                         kmsg_u64(nb, l->max_ratio));
                if(spent > e->usize &&
                   !ctx_charge(c, obj->path, spent - e->usize))
                    break;
            } else
                ctx_warn(c, obj->path, rc,
                         rc == KENSA_ELIMIT ? KMSG_ZIP_OVER_LIMIT :
                                              KMSG_ZIP_ENTRY_ERROR,
                         e->name);
            continue;
        }
        if(data == scratch.p) {
            /* The child may itself need `scratch`-sized buffers: hand it
             * this one and start a new one for the next entry. */
            struct buf own = scratch;
            buf_init(&scratch, own.max);
            c->mem_held += own.cap;
            object_scan_child(obj, e->name, data, len);
            c->mem_held -= own.cap;
            buf_free(&own);
        } else if(obj->mapped) {
            /* stored in a mapped archive: a slice of the same mapping */
            object_scan_child_mapped(obj, e->name, data, len);
        } else {
            object_scan_child(obj, e->name, data, len);
        }
        if(c->events == events)
            clean_add(c->s, digest);
    }
    buf_free(&scratch);
    zip_close(&z);
    if(c->events == events0)
        clean_add(c->s, key);
    return true;
}

const struct format format_zip = {
    .name = "zip",
    .probe = zip_probe,
    .container_head = zip_container_head,
    .walk = zip_walk,
};
