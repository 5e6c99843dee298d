/*
 * archive.h - what the libarchive format (archive.c) offers the other
 * formats: opening a zip whose members are encrypted, and reading tars
 * held in memory for the container image format (image.c).
 */
#ifndef KENSA_FORMATS_ARCHIVE_H
#define KENSA_FORMATS_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/kensa.h"

struct kobj;

/* The longest member name archive_tar_walk() hands to a child. */
#define ARCHIVE_NAME_MAX 4352

/* Is p[0..n) a tar header (512 bytes) whose checksum holds? */
bool archive_tar_header(const uint8_t *p, size_t n);

/* One member of a tar, as archive_tar_list() reports it. */
struct archive_tar_entry {
    const char *name;     /* as stored (pax and GNU long names applied) */
    int type;             /* 'f' regular, 'd' folder, 'o' anything else */
    uint64_t size;        /* as the header says */
    const uint8_t *data;  /* the member's bytes inside p, when asked for,
                             a regular file of size > 0 and the tar is
                             uncompressed; else NULL */
};
/* Called once per member, in order; false stops the listing.  e and its
 * strings are valid during the call only. */
typedef bool (*archive_list_fn)(void *ud, const struct archive_tar_entry *e);

/*
 * List the members of the tar (maybe compressed: gzip, zstd, xz...) in
 * p[0..n) without keeping anything.  With want_data, regular members of
 * an uncompressed tar come with a pointer to their bytes in p (a view:
 * nothing is copied).  KENSA_EFORMAT with libarchive's text in err (cut
 * to errcap) when the bytes stop being a tar; members before that were
 * listed.  KENSA_ENOMEM when no reader could be made.
 */
enum kensa_err archive_tar_list(const uint8_t *p, size_t n, bool want_data,
                                archive_list_fn fn, void *ud,
                                char *err, size_t errcap);

/* Name a member: false skips it, true scans it as child `out` (a
 * NUL-terminated name cut to cap). */
typedef bool (*archive_name_fn)(void *ud, const char *name, char *out,
                                size_t cap);

/*
 * Scan the regular members of the tar in p[0..n) (maybe compressed) as
 * children of obj, exactly as archive.c walks a tar (containers read
 * whole or spilled, the rest streamed, budgets charged to obj's file),
 * each only when rename() accepts it and under the name it gives.
 * `what` names the tar in warnings.  False (with a warning) when it
 * could not be opened at all.
 */
bool archive_tar_walk(struct kobj *obj, const uint8_t *p, size_t n,
                      const char *what, archive_name_fn rename, void *ud);

/*
 * Walk the zip `obj` through libarchive (ZipCrypto and WinZip AES), with
 * the candidate passwords of its context (key "password"), tried in order
 * until one reads the first encrypted member.  Members are then scanned
 * as the other archives' are, each with "opened_with" = that password in
 * its context.  False, having read nothing, when the context holds no
 * password or none opened it: the caller then warns and reads what is not
 * encrypted itself.
 */
bool archive_walk_encrypted_zip(struct kobj *obj);

#endif
