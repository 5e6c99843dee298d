/*
 * buf.h - a growable byte buffer with a hard cap (curl's dynbuf idea).
 *
 * Every buffer that grows from input carries a maximum; buf_append fails
 * with KENSA_ELIMIT rather than grow past it.  A buf owns its memory;
 * buf_free releases it and leaves an empty buffer that may be reused.
 */
#ifndef KENSA_UTIL_BUF_H
#define KENSA_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kensa/kensa.h"

struct buf {
    uint8_t *p;
    size_t len;
    size_t cap;   /* allocated */
    size_t max;   /* never grow past this */
};

/* Start an empty buffer that may hold at most `max` bytes. */
void buf_init(struct buf *b, size_t max);

/* Make room for `extra` more bytes.  KENSA_ELIMIT past max, ENOMEM. */
enum kensa_err buf_reserve(struct buf *b, size_t extra);

/* Append n bytes.  Errors as buf_reserve; on error nothing is added.
 * Inline when there is room (reports append a few bytes at a time). */
enum kensa_err buf_append_grow(struct buf *b, const void *data, size_t n);
static inline enum kensa_err buf_append(struct buf *b, const void *data,
                                        size_t n)
{
    /* cap never passes max + 1, so room here is within max, NUL kept */
    if(b->cap - b->len > n) {
        memcpy(b->p + b->len, data, n);
        b->len += n;
        return KENSA_OK;
    }
    return buf_append_grow(b, data, n);
}

/* Append a NUL-terminated string (without the NUL). */
enum kensa_err buf_puts(struct buf *b, const char *s);

/* Append printf-style text, formatted straight into the buffer.  Text
 * that would pass the cap is cut at the cap (KENSA_ELIMIT); on ENOMEM
 * nothing is added. */
enum kensa_err buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The same with a va_list (left unusable, as vprintf leaves it). */
enum kensa_err buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/*
 * Room for element n of the array v (elem bytes each, *cap allocated):
 * v itself while n < *cap, else v grown to twice *cap (`first` when
 * empty) with *cap updated.  NULL when out of memory or past SIZE_MAX
 * bytes; v is then left as it was (the caller still owns it).  Callers
 * cap n themselves.
 */
void *array_grow(void *v, size_t *cap, size_t n, size_t elem, size_t first);

/* Ensure a NUL after the data (not counted in len); returns the string. */
const char *buf_cstr(struct buf *b);

/* Release the memory; the buffer stays usable with the same max. */
void buf_free(struct buf *b);

/* Write all n bytes to fd (retrying short writes and EINTR); KENSA_EIO. */
enum kensa_err write_full(int fd, const void *p, size_t n);

/*
 * Let the pages under p[0..n) go: p is (part of) a read-only file
 * mapping, which is read again from the file if touched later.  A large
 * mapping read once then costs page cache, not resident memory.  Never
 * use on heap memory.
 */
void drop_mapped(const void *p, size_t n);

/* Lowercase hex of p[0..n) into out (2n + 1 bytes with the NUL). */
void hex_lower(const void *p, size_t n, char *out);

/* Hex sha256 of data into out (65 bytes with the NUL). */
void sha256_hex(const void *data, size_t n, char out[65]);

/*
 * The same for (part of) a read-only file mapping: pages are
 * dropped after hashing, so hashing a large file does not leave it
 * resident.  Never use on heap memory.
 */
void sha256_hex_mapped(const void *data, size_t n, char out[65]);

#endif
