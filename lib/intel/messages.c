/*
 * messages.c - the message catalog (lib/intel/messages.def) and its
 * renderer: a template in the chosen language with its numbered
 * arguments put in.  Arguments are copied as bytes, never interpreted; a
 * placeholder without its argument is written as it stands ("{3}"), so a
 * missing argument shows instead of crashing or shifting the others.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/messages.h"

static const struct msg {
    const char *key, *en, *ja;
} catalog[] = {
#define MSG(e, key, en, ja) { key, en, ja },
#include "intel/messages.def"
#undef MSG
};

_Static_assert(sizeof(catalog) / sizeof(catalog[0]) == KMSG_COUNT,
               "one catalog entry per id");

const char *kmsg_key(enum kmsg id)
{
    return (unsigned)id < KMSG_COUNT ? catalog[id].key : "";
}

size_t kmsg_unpack(const struct kmsg_args *m, const char *args[KMSG_MAX_ARGS])
{
    const char *a[KMSG_MAX_ARGS] = { m->a1, m->a2, m->a3, m->a4, m->a5, m->a6 };
    size_t n = 0;
    for(size_t i = 0; i < KMSG_MAX_ARGS; i++) {
        args[i] = a[i];
        if(a[i])
            n = i + 1;
    }
    return n;
}

const char *kmsg_u64(char buf[24], uint64_t v)
{
    snprintf(buf, 24, "%llu", (unsigned long long)v);
    return buf;
}

/* The catalog's indices sorted by key, built once: reports look up a
 * finding's message and evidence for every record. */
static uint16_t by_key[KMSG_COUNT];
static pthread_once_t by_key_once = PTHREAD_ONCE_INIT;

static int cmp_index(const void *a, const void *b)
{
    return strcmp(catalog[*(const uint16_t *)a].key,
                  catalog[*(const uint16_t *)b].key);
}

static void by_key_build(void)
{
    for(size_t i = 0; i < KMSG_COUNT; i++)
        by_key[i] = (uint16_t)i;
    qsort(by_key, KMSG_COUNT, sizeof(by_key[0]), cmp_index);
}

static const struct msg *find(const char *id)
{
    if(!id)
        return NULL;
    pthread_once(&by_key_once, by_key_build);
    size_t lo = 0, hi = KMSG_COUNT;
    while(lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(id, catalog[by_key[mid]].key);
        if(!c)
            return &catalog[by_key[mid]];
        if(c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

_Static_assert(KMSG_COUNT < 65536, "indices fit uint16_t");

size_t kensa_message_count(void)
{
    return KMSG_COUNT;
}

const char *kensa_message_id_at(size_t i)
{
    return i < KMSG_COUNT ? catalog[i].key : NULL;
}

const char *kensa_message_template(const char *id, enum kensa_lang lang)
{
    const struct msg *m = find(id);
    if(!m)
        return NULL;
    return lang == KENSA_LANG_JA ? m->ja : m->en;
}

/* ---- rendering --------------------------------------------------------- */

struct sink {
    char *p;
    size_t cap, len;   /* len: bytes the whole text needs */
};

static void put(struct sink *s, const char *b, size_t n)
{
    if(s->len < s->cap) {
        size_t room = s->cap - 1 - s->len;   /* keep one byte for the NUL */
        memcpy(s->p + s->len, b, n < room ? n : room);
    }
    s->len += n;
}

/* The template t with {N} from args, {e} and {s} from e and sys (left as
 * they stand when NULL). */
static size_t render(const char *t, const char *const *args, size_t nargs,
                     const char *e, const char *sys, char *out, size_t cap)
{
    struct sink s = { out, cap, 0 };
    while(*t) {
        size_t lit = strcspn(t, "{");
        put(&s, t, lit);
        t += lit;
        if(!*t)
            break;
        const char *val = NULL;
        size_t skip = 1;   /* the '{' alone, when it opens nothing */
        if((t[1] == 'e' || t[1] == 's') && t[2] == '}') {
            val = t[1] == 'e' ? e : sys;
            skip = 3;
        } else if(t[1] >= '1' && t[1] <= '9') {
            size_t n = 0, k = 1;
            while(t[k] >= '0' && t[k] <= '9' && n < 1000)
                n = n * 10 + (size_t)(t[k++] - '0');
            if(t[k] == '}') {
                skip = k + 1;
                val = n <= nargs && args ? args[n - 1] : NULL;
            }
        }
        if(val)
            put(&s, val, strlen(val));
        else
            put(&s, t, skip);
        t += skip;
    }
    if(cap)
        out[s.len < cap ? s.len : cap - 1] = '\0';
    return s.len;
}

size_t kensa_message_render(const char *id, const char *const *args,
                            size_t nargs, enum kensa_lang lang, char *out,
                            size_t cap)
{
    const char *t = kensa_message_template(id, lang);
    if(!t)
        t = id ? id : "";
    return render(t, args, nargs, NULL, NULL, out, cap);
}

/* Render into a buffer that grows to fit; the result is malloc'd or NULL. */
static char *render_alloc(const char *t, const char *const *args,
                          size_t nargs, const char *e, const char *sys)
{
    size_t n = render(t, args, nargs, e, sys, NULL, 0);
    char *p = malloc(n + 1);
    if(p)
        render(t, args, nargs, e, sys, p, n + 1);
    return p;
}

int kensa_message_print(FILE *out, const char *id, const char *const *args,
                        size_t nargs, enum kensa_lang lang)
{
    const char *t = kensa_message_template(id, lang);
    char *p = render_alloc(t ? t : id ? id : "", args, nargs, NULL, NULL);
    if(!p)
        return EOF;
    int rc = kensa_fputs_safe(p, out);
    free(p);
    return rc;
}

/* ---- errors in words ----------------------------------------------------- */

const char *kensa_strerror_lang(enum kensa_err err, enum kensa_lang lang)
{
    if(lang != KENSA_LANG_JA)
        return kensa_strerror(err);
    switch(err) {
    case KENSA_OK: return "エラーなし";
    case KENSA_ENOMEM: return "メモリー不足";
    case KENSA_EIO: return "入出力エラー";
    case KENSA_EFORMAT: return "形式が不正";
    case KENSA_ELIMIT: return "上限超過";
    case KENSA_EUNSUPPORTED: return "未対応の機能";
    case KENSA_EINVAL: return "引数が不正";
    case KENSA_ENOENT: return "見つかりません";
    case KENSA_ECHANGED: return "スキャン中に変更されました";
    }
    return "不明なエラー";
}

static const struct { int e; const char *ja; } sys_ja[] = {
    { EPERM, "操作が許可されていません" },
    { ENOENT, "ファイルまたはフォルダーがありません" },
    { EIO, "入出力エラー" },
    { ENXIO, "デバイスまたはアドレスがありません" },
    { ENOMEM, "メモリーが足りません" },
    { EACCES, "アクセスが拒否されました" },
    { EBUSY, "使用中です" },
    { ENOTDIR, "フォルダーではありません" },
    { EISDIR, "フォルダーです" },
    { EINVAL, "引数が不正です" },
    { ENFILE, "システムで開いているファイルが多すぎます" },
    { EMFILE, "開いているファイルが多すぎます" },
    { EFBIG, "ファイルが大きすぎます" },
    { ENOSPC, "デバイスに空き領域がありません" },
    { EROFS, "読み取り専用のファイルシステムです" },
    { EPIPE, "パイプが閉じられました" },
    { ENAMETOOLONG, "名前が長すぎます" },
    { ELOOP, "シンボリックリンクの階層が多すぎます" },
    { EOVERFLOW, "値が大きすぎます" },
    { ESTALE, "ファイルハンドルが古くなっています" },
    { EDQUOT, "ディスク使用量の上限を超えました" },
    { ENODEV, "デバイスがありません" },
    { EAGAIN, "一時的に利用できません" },
    { EINTR, "割り込みが発生しました" },
};

const char *kensa_syserror(int errnum, enum kensa_lang lang, char *buf,
                           size_t cap)
{
    if(lang == KENSA_LANG_JA) {
        for(size_t i = 0; i < sizeof(sys_ja) / sizeof(sys_ja[0]); i++) {
            if(sys_ja[i].e == errnum) {
                snprintf(buf, cap, "%s", sys_ja[i].ja);
                return buf;
            }
        }
        snprintf(buf, cap, "システムエラー %d", errnum);
        return buf;
    }
    char tmp[256];
    snprintf(buf, cap, "%s", strerror_r(errnum, tmp, sizeof(tmp)));
    return buf;
}

size_t kensa_warning_render(const struct kensa_warning *w,
                            enum kensa_lang lang, char *out, size_t cap)
{
    const char *t = w->id ? kensa_message_template(w->id, lang) : NULL;
    if(!t)   /* a warning from before ids, or an id this build lacks */
        return render(w->message ? w->message : "", NULL, 0, NULL, NULL,
                      out, cap);
    char sys[256];
    if(w->sys_errno > 0)
        kensa_syserror(w->sys_errno, lang, sys, sizeof(sys));
    return render(t, w->args, w->nargs, kensa_strerror_lang(w->err, lang),
                  w->sys_errno > 0 ? sys : NULL, out, cap);
}

char *kmsg_warning_alloc(const struct kensa_warning *w, enum kensa_lang lang)
{
    size_t n = kensa_warning_render(w, lang, NULL, 0);
    char *p = malloc(n + 1);
    if(p)
        kensa_warning_render(w, lang, p, n + 1);
    return p;
}
