/*
 * sysroot.h - a scan root that stands for another system (kensa --root
 * DIR): the root file system of another machine, mounted or extracted.
 *
 * DIR is opened once, as a folder descriptor.  Every file read beneath
 * it is opened with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so
 * an absolute symbolic link of the image (etc/os-release ->
 * /usr/lib/os-release) resolves inside the image and "../.." stops at
 * its top; on kernels without openat2 no symbolic link is followed at
 * all (O_NOFOLLOW on every component).  The system is identified from a
 * few small regular files (at most SYSROOT_FILE_MAX bytes each), parsed
 * with bounded readers; what they say is kept as bytes, cut to the
 * fields' sizes, and escaped by whoever prints it.
 *
 * Without a root, a sysroot describes the running host (uname,
 * /etc/os-release, gethostname), so that reports can always name it.
 *
 * Internal to the engine; the public view is struct kensa_system.
 */
#ifndef KENSA_CORE_SYSROOT_H
#define KENSA_CORE_SYSROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "kensa/kensa.h"

#define SYSROOT_FILE_MAX (64u * 1024)   /* an identity file, at most */
#define SYSROOT_PATH_MAX 4096           /* a path made beneath the root */

/* Sizes of the fields, terminating NUL included. */
#define SYSROOT_ID_MAX 64       /* os-release ID, VERSION_ID */
#define SYSROOT_NAME_MAX 128    /* NAME, ProductName */
#define SYSROOT_FULL_MAX 256    /* PRETTY_NAME */
#define SYSROOT_HOST_MAX 256    /* etc/hostname, gethostname */

struct sysroot {
    int fd;                 /* the root folder; -1 for the running host */
    char *path;             /* DIR without trailing slashes ("/" stays) */
    size_t path_len;
    struct kensa_system pub; /* points into the fields below */
    char type[16];
    char platform[SYSROOT_ID_MAX];
    char name[SYSROOT_NAME_MAX];
    char version[SYSROOT_ID_MAX];
    char full[SYSROOT_FULL_MAX];
    char hostname[SYSROOT_HOST_MAX];
    char machine_id[33];    /* etc/machine-id, 32 hex digits, or "" */
};

/*
 * Open `dir` as a system root and identify the system it holds, or, for
 * `dir` NULL, describe the running host.  *out gets a new sysroot owned
 * by the caller (free with sysroot_free).  KENSA_ENOENT when dir does not
 * exist, KENSA_EINVAL when it is not a folder, KENSA_EIO, KENSA_ENOMEM.
 * A system that cannot be identified is not an error: pub.os_type is
 * then NULL.
 */
enum kensa_err sysroot_new(const char *dir, struct sysroot **out);

/*
 * The machine id in etc/machine-id text p[0..n) (machine-id(5): 32
 * lowercase hex digits and a newline) into out[33], lowercased; false
 * (out "") for anything else: empty, "uninitialized", another length,
 * other characters, or all zeros.  Never reads past p + n.
 */
bool machine_id_parse(const char *p, size_t n, char out[33]);

/* Release a sysroot; NULL is a no-op. */
void sysroot_free(struct sysroot *sr);

/*
 * Open `rel` (a path relative to the root folder `rootfd`; leading
 * slashes are ignored) with open(2) `flags`, strictly inside the root:
 * openat2() with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, or where the
 * kernel has no openat2 (ENOSYS), sysroot_open_nofollow().  Returns the
 * descriptor or -1 with errno set.
 */
int sysroot_open(int rootfd, const char *rel, int flags);

/*
 * `rel` beneath rootfd opened for reading (O_RDONLY | O_NONBLOCK |
 * O_NOCTTY | O_CLOEXEC) only when it is a regular file, and (ino != 0)
 * only when its inode is `ino`: it is opened O_PATH and stat'ed first,
 * then reopened through /proc/self/fd (the same inode), so a device node
 * (opening some acts: a watchdog is armed, a tape rewinds) or a FIFO is
 * never opened.  -1 with errno (EINVAL: not a regular file or another
 * inode).  `*st` gets its stat when st is not NULL.
 */
int sysroot_open_regular(int rootfd, const char *rel, unsigned long ino,
                         struct stat *st);

/* The same for a descriptor pfd opened with sysroot_probe_flags(),
 * which it closes (or returns, when it was opened for reading). */
int sysroot_reopen_regular(int pfd, unsigned long ino, struct stat *st);

/*
 * The flags to open a file with before sysroot_reopen_regular: O_PATH
 * when /proc/self/fd can reopen it, else (no /proc: an empty chroot, a
 * bare container) O_RDONLY | O_NONBLOCK | O_NOCTTY, the file then checked
 * after its open as before there was a reopen.  O_CLOEXEC is the
 * caller's to add.
 */
int sysroot_probe_flags(void);

/*
 * The fallback: `rel` walked one component at a time, each opened with
 * O_NOFOLLOW relative to the last, so any symbolic link on the way (the
 * last component included, even with O_PATH) fails with ELOOP or
 * ENOTDIR; a ".." component fails with EXDEV.  At most
 * SYSROOT_PATH_MAX bytes (ENAMETOOLONG).
 */
int sysroot_open_nofollow(int rootfd, const char *rel, int flags);

/*
 * Read the regular file `rel` beneath `rootfd` (opened by sysroot_open,
 * non-blocking, so a FIFO cannot hang it) into out[0..cap), NUL
 * terminated; *out_len gets its length.  KENSA_ENOENT when missing,
 * KENSA_EUNSUPPORTED when not a regular file, KENSA_ELIMIT when larger
 * than cap - 1 bytes, KENSA_EIO.
 */
enum kensa_err sysroot_read(int rootfd, const char *rel, char *out,
                            size_t cap, size_t *out_len);

/* What os-release(5) says, each value cut to its field (NUL-terminated;
 * "" when absent). */
struct osrelease {
    char id[SYSROOT_ID_MAX];
    char version_id[SYSROOT_ID_MAX];
    char name[SYSROOT_NAME_MAX];
    char pretty_name[SYSROOT_FULL_MAX];
};

/*
 * Parse os-release text p[0..n) (any bytes: no terminating NUL needed):
 * KEY=VALUE lines, values unquoted, in "double" quotes (with \" \\ \$
 * \` escapes) or 'single' quotes; comments and other lines skipped; the
 * last assignment of a key wins.  A NUL byte ends a value; a value
 * longer than its field is cut (on a UTF-8 boundary).  Never reads past
 * p + n.
 */
void osrelease_parse(const char *p, size_t n, struct osrelease *out);

/*
 * The <string> value that follows <key>`key`</key> in the XML property
 * list p[0..n), with the five predefined entities decoded, cut to fit
 * out[0..cap) (cap > 0).  False (out "") when the key is missing, is not
 * followed by a <string>, or the text ends first.  A small bounded
 * reader for flat files such as SystemVersion.plist, not an XML parser:
 * nesting is ignored and comments are not recognised.
 */
bool plist_string(const char *p, size_t n, const char *key, char *out,
                  size_t cap);

/*
 * The context attributes a root object of a --root scan carries
 * (engine.h, struct kctxattr): "system.root", "os.type", "os.platform",
 * "os.name", "os.version", those that have a value, keys and values
 * pointing into `sr`.  Fills out[0..SYSROOT_ATTRS) (key and value; next
 * is left to the caller) and returns how many; 0 for the running host.
 */
#define SYSROOT_ATTRS 5
struct kctxattr;
size_t sysroot_attrs(const struct sysroot *sr, struct kctxattr *out);

/*
 * The host path of `path` as the imaged system names it ("/opt/app" or
 * "opt/app"): normalised without touching the disk ("." and empty
 * components dropped, ".." removing the one before but never going above
 * the root) and put beneath sr->path.  "" or "/" is the root itself.
 * Returns a new string owned by the caller, or NULL with errno ENOMEM or
 * ENAMETOOLONG (longer than SYSROOT_PATH_MAX).
 */
char *sysroot_host_path(const struct sysroot *sr, const char *path);

/*
 * `host` (a host path beneath the root, or a chain that starts with one)
 * as the imaged system sees it: a pointer into `host` past the root's
 * path ("/mnt/img/opt/x.jar" -> "/opt/x.jar"), the root itself being "/"
 * (a static string).  `host` itself when it is not beneath the root or
 * when sr is the running host or the root is "/".
 */
const char *sysroot_system_path(const struct sysroot *sr, const char *host);

#endif
