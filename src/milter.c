/*
 * milter.c - `kensa milter`: the mail judge of `kensa mail` in front of
 * Postfix (or Sendmail), through libmilter.  Each message (headers and
 * body, buffered up to max_message) is scanned by the same engine with
 * the same limits as `kensa mail`; the verdict goes into X-Kensa-Verdict,
 * X-Kensa-Threat and X-Kensa-Reason (ASCII only: nothing of the mail but
 * printable ASCII gets into a header) and decides the action the
 * configuration gives it (milter_conf.c).  An encrypted archive no
 * candidate opened is held with a 4xx while its envelope waits for the
 * password mail (milter_ppap.c); the retried message is then opened with
 * the passwords that mail carried.  Bounded: sessions, bytes per
 * message, bytes buffered by all, messages judged at once (a pool of
 * scanners); every scan within the engine's time limit.  Syslog (mail
 * facility) with the queue id; statistics on SIGUSR1 (milter_stats.c);
 * SIGTERM stops it cleanly (smfi_stop).  Uses the public API only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syslog.h>   /* <syslog.h> would be src/syslog.h */
#include <time.h>
#include <unistd.h>

#include "kensa/kensa.h"
#include "milter.h"

int milter_main(int argc, char **argv);

#ifndef KENSA_HAVE_MILTER

int milter_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("kensa: milter: not built in (libmilter was not found when kensa "
          "was built: install libmilter-dev and rebuild)\n", stderr);
    return 2;
}

#else

#include <libmilter/mfapi.h>

#define RCPT_MAX 64          /* recipients kept for the PPAP key */
#define ADDR_MAX 256
#define MSGID_MAX 256
#define REASON_MAX 160
#define HKEY_MAX (PPAP_KEY_MAX + MSGID_MAX + 32)   /* held\nENVELOPE\nID */

static struct milter_conf conf;
static const char *pidfile;

/* ---- the scanner pool -------------------------------------------------- */

static struct kensa_scanner **pool;
static bool *pool_busy;
static unsigned pool_n;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cond = PTHREAD_COND_INITIALIZER;

static void scan_opts(struct kensa_options *o)
{
    kensa_options_default(o);
    o->threads = 1;
    o->no_hashes = true;
    o->limits.max_scantime_ms = conf.max_scantime_ms;
    o->limits.max_scansize = conf.max_scansize;
}

static struct kensa_scanner *pool_take(void)
{
    pthread_mutex_lock(&pool_lock);
    for(;;) {
        for(unsigned i = 0; i < pool_n; i++)
            if(!pool_busy[i]) {
                pool_busy[i] = true;
                pthread_mutex_unlock(&pool_lock);
                return pool[i];
            }
        pthread_cond_wait(&pool_cond, &pool_lock);
    }
}

static void pool_give(struct kensa_scanner *s)
{
    pthread_mutex_lock(&pool_lock);
    for(unsigned i = 0; i < pool_n; i++)
        if(pool[i] == s)
            pool_busy[i] = false;
    pthread_cond_signal(&pool_cond);
    pthread_mutex_unlock(&pool_lock);
}

/* ---- a session --------------------------------------------------------- */

static unsigned sessions;            /* __atomic */
static uint64_t buffered;            /* __atomic: bytes held by all */

struct sess {
    char from[ADDR_MAX + 1];
    char *rcpt[RCPT_MAX];
    size_t nrcpt;
    char *buf;
    size_t len, cap;
    size_t body;                     /* where the body starts in buf */
    bool oversize, overbudget;
    int spoofed[3];                  /* X-Kensa-* headers that came in */
    struct timespec t0;
};

static const char *const HDR[3] = { "X-Kensa-Verdict", "X-Kensa-Threat",
                                    "X-Kensa-Reason" };

static void msg_reset(struct sess *s)
{
    for(size_t i = 0; i < s->nrcpt; i++)
        free(s->rcpt[i]);
    if(s->cap)
        __atomic_sub_fetch(&buffered, s->cap, __ATOMIC_RELAXED);
    free(s->buf);
    memset(s, 0, sizeof(*s));
}

/* An address as the key wants it: without <>, lower case, printable
 * ASCII only, at most ADDR_MAX bytes. */
static void addr_norm(const char *in, char *out)
{
    size_t n = 0;
    for(; in && *in && n < ADDR_MAX; in++) {
        unsigned char c = (unsigned char)*in;
        if(c == '<' || c == '>' || c <= ' ' || c >= 0x7f)
            continue;
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[n] = 0;
}

/* Append to the message buffer, within max_message and the global
 * budget; past either the message is marked and no more is kept. */
static void append(struct sess *s, const void *p, size_t n)
{
    if(s->oversize || s->overbudget)
        return;
    if(s->len + n > conf.max_message) {
        s->oversize = true;
        return;
    }
    if(s->len + n > s->cap) {
        size_t nc = s->cap ? s->cap : 16384;
        while(nc < s->len + n)
            nc *= 2;
        if(nc > conf.max_message)
            nc = (size_t)conf.max_message;
        uint64_t now = __atomic_add_fetch(&buffered, nc - s->cap,
                                          __ATOMIC_RELAXED);
        char *nb = now <= conf.max_buffered ? realloc(s->buf, nc) : NULL;
        if(!nb) {
            __atomic_sub_fetch(&buffered, nc - s->cap, __ATOMIC_RELAXED);
            s->overbudget = true;
            return;
        }
        s->buf = nb;
        s->cap = nc;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

static sfsistat on_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
    (void)host;
    (void)sa;
    if(__atomic_add_fetch(&sessions, 1, __ATOMIC_RELAXED) > conf.max_sessions) {
        __atomic_sub_fetch(&sessions, 1, __ATOMIC_RELAXED);
        syslog(LOG_WARNING, "too many sessions (max_sessions=%u): tempfail",
               conf.max_sessions);
        return SMFIS_TEMPFAIL;
    }
    struct sess *s = calloc(1, sizeof(*s));
    if(!s) {
        __atomic_sub_fetch(&sessions, 1, __ATOMIC_RELAXED);
        return SMFIS_TEMPFAIL;
    }
    smfi_setpriv(ctx, s);
    return SMFIS_CONTINUE;
}

static sfsistat on_envfrom(SMFICTX *ctx, char **argv)
{
    struct sess *s = smfi_getpriv(ctx);
    if(!s)
        return SMFIS_TEMPFAIL;
    msg_reset(s);
    clock_gettime(CLOCK_MONOTONIC, &s->t0);
    addr_norm(argv && argv[0] ? argv[0] : "", s->from);
    return SMFIS_CONTINUE;
}

static sfsistat on_envrcpt(SMFICTX *ctx, char **argv)
{
    struct sess *s = smfi_getpriv(ctx);
    if(!s)
        return SMFIS_TEMPFAIL;
    if(s->nrcpt < RCPT_MAX && argv && argv[0]) {
        char a[ADDR_MAX + 1];
        addr_norm(argv[0], a);
        if((s->rcpt[s->nrcpt] = strdup(a)))
            s->nrcpt++;
    }
    return SMFIS_CONTINUE;
}

static sfsistat on_header(SMFICTX *ctx, char *name, char *value)
{
    struct sess *s = smfi_getpriv(ctx);
    if(!s)
        return SMFIS_TEMPFAIL;
    for(int i = 0; i < 3; i++)
        if(!strcasecmp(name, HDR[i]))
            s->spoofed[i]++;
    append(s, name, strlen(name));
    append(s, ": ", 2);
    append(s, value, strlen(value));
    append(s, "\r\n", 2);
    return SMFIS_CONTINUE;
}

static sfsistat on_eoh(SMFICTX *ctx)
{
    struct sess *s = smfi_getpriv(ctx);
    if(!s)
        return SMFIS_TEMPFAIL;
    append(s, "\r\n", 2);
    s->body = s->len;
    return SMFIS_CONTINUE;
}

static sfsistat on_body(SMFICTX *ctx, unsigned char *p, size_t n)
{
    struct sess *s = smfi_getpriv(ctx);
    if(!s)
        return SMFIS_TEMPFAIL;
    append(s, p, n);
    return SMFIS_CONTINUE;
}

/* ---- judging ----------------------------------------------------------- */

struct judge {
    int rank;                 /* 0 clean, 1 suspicious, 2 malicious */
    bool have;                /* a finding set rank and reason */
    bool sealed;              /* an encrypted archive stayed shut */
    char threat[48];
    char reason[REASON_MAX + 1];
};

/* Printable ASCII of s into out (cap bytes), the rest as '?'; runs of
 * spaces folded.  What goes into a header or a reply. */
static void ascii(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for(; s && *s && n + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if(c >= 0x80) {
            while((s[1] & 0xC0) == 0x80)   /* one '?' per character */
                s++;
            c = '?';
        } else if(c < 0x20 || c == 0x7f || c == '%') {
            c = ' ';
        }
        if(c == ' ' && (!n || out[n - 1] == ' '))
            continue;
        out[n++] = (char)c;
    }
    while(n && out[n - 1] == ' ')
        n--;
    out[n] = 0;
}

static int rank_of(const struct kensa_finding *f)
{
    if(f->kind == KENSA_KIND_STATE)
        return 0;
    switch(f->verdict) {
    case KENSA_VERDICT_MALICIOUS: return 2;
    case KENSA_VERDICT_SUSPICIOUS:
    case KENSA_VERDICT_ATTACK:
    case KENSA_VERDICT_VULNERABLE: return 1;
    default: return 0;
    }
}

static void on_finding(const struct kensa_finding *f, void *ud)
{
    struct judge *j = ud;
    if(f->rule && !strcmp(f->rule, "mail.encrypted_unopened")) {
        j->sealed = true;
        return;
    }
    /* the mail's own summary repeats its attachments' worst */
    if(f->rule && !strcmp(f->rule, "mail.attachments"))
        return;
    int r = rank_of(f);
    if(j->have && r <= j->rank)
        return;   /* the first of the worst names the message */
    j->have = true;
    j->rank = r;
    /* a threat only for what is judged harmful: a workbook with
     * harmless macros is clean, its record a reason, not a threat */
    if(r)
        ascii(f->threat, j->threat, sizeof(j->threat));
    char *m = kensa_finding_message(f, KENSA_LANG_EN);
    char both[512];
    snprintf(both, sizeof(both), "%s: %s", f->rule ? f->rule : "?",
             m ? m : "");
    free(m);
    ascii(both, j->reason, sizeof(j->reason));
}

/* Scan the message; false when the engine could not.  With stored
 * passwords (PPAP, rare) a scanner of its own is made for them, while
 * holding a slot of the pool: at most `workers` scans run at once and
 * their memory stays bounded. */
static bool judge(struct sess *s, char pw[][KENSA_MAIL_PASSWORD_LEN + 1],
                  size_t npw, struct judge *j)
{
    struct kensa_scanner *slot = pool_take(), *sc = slot;
    enum kensa_err err = KENSA_OK;
    if(npw) {
        const char *p[PPAP_PW];
        struct kensa_options o;
        scan_opts(&o);
        for(size_t i = 0; i < npw && i < PPAP_PW; i++)
            p[i] = pw[i];
        o.passwords = p;
        o.n_passwords = npw < PPAP_PW ? npw : PPAP_PW;
        sc = kensa_scanner_new(&o, &err);
    }
    if(sc) {
        memset(j, 0, sizeof(*j));
        kensa_scanner_set_callbacks(sc, on_finding, NULL, NULL, j);
        err = kensa_scanner_scan_buffer(sc, "message.eml", s->buf, s->len);
        kensa_scanner_set_callbacks(sc, NULL, NULL, NULL, NULL);
        if(sc != slot)
            kensa_scanner_free(sc);
    }
    pool_give(slot);
    return sc && (err == KENSA_OK || err == KENSA_ELIMIT ||
                  err == KENSA_EFORMAT);
}

/* "sender\nrcpt1\nrcpt2..." with the recipients sorted. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t fnv(const char *p, size_t n);

/* A key longer than ENV_KEY_MAX (many long recipients) keeps its head
 * and the hash of the whole, so that the held key (with the Message-ID)
 * always fits the store's PPAP_KEY_MAX. */
#define ENV_KEY_MAX (PPAP_KEY_MAX - MSGID_MAX - 64)

static void env_key(struct sess *s, char *out, size_t cap)
{
    size_t full = strlen(s->from) + 1;
    for(size_t i = 0; i < s->nrcpt; i++)
        full += strlen(s->rcpt[i]) + 1;
    char *k = malloc(full);
    qsort(s->rcpt, s->nrcpt, sizeof(s->rcpt[0]), cmp_str);
    if(!k) {
        snprintf(out, cap, "%s", s->from);
        return;
    }
    size_t n = (size_t)snprintf(k, full, "%s", s->from);
    for(size_t i = 0; i < s->nrcpt && n < full; i++)
        n += (size_t)snprintf(k + n, full - n, "\n%s", s->rcpt[i]);
    if(n <= ENV_KEY_MAX && n < cap)
        snprintf(out, cap, "%s", k);
    else
        snprintf(out, cap, "%.*s#%016llx", ENV_KEY_MAX - 17, k,
                 (unsigned long long)fnv(k, n));
    free(k);
}

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for(size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

static void add_headers(SMFICTX *ctx, struct sess *s, const char *verdict,
                        const char *threat, const char *reason)
{
    /* the sender's own X-Kensa-* go first: only ours are believed */
    for(int i = 0; i < 3; i++)
        for(int k = s->spoofed[i]; k > 0; k--)
            smfi_chgheader(ctx, (char *)HDR[i], k, NULL);
    smfi_addheader(ctx, (char *)HDR[0], (char *)verdict);
    smfi_addheader(ctx, (char *)HDR[1], (char *)(threat[0] ? threat : "none"));
    smfi_addheader(ctx, (char *)HDR[2], (char *)(reason[0] ? reason : "-"));
}

static sfsistat act(SMFICTX *ctx, struct sess *s, enum maction a,
                    const char *verdict, const char *threat,
                    const char *reason)
{
    char text[200];
    switch(a) {
    case MACT_REJECT:
        snprintf(text, sizeof(text), "kensa: message refused (%s: %s)",
                 verdict, threat[0] ? threat : "none");
        smfi_setreply(ctx, "550", "5.7.1", text);
        return SMFIS_REJECT;
    case MACT_TEMPFAIL:
        smfi_setreply(ctx, "451", "4.3.0",
                      "kensa: message not judged now, try again later");
        return SMFIS_TEMPFAIL;
    case MACT_DISCARD:
        return SMFIS_DISCARD;
    case MACT_QUARANTINE:
        add_headers(ctx, s, verdict, threat, reason);
        snprintf(text, sizeof(text), "kensa: %s %s", verdict, threat);
        smfi_quarantine(ctx, text);
        return SMFIS_ACCEPT;
    case MACT_ACCEPT:
    default:
        add_headers(ctx, s, verdict, threat, reason);
        return SMFIS_ACCEPT;
    }
}

static sfsistat on_eom(SMFICTX *ctx)
{
    struct sess *s = smfi_getpriv(ctx);
    if(!s)
        return SMFIS_TEMPFAIL;
    const char *qid = smfi_getsymval(ctx, "i");
    if(!qid)
        qid = smfi_getsymval(ctx, "{i}");
    char q[64];
    ascii(qid ? qid : "NOQUEUE", q, sizeof(q));
    time_t now = time(NULL);
    char *ekey = malloc(PPAP_KEY_MAX + 1), *hkey = malloc(HKEY_MAX);
    struct judge j = { 0 };
    const char *verdict;
    enum maction a;
    enum mstat st = MS_FAIL;
    sfsistat r;
    if(!ekey || !hkey) {
        free(ekey);
        free(hkey);
        return SMFIS_TEMPFAIL;
    }
    env_key(s, ekey, PPAP_KEY_MAX + 1);
    /* a held message is known again by its envelope and the hash of
     * its body: the sending MTA retries the same body, while the headers
     * change at every retry (our own Received: line, and a Message-ID
     * Postfix adds when there was none): keyed on them, the wait would
     * start again each time, a message held without end */
    snprintf(hkey, HKEY_MAX, "held\n%s\n#%016llx", ekey,
             (unsigned long long)fnv(s->buf + s->body, s->len - s->body));

    if(s->overbudget) {
        verdict = "unscanned";
        snprintf(j.reason, sizeof(j.reason), "kensa: buffer budget "
                 "(max_buffered) exhausted");
        a = conf.on_fail;
        st = MS_FAIL;
    } else if(s->oversize) {
        verdict = "unscanned";
        snprintf(j.reason, sizeof(j.reason), "kensa: larger than "
                 "max_message (%llu bytes)",
                 (unsigned long long)conf.max_message);
        a = conf.on_oversize;
        st = MS_OVERSIZE;
    } else {
        /* the passwords this mail carries, for the archives of its
         * envelope (held before, or coming after) */
        char pw[PPAP_PW][KENSA_MAIL_PASSWORD_LEN + 1];
        /* parsed while holding a slot of the pool, as a scan is: at most
         * `workers` messages are taken apart at once, whatever the number
         * of sessions (GMime's parse costs memory in proportion) */
        struct kensa_scanner *slot = pool_take();
        size_t n = kensa_mail_passwords(s->buf, s->len, pw, PPAP_PW);
        pool_give(slot);
        if(n)
            ppap_add(ekey, pw, n, now);
        n = ppap_get(ekey, pw, PPAP_PW, now);
        if(!judge(s, pw, n, &j)) {
            verdict = "unscanned";
            snprintf(j.reason, sizeof(j.reason), "kensa: the engine "
                     "could not read the message");
            a = conf.on_fail;
            st = MS_FAIL;
        } else if(j.rank == 2) {
            verdict = "malicious";
            a = conf.on_malicious;
            st = MS_MALICIOUS;
        } else if(j.rank == 1) {
            verdict = "suspicious";
            a = conf.on_suspicious;
            st = MS_SUSPICIOUS;
        } else if(j.sealed) {
            verdict = "ppap-unopened";
            snprintf(j.reason, sizeof(j.reason), "mail.encrypted_unopened: "
                     "an encrypted archive no candidate password opened");
            st = MS_PPAP_HELD;
            switch(conf.ppap) {
            case PPAP_QUARANTINE: a = MACT_QUARANTINE; break;
            case PPAP_REJECT: a = MACT_REJECT; break;
            case PPAP_ACCEPT: a = MACT_ACCEPT; break;
            default: {
                time_t first = ppap_pending(hkey, now);
                /* not recorded (out of memory): no hold without end */
                if(first != (time_t)-1 &&
                   now - first < (time_t)conf.ppap_max_wait) {
                    char text[120];
                    snprintf(text, sizeof(text), "kensa: encrypted "
                             "attachment held until its password mail "
                             "arrives (PPAP), try again later");
                    smfi_setreply(ctx, "451", "4.7.1", text);
                    syslog(LOG_INFO, "%s: verdict=ppap-unopened "
                           "action=tempfail held_for=%llds", q,
                           (long long)(now - first));
                    r = SMFIS_TEMPFAIL;
                    goto done;
                }
                a = conf.ppap_fallback;
                break;
            }
            }
        } else {
            verdict = "clean";
            if(!j.reason[0])
                snprintf(j.reason, sizeof(j.reason), "no finding");
            a = conf.on_clean;
            st = ppap_is_pending(hkey, now) ? MS_PPAP_OPENED : MS_CLEAN;
        }
        if(!j.sealed && n)
            ppap_done(hkey);
        else if(j.sealed && a != MACT_TEMPFAIL)
            ppap_done(hkey);
    }
    r = act(ctx, s, a, verdict, j.threat, j.reason);
    syslog(LOG_INFO, "%s: verdict=%s threat=%s action=%s reason=%s", q,
           verdict, j.threat[0] ? j.threat : "none", maction_name(a),
           j.reason);
done:;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    stats_add(r == SMFIS_TEMPFAIL && j.sealed ? MS_PPAP_HELD : st,
              (double)(t1.tv_sec - s->t0.tv_sec) * 1e3 +
              (double)(t1.tv_nsec - s->t0.tv_nsec) / 1e6);
    free(ekey);
    free(hkey);
    msg_reset(s);
    return r;
}

static sfsistat on_abort(SMFICTX *ctx)
{
    struct sess *s = smfi_getpriv(ctx);
    if(s)
        msg_reset(s);
    return SMFIS_CONTINUE;
}

static sfsistat on_close(SMFICTX *ctx)
{
    struct sess *s = smfi_getpriv(ctx);
    if(s) {
        msg_reset(s);
        free(s);
        smfi_setpriv(ctx, NULL);
        __atomic_sub_fetch(&sessions, 1, __ATOMIC_RELAXED);
    }
    return SMFIS_CONTINUE;
}

/* ---- the daemon ------------------------------------------------------- */

static sigset_t sigs;

static void *signal_thread(void *arg)
{
    (void)arg;
    for(;;) {
        int sig;
        if(sigwait(&sigs, &sig))
            continue;
        if(sig == SIGUSR1) {
            char line[512];
            stats_line(line, sizeof(line));
            syslog(LOG_INFO, "stats: %s", line);
            fprintf(stderr, "kensa milter: stats: %s\n", line);
            continue;
        }
        syslog(LOG_INFO, "signal %d: stopping", sig);
        smfi_stop();
        return NULL;
    }
}

/* The pid file, created new; one left by a process that is gone is
 * replaced (after kill -9).  False with a message on stderr. */
static bool pid_write(const char *path)
{
    for(int tries = 0; tries < 2; tries++) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                      O_CLOEXEC, 0644);
        if(fd >= 0) {
            char b[32];
            int n = snprintf(b, sizeof(b), "%ld\n", (long)getpid());
            bool ok = write(fd, b, (size_t)n) == n;
            ok = !close(fd) && ok;
            if(!ok)
                unlink(path);
            return ok;
        }
        if(errno != EEXIST)
            break;
        int rfd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
                       O_NONBLOCK);   /* a FIFO must not hang us */
        char b[32] = "";
        struct stat st;
        if(rfd < 0)
            break;
        ssize_t got = fstat(rfd, &st) || !S_ISREG(st.st_mode) ? -1 :
                      read(rfd, b, sizeof(b) - 1);
        close(rfd);
        long pid = got > 0 ? strtol(b, NULL, 10) : 0;
        if(pid <= 0 || !kill((pid_t)pid, 0) || errno != ESRCH) {
            fprintf(stderr, "kensa: milter: %s exists (pid %ld still "
                    "running?)\n", path, pid);
            return false;
        }
        unlink(path);   /* stale: its process is gone */
    }
    fprintf(stderr, "kensa: milter: %s: %s\n", path, strerror(errno));
    return false;
}

static bool socket_ok(const char *s)
{
    if(!strncmp(s, "unix:", 5) || !strncmp(s, "local:", 6))
        return s[strcspn(s, ":") + 1] == '/';
    if(!strncmp(s, "inet:", 5) || !strncmp(s, "inet6:", 6)) {
        const char *p = s + strcspn(s, ":") + 1;
        char *end;
        long port = strtol(p, &end, 10);
        return end != p && port > 0 && port < 65536 &&
               (*end == 0 || *end == '@');
    }
    return false;
}

static void usage(FILE *o)
{
    fputs("usage: kensa milter --socket unix:PATH|inet:PORT@HOST "
          "[--config FILE] [--pidfile FILE]\n"
          "  Judge each message passing a Postfix or Sendmail as "
          "`kensa mail` would.\n"
          "  --socket SPEC   where the MTA connects (unix:/run/kensa/"
          "milter.sock, inet:8891@127.0.0.1)\n"
          "  --config FILE   key = value lines: actions per verdict, PPAP "
          "policy, limits (kensa(1), MILTER)\n"
          "  --pidfile FILE  write the process id to FILE (created new)\n",
          o);
}

int milter_main(int argc, char **argv)
{
    static const struct option lo[] = {
        { "socket", required_argument, NULL, 's' },
        { "config", required_argument, NULL, 'c' },
        { "pidfile", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *sock = NULL, *cfile = NULL;
    char why[512];
    int o, rc = 2;
    pthread_t sigt;
    bool have_sigt = false;

    milter_conf_default(&conf);
    optind = 1;
    while((o = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch(o) {
        case 's': sock = optarg; break;
        case 'c': cfile = optarg; break;
        case 'p': pidfile = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if(optind < argc || !sock) {
        usage(stderr);
        return 2;
    }
    if(!socket_ok(sock)) {
        fprintf(stderr, "kensa: milter: bad --socket \"%s\" (unix:/PATH or "
                "inet:PORT@HOST)\n", sock);
        return 2;
    }
    if(!kensa_mail_built()) {
        fputs("kensa: milter: mail support (GMime) is not built in\n",
              stderr);
        return 2;
    }
    if(cfile && !milter_conf_load(&conf, cfile, why, sizeof(why))) {
        fprintf(stderr, "kensa: milter: %s\n", why);
        return 2;
    }
    /* a held message's record must outlive its wait, or the wait would
     * start again at every retry */
    if(conf.ppap_keep < conf.ppap_max_wait + 3600)
        conf.ppap_keep = conf.ppap_max_wait + 3600;
    if(!ppap_init(conf.state_file, conf.ppap_keep, why, sizeof(why))) {
        fprintf(stderr, "kensa: milter: %s\n", why);
        return 2;
    }
    openlog("kensa-milter", LOG_PID | LOG_NDELAY, LOG_MAIL);

    /* the scanners, made once (rules compiled, intel loaded) */
    pool_n = conf.workers;
    pool = calloc(pool_n, sizeof(*pool));
    pool_busy = calloc(pool_n, sizeof(*pool_busy));
    if(!pool || !pool_busy)
        goto out;
    for(unsigned i = 0; i < pool_n; i++) {
        struct kensa_options so;
        enum kensa_err err;
        scan_opts(&so);
        if(!(pool[i] = kensa_scanner_new(&so, &err))) {
            fprintf(stderr, "kensa: milter: %s\n", kensa_strerror(err));
            goto out;
        }
    }

    struct smfiDesc desc = {
        .xxfi_name = (char *)"kensa",
        .xxfi_version = SMFI_VERSION,
        .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
        .xxfi_connect = on_connect,
        .xxfi_envfrom = on_envfrom,
        .xxfi_envrcpt = on_envrcpt,
        .xxfi_header = on_header,
        .xxfi_eoh = on_eoh,
        .xxfi_body = on_body,
        .xxfi_eom = on_eom,
        .xxfi_abort = on_abort,
        .xxfi_close = on_close,
    };
    /* the pid file before the socket: a second milter started by
     * mistake stops here, before its smfi_opensocket(true) removes the
     * running one's socket (every mail tempfailed until a restart) */
    if(pidfile && !pid_write(pidfile)) {
        pidfile = NULL;
        goto out;
    }
    /* a unix socket: the MTA (Postfix's smtpd runs as postfix) must be
     * able to connect; removed again at exit.  Its mode comes from the
     * umask at bind: a chmod(path) after it would follow a link put in
     * its place by whoever can write the folder (root's chmod of any
     * file to socket_mode) */
    const char *upath = NULL;
    if(!strncmp(sock, "unix:", 5) || !strncmp(sock, "local:", 6))
        upath = sock + strcspn(sock, ":") + 1;
    mode_t um = umask(0);
    umask(upath ? ~(mode_t)conf.socket_mode & 0777 : um);
    bool listening = smfi_register(desc) != MI_FAILURE &&
                     smfi_setconn((char *)sock) != MI_FAILURE &&
                     smfi_opensocket(true) != MI_FAILURE;
    umask(um);
    if(!listening) {
        fprintf(stderr, "kensa: milter: cannot listen on %s\n", sock);
        goto out;
    }
    /* the signals go to one thread of ours, blocked everywhere else */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    if(pthread_create(&sigt, NULL, signal_thread, NULL))
        goto out;
    have_sigt = true;
    syslog(LOG_INFO, "listening on %s (max_sessions=%u workers=%u)", sock,
           conf.max_sessions, conf.workers);
    fprintf(stderr, "kensa milter: listening on %s\n", sock);
    rc = smfi_main() == MI_SUCCESS ? 0 : 2;
    syslog(LOG_INFO, "stopped");
    if(upath)
        unlink(upath);
out:
    if(have_sigt) {
        pthread_cancel(sigt);
        pthread_join(sigt, NULL);
    }
    if(pidfile)
        unlink(pidfile);
    for(unsigned i = 0; pool && i < pool_n; i++)
        kensa_scanner_free(pool[i]);
    free(pool);
    free(pool_busy);
    ppap_free();
    closelog();
    return rc;
}

#endif
