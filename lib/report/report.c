/*
 * report.c - picks the writer for a format and forwards to it.
 */
#include "report/report.h"

#include <stdlib.h>
#include <time.h>

struct kensa_report *kensa_report_new(const struct kensa_report_opts *o,
                                      FILE *out, enum kensa_err *out_err)
{
    struct kensa_report *r = calloc(1, sizeof(*r));
    if(!r) {
        if(out_err)
            *out_err = KENSA_ENOMEM;
        return NULL;
    }
    r->o = *o;
    r->out = out;
    switch(o->format) {
    case KENSA_FMT_JSON: r->ops = &report_json_ops; break;
    case KENSA_FMT_CSV: r->ops = &report_csv_ops; break;
    default: r->ops = &report_text_ops; break;
    }
    if(out_err)
        *out_err = KENSA_OK;
    return r;
}

void kensa_report_finding(struct kensa_report *r,
                          const struct kensa_finding *f)
{
    r->ops->finding(r, f);
}

void kensa_report_warning(struct kensa_report *r,
                          const struct kensa_warning *w)
{
    if(r->ops->warning)
        r->ops->warning(r, w);
}

void kensa_report_finish(struct kensa_report *r)
{
    if(r->ops->finish)
        r->ops->finish(r);
    fflush(r->out);
}

void kensa_report_free(struct kensa_report *r)
{
    if(!r)
        return;
    if(r->ops->destroy)
        r->ops->destroy(r);
    free(r);
}

void report_timestamp(char out[32])
{
    char tmp[96];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    snprintf(out, 32, "%.31s", tmp);
}

void report_emit(struct kensa_report *r, struct buf *b)
{
    if(b->len)
        fwrite(b->p, 1, b->len, r->out);
}
