/*
 * procs.c - what is running: the files a live process has loaded or
 * holds, scanned by the normal engine with the process as context
 * (kensa_scanner_scan_process, kensa_scanner_scan_processes).
 *
 * A process is looked at when it is a JVM (its executable or comm is
 * "java", or it maps libjvm.so) or maps or holds open an archive
 * (.jar, .war, .ear, .zip).  Its files come from three places, each
 * opened so that what the process has is what is read:
 *  - /proc/PID/maps: through /proc/PID/map_files/START-END, the very
 *    mapping, even deleted or replaced on disk (needs CAP_SYS_ADMIN or
 *    CAP_CHECKPOINT_RESTORE); else the path inside the process's root
 *    (sysroot_open on /proc/PID/root: links resolve inside that root,
 *    ".." stops at it, magic links refused), believed only when its
 *    inode is the one mapped;
 *  - /proc/PID/fd/N whose link names an archive: the descriptor itself
 *    reopened, after fstatat says it is a regular file (O_NONBLOCK and a
 *    second fstat besides);
 *  - the class path of its command line (-cp, -classpath, --class-path,
 *    -jar; "dir/" + "*" lists the jars of dir) and CLASSPATH in its
 *    environment, relative entries against /proc/PID/cwd's path, all
 *    opened inside its root as above.  Folders on the class path are not
 *    walked.
 * Each file is scanned once per process (by device and inode) with
 * scan_file() and a context (engine.h, kctxattr) holding the process's
 * attributes marked for findings: every detector's findings on it carry
 * process.pid, .name, .executable, .command_line, .user.*, .start, the
 * Log4j flags of its command line and environment
 * (kensa.process.mitigation, judged per copy by detect/log4j.c), how the
 * file is held (evidence) and, when the file held is no longer the one
 * at its path (deleted, or replaced as kensa log4j --fix does it),
 * kensa.process.restart_needed with an evidence message.
 *
 * With kensa_options.procs_hunt (kensa scan --running) every process,
 * JVM or not, is also looked at whole: its executable through
 * /proc/PID/exe (hunt_exe: scanned as a file; deleted or replaced on
 * disk is a finding of its own), its memory (procmem.c) and its sockets
 * to IoC addresses (procnet.c), all with the same context.
 * kensa_process_kill (--kill) is here too: it pins the process with a
 * pidfd and signals it only if it started when the finding says.
 *
 * Every byte under /proc/PID is the process's to choose (its name,
 * arguments, environment, the paths it maps): all of it is read with a
 * cap, parsed as bytes, never used as a path outside the process's root,
 * never executed, and handed to the reports as data (they escape it).
 * /proc/PID is opened once, as a folder, and everything else is read
 * relative to it, so a pid reused meanwhile gives errors, not another
 * process's files.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/finding.h"
#include "core/procnet.h"
#include "core/procs.h"
#include "core/sysroot.h"

#define PROC_MAPS_MAX (8u << 20)    /* bytes of /proc/PID/maps read */
#define PROC_ARGS_MAX (1u << 20)    /* of cmdline, of environ */
#define PROC_SMALL_MAX 4096         /* of stat, status */
#define PROC_CMD_SHOW 4096          /* process.command_line, cut */
#define PROC_FILES_MAX 1024         /* files scanned per process */
#define PROC_FLAGS_MAX 8            /* mitigation flags kept */
#define PROC_FLAG_LEN 256           /* bytes of one flag kept */
#define PROC_PATH_MAX 4096

static const char DELETED[] = " (deleted)";

/* What one process says of itself, and the context its files get. */
struct proc {
    pid_t pid;
    int dirfd;                      /* /proc/PID */
    int rootfd;                     /* /proc/PID/root, or -1 */
    int hostfd;                     /* our own "/", or -1 */
    bool same_root;                 /* its root is ours */
    char pidstr[24], ppid[24], uid[24], start[40];
    char name[64];                  /* comm */
    char exe[PROC_PATH_MAX];
    char user[256];
    char cmd[PROC_CMD_SHOW + 1];
    char cwd[PROC_PATH_MAX];
    char flags[PROC_FLAGS_MAX][PROC_FLAG_LEN];
    size_t n_flags;
    char *maps, *args, *env;        /* as read, NUL-terminated */
    size_t n_maps, n_args, n_env;
    struct { dev_t dev; ino_t ino; } seen[PROC_FILES_MAX];
    size_t n_seen;
    bool files_capped;
    /* the context: process attributes (finding-marked), then the
     * scanner's own root context */
    struct kensa_attr pattr[9 + PROC_FLAGS_MAX];
    struct kctxattr pnode[9 + PROC_FLAGS_MAX];
    const struct kctxattr *ctx;
};

/* ---- reading /proc -------------------------------------------------------- */

/* Read the file `name` under dirfd into a new NUL-terminated buffer, at
 * most cap bytes (/proc sizes are 0: read to the end or the cap).
 * NULL with errno set on error. */
static char *read_at(int dirfd, const char *name, size_t cap, size_t *out_len)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
                                 O_NONBLOCK | O_NOCTTY);
    if(fd < 0)
        return NULL;
    size_t size = 4096, len = 0;
    char *p = malloc(size + 1);
    while(p) {
        if(len == size) {
            if(size >= cap)
                break;
            size_t ns = size * 2 < cap ? size * 2 : cap;
            char *np = realloc(p, ns + 1);
            if(!np) {
                free(p);
                p = NULL;
                errno = ENOMEM;
                break;
            }
            p = np;
            size = ns;
        }
        ssize_t r = read(fd, p + len, size - len);
        if(r < 0 && errno == EINTR)
            continue;
        if(r < 0) {
            int e = errno;
            free(p);
            p = NULL;
            errno = e;
            break;
        }
        if(r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    if(p) {
        p[len] = 0;
        *out_len = len;
    }
    return p;
}

/* readlinkat into out (cap bytes, NUL-terminated); false on error or
 * when the target does not fit. */
static bool link_at(int dirfd, const char *name, char *out, size_t cap)
{
    ssize_t n = readlinkat(dirfd, name, out, cap);
    if(n < 0 || (size_t)n >= cap)
        return false;
    out[n] = 0;
    return true;
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && !strncasecmp(s + n - k, suf, k);
}

/* Length of path p[0..n) without a trailing " (deleted)". */
static size_t undeleted_len(const char *p, size_t n)
{
    return ends_with(p, n, DELETED) ? n - (sizeof(DELETED) - 1) : n;
}

/* A name that is an archive the JVM loads classes from. */
static bool is_archive(const char *p, size_t n)
{
    n = undeleted_len(p, n);
    return ends_with(p, n, ".jar") || ends_with(p, n, ".war") ||
           ends_with(p, n, ".ear") || ends_with(p, n, ".zip");
}

static bool is_libjvm(const char *p, size_t n)
{
    n = undeleted_len(p, n);
    return ends_with(p, n, "/libjvm.so");
}

/* The base name of p[0..n) is "java". */
static bool named_java(const char *p, size_t n)
{
    n = undeleted_len(p, n);
    const char *b = memrchr(p, '/', n);
    b = b ? b + 1 : p;
    return (size_t)(p + n - b) == 4 && !memcmp(b, "java", 4);
}

/* ---- one process's identity --------------------------------------------- */

/* comm, starttime and flags from /proc/PID/stat; false if unreadable. */
/* /proc/PID/stat's text `st` (NUL-terminated, changed by strtok_r): the
 * comm into p->name, the start time in clock ticks, whether it is a
 * kernel thread.  False when the fields are not there. */
static bool stat_parse(char *st, struct proc *p,
                       unsigned long long *start_ticks, bool *kthread)
{
    char *open = strchr(st, '('), *close = strrchr(st, ')');
    if(!open || !close || close <= open)
        return false;
    size_t k = (size_t)(close - open - 1);
    if(k >= sizeof(p->name))
        k = sizeof(p->name) - 1;
    memcpy(p->name, open + 1, k);
    p->name[k] = 0;
    /* fields after ") ": 3 state ... 9 flags ... 22 starttime */
    char *save = NULL, *tok = strtok_r(close + 1, " ", &save);
    unsigned long long flags = 0;
    bool ok = false;
    for(int field = 3; tok; field++, tok = strtok_r(NULL, " ", &save)) {
        if(field == 4 && isdigit((unsigned char)tok[0]))
            snprintf(p->ppid, sizeof(p->ppid), "%lu", strtoul(tok, NULL, 10));
        if(field == 9)
            flags = strtoull(tok, NULL, 10);
        if(field == 22) {
            *start_ticks = strtoull(tok, NULL, 10);
            ok = true;
            break;
        }
    }
    *kthread = (flags & 0x00200000u) != 0;   /* PF_KTHREAD */
    return ok;
}

static bool parse_stat(struct proc *p, unsigned long long *start_ticks,
                       bool *kthread)
{
    size_t n;
    char *st = read_at(p->dirfd, "stat", PROC_SMALL_MAX, &n);
    if(!st)
        return false;
    bool ok = stat_parse(st, p, start_ticks, kthread);
    free(st);
    return ok;
}

/*
 * One line of /proc/PID/maps ("start-end perms offset dev inode   path",
 * len bytes, inside a NUL-terminated buffer) that maps an archive: its
 * range, inode and path (*path, *plen: into the line).  False for any
 * other line.
 */
static bool maps_line(const char *line, size_t len, unsigned long *lo,
                      unsigned long *hi, unsigned long *ino,
                      const char **path, size_t *plen)
{
    const char *pa = memchr(line, '/', len);
    char *q;
    if(!pa || pa == line || pa[-1] != ' ' ||
       !is_archive(pa, (size_t)(line + len - pa)))
        return false;
    *lo = strtoul(line, &q, 16);
    if(*q != '-')
        return false;
    *hi = strtoul(q + 1, &q, 16);
    /* the inode: the 5th field */
    const char *f = q;
    for(int k = 0; k < 3 && f < pa; k++) {
        while(f < pa && *f == ' ')
            f++;
        while(f < pa && *f != ' ')
            f++;
    }
    *ino = strtoul(f, NULL, 10);
    *path = pa;
    *plen = (size_t)(line + len - pa);
    return true;
}

/* Boot time (seconds since the epoch), from /proc/stat's btime. */
static long long boot_time(void)
{
    static long long bt = -1;
    if(bt >= 0)
        return bt;
    size_t n;
    char *s = read_at(AT_FDCWD, "/proc/stat", 1u << 20, &n);
    const char *b = s ? strstr(s, "\nbtime ") : NULL;
    bt = b ? strtoll(b + 7, NULL, 10) : 0;
    free(s);
    return bt;
}

static void set_start(struct proc *p, unsigned long long ticks)
{
    long hz = sysconf(_SC_CLK_TCK);
    long long bt = boot_time();
    if(hz <= 0 || bt <= 0)
        return;
    time_t t = (time_t)(bt + (long long)(ticks / (unsigned long long)hz));
    unsigned cs = (unsigned)((ticks % (unsigned long long)hz) * 100 /
                             (unsigned long long)hz);
    struct tm tm;
    if(!gmtime_r(&t, &tm))
        return;
    char sec[24];
    strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(p->start, sizeof(p->start), "%s.%02uZ", sec, cs);
}

/* Effective uid from /proc/PID/status, and its name on this host. */
static void set_user(struct proc *p)
{
    size_t n;
    char *st = read_at(p->dirfd, "status", PROC_SMALL_MAX, &n);
    const char *u = st ? strstr(st, "\nUid:") : NULL;
    if(u) {
        char *end;
        strtoul(u + 5, &end, 10);                       /* real */
        unsigned long euid = strtoul(end, &end, 10);    /* effective */
        snprintf(p->uid, sizeof(p->uid), "%lu", euid);
        struct passwd pw, *res = NULL;
        char buf[4096];
        if(!getpwuid_r((uid_t)euid, &pw, buf, sizeof(buf), &res) && res)
            snprintf(p->user, sizeof(p->user), "%s", pw.pw_name);
    }
    free(st);
}

/* The command line, arguments joined by spaces, cut to PROC_CMD_SHOW
 * bytes on a UTF-8 boundary (the bytes stay as they are: reports escape
 * them). */
static void set_cmd(struct proc *p)
{
    size_t k = 0;
    for(size_t i = 0; i < p->n_args && k < PROC_CMD_SHOW; i++)
        p->cmd[k++] = p->args[i] ? p->args[i] : ' ';
    while(k && p->cmd[k - 1] == ' ')
        k--;   /* the last argument's NUL */
    if(k == PROC_CMD_SHOW)
        while(k && ((unsigned char)p->cmd[k] & 0xc0) == 0x80)
            k--;
    p->cmd[k] = 0;
}

/* Keep a flag (at most PROC_FLAGS_MAX, each cut to PROC_FLAG_LEN - 1). */
static void add_flag(struct proc *p, const char *f, size_t n)
{
    if(p->n_flags >= PROC_FLAGS_MAX || !n)
        return;
    if(n >= PROC_FLAG_LEN)
        n = PROC_FLAG_LEN - 1;
    for(size_t i = 0; i < p->n_flags; i++)
        if(strlen(p->flags[i]) == n && !memcmp(p->flags[i], f, n))
            return;
    memcpy(p->flags[p->n_flags], f, n);
    p->flags[p->n_flags++][n] = 0;
}

/* A JVM option that bears on Log4j (or JNDI): -Dlog4j2.*, -Dlog4j.*,
 * -Dcom.sun.jndi.*. */
static bool is_log4j_opt(const char *a, size_t n)
{
    static const char *const pre[] = { "-Dlog4j2.", "-Dlog4j.",
                                       "-Dcom.sun.jndi." };
    for(size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
        size_t k = strlen(pre[i]);
        if(n > k && !strncasecmp(a, pre[i], k))
            return true;
    }
    return false;
}

/* Options in a space-separated variable (JAVA_TOOL_OPTIONS). */
static void flags_in_words(struct proc *p, const char *v, size_t n)
{
    size_t i = 0;
    while(i < n) {
        while(i < n && isspace((unsigned char)v[i]))
            i++;
        size_t j = i;
        while(j < n && !isspace((unsigned char)v[j]))
            j++;
        if(is_log4j_opt(v + i, j - i))
            add_flag(p, v + i, j - i);
        i = j;
    }
}

static void find_flags(struct proc *p)
{
    for(size_t i = 0; i < p->n_args;) {
        size_t n = strnlen(p->args + i, p->n_args - i);
        if(is_log4j_opt(p->args + i, n))
            add_flag(p, p->args + i, n);
        i += n + 1;
    }
    for(size_t i = 0; i < p->n_env;) {
        const char *e = p->env + i;
        size_t n = strnlen(e, p->n_env - i);
        if(!strncasecmp(e, "LOG4J_", 6) || !strncasecmp(e, "LOG4J2_", 7))
            add_flag(p, e, n);
        static const char *const vars[] = { "JAVA_TOOL_OPTIONS=",
                                            "JDK_JAVA_OPTIONS=",
                                            "_JAVA_OPTIONS=" };
        for(size_t v = 0; v < 3; v++) {
            size_t k = strlen(vars[v]);
            if(n > k && !strncmp(e, vars[v], k))
                flags_in_words(p, e + k, n - k);
        }
        i += n + 1;
    }
}

/* The context every file of the process gets: finding-marked attributes
 * in front of the scanner's own root context. */
static void build_ctx(struct kensa_scanner *s, struct proc *p)
{
    size_t n = 0;
    struct pa { const char *key, *val; enum kensa_attr_type t; unsigned fl; }
    a[9 + PROC_FLAGS_MAX] = {
        { "process.pid", p->pidstr, KENSA_ATTR_NUM, KENSA_ATTR_SHOW },
        { "process.parent.pid", p->ppid, KENSA_ATTR_NUM, 0 },
        { "process.name", p->name, KENSA_ATTR_STR, KENSA_ATTR_SHOW },
        { "process.executable", p->exe, KENSA_ATTR_STR, 0 },
        { "process.command_line", p->cmd, KENSA_ATTR_STR, 0 },
        { "process.user.id", p->uid, KENSA_ATTR_STR, 0 },
        { "process.user.name", p->user, KENSA_ATTR_STR, KENSA_ATTR_SHOW },
        { "process.start", p->start, KENSA_ATTR_STR, KENSA_ATTR_TIME },
    };
    size_t na = 8;
    for(size_t i = 0; i < p->n_flags; i++)
        a[na++] = (struct pa){ "kensa.process.mitigation", p->flags[i],
                                  KENSA_ATTR_STR,
                                  KENSA_ATTR_LIST | KENSA_ATTR_SHOW };
    for(size_t i = 0; i < na; i++) {
        if(!a[i].val[0])
            continue;
        struct kensa_attr *at = &p->pattr[n];
        memset(at, 0, sizeof(*at));
        at->key = a[i].key;
        at->type = a[i].t;
        at->flags = a[i].fl;
        if(a[i].t == KENSA_ATTR_NUM)
            at->num = strtoll(a[i].val, NULL, 10);
        else
            at->str = a[i].val;
        p->pnode[n] = (struct kctxattr){ .key = a[i].key, .value = a[i].val,
                                         .finding = at };
        n++;
    }
    for(size_t i = 0; i < n; i++)
        p->pnode[i].next = i + 1 < n ? &p->pnode[i + 1] : s->root_attrs;
    p->ctx = n ? &p->pnode[0] : s->root_attrs;
}

/* ---- the files ------------------------------------------------------------- */

/* How a file is held, for the evidence message. */
static const char *const HOW[] = { "maps", "fd", "classpath", "exe" };
enum how { HOW_MAPS = 0, HOW_FD = 1, HOW_CP = 2, HOW_EXE = 3 };

static void warn_proc(struct kensa_scanner *s, const char *path,
                      enum kensa_err err, enum kmsg id, const char *arg,
                      int sys)
{
    scan_warn_sys(s, path, err, sys, KMSG_ARGS(id, arg));
}

/* Is the file at `path` beneath rootfd still (dev, ino)? */
static bool still_there(int rootfd, const char *path, size_t n,
                        const struct stat *held)
{
    char rel[PROC_PATH_MAX];
    struct stat st;
    if(rootfd < 0 || n >= sizeof(rel))
        return false;
    memcpy(rel, path, n);
    rel[n] = 0;
    int fd = sysroot_open(rootfd, rel, O_PATH | O_CLOEXEC);
    if(fd < 0)
        return false;
    bool same = !fstat(fd, &st) && st.st_dev == held->st_dev &&
                st.st_ino == held->st_ino;
    close(fd);
    return same;
}

/* Scan one file the process holds, open on fd (taken: closed here),
 * named `path` (n bytes) by the process. */
static void scan_held(struct kensa_scanner *s, struct proc *p, int fd,
                      const char *path, size_t n, enum how how)
{
    struct stat st;
    if(fstat(fd, &st) || !S_ISREG(st.st_mode))
        goto out;
    for(size_t i = 0; i < p->n_seen; i++)
        if(p->seen[i].dev == st.st_dev && p->seen[i].ino == st.st_ino)
            goto out;   /* once per process */
    if(p->n_seen >= PROC_FILES_MAX) {
        p->files_capped = true;
        goto out;
    }
    p->seen[p->n_seen].dev = st.st_dev;
    p->seen[p->n_seen].ino = st.st_ino;
    p->n_seen++;

    /* The name as given, " (deleted)" kept only when a file of that very
     * name is what it holds.  Links in /proc/PID/fd and the paths of
     * /proc/PID/maps are names in our root (the kernel writes them for
     * the reader) unless the file is not reachable from it (another
     * mount namespace: a container), class path entries names in the
     * process's root: both are tried, ours first for fds and maps. */
    size_t plen = undeleted_len(path, n);
    int first = how == HOW_CP ? p->rootfd : p->hostfd;
    int second = how == HOW_CP ? -1 : p->rootfd;
    bool in_root = how == HOW_CP, restart = false;
    if(still_there(first, path, n, &st))
        plen = n;
    else if(plen < n && still_there(first, path, plen, &st))
        ;
    else if(second >= 0 && (still_there(second, path, n, &st) ||
                            still_there(second, path, plen, &st)))
        in_root = true;
    else
        restart = true;
    char shown[PROC_PATH_MAX + 64];
    if(p->same_root || !in_root)
        snprintf(shown, sizeof(shown), "%.*s", (int)plen, path);
    else
        snprintf(shown, sizeof(shown), "/proc/%s/root%.*s", p->pidstr,
                 (int)plen, path);

    const char *held_args[3] = { p->pidstr, p->name, HOW[how] };
    struct kensa_msg held = { .id = kmsg_key(KMSG_PROC_EV_HELD),
                              .args = held_args, .nargs = 3 };
    const char *rs_args[2] = { p->pidstr, shown };
    struct kensa_msg rs = { .id = kmsg_key(KMSG_PROC_EV_RESTART),
                            .args = rs_args, .nargs = 2 };
    struct kensa_attr rs_attr = { .key = "kensa.process.restart_needed",
                                  .type = KENSA_ATTR_BOOL, .num = 1,
                                  .flags = KENSA_ATTR_SHOW };
    struct kctxattr nodes[2] = {
        { .key = "kensa.process.held", .value = HOW[how],
          .finding_ev = &held, .next = p->ctx },
        { .key = "kensa.process.restart_needed", .value = "true",
          .finding = &rs_attr, .finding_ev = &rs, .next = &nodes[0] },
    };
    scan_file(s, shown, fd, &st, restart ? &nodes[1] : &nodes[0]);
out:
    close(fd);
}

/* Files the process maps (archives only). */
static void from_maps(struct kensa_scanner *s, struct proc *p)
{
    int mf = openat(p->dirfd, "map_files", O_RDONLY | O_DIRECTORY |
                                           O_CLOEXEC);
    char *line = p->maps, *end = p->maps + p->n_maps;
    while(line < end) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
        char *next = line + len + 1;
        unsigned long lo, hi, ino;
        const char *path;
        size_t plen;
        if(!maps_line(line, len, &lo, &hi, &ino, &path, &plen))
            goto next;
        int fd = -1;
        if(mf >= 0) {
            char nm[64];
            snprintf(nm, sizeof(nm), "%lx-%lx", lo, hi);
            fd = sysroot_reopen_regular(openat(mf, nm, O_PATH |
                                               O_CLOEXEC), 0, NULL);
        }
        for(int r = 0; fd < 0 && r < 2 && plen < PROC_PATH_MAX; r++) {
            /* no map_files (privileges): the path in our root, else in
             * the process's, if it is still the inode mapped */
            int rootfd = r ? p->rootfd : p->hostfd;
            char rel[PROC_PATH_MAX];
            size_t k = undeleted_len(path, plen);
            if(rootfd < 0)
                continue;
            memcpy(rel, path, k);
            rel[k] = 0;
            /* stat'ed before it is opened: the path in our root may be
             * a device node (a container's process names its own file
             * /dev/watchdog); opening one can act */
            fd = ino ? sysroot_open_regular(rootfd, rel, ino, NULL) : -1;
        }
        if(fd >= 0)
            scan_held(s, p, fd, path, plen, HOW_MAPS);
next:
        line = next;
    }
    if(mf >= 0)
        close(mf);
}

/* Archives the process holds open. */
static void from_fds(struct kensa_scanner *s, struct proc *p, DIR *d)
{
    int dfd = dirfd(d);
    struct dirent *e;
    while((e = readdir(d))) {
        char target[PROC_PATH_MAX];
        struct stat st;
        if(!isdigit((unsigned char)e->d_name[0]) ||
           !link_at(dfd, e->d_name, target, sizeof(target)) ||
           target[0] != '/' || !is_archive(target, strlen(target)) ||
           fstatat(dfd, e->d_name, &st, 0) || !S_ISREG(st.st_mode))
            continue;
        int fd = openat(dfd, e->d_name, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
                                        O_NOCTTY);
        if(fd < 0) {
            warn_proc(s, p->pidstr, KENSA_EIO, KMSG_PROC_FILE, target,
                      errno);
            continue;
        }
        scan_held(s, p, fd, target, strlen(target), HOW_FD);
    }
}

/* One class path entry, `e` (n bytes), absolute or relative to cwd. */
static void cp_entry(struct kensa_scanner *s, struct proc *p, const char *e,
                     size_t n)
{
    char path[PROC_PATH_MAX];
    int k;
    if(!n || p->rootfd < 0)
        return;
    if(e[0] == '/')
        k = snprintf(path, sizeof(path), "%.*s", (int)n, e);
    else if(p->cwd[0] == '/')
        k = snprintf(path, sizeof(path), "%s/%.*s", p->cwd, (int)n, e);
    else
        return;
    if(k < 0 || (size_t)k >= sizeof(path) || memchr(path, 0, (size_t)k))
        return;
    size_t len = (size_t)k;
    if(len >= 1 && path[len - 1] == '*') {
        /* "dir/" + "*": the jars of dir, as java expands it */
        path[len - 1] = 0;
        int dfd = sysroot_open(p->rootfd, path, O_RDONLY | O_DIRECTORY |
                                                O_CLOEXEC);
        DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
        if(!d) {
            if(dfd >= 0)
                close(dfd);
            return;
        }
        struct dirent *de;
        while((de = readdir(d)) && !p->files_capped) {
            size_t dn = strlen(de->d_name);
            if(!ends_with(de->d_name, dn, ".jar"))
                continue;
            char full[PROC_PATH_MAX];
            int fk = snprintf(full, sizeof(full), "%s%s%s", path,
                              len > 1 && path[len - 2] == '/' ? "" : "/",
                              de->d_name);
            if(fk < 0 || (size_t)fk >= sizeof(full))
                continue;
            int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC |
                            O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
            if(fd >= 0)
                scan_held(s, p, fd, full, (size_t)fk, HOW_CP);
        }
        closedir(d);
        return;
    }
    /* a regular file only: a class path naming a device node
     * (-cp /dev/watchdog) must not make root open it */
    int fd = sysroot_open_regular(p->rootfd, path, 0, NULL);
    if(fd >= 0)
        scan_held(s, p, fd, path, len, HOW_CP);
}

static void cp_list(struct kensa_scanner *s, struct proc *p, const char *v,
                    size_t n)
{
    size_t i = 0;
    while(i <= n && !p->files_capped) {
        const char *c = memchr(v + i, ':', n - i);
        size_t j = c ? (size_t)(c - v) : n;
        cp_entry(s, p, v + i, j - i);
        i = j + 1;
    }
}

/* Options of the java launcher that take the next argument. */
static bool takes_value(const char *a)
{
    static const char *const v[] = {
        "-p", "--module-path", "--upgrade-module-path", "--add-modules",
        "--enable-native-access", "--limit-modules", "--add-reads",
        "--add-exports", "--add-opens", "--patch-module", "-splash",
        "--source",
    };
    for(size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        if(!strcmp(a, v[i]))
            return true;
    return false;
}

/* The class path of the command line (up to the main class or -jar) and
 * of CLASSPATH. */
static void from_classpath(struct kensa_scanner *s, struct proc *p)
{
    const char *a = p->args, *end = p->args + p->n_args;
    bool first = true;
    while(a < end) {
        size_t n = strnlen(a, (size_t)(end - a));
        const char *next = a + n + 1;
        const char *val = next < end ? next : NULL;
        size_t vn = val ? strnlen(val, (size_t)(end - val)) : 0;
        if(first) {
            first = false;   /* argv[0] */
        } else if(!strcmp(a, "-cp") || !strcmp(a, "-classpath") ||
                  !strcmp(a, "--class-path")) {
            if(val)
                cp_list(s, p, val, vn);
            next = val ? val + vn + 1 : end;
        } else if(!strncmp(a, "--class-path=", 13)) {
            cp_list(s, p, a + 13, n - 13);
        } else if(!strcmp(a, "-jar")) {
            if(val)
                cp_entry(s, p, val, vn);
            break;   /* the rest are the application's */
        } else if(takes_value(a)) {
            next = val ? val + vn + 1 : end;
        } else if(a[0] != '-' || !strcmp(a, "-m") || !strcmp(a, "--module")) {
            break;   /* the main class: the rest are its arguments */
        }
        a = next;
    }
    for(size_t i = 0; i < p->n_env;) {
        const char *e = p->env + i;
        size_t n = strnlen(e, p->n_env - i);
        if(n > 10 && !strncmp(e, "CLASSPATH=", 10))
            cp_list(s, p, e + 10, n - 10);
        i += n + 1;
    }
}

/* ---- one process ----------------------------------------------------------- */

static void count(struct kensa_scanner *s, bool java, bool unreadable)
{
    pthread_mutex_lock(&s->lock);
    s->stats.processes++;
    if(java)
        s->stats.processes_java++;
    if(unreadable)
        s->stats.processes_unreadable++;
    pthread_mutex_unlock(&s->lock);
}

/* Does the process look like a JVM, or hold an archive? */
static bool interesting(struct proc *p, DIR *fds)
{
    if(named_java(p->exe, strlen(p->exe)) || !strcmp(p->name, "java"))
        return true;
    char *line = p->maps, *end = p->maps + p->n_maps;
    while(line < end) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
        char *path = memchr(line, '/', len);
        if(path && (is_libjvm(path, (size_t)(line + len - path)) ||
                    is_archive(path, (size_t)(line + len - path))))
            return true;
        line += len + 1;
    }
    struct dirent *e;
    bool yes = false;
    while(fds && !yes && (e = readdir(fds))) {
        char target[PROC_PATH_MAX];
        yes = isdigit((unsigned char)e->d_name[0]) &&
              link_at(dirfd(fds), e->d_name, target, sizeof(target)) &&
              target[0] == '/' && is_archive(target, strlen(target));
    }
    if(fds)
        rewinddir(fds);
    return yes;
}

/* What one run over the processes shares: the connections to IoC
 * addresses, and executables already scanned without a finding. */
#define PROC_EXE_CLEAN_MAX 4096
struct procrun {
    struct procnet *net;
    struct { dev_t dev; ino_t ino; struct timespec mtime; }
        clean[PROC_EXE_CLEAN_MAX];
    size_t n_clean;
};

/* A finding about the process itself (no file): k is reported with the
 * process's context, named /proc/PID/exe. */
static void report_proc(struct kensa_scanner *s, struct proc *p,
                        struct kfind *k)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%s/exe", p->pidstr);
    struct kctx c = { .s = s, .file_path = path };
    struct kobj o = { .ctx = &c, .path = path, .name = "exe",
                      .attrs = p->ctx };
    ctx_report(&o, &k->f);
}

/* The executable: scanned as a file (IoC names, paths and hashes, YARA)
 * through /proc/PID/exe, the very file running even when deleted or
 * replaced on disk; a deleted or replaced one is a finding of its own. */
static void hunt_exe(struct kensa_scanner *s, struct proc *p,
                     struct procrun *run)
{
    size_t n = strlen(p->exe);
    if(!n)
        return;   /* no executable (a zombie), or unreadable */
    int fd = openat(p->dirfd, "exe", O_RDONLY | O_CLOEXEC | O_NONBLOCK |
                                     O_NOCTTY);
    struct stat st;
    if(fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        if(fd >= 0)
            close(fd);
        return;
    }
    size_t plen = undeleted_len(p->exe, n);
    bool deleted = plen < n && !still_there(p->hostfd, p->exe, n, &st) &&
                   !still_there(p->rootfd, p->exe, n, &st);
    bool replaced = !deleted && !still_there(p->hostfd, p->exe, plen, &st) &&
                    !still_there(p->rootfd, p->exe, plen, &st);
    if(deleted || replaced) {
        struct kfind k;
        char was[PROC_PATH_MAX];
        snprintf(was, sizeof(was), "%.*s", (int)plen, p->exe);
        kfind_init(&k, "process", "suspicious-process",
                   KENSA_VERDICT_SUSPICIOUS, KENSA_SEV_MEDIUM);
        kfind_msg(&k, deleted ? KMSG_PROC_EXE_DELETED : KMSG_PROC_EXE_REPLACED,
                  p->pidstr, p->name);
        k.f.rule = deleted ? "process.exe.deleted" : "process.exe.replaced";
        kfind_ev(&k, KMSG_PROC_EV_EXE_WAS, was);
        kfind_str(&k, "event.category", "process", 0);
        report_proc(s, p, &k);
    }
    for(size_t i = 0; i < run->n_clean; i++)
        if(run->clean[i].dev == st.st_dev && run->clean[i].ino == st.st_ino &&
           run->clean[i].mtime.tv_sec == st.st_mtim.tv_sec &&
           run->clean[i].mtime.tv_nsec == st.st_mtim.tv_nsec) {
            close(fd);
            return;   /* scanned clean for another process */
        }
    pthread_mutex_lock(&s->lock);
    uint64_t before = s->stats.findings + s->stats.warnings;
    pthread_mutex_unlock(&s->lock);
    scan_held(s, p, fd, p->exe, n, HOW_EXE);   /* closes fd */
    pthread_mutex_lock(&s->lock);
    bool clean = s->stats.findings + s->stats.warnings == before;
    pthread_mutex_unlock(&s->lock);
    if(clean && run->n_clean < PROC_EXE_CLEAN_MAX) {
        run->clean[run->n_clean].dev = st.st_dev;
        run->clean[run->n_clean].ino = st.st_ino;
        run->clean[run->n_clean].mtime = st.st_mtim;
        run->n_clean++;
    }
}

/* Look at process `pid` (procfd: /proc), scan what it holds if it is a
 * JVM; with procs_hunt, every process: its executable, memory and
 * connections.  Errors as kensa_scanner_scan_process(). */
static enum kensa_err procs_scan_one(struct kensa_scanner *s, int procfd,
                                     pid_t pid, struct procrun *run)
{
    enum kensa_err rc = KENSA_OK;
    struct proc *p = calloc(1, sizeof(*p));
    DIR *fds = NULL;
    bool kthread = false;
    unsigned long long ticks = 0;

    if(!p)
        return KENSA_ENOMEM;
    p->pid = pid;
    p->rootfd = -1;
    p->hostfd = -1;
    snprintf(p->pidstr, sizeof(p->pidstr), "%ld", (long)pid);
    p->dirfd = openat(procfd, p->pidstr, O_RDONLY | O_DIRECTORY |
                                         O_CLOEXEC | O_NOFOLLOW);
    if(p->dirfd < 0) {
        rc = errno == ENOENT || errno == ESRCH ? KENSA_ENOENT : KENSA_EIO;
        goto out;
    }
    if(!parse_stat(p, &ticks, &kthread)) {
        rc = errno == ENOENT || errno == ESRCH ? KENSA_ENOENT : KENSA_EIO;
        goto out;
    }
    if(kthread)
        goto out;   /* no files, no maps: not counted */
    char where[64];
    snprintf(where, sizeof(where), "/proc/%s", p->pidstr);
    p->maps = read_at(p->dirfd, "maps", PROC_MAPS_MAX, &p->n_maps);
    int fdd = openat(p->dirfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    fds = fdd >= 0 ? fdopendir(fdd) : NULL;
    if(!fds && fdd >= 0)
        close(fdd);
    if(!p->maps || !fds) {
        int e = errno;
        if(e == ENOENT || e == ESRCH) {
            rc = KENSA_ENOENT;
            goto out;
        }
        if(e == ENOMEM) {
            rc = KENSA_ENOMEM;
            goto out;
        }
        count(s, false, true);
        warn_proc(s, where, KENSA_EIO, KMSG_PROC_UNREADABLE, NULL, e);
        rc = KENSA_EIO;
        goto out;
    }
    if(!link_at(p->dirfd, "exe", p->exe, sizeof(p->exe)))
        p->exe[0] = 0;
    bool java = interesting(p, fds), hunt = s->opts.procs_hunt;
    count(s, java, false);
    if(!java && !hunt)
        goto out;
    p->args = read_at(p->dirfd, "cmdline", PROC_ARGS_MAX, &p->n_args);
    p->env = read_at(p->dirfd, "environ", PROC_ARGS_MAX, &p->n_env);
    if(!p->args)
        p->n_args = 0;
    if(!p->env)
        p->n_env = 0;
    if(!link_at(p->dirfd, "cwd", p->cwd, sizeof(p->cwd)))
        p->cwd[0] = 0;
    p->rootfd = openat(p->dirfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
    p->hostfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    /* cwd is written for us, the reader: inside another root, take
     * that root's path off so the class path resolves inside it */
    char rootlink[PROC_PATH_MAX];
    size_t rl;
    if(link_at(p->dirfd, "root", rootlink, sizeof(rootlink)) &&
       (rl = strlen(rootlink)) > 1 && !strncmp(p->cwd, rootlink, rl) &&
       (p->cwd[rl] == '/' || !p->cwd[rl]))
        memmove(p->cwd, p->cwd[rl] ? p->cwd + rl : "/",
                strlen(p->cwd[rl] ? p->cwd + rl : "/") + 1);
    struct stat r1, r2;
    p->same_root = p->rootfd >= 0 && !fstat(p->rootfd, &r1) &&
                   !stat("/", &r2) && r1.st_dev == r2.st_dev &&
                   r1.st_ino == r2.st_ino;
    set_start(p, ticks);
    set_user(p);
    set_cmd(p);
    find_flags(p);
    build_ctx(s, p);
    if(hunt) {
        hunt_exe(s, p, run);
        procnet_match(s, run->net, p->dirfd, p->pidstr, p->name, p->ctx);
        /* another kensa of this very binary holds the compiled rules in
         * its memory: every rule would match there */
        struct stat me, it;
        bool self = !stat("/proc/self/exe", &me) &&
                    !fstatat(p->dirfd, "exe", &it, 0) &&
                    me.st_dev == it.st_dev && me.st_ino == it.st_ino;
        if(!self)
            procmem_scan(s, p->dirfd, p->pidstr, p->maps, p->n_maps, p->ctx);
    }
    if(java) {
        from_maps(s, p);
        from_fds(s, p, fds);
        from_classpath(s, p);
    }
    if(p->files_capped) {
        char nb[24];
        snprintf(nb, sizeof(nb), "%u", PROC_FILES_MAX);
        warn_proc(s, where, KENSA_ELIMIT, KMSG_PROC_LIMIT, nb, 0);
    }
out:
    if(fds)
        closedir(fds);
    if(p->rootfd >= 0)
        close(p->rootfd);
    if(p->hostfd >= 0)
        close(p->hostfd);
    if(p->dirfd >= 0)
        close(p->dirfd);
    free(p->maps);
    free(p->args);
    free(p->env);
    free(p);
    return rc;
}

/* ---- public ------------------------------------------------------------------ */

enum kensa_err kensa_scanner_scan_process(struct kensa_scanner *s, pid_t pid)
{
    if(!s || pid <= 0)
        return KENSA_EINVAL;
    int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if(procfd < 0)
        return KENSA_EIO;
    struct procrun *run = calloc(1, sizeof(*run));
    if(!run) {
        close(procfd);
        return KENSA_ENOMEM;
    }
    if(s->opts.procs_hunt)
        run->net = procnet_load(s);
    enum kensa_err rc = procs_scan_one(s, procfd, pid, run);
    procnet_free(run->net);
    free(run);
    close(procfd);
    return rc;
}

static int cmp_pid(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
    return (x > y) - (x < y);
}

enum kensa_err kensa_scanner_scan_processes(struct kensa_scanner *s)
{
    enum kensa_err rc = KENSA_OK;
    pid_t *pids = NULL;
    size_t n = 0, cap = 0;
    if(!s)
        return KENSA_EINVAL;
    int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int dfd = procfd >= 0 ? dup(procfd) : -1;
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if(!d) {
        if(dfd >= 0)
            close(dfd);
        if(procfd >= 0)
            close(procfd);
        return KENSA_EIO;
    }
    struct dirent *e;
    while((e = readdir(d))) {
        char *endp;
        long v = strtol(e->d_name, &endp, 10);
        if(*endp || v <= 0 || v == (long)getpid())
            continue;
        if(n == cap) {
            size_t nc = cap ? cap * 2 : 512;
            pid_t *np = nc <= (1u << 22) ? realloc(pids, nc * sizeof(*np))
                                         : NULL;
            if(!np) {
                rc = KENSA_ENOMEM;
                break;
            }
            pids = np;
            cap = nc;
        }
        pids[n++] = (pid_t)v;
    }
    closedir(d);
    if(n)
        qsort(pids, n, sizeof(*pids), cmp_pid);
    struct procrun *run = calloc(1, sizeof(*run));
    if(!run)
        rc = KENSA_ENOMEM;
    else if(s->opts.procs_hunt)
        run->net = procnet_load(s);
    for(size_t i = 0; !rc && i < n && !kensa_scanner_cancelled(s); i++) {
        enum kensa_err e2 = procs_scan_one(s, procfd, pids[i], run);
        if(e2 == KENSA_ENOMEM)
            rc = e2;   /* ENOENT (ended), EIO (warned): go on */
    }
    if(run)
        procnet_free(run->net);
    free(run);
    free(pids);
    close(procfd);
    return rc;
}

/* ---- the response: --kill --------------------------------------------------- */

enum kensa_err kensa_process_kill(pid_t pid, const char *start)
{
    if(pid <= 1 || pid == getpid() || !start || !*start)
        return KENSA_EINVAL;
    /* a pidfd first: whatever the pid becomes later, the signal goes to
     * the process it names now, which is then checked by its start */
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if(pfd < 0)
        return errno == ESRCH ? KENSA_ENOENT : KENSA_EIO;
    enum kensa_err rc = KENSA_ECHANGED;
    struct proc *p = calloc(1, sizeof(*p));
    int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if(!p || procfd < 0) {
        rc = p ? KENSA_EIO : KENSA_ENOMEM;
        goto out;
    }
    snprintf(p->pidstr, sizeof(p->pidstr), "%ld", (long)pid);
    p->dirfd = openat(procfd, p->pidstr, O_RDONLY | O_DIRECTORY |
                                         O_CLOEXEC | O_NOFOLLOW);
    unsigned long long ticks = 0;
    bool kthread = false;
    if(p->dirfd < 0 || !parse_stat(p, &ticks, &kthread)) {
        rc = KENSA_ENOENT;
        goto out;
    }
    set_start(p, ticks);
    if(kthread || strcmp(p->start, start))
        goto out;   /* another process has the pid now: left alone */
    if(syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0))
        rc = errno == ESRCH ? KENSA_ENOENT : KENSA_EIO;
    else
        rc = KENSA_OK;
out:
    if(p && p->dirfd > 0)
        close(p->dirfd);
    free(p);
    if(procfd >= 0)
        close(procfd);
    close(pfd);
    return rc;
}

/* ---- the parsers alone, for fuzz/fuzz_procs.c ----------------------------- */

void procs_parse_fuzz(const uint8_t *data, size_t n)
{
    /* stat \x01 cmdline \x01 environ \x01 maps: the four texts a process
     * chooses, as /proc would hand them over */
    char *part[4] = { 0 };
    size_t len[4] = { 0 };
    struct proc *p = calloc(1, sizeof(*p));
    size_t off = 0;
    if(!p)
        return;
    for(int i = 0; i < 4; i++) {
        size_t rest = off < n ? n - off : 0;
        const uint8_t *e = rest ? memchr(data + off, 1, rest) : NULL;
        size_t k = e ? (size_t)(e - (data + off)) : rest;
        if(!(part[i] = malloc(k + 1)))
            goto out;
        if(k)
            memcpy(part[i], data + off, k);
        part[i][k] = 0;
        len[i] = k;
        off += k + 1;
    }
    unsigned long long ticks = 0;
    bool kthread = false;
    (void)stat_parse(part[0], p, &ticks, &kthread);
    p->args = part[1];
    p->n_args = len[1];
    p->env = part[2];
    p->n_env = len[2];
    set_cmd(p);
    find_flags(p);
    for(char *line = part[3], *end = part[3] + len[3]; line < end;) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
        unsigned long lo, hi, ino;
        const char *path;
        size_t plen;
        if(maps_line(line, ll, &lo, &hi, &ino, &path, &plen))
            (void)undeleted_len(path, plen);
        line += ll + 1;
    }
out:
    for(int i = 0; i < 4; i++)
        free(part[i]);
    free(p);
}
