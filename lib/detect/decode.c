/*
 * decode.c - decoders for the layers Log4Shell payloads hide behind
 * (decode.h).  Byte-oriented, bounds-checked, output capped by the buf.
 */
#include "detect/decode.h"

#include <string.h>
#include <strings.h>

static int hexval(uint8_t c)
{
    if(c >= '0' && c <= '9') return c - '0';
    if(c >= 'a' && c <= 'f') return c - 'a' + 10;
    if(c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/*
 * Every decoder's output is no longer than its input, so each reserves
 * the input's length once and writes through a cursor (a "w" below); the
 * buf's cap still bounds it, by shortening the input.
 */
struct w {
    uint8_t *p;
};

static size_t w_begin(struct buf *out, size_t n, struct w *w)
{
    size_t room = out->max - out->len;
    if(n > room)
        n = room;
    if(buf_reserve(out, n)) {
        w->p = NULL;
        return 0;
    }
    w->p = out->p + out->len;
    return n;
}

static void w_end(struct buf *out, struct w *w)
{
    if(w->p)
        out->len = (size_t)(w->p - out->p);
}

static void w_utf8(struct w *w, unsigned cp)
{
    if(cp < 0x80) {
        *w->p++ = (uint8_t)cp;
    } else if(cp < 0x800) {
        *w->p++ = (uint8_t)(0xc0 | cp >> 6);
        *w->p++ = (uint8_t)(0x80 | (cp & 63));
    } else if(cp < 0x10000) {
        *w->p++ = (uint8_t)(0xe0 | cp >> 12);
        *w->p++ = (uint8_t)(0x80 | ((cp >> 6) & 63));
        *w->p++ = (uint8_t)(0x80 | (cp & 63));
    } else {
        *w->p++ = (uint8_t)(0xf0 | cp >> 18);
        *w->p++ = (uint8_t)(0x80 | ((cp >> 12) & 63));
        *w->p++ = (uint8_t)(0x80 | ((cp >> 6) & 63));
        *w->p++ = (uint8_t)(0x80 | (cp & 63));
    }
}

static bool hex_run(const uint8_t *s, size_t n, size_t i, size_t len,
                    unsigned *v)
{
    if(i + len > n)
        return false;
    unsigned x = 0;
    for(size_t k = 0; k < len; k++) {
        int h = hexval(s[i + k]);
        if(h < 0)
            return false;
        x = x << 4 | (unsigned)h;
    }
    *v = x;
    return true;
}

void decode_url(const uint8_t *s, size_t n, bool plus, struct buf *out)
{
    struct w w;
    n = w_begin(out, n, &w);
    if(!w.p)
        return;
    for(size_t i = 0; i < n; i++) {
        unsigned v;
        if(s[i] == '%' && hex_run(s, n, i + 1, 2, &v)) {
            *w.p++ = (uint8_t)v;
            i += 2;
        } else if(s[i] == '%' && i + 1 < n && (s[i + 1] == 'u' ||
                  s[i + 1] == 'U') && hex_run(s, n, i + 2, 4, &v)) {
            w_utf8(&w, v);
            i += 5;
        } else if(plus && s[i] == '+') {
            *w.p++ = ' ';
        } else {
            *w.p++ = s[i];
        }
    }
    w_end(out, &w);
}

void decode_cesc(const uint8_t *s, size_t n, struct buf *out)
{
    struct w w;
    n = w_begin(out, n, &w);
    if(!w.p)
        return;
    for(size_t i = 0; i < n; i++) {
        if(s[i] != '\\') {
            *w.p++ = s[i];
            continue;
        }
        size_t j = i;
        while(j < n && s[j] == '\\')
            j++;
        unsigned v;
        if(j < n && (s[j] == 'u' || s[j] == 'U')) {
            size_t k = j + 1;
            while(k < n && (s[k] == 'u' || s[k] == 'U'))
                k++;   /* Java allows \uuuu0024 */
            if(hex_run(s, n, k, 4, &v)) {
                w_utf8(&w, v);
                i = k + 3;
                continue;
            }
        } else if(j < n && (s[j] == 'x' || s[j] == 'X') &&
                  hex_run(s, n, j + 1, 2, &v)) {
            *w.p++ = (uint8_t)v;
            i = j + 2;
            continue;
        } else if(j < n && s[j] >= '0' && s[j] <= '7') {
            size_t k = j;
            v = 0;
            while(k < n && k < j + 3 && s[k] >= '0' && s[k] <= '7')
                v = v * 8 + (unsigned)(s[k++] - '0');
            if(v < 256) {
                *w.p++ = (uint8_t)v;
                i = k - 1;
                continue;
            }
        } else if(j < n && (s[j] == '$' || s[j] == '{' || s[j] == '}' ||
                            s[j] == '/' || s[j] == ':')) {
            *w.p++ = s[j];
            i = j;
            continue;
        }
        *w.p++ = s[i];
    }
    w_end(out, &w);
}

/* Named entities are case-sensitive and need their ';', except the few
 * legacy ones HTML still accepts without it (legacy = true). */
static const struct {
    const char *name;
    const char *val;
    bool legacy;
} entities[] = {
    { "dollar", "$", false }, { "lbrace", "{", false }, { "lcub", "{", false },
    { "rbrace", "}", false }, { "rcub", "}", false }, { "colon", ":", false },
    { "sol", "/", false }, { "period", ".", false }, { "amp", "&", true },
    { "quot", "\"", true }, { "apos", "'", false }, { "lt", "<", true },
    { "gt", ">", true }, { "num", "#", false }, { "hyphen", "-", false },
    { "dash", "-", false }, { "lpar", "(", false }, { "rpar", ")", false },
    { "equals", "=", false }, { "nbsp", " ", true },
};

void decode_html(const uint8_t *s, size_t n, struct buf *out)
{
    struct w w;
    n = w_begin(out, n, &w);
    if(!w.p)
        return;
    for(size_t i = 0; i < n; i++) {
        if(s[i] != '&' || i + 2 >= n) {
            *w.p++ = s[i];
            continue;
        }
        if(s[i + 1] == '#') {
            size_t k = i + 2;
            unsigned v = 0;
            bool hex = k < n && (s[k] == 'x' || s[k] == 'X');
            size_t start = hex ? ++k : k;
            while(k < n && s[k] == '0')
                k++;   /* &#0000000123; is still '{' */
            size_t sig = k;
            while(k < n && k - sig < 7) {
                int h = hexval(s[k]);
                if(h < 0 || (!hex && h > 9))
                    break;
                v = v * (hex ? 16u : 10u) + (unsigned)h;
                k++;
            }
            if(k > start && v > 0 && v < 0x110000 &&
               (size_t)(k - i) >= (v < 0x80 ? 1u : v < 0x800 ? 2u :
                                   v < 0x10000 ? 3u : 4u)) {
                w_utf8(&w, v);
                if(k < n && s[k] == ';')
                    k++;
                i = k - 1;
                continue;
            }
        } else {
            bool done = false;
            for(size_t e = 0; e < sizeof(entities) / sizeof(entities[0]); e++) {
                size_t l = strlen(entities[e].name);
                if(i + 1 + l > n ||
                   memcmp(s + i + 1, entities[e].name, l))
                    continue;
                bool semi = i + 1 + l < n && s[i + 1 + l] == ';';
                if(!semi && !entities[e].legacy)
                    continue;
                *w.p++ = (uint8_t)entities[e].val[0];
                i += l + (semi ? 1 : 0);
                done = true;
                break;
            }
            if(done)
                continue;
        }
        *w.p++ = s[i];
    }
    w_end(out, &w);
}

static int b64val(uint8_t c)
{
    if(c >= 'A' && c <= 'Z') return c - 'A';
    if(c >= 'a' && c <= 'z') return c - 'a' + 26;
    if(c >= '0' && c <= '9') return c - '0' + 52;
    if(c == '+' || c == '-') return 62;
    if(c == '/' || c == '_') return 63;
    return -1;
}

size_t decode_b64(const uint8_t *s, size_t n, struct buf *out)
{
    unsigned acc = 0, bits = 0;
    size_t i;
    for(i = 0; i < n; i++) {
        int v = b64val(s[i]);
        if(v < 0)
            break;
        acc = acc << 6 | (unsigned)v;
        bits += 6;
        if(bits >= 8) {
            bits -= 8;
            uint8_t c = (uint8_t)(acc >> bits);
            buf_append(out, &c, 1);
        }
    }
    size_t used = i;
    while(i < n && s[i] == '=')
        i++;
    return i > used ? i : used;
}

unsigned decode_layers(const uint8_t *s, size_t n, bool plus, unsigned rounds,
                       struct buf *out)
{
    struct buf a, b;
    unsigned layers = 0;
    buf_init(&a, out->max);
    buf_init(&b, out->max);
    buf_append(&a, s, n);
    for(unsigned r = 0; r < rounds; r++) {
        bool changed = false;
        b.len = 0;
        decode_url(a.p, a.len, plus, &b);
        if(b.len != a.len || memcmp(a.p, b.p, a.len)) {
            layers |= plus ? DEC_URLPLUS : DEC_URL;
            changed = true;
        }
        a.len = 0;
        decode_cesc(b.p, b.len, &a);
        if(b.len != a.len || memcmp(a.p, b.p, a.len)) {
            layers |= DEC_CESC;
            changed = true;
        }
        b.len = 0;
        decode_html(a.p, a.len, &b);
        if(b.len != a.len || memcmp(a.p, b.p, a.len)) {
            layers |= DEC_HTML;
            changed = true;
        }
        struct buf t = a;
        a = b;
        b = t;
        if(!changed)
            break;
    }
    out->len = 0;
    buf_append(out, a.p, a.len);
    buf_free(&a);
    buf_free(&b);
    return layers;
}

void decode_names(unsigned bits, char *out, size_t cap)
{
    static const char *const names[] = { "url", "url+", "cesc", "html", "b64" };
    size_t len = 0;
    out[0] = 0;
    for(unsigned i = 0; i < 5; i++) {
        if(!(bits & (1u << i)))
            continue;
        size_t l = strlen(names[i]);
        if(len + l + 2 > cap)
            break;
        if(len)
            out[len++] = ',';
        memcpy(out + len, names[i], l + 1);
        len += l;
    }
}
