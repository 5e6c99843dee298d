/*
 * fuzz_manifest.c - libFuzzer harness for the backup manifest reader
 * behind --restore (lib/fix/manifest.c).  The input is a manifest: every
 * line goes through fix_manifest_parse_line(), and each record found is
 * checked and written back as the writer would (fix_manifest_escape), which
 * must parse to the same record; then fix_manifest_find() looks up the
 * name of the first line, and must find the last record of that name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) do { if(!(x)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #x, __FILE__, __LINE__); abort(); } } while(0)

static void same(const struct fix_record *a, const struct fix_record *b)
{
    CHECK(a->name_len == b->name_len);
    CHECK(!memcmp(a->name, b->name, a->name_len));
    CHECK(!strcmp(a->sha, b->sha));
    CHECK(a->uid == b->uid && a->gid == b->gid && a->mode == b->mode);
    CHECK(!strcmp(a->path, b->path));
}

/* Check one record parsed from line[0..len), and its round trip. */
static void check_record(const char *line, size_t len,
                         const struct fix_record *r)
{
    CHECK(r->name == line && r->name_len && r->name_len < len);
    CHECK(strlen(r->sha) == 64 && r->mode <= 07777);
    CHECK(r->uid != 0xffffffffu && r->gid != 0xffffffffu);
    CHECK(*r->path && strlen(r->path) <= len);

    struct buf b;
    char head[128];
    struct fix_record again = { .path = NULL };
    buf_init(&b, FIX_MANIFEST_LINE_MAX);
    snprintf(head, sizeof(head), "\t%s\t%u\t%u\t%o\t", r->sha, r->uid,
             r->gid, r->mode);
    if(buf_append(&b, r->name, r->name_len) || buf_puts(&b, head) ||
       fix_manifest_escape(&b, r->path))
        goto out;   /* past the writer's cap: the writer refuses it too */
    CHECK(!memchr(b.p, '\n', b.len));
    CHECK(fix_manifest_parse_line((const char *)b.p, b.len, &again) ==
          KENSA_OK);
    again.name = r->name;   /* it points into b */
    same(r, &again);
out:
    free(again.path);
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct fix_record last = { .path = NULL };
    char *name = NULL;
    size_t first = size;

    /* the name to look up: the first line's first field */
    const char *tab = memchr(text, '\t', size);
    const char *nl = memchr(text, '\n', size);
    if(tab && (!nl || tab < nl) && !memchr(text, 0, (size_t)(tab - text))) {
        first = (size_t)(tab - text);
        name = strndup(text, first);
    }
    for(size_t off = 0; off < size;) {
        const char *line = text + off;
        const char *end = memchr(line, '\n', size - off);
        size_t ll = end ? (size_t)(end - line) : size - off;
        struct fix_record r = { .path = NULL };
        if(fix_manifest_parse_line(line, ll, &r) == KENSA_OK) {
            check_record(line, ll, &r);
            if(name && r.name_len == first && !memcmp(r.name, name, first)) {
                free(last.path);
                last = r;
                r.path = NULL;
            }
        }
        else
            CHECK(!r.path);
        free(r.path);
        off += ll + 1;
    }
    if(name) {
        struct fix_record found = { .path = NULL };
        bool ok = fix_manifest_find(text, size, name, &found);
        CHECK(ok == (last.path != NULL));
        if(ok)
            same(&found, &last);
        free(found.path);
    }
    free(last.path);
    free(name);
    return 0;
}
