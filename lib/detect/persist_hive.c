/*
 * persist_hive.c - Run/RunOnce values and services from offline Windows
 * registry hives (SOFTWARE, NTUSER.DAT, SYSTEM), read with libregf
 * (Debian libregf-dev; a static archive ships, so `make static` keeps
 * it).  Only a few keys are visited:
 *   SOFTWARE:   Microsoft\Windows\CurrentVersion\Run, RunOnce, and their
 *               WOW6432Node twins;
 *   NTUSER.DAT: Software\Microsoft\Windows\CurrentVersion\Run, RunOnce;
 *   SYSTEM:     ControlSet<Select\Current>\Services\*\ImagePath (at most
 *               HIVE_SERVICES_MAX services).
 * Each string value (REG_SZ, REG_EXPAND_SZ) becomes an entry whose
 * `where` is its key path and value name.  libregf reads the bytes the
 * engine holds, through a libbfio memory range (Debian libbfio-dev; the
 * hive is not opened again); it does not replay the .LOG1/.LOG2
 * transaction logs of a dirty hive.  Without libregf at build time,
 * pst_hive() reads nothing and says so.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "detect/persist_parse.h"

#ifdef KENSA_HAVE_LIBREGF
#include <libbfio.h>
#include <libregf.h>

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
    if(libregf_key_get_number_of_sub_keys(svc, &n, &e) != 1)
        n = 0;
    if(n > HIVE_SERVICES_MAX) {
        n = HIVE_SERVICES_MAX;
        out->truncated = true;
    }
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

bool pst_hive(const uint8_t *p, size_t n, enum pst_hive which,
              struct pst_list *out)
{
    libregf_file_t *f = NULL;
    libregf_key_t *root = NULL;
    libregf_error_t *e = NULL;
    libbfio_handle_t *io = NULL;
    bool ok = false;
    if(!p || n < 4096 || memcmp(p, "regf", 4))
        return false;
    /* libbfio wants a writable pointer; it only reads */
    if(libbfio_memory_range_initialize(&io, NULL) != 1 ||
       libbfio_memory_range_set(io, (uint8_t *)(uintptr_t)p, n, NULL) != 1)
        goto out;
    if(libregf_file_initialize(&f, &e) != 1)
        goto out;
    if(libregf_file_open_file_io_handle(f, io, LIBREGF_OPEN_READ, &e) != 1)
        goto out;
    if(libregf_file_get_root_key(f, &root, &e) != 1)
        goto close;
    ok = true;
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
    }
    libregf_key_free(&root, NULL);
close:
    libregf_file_close(f, NULL);
out:
    libregf_file_free(&f, NULL);
    libbfio_handle_free(&io, NULL);
    libregf_error_free(&e);
    return ok;
}
#else
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
