/*
 * fuzz_iocload.c - libFuzzer harness for the IoC readers and normaliser
 * (lib/intel/iocload.c, --iocs FILE).  The input is the file: parsed into
 * a set (every format: lines, CSV/TSV, STIX, MISP, chosen by content),
 * indexed, then every entry is looked up again by hash or path, and a
 * few paths built from the input are matched.  Checks: a failure names
 * a line or a reason; every entry holds a normalised value (a hash of
 * the right length in lowercase hex, a path starting with '/', no
 * control byte anywhere); each hash entry is found by its own value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/iocload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) do { if(!(x)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #x, __FILE__, __LINE__); abort(); } } while(0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ioc_set *s = ioc_set_new();
    struct ioc_report r = { 0 };
    if(!s)
        return 0;
    enum kensa_err e = ioc_parse(s, (const char *)data, size, "fuzz",
                                 "user-ioc", &r);
    if(e == KENSA_EFORMAT)
        CHECK(r.why != NULL);
    CHECK(ioc_set_index(s) == KENSA_OK);
    CHECK(r.loaded == ioc_set_total(s));
    for(size_t i = 0; i < ioc_set_total(s); i++) {
        const struct ioc *io = ioc_set_at(s, i);
        size_t n = strlen(io->value);
        CHECK(n > 0 && n <= IOC_VALUE_MAX * 2);
        for(size_t k = 0; k < n; k++)
            CHECK((unsigned char)io->value[k] >= 0x20);
        switch(io->type) {
        case IOC_MD5: case IOC_SHA1: case IOC_SHA256:
            CHECK(n == (io->type == IOC_MD5 ? 32u :
                        io->type == IOC_SHA1 ? 40u : 64u));
            CHECK(strspn(io->value, "0123456789abcdef") == n);
            CHECK(ioc_find_hash(s, io->type, io->value) != NULL);
            break;
        case IOC_FILEPATH: case IOC_DIRPATH: case IOC_PATHGLOB: {
            CHECK(io->value[0] == '/');
            const struct ioc *hits[8];
            if(io->type == IOC_FILEPATH)
                CHECK(ioc_match_path(s, io->value, true, hits, 8) >= 1);
            break;
        }
        case IOC_MASQUERADE:
            CHECK(io->where && io->where[0] == '/');
            break;
        default:
            break;
        }
    }
    /* the input's own bytes as a path: bounded, never a crash */
    char path[512];
    size_t pl = size < sizeof(path) - 2 ? size : sizeof(path) - 2;
    path[0] = '/';
    memcpy(path + 1, data, pl);
    path[pl + 1] = 0;
    const struct ioc *hits[8];
    CHECK(ioc_match_path(s, path, true, hits, 8) <= 8);
    CHECK(ioc_match_path(s, path, false, hits, 8) <= 8);
    ioc_set_free(s);
    return 0;
}
