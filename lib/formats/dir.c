/*
 * dir.c - members view over an exploded folder (dir.h).  Files are read
 * with a size cap (the reader's buf), never mapped, never followed when
 * they are symlinks.
 */
#include "formats/dir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *dv_name(const struct kmembers *m, size_t i, size_t *len)
{
    const struct dirview *v = m->impl;
    if(len)
        *len = strlen(v->names[i]);
    return v->names[i];
}

static uint64_t dv_size(const struct kmembers *m, size_t i)
{
    const struct dirview *v = m->impl;
    return v->sizes[i];
}

static enum kensa_err dv_read(const struct kmembers *m, size_t i,
                              struct buf *out)
{
    const struct dirview *v = m->impl;
    struct buf path;
    enum kensa_err rc;
    buf_init(&path, 8192);
    if((rc = buf_puts(&path, v->root)) || (rc = buf_puts(&path, "/")) ||
       (rc = buf_puts(&path, v->names[i]))) {
        buf_free(&path);
        return rc;
    }
    int fd = open(buf_cstr(&path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
                                       O_NONBLOCK);
    buf_free(&path);
    if(fd < 0)
        return KENSA_EIO;
    out->len = 0;
    rc = KENSA_OK;
    for(;;) {
        if((rc = buf_reserve(out, 65536)) == KENSA_ELIMIT) {
            /* read what still fits under the cap, then stop */
            if(out->len >= out->max)
                break;
            rc = buf_reserve(out, out->max - out->len);
        }
        if(rc)
            break;
        ssize_t got = read(fd, out->p + out->len, out->cap - 1 - out->len);
        if(got < 0) {
            if(errno == EINTR)
                continue;
            rc = KENSA_EIO;
            break;
        }
        if(got == 0)
            break;
        out->len += (size_t)got;
    }
    close(fd);
    return rc;
}

enum kensa_err dirview_open(struct dirview *v, struct kmembers *m,
                            struct kobj *obj, const char *root,
                            const char *const *cands, size_t ncands)
{
    memset(v, 0, sizeof(*v));
    v->root = strdup(root);
    if(!v->root)
        return KENSA_ENOMEM;
    size_t rl = strlen(v->root);
    while(rl > 1 && v->root[rl - 1] == '/')
        v->root[--rl] = 0;
    int dfd = open(v->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for(size_t i = 0; dfd >= 0 && i < ncands && v->n < DIRVIEW_MAX; i++) {
        struct stat st;
        if(!fstatat(dfd, cands[i], &st, AT_SYMLINK_NOFOLLOW) &&
           S_ISREG(st.st_mode)) {
            v->names[v->n] = cands[i];
            v->sizes[v->n] = (uint64_t)st.st_size;
            v->n++;
        }
    }
    if(dfd >= 0)
        close(dfd);
    memset(m, 0, sizeof(*m));
    m->count = v->n;
    m->name = dv_name;
    m->size = dv_size;
    m->read = dv_read;
    m->impl = v;
    m->obj = obj;
    return KENSA_OK;
}

void dirview_free(struct dirview *v)
{
    free(v->root);
    v->root = NULL;
    v->n = 0;
}
