/*
 * safedir.c - open a folder kensa will write into without letting another
 * user choose where the writes land (safedir.h).
 *
 * Root's kensa is often pointed at a folder under /tmp or a user's home.
 * If any component of that path is a symbolic link, or the folder itself
 * is writable by someone else, that user can redirect or pre-seed what
 * root writes.  So the path is walked one component at a time with
 * O_NOFOLLOW, and the folder reached must be root's or ours and writable
 * by nobody else; everything after is done relative to its descriptor.
 * Intermediate folders owned by others are allowed: with no link
 * followed, renaming them cannot move the descriptor we hold.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kensa/kensa.h"
#include "util/safedir.h"

int safedir_walk(const char *path, enum safedir_mk mk)
{
    char comp[NAME_MAX + 1];
    const char *p = path;
    int fd = open(*p == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    while(fd >= 0) {
        while(*p == '/')
            p++;
        if(!*p)
            return fd;
        size_t n = strcspn(p, "/");
        if(n > NAME_MAX) {
            close(fd);
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(comp, p, n);
        comp[n] = 0;
        p += n;
        bool last = !p[strspn(p, "/")];
        int nfd = openat(fd, comp,
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if(nfd < 0 && errno == ENOENT &&
           (mk == SAFEDIR_MK_ALL || (mk == SAFEDIR_MK_LAST && last))) {
            if(!mkdirat(fd, comp, 0700) || errno == EEXIST)
                nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                             O_CLOEXEC);
        }
        int e = errno;
        close(fd);
        errno = e;
        fd = nfd;
    }
    return -1;
}

bool safedir_owned_safe(const struct stat *st)
{
    return (st->st_uid == 0 || st->st_uid == geteuid()) &&
           !(st->st_mode & (S_IWGRP | S_IWOTH));
}

int kensa_dir_open(const char *path, bool create, char *why, size_t whycap)
{
    struct stat st;
    int fd = safedir_walk(path, create ? SAFEDIR_MK_LAST : SAFEDIR_MK_NONE);
    if(fd < 0) {
        snprintf(why, whycap, "%s%s", strerror(errno),
                 errno == ELOOP || errno == ENOTDIR ?
                 " (a symbolic link or a file is in the way; refused)" : "");
        return -1;
    }
    if(fstat(fd, &st) || !safedir_owned_safe(&st)) {
        snprintf(why, whycap, "the folder must belong to root (or you) and "
                 "be writable by nobody else; refused");
        close(fd);
        return -1;
    }
    return fd;
}
