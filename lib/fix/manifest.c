/*
 * manifest.c - the backup manifest's line format (manifest.h): the path
 * escaper --fix writes with and the line parser --restore reads with.
 *
 * The manifest sits in a folder only root (or the user running kensa) may
 * write, but it is still read as hostile input: the parser takes a length,
 * not a string, accepts exactly what the writer emits (nothing else is a
 * record), allocates nothing until the whole line has been checked, and
 * never more than the line's length.  fuzz/fuzz_manifest.c runs it.
 */
#include "fix/manifest.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Would the writer have sent byte c as %XX? */
static bool must_escape(unsigned char c)
{
    return c <= 0x20 || c >= 0x7f || c == '%';
}

enum kensa_err fix_manifest_escape(struct buf *b, const char *path)
{
    static const char h[] = "0123456789ABCDEF";
    for(const unsigned char *p = (const unsigned char *)path; *p; p++) {
        enum kensa_err rc;
        if(must_escape(*p)) {
            char e[3] = { '%', h[*p >> 4], h[*p & 15] };
            rc = buf_append(b, e, 3);
        }
        else
            rc = buf_append(b, p, 1);
        if(rc)
            return rc;
    }
    return KENSA_OK;
}

static int unhex(unsigned char c)
{
    if(c >= '0' && c <= '9')
        return c - '0';
    if(c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if(c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Read p[0..n) as a number in `base` (8 or 10): 1 to 11 digits and
 * nothing else, at most `max`.  No sign, no space, no empty field (which
 * strtoul would read as 0, that is root).
 */
static bool parse_num(const char *p, size_t n, unsigned base, uint64_t max,
                      unsigned *out)
{
    uint64_t v = 0;
    if(!n || n > 11)
        return false;
    for(size_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        if(d >= base)
            return false;
        v = v * base + d;
    }
    if(v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

/*
 * Decode the escaped path p[0..n) into out (room for n + 1 bytes).  false
 * for a raw byte the writer escapes, a bad or truncated escape, or %00
 * (the path is a C string).
 */
static bool unescape(const char *p, size_t n, char *out)
{
    size_t w = 0;
    for(size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if(c != '%') {
            if(must_escape(c))
                return false;
            out[w++] = (char)c;
            continue;
        }
        if(n - i < 3)
            return false;
        int hi = unhex((unsigned char)p[i + 1]);
        int lo = unhex((unsigned char)p[i + 2]);
        if(hi < 0 || lo < 0 || (!hi && !lo))
            return false;
        out[w++] = (char)(hi << 4 | lo);
        i += 2;
    }
    out[w] = 0;
    return true;
}

enum kensa_err fix_manifest_parse_line(const char *line, size_t len,
                                       struct fix_record *out)
{
    const char *f[7];
    size_t fl[7], k = 0;
    struct fix_record r;

    if(len > FIX_MANIFEST_LINE_MAX)
        return KENSA_EFORMAT;
    /* six fields, or seven with the rewritten file's digest */
    for(size_t start = 0;;) {
        const char *tab = memchr(line + start, '\t', len - start);
        size_t end = tab ? (size_t)(tab - line) : len;
        if(k == 7)
            return KENSA_EFORMAT;
        f[k] = line + start;
        fl[k++] = end - start;
        if(!tab)
            break;
        start = end + 1;
    }
    if(k < 6 || !fl[0] || fl[1] != 64 || !fl[5] || (k == 7 && fl[6] != 64))
        return KENSA_EFORMAT;
    r.new_sha[0] = 0;
    for(size_t i = 0; k == 7 && i < 64; i++) {
        char c = f[6][i];
        if(!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return KENSA_EFORMAT;
        r.new_sha[i] = c;
        r.new_sha[64] = 0;
    }
    for(size_t i = 0; i < fl[0]; i++)
        if((unsigned char)f[0][i] < 0x20 || f[0][i] == 0x7f)
            return KENSA_EFORMAT;
    for(size_t i = 0; i < 64; i++) {
        char c = f[1][i];
        if(!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return KENSA_EFORMAT;
        r.sha[i] = c;
    }
    r.sha[64] = 0;
    /* (uid_t)-1 means "leave unchanged" to fchown: never a recorded owner */
    if(!parse_num(f[2], fl[2], 10, 0xfffffffeu, &r.uid) ||
       !parse_num(f[3], fl[3], 10, 0xfffffffeu, &r.gid) ||
       !parse_num(f[4], fl[4], 8, 07777, &r.mode))
        return KENSA_EFORMAT;
    /* the decoded path is never longer than its escaped form */
    if(!(r.path = malloc(fl[5] + 1)))
        return KENSA_ENOMEM;
    if(!unescape(f[5], fl[5], r.path)) {
        free(r.path);
        return KENSA_EFORMAT;
    }
    r.name = f[0];
    r.name_len = fl[0];
    *out = r;
    return KENSA_OK;
}

bool fix_manifest_find(const char *text, size_t len, const char *name,
                       struct fix_record *rec)
{
    size_t nl = strlen(name);
    bool found = false;
    for(size_t off = 0; off < len;) {
        const char *line = text + off;
        const char *end = memchr(line, '\n', len - off);
        size_t ll = end ? (size_t)(end - line) : len - off;
        struct fix_record r;
        if(nl && ll > nl && !memcmp(line, name, nl) && line[nl] == '\t') {
            enum kensa_err rc = fix_manifest_parse_line(line, ll, &r);
            if(rc == KENSA_ENOMEM) {
                /* a later record may be the one that counts */
                free(rec->path);
                rec->path = NULL;
                return false;
            }
            if(rc == KENSA_OK) {
                free(rec->path);
                *rec = r;
                found = true;
            }
        }
        off += ll + 1;
    }
    return found;
}
