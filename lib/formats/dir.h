/*
 * dir.h - a members view over files in a folder on disk, for detectors
 * that meet an exploded archive (WEB-INF/classes/...) and want to look at
 * it the way they look at a jar.  Only the candidate names the detector
 * lists are offered, and only those that exist as regular files.
 */
#ifndef KENSA_FORMATS_DIR_H
#define KENSA_FORMATS_DIR_H

#include "core/engine.h"

#define DIRVIEW_MAX 16

struct dirview {
    char *root;                      /* owned, ends without '/' */
    const char *names[DIRVIEW_MAX];  /* borrowed from the caller */
    uint64_t sizes[DIRVIEW_MAX];
    size_t n;
};

/*
 * Fill `v` and `m` with the candidates (relative names, at most
 * DIRVIEW_MAX, borrowed) that exist under `root`.  KENSA_ENOMEM.  Release
 * with dirview_free().
 */
enum kensa_err dirview_open(struct dirview *v, struct kmembers *m,
                            struct kobj *obj, const char *root,
                            const char *const *cands, size_t ncands);

void dirview_free(struct dirview *v);

#endif
