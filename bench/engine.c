/*
 * engine.c - kensa's engine alone, for bench/logs.sh: scans the paths
 * given with one detector ("logs" or "log4j") on one thread, counts the
 * findings in a callback that keeps nothing, and prints the count.  The
 * difference between this and `kensa logs --json` is what writing the
 * records costs (an attack-dense log makes a 1.5 KB record per line).
 * Public API only, as the CLI.  Not installed.
 */
#include <stdio.h>
#include <string.h>

#include "kensa/kensa.h"

static void count(const struct kensa_finding *f, void *ud)
{
    (void)f;
    (*(unsigned long long *)ud)++;
}

int main(int argc, char **argv)
{
    struct kensa_options o;
    enum kensa_err err = KENSA_OK;
    unsigned long long n = 0;

    if(argc < 3 || (strcmp(argv[1], "logs") && strcmp(argv[1], "log4j"))) {
        fprintf(stderr, "usage: %s logs|log4j PATH...\n", argv[0]);
        return 2;
    }
    kensa_options_default(&o);
    o.threads = 1;
    if(!strcmp(argv[1], "logs")) {
        o.detectors = KENSA_DETECT_LOGS;
        o.logs_everywhere = true;   /* as `kensa logs` */
    } else {
        o.detectors = KENSA_DETECT_LOG4J;
    }
    struct kensa_scanner *s = kensa_scanner_new(&o, &err);
    if(!s) {
        fprintf(stderr, "%s\n", kensa_strerror(err));
        return 2;
    }
    kensa_scanner_set_callbacks(s, count, NULL, NULL, &n);
    err = kensa_scanner_scan_paths(s, (const char *const *)argv + 2,
                                   (size_t)argc - 2);
    kensa_scanner_finish(s);
    kensa_scanner_free(s);
    printf("%llu\n", n);
    return err ? 2 : 0;
}
