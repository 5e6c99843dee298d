/*
 * intel.c - the public face of the intel pack and the user's intel:
 * checking a --iocs file before a scan, listing the built-in YARA rules.
 * The rules' own check (it needs libyara) is in detect/yara.c.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/yara.h"
#include "intel/iocload.h"
#include "intel/pack.h"
#include "kensa/kensa.h"

enum kensa_err kensa_intel_check_iocs(const char *path,
                                      struct kensa_intel_error *e)
{
    memset(e, 0, sizeof(*e));
    e->file = path;
    struct ioc_set *s = ioc_set_new();
    if(!s)
        return KENSA_ENOMEM;
    struct ioc_report r = { 0 };
    enum kensa_err err = ioc_load_file(s, path, &r);
    e->line = r.line;
    e->why = r.why;
    e->loaded = r.loaded;
    e->rejected = r.rejected;
    e->rejected_line = r.first_line;
    e->rejected_why = r.first_why;
    memcpy(e->rejected_value, r.first, sizeof(e->rejected_value));
    e->rejected_value[sizeof(e->rejected_value) - 1] = 0;
    if(!err && !r.loaded && !r.rejected) {
        e->why = "intel.reason.empty";
        err = KENSA_EFORMAT;
    }
    ioc_set_free(s);
    return err;
}

char *kensa_pack_text(const unsigned char *masked, size_t len)
{
    char *t = malloc(len + 1);
    if(!t)
        return NULL;
    for(size_t i = 0; i < len; i++)
        t[i] = (char)(masked[i] ^ (uint8_t)(0xA5 + 131 * i));
    t[len] = 0;
    return t;
}

/* The rules' plain text, made once for the CLI's listing and export
 * (kept for the process's life). */
static char **rule_texts;
static pthread_once_t rule_once = PTHREAD_ONCE_INIT;

static void unmask_rules(void)
{
    struct kensa_options o;
    rule_texts = calloc(kensa_pack_n_rules + 2, sizeof(char *));
    for(size_t i = 0; rule_texts && i < kensa_pack_n_rules; i++)
        rule_texts[i] = kensa_pack_text(kensa_pack_rules[i].masked,
                                        kensa_pack_rules[i].len);
    /* last: the rule made of the pack's network indicators */
    kensa_options_default(&o);
    if(rule_texts)
        rule_texts[kensa_pack_n_rules] = yara_net_rules(&o);
}

const char *kensa_rules_builtin(size_t i, const char **text, size_t *len)
{
    pthread_once(&rule_once, unmask_rules);
    if(i > kensa_pack_n_rules || (i == kensa_pack_n_rules &&
                                  (!rule_texts || !rule_texts[i])))
        return NULL;
    const char *t = rule_texts && rule_texts[i] ? rule_texts[i] : "";
    if(text)
        *text = t;
    if(len)
        *len = strlen(t);
    return i < kensa_pack_n_rules ? kensa_pack_rules[i].name :
                                    YARA_NET_RULES_FILE;
}

size_t kensa_rules_builtin_names(size_t i, char *out, size_t cap)
{
    size_t o = 0;
    const char *t;
    if(!cap)
        return 0;
    out[0] = 0;
    if(!kensa_rules_builtin(i, &t, NULL))
        return 0;
    for(const char *p = t; (p = strstr(p, "rule ")); p += 5) {
        if(p != t && p[-1] != '\n')
            continue;
        const char *q = p + 5;
        size_t n = 0;
        while(isalnum((unsigned char)q[n]) || q[n] == '_')
            n++;
        if(n && o + n + 2 < cap) {
            memcpy(out + o, q, n);
            o += n;
            out[o++] = '\n';
            out[o] = 0;
        }
    }
    return o;
}
