/*
 * mailpw.c - candidate archive passwords in a mail's text (mailpw.h).
 * The text is read code point by code point; full-width ASCII is folded
 * to ASCII and ASCII letters to lower case, so "ＰＷ：ａｂｃ" reads as
 * "pw:abc".  Nothing is allocated; every loop is bounded by the text.
 */
#include "formats/mailpw.h"

#include <string.h>

/* The code point at s[*i] (advancing *i), U+FFFD for a bad sequence. */
static unsigned next_cp(const unsigned char *s, size_t n, size_t *i)
{
    unsigned c = s[*i];
    size_t need;
    unsigned cp;
    if(c < 0x80) {
        (*i)++;
        return c;
    }
    if((c & 0xE0) == 0xC0) {
        need = 1;
        cp = c & 0x1F;
    } else if((c & 0xF0) == 0xE0) {
        need = 2;
        cp = c & 0x0F;
    } else if((c & 0xF8) == 0xF0) {
        need = 3;
        cp = c & 0x07;
    } else {
        (*i)++;
        return 0xFFFD;
    }
    if(n - *i <= need) {
        (*i)++;
        return 0xFFFD;
    }
    for(size_t k = 1; k <= need; k++) {
        if((s[*i + k] & 0xC0) != 0x80) {
            (*i)++;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3F);
    }
    *i += need + 1;
    return cp;
}

/* Full-width ASCII to ASCII, ASCII letters to lower case. */
static unsigned fold(unsigned cp)
{
    if(cp >= 0xFF01 && cp <= 0xFF5E)
        cp -= 0xFEE0;
    if(cp == 0x3000)
        cp = ' ';
    if(cp >= 'A' && cp <= 'Z')
        cp += 32;
    return cp;
}

static bool is_alnum(unsigned cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
}

static bool is_space(unsigned cp)
{
    return cp == ' ' || cp == '\t' || cp == 0xA0;
}

/* CJK and kana: the filler between a keyword and its separator
 * ("暗証番号", "解凍パスワード"). */
static bool is_cjk(unsigned cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x4E00 && cp <= 0x9FFF);
}

static const struct {
    const char *kw;
    bool ascii;     /* needs word boundaries, and no は */
} KEYWORDS[] = {
    { "パスワード", false }, { "解凍", false }, { "暗証", false },
    { "passphrase", true }, { "password", true }, { "passcode", true },
    { "passwd", true }, { "pass", true }, { "pwd", true }, { "pw", true },
};

/* Whether keyword kw starts at t[i]; *end is after it. */
static bool match_kw(const unsigned char *t, size_t n, size_t i,
                     const char *kw, size_t *end)
{
    const unsigned char *k = (const unsigned char *)kw;
    size_t kn = strlen(kw), ki = 0;
    while(ki < kn) {
        if(i >= n)
            return false;
        unsigned a = fold(next_cp(t, n, &i));
        unsigned b = next_cp(k, kn, &ki);
        if(a != b)
            return false;
    }
    *end = i;
    return true;
}

bool mailpw_add(struct mailpw *pw, const char *s, size_t n)
{
    if(!n || n > MAILPW_LEN || pw->n >= MAILPW_MAX)
        return false;
    for(size_t i = 0; i < pw->n; i++)
        if(strlen(pw->v[i]) == n && !memcmp(pw->v[i], s, n))
            return false;
    memcpy(pw->v[pw->n], s, n);
    pw->v[pw->n][n] = '\0';
    pw->n++;
    return true;
}

/* Closing quote for an opening one, 0 when cp opens none. */
static unsigned closer(unsigned cp)
{
    switch(cp) {
    case 0x300C: return 0x300D;   /* 「」 */
    case 0x300E: return 0x300F;   /* 『』 */
    case 0x3010: return 0x3011;   /* 【】 */
    case 0x201C: return 0x201D;   /* “” */
    case '"': return '"';
    case '\'': return '\'';
    default: return 0;
    }
}

/* Read the password after a keyword ending at t[i]; add it. */
static size_t after_keyword(struct mailpw *pw, const unsigned char *t,
                            size_t n, size_t i, bool ascii)
{
    size_t j = i, filler = 0, seps = 0, newlines = 0;
    unsigned cp = 0;

    /* CJK filler after a Japanese keyword ("番号", "パスワード") */
    while(!ascii && j < n && filler < 6) {
        size_t k = j;
        cp = next_cp(t, n, &k);
        if(!is_cjk(cp) || cp == 0x306F /* は */)
            break;
        j = k;
        filler++;
    }
    /* separators and spaces: ":", "=", "は", "is", "】", "]", ")" */
    for(int steps = 0; j < n && steps < 8; steps++) {
        size_t k = j;
        cp = fold(next_cp(t, n, &k));
        if(is_space(cp) || ((cp == '\n' || cp == '\r') && newlines++ < 2)) {
            j = k;
            continue;
        }
        if(cp == ':' || cp == '=' || cp == 0x3011 || cp == ']' ||
           cp == ')' || cp == 0xFF09 || (!ascii && cp == 0x306F)) {
            seps++;
            j = k;
            continue;
        }
        if(ascii && cp == 'i' && k < n && fold(t[k]) == 's' && k + 1 < n &&
           !is_alnum(fold(t[k + 1]))) {
            seps++;
            j = k + 1;
            continue;
        }
        break;
    }
    if(j >= n)
        return 0;
    size_t k = j;
    cp = next_cp(t, n, &k);
    unsigned close = closer(cp);
    if(close)
        j = k;
    else if(!seps)
        return 0;   /* "pass the file": no separator, no quote */

    char tok[MAILPW_LEN + 1];
    size_t tn = 0;
    while(j < n) {
        k = j;
        unsigned raw = next_cp(t, n, &k);
        if(close && raw == close)
            break;
        cp = raw >= 0xFF01 && raw <= 0xFF5E ? raw - 0xFEE0 : raw;
        if(cp < 0x21 || cp > 0x7E || cp == '<' || (close && cp == close))
            break;
        if(tn == MAILPW_LEN)
            return 0;   /* too long for a password someone types */
        tok[tn++] = (char)cp;
        j = k;
    }
    size_t added = mailpw_add(pw, tok, tn);
    if(!close) {
        /* "PW: abc123." - the sentence's full stop is likely not part */
        size_t tr = tn;
        while(tr > 0 && strchr(".,;)", tok[tr - 1]))
            tr--;
        if(tr != tn)
            added += mailpw_add(pw, tok, tr);
    }
    return added;
}

size_t mailpw_scan(struct mailpw *pw, const char *text, size_t len)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t added = 0, i = 0;
    unsigned prev = ' ';
    while(i < len && pw->n < MAILPW_MAX) {
        size_t at = i;
        unsigned cp = fold(next_cp(t, len, &i));
        for(size_t k = 0; k < sizeof(KEYWORDS) / sizeof(KEYWORDS[0]); k++) {
            size_t end;
            if(KEYWORDS[k].ascii && is_alnum(prev))
                continue;
            if(!match_kw(t, len, at, KEYWORDS[k].kw, &end))
                continue;
            if(KEYWORDS[k].ascii && end < len) {
                size_t e2 = end;
                if(is_alnum(fold(next_cp(t, len, &e2))))
                    continue;   /* "passage", "pwn" */
            }
            added += after_keyword(pw, t, len, end, KEYWORDS[k].ascii);
            break;
        }
        prev = cp;
    }
    return added;
}
