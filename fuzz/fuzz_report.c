/*
 * fuzz_report.c - libFuzzer harness for the writers.  The input is four
 * flag bytes, then string fields separated by NUL bytes; they fill two
 * findings and a warning, which go through every writer: text (plain,
 * colour, quiet), JSON Lines, CSV, the IoC summary (English and
 * Japanese), IoC CSV and STIX.  Each output is checked here, with code
 * that shares nothing with the writers (UTF-8 is glibc's mbrtowc), and
 * any violation aborts:
 *  - JSON: every line (the STIX bundle: the whole file) is one strict
 *    RFC 8259 value, valid UTF-8, and there is one line per record;
 *  - text: no byte below 0x20 but '\n', no DEL, valid UTF-8, no C1 or
 *    bidi control code point (colour mode: only our SGR sequences);
 *  - CSV: CRLF rows of the right cell count, every data cell quoted, no
 *    cell starting with = + - @ TAB or CR.
 * One flag lowers the record cap so the cut path runs too.
 */
#define _GNU_SOURCE
#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "kensa/kensa.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFIELDS 24
#define CHECK(x) do { if(!(x)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #x, __FILE__, __LINE__); abort(); } } while(0)

/* ---- strict UTF-8 and JSON --------------------------------------------- */

/* Length of the valid UTF-8 character at p (code point in *cp), or 0.
 * glibc's decoder in a UTF-8 locale, not the library's own. */
static size_t u8(const unsigned char *p, size_t n, unsigned *cp)
{
    mbstate_t st;
    wchar_t w;
    if(p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    memset(&st, 0, sizeof(st));
    size_t r = mbrtowc(&w, (const char *)p, n, &st);
    if(r < 2 || r > 4 || (unsigned)w > 0x10ffff)
        return 0;
    *cp = (unsigned)w;
    return r;
}

struct jp {
    const unsigned char *p, *end;
    int depth;
};

static void ws(struct jp *j)
{
    while(j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
                            *j->p == '\r'))
        j->p++;
}

static bool hex4(struct jp *j, unsigned *v)
{
    *v = 0;
    for(int i = 0; i < 4; i++, j->p++) {
        if(j->p >= j->end)
            return false;
        unsigned c = *j->p;
        unsigned d = c >= '0' && c <= '9' ? c - '0' :
                     (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10 :
                     99;
        if(d == 99)
            return false;
        *v = *v << 4 | d;
    }
    return true;
}

static bool jstring(struct jp *j)
{
    if(j->p >= j->end || *j->p != '"')
        return false;
    j->p++;
    while(j->p < j->end) {
        unsigned c = *j->p, cp;
        if(c == '"') {
            j->p++;
            return true;
        }
        if(c < 0x20)
            return false;
        if(c == '\\') {
            if(++j->p >= j->end)
                return false;
            c = *j->p++;
            if(c == 'u') {
                unsigned v, w;
                if(!hex4(j, &v))
                    return false;
                if(v >= 0xdc00 && v <= 0xdfff)
                    return false;   /* lone low surrogate */
                if(v >= 0xd800 && v <= 0xdbff &&
                   (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' ||
                    (j->p += 2, !hex4(j, &w)) || w < 0xdc00 || w > 0xdfff))
                    return false;
            } else if(!strchr("\"\\/bfnrt", (int)c) || !c) {
                return false;
            }
            continue;
        }
        size_t l = u8(j->p, (size_t)(j->end - j->p), &cp);
        if(!l)
            return false;
        j->p += l;
    }
    return false;
}

static bool digits(struct jp *j)
{
    const unsigned char *s = j->p;
    while(j->p < j->end && *j->p >= '0' && *j->p <= '9')
        j->p++;
    return j->p > s;
}

static bool jnumber(struct jp *j)
{
    if(j->p < j->end && *j->p == '-')
        j->p++;
    if(j->p < j->end && *j->p == '0')
        j->p++;
    else if(j->p >= j->end || *j->p < '1' || *j->p > '9' || !digits(j))
        return false;
    if(j->p < j->end && *j->p == '.' && (j->p++, !digits(j)))
        return false;
    if(j->p < j->end && (*j->p | 32) == 'e') {
        j->p++;
        if(j->p < j->end && (*j->p == '+' || *j->p == '-'))
            j->p++;
        if(!digits(j))
            return false;
    }
    return true;
}

static bool jvalue(struct jp *j);

/* An object ('{', key: value pairs) or an array ('[', values). */
static bool jcontainer(struct jp *j, char open, char close)
{
    bool obj = open == '{';
    if(++j->depth > 64)
        return false;
    j->p++;
    ws(j);
    if(j->p < j->end && *j->p == close) {
        j->p++;
        j->depth--;
        return true;
    }
    for(;;) {
        ws(j);
        if(obj) {
            if(!jstring(j))
                return false;
            ws(j);
            if(j->p >= j->end || *j->p++ != ':')
                return false;
        }
        if(!jvalue(j))
            return false;
        ws(j);
        if(j->p >= j->end)
            return false;
        if(*j->p == ',') {
            j->p++;
            continue;
        }
        if(*j->p++ != close)
            return false;
        j->depth--;
        return true;
    }
}

static bool jvalue(struct jp *j)
{
    ws(j);
    if(j->p >= j->end)
        return false;
    size_t left = (size_t)(j->end - j->p);
    switch(*j->p) {
    case '{': return jcontainer(j, '{', '}');
    case '[': return jcontainer(j, '[', ']');
    case '"': return jstring(j);
    case 't': return left >= 4 && !memcmp(j->p, "true", 4) && (j->p += 4);
    case 'f': return left >= 5 && !memcmp(j->p, "false", 5) && (j->p += 5);
    case 'n': return left >= 4 && !memcmp(j->p, "null", 4) && (j->p += 4);
    default: return jnumber(j);
    }
}

/* s[0..n) is exactly one JSON value (whitespace around allowed). */
static void check_json(const char *s, size_t n)
{
    struct jp j = { (const unsigned char *)s, (const unsigned char *)s + n,
                    0 };
    CHECK(jvalue(&j));
    ws(&j);
    CHECK(j.p == j.end);
}

/* JSON Lines: `records` lines, each one JSON object. */
static void check_jsonl(const char *s, size_t n, size_t records)
{
    size_t lines = 0;
    while(n) {
        const char *nl = memchr(s, '\n', n);
        CHECK(nl);
        CHECK(*s == '{');
        check_json(s, (size_t)(nl - s));
        lines++;
        n -= (size_t)(nl - s) + 1;
        s = nl + 1;
    }
    CHECK(lines == records);
}

/* ---- text and CSV ------------------------------------------------------ */

static void check_text(const char *s, size_t n, bool colour)
{
    const unsigned char *p = (const unsigned char *)s;
    for(size_t i = 0; i < n;) {
        unsigned cp;
        if(colour && p[i] == 0x1b) {   /* only "\033[" digits/';' "m" */
            size_t k = i + 1;
            CHECK(k < n && p[k] == '[');
            for(k++; k < n && ((p[k] >= '0' && p[k] <= '9') || p[k] == ';');)
                k++;
            CHECK(k < n && p[k] == 'm');
            i = k + 1;
            continue;
        }
        CHECK(p[i] >= 0x20 || p[i] == '\n');
        CHECK(p[i] != 0x7f);
        size_t l = u8(p + i, n - i, &cp);
        CHECK(l);
        CHECK(!(cp >= 0x80 && cp <= 0x9f));
        CHECK(cp != 0x61c && cp != 0x200e && cp != 0x200f);
        CHECK(!(cp >= 0x202a && cp <= 0x202e));
        CHECK(!(cp >= 0x2066 && cp <= 0x2069));
        i += l;
    }
}

/* RFC 4180 with CRLF rows of `cols` cells; the first row is our header
 * (unquoted), every later cell quoted; no cell a spreadsheet would run.
 * Returns the number of rows. */
static size_t check_csv(const char *s, size_t n, size_t cols)
{
    size_t i = 0, rows = 0;
    while(i < n) {
        size_t cells = 0;
        for(;;) {
            char first = 0;
            size_t len = 0;
            if(s[i] == '"') {
                for(i++;; i++) {
                    CHECK(i < n);
                    if(s[i] == '"') {
                        if(i + 1 < n && s[i + 1] == '"')
                            i++;
                        else
                            break;
                    }
                    if(!len++)
                        first = s[i];
                }
                i++;
            } else {
                CHECK(rows == 0);   /* data cells are always quoted */
                while(i < n && s[i] != ',' && s[i] != '\r') {
                    CHECK(s[i] != '"' && s[i] != '\n');
                    if(!len++)
                        first = s[i];
                    i++;
                }
            }
            CHECK(!len || !strchr("=+-@\t\r", first));
            cells++;
            if(i < n && s[i] == ',') {
                i++;
                continue;
            }
            CHECK(i + 1 < n && s[i] == '\r' && s[i + 1] == '\n');
            i += 2;
            break;
        }
        CHECK(cells == cols);
        rows++;
    }
    return rows;
}

/* ---- driving the writers ----------------------------------------------- */

struct mem {
    char *p;
    size_t n;
    FILE *f;
};

static void mem_open(struct mem *m)
{
    m->p = NULL;
    m->n = 0;
    m->f = open_memstream(&m->p, &m->n);
    CHECK(m->f);
}

static void mem_close(struct mem *m)
{
    CHECK(!fclose(m->f));
}

static void run_report(enum kensa_format fmt, bool colour, bool quiet,
                       bool small, const struct kensa_finding *f, size_t nf,
                       const struct kensa_warning *w)
{
    struct kensa_report_opts o = { .format = fmt, .color = colour,
                                   .quiet = quiet };
    struct mem m;
    mem_open(&m);
    struct kensa_report *r = kensa_report_new(&o, m.f, NULL);
    CHECK(r);
    if(small) {   /* reach the cut path; a cut record still fits:
                     ~2 KiB of our text and ~100 fields (keys and values
                     cut) of 8 bytes, each byte at most 6 */
        r->rec_max = 16384;
        r->field_cut = 8;
    }
    for(size_t i = 0; i < nf; i++)
        kensa_report_finding(r, &f[i]);
    kensa_report_warning(r, w);
    kensa_report_finish(r);
    kensa_report_free(r);
    mem_close(&m);
    switch(fmt) {
    case KENSA_FMT_JSON: check_jsonl(m.p, m.n, nf + 1); break;
    case KENSA_FMT_CSV: CHECK(check_csv(m.p, m.n, 15) == nf + 1); break;
    default: check_text(m.p, m.n, colour); break;
    }
    free(m.p);
}

static void run_iocs(const struct kensa_finding *f, size_t nf)
{
    struct kensa_iocs *io = kensa_iocs_new();
    struct mem m;
    CHECK(io);
    for(size_t i = 0; i < nf; i++)
        kensa_iocs_add(io, &f[i]);
    for(int lang = 0; lang < 2; lang++) {
        mem_open(&m);
        kensa_iocs_summary(io, m.f, (enum kensa_lang)lang);
        mem_close(&m);
        check_text(m.p, m.n, false);
        free(m.p);
    }
    mem_open(&m);
    CHECK(kensa_iocs_write(io, m.f, false) == KENSA_OK);
    mem_close(&m);
    check_csv(m.p, m.n, 4);
    free(m.p);
    mem_open(&m);
    CHECK(kensa_iocs_write(io, m.f, true) == KENSA_OK);
    mem_close(&m);
    check_json(m.p, m.n);
    free(m.p);
    kensa_iocs_free(io);
}

#define KEY_LEVELS 16   /* dots kept in an input attribute key */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool utf8_locale;
    uint8_t fl[4] = { 0, 0, 0, 0 };
    const char *fld[NFIELDS];
    if(!utf8_locale) {
        CHECK(setlocale(LC_CTYPE, "C.UTF-8"));
        utf8_locale = true;
    }
    char *copy = malloc(size + 1);
    if(!copy)
        return 0;
    for(size_t i = 0; i < 4 && i < size; i++)
        fl[i] = data[i];
    size_t off = size < 4 ? size : 4;
    memcpy(copy, data + off, size - off);
    copy[size - off] = 0;
    /* fields: NUL-separated; missing ones are NULL (optional fields) */
    size_t nf = 0;
    for(char *p = copy, *end = copy + (size - off); nf < NFIELDS;) {
        fld[nf++] = p;
        p += strlen(p);
        if(p >= end)
            break;
        p++;
    }
    for(size_t i = nf; i < NFIELDS; i++)
        fld[i] = NULL;
#define REQ(i) (fld[i] ? fld[i] : "")

    struct kensa_finding f[2];
    memset(f, 0, sizeof(f));
    bool logs = fl[0] & 1;
    f[0].detector = logs ? "logs" : "log4j";
    f[0].threat = REQ(0);
    f[0].verdict = (enum kensa_verdict)(fl[1] % 7);
    f[0].severity = (enum kensa_severity)((fl[1] >> 3) % 5);
    f[0].path = REQ(1);
    f[0].file_path = REQ(2);
    f[0].depth = fl[2] & 15;
    f[0].file_sha256 = fld[3];
    f[0].object_sha256 = fld[4];
    f[0].rule = fld[9];
    /* the message and evidence: ids from the input (known or not), their
     * arguments too */
    const char *margs[3] = { fld[6], fld[7], fld[8] };
    f[0].message = (struct kensa_msg){ REQ(11), margs, fl[3] % 4 };
    struct kensa_msg ev[2] = {
        { REQ(10), margs + 1, 2 }, { "log4j.ev.pom", margs, 1 },
    };
    f[0].evidence = ev;
    f[0].n_evidence = fl[3] >> 6;
    if(f[0].n_evidence > 2)
        f[0].n_evidence = 2;
    /* attributes: ECS keys with input values, and keys from the input
     * (empty segments, prefixes of each other, repeats) */
    static const char *const keys[] = {
        "package.name", "package.version", "vulnerability.id",
        "vulnerability.id", "event.original", "source.ip",
        "threat.indicator.url.domain",
        "threat.indicator.url.registered_domain",
        "threat.indicator.url.scheme", "kensa.command", "@timestamp",
        "kensa.log_time", "file.path", "kensa", "event.category",
    };
    struct kensa_attr at[24];
    size_t na = 0;
    for(size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        at[na] = (struct kensa_attr){ .key = keys[i], .str = fld[12 + i % 11],
                                      .flags = (fl[2] >> (i % 8)) & 7 };
        if(at[na].str)
            na++;
    }
    for(size_t i = 0; i < 4 && fld[14 + i]; i++) {
        /* keys are the detectors' constants, a few levels deep (the
         * writer opens one object per '.'): past KEY_LEVELS the input's
         * dots become '_', as no detector nests deeper */
        char *k = (char *)fld[14 + i];
        for(size_t d = 0; *k; k++)
            if(*k == '.' && ++d > KEY_LEVELS)
                *k = '_';
        at[na++] = (struct kensa_attr){
            .key = fld[14 + i], .type = (enum kensa_attr_type)(i % 3),
            .str = fld[20], .num = (int64_t)fl[i] << 40 | fl[3],
            .flags = (unsigned)i & 7 };
    }
    if(!fld[20]) {   /* a string attribute needs its string */
        for(size_t i = 0; i < na; i++)
            if(at[i].type == KENSA_ATTR_STR && !at[i].str)
                at[i].type = KENSA_ATTR_BOOL;
    }
    f[0].attrs = at;
    f[0].n_attrs = na;
    if(logs)
        f[0].line = 1u + fl[2];
    /* the second finding: an attack, fewer attributes */
    f[1] = f[0];
    f[1].verdict = logs ? KENSA_VERDICT_ATTACK : KENSA_VERDICT_VULNERABLE;
    f[1].path = REQ(11);
    f[1].n_attrs = na / 2;
    struct kensa_warning w = { .path = REQ(22), .err = (enum kensa_err)(fl[3] % 8),
                               .message = REQ(23) };
    bool small = fl[0] & 4;

    run_report(KENSA_FMT_TEXT, false, false, small, f, 2, &w);
    run_report(KENSA_FMT_TEXT, true, fl[0] & 8, small, f, 2, &w);
    run_report(KENSA_FMT_JSON, false, false, small, f, 2, &w);
    run_report(KENSA_FMT_CSV, false, false, small, f, 2, &w);
    run_iocs(f, 2);
    free(copy);
    return 0;
}
