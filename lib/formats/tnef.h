/*
 * tnef.h - the reader of TNEF streams (winmail.dat, application/ms-tnef)
 * that formats/tnef.c walks and fuzz/fuzz_tnef.c drives: a pure function
 * from bytes to the attached files, each a view into those bytes.
 */
#ifndef KENSA_FORMATS_TNEF_H
#define KENSA_FORMATS_TNEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TNEF_SIGNATURE 0x223E9F78u
#define TNEF_MAX 64          /* attached files read from one stream */
#define TNEF_NAME_MAX 255    /* a file name, bytes (UTF-8 or raw 8-bit) */
#define TNEF_PROPS 4096      /* MAPI properties read from one attribute */

/* One attached file: data[0..len) points into the stream given to
 * tnef_read() (NULL, 0 when the attachment carried no data); name is
 * NUL-terminated, "" when the stream named none. */
struct tnef_file {
    const uint8_t *data;
    size_t len;
    char name[TNEF_NAME_MAX + 1];
    bool long_name;      /* name is PR_ATTACH_LONG_FILENAME */
};

enum tnef_status {
    TNEF_OK = 0,
    TNEF_NOT,            /* no TNEF signature: nothing read */
    TNEF_CORRUPT,        /* damaged at *bad: the files before it are out */
    TNEF_LIMIT,          /* more than `max` files: the first max are out */
};

/*
 * Read the attached files of the TNEF stream p[0..n) into out[0..max),
 * their number into *count.  Nothing is allocated and nothing is copied
 * but names; every length is checked against the bytes that remain, MAPI
 * property lists are read to at most TNEF_PROPS properties, and the work
 * is linear in n.  Attribute checksums are not checked (a reader that
 * stops at a bad one is the reader an attacker writes for).  On
 * TNEF_CORRUPT, *bad (may be NULL) is the offset of the damaged
 * attribute.  The long file name (PR_ATTACH_LONG_FILENAME, UTF-16 names
 * turned into UTF-8) wins over the 8.3 title (attAttachTitle, raw bytes
 * in the sender's code page).  An embedded OLE object (PR_ATTACH_DATA_OBJ)
 * is handed out without its interface id: the compound file itself.
 * *codepage (may be NULL) is the stream's code page (attOemCodepage),
 * in which 8-bit names are written; 0 when the stream gives none.
 */
enum tnef_status tnef_read(const uint8_t *p, size_t n, struct tnef_file *out,
                           size_t max, size_t *count, size_t *bad,
                           uint32_t *codepage);

/* Whether p[0..n) starts like a TNEF stream: the signature and a first
 * attribute whose length fits. */
bool tnef_head(const uint8_t *p, size_t n);

#endif
