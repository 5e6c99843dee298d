/*
 * milter_ppap.c - the PPAP store of `kensa milter` (milter.h): for each
 * envelope (sender and sorted recipients) whether a message with an
 * encrypted archive no candidate opened is being held (since when), and
 * the candidate passwords read from the mails that followed.  Bounded
 * (PPAP_ENTRIES entries of PPAP_PW passwords, keys of PPAP_KEY_MAX
 * bytes), expiring (`keep` seconds after an entry's last change), one
 * lock.  Optionally kept in a state file so that a restart keeps them:
 * one line per entry, every field hex-encoded (no byte of a mail is
 * written raw), written to a new file (O_EXCL, O_NOFOLLOW, 0600),
 * fsync'd and renamed over the old one; read back at start bounded
 * (1 MiB), a bad line skipped.
 */
#define _GNU_SOURCE
#include "milter.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAX (1u << 20)

struct pentry {
    char *key;
    time_t first_held;     /* 0: nothing held */
    time_t changed;
    size_t npw;
    char pw[PPAP_PW][KENSA_MAIL_PASSWORD_LEN + 1];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pentry ent[PPAP_ENTRIES];
static size_t nent;
static unsigned keep_s = 7200;
static char state[4096];

static void drop(size_t i)
{
    free(ent[i].key);
    ent[i] = ent[--nent];
    memset(&ent[nent], 0, sizeof(ent[nent]));
}

static void expire(time_t now)
{
    for(size_t i = 0; i < nent;)
        if(now - ent[i].changed > (time_t)keep_s)
            drop(i);
        else
            i++;
}

static struct pentry *find(const char *key, bool create, time_t now)
{
    expire(now);
    for(size_t i = 0; i < nent; i++)
        if(!strcmp(ent[i].key, key))
            return &ent[i];
    if(!create || strlen(key) > PPAP_KEY_MAX)
        return NULL;
    if(nent == PPAP_ENTRIES) {
        /* full: the oldest goes, passwords before held messages (a flood
         * of "PW:" mails must not restart a held message's wait) */
        size_t old = 0;
        for(size_t i = 1; i < nent; i++) {
            bool hi = ent[i].first_held != 0, ho = ent[old].first_held != 0;
            if(hi != ho ? !hi : ent[i].changed < ent[old].changed)
                old = i;
        }
        drop(old);
    }
    char *k = strdup(key);
    if(!k)
        return NULL;
    ent[nent] = (struct pentry){ .key = k, .changed = now };
    return &ent[nent++];
}

static void hex(FILE *f, const char *s)
{
    for(; *s; s++)
        fprintf(f, "%02x", (unsigned char)*s);
}

/* Write the store to `state` atomically; errors are left to the next
 * change (the store in memory stays right). */
static void save(void)
{
    char tmp[4200];
    if(!state[0])
        return;
    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", state, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600);
    /* one left by a kill -9 under the same pid (a container's milter
     * always has it) would stop every save: it goes (unlink never
     * follows a link), and O_EXCL still refuses what comes in between */
    if(fd < 0 && errno == EEXIST && !unlink(tmp))
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600);
    if(fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    if(!f) {
        close(fd);
        unlink(tmp);
        return;
    }
    fputs("kensa-milter-ppap 1\n", f);
    for(size_t i = 0; i < nent; i++) {
        fprintf(f, "%lld %lld ", (long long)ent[i].first_held,
                (long long)ent[i].changed);
        hex(f, ent[i].key);
        for(size_t p = 0; p < ent[i].npw; p++) {
            fputc(' ', f);
            hex(f, ent[i].pw[p]);
        }
        fputc('\n', f);
    }
    bool ok = !fflush(f) && !ferror(f) && !fsync(fileno(f));
    if(fclose(f) || !ok || rename(tmp, state))
        unlink(tmp);
}

/* Decode hex s[0..n) into out (cap bytes with the NUL); false if bad. */
static bool unhex(const char *s, size_t n, char *out, size_t cap)
{
    if(n % 2 || n / 2 >= cap)
        return false;
    for(size_t i = 0; i < n; i += 2) {
        unsigned v;
        if(sscanf(s + i, "%2x", &v) != 1 || !v)
            return false;
        out[i / 2] = (char)v;
    }
    out[n / 2] = 0;
    return true;
}

static void load(time_t now)
{
    /* O_NONBLOCK: a FIFO put there must not hang the start */
    int fd = open(state, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
                  O_NONBLOCK);
    struct stat st;
    if(fd < 0)
        return;
    if(fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > STATE_MAX) {
        close(fd);
        return;
    }
    FILE *f = fdopen(fd, "r");
    if(!f) {
        close(fd);
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    static char key[PPAP_KEY_MAX + 1];
    bool first = true;
    while((len = getline(&line, &cap, f)) > 0) {
        if(first) {
            first = false;
            if(strcmp(line, "kensa-milter-ppap 1\n"))
                break;
            continue;
        }
        long long held, changed;
        int off = 0;
        if(sscanf(line, "%lld %lld %n", &held, &changed, &off) != 2 || !off)
            continue;
        char *p = line + off;
        size_t kl = strcspn(p, " \n");
        if(!unhex(p, kl, key, sizeof(key)) || now - changed > (time_t)keep_s)
            continue;
        struct pentry *e = find(key, true, now);
        if(!e)
            continue;
        e->first_held = (time_t)held;
        e->changed = (time_t)changed;
        p += kl;
        while(*p == ' ' && e->npw < PPAP_PW) {
            p++;
            size_t pl = strcspn(p, " \n");
            if(unhex(p, pl, e->pw[e->npw], sizeof(e->pw[0])))
                e->npw++;
            p += pl;
        }
    }
    free(line);
    fclose(f);
}

bool ppap_init(const char *state_file, unsigned keep, char *why,
               size_t whycap)
{
    keep_s = keep;
    state[0] = 0;
    if(state_file && *state_file) {
        if(strlen(state_file) > sizeof(state) - 64) {
            snprintf(why, whycap, "state_file: path too long");
            return false;
        }
        snprintf(state, sizeof(state), "%s", state_file);
        /* its folder must be there: a store that is never written
         * would lose the held messages' passwords at the next restart */
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", state_file);
        char *slash = strrchr(dir, '/');
        if(slash)
            *(slash == dir ? slash + 1 : slash) = 0;
        struct stat st;
        if(!slash || stat(dir, &st) || !S_ISDIR(st.st_mode) ||
           access(dir, W_OK)) {
            snprintf(why, whycap, "state_file: %s is not a writable folder",
                     dir);
            return false;
        }
        /* a folder others write would let them plant the store (its
         * passwords and holds), a link or a FIFO, or block its saves */
        if((st.st_mode & 022) || (st.st_uid && st.st_uid != geteuid())) {
            snprintf(why, whycap, "state_file: %s is writable by others "
                     "(it must be only ours, e.g. /var/lib/kensa 0700)",
                     dir);
            return false;
        }
        pthread_mutex_lock(&lock);
        load(time(NULL));
        pthread_mutex_unlock(&lock);
    }
    return true;
}

void ppap_free(void)
{
    pthread_mutex_lock(&lock);
    while(nent)
        drop(0);
    pthread_mutex_unlock(&lock);
}

time_t ppap_pending(const char *key, time_t now)
{
    time_t t = (time_t)-1;
    pthread_mutex_lock(&lock);
    struct pentry *e = find(key, true, now);
    if(e) {
        if(!e->first_held) {
            e->first_held = now;
            e->changed = now;
            save();
        }
        t = e->first_held;
    }
    pthread_mutex_unlock(&lock);
    return t;
}

bool ppap_is_pending(const char *key, time_t now)
{
    pthread_mutex_lock(&lock);
    struct pentry *e = find(key, false, now);
    bool r = e && e->first_held;
    pthread_mutex_unlock(&lock);
    return r;
}

void ppap_done(const char *key)
{
    pthread_mutex_lock(&lock);
    struct pentry *e = find(key, false, time(NULL));
    if(e && e->first_held) {
        e->first_held = 0;
        save();
    }
    pthread_mutex_unlock(&lock);
}

size_t ppap_add(const char *key, char pw[][KENSA_MAIL_PASSWORD_LEN + 1],
                size_t n, time_t now)
{
    size_t added = 0;
    pthread_mutex_lock(&lock);
    struct pentry *e = n ? find(key, true, now) : NULL;
    for(size_t i = 0; e && i < n; i++) {
        bool dup = false;
        for(size_t k = 0; k < e->npw && !dup; k++)
            dup = !strcmp(e->pw[k], pw[i]);
        if(dup || !pw[i][0])
            continue;
        if(e->npw == PPAP_PW) {   /* full: the oldest goes */
            memmove(e->pw[0], e->pw[1], (PPAP_PW - 1) * sizeof(e->pw[0]));
            e->npw--;
        }
        snprintf(e->pw[e->npw++], sizeof(e->pw[0]), "%s", pw[i]);
        added++;
    }
    if(added) {
        e->changed = now;
        save();
    }
    pthread_mutex_unlock(&lock);
    return added;
}

size_t ppap_get(const char *key, char out[][KENSA_MAIL_PASSWORD_LEN + 1],
                size_t max, time_t now)
{
    size_t n = 0;
    pthread_mutex_lock(&lock);
    struct pentry *e = find(key, false, now);
    /* newest first: the latest password mail is the likeliest */
    for(size_t i = e ? e->npw : 0; i-- > 0 && n < max;)
        memcpy(out[n++], e->pw[i], sizeof(out[0]));
    pthread_mutex_unlock(&lock);
    return n;
}
