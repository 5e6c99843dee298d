/*
 * zip.h - a read-only reader for the zip family (jar, war, ear, ...).
 *
 * It reads the central directory first and nothing else; an entry's bytes
 * are only touched when asked for.  Archives with data in front (launcher
 * scripts, .jmod headers, self-extractors) are handled by measuring the
 * prefix from where the central directory really is.  Every offset and
 * length is checked against the buffer before use.
 */
#ifndef KENSA_FORMATS_ZIP_H
#define KENSA_FORMATS_ZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/kensa.h"
#include "util/buf.h"

struct zip_entry {
    const char *name;     /* NUL-terminated copy; bad bytes kept as-is */
    uint32_t name_len;
    uint16_t method;      /* 0 stored, 8 deflate, others unsupported */
    uint16_t flags;       /* bit 0: encrypted, bit 3: data descriptor */
    uint32_t crc;
    uint64_t csize;       /* from the central directory */
    uint64_t usize;
    uint64_t lho;         /* local header offset, prefix included */
    uint64_t cd_off;      /* where the central record starts */
};

struct zip {
    const uint8_t *p;     /* borrowed */
    size_t n;
    uint64_t prefix;      /* bytes in front of the zip proper */
    uint64_t cd_start, cd_size, eocd_off;
    size_t count;
    struct zip_entry *e;  /* owned */
    char *names;          /* owned arena for the names */
    bool truncated;       /* more entries than max_entries */
    bool overlapping;     /* entries share bytes: a zip-bomb trick */
};

/*
 * Parse the central directory of `p`.  At most `max_entries` entries are
 * kept (z->truncated tells).  KENSA_EFORMAT if no valid end record or
 * central directory is found; KENSA_ENOMEM.  On success, zip_close().
 */
enum kensa_err zip_open(struct zip *z, const uint8_t *p, size_t n,
                        uint32_t max_entries);

void zip_close(struct zip *z);

/* Where entry i's compressed bytes are.  KENSA_EFORMAT if out of range. */
enum kensa_err zip_raw(const struct zip *z, size_t i, const uint8_t **out,
                       size_t *out_len);

/*
 * The first up to `want` bytes of entry i, uncompressed, into head.
 * Cheap: at most a few KB are inflated whatever the entry's size.
 */
enum kensa_err zip_peek(const struct zip *z, size_t i, uint8_t *head,
                        size_t want, size_t *got);

/*
 * Entry i uncompressed.  Stored entries point into the archive (*out is
 * borrowed); others are inflated into `scratch`, which caps the size.
 * KENSA_ELIMIT when the size or the ratio (`max_ratio`, 0 = none) is over;
 * KENSA_EUNSUPPORTED for encryption or an unknown method; KENSA_EFORMAT
 * for corrupt data.
 */
enum kensa_err zip_get(const struct zip *z, size_t i, uint32_t max_ratio,
                       struct buf *scratch, const uint8_t **out,
                       size_t *out_len);

/*
 * Inflate entry i into the file descriptor `fd` (a spill file), at most
 * `max` bytes, streaming through a small buffer so memory stays flat
 * whatever the entry's size.  Errors as zip_get, KENSA_EIO on write.
 * *out_len gets the bytes written.
 */
enum kensa_err zip_spill(const struct zip *z, size_t i, uint32_t max_ratio,
                         uint64_t max, int fd, uint64_t *out_len);

/*
 * Inflate (or copy, if stored) entry i chunk by chunk into `sink`, which
 * returns false to stop early.  At most `max` bytes; ratio as zip_get.
 */
typedef bool (*zip_sink)(void *ud, const uint8_t *p, size_t n);
enum kensa_err zip_stream(const struct zip *z, size_t i, uint32_t max_ratio,
                          uint64_t max, zip_sink sink, void *ud,
                          uint64_t *out_len);

/* Readers for little-endian fields with a bounds check. */
static inline bool zrd16(const uint8_t *p, size_t n, uint64_t off,
                         uint16_t *v)
{
    if(off > n || n - off < 2)
        return false;
    *v = (uint16_t)(p[off] | p[off + 1] << 8);
    return true;
}

static inline bool zrd32(const uint8_t *p, size_t n, uint64_t off,
                         uint32_t *v)
{
    if(off > n || n - off < 4)
        return false;
    *v = (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 |
         (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
    return true;
}

static inline bool zrd64(const uint8_t *p, size_t n, uint64_t off,
                         uint64_t *v)
{
    uint32_t lo, hi;
    if(!zrd32(p, n, off, &lo) || !zrd32(p, n, off + 4, &hi))
        return false;
    *v = (uint64_t)hi << 32 | lo;
    return true;
}

#endif
