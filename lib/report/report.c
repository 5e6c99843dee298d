/*
 * report.c - picks the writer for a format and forwards to it, and holds
 * what the writers share: building one record with every append checked
 * (and cut when it cannot be built whole), timestamps, output, the run's
 * identity (kensa.scan_id, the working folder paths are made absolute
 * against) and the tally of findings behind the run record.
 */
#define _GNU_SOURCE
#include "report/report.h"
#include "util/path.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util/esc.h"
#include "util/json.h"

static int64_t report_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* 128 bits from getrandom(2) as hex.  Should the kernel refuse, the
 * clock and the process id stand in: the id names a run, it guards
 * nothing. */
static void new_scan_id(char out[33])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    size_t got = 0;
    while(got < sizeof(b)) {
        ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
        if(n < 0 && errno == EINTR)
            continue;
        if(n <= 0)
            break;
        got += (size_t)n;
    }
    if(got < sizeof(b)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_sec * 1000000000u +
                     (uint64_t)ts.tv_nsec;
        uint64_t y = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull ^ x;
        memcpy(b, &x, 8);
        memcpy(b + 8, &y, 8);
    }
    for(size_t i = 0; i < sizeof(b); i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[32] = 0;
}

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
    new_scan_id(r->scan_id);
    r->cwd = getcwd(NULL, 0);   /* NULL (paths stay as given) if gone */
    r->start_ns = report_now_ns();
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
    return report_under_root(r->sys ? r->sys->root : NULL, path);
}

const char *report_under_root(const char *root, const char *path)
{
    size_t n = root ? strlen(root) : 0;
    while(n > 1 && root[n - 1] == '/')
        n--;
    if(!n || !path || strncmp(path, root, n))
        return NULL;
    if(path[n] == '/')
        return path + n;
    return path[n] ? NULL : "/";
}

const char *kensa_report_scan_id(const struct kensa_report *r)
{
    return r ? r->scan_id : NULL;
}

/* Count f for the run record: by threat (the first REPORT_THREATS_MAX
 * ids, then "other"), by severity and by verdict. */
static void tally(struct report_tally *t, const struct kensa_finding *f)
{
    const char *id = f->threat ? f->threat : "unknown";
    size_t i;
    t->findings++;
    if((unsigned)f->severity <= KENSA_SEV_CRITICAL)
        t->by_severity[f->severity]++;
    if((unsigned)f->verdict <= KENSA_VERDICT_LAST)
        t->by_verdict[f->verdict]++;
    for(i = 0; i < t->n_threats; i++) {
        if(!strncmp(t->threat[i].id, id, REPORT_THREAT_ID_MAX - 1) &&
           strlen(id) < REPORT_THREAT_ID_MAX) {
            t->threat[i].n++;
            return;
        }
    }
    if(t->n_threats == REPORT_THREATS_MAX ||
       strlen(id) >= REPORT_THREAT_ID_MAX) {
        t->threat_other++;
        return;
    }
    memcpy(t->threat[i].id, id, strlen(id) + 1);
    t->threat[i].n = 1;
    t->n_threats++;
}

enum kensa_err kensa_report_finding(struct kensa_report *r,
                                    const struct kensa_finding *f)
{
    tally(&r->tally, f);
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

enum kensa_err kensa_report_run(struct kensa_report *r,
                                const struct kensa_run *run)
{
    if(!r || !run)
        return KENSA_EINVAL;
    if(r->ops->run)
        r->ops->run(r, run);
    return fflush(r->out) || ferror(r->out) ? KENSA_EIO : KENSA_OK;
}

enum kensa_err kensa_report_action(struct kensa_report *r,
                                   const struct kensa_action *a)
{
    if(!r || !a || !a->action || !a->path)
        return KENSA_EINVAL;
    if(r->ops->action)
        r->ops->action(r, a);
    return fflush(r->out) || ferror(r->out) ? KENSA_EIO : KENSA_OK;
}

/* User and group names, looked up once per id: a direct-mapped cache
 * of the last REPORT_IDS ids of each kind, misses remembered too. */
#define REPORT_IDS 64
#define REPORT_ID_NAME 64   /* bytes of a name kept, NUL included; longer
                               names are left out */

struct report_id {
    uint32_t id;
    bool used, known;
    char name[REPORT_ID_NAME];
};

struct report_ids {
    struct report_id user[REPORT_IDS], group[REPORT_IDS];
};

/* Look `id` up (user or group) into e. */
static void id_lookup(struct report_id *e, uint32_t id, bool group)
{
    char buf[4096];
    const char *name = NULL;
    struct passwd pw, *pwr = NULL;
    struct group gr, *grr = NULL;
    if(group) {
        if(!getgrgid_r((gid_t)id, &gr, buf, sizeof(buf), &grr) && grr)
            name = grr->gr_name;
    } else if(!getpwuid_r((uid_t)id, &pw, buf, sizeof(buf), &pwr) && pwr) {
        name = pwr->pw_name;
    }
    e->id = id;
    e->used = true;
    e->known = name && name[0] && strlen(name) < sizeof(e->name);
    if(e->known)
        memcpy(e->name, name, strlen(name) + 1);
}

static const char *id_name(const struct kensa_report *r, uint32_t id,
                           bool group)
{
    struct kensa_report *w = (struct kensa_report *)r;   /* the cache */
    if(r->sys && r->sys->root)
        return NULL;   /* another system's ids: not the host's names */
    if(!w->ids && !(w->ids = calloc(1, sizeof(*w->ids))))
        return NULL;
    struct report_id *e = &(group ? w->ids->group : w->ids->user)
                             [id % REPORT_IDS];
    if(!e->used || e->id != id)
        id_lookup(e, id, group);
    return e->known ? e->name : NULL;
}

const char *report_user_name(const struct kensa_report *r, uint32_t uid)
{
    return id_name(r, uid, false);
}

const char *report_group_name(const struct kensa_report *r, uint32_t gid)
{
    return id_name(r, gid, true);
}

void kensa_report_free(struct kensa_report *r)
{
    if(!r)
        return;
    free(r->ids);
    if(r->ops->destroy)
        r->ops->destroy(r);
    free(r->cwd);
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

/* n digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for(int i = 0; i < n; i++) {
        if(s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/*
 * A log line's time as ISO 8601 in the local zone ("2021-12-10T22:45:12
 * +09:00" without the space) into out (>= 40 bytes): from ISO 8601
 * ("2021-12-10T13:45:12.123Z", "2021-12-10 13:45:12,123 +0000") or the
 * common log format ("10/Dec/2021:13:45:12 +0000").  A time without a
 * zone is written in ISO form as it stands, since its zone is unknown.
 * false when s is neither (it is then shown as it is).  `utc`: in UTC
 * ("Z") rather than the local zone.
 */
static bool log_time_iso(const char *s, char *out, size_t cap, bool utc)
{
    static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct tm tm = { 0 };
    const char *z;
    size_t len = strlen(s);
    if(len >= 19 && s[4] == '-' && s[7] == '-' &&
       (s[10] == 'T' || s[10] == ' ') && s[13] == ':' && s[16] == ':') {
        tm.tm_year = digits(s, 4);
        tm.tm_mon = digits(s + 5, 2);
        tm.tm_mday = digits(s + 8, 2);
        tm.tm_hour = digits(s + 11, 2);
        tm.tm_min = digits(s + 14, 2);
        tm.tm_sec = digits(s + 17, 2);
        z = s + 19;
        if(*z == '.' || *z == ',')
            for(z++; *z >= '0' && *z <= '9'; z++)
                ;
    } else if(len >= 20 && s[2] == '/' && s[6] == '/' && s[11] == ':' &&
              s[14] == ':' && s[17] == ':') {
        const char *m = NULL;
        for(int i = 0; i < 12 && !m; i++)
            if(!strncmp(mon + 3 * i, s + 3, 3))
                m = mon + 3 * i;
        tm.tm_mday = digits(s, 2);
        tm.tm_mon = m ? (int)(m - mon) / 3 + 1 : -1;
        tm.tm_year = digits(s + 7, 4);
        tm.tm_hour = digits(s + 12, 2);
        tm.tm_min = digits(s + 15, 2);
        tm.tm_sec = digits(s + 18, 2);
        z = s + 20;
    } else {
        return false;
    }
    if(tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mday < 1 ||
       tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    while(*z == ' ')
        z++;
    long off;
    if(*z == 'Z' && !z[1]) {
        off = 0;
    } else if((*z == '+' || *z == '-') && digits(z + 1, 2) >= 0) {
        const char *mm = z + 3 + (z[3] == ':');
        int h = digits(z + 1, 2), m = digits(mm, 2);
        if(m < 0 || mm[2])
            return false;
        off = (h * 60L + m) * 60 * (*z == '-' ? -1 : 1);
    } else if(!*z) {   /* no zone: as it stands, in ISO form */
        return strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm) > 0;
    } else {
        return false;
    }
    time_t t = timegm(&tm) - off;
    struct tm lt;
    char zone[8];
    if(!(utc ? gmtime_r(&t, &lt) : localtime_r(&t, &lt)) ||
       !strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &lt) ||
       (utc ? !strcpy(zone, "+0000") :
              strftime(zone, sizeof(zone), "%z", &lt) != 5))
        return false;
    size_t n = strlen(out);
    if(!strcmp(zone, "+0000"))
        snprintf(out + n, cap - n, "Z");
    else
        snprintf(out + n, cap - n, "%.3s:%s", zone, zone + 3);
    return true;
}

bool report_iso_local(const char *s, char *out, size_t cap)
{
    return log_time_iso(s, out, cap, false);
}

bool report_iso_utc(const char *s, char *out, size_t cap)
{
    return log_time_iso(s, out, cap, true);
}

void report_time_iso(int64_t sec, long nsec, char out[32])
{
    char tmp[96];
    struct tm tm;
    /* 0000-01-01 .. 9999-12-31: what ISO 8601 and ECS dates hold */
    const int64_t lo = -62167219200LL, hi = 253402300799LL;
    time_t t = (time_t)(sec < lo ? lo : sec > hi ? hi : sec);
    if(nsec < 0 || nsec > 999999999)
        nsec = 0;
    if(!gmtime_r(&t, &tm))
        memset(&tm, 0, sizeof(tm));
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, nsec / 1000000);
    snprintf(out, 32, "%.31s", tmp);
}

void report_timestamp(char out[32])
{
    /* formatted once a second per thread: records come by the thousand */
    static _Thread_local time_t last = -1;
    static _Thread_local char sec[32];   /* "YYYY-MM-DDTHH:MM:SS.000Z" */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if(ts.tv_sec != last) {
        report_time_iso((int64_t)ts.tv_sec, 0, sec);
        last = ts.tv_sec;
    }
    size_t l = strlen(sec);
    long ms = ts.tv_nsec / 1000000;
    memcpy(out, sec, l + 1);
    if(l >= 5 && sec[l - 5] == '.') {
        out[l - 4] = (char)('0' + ms / 100);
        out[l - 3] = (char)('0' + ms / 10 % 10);
        out[l - 2] = (char)('0' + ms % 10);
    }
}

char *report_abspath(const char *cwd, const char *path)
{
    size_t cl = path[0] == '/' || !cwd ? 0 : strlen(cwd);
    size_t pl = strlen(path);
    char *out = malloc(cl + 1 + pl + 2);
    size_t len = 0;
    bool rel = path[0] != '/' && !cwd;   /* nothing to anchor it to */

    if(!out)
        return NULL;
    /* each component of cwd, then of path, appended or popped */
    if(cl)
        path_append_lexical(out, &len, 0, cwd, cl, false);
    path_append_lexical(out, &len, 0, path, pl, rel);
    if(!len)
        out[len++] = rel ? '.' : '/';
    out[len] = 0;
    return out;
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
        rc->err = buf_puts(&rc->b, "\"\"");   /* never null in a record */
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
