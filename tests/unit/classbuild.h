/*
 * classbuild.h - builds minimal Java class files for the unit tests: a
 * constant pool with the class names and extra strings, no methods.
 */
#ifndef KENSA_TESTS_CLASSBUILD_H
#define KENSA_TESTS_CLASSBUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline uint8_t *cb_build(const char *this_class, const char *super,
                                const char *const *strs, size_t nstr,
                                unsigned major, size_t *out_len)
{
    size_t cap = 64 + strlen(this_class) + strlen(super);
    for(size_t i = 0; i < nstr; i++)
        cap += strlen(strs[i]) + 3;
    cap += 32;
    uint8_t *b = malloc(cap), *p = b;
    unsigned count = 1 + 4 + (unsigned)nstr + 1; /* + a Long (2 slots) */
    memcpy(p, "\xca\xfe\xba\xbe", 4); p += 4;
    *p++ = 0; *p++ = 0; *p++ = (uint8_t)(major >> 8); *p++ = (uint8_t)major;
    count += 1;
    *p++ = (uint8_t)(count >> 8); *p++ = (uint8_t)count;
    /* #1 Utf8 this, #2 Class #1, #3 Utf8 super, #4 Class #3 */
    const char *names[2] = { this_class, super };
    for(int k = 0; k < 2; k++) {
        size_t l = strlen(names[k]);
        *p++ = 1; *p++ = (uint8_t)(l >> 8); *p++ = (uint8_t)l;
        memcpy(p, names[k], l); p += l;
        *p++ = 7; *p++ = 0; *p++ = (uint8_t)(1 + 2 * k);
    }
    for(size_t i = 0; i < nstr; i++) {
        size_t l = strlen(strs[i]);
        *p++ = 1; *p++ = (uint8_t)(l >> 8); *p++ = (uint8_t)l;
        memcpy(p, strs[i], l); p += l;
    }
    *p++ = 5; memset(p, 0, 8); p += 8;   /* a Long: takes two slots */
    *p++ = 0; *p++ = 0x21;               /* access */
    *p++ = 0; *p++ = 2;                  /* this_class */
    *p++ = 0; *p++ = 4;                  /* super_class */
    memset(p, 0, 8); p += 8;             /* no interfaces/fields/methods/attrs */
    *out_len = (size_t)(p - b);
    return b;
}

#endif
