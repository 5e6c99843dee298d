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

#endif
