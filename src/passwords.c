/*
 * passwords.c - read candidate passwords for encrypted archives from the
 * command line and from a file (passwords.h).  The file is read whole
 * (readcap.h), before the scan starts (and before the sandbox closes),
 * with a hard cap on its size and its number of lines; passwords_parse()
 * takes the bytes apart (fuzz/fuzz_passwords.c runs both).
 */
#define _GNU_SOURCE
#include "passwords.h"
#include "readcap.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int passwords_addn(struct pwlist *pl, const char *pw, size_t n)
{
    char **nv = array_grow(pl->v, &pl->cap, pl->n, sizeof(*nv), 16);
    if(!nv)
        return -1;
    pl->v = nv;
    if(!(pl->v[pl->n] = strndup(pw, n)))
        return -1;
    pl->n++;
    return 0;
}

int passwords_add(struct pwlist *pl, const char *pw)
{
    return passwords_addn(pl, pw, strlen(pw));
}

void passwords_free(struct pwlist *pl)
{
    for(size_t i = 0; i < pl->n; i++)
        free(pl->v[i]);
    free(pl->v);
    memset(pl, 0, sizeof(*pl));
}

/* Is p[0..n) well-formed UTF-8 (no overlongs, no surrogates)? */
static bool utf8_ok(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while(i < n) {
        unsigned char b = p[i];
        size_t k;
        uint32_t cp;
        if(b < 0x80) {
            i++;
            continue;
        }
        if(b >= 0xc2 && b <= 0xdf) { k = 1; cp = b & 0x1f; }
        else if(b >= 0xe0 && b <= 0xef) { k = 2; cp = b & 0x0f; }
        else if(b >= 0xf0 && b <= 0xf4) { k = 3; cp = b & 0x07; }
        else return false;
        if(n - i <= k)
            return false;
        for(size_t j = 1; j <= k; j++) {
            if((p[i + j] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + j] & 0x3f);
        }
        if((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
           (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        i += k + 1;
    }
    return true;
}

int passwords_parse(struct pwlist *pl, const char *buf, size_t len,
                    char *why, size_t whycap)
{
    size_t line = 0, n0 = pl->n;

    if(len > PASSWORDS_MAX_BYTES) {
        snprintf(why, whycap, "larger than %u bytes", PASSWORDS_MAX_BYTES);
        return -1;
    }
    if(memchr(buf, 0, len)) {
        snprintf(why, whycap, "holds a NUL byte (one password a line, "
                 "UTF-8)");
        return -1;
    }
    for(size_t off = 0; off < len;) {
        const char *nl = memchr(buf + off, '\n', len - off);
        size_t end = nl ? (size_t)(nl - buf) : len;
        size_t k = end - off;
        if(++line > PASSWORDS_MAX_LINES) {
            snprintf(why, whycap, "more than %u lines",
                     PASSWORDS_MAX_LINES);
            goto undo;
        }
        if(k && buf[off + k - 1] == '\r')
            k--;
        if(!utf8_ok((const unsigned char *)buf + off, k)) {
            snprintf(why, whycap, "line %zu is not UTF-8", line);
            goto undo;
        }
        if(k && passwords_addn(pl, buf + off, k)) {
            snprintf(why, whycap, "out of memory");
            goto undo;
        }
        off = end + 1;
    }
    return 0;
undo:
    while(pl->n > n0)
        free(pl->v[--pl->n]);
    return -1;
}

int passwords_load(struct pwlist *pl, const char *path, char *why,
                   size_t whycap)
{
    char *buf = NULL;
    size_t len = 0;

    if(readcap(path, PASSWORDS_MAX_BYTES, &buf, &len, why, whycap))
        return -1;
    int rc = passwords_parse(pl, buf, len, why, whycap);
    free(buf);
    return rc;
}
