/*
 * fuzz_zipfix.c - libFuzzer harness for the zip rewriter behind --fix: the
 * input is an archive; JndiLookup.class is removed from it and from every
 * member that is itself an archive, as --fix would ask, once into a
 * buffer and once into a file, which must hold the same bytes.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdint.h>

#include "fix/zipfix.h"
#include "formats/zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char jl[] =
        "org/apache/logging/log4j/core/lookup/JndiLookup.class";
    struct zip z;
    struct zipfix_target t[9];
    const char *chain[8];
    size_t nt = 0;

    t[nt++] = (struct zipfix_target){ NULL, 0, jl };
    if(zip_open(&z, data, size, 64) == KENSA_OK) {
        for(size_t i = 0; i < z.count && nt < 9; i++) {
            chain[nt - 1] = z.e[i].name;
            t[nt] = (struct zipfix_target){ &chain[nt - 1], 1, jl };
            nt++;
        }
    }
    struct buf out;
    char why[256];
    unsigned removed = 0, removed_fd = 0;
    buf_init(&out, 64u << 20);
    enum kensa_err rc = zipfix_rewrite(data, size, t, nt, &out, &removed, why,
                                       sizeof(why));
    /* the file writer must produce the same bytes as the buffer one */
    int fd = memfd_create("zipfix", 0);
    if(fd >= 0) {
        enum kensa_err rc_fd = zipfix_rewrite_fd(data, size, false, t, nt, fd,
                                                 &removed_fd, why,
                                                 sizeof(why));
        if(rc == KENSA_OK && (rc_fd != KENSA_OK || removed_fd != removed ||
                              lseek(fd, 0, SEEK_END) != (off_t)out.len))
            abort();
        for(size_t off = 0; rc == KENSA_OK && off < out.len;) {
            uint8_t chunk[4096];
            ssize_t r = pread(fd, chunk, sizeof(chunk), (off_t)off);
            if(r <= 0 || memcmp(chunk, out.p + off, (size_t)r))
                abort();
            off += (size_t)r;
        }
        close(fd);
    }
    buf_free(&out);
    zip_close(&z);
    return 0;
}
