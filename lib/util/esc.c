/*
 * esc.c - terminal-safe text and CSV cells (esc.h), and the public
 * kensa_fputs_safe the CLI uses for its own lines on stderr.
 *
 * One classification serves every writer: esc_span says how much can go
 * out as it is, esc_one spells the next character that cannot.  Writers
 * loop over the two, so the set of escaped characters lives only here.
 */
#include "util/esc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/json.h"

/* The code point of the valid UTF-8 sequence p[0..len). */
static unsigned utf8_cp(const unsigned char *p, size_t len)
{
    static const unsigned char lead_mask[5] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
    unsigned cp = p[0] & lead_mask[len];
    for(size_t i = 1; i < len; i++)
        cp = cp << 6 | (p[i] & 0x3f);
    return cp;
}

/* Code points a terminal acts on or that reorder what is shown. */
static bool cp_unsafe(unsigned cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e ||
           cp == 0x200f || (cp >= 0x2028 && cp <= 0x2029) ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t esc_span(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while(i < n) {
        unsigned char c = p[i];
        if(c < 0x20 || c == 0x7f)
            break;
        if(c < 0x80) {
            i++;
            continue;
        }
        size_t l = utf8_seq(p + i, n - i);
        if(!l || cp_unsafe(utf8_cp(p + i, l)))
            break;
        i += l;
    }
    return i;
}

size_t esc_one(const char *s, size_t n, char out[ESC_MAX])
{
    const unsigned char *p = (const unsigned char *)s;
    size_t l = p[0] < 0x80 ? 0 : utf8_seq(p, n);
    if(!l) {
        snprintf(out, ESC_MAX, "\\x%02x", p[0]);
        return 1;
    }
    snprintf(out, ESC_MAX, "\\u%04x", utf8_cp(p, l) & 0xffff);
    return l;
}

enum kensa_err esc_append(struct buf *b, const char *s, size_t n)
{
    enum kensa_err rc = KENSA_OK;
    size_t i = 0;
    while(i < n && !rc) {
        size_t run = esc_span(s + i, n - i);
        if(run) {
            rc = buf_append(b, s + i, run);
            i += run;
        } else {
            char e[ESC_MAX];
            i += esc_one(s + i, n - i, e);
            rc = buf_puts(b, e);
        }
    }
    return rc;
}

int kensa_fputs_safe(const char *s, FILE *out)
{
    size_t n = strlen(s), i = 0;
    while(i < n) {
        size_t run = esc_span(s + i, n - i);
        if(run) {
            if(fwrite(s + i, 1, run, out) != run)
                return EOF;
            i += run;
        } else {
            char e[ESC_MAX];
            i += esc_one(s + i, n - i, e);
            if(fputs(e, out) == EOF)
                return EOF;
        }
    }
    return 0;
}

enum kensa_err csv_cell(struct buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    enum kensa_err rc = buf_puts(b, "\"");
    if(!rc && n && strchr("=+-@\t\r", p[0]))
        rc = buf_puts(b, "'");
    size_t i = 0;
    while(i < n && !rc) {
        size_t run = i;   /* bytes that go in as they are */
        while(run < n && p[run] != '"') {
            size_t l = p[run] < 0x80 ? 1 : utf8_seq(p + run, n - run);
            if(!l)
                break;
            run += l;
        }
        if(run > i) {
            rc = buf_append(b, p + i, run - i);
            i = run;
        } else if(p[i] == '"') {
            rc = buf_puts(b, "\"\"");
            i++;
        } else {
            rc = buf_puts(b, "\xef\xbf\xbd");   /* U+FFFD */
            i++;
        }
    }
    return rc ? rc : buf_puts(b, "\"");
}

size_t utf8_cut(const char *s, size_t n, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    if(n <= max)
        return n;
    /* a sequence that crosses `max` starts at most 3 bytes before it */
    for(size_t back = 1; back <= 3 && back <= max; back++) {
        size_t j = max - back;
        if((p[j] & 0xc0) == 0x80)
            continue;
        size_t l = utf8_seq(p + j, n - j);
        return l && j + l > max ? j : max;
    }
    return max;
}

/* Wide (two-column) code points: East Asian Wide and Fullwidth blocks,
 * as wcwidth() reports them, without needing a locale. */
static bool cp_wide(uint32_t c)
{
    return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
           (c >= 0x3041 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
           (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
           (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) ||
           (c >= 0x1f300 && c <= 0x1f64f) || (c >= 0x20000 && c <= 0x3fffd);
}

size_t utf8_char(const char *s, size_t n, unsigned *cols)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = u[0] < 0x80 ? 1 : u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 :
                 u[0] >= 0xc0 ? 2 : 1;
    uint32_t c = u[0];
    *cols = 1;
    if(len == 1 || len > n)
        return 1;
    c = u[0] & (0x7f >> len);
    for(size_t i = 1; i < len; i++) {
        if((u[i] & 0xc0) != 0x80)
            return 1;
        c = c << 6 | (u[i] & 0x3f);
    }
    if(cp_wide(c))
        *cols = 2;
    return len;
}

size_t utf8_cols(const char *s, size_t n)
{
    size_t cols = 0;
    for(size_t i = 0; i < n;) {
        unsigned w;
        i += utf8_char(s + i, n - i, &w);
        cols += w;
    }
    return cols;
}
