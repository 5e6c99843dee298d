/*
 * ioc.c - indicators of compromise on files: hashes (MD5, SHA-1,
 * SHA-256) and names and paths, from the intel pack (intel/iocs.tsv,
 * embedded) and the user's --iocs files, read by intel/iocload.c.
 *
 * Hashes come from the digest service, and only the algorithms some
 * loaded indicator uses, all in one pass, once per object: a pack
 * without SHA-1 indicators never computes SHA-1.  Names and paths are
 * matched on the path itself (kobj_system_path: the scanned system's
 * view under --root), never on content, by hashed look-up of the last
 * component (ioc_match_path): a file's own path meets whole-path,
 * folder, glob and masquerade indicators (dwm.exe anywhere but
 * System32); a member of an archive meets file names only.
 *
 * Network indicators (domains, addresses, URLs) are loaded and checked
 * here too, but matched in content by the YARA detector, which makes a
 * rule of them per threat (detect/yara.c, net_rules).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/finding.h"
#include "intel/iocload.h"
#include "intel/pack.h"

#define IOC_HITS_MAX 8

static void *ioc_init(const struct kensa_options *o, enum kensa_err *err)
{
    struct ioc_set *s = ioc_set_new();
    struct ioc_report r = { 0 };
    if(!s) {
        *err = KENSA_ENOMEM;
        return NULL;
    }
    if(!o->no_builtin_intel) {
        char *t = kensa_pack_text(kensa_pack_iocs, kensa_pack_iocs_len);
        *err = t ? ioc_parse(s, t, kensa_pack_iocs_len, "kensa", "unknown",
                             &r) : KENSA_ENOMEM;
        free(t);
        if(*err)
            goto fail;
    }
    for(size_t i = 0; i < o->n_ioc_files; i++) {
        struct ioc_report ur = { 0 };
        if((*err = ioc_load_file(s, o->ioc_files[i], &ur))) {
            if(*err == KENSA_ENOENT || *err == KENSA_EIO)
                *err = KENSA_EFORMAT;
            goto fail;
        }
    }
    if((*err = ioc_set_index(s)))
        goto fail;
    return s;
fail:
    ioc_set_free(s);
    return NULL;
}

static void ioc_fini(void *state)
{
    ioc_set_free(state);
}

static const char *const hash_keys[3] = {
    "threat.indicator.file.hash.md5", "threat.indicator.file.hash.sha1",
    "threat.indicator.file.hash.sha256",
};
static const char *const hash_names[3] = { "MD5", "SHA-1", "SHA-256" };

static void report(struct kobj *obj, const struct ioc *io, const char *what,
                   const char *hashkey, const char *hashval, bool is_hash,
                   const struct ioc *const *more, size_t nmore)
{
    struct kfind k;
    char rule[48];
    kfind_init(&k, "ioc", io->threat, KENSA_VERDICT_MALICIOUS,
               is_hash ? KENSA_SEV_CRITICAL : KENSA_SEV_HIGH);
    snprintf(rule, sizeof(rule), "ioc.%s", ioc_type_name(io->type));
    if(is_hash)
        kfind_msg(&k, KMSG_IOC_HASH, what, hashval, io->threat);
    else
        kfind_msg(&k, KMSG_IOC_PATH, ioc_type_name(io->type), io->threat,
                  io->value);
    k.f.rule = rule;
    kfind_ev(&k, KMSG_IOC_EV_SOURCE, io->source);
    /* scanned only because the path was named (scanner.c, path_hit) */
    const struct stat *st = obj->ctx->file_st;
    uint64_t maxf = obj->ctx->s->opts.limits.max_filesize;
    if(!is_hash && obj->depth == 0 && st &&
       (st->st_size == 0 || (maxf && (uint64_t)st->st_size > maxf)))
        kfind_ev(&k, KMSG_IOC_EV_CONTENT);
    /* the other path indicators the same path met */
    for(size_t i = 0; i < nmore; i++)
        kfind_ev(&k, KMSG_IOC_PATH, ioc_type_name(more[i]->type),
                 more[i]->threat, more[i]->value);
    kfind_str(&k, "rule.name", rule, 0);
    kfind_str(&k, "threat.indicator.type", "file", 0);
    if(hashkey)
        kfind_str(&k, hashkey, hashval, KENSA_ATTR_SHOW);
    else if(io->type == IOC_FILENAME || io->type == IOC_MASQUERADE)
        kfind_str(&k, "threat.indicator.file.name", io->value,
                  KENSA_ATTR_SHOW);
    else
        kfind_str(&k, "threat.indicator.file.path", io->value,
                  KENSA_ATTR_SHOW);
    kfind_str(&k, "threat.indicator.provider", io->source, 0);
    kfind_str(&k, "event.category", "malware", 0);
    ctx_report(obj, &k.f);
}

static void ioc_on_object(struct kobj *obj)
{
    struct ioc_set *s = detector_state(obj->ctx->s, &detector_ioc);
    if(!s)
        return;
    const struct ioc *hits[IOC_HITS_MAX];
    bool whole = obj->depth == 0;
    size_t nh = ioc_match_path(s, whole ? kobj_system_path(obj) :
                               (obj->name ? obj->name : obj->path), whole,
                               hits, IOC_HITS_MAX);
    if(nh)      /* one finding, the first indicator; the rest evidence */
        report(obj, hits[0], NULL, NULL, NULL, false, hits + 1, nh - 1);
    unsigned want = ioc_set_hashes(s);
    if(!want || !obj->data)
        return;
    /* one pass for every algorithm needed (IOC_* and KDIGEST_* agree) */
    if(!kobj_digests(obj, want))
        return;
    for(int a = IOC_MD5; a <= IOC_SHA256; a++) {
        if(!(want & (1u << a)))
            continue;
        const char *hex = kobj_digest_hex(obj, (enum kdigest)a);
        const struct ioc *io = hex ? ioc_find_hash(s, (enum ioc_type)a, hex) :
                               NULL;
        if(io)
            report(obj, io, hash_names[a], hash_keys[a], hex, true, NULL, 0);
    }
}

/* Path decisions for the clean cache: which entries the path matched. */
static uint32_t ioc_context(const struct kobj *obj)
{
    struct ioc_set *s = detector_state(obj->ctx->s, &detector_ioc);
    const struct ioc *hits[IOC_HITS_MAX];
    bool whole = obj->depth == 0;
    size_t nh = s ? ioc_match_path(s, whole ? kobj_system_path(obj) :
                                   (obj->name ? obj->name : obj->path),
                                   whole, hits, IOC_HITS_MAX) : 0;
    uint32_t h = 0;
    for(size_t i = 0; i < nh; i++)
        h = h * 31u + (uint32_t)(uintptr_t)hits[i];
    return h;
}

/* The scanner asks before skipping a file (empty, or past
 * --max-filesize): a file a path indicator names is scanned anyway. */
static bool ioc_path_hit(struct kensa_scanner *sc, void *state,
                         const char *path)
{
    const struct ioc *hits[1];
    (void)sc;
    return state && ioc_match_path(state, path, true, hits, 1) > 0;
}

_Static_assert((int)IOC_MD5 == (int)KDIGEST_MD5 && (int)IOC_SHA1 == (int)KDIGEST_SHA1 &&
               (int)IOC_SHA256 == (int)KDIGEST_SHA256, "one numbering for both");

const struct detector detector_ioc = {
    .name = "ioc",
    .on_object = ioc_on_object,
    .context = ioc_context,
    .path_hit = ioc_path_hit,
    .init = ioc_init,
    .fini = ioc_fini,
};
