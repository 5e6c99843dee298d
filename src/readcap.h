/*
 * readcap.h - read a small file the user named (a password list, an
 * exclude list) whole, with a hard cap, before the scan starts.
 */
#ifndef KENSA_SRC_READCAP_H
#define KENSA_SRC_READCAP_H

#include <stddef.h>

/*
 * Read all of `path` (a regular file or a pipe; a folder is refused) into
 * a new buffer of at most `max` bytes plus a terminating NUL, *out_buf
 * (owned by the caller, free()) and its length *out_len.  A file larger
 * than `max`, or a pipe that goes on past it, is refused whole, never cut
 * short.  0, or -1 with `why` set ("a folder", "larger than N bytes",
 * "out of memory", or the system's reason) and nothing to free.
 */
int readcap(const char *path, size_t max, char **out_buf, size_t *out_len,
            char *why, size_t whycap);

#endif
