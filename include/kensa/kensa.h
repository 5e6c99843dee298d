/*
 * kensa.h - the public API of the kensa engine.
 *
 * This is the whole surface the CLI (src/) and any other front end may use:
 * a scanner object that walks paths and reports findings through a
 * callback, the finding model shared by every detector, the threat
 * profiles compiled into the library, and the report writers.
 *
 * Conventions (apply to every function below):
 *  - Errors are `enum kensa_err`.  A finding is never an error: findings
 *    arrive through the finding callback, and a scan that found something
 *    still returns KENSA_OK.
 *  - `*_new` returns an object owned by the caller; the matching `*_free`
 *    releases it and accepts NULL.
 *  - Strings handed to callbacks are borrowed: valid only for the duration
 *    of the call.  Copy what you keep.
 *  - Callbacks are never called concurrently, even with several threads.
 */
#ifndef KENSA_KENSA_H
#define KENSA_KENSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KENSA_VERSION "0.1.0"
#define KENSA_ECS_VERSION "8.11.0"

/* One error enum for the whole library.  Never renumbered. */
enum kensa_err {
    KENSA_OK = 0,
    KENSA_ENOMEM = 1,       /* allocation failed */
    KENSA_EIO = 2,          /* read/open/stat failed */
    KENSA_EFORMAT = 3,      /* malformed input; the scan goes on */
    KENSA_ELIMIT = 4,       /* a size, depth, count or time cap was hit */
    KENSA_EUNSUPPORTED = 5, /* a feature of the input we do not handle */
    KENSA_EINVAL = 6,       /* bad argument from the caller */
    KENSA_ENOENT = 7,       /* no such file or profile */
    KENSA_ECHANGED = 8,     /* a path was replaced while being scanned */
};

/* Static English text for an error code; never NULL. */
const char *kensa_strerror(enum kensa_err err);

enum kensa_verdict {
    KENSA_VERDICT_NONE = 0,
    KENSA_VERDICT_VULNERABLE = 1, /* exploitable version present */
    KENSA_VERDICT_MITIGATED = 2,  /* vulnerable version, dangerous class gone */
    KENSA_VERDICT_PATCHED = 3,    /* fixed version (reported with --all) */
    KENSA_VERDICT_EOL = 4,        /* end-of-life branch with known CVEs */
    KENSA_VERDICT_ATTACK = 5,     /* an exploitation attempt (logs) */
    KENSA_VERDICT_SUSPICIOUS = 6, /* a near miss: not evaluated as an attack;
                                     a document with dubious content */
    KENSA_VERDICT_MACROS = 7,     /* a document with macros, nothing
                                     dangerous in them (informational) */
    KENSA_VERDICT_MALICIOUS = 8,  /* a document whose content would harm;
                                     intel matched: an IoC, a YARA rule */
};
#define KENSA_VERDICT_LAST KENSA_VERDICT_MALICIOUS

enum kensa_severity {
    KENSA_SEV_INFO = 0,
    KENSA_SEV_LOW = 1,
    KENSA_SEV_MEDIUM = 2,
    KENSA_SEV_HIGH = 3,
    KENSA_SEV_CRITICAL = 4,
};

/* The languages of messages, labels and profiles. */
enum kensa_lang { KENSA_LANG_EN = 0, KENSA_LANG_JA = 1 };

/* Static lowercase names ("vulnerable", "critical"). */
const char *kensa_verdict_name(enum kensa_verdict v);

/* Whether this build reads mail (.eml, mbox, Maildir: the mail format,
 * built when GMime 3 was found; `kensa mail` needs it). */
bool kensa_mail_built(void);

/*
 * The candidate archive passwords written in the text of one mail (the
 * bytes of an RFC 5322 message), found as `kensa mail` finds them for the
 * mail's own attachments ("パスワード：...", "PW: ..."): text parts only,
 * each converted to UTF-8 first.  Copies at most `max` of them, each
 * NUL-terminated and at most KENSA_MAIL_PASSWORD_LEN bytes, into out and
 * returns how many.  0 when the build has no mail support, the mail
 * cannot be parsed or is larger than 64 MiB; nothing else is allocated
 * beyond the parse of the message.  Thread-safe.  For a front end that
 * holds the mails of a thread apart (kensa milter: the password mail
 * that follows a PPAP archive).
 */
#define KENSA_MAIL_PASSWORD_LEN 64
size_t kensa_mail_passwords(const void *mail, size_t len,
                            char out[][KENSA_MAIL_PASSWORD_LEN + 1],
                            size_t max);
const char *kensa_severity_name(enum kensa_severity s);

/* Threat ids: each names a profile compiled into the library
 * (kensa_profile_get()); a finding's `threat` is one of them. */
#define KENSA_THREAT_LOG4SHELL "log4shell"   /* Log4j 2, critical CVEs */
#define KENSA_THREAT_LOG4J2_RESIDUAL "log4j2-residual" /* Log4j 2 without
                                   CVE-2021-44228/45046: medium or none */
#define KENSA_THREAT_LOG4J1_EOL "log4j1-eol" /* log4j 1.x, end of life */
#define KENSA_THREAT_FLAGPRO "flagpro"
#define KENSA_THREAT_SYSJOKER "sysjoker"
#define KENSA_THREAT_MALDOC "maldoc"   /* a harmful Office document */
#define KENSA_THREAT_PERSISTENCE "persistence" /* a persistence entry that
                                   launches something suspicious */
#define KENSA_THREAT_CHARMPOWER "charmpower" /* APT35's PowerShell kit */
#define KENSA_THREAT_WEBTOOS "webtoos"       /* Linux DDoS bot */
#define KENSA_THREAT_BLADABINDI "bladabindi" /* njRAT */
#define KENSA_THREAT_HABITSRAT "habitsrat"   /* Go RAT */
#define KENSA_THREAT_USER_IOC "user-ioc"     /* the user's own intel
                                   (--iocs) naming no threat */

/*
 * A message: an id from the catalog ("log4j.vulnerable") with its
 * numbered arguments {1}.., rendered in the reader's language by
 * kensa_message_render().  Arguments are borrowed like the rest of a
 * finding.
 */
struct kensa_msg {
    const char *id;
    const char *const *args;
    size_t nargs;
};

enum kensa_attr_type {
    KENSA_ATTR_STR = 0,   /* str */
    KENSA_ATTR_NUM = 1,   /* num */
    KENSA_ATTR_BOOL = 2,  /* num: 0 or 1 */
    KENSA_ATTR_FLOAT = 3, /* real (a score: 9.8); NaN and infinities are
                             left out of reports */
};

/* kensa_attr.flags */
#define KENSA_ATTR_LIST (1u << 0)  /* a JSON array even when alone */
#define KENSA_ATTR_SHOW (1u << 1)  /* text reports show it after the
                                      finding, on the details line */
#define KENSA_ATTR_OWN_LINE (1u << 2) /* ...on a line of its own, labelled,
                                         at most 200 bytes of it */
#define KENSA_ATTR_TIME (1u << 3)  /* a time (ISO 8601, or a log's own
                                      form): text reports show it as ISO
                                      8601 in the local zone, the zone
                                      shown */

/*
 * One typed attribute of a finding: what the detector found, under the
 * Elastic Common Schema name where ECS has a field ("package.version",
 * "vulnerability.id", "url.domain", "source.ip", "file.hash.sha256"),
 * else under "kensa." ("kensa.log4shell.lookup").  Dots nest in JSON.
 * Several attributes with the same key, one after the other, make a list
 * (vulnerability.id).  Reports write every attribute without knowing the
 * detector; text labels come from the catalog ("attr.<key>").
 */
struct kensa_attr {
    const char *key;
    enum kensa_attr_type type;
    const char *str;
    int64_t num;
    unsigned flags;   /* KENSA_ATTR_* */
    double real;
};

/*
 * What kind of record a finding is (JSON: event.kind).  An alert says
 * something happened or is exploitable and wants a person; a state is an
 * inventory entry that describes how things are (a Log4j copy, whatever
 * its verdict: vulnerability scanners report copies as states, and a
 * SIEM counts them rather than pages on them).  The detector chooses;
 * KENSA_KIND_ALERT is the default (0).
 */
enum kensa_finding_kind {
    KENSA_KIND_ALERT = 0,
    KENSA_KIND_STATE = 1,
};

/*
 * A finding, as every detector reports it: a small generic core, what it
 * means (a message), how it was found (evidence messages) and what was
 * found (typed attributes).  All pointers are borrowed for the duration
 * of the callback; any may be NULL except detector, threat, path and
 * file_path.
 */
struct kensa_finding {
    const char *detector;       /* "log4j" */
    const char *threat;         /* KENSA_THREAT_*: its profile's id */
    const char *rule;           /* the rule or reason that fired, stable:
                                   "log4j.core.vulnerable" */
    enum kensa_verdict verdict;
    enum kensa_severity severity;
    enum kensa_finding_kind kind; /* alert (default) or state */
    struct kensa_msg message;   /* one line for people */
    const struct kensa_msg *evidence; /* how it was found, strongest first */
    size_t n_evidence;
    const struct kensa_attr *attrs;
    size_t n_attrs;
    uint64_t line;              /* 1-based line in the object holding it;
                                   0: not about a line */

    const char *path;           /* whole chain: a.war!/WEB-INF/lib/b.jar */
    const char *file_path;      /* the file on disk that holds it */
    unsigned depth;             /* 0 = the file itself */
    uint64_t file_dev, file_ino; /* identity of file_path when scanned
                                    (0, 0 for standard input) */
    /* What fstat said of file_path when it was opened; file_mode 0 when
     * there is no file on disk (standard input, a buffer): the others
     * are then 0 too and mean nothing. */
    uint64_t file_size;
    int64_t file_mtime;         /* seconds since the epoch, UTC */
    uint32_t file_mtime_ns;     /* and nanoseconds */
    uint32_t file_uid, file_gid;
    uint32_t file_mode;         /* st_mode: type and permission bits */
    int64_t file_ctime;         /* status change (st_ctim), seconds */
    uint32_t file_ctime_ns;
    int64_t file_btime;         /* birth (statx STATX_BTIME), seconds;
                                   meaningful only with file_btime_known */
    uint32_t file_btime_ns;
    bool file_btime_known;      /* the file system told the birth time */
    const char *file_sha256;    /* hex, of file_path (NULL if not hashed) */
    const char *object_sha256;  /* hex, of the innermost object */

    /* Where the finding sits: the member names from the file on disk
     * down to the object holding it (chain_len 0: the file itself). */
    const char *const *chain;
    size_t chain_len;
    /* What kensa could change to mitigate it (kensa log4j --fix), kept
     * apart from what was found; NULL when nothing can be done here. */
    const struct kensa_remedy *remedy;
};

/* The first attribute of f named `key`, or NULL. */
const struct kensa_attr *kensa_finding_attr(const struct kensa_finding *f,
                                            const char *key);

/* The string value of the first attribute of f named `key`, or NULL. */
const char *kensa_finding_str(const struct kensa_finding *f, const char *key);

/* f's message rendered in `lang` into a new string the caller frees, or
 * NULL when out of memory. */
char *kensa_finding_message(const struct kensa_finding *f,
                            enum kensa_lang lang);

/*
 * A remediation a detector offers with a finding: remove an entry of the
 * object holding the finding (`entry`), or move aside a file of an
 * exploded folder (`file`); `optional` entries are removed only when the
 * user opts in (log4j 1.x's JMSAppender, JMSSink, SocketServer,
 * JDBCAppender: an application using them would break).
 */
struct kensa_remedy {
    const char *entry;
    const char *file;
    const char *optional[4];
    size_t n_optional;
};

/* Resource caps, named as clamscan names them.  0 means "no cap". */
struct kensa_limits {
    uint64_t max_filesize;   /* skip files on disk larger than this */
    uint64_t max_scansize;   /* decompressed bytes per top-level file */
    uint32_t max_files;      /* archive entries looked at per top-level file */
    uint32_t max_recursion;  /* nesting depth of containers */
    uint32_t max_ratio;      /* uncompressed:compressed cap per member */
    uint64_t max_scantime_ms; /* wall time per top-level file */
};

/* Fill `out` with the default limits. */
void kensa_limits_default(struct kensa_limits *out);

/* Detector bits for kensa_options.detectors. */
#define KENSA_DETECT_LOG4J (1u << 0)
#define KENSA_DETECT_LOGS (1u << 1)
#define KENSA_DETECT_DOC (1u << 2)   /* Office documents (kensa doc) */
/* Every detector without a bit of its own (a new one is a file and a
 * registry line, nothing here): on with KENSA_DETECT_ALL, off when only
 * named detectors are selected. */
#define KENSA_DETECT_OTHER (1u << 31)
#define KENSA_DETECT_ALL 0xffffffffu

struct kensa_options {
    unsigned threads;          /* 0 = number of online cores */
    bool follow_symlinks;
    bool one_file_system;
    bool report_patched;       /* also report fixed versions (inventory) */
    bool scan_pseudo_fs;       /* do not skip /proc, /sys, /dev */
    /* fnmatch globs, borrowed for the scanner's life.  Each is matched
     * against the whole path and against the last component; one ending
     * in '/' matches folders only (and prunes them). */
    const char *const *excludes;
    size_t n_excludes;
    /* Network and FUSE file systems (nfs, cifs, smb3, sshfs and every
     * fuse.*, afs, autofs, 9p, ceph, ...) met beneath a root are not
     * entered (kensa_scanner_pruned names them) unless their type is
     * listed here: "nfs4", "fuse.sshfs", "sshfs", "fuse" (every FUSE
     * type).  Borrowed for the scanner's life. */
    const char *const *include_fs;
    size_t n_include_fs;
    uint32_t detectors;        /* KENSA_DETECT_* bits */
    bool logs_everywhere;      /* logs detector on every text file (kensa
                                  logs); else only on log-like paths */
    const char *const *log_paths; /* extra folders holding logs, borrowed */
    size_t n_log_paths;
    bool no_hashes;            /* leave file_sha256/object_sha256 NULL */
    struct kensa_limits limits;
    /* Candidate passwords for encrypted archives (zip ZipCrypto and AES),
     * tried in this order; borrowed for the scanner's life.  NULL/0: an
     * encrypted archive is reported (a warning), not opened. */
    const char *const *passwords;
    size_t n_passwords;
    /* The root file system of another machine (a mounted disk image, an
     * extracted container image, a backup): the paths given to
     * kensa_scanner_scan_paths() are then folders inside it ("/" or ""
     * is all of it), everything beneath it is opened so that symbolic
     * links resolve inside it, and the system it holds is identified
     * (kensa_scanner_system).  NULL: the running host.  Borrowed for the
     * call to kensa_scanner_new. */
    const char *root;
    /* kensa doc --extract: a folder where the doc detector writes the
     * VBA sources and XLM formulas it reads (new files only, never
     * overwriting).  NULL: the scan writes nothing.  Borrowed. */
    const char *extract_dir;
    /* Leave out the persistence detector (cron, systemd, launchd,
     * Startup folders, scheduled tasks...): --no-persistence. */
    bool no_persistence;
    /* The user's intel on top of the pack built in (docs/DESIGN.md,
     * "Intel pack"): files of indicators (--iocs: hash lists, CSV, STIX
     * 2.1 bundles, MISP events) and YARA rules (--rules: .yar/.yara
     * sources, compiled .yarc, or folders of them); borrowed for the
     * call to kensa_scanner_new.  Check them first with
     * kensa_intel_check_iocs/_rules to name a bad file's line: the
     * scanner only fails (KENSA_EFORMAT) on them. */
    const char *const *ioc_files;
    size_t n_ioc_files;
    const char *const *rule_paths;
    size_t n_rule_paths;
    bool no_builtin_intel;     /* only the user's intel, not the pack's */
    /* kensa scan --running: look at every process, not only JVMs: its
     * executable (IoCs, YARA; a deleted one is a finding), its memory
     * (YARA, read without stopping it: core/procmem.c) and its
     * connections to IoC addresses (core/procnet.c). */
    bool procs_hunt;
    uint64_t proc_mem_max;     /* memory read per process; 0: 512 MiB */
};

/* Fill `out` with defaults (all detectors, default limits). */
void kensa_options_default(struct kensa_options *out);

/*
 * A warning: a path could not be read or fully parsed, or a limit hit.
 * What it says is a message id with arguments (see "Messages" below):
 * render it in the reader's language with kensa_warning_render().
 * `message` is the English rendering, kept for logs and SIEMs.
 */
struct kensa_warning {
    const char *path;   /* chain, as in kensa_finding.path */
    enum kensa_err err;
    const char *message; /* English, rendered from id and args */
    const char *id;     /* message id, "zip.unreadable"; NULL: only message */
    const char *const *args; /* the id's numbered arguments {1}.. */
    size_t nargs;
    int sys_errno;      /* the system error behind it ({s}), or 0 */
};

typedef void (*kensa_finding_cb)(const struct kensa_finding *f, void *ud);
typedef void (*kensa_warning_cb)(const struct kensa_warning *w, void *ud);
struct kensa_stats;
/* Called now and then (at most ~10 times a second) with the path being
 * scanned and a snapshot of the counters. */
typedef void (*kensa_progress_cb)(const char *path,
                                  const struct kensa_stats *st, void *ud);

struct kensa_stats {
    uint64_t files;          /* files on disk opened */
    uint64_t bytes;          /* bytes of those files */
    uint64_t objects;        /* objects scanned, members included */
    uint64_t findings;
    uint64_t warnings;
    uint64_t skipped_limit;  /* objects cut short by a limit */
    uint64_t errors;         /* unreadable paths */
    uint64_t vanished;       /* listed, then gone before being opened (a
                                busy host): neither a warning nor an
                                error */
    uint64_t pruned_fs;      /* network/FUSE mounts not entered */
    uint64_t own_reports;    /* kensa's own reports the log detector
                                recognised and did not scan */
    uint64_t processes;      /* running processes looked at
                                (kensa_scanner_scan_process) */
    uint64_t processes_java; /* ...of which JVMs or holding archives:
                                their files were scanned */
    uint64_t processes_unreadable; /* ...of which could not be read */
    uint64_t excluded;       /* files and folders an exclude glob matched
                                (a folder counts once: nothing beneath it
                                is looked at) */
};

struct kensa_scanner;

/*
 * Create a scanner.  `opts` is copied (the exclude strings are borrowed and
 * must outlive the scanner).  Returns NULL and sets *out_err on failure:
 * with opts->root, KENSA_ENOENT when it does not exist and KENSA_EINVAL
 * when it is not a folder.
 */
struct kensa_scanner *kensa_scanner_new(const struct kensa_options *opts,
                                        enum kensa_err *out_err);

/* Set the callbacks; any may be NULL.  Call before scanning. */
void kensa_scanner_set_callbacks(struct kensa_scanner *s,
                                 kensa_finding_cb on_finding,
                                 kensa_warning_cb on_warning,
                                 kensa_progress_cb on_progress, void *ud);

/*
 * Scan the given paths (files or folders, walked in parallel); with
 * kensa_options.root they are paths inside that root, "/opt/app" naming
 * ROOT/opt/app, and are reported as such host paths.  Returns
 * KENSA_OK when the walk completed, even if findings or warnings were
 * reported; KENSA_ENOENT if a root does not exist (the others are still
 * scanned); KENSA_ENOMEM on allocation failure.
 */
enum kensa_err kensa_scanner_scan_paths(struct kensa_scanner *s,
                                        const char *const *paths, size_t n);

/*
 * Scan what a file descriptor yields (a pipe: stdin) as if it were a file
 * named `name`.  Plain text (the first 64 KiB start no container) is
 * offered to the streaming detectors (logs) as it is read, and nothing is
 * stored.  A container (gzip, zip, tar...) is copied to an unlinked
 * temporary file, at most --max-scansize of it (with a warning if the
 * input was longer), so memory stays flat and disk bounded.  KENSA_EIO if
 * it cannot be read or stored.
 */
enum kensa_err kensa_scanner_scan_fd(struct kensa_scanner *s,
                                     const char *name, int fd);

/*
 * Scan one in-memory buffer as if it were a file named `name`.  The buffer
 * is borrowed.  Used by fuzzers and by stdin input.
 */
enum kensa_err kensa_scanner_scan_buffer(struct kensa_scanner *s,
                                         const char *name, const void *data,
                                         size_t len);

/*
 * Scan an unpacked container image layout folder (an OCI image layout:
 * oci-layout, index.json, blobs/sha256/...; or an unpacked `docker
 * save`: manifest.json and the files it names) as an image tar is
 * scanned: every image it holds, its layers applied in order with
 * whiteouts, findings named `path!/REF:/path/in/image` with
 * container.image.* and kensa.image.layer.  The folder's files are
 * opened beneath it without following any symbolic link and must be
 * regular files (anything else is a warning, not read).  A host path
 * (kensa_options.root does not apply).  KENSA_OK when its images were
 * scanned; KENSA_EFORMAT when it holds none that could be read, and
 * KENSA_ENOENT, KENSA_EIO when it cannot be opened (each with a
 * warning saying why).
 */
enum kensa_err kensa_scanner_scan_image_dir(struct kensa_scanner *s,
                                            const char *path);

/*
 * Scan what running process `pid` has loaded or holds, if it is a JVM
 * (its executable is named java, or it maps libjvm.so) or maps or holds
 * open any .jar, .war or .ear: each file it maps (read through
 * /proc/PID/map_files, so the very file mapped, even deleted or
 * replaced on disk; else /proc/PID/root/PATH resolved inside the
 * process's root), each archive it holds open (/proc/PID/fd/N), and
 * each file of its class path (-cp, -classpath, --class-path, -jar in
 * its command line, CLASSPATH in its environment; relative entries
 * against its working folder, inside its root).  Each file is scanned
 * once per process, by every enabled detector, as a file on disk is,
 * and every finding on it carries the process: process.pid, .name,
 * .executable, .command_line (cut to 4 KiB), .user.id, .user.name,
 * .start (ISO 8601), the Log4j mitigation flags found in its command
 * line or environment (kensa.process.mitigation), and
 * kensa.process.restart_needed with an evidence message when the file
 * it holds is no longer the one at its path.  Everything read from /proc
 * is the process's to choose and treated as hostile; nothing is
 * executed.  Findings are named by the path the process gives the file
 * (beneath /proc/PID/root/ when the process has another root).
 * Returns KENSA_OK when the process was looked at (a JVM or not);
 * KENSA_ENOENT when there is no such process (it ended); KENSA_EIO when
 * it could not be read (another user's, without privileges: a warning
 * names it and kensa_stats.processes_unreadable counts it); KENSA_ENOMEM.
 * With kensa_options.procs_hunt, every process (not only JVMs) also has
 * its executable scanned through /proc/PID/exe (a deleted or replaced
 * one is a finding: rules process.exe.deleted, process.exe.replaced),
 * its memory read with the YARA rules without being stopped (evidence
 * "in memory of process PID at 0xADDR"; capped by proc_mem_max and
 * max_scantime) and its sockets to IPv4 indicators reported
 * (process.connection.ioc, destination.ip, destination.port).
 * Needs a process that may read other processes' /proc entries:
 * Landlock (kensa_confine with landlock) forbids it.
 */
enum kensa_err kensa_scanner_scan_process(struct kensa_scanner *s,
                                          pid_t pid);

/*
 * kensa_scanner_scan_process() for every process in /proc, in pid
 * order, kensa's own excepted.  KENSA_OK once all were looked at (some
 * may have been unreadable: warnings); KENSA_EIO when /proc cannot be
 * listed; KENSA_ENOMEM.  Stops early when the scan is cancelled.
 */
enum kensa_err kensa_scanner_scan_processes(struct kensa_scanner *s);

/*
 * End of the run: detectors that correlate across the whole scan (a
 * persistence entry whose target matched elsewhere) report now, through
 * the finding callback.  Call once, after the last scan call and before
 * finishing the report; later calls do nothing.  KENSA_EINVAL for NULL.
 */
enum kensa_err kensa_scanner_finish(struct kensa_scanner *s);

/*
 * kensa scan --kill: SIGKILL process `pid` if it is still the process
 * that started at `start` (its process.start attribute, as findings
 * carry it), so a pid reused since the scan is never signalled: the
 * process is pinned with a pidfd before its start is checked.
 * KENSA_OK when the signal was sent, KENSA_ECHANGED when the pid is now
 * another process's (left alone), KENSA_ENOENT when it is gone,
 * KENSA_EINVAL for pid 1, kensa itself or no start, KENSA_EIO else.
 */
enum kensa_err kensa_process_kill(pid_t pid, const char *start);

/*
 * kensa scan --quarantine DIR (lib/fix/quarantine.c): files moved into
 * DIR, a folder created 0700 (or an existing one of kensa's user open to
 * no one else; a symbolic link is refused: KENSA_EINVAL), with a
 * manifest (DIR/manifest.jsonl: one JSON line a file: original path,
 * dev, ino, SHA-256, size, mode, uid, gid, mtime, time).
 */
struct kensa_quarantine;
enum kensa_err kensa_quarantine_open(const char *dir,
                                     struct kensa_quarantine **out);
void kensa_quarantine_close(struct kensa_quarantine *q);
/*
 * Move the file at absolute `path` into q, if it is still the regular
 * file (dev, ino) the scan judged: its folder is opened from "/" without
 * following any link, the file hashed, copied, the copy checked against
 * the hash, the manifest line written, then the name unlinked if it is
 * still that file.  sha256 gets the hex hash.  KENSA_ECHANGED when the
 * file or a folder on its way is not what it was (a link, another file:
 * left alone), KENSA_ENOENT when it is gone, KENSA_EIO else.
 */
enum kensa_err kensa_quarantine_file(struct kensa_quarantine *q,
                                     const char *path, uint64_t dev,
                                     uint64_t ino, char sha256[65]);
/*
 * kensa scan --restore-quarantine DIR: put each file of DIR's manifest
 * back at its path, created O_EXCL with its mode (and owner, as root)
 * after its copy's SHA-256 is checked; never over an existing file (cb
 * gets KENSA_ECHANGED with sys EEXIST).  cb is called once per manifest
 * line with the path, the result and an errno (0: none).  KENSA_OK when
 * every file was restored.
 */
typedef void (*kensa_restore_cb)(const char *path, enum kensa_err err,
                                 int sys, void *ud);
enum kensa_err kensa_quarantine_restore(const char *dir,
                                        kensa_restore_cb cb, void *ud);

/*
 * Ask a running scan to stop soon: no new file is opened and the files
 * being scanned stop at their next budget check.  Async-signal-safe (for
 * a SIGINT/SIGTERM handler) and callable from any thread.  The scan
 * call then returns normally; kensa_scanner_cancelled() tells why.
 */
void kensa_scanner_cancel(struct kensa_scanner *s);
bool kensa_scanner_cancelled(const struct kensa_scanner *s);

/*
 * The system a scanner scans, read-only: the machine whose root is
 * kensa_options.root, identified from its files when the scanner was
 * made, or the running host (uname, /etc/os-release, gethostname).  Any
 * field may be NULL when it is not known.  Strings come from the scanned
 * files (hostile bytes: escape them before printing), are cut to at most
 * 255 bytes and live as long as the scanner.
 */
struct kensa_system {
    const char *root;        /* the root folder, NULL for the running host */
    const char *os_type;     /* "linux", "macos", "windows"; NULL unknown */
    const char *os_platform; /* os-release ID ("debian"), "macos", "windows" */
    const char *os_name;     /* os-release NAME, ProductName, "Windows" */
    const char *os_version;  /* VERSION_ID, ProductVersion (Windows: NULL) */
    const char *os_full;     /* os-release PRETTY_NAME */
    const char *hostname;    /* etc/hostname, gethostname() */
    const char *id;          /* etc/machine-id: 32 lowercase hex digits,
                                NULL when missing or not that */
};

/* What `s` knows of the system it scans; never NULL for a scanner. */
const struct kensa_system *kensa_scanner_system(const struct kensa_scanner *s);

/* Copy the counters so far into *out. */
void kensa_scanner_stats(const struct kensa_scanner *s,
                         struct kensa_stats *out);

/*
 * The i-th network or FUSE mount the walk did not enter (see
 * kensa_options.include_fs), in the order met: its path, and its type in
 * *out_type ("nfs", "fuse.sshfs").  NULL past the last one remembered
 * (KENSA_PRUNED_MAX; stats.pruned_fs counts them all).  The strings are
 * the scanner's.  Call once the scan has returned.
 */
#define KENSA_PRUNED_MAX 64
const char *kensa_scanner_pruned(const struct kensa_scanner *s, size_t i,
                                 const char **out_type);

/*
 * The i-th kind of limit the scan hit (a warning with KENSA_ELIMIT), in
 * catalog order: its message id ("limit.filesize", "zip.ratio") and in
 * *out_n how many times (stats.skipped_limit counts them all).  NULL
 * past the last one.  Call once the scan has returned.
 */
const char *kensa_scanner_limit(const struct kensa_scanner *s, size_t i,
                                uint64_t *out_n);

/* Release the scanner.  NULL is a no-op. */
void kensa_scanner_free(struct kensa_scanner *s);

/* ---------------------------------------------------------------------- */
/* Threat profiles, compiled into the library.                            */


struct kensa_profile {
    const char *id;          /* "log4shell" */
    const char *name;
    const char *aliases;     /* comma separated */
    const char *summary;
    const char *impact;      /* impact scope */
    const char *assessment;
    const char *mitigation;
    const char *references;  /* newline separated URLs */
};

/* Number of profiles; profiles are indexed 0..n-1. */
size_t kensa_profile_count(void);

/* Profile i in `lang`, or NULL if out of range.  Static storage. */
const struct kensa_profile *kensa_profile_at(size_t i, enum kensa_lang lang);

/* Profile by id (case-insensitive), or NULL. */
const struct kensa_profile *kensa_profile_get(const char *id,
                                              enum kensa_lang lang);

/* Static label in `lang` for report headings ("Impact", "影響範囲"). */
const char *kensa_label(const char *key, enum kensa_lang lang);

/* ---------------------------------------------------------------------- */
/* Messages: ids with arguments, rendered in the reader's language.       */
/*
 * Every warning, the scan summary and the CLI's own messages are ids
 * ("zip.unreadable", "summary.files") with an English and a Japanese
 * template in the catalog compiled into the library
 * (lib/intel/messages.def).  Templates take numbered arguments {1}..{6},
 * placed wherever the language wants them; arguments are strings (format
 * numbers first) copied byte for byte, never interpreted.  A placeholder
 * whose argument is missing (beyond nargs, or NULL) is written as it
 * stands ("{2}").  Warning templates may also use {e} (the warning's
 * kensa_err in words) and {s} (its sys_errno in words).
 */

/*
 * Render message `id` in `lang` into out[0..cap) (always NUL-terminated
 * when cap > 0).  Returns the length of the whole text, as snprintf does:
 * a result >= cap means it was cut, and a buffer of result + 1 holds it.
 * An unknown id renders as the id itself.
 */
size_t kensa_message_render(const char *id, const char *const *args,
                            size_t nargs, enum kensa_lang lang, char *out,
                            size_t cap);

/* The same, written whole to `out` through kensa_fputs_safe() (arguments
 * may hold any bytes).  EOF on a write or allocation error. */
int kensa_message_print(FILE *out, const char *id, const char *const *args,
                        size_t nargs, enum kensa_lang lang);

/* The template of `id` in `lang`, or NULL if there is no such id. */
const char *kensa_message_template(const char *id, enum kensa_lang lang);

/* The ids, for listing and tests: 0..kensa_message_count()-1. */
size_t kensa_message_count(void);
const char *kensa_message_id_at(size_t i);

/* Render a warning's message (without its path) in `lang`, as
 * kensa_message_render().  A warning without an id gives its message. */
size_t kensa_warning_render(const struct kensa_warning *w,
                            enum kensa_lang lang, char *out, size_t cap);

/* kensa_strerror() in `lang`; static storage, never NULL. */
const char *kensa_strerror_lang(enum kensa_err err, enum kensa_lang lang);

/* The system error `errnum` in words in `lang` (English: strerror's text)
 * into buf; returns buf. */
const char *kensa_syserror(int errnum, enum kensa_lang lang, char *buf,
                           size_t cap);

/* ---------------------------------------------------------------------- */
/* Reports: findings in, text out.  Reports never parse input.            */

enum kensa_format { KENSA_FMT_TEXT = 0, KENSA_FMT_JSON = 1, KENSA_FMT_CSV = 2 };

struct kensa_report_opts {
    enum kensa_format format;
    enum kensa_lang lang;
    bool color;      /* ANSI colour (text only) */
    bool quiet;      /* text: findings only, no profile blocks */
    bool no_advice;  /* text: no profile blocks (--no-advice) */
    unsigned width;  /* text: columns to wrap the advice to; 0: 80 */
};

struct kensa_report;

/* A report writing to `out` (borrowed; the caller closes it). */
struct kensa_report *kensa_report_new(const struct kensa_report_opts *o,
                                      FILE *out, enum kensa_err *out_err);

/* Name the system scanned in every record (JSON: host.*, and the path
 * as that system sees it when it is another one's root).  `sys` is
 * borrowed: it must outlive the report (kensa_scanner_system()). */
void kensa_report_set_system(struct kensa_report *r,
                             const struct kensa_system *sys);

/*
 * The run's id, written to every JSON record as kensa.scan_id: 128 bits
 * from getrandom(2) as 32 lowercase hex digits, made once by
 * kensa_report_new (one report is one run).  Lives as long as r.
 */
const char *kensa_report_scan_id(const struct kensa_report *r);

/*
 * What a run did, for its closing record.  The report counts the
 * findings it was given by threat, severity and verdict itself; the
 * rest comes from the caller.  Everything is borrowed for the call.
 */
struct kensa_run {
    int64_t start_ns, end_ns;   /* CLOCK_REALTIME, nanoseconds since the
                                   epoch; 0: when the report was made /
                                   now */
    const char *const *roots;   /* the paths scanned, as given ("-":
                                   standard input); made absolute and
                                   normalised in the record */
    size_t n_roots;
    const char *const *args;    /* the whole command line, argv[0] first */
    size_t n_args;
    const struct kensa_stats *stats; /* files, bytes, warnings, limits,
                                        errors; NULL: not known */
    /* What was skipped and why (the record's kensa.scan.skipped.*):
     * the exclude globs given (stats->excluded counts what they
     * matched), the network mounts not entered (path and type, as
     * kensa_scanner_pruned gives them; stats->pruned_fs counts them
     * all) and the limits hit (kensa_scanner_limit's ids and counts). */
    const char *const *excludes;
    size_t n_excludes;
    const char *const *pruned, *const *pruned_types;
    size_t n_pruned;
    const char *const *limits;
    const uint64_t *limit_counts;
    size_t n_limits;
    bool interrupted;           /* stopped by a signal or a write error */
    bool failed;                /* the scan had errors (a root missing,
                                   unreadable paths, an output failed) */
};

/*
 * Write the run's closing record and flush: JSON writes one record,
 * event.kind "event", event.action "scan-completed", event.outcome
 * "failure" when run->interrupted or run->failed (else "success"),
 * event.start/end/duration, kensa.scan.roots, process.args, the counts
 * (kensa.scan.findings.by_threat.<id>, .by_severity.<name>,
 * .by_verdict.<name>, kensa.scan.{files,bytes,objects,warnings,errors,
 * skipped.limit}) and what was skipped (kensa.scan.skipped.excludes,
 * .excluded, .pruned.path/.type, .pruned_count, .limits.<id>,
 * .vanished).  Text and CSV write nothing (the CLI prints its
 * summary on stderr).  Call once, at the end of the run, after
 * kensa_report_finish is fine.  KENSA_EIO when it could not be written,
 * KENSA_EINVAL for NULL arguments.
 */
enum kensa_err kensa_report_run(struct kensa_report *r,
                                const struct kensa_run *run);

/*
 * A change kensa made, would make (dry run) or could not make to a file
 * on disk (kensa log4j --fix, --restore), for the report: JSON writes
 * one record (event.kind "event", event.category "file", event.type
 * "change" - "info" on a dry run -, event.action, event.outcome,
 * file.path, kensa.fix.*), CSV one row; text writes nothing (the CLI
 * tells people itself).  Everything is borrowed for the call.
 */
struct kensa_action {
    const char *action;          /* "log4j-fix", "log4j-restore" */
    const char *path;            /* the file changed (file.path) */
    const char *backup;          /* where the original was saved (fix) or
                                    restored from; NULL: none */
    const char *const *removed;  /* entries removed (class names) */
    size_t n_removed;
    bool dry_run;                /* nothing changed: what would be */
    bool success;                /* event.outcome success or failure */
    const char *reason;          /* why it failed (English); NULL */
    const char *state;           /* after a fix, a rescan's verdict:
                                    "mitigated", "vulnerable"; NULL */
    struct kensa_msg message;    /* one line for people (catalog id and
                                    arguments): "cli.fixed_one" */
};

/* Record one action.  KENSA_EIO when it could not be written,
 * KENSA_EINVAL for NULL arguments or an action without action or path.
 * May be called after kensa_report_finish. */
enum kensa_err kensa_report_action(struct kensa_report *r,
                                   const struct kensa_action *a);

/*
 * Record one finding.  JSON and CSV write it at once; text keeps a bounded
 * batch to group by threat and writes it out when full.  KENSA_EIO once
 * the stream has failed (ENOSPC, a closed pipe): the caller should stop.
 */
enum kensa_err kensa_report_finding(struct kensa_report *r,
                                    const struct kensa_finding *f);

/* Record a warning (JSON reports write an event record; text skips).
 * Errors as kensa_report_finding. */
enum kensa_err kensa_report_warning(struct kensa_report *r,
                                    const struct kensa_warning *w);

/* Write whatever is buffered and flush.  Call once, after the scan (also
 * after an interrupted one).  KENSA_EIO if anything failed to be
 * written. */
enum kensa_err kensa_report_finish(struct kensa_report *r);

void kensa_report_free(struct kensa_report *r);

/*
 * Open `path` for writing a report: never through a symbolic link, and
 * refused (-1, `why` set) when it exists as a regular file with more than
 * one link or owned by another user; truncated only after those checks.
 * Character devices and FIFOs are accepted; "-", /dev/stdout and
 * /dev/stderr give a duplicate of that stream.  Returns a descriptor the
 * caller closes.
 */
int kensa_output_open(const char *path, char *why, size_t whycap);

/*
 * Open the folder `path` for kensa to create files in (doc --extract,
 * rules --export, quarantine): reached without following a symbolic link
 * in any component, created (mode 0700) when missing if `create`, and
 * refused (-1, `why` set) unless it belongs to root or the effective user
 * and is writable by neither group nor others.  Returns a descriptor the
 * caller closes; create files in it with openat(..., O_EXCL | O_NOFOLLOW).
 */
int kensa_dir_open(const char *path, bool create, char *why, size_t whycap);

/*
 * Write `s` to `out` for a terminal: every character a terminal would act
 * on, or that reorders what is shown, is written as a visible escape -
 * C0 controls (newline and tab included), DEL and bytes that are not
 * UTF-8 as \xNN; C1 controls (U+0080-U+009F) and the bidi controls
 * U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069 (and U+2028,
 * U+2029) as \uNNNN.  Other text, CJK included, is written unchanged.
 * The text reports apply the same rule to every field.  Returns EOF on
 * a write error, else a non-negative number (like fputs).
 */
int kensa_fputs_safe(const char *s, FILE *out);

/* ---------------------------------------------------------------------- */
/* Fixing: remove the Log4Shell attack surface from files on disk.        */

/*
 * The manifest of a backup folder: one line per backup (its name, sha256,
 * the original's uid, gid, mode and percent-escaped path).  A folder that
 * holds it, owned by root (or the effective user) with neither folder nor
 * manifest writable by group or others, is kensa's own: scans skip it.
 */
#define KENSA_BACKUP_MANIFEST "kensa-manifest.tsv"

struct kensa_fix_opts {
    bool dry_run;            /* say what would change, touch nothing */
    const char *backup_dir;  /* NULL: /var/backups/kensa as root, else
                                ~/.local/state/kensa/backups */
    /* The identity of the file when it was scanned (finding.file_dev,
     * file_ino): a file that is no longer it is left alone.  0, 0: no
     * check. */
    uint64_t expect_dev, expect_ino;
};

/* One thing to remove, as a finding gives it (chain, fix_entry/fix_file). */
struct kensa_fix_target {
    const char *const *chain;
    size_t chain_len;
    const char *entry;       /* entry of the innermost archive, or NULL */
};

struct kensa_fix_result {
    unsigned removed;        /* entries removed (or that would be) */
    char backup[4096];       /* where the original went ("" on dry run) */
    char why[512];           /* reason when refused or failed */
};

/*
 * Check (creating it, mode 0700, if it does not exist) that `dir` (NULL:
 * the default) can hold backups: a real folder, reached without any
 * symbolic link, owned by root or the effective user and writable by
 * neither group nor others.  KENSA_EINVAL with `why` otherwise.
 */
enum kensa_err kensa_fix_check_backup_dir(const char *dir, char *why,
                                          size_t whycap);

/* The backup folder `dir` stands for (the default when NULL). */
void kensa_fix_backup_dir(const char *dir, char *out, size_t cap);

/*
 * Rewrite the file `path` without the targets' entries (nested archives
 * rebuilt from the inside out, every other entry byte for byte).  The
 * path is resolved without following any symbolic link, and every step
 * after is relative to the file's folder; the file must still be the one
 * scanned (o->expect_dev/ino).  The original is first copied into the
 * backup folder (checked as kensa_fix_check_backup_dir does) and recorded
 * in its manifest (KENSA_BACKUP_MANIFEST) with its path, owner, mode and
 * sha256.  The new file is created O_EXCL beside the original, synced,
 * given the original's owner, mode and times, and renamed over it, so an
 * interruption leaves either file whole.  For an exploded folder (`entry`
 * NULL, `path` the class file), the file is moved to the backup.
 * KENSA_EUNSUPPORTED when refused and KENSA_ECHANGED when the file or its
 * folder changed since the scan (r->why says why), KENSA_EIO,
 * KENSA_EFORMAT, KENSA_ENOMEM.
 */
enum kensa_err kensa_fix_file(const char *path,
                              const struct kensa_fix_target *t, size_t n,
                              const struct kensa_fix_opts *o,
                              struct kensa_fix_result *r);

/*
 * Put back the original saved at `backup`, a file kensa_fix_file wrote.
 * Refused (KENSA_EINVAL) unless the backup's folder and its manifest
 * belong to root or the effective user and are writable by nobody else,
 * and the backup is such a file with a single link, reached without a
 * symbolic link; KENSA_ENOENT when it is not in the manifest or missing;
 * KENSA_EFORMAT when its sha256 is not the recorded one.  The original
 * goes back only to the path the manifest records (resolved without
 * symbolic links), atomically, with the recorded owner, group and mode;
 * the backup is kept.  *out_path gets the restored path.
 */
enum kensa_err kensa_fix_restore(const char *backup, char *out_path,
                                 size_t cap, char *why, size_t whycap);

/* The same; unless `force`, also KENSA_ECHANGED when the file at the
 * recorded path is no longer the one kensa_fix_file wrote (the manifest
 * records its sha256): restoring would undo a later change. */
enum kensa_err kensa_fix_restore_ex(const char *backup, bool force,
                                    char *out_path, size_t cap, char *why,
                                    size_t whycap);

/* Call fn with the path of every backup the manifest of folder `dir`
 * lists (each name once), for --restore DIR.  The folder and manifest
 * pass the same checks as for kensa_fix_restore.  KENSA_OK, or the
 * error with why set (KENSA_ENOENT: no folder or manifest). */
enum kensa_err kensa_fix_backups(const char *dir,
                                 void (*fn)(const char *backup, void *ud),
                                 void *ud, char *why, size_t whycap);

/* ---------------------------------------------------------------------- */
/* Indicators gathered from log hits (kensa logs --iocs).                 */

/*
 * The user's intel, checked before a scan so that a bad file is named
 * with its line.  kensa_intel_check_iocs reads one file of indicators
 * (KENSA_EFORMAT at e->line for a line that is not intel; entries
 * that are intel but fail validation - a hash of the wrong length, the
 * hash of an empty file - are counted in e->rejected, the first one
 * named); kensa_intel_check_rules compiles a --rules path alone.
 * e->why is a catalog id (intel.reason.*, with e->detail as its {1}).
 */
struct kensa_intel_error {
    const char *file;           /* the file at fault */
    size_t line;                /* its line, 0: the file as a whole */
    const char *why;            /* catalog id */
    char detail[256];
    size_t loaded;              /* entries or rule files read */
    size_t rejected;            /* entries refused */
    size_t rejected_line;       /* the first refused entry's line */
    const char *rejected_why;   /* ...its reason (catalog id) */
    char rejected_value[160];   /* ...its value as read, cut */
    char file_buf[512];
};
enum kensa_err kensa_intel_check_iocs(const char *path,
                                      struct kensa_intel_error *e);
enum kensa_err kensa_intel_check_rules(const char *path,
                                       struct kensa_intel_error *e);

/* The YARA rule files built in (intel/rules): i-th name ("sysjoker.yar")
 * and its source; NULL past the end.  The last is kensa-iocs.yar, the
 * rule kensa makes of the pack's network indicators. */
const char *kensa_rules_builtin(size_t i, const char **text, size_t *len);
/* The rules' names of a built-in file, one a line, into out (cap bytes,
 * NUL-terminated): for kensa rules --list. */
size_t kensa_rules_builtin_names(size_t i, char *out, size_t cap);

struct kensa_iocs;

/* An empty collection; NULL on allocation failure. */
struct kensa_iocs *kensa_iocs_new(void);

/* Take what a "logs" finding tells (other findings are ignored). */
void kensa_iocs_add(struct kensa_iocs *io, const struct kensa_finding *f);

/* Hits per file (first and last seen), top sources, callback hosts and
 * decoded commands, for people. Nothing if there was no hit. */
void kensa_iocs_summary(struct kensa_iocs *io, FILE *out, enum kensa_lang l);

/* Write the indicators to `out` (borrowed, flushed, not closed): a STIX
 * 2.1 bundle when `stix`, else CSV.  KENSA_EIO if writing failed. */
enum kensa_err kensa_iocs_write(struct kensa_iocs *io, FILE *out, bool stix);

void kensa_iocs_free(struct kensa_iocs *io);

/*
 * The timeline (where it came in): every finding's times in one order -
 * a log line's own time (an attack and its client address), the start
 * of the process holding it, a file's modification, status change and
 * birth times - for `--timeline FILE` and the text summary.  Bounded:
 * at most 100,000 events and 64 MiB of strings, each cut to 4 KiB;
 * kensa_timeline_dropped() counts what did not fit.
 */
struct kensa_timeline;

/* An empty timeline whose messages are rendered in `lang`; NULL on
 * allocation failure. */
struct kensa_timeline *kensa_timeline_new(enum kensa_lang lang);

/* Take the times f carries (copied; f is not kept).  Inventory entries
 * (verdict none or patched) give none.  Never fails: what cannot be
 * kept is counted as dropped. */
void kensa_timeline_add(struct kensa_timeline *t,
                        const struct kensa_finding *f);

/* Name paths as the scanned system sees them when its root stands for
 * another system's ("/mnt/img/tmp/x" -> "/tmp/x"), as JSON's
 * kensa.system.path.  `sys` is borrowed: it must outlive the timeline
 * (kensa_scanner_system()).  Call before the first kensa_timeline_add. */
void kensa_timeline_set_system(struct kensa_timeline *t,
                               const struct kensa_system *sys);

/* Events that did not fit (a cap, or out of memory). */
uint64_t kensa_timeline_dropped(const struct kensa_timeline *t);

/* For people: the events around the earliest attack in the logs (20
 * before, 20 after), else the latest 40, in the local zone, with
 * escaped paths.  Nothing when there is no event. */
void kensa_timeline_summary(struct kensa_timeline *t, FILE *out,
                            enum kensa_lang lang);

/* Every event in time order to `out` (borrowed, flushed, not closed):
 * JSON Lines when `json`, else CSV with a header row.  KENSA_EIO when
 * writing failed, KENSA_ENOMEM when a record could not be built. */
enum kensa_err kensa_timeline_write(struct kensa_timeline *t, FILE *out,
                                    bool json);

void kensa_timeline_free(struct kensa_timeline *t);

/* ---------------------------------------------------------------------- */
/* Confinement: what a hijacked scan could still do.                      */

struct kensa_confine_opts {
    /* Files or folders that may be read (folders: listed and read beneath).
     * Borrowed for the call.  Paths that do not exist are left out. */
    const char *const *read_roots;
    size_t n_read_roots;
    /* Folders beneath which regular files may be created, written and
     * read, besides the engine's spill folders, which are always granted.
     * Borrowed for the call. */
    const char *const *write_dirs;
    size_t n_write_dirs;
    /* true: the file system is restricted as above (Landlock).  false:
     * only the system-call filter, for commands that write where they find
     * things (kensa log4j --fix, --restore). */
    bool landlock;
    /* A TCP port the process may still connect to once confined (the
     * syslog sender's reconnects, Landlock ABI 4 and later); 0: none. */
    uint16_t connect_tcp_port;
    /* Signals to other processes (kill, pidfd_send_signal) stay allowed:
     * kensa scan --kill.  false: the filter refuses them. */
    bool allow_kill;
};

/*
 * Confine the calling process for the rest of its life; this cannot be
 * undone.  Call it once, after the outputs are open and before the
 * scanner starts threads: files already open stay usable, and every
 * thread or child started later inherits the restrictions.
 *
 * It sets no_new_privs, then (if o->landlock) restricts the file system
 * with Landlock: reading files and listing folders only beneath
 * read_roots; creating, writing and reading regular files only beneath
 * the spill folders ($TMPDIR or /tmp, and /var/tmp) and write_dirs;
 * nothing else: no execution, no other kind of creation, no removal,
 * rename, link or truncation, no device ioctl, and on kernels that know
 * them no TCP bind or connect and no signals to processes outside.  Then
 * a seccomp filter makes these fail with EPERM: program execution,
 * sockets other than AF_UNIX, ptrace and process_vm_readv/writev, mount
 * and friends, chroot, module and kexec loading, bpf, the kernel keyring,
 * unshare, setns and open_by_handle_at.  What the engine loads lazily
 * (OpenSSL's digests, iconv) is loaded first.
 *
 * Best effort against the running kernel: Landlock rights its ABI does not
 * know are not asked for, and a kernel without Landlock or seccomp is not
 * an error.  `desc` (capacity desc_cap, may be 0) gets one line saying
 * what is in force, e.g. "landlock ABI 7, seccomp" or "seccomp (landlock:
 * not supported by this kernel)".
 *
 * Returns KENSA_OK; KENSA_EINVAL if `o` is NULL; KENSA_EIO if a mechanism
 * the kernel offers could not be applied (desc says which; the process
 * may then be partly confined); KENSA_ENOMEM.
 */
enum kensa_err kensa_confine(const struct kensa_confine_opts *o, char *desc,
                             size_t desc_cap);

#ifdef __cplusplus
}
#endif
#endif /* KENSA_KENSA_H */
