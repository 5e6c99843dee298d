/*
 * magic.c - decide what an object is from its bytes, never its name.
 *
 * A zip is recognised by a local header at the start or, for archives with
 * a prefix (shell launchers, .jmod's 4-byte header, self-extractors), by an
 * end-of-central-directory record near the end.  Tar is "ustar" at 257.
 */
#include <string.h>

#include "core/engine.h"

bool magic_has_zip_end(const uint8_t *p, size_t n)
{
    if(n < 22)
        return false;
    size_t lo = n > 65557 ? n - 65557 : 0;
    for(size_t i = n - 22 + 1; i-- > lo;) {
        if(p[i] == 'P' && p[i + 1] == 'K' && p[i + 2] == 5 && p[i + 3] == 6)
            return true;
    }
    return false;
}

enum ktype magic_type(const uint8_t *p, size_t n)
{
    if(n >= 4 && !memcmp(p, "PK\3\4", 4))
        return KTYPE_ZIP;
    if(n >= 262 && !memcmp(p + 257, "ustar", 5))
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
