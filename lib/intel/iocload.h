/*
 * iocload.h - indicators of compromise: the normaliser, the readers of
 * the formats people keep them in, and the set the detectors look them
 * up in.
 *
 * Pure: no globals, no output.  Everything read is hostile (the user's
 * files as much as the embedded pack goes through here): values are
 * normalised and validated one by one (ioc_normalise), entries that fail
 * are counted as rejected and the first is named, and a line that is not
 * intel at all stops the load with its number.  Capped: IOC_FILE_MAX
 * bytes a file, IOC_VALUE_MAX bytes a value, IOC_ENTRIES_MAX entries a
 * set.  Look-ups are hashed (no linear search per object).
 */
#ifndef KENSA_INTEL_IOCLOAD_H
#define KENSA_INTEL_IOCLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/kensa.h"

#define IOC_FILE_MAX (64u << 20)
#define IOC_VALUE_MAX 2048u
#define IOC_LINE_MAX 16384u
#define IOC_ENTRIES_MAX 2000000u

enum ioc_type {
    IOC_BAD = -1,
    IOC_MD5 = 0, IOC_SHA1, IOC_SHA256,  /* lowercase hex */
    IOC_FILENAME,     /* a name, anywhere (lowercase) */
    IOC_FILEPATH,     /* a whole path (normalised, see below) */
    IOC_DIRPATH,      /* a folder and all beneath it ("/x/y/") */
    IOC_PATHGLOB,     /* fnmatch glob; last component literal */
    IOC_MASQUERADE,   /* NAME@DIR;DIR: the name outside those folders */
    IOC_DOMAIN,       /* lowercase, no trailing dot */
    IOC_IPV4,         /* dotted quad, port dropped */
    IOC_URL,          /* refanged; case kept (dead drops are ids) */
    IOC_NTYPES
};

/* "md5", "filepath"... or NULL. */
const char *ioc_type_name(enum ioc_type t);
/* The type a name stands for ("sha256", "SHA-256", "ip-dst",
 * "domain-name"...), or IOC_BAD. */
enum ioc_type ioc_type_parse(const char *s, size_t n);

/*
 * Normalise value p[0..n) of type t (IOC_BAD: infer it from the value)
 * into out (cap bytes, NUL-terminated): spaces at both ends and a
 * trailing CR cut, defanging undone (hxxp, [.], (.), [dot], [:]),
 * hashes lowercased and checked (length, hex, not a trivial file's),
 * an IPv4's :port dropped, domains lowercased, paths normalised: a
 * Windows drive letter dropped, '\' made '/', lowercased.  Returns the
 * type, or IOC_BAD with *why set to a catalog id (intel.reason.*).
 */
enum ioc_type ioc_normalise(enum ioc_type t, const char *p, size_t n,
                            char *out, size_t cap, const char **why);

/* Whether a normalised path came from a Windows path (matched as a
 * suffix at a folder boundary, so a mounted image or a triage copy
 * nested anywhere still matches): stored per entry. */
struct ioc {
    enum ioc_type type;
    bool win;               /* the value was a Windows path */
    const char *value;      /* normalised */
    const char *where;      /* masquerade: allowed folders, ';'-joined */
    const char *threat;     /* a threat id ("sysjoker", "user-ioc") */
    const char *source;     /* a URL, or "FILE:LINE" */
    uint32_t next;          /* same-key chain in the index, or UINT32_MAX */
};

struct ioc_set;

struct ioc_set *ioc_set_new(void);
void ioc_set_free(struct ioc_set *s);

/* What went wrong, or what was refused. */
struct ioc_report {
    size_t line;            /* the bad line (1-based), 0: none / file */
    const char *why;        /* catalog id of the reason */
    size_t loaded;          /* entries added */
    size_t rejected;        /* entries refused */
    size_t first_line;      /* the first refused entry's line */
    const char *first_why;  /* ...its reason (catalog id) */
    char first[160];        /* ...its value as read (cut) */
};

/*
 * Read p[0..n), named `origin` in sources, into s: a JSON document (a
 * STIX 2.1 bundle, a MISP event or a list/response of events) when it
 * starts with '{' or '[', else lines: TSV (type, value[, threat[,
 * source]]), CSV (the same, comma-separated, a header line allowed) or a
 * plain list of values (a hash list, sha256sum's output).  `threat` is
 * the threat of entries that name none.  KENSA_EFORMAT with r->line
 * when a line is not intel at all, KENSA_ELIMIT past the caps,
 * KENSA_ENOMEM.
 */
enum kensa_err ioc_parse(struct ioc_set *s, const char *p, size_t n,
                         const char *origin, const char *threat,
                         struct ioc_report *r);

/* The same for a file (opened O_NOFOLLOW-free: a user's own path), at
 * most IOC_FILE_MAX bytes; KENSA_EIO / KENSA_ENOENT when unreadable. */
enum kensa_err ioc_load_file(struct ioc_set *s, const char *path,
                             struct ioc_report *r);

/* Build the index; call once after the last parse, before look-ups. */
enum kensa_err ioc_set_index(struct ioc_set *s);

/* KDIGEST-style bits (1 << IOC_MD5 ...) of the hash types present. */
unsigned ioc_set_hashes(const struct ioc_set *s);
/* Entries of type t. */
size_t ioc_set_count(const struct ioc_set *s, enum ioc_type t);
/* Entry i (0 <= i < total), for walks (network IoCs to rules). */
size_t ioc_set_total(const struct ioc_set *s);
const struct ioc *ioc_set_at(const struct ioc_set *s, size_t i);

/* The entry of hash `hex` (lowercase) of type t, or NULL. */
const struct ioc *ioc_find_hash(const struct ioc_set *s, enum ioc_type t,
                                const char *hex);
/*
 * The name and path entries `path` (a system path, '/'-separated; any
 * case) matches, at most max into out; returns how many.  `whole`:
 * path is a file's own path (folders, whole paths, globs and
 * masquerades apply); false: a member's name only (file names).
 */
size_t ioc_match_path(const struct ioc_set *s, const char *path, bool whole,
                      const struct ioc **out, size_t max);

#endif
