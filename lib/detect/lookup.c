/*
 * lookup.c - the Log4j lookup evaluator (lookup.h).
 *
 * substitute() follows the structure of Log4j 2.14.1's
 * StrSubstitutor.substitute(): scan for "${"; a '$' right before it is an
 * escape (deleted, the "${" kept as text); otherwise find the matching "}"
 * counting nested "${"; substitute inside the name first; split the name
 * at the first ":-" (or the escaped ":\-"); resolve it through the
 * Interpolator (prefix before the first ':', lower-cased with Locale.US);
 * fall back to the default; replace, and substitute the replacement again
 * (value recursion, removed only in 2.15.0).  A variable that refers to
 * itself makes Log4j throw, so evaluation stops there.
 */
#include "detect/lookup.h"

#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MAX_DEPTH 24
#define MAX_STEPS 200000
#define MAX_PRIOR 64
#define KEEP_SCRATCH (16u << 10)   /* larger work buffers are freed after
                                      each evaluation */

/*
 * Work buffers of one nesting depth: the variable name being resolved,
 * the name with ":\-" undone, and the value.  substitute() at depth d is
 * the only live frame at that depth (frames nest with strictly growing
 * depth), so it owns level d alone; the buffers live in the result and
 * are reused from line to line instead of allocated per variable.
 */
struct level {
    struct buf name, esc, val;
};

struct l4s_scratch {
    struct level lv[MAX_DEPTH + 1];
    unsigned used;   /* levels 0..used-1 touched since the last trim */
};

struct ev {
    struct l4s_result *r;
    unsigned steps;
    /* names being resolved, outermost first; they point into the name or
     * esc buffer of a live level, which nothing writes while they are
     * here */
    struct { const uint8_t *s; size_t n; } prior[MAX_PRIOR];
    size_t nprior;
};

void l4s_result_init(struct l4s_result *r, size_t cap)
{
    memset(r, 0, sizeof(*r));
    buf_init(&r->out, cap);
}

/* Level d's buffers, emptied; NULL when out of memory. */
static struct level *level_get(struct l4s_result *r, unsigned d)
{
    if(!r->scratch) {
        r->scratch = malloc(sizeof(*r->scratch));
        if(!r->scratch)
            return NULL;
        for(size_t i = 0; i <= MAX_DEPTH; i++) {
            buf_init(&r->scratch->lv[i].name, r->out.max);
            buf_init(&r->scratch->lv[i].esc, r->out.max);
            buf_init(&r->scratch->lv[i].val, r->out.max);
        }
        r->scratch->used = MAX_DEPTH + 1;
    }
    if(d >= r->scratch->used)
        r->scratch->used = d + 1;
    struct level *l = &r->scratch->lv[d];
    l->name.len = l->esc.len = l->val.len = 0;
    return l;
}

/* Free the work buffers that grew large, so memory stays flat. */
static void scratch_trim(struct l4s_result *r, bool all)
{
    if(!r->scratch)
        return;
    size_t levels = all ? MAX_DEPTH + 1 : r->scratch->used;
    for(size_t i = 0; i < levels; i++) {
        struct buf *b[3] = { &r->scratch->lv[i].name, &r->scratch->lv[i].esc,
                             &r->scratch->lv[i].val };
        for(size_t k = 0; k < 3; k++) {
            if(all || b[k]->cap > KEEP_SCRATCH)
                buf_free(b[k]);
        }
    }
    r->scratch->used = 0;
    if(all) {
        free(r->scratch);
        r->scratch = NULL;
    }
}

void l4s_result_reset(struct l4s_result *r)
{
    for(size_t i = 0; i < r->n_jndi; i++)
        free(r->jndi[i]);
    r->n_jndi = 0;
    r->unbalanced = false;
    r->aborted = false;
    r->out.len = 0;
}

void l4s_result_free(struct l4s_result *r)
{
    l4s_result_reset(r);
    scratch_trim(r, true);
    buf_free(&r->out);
}

/* ---- Java case mapping -------------------------------------------------- */

static unsigned utf8_cp(const uint8_t *s, size_t n, size_t *len)
{
    uint8_t c = s[0];
    if(c < 0x80 || n < 2) { *len = 1; return c; }
    if((c & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
        *len = 2;
        return (unsigned)(c & 0x1f) << 6 | (s[1] & 0x3f);
    }
    if((c & 0xf0) == 0xe0 && n >= 3 && (s[1] & 0xc0) == 0x80 &&
       (s[2] & 0xc0) == 0x80) {
        *len = 3;
        return (unsigned)(c & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 |
               (s[2] & 0x3f);
    }
    *len = 1;
    return 0xfffd0000u | c;   /* not decoded: copy the byte */
}

static void put_cp(struct buf *out, unsigned cp)
{
    uint8_t b[3];
    if(cp < 0x80) { b[0] = (uint8_t)cp; buf_append(out, b, 1); }
    else if(cp < 0x800) {
        b[0] = (uint8_t)(0xc0 | cp >> 6); b[1] = (uint8_t)(0x80 | (cp & 63));
        buf_append(out, b, 2);
    } else {
        b[0] = (uint8_t)(0xe0 | cp >> 12);
        b[1] = (uint8_t)(0x80 | ((cp >> 6) & 63));
        b[2] = (uint8_t)(0x80 | (cp & 63));
        buf_append(out, b, 3);
    }
}

void l4s_upper(const uint8_t *s, size_t n, struct buf *out)
{
    for(size_t i = 0; i < n;) {
        size_t l;
        unsigned cp = utf8_cp(s + i, n - i, &l);
        const char *rep = NULL;
        if(cp >= 0xfffd0000u) { buf_append(out, s + i, 1); i += l; continue; }
        if(cp >= 'a' && cp <= 'z') cp -= 32;
        else if(cp == 0x131) cp = 'I';            /* dotless i */
        else if(cp == 0x17f) cp = 'S';            /* long s */
        else if(cp == 0xdf) rep = "SS";
        else if(cp == 0xfb00) rep = "FF";
        else if(cp == 0xfb01) rep = "FI";
        else if(cp == 0xfb02) rep = "FL";
        else if(cp == 0xfb03) rep = "FFI";
        else if(cp == 0xfb04) rep = "FFL";
        else if(cp == 0xfb05 || cp == 0xfb06) rep = "ST";
        else if(cp >= 0xe0 && cp <= 0xfe && cp != 0xf7) cp -= 32;
        else if(cp == 0xff) cp = 0x178;
        if(rep)
            buf_puts(out, rep);
        else
            put_cp(out, cp);
        i += l;
    }
}

void l4s_lower(const uint8_t *s, size_t n, struct buf *out)
{
    for(size_t i = 0; i < n;) {
        size_t l;
        unsigned cp = utf8_cp(s + i, n - i, &l);
        if(cp >= 0xfffd0000u) { buf_append(out, s + i, 1); i += l; continue; }
        if(cp >= 'A' && cp <= 'Z') cp += 32;
        else if(cp == 0x212a) cp = 'k';           /* Kelvin sign */
        else if(cp == 0x130) { buf_puts(out, "i\xcc\x87"); i += l; continue; }
        else if(cp >= 0xc0 && cp <= 0xde && cp != 0xd7) cp += 32;
        put_cp(out, cp);
        i += l;
    }
}

/* SimpleDateFormat: quoted text is literal, pattern letters become digits,
 * an unknown letter makes Log4j fall back to its default format. */
static void date_format(const uint8_t *s, size_t n, struct buf *out)
{
    static const char letters[] = "GyYMLwWDdFEuaHkKhmsSzZX";
    for(size_t i = 0; i < n; i++) {
        if(s[i] == '\'') {
            if(i + 1 < n && s[i + 1] == '\'') {
                buf_append(out, "'", 1);
                i++;
                continue;
            }
            size_t j = i + 1;
            while(j < n) {
                if(s[j] == '\'' && j + 1 < n && s[j + 1] == '\'') {
                    buf_append(out, "'", 1);
                    j += 2;
                    continue;
                }
                if(s[j] == '\'')
                    break;
                buf_append(out, s + j, 1);
                j++;
            }
            i = j;
        } else if((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')) {
            if(!strchr(letters, s[i])) {
                out->len = 0;
                buf_puts(out, "1/1/70, 12:00 AM");
                return;
            }
            buf_append(out, "0", 1);
        } else {
            buf_append(out, s + i, 1);
        }
    }
}

/* ---- the substitutor ---------------------------------------------------- */

static bool replace(struct buf *b, size_t start, size_t end, const uint8_t *v,
                    size_t vlen)
{
    size_t oldlen = end - start;
    if(vlen > oldlen && buf_reserve(b, vlen - oldlen))
        return false;
    memmove(b->p + start + vlen, b->p + end, b->len - end);
    if(vlen)
        memcpy(b->p + start, v, vlen);
    b->len = b->len - oldlen + vlen;
    return true;
}

/* Resolve a variable name; a new value in *out (true) or none (false). */
static bool resolve(struct ev *e, const uint8_t *name, size_t n,
                    struct buf *out)
{
    const uint8_t *colon = memchr(name, ':', n);
    if(!colon)
        return false;   /* default (properties) lookup: nothing set */
    size_t pl = (size_t)(colon - name);
    const uint8_t *key = colon + 1;
    size_t kl = n - pl - 1;
    char prefix[16];
    if(pl >= sizeof(prefix))
        return false;
    for(size_t i = 0; i < pl; i++) {
        uint8_t c = name[i];
        prefix[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    prefix[pl] = 0;
    if(!strcmp(prefix, "jndi")) {
        struct l4s_result *r = e->r;
        if(r->n_jndi < L4S_MAX_JNDI) {
            char *j = malloc(kl + 1);
            if(j) {
                memcpy(j, key, kl);
                j[kl] = 0;
                r->jndi[r->n_jndi++] = j;
            }
        }
        return false;   /* the lookup is what matters, not its result */
    }
    if(!strcmp(prefix, "lower")) {
        l4s_lower(key, kl, out);
        return true;
    }
    if(!strcmp(prefix, "upper")) {
        l4s_upper(key, kl, out);
        return true;
    }
    if(!strcmp(prefix, "date")) {
        date_format(key, kl, out);
        return true;
    }
    /* env, sys, java, ctx, main, map, sd, marker, k8s, docker, spring,
     * web, log4j, bundle, jvmrunargs, event...: treated as unset, so the
     * default applies or the text stays as it was (kept symbolic). */
    return false;
}

static bool seen_before(struct ev *e, const uint8_t *s, size_t n)
{
    for(size_t i = 0; i < e->nprior; i++) {
        if(e->prior[i].n == n && !memcmp(e->prior[i].s, s, n))
            return true;
    }
    return false;
}

/* The first i in [pos, end) where p[i] is '$' or '}', else end. */
static size_t next_brace(const uint8_t *p, size_t pos, size_t end)
{
#ifdef __SSE2__
    const __m128i d = _mm_set1_epi8('$'), c = _mm_set1_epi8('}');
    while(end - pos >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + pos));
        int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, d),
                                               _mm_cmpeq_epi8(v, c)));
        if(m)
            return pos + (size_t)__builtin_ctz((unsigned)m);
        pos += 16;
    }
#endif
    while(pos < end && p[pos] != '$' && p[pos] != '}')
        pos++;
    return pos;
}

/*
 * What substitute(e, text, 0, n, depth) does to a text without "${":
 * nothing but count its n positions as steps (or stop at the cap, or
 * past the depth limit), with no call and no work buffers.
 */
static void visit_plain(struct ev *e, size_t n, unsigned depth)
{
    if(depth > MAX_DEPTH) {
        e->r->aborted = true;
        return;
    }
    if(n > MAX_STEPS - e->steps) {
        e->steps = MAX_STEPS + 1;
        e->r->aborted = true;
        return;
    }
    e->steps += (unsigned)n;
}

/*
 * Substitute the variables of b[offset, offset+length) in place; returns
 * how much longer (or shorter) that range became.  Every byte position
 * visited counts as a step, as Log4j's loop would visit it; a run without
 * '$' is skipped at once but counted the same, so the step cap stops
 * evaluation exactly where a byte-by-byte walk would.
 */
static long substitute(struct ev *e, struct buf *b, size_t offset,
                       size_t length, unsigned depth)
{
    long change_total = 0;
    size_t end = offset + length;
    size_t pos = offset;

    if(depth > MAX_DEPTH) {
        e->r->aborted = true;
        return 0;
    }
    struct level *lv = level_get(e->r, depth);
    if(!lv) {
        e->r->aborted = true;
        return 0;
    }
    while(pos < end && !e->r->aborted) {
        if(b->p[pos] != '$') {
            /* positions up to the next '$' are steps that move on */
            const uint8_t *d = memchr(b->p + pos, '$', end - pos);
            size_t q = d ? (size_t)(d - b->p) : end;
            if(q - pos > MAX_STEPS - e->steps) {
                e->steps = MAX_STEPS + 1;
                e->r->aborted = true;
                break;
            }
            e->steps += (unsigned)(q - pos);
            pos = q;
            continue;
        }
        if(++e->steps > MAX_STEPS) {
            e->r->aborted = true;
            break;
        }
        if(!(pos + 1 < end && b->p[pos + 1] == '{')) {
            pos++;
            continue;
        }
        if(pos > offset && b->p[pos - 1] == '$') {
            replace(b, pos - 1, pos, NULL, 0);   /* drop the escape */
            change_total--;
            end--;
            continue;
        }
        size_t start = pos;
        int nested = 0;
        bool inner = false;   /* a "${" inside the name */
        bool closed = false;
        pos += 2;
        while((pos = next_brace(b->p, pos, end)) < end) {
            if(b->p[pos] == '$') {
                if(pos + 1 < end && b->p[pos + 1] == '{') {
                    nested++;
                    inner = true;
                    pos += 2;
                } else {
                    pos++;
                }
                continue;
            }
            if(nested) {
                nested--;
                pos++;
                continue;
            }
            closed = true;
            break;
        }
        if(!closed) {
            e->r->unbalanced = true;
            break;
        }
        /* the name, with its own variables substituted first */
        struct buf *name = &lv->name, *esc = &lv->esc, *val = &lv->val;
        name->len = esc->len = val->len = 0;
        if(buf_append(name, b->p + start + 2, pos - start - 2)) {
            e->r->aborted = true;
            break;
        }
        if(inner)
            substitute(e, name, 0, name->len, depth + 1);
        else
            visit_plain(e, name->len, depth + 1);
        pos++;
        size_t endpos = pos;

        const uint8_t *nm = name->p;
        size_t vlen = name->len, dstart = 0;
        bool has_def = false;
        for(size_t i = 0; i + 1 < name->len; i++) {
            if(nm[i] != ':')
                continue;
            if(i + 2 < name->len && nm[i + 1] == '\\' && nm[i + 2] == '-') {
                /* ":\-" stands for a literal ":-" in the name */
                buf_append(esc, nm, i);
                buf_append(esc, ":", 1);
                size_t j;
                for(j = i + 3; j + 1 < name->len; j++) {
                    if(nm[j] == ':' && nm[j + 1] == '-')
                        break;
                }
                buf_append(esc, nm + i + 2, (j + 1 < name->len ? j :
                                             name->len) - (i + 2));
                if(j + 1 < name->len) {
                    has_def = true;
                    dstart = j + 2;
                }
                nm = esc->p;
                vlen = esc->len;
                break;
            }
            if(nm[i + 1] == '-') {
                vlen = i;
                has_def = true;
                dstart = i + 2;
                break;
            }
        }
        if(!nm)
            nm = (const uint8_t *)"";   /* an empty name, never written */
        if(e->nprior >= MAX_PRIOR || seen_before(e, nm, vlen)) {
            e->r->aborted = true;   /* Log4j: "Infinite loop" exception */
            break;
        }
        e->prior[e->nprior].s = nm;
        e->prior[e->nprior].n = vlen;
        e->nprior++;

        bool have = resolve(e, nm, vlen, val);
        if(!have && has_def) {
            buf_append(val, name->p + dstart, name->len - dstart);
            have = true;
        }
        if(have) {
            if(!replace(b, start, endpos, val->p, val->len)) {
                e->r->aborted = true;
            } else {
                long ch = 0;
                if(val->len && memchr(val->p, '$', val->len))
                    ch = substitute(e, b, start, val->len, depth + 1);
                else
                    visit_plain(e, val->len, depth + 1);   /* "j", "ldap" */
                ch += (long)val->len - (long)(endpos - start);
                pos = (size_t)((long)endpos + ch);
                end = (size_t)((long)end + ch);
                change_total += ch;
            }
        }
        e->nprior--;
    }
    return change_total;
}

void l4s_eval(const uint8_t *s, size_t n, struct l4s_result *r)
{
    struct ev e = { .r = r };
    l4s_result_reset(r);
    if(buf_append(&r->out, s, n)) {
        r->aborted = true;
        return;
    }
    substitute(&e, &r->out, 0, r->out.len, 0);
    scratch_trim(r, false);
}

/*
 * Is s "plain": at most QUICK_MAX bytes (and half the result's cap), no
 * "jndi" in any case, every '$' followed by '{' or by "${", and no "${"
 * while another is open (an open "${" is closed by the next '}')?
 *
 * Then evaluating it performs no JNDI lookup: with no "${" inside a
 * variable every name is literal, so a "jndi" prefix would be in s; and
 * as no name holds a '$', no value (a default, or lower/upper/date of a
 * key) holds one, so no value is evaluated into anything.  What remains
 * is the top level: a "${" after a '$' is an escape, any other is
 * closed by the next '}', or it is the unclosed one that ends
 * evaluation (*out_unbalanced).  Cycles need a variable inside a value,
 * so there are none; the steps are at most 4n (text, names, values of
 * at most twice their variable), under MAX_STEPS; the text at most
 * doubles, within the cap.
 */
#define QUICK_MAX (MAX_STEPS / 4 - 1)

static bool plain(const uint8_t *s, size_t n, size_t cap, bool *out_unbalanced)
{
    bool open = false, unclosed = false;
    if(n > QUICK_MAX || n > cap / 2)
        return false;
    for(size_t i = 0; i < n; i++) {
        switch(s[i]) {
        case '$':
            if(i + 1 < n && s[i + 1] == '{') {
                if(open)
                    return false;   /* a variable inside a variable */
                open = true;
                /* an escape ("$${") is not evaluated, so not unclosed */
                unclosed = !(i > 0 && s[i - 1] == '$');
                i++;
            } else if(!(i + 2 < n && s[i + 1] == '$' && s[i + 2] == '{')) {
                return false;   /* a '$' that a value might end with */
            }
            break;
        case '}':
            open = unclosed = false;
            break;
        case 'j':
        case 'J':
            if(i + 3 < n && (s[i + 1] | 32) == 'n' && (s[i + 2] | 32) == 'd' &&
               (s[i + 3] | 32) == 'i')
                return false;
            break;
        }
    }
    *out_unbalanced = unclosed;
    return true;
}

void l4s_lookups(const uint8_t *s, size_t n, struct l4s_result *r)
{
    bool unbalanced;
    if(plain(s, n, r->out.max, &unbalanced)) {
        l4s_result_reset(r);
        r->unbalanced = unbalanced;
        return;
    }
    l4s_eval(s, n, r);
}
