/*
 * report.h - the report writers' shared shape.  A writer turns findings
 * and warnings into bytes on a FILE; it never looks at input files.  The
 * rec_* helpers build one record at a time with every append checked.
 */
#ifndef KENSA_REPORT_REPORT_H
#define KENSA_REPORT_REPORT_H

#include "kensa/kensa.h"
#include "util/buf.h"

struct report_ops {
    void (*finding)(struct kensa_report *r, const struct kensa_finding *f);
    void (*warning)(struct kensa_report *r, const struct kensa_warning *w);
    void (*run)(struct kensa_report *r, const struct kensa_run *run);
    void (*action)(struct kensa_report *r, const struct kensa_action *a);
    void (*finish)(struct kensa_report *r);
    void (*destroy)(struct kensa_report *r);
};

/* Distinct threat ids a report counts for its run record; later ones
 * are counted under "other". */
#define REPORT_THREATS_MAX 64
#define REPORT_THREAT_ID_MAX 64   /* bytes of a counted id, NUL included */

/* What a report counts of the findings it was given (kensa_report_run). */
struct report_tally {
    uint64_t by_severity[KENSA_SEV_CRITICAL + 1];
    uint64_t by_verdict[KENSA_VERDICT_LAST + 1];
    struct {
        char id[REPORT_THREAT_ID_MAX];
        uint64_t n;
    } threat[REPORT_THREATS_MAX];
    size_t n_threats;
    uint64_t threat_other;
    uint64_t findings;
};

struct kensa_report {
    struct kensa_report_opts o;
    FILE *out;
    const struct report_ops *ops;
    const struct kensa_system *sys;   /* borrowed; NULL: not named */
    char scan_id[33];      /* kensa.scan_id: 128 random bits in hex */
    char *cwd;             /* the working folder when made (relative paths
                              are made absolute against it); NULL if
                              unknown */
    int64_t start_ns;      /* CLOCK_REALTIME when made */
    struct report_tally tally;
    struct report_ids *ids;   /* user and group names looked up (cache);
                                 NULL: none looked up */
    void *impl;    /* writer's own state */
    size_t rec_max;    /* bytes in one record (REPORT_RECORD_MAX) */
    size_t field_cut;  /* a field's bytes in a cut record
                          (REPORT_FIELD_CUT); tests lower both */
};

/*
 * Records.  A writer builds each record whole in memory and writes it in
 * one call, so the output never holds half a record.  A record may be
 * large (a path of sixteen nested members with 65 KiB names), so the cap
 * is generous; one that still cannot be built (over the cap, or out of
 * memory) is built again with every field cut to REPORT_FIELD_CUT bytes
 * at a UTF-8 boundary, which keeps its verdict and keeps it valid.  With
 * about thirty fields escaped at most six bytes for one, a cut record
 * always fits the cap.
 */
#define REPORT_RECORD_MAX ((size_t)64 << 20)
#define REPORT_FIELD_CUT ((size_t)64 << 10)

struct rec {
    struct buf b;
    size_t cut;          /* bytes of a field at most (SIZE_MAX: whole) */
    enum kensa_err err;  /* the first failed append; later ones skip */
};

/* Fills rc with one record: (rc, ctx, item) -> appends through rec_*. */
typedef void (*rec_fn)(struct rec *rc, const void *ctx, const void *item);

/*
 * Build a record with fn: whole within `max` bytes, else again with every
 * field cut to `cut` bytes.  KENSA_OK when rc->b holds the record (the
 * caller frees rc->b); else the error, and rc->b is empty.
 */
enum kensa_err rec_build(struct rec *rc, size_t max, size_t cut, rec_fn fn,
                         const void *ctx, const void *item);

/* True when rc is the cut second attempt (JSON adds kensa.truncated). */
bool rec_is_cut(const struct rec *rc);

/* Appenders: each does nothing once rc->err is set, and sets it on
 * failure.  Field values (not keys or the writer's own text) are cut to
 * rc->cut bytes. */
void rec_puts(struct rec *rc, const char *s);
void rec_printf(struct rec *rc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rec_jstr(struct rec *rc, const char *val);                 /* JSON */
void rec_jkv(struct rec *rc, const char *key, const char *val); /* JSON */
void rec_jnext(struct rec *rc, const char *key, const char *val); /* ,k:v */
void rec_text(struct rec *rc, const char *s, size_t max); /* esc.h, NULL
                                                             as "" */
void rec_cell(struct rec *rc, const char *s, bool last);  /* CSV cell and
                                                             ',' or CRLF */

/* Build a record with fn and write it to `out` in one call.  Nothing is
 * written if it cannot be built (the error is returned). */
enum kensa_err rec_write(FILE *out, size_t max, size_t cut, rec_fn fn,
                         const void *ctx, const void *item);

/* Build a record with fn (r as ctx) and write it to r->out in one call.
 * Nothing is written if it cannot be built (the error is returned). */
enum kensa_err report_write(struct kensa_report *r, rec_fn fn,
                            const void *item);

extern const struct report_ops report_text_ops;
extern const struct report_ops report_json_ops;
extern const struct report_ops report_csv_ops;

/* f's evidence rendered in `lang`, "; " between pieces, as a new string
 * the caller frees; NULL when there is none or out of memory. */
char *report_evidence(const struct kensa_finding *f, enum kensa_lang lang);

/* Message `m` rendered in `lang` as a new string, or NULL. */
char *report_msg(const struct kensa_msg *m, enum kensa_lang lang);

/* `path` (a host path) as the scanned system sees it when the scan's
 * root stands for another system ("/mnt/img/opt/x" -> "/opt/x"); NULL
 * when it is not under that root or there is none.  Points into path. */
const char *report_system_path(const struct kensa_report *r,
                               const char *path);

/* The same for a root folder given as such (NULL: none). */
const char *report_under_root(const char *root, const char *path);

/*
 * The name of user `uid` (group `gid`) on the running host, for
 * file.owner and file.group: getpwuid_r/getgrgid_r, remembered (names
 * and misses) in a small cache.  NULL when it has none, when out of
 * memory, and always when the report is about another system's root
 * (kensa_report_set_system with a root): its uids are not the host's.
 * Points into the report's cache, valid until the next call.
 */
const char *report_user_name(const struct kensa_report *r, uint32_t uid);
const char *report_group_name(const struct kensa_report *r, uint32_t gid);

/*
 * A log line's time as ISO 8601 in the local zone ("2021-12-10T22:45:12
 * +09:00" without the space; "Z" for UTC) into out (>= 40 bytes), from
 * ISO 8601 or the common log format; a time without a zone in ISO form
 * as it stands.  false when s is neither (show it as it is).
 */
bool report_iso_local(const char *s, char *out, size_t cap);

/* The same in UTC ("2021-12-10T13:45:12Z"), for files machines read. */
bool report_iso_utc(const char *s, char *out, size_t cap);

/* "2026-11-25T19:04:26.123Z" into out[32]. */
void report_timestamp(char out[32]);

/* The same for a time given as seconds and nanoseconds since the epoch
 * (UTC, milliseconds; years outside 0..9999 are clamped). */
void report_time_iso(int64_t sec, long nsec, char out[32]);

/*
 * `path` made absolute against `cwd` (NULL: left relative) and
 * normalised on the string alone, never looking at the disk (so never
 * following a symbolic link): empty and "." components dropped, ".."
 * removing the one before it, never above "/".  A new string the caller
 * frees, or NULL when out of memory.  Paths are at most
 * of any length: the record's cap applies when it is written.
 */
char *report_abspath(const char *cwd, const char *path);


#endif
