/*
 * json.h - write JSON strings that are always valid, whatever the bytes:
 * control characters are escaped and bytes that are not UTF-8 become
 * U+FFFD, so a path with a newline or Latin-1 in it cannot break a JSON
 * Lines consumer.
 */
#ifndef KENSA_UTIL_JSON_H
#define KENSA_UTIL_JSON_H

#include "util/buf.h"

/* Append `s` as a quoted JSON string ("null" for NULL).  KENSA_ELIMIT or
 * KENSA_ENOMEM when b cannot take it; b may then hold part of it. */
enum kensa_err json_str(struct buf *b, const char *s);

/* The same for the n bytes at s (NUL bytes are escaped). */
enum kensa_err json_strn(struct buf *b, const char *s, size_t n);

/* Append `"key":` then the string value; errors as json_str. */
enum kensa_err json_kv(struct buf *b, const char *key, const char *val);

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
size_t utf8_seq(const unsigned char *p, size_t n);

#endif
