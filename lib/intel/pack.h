/*
 * pack.h - kensa's intel pack, compiled into the binary from intel/ by
 * scripts/embed_intel.py at build time (meson custom_target): the IoC
 * table (intel/iocs.tsv, as text; lib/intel/iocload.c reads it) and the
 * YARA rules (intel/rules/NAME.yar, as source; lib/detect/yara.c compiles
 * them once per scanner, `kensa rules --export` writes them out).
 */
#ifndef KENSA_INTEL_PACK_H
#define KENSA_INTEL_PACK_H

#include <stddef.h>

struct kensa_pack_rule {
    const char *name;   /* "sysjoker.yar" */
    const char *text;   /* the source */
    size_t len;
};

extern const char kensa_pack_iocs[];
extern const size_t kensa_pack_iocs_len;
extern const struct kensa_pack_rule kensa_pack_rules[];
extern const size_t kensa_pack_n_rules;

#endif
