/*
 * esc.h - untrusted strings made safe for where they are shown: a
 * terminal (text reports, warnings, progress) and a spreadsheet (CSV).
 *
 * Text: file names, member names and log lines are attacker-chosen.  What
 * a terminal would act on is written as a visible escape instead: C0
 * controls and DEL as \xNN, bytes that are not UTF-8 (a raw 0x9b is a C1
 * CSI to many terminals) as \xNN, and the code points U+0080-U+009F (C1
 * controls), U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069 (bidi
 * marks, embeddings, overrides, isolates) and U+2028, U+2029 (line and
 * paragraph separators) as \uNNNN.  Everything else, CJK included, is
 * written as it is.  A backslash is not doubled: the output is for
 * reading, not for parsing back.
 *
 * CSV: one RFC 4180 cell, always quoted, '"' doubled, bytes that are not
 * UTF-8 as U+FFFD, and a cell that starts with = + - @ TAB or CR gets a
 * leading ' so no spreadsheet reads it as a formula (OWASP CSV
 * injection).
 */
#ifndef KENSA_UTIL_ESC_H
#define KENSA_UTIL_ESC_H

#include "util/buf.h"

/* Room for the longest escape esc_one writes, with its NUL. */
#define ESC_MAX 8

/* Length of the leading run of s[0..n) that may be shown as it is. */
size_t esc_span(const char *s, size_t n);

/*
 * The character at s[0..n) (n > 0) needs escaping: write its escape into
 * out (NUL-terminated) and return how many input bytes it stands for.
 */
size_t esc_one(const char *s, size_t n, char out[ESC_MAX]);

/* Append s[0..n) to b with every escape applied.  Errors as buf_append;
 * on error b may hold part of it. */
enum kensa_err esc_append(struct buf *b, const char *s, size_t n);

/* Append s[0..n) as one quoted CSV cell (no separator).  Errors as
 * buf_append; on error b may hold part of it. */
enum kensa_err csv_cell(struct buf *b, const char *s, size_t n);

/*
 * The longest prefix of s[0..n) that is at most `max` bytes and does not
 * end inside a valid UTF-8 sequence (bytes that are not UTF-8 count one
 * by one).  Used to cut an over-long field without making it invalid.
 */
size_t utf8_cut(const char *s, size_t n, size_t max);

/*
 * Terminal columns.  utf8_char stores in *cols the columns the character
 * at s[0..n) (n > 0) takes (2 for East Asian wide and full-width
 * characters, 1 otherwise; a byte that is not UTF-8 counts 1) and
 * returns its length in bytes.  utf8_cols sums that over s[0..n).
 * Meant for text already escaped (esc_append), so no control is seen.
 */
size_t utf8_char(const char *s, size_t n, unsigned *cols);
size_t utf8_cols(const char *s, size_t n);

#endif
