/*
 * manifest.h - one line of the backup folder's manifest
 * (KENSA_BACKUP_MANIFEST), written by --fix and read by --restore:
 *
 *   NAME \t SHA256 \t UID \t GID \t MODE \t PATH [\t NEWSHA256] \n
 *
 * NEWSHA256, when present, is the digest of the file kensa wrote in the
 * original's place: --fix appends the record again with it once the
 * rewritten file is in place (the last record of a name wins), and
 * --restore refuses to put the original back over a file that is no
 * longer that one (a later upgrade) unless forced.  Lines of six fields,
 * from older versions, stay readable.
 *
 * NAME is the backup's file name, SHA256 its digest in 64 lowercase hex
 * digits, UID and GID decimal, MODE octal (at most 07777), PATH the
 * original's absolute path percent-escaped so that nothing in it can end a
 * field or a line (every byte <= 0x20, >= 0x7f and '%' becomes %XX).  A
 * line that is not of this shape (the "# kensa backup manifest v1" head
 * among them) is not a record.  Internal to lib/fix.
 */
#ifndef KENSA_FIX_MANIFEST_H
#define KENSA_FIX_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "kensa/kensa.h"
#include "util/buf.h"

#define FIX_MANIFEST_HEAD "# kensa backup manifest v1\n"
#define FIX_MANIFEST_LINE_MAX (64u << 10)   /* a longer line is refused */

struct fix_record {
    const char *name;   /* the backup's name, in the parsed line: */
    size_t name_len;    /*   name_len bytes, not NUL-terminated */
    char sha[65];       /* 64 lowercase hex digits, NUL-terminated */
    char new_sha[65];   /* the rewritten file's, or "" when not recorded */
    unsigned uid, gid, mode;
    char *path;         /* decoded, NUL-terminated, heap: the caller frees */
};

/*
 * Parse one manifest line, line[0..len) without its '\n' (it need not be
 * NUL-terminated, and may hold any byte).  KENSA_OK with *out filled and
 * out->path a new allocation the caller frees; KENSA_EFORMAT when the line
 * is not a record (wrong field count, a field out of shape, a control byte
 * in NAME, a raw byte in PATH the writer would have escaped, %00 or a bad escape, an empty path, longer
 * than FIX_MANIFEST_LINE_MAX); KENSA_ENOMEM.  On error *out is untouched
 * and nothing is allocated.
 */
enum kensa_err fix_manifest_parse_line(const char *line, size_t len,
                                       struct fix_record *out);

/*
 * Find backup `name`'s record in the manifest text[0..len) (any bytes;
 * lines end at '\n').  The last record naming it wins, as a later fix
 * appends.  true with *rec set: the caller initialised rec->path (NULL or
 * heap), which is freed when replaced, and frees the one left; rec->name
 * points into text.  false when no record names it (*rec untouched), or
 * when out of memory (rec->path freed and NULL).
 */
bool fix_manifest_find(const char *text, size_t len, const char *name,
                       struct fix_record *rec);

/*
 * Append `path` percent-escaped to b (the writer's half of the above): it
 * decodes to the exact bytes.  Errors as buf_append (KENSA_ELIMIT at the
 * buffer's cap); on error b may hold part of the path.
 */
enum kensa_err fix_manifest_escape(struct buf *b, const char *path);

#endif
