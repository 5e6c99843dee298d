/*
 * cfb.h - a read-only reader for OLE2 Compound File Binary files
 * ([MS-CFB]: .doc, .xls, .ppt, .vsd, .msg, a bare vbaProject.bin).
 *
 * The whole file is in memory (borrowed).  cfb_open() checks the header,
 * builds the FAT, the mini FAT and the directory once, every sector
 * number and chain checked (loops, out-of-range sectors, chains longer
 * than the stream needs) and capped; a stream is only read when asked
 * for.  Nothing here knows about the engine: it is used by the cfb format
 * (lib/formats/cfb.c), the macro detector and fuzz/fuzz_cfb.c alike.
 */
#ifndef KENSA_OFFICE_CFB_H
#define KENSA_OFFICE_CFB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/kensa.h"
#include "util/buf.h"

/* The 8-byte signature at offset 0. */
#define CFB_MAGIC "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"

enum cfb_type { CFB_EMPTY = 0, CFB_STORAGE = 1, CFB_STREAM = 2,
                CFB_ROOT = 5 };

struct cfb_entry {
    const char *name;    /* UTF-8 from the UTF-16 name (bad units become
                            U+FFFD); "\001CompObj" kept as-is */
    const char *path;    /* storages from the root joined by '/', the root
                            itself "" ("_VBA_PROJECT_CUR/VBA/dir") */
    enum cfb_type type;
    uint64_t size;       /* stream size, as the directory states it,
                            already checked against the file */
    size_t parent;       /* index of its storage (the root: itself) */
    uint8_t clsid[16];
};

struct cfb;              /* opaque */

/* Caps; zero fields take the defaults (cfb.c). */
struct cfb_limits {
    uint32_t max_entries;   /* directory entries kept (default 65,536) */
    uint32_t max_depth;     /* storage nesting (default 32) */
};

/*
 * Parse `p[0..n)`.  KENSA_EFORMAT when it is not a CFB or its header,
 * FAT or directory do not hold (a directory entry that is only bad is
 * skipped, not fatal); KENSA_ELIMIT past a cap; KENSA_ENOMEM.  On
 * success *out is owned by the caller: cfb_free().  `p` must outlive it.
 */
enum kensa_err cfb_open(struct cfb **out, const uint8_t *p, size_t n,
                        const struct cfb_limits *lim);
void cfb_free(struct cfb *c);

/*
 * The names of p[0..n)'s directory entries (storages and streams, UTF-8
 * as cfb_entry's), in directory order, to fn() until it returns false:
 * the header, the FAT and the directory chain only, so a file cfb_open()
 * refuses for its sector shift, mini FAT, tree or root still tells what
 * it holds (a shift other than 9 or 12 is taken from the version).  At most 65,536 entries; nothing kept.  KENSA_EFORMAT when the
 * header or the directory chain do not hold, KENSA_ENOMEM.
 */
enum kensa_err cfb_names(const uint8_t *p, size_t n,
                         bool (*fn)(const char *name, void *arg), void *arg);

/* Directory entries reachable from the root, in tree order. */
size_t cfb_count(const struct cfb *c);
const struct cfb_entry *cfb_entry(const struct cfb *c, size_t i);

/*
 * The entry at `path` (components compared case-insensitively, as
 * Office does: "_vba_project_cur/vba/DIR"), or -1.  `under` (an index,
 * or -1 for the root) makes the path relative to that storage.
 */
long cfb_find(const struct cfb *c, long under, const char *path);

/*
 * Stream i's bytes appended to `out` (a buf the caller initialised with
 * its cap): KENSA_ELIMIT when the stream is larger than out's cap (what
 * fitted is kept), KENSA_EFORMAT when its chain breaks (what was read is
 * kept), KENSA_EINVAL when i is not a stream.
 */
enum kensa_err cfb_read(const struct cfb *c, size_t i, struct buf *out);

#endif
