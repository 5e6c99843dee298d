/*
 * excludes.c - exclude globs from the command line and from files
 * (excludes.h).  A file is read whole before the scan starts (and before
 * the sandbox closes), with hard caps on its size, its number of globs
 * and the length of each; a file that breaks one is refused, never cut
 * short, since a glob silently dropped would scan what the user meant to
 * skip.
 */
#define _GNU_SOURCE
#include "excludes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readcap.h"
#include "util/buf.h"

int excludes_add(struct globlist *gl, const char *glob)
{
    char **nv = array_grow(gl->v, &gl->cap, gl->n, sizeof(*nv), 16);
    if(!nv)
        return -1;
    gl->v = nv;
    if(!(gl->v[gl->n] = strdup(glob)))
        return -1;
    gl->n++;
    return 0;
}

void excludes_free(struct globlist *gl)
{
    for(size_t i = 0; i < gl->n; i++)
        free(gl->v[i]);
    free(gl->v);
    memset(gl, 0, sizeof(*gl));
}

int excludes_load(struct globlist *gl, const char *path, char *why,
                  size_t whycap)
{
    char *buf = NULL;
    size_t len = 0, n0 = gl->n, globs = 0, line = 0;
    int rc = -1;

    if(readcap(path, EXCLUDES_MAX_BYTES, &buf, &len, why, whycap))
        return -1;
    if(memchr(buf, 0, len)) {
        snprintf(why, whycap, "holds a NUL byte (one glob a line)");
        goto out;
    }
    for(size_t off = 0; off < len;) {
        char *nl = memchr(buf + off, '\n', len - off);
        size_t end = nl ? (size_t)(nl - buf) : len;
        size_t k = end - off;
        line++;
        if(k && buf[off + k - 1] == '\r')
            k--;
        if(k > EXCLUDES_MAX_GLOB) {
            snprintf(why, whycap, "line %zu is longer than %u bytes", line,
                     EXCLUDES_MAX_GLOB);
            goto out;
        }
        if(k && buf[off] != '#') {
            if(++globs > EXCLUDES_MAX_LINES) {
                snprintf(why, whycap, "more than %u globs",
                         EXCLUDES_MAX_LINES);
                goto out;
            }
            buf[off + k] = 0;
            if(excludes_add(gl, buf + off)) {
                snprintf(why, whycap, "out of memory");
                goto out;
            }
        }
        off = end + 1;
    }
    rc = 0;
out:
    if(rc) {
        while(gl->n > n0)
            free(gl->v[--gl->n]);
    }
    free(buf);
    return rc;
}
