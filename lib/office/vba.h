/*
 * vba.h - VBA projects inside a CFB ([MS-OVBA]) and Excel 4 (XLM) macros
 * in BIFF workbooks, taken out as text for the macro detector.
 *
 * Pure functions over a struct cfb (cfb.h) or bytes: no engine, no I/O,
 * every allocation capped.  Text comes out as UTF-8: module sources and
 * names are converted from the project's code page (PROJECTCODEPAGE:
 * cp932 for Japanese projects, cp1252, ...) or taken from their UTF-16
 * records; bytes that do not convert become U+FFFD.
 */
#ifndef KENSA_OFFICE_VBA_H
#define KENSA_OFFICE_VBA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kensa/kensa.h"
#include "office/cfb.h"
#include "util/buf.h"

/*
 * MS-OVBA 2.4.1 decompression of a CompressedContainer starting at p[0]
 * (the 0x01 signature byte), appended to `out` (capped by out->max).
 * KENSA_EFORMAT on a bad signature or chunk (what was decompressed before
 * it is kept), KENSA_ELIMIT at out's cap.
 */
enum kensa_err vba_decompress(const uint8_t *p, size_t n, struct buf *out);

/*
 * Bytes p[0..n) in Windows code page `codepage` (932, 1252, 65001 UTF-8,
 * 1200 UTF-16LE; 0 means 1252) appended to `out` as UTF-8 through
 * iconv; a byte that does not convert becomes U+FFFD, and without the
 * charset (a static build) non-ASCII bytes do.  KENSA_ELIMIT at out's
 * cap (what fitted is kept), KENSA_ENOMEM.
 */
enum kensa_err vba_to_utf8(uint16_t codepage, const uint8_t *p, size_t n,
                           struct buf *out);

/*
 * Load the iconv modules of the code pages VBA projects use (932, 936,
 * 949, 950, 874, 125x, Mac Roman) and keep them loaded for the life of
 * the process: glibc loads a charset's module from the file system on
 * first use, which a confined process (kensa_confine, Landlock) may no
 * longer do.  Called by kensa_confine() before it closes the door; safe
 * to call again, from any thread.
 */
void vba_codepages_load(void);

enum vba_module_type { VBA_MODULE_STD, VBA_MODULE_CLASS,
                       VBA_MODULE_DOC };  /* ThisWorkbook, Sheet1, ... */

struct vba_module {
    char *name;          /* UTF-8 (MODULENAMEUNICODE when present) */
    char *stream;        /* its stream name under VBA/ */
    enum vba_module_type type;
    char *source;        /* UTF-8 VBA source, NUL-terminated; "" when it
                            could not be decompressed */
    size_t source_len;
    bool source_ok;      /* the compressed source was found and read */
    bool has_pcode;      /* the stream holds compiled code before the
                            source (MODULEOFFSET > 0 with bytes there) */
};

struct vba_project {
    char *storage;       /* path of the storage holding VBA/ and PROJECT
                            ("_VBA_PROJECT_CUR", "Macros", "" for a bare
                            vbaProject.bin) */
    uint16_t codepage;
    struct vba_module *mod;
    size_t n_mod;
    /* VBA stomping: p-code present while the source is missing, empty
     * or (when it can be told) different from what the p-code holds */
    bool stomped;
    bool truncated;      /* a cap cut modules or sources */
};

struct vba_limits {
    size_t max_projects;     /* default 16 */
    size_t max_modules;      /* per project, default 256 */
    size_t max_source;       /* bytes of source per module, default 4 MiB */
    size_t max_total;        /* all sources of one call, default 16 MiB */
};

/*
 * Every VBA project in `c` (any storage holding VBA/dir, including
 * Visio's and Word's "Macros", and PowerPoint 97's VbaProjectStg once
 * the caller has opened it as its own CFB).  *out is a new array of *n
 * projects (0 when there is none: KENSA_OK), freed with
 * vba_projects_free().  A project whose dir stream is broken is still
 * returned with the modules that could be found (source_ok false for the
 * rest); KENSA_ENOMEM only on allocation failure.
 */
enum kensa_err vba_extract(const struct cfb *c, const struct vba_limits *lim,
                           struct vba_project **out, size_t *n);
void vba_projects_free(struct vba_project *p, size_t n);

/*
 * PowerPoint 97-2003: the VBA project stored zlib-compressed inside the
 * "PowerPoint Document" stream (ExOleObjStg of a VBA project). Appends
 * each embedded project's CFB bytes to `out` one after the other, with
 * their lengths in lens[0..*n_lens), at most max_lens.  KENSA_OK with
 * *n_lens == 0 when there is none.
 */
enum kensa_err vba_ppt_projects(const uint8_t *doc, size_t n,
                                struct buf *out, size_t *lens,
                                size_t max_lens, size_t *n_lens);

/*
 * The same for every storage PowerPoint 97-2003 embeds (ExOleObjStg:
 * OLE objects, OLE Packages, the VBA project): each one's CFB bytes,
 * whatever it holds, so the cfb format can scan what a slide embeds.
 */
enum kensa_err ppt_ole_storages(const uint8_t *doc, size_t n,
                                struct buf *out, size_t *lens,
                                size_t max_lens, size_t *n_lens);

/*
 * Visio 2003-2010 binaries (.vsd): the VBA project's CFB stored inside
 * the "VisioDocument" stream in LZSS chunks (each a length, then up to
 * that many bytes compressed).  Found by the CFB signature; appended
 * and counted as vba_ppt_projects() does, only CFBs holding VBA/dir.
 */
enum kensa_err vba_visio_projects(const uint8_t *doc, size_t n,
                                  struct buf *out, size_t *lens,
                                  size_t max_lens, size_t *n_lens);

/* ---- Excel 4 macros in BIFF (xls "Workbook", Excel 5 "Book") ---------- */

struct xlm_info {
    unsigned sheets;          /* BOUNDSHEET records */
    unsigned macro_sheets;    /* of type Excel 4 macro sheet (dt = 1) */
    unsigned hidden, very_hidden;       /* of those macro sheets */
    bool auto_open;           /* a built-in name Auto_Open (0x01) or a
                                 defined name "Auto_Open*"/"Auto_Close*" */
    bool encrypted;           /* FILEPASS: the records after it are
                                 encrypted (RC4, XOR): not read */
    char *formulas;           /* best-effort text of the macro sheets'
                                 formulas, one per line ("=EXEC(\"calc\")"),
                                 UTF-8, NUL-terminated; NULL when none */
    size_t formulas_len;
};

/*
 * Read the BIFF5/BIFF8 record stream `p[0..n)` (the "Workbook" or "Book"
 * stream) for Excel 4 macro sheets.  Formulas are rendered as text for
 * the common tokens (strings, numbers, references, operators, function
 * calls by name, EXEC/CALL/REGISTER/FORMULA/...); an unknown token
 * renders as "?".  At most max_text bytes of formulas.  KENSA_EFORMAT when
 * the stream is not BIFF.  xlm_info_free() releases formulas.
 */
enum kensa_err xlm_biff_read(const uint8_t *p, size_t n, size_t max_text,
                             struct xlm_info *out);
void xlm_info_free(struct xlm_info *x);

/*
 * Read an xlsb macro sheet part (xl/macrosheets/sheetN.bin: BIFF12 records,
 * [MS-XLSB]) and render its cell formulas (BrtFmlaString/Num/Bool/Error)
 * as text, one per line, as xlm_biff_read does; at most max_text bytes.
 * *formulas (malloc'd, NUL-terminated, NULL when none) is the caller's to
 * free.  KENSA_EFORMAT when a record is broken or cut (the formulas
 * before it are still given), KENSA_ENOMEM.
 */
enum kensa_err xlm_xlsb_read(const uint8_t *p, size_t n, size_t max_text,
                             char **formulas, size_t *len);

#endif
