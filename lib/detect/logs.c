/*
 * logs.c - the Log4Shell log detector: finds exploitation attempts in
 * logs, plain or compressed, however the ${jndi:...} string is hidden.
 *
 * Speed comes from a prefilter: a vector scan for the few bytes every
 * payload needs somewhere ('$', or the start of an encoding of it: '%',
 * '\\', '&'; 'B' of "Basic " for Base64 carriers; 'J' of JNDI stack traces
 * and Java user agents), then a check of the bytes after each hit.  Only a
 * line that passes is analysed, and analysis does not match patterns: it
 * evaluates the line as Log4j 2.14.1 would (lookup.c), first as written,
 * then after undoing URL, escape and HTML layers (decode.c), then inside
 * Base64 carriers.  A JNDI lookup with a real protocol is an "attack";
 * what Log4j would not evaluate (escaped "$${", unclosed braces, odd-case
 * or missing schemes, stack frames) is at most "suspicious".
 *
 * A line that is a whole JSON record is analysed string by string, each
 * JSON-unescaped, so the record's own quotes and braces never close a
 * payload; an unclosed "${" is joined only with the lines that continue
 * its record (indented, or starting with a closing bracket), never with
 * the next record.
 *
 * Files on disk are scanned in place (mapped); compressed logs arrive as
 * streams and are cut into lines with a capped carry-over buffer.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/engine.h"
#include "core/finding.h"
#include "detect/decode.h"
#include "detect/logmeta.h"
#include "detect/lookup.h"
#include "detect/own_report.h"

#define LINE_CAP (16u << 20)   /* a streamed line longer than this is cut */
#define WINDOW (64u << 10)     /* text evaluated from one "${" */
#define LONG_LINE (16u << 10)  /* longer lines are analysed in windows */
#define LONG_BACK (2u << 10)   /* of this much before a trigger ... */
#define SNIPPET 400
#define JOIN_LINES 8           /* a record may continue on this many lines */
#define MAX_NAMES 8
#define TIME_CHECK (4u << 20)  /* bytes read between clock checks */
#define ANALYSIS_COST 64u      /* an analysed line: bytes read it counts as */

struct cb {
    char scheme[32], host[256], port[16], path[512], domain[256];
};

struct hit {
    enum kensa_verdict verdict;
    enum kmsg why;             /* the finding's message: KMSG_LOGS_* */
    char why_arg[48];          /* its argument, when not the callback */
    char lookup[1024];
    unsigned decoding;
    struct cb cb;
    bool exfil;
    char command[512];
};

struct lstate {
    struct kobj *obj;
    struct logmeta meta;       /* the reported line's request (scratch) */
    uint64_t line_base;        /* number of lines before the region */
    const uint8_t *cnt_p;      /* newlines counted up to here */
    uint64_t cnt_line;
    struct buf carry;          /* streaming: unfinished last line */
    struct l4s_result ev;
    struct buf dec, tmp;
    struct buf json;           /* one JSON string, unescaped */
    char *names[MAX_NAMES];    /* JNDI names found in the current line */
    size_t n_names;
    bool unbalanced, aborted;
    uint64_t unchecked;        /* bytes read since the last clock check */
    bool stopped;              /* a limit ended the scan of this object */
};

/* ---- prefilter ---------------------------------------------------------- */

static uint8_t trig[256];

static void trig_init(void)
{
    static const char t[] = "$%\\&JB";
    for(const char *p = t; *p; p++)
        trig[(uint8_t)*p] = 1;
}

static size_t next_trigger(const uint8_t *p, size_t i, size_t n)
{
#ifdef __SSE2__
    const __m128i c0 = _mm_set1_epi8('$'), c1 = _mm_set1_epi8('%'),
                  c2 = _mm_set1_epi8('\\'), c3 = _mm_set1_epi8('&'),
                  c4 = _mm_set1_epi8('J'), c5 = _mm_set1_epi8('B');
#define TRIG16(v) _mm_or_si128( \
            _mm_or_si128(_mm_cmpeq_epi8(v, c0), _mm_cmpeq_epi8(v, c1)), \
            _mm_or_si128( \
                _mm_or_si128(_mm_cmpeq_epi8(v, c2), _mm_cmpeq_epi8(v, c3)), \
                _mm_or_si128(_mm_cmpeq_epi8(v, c4), _mm_cmpeq_epi8(v, c5))))
    /* 64 bytes at a time while nothing matches, then narrow down */
    while(i + 64 <= n) {
        const __m128i *q = (const __m128i *)(const void *)(p + i);
        __m128i a = TRIG16(_mm_loadu_si128(q));
        __m128i b = TRIG16(_mm_loadu_si128(q + 1));
        __m128i c = TRIG16(_mm_loadu_si128(q + 2));
        __m128i d = TRIG16(_mm_loadu_si128(q + 3));
        if(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b),
                                          _mm_or_si128(c, d))))
            break;
        i += 64;
    }
#undef TRIG16
    while(i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i m = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, c0), _mm_cmpeq_epi8(v, c1)),
            _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, c2), _mm_cmpeq_epi8(v, c3)),
                _mm_or_si128(_mm_cmpeq_epi8(v, c4), _mm_cmpeq_epi8(v, c5))));
        int mask = _mm_movemask_epi8(m);
        if(mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
        i += 16;
    }
#endif
    while(i < n && !trig[p[i]])
        i++;
    return i;
}

static size_t count_nl(const uint8_t *p, size_t n)
{
    size_t c = 0, i = 0;
#ifdef __SSE2__
    /* byte lanes count down by one per newline (cmpeq gives -1), summed
     * every 255 blocks before they can wrap */
    const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    while(i + 16 <= n) {
        __m128i acc = zero;
        size_t blocks = (n - i) / 16;
        if(blocks > 255)
            blocks = 255;
        for(size_t b = 0; b < blocks; b++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
        }
        __m128i s = _mm_sad_epu8(acc, zero);
        c += (size_t)_mm_cvtsi128_si32(s) +
             (size_t)_mm_cvtsi128_si32(_mm_srli_si128(s, 8));
    }
#endif
    for(; i < n; i++)
        c += p[i] == '\n';
    return c;
}

static bool ieq(const uint8_t *p, size_t avail, const char *s)
{
    size_t l = strlen(s);
    return avail >= l && !strncasecmp((const char *)p, s, l);
}

/*
 * Is the trigger at p[i] worth analysing its line?  Every payload needs a
 * '$' in the end: either as such, or encoded.  So '%', '\\' and '&' only
 * count when they start an encoding of '$' (or of the '%', '\\' or '&'
 * that a further layer turns into one): %24 %25 %5C %26, \u0024 \x24
 * \044, &#36; &#x24; &dollar;.
 */
static bool hexpair(const uint8_t *q, size_t a, char hi, const char *lows)
{
    return a >= 2 && q[0] == hi && strchr(lows, q[1]) != NULL;
}

static bool candidate(const uint8_t *p, size_t i, size_t n)
{
    size_t a = n - i - 1;   /* bytes after the trigger */
    const uint8_t *q = p + i + 1;
    switch(p[i]) {
    case '$':
        return true;
    case '%':
        if(hexpair(q, a, '2', "4"))                    /* %24: '$' */
            return true;
        if(hexpair(q, a, '2', "5"))                    /* %25: a '%' */
            return a >= 4 && (hexpair(q + 2, a - 2, '2', "456") ||
                              hexpair(q + 2, a - 2, '5', "cC5") ||
                              hexpair(q + 2, a - 2, '7', "5"));
        if(hexpair(q, a, '2', "6"))                    /* %26: a '&' */
            return a >= 5 && (q[2] == '#' || !memcmp(q + 2, "%23", 3) ||
                              !memcmp(q + 2, "dol", 3));
        if(hexpair(q, a, '5', "cC"))                   /* %5C: a '\\' */
            return a >= 3 && strchr("uUxX01234567%", q[2]);
        return a >= 5 && (q[0] | 32) == 'u' && !memcmp(q + 1, "002", 3);
    case '\\': {
        size_t k = 0;
        while(k < a && q[k] == '\\')
            k++;
        if(k < a && (q[k] | 32) == 'u') {
            while(k < a && (q[k] | 32) == 'u')
                k++;
            return a - k >= 4 && !memcmp(q + k, "002", 3);
        }
        if(k < a && (q[k] | 32) == 'x')
            return a - k >= 3 && q[k + 1] == '2';
        return k < a && q[k] >= '0' && q[k] <= '7' && a - k >= 2 &&
               (q[k] == '4' || q[k + 1] == '4');
    }
    case '&':
        return a >= 3 && (q[0] == '#' || !memcmp(q, "dol", 3) ||
                          !memcmp(q, "Dol", 3));
    case 'J':
        return ieq(q, a, "ndi") || ieq(q, a, "ava/1.");
    case 'B':
        return ieq(q, a, "asic ");
    }
    return false;
}

/* ---- JNDI names and callbacks ------------------------------------------- */

static void copy(char *dst, size_t cap, const char *s, size_t n)
{
    if(n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

/*
 * copy(), undoing %XX: a callback host taken from a query string is
 * reported as the application decoded it (127.0.0.1#evil.example, not
 * 127.0.0.1%23evil.example).  A %XX that would give a control byte is
 * kept as written.
 */
static int hexdig(char c)
{
    if(c >= '0' && c <= '9') return c - '0';
    c = (char)(c | 32);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void pct_copy(char *dst, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    for(size_t i = 0; i < n && o + 1 < cap; i++) {
        int h1, h2;
        if(s[i] == '%' && i + 2 < n && (h1 = hexdig(s[i + 1])) >= 0 &&
           (h2 = hexdig(s[i + 2])) >= 0 && (h1 << 4 | h2) >= 0x20 &&
           (h1 << 4 | h2) != 0x7f) {
            dst[o++] = (char)(h1 << 4 | h2);
            i += 2;
        } else {
            dst[o++] = s[i];
        }
    }
    dst[o] = 0;
}

static bool printable(const uint8_t *s, size_t n)
{
    if(!n)
        return false;
    for(size_t i = 0; i < n; i++) {
        if((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n') || s[i] == 0x7f)
            return false;
    }
    return true;
}

/* JNDIExploit-style commands: /Basic/Command/Base64/<b64> or
 * /Basic/Command/<b64 or text>. */
static void exploit_command(const char *path, char *out, size_t cap)
{
    const char *c = strstr(path, "/Command/");
    out[0] = 0;
    if(!c)
        return;
    c += 9;
    if(!strncasecmp(c, "Base64/", 7))
        c += 7;
    size_t n = strcspn(c, "/}?# ");
    struct buf b;
    buf_init(&b, 4096);
    /* the kits also accept URL-safe Base64 and %-encoded padding */
    struct buf u;
    buf_init(&u, 4096);
    decode_url((const uint8_t *)c, n, false, &u);
    decode_b64(u.p ? u.p : (const uint8_t *)"", u.len, &b);
    if(b.len && printable(b.p, b.len))
        copy(out, cap, (const char *)b.p, b.len);
    else if(n)
        snprintf(out, cap, "(undecodable: %.*s)", (int)(n > 64 ? 64 : n), c);
    buf_free(&u);
    buf_free(&b);
}

static bool is_ipv4(const char *h)
{
    int dots = 0, digits = 0;
    for(; *h; h++) {
        if(*h == '.') { dots++; digits = 0; }
        else if(*h >= '0' && *h <= '9') { if(++digits > 3) return false; }
        else return false;
    }
    return dots == 3;
}

/* Registrable domain of a host: the part after any lookup, last two
 * labels (three under a second-level public suffix such as co.jp). */
static void registrable(const char *host, char *out, size_t cap)
{
    const char *h = strrchr(host, '}');
    h = h ? h + 1 : host;
    while(*h == '.' || *h == '-')
        h++;
    char tmp[256];
    copy(tmp, sizeof(tmp), h, strcspn(h, "#"));
    if(!tmp[0] || is_ipv4(tmp)) {
        copy(out, cap, tmp, strlen(tmp));
        return;
    }
    size_t len = strlen(tmp);
    int labels = 0;
    size_t cut = 0;
    for(size_t i = len; i-- > 0;) {
        if(tmp[i] == '.') {
            labels++;
            const char *lab = tmp + i + 1;
            if(labels == 2) {
                size_t l2 = strcspn(lab, ".");
                const char *tld = lab + l2 + 1;
                static const char *const sl[] = { "co", "com", "net", "org",
                    "ac", "go", "ne", "or", "gov", "edu", "ad", "gr", "lg" };
                bool second = false;
                for(size_t k = 0; k < sizeof(sl) / sizeof(sl[0]); k++) {
                    if(strlen(sl[k]) == l2 && !strncmp(lab, sl[k], l2) &&
                       strlen(tld) == 2)
                        second = true;
                }
                if(!second) {
                    cut = i + 1;
                    break;
                }
            } else if(labels == 3) {
                cut = i + 1;
                break;
            }
        }
    }
    copy(out, cap, tmp + cut, len - cut);
}

/*
 * Empty every string of a callback or a hit.  Only the strings' first
 * bytes: each field is written whole (copy() ends it) or left empty, and
 * a hit is cleared for every finding, so its 3.6 KB are not zeroed.
 */
static void cb_clear(struct cb *cb)
{
    cb->scheme[0] = cb->host[0] = cb->port[0] = cb->path[0] = 0;
    cb->domain[0] = 0;
}

static void hit_clear(struct hit *h)
{
    h->verdict = KENSA_VERDICT_NONE;
    h->why = KMSG_COUNT;
    h->why_arg[0] = h->lookup[0] = h->command[0] = 0;
    h->decoding = 0;
    cb_clear(&h->cb);
    h->exfil = false;
}

static const struct {
    char s[10];
    size_t n;
} schemes[] = {
    { "ldap", 4 }, { "ldaps", 5 }, { "rmi", 3 }, { "dns", 3 }, { "iiop", 4 },
    { "iiopname", 8 }, { "corba", 5 }, { "corbaname", 9 }, { "corbaloc", 8 },
    { "nds", 3 }, { "nis", 3 }, { "http", 4 }, { "https", 5 },
};
#define SCHEME_MAX 9

/*
 * The URL scheme of a JNDI name: its length in *out_len (0: none, that is
 * no letters-then-':' start), and whether it is one of schemes[] exactly
 * (*out_known) or only when case is ignored (*out_known_ci).
 */
static void scheme_of(const char *name, size_t *out_len, bool *out_known,
                      bool *out_known_ci)
{
    size_t sl = 0;
    while(name[sl] && (((name[sl] | 32) >= 'a' && (name[sl] | 32) <= 'z') ||
                       (sl && ((name[sl] >= '0' && name[sl] <= '9') ||
                               name[sl] == '+' || name[sl] == '-' ||
                               name[sl] == '.'))))
        sl++;
    *out_known = *out_known_ci = false;
    if(!sl || name[sl] != ':') {
        *out_len = 0;
        return;
    }
    *out_len = sl;
    if(sl > SCHEME_MAX)
        return;
    char low[SCHEME_MAX];
    for(size_t i = 0; i < sl; i++)
        low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 :
                        name[i]);
    for(size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        if(schemes[i].n != sl || memcmp(low, schemes[i].s, sl))
            continue;
        /* no two schemes differ by case only: this one decides */
        if(!memcmp(name, schemes[i].s, sl))
            *out_known = true;
        else
            *out_known_ci = true;
        return;
    }
}

/* The verdict classify() gives `name`, without the work of a callback. */
static enum kensa_verdict verdict_of(const char *name)
{
    size_t sl;
    bool known, known_ci;
    scheme_of(name, &sl, &known, &known_ci);
    return sl && known ? KENSA_VERDICT_ATTACK : KENSA_VERDICT_SUSPICIOUS;
}

/* Classify one JNDI name; fill the callback. */
static enum kensa_verdict classify(const char *name, struct hit *h)
{
    size_t sl, nl = strlen(name);
    bool known, known_ci;
    scheme_of(name, &sl, &known, &known_ci);
    cb_clear(&h->cb);
    /* "jndi:" + name, cut to the field */
    memcpy(h->lookup, "jndi:", 5);
    copy(h->lookup + 5, sizeof(h->lookup) - 5, name, nl);
    if(!sl) {
        h->why = KMSG_LOGS_NO_SCHEME;
        snprintf(h->why_arg, sizeof(h->why_arg), "%.40s", name);
        return KENSA_VERDICT_SUSPICIOUS;
    }
    copy(h->cb.scheme, sizeof(h->cb.scheme), name, sl);
    const char *r = name + sl + 1;
    while(*r == '/')
        r++;
    /* authority: up to '/', ignoring what is inside ${...} */
    size_t i = 0, lastcolon = (size_t)-1;
    int depth = 0;
    for(; r[i]; i++) {
        if(r[i] == '$' && r[i + 1] == '{') { depth++; i++; continue; }
        if(r[i] == '}' && depth) { depth--; continue; }
        if(depth)
            continue;
        if(r[i] == '/' || r[i] == '?')
            break;
        if(r[i] == ':')
            lastcolon = i;
    }
    size_t hostlen = i;
    if(lastcolon != (size_t)-1 && lastcolon + 1 < i &&
       strspn(r + lastcolon + 1, "0123456789") == i - lastcolon - 1) {
        copy(h->cb.port, sizeof(h->cb.port), r + lastcolon + 1,
             i - lastcolon - 1);
        hostlen = lastcolon;
    }
    pct_copy(h->cb.host, sizeof(h->cb.host), r, hostlen);
    copy(h->cb.path, sizeof(h->cb.path), r + i, strlen(r + i));
    registrable(h->cb.host, h->cb.domain, sizeof(h->cb.domain));
    h->exfil = strstr(h->cb.host, "${") != NULL;
    exploit_command(h->cb.path, h->command, sizeof(h->command));
    if(known) {
        h->why = KMSG_LOGS_LOOKUP;
        return KENSA_VERDICT_ATTACK;
    }
    h->why = known_ci ? KMSG_LOGS_MIXED_CASE : KMSG_LOGS_OTHER_SCHEME;
    return KENSA_VERDICT_SUSPICIOUS;
}

/* ---- evaluation of one line --------------------------------------------- */

/*
 * memmem for the short lines and needles of this file: memchr for the
 * needle's first byte, then a compare.  glibc's memmem sets up a search
 * on every call, which cost more than the search on lines of 100 bytes
 * where every line holds "${" (payload lists: 16% of the CPU time).
 */
static const uint8_t *find(const uint8_t *s, size_t n, const char *needle,
                           size_t k)
{
    if(!k)
        return s;
    while(n >= k) {
        const uint8_t *p = memchr(s, needle[0], n - k + 1);
        if(!p)
            return NULL;
        if(!memcmp(p + 1, needle + 1, k - 1))
            return p;
        n -= (size_t)(p - s) + 1;
        s = p + 1;
    }
    return NULL;
}

static void names_clear(struct lstate *st)
{
    for(size_t i = 0; i < st->n_names; i++)
        free(st->names[i]);
    st->n_names = 0;
    st->unbalanced = st->aborted = false;
}

/* Evaluate every "${" window of s; collect JNDI names. */
static void eval_text(struct lstate *st, const uint8_t *s, size_t n)
{
    size_t off = 0;
    while(off < n) {
        const uint8_t *d = find(s + off, n - off, "${", 2);
        if(!d)
            break;
        size_t start = (size_t)(d - s);
        /* keep one '$' before it: "$${" is an escape */
        if(start > 0 && s[start - 1] == '$')
            start--;
        size_t len = n - start > WINDOW ? WINDOW : n - start;
        l4s_lookups(s + start, len, &st->ev);
        for(size_t i = 0; i < st->ev.n_jndi; i++) {
            if(st->n_names < MAX_NAMES)
                st->names[st->n_names++] = st->ev.jndi[i];
            else
                free(st->ev.jndi[i]);   /* past the ones we report */
            st->ev.jndi[i] = NULL;
        }
        st->ev.n_jndi = 0;
        st->unbalanced |= st->ev.unbalanced;
        st->aborted |= st->ev.aborted;
        off = start + len;
    }
}

static bool has(const uint8_t *s, size_t n, const char *needle)
{
    return find(s, n, needle, strlen(needle)) != NULL;
}

/* Is "${" + word (lower case letters) in s, the word in any case? */
static bool has_var_ci(const uint8_t *s, size_t n, const char *word)
{
    size_t l = strlen(word);
    const uint8_t *d = s, *end = s + n;
    while((d = find(d, (size_t)(end - d), "${", 2))) {
        if((size_t)(end - d) - 2 < l)
            return false;
        size_t k = 0;
        while(k < l && (d[2 + k] | 32) == word[k])
            k++;
        if(k == l)
            return true;
        d += 2;
    }
    return false;
}

/* ---- reporting ----------------------------------------------------------- */

/* The callback as a URL: "ldap://x.evil.example:1389/a". */
static void callback_url(const struct cb *cb, char *out, size_t cap)
{
    out[0] = 0;
    if(!cb->scheme[0] || !cb->host[0])
        return;
    snprintf(out, cap, "%s://%s%s%s%s", cb->scheme, cb->host,
             cb->port[0] ? ":" : "", cb->port, cb->path);
}

static void report(struct lstate *st, const uint8_t *line, size_t len,
                   uint64_t lineno, struct hit *h)
{
    char snip[SNIPPET + 8], dec[32], cburl[sizeof(h->cb.scheme) +
                                          sizeof(h->cb.host) + 20 +
                                          sizeof(h->cb.path)];
    struct logmeta *m = &st->meta;
    struct kfind k;
    bool attack = h->verdict == KENSA_VERDICT_ATTACK;
    kfind_init(&k, "logs", KENSA_THREAT_LOG4SHELL, h->verdict,
               attack ? KENSA_SEV_HIGH : KENSA_SEV_LOW);
    k.f.line = lineno;
    logmeta_parse(line, len, m);
    /* the snippet starts a little before the first sign of the payload */
    size_t from = 0;
    if(len > SNIPPET) {
        const uint8_t *d = find(line, len, "${", 2);
        size_t at = d ? (size_t)(d - line) : next_trigger(line, 0, len);
        from = at > 80 ? at - 80 : 0;
        if(from + SNIPPET > len)
            from = len - SNIPPET;
    }
    size_t sl = len - from > SNIPPET ? SNIPPET : len - from;
    memcpy(snip, line + from, sl);
    snip[sl] = 0;
    for(size_t i = 0; i < sl; i++) {
        if(!snip[i])
            snip[i] = ' ';
    }
    decode_names(h->decoding, dec, sizeof(dec));
    if(h->why == KMSG_LOGS_LOOKUP)
        kfind_msg(&k, h->why, h->cb.scheme, h->cb.host);
    else
        kfind_msg(&k, h->why, h->why_arg[0] ? h->why_arg : NULL);
    if(dec[0])
        kfind_ev(&k, KMSG_LOGS_EV_DECODED, dec);
    if(attack && h->exfil)
        kfind_ev(&k, KMSG_LOGS_EV_EXFIL);
    if(attack && h->command[0])
        kfind_ev(&k, KMSG_LOGS_EV_COMMAND);
    /* the event's own time (UTC); the report puts the scan's time in
     * event.created */
    kfind_str(&k, "@timestamp", m->utc, 0);
    kfind_str(&k, "event.category", "intrusion_detection", KENSA_ATTR_LIST);
    kfind_str(&k, "kensa.lookup", h->lookup, KENSA_ATTR_SHOW);
    kfind_str(&k, "source.ip", m->ip, KENSA_ATTR_SHOW);
    kfind_str(&k, "kensa.log_time", m->time, KENSA_ATTR_SHOW | KENSA_ATTR_TIME);
    kfind_str(&k, "kensa.command", h->command, KENSA_ATTR_OWN_LINE);
    kfind_str(&k, "event.original", snip, KENSA_ATTR_OWN_LINE);
    kfind_str(&k, "kensa.decoding", dec, 0);
    /* the request, when the line is an access log's */
    kfind_str(&k, "http.request.method", m->method, 0);
    kfind_str(&k, "url.original", m->url, 0);
    if(m->status)
        kfind_num(&k, "http.response.status_code", m->status, 0);
    kfind_str(&k, "user_agent.original", m->agent, 0);
    /* what it exploits, in ATT&CK's and CVE's terms, so attacks join
     * the vulnerable copies (vulnerability.id) */
    kfind_str(&k, "vulnerability.id", "CVE-2021-44228", KENSA_ATTR_LIST);
    kfind_str(&k, "threat.framework", "MITRE ATT&CK", 0);
    kfind_str(&k, "threat.tactic.id", "TA0001", KENSA_ATTR_LIST);
    kfind_str(&k, "threat.tactic.name", "Initial Access", KENSA_ATTR_LIST);
    kfind_str(&k, "threat.technique.id", "T1190", KENSA_ATTR_LIST);
    kfind_str(&k, "threat.technique.name",
              "Exploit Public-Facing Application", KENSA_ATTR_LIST);
    /* the callback: where the server would connect (destination.*), as
     * an indicator (threat.indicator.url.*, ECS's URL parts) */
    callback_url(&h->cb, cburl, sizeof(cburl));
    if(cburl[0])
        kfind_str(&k, "threat.indicator.type", "url", 0);
    kfind_str(&k, "threat.indicator.url.original", cburl, 0);
    kfind_str(&k, "threat.indicator.url.scheme", h->cb.scheme, 0);
    kfind_str(&k, "threat.indicator.url.domain", h->cb.host, 0);
    long port = h->cb.port[0] ? strtol(h->cb.port, NULL, 10) : 0;
    if(port > 0 && port < 65536)
        kfind_num(&k, "threat.indicator.url.port", port, 0);
    kfind_str(&k, "threat.indicator.url.path", h->cb.path, 0);
    kfind_str(&k, "threat.indicator.url.registered_domain", h->cb.domain, 0);
    /* destination.ip when the host is an address (the report moves
     * anything else to destination.address); a name is a domain */
    if(h->cb.host[0] && strspn(h->cb.host, "0123456789.:abcdefABCDEF") ==
                        strlen(h->cb.host) && strpbrk(h->cb.host, ".:"))
        kfind_str(&k, "destination.ip", h->cb.host, 0);
    else
        kfind_str(&k, "destination.domain", h->cb.host, 0);
    if(port > 0 && port < 65536)
        kfind_num(&k, "destination.port", port, 0);
    /* the addresses and names to pivot on (the report files a name
     * given as related.ip under related.hosts) */
    kfind_str(&k, "related.ip", m->ip, KENSA_ATTR_LIST);
    kfind_str(&k, "related.ip", h->cb.host, KENSA_ATTR_LIST);
    kfind_bool(&k, "kensa.exfil", h->exfil, 0);
    ctx_report(st->obj, &k.f);
}

/*
 * Report each JNDI name found that is an attack; if none is and
 * !attacks_only, the first one (suspicious) instead.  True if any was an
 * attack.  A name's verdict comes from its scheme alone, so the callback
 * is worked out only for the names reported.
 */
static bool report_names(struct lstate *st, const uint8_t *line, size_t len,
                         uint64_t lineno, unsigned decoding, bool attacks_only)
{
    bool attack = false;
    struct hit h;
    for(size_t i = 0; i < st->n_names; i++) {
        if(verdict_of(st->names[i]) != KENSA_VERDICT_ATTACK)
            continue;
        hit_clear(&h);
        h.verdict = classify(st->names[i], &h);
        h.decoding = decoding;
        report(st, line, len, lineno, &h);
        attack = true;
    }
    if(!attack && !attacks_only && st->n_names) {
        hit_clear(&h);
        h.verdict = classify(st->names[0], &h);
        h.decoding = decoding;
        report(st, line, len, lineno, &h);
    }
    return attack;
}

static void report_simple(struct lstate *st, const uint8_t *line, size_t len,
                          uint64_t lineno, enum kensa_verdict v,
                          enum kmsg why, const char *lookup)
{
    struct hit h;
    hit_clear(&h);
    if(lookup)
        classify(lookup, &h);
    h.verdict = v;
    h.why = why;
    h.why_arg[0] = 0;
    report(st, line, len, lineno, &h);
}

/*
 * Can line s[0..n) continue the record above it?  A record starts at the
 * left margin (a time, an address, a level, '{' or '['); what continues
 * one is indented (pretty-printed JSON, stack frames) or starts with a
 * closing bracket, a quote or a comma.  An unclosed "${jndi:" is never
 * joined with the next record: its text would close the payload.
 */
static bool continues(const uint8_t *s, size_t n)
{
    return n && (s[0] == ' ' || s[0] == '\t' || s[0] == '}' ||
                 s[0] == ']' || s[0] == ')' || s[0] == '"' || s[0] == ',');
}

/*
 * Analyse the text `line` (a log line, or one string of a JSON record)
 * and report what it holds against the log line rline[0..rlen) (its
 * source address, time and snippet).  `after` is the text that follows
 * the line, for records that go on over the next lines (NULL: none).
 * With attacks_only, near misses are not reported.  True if anything
 * was.
 */
static bool analyze_text(struct lstate *st, const uint8_t *line, size_t len,
                         const uint8_t *rline, size_t rlen, uint64_t lineno,
                         const uint8_t *after, size_t after_len,
                         bool attacks_only)
{
    bool raw_dollar = has(line, len, "${");
    bool suspicious_pending = false;
    enum kmsg why = KMSG_COUNT;

    names_clear(st);
    /* 1. as written */
    if(raw_dollar) {
        eval_text(st, line, len);
        if(report_names(st, rline, rlen, lineno, 0, true))
            return true;
        if(st->n_names)
            suspicious_pending = true;
    }
    /* 2. after decoding layers */
    bool enc = memchr(line, '%', len) || memchr(line, '\\', len) ||
               memchr(line, '&', len);
    for(int plus = 0; enc && plus < 2; plus++) {
        if(plus && !memchr(line, '+', len))
            break;
        st->dec.len = 0;
        unsigned layers = decode_layers(line, len, plus, 6, &st->dec);
        if(!layers || !has(st->dec.p, st->dec.len, "${"))
            continue;
        size_t keep = st->n_names;
        eval_text(st, st->dec.p, st->dec.len);
        if(st->n_names > keep) {
            /* only names new to this layer */
            for(size_t i = 0; i < keep; i++) {
                free(st->names[i]);
                st->names[i] = NULL;
            }
            memmove(st->names, st->names + keep,
                    (st->n_names - keep) * sizeof(*st->names));
            st->n_names -= keep;
            if(report_names(st, rline, rlen, lineno, layers, true))
                return true;
            suspicious_pending = true;
        }
    }
    /* 3. Base64 carriers: Authorization: Basic <b64 of user:${jndi...}> */
    const uint8_t *b = line;
    while(b && (b = find(b, (size_t)(line + len - b), "Basic ", 6))) {
        b += 6;
        st->tmp.len = 0;
        decode_b64(b, (size_t)(line + len - b), &st->tmp);
        if(st->tmp.len && has(st->tmp.p, st->tmp.len, "${")) {
            names_clear(st);
            eval_text(st, st->tmp.p, st->tmp.len);
            if(report_names(st, rline, rlen, lineno, DEC_B64, true))
                return true;
        }
    }
    /* 4. Log4j's own error when a lookup failed: the lookup happened */
    const uint8_t *er = find(line, len, "Error looking up JNDI resource [",
                               32);
    if(er) {
        er += 32;
        const uint8_t *e = memchr(er, ']', (size_t)(line + len - er));
        char name[512];
        copy(name, sizeof(name), (const char *)er,
             e ? (size_t)(e - er) : (size_t)(line + len - er));
        report_simple(st, rline, rlen, lineno, KENSA_VERDICT_ATTACK,
                      KMSG_LOGS_REPORTED, name);
        return true;
    }
    /* 5. second stage: the victim's JVM fetching the exploit class */
    if(has(line, len, "Java/1.") && has(line, len, ".class") &&
       (has(line, len, "/Exploit") || has(line, len, "GET /"))) {
        const uint8_t *g = find(line, len, "/Exploit", 8);
        if(g) {
            report_simple(st, rline, rlen, lineno, KENSA_VERDICT_ATTACK,
                          KMSG_LOGS_SECOND_STAGE, NULL);
            return true;
        }
    }
    /* 6. a record that goes on over the next lines */
    if(raw_dollar && st->unbalanced && after && after_len) {
        /* Continuation lines carry no "${" of their own: a list of
         * payloads, one per line, is not one record. */
        size_t take = 0, lines = 0;
        while(take < after_len && lines < JOIN_LINES && take < WINDOW) {
            const uint8_t *nl = memchr(after + take, '\n', after_len - take);
            size_t next = nl ? (size_t)(nl - after) + 1 : after_len;
            if(!continues(after + take, next - take) ||
               find(after + take, next - take, "${", 2))
                break;
            take = next;
            lines++;
        }
        if(take) {
            st->tmp.len = 0;
            buf_append(&st->tmp, line, len);
            buf_append(&st->tmp, after, take);
            names_clear(st);
            eval_text(st, st->tmp.p, st->tmp.len);
            if(report_names(st, rline, rlen, lineno, 0, true))
                return true;
        }
    }
    /* 7. near misses */
    if(attacks_only)
        return false;
    if(suspicious_pending) {
        names_clear(st);
        eval_text(st, line, len);
        if(st->n_names) {
            report_names(st, rline, rlen, lineno, 0, false);
            return true;
        }
    }
    if(raw_dollar && has_var_ci(line, len, "jndi")) {
        if(has(line, len, "$${"))
            why = KMSG_LOGS_ESCAPED;
        else
            why = KMSG_LOGS_UNCLOSED;
    } else if(has(line, len, "JndiManager.lookup") ||
              has(line, len, "JndiLookup.lookup")) {
        why = KMSG_LOGS_STACK_FRAME;
    }
    if(why == KMSG_COUNT)
        return false;
    report_simple(st, rline, rlen, lineno, KENSA_VERDICT_SUSPICIOUS, why,
                  NULL);
    return true;
}

/*
 * JSON-unescape the string whose body is s[0..n) (between its quotes)
 * into out: \" \\ \/ \b \f \n \r \t and \uXXXX (surrogate pairs
 * joined; a lone surrogate or a bad escape is kept as written).
 */
static int hexval(uint8_t c)
{
    if(c >= '0' && c <= '9') return c - '0';
    c |= 32;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool hex4(const uint8_t *s, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    if(n < 4)
        return false;
    for(size_t i = 0; i < 4; i++) {
        int h = hexval(s[i]);
        if(h < 0)
            return false;
        v = v << 4 | (uint32_t)h;
    }
    *out = v;
    return true;
}

static void json_unescape(const uint8_t *s, size_t n, struct buf *out)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    out->len = 0;
    for(size_t i = 0; i < n;) {
        const uint8_t *bs = memchr(s + i, '\\', n - i);
        size_t lit = bs ? (size_t)(bs - s) - i : n - i;
        buf_append(out, s + i, lit);
        i += lit;
        if(i >= n)
            break;
        if(i + 1 >= n) {
            buf_append(out, s + i, 1);
            break;
        }
        const char *e = strchr(from, s[i + 1]);
        uint32_t cp, lo = 0;
        if(e && s[i + 1]) {
            buf_append(out, to + (e - from), 1);
            i += 2;
        } else if(s[i + 1] == 'u' && hex4(s + i + 2, n - i - 2, &cp) &&
                  (cp < 0xd800 || cp > 0xdfff ||
                   (cp < 0xdc00 && i + 12 <= n && s[i + 6] == '\\' &&
                    s[i + 7] == 'u' && hex4(s + i + 8, 4, &lo) &&
                    lo >= 0xdc00 && lo <= 0xdfff))) {
            size_t used = 6;
            if(cp >= 0xd800) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                used = 12;
            }
            uint8_t u[4];
            size_t k;
            if(cp < 0x80) { u[0] = (uint8_t)cp; k = 1; }
            else if(cp < 0x800) { u[0] = (uint8_t)(0xc0 | cp >> 6);
                u[1] = (uint8_t)(0x80 | (cp & 63)); k = 2; }
            else if(cp < 0x10000) { u[0] = (uint8_t)(0xe0 | cp >> 12);
                u[1] = (uint8_t)(0x80 | (cp >> 6 & 63));
                u[2] = (uint8_t)(0x80 | (cp & 63)); k = 3; }
            else { u[0] = (uint8_t)(0xf0 | cp >> 18);
                u[1] = (uint8_t)(0x80 | (cp >> 12 & 63));
                u[2] = (uint8_t)(0x80 | (cp >> 6 & 63));
                u[3] = (uint8_t)(0x80 | (cp & 63)); k = 4; }
            buf_append(out, u, k);
            i += used;
        } else {
            buf_append(out, s + i, 1);
            i++;
        }
    }
}

/*
 * Is line[0..len) one whole JSON record, {...} with its strings closed and
 * its brackets balanced?  Only the structure is checked (a record that
 * breaks a rule of the grammar between tokens still counts); the cost is
 * one pass over the line.
 */
static bool json_record(const uint8_t *s, size_t n)
{
    int depth = 0;
    if(!n || s[0] != '{' || s[n - 1] != '}')
        return false;
    for(size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if(c == '"') {
            for(i++; i < n && s[i] != '"'; i++) {
                if(s[i] == '\\')
                    i++;
            }
            if(i >= n)
                return false;
        } else if(c == '{' || c == '[') {
            if(++depth > 64)
                return false;
        } else if(c == '}' || c == ']') {
            if(--depth < 0 || (!depth && i + 1 != n))
                return false;
        } else if(!c || !strchr(" \t\r,:-+.0123456789eEtrufalsn", c)) {
            return false;
        }
    }
    return depth == 0;
}

/*
 * A JSON record: each of its strings, keys and values, JSON-unescaped and
 * analysed on its own, so the record's own quotes and closing brace never
 * close or extend a payload inside a value (a log line
 * {"msg":"${jndi:ldap://x/a"} holds an unclosed lookup, not an attack).
 * After the first finding, further strings report attacks only.
 */
static void analyze_json(struct lstate *st, const uint8_t *line, size_t len,
                         uint64_t lineno)
{
    bool reported = false;
    for(size_t i = 0; i < len && !st->stopped; i++) {
        if(line[i] != '"')
            continue;
        size_t b = ++i;
        while(i < len && line[i] != '"')
            i += line[i] == '\\' ? 2 : 1;
        if(i > len)
            i = len;
        if(!memchr(line + b, '$', i - b) && !memchr(line + b, '%', i - b) &&
           !memchr(line + b, '\\', i - b) && !memchr(line + b, '&', i - b) &&
           !memchr(line + b, 'J', i - b) && !memchr(line + b, 'B', i - b))
            continue;   /* nothing for the prefilter: skip the work */
        json_unescape(line + b, i - b, &st->json);
        if(st->json.len)
            reported |= analyze_text(st, st->json.p, st->json.len, line, len,
                                     lineno, NULL, 0, reported);
    }
}

/* Analyse one candidate line; `after` is the text that follows it. */
static void analyze(struct lstate *st, const uint8_t *line, size_t len,
                    uint64_t lineno, const uint8_t *after, size_t after_len)
{
    size_t a = 0, b = len;
    while(a < b && (line[a] == ' ' || line[a] == '\t'))
        a++;
    while(b > a && (line[b - 1] == ' ' || line[b - 1] == '\t' ||
                    line[b - 1] == '\r'))
        b--;
    if(a < b && line[a] == '{' && json_record(line + a, b - a)) {
        analyze_json(st, line, len, lineno);
        return;
    }
    analyze_text(st, line, len, line, len, lineno, after, after_len, false);
}

/* ---- regions and streams ------------------------------------------------- */

/*
 * Account for `n` more bytes read without a trigger; every TIME_CHECK
 * bytes, ask the context whether --max-scantime (or another limit) has
 * run out.  A sparse terabyte of zeros has no trigger at all, so the check
 * cannot wait for one.  False once the object must not be read further.
 */
static bool keep_going(struct lstate *st, size_t n)
{
    st->unchecked += n;
    if(st->unchecked >= TIME_CHECK) {
        st->unchecked = 0;
        if(!ctx_charge(st->obj->ctx, st->obj->path, 0))
            st->stopped = true;
    }
    return !st->stopped;
}

/*
 * Scan p[0..n) (starting at a line start); `more` is text after the
 * region usable for multi-line records.  The end of a line is searched
 * at most LINE_SEARCH bytes ahead, so a trigger followed by a terabyte
 * without a newline costs a window, not the terabyte.
 */
#define LINE_SEARCH (2 * LONG_LINE)
static void scan_region(struct lstate *st, const uint8_t *p, size_t n,
                        const uint8_t *more, size_t more_len)
{
    size_t i = 0, floor = 0;
    size_t ls = 0, le = 0;       /* the current line, valid while i < le */
    bool in_line = false;
    bool le_real = false;        /* le is a newline (or n), not a cut */
    if(st->stopped)
        return;
    st->cnt_p = p;
    st->cnt_line = st->line_base;
    while(i < n) {
        size_t lim = n - i > TIME_CHECK ? i + TIME_CHECK : n;
        size_t j = next_trigger(p, i, lim);
        if(!keep_going(st, j - i))
            return;
        i = j;
        if(i >= lim) {
            if(lim < n)
                continue;
            break;
        }
        if(!candidate(p, i, n)) {
            i++;
            continue;
        }
        if(!in_line || i >= le) {
            if(in_line && !le_real) {
                /* still no newline up to le: look only past it */
                const uint8_t *nl = memrchr(p + le, '\n', i - le);
                if(nl)
                    ls = (size_t)(nl - p) + 1;
            } else {
                const uint8_t *nl = i > floor ?
                    memrchr(p + floor, '\n', i - floor) : NULL;
                ls = nl ? (size_t)(nl - p) + 1 : floor;
            }
            size_t look = n - i > LINE_SEARCH ? LINE_SEARCH : n - i;
            const uint8_t *e = memchr(p + i, '\n', look);
            le = e ? (size_t)(e - p) : i + look;
            le_real = e || look == n - i;
            in_line = true;
            st->cnt_line += count_nl(st->cnt_p, (size_t)(p + ls - st->cnt_p));
            st->cnt_p = p + ls;
        }
        size_t start = ls, end = le;
        if(end - start > LONG_LINE) {
            /* a very long line (or a binary file): look at a window around
             * this trigger only, so the cost stays linear in the input */
            start = i - start > LONG_BACK ? i - LONG_BACK : start;
            end = end - i > LONG_LINE ? i + LONG_LINE : end;
        }
        size_t len = end - start;
        if(len && p[start + len - 1] == '\r')
            len--;
        bool whole = le_real && end == le;
        const uint8_t *after = whole ? (le < n ? p + le + 1 : more) : NULL;
        size_t after_len = whole ? (le < n ? n - le - 1 : more_len) : 0;
        analyze(st, p + start, len, st->cnt_line + 1, after, after_len);
        /* an analysed line costs far more than a line read: charged as
         * ANALYSIS_COST times its bytes (at least 4 KiB), so the clock is
         * read every few hundred short lines of an attack-dense log and
         * every few long ones, not after each */
        if(!keep_going(st, len * ANALYSIS_COST + (4u << 10)))
            return;
        i = end + (whole ? 1 : 0);
        if(whole) {
            floor = i;
            in_line = false;
            if(le < n) {
                /* [ls, le) holds no newline and p[le] is one: count it
                 * here rather than read the line again */
                st->cnt_p = p + le + 1;
                st->cnt_line++;
            }
        }
    }
    st->line_base = st->cnt_line + count_nl(st->cnt_p,
                                            (size_t)(p + n - st->cnt_p));
}

static struct lstate *state_new(struct kobj *obj)
{
    struct lstate *st = calloc(1, sizeof(*st));
    if(!st)
        return NULL;
    st->obj = obj;
    buf_init(&st->carry, LINE_CAP);
    buf_init(&st->dec, 4 * WINDOW);
    buf_init(&st->tmp, 4 * WINDOW);
    buf_init(&st->json, 4 * WINDOW);
    l4s_result_init(&st->ev, 4 * WINDOW);
    return st;
}

static void state_free(struct lstate *st)
{
    names_clear(st);
    buf_free(&st->carry);
    buf_free(&st->dec);
    buf_free(&st->tmp);
    buf_free(&st->json);
    l4s_result_free(&st->ev);
    free(st);
}

/* Does this object look like a log we should read? */
static bool wants(const struct kobj *obj)
{
    const struct kensa_options *o = &obj->ctx->s->opts;
    if(o->logs_everywhere)
        return true;
    const char *p = obj->path;
    for(size_t i = 0; i < o->n_log_paths; i++) {
        size_t l = strlen(o->log_paths[i]);
        if(!strncmp(p, o->log_paths[i], l))
            return true;
    }
    if(strstr(p, "/log/") || strstr(p, "/logs/") || strstr(p, "/Logs/"))
        return true;
    const char *base = strrchr(p, '/');
    base = base ? base + 1 : p;
    return strstr(base, ".log") || strstr(base, "access_log") ||
           strstr(base, "error_log") || !strcmp(base, "catalina.out");
}

static uint32_t fnv1a(uint32_t h, const char *s)
{
    for(; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/*
 * What wants() decides from obj's path rather than its bytes, for obj and
 * everything inside it (whose paths are obj->path "!/" member...): the
 * clean cache folds it into the content's key.  Members' own names are
 * content; the rest is
 *   1  wants() for the object itself (its own name, folder, prefix);
 *   2  wants() for any member: asked of obj->path "!/" plus a name no
 *      rule matches, so it is the folder, --log-path prefix or
 *      logs_everywhere answer;
 *   4  wants() for the payload of a compressed file, which is named
 *      after obj (catalina.out.gz holds catalina.out);
 * and the rest of each --log-path that obj->path is the start of (it may
 * match members' paths).
 */
static uint32_t logs_context(const struct kobj *obj)
{
    const struct kensa_options *o = &obj->ctx->s->opts;
    size_t plen = strlen(obj->path);
    uint32_t v = 0;
    char *p = malloc(plen + 4);
    if(!p)
        return 0xffffffffu;   /* still a key: nothing matches it by chance */
    struct kobj probe = *obj;
    probe.path = p;
    if(wants(obj))
        v |= 1;
    memcpy(p, obj->path, plen);
    memcpy(p + plen, "!/\001", 4);
    if(wants(&probe))
        v |= 2;
    memcpy(p, obj->path, plen + 1);
    char *base = strrchr(p, '/');
    char *dot = strrchr(base ? base + 1 : p, '.');
    if(dot && dot != (base ? base + 1 : p))
        *dot = 0;
    if(wants(&probe))
        v |= 4;
    free(p);
    for(size_t i = 0; i < o->n_log_paths; i++) {
        const char *lp = o->log_paths[i];
        if(strlen(lp) > plen && !strncmp(lp, obj->path, plen))
            v = fnv1a(v * 31 + 8, lp + plen);
    }
    return v;
}

#define LOG_WINDOW (8u << 20)

static void logs_on_object(struct kobj *obj)
{
    if((obj->format && !obj->maybe_text) || !obj->len ||
       !wants(obj) || own_report_skip(obj))
        return;   /* own_report_skip: kensa's own report, every line */
    struct lstate *st = state_new(obj);
    if(!st) {
        ctx_warn(obj->ctx, obj->path, KENSA_ENOMEM, KMSG_OOM);
        return;
    }
    /* A large mapped log is read in windows ending at a newline, and the
     * pages of each window are dropped once read: memory stays flat
     * whatever the size of the log (the mapping is read-only, so a page
     * read again is only faulted in again). */
    const uint8_t *p = obj->data;
    size_t len = obj->len, off = 0;
    while(off < len) {
        size_t end = len - off > LOG_WINDOW ? off + LOG_WINDOW : len;
        if(end < len) {
            const uint8_t *nl = memrchr(p + off, '\n', end - off);
            if(nl)
                end = (size_t)(nl - p) + 1;
        }
        scan_region(st, p + off, end - off, p + end, len - end);
        if(obj->mapped)
            drop_mapped(p + off, end - off);
        off = end;
        if(off < len && !ctx_charge(obj->ctx, obj->path, 0))
            break;
    }
    state_free(st);
}

static void *logs_stream_begin(struct kobj *obj)
{
    if(!wants(obj))
        return NULL;
    return state_new(obj);
}

static void logs_stream_data(void *v, const uint8_t *p, size_t n)
{
    struct lstate *st = v;
    if(st->stopped)
        return;
    if(st->carry.len) {
        const uint8_t *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) + 1 : n;
        if(buf_append(&st->carry, p, take)) {
            /* a line longer than LINE_CAP: scan what we have, go on */
            scan_region(st, st->carry.p, st->carry.len, p, n);
            st->carry.len = 0;
            return;
        }
        if(!nl)
            return;
        scan_region(st, st->carry.p, st->carry.len, p + take, n - take);
        st->carry.len = 0;
        p += take;
        n -= take;
    }
    const uint8_t *last = n ? memrchr(p, '\n', n) : NULL;
    size_t whole = last ? (size_t)(last - p) + 1 : 0;
    if(whole)
        scan_region(st, p, whole, p + whole, n - whole);
    if(n > whole && buf_append(&st->carry, p + whole, n - whole)) {
        scan_region(st, p + whole, n - whole, NULL, 0);
        st->carry.len = 0;
    }
}

static void logs_stream_end(void *v)
{
    struct lstate *st = v;
    if(st->carry.len)
        scan_region(st, st->carry.p, st->carry.len, NULL, 0);
    state_free(st);
}

/* The trigger table is the same for every scanner: built once. */
static pthread_once_t trig_once = PTHREAD_ONCE_INIT;

static void *logs_init(const struct kensa_options *o, enum kensa_err *err)
{
    (void)o;
    tzset();   /* zone-less log times are local (logmeta.h): the zone is
                  read now, before the sandbox closes */
    *err = pthread_once(&trig_once, trig_init) ? KENSA_ENOMEM : KENSA_OK;
    return NULL;
}

const struct detector detector_logs = {
    .name = "logs",
    .bit = KENSA_DETECT_LOGS,
    .init = logs_init,
    .on_object = logs_on_object,
    .stream_begin = logs_stream_begin,
    .stream_data = logs_stream_data,
    .stream_end = logs_stream_end,
    .context = logs_context,
};
