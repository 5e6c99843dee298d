/*
 * lookup.h - an evaluator for Log4j 2's lookup language, as Log4j 2.14.1
 * and earlier evaluate a logged message: "${prefix:key:-default}" with
 * nesting, "$${" escapes, substitution inside variable names, defaults,
 * value recursion, and the lookups attackers use to hide characters
 * (lower, upper, date, and unset env/sys/java/... with defaults).  It
 * records every JNDI lookup Log4j would perform instead of performing it.
 *
 * Evaluating, rather than matching patterns, is what finds obfuscations
 * nobody has listed yet.  Limits: nesting depth, steps and output size are
 * capped; where Log4j would throw (a cyclic variable) evaluation stops.
 */
#ifndef KENSA_DETECT_LOOKUP_H
#define KENSA_DETECT_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define L4S_MAX_JNDI 8

struct l4s_scratch;

struct l4s_result {
    size_t n_jndi;
    char *jndi[L4S_MAX_JNDI]; /* names of the JNDI lookups performed, owned */
    bool unbalanced;          /* a "${" that is never closed */
    bool aborted;             /* a cycle, or a depth/step/size limit */
    struct buf out;           /* the text after evaluation (capped) */
    struct l4s_scratch *scratch; /* per-depth work buffers, reused */
};

/* Prepare r; `cap` bounds the evaluated text (and each work buffer). */
void l4s_result_init(struct l4s_result *r, size_t cap);

/* Forget the last result, keep the buffers. */
void l4s_result_reset(struct l4s_result *r);

/* Free what r holds (not r itself); r may then be initialised again. */
void l4s_result_free(struct l4s_result *r);

/* Evaluate s[0..n) as Log4j 2.14.1 would; results in r (reset first). */
void l4s_eval(const uint8_t *s, size_t n, struct l4s_result *r);

/*
 * What l4s_eval() finds (jndi, unbalanced, aborted) without the text:
 * r->out is left empty when a quick pass proves that evaluation performs
 * no JNDI lookup (most "${...}" templates), which costs one read of s.
 */
void l4s_lookups(const uint8_t *s, size_t n, struct l4s_result *r);

/* Java's String.toUpperCase/toLowerCase (root locale) on UTF-8. */
void l4s_upper(const uint8_t *s, size_t n, struct buf *out);
void l4s_lower(const uint8_t *s, size_t n, struct buf *out);

#endif
