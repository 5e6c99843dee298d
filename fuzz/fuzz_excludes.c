/*
 * fuzz_excludes.c - libFuzzer harness for the --exclude-from loader
 * (src/excludes.c): the bytes go to a memfd and are loaded by its
 * /proc/self/fd path, as the CLI opens a file.  Checks the contract:
 * on failure nothing is appended; on success every glob is one
 * non-empty line within the caps (one CR before the LF is dropped: a
 * second one is part of the glob).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "excludes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) do { if(!(x)) abort(); } while(0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct globlist gl = { 0 };
    char path[64], why[256];
    int fd = memfd_create("excludes", MFD_CLOEXEC);
    if(fd < 0)
        return 0;
    if(size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    why[0] = 0;
    if(excludes_load(&gl, path, why, sizeof(why))) {
        CHECK(gl.n == 0);
        CHECK(why[0]);
    } else {
        CHECK(gl.n <= EXCLUDES_MAX_LINES);
        for(size_t i = 0; i < gl.n; i++) {
            size_t k = strlen(gl.v[i]);
            CHECK(k && k <= EXCLUDES_MAX_GLOB);
            CHECK(!strchr(gl.v[i], '\n'));
        }
    }
    excludes_free(&gl);
    close(fd);
    return 0;
}
