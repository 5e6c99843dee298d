/*
 * own_report.c - recognise kensa's own reports by content (own_report.h).
 *
 * The JSON check is a strict, allocation-free validator of one line: it
 * walks the object once, recursing at most OWN_REPORT_DEPTH levels, and
 * notes whether the top-level "observer" member is an object holding
 * "product":"kensa".  Keys are compared as written (kensa writes them
 * without escapes): an escaped spelling is not recognised, so the file
 * is scanned, which is the safe side.  The CSV check reads RFC 4180
 * records (quoted cells may hold CR, LF and doubled quotes) and counts
 * their cells.
 */
#include "detect/own_report.h"

#include <pthread.h>
#include <string.h>

/* The header lib/report/csv.c writes, without its CRLF. */
static const char csv_header[] =
    "timestamp,threat,detector,verdict,severity,package,version,cves,path,"
    "line,file_sha256,fixed_in,message,lookup,source_ip";
#define CSV_CELLS 15

/* ---- JSON Lines --------------------------------------------------------- */

struct jp {
    const uint8_t *p, *end;   /* the line, without its newline */
};

static void ws(struct jp *j)
{
    while(j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r'))
        j->p++;
}

/* A string at j->p; its raw bytes between the quotes in *s, *n. */
static bool string(struct jp *j, const uint8_t **s, size_t *n)
{
    if(j->p >= j->end || *j->p != '"')
        return false;
    const uint8_t *start = ++j->p;
    while(j->p < j->end && *j->p != '"') {
        if(*j->p < 0x20)
            return false;
        if(*j->p == '\\') {
            if(++j->p >= j->end)
                return false;
            if(*j->p == 'u') {
                for(int i = 0; i < 4; i++) {
                    if(++j->p >= j->end || !strchr("0123456789abcdefABCDEF",
                                                   *j->p) || !*j->p)
                        return false;
                }
            } else if(!strchr("\"\\/bfnrt", *j->p) || !*j->p) {
                return false;
            }
        }
        j->p++;
    }
    if(j->p >= j->end)
        return false;
    *s = start;
    *n = (size_t)(j->p - start);
    j->p++;
    return true;
}

static bool lit(struct jp *j, const char *w)
{
    size_t l = strlen(w);
    if((size_t)(j->end - j->p) < l || memcmp(j->p, w, l))
        return false;
    j->p += l;
    return true;
}

static bool number(struct jp *j)
{
    const uint8_t *s = j->p;
    while(j->p < j->end && strchr("0123456789+-.eE", *j->p) && *j->p)
        j->p++;
    return j->p > s;
}

static bool raw_is(const uint8_t *s, size_t n, const char *w)
{
    return n == strlen(w) && !memcmp(s, w, n);
}

static bool value(struct jp *j, unsigned depth);

/*
 * An object at j->p.  `level` 0: the record itself (look for "observer"),
 * 1: its observer (look for "product"), 2: anything else.  *found is set
 * when observer.product is "kensa".
 */
static bool object(struct jp *j, unsigned depth, int level, bool *found)
{
    const uint8_t *k, *v;
    size_t kn, vn;
    if(depth > OWN_REPORT_DEPTH || j->p >= j->end || *j->p != '{')
        return false;
    j->p++;
    ws(j);
    if(j->p < j->end && *j->p == '}') {
        j->p++;
        return true;
    }
    for(;;) {
        ws(j);
        if(!string(j, &k, &kn))
            return false;
        ws(j);
        if(j->p >= j->end || *j->p != ':')
            return false;
        j->p++;
        ws(j);
        if(level == 0 && raw_is(k, kn, "observer") && j->p < j->end &&
           *j->p == '{') {
            if(!object(j, depth + 1, 1, found))
                return false;
        } else if(level == 1 && raw_is(k, kn, "product") && j->p < j->end &&
                  *j->p == '"') {
            if(!string(j, &v, &vn))
                return false;
            if(raw_is(v, vn, "kensa"))
                *found = true;
        } else if(!value(j, depth + 1)) {
            return false;
        }
        ws(j);
        if(j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if(j->p < j->end && *j->p == '}') {
            j->p++;
            return true;
        }
        return false;
    }
}

static bool array(struct jp *j, unsigned depth)
{
    if(depth > OWN_REPORT_DEPTH)
        return false;
    j->p++;
    ws(j);
    if(j->p < j->end && *j->p == ']') {
        j->p++;
        return true;
    }
    for(;;) {
        ws(j);
        if(!value(j, depth + 1))
            return false;
        ws(j);
        if(j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if(j->p < j->end && *j->p == ']') {
            j->p++;
            return true;
        }
        return false;
    }
}

static bool value(struct jp *j, unsigned depth)
{
    const uint8_t *s;
    size_t n;
    bool ignored = false;
    if(j->p >= j->end)
        return false;
    switch(*j->p) {
    case '{': return object(j, depth, 2, &ignored);
    case '[': return array(j, depth);
    case '"': return string(j, &s, &n);
    case 't': return lit(j, "true");
    case 'f': return lit(j, "false");
    case 'n': return lit(j, "null");
    default: return number(j);
    }
}

/* Is line[0..n) one kensa JSON record? */
static bool json_record(const uint8_t *line, size_t n)
{
    struct jp j = { line, line + n };
    bool found = false;
    if(!object(&j, 0, 0, &found))
        return false;
    ws(&j);
    return found && j.p == j.end;
}

static bool jsonl(const uint8_t *p, size_t n)
{
    size_t off = 0;
    while(off < n) {
        const uint8_t *nl = memchr(p + off, '\n', n - off);
        size_t end = nl ? (size_t)(nl - p) : n;
        if(!json_record(p + off, end - off))
            return false;   /* an empty line too */
        off = end + 1;
    }
    return true;
}

/* ---- CSV ---------------------------------------------------------------- */

static bool iso_time(const uint8_t *s, size_t n)
{
    if(n < 20 || s[4] != '-' || s[10] != 'T')
        return false;
    for(size_t i = 0; i < n; i++)
        if(!strchr("0123456789-T:.Z+", s[i]) || !s[i])
            return false;
    return true;
}

static bool csv(const uint8_t *p, size_t n)
{
    size_t hl = sizeof(csv_header) - 1, off;
    if(n < hl + 2 || memcmp(p, csv_header, hl) || p[hl] != '\r' ||
       p[hl + 1] != '\n')
        return false;
    off = hl + 2;
    while(off < n) {
        unsigned cells = 0;
        for(;;) {
            /* one cell at p[off] */
            size_t c0 = off, cl;
            if(off < n && p[off] == '"') {
                off++;
                for(;;) {
                    if(off >= n)
                        return false;
                    if(p[off] == '"') {
                        if(off + 1 < n && p[off + 1] == '"') {
                            off += 2;
                            continue;
                        }
                        off++;
                        break;
                    }
                    off++;
                }
                cl = off - c0;
            } else {
                while(off < n && p[off] != ',' && p[off] != '\r' &&
                      p[off] != '\n' && p[off] != '"')
                    off++;
                cl = off - c0;
            }
            if(cl >= 2 && p[c0] == '"') {
                c0++;   /* the quotes around a cell */
                cl -= 2;
            }
            if(++cells == 1 && !iso_time(p + c0, cl))
                return false;
            if(cells > CSV_CELLS)
                return false;
            if(off < n && p[off] == ',') {
                off++;
                continue;
            }
            if(off + 1 < n && p[off] == '\r' && p[off + 1] == '\n') {
                off += 2;
                break;
            }
            return false;   /* a stray quote, a bare LF, or the end */
        }
        if(cells != CSV_CELLS)
            return false;
    }
    return true;
}

/* ---- entry points ------------------------------------------------------- */

bool own_report_is(const uint8_t *p, size_t n)
{
    if(!p || !n)
        return false;
    if(p[0] == '{')
        return jsonl(p, n);
    if(p[0] == 't')
        return csv(p, n);
    return false;
}

bool own_report_skip(struct kobj *obj)
{
    if(!own_report_is(obj->data, obj->len))
        return false;
    struct kensa_scanner *s = obj->ctx->s;
    pthread_mutex_lock(&s->lock);
    s->stats.own_reports++;
    pthread_mutex_unlock(&s->lock);
    return true;
}
