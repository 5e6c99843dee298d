/*
 * zipfix.h - rewrite a zip without some entries, from the inside out: an
 * entry to remove may sit in a jar in a jar in a war.  Every other entry
 * is copied byte for byte (local header, data, data descriptor, and its
 * central record with only the offset patched); a nested archive that
 * changed is recompressed with its original method, its headers keeping
 * their names, times, extra fields and comments.
 *
 * Refused, with a reason: zip64, encrypted or overlapping entries,
 * signed archives (META-INF/NAME.SF) that would lose an entry, and chains
 * that pass through anything but zips.
 */
#ifndef KENSA_FIX_ZIPFIX_H
#define KENSA_FIX_ZIPFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "kensa/kensa.h"
#include "util/buf.h"

struct zipfix_target {
    const char *const *chain;   /* member names below this archive */
    size_t chain_len;
    const char *entry;          /* entry to remove in the innermost one */
};

/*
 * Rewrite `in` (n bytes, a zip) into `out` without the target entries.
 * *removed counts what was removed.  KENSA_EUNSUPPORTED (with `why`) when
 * refused, KENSA_EFORMAT for a damaged archive, KENSA_ELIMIT, ENOMEM.
 */
enum kensa_err zipfix_rewrite(const uint8_t *in, size_t n,
                              const struct zipfix_target *t, size_t nt,
                              struct buf *out, unsigned *removed, char *why,
                              size_t whycap);

/*
 * The same, writing to `fd` (a regular file, written from its current
 * offset on, patched in place with pwrite) instead of a buffer, so the
 * output costs no memory.  With `mapped`, `in` is a read-only file
 * mapping whose pages are dropped once copied.  Nested members larger
 * than 4 MiB are inflated, rebuilt and recompressed through unlinked
 * temporary files, so memory stays bounded whatever the sizes (the
 * buffer version does the same below the top level).  On error the
 * file holds partial output: the caller discards it.
 */
enum kensa_err zipfix_rewrite_fd(const uint8_t *in, size_t n, bool mapped,
                                 const struct zipfix_target *t, size_t nt,
                                 int fd, unsigned *removed, char *why,
                                 size_t whycap);

#endif
