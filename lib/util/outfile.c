/*
 * outfile.c - open a file the user named for kensa to write (-o, --iocs)
 * without letting another user point the write elsewhere.
 *
 * kensa often runs as root with its output in a shared folder (/tmp).  A
 * symlink planted at the name would send root's write (and truncation) to
 * any file, and a hard link or a file another user made in advance would
 * let them read or alter the report.  So the name is opened without
 * following a symlink and without truncating, checked with fstat, and only
 * then truncated.  Character devices and FIFOs (/dev/null, a pipe) are
 * fine; /dev/stdout and /dev/stderr mean the process's own streams.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kensa/kensa.h"

int kensa_output_open(const char *path, char *why, size_t whycap)
{
    struct stat st;
    if(!strcmp(path, "-") || !strcmp(path, "/dev/stdout"))
        return fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
    if(!strcmp(path, "/dev/stderr"))
        return fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY |
                  O_NONBLOCK | O_CLOEXEC, 0644);
    if(fd < 0) {
        snprintf(why, whycap, "%s", errno == ELOOP ?
                 "it is a symbolic link; refused" : strerror(errno));
        return -1;
    }
    if(fstat(fd, &st)) {
        snprintf(why, whycap, "%s", strerror(errno));
        goto fail;
    }
    if(S_ISREG(st.st_mode)) {
        if(st.st_nlink != 1) {
            snprintf(why, whycap, "it has %lu hard links; refused",
                     (unsigned long)st.st_nlink);
            goto fail;
        }
        if(st.st_uid != geteuid()) {
            snprintf(why, whycap, "it belongs to another user (uid %u); "
                     "refused", (unsigned)st.st_uid);
            goto fail;
        }
        if(ftruncate(fd, 0)) {
            snprintf(why, whycap, "%s", strerror(errno));
            goto fail;
        }
    } else if(!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        snprintf(why, whycap, "not a regular file; refused");
        goto fail;
    }
    /* back to blocking writes */
    int fl = fcntl(fd, F_GETFL);
    if(fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
fail:
    close(fd);
    return -1;
}
