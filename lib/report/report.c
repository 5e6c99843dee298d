/*
 * report.c - picks the writer for a format and forwards to it, and holds
 * what the writers share: building one record with every append checked
 * (and cut when it cannot be built whole), timestamps, output.
 */
#include "report/report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/esc.h"
#include "util/json.h"

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
    r->rec_max = REPORT_RECORD_MAX;
    r->field_cut = REPORT_FIELD_CUT;
    switch(o->format) {
    case KENSA_FMT_JSON: r->ops = &report_json_ops; break;
    case KENSA_FMT_CSV: r->ops = &report_csv_ops; break;
    default: r->ops = &report_text_ops; break;
    }
    if(out_err)
        *out_err = KENSA_OK;
    return r;
}

void kensa_report_set_system(struct kensa_report *r,
                             const struct kensa_system *sys)
{
    if(r)
        r->sys = sys;
}

const char *report_system_path(const struct kensa_report *r,
                               const char *path)
{
    const char *root = r->sys ? r->sys->root : NULL;
    size_t n = root ? strlen(root) : 0;
    while(n > 1 && root[n - 1] == '/')
        n--;
    if(!n || !path || strncmp(path, root, n))
        return NULL;
    if(path[n] == '/')
        return path + n;
    return path[n] ? NULL : "/";
}

enum kensa_err kensa_report_finding(struct kensa_report *r,
                                    const struct kensa_finding *f)
{
    r->ops->finding(r, f);
    return ferror(r->out) ? KENSA_EIO : KENSA_OK;
}

enum kensa_err kensa_report_warning(struct kensa_report *r,
                                    const struct kensa_warning *w)
{
    if(r->ops->warning)
        r->ops->warning(r, w);
    return ferror(r->out) ? KENSA_EIO : KENSA_OK;
}

enum kensa_err kensa_report_finish(struct kensa_report *r)
{
    if(r->ops->finish)
        r->ops->finish(r);
    return fflush(r->out) || ferror(r->out) ? KENSA_EIO : KENSA_OK;
}

void kensa_report_free(struct kensa_report *r)
{
    if(!r)
        return;
    if(r->ops->destroy)
        r->ops->destroy(r);
    free(r);
}

char *report_msg(const struct kensa_msg *m, enum kensa_lang lang)
{
    size_t n = kensa_message_render(m->id, m->args, m->nargs, lang, NULL, 0);
    char *p = malloc(n + 1);
    if(p)
        kensa_message_render(m->id, m->args, m->nargs, lang, p, n + 1);
    return p;
}

char *report_evidence(const struct kensa_finding *f, enum kensa_lang lang)
{
    struct buf b;
    if(!f->n_evidence)
        return NULL;
    buf_init(&b, (size_t)1 << 20);
    for(size_t i = 0; i < f->n_evidence; i++) {
        char *one = report_msg(&f->evidence[i], lang);
        if(!one || (i && buf_puts(&b, lang == KENSA_LANG_JA ? "、" : "; ")) ||
           buf_puts(&b, one)) {
            free(one);
            buf_free(&b);
            return NULL;
        }
        free(one);
    }
    buf_cstr(&b);
    return (char *)b.p;   /* b's storage (NULL if it could not be had),
                             now the caller's */
}

void report_timestamp(char out[32])
{
    static _Thread_local time_t last = -1;
    static _Thread_local char pre[32];   /* "YYYY-MM-DDTHH:MM:SS." */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if(ts.tv_sec != last) {
        struct tm tm;
        char tmp[96];
        gmtime_r(&ts.tv_sec, &tm);
        snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec);
        snprintf(pre, sizeof(pre), "%.27s", tmp);
        last = ts.tv_sec;
    }
    long ms = ts.tv_nsec / 1000000;
    size_t l = strlen(pre);
    memcpy(out, pre, l);
    out[l] = (char)('0' + ms / 100); out[l + 1] = (char)('0' + ms / 10 % 10);
    out[l + 2] = (char)('0' + ms % 10); out[l + 3] = 'Z'; out[l + 4] = 0;
}

enum kensa_err rec_build(struct rec *rc, size_t max, size_t cut, rec_fn fn,
                         const void *ctx, const void *item)
{
    const size_t cuts[2] = { SIZE_MAX, cut };
    for(size_t i = 0; i < 2; i++) {
        buf_init(&rc->b, max);
        buf_reserve(&rc->b, 4096 < max ? 4096 : max);
        rc->cut = cuts[i];
        rc->err = KENSA_OK;
        fn(rc, ctx, item);
        if(!rc->err)
            return KENSA_OK;
        buf_free(&rc->b);
    }
    return rc->err;
}

bool rec_is_cut(const struct rec *rc)
{
    return rc->cut != SIZE_MAX;
}

/* How many bytes of the field s (n long) go in. */
static size_t field_len(const struct rec *rc, const char *s, size_t n)
{
    return utf8_cut(s, n, rc->cut);
}

void rec_puts(struct rec *rc, const char *s)
{
    if(!rc->err)
        rc->err = buf_puts(&rc->b, s);
}

void rec_printf(struct rec *rc, const char *fmt, ...)
{
    va_list ap;
    if(rc->err)
        return;
    va_start(ap, fmt);
    rc->err = buf_vprintf(&rc->b, fmt, ap);
    va_end(ap);
}

void rec_jstr(struct rec *rc, const char *val)
{
    if(rc->err)
        return;
    if(!val)
        rc->err = buf_puts(&rc->b, "null");
    else
        rc->err = json_strn(&rc->b, val, field_len(rc, val, strlen(val)));
}

void rec_jkv(struct rec *rc, const char *key, const char *val)
{
    if(!rc->err)
        rc->err = json_str(&rc->b, key);
    rec_puts(rc, ":");
    rec_jstr(rc, val);
}

void rec_jnext(struct rec *rc, const char *key, const char *val)
{
    rec_puts(rc, ",");
    rec_jkv(rc, key, val);
}

void rec_text(struct rec *rc, const char *s, size_t max)
{
    if(rc->err || !s)
        return;
    size_t n = strlen(s);
    n = utf8_cut(s, n, max);
    rc->err = esc_append(&rc->b, s, field_len(rc, s, n));
}

void rec_cell(struct rec *rc, const char *s, bool last)
{
    if(!s)
        s = "";
    if(!rc->err)
        rc->err = csv_cell(&rc->b, s, field_len(rc, s, strlen(s)));
    rec_puts(rc, last ? "\r\n" : ",");
}

enum kensa_err rec_write(FILE *out, size_t max, size_t cut, rec_fn fn,
                         const void *ctx, const void *item)
{
    struct rec rc;
    enum kensa_err err = rec_build(&rc, max, cut, fn, ctx, item);
    if(err)
        return err;
    size_t len = rc.b.len, put = fwrite(rc.b.p, 1, len, out);
    buf_free(&rc.b);
    return put == len ? KENSA_OK : KENSA_EIO;
}

enum kensa_err report_write(struct kensa_report *r, rec_fn fn,
                            const void *item)
{
    return rec_write(r->out, r->rec_max, r->field_cut, fn, r, item);
}
