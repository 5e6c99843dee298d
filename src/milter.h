/*
 * milter.h - the parts of `kensa milter` (src/milter*.c) that talk to
 * each other: the configuration (milter_conf.c), the PPAP store
 * (milter_ppap.c) and the statistics (milter_stats.c).  The daemon
 * itself, libmilter's callbacks and the judging are in milter.c.
 */
#ifndef KENSA_SRC_MILTER_H
#define KENSA_SRC_MILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "kensa/kensa.h"

/* What is done with a message, per verdict (config "on_*"). */
enum maction {
    MACT_ACCEPT = 0,     /* accepted, with the X-Kensa-* headers */
    MACT_QUARANTINE,     /* held (Postfix: the hold queue), headers too */
    MACT_REJECT,         /* 5xx */
    MACT_TEMPFAIL,       /* 4xx: the sender's MTA retries */
    MACT_DISCARD,        /* accepted and dropped */
};

/* What is done with an encrypted archive no candidate opened. */
enum ppap_policy {
    PPAP_TEMPFAIL = 0,   /* 4xx until the password mail came, at most
                            ppap_max_wait, then ppap_fallback */
    PPAP_QUARANTINE,
    PPAP_REJECT,
    PPAP_ACCEPT,         /* accepted with the headers */
};

struct milter_conf {
    enum maction on_malicious, on_suspicious, on_clean;
    enum maction on_fail;        /* the engine could not judge */
    enum maction on_oversize;    /* past max_message */
    enum ppap_policy ppap;
    enum maction ppap_fallback;  /* after ppap_max_wait */
    unsigned ppap_max_wait;      /* seconds */
    unsigned ppap_keep;          /* seconds a stored password lives */
    char state_file[4096];       /* "" : the PPAP store is in memory only */
    unsigned max_sessions;       /* connections at once */
    uint64_t max_message;        /* bytes buffered per message */
    uint64_t max_buffered;       /* bytes buffered by all sessions */
    unsigned workers;            /* messages judged at once */
    uint64_t max_scantime_ms;    /* the engine's time per message */
    uint64_t max_scansize;       /* the engine's bytes per message */
    unsigned socket_mode;        /* a unix socket's mode (0660) */
};

/* Defaults: malicious rejected, suspicious held, the rest accepted;
 * PPAP tempfailed for at most one hour then accepted with a header. */
void milter_conf_default(struct milter_conf *c);

/* Read key=value lines of `path` over c (# comments, blank lines).
 * False with why[] filled on an unreadable file, an unknown key or a
 * bad value (the line is named). */
bool milter_conf_load(struct milter_conf *c, const char *path, char *why,
                      size_t whycap);

const char *maction_name(enum maction a);

/* ---- the PPAP store (milter_ppap.c) -------------------------------------
 * Keyed by the envelope: the sender and the sorted recipients, lower
 * case.  At most PPAP_ENTRIES entries (the oldest goes first), each with
 * at most PPAP_PW passwords; entries older than `keep` seconds are
 * dropped.  Thread-safe (one lock).  With a state file, every change is
 * written to it atomically (a new file 0600, renamed over). */
#define PPAP_ENTRIES 512
#define PPAP_PW 16
#define PPAP_KEY_MAX 4096

bool ppap_init(const char *state_file, unsigned keep, char *why,
               size_t whycap);
void ppap_free(void);
/* The time the message under `key` was first held (now, on the first
 * call); it stays pending until ppap_done.  (time_t)-1 when it cannot
 * be recorded (a key longer than PPAP_KEY_MAX, out of memory). */
time_t ppap_pending(const char *key, time_t now);
void ppap_done(const char *key);
/* Remember passwords for `key`; how many were new. */
size_t ppap_add(const char *key, char pw[][KENSA_MAIL_PASSWORD_LEN + 1],
                size_t n, time_t now);
/* Copy `key`'s passwords (at most max) into out; how many. */
size_t ppap_get(const char *key, char out[][KENSA_MAIL_PASSWORD_LEN + 1],
                size_t max, time_t now);
/* Whether a message under `key` is pending. */
bool ppap_is_pending(const char *key, time_t now);

/* ---- statistics (milter_stats.c) ---------------------------------------- */
enum mstat { MS_CLEAN, MS_SUSPICIOUS, MS_MALICIOUS, MS_PPAP_HELD,
             MS_PPAP_OPENED, MS_OVERSIZE, MS_FAIL, MS_COUNT };
/* `kensa milter ...` (argv[0] is "milter"): the exit code. */
int milter_main(int argc, char **argv);

void stats_add(enum mstat s, double ms);
/* One line: counts per verdict and p50/p99 milliseconds. */
void stats_line(char *out, size_t cap);

#endif
