/*
 * fuzz_passwords.c - libFuzzer harness for the candidate-password list
 * loader (src/passwords.c, --passwords FILE).  The input is the file: it
 * goes through passwords_parse() from memory, and through passwords_load()
 * from a memfd (by its /proc/self/fd path, as the CLI opens a file), into
 * lists that already hold one password.  Both must agree; on success every
 * password added is a non-empty line without LF or NUL, at most
 * PASSWORDS_MAX_LINES of them; on failure nothing was added.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "passwords.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) do { if(!(x)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #x, __FILE__, __LINE__); abort(); } } while(0)

static void check_list(const struct pwlist *pl, int rc, size_t size)
{
    CHECK(pl->n >= 1 && !strcmp(pl->v[0], "before"));
    if(rc) {
        CHECK(pl->n == 1);
        return;
    }
    CHECK(pl->n - 1 <= PASSWORDS_MAX_LINES);
    size_t total = 0;
    for(size_t i = 1; i < pl->n; i++) {
        size_t n = strlen(pl->v[i]);
        CHECK(n > 0 && !memchr(pl->v[i], '\n', n));
        total += n;
    }
    CHECK(total <= size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pwlist a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
    char why[256], whyb[256];

    if(passwords_add(&a, "before") || passwords_add(&b, "before"))
        goto out;
    why[0] = whyb[0] = 0;
    int rc = passwords_parse(&a, (const char *)data, size, why, sizeof(why));
    CHECK(rc == 0 || rc == -1);
    CHECK(!rc || why[0]);
    check_list(&a, rc, size);

    int fd = memfd_create("passwords", MFD_CLOEXEC);
    if(fd < 0)
        goto out;
    if(write(fd, data, size) == (ssize_t)size) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        int rcb = passwords_load(&b, path, whyb, sizeof(whyb));
        CHECK(rcb == rc);
        CHECK(!strcmp(why, whyb));
        CHECK(a.n == b.n);
        for(size_t i = 0; i < a.n; i++)
            CHECK(!strcmp(a.v[i], b.v[i]));
    }
    close(fd);
out:
    passwords_free(&a);
    passwords_free(&b);
    return 0;
}
