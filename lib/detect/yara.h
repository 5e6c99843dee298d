/*
 * yara.h - what the YARA detector (yara.c) shares with the rest of the
 * library: the rule it makes of the network indicators, so that
 * `kensa rules --export` writes it too and `yara` runs what kensa runs.
 */
#ifndef KENSA_DETECT_YARA_H
#define KENSA_DETECT_YARA_H

#include "kensa/kensa.h"

/* The YARA source of one rule per threat holding the network indicators
 * (domains, IPv4, URLs) of the pack (unless o->no_builtin_intel) and of
 * o's --iocs files; malloc'd, NULL when there is none. */
char *yara_net_rules(const struct kensa_options *o);

/* The name `kensa rules --export` gives that source. */
#define YARA_NET_RULES_FILE "kensa-iocs.yar"

/* Rules already reported for one process (yara_scan_memory). */
#define YARA_MEMSEEN_MAX 256
struct yara_memseen {
    const void *rule[YARA_MEMSEEN_MAX];
    size_t n;
};

struct kobj;
/*
 * Run the compiled rules over obj's bytes, a chunk of the memory of
 * process `pid` that starts at address `base` (core/procmem.c): findings
 * as for a file, with "in memory of process PID at 0xADDR" (the rule's
 * first match) as evidence; a rule in `seen` is not reported again (it
 * is added when reported).  The externals are the chunk's: filepath
 * /proc/PID/mem.  Errors are warnings on obj, as for a file.
 */
void yara_scan_memory(struct kobj *obj, uint64_t base, const char *pid,
                      struct yara_memseen *seen);

#endif
