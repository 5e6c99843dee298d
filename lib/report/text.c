/*
 * text.c - the report for people: findings grouped by threat, worst first
 * within a group, each followed by what it means and what to do (the
 * threat profile, in the chosen language).  Findings are kept until the
 * end so they can be grouped; colour only when asked (the CLI asks on a
 * TTY without NO_COLOR).  Every field is escaped for the terminal
 * (util/esc.h): only the writer's own newlines and colours reach it.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

#define MAX_KEPT 1000000

struct kept {
    char *threat;
    char *line1, *line2;   /* one allocation: line2 points into line1's */
    int severity;
};

struct text {
    struct kept *v;
    size_t n, cap;
    size_t dropped;
};

static const char *sev_colour(int s)
{
    switch(s) {
    case KENSA_SEV_CRITICAL: return "\033[1;31m";
    case KENSA_SEV_HIGH: return "\033[31m";
    case KENSA_SEV_MEDIUM: return "\033[33m";
    default: return "\033[36m";
    }
}

/* Our text `lead` and a field (at most `max` bytes of it), if it is set. */
static void labelled(struct rec *rc, const char *lead, const char *s,
                     size_t max)
{
    if(!s)
        return;
    rec_puts(rc, lead);
    rec_text(rc, s, max);
}

/* Both lines of a finding, '\n' between them; every field escaped. */
static void lines_rec(struct rec *rc, const void *ctx, const void *item)
{
    const struct kensa_report *r = ctx;
    const struct kensa_finding *f = item;
    const char *sev = kensa_severity_name(f->severity);
    char up[16];
    size_t i;
    for(i = 0; sev[i] && i < sizeof(up) - 1; i++)
        up[i] = (char)(sev[i] >= 'a' ? sev[i] - 32 : sev[i]);
    up[i] = 0;
    if(r->o.color)
        rec_printf(rc, "%s%-8s\033[0m ", sev_colour(f->severity), up);
    else
        rec_printf(rc, "%-8s ", up);
    rec_text(rc, f->path, SIZE_MAX);
    if(f->line)
        rec_printf(rc, ":%llu", (unsigned long long)f->line);
    rec_puts(rc, ": ");
    rec_text(rc, f->message, SIZE_MAX);
    rec_puts(rc, "\n         ");
    if(f->line) {
        rec_text(rc, f->lookup, SIZE_MAX);
        labelled(rc, " | from ", f->source_ip, SIZE_MAX);
        labelled(rc, " | ", f->log_time, SIZE_MAX);
        labelled(rc, "\n         command: ", f->command, SIZE_MAX);
        labelled(rc, "\n         line: ", f->snippet, 200);
    } else {
        rec_text(rc, f->package_name, SIZE_MAX);
        rec_printf(rc, " %s ", kensa_label("version", r->o.lang));
        rec_text(rc, f->package_version ? f->package_version : "?",
                 SIZE_MAX);
    }
    if(f->n_cves)
        rec_puts(rc, " |");
    for(size_t c = 0; c < f->n_cves; c++)
        labelled(rc, " ", f->cves[c], SIZE_MAX);
    if(f->evidence && !f->line) {
        rec_printf(rc, "\n         %s: ", kensa_label("evidence", r->o.lang));
        rec_text(rc, f->evidence, SIZE_MAX);
    }
}

static void text_finding(struct kensa_report *r, const struct kensa_finding *f)
{
    struct text *t = r->impl;
    struct rec rc;
    if(!t && !(t = r->impl = calloc(1, sizeof(*t))))
        return;
    if(t->n == MAX_KEPT) {
        t->dropped++;
        return;
    }
    if(t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 64;
        struct kept *nv = realloc(t->v, nc * sizeof(*nv));
        if(!nv)
            return;
        t->v = nv;
        t->cap = nc;
    }
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

static void block(FILE *o, const char *label, const char *text)
{
    if(text && *text)
        fprintf(o, "  %s:\n    %s\n", label, text);
}

static void text_finish(struct kensa_report *r)
{
    struct text *t = r->impl;
    if(!t || !t->n)
        return;
    qsort(t->v, t->n, sizeof(*t->v), by_threat_severity);
    for(size_t i = 0; i < t->n;) {
        const char *th = t->v[i].threat;
        const struct kensa_profile *p = kensa_profile_get(th, r->o.lang);
        size_t j = i;
        while(j < t->n && !strcmp(t->v[j].threat, th))
            j++;
        fputs(r->o.color ? "\033[1m== " : "== ", r->out);
        kensa_fputs_safe(p ? p->name : th, r->out);
        fprintf(r->out, " (%zu) ==%s\n", j - i, r->o.color ? "\033[0m" : "");
        for(size_t k = i; k < j; k++) {
            fprintf(r->out, "%s\n", t->v[k].line1);
            if(!r->o.quiet)
                fprintf(r->out, "%s\n", t->v[k].line2);
        }
        if(p && !r->o.quiet) {
            fputc('\n', r->out);
            block(r->out, kensa_label("impact", r->o.lang), p->impact);
            block(r->out, kensa_label("assessment", r->o.lang),
                  p->assessment);
            block(r->out, kensa_label("mitigation", r->o.lang),
                  p->mitigation);
        }
        fputc('\n', r->out);
        i = j;
    }
    if(t->dropped)
        fprintf(r->out, "(%zu more findings not shown)\n", t->dropped);
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
    free(t->v);
    free(t);
}

const struct report_ops report_text_ops = {
    .finding = text_finding,
    .finish = text_finish,
    .destroy = text_destroy,
};
