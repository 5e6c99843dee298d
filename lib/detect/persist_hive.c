/*
 * persist_hive.c - Run/RunOnce values and services from offline Windows
 * registry hives (SOFTWARE, NTUSER.DAT, SYSTEM), read with libregf
 * (Debian libregf-dev; a static archive ships, so `make static` keeps
 * it).  Only a few keys are visited:
 *   SOFTWARE:   Microsoft\Windows\CurrentVersion\Run, RunOnce, and their
 *               WOW6432Node twins;
 *   NTUSER.DAT: Software\Microsoft\Windows\CurrentVersion\Run, RunOnce;
 *   SYSTEM:     ControlSet<Select\Current>\Services\*\ImagePath (at most
 *               HIVE_SERVICES_MAX services);
 *   UsrClass.dat: CLSID\*\InprocServer32 and LocalServer32 (Default);
 *   SOFTWARE's TaskCache (pst_taskcache): Tree (bounded depth and count),
 *               each task's Id and SD, Tasks\{Id}\Actions, a COM
 *               handler's class through Classes\CLSID.
 * Each string value (REG_SZ, REG_EXPAND_SZ) becomes an entry whose
 * `where` is its key path and value name.  libregf reads the bytes the
 * engine holds through an I/O handle of ours (mem_* below) rather than
 * libbfio's memory range: libbfio 20170123's range copies a whole read
 * past the end of the range when it starts at the end (fuzz_persist: a
 * hive bin at the end of a hostile hive made libregf read 4 KiB past the
 * buffer); ours clamps every read to the bytes there are.  The hive is
 * not opened again.  libregf does not replay the .LOG1/.LOG2
 * transaction logs of a dirty hive.  Without libregf at build time,
 * pst_hive() reads nothing and says so.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>

#include "detect/persist_parse.h"

#ifdef KENSA_HAVE_LIBREGF
#include <libbfio.h>
#include <libregf.h>

/* The hive's bytes as a libbfio I/O handle: reads clamped to the end. */
struct mem {
    const uint8_t *p;
    size_t n, off;
    int open;
};

static int mem_free(intptr_t **h, libbfio_error_t **e)
{
    (void)e;
    *h = NULL;   /* not managed by libbfio: the struct is on our stack */
    return 1;
}

static int mem_clone(intptr_t **d, intptr_t *h, libbfio_error_t **e)
{
    (void)d;
    (void)h;
    (void)e;
    return -1;
}

static int mem_open(intptr_t *h, int flags, libbfio_error_t **e)
{
    (void)e;
    struct mem *m = (struct mem *)h;
    if(flags & LIBBFIO_ACCESS_FLAG_WRITE)
        return -1;
    m->open = 1;
    m->off = 0;
    return 1;
}

static int mem_close(intptr_t *h, libbfio_error_t **e)
{
    (void)e;
    ((struct mem *)h)->open = 0;
    return 0;
}

static ssize_t mem_read(intptr_t *h, uint8_t *buf, size_t size,
                        libbfio_error_t **e)
{
    (void)e;
    struct mem *m = (struct mem *)h;
    if(!m->open || m->off >= m->n)
        return 0;
    size_t k = m->n - m->off < size ? m->n - m->off : size;
    if(k > SSIZE_MAX)
        k = SSIZE_MAX;
    memcpy(buf, m->p + m->off, k);
    m->off += k;
    return (ssize_t)k;
}

static ssize_t mem_write(intptr_t *h, const uint8_t *buf, size_t size,
                         libbfio_error_t **e)
{
    (void)h;
    (void)buf;
    (void)size;
    (void)e;
    return -1;
}

static off64_t mem_seek(intptr_t *h, off64_t off, int whence,
                        libbfio_error_t **e)
{
    (void)e;
    struct mem *m = (struct mem *)h;
    off64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ?
                   (off64_t)m->off : whence == SEEK_END ? (off64_t)m->n : -1;
    if(base < 0 || (off < 0 && -off > base) ||
       (off > 0 && off > INT64_MAX - base))
        return -1;
    m->off = (size_t)(base + off);
    return base + off;
}

static int mem_exists(intptr_t *h, libbfio_error_t **e)
{
    (void)h;
    (void)e;
    return 1;
}

static int mem_is_open(intptr_t *h, libbfio_error_t **e)
{
    (void)e;
    return ((struct mem *)h)->open;
}

static int mem_size(intptr_t *h, size64_t *size, libbfio_error_t **e)
{
    (void)e;
    *size = ((struct mem *)h)->n;
    return 1;
}

#define HIVE_SERVICES_MAX 4096
#define HIVE_VALUES_MAX 256

static libregf_key_t *sub(libregf_key_t *k, const char *path)
{
    libregf_key_t *s = NULL;
    libregf_error_t *e = NULL;
    if(libregf_key_get_sub_key_by_utf8_path(k, (const uint8_t *)path,
                                            strlen(path), &s, &e) != 1)
        s = NULL;
    libregf_error_free(&e);
    return s;
}

/* How many sub keys k has, at most HIVE_SERVICES_MAX (out->truncated
 * set past it). */
static int subkeys(libregf_key_t *k, struct pst_list *out)
{
    libregf_error_t *e = NULL;
    int n = 0;
    if(libregf_key_get_number_of_sub_keys(k, &n, &e) != 1)
        n = 0;
    libregf_error_free(&e);
    if(n > HIVE_SERVICES_MAX) {
        n = HIVE_SERVICES_MAX;
        out->truncated = true;
    }
    return n;
}

/* The string data of value v into out (cap), or false. */
static bool string_of(libregf_value_t *v, char *out, size_t cap)
{
    libregf_error_t *e = NULL;
    uint32_t type = 0;
    size_t size = 0;
    bool ok = libregf_value_get_value_type(v, &type, &e) == 1 &&
              (type == LIBREGF_VALUE_TYPE_STRING ||
               type == LIBREGF_VALUE_TYPE_EXPANDABLE_STRING) &&
              libregf_value_get_value_utf8_string_size(v, &size, &e) == 1 &&
              size > 0;
    if(ok && size > cap) {
        ok = false;   /* longer than a command we keep: cut by hand */
        char big[PST_CMD_MAX * 4];
        if(size <= sizeof(big) &&
           libregf_value_get_value_utf8_string(v, (uint8_t *)big, size,
                                               &e) == 1) {
            memcpy(out, big, cap - 1);
            out[cap - 1] = 0;
            ok = true;
        }
    } else if(ok) {
        ok = libregf_value_get_value_utf8_string(v, (uint8_t *)out, size,
                                                 &e) == 1;
    }
    libregf_error_free(&e);
    return ok;
}

static void add(struct pst_list *out, const char *where, const char *cmd,
                unsigned flags)
{
    if(pst_add(out, cmd, strlen(cmd), NULL, 0, 0, flags))
        out->e[out->n - 1].where = pst_keep(out, where, strlen(where));
}

/* Every string value of key `path` beneath root. */
static void run_values(libregf_key_t *root, const char *prefix,
                       const char *path, struct pst_list *out)
{
    libregf_key_t *k = sub(root, path);
    libregf_error_t *e = NULL;
    int n = 0;
    if(!k)
        return;
    if(libregf_key_get_number_of_values(k, &n, &e) != 1)
        n = 0;
    if(n > HIVE_VALUES_MAX) {
        n = HIVE_VALUES_MAX;
        out->truncated = true;
    }
    for(int i = 0; i < n; i++) {
        libregf_value_t *v = NULL;
        if(libregf_key_get_value(k, i, &v, &e) != 1)
            continue;
        char name[256] = "", cmd[PST_CMD_MAX], where[640];
        if(libregf_value_get_utf8_name(v, (uint8_t *)name, sizeof(name),
                                       &e) != 1)
            name[0] = 0;
        if(string_of(v, cmd, sizeof(cmd))) {
            snprintf(where, sizeof(where), "%s\\%s\\%s", prefix, path,
                     name[0] ? name : "(Default)");
            add(out, where, cmd, 0);
        }
        libregf_value_free(&v, NULL);
    }
    libregf_error_free(&e);
    libregf_key_free(&k, NULL);
}

static void services(libregf_key_t *root, struct pst_list *out)
{
    libregf_error_t *e = NULL;
    uint32_t current = 1;
    libregf_key_t *sel = sub(root, "Select");
    if(sel) {
        libregf_value_t *v = NULL;
        if(libregf_key_get_value_by_utf8_name(sel, (const uint8_t *)"Current",
                                              7, &v, &e) == 1) {
            if(libregf_value_get_value_32bit(v, &current, &e) != 1 ||
               current == 0 || current > 999)
                current = 1;
            libregf_value_free(&v, NULL);
        }
        libregf_key_free(&sel, NULL);
    }
    char path[64];
    snprintf(path, sizeof(path), "ControlSet%03u\\Services",
             (unsigned)current);
    libregf_key_t *svc = sub(root, path);
    int n = 0;
    if(!svc)
        goto out;
    n = subkeys(svc, out);
    for(int i = 0; i < n; i++) {
        libregf_key_t *s = NULL;
        libregf_value_t *v = NULL;
        if(libregf_key_get_sub_key(svc, i, &s, &e) != 1)
            continue;
        char name[256] = "", cmd[PST_CMD_MAX], where[640];
        if(libregf_key_get_utf8_name(s, (uint8_t *)name, sizeof(name),
                                     &e) != 1)
            name[0] = 0;
        if(libregf_key_get_value_by_utf8_name(s, (const uint8_t *)"ImagePath",
                                              9, &v, &e) == 1) {
            if(string_of(v, cmd, sizeof(cmd))) {
                snprintf(where, sizeof(where), "HKLM\\SYSTEM\\%s\\%s\\"
                         "ImagePath", path, name);
                add(out, where, cmd, PST_E_SERVICE);
            }
            libregf_value_free(&v, NULL);
        }
        libregf_key_free(&s, NULL);
    }
    libregf_key_free(&svc, NULL);
out:
    libregf_error_free(&e);
}

/* The value `name` of key k (binary or string) into buf (cap): its
 * size, 0 when absent or larger. */
static size_t data_of(libregf_key_t *k, const char *name, uint8_t *buf,
                      size_t cap)
{
    libregf_value_t *v = NULL;
    libregf_error_t *e = NULL;
    size_t size = 0;
    if(libregf_key_get_value_by_utf8_name(k, (const uint8_t *)name,
                                          strlen(name), &v, &e) == 1) {
        if(libregf_value_get_value_data_size(v, &size, &e) != 1 ||
           size > cap ||
           libregf_value_get_value_data(v, buf, size, &e) != 1)
            size = 0;
        libregf_value_free(&v, NULL);
    }
    libregf_error_free(&e);
    return size;
}

static bool has_value(libregf_key_t *k, const char *name)
{
    libregf_value_t *v = NULL;
    libregf_error_t *e = NULL;
    bool ok = libregf_key_get_value_by_utf8_name(k, (const uint8_t *)name,
                                                 strlen(name), &v, &e) == 1;
    libregf_value_free(&v, NULL);
    libregf_error_free(&e);
    return ok;
}

/* The (Default) string of key `path` beneath root into out, or false. */
static bool default_of(libregf_key_t *root, const char *path, char *out,
                       size_t cap)
{
    libregf_key_t *k = sub(root, path);
    libregf_value_t *v = NULL;
    libregf_error_t *e = NULL;
    bool ok = false;
    if(!k)
        return false;
    int n = 0;
    if(libregf_key_get_number_of_values(k, &n, &e) != 1)
        n = 0;
    for(int i = 0; i < n && i < HIVE_VALUES_MAX && !ok; i++) {
        size_t nl = 1;
        if(libregf_key_get_value(k, i, &v, &e) != 1)
            continue;
        /* the default value is the one without a name */
        if(libregf_value_get_utf8_name_size(v, &nl, &e) == 1 && nl <= 1)
            ok = string_of(v, out, cap);
        libregf_value_free(&v, NULL);
    }
    libregf_error_free(&e);
    libregf_key_free(&k, NULL);
    return ok;
}

/* The program of COM class `clsid` in classes key `base` ("Classes\\CLSID"
 * or "CLSID"): InprocServer32's or LocalServer32's (Default); the key
 * path it came from into where. */
static bool com_server(libregf_key_t *root, const char *base,
                       const char *clsid, char *out, size_t cap,
                       char *where, size_t wcap)
{
    static const char *const kinds[] = { "InprocServer32", "LocalServer32" };
    for(size_t i = 0; i < 2; i++) {
        snprintf(where, wcap, "%s\\%s\\%s", base, clsid, kinds[i]);
        if(default_of(root, where, out, cap) && out[0])
            return true;
    }
    return false;
}

/* The COM classes of a user's UsrClass.dat (HKCU\Software\Classes):
 * each CLSID's server program, a COM hijack when it overrides a
 * system class. */
static void classes(libregf_key_t *root, struct pst_list *out)
{
    libregf_key_t *c = sub(root, "CLSID");
    libregf_error_t *e = NULL;
    int n = 0;
    if(!c)
        return;
    n = subkeys(c, out);
    for(int i = 0; i < n; i++) {
        libregf_key_t *s = NULL;
        if(libregf_key_get_sub_key(c, i, &s, &e) != 1)
            continue;
        char name[256] = "", cmd[PST_CMD_MAX], path[640], where[700];
        if(libregf_key_get_utf8_name(s, (uint8_t *)name, sizeof(name),
                                     &e) == 1 &&
           com_server(root, "CLSID", name, cmd, sizeof(cmd), path,
                      sizeof(path))) {
            snprintf(where, sizeof(where), "HKCU\\Software\\Classes\\%s\\"
                     "(Default)", path);
            add(out, where, cmd, 0);
        }
        libregf_key_free(&s, NULL);
    }
    libregf_error_free(&e);
    libregf_key_free(&c, NULL);
}

/* An opened hive: libregf's file over our I/O handle. */
struct hive {
    libregf_file_t *f;
    libregf_key_t *root;
    libbfio_handle_t *io;
    struct mem m;
};

static void hive_close(struct hive *h)
{
    libregf_key_free(&h->root, NULL);
    if(h->f)
        libregf_file_close(h->f, NULL);
    libregf_file_free(&h->f, NULL);
    libbfio_handle_free(&h->io, NULL);
}

static bool hive_open(struct hive *h, const uint8_t *p, size_t n)
{
    libregf_error_t *e = NULL;
    libregf_file_t *f = NULL;
    memset(h, 0, sizeof(*h));
    h->m.p = p;
    h->m.n = n;
    if(!p || n < 4096 || memcmp(p, "regf", 4))
        return false;
    if(libbfio_handle_initialize(&h->io, (intptr_t *)&h->m, mem_free,
                                 mem_clone, mem_open, mem_close, mem_read,
                                 mem_write, mem_seek, mem_exists, mem_is_open,
                                 mem_size, 0, NULL) != 1 ||
       libregf_file_initialize(&f, &e) != 1)
        goto fail;
    if(libregf_file_open_file_io_handle(f, h->io, LIBREGF_OPEN_READ,
                                        &e) != 1) {
        libregf_file_free(&f, NULL);
        goto fail;
    }
    h->f = f;
    if(libregf_file_get_root_key(f, &h->root, &e) != 1)
        goto fail;
    libregf_error_free(&e);
    return true;
fail:
    libregf_error_free(&e);
    hive_close(h);
    return false;
}

bool pst_hive(const uint8_t *p, size_t n, enum pst_hive which,
              struct pst_list *out)
{
    struct hive h;
    if(!hive_open(&h, p, n))
        return false;
    libregf_key_t *root = h.root;
    switch(which) {
    case PST_HIVE_SOFTWARE:
        run_values(root, "HKLM\\SOFTWARE",
                   "Microsoft\\Windows\\CurrentVersion\\Run", out);
        run_values(root, "HKLM\\SOFTWARE",
                   "Microsoft\\Windows\\CurrentVersion\\RunOnce", out);
        run_values(root, "HKLM\\SOFTWARE",
                   "WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run", out);
        run_values(root, "HKLM\\SOFTWARE",
                   "WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\RunOnce",
                   out);
        break;
    case PST_HIVE_USER:
        run_values(root, "HKCU",
                   "Software\\Microsoft\\Windows\\CurrentVersion\\Run", out);
        run_values(root, "HKCU",
                   "Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce",
                   out);
        break;
    case PST_HIVE_SYSTEM:
        services(root, out);
        break;
    case PST_HIVE_CLASSES:
        classes(root, out);
        break;
    }
    hive_close(&h);
    return true;
}

#define TASKCACHE "Microsoft\\Windows NT\\CurrentVersion\\Schedule\\" \
                  "TaskCache"
#define ACTIONS_MAX (64u << 10)   /* one Actions value, at most */

struct walk {
    libregf_key_t *root;
    pst_task_fn fn;
    void *arg;
    bool *truncated;
    unsigned tasks;
    struct pst_list *l;
    uint8_t *blob;
};

/* One task of the Tree: its Id, SD and Tasks\{Id}\Actions. */
static void tree_task(struct walk *w, libregf_key_t *k, const char *path)
{
    char id[128] = "", tpath[200];
    struct pst_cached_task t = { .path = path, .id = id,
                                 .has_sd = has_value(k, "SD"),
                                 .actions = w->l };
    libregf_value_t *v = NULL;
    libregf_error_t *e = NULL;
    if(libregf_key_get_value_by_utf8_name(k, (const uint8_t *)"Id", 2, &v,
                                          &e) == 1) {
        if(!string_of(v, id, sizeof(id)))
            id[0] = 0;
        libregf_value_free(&v, NULL);
    }
    libregf_error_free(&e);
    pst_list_init(w->l);
    if(id[0] && strlen(id) < 100) {
        snprintf(tpath, sizeof(tpath), TASKCACHE "\\Tasks\\%s", id);
        libregf_key_t *tk = sub(w->root, tpath);
        if(tk) {
            size_t bl = data_of(tk, "Actions", w->blob, ACTIONS_MAX);
            if(bl) {
                t.has_actions = true;
                pst_task_actions(w->blob, bl, w->l);
            }
            libregf_key_free(&tk, NULL);
        }
        char where[300];
        snprintf(where, sizeof(where), "HKLM\\SOFTWARE\\%s\\Actions", tpath);
        for(size_t i = 0; i < w->l->n; i++) {
            struct pst_entry *en = &w->l->e[i];
            en->where = pst_keep(w->l, where, strlen(where));
            char prog[PST_CMD_MAX], cpath[640];
            if((en->flags & PST_E_COM) &&
               com_server(w->root, "Classes\\CLSID", en->cmd, prog,
                          sizeof(prog), cpath, sizeof(cpath))) {
                /* the class's program stands for the action */
                const char *c = pst_keep(w->l, prog, strlen(prog));
                if(c) {
                    en->raw = en->cmd;   /* the class id */
                    en->cmd = c;
                    en->prog = NULL;
                    en->flags = (en->flags & ~PST_E_COM) | PST_E_COM_SERVER;
                }
            }
        }
    }
    w->fn(w->arg, &t);
}

/* Folder `k` of the Tree at `path`, depth levels down. */
static void tree_walk(struct walk *w, libregf_key_t *k, const char *path,
                      unsigned depth)
{
    libregf_error_t *e = NULL;
    int n = 0;
    if(libregf_key_get_number_of_sub_keys(k, &n, &e) != 1)
        n = 0;
    for(int i = 0; i < n; i++) {
        if(w->tasks >= PST_TREE_TASKS) {
            *w->truncated = true;
            break;
        }
        libregf_key_t *s = NULL;
        if(libregf_key_get_sub_key(k, i, &s, &e) != 1)
            continue;
        char name[256] = "", sp[512];
        if(libregf_key_get_utf8_name(s, (uint8_t *)name, sizeof(name),
                                     &e) != 1)
            name[0] = 0;
        snprintf(sp, sizeof(sp), "%s\\%s", path, name);
        int subs = 0;
        if(libregf_key_get_number_of_sub_keys(s, &subs, &e) != 1)
            subs = 0;
        if(has_value(s, "Id")) {
            w->tasks++;
            tree_task(w, s, sp);
        } else if(subs > 0 && depth + 1 < PST_TREE_DEPTH) {
            tree_walk(w, s, sp, depth + 1);
        } else if(subs > 0) {
            *w->truncated = true;
        }
        libregf_key_free(&s, NULL);
    }
    libregf_error_free(&e);
}

bool pst_taskcache(const uint8_t *p, size_t n, pst_task_fn fn, void *arg,
                   bool *truncated)
{
    struct hive h;
    bool ok = false;
    if(!hive_open(&h, p, n))
        return false;
    struct walk w = { .root = h.root, .fn = fn, .arg = arg,
                      .truncated = truncated };
    libregf_key_t *tree = sub(h.root, TASKCACHE "\\Tree");
    w.l = malloc(sizeof(*w.l));
    w.blob = malloc(ACTIONS_MAX);
    if(tree && w.l && w.blob) {
        ok = true;
        tree_walk(&w, tree, "", 0);
    }
    libregf_key_free(&tree, NULL);
    free(w.l);
    free(w.blob);
    hive_close(&h);
    return ok;
}
#else
bool pst_taskcache(const uint8_t *p, size_t n, pst_task_fn fn, void *arg,
                   bool *truncated)
{
    (void)p;
    (void)n;
    (void)fn;
    (void)arg;
    (void)truncated;
    return false;
}

bool pst_hive(const uint8_t *p, size_t n, enum pst_hive which,
              struct pst_list *out)
{
    (void)p;
    (void)n;
    (void)which;
    (void)out;
    return false;
}
#endif
