/*
 * procs.h - internal: the /proc parsers of procs.c alone, for the fuzz
 * harness (the scanning entry points are in include/kensa/kensa.h).
 */
#ifndef KENSA_CORE_PROCS_H
#define KENSA_CORE_PROCS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Run the parsers of /proc/PID/stat, cmdline, environ and maps over
 * `data` (the four texts, in that order, separated by 0x01 bytes) as
 * procs.c runs them over a live process's, and throw the results away.
 * Any bytes; allocates and frees its own copies.
 */
void procs_parse_fuzz(const uint8_t *data, size_t n);

#endif
