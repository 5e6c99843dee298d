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

/* The data is masked in the binary (each byte XORed with a key that
 * changes along it), so that kensa's own files do not match its rules
 * and indicators; kensa_pack_text() gives the plain text. */
struct kensa_pack_rule {
    const char *name;              /* "sysjoker.yar" */
    const unsigned char *masked;   /* the source, masked */
    size_t len;
};

extern const unsigned char kensa_pack_iocs[];
extern const size_t kensa_pack_iocs_len;
extern const struct kensa_pack_rule kensa_pack_rules[];
extern const size_t kensa_pack_n_rules;

/* The plain text of masked[0..len), NUL-terminated, malloc'd (NULL when
 * out of memory). */
char *kensa_pack_text(const unsigned char *masked, size_t len);

#endif
