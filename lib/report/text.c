/*
 * text.c - the report for people: findings grouped by threat, worst first
 * within a group, each followed by what it means and what to do (the
 * threat profile, in the chosen language).  Findings are kept until the
 * end so they can be grouped; colour only when asked (the CLI asks on a
 * TTY without NO_COLOR).
 */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

#define MAX_KEPT 1000000

struct kept {
    char *threat, *line1, *line2;
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

static void text_finding(struct kensa_report *r, const struct kensa_finding *f)
{
    struct text *t = r->impl;
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
    struct buf l1, l2;
    buf_init(&l1, 1u << 16);
    buf_init(&l2, 1u << 16);
    const char *sev = kensa_severity_name(f->severity);
    char up[16];
    size_t i;
    for(i = 0; sev[i] && i < sizeof(up) - 1; i++)
        up[i] = (char)(sev[i] >= 'a' ? sev[i] - 32 : sev[i]);
    up[i] = 0;
    if(r->o.color)
        buf_printf(&l1, "%s%-8s\033[0m ", sev_colour(f->severity), up);
    else
        buf_printf(&l1, "%-8s ", up);
    if(f->line)
        buf_printf(&l1, "%s:%llu: %s", f->path, (unsigned long long)f->line,
                   f->message ? f->message : "");
    else
        buf_printf(&l1, "%s: %s", f->path, f->message ? f->message : "");
    for(const char *p = buf_cstr(&l1); *p; p++) {
        if(*p == '\n' || *p == '\r')
            l1.p[p - (const char *)l1.p] = '?';
    }
    if(f->line) {
        buf_printf(&l2, "         %s", f->lookup ? f->lookup : "");
        if(f->source_ip)
            buf_printf(&l2, " | from %s", f->source_ip);
        if(f->log_time)
            buf_printf(&l2, " | %s", f->log_time);
        if(f->command)
            buf_printf(&l2, "\n         command: %s", f->command);
        if(f->snippet)
            buf_printf(&l2, "\n         line: %.200s", f->snippet);
        for(size_t k = 0; k < l2.len; k++) {
            if(l2.p[k] == '\r' || (l2.p[k] == '\n' && (k + 9 >= l2.len ||
               memcmp(l2.p + k + 1, "        ", 8))))
                l2.p[k] = ' ';
        }
    } else
    buf_printf(&l2, "         %s %s %s", f->package_name ? f->package_name : "",
               kensa_label("version", r->o.lang),
               f->package_version ? f->package_version : "?");
    if(f->n_cves) {
        buf_puts(&l2, " |");
        for(size_t c = 0; c < f->n_cves; c++)
            buf_printf(&l2, " %s", f->cves[c]);
    }
    if(f->evidence && !f->line)
        buf_printf(&l2, "\n         %s: %s", kensa_label("evidence", r->o.lang),
                   f->evidence);
    struct kept *k = &t->v[t->n];
    k->threat = strdup(f->threat);
    k->line1 = strdup(buf_cstr(&l1));
    k->line2 = strdup(buf_cstr(&l2));
    k->severity = f->severity;
    buf_free(&l1);
    buf_free(&l2);
    if(!k->threat || !k->line1 || !k->line2) {
        free(k->threat);
        free(k->line1);
        free(k->line2);
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
        if(r->o.color)
            fprintf(r->out, "\033[1m== %s (%zu) ==\033[0m\n",
                    p ? p->name : th, j - i);
        else
            fprintf(r->out, "== %s (%zu) ==\n", p ? p->name : th, j - i);
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
        free(t->v[i].line2);
    }
    free(t->v);
    free(t);
}

const struct report_ops report_text_ops = {
    .finding = text_finding,
    .finish = text_finish,
    .destroy = text_destroy,
};
