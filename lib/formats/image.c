/*
 * image.c - container images: a `docker save` tar (manifest.json with
 * Config, RepoTags and Layers) or an OCI image layout tar (oci-layout,
 * index.json, blobs/sha256/...), scanned as the file system the image
 * runs with rather than as a heap of blobs.
 *
 * The image is an uncompressed tar held in memory (mapped); its members
 * are indexed once (name -> bytes, views into the mapping, nothing
 * copied), its JSON (manifest.json, index.json, the OCI manifests and the
 * configs) read with jansson after a bounded pre-check of size and
 * nesting, and each image it describes is scanned in two passes over its
 * layers (each a tar, maybe gzip'd or zstd'd, read by libarchive as a
 * stream):
 *
 *   1. last layer to first, names only: which layer's copy of each path
 *      is the one the image shows.  A path is shown from layer i when no
 *      later layer holds it, deletes it (`.wh.NAME` in its folder),
 *      deletes or replaces one of its folders, or makes one of its
 *      folders opaque (`.wh..wh..opq`); within a layer the last entry of
 *      a name wins.  Whiteouts apply to earlier layers only (OCI image
 *      spec, "Whiteouts").
 *   2. first layer to last: the shown members are scanned as the archive
 *      format scans a tar (archive_tar_walk: containers read whole or
 *      spilled to a temporary file, the rest streamed), named
 *      `REF:/path/in/image` (REF: RepoTags[0], the ref.name annotation,
 *      else the config digest), with the image and the layer in their
 *      context for every finding (container.image.name, .tag,
 *      .hash.all, kensa.image.layer).
 *
 * Every byte is hostile: JSON is refused past IMAGE_JSON_MAX bytes or
 * IMAGE_JSON_DEPTH levels, blob names must be "sha256:" and 64 hex
 * digits or a member of the tar, member paths with ".." are refused,
 * images, layers and tracked paths are capped, and what is refused is
 * said in a warning.  When no image can be read from a tar that looked
 * like one, it is walked as the plain tar it also is (format_archive).
 *
 * `kensa image DIR` reads an unpacked layout folder the same way
 * (image_dir_walk): its files are looked up by the same names, each
 * opened beneath the folder's descriptor one component at a time with
 * O_NOFOLLOW (a symbolic link anywhere in the layout is refused, so
 * nothing outside the folder is read), only regular files, each mapped
 * read-only.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/engine.h"
#include "formats/archive.h"
#include "formats/image.h"
#include "util/buf.h"

#define IMAGE_JSON_MAX (4u << 20)     /* manifest, index, config */
#define IMAGE_JSON_DEPTH 32           /* real ones nest 5 deep */
#define IMAGE_MEMBERS_MAX 65536       /* members of the outer tar */
#define IMAGE_IMAGES_MAX 16           /* images in one tar */
#define IMAGE_LAYERS_MAX 256          /* layers of one image (Docker: 127) */
#define IMAGE_PATHS_MAX (1u << 18)    /* paths tracked across layers */
#define IMAGE_NAMES_MAX (32u << 20)   /* bytes of those paths */
#define IMAGE_PATH_MAX 4096           /* one path inside the image */
#define IMAGE_REF_MAX 256             /* the reference shown */
#define IMAGE_DEPTH_MAX 128           /* folders in one path */
#define DIGEST_MAX 80                 /* "sha256:" + 64 + NUL, with room */

/* ---- the probe ---------------------------------------------------------- */

/* Octal (or GNU base-256) size field of a tar header; UINT64_MAX when it
 * cannot be read. */
static uint64_t tar_size(const uint8_t *h)
{
    uint64_t v = 0;
    if(h[124] & 0x80) {
        for(size_t i = 125; i < 136; i++) {
            if(v >> 55)
                return UINT64_MAX;
            v = v << 8 | h[i];
        }
        return v;
    }
    size_t i = 124;
    while(i < 136 && h[i] == ' ')
        i++;
    for(; i < 136 && h[i] >= '0' && h[i] <= '7'; i++)
        v = v * 8 + (uint64_t)(h[i] - '0');
    return v;
}

/* Does the header's name field say `want` (maybe after "./")? */
static bool tar_named(const uint8_t *h, const char *want)
{
    size_t k = strlen(want);
    const uint8_t *nm = h;
    if(nm[0] == '.' && nm[1] == '/')
        nm += 2;
    return !memcmp(nm, want, k) && (nm + k == h + 100 || nm[k] == 0);
}

/*
 * A tar whose top level holds manifest.json or oci-layout: the headers
 * are followed by their sizes (a jump each, at most 4096 of them; docker
 * save puts manifest.json last), each checksum checked.
 */
static int image_probe(const uint8_t *p, size_t n)
{
    size_t off = 0;
    for(unsigned i = 0; i < 4096 && off <= n && n - off >= 512; i++) {
        const uint8_t *h = p + off;
        if(!archive_tar_header(h, 512))
            break;
        if(h[156] == '0' || h[156] == 0) {
            if(tar_named(h, "manifest.json") || tar_named(h, "oci-layout"))
                return PROBE_HEAD;
        }
        uint64_t sz = tar_size(h);
        if(sz > n)
            break;
        uint64_t step = 512 + ((sz + 511) & ~(uint64_t)511);
        if(step > n - off)
            break;
        off += (size_t)step;
    }
    return PROBE_NO;
}

/* ---- the outer tar: an index of its members ----------------------------- */

struct member {
    char *name;           /* normalised: no "./", no leading "/" */
    const uint8_t *p;
    size_t n;
    bool own_map;         /* p is our mapping of a layout folder's file */
};

struct index {
    struct member *v;
    size_t n, cap;
    bool full;
    int dirfd;            /* a layout folder (kensa image DIR); -1: a tar */
    struct kobj *obj;     /* for warnings about the folder's files */
};

/* Member name as looked up: "./a//b" -> "a/b"; false for "..", empty, or
 * too long. */
static bool blob_name(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    const char *s = in;
    while(*s) {
        while(*s == '/')
            s++;
        const char *e = strchr(s, '/');
        size_t k = e ? (size_t)(e - s) : strlen(s);
        if(k == 0)
            break;
        if(k == 2 && s[0] == '.' && s[1] == '.')
            return false;
        if(!(k == 1 && s[0] == '.')) {
            if(o + k + 2 > cap)
                return false;
            if(o)
                out[o++] = '/';
            memcpy(out + o, s, k);
            o += k;
        }
        s += k;
    }
    out[o] = 0;
    return o > 0;
}

static bool index_add(void *ud, const struct archive_tar_entry *e)
{
    struct index *ix = ud;
    char nm[1024];
    if(e->type != 'f' || !blob_name(e->name, nm, sizeof(nm)))
        return true;
    if(ix->n == IMAGE_MEMBERS_MAX) {
        ix->full = true;
        return false;
    }
    struct member *v = array_grow(ix->v, &ix->cap, ix->n, sizeof(*v), 64);
    if(!v)
        return false;
    ix->v = v;
    char *dup = strdup(nm);
    if(!dup)
        return false;
    /* data NULL: empty, or not where a view can see it */
    ix->v[ix->n++] = (struct member){ dup, e->data, e->data ? e->size : 0,
                                      false };
    return true;
}

static void index_free(struct index *ix)
{
    for(size_t i = 0; i < ix->n; i++) {
        if(ix->v[i].own_map && ix->v[i].p)
            munmap((void *)ix->v[i].p, ix->v[i].n);
        free(ix->v[i].name);
    }
    free(ix->v);
}

#define LAYOUT_DEPTH_MAX 16   /* folders in a layout file's name */

/* The descriptor of `nm`'s folder beneath the layout folder, each
 * component opened with O_NOFOLLOW; *base gets the last component.
 * -1 with errno set when it cannot be reached without a link. */
static int layout_parent(const struct index *ix, char *nm, char **base)
{
    int fd = ix->dirfd;
    char *s = nm, *slash;
    unsigned depth = 0;
    while((slash = strchr(s, '/'))) {
        *slash = 0;
        int next = ++depth > LAYOUT_DEPTH_MAX ? (errno = ENAMETOOLONG, -1) :
                   openat(fd, s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                 O_CLOEXEC);
        if(fd != ix->dirfd)
            close(fd);
        if(next < 0)
            return -1;
        fd = next;
        s = slash + 1;
    }
    *base = s;
    return fd;
}

/*
 * A layout folder's file `nm` (normalised), opened beneath the folder
 * without following any symbolic link, checked to be a regular file,
 * mapped read-only and added to the index.  Refused (said here: a
 * link, not a regular file), it is added without bytes, so it is asked
 * for once and reads as empty.  NULL when it is missing, the index is
 * full or out of memory.
 */
static const struct member *layout_get(struct index *ix, const char *nm)
{
    char path[1024], *base;
    struct stat st;
    void *p = NULL;
    size_t n = 0;
    snprintf(path, sizeof(path), "%s", nm);
    if(ix->n == IMAGE_MEMBERS_MAX) {
        ix->full = true;
        return NULL;
    }
    struct member *v = array_grow(ix->v, &ix->cap, ix->n, sizeof(*v), 16);
    if(!v)
        return NULL;
    ix->v = v;
    int dfd = layout_parent(ix, path, &base);
    int fd = dfd < 0 ? -1 : openat(dfd, base, O_RDONLY | O_NOFOLLOW |
                                              O_NONBLOCK | O_CLOEXEC);
    int e = errno;
    if(dfd >= 0 && dfd != ix->dirfd)
        close(dfd);
    if(fd < 0 && e == ENOENT)
        return NULL;   /* missing: the caller says so if it matters */
    if(fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        /* a link (ELOOP, or ENOTDIR for a folder's), a FIFO, a device */
        ctx_warn(ix->obj->ctx, ix->obj->path, KENSA_EUNSUPPORTED,
                     KMSG_IMAGE_DIR_REFUSED, nm);
    } else {
        n = st.st_size > 0 && (uint64_t)st.st_size <= SIZE_MAX ?
            (size_t)st.st_size : 0;
        p = n ? mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
        if(p == MAP_FAILED) {
            ctx_warn(ix->obj->ctx, ix->obj->path, KENSA_EIO,
                     KMSG_IMAGE_DIR_REFUSED, nm);
            p = NULL;
        }
    }
    if(fd >= 0)
        close(fd);
    char *dup = strdup(nm);
    if(!dup) {
        if(p)
            munmap(p, n);
        return NULL;
    }
    ix->v[ix->n] = (struct member){ dup, p, p ? n : 0, p != NULL };
    return &ix->v[ix->n++];
}

/* The member named `name` (normalised; the last of that name wins, as
 * tar extraction does), or NULL.  In a layout folder, its file, opened
 * on first use. */
static const struct member *index_get(struct index *ix, const char *name)
{
    char nm[1024];
    if(!blob_name(name, nm, sizeof(nm)))
        return NULL;
    for(size_t i = ix->n; i-- > 0;) {
        if(!strcmp(ix->v[i].name, nm))
            return &ix->v[i];
    }
    return ix->dirfd >= 0 ? layout_get(ix, nm) : NULL;
}

/* ---- JSON --------------------------------------------------------------- */

/*
 * Parse a member as JSON after a bounded look: at most IMAGE_JSON_MAX
 * bytes and IMAGE_JSON_DEPTH levels of [ and { (counted outside strings),
 * so jansson's recursion never goes deep.  NULL with why in *why.
 */
static json_t *json_member(const struct member *m, const char **why)
{
    unsigned depth = 0;
    bool str = false, esc = false;
    if(!m->p) {
        *why = "empty";
        return NULL;
    }
    if(m->n > IMAGE_JSON_MAX) {
        *why = "larger than 4 MiB";
        return NULL;
    }
    for(size_t i = 0; i < m->n; i++) {
        uint8_t ch = m->p[i];
        if(str) {
            if(esc)
                esc = false;
            else if(ch == '\\')
                esc = true;
            else if(ch == '"')
                str = false;
        } else if(ch == '"') {
            str = true;
        } else if(ch == '[' || ch == '{') {
            if(++depth > IMAGE_JSON_DEPTH) {
                *why = "nested too deep";
                return NULL;
            }
        } else if((ch == ']' || ch == '}') && depth) {
            depth--;
        }
    }
    json_error_t err;
    json_t *j = json_loadb((const char *)m->p, m->n, JSON_REJECT_DUPLICATES,
                           &err);
    if(!j)
        *why = "not valid JSON";
    return j;
}

/* A string member of a JSON object, or NULL. */
static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* "sha256:" + 64 lowercase hex digits? */
static bool good_digest(const char *d)
{
    if(!d || strncmp(d, "sha256:", 7) || strlen(d) != 71)
        return false;
    for(size_t i = 7; i < 71; i++) {
        if(!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
            return false;
    }
    return true;
}

/* Copy at most cap-1 bytes of s, not cutting a UTF-8 sequence. */
static void copy_cut(char *out, size_t cap, const char *s)
{
    size_t k = strlen(s);
    if(k >= cap) {
        k = cap - 1;
        while(k && ((unsigned char)s[k] & 0xc0) == 0x80)
            k--;
    }
    memcpy(out, s, k);
    out[k] = 0;
}

/* ---- what one image is -------------------------------------------------- */

struct layer {
    const uint8_t *p;
    size_t n;
    char digest[DIGEST_MAX];
    bool bad;             /* not a tar: warned in pass 1, skipped in 2 */
};

struct image {
    char ref[IMAGE_REF_MAX];      /* shown before every path */
    char name[IMAGE_REF_MAX];     /* container.image.name */
    char tag[128];                /* container.image.tag ("" none) */
    char hash[DIGEST_MAX];        /* container.image.hash.all */
    struct layer layer[IMAGE_LAYERS_MAX];
    size_t nlayers;
};

/* "reg:5000/a/b:1.0" -> name "reg:5000/a/b", tag "1.0"; a digest
 * reference ("a@sha256:...") has no tag. */
static void split_ref(struct image *im)
{
    copy_cut(im->name, sizeof(im->name), im->ref);
    im->tag[0] = 0;
    char *at = strchr(im->name, '@');
    if(at) {
        *at = 0;
        return;
    }
    char *slash = strrchr(im->name, '/');
    char *colon = strrchr(slash ? slash : im->name, ':');
    if(colon && colon[1]) {
        copy_cut(im->tag, sizeof(im->tag), colon + 1);
        *colon = 0;
    }
}

/* The walk's state, for one tar. */
struct walk {
    struct kobj *obj;
    struct index ix;
    struct image *im;
};

/* Append the layer blob `bn` (a member name) with `digest` (may be NULL
 * or bad: then sha256 of its bytes); false when the image is not to be
 * scanned (a warning was given). */
static bool add_layer(struct walk *w, const char *bn, const char *digest)
{
    struct image *im = w->im;
    struct kctx *c = w->obj->ctx;
    char nb[24];
    const struct member *m = index_get(&w->ix, bn);
    if(!m || !m->p) {
        ctx_warn(c, w->obj->path, KENSA_EFORMAT, KMSG_IMAGE_BLOB, im->ref,
                 bn);
        return true;   /* the others are still worth a look */
    }
    for(size_t i = 0; i < im->nlayers; i++) {
        if(im->layer[i].p == m->p) {
            ctx_warn(c, w->obj->path, KENSA_EFORMAT, KMSG_IMAGE_LAYER_TWICE,
                     im->ref, bn);
            return true;
        }
    }
    if(im->nlayers == IMAGE_LAYERS_MAX) {
        ctx_warn(c, w->obj->path, KENSA_ELIMIT, KMSG_IMAGE_LIMIT, im->ref,
                 kmsg_u64(nb, IMAGE_LAYERS_MAX), "layers");
        return false;
    }
    struct layer *l = &im->layer[im->nlayers++];
    *l = (struct layer){ .p = m->p, .n = m->n };
    if(good_digest(digest)) {
        copy_cut(l->digest, sizeof(l->digest), digest);
    } else {
        char hex[65];
        /* the _mapped variant drops pages: only for a file mapping */
        if(w->obj->mapped)
            sha256_hex_mapped(m->p, m->n, hex);
        else
            sha256_hex(m->p, m->n, hex);
        snprintf(l->digest, sizeof(l->digest), "sha256:%s", hex);
    }
    return true;
}

/* The image's id: sha256 of its config blob (what docker calls the image
 * id), or "" when the config is missing. */
static void config_hash(struct walk *w, const char *cfg, char *out,
                        size_t cap)
{
    const struct member *m = cfg ? index_get(&w->ix, cfg) : NULL;
    out[0] = 0;
    if(m && m->p) {
        char hex[65];
        sha256_hex(m->p, m->n, hex);
        snprintf(out, cap, "sha256:%s", hex);
    }
}

static void scan_image(struct walk *w);

/* docker save: [{"Config": "...", "RepoTags": ["a:b"], "Layers": [...]}].
 * Returns how many images were scanned; -1 when the manifest is not one
 * (scan the tar as a plain tar). */
static int docker_save(struct walk *w, json_t *man)
{
    struct kctx *c = w->obj->ctx;
    int scanned = 0;
    char nb[24];
    size_t i;
    json_t *e;

    if(!json_is_array(man) || !json_array_size(man))
        return -1;
    json_array_foreach(man, i, e) {
        if(!json_is_object(e) || !json_is_array(json_object_get(e, "Layers")))
            return scanned ? scanned : -1;
    }
    json_array_foreach(man, i, e) {
        if(i == IMAGE_IMAGES_MAX) {
            ctx_warn(c, w->obj->path, KENSA_ELIMIT, KMSG_IMAGE_LIMIT,
                     "manifest.json", kmsg_u64(nb, IMAGE_IMAGES_MAX),
                     "images");
            break;
        }
        struct image *im = w->im;
        memset(im, 0, sizeof(*im));
        const char *cfg = jstr(e, "Config");
        config_hash(w, cfg, im->hash, sizeof(im->hash));
        const char *tag = json_string_value(
            json_array_get(json_object_get(e, "RepoTags"), 0));
        copy_cut(im->ref, sizeof(im->ref), tag && *tag ? tag :
                 im->hash[0] ? im->hash : "image");
        split_ref(im);
        if(!tag || !*tag)
            im->tag[0] = 0;
        /* the layers' digests: their blob names (docker 25+), else the
         * config's rootfs.diff_ids, else their hash */
        json_t *cj = NULL;
        const struct member *cm = cfg ? index_get(&w->ix, cfg) : NULL;
        const char *why;
        if(cm && cm->p)
            cj = json_member(cm, &why);
        json_t *diff = json_object_get(json_object_get(cj, "rootfs"),
                                       "diff_ids");
        json_t *ls = json_object_get(e, "Layers");
        size_t k;
        json_t *le;
        bool go = true;
        json_array_foreach(ls, k, le) {
            const char *bn = json_string_value(le);
            if(!bn)
                continue;
            char dg[DIGEST_MAX] = "";
            if(!strncmp(bn, "blobs/sha256/", 13) && strlen(bn) == 77)
                snprintf(dg, sizeof(dg), "sha256:%s", bn + 13);
            else if(json_string_value(json_array_get(diff, k)))
                copy_cut(dg, sizeof(dg),
                         json_string_value(json_array_get(diff, k)));
            if(!(go = add_layer(w, bn, dg)))
                break;
        }
        json_decref(cj);
        if(go) {
            scan_image(w);
            scanned++;
        }
    }
    return scanned;
}

#define MT_INDEX_OCI "application/vnd.oci.image.index.v1+json"
#define MT_INDEX_DOCKER \
    "application/vnd.docker.distribution.manifest.list.v2+json"

/* The member holding blob `digest`, or NULL. */
static const struct member *oci_blob(struct walk *w, const char *digest,
                                     char *bn, size_t cap)
{
    if(!good_digest(digest))
        return NULL;
    snprintf(bn, cap, "blobs/sha256/%s", digest + 7);
    return index_get(&w->ix, bn);
}

/* The descriptors of an OCI index (index.json or a nested one): each
 * manifest scanned as an image, a nested index followed once.  *budget
 * counts the images left. */
static void oci_index(struct walk *w, json_t *idx, unsigned depth,
                      const char *ref_up, int *budget)
{
    struct kctx *c = w->obj->ctx;
    json_t *ms = json_object_get(idx, "manifests");
    size_t i;
    json_t *d;
    char nb[24];

    json_array_foreach(ms, i, d) {
        const char *dg = jstr(d, "digest"), *mt = jstr(d, "mediaType");
        const char *ref = jstr(json_object_get(d, "annotations"),
                               "io.containerd.image.name");
        if(!ref)
            ref = jstr(json_object_get(d, "annotations"),
                       "org.opencontainers.image.ref.name");
        if(!ref)
            ref = ref_up;
        char bn[96];
        const struct member *m = oci_blob(w, dg, bn, sizeof(bn));
        if(!m || !m->p) {
            ctx_warn(c, w->obj->path, KENSA_EFORMAT, KMSG_IMAGE_BLOB,
                     "index.json", dg && good_digest(dg) ? dg : "(bad digest)");
            continue;
        }
        const char *why;
        json_t *mj = json_member(m, &why);
        if(!mj) {
            ctx_warn(c, w->obj->path, KENSA_EFORMAT, KMSG_IMAGE_MANIFEST,
                     dg, why);
            continue;
        }
        if((mt && (!strcmp(mt, MT_INDEX_OCI) || !strcmp(mt, MT_INDEX_DOCKER)))
           || json_is_array(json_object_get(mj, "manifests"))) {
            if(depth < 2)
                oci_index(w, mj, depth + 1, ref, budget);
            json_decref(mj);
            continue;
        }
        if(*budget <= 0) {
            ctx_warn(c, w->obj->path, KENSA_ELIMIT, KMSG_IMAGE_LIMIT,
                     "index.json", kmsg_u64(nb, IMAGE_IMAGES_MAX), "images");
            json_decref(mj);
            return;
        }
        (*budget)--;
        struct image *im = w->im;
        memset(im, 0, sizeof(*im));
        const char *cdg = jstr(json_object_get(mj, "config"), "digest");
        if(good_digest(cdg))
            copy_cut(im->hash, sizeof(im->hash), cdg);
        copy_cut(im->ref, sizeof(im->ref), ref && *ref ? ref :
                 im->hash[0] ? im->hash : dg);
        split_ref(im);
        if(!ref || !*ref)
            im->tag[0] = 0;
        size_t k;
        json_t *ld;
        bool go = true;
        json_array_foreach(json_object_get(mj, "layers"), k, ld) {
            const char *ldg = jstr(ld, "digest");
            char lbn[96];
            if(!good_digest(ldg)) {
                ctx_warn(c, w->obj->path, KENSA_EFORMAT, KMSG_IMAGE_BLOB,
                         im->ref, "(bad digest)");
                continue;
            }
            (void)oci_blob(w, ldg, lbn, sizeof(lbn));
            if(!(go = add_layer(w, lbn, ldg)))
                break;
        }
        json_decref(mj);
        if(go)
            scan_image(w);
    }
}

/* ---- whiteouts: which copy of each path the image shows ------------------ */

/* One path seen in the layers.  Layers are numbered from 0 (the first);
 * -1: never. */
struct pent {
    uint32_t off, len, hash;
    int32_t file_layer;   /* the shown copy's layer (or a later layer's
                             non-folder holding the path) */
    uint32_t file_ord;    /* its ordinal among that layer's files;
                             UINT32_MAX: not a regular file */
    int32_t wh_layer;     /* latest layer deleting it (.wh.NAME) */
    int32_t opq_layer;    /* latest layer making it opaque */
};

struct pset {
    struct pent *slot;    /* open addressing, PSET_SLOTS */
    char *names;          /* grows by doubling up to IMAGE_NAMES_MAX */
    size_t nnames, capnames, n;
    bool full;
};
#define PSET_SLOTS (IMAGE_PATHS_MAX * 2)

static uint32_t fnv(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for(size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h ? h : 1;
}

/* The entry of s[0..n), made when `make` (NULL when full or absent). */
static struct pent *pset_get(struct pset *ps, const char *s, size_t n,
                             bool make)
{
    uint32_t h = fnv(s, n);
    size_t i = h & (PSET_SLOTS - 1);
    for(;;) {
        struct pent *e = &ps->slot[i];
        if(!e->hash)
            break;
        if(e->hash == h && e->len == n && !memcmp(ps->names + e->off, s, n))
            return e;
        i = (i + 1) & (PSET_SLOTS - 1);
    }
    if(!make)
        return NULL;
    if(ps->n == IMAGE_PATHS_MAX || ps->nnames + n > IMAGE_NAMES_MAX) {
        ps->full = true;
        return NULL;
    }
    if(ps->nnames + n > ps->capnames) {
        size_t nc = ps->capnames ? ps->capnames * 2 : 65536;
        while(nc < ps->nnames + n)
            nc *= 2;
        if(nc > IMAGE_NAMES_MAX)
            nc = IMAGE_NAMES_MAX;
        char *nn = realloc(ps->names, nc);
        if(!nn) {
            ps->full = true;
            return NULL;
        }
        ps->names = nn;
        ps->capnames = nc;
    }
    memcpy(ps->names + ps->nnames, s, n);
    struct pent *e = &ps->slot[i];
    *e = (struct pent){ (uint32_t)ps->nnames, (uint32_t)n, h, -1,
                        UINT32_MAX, -1, -1 };
    ps->nnames += n;
    ps->n++;
    return e;
}

/*
 * A member's path inside the image: "./opt//app/x.jar" -> "/opt/app/x.jar"
 * in out; false for a path that climbs out (".."), is empty (the root),
 * too long, or too deep.
 */
static bool image_path(const char *in, char *out, size_t cap)
{
    unsigned parts = 0;
    if(!blob_name(in, out + 1, cap - 1))
        return false;
    out[0] = '/';
    for(const char *s = out; *s; s++)
        parts += *s == '/';
    return parts <= IMAGE_DEPTH_MAX;
}

/* Is the copy of path p[0..n) in layer i hidden by a later layer: the
 * path, or one of its folders, deleted; one of its folders opaque or
 * replaced by a file? */
static bool hidden(struct pset *ps, const char *p, size_t n, int32_t i)
{
    struct pent *r = pset_get(ps, "/", 1, false);
    if(r && r->opq_layer > i && n > 1)
        return true;                   /* the root made opaque */
    for(size_t k = n; k > 0; k--) {
        if(k != n && p[k] != '/')
            continue;
        struct pent *e = pset_get(ps, p, k, false);
        if(!e)
            continue;
        if(e->wh_layer > i)
            return true;
        if(k != n && (e->opq_layer > i || e->file_layer > i))
            return true;
    }
    return false;
}

/* Pass 1 state for one layer. */
struct scan1 {
    struct pset *ps;
    int32_t layer;
    uint32_t ord;          /* regular files so far */
    /* a whiteout is recorded with its layer at once: the `> i` tests
     * keep it from acting on its own layer's files */
    bool bad_path;         /* a name climbing out: warned once */
    char first_bad[256];
};

static bool pass1_entry(void *ud, const struct archive_tar_entry *e)
{
    struct scan1 *s = ud;
    char path[IMAGE_PATH_MAX];
    bool reg = e->type == 'f';
    uint32_t ord = reg ? s->ord++ : UINT32_MAX;
    if(!image_path(e->name, path, sizeof(path))) {
        if(strcmp(e->name, ".") && strcmp(e->name, "./") &&
           strcmp(e->name, "/") && !s->bad_path) {
            s->bad_path = true;
            copy_cut(s->first_bad, sizeof(s->first_bad), e->name);
        }
        return true;
    }
    size_t n = strlen(path);
    const char *base = strrchr(path, '/') + 1;
    if(!strncmp(base, ".wh.", 4)) {
        size_t dn = (size_t)(base - path) - 1;   /* the folder, "" = root */
        struct pent *t;
        if(!strcmp(base, ".wh..wh..opq")) {
            /* dn 0: the root made opaque, everything before is gone */
            t = dn ? pset_get(s->ps, path, dn, true)
                   : pset_get(s->ps, "/", 1, true);
            if(t && t->opq_layer < s->layer)
                t->opq_layer = s->layer;
            return true;
        }
        if(!strncmp(base, ".wh..wh.", 8))
            return true;               /* aufs bookkeeping */
        char tgt[IMAGE_PATH_MAX];
        size_t bl = strlen(base + 4);
        if(!bl || dn + 1 + bl >= sizeof(tgt))
            return true;
        memcpy(tgt, path, dn + 1);
        memcpy(tgt + dn + 1, base + 4, bl);
        t = pset_get(s->ps, tgt, dn + 1 + bl, true);
        if(t && t->wh_layer < s->layer)
            t->wh_layer = s->layer;
        return true;
    }
    if(e->type == 'd')
        return true;
    struct pent *t = pset_get(s->ps, path, n, false);
    if(t && t->file_layer > s->layer)
        return true;                   /* a later layer's copy shows */
    if(hidden(s->ps, path, n, s->layer))
        return true;
    if(!t)
        t = pset_get(s->ps, path, n, true);
    if(t) {
        t->file_layer = s->layer;      /* the last in this layer wins */
        t->file_ord = ord;
    }
    return true;
}

/* Pass 2 state for one layer: naming the members archive_tar_walk
 * scans. */
struct scan2 {
    struct pset *ps;
    const struct image *im;
    int32_t layer;
    uint32_t ord;
};

static bool pass2_name(void *ud, const char *name, char *out, size_t cap)
{
    struct scan2 *s = ud;
    char path[IMAGE_PATH_MAX];
    uint32_t ord = s->ord++;
    if(!image_path(name, path, sizeof(path)))
        return false;
    size_t n = strlen(path);
    const char *base = strrchr(path, '/') + 1;
    if(!strncmp(base, ".wh.", 4))
        return false;
    struct pent *t = pset_get(s->ps, path, n, false);
    if(t) {
        if(t->file_layer != s->layer || t->file_ord != ord)
            return false;
    } else if(hidden(s->ps, path, n, s->layer)) {
        return false;    /* not tracked (the set was full): decide now */
    }
    int k = snprintf(out, cap, "%s:%s", s->im->ref, path);
    return k > 0 && (size_t)k < cap;
}

/* Scan w->im: pass 1 (last layer to first), then pass 2 (first to last)
 * with the image and each layer in the members' context. */
static void scan_image(struct walk *w)
{
    struct image *im = w->im;
    struct kobj *obj = w->obj;
    struct kctx *c = obj->ctx;
    struct pset ps = { 0 };
    char nb[24], err[256];

    if(!im->nlayers)
        return;
    ps.slot = calloc(PSET_SLOTS, sizeof(*ps.slot));
    if(!ps.slot) {
        ctx_warn(c, obj->path, KENSA_ENOMEM, KMSG_OOM);
        goto out;
    }
    for(size_t i = im->nlayers; i-- > 0;) {
        struct scan1 s = { .ps = &ps, .layer = (int32_t)i };
        enum kensa_err rc = archive_tar_list(im->layer[i].p, im->layer[i].n,
                                             false, pass1_entry, &s,
                                             err, sizeof(err));
        if(rc) {
            ctx_warn(c, obj->path, rc, KMSG_IMAGE_LAYER, im->ref,
                     im->layer[i].digest, rc == KENSA_ENOMEM ?
                     "out of memory" : err);
            /* what it deleted was recorded: its files are not scanned */
            im->layer[i].bad = true;
        }
        if(s.bad_path)
            ctx_warn(c, obj->path, KENSA_EFORMAT, KMSG_IMAGE_PATH, im->ref,
                     s.first_bad);
    }
    if(ps.full)
        ctx_warn(c, obj->path, KENSA_ELIMIT, KMSG_IMAGE_PATHS, im->ref,
                 kmsg_u64(nb, IMAGE_PATHS_MAX));

    /* the image and the layer, for every finding under them */
    struct kensa_attr a_name = { .key = "container.image.name",
                                 .type = KENSA_ATTR_STR, .str = im->name };
    struct kensa_attr a_tag = { .key = "container.image.tag",
                                .type = KENSA_ATTR_STR, .str = im->tag };
    struct kensa_attr a_hash = { .key = "container.image.hash.all",
                                 .type = KENSA_ATTR_STR, .str = im->hash,
                                 .flags = KENSA_ATTR_LIST };
    const struct kctxattr *saved = obj->attrs;
    struct kctxattr n_name = { "container.image.name", im->name, saved,
                               &a_name, NULL, NULL };
    struct kctxattr n_tag = { "container.image.tag", im->tag, &n_name,
                              im->tag[0] ? &a_tag : NULL, NULL, NULL };
    struct kctxattr n_hash = { "container.image.hash.all", im->hash, &n_tag,
                               im->hash[0] ? &a_hash : NULL, NULL, NULL };
    for(size_t i = 0; i < im->nlayers; i++) {
        if(im->layer[i].bad)
            continue;
        struct kensa_attr a_layer = { .key = "kensa.image.layer",
                                      .type = KENSA_ATTR_STR,
                                      .str = im->layer[i].digest };
        struct kctxattr n_layer = { "kensa.image.layer", im->layer[i].digest,
                                    &n_hash, &a_layer, NULL, NULL };
        struct scan2 s = { .ps = &ps, .im = im, .layer = (int32_t)i };
        obj->attrs = &n_layer;
        (void)archive_tar_walk(obj, im->layer[i].p, im->layer[i].n,
                               im->layer[i].digest, pass2_name, &s);
        obj->attrs = saved;
        if(!ctx_charge(c, obj->path, 0))
            break;
    }
out:
    free(ps.slot);
    free(ps.names);
}

/* ---- the walk ----------------------------------------------------------- */

/*
 * Read the images w->ix describes (manifest.json, else oci-layout and
 * index.json) and scan each.  How many were scanned; -1 when it is no
 * image (*why says why when that is worth a warning about *what).
 */
static int image_manifests(struct walk *w, const char **what,
                           const char **why)
{
    int scanned = -1;
    json_t *j = NULL;
    *what = "manifest.json";
    *why = NULL;
    const struct member *m = index_get(&w->ix, "manifest.json");
    if(m) {
        if(!(j = json_member(m, why)))
            return -1;
        scanned = docker_save(w, j);
        json_decref(j);
        j = NULL;
    }
    if(scanned < 0 && index_get(&w->ix, "oci-layout")) {
        *what = "index.json";
        m = index_get(&w->ix, "index.json");
        if(!m) {
            *why = "missing";
            return -1;
        }
        if(!(j = json_member(m, why)))
            return -1;
        if(!json_is_array(json_object_get(j, "manifests"))) {
            *why = "no manifests";
            json_decref(j);
            return -1;
        }
        int budget = IMAGE_IMAGES_MAX;
        oci_index(w, j, 0, NULL, &budget);
        scanned = IMAGE_IMAGES_MAX - budget;
        json_decref(j);
    }
    return scanned;
}

static bool image_walk(struct kobj *obj)
{
    struct kctx *c = obj->ctx;
    struct walk w = { .obj = obj, .ix = { .dirfd = -1, .obj = obj } };
    uint64_t events0 = c->events;
    uint8_t key[32] = { 0 };
    char err[256], nb[24];
    int scanned = -1;
    const char *why = NULL, *what = "manifest.json";

    if(obj->depth == 0 && clean_seen_object(obj, key))
        return true;
    enum kensa_err rc = archive_tar_list(obj->data, obj->len, true,
                                         index_add, &w.ix, err, sizeof(err));
    if(rc == KENSA_ENOMEM) {
        why = "out of memory";
        goto plain;
    }
    if(w.ix.full)
        ctx_warn(c, obj->path, KENSA_ELIMIT, KMSG_IMAGE_LIMIT, obj->path,
                 kmsg_u64(nb, IMAGE_MEMBERS_MAX), "members");
    if(!(w.im = malloc(sizeof(*w.im)))) {
        why = "out of memory";
        goto plain;
    }
    scanned = image_manifests(&w, &what, &why);
    if(scanned < 0)
        goto plain;   /* a manifest.json that is no image's: quietly */
    free(w.im);
    index_free(&w.ix);
    if(c->events == events0)
        clean_add(c->s, key);
    return true;
plain:
    if(why)
        ctx_warn(c, obj->path, KENSA_EFORMAT, KMSG_IMAGE_MANIFEST, what, why);
    free(w.im);
    index_free(&w.ix);
    /* the tar it also is: walked as before this format existed (its
     * clean-cache key is the same bytes', so not asked again) */
    return format_archive.walk(obj);
}

bool image_dir_walk(struct kobj *obj, int dirfd)
{
    struct kctx *c = obj->ctx;
    struct walk w = { .obj = obj, .ix = { .dirfd = dirfd, .obj = obj } };
    const char *why = NULL, *what = "oci-layout";
    int scanned = -1;

    if(!(w.im = malloc(sizeof(*w.im)))) {
        ctx_warn(c, obj->path, KENSA_ENOMEM, KMSG_OOM);
        return false;
    }
    scanned = image_manifests(&w, &what, &why);
    if(scanned < 0 && !why) {
        what = "oci-layout";
        why = "missing (and no manifest.json)";
    }
    if(scanned < 0)
        ctx_warn(c, obj->path, KENSA_EFORMAT, KMSG_IMAGE_DIR, what, why);
    else if(w.ix.full)
        ctx_warn(c, obj->path, KENSA_ELIMIT, KMSG_IMAGE_LIMIT, obj->path,
                 "65536", "files");
    free(w.im);
    index_free(&w.ix);
    return scanned > 0;   /* none of its images could be read: said */
}

const struct format format_image = {
    .name = "image",
    .probe = image_probe,
    .container_head = NULL,
    .walk = image_walk,
};
