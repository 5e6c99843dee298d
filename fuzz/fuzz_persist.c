/*
 * fuzz_persist.c - libFuzzer harness for the persistence readers and
 * rules (detect/persist_parse.h).  The first byte picks the reader
 * (crontab, system crontab, unit, desktop entry, udev rules, shell
 * script, authorized_keys, ld.so.preload, property list, scheduled
 * task, the three hives and UsrClass.dat through libregf, a TaskCache
 * Actions blob, a macOS login-item store (.btm, NSKeyedArchiver), the
 * TaskCache walk of a SOFTWARE hive, %variable% expansion, and the
 * replay of a dirty hive's transaction logs), the
 * rest is the file; every entry is then judged.  Every string
 * must come out NUL-terminated within its field, every entry's text
 * inside the list's arena, and nothing past the caps.
 */
#define _GNU_SOURCE   /* memmem */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/persist_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(const struct pst_list *l, const char *s)
{
    return s >= l->arena && s < l->arena + l->used &&
           memchr(s, 0, (size_t)(l->arena + l->used - s));
}

/* A TaskCache task: its strings inside its list, the list in bounds. */
static void on_task(void *arg, const struct pst_cached_task *t)
{
    unsigned *calls = arg;
    (*calls)++;
    if(!t->path || !t->id || t->actions->n > PST_MAX ||
       t->actions->used > sizeof(t->actions->arena))
        abort();
    for(size_t i = 0; i < t->actions->n; i++)
        if(!memchr(t->actions->e[i].cmd, 0, PST_CMD_MAX + 1))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pst_list l;
    if(!size)
        return 0;
    unsigned which = data[0] % 19;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    pst_list_init(&l);
    switch(which) {
    case 0: pst_crontab(p, n, false, &l); break;
    case 1: pst_crontab(p, n, true, &l); break;
    case 2: pst_keyvals(p, n, PST_KV_UNIT, &l); break;
    case 3: pst_keyvals(p, n, PST_KV_DESKTOP, &l); break;
    case 4: pst_keyvals(p, n, PST_KV_UDEV, &l); break;
    case 5: {
        size_t off = 0;
        unsigned rounds = 0;
        while(off < n) {
            pst_list_init(&l);
            size_t used = pst_shell(p + off, n - off, 0, &l);
            if(!used || used > n - off || ++rounds > n + 1)
                abort();   /* must consume, never overrun, end */
            off += used;
        }
        break;
    }
    case 6: pst_authkeys(p, n, &l); break;
    case 7: pst_preload(p, n, &l); break;
    case 8: pst_plist(data + 1, n, &l); break;
    case 9: pst_task(data + 1, n, &l); break;
    case 13: pst_task_actions(data + 1, n, &l); break;
    case 14: pst_btm(data + 1, n, &l); break;
    case 15: {
        bool truncated = false;
        unsigned calls = 0;
        pst_taskcache(data + 1, n, on_task, &calls, &truncated);
        if(calls > PST_TREE_TASKS)
            abort();
        break;
    }
    case 16: {
        static char d[PST_CMD_MAX];
        static char s[PST_CMD_MAX];
        size_t k = n < sizeof(s) - 1 ? n : sizeof(s) - 1;
        memcpy(s, p, k);
        s[k] = 0;
        size_t dl = pst_expand(s, k & 1 ? "user" : NULL, d,
                               1 + (k % sizeof(d)));
        if(dl >= 1 + (k % sizeof(d)) || strlen(d) != dl)
            abort();
        break;
    }
    case 18: {
        /* a hive and two logs: three parts split at the first two
         * "\n--\n" separators (else the whole as the hive) */
        const uint8_t *part[3] = { data + 1, NULL, NULL };
        size_t len[3] = { n, 0, 0 };
        for(int i = 0; i < 2; i++) {
            const uint8_t *q = memmem(part[i], len[i], "\n--\n", 4);
            if(!q)
                break;
            part[i + 1] = q + 4;
            len[i + 1] = len[i] - (size_t)(q + 4 - part[i]);
            len[i] = (size_t)(q - part[i]);
        }
        size_t outn = 0;
        unsigned applied = 0;
        uint8_t *h = pst_hive_replay(part[0], len[0], part + 1, len + 1, 2,
                                     &outn, &applied);
        if(h) {
            if(outn < 4096 || outn > PST_HIVE_MAX || !applied ||
               applied > PST_LOG_ENTRIES)
                abort();
            pst_hive(h, outn, PST_HIVE_SOFTWARE, &l);
            free(h);
        }
        break;
    }
    default:   /* hives, through libregf when built with it */
        pst_hive(data + 1, n, which == 10 ? PST_HIVE_SOFTWARE :
                 which == 11 ? PST_HIVE_USER : which == 12 ?
                 PST_HIVE_SYSTEM : PST_HIVE_CLASSES, &l);
        break;
    }
    if(l.n > PST_MAX || l.used > sizeof(l.arena) ||
       !memchr(l.label, 0, sizeof(l.label)))
        abort();
    for(size_t i = 0; i < l.n; i++) {
        const struct pst_entry *e = &l.e[i];
        if(!inside(&l, e->cmd) || strlen(e->cmd) > PST_CMD_MAX ||
           (e->where && !inside(&l, e->where)) ||
           (e->raw && !inside(&l, e->raw)) ||
           (e->prog && (!inside(&l, e->prog) ||
                        strlen(e->prog) > PST_CMD_MAX)))
            abort();
        struct pst_judged j;
        pst_judge(e, &j);
        if(!memchr(j.target, 0, sizeof(j.target)) ||
           !memchr(j.place, 0, sizeof(j.place)) ||
           !memchr(j.hidden, 0, sizeof(j.hidden)) ||
           !memchr(j.url, 0, sizeof(j.url)))
            abort();
        /* the patterns are kensa's own: a few stars at most */
        const char *st = e->cmd;
        unsigned stars = 0;
        while((st = strchr(st, '*')) && ++st)
            stars++;
        if(stars <= 3)
            pst_match(e->cmd, e->prog ? e->prog : e->cmd, i & 1);
        pst_win_exec_name(e->cmd);
    }
    return 0;
}
