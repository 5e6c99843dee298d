/*
 * text.c - the report for people: findings grouped by threat, worst first
 * within a group, each followed by what it means and what to do (the
 * threat profile, in the chosen language).  Findings are kept so they
 * can be grouped, but only a bounded batch of them (TEXT_BATCH findings or
 * TEXT_BATCH_BYTES of text): a full batch is written out, grouped, and a
 * scan with millions of hits costs the memory of one batch.  The profile
 * follows its group when everything fit in one batch, else the profiles
 * of every threat seen come once, after the last batch: a profile is
 * printed once per run (none with quiet or no_advice), wrapped to
 * o.width columns.  Times a log line carried are shown in ISO 8601 in
 * the local zone, the zone written out.  Colour only when
 * asked (the CLI asks on a TTY without NO_COLOR).  Every field is escaped for the terminal
 * (util/esc.h): only the writer's own newlines and colours reach it.
 */
#define _GNU_SOURCE   /* timegm */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report.h"
#include "util/esc.h"

#define TEXT_BATCH 4096
#define TEXT_BATCH_BYTES (8u << 20)
#define MAX_THREATS 64   /* distinct threat ids remembered for profiles */

struct kept {
    char *threat;
    char *line1, *line2;   /* one allocation: line2 points into line1's */
    int severity;
};

struct text {
    struct kept *v;
    size_t n, cap;
    size_t bytes;              /* text held in v */
    bool flushed;              /* a batch was written before the last */
    char *seen[MAX_THREATS];   /* threats written, for their profiles */
    size_t n_seen;
};

static void batch_write(struct kensa_report *r, struct text *t,
                        bool profiles);

static const char *sev_colour(int s)
{
    switch(s) {
    case KENSA_SEV_CRITICAL: return "\033[1;31m";
    case KENSA_SEV_HIGH: return "\033[31m";
    case KENSA_SEV_MEDIUM: return "\033[33m";
    default: return "\033[36m";
    }
}

/* The label of attribute `key` in `lang` ("attr.<key>" in the catalog),
 * or NULL: an attribute without one is shown bare. */
static const char *attr_label(const char *key, enum kensa_lang lang)
{
    char id[128];
    if((size_t)snprintf(id, sizeof(id), "attr.%s", key) >= sizeof(id))
        return NULL;
    return kensa_message_template(id, lang);
}

/* An attribute's value, at most `max` bytes of a string. */
static void attr_value(struct rec *rc, const struct kensa_attr *a,
                       size_t max)
{
    char iso[48];
    if(a->type == KENSA_ATTR_STR && (a->flags & KENSA_ATTR_TIME) &&
       report_iso_local(a->str, iso, sizeof(iso))) {
        rec_puts(rc, iso);
        return;
    }
    switch(a->type) {
    case KENSA_ATTR_STR: rec_text(rc, a->str, max); break;
    case KENSA_ATTR_NUM: rec_printf(rc, "%lld", (long long)a->num); break;
    case KENSA_ATTR_BOOL: rec_puts(rc, a->num ? "true" : "false"); break;
    case KENSA_ATTR_FLOAT:
        if(isfinite(a->real))
            rec_printf(rc, "%g", a->real);
        break;
    }
}

/* Both lines of a finding, '\n' between them; every field escaped.  The
 * second holds the attributes the detector marked for people, without
 * knowing which detector it was. */
static void lines_rec(struct rec *rc, const void *ctx, const void *item)
{
    const struct kensa_report *r = ctx;
    const struct kensa_finding *f = item;
    enum kensa_lang lang = r->o.lang;
    char id[40];
    size_t i;
    /* the label in the reader's language, padded to 8 columns (a CJK
     * character takes two) */
    snprintf(id, sizeof(id), "severity.%s",
             kensa_severity_name(f->severity));
    const char *sev = kensa_message_template(id, lang);
    if(!sev)
        sev = kensa_severity_name(f->severity);
    size_t cols = utf8_cols(sev, strlen(sev));
    if(r->o.color)
        rec_printf(rc, "%s%s\033[0m", sev_colour(f->severity), sev);
    else
        rec_puts(rc, sev);
    rec_printf(rc, "%*s", (int)(cols < 8 ? 9 - cols : 1), "");
    rec_text(rc, f->path, SIZE_MAX);
    if(f->line)
        rec_printf(rc, ":%llu", (unsigned long long)f->line);
    rec_puts(rc, ": ");
    char *msg = kensa_finding_message(f, lang);
    if(!msg && !rc->err)
        rc->err = KENSA_ENOMEM;
    rec_text(rc, msg, SIZE_MAX);
    free(msg);
    rec_puts(rc, "\n         ");
    const char *prev = NULL;
    for(i = 0; i < f->n_attrs; i++) {
        const struct kensa_attr *a = &f->attrs[i];
        if(!(a->flags & KENSA_ATTR_SHOW))
            continue;
        if(prev && !strcmp(prev, a->key)) {
            rec_puts(rc, " ");            /* the next item of a list */
        } else {
            const char *label = attr_label(a->key, lang);
            if(prev)
                rec_puts(rc, " | ");
            if(label) {
                rec_puts(rc, label);
                rec_puts(rc, " ");
            }
        }
        attr_value(rc, a, SIZE_MAX);
        prev = a->key;
    }
    for(i = 0; i < f->n_attrs; i++) {
        const struct kensa_attr *a = &f->attrs[i];
        if(!(a->flags & KENSA_ATTR_OWN_LINE))
            continue;
        const char *label = attr_label(a->key, lang);
        rec_puts(rc, "\n         ");
        rec_puts(rc, label ? label : a->key);
        rec_puts(rc, lang == KENSA_LANG_JA ? "：" : ": ");
        attr_value(rc, a, 200);
    }
    if(f->n_evidence) {
        char *ev = report_evidence(f, lang);
        if(!ev && !rc->err)
            rc->err = KENSA_ENOMEM;
        rec_puts(rc, "\n         ");
        rec_puts(rc, kensa_message_template("attr.evidence", lang));
        rec_puts(rc, lang == KENSA_LANG_JA ? "：" : ": ");
        rec_text(rc, ev, SIZE_MAX);
        free(ev);
    }
}

static void text_finding(struct kensa_report *r, const struct kensa_finding *f)
{
    struct text *t = r->impl;
    struct rec rc;
    if(!t && !(t = r->impl = calloc(1, sizeof(*t))))
        return;
    if(t->n == TEXT_BATCH || t->bytes > TEXT_BATCH_BYTES) {
        batch_write(r, t, false);
        t->flushed = true;
    }
    struct kept *nv = array_grow(t->v, &t->cap, t->n, sizeof(*nv), 64);
    if(!nv)
        return;
    t->v = nv;
    if(rec_build(&rc, r->rec_max, r->field_cut, lines_rec, r, f))
        return;
    struct kept *k = &t->v[t->n];
    k->line1 = (char *)buf_cstr(&rc.b);   /* owns both lines */
    k->line2 = strchr(k->line1, '\n');
    *k->line2++ = 0;
    k->threat = strdup(f->threat);
    k->severity = f->severity;
    if(!k->threat) {
        buf_free(&rc.b);
        return;
    }
    t->bytes += rc.b.len;
    t->n++;
}

static int by_threat_severity(const void *a, const void *b)
{
    const struct kept *x = a, *y = b;
    int c = strcmp(x->threat, y->threat);
    if(c)
        return c;
    if(x->severity != y->severity)
        return y->severity - x->severity;
    return strcmp(x->line1, y->line1);
}

/* Japanese punctuation that may not start a line (kinsoku): it stays
 * with the character before it. */
static bool no_line_start(const char *s, size_t n)
{
    static const char *const close[] = { "、", "。", "）", "」", "』", "，",
                                         "．", "：", "；", "！", "？", "ー",
                                         "・", "〜", "…" };
    for(size_t i = 0; i < sizeof(close) / sizeof(close[0]); i++) {
        size_t l = strlen(close[i]);
        if(n >= l && !memcmp(s, close[i], l))
            return true;
    }
    return false;
}

/* Japanese punctuation that may not end a line: it goes with what
 * follows. */
static bool no_line_end(const char *s, size_t n)
{
    return (n >= 3 && (!memcmp(s, "（", 3) || !memcmp(s, "「", 3) ||
                       !memcmp(s, "『", 3)));
}

/*
 * Write kensa's own prose `text` (a profile's: not escaped) wrapped to
 * `width` columns, every line after `indent` spaces.  Lines break at
 * spaces, and between two characters that are not ASCII (Japanese has no
 * spaces), never inside an ASCII word; a word longer than the line stands
 * alone on its line.  Wide characters count two columns.
 */
static void wrap(FILE *o, const char *text, size_t indent, size_t width)
{
    size_t col = indent, len = strlen(text);
    bool space = false;
    fprintf(o, "%*s", (int)indent, "");
    for(size_t i = 0; i < len;) {
        if(text[i] == ' ' || text[i] == '\n') {
            space = true;
            i++;
            continue;
        }
        /* one unit: an ASCII word, or one other character with the
         * punctuation that must stay with it */
        size_t j = i, cols = 0;
        unsigned w;
        for(;;) {
            bool opening = false;
            if((unsigned char)text[j] < 0x80) {
                while(j < len && (unsigned char)text[j] < 0x80 &&
                      text[j] != ' ' && text[j] != '\n') {
                    j++;
                    cols++;
                }
            } else {
                opening = no_line_end(text + j, len - j);
                j += utf8_char(text + j, len - j, &w);
                cols += w;
            }
            while(j < len && no_line_start(text + j, len - j)) {
                j += utf8_char(text + j, len - j, &w);
                cols += w;
            }
            if(!opening || j == len || text[j] == ' ' || text[j] == '\n')
                break;
        }
        if(col > indent && col + space + cols > width) {
            fprintf(o, "\n%*s", (int)indent, "");
            col = indent;
        } else if(space && col > indent) {
            fputc(' ', o);
            col++;
        }
        fwrite(text + i, 1, j - i, o);
        col += cols;
        space = false;
        i = j;
    }
    fputc('\n', o);
}

static void block(struct kensa_report *r, const char *label,
                  const char *text)
{
    if(text && *text) {
        fprintf(r->out, "  %s%s\n", label,
                r->o.lang == KENSA_LANG_JA ? "：" : ":");
        wrap(r->out, text, 4, r->o.width >= 20 ? r->o.width : 80);
    }
}

static void profile(struct kensa_report *r, const struct kensa_profile *p)
{
    fputc('\n', r->out);
    block(r, kensa_label("impact", r->o.lang), p->impact);
    block(r, kensa_label("assessment", r->o.lang), p->assessment);
    block(r, kensa_label("mitigation", r->o.lang), p->mitigation);
}

static void heading(struct kensa_report *r, const char *name, size_t n)
{
    fputs(r->o.color ? "\033[1m== " : "== ", r->out);
    kensa_fputs_safe(name, r->out);
    if(n)
        fprintf(r->out, " (%zu)", n);
    fprintf(r->out, " ==%s\n", r->o.color ? "\033[0m" : "");
}

static bool seen(const struct text *t, const char *threat)
{
    for(size_t i = 0; i < t->n_seen; i++) {
        if(!strcmp(t->seen[i], threat))
            return true;
    }
    return false;
}

static void remember(struct text *t, const char *threat)
{
    if(seen(t, threat))
        return;
    if(t->n_seen < MAX_THREATS && (t->seen[t->n_seen] = strdup(threat)))
        t->n_seen++;
}

/* Write the batch grouped by threat, worst first, and empty it. */
static void batch_write(struct kensa_report *r, struct text *t,
                        bool profiles)
{
    if(t->n > 1)
        qsort(t->v, t->n, sizeof(*t->v), by_threat_severity);
    for(size_t i = 0; i < t->n;) {
        const char *th = t->v[i].threat;
        const struct kensa_profile *p = kensa_profile_get(th, r->o.lang);
        size_t j = i;
        while(j < t->n && !strcmp(t->v[j].threat, th))
            j++;
        heading(r, p ? p->name : th, j - i);
        for(size_t k = i; k < j; k++) {
            /* quiet keeps the second line: version, CVEs, evidence */
            fprintf(r->out, "%s\n%s\n", t->v[k].line1, t->v[k].line2);
        }
        if(p && profiles && !r->o.quiet && !r->o.no_advice && !seen(t, th))
            profile(r, p);
        remember(t, th);
        fputc('\n', r->out);
        i = j;
    }
    for(size_t i = 0; i < t->n; i++) {
        free(t->v[i].threat);
        free(t->v[i].line1);
    }
    t->n = 0;
    t->bytes = 0;
}

static void text_finish(struct kensa_report *r)
{
    struct text *t = r->impl;
    if(!t)
        return;
    batch_write(r, t, !t->flushed);
    if(!t->flushed || r->o.quiet || r->o.no_advice)
        return;
    /* several batches: each threat's profile once, at the end */
    for(size_t i = 0; i < t->n_seen; i++) {
        const struct kensa_profile *p = kensa_profile_get(t->seen[i],
                                                          r->o.lang);
        if(!p)
            continue;
        heading(r, p->name, 0);
        profile(r, p);
        fputc('\n', r->out);
    }
}

static void text_destroy(struct kensa_report *r)
{
    struct text *t = r->impl;
    if(!t)
        return;
    for(size_t i = 0; i < t->n; i++) {
        free(t->v[i].threat);
        free(t->v[i].line1);
    }
    for(size_t i = 0; i < t->n_seen; i++)
        free(t->seen[i]);
    free(t->v);
    free(t);
}

const struct report_ops report_text_ops = {
    .finding = text_finding,
    .finish = text_finish,
    .destroy = text_destroy,
};
