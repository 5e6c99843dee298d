/*
 * walk.h - a parallel file-system walker that opens what it listed.
 *
 * Worker threads share one stack of folders (and files, while it is
 * short).  Every entry is opened relative to the descriptor of the folder
 * it was listed in, with O_NOFOLLOW (unless symlinks are followed), and its
 * (device, inode) is compared with what the listing saw: a file or folder
 * swapped for a symlink or another file after it was listed is skipped
 * with a warning, never followed.  Special files are never opened.  Only
 * the roots are opened by path (and followed if they are symlinks, as
 * find -H does); beneath a system root (walk_opts.root_path) they, and
 * followed links, are opened inside it instead.  Errors on a path become
 * warnings and the walk goes on.
 *
 * Folders are taken last-in first-out, so the descriptors held open for
 * pending entries stay bounded by the depth of the tree, not its width.
 */
#ifndef KENSA_WALK_WALK_H
#define KENSA_WALK_WALK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "intel/messages.h"
#include "kensa/kensa.h"

struct walk_opts {
    unsigned threads;            /* >= 1 */
    bool follow_symlinks;
    bool one_file_system;
    bool scan_pseudo_fs;         /* walk into /proc, /sys, /dev */
    const char *const *excludes; /* fnmatch globs on the path or its name */
    size_t n_excludes;
    const atomic_int *stop;      /* non-zero: take no more jobs (or NULL) */
    /* A system root (kensa --root, core/sysroot.h): when root_path is
     * set, every root path is beneath it, and roots, and entries reached
     * through a followed symbolic link, are opened with sysroot_open() on
     * root_fd, so that links resolve inside that folder.  NULL: none. */
    const char *root_path;
    int root_fd;
};

/*
 * Called from worker threads, concurrently: must be thread-safe.  `fd` is
 * the open regular file (read-only, non-blocking), owned by the walker and
 * closed after the call; `st` its fstat.
 */
typedef void (*walk_file_fn)(void *ud, const char *path, int fd,
                             const struct stat *st);
/* errnum 0 with KENSA_ECHANGED semantics is passed as -1: the entry was
 * replaced after it was listed.  `what` is a message id (KMSG_WALK_*)
 * whose {s} stands for errnum. */
typedef void (*walk_warn_fn)(void *ud, const char *path, int errnum,
                             enum kmsg what);

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

/*
 * True if the open folder `dfd` (fstat in `st`) is one of kensa's backup
 * folders: it holds a regular "kensa-manifest.tsv", and both are owned by
 * root or the effective user and writable by neither group nor others, so
 * no other user can have made it.  Names alone never hide anything.
 */
bool walk_is_backup_folder(int dfd, const struct stat *st);

#define WALK_CHANGED (-1)

#endif
