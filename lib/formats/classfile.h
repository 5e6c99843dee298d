/*
 * classfile.h - a bounds-checked reader for Java class files, enough to
 * fingerprint a class: its name, its superclass, its interfaces' names
 * and the strings of its constant pool.  No bytecode is interpreted.
 */
#ifndef KENSA_FORMATS_CLASSFILE_H
#define KENSA_FORMATS_CLASSFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/kensa.h"

struct cf_str {
    const uint8_t *p;   /* modified UTF-8, borrowed from the class bytes */
    uint16_t len;
};

struct classfile {
    uint16_t major;          /* 50 = Java 6, 51 = Java 7, 52 = Java 8 */
    struct cf_str this_class;
    struct cf_str super_class;
    struct cf_str *utf8;     /* every Utf8 constant, owned */
    size_t n_utf8;
};

/*
 * Parse `p` (borrowed; must outlive cf).  KENSA_EFORMAT if it is not a
 * well-formed class header and constant pool; KENSA_ENOMEM.  On success
 * free with classfile_free().
 */
enum kensa_err classfile_parse(struct classfile *cf, const uint8_t *p,
                               size_t n);

void classfile_free(struct classfile *cf);

/* True if a Utf8 constant equals `s`. */
bool classfile_has(const struct classfile *cf, const char *s);

/* True if a Utf8 constant contains `s`. */
bool classfile_contains(const struct classfile *cf, const char *s);

/* True if the string `str` ends with `suffix` ("a/b/JndiLookup", "/JndiLookup"). */
bool cf_str_ends(struct cf_str str, const char *suffix);

#endif
