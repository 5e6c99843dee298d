/*
 * main.c - the kensa command: parses the command line, wires a scanner's
 * callbacks to a report, prints progress and the summary on stderr, and
 * turns the outcome into the exit code.  Uses the public API only.
 *
 * Exit status (as clamscan): 0 nothing found, 1 findings, 2 error (usage,
 * or unreadable paths and no findings).  Findings win over errors.  Only
 * findings at --fail-on's severity or worse count, and never an
 * inventory (--all's patched copies); a file deleted between listing and
 * opening is counted as vanished, not as an error (decide_exit).
 *
 * Besides the public API it uses lib/util's self-contained helpers (the
 * JSON escaper), which depend on nothing else in the engine.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kensa/kensa.h"
#include "excludes.h"
#include "milter.h"
#include "passwords.h"
#include "syslog.h"
#include "util/esc.h"    /* lib/util: shareable helpers, as curl's curlx */
#include "util/json.h"

enum { EXIT_CLEAN = 0, EXIT_FOUND = 1, EXIT_ERROR = 2 };

enum opt_id {
    OPT_FIRST_LONG = 256,
#define OPT(id, lng, sh, arg, help) OPT_##id,
#include "options.def"
#undef OPT
};

static const struct {
    int id;
    const char *lng;
    char sh;
    const char *arg;
    const char *help;
} opts_table[] = {
#define OPT(id, lng, sh, arg, help) { OPT_##id, lng, sh, arg, help },
#include "options.def"
#undef OPT
};
#define NOPTS (sizeof(opts_table) / sizeof(opts_table[0]))

/* A removal to do after the scan, copied out of a finding. */
struct fixjob {
    char *file;          /* file on disk to rewrite */
    char **chain;
    size_t chain_len;
    char *entry;         /* NULL: remove `file` itself (exploded folder) */
    char *where;         /* the finding's path, for messages */
    char *fixed_in;
    uint64_t dev, ino;   /* the file as scanned (entry != NULL) */
};

struct cli {
    const char *cmd;
    struct kensa_options so;
    struct kensa_report_opts ro;
    const char *output;
    const char **excludes;
    size_t n_excludes;
    const char **exclude_files;     /* --exclude-from */
    size_t n_exclude_files;
    struct globlist globs;          /* --exclude, then the files' globs */
    const char **include_fs;        /* --include-fs */
    size_t n_include_fs;
    int fail_on;                    /* --fail-on: least severity for exit 1 */
    uint64_t failing;               /* findings that make the exit 1 */
    const char **log_paths;
    size_t n_log_paths;
    const char *iocs_path;          /* --export-iocs */
    const char *timeline_path;      /* --timeline, NULL: none */
    struct kensa_timeline *timeline; /* --timeline, and the summary */
    const char *extract;            /* doc --extract DIR */
    struct kensa_iocs *iocs;
    const char **ioc_files;         /* --iocs: the user's intel */
    size_t n_ioc_files;
    const char **rule_paths;        /* --rules */
    size_t n_rule_paths;
    bool rules_list;                /* rules --list */
    const char *rules_export;       /* rules --export DIR */
    struct pwlist passwords;        /* --password, then --passwords files */
    const char **password_files;
    size_t n_password_files;
    bool fix, dry_run, restore, fix_log4j1;
    const char *backup_dir;
    struct fixjob *jobs;
    size_t njobs, capjobs;
    size_t jobs_lost;          /* fixes not recorded for want of memory */
    bool quiet, no_summary, progress;
    bool no_confine;
    bool running;               /* --running: what processes hold */
    long *pids;                 /* --pid, repeatable */
    size_t n_pids;
    char confinement[192];      /* what kensa_confine() put in force */
    const char *syslog_dest;        /* --syslog, NULL: none */
    int syslog_facility;            /* --syslog-facility (local0) */
    struct syslog_sender *syslog;   /* while scanning */
    struct syslog_stats syslog_st;  /* once drained */
    char output_name[4096];         /* -o with %h, %t expanded */
    struct kensa_report *report;
    size_t per_threat_n;
    struct { char *id; uint64_t n; } per_threat[32]; /* then "other" */
    uint64_t per_threat_other;
    struct kensa_scanner *scanner;  /* while scanning, for cancel */
    int write_errno;                /* the report could not be written */
    bool progress_shown;
    int argc;                       /* the whole command line, for the */
    char **argv;                    /* run record's process.args */
    bool no_advice;                 /* --no-advice */
    bool force;                     /* --restore --force */
    /* the response (scan): --kill, --quarantine DIR; what to act on is
     * gathered from the findings, acted on after the scan */
    bool kill;
    bool kill_memory;               /* --kill-memory: on memory matches too */
    const char *quarantine, *restore_quarantine;
    bool gathering;                 /* findings still collected */
    size_t response_failed;         /* kills or moves refused or failed */
    /* memory_only: every malicious finding of the process was in its
     * memory, which a remote peer can fill (a request, a mail): spared
     * unless --kill-memory */
    struct { long pid; char start[40]; bool memory_only; } *victims;
    size_t n_victims;
    struct { char *path; uint64_t dev, ino; } *qfiles;
    size_t n_qfiles;
    uint64_t per_sev[5];            /* findings per severity, summary */
};

/* Write s with control bytes escaped (file names are attacker-chosen). */
static void putsafe(const char *s, FILE *o)
{
    kensa_fputs_safe(s, o);
}

/*
 * Messages come from the library's catalog (kensa_message_render), in the
 * language of --lang (or LANG): M("cli.restored", path, backup) names a
 * message id and its string arguments; the compiler checks that they are
 * strings.  `lang` is set from the environment first, then from --lang.
 */
static enum kensa_lang lang;

struct margs {
    const char *id, *a1, *a2, *a3, *a4, *a5, *a6;
    int end_;
};
#define M(...) (&(const struct margs){ __VA_ARGS__, .end_ = 0 })

/* The message rendered in `lang`, malloc'd (NULL when out of memory). */
static char *render(const struct margs *m)
{
    const char *a[6] = { m->a1, m->a2, m->a3, m->a4, m->a5, m->a6 };
    size_t n = 0;
    for(size_t i = 0; i < 6; i++)
        if(a[i])
            n = i + 1;
    size_t len = kensa_message_render(m->id, a, n, lang, NULL, 0);
    char *p = malloc(len + 1);
    if(p)
        kensa_message_render(m->id, a, n, lang, p, len + 1);
    return p;
}

/* m as a kensa_msg for the report, its arguments in a[6] (the caller's,
 * which must outlive the message). */
static struct kensa_msg kmsg(const struct margs *m, const char *a[6])
{
    const char *v[6] = { m->a1, m->a2, m->a3, m->a4, m->a5, m->a6 };
    size_t n = 0;
    for(size_t i = 0; i < 6; i++) {
        a[i] = v[i];
        if(v[i])
            n = i + 1;
    }
    return (struct kensa_msg){ .id = m->id, .args = a, .nargs = n };
}

/* Write the message (arguments may hold any bytes: control characters are
 * escaped) without a newline. */
static void put_m(FILE *o, const struct margs *m)
{
    char *p = render(m);
    if(p)
        putsafe(p, o);
    free(p);
}

/* One line: "kensa: " and the message (a diagnostic on stderr), or the
 * message alone (a result on stdout). */
static void say(FILE *o, const struct margs *m)
{
    if(o == stderr)
        fputs("kensa: ", o);
    put_m(o, m);
    fputc('\n', o);
}

/* One line on stderr, no "kensa: " (the summary). */
static void say_plain(const struct margs *m)
{
    put_m(stderr, m);
    fputc('\n', stderr);
}

/* n in decimal, into buf (>= 24 bytes). */
static const char *num(char *buf, unsigned long long n)
{
    snprintf(buf, 24, "%llu", n);
    return buf;
}

/* kensa's own text from the catalog (no arguments), written raw. */
static void put_own(FILE *o, const char *id)
{
    const char *t = kensa_message_template(id, lang);
    if(t)
        fputs(t, o);
}

/*
 * The options each command takes, by long name, between spaces; "*" adds
 * the options every scanning command takes (SCAN_OPTS).
 */
#define SCAN_OPTS " json csv format output quiet no-advice color lang all " \
    "fail-on threads exclude exclude-from include-fs one-file-system " \
    "follow-symlinks scan-pseudo-fs max-filesize max-scansize max-files " \
    "max-recursion max-ratio max-scantime no-summary password passwords " \
    "root no-confine syslog syslog-facility help "
static const struct { const char *cmd, *opts; } cmd_opts[] = {
    { "log4j", SCAN_OPTS "fix dry-run backup-dir restore force fix-log4j1 "
               "running pid timeline " },
    { "logs", SCAN_OPTS "export-iocs timeline " },
    { "doc", SCAN_OPTS "extract " },
    { "mail", SCAN_OPTS },
    { "scan", SCAN_OPTS "log-path running pid persistence no-persistence "
              "iocs rules timeline kill kill-memory quarantine "
              "restore-quarantine "
              "max-procmem " },
    { "rules", " list export lang help " },
    /* a layout folder is read as an image: no walk, no --root */
    { "milter", " socket config pidfile help " },
    { "image", " json csv format output quiet no-advice color lang all "
               "fail-on max-scansize max-files max-recursion max-ratio "
               "max-scantime no-summary password passwords no-confine "
               "syslog syslog-facility help " },
    { "system", " root json format lang help " },
    { "threats", " lang help " },
    { "brief", " lang help " },
    { "version", " help " },
};

/*
 * --help: every command and option (cmd NULL), or one command's usage and
 * its options (kensa COMMAND --help), in `lang`.  The option help comes
 * from the catalog ("opt.<long name>"), else from options.def.  False
 * when cmd is not a command.
 */
static bool usage(FILE *o, const char *cmd)
{
    const char *only = NULL;
    char id[96];
    if(cmd) {
        for(size_t i = 0; i < sizeof(cmd_opts) / sizeof(cmd_opts[0]); i++)
            if(!strcmp(cmd_opts[i].cmd, cmd))
                only = cmd_opts[i].opts;
        if(!only)
            return false;
        snprintf(id, sizeof(id), "usage.cmd.%s", cmd);
        put_own(o, id);
    } else {
        put_own(o, "usage.main");
    }
    put_own(o, "usage.options");
    for(size_t i = 0; i < NOPTS; i++) {
        char left[64], key[72];
        if(only) {
            snprintf(key, sizeof(key), " %s ", opts_table[i].lng);
            if(!strstr(only, key))
                continue;
        }
        if(opts_table[i].sh)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", opts_table[i].sh,
                     opts_table[i].lng, opts_table[i].arg ? " " : "",
                     opts_table[i].arg ? opts_table[i].arg : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", opts_table[i].lng,
                     opts_table[i].arg ? " " : "",
                     opts_table[i].arg ? opts_table[i].arg : "");
        snprintf(id, sizeof(id), "opt.%s", opts_table[i].lng);
        const char *help = kensa_message_template(id, lang);
        fprintf(o, "  %-28s %s\n", left, help ? help : opts_table[i].help);
    }
    put_own(o, "usage.foot");
    return true;
}

static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if(errno || end == s || *s == '-')
        return false;
    uint64_t mul = 1;
    switch(toupper((unsigned char)*end)) {
    case 'K': mul = 1024ull; end++; break;
    case 'M': mul = 1024ull * 1024; end++; break;
    case 'G': mul = 1024ull * 1024 * 1024; end++; break;
    case 'T': mul = 1024ull * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if(*end == 'B' || *end == 'b')
        end++;
    if(*end || (v && mul > UINT64_MAX / v))
        return false;
    *out = v * mul;
    return true;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    if(!parse_size(s, &v) || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static void job_clear(struct fixjob *j)
{
    for(size_t k = 0; j->chain && k < j->chain_len; k++)
        free(j->chain[k]);
    free(j->chain);
    free(j->file);
    free(j->entry);
    free(j->where);
    free(j->fixed_in);
}

/* Record a fix to make after the scan.  Out of memory, the fix is not
 * made and the run says so and ends with an error (jobs_lost). */
static void add_job(struct cli *c, const struct kensa_finding *f,
                    const char *entry)
{
    bool ok = false;
    if(c->njobs == c->capjobs) {
        size_t nc = c->capjobs ? c->capjobs * 2 : 16;
        struct fixjob *nj = realloc(c->jobs, nc * sizeof(*nj));
        if(!nj)
            goto out;
        c->jobs = nj;
        c->capjobs = nc;
    }
    struct fixjob *j = &c->jobs[c->njobs];
    memset(j, 0, sizeof(*j));
    const char *fix_file = f->remedy ? f->remedy->file : NULL;
    j->file = strdup(entry || !fix_file ? f->file_path : fix_file);
    j->where = strdup(f->path);
    const char *fixed_in = kensa_finding_str(f, "kensa.fixed_in");
    j->fixed_in = fixed_in ? strdup(fixed_in) : NULL;
    if(!j->file || !j->where || (fixed_in && !j->fixed_in))
        goto fail;
    if(entry) {
        j->dev = f->file_dev;
        j->ino = f->file_ino;
        j->entry = strdup(entry);
        j->chain = calloc(f->chain_len + 1, sizeof(char *));
        if(!j->entry || !j->chain)
            goto fail;
        for(; j->chain_len < f->chain_len; j->chain_len++) {
            j->chain[j->chain_len] = strdup(f->chain[j->chain_len]);
            if(!j->chain[j->chain_len])
                goto fail;
        }
    }
    c->njobs++;
    ok = true;
    goto out;
fail:
    job_clear(j);
out:
    if(!ok) {
        say(stderr, M("cli.not_fixed", f->path,
                      kensa_strerror_lang(KENSA_ENOMEM, lang)));
        c->jobs_lost++;
    }
}

/* Findings per threat id, for the summary. */
static void count_threat(struct cli *c, const char *id)
{
    for(size_t i = 0; i < c->per_threat_n; i++) {
        if(!strcmp(c->per_threat[i].id, id)) {
            c->per_threat[i].n++;
            return;
        }
    }
    size_t cap = sizeof(c->per_threat) / sizeof(c->per_threat[0]);
    if(c->per_threat_n < cap &&
       (c->per_threat[c->per_threat_n].id = strdup(id))) {
        c->per_threat[c->per_threat_n++].n = 1;
        return;
    }
    c->per_threat_other++;
}

/* SIGINT/SIGTERM: stop the scan, then report what was found. */
static volatile sig_atomic_t got_signal;
static struct kensa_scanner *volatile signal_scanner;

static void on_signal(int sig)
{
    got_signal = sig;
    if(signal_scanner)
        kensa_scanner_cancel(signal_scanner);
}

/* --kill, --quarantine: remember the process (pid and start: a pid is
 * reused) and the file on disk of a malicious finding, each once. */
#define RESPONSE_MAX 4096
/* A finding in a process's memory ("/proc/PID/mem"), not in a file it
 * runs or holds. */
static bool in_memory(const struct kensa_finding *f)
{
    const char *p = f->file_path;
    size_t n = p ? strlen(p) : 0;
    return n > 10 && !strncmp(p, "/proc/", 6) && !strcmp(p + n - 4, "/mem");
}

static void gather_response(struct cli *c, const struct kensa_finding *f)
{
    const struct kensa_attr *pid = kensa_finding_attr(f, "process.pid");
    const char *start = kensa_finding_str(f, "process.start");
    if(c->kill && pid && start && c->n_victims < RESPONSE_MAX) {
        bool mem = in_memory(f);
        size_t i = 0;
        while(i < c->n_victims && c->victims[i].pid != (long)pid->num)
            i++;
        if(i < c->n_victims) {
            c->victims[i].memory_only &= mem;
        } else {
            void *nv = realloc(c->victims, (c->n_victims + 1) *
                                           sizeof(*c->victims));
            if(nv) {
                c->victims = nv;
                c->victims[i].pid = (long)pid->num;
                snprintf(c->victims[i].start, sizeof(c->victims[0].start),
                         "%s", start);
                c->victims[i].memory_only = mem;
                c->n_victims++;
            }
        }
    }
    /* a file on disk only: not a process's memory or sockets */
    if(c->quarantine && f->file_path && S_ISREG(f->file_mode) &&
       c->n_qfiles < RESPONSE_MAX) {
        for(size_t i = 0; i < c->n_qfiles; i++)
            if(c->qfiles[i].dev == f->file_dev &&
               c->qfiles[i].ino == f->file_ino)
                return;
        void *nq = realloc(c->qfiles, (c->n_qfiles + 1) * sizeof(*c->qfiles));
        if(!nq)
            return;
        c->qfiles = nq;
        /* a root given relative: made absolute, kensa never changes
         * its working folder */
        char cwd[4096];
        char *abs = NULL;
        if(f->file_path[0] == '/')
            abs = strdup(f->file_path);
        else if(getcwd(cwd, sizeof(cwd)) &&
                asprintf(&abs, "%s/%s", cwd, f->file_path) < 0)
            abs = NULL;
        if(!(c->qfiles[c->n_qfiles].path = abs))
            return;
        c->qfiles[c->n_qfiles].dev = f->file_dev;
        c->qfiles[c->n_qfiles].ino = f->file_ino;
        c->n_qfiles++;
    }
}

static void on_finding(const struct kensa_finding *f, void *ud)
{
    struct cli *c = ud;
    if(c->progress_shown) {
        fputs("\r\033[K", stderr);
        c->progress_shown = false;
    }
    syslog_next(c->syslog, SYSLOG_FINDING, (int)f->severity);
    if(kensa_report_finding(c->report, f) && !c->write_errno) {
        /* nowhere to write: stop rather than scan for nothing */
        c->write_errno = errno ? errno : EIO;
        kensa_scanner_cancel(c->scanner);
    }
    count_threat(c, f->threat);
    if((unsigned)f->severity < 5)
        c->per_sev[f->severity]++;
    /* an inventory (--all) is not a reason to fail, nor are macros that
     * do nothing dangerous (a mail gateway must not bounce every
     * spreadsheet with a macro: the record is there for whoever wants) */
    if(f->verdict != KENSA_VERDICT_PATCHED &&
       f->verdict != KENSA_VERDICT_MACROS &&
       !(f->kind == KENSA_KIND_STATE && f->verdict == KENSA_VERDICT_NONE) &&
       (int)f->severity >= c->fail_on)
        c->failing++;
    if(c->iocs)
        kensa_iocs_add(c->iocs, f);
    kensa_timeline_add(c->timeline, f);
    if(c->gathering && f->verdict == KENSA_VERDICT_MALICIOUS)
        gather_response(c, f);
    if(c->fix || c->dry_run) {
        const struct kensa_remedy *r = f->remedy;
        if(r && (r->entry || r->file))
            add_job(c, f, r->entry);
        for(size_t i = 0; r && c->fix_log4j1 && i < r->n_optional; i++)
            add_job(c, f, r->optional[i]);
    }
}

static void on_warning(const struct kensa_warning *w, void *ud)
{
    struct cli *c = ud;
    if(c->quiet)
        return;
    if(c->ro.format == KENSA_FMT_JSON) {
        syslog_next(c->syslog, SYSLOG_WARNING, 0);
        if(kensa_report_warning(c->report, w) && !c->write_errno) {
            c->write_errno = errno ? errno : EIO;
            kensa_scanner_cancel(c->scanner);
        }
        return;
    }
    if(c->progress_shown) {
        fputs("\r\033[K", stderr);
        c->progress_shown = false;
    }
    size_t n = kensa_warning_render(w, lang, NULL, 0);
    char *text = malloc(n + 1);
    if(text)
        kensa_warning_render(w, lang, text, n + 1);
    say(stderr, M("cli.warning", w->path, text ? text : w->message));
    free(text);
}

/* Columns of the terminal on fd, 80 when it does not say. */
static unsigned term_cols(int fd)
{
    struct winsize ws;
    if(ioctl(fd, TIOCGWINSZ, &ws) || ws.ws_col < 20)
        return 80;
    return ws.ws_col;
}

/* "1 file", "2 files" (Japanese has no plural): catalog id stem + ".one"
 * or ".other", rendered in `lang`, malloc'd. */
static char *count_of(const char *stem, unsigned long long n)
{
    char id[64], nb[24];
    snprintf(id, sizeof(id), "%s.%s", stem, n == 1 ? "one" : "other");
    return render(M(id, num(nb, n)));
}

/*
 * One progress line on stderr, redrawn in place (\r, clear to the end of
 * the line): counts and rates, then as much of the current path's end as
 * fits the terminal's width, so the line never wraps (a wrapped line
 * would not be redrawn but repeated).  At most ten times a second.
 */
static void on_progress(const char *path, const struct kensa_stats *st,
                        void *ud)
{
    struct cli *c = ud;
    static struct timespec t0, last;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if(!t0.tv_sec)
        t0 = now;
    double since = (double)(now.tv_sec - last.tv_sec) +
                   (double)(now.tv_nsec - last.tv_nsec) / 1e9;
    if(c->progress_shown && since < 0.1)
        return;
    last = now;
    double el = (double)(now.tv_sec - t0.tv_sec) +
                (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
    if(el < 0.01)
        el = 0.01;
    char rate[32], mbs[32];
    snprintf(rate, sizeof(rate), "%.0f", (double)st->files / el);
    snprintf(mbs, sizeof(mbs), "%.1f", (double)st->bytes / el / 1e6);
    char *files = count_of("count.file", st->files);
    char *finds = count_of("count.finding", st->findings);
    char *head = files && finds ? render(M("progress.line", files, rate,
                                           mbs, finds)) : NULL;
    free(files);
    free(finds);
    struct buf b;   /* the path, escaped: what the terminal will show */
    buf_init(&b, 64u << 10);
    if(!head || esc_append(&b, path, strlen(path)) || buf_puts(&b, "")) {
        free(head);
        buf_free(&b);
        return;
    }
    size_t cols = term_cols(STDERR_FILENO) - 1;   /* never the last one */
    size_t hw = utf8_cols(head, strlen(head));
    const char *p = (const char *)b.p;
    size_t plen = b.len;
    fputs("\r\033[K", stderr);
    if(hw >= cols) {    /* a very narrow terminal: the counts, cut */
        size_t w = 0, i = 0;
        unsigned cw;
        while(i < strlen(head)) {
            size_t l = utf8_char(head + i, strlen(head) - i, &cw);
            if(w + cw > cols)
                break;
            w += cw;
            i += l;
        }
        fwrite(head, 1, i, stderr);
    } else {
        size_t room = cols - hw;
        fputs(head, stderr);
        if(utf8_cols(p, plen) <= room) {
            fwrite(p, 1, plen, stderr);
        } else if(room > 3) {
            /* "..." and the end of the path, whole characters only */
            size_t start = plen, w = 0;
            while(start > 0) {
                size_t s2 = start - 1;
                while(s2 > 0 && ((unsigned char)p[s2] & 0xc0) == 0x80)
                    s2--;
                unsigned cw;
                utf8_char(p + s2, plen - s2, &cw);
                if(w + cw > room - 3)
                    break;
                w += cw;
                start = s2;
            }
            fputs("...", stderr);
            fwrite(p + start, 1, plen - start, stderr);
        }
    }
    fflush(stderr);
    free(head);
    buf_free(&b);
    c->progress_shown = true;
}

static enum kensa_lang env_lang(void)
{
    const char *vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
    for(size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if(v && *v)
            return !strncmp(v, "ja", 2) ? KENSA_LANG_JA : KENSA_LANG_EN;
    }
    return KENSA_LANG_EN;
}

static void print_profile(const struct kensa_profile *p, enum kensa_lang l)
{
    printf("%s (%s)\n", p->name, p->id);
    printf("%s: %s\n\n", kensa_label("aliases", l), p->aliases);
    printf("%s:\n  %s\n\n", kensa_label("summary", l), p->summary);
    printf("%s:\n  %s\n\n", kensa_label("impact", l), p->impact);
    printf("%s:\n  %s\n\n", kensa_label("assessment", l), p->assessment);
    printf("%s:\n  %s\n\n", kensa_label("mitigation", l), p->mitigation);
    printf("%s:\n", kensa_label("references", l));
    const char *r = p->references;
    while(*r) {
        size_t n = strcspn(r, "\n");
        printf("  %.*s\n", (int)n, r);
        r += n + (r[n] == '\n');
    }
}

static int cmd_threats(const struct cli *c)
{
    for(size_t i = 0; i < kensa_profile_count(); i++) {
        const struct kensa_profile *p = kensa_profile_at(i, c->ro.lang);
        printf("%-12s %s\n", p->id, p->name);
    }
    return EXIT_CLEAN;
}

static int cmd_brief(const struct cli *c, int argc, char **argv)
{
    if(argc != 1) {
        say(stderr, M("cli.brief_args"));
        return EXIT_ERROR;
    }
    const struct kensa_profile *p = kensa_profile_get(argv[0], c->ro.lang);
    if(!p) {
        say(stderr, M("cli.no_profile", argv[0]));
        return EXIT_ERROR;
    }
    print_profile(p, c->ro.lang);
    return EXIT_CLEAN;
}

static void jobs_free(struct cli *c)
{
    for(size_t i = 0; i < c->njobs; i++)
        job_clear(&c->jobs[i]);
    free(c->jobs);
}

static void count_verdicts(const struct kensa_finding *f, void *ud)
{
    unsigned *v = ud;
    if(f->verdict == KENSA_VERDICT_VULNERABLE && f->remedy &&
       f->remedy->entry)
        v[0]++;
    if(f->verdict == KENSA_VERDICT_MITIGATED)
        v[1]++;
}

static FILE *open_out(const char *path);

/* Report one --fix or --restore action (JSON, CSV; text says it
 * itself).  A write failure is remembered for the exit status. */
static void report_action(struct cli *c, struct kensa_action *a,
                          const struct margs *m)
{
    const char *args[6];
    if(!c->report || c->ro.format == KENSA_FMT_TEXT)
        return;
    a->message = kmsg(m, args);
    if(kensa_report_action(c->report, a) && !c->write_errno)
        c->write_errno = errno ? errno : EIO;
}

/* "a, b, c": the removed entries for a dry run's message, or NULL. */
static char *join_removed(const char *const *v, size_t n)
{
    size_t len = 1;
    for(size_t i = 0; i < n; i++)
        len += strlen(v[i]) + 2;
    char *p = malloc(len), *w = p;
    if(!p)
        return NULL;
    for(size_t i = 0; i < n; i++) {
        size_t l = strlen(v[i]);
        if(i) {
            memcpy(w, ", ", 2);
            w += 2;
        }
        memcpy(w, v[i], l);
        w += l;
    }
    *w = 0;
    return p;
}

/* After the scan: rewrite each file once with all of its removals, then
 * rescan it.  Each file's outcome is said (text) or reported as an
 * action record (JSON, CSV).  Returns the number of files that could
 * not be fixed. */
static size_t run_fixes(struct cli *c)
{
    size_t failed = 0;
    bool text = c->ro.format == KENSA_FMT_TEXT;
    for(size_t i = 0; i < c->njobs; i++) {
        if(!c->jobs[i].file)
            continue;
        const char *file = c->jobs[i].file;
        struct kensa_fix_target t[256];
        const char *removed[256];
        size_t n = 0;
        for(size_t k = i; k < c->njobs && n < 256; k++) {
            struct fixjob *j = &c->jobs[k];
            if(!j->file || strcmp(j->file, file))
                continue;
            if(c->dry_run && text)
                say(stdout, M("cli.would_remove",
                              j->entry ? j->entry : j->file, j->where));
            t[n].chain = (const char *const *)j->chain;
            t[n].chain_len = j->chain_len;
            t[n].entry = j->entry;
            removed[n] = j->entry ? j->entry : j->file;
            n++;
        }
        struct kensa_fix_opts fo = { .dry_run = c->dry_run,
                                     .backup_dir = c->backup_dir,
                                     .expect_dev = c->jobs[i].dev,
                                     .expect_ino = c->jobs[i].ino };
        struct kensa_fix_result r;
        enum kensa_err rc = kensa_fix_file(file, t, n, &fo, &r);
        struct kensa_action act = {
            .action = "log4j-fix", .path = file, .dry_run = c->dry_run,
            .removed = removed, .n_removed = n,
        };
        if(rc) {
            const char *why = r.why[0] ? r.why : kensa_strerror(rc);
            say(stderr, M("cli.not_fixed", file,
                          r.why[0] ? r.why : kensa_strerror_lang(rc, lang)));
            act.reason = why;
            act.removed = NULL;
            act.n_removed = 0;
            report_action(c, &act, M("cli.not_fixed", file, why));
            failed++;
        } else if(c->dry_run) {
            char *list = join_removed(removed, n);
            act.success = true;
            report_action(c, &act, M("cli.would_remove", list ? list : "",
                                     c->jobs[i].where));
            free(list);
        } else {
            /* check the result the way it was found */
            unsigned v[2] = { 0, 0 };
            struct kensa_options so;
            kensa_options_default(&so);
            so.threads = 1;
            so.detectors = KENSA_DETECT_LOG4J;
            so.no_hashes = true;
            struct kensa_scanner *s = kensa_scanner_new(&so, NULL);
            const char *one[1] = { t[0].entry ? file : c->jobs[i].where };
            if(s) {
                kensa_scanner_set_callbacks(s, count_verdicts, NULL, NULL, v);
                kensa_scanner_scan_paths(s, one, 1);
                kensa_scanner_free(s);
            }
            char nb[24];
            const char *up = c->jobs[i].fixed_in ? c->jobs[i].fixed_in :
                                                   "2.17.1";
            const char *rid = r.removed == 1 ? "cli.fixed_one" :
                                               "cli.fixed_many";
            num(nb, r.removed);
            if(text) {
                char *state = render(M(v[0] ? "cli.still_vulnerable" :
                                              "cli.mitigated"));
                say(stdout, M(rid, file, nb, r.backup, state ? state : "",
                              up));
                free(state);
            } else {
                act.success = !v[0];
                act.backup = r.backup;
                act.state = v[0] ? "vulnerable" : "mitigated";
                act.reason = v[0] ? "still vulnerable after the fix" : NULL;
                report_action(c, &act, M(rid, file, nb, r.backup,
                                         v[0] ? "STILL VULNERABLE" :
                                                "mitigated", up));
            }
            if(v[0])
                failed++;
        }
        for(size_t k = i + 1; k < c->njobs; k++) {
            if(c->jobs[k].file && !strcmp(c->jobs[k].file, file)) {
                free(c->jobs[k].file);
                c->jobs[k].file = NULL;
            }
        }
    }
    return failed;
}

/* Restore one backup; false after saying why not.  JSON and CSV get an
 * action record (log4j-restore) instead of the line on stdout. */
static bool restore_one(struct cli *c, const char *backup)
{
    char path[4096] = "", why[512] = "";
    struct stat st;
    struct kensa_action act = { .action = "log4j-restore", .path = backup,
                                .backup = backup };
    if(lstat(backup, &st) && errno == ENOENT) {
        say(stderr, M("cli.backup_missing", backup));
        act.reason = "the backup is missing";
        report_action(c, &act, M("cli.backup_missing", backup));
        return false;
    }
    enum kensa_err e = kensa_fix_restore_ex(backup, c->force, path,
                                            sizeof(path), why, sizeof(why));
    if(e) {
        const char *id = e == KENSA_ECHANGED ? "cli.restore_changed" :
                                               "cli.not_restored";
        say(stderr, M(id, backup,
                      why[0] ? why : kensa_strerror_lang(e, lang)));
        act.reason = why[0] ? why : kensa_strerror(e);
        report_action(c, &act, M(id, backup, act.reason));
        return false;
    }
    act.path = path;
    act.success = true;
    if(c->ro.format == KENSA_FMT_TEXT)
        say(stdout, M("cli.restored", path, backup));
    else
        report_action(c, &act, M("cli.restored", path, backup));
    return true;
}

struct restore_all {
    struct cli *c;
    size_t n, failed;
};

static void restore_listed(const char *backup, void *ud)
{
    struct restore_all *ra = ud;
    ra->n++;
    if(!restore_one(ra->c, backup))
        ra->failed++;
}

/* --restore BACKUP... or DIR...: a folder restores every backup its
 * manifest lists (the last record of each), as --backup-dir named it.
 * JSON and CSV: one action record per backup, to stdout or -o. */
static int cmd_restore(struct cli *c, int argc, char **argv)
{
    int rc = EXIT_CLEAN;
    FILE *out = stdout;
    if(!argc) {
        say(stderr, M("cli.restore_needs"));
        return EXIT_ERROR;
    }
    if(c->ro.format != KENSA_FMT_TEXT) {
        enum kensa_err err;
        if(c->output && !(out = open_out(c->output)))
            return EXIT_ERROR;
        if(!(c->report = kensa_report_new(&c->ro, out, &err))) {
            fprintf(stderr, "kensa: %s\n", kensa_strerror(KENSA_ENOMEM));
            if(out != stdout)
                fclose(out);
            return EXIT_ERROR;
        }
    }
    for(int i = 0; i < argc; i++) {
        struct stat st;
        if(!stat(argv[i], &st) && S_ISDIR(st.st_mode)) {
            struct restore_all ra = { .c = c };
            char why[512] = "";
            enum kensa_err e = kensa_fix_backups(argv[i], restore_listed, &ra,
                                                 why, sizeof(why));
            if(e) {
                say(stderr, M("cli.not_restored", argv[i],
                              why[0] ? why : kensa_strerror_lang(e, lang)));
                rc = EXIT_ERROR;
            } else if(!ra.n) {
                say(stderr, M("cli.no_backups", argv[i]));
                rc = EXIT_ERROR;
            } else if(ra.failed) {
                rc = EXIT_ERROR;
            }
        } else if(!restore_one(c, argv[i])) {
            rc = EXIT_ERROR;
        }
    }
    if(c->report && kensa_report_finish(c->report) && !c->write_errno)
        c->write_errno = errno ? errno : EIO;
    kensa_report_free(c->report);
    c->report = NULL;
    if(out != stdout && fclose(out) && !c->write_errno)
        c->write_errno = errno ? errno : EIO;
    if(c->write_errno) {
        char why[256];
        kensa_syserror(c->write_errno, lang, why, sizeof(why));
        say(stderr, M("cli.report_write", why));
        rc = EXIT_ERROR;
    }
    return rc;
}

/*
 * Expand -o's name into out: %h the host's name (bytes outside
 * [A-Za-z0-9._-] as '_'), %t the start time in UTC (20261126T101500Z),
 * %% a '%'.  -1 for any other '%' sequence or a name too long.
 */
static int expand_output(const char *tmpl, time_t start, char *out,
                         size_t cap)
{
    char host[256] = "", ts[32];
    struct tm tm;
    size_t n = 0;

    if(gethostname(host, sizeof(host) - 1) || !host[0])
        strcpy(host, "localhost");
    for(char *p = host; *p; p++)
        if(!isalnum((unsigned char)*p) && !strchr("._-", *p))
            *p = '_';
    gmtime_r(&start, &tm);
    strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
    for(const char *p = tmpl; *p; p++) {
        const char *add = NULL;
        char one[2] = { *p, 0 };
        if(*p != '%')
            add = one;
        else if(p[1] == 'h')
            add = host;
        else if(p[1] == 't')
            add = ts;
        else if(p[1] == '%')
            add = "%";
        else
            return -1;
        p += *p == '%';
        size_t al = strlen(add);
        if(n + al >= cap)
            return -1;
        memcpy(out + n, add, al);
        n += al;
    }
    out[n] = 0;
    return 0;
}

/* A stream on the file the user named for output (kensa_output_open's
 * checks), or NULL after saying why. */
static FILE *open_out(const char *path)
{
    char why[256];
    FILE *f = NULL;
    int fd = kensa_output_open(path, why, sizeof(why));
    if(fd >= 0 && !(f = fdopen(fd, "w"))) {
        kensa_syserror(errno, lang, why, sizeof(why));
        close(fd);
    }
    if(!f)
        say(stderr, M("cli.cannot_write", path, why));
    return f;
}

/*
 * The --timeline file: a new file, never one that exists (O_EXCL: not
 * over a file, nor through a symbolic link planted in its place), or
 * standard output for "-".  NULL after saying why.
 */
static FILE *open_timeline(const char *path)
{
    char why[256];
    FILE *f = NULL;
    int fd = !strcmp(path, "-") ?
             fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0) :
             open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY |
                  O_CLOEXEC, 0644);
    if(fd < 0 || !(f = fdopen(fd, "w"))) {
        kensa_syserror(errno, lang, why, sizeof(why));
        if(fd >= 0)
            close(fd);
        say(stderr, M("cli.cannot_write", path, why));
    }
    return f;
}

/* Sandbox the rest of the run (kensa_confine).  Read-only commands read
 * beneath their roots only (anywhere with --follow-symlinks: a link may
 * lead anywhere; with --root, beneath that folder, where links stay) and
 * write only to the spill folders; --fix, --dry-run
 * and --restore, which write where they find things, get the system-call
 * filter alone.  0, or EXIT_ERROR once said why. */
static int confine(struct cli *c, const char *const *roots, size_t n)
{
    static const char *const everywhere[] = { "/" };
    struct kensa_confine_opts o = {
        .read_roots = c->so.follow_symlinks ? everywhere : roots,
        .n_read_roots = c->so.follow_symlinks ? 1 : n,
        .landlock = !(c->fix || c->dry_run || c->restore),
        .connect_tcp_port = syslog_tcp_port(c->syslog),
        .write_dirs = c->extract ? &c->extract : NULL,
        .n_write_dirs = c->extract ? 1 : 0,
    };
    /* --running reads other processes' /proc entries, which Landlock
     * forbids (a confined process may not inspect one outside its
     * domain): the system-call filter alone */
    if(c->running)
        o.landlock = false;
    /* --quarantine and --restore-quarantine write where the files are:
     * the system-call filter alone; signals to other processes only with
     * --kill */
    if(c->quarantine || c->restore_quarantine)
        o.landlock = false;
    o.allow_kill = c->kill;
    /* --root: all is read inside that folder, links included */
    if(c->so.root && roots) {
        o.read_roots = &c->so.root;
        o.n_read_roots = 1;
    }
    if(c->no_confine) {
        char *none = render(M("summary.no_confine"));
        snprintf(c->confinement, sizeof(c->confinement), "%s",
                 none ? none : "none (--no-confine)");
        free(none);
        return 0;
    }
    if(kensa_confine(&o, c->confinement, sizeof(c->confinement))) {
        say(stderr, M("cli.confine_failed", c->confinement));
        return EXIT_ERROR;
    }
    return 0;
}

/* The summary's scope lines: files that vanished, network mounts not
 * entered (each named), kensa's own reports left alone.  Nothing when
 * there were none, so a plain scan's summary is as before. */
static void scope_summary(const struct kensa_scanner *s,
                          const struct kensa_stats *st)
{
    char n1[24];
    const char *type;
    size_t i = 0;
    if(st->vanished)
        say_plain(M("summary.vanished", num(n1, st->vanished)));
    for(const char *p; (p = kensa_scanner_pruned(s, i, &type)); i++)
        say_plain(M("summary.pruned", p, type));
    if(st->pruned_fs > i)
        say_plain(M("summary.pruned_more", num(n1, st->pruned_fs - i)));
    if(st->own_reports)
        say_plain(M("summary.own_reports", num(n1, st->own_reports)));
}

/*
 * The exit status of a scan: 128 + the signal that stopped it; 2 when
 * the report could not be written or a fix failed; 1 for a finding at
 * --fail-on's severity or worse that is not an inventory (c->failing);
 * 2 for an error the user must act on (a root that does not exist, an
 * unreadable file: st->errors; vanished files are not among them);
 * else 0.
 */
static int decide_exit(const struct cli *c, const struct kensa_stats *st,
                       enum kensa_err err, size_t fix_failed)
{
    if(got_signal)
        return 128 + got_signal;   /* 130, 143: as the shells report it */
    if(c->write_errno || fix_failed || c->syslog_st.dropped)
        return EXIT_ERROR;
    if(c->failing)
        return EXIT_FOUND;
    if(err || st->errors)
        return EXIT_ERROR;
    return EXIT_CLEAN;
}

/* --kill, then --quarantine, on what the scan gathered; each act said
 * on stderr.  Returns how many were acted on; c->response_failed counts
 * the refusals and failures. */
static size_t respond(struct cli *c)
{
    size_t done = 0;
    char nb[24];
    for(size_t i = 0; i < c->n_victims; i++) {
        num(nb, (unsigned long long)c->victims[i].pid);
        if(c->victims[i].memory_only && !c->kill_memory) {
            say(stderr, M("cli.kill_memory_only", nb));
            continue;
        }
        enum kensa_err e = kensa_process_kill((pid_t)c->victims[i].pid,
                                              c->victims[i].start);
        char where[40];
        snprintf(where, sizeof(where), "/proc/%s", nb);
        struct kensa_action act = { .action = "process-kill", .path = where,
                                    .success = !e,
                                    .reason = e ? kensa_strerror(e) : NULL };
        if(!e) {
            say(stderr, M("cli.killed", nb));
            report_action(c, &act, M("cli.killed", nb));
            done++;
        } else {
            say(stderr, M("cli.kill_refused", nb,
                          kensa_strerror_lang(e, lang)));
            report_action(c, &act, M("cli.kill_refused", nb,
                                     kensa_strerror(e)));
            c->response_failed++;
        }
    }
    struct kensa_quarantine *q = NULL;
    if(c->n_qfiles) {
        enum kensa_err e = kensa_quarantine_open(c->quarantine, &q);
        if(e) {
            say(stderr, M("cli.quarantine_bad", c->quarantine,
                          kensa_strerror_lang(e, lang)));
            c->response_failed++;
        }
    }
    for(size_t i = 0; q && i < c->n_qfiles; i++) {
        char sha[65];
        enum kensa_err e = kensa_quarantine_file(q, c->qfiles[i].path,
                                                 c->qfiles[i].dev,
                                                 c->qfiles[i].ino, sha);
        char copy[4200];
        snprintf(copy, sizeof(copy), "%s/%s", c->quarantine, sha);
        struct kensa_action act = { .action = "quarantine",
                                    .path = c->qfiles[i].path,
                                    .backup = e ? NULL : copy,
                                    .success = !e,
                                    .reason = e ? kensa_strerror(e) : NULL };
        if(!e) {
            say(stderr, M("cli.quarantined", c->qfiles[i].path, sha));
            report_action(c, &act, M("cli.quarantined", c->qfiles[i].path,
                                     sha));
            done++;
        } else {
            say(stderr, M("cli.quarantine_refused", c->qfiles[i].path,
                          kensa_strerror_lang(e, lang)));
            report_action(c, &act, M("cli.quarantine_refused",
                                     c->qfiles[i].path, kensa_strerror(e)));
            c->response_failed++;
        }
    }
    kensa_quarantine_close(q);
    return done;
}

static void on_restored(const char *path, enum kensa_err err, int sys,
                        void *ud)
{
    (void)ud;
    if(!err)
        say(stderr, M("cli.q_restored", path));
    else
        say(stderr, M("cli.q_restore_refused", path,
                      sys == EEXIST ? (lang == KENSA_LANG_JA ?
                      "同名のファイルが既にある" : "a file is already there") :
                      kensa_strerror_lang(err, lang)));
}

/* --restore-quarantine DIR. */
static int cmd_restore_quarantine(struct cli *c)
{
    enum kensa_err e = kensa_quarantine_restore(c->restore_quarantine,
                                                on_restored, c);
    if(e == KENSA_ENOENT || e == KENSA_EINVAL || e == KENSA_EFORMAT)
        say(stderr, M("cli.quarantine_bad", c->restore_quarantine,
                      kensa_strerror_lang(e, lang)));
    return e ? EXIT_ERROR : EXIT_CLEAN;
}

/* --running: the processes named with --pid, else every one.  An
 * unreadable process is a warning (the library's), not an error; a --pid
 * that does not exist is.  KENSA_OK or the error to exit 2 with. */
static enum kensa_err run_processes(struct cli *c, struct kensa_scanner *s)
{
    enum kensa_err err = KENSA_OK;
    if(!c->n_pids) {
        err = kensa_scanner_scan_processes(s);
        if(err)
            say(stderr, M("cli.error", kensa_strerror_lang(err, lang)));
        return err;
    }
    for(size_t i = 0; i < c->n_pids && !kensa_scanner_cancelled(s); i++) {
        enum kensa_err e = kensa_scanner_scan_process(s, (pid_t)c->pids[i]);
        if(e == KENSA_ENOENT) {
            char nb[24];
            say(stderr, M("cli.no_process", num(nb, (unsigned long long)
                                                    c->pids[i])));
            err = e;
        } else if(e == KENSA_ENOMEM) {
            say(stderr, M("cli.error", kensa_strerror_lang(e, lang)));
            err = e;
        }
    }
    return err;
}

/*
 * The user's intel (--iocs, --rules), read before the scan so that a bad
 * file is named with its line (exit 2) and refused entries are counted
 * in a warning.  --iocs was an output option before issue 12: a path
 * that cannot be read says where that went (--export-iocs).
 */
static int check_intel(struct cli *c)
{
    struct kensa_intel_error e;
    for(size_t i = 0; i < c->n_ioc_files; i++) {
        const char *f = c->ioc_files[i];
        enum kensa_err err = kensa_intel_check_iocs(f, &e);
        char *why = e.why ? render(M(e.why, e.detail)) : NULL;
        const char *w = why ? why : kensa_strerror_lang(err, lang);
        char nb[24], nl[24];
        if(err && e.why && (!strcmp(e.why, "intel.reason.open") ||
                            !strcmp(e.why, "intel.reason.not_file")))
            say(stderr, M("cli.iocs_unreadable", f,
                          err == KENSA_ENOENT ?
                          kensa_strerror_lang(err, lang) : w));
        else if(err)
            say(stderr, M("cli.iocs_bad", f, num(nb, e.line), w));
        else if(e.rejected && !c->quiet) {
            char *rw = render(M(e.rejected_why ? e.rejected_why :
                                "intel.reason.unknown"));
            say(stderr, M("cli.iocs_rejected", f, num(nb, e.rejected),
                          num(nl, e.rejected_line), e.rejected_value,
                          rw ? rw : ""));
            free(rw);
        }
        free(why);
        if(err)
            return -1;
    }
    for(size_t i = 0; i < c->n_rule_paths; i++) {
        enum kensa_err err = kensa_intel_check_rules(c->rule_paths[i], &e);
        if(!err)
            continue;
        char *why = e.why ? render(M(e.why, e.detail)) : NULL;
        char nb[24];
        say(stderr, M("cli.rules_bad", e.file, num(nb, e.line),
                      why ? why : kensa_strerror_lang(err, lang)));
        free(why);
        return -1;
    }
    c->so.ioc_files = c->ioc_files;
    c->so.n_ioc_files = c->n_ioc_files;
    c->so.rule_paths = c->rule_paths;
    c->so.n_rule_paths = c->n_rule_paths;
    return 0;
}

/*
 * kensa rules --list | --export DIR: the YARA rules built in.  --export
 * writes each file into DIR (made when missing) through the folder's
 * descriptor, O_EXCL|O_NOFOLLOW: never over an existing file, never
 * through a link planted there.
 */
static int cmd_rules(const struct cli *c)
{
    const char *name, *text;
    size_t len;
    if(!c->rules_list && !c->rules_export) {
        say(stderr, M("cli.rules_needs"));
        return EXIT_ERROR;
    }
    if(c->rules_list) {
        char names[8192];
        for(size_t i = 0; (name = kensa_rules_builtin(i, NULL, NULL)); i++) {
            kensa_rules_builtin_names(i, names, sizeof(names));
            for(char *p = names, *nl; *p; p = nl + 1) {
                if(!(nl = strchr(p, '\n')))
                    break;
                *nl = 0;
                printf("%s\t%s\n", name, p);
            }
        }
    }
    if(!c->rules_export)
        return EXIT_CLEAN;
    char why[256];
    int dfd = kensa_dir_open(c->rules_export, true, why, sizeof(why));
    if(dfd < 0) {
        say(stderr, M("cli.cannot_write", c->rules_export, why));
        return EXIT_ERROR;
    }
    size_t n = 0;
    for(size_t i = 0; (name = kensa_rules_builtin(i, &text, &len)); i++) {
        int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                        O_CLOEXEC, 0644);
        if(fd < 0) {
            say(stderr, M(errno == EEXIST || errno == ELOOP ?
                          "cli.rules_exists" : "cli.cannot_write",
                          name, strerror(errno)));
            close(dfd);
            return EXIT_ERROR;
        }
        size_t off = 0;
        while(off < len) {
            ssize_t w = write(fd, text + off, len - off);
            if(w < 0 && errno == EINTR)
                continue;
            if(w <= 0)
                break;
            off += (size_t)w;
        }
        if(close(fd) || off != len) {
            say(stderr, M("cli.cannot_write", name, strerror(errno)));
            close(dfd);
            return EXIT_ERROR;
        }
        n++;
    }
    close(dfd);
    char nb[24];
    if(!c->quiet)
        say(stderr, M("cli.rules_exported", num(nb, n), c->rules_export));
    return EXIT_CLEAN;
}

static int cmd_scan(struct cli *c, int argc, char **argv)
{
    static const char *const def_roots[] = { "/" };
    const char *const *roots = (const char *const *)argv;
    size_t nroots = (size_t)argc;
    FILE *out = stdout, *iocs_out = NULL, *tl_out = NULL;
    int rc = EXIT_ERROR;
    struct kensa_scanner *s = NULL;
    enum kensa_err err;
    struct timespec t0, t1;

    if(!nroots && c->running) {
        roots = NULL;   /* only what is running */
    } else if(!nroots) {
        if(strcmp(c->cmd, "scan") && !c->so.root) {
            say(stderr, M("cli.needs_path", c->cmd));
            return EXIT_ERROR;
        }
        roots = def_roots;
        nroots = 1;
    }
    if(!strcmp(c->cmd, "image") && c->so.root) {
        say(stderr, M("cli.image_root"));
        return EXIT_ERROR;
    }
    if(c->fix && !c->dry_run) {
        char why[4200];
        if(kensa_fix_check_backup_dir(c->backup_dir, why, sizeof(why))) {
            say(stderr, M("cli.error", why));
            return EXIT_ERROR;
        }
        if(c->so.root) {
            kensa_fix_backup_dir(c->backup_dir, why, sizeof(why));
            say(stderr, M("cli.root_fix", c->so.root, why));
        }
    }
    /* Inputs and outputs are opened before the scan: a refusal costs
     * nothing, and nothing is opened by name once the scan has started. */
    for(size_t i = 0; i < c->n_password_files; i++) {
        char why[128];
        if(passwords_load(&c->passwords, c->password_files[i], why,
                          sizeof(why))) {
            say(stderr, M("cli.passwords", c->password_files[i], why));
            return EXIT_ERROR;
        }
    }
    c->so.passwords = (const char *const *)c->passwords.v;
    c->so.n_passwords = c->passwords.n;
    if(check_intel(c))
        return EXIT_ERROR;
    if(c->iocs_path && !(iocs_out = open_out(c->iocs_path)))
        return EXIT_ERROR;
    if(c->timeline_path && !(tl_out = open_timeline(c->timeline_path))) {
        if(iocs_out)
            fclose(iocs_out);
        return EXIT_ERROR;
    }
    if(c->output) {
        if(expand_output(c->output, time(NULL), c->output_name,
                         sizeof(c->output_name))) {
            say(stderr, M("cli.bad_value", c->output, "output"));
            if(iocs_out)
                fclose(iocs_out);
            if(tl_out)
                fclose(tl_out);
            return EXIT_ERROR;
        }
        c->output = c->output_name;
    }
    if(c->output && !(out = open_out(c->output))) {
        if(iocs_out)
            fclose(iocs_out);
        if(tl_out)
            fclose(tl_out);
        return EXIT_ERROR;
    }
    /* --syslog: the records go to the sender (and to -o's file too),
     * connected now, before the sandbox closes */
    if(c->syslog_dest) {
        char why[512];
        bool pending = false;
        FILE *so;
        c->syslog = syslog_open(c->syslog_dest, c->syslog_facility,
                                &pending, why, sizeof(why));
        if(!c->syslog) {
            say(stderr, M("cli.cannot_write", c->syslog_dest, why));
            goto out;
        }
        if(pending)
            say(stderr, M("cli.warning", c->syslog_dest, why));
        if(!(so = syslog_stream(c->syslog, out != stdout ? out : NULL))) {
            fprintf(stderr, "kensa: %s\n", kensa_strerror(KENSA_ENOMEM));
            goto out;
        }
        out = so;
    }
    c->report = kensa_report_new(&c->ro, out, &err);
    /* indicators feed the text summary and --iocs only */
    if(c->report && (c->iocs_path ||
                     (c->ro.format == KENSA_FMT_TEXT && !c->quiet)))
        c->iocs = kensa_iocs_new();
    if(!c->report || ((c->iocs_path ||
                       (c->ro.format == KENSA_FMT_TEXT && !c->quiet)) &&
                      !c->iocs)) {
        fprintf(stderr, "kensa: %s\n", kensa_strerror(KENSA_ENOMEM));
        goto out;
    }
    /* the timeline: for --timeline, and the text summary of a host scan */
    bool tl_summary = c->ro.format == KENSA_FMT_TEXT && !c->quiet &&
                      !strcmp(c->cmd, "scan");
    if((tl_out || tl_summary) &&
       !(c->timeline = kensa_timeline_new(c->ro.lang))) {
        fprintf(stderr, "kensa: %s\n", kensa_strerror(KENSA_ENOMEM));
        goto out;
    }
    for(size_t i = 0; i < c->n_excludes; i++) {
        if(excludes_add(&c->globs, c->excludes[i])) {
            fprintf(stderr, "kensa: %s\n", kensa_strerror(KENSA_ENOMEM));
            goto out;
        }
    }
    for(size_t i = 0; i < c->n_exclude_files; i++) {
        char why[128];
        if(excludes_load(&c->globs, c->exclude_files[i], why, sizeof(why))) {
            say(stderr, M("cli.exclude_from", c->exclude_files[i], why));
            goto out;
        }
    }
    c->so.excludes = (const char *const *)c->globs.v;
    c->so.n_excludes = c->globs.n;
    c->so.include_fs = c->include_fs;
    c->so.n_include_fs = c->n_include_fs;
    c->so.log_paths = c->log_paths;
    c->so.n_log_paths = c->n_log_paths;
    if(!strcmp(c->cmd, "log4j"))
        c->so.detectors = KENSA_DETECT_LOG4J;
    if(!strcmp(c->cmd, "scan"))
        c->so.procs_hunt = c->running;   /* every process, not only JVMs */
    c->gathering = c->kill || c->quarantine;
    if(!strcmp(c->cmd, "doc")) {
        c->so.detectors = KENSA_DETECT_DOC;
        c->so.extract_dir = c->extract;
    }
    if(!strcmp(c->cmd, "logs")) {
        c->so.detectors = KENSA_DETECT_LOGS;
        c->so.logs_everywhere = true;
    }
    s = kensa_scanner_new(&c->so, &err);
    if(!s) {
        if(c->so.root && err != KENSA_ENOMEM)
            say(stderr, M("cli.root_bad", c->so.root,
                          kensa_strerror_lang(err, lang)));
        else
            say(stderr, M("cli.error", kensa_strerror_lang(err, lang)));
        goto out;
    }
    kensa_scanner_set_callbacks(s, on_finding, on_warning,
                                c->progress ? on_progress : NULL, c);
    kensa_report_set_system(c->report, kensa_scanner_system(s));
    kensa_timeline_set_system(c->timeline, kensa_scanner_system(s));
    c->scanner = s;
    if(confine(c, roots, nroots))
        goto out;
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);   /* no SA_RESTART: a read of stdin ends */
    signal_scanner = s;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* '-' reads standard input (logs piped in); the rest are walked */
    const char **walk = calloc(nroots + 1, sizeof(*walk));
    size_t nwalk = 0;
    if(!walk) {
        fprintf(stderr, "kensa: %s\n", kensa_strerror(KENSA_ENOMEM));
        goto out;
    }
    err = KENSA_OK;
    for(size_t i = 0; i < nroots; i++) {
        if(!strcmp(roots[i], "-")) {
            enum kensa_err e2 = kensa_scanner_scan_fd(s, "(stdin)",
                                                      STDIN_FILENO);
            if(e2) {
                say(stderr, M("cli.stdin", kensa_strerror_lang(e2, lang)));
                err = e2;
            }
        } else if(!strcmp(c->cmd, "image")) {
            /* each an image layout folder (kensa_scanner_scan_image_dir) */
            enum kensa_err e2 = kensa_scanner_scan_image_dir(s, roots[i]);
            if(e2)
                err = e2;
        } else {
            walk[nwalk++] = roots[i];
        }
    }
    if(nwalk) {
        enum kensa_err e2 = kensa_scanner_scan_paths(s, walk, nwalk);
        if(e2 == KENSA_ENOMEM)
            fprintf(stderr, "kensa: %s\n", kensa_strerror(e2));
        if(e2)
            err = e2;
    }
    free(walk);
    if(c->running && !kensa_scanner_cancelled(s)) {
        enum kensa_err e2 = run_processes(c, s);
        if(e2)
            err = e2;
    }
    c->gathering = false;
    if(!kensa_scanner_cancelled(s) && respond(c) && c->running) {
        /* the brief's order: kill, quarantine, then look again at what
         * still runs */
        say(stderr, M("cli.response_rescan"));
        enum kensa_err e2 = run_processes(c, s);
        if(e2)
            err = e2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if(c->progress_shown)
        fputs("\r\033[K", stderr);
    signal_scanner = NULL;
    if(!got_signal)
        kensa_scanner_finish(s);   /* host-wide correlation reports now */
    syslog_next(c->syslog, SYSLOG_RUN, 0);
    if(kensa_report_finish(c->report) && !c->write_errno)
        c->write_errno = errno ? errno : EIO;
    if(c->ro.format == KENSA_FMT_TEXT && !c->quiet)
        kensa_iocs_summary(c->iocs, out, c->ro.lang);
    if(tl_summary)
        kensa_timeline_summary(c->timeline, out, c->ro.lang);
    if(!c->write_errno && (fflush(out) || ferror(out)))
        c->write_errno = errno ? errno : EIO;
    if(iocs_out) {
        size_t pl = strlen(c->iocs_path);
        bool stix = pl > 5 && !strcmp(c->iocs_path + pl - 5, ".json");
        if(kensa_iocs_write(c->iocs, iocs_out, stix)) {
            say(stderr, M("cli.cannot_write_file", c->iocs_path));
            err = KENSA_EIO;
        }
    }
    if(tl_out) {
        size_t pl = strlen(c->timeline_path);
        bool jl = (pl > 5 && !strcmp(c->timeline_path + pl - 5, ".json")) ||
                  (pl > 6 && !strcmp(c->timeline_path + pl - 6, ".jsonl"));
        if(kensa_timeline_write(c->timeline, tl_out, jl)) {
            say(stderr, M("cli.cannot_write_file", c->timeline_path));
            err = KENSA_EIO;
        }
        uint64_t cut = kensa_timeline_dropped(c->timeline);
        if(cut) {
            char n1[24];
            say(stderr, M("cli.timeline_cut", num(n1, cut), "100000"));
        }
    }

    /* an interrupted --fix changes nothing; its actions are reported
     * before the run's closing record */
    size_t fix_failed = (c->fix || c->dry_run) && !got_signal ?
                        run_fixes(c) + c->jobs_lost : 0;
    struct kensa_stats st;
    kensa_scanner_stats(s, &st);
    /* the run's closing record (JSON; text and CSV ignore it) */
    const char *pruned[KENSA_PRUNED_MAX], *ptypes[KENSA_PRUNED_MAX];
    const char *limits[64];
    uint64_t lcounts[64];
    size_t npruned = 0, nlimits = 0;
    while(npruned < KENSA_PRUNED_MAX &&
          (pruned[npruned] = kensa_scanner_pruned(s, npruned,
                                                  &ptypes[npruned])))
        npruned++;
    while(nlimits < 64 &&
          (limits[nlimits] = kensa_scanner_limit(s, nlimits,
                                                 &lcounts[nlimits])))
        nlimits++;
    struct kensa_run run = {
        .roots = roots, .n_roots = nroots,
        .args = (const char *const *)c->argv, .n_args = (size_t)c->argc,
        .stats = &st, .interrupted = got_signal || c->write_errno,
        .failed = err || st.errors || c->write_errno,
        .excludes = (const char *const *)c->globs.v,
        .n_excludes = c->globs.n,
        .pruned = pruned, .pruned_types = ptypes, .n_pruned = npruned,
        .limits = limits, .limit_counts = lcounts, .n_limits = nlimits,
    };
    if(c->syslog)
        syslog_next(c->syslog, SYSLOG_RUN, 0);
    if(kensa_report_run(c->report, &run) && !c->write_errno)
        c->write_errno = errno ? errno : EIO;
    if(c->syslog)   /* what a TCP server has not taken yet: 5 s at most */
        syslog_drain(c->syslog, 5000, &c->syslog_st);
    if(!c->quiet && !c->no_summary) {
        double el = (double)(t1.tv_sec - t0.tv_sec) +
                    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        char n1[24], n2[24], n3[24], mb[32], secs[32];
        snprintf(mb, sizeof(mb), "%.1f", (double)st.bytes / 1e6);
        snprintf(secs, sizeof(secs), "%.3f", el);
        say_plain(M("summary.head"));
        char *objs = count_of("count.object", st.objects);
        say_plain(M("summary.files", num(n1, st.files), mb,
                    objs ? objs : num(n2, st.objects)));
        free(objs);
        say_plain(M("summary.time", secs));
        put_m(stderr, M("summary.findings", num(n1, st.findings)));
        for(size_t i = 0; i < c->per_threat_n; i++) {
            put_m(stderr, M(i ? "summary.sep" : "summary.open"));
            put_m(stderr, M("summary.threat", c->per_threat[i].id,
                            num(n1, c->per_threat[i].n)));
        }
        if(c->per_threat_other) {
            put_m(stderr, M(c->per_threat_n ? "summary.sep" : "summary.open"));
            put_m(stderr, M("summary.other", num(n1, c->per_threat_other)));
        }
        if(c->per_threat_n || c->per_threat_other)
            put_m(stderr, M("summary.close"));
        fputc('\n', stderr);
        /* by severity, worst first: "critical 2, high 1" */
        bool any = false;
        for(int v = 4; v >= 0; v--) {
            char id[32];
            if(!c->per_sev[v])
                continue;
            put_m(stderr, M(any ? "summary.sep" : "summary.by_severity"));
            snprintf(id, sizeof(id), "summary.sev.%s",
                     kensa_severity_name((enum kensa_severity)v));
            put_m(stderr, M(id, num(n1, c->per_sev[v])));
            any = true;
        }
        if(any)
            fputc('\n', stderr);
        say_plain(M("summary.warnings", num(n1, st.warnings),
                    num(n2, st.skipped_limit), num(n3, st.errors)));
        scope_summary(s, &st);
        if(c->running) {
            char *jvms = count_of("count.jvm", st.processes_java);
            say_plain(M("summary.processes", num(n1, st.processes),
                        jvms ? jvms : num(n2, st.processes_java),
                        num(n3, st.processes_unreadable)));
            free(jvms);
            if(st.processes_unreadable && geteuid())
                say_plain(M("summary.processes_root"));
        }
        say_plain(M("summary.confinement", c->confinement));
        if(c->syslog)
            fprintf(stderr, "Syslog: %llu sent, %llu dropped, %llu cut, "
                    "%llu reconnects\n",
                    (unsigned long long)c->syslog_st.sent,
                    (unsigned long long)c->syslog_st.dropped,
                    (unsigned long long)c->syslog_st.truncated,
                    (unsigned long long)c->syslog_st.reconnects);
        if(got_signal)
            say_plain(M("summary.interrupted",
                        got_signal == SIGINT ? "SIGINT" : "SIGTERM"));
    }
    if(c->write_errno) {
        char why[256];
        kensa_syserror(c->write_errno, lang, why, sizeof(why));
        if(c->output)
            say(stderr, M("cli.report_write_to", c->output, why));
        else
            say(stderr, M("cli.report_write", why));
    }
    if(c->syslog_st.dropped) {
        char n1[24];
        fprintf(stderr, "kensa: syslog: %s records not delivered to ",
                num(n1, c->syslog_st.dropped));
        putsafe(c->syslog_dest, stderr);
        fputc('\n', stderr);
    }
    rc = decide_exit(c, &st, err, fix_failed + c->response_failed);
out:
    kensa_scanner_free(s);
    kensa_report_free(c->report);
    kensa_iocs_free(c->iocs);
    kensa_timeline_free(c->timeline);
    c->timeline = NULL;
    jobs_free(c);
    for(size_t i = 0; i < c->per_threat_n; i++)
        free(c->per_threat[i].id);
    if(out != stdout && fclose(out) && rc != EXIT_FOUND)
        rc = EXIT_ERROR;
    syslog_free(c->syslog);
    c->syslog = NULL;
    if(iocs_out && fclose(iocs_out) && rc != EXIT_FOUND)
        rc = EXIT_ERROR;
    if(tl_out && fclose(tl_out) && rc != EXIT_FOUND)
        rc = EXIT_ERROR;
    return rc;
}

/* One line "label: value" of `kensa system`, the value escaped; nothing
 * when it is not known. */
static void system_line(const char *label, const char *v)
{
    if(!v)
        return;
    fputs(label, stdout);
    fputs(": ", stdout);
    kensa_fputs_safe(v, stdout);
    fputc('\n', stdout);
}

/* `kensa system [--root DIR] [--json]`: what the engine knows of the
 * system a scan with the same options would scan (kensa_scanner_system).
 * JSON: one object with Elastic Common Schema names (host.os.*). */
static int cmd_system(struct cli *c, int argc)
{
    enum kensa_err err;
    struct kensa_scanner *s;
    const struct kensa_system *y;
    int rc = EXIT_ERROR;

    if(argc) {
        say(stderr, M("cli.system_args"));
        return EXIT_ERROR;
    }
    c->so.threads = 1;
    if(!(s = kensa_scanner_new(&c->so, &err))) {
        if(c->so.root && err != KENSA_ENOMEM)
            say(stderr, M("cli.root_bad", c->so.root,
                          kensa_strerror_lang(err, lang)));
        else
            say(stderr, M("cli.error", kensa_strerror_lang(err, lang)));
        return EXIT_ERROR;
    }
    y = kensa_scanner_system(s);
    if(c->ro.format == KENSA_FMT_JSON) {
        struct buf b;
        buf_init(&b, 1u << 16);
        const char *os[][2] = {
            { "type", y->os_type }, { "platform", y->os_platform },
            { "name", y->os_name }, { "version", y->os_version },
            { "full", y->os_full },
        };
        err = buf_puts(&b, "{\"host\":{");
        if(!err) err = json_kv(&b, "hostname", y->hostname);
        if(!err) err = buf_puts(&b, ",\"os\":{");
        for(size_t i = 0; !err && i < sizeof(os) / sizeof(os[0]); i++) {
            if(i) err = buf_puts(&b, ",");
            if(!err) err = json_kv(&b, os[i][0], os[i][1]);
        }
        if(!err) err = buf_puts(&b, "}},\"kensa\":{");
        if(!err) err = json_kv(&b, "root", y->root);
        if(!err) err = buf_puts(&b, "}}\n");
        if(!err && fwrite(b.p, 1, b.len, stdout) != b.len)
            err = KENSA_EIO;
        buf_free(&b);
    } else {
        system_line("root", y->root ? y->root : "/ (this host)");
        fputs("os:", stdout);
        if(!y->os_type)
            fputs(" unknown", stdout);
        const char *os[3] = { y->os_type, y->os_platform, y->os_version };
        for(size_t i = 0; i < 3; i++) {
            if(!os[i] || (i == 1 && y->os_type &&
                          !strcmp(os[i], y->os_type)))
                continue;   /* "macos macos" says it once */
            fputc(' ', stdout);
            kensa_fputs_safe(os[i], stdout);
        }
        fputc('\n', stdout);
        system_line("name", y->os_name);
        system_line("full", y->os_full);
        system_line("hostname", y->hostname);
    }
    if(err || fflush(stdout) || ferror(stdout)) {
        say(stderr, M("cli.report_write",
                      kensa_strerror_lang(err ? err : KENSA_EIO, lang)));
    } else {
        rc = EXIT_CLEAN;
    }
    kensa_scanner_free(s);
    return rc;
}

/* doc --extract DIR: say why a folder cannot take the sources before any
 * scan (the detector opens it again the same safe way, kensa_dir_open). */
static bool extract_dir_ok(const char *dir)
{
    char why[256];
    int fd = kensa_dir_open(dir, false, why, sizeof(why));
    if(fd < 0) {
        say(stderr, M("cli.cannot_write", dir, why));
        return false;
    }
    close(fd);
    return true;
}

int main(int argc, char **argv)
{
    struct cli c = { 0 };
    struct option lopts[NOPTS + 1];
    char sopts[2 * NOPTS + 2];
    size_t sn = 0;
    const char *color = "auto";
    int lang_opt = -1, rc;
    bool want_help = false;

    if(argc > 1 && !strcmp(argv[1], "milter"))   /* its own options */
        return milter_main(argc - 1, argv + 1);
    /* process.args as typed: getopt_long permutes argv */
    c.argv = calloc((size_t)argc + 1, sizeof(*c.argv));
    if(c.argv) {
        memcpy(c.argv, argv, (size_t)argc * sizeof(*argv));
        c.argc = argc;
    }
    kensa_options_default(&c.so);
    lang = env_lang();   /* until --lang says otherwise */
    c.ro.format = KENSA_FMT_TEXT;
    c.syslog_facility = 16;   /* local0 */
    for(size_t i = 0; i < NOPTS; i++) {
        lopts[i].name = opts_table[i].lng;
        lopts[i].has_arg = opts_table[i].arg ? required_argument : no_argument;
        lopts[i].flag = NULL;
        lopts[i].val = opts_table[i].id;
        if(opts_table[i].sh) {
            sopts[sn++] = opts_table[i].sh;
            if(opts_table[i].arg)
                sopts[sn++] = ':';
        }
    }
    memset(&lopts[NOPTS], 0, sizeof(lopts[NOPTS]));
    sopts[sn] = 0;
    c.excludes = calloc((size_t)argc + 1, sizeof(*c.excludes));
    c.exclude_files = calloc((size_t)argc + 1, sizeof(*c.exclude_files));
    c.include_fs = calloc((size_t)argc + 1, sizeof(*c.include_fs));
    c.log_paths = calloc((size_t)argc + 1, sizeof(*c.log_paths));
    c.password_files = calloc((size_t)argc + 1, sizeof(*c.password_files));
    c.pids = calloc((size_t)argc + 1, sizeof(*c.pids));
    c.ioc_files = calloc((size_t)argc + 1, sizeof(*c.ioc_files));
    c.rule_paths = calloc((size_t)argc + 1, sizeof(*c.rule_paths));
    if(!c.excludes || !c.log_paths || !c.password_files ||
       !c.exclude_files || !c.include_fs || !c.pids || !c.ioc_files ||
       !c.rule_paths) {
        free(c.pids);
        free(c.ioc_files);
        free(c.rule_paths);
        fprintf(stderr, "kensa: %s\n", kensa_strerror(KENSA_ENOMEM));
        free(c.excludes);
        free(c.exclude_files);
        free(c.include_fs);
        free(c.log_paths);
        free(c.password_files);
        free(c.argv);
        return EXIT_ERROR;
    }

    int o;
    while((o = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
        for(size_t i = 0; i < NOPTS && o < 256; i++) {
            if(opts_table[i].sh == o) {
                o = opts_table[i].id;
                break;
            }
        }
        switch(o) {
        case OPT_HELP: want_help = true; break;
        case OPT_VERSION:
            printf("kensa %s\n", KENSA_VERSION);
            rc = EXIT_CLEAN;
            goto done;
        case OPT_JSON: c.ro.format = KENSA_FMT_JSON; break;
        case OPT_CSV: c.ro.format = KENSA_FMT_CSV; break;
        case OPT_FORMAT:
            if(!strcmp(optarg, "json") || !strcmp(optarg, "jsonl"))
                c.ro.format = KENSA_FMT_JSON;
            else if(!strcmp(optarg, "csv"))
                c.ro.format = KENSA_FMT_CSV;
            else if(!strcmp(optarg, "text"))
                c.ro.format = KENSA_FMT_TEXT;
            else
                goto bad;
            break;
        case OPT_OUTPUT: c.output = optarg; break;
        case OPT_QUIET: c.quiet = true; break;
        case OPT_COLOR:
            /* yes/no as synonyms: what people type */
            if(!strcmp(optarg, "yes") || !strcmp(optarg, "always"))
                color = "always";
            else if(!strcmp(optarg, "no") || !strcmp(optarg, "never"))
                color = "never";
            else if(!strcmp(optarg, "auto"))
                color = "auto";
            else
                goto bad;
            break;
        case OPT_NO_ADVICE: c.no_advice = true; break;
        case OPT_FORCE: c.force = true; break;
        case OPT_LANG:
            if(!strcasecmp(optarg, "ja")) lang_opt = KENSA_LANG_JA;
            else if(!strcasecmp(optarg, "en")) lang_opt = KENSA_LANG_EN;
            else goto bad;
            lang = (enum kensa_lang)lang_opt;
            break;
        case OPT_ALL: c.so.report_patched = true; break;
        case OPT_THREADS: {
            uint32_t n;
            if(!parse_u32(optarg, &n) || !n || n > 1024)
                goto bad;
            c.so.threads = n;
            break;
        }
        case OPT_EXCLUDE: c.excludes[c.n_excludes++] = optarg; break;
        case OPT_EXCLUDE_FROM:
            c.exclude_files[c.n_exclude_files++] = optarg;
            break;
        case OPT_INCLUDE_FS:
            if(!*optarg || strlen(optarg) > 64) goto bad;
            c.include_fs[c.n_include_fs++] = optarg;
            break;
        case OPT_FAIL_ON: {
            static const char *const sev[] = { "info", "low", "medium",
                                               "high", "critical" };
            c.fail_on = -1;
            for(int i = 0; i < 5; i++)
                if(!strcasecmp(optarg, sev[i]))
                    c.fail_on = i;
            if(c.fail_on < 0) goto bad;
            break;
        }
        case OPT_ONE_FS: c.so.one_file_system = true; break;
        case OPT_FOLLOW: c.so.follow_symlinks = true; break;
        case OPT_PSEUDO: c.so.scan_pseudo_fs = true; break;
        case OPT_MAX_FILESIZE:
            if(!parse_size(optarg, &c.so.limits.max_filesize)) goto bad;
            break;
        case OPT_MAX_SCANSIZE:
            if(!parse_size(optarg, &c.so.limits.max_scansize)) goto bad;
            break;
        case OPT_MAX_FILES:
            if(!parse_u32(optarg, &c.so.limits.max_files)) goto bad;
            break;
        case OPT_MAX_RECURSION:
            if(!parse_u32(optarg, &c.so.limits.max_recursion)) goto bad;
            break;
        case OPT_MAX_RATIO:
            if(!parse_u32(optarg, &c.so.limits.max_ratio)) goto bad;
            break;
        case OPT_MAX_SCANTIME:
            if(!parse_size(optarg, &c.so.limits.max_scantime_ms)) goto bad;
            break;
        case OPT_NO_SUMMARY: c.no_summary = true; break;
        case OPT_ROOT: c.so.root = optarg; break;
        case OPT_LOG_PATH: c.log_paths[c.n_log_paths++] = optarg; break;
        case OPT_PASSWORD:
            if(passwords_add(&c.passwords, optarg)) {
                rc = EXIT_ERROR;
                goto done;
            }
            break;
        case OPT_PASSWORDS:
            c.password_files[c.n_password_files++] = optarg;
            break;
        case OPT_EXPORT_IOCS: c.iocs_path = optarg; break;
        case OPT_TIMELINE: c.timeline_path = optarg; break;
        case OPT_IOCS: c.ioc_files[c.n_ioc_files++] = optarg; break;
        case OPT_RULES: c.rule_paths[c.n_rule_paths++] = optarg; break;
        case OPT_LIST: c.rules_list = true; break;
        case OPT_EXPORT: c.rules_export = optarg; break;
        case OPT_EXTRACT: c.extract = optarg; break;
        case OPT_FIX: c.fix = true; break;
        case OPT_DRY_RUN: c.dry_run = true; break;
        case OPT_BACKUP_DIR: c.backup_dir = optarg; break;
        case OPT_RESTORE: c.restore = true; break;
        case OPT_FIX_LOG4J1: c.fix_log4j1 = true; break;
        case OPT_NO_CONFINE: c.no_confine = true; break;
        case OPT_SYSLOG: c.syslog_dest = optarg; break;
        case OPT_SYSLOG_FACILITY:
            if((c.syslog_facility = syslog_facility_parse(optarg)) < 0)
                goto bad;
            break;
        case OPT_RUNNING: c.running = true; break;
        case OPT_KILL: c.kill = true; break;
        case OPT_KILL_MEMORY: c.kill = c.kill_memory = true; break;
        case OPT_QUARANTINE: c.quarantine = optarg; break;
        case OPT_RESTORE_QUARANTINE: c.restore_quarantine = optarg; break;
        case OPT_MAX_PROCMEM:
            if(!parse_size(optarg, &c.so.proc_mem_max) || !c.so.proc_mem_max)
                goto bad;
            break;
        case OPT_PERSISTENCE: c.so.no_persistence = false; break;
        case OPT_NO_PERSISTENCE: c.so.no_persistence = true; break;
        case OPT_PID: {
            uint32_t n;
            if(!parse_u32(optarg, &n) || !n || n > 0x7fffffff)
                goto bad;
            c.pids[c.n_pids++] = (long)n;
            c.running = true;
            break;
        }
        default:
            put_own(stderr, "usage.short");
            rc = EXIT_ERROR;
            goto done;
        }
        continue;
bad:
        /* name the option from the table: argv[optind - 1] is the value
         * itself when it came as a separate word (--format xml) */
        for(size_t i = 0; i < NOPTS; i++) {
            if(opts_table[i].id == o) {
                say(stderr, M("cli.bad_value", optarg, opts_table[i].lng));
                break;
            }
        }
        rc = EXIT_ERROR;
        goto done;
    }
    c.ro.lang = lang = lang_opt >= 0 ? (enum kensa_lang)lang_opt : env_lang();
    c.ro.quiet = c.quiet;
    c.ro.no_advice = c.no_advice;
    if(c.syslog_dest)
        c.ro.format = KENSA_FMT_JSON;   /* one JSON record per message */
    bool tty = isatty(STDOUT_FILENO) && !c.output;
    c.ro.color = !strcmp(color, "always") ||
                 (!strcmp(color, "auto") && tty && !getenv("NO_COLOR"));
    c.ro.width = tty ? term_cols(STDOUT_FILENO) : 80;
    /* progress on a terminal, unless it would mix with records on the
     * same terminal (JSON or CSV to stdout when stdout is one too) */
    c.progress = !c.quiet && isatty(STDERR_FILENO) &&
                 (c.ro.format == KENSA_FMT_TEXT || c.output ||
                  !isatty(STDOUT_FILENO));
    if(getenv("KENSA_FORCE_PROGRESS"))   /* tests: progress into a pipe */
        c.progress = true;

    if(want_help) {
        if(optind < argc && !usage(stdout, argv[optind])) {
            say(stderr, M("cli.unknown_command", argv[optind]));
            rc = EXIT_ERROR;
        } else {
            if(optind >= argc)
                usage(stdout, NULL);
            rc = EXIT_CLEAN;
        }
        goto done;
    }
    if(optind >= argc) {
        say(stderr, M("cli.no_command"));
        put_own(stderr, "usage.short");
        rc = EXIT_ERROR;
        goto done;
    }
    c.cmd = argv[optind++];
    int nargs = argc - optind;
    char **args = argv + optind;
    if(c.running && strcmp(c.cmd, "log4j") && strcmp(c.cmd, "scan")) {
        say(stderr, M("cli.pid_needs_running"));
        rc = EXIT_ERROR;
    } else if((c.n_ioc_files || c.n_rule_paths) && strcmp(c.cmd, "scan")) {
        say(stderr, M("cli.intel_scan_only"));
        rc = EXIT_ERROR;
    } else if((c.fix || c.dry_run || c.restore) && strcmp(c.cmd, "log4j")) {
        say(stderr, M("cli.fix_needs_log4j"));
        rc = EXIT_ERROR;
    } else if((c.kill || c.quarantine || c.restore_quarantine ||
               c.so.proc_mem_max) && strcmp(c.cmd, "scan")) {
        say(stderr, M("cli.response_scan_only"));
        rc = EXIT_ERROR;
    } else if(c.kill && !c.running) {
        say(stderr, M("cli.kill_needs_running"));
        rc = EXIT_ERROR;
    } else if(c.restore_quarantine)
        rc = confine(&c, NULL, 0) ? EXIT_ERROR : cmd_restore_quarantine(&c);
    else if(c.restore)
        rc = confine(&c, NULL, 0) ? EXIT_ERROR :
             cmd_restore(&c, nargs, args);
    else if(c.extract && strcmp(c.cmd, "doc")) {
        say(stderr, M("cli.extract_needs_doc"));
        rc = EXIT_ERROR;
    } else if(c.extract && !extract_dir_ok(c.extract))
        rc = EXIT_ERROR;
    else if(!strcmp(c.cmd, "mail") && !kensa_mail_built()) {
        say(stderr, M("mail.not_built"));
        rc = EXIT_ERROR;
    } else if(!strcmp(c.cmd, "log4j") || !strcmp(c.cmd, "scan") ||
       !strcmp(c.cmd, "logs") || !strcmp(c.cmd, "doc") ||
       !strcmp(c.cmd, "image") || !strcmp(c.cmd, "mail"))
        rc = cmd_scan(&c, nargs, args);
    else if(!strcmp(c.cmd, "system"))
        rc = cmd_system(&c, nargs);
    else if(!strcmp(c.cmd, "threats"))
        rc = cmd_threats(&c);
    else if(!strcmp(c.cmd, "rules"))
        rc = cmd_rules(&c);
    else if(!strcmp(c.cmd, "brief"))
        rc = cmd_brief(&c, nargs, args);
    else if(!strcmp(c.cmd, "version")) {
        printf("kensa %s\n", KENSA_VERSION);
        rc = EXIT_CLEAN;
    } else if(!strcmp(c.cmd, "help")) {
        if(nargs && !usage(stdout, args[0])) {
            say(stderr, M("cli.unknown_command", args[0]));
            rc = EXIT_ERROR;
        } else {
            if(!nargs)
                usage(stdout, NULL);
            rc = EXIT_CLEAN;
        }
    } else {
        say(stderr, M("cli.unknown_command", c.cmd));
        put_own(stderr, "usage.short");
        rc = EXIT_ERROR;
    }
done:
    free(c.pids);
    free(c.victims);
    for(size_t i = 0; i < c.n_qfiles; i++)
        free(c.qfiles[i].path);
    free(c.qfiles);
    free(c.argv);
    free(c.excludes);
    free(c.exclude_files);
    free(c.include_fs);
    excludes_free(&c.globs);
    free(c.log_paths);
    free(c.password_files);
    free(c.ioc_files);
    free(c.rule_paths);
    passwords_free(&c.passwords);
    return rc;
}
