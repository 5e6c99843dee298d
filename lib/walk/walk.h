/*
 * walk.h - a parallel file-system walker.
 *
 * Worker threads share one queue of folders (and files, while the queue is
 * short).  Symlinks are not followed unless asked, and then loops are cut
 * by remembering (device, inode) pairs.  Special files are never handed
 * out.  Errors on a path become warnings and the walk goes on.
 */
#ifndef KENSA_WALK_WALK_H
#define KENSA_WALK_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "kensa/kensa.h"

struct walk_opts {
    unsigned threads;            /* >= 1 */
    bool follow_symlinks;
    bool one_file_system;
    bool scan_pseudo_fs;         /* walk into /proc, /sys, /dev */
    const char *const *excludes; /* fnmatch globs on the path or its name */
    size_t n_excludes;
};

/* Called from worker threads, concurrently: must be thread-safe. */
typedef void (*walk_file_fn)(void *ud, const char *path, const struct stat *st);
typedef void (*walk_warn_fn)(void *ud, const char *path, int errnum,
                             const char *what);

/*
 * Walk `roots`; call on_file for each regular file.  A root that does not
 * exist gets a warning and makes the call return KENSA_ENOENT after the
 * others are walked.  KENSA_ENOMEM if the queue could not be allocated.
 */
enum kensa_err walk_run(const struct walk_opts *o, const char *const *roots,
                        size_t n, walk_file_fn on_file, walk_warn_fn on_warn,
                        void *ud);

/* True if `path` (or its last component) matches one of the globs. */
bool walk_excluded(const struct walk_opts *o, const char *path);

#endif
