/*
 * archive.c - tar, 7z, RAR (4 and 5) and the single-file compressors
 * (gzip, xz, bzip2, zstd) through libarchive, which handles their many
 * dialects better than we would; also zips with encrypted entries when
 * candidate passwords are in the object's context (archive.h), since
 * libarchive decrypts ZipCrypto and WinZip AES.  Members are streamed:
 * only a member whose first bytes say it is a container is read into
 * memory (capped by --max-scansize, checked for its compression ratio);
 * everything else is skipped without being kept.
 *
 * Encrypted members libarchive cannot decrypt (7z AES, RAR) and zip
 * members no candidate password opened are never passed over in silence:
 * each archive holding some gets one warning saying how many and why.
 *
 * Only decompressors libarchive runs in-process are enabled, each checked
 * once: libarchive falls back to running an external program (lrzip,
 * lzop, grzip...) for the others, and kensa never executes anything.  A
 * compressed file is read as a tar only when its first decompressed block
 * is a tar header with a valid checksum; anything else (a log that starts
 * with the NUL bytes copytruncate leaves) is one stream of data.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "core/engine.h"
#include "formats/archive.h"
#include "formats/mail.h"

/* A streamed member is not known to be large until it is: spill early. */
#define TAR_SPILL (4u << 20)

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while(n) {
        ssize_t w = write(fd, p, n);
        if(w < 0 && errno == EINTR)
            continue;
        if(w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

typedef int (*filter_fn)(struct archive *);
static const filter_fn filters[] = {
    archive_read_support_filter_gzip, archive_read_support_filter_bzip2,
    archive_read_support_filter_xz, archive_read_support_filter_lzma,
    archive_read_support_filter_lzip, archive_read_support_filter_zstd,
    archive_read_support_filter_lz4, archive_read_support_filter_compress,
};
#define NFILTERS (sizeof(filters) / sizeof(filters[0]))
static bool filter_in_process[NFILTERS];
static pthread_once_t filters_once = PTHREAD_ONCE_INIT;

/* ARCHIVE_WARN from a support call means "through an external program". */
static void filters_probe(void)
{
    for(size_t i = 0; i < NFILTERS; i++) {
        struct archive *a = archive_read_new();
        filter_in_process[i] = a && filters[i](a) == ARCHIVE_OK;
        archive_read_free(a);
    }
}

/* What a reader is for: tar (maybe compressed), one compressed stream,
 * 7z, RAR 4 or 5, or a zip (seekable: read from its central directory). */
enum rd { RD_RAW, RD_TAR, RD_7Z, RD_RAR, RD_ZIP };

static struct archive *reader_new(enum rd rd)
{
    pthread_once(&filters_once, filters_probe);
    struct archive *a = archive_read_new();
    if(!a)
        return NULL;
    int r = ARCHIVE_OK;   /* ARCHIVE_FATAL: out of memory */
    for(size_t i = 0; r == ARCHIVE_OK && i < NFILTERS; i++) {
        if(filter_in_process[i])
            r = filters[i](a);
    }
    if(r == ARCHIVE_OK) {
        switch(rd) {
        case RD_TAR:
            r = archive_read_support_format_tar(a);
            if(r == ARCHIVE_OK)
                r = archive_read_support_format_gnutar(a);
            break;
        case RD_7Z:
            r = archive_read_support_format_7zip(a);
            break;
        case RD_RAR:
            r = archive_read_support_format_rar(a);
            if(r == ARCHIVE_OK)
                r = archive_read_support_format_rar5(a);
            break;
        case RD_ZIP:
            r = archive_read_support_format_zip_seekable(a);
            break;
        case RD_RAW:
            r = archive_read_support_format_raw(a);
            break;
        }
    }
    if(r != ARCHIVE_OK) {
        archive_read_free(a);
        return NULL;
    }
    return a;
}

/* A buffer as a libarchive source.  Not archive_read_open_memory(): in
 * libarchive 3.6 it ignores a failed allocation (then crashes) and leaks
 * its state when the open fails for want of memory; this state is the
 * caller's.  Entries likewise are our own (archive_entry_new and
 * archive_read_next_header2): archive_read_new() does not check the
 * allocation of the one archive_read_next_header() would use. */
struct memsrc {
    const uint8_t *p;
    size_t n, pos;
};

/* The rest of the buffer from the current position, in one block. */
static la_ssize_t memsrc_read(struct archive *a, void *ud, const void **out)
{
    struct memsrc *m = ud;
    (void)a;
    *out = m->p + m->pos;
    size_t k = m->n - m->pos;
    m->pos = m->n;
    return (la_ssize_t)k;
}

/* 7z and seekable zip read their directories from the end: seek. */
static la_int64_t memsrc_seek(struct archive *a, void *ud, la_int64_t off,
                              int whence)
{
    struct memsrc *m = ud;
    (void)a;
    size_t base = whence == SEEK_SET ? 0 :
                  whence == SEEK_CUR ? m->pos : m->n;
    /* checked before adding: a hostile offset must not overflow */
    if(off < 0 ? (uint64_t)-(off + 1) + 1 > base
               : (uint64_t)off > m->n - base)
        return ARCHIVE_FATAL;
    m->pos = off < 0 ? base - (size_t)((uint64_t)-(off + 1) + 1)
                     : base + (size_t)off;
    return (la_int64_t)m->pos;
}

static la_int64_t memsrc_skip(struct archive *a, void *ud, la_int64_t req)
{
    struct memsrc *m = ud;
    (void)a;
    size_t k = m->n - m->pos;
    if(req < 0)
        return 0;
    if((uint64_t)req < k)
        k = (size_t)req;
    m->pos += k;
    return (la_int64_t)k;
}

static int open_mem(struct archive *a, struct memsrc *m, const void *p,
                    size_t n)
{
    *m = (struct memsrc){ p, n, 0 };
    if(archive_read_set_read_callback(a, memsrc_read) != ARCHIVE_OK ||
       archive_read_set_seek_callback(a, memsrc_seek) != ARCHIVE_OK ||
       archive_read_set_skip_callback(a, memsrc_skip) != ARCHIVE_OK ||
       archive_read_set_callback_data(a, m) != ARCHIVE_OK)
        return ARCHIVE_FATAL;
    return archive_read_open1(a);
}

/*
 * Is p[0..512) a tar header whose checksum holds?  The checksum is the sum
 * of the header's bytes, the checksum field counted as spaces, written in
 * octal at 148; a block of NUL bytes (as copytruncate leaves at the start
 * of a log) is not a header.
 */
static bool tar_header(const uint8_t *p, size_t n)
{
    if(n < 512)
        return false;
    uint32_t sum = 0, want = 0;
    size_t k = 148;
    /* the field first: most data fails it, and costs no sum */
    while(k < 156 && p[k] == ' ')
        k++;
    size_t start = k;
    while(k < 156 && p[k] >= '0' && p[k] <= '7')
        want = want * 8 + (uint32_t)(p[k++] - '0');
    if(k == start || (k < 156 && p[k] != 0 && p[k] != ' '))
        return false;
    for(size_t i = 0; i < 512; i++)
        sum += (i >= 148 && i < 156) ? ' ' : p[i];
    return sum == want && sum != 8 * ' ';
}

/* What the bytes start with: a compressor's name, "tar", or NULL (the
 * checksum last: it costs a pass over 512 bytes). */
static const char *archive_kind(const uint8_t *p, size_t n)
{
    if(n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8)
        return "gzip";
    if(n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
        return "xz";
    if(n >= 4 && !memcmp(p, "BZh", 3) && p[3] >= '1' && p[3] <= '9')
        return "bzip2";
    if(n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
        return "zstd";
    if(n >= 32 && !memcmp(p, "7z\xbc\xaf\x27\x1c", 6))
        return "7z";       /* 32: the signature header */
    if(n >= 7 && !memcmp(p, "Rar!\x1a\x07\x00", 7))
        return "rar";
    if(n >= 8 && !memcmp(p, "Rar!\x1a\x07\x01\x00", 8))
        return "rar5";
    return tar_header(p, n) ? "tar" : NULL;
}

/* Magic of the archives with a member list of their own (not tar). */
static bool is_7z_or_rar(const uint8_t *p, size_t n)
{
    return (n >= 6 && !memcmp(p, "7z\xbc\xaf\x27\x1c", 6)) ||
           (n >= 6 && !memcmp(p, "Rar!\x1a\x07", 6));
}

static int archive_probe(const uint8_t *p, size_t n)
{
    return archive_kind(p, n) ? PROBE_HEAD : PROBE_NO;
}

/* A member starting like this is read whole and opened.  Looser than the
 * probe (any gzip method, any bzip2 block size): what is opened is then
 * probed in full. */
static bool archive_container_head(const uint8_t *p, size_t n)
{
    return (n >= 3 && p[0] == 0x1f && p[1] == 0x8b) ||
           (n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6)) ||
           (n >= 3 && !memcmp(p, "BZh", 3)) ||
           (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4)) ||
           is_7z_or_rar(p, n);
}

/* Does the compressed object hold a tar?  Decompress its first block
 * into head[512]; *got says how much of it there is. */
static bool holds_tar(const struct kobj *obj, uint8_t head[512], size_t *out)
{
    struct archive *a = reader_new(RD_RAW);
    struct archive_entry *ent = archive_entry_new();
    struct memsrc src;
    size_t got = 0;
    if(a && ent && open_mem(a, &src, obj->data, obj->len) == ARCHIVE_OK &&
       archive_read_next_header2(a, ent) >= ARCHIVE_WARN) {
        while(got < 512) {
            la_ssize_t r = archive_read_data(a, head + got, 512 - got);
            if(r <= 0)
                break;
            got += (size_t)r;
        }
    }
    archive_read_free(a);
    archive_entry_free(ent);
    *out = got;
    return tar_header(head, got);
}

/* A gzip file whose members all hold nothing: decompressed to its end
 * (linear in its size, one byte of output at most), every byte used. */
static bool gzip_empty(const uint8_t *p, size_t n)
{
    if(n < 18 || p[0] != 0x1F || p[1] != 0x8B)
        return false;
    bool empty = false;
    while(n) {
        z_stream z = { 0 };
        uint8_t out[1];
        if(inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
            return false;
        z.next_in = (Bytef *)(uintptr_t)p;
        z.avail_in = n > UINT_MAX ? UINT_MAX : (uInt)n;
        z.next_out = out;
        z.avail_out = sizeof(out);
        int r;
        do
            r = inflate(&z, Z_NO_FLUSH);
        while(r == Z_OK && z.avail_out && z.avail_in);
        empty = r == Z_STREAM_END && z.total_out == 0;
        size_t used = (size_t)(z.next_in - p);
        inflateEnd(&z);
        if(!empty)
            return false;
        p += used;
        n -= used;
    }
    return empty;
}

/* Name for the payload of a bare compressed file: "x.jar.gz" -> "x.jar". */
static void raw_name(const struct kobj *obj, char *out, size_t cap)
{
    const char *n = obj->name;
    size_t len = strlen(n);
    const char *dot = strrchr(n, '.');
    if(dot && dot != n)
        len = (size_t)(dot - n);
    if(len >= cap)
        len = cap - 1;
    memcpy(out, n, len);
    out[len] = 0;
    if(!len)
        snprintf(out, cap, "data");
}

/* A compressed file that is not a tar, whose first bytes are no
 * container either, is one stream of data for the detectors that read
 * data (logs).  Ask them now: when none wants it (kensa log4j), the peek
 * was all it costs.  *ks is the stream begun, if any. */
static bool peek_skips(struct kobj *obj, const uint8_t *head, size_t got,
                       struct kstream **ks)
{
    char rname[256];
    *ks = NULL;
    if(ctx_wants_whole(obj->ctx) || formats_container_head(head, got) ||
       (got > 262 && !memcmp(head + 257, "ustar", 5)))
        return false;
    raw_name(obj, rname, sizeof(rname));
    *ks = detectors_stream_begin(obj, rname);
    return !*ks;
}

/* Encrypted members left unread in one archive, for one warning. */
struct sealed {
    unsigned n;
    char first[128];
};

static void sealed_add(struct sealed *sl, const char *name)
{
    if(!sl->n++) {
        size_t k = strlen(name);
        if(k >= sizeof(sl->first))
            k = sizeof(sl->first) - 1;
        memcpy(sl->first, name, k);
        sl->first[k] = 0;
    }
}

/*
 * Walk the members of an open reader: a member whose first bytes start a
 * container is read whole (or spilled) and scanned as an object, the rest
 * streamed to the detectors that want it.  `squeezed`: members are
 * compressed (raw, 7z, RAR, zip), so the archive's size bounds their
 * ratio.  *pre is a stream already begun for the first member (a raw
 * compressed file).  Encrypted members that could not be read are counted
 * in *sl.  `rename` (may be NULL) chooses which regular members are
 * scanned and under what name (archive_tar_walk).  The caller owns `a`.
 */
static void walk_members(struct kobj *obj, struct archive *a,
                         const char *kind, enum rd rd, struct kstream **pre,
                         struct sealed *sl, archive_name_fn rename, void *ud)
{
    struct kctx *c = obj->ctx;
    const struct kensa_limits *l = &c->s->opts.limits;
    struct archive_entry *ent = archive_entry_new();
    struct buf data;
    uint64_t room = l->max_scansize ? l->max_scansize : UINT64_MAX;
    bool squeezed = rd != RD_TAR;
    char nb[24];

    buf_init(&data, room > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)room);
    if(!ent) {
        ctx_warn(c, obj->path, KENSA_ENOMEM, KMSG_OOM);
        return;
    }
    for(;;) {
        int r = archive_read_next_header2(a, ent);
        if(r == ARCHIVE_EOF)
            break;
        if(r < ARCHIVE_WARN) {
            if(archive_read_has_encrypted_entries(a) > 0 && !sl->n) {
                /* 7z with its member list encrypted (7z a -mhe=on) */
                sealed_add(sl, "(member list)");
                break;
            }
            ctx_warn(c, obj->path, KENSA_EFORMAT, KMSG_ARCHIVE_READ,
                     kind, archive_error_string(a));
            break;
        }
        if(!ctx_count_entry(c, obj->path))
            break;
        if(archive_entry_filetype(ent) != AE_IFREG)
            continue;
        bool raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
        char rname[256];
        char shown[ARCHIVE_NAME_MAX];
        const char *name = archive_entry_pathname(ent);
        if(raw || !name) {
            raw_name(obj, rname, sizeof(rname));
            name = rname;
        }
        if(rename) {
            if(!rename(ud, name, shown, sizeof(shown)))
                continue;
            name = shown;
        }
        bool sealed = archive_entry_is_data_encrypted(ent);
        if(sealed && rd != RD_ZIP) {
            /* 7z AES, RAR: libarchive reads the names, not the data */
            sealed_add(sl, name);
            continue;
        }
        /* Read the first block; keep going for a container, or stream
         * to the detectors that want the member (logs). */
        data.len = 0;
        bool keep = false, stop = false;
        struct kstream *ks = NULL;
        int spill = -1;
        uint64_t spilled = 0;
        uint64_t streamed = 0;
        for(;;) {
            char chunk[65536];
            la_ssize_t got = archive_read_data(a, chunk, sizeof(chunk));
            if(got < 0) {
                if(sealed && !streamed && !data.len && !spilled)
                    sealed_add(sl, name);   /* no password opened it */
                else
                    ctx_warn(c, obj->path, KENSA_EFORMAT,
                             KMSG_ARCHIVE_MEMBER, name,
                             archive_error_string(a));
                keep = false;
                break;
            }
            if(got == 0)
                break;
            if(ks) {
                streamed += (uint64_t)got;
                if((streamed & ((1u << 24) - 1)) < (uint64_t)got &&
                   !ctx_charge(c, obj->path, 0)) {
                    stop = true;
                    break;
                }
                if(l->max_ratio && squeezed && streamed > (64u << 20) &&
                   streamed / obj->len > l->max_ratio) {
                    ctx_warn(c, obj->path, KENSA_ELIMIT,
                             KMSG_ARCHIVE_RATIO_STOPPED, name,
                             kmsg_u64(nb, l->max_ratio));
                    break;
                }
                detectors_stream_data(ks, (const uint8_t *)chunk, (size_t)got);
                continue;
            }
            if(data.len == 0 && !keep) {
                if(!ctx_wants_whole(c) &&
                   !formats_container_head((const uint8_t *)chunk,
                                           (size_t)got) &&
                   !(got > 262 && !memcmp(chunk + 257, "ustar", 5))) {
                    ks = *pre ? *pre : detectors_stream_begin(obj, name);
                    *pre = NULL;
                    if(!ks)
                        break;
                    streamed = (uint64_t)got;
                    detectors_stream_data(ks, (const uint8_t *)chunk,
                                          (size_t)got);
                    continue;
                }
                keep = true;
            }
            if(!ctx_charge(c, obj->path, (uint64_t)got)) {
                keep = false;
                stop = true;
                break;
            }
            if(l->max_ratio && squeezed && data.len > (1u << 20) &&
               data.len / obj->len > l->max_ratio) {
                ctx_warn(c, obj->path, KENSA_ELIMIT, KMSG_ARCHIVE_RATIO,
                         name, kmsg_u64(nb, l->max_ratio));
                keep = false;
                break;
            }
            if(spill < 0 && data.len + (size_t)got > TAR_SPILL) {
                /* too large to hold: go on in a temporary file */
                spill = spill_fd();
                if(spill < 0 || write_all(spill, data.p, data.len)) {
                    ctx_warn(c, obj->path, KENSA_EIO,
                             KMSG_ARCHIVE_NO_TMPFILE, name);
                    keep = false;
                    break;
                }
                spilled = data.len;
                data.len = 0;
            }
            if(spill >= 0) {
                if(write_all(spill, (const uint8_t *)chunk, (size_t)got)) {
                    ctx_warn(c, obj->path, KENSA_EIO,
                             KMSG_ARCHIVE_TMP_WRITE, name);
                    keep = false;
                    break;
                }
                spilled += (uint64_t)got;
                continue;
            }
            if(buf_append(&data, chunk, (size_t)got)) {
                ctx_warn(c, obj->path, KENSA_ELIMIT, KMSG_ARCHIVE_SCANSIZE,
                         name);
                keep = false;
                break;
            }
        }
        detectors_stream_end(ks);
        if(keep && spill >= 0 && spilled) {
            void *map = mmap(NULL, (size_t)spilled, PROT_READ, MAP_PRIVATE,
                             spill, 0);
            if(map != MAP_FAILED) {
                object_scan_child_mapped(obj, name, map, (size_t)spilled);
                munmap(map, (size_t)spilled);
            }
        } else if(keep && data.len) {
            object_scan_child(obj, name, data.p, data.len);
        }
        if(spill >= 0)
            close(spill);
        if(stop)
            break;
    }
    buf_free(&data);
    archive_entry_free(ent);
}

/* One warning for the encrypted members of `obj` nobody could read: an
 * encrypted archive must never pass for a clean one. */
static void sealed_warn(struct kobj *obj, const char *kind,
                        const struct sealed *sl)
{
    size_t npw = kobj_attr_count(obj, "password");
    char nb[24], nb2[24];
    if(!sl->n)
        return;
    /* by mail: a suspicious finding with the same words as evidence */
    const char *args[3] = { NULL, NULL, NULL };
    struct kensa_msg why = { .args = args };
    if(!strcmp(sl->first, "(member list)")) {
        why.id = kmsg_key(KMSG_ARCHIVE_SEALED_LIST);
        args[0] = kind;
        why.nargs = 1;
    } else {
        args[0] = kmsg_u64(nb, sl->n);
        args[1] = sl->first;
        args[2] = kmsg_u64(nb2, npw);
        why.nargs = npw && strcmp(kind, "7z") && strncmp(kind, "rar", 3) ? 3 : 2;
        why.id = kmsg_key(!strcmp(kind, "7z") ? KMSG_ARCHIVE_SEALED_7Z :
                          !strncmp(kind, "rar", 3) ? KMSG_ARCHIVE_SEALED_RAR :
                          !npw ? KMSG_ARCHIVE_SEALED_NOPW :
                          KMSG_ARCHIVE_SEALED_NONE);
    }
    if(mail_report_sealed(obj, &why))
        return;
    if(!strcmp(sl->first, "(member list)"))
        ctx_warn(obj->ctx, obj->path, KENSA_EUNSUPPORTED,
                 KMSG_ARCHIVE_SEALED_LIST, kind);
    else if(!strcmp(kind, "7z"))
        ctx_warn(obj->ctx, obj->path, KENSA_EUNSUPPORTED,
                 KMSG_ARCHIVE_SEALED_7Z, kmsg_u64(nb, sl->n), sl->first);
    else if(!strncmp(kind, "rar", 3))
        ctx_warn(obj->ctx, obj->path, KENSA_EUNSUPPORTED,
                 KMSG_ARCHIVE_SEALED_RAR, kmsg_u64(nb, sl->n), sl->first);
    else if(!npw)
        ctx_warn(obj->ctx, obj->path, KENSA_EUNSUPPORTED,
                 KMSG_ARCHIVE_SEALED_NOPW, kmsg_u64(nb, sl->n), sl->first);
    else
        ctx_warn(obj->ctx, obj->path, KENSA_EUNSUPPORTED,
                 npw == 1 ? KMSG_ARCHIVE_SEALED_NONE_ONE :
                            KMSG_ARCHIVE_SEALED_NONE,
                 kmsg_u64(nb, sl->n), sl->first, kmsg_u64(nb2, npw));
}

static bool archive_walk(struct kobj *obj)
{
    struct kctx *c = obj->ctx;
    const char *kind = archive_kind(obj->data, obj->len);
    uint64_t events0 = c->events;
    uint8_t key[32] = { 0 };
    struct sealed sl = { 0 };

    /* a top-level file whose bytes were scanned clean in this run: every
     * copy of a tarball costs a hash, not a decompression */
    if(obj->depth == 0 && clean_seen_object(obj, key))
        return true;
    uint8_t head[512];
    size_t hgot = 0;
    enum rd rd;
    if(!strcmp(kind, "7z"))
        rd = RD_7Z;
    else if(!strncmp(kind, "rar", 3))
        rd = RD_RAR;
    else if(tar_header(obj->data, obj->len) || holds_tar(obj, head, &hgot))
        rd = RD_TAR;
    else
        rd = RD_RAW;
    struct kstream *pre = NULL;    /* the raw member's stream, begun */
    if(rd == RD_RAW && hgot && peek_skips(obj, head, hgot, &pre)) {
        clean_add(c->s, key);
        return true;
    }
    if(rd == RD_RAW && !hgot && gzip_empty(obj->data, obj->len))
        return true;    /* nothing inside (Debian ships such man pages) */
    struct archive *a = reader_new(rd);
    bool opened = false;

    if(!a) {
        detectors_stream_end(pre);
        ctx_warn(c, obj->path, KENSA_ENOMEM, KMSG_OOM);
        return true;
    }
    struct memsrc src;
    if(open_mem(a, &src, obj->data, obj->len) != ARCHIVE_OK) {
        ctx_warn(c, obj->path, KENSA_EFORMAT, KMSG_ARCHIVE_OPEN, kind,
                 archive_error_string(a));
        goto out;
    }
    opened = true;
    walk_members(obj, a, kind, rd, &pre, &sl, NULL, NULL);
    sealed_warn(obj, kind, &sl);
out:
    detectors_stream_end(pre);   /* not used: the member had another start */
    archive_read_free(a);
    if(opened && c->events == events0)
        clean_add(c->s, key);
    return opened;
}

/* ---- tars for other formats (container images, image.c) ------------- */

bool archive_tar_header(const uint8_t *p, size_t n)
{
    return tar_header(p, n);
}

enum kensa_err archive_tar_list(const uint8_t *p, size_t n, bool want_data,
                                archive_list_fn fn, void *ud,
                                char *err, size_t errcap)
{
    struct archive *a = reader_new(RD_TAR);
    struct archive_entry *ent = archive_entry_new();
    struct memsrc src;
    enum kensa_err rc = KENSA_OK;

    if(errcap)
        err[0] = 0;
    if(!a || !ent) {
        rc = KENSA_ENOMEM;
        goto out;
    }
    if(open_mem(a, &src, p, n) != ARCHIVE_OK) {
        snprintf(err, errcap, "%s", archive_error_string(a) ?
                 archive_error_string(a) : "not a tar");
        rc = KENSA_EFORMAT;
        goto out;
    }
    for(;;) {
        int r = archive_read_next_header2(a, ent);
        if(r == ARCHIVE_EOF)
            break;
        if(r < ARCHIVE_WARN) {
            snprintf(err, errcap, "%s", archive_error_string(a) ?
                     archive_error_string(a) : "bad header");
            rc = KENSA_EFORMAT;
            break;
        }
        const char *nm = archive_entry_pathname(ent);
        struct archive_tar_entry e = {
            .name = nm ? nm : "",
            .size = archive_entry_size(ent) > 0 ?
                    (uint64_t)archive_entry_size(ent) : 0,
        };
        mode_t t = archive_entry_filetype(ent);
        e.type = t == AE_IFREG ? 'f' : t == AE_IFDIR ? 'd' : 'o';
        if(want_data && e.type == 'f' && e.size) {
            /* uncompressed tar read from memory: libarchive hands out
             * the member where it lies (one block, no copy); anything
             * else is not a view into p and is not given */
            const void *blk;
            size_t sz;
            la_int64_t off;
            if(archive_read_data_block(a, &blk, &sz, &off) == ARCHIVE_OK &&
               off == 0 && sz == e.size &&
               (const uint8_t *)blk >= p && sz <= n &&
               (const uint8_t *)blk - p <= (ptrdiff_t)(n - sz))
                e.data = blk;
        }
        if(!fn(ud, &e))
            break;
    }
out:
    archive_read_free(a);
    archive_entry_free(ent);
    return rc;
}

bool archive_tar_walk(struct kobj *obj, const uint8_t *p, size_t n,
                      const char *what, archive_name_fn rename, void *ud)
{
    struct kctx *c = obj->ctx;
    struct archive *a = reader_new(RD_TAR);
    struct kstream *pre = NULL;
    struct sealed sl = { 0 };
    struct memsrc src;
    bool ok = false;

    if(!a) {
        ctx_warn(c, obj->path, KENSA_ENOMEM, KMSG_OOM);
        return false;
    }
    if(open_mem(a, &src, p, n) != ARCHIVE_OK) {
        ctx_warn(c, obj->path, KENSA_EFORMAT, KMSG_ARCHIVE_READ, what,
                 archive_error_string(a));
        goto out;
    }
    ok = true;
    walk_members(obj, a, what, RD_TAR, &pre, &sl, rename, ud);
out:
    detectors_stream_end(pre);
    archive_read_free(a);
    return ok;
}

/* ---- zips with encrypted members ---------------------------------------- */

/* Candidate passwords handed to libarchive one at a time, so that the one
 * that opened a member is known: libarchive asks for the next only when
 * the one before failed its check. */
struct pwfeed {
    const char **v;
    size_t n, next;
};

static const char *pw_next(struct archive *a, void *ud)
{
    struct pwfeed *f = ud;
    (void)a;
    return f->next < f->n ? f->v[f->next++] : NULL;
}

/* Output read from the probe member before its password is believed. */
#define PROBE_MAX (4u << 20)

/*
 * Which candidate opens the first encrypted member: libarchive's own
 * check (one byte for ZipCrypto, two for AES) lets about one wrong
 * password in 256 through, so the member is read (up to PROBE_MAX) and a
 * password whose data then fails is dropped and the search goes on after
 * it.  Returns the index, or -1.
 */
static long find_password(struct kobj *obj, const char **v, size_t n)
{
    struct pwfeed f = { .v = v, .n = n };
    while(f.next < n) {
        size_t before = f.next;
        struct archive *a = reader_new(RD_ZIP);
        struct archive_entry *ent = archive_entry_new();
        struct memsrc src;
        bool failed = false, seen = false;
        if(!a || !ent) {
            archive_read_free(a);
            archive_entry_free(ent);
            return -1;
        }
        archive_read_set_passphrase_callback(a, &f, pw_next);
        if(open_mem(a, &src, obj->data, obj->len) != ARCHIVE_OK) {
            archive_read_free(a);
            archive_entry_free(ent);
            return -1;
        }
        while(!seen && archive_read_next_header2(a, ent) >= ARCHIVE_WARN) {
            if(!archive_entry_is_data_encrypted(ent))
                continue;
            seen = true;
            size_t total = 0;
            char chunk[65536];
            for(;;) {
                la_ssize_t got = archive_read_data(a, chunk, sizeof(chunk));
                if(got < 0)
                    failed = true;
                if(got <= 0)
                    break;
                total += (size_t)got;
                if(total >= PROBE_MAX)
                    break;
            }
        }
        archive_read_free(a);
        archive_entry_free(ent);
        if(!seen)
            return -1;
        if(!failed)
            return f.next ? (long)f.next - 1 : -1;
        if(f.next == before)
            return -1;   /* failed before asking for a password: corrupt */
        /* the last one handed out passed the check and then failed: go
         * on with the ones after it (f.next already points there) */
    }
    return -1;
}

bool archive_walk_encrypted_zip(struct kobj *obj)
{
    struct kctx *c = obj->ctx;
    size_t n = kobj_attr_count(obj, "password");
    const char **v;
    long k;
    const struct kctxattr **node;

    if(!n || !(v = calloc(n, sizeof(*v))))
        return false;
    if(!(node = calloc(n, sizeof(*node)))) {
        free(v);
        return false;
    }
    size_t i = 0;
    for(const struct kctxattr *at = kobj_attr_next(obj, NULL, "password");
        at && i < n; at = kobj_attr_next(obj, at, "password")) {
        node[i] = at;
        v[i++] = at->value;
    }
    k = find_password(obj, v, n);
    if(k < 0) {
        free(v);
        free(node);
        return false;
    }
    struct archive *a = reader_new(RD_ZIP);
    struct kstream *pre = NULL;
    struct sealed sl = { 0 };
    struct pwfeed f = { .v = v, .n = n };
    if(!a) {
        free(v);
        free(node);
        return false;
    }
    /* the one found first; the others for members under another one */
    archive_read_add_passphrase(a, v[k]);
    archive_read_set_passphrase_callback(a, &f, pw_next);
    struct memsrc src;
    if(open_mem(a, &src, obj->data, obj->len) != ARCHIVE_OK) {
        ctx_warn(c, obj->path, KENSA_EFORMAT, KMSG_ARCHIVE_OPEN, "zip",
                 archive_error_string(a));
        archive_read_free(a);
        free(v);
        free(node);
        return true;
    }
    /* the members (and all they hold) know which password opened them;
     * one found in a mail (origin set) is named in their findings, with
     * where it was found */
    const char *o = node[k]->origin;
    const char *ev_args[2] = { v[k], o };
    struct kensa_msg ev = { .id = kmsg_key(o && *o ?
                                KMSG_MAIL_EV_OPENED_THREAD :
                                KMSG_MAIL_EV_OPENED_SELF),
                            .args = ev_args, .nargs = o && *o ? 2 : 1 };
    struct kensa_attr at_ow = { .key = "kensa.archive.opened_with",
                                .type = KENSA_ATTR_STR, .str = v[k],
                                .flags = KENSA_ATTR_SHOW };
    struct kctxattr opened = { .key = "opened_with", .value = v[k],
                               .next = obj->attrs,
                               .finding = o ? &at_ow : NULL,
                               .finding_ev = o ? &ev : NULL };
    const struct kctxattr *saved = obj->attrs;
    obj->attrs = &opened;
    walk_members(obj, a, "zip", RD_ZIP, &pre, &sl, NULL, NULL);
    obj->attrs = saved;
    sealed_warn(obj, "zip", &sl);
    detectors_stream_end(pre);
    archive_read_free(a);
    free(v);
    free(node);
    return true;
}

const struct format format_archive = {
    .name = "archive",
    .probe = archive_probe,
    .container_head = archive_container_head,
    .walk = archive_walk,
};
