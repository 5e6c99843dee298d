/*
 * error.c - names for the library's enums.
 */
#include "kensa/kensa.h"

const char *kensa_strerror(enum kensa_err err)
{
    switch(err) {
    case KENSA_OK: return "no error";
    case KENSA_ENOMEM: return "out of memory";
    case KENSA_EIO: return "input/output error";
    case KENSA_EFORMAT: return "malformed input";
    case KENSA_ELIMIT: return "limit exceeded";
    case KENSA_EUNSUPPORTED: return "unsupported feature";
    case KENSA_EINVAL: return "invalid argument";
    case KENSA_ENOENT: return "not found";
    case KENSA_ECHANGED: return "changed while being scanned";
    }
    return "unknown error";
}

const char *kensa_verdict_name(enum kensa_verdict v)
{
    switch(v) {
    case KENSA_VERDICT_VULNERABLE: return "vulnerable";
    case KENSA_VERDICT_MITIGATED: return "mitigated";
    case KENSA_VERDICT_PATCHED: return "patched";
    case KENSA_VERDICT_EOL: return "end-of-life";
    case KENSA_VERDICT_ATTACK: return "attack";
    case KENSA_VERDICT_SUSPICIOUS: return "suspicious";
    case KENSA_VERDICT_MACROS: return "macros";
    case KENSA_VERDICT_MALICIOUS: return "malicious";
    default: return "none";
    }
}

const char *kensa_severity_name(enum kensa_severity s)
{
    switch(s) {
    case KENSA_SEV_LOW: return "low";
    case KENSA_SEV_MEDIUM: return "medium";
    case KENSA_SEV_HIGH: return "high";
    case KENSA_SEV_CRITICAL: return "critical";
    default: return "info";
    }
}
