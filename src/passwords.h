/*
 * passwords.h - the candidate passwords of the command line (--password,
 * --passwords FILE), handed to the scanner as kensa_options.passwords.
 */
#ifndef KENSA_SRC_PASSWORDS_H
#define KENSA_SRC_PASSWORDS_H

#include <stddef.h>

#define PASSWORDS_MAX_LINES 10000
#define PASSWORDS_MAX_BYTES (1u << 20)

struct pwlist {
    char **v;        /* owned strings, in the order given */
    size_t n, cap;
};

/* Append a copy of `pw`.  0, or -1 when out of memory. */
int passwords_add(struct pwlist *pl, const char *pw);

/*
 * Append the passwords of the file `path`: one a line, UTF-8, a CR before
 * the LF dropped, empty lines skipped, at most PASSWORDS_MAX_LINES lines
 * and PASSWORDS_MAX_BYTES bytes.  0, or -1 with `why` set (the file is
 * missing, too large, not UTF-8, holds a NUL byte; nothing is appended).
 */
int passwords_load(struct pwlist *pl, const char *path, char *why,
                   size_t whycap);

void passwords_free(struct pwlist *pl);

#endif
