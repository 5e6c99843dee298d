/*
 * readcap.c - a small named file, read whole under a cap (readcap.h).
 * Opened once by name, then only through its descriptor: what fstat
 * checked is what is read.
 */
#define _GNU_SOURCE
#include "readcap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int readcap(const char *path, size_t max, char **out_buf, size_t *out_len,
            char *why, size_t whycap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    char *buf = NULL;
    size_t len = 0;
    int rc = -1;

    if(fd < 0) {
        snprintf(why, whycap, "%s", strerror(errno));
        return -1;
    }
    if(fstat(fd, &st) || S_ISDIR(st.st_mode)) {
        snprintf(why, whycap, "%s", S_ISDIR(st.st_mode) ? "a folder" :
                 strerror(errno));
        goto out;
    }
    if(S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max)
        goto too_large;
    /* one byte more than allowed: a pipe that goes on is refused too */
    if(!(buf = malloc(max + 2))) {
        snprintf(why, whycap, "out of memory");
        goto out;
    }
    while(len <= max) {
        ssize_t r = read(fd, buf + len, max + 1 - len);
        if(r < 0 && errno == EINTR)
            continue;
        if(r < 0) {
            snprintf(why, whycap, "%s", strerror(errno));
            goto out;
        }
        if(!r)
            break;
        len += (size_t)r;
    }
    if(len > max)
        goto too_large;
    buf[len] = 0;
    *out_buf = buf;
    *out_len = len;
    buf = NULL;
    rc = 0;
    goto out;
too_large:
    snprintf(why, whycap, "larger than %zu bytes", max);
out:
    free(buf);
    close(fd);
    return rc;
}
