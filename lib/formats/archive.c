/*
 * archive.c - tar and the single-file compressors (gzip, xz, bzip2, zstd)
 * through libarchive, which handles their many dialects better than we
 * would.  Members are streamed: only a member whose first bytes say it is
 * a container is read into memory (capped by --max-scansize, checked for
 * its compression ratio); everything else is skipped without being kept.
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
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/engine.h"

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

/* A reader for tar (maybe compressed) or for one compressed stream. */
static struct archive *reader_new(bool tar)
{
    pthread_once(&filters_once, filters_probe);
    struct archive *a = archive_read_new();
    if(!a)
        return NULL;
    for(size_t i = 0; i < NFILTERS; i++) {
        if(filter_in_process[i])
            filters[i](a);
    }
    if(tar) {
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
    } else {
        archive_read_support_format_raw(a);
    }
    return a;
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
    return tar_header(p, n) ? "tar" : NULL;
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
           (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4));
}

/* Does the compressed object hold a tar?  Decompress its first block
 * into head[512]; *got says how much of it there is. */
static bool holds_tar(const struct kobj *obj, uint8_t head[512], size_t *out)
{
    struct archive *a = reader_new(false);
    struct archive_entry *ent;
    size_t got = 0;
    if(a && archive_read_open_memory(a, obj->data, obj->len) == ARCHIVE_OK &&
       archive_read_next_header(a, &ent) >= ARCHIVE_WARN) {
        while(got < 512) {
            la_ssize_t r = archive_read_data(a, head + got, 512 - got);
            if(r <= 0)
                break;
            got += (size_t)r;
        }
    }
    archive_read_free(a);
    *out = got;
    return tar_header(head, got);
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
    if(formats_container_head(head, got) ||
       (got > 262 && !memcmp(head + 257, "ustar", 5)))
        return false;
    raw_name(obj, rname, sizeof(rname));
    *ks = detectors_stream_begin(obj, rname);
    return !*ks;
}

static bool archive_walk(struct kobj *obj)
{
    struct kctx *c = obj->ctx;
    const struct kensa_limits *l = &c->s->opts.limits;
    char nb[24];
    const char *kind = archive_kind(obj->data, obj->len);
    uint64_t events0 = c->events;
    uint8_t key[32] = { 0 };

    /* a top-level file whose bytes were scanned clean in this run: every
     * copy of a tarball costs a hash, not a decompression */
    if(obj->depth == 0 && clean_seen_object(obj, key))
        return true;
    uint8_t head[512];
    size_t hgot = 0;
    bool tar = tar_header(obj->data, obj->len) ||
               holds_tar(obj, head, &hgot);
    struct kstream *pre = NULL;    /* the raw member's stream, begun */
    if(!tar && hgot && peek_skips(obj, head, hgot, &pre)) {
        clean_add(c->s, key);
        return true;
    }
    struct archive *a = reader_new(tar);
    struct archive_entry *ent;
    struct buf data;
    uint64_t room = l->max_scansize ? l->max_scansize : UINT64_MAX;
    bool opened = false;

    buf_init(&data, room > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)room);
    if(!a) {
        detectors_stream_end(pre);
        ctx_warn(c, obj->path, KENSA_ENOMEM, KMSG_OOM);
        return true;
    }
    if(archive_read_open_memory(a, obj->data, obj->len) != ARCHIVE_OK) {
        ctx_warn(c, obj->path, KENSA_EFORMAT, KMSG_ARCHIVE_OPEN, kind,
                 archive_error_string(a));
        goto out;
    }
    opened = true;
    for(;;) {
        int r = archive_read_next_header(a, &ent);
        if(r == ARCHIVE_EOF)
            break;
        if(r < ARCHIVE_WARN) {
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
        const char *name = archive_entry_pathname(ent);
        if(raw || !name) {
            raw_name(obj, rname, sizeof(rname));
            name = rname;
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
                ctx_warn(c, obj->path, KENSA_EFORMAT, KMSG_ARCHIVE_MEMBER,
                         name, archive_error_string(a));
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
                if(l->max_ratio && raw && streamed > (64u << 20) &&
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
                if(!formats_container_head((const uint8_t *)chunk,
                                           (size_t)got) &&
                   !(got > 262 && !memcmp(chunk + 257, "ustar", 5))) {
                    ks = pre ? pre : detectors_stream_begin(obj, name);
                    pre = NULL;
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
            if(l->max_ratio && raw && data.len > (1u << 20) &&
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
out:
    detectors_stream_end(pre);   /* not used: the member had another start */
    buf_free(&data);
    archive_read_free(a);
    if(opened && c->events == events0)
        clean_add(c->s, key);
    return opened;
}

const struct format format_archive = {
    .name = "archive",
    .probe = archive_probe,
    .container_head = archive_container_head,
    .walk = archive_walk,
};
