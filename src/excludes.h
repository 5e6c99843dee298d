/*
 * excludes.h - the exclude globs of the command line (--exclude GLOB,
 * --exclude-from FILE), handed to the scanner as kensa_options.excludes.
 * How a glob matches is the walker's business (walk_excluded in
 * lib/walk/walk.h; kensa(1), EXCLUDES).
 */
#ifndef KENSA_SRC_EXCLUDES_H
#define KENSA_SRC_EXCLUDES_H

#include <stddef.h>

#define EXCLUDES_MAX_LINES 10000      /* globs read from one file */
#define EXCLUDES_MAX_BYTES (1u << 20) /* size of one file */
#define EXCLUDES_MAX_GLOB 4096        /* bytes in one glob (WALK_GLOB_MAX) */

struct globlist {
    char **v;        /* owned strings, in the order given */
    size_t n, cap;
};

/* Append a copy of `glob`.  0, or -1 when out of memory. */
int excludes_add(struct globlist *gl, const char *glob);

/*
 * Append the globs of the file `path`: one a line, a CR before the LF
 * dropped, empty lines and lines starting with '#' skipped (a glob that
 * starts with '#' is written "[#]..."), at most EXCLUDES_MAX_LINES globs,
 * EXCLUDES_MAX_BYTES bytes and EXCLUDES_MAX_GLOB bytes a line.  The file
 * is read with readcap() (a folder is refused).  0, or -1 with `why` set
 * (missing, a folder, too large, a line too long, a NUL byte; nothing is
 * appended).
 */
int excludes_load(struct globlist *gl, const char *path, char *why,
                  size_t whycap);

void excludes_free(struct globlist *gl);

#endif
