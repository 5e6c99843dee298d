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
 * warnings and the walk goes on; an entry that is gone when it is opened
 * (deleted between listing and opening: a busy host) is not an error and
 * is passed as WALK_VANISHED.
 *
 * Network and FUSE file systems (nfs, cifs, sshfs, ...) are not entered
 * beneath a root unless their type is in walk_opts.include_fs: the type
 * is read with fstatfs() on each folder as it is opened, and the pruned
 * folder is handed to walk_opts.on_prune (a root given by the user is
 * walked whatever its type: it was asked for by name).
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
    /* fnmatch globs (see walk_excluded): an entry that matches is neither
     * scanned nor, for a folder, entered.  Borrowed. */
    const char *const *excludes;
    size_t n_excludes;
    /* Network/FUSE file-system types to walk into anyway ("nfs4",
     * "fuse.sshfs", "fuse" for every FUSE type); borrowed.  See
     * walk_netfs_type(). */
    const char *const *include_fs;
    size_t n_include_fs;
    /* Called once for each folder not entered because it is on a network
     * or FUSE file system (`type` as in walk_netfs_type).  May be NULL;
     * called from workers, concurrently: must be thread-safe. */
    void (*on_prune)(void *ud, const char *path, const char *type);
    /* Called (from any walker thread) for each entry an exclude glob
     * matched; NULL: not told. */
    void (*on_exclude)(void *ud);
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
/* errnum 0 with KENSA_ECHANGED semantics is passed as WALK_CHANGED (-1):
 * the entry was replaced after it was listed; WALK_VANISHED (-2): it was
 * listed and is gone (ENOENT when opened or stat'ed: not an error, the
 * callback counts it).  `what` is a message id (KMSG_WALK_*) whose {s}
 * stands for errnum. */
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

/*
 * True if the entry at `path` (a folder when is_dir) matches one of the
 * exclude globs.  A glob is matched with fnmatch(3) without flags, so
 * '*' and '?' also match '/', against both the whole path as the walk
 * spells it (the root as given, then "/" and names: "/srv/www/x.log")
 * and the entry's last component alone ("x.log").  A glob ending in '/'
 * matches folders only, with the slash dropped ("cache/" prunes every
 * folder named cache, "/var/cache/" that one folder).
 */
bool walk_excluded(const struct walk_opts *o, const char *path, bool is_dir);

/*
 * The file-system type of the open file `fd` when it is a network or
 * FUSE file system that a walk skips by default ("nfs", "cifs", "smb3",
 * "fuse.sshfs", ...), else NULL.  FUSE types are read from
 * /proc/self/mountinfo (statfs says only "fuse"), once per mount.
 */
const char *walk_netfs_type(int fd);

/* True if `type` (from walk_netfs_type) is asked for in include_fs: the
 * exact name, or "fuse" for any FUSE type, or the type without "fuse."
 * ("sshfs" for "fuse.sshfs"). */
bool walk_fs_included(const struct walk_opts *o, const char *type);

/*
 * True if the open folder `dfd` (fstat in `st`) is one of kensa's backup
 * folders: it holds a regular "kensa-manifest.tsv", and both are owned by
 * root or the effective user and writable by neither group nor others, so
 * no other user can have made it.  Names alone never hide anything.
 */
bool walk_is_backup_folder(int dfd, const struct stat *st);

/*
 * Remember the FUSE mounts' types from /proc/self/mountinfo, for
 * walk_netfs_type() once the process is confined and /proc may be out of
 * reach.  Call before confinement (kensa_scanner_new does); again to
 * refresh.  Out of memory, fewer are remembered (their type reads "fuse").
 */
void walk_mounts_snapshot(void);

#define WALK_GLOB_MAX 4096   /* longer exclude globs never match */

#define WALK_CHANGED (-1)
#define WALK_VANISHED (-2)

#endif
