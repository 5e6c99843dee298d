/*
 * decode.h - the encodings Log4Shell strings arrive in before Log4j sees
 * them: URL encoding (repeated, partial, form '+'), C/Java/JSON escapes
 * (\u0024, \\u0024, \x24, octal \044), HTML entities (with or without ';')
 * and Base64.  Each decoder appends to a capped buf and never fails on bad
 * input: what it cannot decode it copies.
 */
#ifndef KENSA_DETECT_DECODE_H
#define KENSA_DETECT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* %XX and %uXXXX; `plus` turns '+' into a space (form encoding). */
void decode_url(const uint8_t *s, size_t n, bool plus, struct buf *out);

/* \uXXXX (any number of backslashes), \xXX, \NNN octal, \$ \{ \}. */
void decode_cesc(const uint8_t *s, size_t n, struct buf *out);

/* &#NN; &#xHH; (';' optional) and the named entities attackers use. */
void decode_html(const uint8_t *s, size_t n, struct buf *out);

/*
 * Base64 (standard or URL-safe alphabet, padding optional).  Decodes up to
 * the first byte outside the alphabet; a dangling last character is
 * dropped.  Returns the number of input bytes consumed.
 */
size_t decode_b64(const uint8_t *s, size_t n, struct buf *out);

/*
 * Undo every layer above (not Base64) until nothing changes, at most
 * `rounds` times.  Returns the layers that changed something, as bits:
 */
#define DEC_URL 1u
#define DEC_URLPLUS 2u
#define DEC_CESC 4u
#define DEC_HTML 8u
#define DEC_B64 16u
unsigned decode_layers(const uint8_t *s, size_t n, bool plus, unsigned rounds,
                       struct buf *out);

/* "url,cesc" for a set of DEC_* bits, into out (at least 32 bytes). */
void decode_names(unsigned bits, char *out, size_t cap);

#endif
