/*
 * safedir.h - folders kensa writes into (backups, --extract, rules
 * --export, quarantine) reached without following any symbolic link and
 * checked to be root's or ours alone, so a user who controls part of the
 * path cannot send root's writes elsewhere.  No project dependencies.
 */
#ifndef KENSA_UTIL_SAFEDIR_H
#define KENSA_UTIL_SAFEDIR_H

#include <stdbool.h>
#include <sys/stat.h>

/* What safedir_walk may create: nothing, the last component, or every
 * missing component (mode 0700 each). */
enum safedir_mk { SAFEDIR_MK_NONE, SAFEDIR_MK_LAST, SAFEDIR_MK_ALL };

/*
 * Open the folder `path` component by component from "/" (absolute) or
 * the working folder (relative), each with O_NOFOLLOW | O_DIRECTORY, so
 * no symbolic link anywhere in the path is followed.  Returns a
 * descriptor the caller closes, or -1 with errno set (ELOOP or ENOTDIR
 * when a symbolic link or a file is in the way; ENAMETOOLONG for a
 * component over NAME_MAX).  No ownership check: see safedir_owned_safe.
 */
int safedir_walk(const char *path, enum safedir_mk mk);

/* st belongs to root or the effective user and is writable by neither
 * group nor others. */
bool safedir_owned_safe(const struct stat *st);

#endif
