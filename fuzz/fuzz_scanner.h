/*
 * fuzz_scanner.h - one engine scanner for a whole fuzzing process, for
 * the harnesses that scan each input through the engine (fuzz_mail.c,
 * fuzz_tnef.c).
 *
 * A scanner costs ~10 ms to make (the built-in YARA rules are compiled,
 * the mount table read), ten times a typical input's scan, so it is made
 * once and reused.  What a scanner keeps from one scan to the next is
 * its statistics and the digests of nested archives found clean
 * (core/engine.h); the latter would let one input skip the walk of an
 * archive an earlier input held, so they are forgotten before each input
 * and every input is scanned as by a fresh scanner.
 */
#ifndef KENSA_FUZZ_SCANNER_H
#define KENSA_FUZZ_SCANNER_H

#include <string.h>

#include "core/engine.h"
#include "kensa/kensa.h"

/* Options with small limits, so each input is quick. */
static inline void fuzz_options(struct kensa_options *o)
{
    kensa_options_default(o);
    o->threads = 1;
    o->limits.max_scansize = 8u << 20;
    o->limits.max_files = 2000;
    o->limits.max_recursion = 8;
    o->limits.max_scantime_ms = 2000;
}

/* The process's scanner, made with *o on the first call (NULL when that
 * failed), its clean-archive digests forgotten. */
static inline struct kensa_scanner *fuzz_scanner(const struct kensa_options *o)
{
    static struct kensa_scanner *s;
    if(!s && !(s = kensa_scanner_new(o, NULL)))
        return NULL;
    pthread_mutex_lock(&s->clean_lock);
    if(s->clean)
        memset(s->clean, 0, s->cap_clean * sizeof(*s->clean));
    s->n_clean = 0;
    pthread_mutex_unlock(&s->clean_lock);
    return s;
}

#endif
