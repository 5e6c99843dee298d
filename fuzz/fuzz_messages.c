/*
 * fuzz_messages.c - libFuzzer harness for the message catalog's renderer
 * (lib/intel/messages.c).  The input is two flag bytes, then up to seven
 * NUL-separated fields: six arguments and a last one used as an id that
 * is not in the catalog (which renders as itself, so the input is a
 * template too).  Every id, and that one, is rendered in both languages
 * through kensa_message_render() and kensa_warning_render() (with {e}
 * and {s} filled), into buffers of exactly the size given, and checked:
 *  - the length returned is that of the whole text, as snprintf's: the
 *    text rendered into a buffer of length + 1 has exactly that length;
 *  - a cut render (a small, input-derived cap) is NUL-terminated at
 *    min(length, cap - 1), returns the same length, and is a prefix of
 *    the whole text;
 *  - a cap of 0 writes nothing (a zero-size buffer, so ASan would see it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kensa/kensa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) do { if(!(x)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #x, __FILE__, __LINE__); abort(); } } while(0)

struct job {
    const char *id;
    const char *const *args;
    size_t nargs;
    enum kensa_lang lang;
    const struct kensa_warning *w;   /* warning render instead, or NULL */
};

static size_t run(const struct job *j, char *out, size_t cap)
{
    if(j->w)
        return kensa_warning_render(j->w, j->lang, out, cap);
    return kensa_message_render(j->id, j->args, j->nargs, j->lang, out, cap);
}

static void check(const struct job *j, size_t cut)
{
    size_t n = run(j, NULL, 0);
    char *full = malloc(n + 1);
    if(!full)
        return;
    CHECK(run(j, full, n + 1) == n);
    CHECK(full[n] == '\0');
    CHECK(strlen(full) == n);   /* arguments are NUL-terminated strings */

    char *zero = malloc(0);
    if(zero) {
        CHECK(run(j, zero, 0) == n);
        free(zero);
    }

    size_t cap = cut % (n + 2) + 1;   /* 1 .. n + 2 */
    char *small = malloc(cap);
    if(small) {
        CHECK(run(j, small, cap) == n);
        size_t want = n < cap ? n : cap - 1;
        CHECK(small[want] == '\0');
        CHECK(strlen(small) == want);
        CHECK(!memcmp(small, full, want));
        free(small);
    }
    free(full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t fl[2] = { 0, 0 };
    const char *fld[7] = { NULL };
    for(size_t i = 0; i < 2 && i < size; i++)
        fl[i] = data[i];
    size_t off = size < 2 ? size : 2;
    char *copy = malloc(size - off + 1);
    if(!copy)
        return 0;
    memcpy(copy, data + off, size - off);
    copy[size - off] = '\0';
    size_t nf = 0;
    for(char *p = copy, *end = copy + (size - off); nf < 7;) {
        fld[nf++] = p;
        p += strlen(p);
        if(p >= end)
            break;
        p++;
    }
    /* arguments: up to six, some NULL (flag bits), nargs from the flags */
    const char *args[6];
    for(size_t i = 0; i < 6; i++)
        args[i] = (fl[0] >> i & 1) ? NULL : fld[i];
    size_t nargs = (size_t)(fl[1] & 7);
    if(nargs > 6)
        nargs = 6;
    const char *unknown = fld[6] ? fld[6] : "";
    size_t cut = fl[1] >> 3;
    static const int errnos[] = { 0, ENOENT, EACCES, EIO, 12345 };

    size_t count = kensa_message_count();
    for(size_t i = 0; i <= count; i++) {
        const char *id = i < count ? kensa_message_id_at(i) : unknown;
        CHECK(id);
        for(int lang = 0; lang < 2; lang++) {
            struct job j = { id, args, nargs, (enum kensa_lang)lang, NULL };
            check(&j, cut + i);
            j.args = NULL;   /* no arguments at all */
            j.nargs = 0;
            check(&j, cut);
            struct kensa_warning w = {
                .path = "p", .id = id, .err = (enum kensa_err)(fl[0] >> 6 | (fl[1] & 8)),
                .sys_errno = errnos[(fl[1] + i) % 5], .message = unknown,
                .args = args, .nargs = nargs };
            j.w = &w;
            check(&j, cut + 1);
        }
    }
    /* the whole text written through kensa_fputs_safe */
    char *p = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&p, &len);
    if(f) {
        for(int lang = 0; lang < 2; lang++)
            (void)kensa_message_print(f, unknown, args, nargs,
                                      (enum kensa_lang)lang);
        fclose(f);
        free(p);
    }
    free(copy);
    return 0;
}
