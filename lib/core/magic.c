/*
 * magic.c - decide what an object is from its bytes, never its name.
 *
 * A zip is recognised by a local header at the start or, for archives with
 * a prefix (shell launchers, .jmod's 4-byte header, self-extractors), by an
 * end-of-central-directory record near the end.  Tar is "ustar" at 257.
 */
#define _GNU_SOURCE
#include <string.h>

#include "core/engine.h"

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/*
 * Is p[i..] a believable end-of-central-directory record?  Four bytes of
 * signature are easy to plant in a log line, so the record must also be
 * consistent: its comment fits in the buffer, and the central directory it
 * describes ends right before it and starts with a central header (or a
 * zip64 locator precedes it).  An empty zip counts only when the record
 * is the whole file.
 */
static bool eocd_valid(const uint8_t *p, size_t n, size_t i)
{
    uint32_t entries = le16(p + i + 10), cd_size = le32(p + i + 12);
    uint32_t comment = le16(p + i + 20);
    if(i + 22 + (size_t)comment > n)
        return false;
    if(i >= 20 && !memcmp(p + i - 20, "PK\6\7", 4))
        return true;          /* zip64: the locator says where to look */
    if(!entries)
        return i == 0 && !cd_size;
    if(cd_size < 46 || cd_size > i)
        return false;
    return !memcmp(p + i - cd_size, "PK\1\2", 4);
}

/*
 * Every file is typed, so this look is bounded (the record and its
 * longest comment: 64 KiB of the tail) and cheap: the signature's last
 * byte, 6, is searched with memrchr (vectorised), which text never holds,
 * and only where it is are the other three bytes and the record checked.
 */
bool magic_has_zip_end(const uint8_t *p, size_t n)
{
    if(n < 22)
        return false;
    size_t lo = n > 65557 ? n - 65557 : 0;
    size_t end = n - 22 + 1 + 3;   /* candidates i in [lo, n-22]: i+3 < end */
    while(end > lo + 3) {
        const uint8_t *q = memrchr(p + lo + 3, 6, end - (lo + 3));
        if(!q)
            break;
        size_t i = (size_t)(q - p) - 3;
        if(p[i] == 'P' && p[i + 1] == 'K' && p[i + 2] == 5 &&
           eocd_valid(p, n, i))
            return true;
        end = i + 3;
    }
    return false;
}

bool magic_is_tar_header(const uint8_t *p, size_t n)
{
    /* the header's checksum: the sum of its bytes, the checksum field
     * counted as spaces, written in octal at 148 */
    if(n < 512)
        return false;
    uint32_t sum = 0, want = 0;
    size_t k = 148;
    /* the field first: most files fail it, and cost no sum */
    while(k < 156 && p[k] == ' ')
        k++;
    size_t start = k;
    while(k < 156 && p[k] >= '0' && p[k] <= '7')
        want = want * 8 + (uint32_t)(p[k++] - '0');
    if(k == start || (k < 156 && p[k] != 0 && p[k] != ' '))
        return false;
    for(size_t i = 0; i < 512; i++)
        sum += (i >= 148 && i < 156) ? ' ' : p[i];
    return sum == want && sum != 8 * ' ';
}

enum ktype magic_type(const uint8_t *p, size_t n)
{
    if(n >= 4 && !memcmp(p, "PK\3\4", 4))
        return KTYPE_ZIP;
    if(n >= 512 && magic_is_tar_header(p, n))
        return KTYPE_TAR;
    if(n >= 10 && !memcmp(p, "\xca\xfe\xba\xbe", 4))
        return KTYPE_CLASS;
    if(n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8)
        return KTYPE_GZIP;
    if(n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
        return KTYPE_XZ;
    if(n >= 4 && !memcmp(p, "BZh", 3) && p[3] >= '1' && p[3] <= '9')
        return KTYPE_BZIP2;
    if(n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
        return KTYPE_ZSTD;
    if(magic_has_zip_end(p, n))
        return KTYPE_ZIP;
    return KTYPE_UNKNOWN;
}

bool magic_is_container_head(const uint8_t *p, size_t n)
{
    if(n >= 4 && !memcmp(p, "PK\3\4", 4))
        return true;
    if(n >= 4 && !memcmp(p, "PK\5\6", 4))   /* empty zip */
        return true;
    if(n >= 3 && p[0] == 0x1f && p[1] == 0x8b)
        return true;
    if(n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
        return true;
    if(n >= 3 && !memcmp(p, "BZh", 3))
        return true;
    if(n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
        return true;
    if(n >= 4 && !memcmp(p, "JM\1\0", 4))   /* jmod */
        return true;
    if(n >= 2 && p[0] == '#' && p[1] == '!')  /* launcher script + jar */
        return true;
    return false;
}

const char *ktype_name(enum ktype t)
{
    switch(t) {
    case KTYPE_ZIP: return "zip";
    case KTYPE_TAR: return "tar";
    case KTYPE_GZIP: return "gzip";
    case KTYPE_XZ: return "xz";
    case KTYPE_BZIP2: return "bzip2";
    case KTYPE_ZSTD: return "zstd";
    case KTYPE_CLASS: return "class";
    default: return "unknown";
    }
}
