/*
 * path.h - paths resolved on the string alone: "." and ".." taken out
 * without looking at the disk, so no symbolic link is ever followed.
 * Used by the reports (absolute file.path), the system roots (a path
 * inside an image made a host path) and anything else that must name a
 * file without touching it.  No project dependencies.
 */
#ifndef KENSA_UTIL_PATH_H
#define KENSA_UTIL_PATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Append the components of p[0..n) to out[0..*len), each after a '/',
 * skipping empty ones and ".", a ".." removing the last component but
 * never a byte below `floor`.  With `relative` (out holds a relative
 * path), no '/' goes in front of the first component, and a ".." that
 * would climb out of it is kept as a component.  out must have room for
 * *len + n + 2 bytes; it is not terminated.
 */
void path_append_lexical(char *out, size_t *len, size_t floor,
                         const char *p, size_t n, bool relative);

#endif
