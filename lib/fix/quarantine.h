/*
 * quarantine.h - internal: the manifest parser of quarantine.c alone,
 * for the fuzz harness (the entry points are in include/kensa/kensa.h).
 */
#ifndef KENSA_FIX_QUARANTINE_H
#define KENSA_FIX_QUARANTINE_H

#include <stddef.h>
#include <stdint.h>

/* Parse every line of `data` as --restore-quarantine parses a
 * manifest.jsonl line, and throw the results away.  Any bytes. */
void quarantine_parse_fuzz(const uint8_t *data, size_t n);

#endif
