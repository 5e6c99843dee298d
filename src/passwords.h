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

/* Append a copy of pw[0..n) (cut at a NUL).  0, or -1 when out of memory. */
int passwords_addn(struct pwlist *pl, const char *pw, size_t n);

/*
 * Append the passwords of the file `path`: one a line, UTF-8, a CR before
 * the LF dropped, empty lines skipped, at most PASSWORDS_MAX_LINES lines
 * and PASSWORDS_MAX_BYTES bytes.  0, or -1 with `why` set (the file is
 * missing, too large, not UTF-8, holds a NUL byte; nothing is appended).
 */
int passwords_load(struct pwlist *pl, const char *path, char *why,
                   size_t whycap);

/*
 * The same rules over the bytes buf[0..len) (any bytes; not modified, not
 * NUL-terminated): passwords_load() reads the file, this takes it apart.
 * 0, or -1 with `why` set and nothing appended.
 */
int passwords_parse(struct pwlist *pl, const char *buf, size_t len,
                    char *why, size_t whycap);

void passwords_free(struct pwlist *pl);

#endif
