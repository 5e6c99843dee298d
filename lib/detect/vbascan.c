/*
 * vbascan.c - judging macro text (vbascan.h).
 *
 * A module is cut into statements (line continuations joined, comments
 * dropped outside strings, ':' separators split).  Each statement is
 * rewritten by a small evaluator that folds the string expressions it
 * can compute into literals, then matched: the code (string contents
 * blanked) for statements and calls, the literals for ProgIDs, paths and
 * indicators.  What a write or a run targets is read from the literals
 * of that statement; when it has none (a path computed by a function
 * kensa cannot evaluate) the write is "blind" and the paths named
 * anywhere in the document stand in for it.  The verdict is a pure
 * function of the flags collected (vbascan_rules).
 *
 * Everything is bounded: statements, values, variables and the text
 * judged have caps (vbascan.h); the evaluator recurses at most
 * MAX_DEPTH deep and never backtracks more than one operator, so a
 * statement costs linear time in its length.
 */
#include "detect/vbascan.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 32

struct vbs_var {
    char *name;
    char *val;
    size_t len;
    bool is_str;
    double num;
};

/* ---- small helpers ------------------------------------------------------ */

static bool idch(int c)
{
    return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* Case-insensitive search of a NUL-free needle in s[0..n). */
static const char *memcasestr(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for(size_t i = 0; k <= n && i <= n - k; i++)
        if(!strncasecmp(s + i, needle, k))
            return s + i;
    return NULL;
}

/* `w` as a whole word in s[0..n) (not after '.', unless dot_ok); the
 * position after it, or NULL. */
static const char *find_word(const char *s, size_t n, const char *w,
                             bool dot_ok)
{
    size_t k = strlen(w);
    for(size_t i = 0; k <= n && i <= n - k; i++) {
        if(strncasecmp(s + i, w, k))
            continue;
        if(i && (idch(s[i - 1]) || (!dot_ok && s[i - 1] == '.')))
            continue;
        if(i + k < n && idch(s[i + k]))
            continue;
        return s + i + k;
    }
    return NULL;
}

void vbs_list_add(struct vbs_list *l, const char *s, size_t n)
{
    if(n > VBS_MAX_ITEM)
        n = VBS_MAX_ITEM;
    for(size_t i = 0; i < l->n; i++)
        if(strlen(l->v[i]) == n && !memcmp(l->v[i], s, n))
            return;
    if(l->n >= VBS_MAX_LIST)
        return;
    char *c = malloc(n + 1);
    if(!c)
        return;
    memcpy(c, s, n);
    c[n] = 0;
    for(size_t i = 0; i < n; i++)      /* keep lists printable */
        if((unsigned char)c[i] < 0x20)
            c[i] = ' ';
    l->v[l->n++] = c;
}

static void list_free(struct vbs_list *l)
{
    for(size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    l->n = 0;
}

void vbascan_init(struct vbascan *v)
{
    memset(v, 0, sizeof(*v));
}

static void vars_clear(struct vbascan *v)
{
    for(size_t i = 0; i < v->n_vars; i++) {
        free(v->vars[i].name);
        free(v->vars[i].val);
    }
    free(v->vars);
    v->vars = NULL;
    v->n_vars = 0;
}

void vbascan_free(struct vbascan *v)
{
    list_free(&v->triggers);
    list_free(&v->actions);
    list_free(&v->iocs);
    list_free(&v->targets);
    vars_clear(v);
}

static struct vbs_var *var_get(struct vbascan *v, const char *name, size_t n)
{
    for(size_t i = 0; i < v->n_vars; i++)
        if(strlen(v->vars[i].name) == n &&
           !strncasecmp(v->vars[i].name, name, n))
            return &v->vars[i];
    return NULL;
}

static void var_del(struct vbascan *v, const char *name, size_t n)
{
    struct vbs_var *x = var_get(v, name, n);
    if(!x)
        return;
    free(x->name);
    free(x->val);
    *x = v->vars[--v->n_vars];
}

/* ---- values and the evaluator ------------------------------------------ */

struct val {
    bool is_str;
    char *s;         /* owned when is_str */
    size_t n;
    double num;
};

static void val_free(struct val *x)
{
    free(x->s);
    x->s = NULL;
    x->n = 0;
}

static bool val_str(struct val *x, const char *s, size_t n)
{
    if(n > VBS_MAX_VAL)
        n = VBS_MAX_VAL;
    x->is_str = true;
    x->s = malloc(n + 1);
    if(!x->s)
        return false;
    memcpy(x->s, s, n);
    x->s[n] = 0;
    x->n = n;
    return true;
}

/* Turn a number into its text (as VBA's CStr does for integers). */
static bool val_to_str(struct val *x)
{
    if(x->is_str)
        return true;
    char t[48];
    if(x->num == (double)(long long)x->num)
        snprintf(t, sizeof(t), "%lld", (long long)x->num);
    else
        snprintf(t, sizeof(t), "%g", x->num);
    return val_str(x, t, strlen(t));
}

static bool val_concat(struct val *a, struct val *b)
{
    if(!val_to_str(a) || !val_to_str(b))
        return false;
    size_t n = a->n + b->n;
    if(n > VBS_MAX_VAL)
        n = VBS_MAX_VAL;
    char *s = realloc(a->s, n + 1);
    if(!s)
        return false;
    memcpy(s + a->n, b->s, n - a->n);
    s[n] = 0;
    a->s = s;
    a->n = n;
    val_free(b);
    return true;
}

struct ev {
    struct vbascan *v;
    const char *s;
    size_t n, i;
    bool xlm;
    unsigned depth;
    unsigned ops;        /* functions and operators folded */
};

static void sp(struct ev *e)
{
    while(e->i < e->n && (e->s[e->i] == ' ' || e->s[e->i] == '\t'))
        e->i++;
}

static bool expr_concat(struct ev *e, struct val *out);

/* A "..." literal ("" is a quote) at e->i: measured, then copied. */
static bool lit_string(struct ev *e, struct val *out)
{
    size_t j = e->i + 1, k = 0;
    for(;; j++, k++) {
        if(j >= e->n)
            return false;
        if(e->s[j] == '"') {
            if(j + 1 < e->n && e->s[j + 1] == '"')
                j++;
            else
                break;
        }
    }
    if(k > VBS_MAX_VAL)
        k = VBS_MAX_VAL;
    char *t = malloc(k + 1);
    if(!t)
        return false;
    size_t w = 0;
    for(size_t i = e->i + 1; i < j && w < k; i++) {
        t[w++] = e->s[i];
        if(e->s[i] == '"')
            i++;
    }
    t[w] = 0;
    e->i = j + 1;
    out->is_str = true;
    out->s = t;
    out->n = w;
    return true;
}

static bool lit_number(struct ev *e, struct val *out)
{
    const char *p = e->s + e->i;
    size_t left = e->n - e->i;
    double v = 0;
    size_t j = 0;
    if(left >= 3 && p[0] == '&' && (p[1] == 'H' || p[1] == 'h') &&
       isxdigit((unsigned char)p[2])) {
        for(j = 2; j < left && j < 18 && isxdigit((unsigned char)p[j]); j++)
            v = v * 16 + (isdigit((unsigned char)p[j]) ? p[j] - '0'
                          : (tolower((unsigned char)p[j]) - 'a' + 10));
    } else if(isdigit((unsigned char)p[0])) {
        for(; j < left && j < 24 && isdigit((unsigned char)p[j]); j++)
            v = v * 10 + (p[j] - '0');
        if(j < left && p[j] == '.' && j + 1 < left &&
           isdigit((unsigned char)p[j + 1])) {
            double f = 0.1;
            for(j++; j < left && isdigit((unsigned char)p[j]); j++, f /= 10)
                v += (p[j] - '0') * f;
        }
    } else {
        return false;
    }
    if(j < left && (p[j] == '&' || p[j] == '#' || p[j] == '!' ||
                    p[j] == '%'))
        j++;     /* type suffixes: 65&, 1.5# */
    e->i += j;
    out->is_str = false;
    out->s = NULL;
    out->num = v;
    return true;
}

/* Comma-separated arguments of a call, after its '(' was consumed. */
static size_t call_args(struct ev *e, struct val *a, size_t max)
{
    size_t k = 0;
    for(;;) {
        sp(e);
        if(k == max || !expr_concat(e, &a[k]))
            goto bad;
        k++;
        sp(e);
        if(e->i < e->n && e->s[e->i] == ',') {
            e->i++;
            continue;
        }
        if(e->i < e->n && e->s[e->i] == ')') {
            e->i++;
            return k;
        }
        goto bad;
    }
bad:
    for(size_t j = 0; j < k; j++)
        val_free(&a[j]);
    return 0;
}

static bool is_fn(const char *name, size_t n, const char *fn)
{
    size_t k = strlen(fn);
    if(n == k + 1 && name[k] == '$')
        n = k;
    return n == k && !strncasecmp(name, fn, k);
}

/* Replace every `a` by `b` in x (case-sensitive, as Replace's default). */
static bool str_replace(struct val *x, const struct val *a,
                        const struct val *b)
{
    if(!a->n)
        return true;
    char *t = malloc(VBS_MAX_VAL + 1);
    if(!t)
        return false;
    size_t k = 0;
    for(size_t i = 0; i < x->n && k < VBS_MAX_VAL;) {
        if(i + a->n <= x->n && !memcmp(x->s + i, a->s, a->n)) {
            size_t c = b->n < VBS_MAX_VAL - k ? b->n : VBS_MAX_VAL - k;
            memcpy(t + k, b->s, c);
            k += c;
            i += a->n;
        } else {
            t[k++] = x->s[i++];
        }
    }
    t[k] = 0;
    free(x->s);
    x->s = t;
    x->n = k;
    return true;
}

/* A name (dotted) at e->i: a function we fold, or a known variable. */
static bool ident(struct ev *e, struct val *out)
{
    size_t st = e->i, last = e->i;
    while(e->i < e->n && (idch(e->s[e->i]) || e->s[e->i] == '.' ||
                          e->s[e->i] == '$')) {
        if(e->s[e->i] == '.')
            last = e->i + 1;
        e->i++;
    }
    const char *name = e->s + last;
    size_t nl = e->i - last;
    bool dotted = last != st;
    size_t save = e->i;
    sp(e);
    if(e->i < e->n && e->s[e->i] == '(') {
        e->i++;
        struct val a[4] = { 0 };
        bool chr = is_fn(name, nl, "chr") || is_fn(name, nl, "chrw") ||
                   is_fn(name, nl, "chrb") || (e->xlm &&
                                               is_fn(name, nl, "char"));
        bool known = chr || is_fn(name, nl, "strreverse") ||
            is_fn(name, nl, "replace") || is_fn(name, nl, "lcase") ||
            is_fn(name, nl, "ucase") || is_fn(name, nl, "environ") ||
            is_fn(name, nl, "specialfolders") || is_fn(name, nl, "cstr") ||
            (e->xlm && (is_fn(name, nl, "lower") ||
                        is_fn(name, nl, "upper")));
        if(!known || (dotted && !is_fn(name, nl, "specialfolders") &&
                      !is_fn(name, nl, "strreverse") &&
                      !is_fn(name, nl, "chr") && !is_fn(name, nl, "environ")))
            return false;
        size_t k = call_args(e, a, 4);
        if(!k)
            return false;
        bool ok = false;
        if(chr && k == 1) {
            double c = a[0].num;
            if(a[0].is_str)
                c = strtod(a[0].s, NULL);
            val_free(&a[0]);
            if(c >= 0 && c < 0x110000) {
                unsigned u = (unsigned)c;
                char t[4];
                size_t tn;
                if(u < 0x80) {
                    t[0] = (char)(u ? u : ' ');
                    tn = 1;
                } else if(u < 0x800) {
                    t[0] = (char)(0xC0 | (u >> 6));
                    t[1] = (char)(0x80 | (u & 0x3F));
                    tn = 2;
                } else {
                    t[0] = (char)(0xE0 | ((u >> 12) & 0x0F));
                    t[1] = (char)(0x80 | ((u >> 6) & 0x3F));
                    t[2] = (char)(0x80 | (u & 0x3F));
                    tn = 3;
                }
                ok = val_str(out, t, tn);
                /* tabs, line breaks, spaces and quotes are how benign
                 * code uses Chr; the rest counts towards a chain */
                if(u != 9 && u != 10 && u != 13 && u != 32 && u != 34)
                    e->v->chr_calls++;
            }
        } else if(is_fn(name, nl, "strreverse") && k == 1 &&
                  val_to_str(&a[0])) {
            for(size_t i = 0; i < a[0].n / 2; i++) {
                char c = a[0].s[i];
                a[0].s[i] = a[0].s[a[0].n - 1 - i];
                a[0].s[a[0].n - 1 - i] = c;
            }
            *out = a[0];
            a[0].s = NULL;
            e->v->seen |= VBS_OBF_STRREV;
            ok = true;
        } else if(is_fn(name, nl, "replace") && k == 3 &&
                  val_to_str(&a[0]) && val_to_str(&a[1]) &&
                  val_to_str(&a[2])) {
            ok = str_replace(&a[0], &a[1], &a[2]);
            if(ok) {
                *out = a[0];
                a[0].s = NULL;
                e->v->seen |= VBS_OBF_REPLACE;
            }
        } else if((is_fn(name, nl, "lcase") || is_fn(name, nl, "ucase") ||
                   is_fn(name, nl, "lower") || is_fn(name, nl, "upper")) &&
                  k == 1 && val_to_str(&a[0])) {
            bool up = is_fn(name, nl, "ucase") || is_fn(name, nl, "upper");
            for(size_t i = 0; i < a[0].n; i++)
                a[0].s[i] = (char)(up ? toupper((unsigned char)a[0].s[i])
                                      : tolower((unsigned char)a[0].s[i]));
            *out = a[0];
            a[0].s = NULL;
            ok = true;
        } else if((is_fn(name, nl, "environ") ||
                   is_fn(name, nl, "specialfolders")) && k == 1 &&
                  val_to_str(&a[0])) {
            char t[80];
            snprintf(t, sizeof(t), "%%%.*s%%",
                     (int)(a[0].n < 64 ? a[0].n : 64), a[0].s);
            ok = val_str(out, t, strlen(t));
            e->v->seen |= VBS_ENVIRON;
        } else if(is_fn(name, nl, "cstr") && k == 1 && val_to_str(&a[0])) {
            *out = a[0];
            a[0].s = NULL;
            ok = true;
        }
        for(size_t j = 0; j < k; j++)
            val_free(&a[j]);
        if(ok)
            e->ops++;
        return ok;
    }
    e->i = save;
    if(dotted)
        return false;
    struct vbs_var *x = var_get(e->v, name, nl);
    if(!x)
        return false;
    e->ops++;
    if(x->is_str)
        return val_str(out, x->val, x->len);
    out->is_str = false;
    out->s = NULL;
    out->num = x->num;
    return true;
}

static bool primary(struct ev *e, struct val *out)
{
    sp(e);
    if(e->i >= e->n || ++e->depth > MAX_DEPTH)
        return false;
    bool ok = false;
    char c = e->s[e->i];
    if(c == '"') {
        ok = lit_string(e, out);
    } else if(isdigit((unsigned char)c) || c == '&') {
        ok = lit_number(e, out);
    } else if(c == '(') {
        size_t save = e->i;
        e->i++;
        ok = expr_concat(e, out);
        sp(e);
        if(ok && e->i < e->n && e->s[e->i] == ')') {
            e->i++;
        } else {
            if(ok)
                val_free(out);
            ok = false;
            e->i = save;
        }
    } else if(c == '-') {
        e->i++;
        ok = primary(e, out);
        if(ok && out->is_str) {
            val_free(out);
            ok = false;
        }
        if(ok)
            out->num = -out->num;
    } else if(isalpha((unsigned char)c) || c == '_') {
        ok = ident(e, out);
    }
    e->depth--;
    return ok;
}

static bool kw_at(struct ev *e, const char *kw)
{
    size_t k = strlen(kw);
    return e->i + k <= e->n && !strncasecmp(e->s + e->i, kw, k) &&
           (e->i + k == e->n || !idch(e->s[e->i + k]));
}

static bool expr_mul(struct ev *e, struct val *out)
{
    if(!primary(e, out))
        return false;
    for(;;) {
        size_t save = e->i;
        sp(e);
        int op = 0;
        if(e->i < e->n && strchr("*/\\", e->s[e->i]) && e->s[e->i]) {
            op = e->s[e->i];
            e->i++;
        } else if(kw_at(e, "mod")) {
            op = 'm';
            e->i += 3;
        } else if(kw_at(e, "xor")) {
            op = 'x';
            e->i += 3;
        }
        struct val b = { 0 };
        if(!op || out->is_str || !primary(e, &b) || b.is_str) {
            val_free(&b);
            e->i = save;
            return true;
        }
        long long x = (long long)out->num, y = (long long)b.num;
        switch(op) {
        case '*': out->num *= b.num; break;
        case '/': out->num = b.num ? out->num / b.num : 0; break;
        case '\\': out->num = y ? (double)(x / y) : 0; break;
        case 'm': out->num = y ? (double)(x % y) : 0; break;
        default: out->num = (double)(x ^ y); break;
        }
        e->ops++;
    }
}

static bool expr_add(struct ev *e, struct val *out)
{
    if(!expr_mul(e, out))
        return false;
    for(;;) {
        size_t save = e->i;
        sp(e);
        if(e->i >= e->n || (e->s[e->i] != '+' && e->s[e->i] != '-'))
            return true;
        char op = e->s[e->i++];
        struct val b = { 0 };
        if(!expr_mul(e, &b)) {
            e->i = save;
            return true;
        }
        if(op == '+' && (out->is_str || b.is_str)) {
            if(!val_concat(out, &b)) {
                val_free(&b);
                return true;
            }
            e->v->concats++;
        } else if(!out->is_str && !b.is_str) {
            out->num = op == '+' ? out->num + b.num : out->num - b.num;
        } else {
            val_free(&b);
            e->i = save;
            return true;
        }
        e->ops++;
    }
}

static bool expr_concat(struct ev *e, struct val *out)
{
    if(!expr_add(e, out))
        return false;
    for(;;) {
        size_t save = e->i;
        sp(e);
        if(e->i >= e->n || e->s[e->i] != '&' ||
           (e->i + 1 < e->n && (e->s[e->i + 1] == 'H' ||
                                e->s[e->i + 1] == 'h')))
            return true;
        e->i++;
        struct val b = { 0 };
        if(!expr_add(e, &b)) {
            e->i = save;
            return true;
        }
        if(!val_concat(out, &b)) {
            val_free(&b);
            return true;
        }
        e->v->concats++;
        e->ops++;
    }
}

/* ---- rewriting a statement ---------------------------------------------- */

static bool put(struct val *o, const char *s, size_t n)
{
    if(o->n + n > 2 * VBS_MAX_STMT)
        return false;
    memcpy(o->s + o->n, s, n);
    o->n += n;
    return true;
}

static void put_quoted(struct val *o, const struct val *x)
{
    put(o, "\"", 1);
    for(size_t i = 0; i < x->n; i++) {
        if(x->s[i] == '"')
            put(o, "\"\"", 2);
        else
            put(o, x->s[i] ? x->s + i : " ", 1);
    }
    put(o, "\"", 1);
}

static const char *const not_vars[] = {
    "if", "elseif", "while", "do", "loop", "until", "for", "select", "case",
    "call", "return", "then", "else", "with", "each", "next", "to", "not",
    "and", "or", "sub", "function", "end", "exit", "goto", "on", "print",
    "debug", "msgbox", NULL,
};

/* Is s[0..n) "[Set|Let|Const|Private Const...] NAME [As T] = ..."?  Then
 * name and nl give NAME, and the RHS starts at the returned offset (0: no). */
static size_t assignment(const char *s, size_t n, const char **name,
                         size_t *nl, bool *dotted)
{
    size_t i = 0;
    static const char *const lead[] = { "set ", "let ", "private ",
                                        "public ", "global ", "const ",
                                        "dim ", "static ", NULL };
    for(bool again = true; again;) {
        again = false;
        for(size_t k = 0; lead[k]; k++) {
            size_t l = strlen(lead[k]);
            if(i + l <= n && !strncasecmp(s + i, lead[k], l)) {
                i += l;
                while(i < n && s[i] == ' ')
                    i++;
                again = true;
            }
        }
    }
    size_t st = i;
    *dotted = false;
    while(i < n && (idch(s[i]) || s[i] == '.' || s[i] == '$')) {
        if(s[i] == '.')
            *dotted = true;
        i++;
    }
    if(i == st || !isalpha((unsigned char)s[st]))
        return 0;
    *name = s + st;
    *nl = i - st;
    for(size_t k = 0; not_vars[k]; k++)
        if(strlen(not_vars[k]) == *nl && !strncasecmp(*name, not_vars[k], *nl))
            return 0;
    while(i < n && s[i] == ' ')
        i++;
    if(i + 3 < n && !strncasecmp(s + i, "as ", 3)) {
        i += 3;
        while(i < n && (idch(s[i]) || s[i] == ' ' || s[i] == '.'))
            i++;
    }
    if(i < n && s[i] == '=' && (i + 1 >= n || s[i + 1] != '='))
        return i + 1;
    return 0;
}

/* Rewrite s[from..n) into o, folding what evaluates to a string. */
static void rewrite_span(struct vbascan *v, const char *s, size_t n,
                         size_t from, bool xlm, struct val *o)
{
    struct ev e = { .v = v, .s = s, .n = n, .i = from, .xlm = xlm };
    while(e.i < n) {
        char c = s[e.i];
        bool start = c == '"' ||
            ((isalpha((unsigned char)c) || c == '_') &&
             (e.i == 0 || (!idch(s[e.i - 1]) && s[e.i - 1] != '.')));
        if(start) {
            size_t st = e.i;
            struct val x = { 0 };
            e.ops = 0;
            e.depth = 0;
            if(primary(&e, &x)) {
                e.i = st;
                val_free(&x);
                if(expr_concat(&e, &x) && x.is_str) {
                    put_quoted(o, &x);
                    val_free(&x);
                    continue;
                }
                val_free(&x);
            }
            e.i = st;
            if(c == '"') {            /* unterminated: copy the rest */
                put(o, s + e.i, n - e.i);
                return;
            }
            while(e.i < n && (idch(s[e.i]) || s[e.i] == '$' ||
                              s[e.i] == '.'))
                e.i++;
            put(o, s + st, e.i - st);
            continue;
        }
        put(o, &c, 1);
        e.i++;
    }
}

/* Rewrite one statement, updating the variables on an assignment. */
static char *rewrite(struct vbascan *v, const char *s, size_t n, bool xlm,
                     size_t *out_n)
{
    struct val o = { 0 };
    o.s = malloc(2 * VBS_MAX_STMT + 1);
    if(!o.s)
        return NULL;
    const char *name = NULL;
    size_t nl = 0, rhs = 0;
    bool dotted = false;
    if(!xlm)
        rhs = assignment(s, n, &name, &nl, &dotted);
    if(rhs && !dotted) {
        /* the whole right-hand side must evaluate to be remembered */
        struct ev e = { .v = v, .s = s, .n = n, .i = rhs, .xlm = xlm };
        struct val x = { 0 };
        bool full = expr_concat(&e, &x);
        sp(&e);
        if(full && e.i == n) {
            struct vbs_var *var = var_get(v, name, nl);
            if(!var && v->n_vars < VBS_MAX_VARS) {
                void *g = realloc(v->vars, (v->n_vars + 1) * sizeof(*var));
                if(g) {
                    v->vars = g;
                    var = &v->vars[v->n_vars];
                    memset(var, 0, sizeof(*var));
                    if((var->name = strndup(name, nl)))
                        v->n_vars++;
                    else
                        var = NULL;
                }
            } else if(!var) {
                v->truncated = true;
            }
            if(var) {
                free(var->val);
                var->val = NULL;
                var->is_str = x.is_str;
                var->num = x.num;
                var->len = 0;
                if(x.is_str) {
                    var->val = x.s;
                    var->len = x.n;
                    x.s = NULL;
                }
            }
        } else {
            var_del(v, name, nl);
        }
        val_free(&x);
    }
    if(rhs) {
        put(&o, s, rhs);
        rewrite_span(v, s, n, rhs, xlm, &o);
    } else {
        rewrite_span(v, s, n, 0, xlm, &o);
    }
    o.s[o.n] = 0;
    *out_n = o.n;
    return o.s;
}

char *vbascan_rewrite(struct vbascan *v, const char *stmt, size_t n)
{
    size_t on;
    if(n > VBS_MAX_STMT)
        n = VBS_MAX_STMT;
    return rewrite(v, stmt, n, false, &on);
}

/* ---- matching ------------------------------------------------------------ */

static const char *const exe_exts[] = {
    ".exe", ".dll", ".scr", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js",
    ".jse", ".hta", ".lnk", ".pif", ".msi", ".wsf", ".jar", ".cpl", NULL,
};

/* Whether s[0..n) names an executable (an extension at a word end). */
static bool names_exe(const char *s, size_t n)
{
    for(size_t k = 0; exe_exts[k]; k++) {
        size_t l = strlen(exe_exts[k]);
        for(const char *p = s; (p = memcasestr(p, n - (size_t)(p - s),
                                               exe_exts[k])); p++) {
            size_t end = (size_t)(p - s) + l;
            if(p > s && idch(p[-1]) && (end == n || !idch(s[end])))
                return true;
        }
    }
    return false;
}

static bool names_startup(const char *s, size_t n)
{
    return memcasestr(s, n, "\\start menu\\programs\\startup") ||
           memcasestr(s, n, "%startup%") || memcasestr(s, n, "shell:startup") ||
           memcasestr(s, n, "/start menu/programs/startup");
}

/* Collect the indicators in one literal. */
static void iocs_in(struct vbascan *v, const char *s, size_t n)
{
    static const char *const schemes[] = { "http://", "https://", "ftp://",
                                           NULL };
    for(size_t k = 0; schemes[k]; k++) {
        for(const char *p = s; (p = memcasestr(p, n - (size_t)(p - s),
                                               schemes[k]));) {
            const char *q = p;
            while(q < s + n && (unsigned char)*q > 0x20 && *q != '"' &&
                  *q != '\'' && *q != '<' && *q != '>')
                q++;
            if((size_t)(q - p) > strlen(schemes[k]) + 2) {
                vbs_list_add(&v->iocs, p, (size_t)(q - p));
                const char *h = p + strlen(schemes[k]), *he = h;
                while(he < q && *he != '/' && *he != ':' && *he != '?')
                    he++;
                if(he > h)
                    vbs_list_add(&v->iocs, h, (size_t)(he - h));
            }
            p = q;
        }
    }
    /* dotted quads */
    for(size_t i = 0; i < n; i++) {
        if(!isdigit((unsigned char)s[i]) || (i && (isdigit((unsigned char)
                                                   s[i - 1]) || s[i - 1] == '.')))
            continue;
        size_t j = i;
        int parts = 0;
        bool ok = true;
        for(; parts < 4; parts++) {
            size_t st = j;
            unsigned val = 0;
            while(j < n && isdigit((unsigned char)s[j]) && j - st < 4)
                val = val * 10 + (unsigned)(s[j++] - '0');
            if(j == st || j - st > 3 || val > 255) {
                ok = false;
                break;
            }
            if(parts < 3) {
                if(j >= n || s[j] != '.') {
                    ok = false;
                    break;
                }
                j++;
            }
        }
        if(ok && (j >= n || (!isdigit((unsigned char)s[j]) && s[j] != '.')) &&
           s[i] != '0')
            vbs_list_add(&v->iocs, s + i, j - i);
        i = j;
    }
    /* file names with an executable's extension */
    for(size_t k = 0; exe_exts[k]; k++) {
        size_t l = strlen(exe_exts[k]);
        for(const char *p = s; (p = memcasestr(p, n - (size_t)(p - s),
                                               exe_exts[k])); p++) {
            size_t end = (size_t)(p - s) + l;
            if(p == s || !idch(p[-1]) || (end < n && idch(s[end])))
                continue;
            const char *b = p;
            while(b > s && b[-1] != '\\' && b[-1] != '/' && b[-1] != ' ' &&
                  b[-1] != '%' && b[-1] != ':' && b[-1] != '"' && b[-1] != '=')
                b--;
            if(b < p)
                vbs_list_add(&v->iocs, b, end - (size_t)(b - s));
        }
    }
}

/* Long base64 or hex runs in one literal. */
static void blobs_in(struct vbascan *v, const char *s, size_t n)
{
    size_t run = 0, hex = 0;
    bool up = false, lo = false, dig = false;
    for(size_t i = 0; i <= n; i++) {
        char c = i < n ? s[i] : 0;
        bool b64 = isalnum((unsigned char)c) || c == '+' || c == '/' ||
                   c == '=';
        hex = isxdigit((unsigned char)c) ? hex + 1 : 0;
        if(hex >= 100)
            v->seen |= VBS_OBF_HEX;
        if(b64) {
            run++;
            up |= isupper((unsigned char)c) != 0;
            lo |= islower((unsigned char)c) != 0;
            dig |= isdigit((unsigned char)c) != 0;
            continue;
        }
        if(run >= 100 && up && lo && dig)
            v->seen |= VBS_OBF_BASE64;
        run = 0;
        up = lo = dig = false;
    }
}

static const char *const auto_exact[] = {
    "auto_open", "autoopen", "auto_close", "autoclose", "autoexec",
    "autoexit", "autonew", "document_open", "documentopen", "document_close",
    "documentclose", "document_new", "documentnew", "workbook_open",
    "workbook_activate", "workbook_beforeclose", "workbook_close",
    "auto_exec", NULL,
};
static const char *const auto_suffix[] = {
    "_open", "_activate", "_layout", "_resize", "_gotfocus", "_lostfocus",
    "_painted", "_beforeclose", "_mousemove", "_mouseenter", NULL,
};

static bool is_trigger(const char *name, size_t n)
{
    for(size_t k = 0; auto_exact[k]; k++)
        if(strlen(auto_exact[k]) == n && !strncasecmp(name, auto_exact[k], n))
            return true;
    for(size_t k = 0; auto_suffix[k]; k++) {
        size_t l = strlen(auto_suffix[k]);
        if(n > l && !strncasecmp(name + n - l, auto_suffix[k], l))
            return true;
    }
    return false;
}

static const char *const inject_apis[] = {
    "virtualalloc", "virtualallocex", "virtualprotect", "rtlmovememory",
    "createthread", "createremotethread", "writeprocessmemory",
    "enumsystemlanguagegroupsw", "enumsystemlocalesa", "callwindowproca",
    "ntallocatevirtualmemory", NULL,
};

static bool in_list(const char *s, size_t n, const char *const *l)
{
    for(size_t k = 0; l[k]; k++)
        if(memcasestr(s, n, l[k]))
            return true;
    return false;
}

/* The literals of a rewritten statement: starts and lengths of their
 * contents (quotes doubled inside), and the code with them blanked. */
struct lits {
    size_t st[64], len[64];
    size_t n;
};

static void split_lits(char *code, size_t n, const char *r, struct lits *l)
{
    l->n = 0;
    for(size_t i = 0; i < n; i++) {
        if(r[i] != '"')
            continue;
        size_t j = i + 1;
        while(j < n && !(r[j] == '"' && (j + 1 >= n || r[j + 1] != '"')))
            j += r[j] == '"' ? 2 : 1;
        if(j > n)
            j = n;
        if(l->n < 64) {
            l->st[l->n] = i + 1;
            l->len[l->n] = j - i - 1;
            l->n++;
        }
        memset(code + i + 1, ' ', j - i - 1);
        i = j;
    }
}

static void target(struct vbascan *v, const char *r, const struct lits *l,
                   size_t upto, uint32_t exe_bit, uint32_t startup_bit)
{
    bool any = false;
    for(size_t k = 0; k < l->n; k++) {
        if(l->st[k] > upto)
            break;
        const char *s = r + l->st[k];
        size_t n = l->len[k];
        if(n < 2)
            continue;
        any = true;
        vbs_list_add(&v->targets, s, n);
        if(names_exe(s, n))
            v->seen |= exe_bit;
        if(startup_bit && names_startup(s, n))
            v->seen |= startup_bit;
    }
    if(!any && startup_bit)
        v->seen |= VBS_WRITE_BLIND;
}

/* Match one rewritten statement. */
static void match(struct vbascan *v, const char *r, size_t n, bool xlm)
{
    char *code = malloc(n + 1);
    struct lits l;
    if(!code)
        return;
    memcpy(code, r, n);
    code[n] = 0;
    split_lits(code, n, r, &l);

    for(size_t k = 0; k < l.n; k++) {
        const char *s = r + l.st[k];
        size_t sn = l.len[k];
        iocs_in(v, s, sn);
        blobs_in(v, s, sn);
        if(names_startup(s, sn))
            v->seen |= VBS_STARTUP_STR;
        if(names_exe(s, sn))
            v->seen |= VBS_EXE_STR;
        if(memcasestr(s, sn, "wscript.shell") ||
           memcasestr(s, sn, "shell.application"))
            v->seen |= VBS_WSH;
        if(memcasestr(s, sn, "win32_process"))
            v->seen |= VBS_RUN;
        if(memcasestr(s, sn, "powershell"))
            v->seen |= VBS_POWERSHELL;
        if(memcasestr(s, sn, "xmlhttp") || memcasestr(s, sn, "winhttp") ||
           memcasestr(s, sn, "internetexplorer.application") ||
           memcasestr(s, sn, "urldownloadtofile") ||
           memcasestr(s, sn, "net.webclient") ||
           memcasestr(s, sn, "downloadfile") ||
           memcasestr(s, sn, "downloadstring") ||
           memcasestr(s, sn, "bitsadmin") ||
           memcasestr(s, sn, "-urlcache"))
            v->seen |= VBS_DOWNLOAD;
        if(memcasestr(s, sn, "currentversion\\run"))
            v->seen |= VBS_REGRUN;
        if(memcasestr(s, sn, "shellexecute"))
            v->seen |= VBS_RUN;
        if(in_list(s, sn, inject_apis) && xlm)
            v->seen |= VBS_INJECT;
        if(xlm && (memcasestr(s, sn, "exec(") || memcasestr(s, sn, "call(")))
            v->seen |= memcasestr(s, sn, "exec(") ? VBS_RUN : VBS_XLM_CALL;
    }

    /* skip a label "name:" and leading blanks */
    const char *c = code;
    size_t cn = n;
    while(cn && (*c == ' ' || *c == '\t')) {
        c++;
        cn--;
    }
    if(xlm) {
        if(cn && *c == '=') {
            c++;
            cn--;
        }
        const char *p;
        if(find_word(c, cn, "exec", true)) {
            v->seen |= VBS_RUN;
            target(v, r, &l, n, VBS_RUN_EXE, 0);
        }
        if(find_word(c, cn, "call", true) || find_word(c, cn, "register",
                                                       true))
            v->seen |= VBS_XLM_CALL;
        if((p = find_word(c, cn, "fopen", true))) {
            v->seen |= VBS_WRITE;
            target(v, r, &l, n, VBS_WRITE_EXE, VBS_WRITE_STARTUP);
        }
        if(find_word(c, cn, "char", true))
            v->chr_calls++;
        free(code);
        return;
    }

    /* declarations */
    const char *w = c;
    size_t wn = cn;
    static const char *const mods[] = { "private ", "public ", "friend ",
                                        "static ", NULL };
    for(bool again = true; again;) {
        again = false;
        for(size_t k = 0; mods[k]; k++) {
            size_t ml = strlen(mods[k]);
            if(wn > ml && !strncasecmp(w, mods[k], ml)) {
                w += ml;
                wn -= ml;
                while(wn && *w == ' ') {
                    w++;
                    wn--;
                }
                again = true;
            }
        }
    }
    if((wn > 4 && !strncasecmp(w, "sub ", 4)) ||
       (wn > 9 && !strncasecmp(w, "function ", 9))) {
        const char *nm = w + (tolower((unsigned char)*w) == 's' ? 4 : 9);
        while(nm < w + wn && *nm == ' ')
            nm++;
        const char *ne = nm;
        while(ne < w + wn && idch(*ne))
            ne++;
        if(ne > nm && is_trigger(nm, (size_t)(ne - nm))) {
            v->seen |= VBS_TRIGGER;
            vbs_list_add(&v->triggers, nm, (size_t)(ne - nm));
        }
    } else if(wn > 8 && !strncasecmp(w, "declare ", 8)) {
        v->seen |= VBS_DECLARE;
        if(in_list(r, n, inject_apis))
            v->seen |= VBS_INJECT;
        if(memcasestr(r, n, "urldownloadtofile"))
            v->seen |= VBS_DOWNLOAD;
        if(memcasestr(r, n, "shellexecute") || memcasestr(r, n, "winexec") ||
           memcasestr(r, n, "createprocess"))
            v->seen |= VBS_RUN;
    }

    /* writes */
    const char *p;
    if(cn > 5 && !strncasecmp(c, "open ", 5) && (p = find_word(c, cn, "for",
                                                               false))) {
        const char *m = p;
        while(m < c + cn && *m == ' ')
            m++;
        size_t left = (size_t)(c + cn - m);
        if(((left >= 6 && !strncasecmp(m, "binary", 6)) ||
            (left >= 6 && !strncasecmp(m, "output", 6)) ||
            (left >= 6 && !strncasecmp(m, "append", 6)) ||
            (left >= 6 && !strncasecmp(m, "random", 6))) &&
           !memcasestr(m, left, "access read ") &&
           !(memcasestr(m, left, "access read") &&
             !memcasestr(m, left, "access read write"))) {
            v->seen |= VBS_WRITE;
            target(v, r, &l, (size_t)(p - code), VBS_WRITE_EXE,
                   VBS_WRITE_STARTUP);
        }
    }
    if(find_word(c, cn, "filecopy", false) ||
       find_word(c, cn, "savetofile", true) ||
       find_word(c, cn, "createtextfile", true) ||
       find_word(c, cn, "copyfile", true) ||
       find_word(c, cn, "movefile", true) ||
       find_word(c, cn, "copyhere", true) ||
       find_word(c, cn, "movehere", true)) {
        v->seen |= VBS_WRITE;
        target(v, r, &l, n, VBS_WRITE_EXE, VBS_WRITE_STARTUP);
    }

    /* runs */
    if((p = find_word(c, cn, "shell", false))) {
        const char *q = p;
        while(q < c + cn && *q == ' ')
            q++;
        bool before_ok = p - 5 == c || p[-6] != '.' ||
                         (p - 9 >= c && !strncasecmp(p - 9, "vba.", 4));
        if(before_ok && q < c + cn && (*q == '(' || *q == '"' ||
                                      idch(*q))) {
            v->seen |= VBS_RUN;
            target(v, r, &l, n, VBS_RUN_EXE, 0);
        }
    }
    if(find_word(c, cn, "run", true) || find_word(c, cn, "exec", true) ||
       find_word(c, cn, "shellexecute", true)) {
        /* a method call: counts once a shell object is known */
        const char *q = memcasestr(c, cn, ".run");
        if(!q)
            q = memcasestr(c, cn, ".exec");
        if(!q)
            q = memcasestr(c, cn, ".shellexecute");
        if(q && !memcasestr(c, cn, "application.run")) {
            v->method_runs++;
            uint32_t before = v->seen;
            target(v, r, &l, n, VBS_RUN_EXE, 0);
            if(!(before & VBS_RUN_EXE) && (v->seen & VBS_RUN_EXE)) {
                v->seen &= ~(uint32_t)VBS_RUN_EXE;
                v->method_run_exe = true;
            }
        }
    }
    if(find_word(c, cn, "shellexecute", true) ||
       find_word(c, cn, "macscript", true))
        v->seen |= VBS_RUN;
    if(find_word(c, cn, "callbyname", false))
        v->seen |= VBS_CALLBYNAME;
    if(find_word(c, cn, "urldownloadtofile", true) ||
       find_word(c, cn, "urldownloadtofilea", true))
        v->seen |= VBS_DOWNLOAD;
    if(find_word(c, cn, "environ", false) || find_word(c, cn, "environ$",
                                                       false) ||
       find_word(c, cn, "specialfolders", true))
        v->seen |= VBS_ENVIRON;
    if(find_word(c, cn, "regwrite", true) && (v->seen & VBS_REGRUN))
        v->seen |= VBS_REGRUN;
    size_t amp = 0;
    for(size_t i = 0; i < cn; i++)
        amp += c[i] == '&';
    if(amp >= 40)
        v->seen |= VBS_OBF_CONCAT;
    free(code);
}

/* ---- cutting modules into statements ----------------------------------- */

static void statement(struct vbascan *v, const char *s, size_t n, bool xlm)
{
    while(n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while(n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    if(!n)
        return;
    if(!xlm && ((n >= 4 && !strncasecmp(s, "rem", 3) &&
                 (s[3] == ' ' || s[3] == '\t')) || (n == 3 &&
                 !strncasecmp(s, "rem", 3))))
        return;
    if(!xlm && n > 10 && !strncasecmp(s, "attribute ", 10))
        return;
    if(n > VBS_MAX_STMT) {
        n = VBS_MAX_STMT;
        v->truncated = true;
    }
    if(v->text_used + n > VBS_MAX_TEXT) {
        v->truncated = true;
        return;
    }
    v->text_used += n;
    v->seen |= xlm ? VBS_XLM : VBS_CODE;
    if(xlm)
        v->xlm_formulas++;
    size_t rn;
    unsigned chr0 = v->chr_calls;
    char *r = rewrite(v, s, n, xlm, &rn);
    if(!r)
        return;
    if(v->chr_calls - chr0 >= 8)      /* a chain spelling a string */
        v->seen |= VBS_OBF_CHR;
    match(v, r, rn, xlm);
    free(r);
}

static void scan_text(struct vbascan *v, const char *src, size_t n, bool xlm)
{
    char *st = malloc(VBS_MAX_STMT + 1);
    if(!st)
        return;
    size_t k = 0;
    bool in_str = false, comment = false;
    for(size_t i = 0; i <= n; i++) {
        char c = i < n ? src[i] : '\n';
        if(c == '\n' || c == '\r') {
            /* a line continuation: " _" at the end of the line */
            size_t e = k;
            while(e && st[e - 1] == ' ')
                e--;
            if(!xlm && !comment && e >= 2 && st[e - 1] == '_' &&
               st[e - 2] == ' ' && !in_str) {
                k = e - 1;
                if(c == '\r' && i + 1 < n && src[i + 1] == '\n')
                    i++;
                continue;
            }
            statement(v, st, k, xlm);
            k = 0;
            in_str = comment = false;
            continue;
        }
        if(comment)
            continue;
        if(c == '"')
            in_str = !in_str;
        if(!xlm && !in_str) {
            if(c == '\'') {
                comment = true;
                continue;
            }
            if(c == ':' && !(i + 1 < n && src[i + 1] == '=')) {
                statement(v, st, k, xlm);
                k = 0;
                continue;
            }
        }
        if(k < VBS_MAX_STMT)
            st[k++] = c;
        else
            v->truncated = true;
    }
    free(st);
}

void vbascan_vba(struct vbascan *v, const char *src, size_t n)
{
    v->modules++;
    scan_text(v, src, n, false);
}

void vbascan_xlm(struct vbascan *v, const char *src, size_t n)
{
    scan_text(v, src, n, true);
}

void vbascan_xlm_auto(struct vbascan *v, const char *name)
{
    char t[VBS_MAX_ITEM];
    snprintf(t, sizeof(t), "%s (XLM)", name);
    v->seen |= VBS_TRIGGER | VBS_XLM;
    vbs_list_add(&v->triggers, t, strlen(t));
}

/* ---- the verdict ------------------------------------------------------- */

static uint32_t effective(const struct vbascan *v)
{
    uint32_t f = v->seen;
    if(f & VBS_WRITE_BLIND) {
        if(f & VBS_STARTUP_STR)
            f |= VBS_WRITE_STARTUP;
        if(f & VBS_EXE_STR)
            f |= VBS_WRITE_EXE;
    }
    if(v->method_runs && (f & VBS_WSH)) {
        f |= VBS_RUN;
        if(v->method_run_exe)
            f |= VBS_RUN_EXE;
    }
    if(!(f & VBS_RUN))
        f &= ~(uint32_t)VBS_RUN_EXE;
    if(v->chr_calls >= 40)
        f |= VBS_OBF_CHR;
    return f;
}

static const struct vbs_rule rules[] = {
    { "doc.macro.startup_drop", KMSG_DOC_EV_STARTUP_DROP, true, VBS_MALICIOUS },
    { "doc.macro.exe_drop", KMSG_DOC_EV_EXE_DROP, true, VBS_MALICIOUS },
    { "doc.macro.download_exec", KMSG_DOC_EV_DOWNLOAD_EXEC, true, VBS_MALICIOUS },
    { "doc.macro.exe_run", KMSG_DOC_EV_EXE_RUN, true, VBS_MALICIOUS },
    { "doc.macro.injection", KMSG_DOC_EV_INJECTION, false, VBS_MALICIOUS },
    { "doc.macro.autoexec_run", KMSG_DOC_EV_AUTOEXEC_RUN, false, VBS_SUSPICIOUS },
    { "doc.macro.autoexec_download", KMSG_DOC_EV_AUTOEXEC_DOWNLOAD, false, VBS_SUSPICIOUS },
    { "doc.macro.autorun_key", KMSG_DOC_EV_AUTORUN_KEY, true, VBS_SUSPICIOUS },
    { "doc.macro.autoexec_api", KMSG_DOC_EV_AUTOEXEC_API, false, VBS_SUSPICIOUS },
    { "doc.macro.obfuscated", KMSG_DOC_EV_OBFUSCATED, false, VBS_SUSPICIOUS },
    { "doc.macro.download_run", KMSG_DOC_EV_DOWNLOAD_RUN, true, VBS_SUSPICIOUS },
    { "doc.macro.exe_write", KMSG_DOC_EV_EXE_WRITE, true, VBS_SUSPICIOUS },
    { "doc.macro.present", KMSG_DOC_EV_MACROS, false, VBS_MACROS },
    { "doc.xlm.present", KMSG_DOC_EV_XLM, false, VBS_MACROS },
};

static bool rule_holds(size_t i, uint32_t f)
{
    bool t = f & VBS_TRIGGER;
    unsigned obf = (unsigned)__builtin_popcount(f & VBS_OBF_ANY &
                                                ~(uint32_t)VBS_OBF_REPLACE);
    switch(i) {
    case 0: return f & VBS_WRITE_STARTUP;
    case 1: return t && (f & VBS_WRITE_EXE);
    case 2: return t && (f & VBS_DOWNLOAD) &&
                   (f & (VBS_RUN | VBS_WRITE_EXE));
    case 3: return t && (f & VBS_RUN_EXE);
    case 4: return t && (f & VBS_INJECT);
    case 5: return t && (f & (VBS_RUN | VBS_POWERSHELL));
    case 6: return t && (f & VBS_DOWNLOAD);
    case 7: return f & VBS_REGRUN;
    case 8: return t && (f & (VBS_XLM_CALL | VBS_CALLBYNAME | VBS_INJECT));
    case 9: return obf >= 2 || ((f & VBS_OBF_ANY) && t &&
                   (f & (VBS_RUN | VBS_DOWNLOAD | VBS_WRITE | VBS_ENVIRON |
                         VBS_CALLBYNAME | VBS_XLM_CALL | VBS_POWERSHELL)));
    case 10: return (f & VBS_DOWNLOAD) && (f & VBS_RUN);
    case 11: return f & VBS_WRITE_EXE;
    case 12: return f & VBS_CODE;
    case 13: return f & VBS_XLM;
    default: return false;
    }
}

size_t vbascan_rules(const struct vbascan *v, const struct vbs_rule **out,
                     size_t max)
{
    uint32_t f = effective(v);
    size_t k = 0;
    for(size_t i = 0; i < sizeof(rules) / sizeof(rules[0]) && k < max; i++)
        if(rule_holds(i, f))
            out[k++] = &rules[i];
    return k;
}

enum vbs_verdict vbascan_verdict(const struct vbascan *v)
{
    const struct vbs_rule *r[1];
    return vbascan_rules(v, r, 1) ? r[0]->verdict : VBS_CLEAN;
}

bool vbascan_flagpro(const struct vbascan *v)
{
    uint32_t f = effective(v);
    return (f & VBS_TRIGGER) && (f & VBS_WRITE_STARTUP) &&
           (f & (VBS_WRITE_EXE | VBS_EXE_STR));
}

size_t vbascan_actions(const struct vbascan *v, const char **out, size_t max)
{
    static const struct { uint32_t bit; const char *name; } names[] = {
        { VBS_WRITE_STARTUP, "write-startup" },
        { VBS_WRITE_EXE, "write-executable" },
        { VBS_WRITE, "write-file" },
        { VBS_RUN_EXE, "run-executable" },
        { VBS_RUN, "run" },
        { VBS_POWERSHELL, "powershell" },
        { VBS_DOWNLOAD, "download" },
        { VBS_REGRUN, "registry-run-key" },
        { VBS_INJECT, "memory-api" },
        { VBS_XLM_CALL, "xlm-call" },
        { VBS_CALLBYNAME, "callbyname" },
        { VBS_DECLARE, "declare" },
        { VBS_ENVIRON, "environ" },
        { VBS_OBF_CHR, "obfuscation-chr" },
        { VBS_OBF_STRREV, "obfuscation-strreverse" },
        { VBS_OBF_REPLACE, "obfuscation-replace" },
        { VBS_OBF_BASE64, "obfuscation-base64" },
        { VBS_OBF_HEX, "obfuscation-hex" },
        { VBS_OBF_CONCAT, "obfuscation-concat" },
    };
    uint32_t f = effective(v);
    size_t k = 0;
    for(size_t i = 0; i < sizeof(names) / sizeof(names[0]) && k < max; i++)
        if(f & names[i].bit)
            out[k++] = names[i].name;
    return k;
}
