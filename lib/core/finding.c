/*
 * finding.c - the finding model's helpers: the builder detectors use
 * (core/finding.h) and the public accessors of include/kensa/kensa.h
 * (kensa_finding_attr/str/message).
 */
#include <stdlib.h>
#include <string.h>

#include "core/finding.h"

void kfind_init(struct kfind *k, const char *detector, const char *threat,
                enum kensa_verdict v, enum kensa_severity sev)
{
    memset(&k->f, 0, sizeof(k->f));
    k->f.detector = detector;
    k->f.threat = threat;
    k->f.verdict = v;
    k->f.severity = sev;
    k->f.attrs = k->attrs;
    k->f.evidence = k->ev;
}

void kfind_message(struct kfind *k, const struct kmsg_args *m)
{
    size_t n = kmsg_unpack(m, k->margs);
    k->f.message.id = kmsg_key(m->id);
    k->f.message.args = k->margs;
    k->f.message.nargs = n;
    if(!k->f.rule)
        k->f.rule = k->f.message.id;
}

void kfind_evidence(struct kfind *k, const struct kmsg_args *m)
{
    size_t i = k->f.n_evidence;
    if(i >= KFIND_MAX_EVIDENCE)
        return;
    k->ev[i].nargs = kmsg_unpack(m, k->evargs[i]);
    k->ev[i].id = kmsg_key(m->id);
    k->ev[i].args = k->evargs[i];
    k->f.n_evidence++;
}

static struct kensa_attr *slot(struct kfind *k, const char *key,
                               enum kensa_attr_type t, unsigned flags)
{
    if(k->f.n_attrs >= KFIND_MAX_ATTRS)
        return NULL;
    struct kensa_attr *a = &k->attrs[k->f.n_attrs++];
    memset(a, 0, sizeof(*a));
    a->key = key;
    a->type = t;
    a->flags = flags;
    return a;
}

void kfind_str(struct kfind *k, const char *key, const char *val,
               unsigned flags)
{
    struct kensa_attr *a;
    if(val && *val && (a = slot(k, key, KENSA_ATTR_STR, flags)))
        a->str = val;
}

void kfind_num(struct kfind *k, const char *key, int64_t val,
               unsigned flags)
{
    struct kensa_attr *a = slot(k, key, KENSA_ATTR_NUM, flags);
    if(a)
        a->num = val;
}

void kfind_bool(struct kfind *k, const char *key, bool val, unsigned flags)
{
    struct kensa_attr *a = slot(k, key, KENSA_ATTR_BOOL, flags);
    if(a)
        a->num = val;
}

void kfind_float(struct kfind *k, const char *key, double val,
                 unsigned flags)
{
    struct kensa_attr *a = slot(k, key, KENSA_ATTR_FLOAT, flags);
    if(a)
        a->real = val;
}

/* ---- public accessors ---------------------------------------------------- */

const struct kensa_attr *kensa_finding_attr(const struct kensa_finding *f,
                                            const char *key)
{
    for(size_t i = 0; f && key && i < f->n_attrs; i++) {
        if(f->attrs[i].key && !strcmp(f->attrs[i].key, key))
            return &f->attrs[i];
    }
    return NULL;
}

const char *kensa_finding_str(const struct kensa_finding *f, const char *key)
{
    const struct kensa_attr *a = kensa_finding_attr(f, key);
    return a && a->type == KENSA_ATTR_STR ? a->str : NULL;
}

char *kensa_finding_message(const struct kensa_finding *f,
                            enum kensa_lang lang)
{
    char small[256];
    if(!f->message.id)
        return strdup("");
    size_t n = kensa_message_render(f->message.id, f->message.args,
                                    f->message.nargs, lang, small,
                                    sizeof(small));
    char *s = malloc(n + 1);
    if(!s)
        return NULL;
    if(n < sizeof(small))
        memcpy(s, small, n + 1);
    else
        kensa_message_render(f->message.id, f->message.args,
                             f->message.nargs, lang, s, n + 1);
    return s;
}
