/*
 * json.c - JSON string writer (json.h).  Hand-written because jansson
 * refuses invalid UTF-8 outright, while a scanner must still report the
 * file whose name is not UTF-8.
 */
#include "util/json.h"

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

void json_str(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if(!s) {
        buf_puts(b, "null");
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    buf_puts(b, "\"");
    for(size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if(c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            buf_append(b, e, 2);
            i++;
        } else if(c < 0x20 || c == 0x7f) {
            char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            if(c == '\n') buf_puts(b, "\\n");
            else if(c == '\t') buf_puts(b, "\\t");
            else if(c == '\r') buf_puts(b, "\\r");
            else buf_append(b, e, 6);
            i++;
        } else if(c < 0x80) {
            buf_append(b, &c, 1);
            i++;
        } else {
            size_t l = utf8_seq(p + i, n - i);
            if(l) {
                buf_append(b, p + i, l);
                i += l;
            } else {
                buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD */
                i++;
            }
        }
    }
    buf_puts(b, "\"");
}

void json_kv(struct buf *b, const char *key, const char *val)
{
    json_str(b, key);
    buf_puts(b, ":");
    json_str(b, val);
}
