/*
 * engine.h - the engine's internal model: scan contexts, objects, members,
 * and the registries that formats and detectors plug into.
 *
 * The data flows one way: the walker hands a file to scanner.c, which maps
 * it and makes the root object; object_scan() asks every format's probe
 * what it is, lets every detector look at it, then lets the format that
 * claimed it walk its members,
 * each member becoming a child object scanned the same way.  Detectors
 * report findings through ctx_report(); formats and detectors report
 * trouble through ctx_warn().  Nothing here prints.
 *
 * Ownership: an object's data is borrowed from its parent (or the mapping
 * of the file); a child's buffer is owned by the format that made it and
 * freed after object_scan_child() returns.  Paths are heap strings owned
 * by their object.
 */
#ifndef KENSA_CORE_ENGINE_H
#define KENSA_CORE_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "core/finding.h"
#include "intel/messages.h"
#include "kensa/kensa.h"
#include "util/buf.h"

struct kensa_scanner {
    struct kensa_options opts;
    kensa_finding_cb on_finding;
    kensa_warning_cb on_warning;
    kensa_progress_cb on_progress;
    void *ud;
    pthread_mutex_t lock;          /* callbacks and stats */
    struct kensa_stats stats;
    /* digests of nested archives already scanned without a finding or a
     * warning, so a library repeated in many wars is scanned once */
    pthread_mutex_t clean_lock;
    uint8_t (*clean)[32];
    size_t n_clean, cap_clean;
    atomic_int cancelled;          /* kensa_scanner_cancel: stop soon */
    void **det_state;              /* init's state, by registry index */
    struct tstate *tstates;        /* per-thread states (object.c) */
    pthread_mutex_t tlock;
    bool finished;                 /* on_scan_end ran */
    bool want_whole;               /* an enabled detector is `whole` */
    struct kctxattr *root_attrs;   /* every root object's context: the
                                      candidate passwords, then with
                                      --root the system's (sysroot.h)
                                      (owned array) */
    struct sysroot *sys;           /* the system scanned (sysroot.h) */
    struct { char *path, *type; } pruned[KENSA_PRUNED_MAX];
    size_t n_pruned;               /* network mounts not entered (lock) */
    uint64_t limit_hits[KMSG_COUNT]; /* KENSA_ELIMIT warnings by message
                                        (lock) */
};

/* One top-level file's scan: budgets and the file's identity. */
struct kctx {
    struct kensa_scanner *s;
    const char *file_path;
    uint64_t file_dev, file_ino;   /* what was opened (0 for stdin) */
    const struct stat *file_st;    /* fstat of it when opened, for the
                                      findings' file.* (NULL: stdin) */
    int file_fd;                   /* open on it while scanned, for the
                                      birth time (statx once, at the first
                                      finding); -1: none */
    int btime_state;               /* 0 not asked, 1 known, -1 unknown */
    struct timespec btime;
    struct kobj *root;             /* the file's object (NULL: a stream) */
    uint64_t scanned_bytes;        /* decompressed so far */
    uint32_t entries;              /* members looked at so far */
    struct timespec start;
    bool limit_reported;
    uint64_t events;               /* findings and warnings so far */
    uint64_t mem_held;             /* inflated members held in memory */
    /* findings so far and the most severe one (severity + 1, 0: none):
     * a mail's verdict is the worst of its attachments' (formats/mail.c
     * saves, resets and folds these around each mail) */
    uint64_t findings;
    int worst_sev;
    enum kensa_verdict worst_verdict;
    /* A probe: a detector scans an object only to learn what the others
     * say of it (persist judging the program an entry launches).  While
     * set, ctx_report() counts a finding (findings, worst_sev) and keeps
     * the first one's rule in probe_rule instead of reporting it; the
     * detector saves and restores these around its probe. */
    bool probe;
    char probe_rule[128];
};

/*
 * Object context: (key, value) strings an object passes down to all it
 * holds - candidate passwords ("password"), the password that opened an
 * encrypted archive ("opened_with"), later the mail an attachment came
 * from.  A singly linked list; a child starts with its parent's list and
 * may put nodes of its own in front (never changing the parent's nodes).
 * Each node and its strings belong to whoever added it and must outlive
 * the objects that see it: the scanner's (the root's list, from
 * kensa_options.passwords) live as long as the scanner, a format's live
 * on its stack during its walk.
 */
struct kctxattr {
    const char *key;
    const char *value;
    const struct kctxattr *next;
    /* Optional: what every finding on an object under this node carries
     * too.  ctx_report() appends `finding` (a typed attribute, usually
     * with the node's key) to the finding's attributes unless the
     * finding already has that key, and `finding_ev` (a catalog message)
     * to its evidence - on its stack, bounded by CTX_FINDING_MAX: a
     * running process's pid, user and command line reach every
     * detector's findings on the files it holds (core/procs.c) without
     * any detector knowing about processes.  NULL: context only. */
    const struct kensa_attr *finding;
    const struct kensa_msg *finding_ev;
    /* Optional, for a "password": where it was found - "" the text of
     * the mail holding the archive, else the other mail of its thread
     * (its Message-ID or place in the mailbox); NULL the command line.
     * The encrypted-zip walk names it in its evidence. */
    const char *origin;
};

/* At most this many context attributes (and as many evidence messages)
 * are appended to one finding; the rest are dropped. */
#define CTX_FINDING_MAX 24

struct kobj {
    struct kctx *ctx;
    struct kobj *parent;
    const uint8_t *data;
    size_t len;
    char *path;          /* whole chain, owned */
    const char *name;    /* last component (points into path) */
    unsigned depth;      /* 0 for the file on disk */
    const struct format *format; /* the format its bytes are (the best
                            probe), NULL for plain data */
    bool maybe_text;     /* claimed by a trailer only (PROBE_TAIL: a zip
                            end record after other bytes): detectors of
                            text read it too */
    const char *disk_path; /* set for objects that are files on disk */
    bool mapped;         /* data is a read-only file mapping */
    unsigned digested;   /* KDIGEST_* bits computed (digest.c) */
    char digest_hex[3][65]; /* by enum kdigest, once computed */
    const struct kctxattr *attrs; /* context inherited (and own), or NULL */
};

/* ---- the digest service (digest.c) ------------------------------------- */

enum kdigest { KDIGEST_MD5 = 0, KDIGEST_SHA1 = 1, KDIGEST_SHA256 = 2,
               KDIGEST_COUNT = 3 };

/*
 * Compute the digests in `want` (bits 1 << KDIGEST_*) of obj's bytes that
 * are not computed yet, in one pass, and keep them in obj.  False when obj
 * has no bytes to hash (a streamed member) or hashing failed.
 */
bool kobj_digests(struct kobj *obj, unsigned want);

/* Lowercase hex of one digest (computed on first use), or NULL. */
const char *kobj_digest_hex(struct kobj *obj, enum kdigest a);

/* The first value of `key` in o's context (the nearest), or NULL. */
const char *kobj_attr(const struct kobj *o, const char *key);
/*
 * Every value of `key`, nearest first: start with prev NULL, pass the
 * node returned to get the next; NULL at the end.
 *     for(const struct kctxattr *a = kobj_attr_next(o, NULL, "password");
 *         a; a = kobj_attr_next(o, a, "password")) use(a->value);
 */
const struct kctxattr *kobj_attr_next(const struct kobj *o,
                                      const struct kctxattr *prev,
                                      const char *key);
/* How many values `key` has in o's context. */
size_t kobj_attr_count(const struct kobj *o, const char *key);

/*
 * The system scanned.  In a --root scan (kensa_options.root) every root
 * object's context also holds, after the passwords, what the root says
 * of the system it stands for: "system.root" (the root folder on this
 * host), "os.type" ("linux", "macos", "windows"), "os.platform"
 * (os-release ID: "debian"), "os.name", "os.version" - each only when
 * known, and none at all when scanning the running host.  Values are
 * bytes read from the image: a detector may compare them, never trust
 * them.
 *
 * kobj_system_path(o) is o's path as the scanned system names it: the
 * host path with the root folder taken off ("/mnt/img/opt/app/x.jar!/a"
 * -> "/opt/app/x.jar!/a"), the whole path when the scan has no root (or
 * the object is not beneath it: standard input).  A pointer into
 * o->path (or a static "/"), valid as long as o.
 */
const char *kobj_system_path(const struct kobj *o);

/*
 * A read-only, directory-like view of a container's members, given to
 * detectors that need to look at several members together (a jar's
 * pom.properties with its classes).  read() returns a new buffer owned by
 * `out` (a buf the caller initialised with its cap) or an error.
 */
struct kmembers {
    size_t count;
    const char *(*name)(const struct kmembers *m, size_t i, size_t *len);
    uint64_t (*size)(const struct kmembers *m, size_t i);
    enum kensa_err (*read)(const struct kmembers *m, size_t i,
                           struct buf *out);
    void *impl;
    struct kobj *obj;    /* the container */
};

/* ---- scan context ------------------------------------------------------ */

/*
 * Report a warning on `path` (a chain): a message id of
 * lib/intel/messages.def and its arguments, all strings (format numbers
 * with kmsg_u64() first), at most KMSG_MAX_ARGS:
 *
 *     ctx_warn(c, obj->path, KENSA_ELIMIT, KMSG_ZIP_RATIO, e->name,
 *              kmsg_u64(nb, l->max_ratio));
 *
 * The compiler refuses an id that is not a KMSG_ constant (a printf-style
 * string from before the catalog) and an argument that is not a string.
 * A new message is one MSG() line in messages.def (docs/DESIGN.md,
 * "Messages").  The report renders it in the reader's language.
 */
#define ctx_warn(c, path, err, ...) \
    ctx_warn_msg((c), (path), (err), KMSG_ARGS(__VA_ARGS__))
void ctx_warn_msg(struct kctx *c, const char *path, enum kensa_err err,
                  const struct kmsg_args *m);

/* A warning about no object (a running process, core/procs.c): as
 * ctx_warn_msg, with the system error `sys` (0: none) for {s}. */
void scan_warn_sys(struct kensa_scanner *s, const char *path,
                   enum kensa_err err, int sys, const struct kmsg_args *m);

/*
 * Charge `bytes` of decompressed data to the file's budget.  Returns false
 * (and warns once) when max_scansize or max_scantime is exceeded.
 */
bool ctx_charge(struct kctx *c, const char *path, uint64_t bytes);

/* Count one more member; false (and a warning) past max_files. */
bool ctx_count_entry(struct kctx *c, const char *path);

/* Whether a member that starts no container must still be read whole and
 * scanned as an object (a `whole` detector is enabled), rather than
 * streamed.  Formats ask before streaming a member. */
static inline bool ctx_wants_whole(const struct kctx *c)
{
    return c->s->want_whole;
}

/* Hand a finding to the scanner's callback; fills file_path, hashes, and
 * appends the attributes and evidence of obj's context marked for
 * findings (kctxattr.finding, .finding_ev). */
void ctx_report(struct kobj *obj, struct kensa_finding *f);

/*
 * Scan the regular file open on `fd` (checked by the caller; `st` its
 * fstat) as a file named `path`, whose root object's context is `attrs`
 * (NULL: the scanner's own root context, kensa_scanner.root_attrs; a
 * caller that adds nodes puts them in front of that list).  Read or
 * mapped as the walker's files are; `fd` stays the caller's.
 */
void scan_file(struct kensa_scanner *s, const char *path, int fd,
               const struct stat *st, const struct kctxattr *attrs);

/*
 * Nested archives scanned clean: `digest` is the sha256 of a member's
 * stored bytes (with its method and size folded in).  clean_seen() tells
 * whether it was already scanned without a finding or warning;
 * clean_add() records one.  Thread-safe; the table is capped.
 */
bool clean_seen(struct kensa_scanner *s, const uint8_t digest[32]);
void clean_add(struct kensa_scanner *s, const uint8_t digest[32]);
/*
 * The key of nested member `name` of `parent`: `digest` (its content)
 * with the detectors' context of the member's path folded in.
 */
void clean_key_member(const struct kobj *parent, const char *name,
                      uint8_t digest[32]);
/*
 * A whole object (a top-level file): computes its key (sha256 of its
 * bytes, the detectors' context folded in) into `key` and tells whether
 * the same key was already scanned clean.  False with a zero key when it
 * cannot hash (clean_add() ignores a zero key).
 */
bool clean_seen_object(const struct kobj *obj, uint8_t key[32]);

/*
 * Members larger than SPILL_OVER are written to an unlinked temporary file
 * ($TMPDIR, else /tmp, else /var/tmp) and mapped, so a nested archive of
 * any size costs disk, not resident memory.  spill_fd() returns such a
 * file, or -1.
 */
#define SPILL_OVER (16u << 20)
#define MEM_HELD_MAX (32u << 20)   /* in-memory members per file, all levels */
int spill_fd(void);
/* The folders spill_fd() tries, in order, into out; returns how many.
 * kensa_confine() lets the process write there and nowhere else. */
#define SPILL_DIRS 2
size_t spill_dirs(const char *out[SPILL_DIRS]);

/* ---- objects ----------------------------------------------------------- */

/* Type `obj`, run the detectors on it and walk it if it is a container. */
void object_scan(struct kobj *obj);

/*
 * Scan `data` as member `name` of `parent`.  Refuses (with a warning)
 * beyond max_recursion, or when the child repeats an ancestor's bytes
 * (self-including archives).  `data` stays owned by the caller.
 */
void object_scan_child(struct kobj *parent, const char *name,
                       const uint8_t *data, size_t len);

/* The same for data that is a read-only file mapping (spilled members). */
void object_scan_child_mapped(struct kobj *parent, const char *name,
                              const uint8_t *data, size_t len);

/* ---- registries -------------------------------------------------------- */

/*
 * A format: one file in lib/formats/ defining `const struct format
 * format_NAME`, and one line FORMAT(NAME) in formats/registry.def.  The
 * registry is the only list of what an object can be: nothing outside the
 * format knows its magic.
 *
 * probe(p, n) says how sure the format is that p[0..n) (the whole object)
 * is its own: PROBE_NO, PROBE_TAIL for a structure found away from the
 * start (a zip end record after a launcher script), PROBE_HEAD for a
 * signature at offset 0.  A signature is believed only when the structure
 * around it holds (a tar header's checksum, a zip end record that
 * describes a central directory): logs hold planted signatures.  Probes
 * run on every object, in registry order; the first PROBE_HEAD ends the
 * search, otherwise the highest answer wins and ties go to the earlier
 * line.  A probe that must search (zip's tail) belongs late.
 *
 * container_head(p, n) (may be NULL) says whether the first bytes of a
 * member, as few as 8 of them (a zip peek), start something this format
 * would open: such members are read whole and scanned as objects, the
 * rest are streamed to the detectors.
 */
#define PROBE_NO 0
#define PROBE_TAIL 1
#define PROBE_HEAD 2   /* the highest answer */

struct format {
    const char *name;
    int (*probe)(const uint8_t *p, size_t n);
    bool (*container_head)(const uint8_t *p, size_t n);
    /* Walk the members (object_scan_child() each; a format with none
     * returns true at once).  Returns false when the object turned out not
     * to be this format at all (its magic lied): object_scan then offers
     * its bytes to the detectors as plain data, so a log that happens to
     * hold a zip signature is still read as a log. */
    bool (*walk)(struct kobj *obj);
};

/*
 * A detector: one file in lib/detect/ defining `const struct detector
 * detector_NAME`, and one line DETECTOR(NAME) in detect/registry.def.
 * `bit` is its KENSA_DETECT_* bit, or 0 for a detector without one: it
 * then runs under KENSA_DETECT_OTHER (part of KENSA_DETECT_ALL, off when a
 * front end selects named detectors, as `kensa log4j` does).
 */
struct detector {
    const char *name;
    uint32_t bit;                        /* KENSA_DETECT_*, or 0 */
    void (*on_object)(struct kobj *obj); /* every object; may be NULL */
    void (*on_members)(const struct kmembers *m); /* containers; may be NULL */
    /*
     * Streams: a member too large to hold (a decompressed log) is offered
     * chunk by chunk.  stream_begin returns the detector's state, or NULL
     * when it does not want this object (obj->data is NULL then).
     */
    void *(*stream_begin)(struct kobj *obj);
    /*
     * true: on_object wants every object whole, members that would be
     * streamed included (YARA over files): while such a detector is
     * enabled, formats read every member whole (in memory, or spilled to
     * a temporary file past the memory limits, within --max-scansize)
     * and scan it as an object.  Stream detectors still see it, through
     * on_object.
     */
    bool whole;
    void (*stream_data)(void *st, const uint8_t *p, size_t n);
    void (*stream_end)(void *st);
    /*
     * Optional: a value standing for every decision the detector makes
     * from `obj`'s path (not its bytes) about obj and all it holds (a log
     * folder, a file name).  The clean cache keys content with it, so
     * content found clean in one place is scanned again where this
     * detector would decide otherwise.  NULL: bytes decide alone.
     */
    uint32_t (*context)(const struct kobj *obj);

    /*
     * Lifecycle, every hook optional:
     *  - init: once per scanner, with its options, before any object;
     *    returns the detector's state (NULL is a fine state) or sets *err
     *    (the scanner is then not created).  fini releases it.
     *  - thread_init/thread_fini: per-thread scratch made on a worker's
     *    first use (detector_thread_state), freed with the scanner.
     *  - on_end: after every member of obj was scanned (post-order), so a
     *    container's verdict can depend on what its members gave.
     *  - on_scan_end: once, from kensa_scanner_finish(), after every
     *    object: host-wide correlation; findings go through scan_report().
     * A detector reaches its states with detector_state() and
     * detector_thread_state().
     */
    void *(*init)(const struct kensa_options *o, enum kensa_err *err);
    void (*fini)(void *state);
    void *(*thread_init)(void *state);
    void (*thread_fini)(void *tstate);
    void (*on_end)(struct kobj *obj);
    void (*on_scan_end)(struct kensa_scanner *s, void *state);
    /*
     * Optional: whether the file at `path` (the scanned system's path,
     * sysroot_system_path) must be scanned whatever its size: a path
     * indicator names it.  The scanner then ignores --max-filesize for
     * it and scans it even when empty (issue 12: a name/path IoC hit
     * forces a content scan).
     */
    bool (*path_hit)(struct kensa_scanner *s, void *state, const char *path);
};

#define FORMAT(n) extern const struct format format_##n;
#include "formats/registry.def"
#undef FORMAT
#define DETECTOR(n) extern const struct detector detector_##n;
#include "detect/registry.def"
#undef DETECTOR

/*
 * The format that claims p[0..n) by the rule above, or NULL; its answer
 * goes to *confidence when not NULL.
 */
const struct format *formats_probe(const uint8_t *p, size_t n,
                                   int *confidence);
/* True when some format's container_head() says so. */
bool formats_container_head(const uint8_t *p, size_t n);

/* Fold every enabled detector's context(obj) into a content digest. */
void detectors_context(const struct kobj *obj, uint8_t digest[32]);

/* Run every enabled detector's init (KENSA_OK, or the first error after
 * undoing the others), and fini with the thread states at the end. */
enum kensa_err detectors_init(struct kensa_scanner *s);
void detectors_fini(struct kensa_scanner *s);

/* The state init returned for detector d, and d's state for the calling
 * thread (made by thread_init on first use; NULL on failure). */
void *detector_state(const struct kensa_scanner *s, const struct detector *d);
void *detector_thread_state(struct kensa_scanner *s, const struct detector *d);

/* Whether an enabled detector's path_hit() claims the file at host
 * path `path`. */
bool detectors_path_hit(struct kensa_scanner *s, const char *path);

/* Every enabled detector's on_scan_end, once. */
void detectors_scan_end(struct kensa_scanner *s);

/* A finding about the scan as a whole (no object): from on_scan_end. */
void scan_report(struct kensa_scanner *s, struct kensa_finding *f);

/* Give every enabled detector the members of a container. */
void detectors_on_members(const struct kmembers *m);

/*
 * A member offered as a stream: detectors_stream_begin() makes the child
 * object (path parent!/name) and asks each detector; it returns NULL when
 * none wants it.  Feed with detectors_stream_data(), finish with
 * detectors_stream_end() (which frees the handle).
 */
struct kstream;
struct kstream *detectors_stream_begin(struct kobj *parent, const char *name);
/* The same for the file itself (stdin read as a stream): path `name`,
 * depth 0, no parent. */
struct kstream *detectors_stream_begin_root(struct kctx *c, const char *name);
void detectors_stream_data(struct kstream *ks, const uint8_t *p, size_t n);
void detectors_stream_end(struct kstream *ks);

#endif
