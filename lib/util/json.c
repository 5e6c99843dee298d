/*
 * json.c - JSON string writer (json.h).  Hand-written because jansson
 * refuses invalid UTF-8 outright, while a scanner must still report the
 * file whose name is not UTF-8.
 */
#include "util/json.h"

#include <stdint.h>
#include <string.h>

size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    if(c < 0x80)
        return 1;
    size_t len;
    unsigned min;
    unsigned cp;
    if((c & 0xe0) == 0xc0) { len = 2; cp = c & 0x1f; min = 0x80; }
    else if((c & 0xf0) == 0xe0) { len = 3; cp = c & 0x0f; min = 0x800; }
    else if((c & 0xf8) == 0xf0) { len = 4; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if(n < len)
        return 0;
    for(size_t i = 1; i < len; i++) {
        if((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if(cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

enum kensa_err json_strn(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    static const unsigned char plain[256] = {
        [0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    };
    enum kensa_err rc = buf_append(b, "\"", 1);
    for(size_t i = 0; i < n && !rc;) {
        unsigned char c = p[i];
        size_t run = i;   /* bytes that go in as they are */
        /* eight at a time while none needs a look: no control byte,
         * DEL, '"', '\\' or byte >= 0x80 (SWAR: a byte's top bit set in
         * `bad` flags it) */
        while(n - run >= 8) {
            uint64_t x;
            memcpy(&x, p + run, 8);
            const uint64_t ones = 0x0101010101010101ull,
                           high = 0x8080808080808080ull;
            uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
            uint64_t bad = ((x - ones * 0x20) | (q - ones) | (bs - ones) |
                            (x + ones) | x) & high;
            /* x + 1 sets a top bit from 0x7f (DEL); x itself >= 0x80 */
            if(bad)
                break;
            run += 8;
        }
        while(run < n && plain[p[run]])
            run++;
        if(run > i) {
            rc = buf_append(b, p + i, run - i);
            i = run;
        } else if(c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            rc = buf_append(b, e, 2);
            i++;
        } else if(c < 0x20 || c == 0x7f) {
            char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            if(c == '\n') rc = buf_puts(b, "\\n");
            else if(c == '\t') rc = buf_puts(b, "\\t");
            else if(c == '\r') rc = buf_puts(b, "\\r");
            else rc = buf_append(b, e, 6);
            i++;
        } else {
            size_t l = utf8_seq(p + i, n - i);
            if(l) {
                rc = buf_append(b, p + i, l);
                i += l;
            } else {
                rc = buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD */
                i++;
            }
        }
    }
    return rc ? rc : buf_append(b, "\"", 1);
}

enum kensa_err json_str(struct buf *b, const char *s)
{
    return s ? json_strn(b, s, strlen(s)) : buf_puts(b, "null");
}

enum kensa_err json_kv(struct buf *b, const char *key, const char *val)
{
    enum kensa_err rc = json_str(b, key);
    if(!rc)
        rc = buf_puts(b, ":");
    return rc ? rc : json_str(b, val);
}
