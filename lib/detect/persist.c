/*
 * persist.c - the persistence detector (issue 12): files that make a
 * system start a program (crontabs, systemd units, init scripts, shell
 * profiles, ld.so.preload, authorized_keys, udev rules, XDG autostart,
 * launchd property lists, the Windows Startup folders and scheduled
 * tasks), recognised by where they sit in the system scanned
 * (kobj_system_path: the live host, or a --root image of Linux, macOS or
 * Windows), taken apart by the pure readers of persist_parse.h, each
 * entry judged by what it launches.
 *
 * An entry becomes a finding only when something is wrong with it: it
 * downloads or decodes code and runs it, its program lives where programs
 * do not (temporary folders, hidden folders, Windows data folders), it is
 * named like an updater in a user-writable place (SysJoker's disguise),
 * it names a program that is missing from a folder that exists, it is an
 * ld.so.preload library, or it is a file in a Windows Startup folder (an
 * executable there is the Flagpro drop).  A clean system gives nothing.
 *
 * The program an entry launches is looked up beneath the scanned root
 * only (sysroot_open: an image's links resolve inside the image; a
 * Windows path component by component, case-insensitively, no link
 * followed) and, when it is there, scanned as a probe member of the
 * persistence file: what YARA or the IoCs say of it raises the entry.
 * A SOFTWARE hive's TaskCache is compared with the task XML files.
 * Nothing is ever run.  Runs
 * under KENSA_DETECT_OTHER (kensa scan), off with --no-persistence.
 */
#define _GNU_SOURCE   /* O_PATH */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/finding.h"
#include "core/sysroot.h"
#include "detect/persist_parse.h"

/* A persistence file is read up to this size; the rest is a warning. */
#define PERSIST_READ_MAX (1u << 20)

enum how { H_NONE, H_CRON_SYS, H_CRON_USER, H_UNIT, H_DESKTOP, H_UDEV,
           H_SHELL, H_AUTHKEYS, H_PRELOAD, H_PLIST, H_TASK, H_STARTUP,
           H_BTM, H_HIVE_SOFTWARE, H_HIVE_USER, H_HIVE_SYSTEM,
           H_HIVE_CLASSES };

struct where {
    const char *pat;
    bool fold;          /* a Windows path: compared case-insensitively */
    enum how how;
    const char *type;   /* kensa.persistence.type */
    bool vendor;        /* a package's own folder: its programs may be
                           missing by design (Debian's systemd ships units
                           for udev, kmod, plymouth), so a missing one is
                           not reported there */
};

/* Where persistence lives.  '*' is one path component, a trailing slash
 * and two stars anything beneath. */
static const struct where places[] = {
    { "/etc/crontab", false, H_CRON_SYS, "cron", false },
    { "/etc/cron.d/*", false, H_CRON_SYS, "cron", false },
    { "/var/spool/cron/crontabs/*", false, H_CRON_USER, "cron", false },
    { "/var/spool/cron/tabs/*", false, H_CRON_USER, "cron", false },
    { "/var/spool/cron/*", false, H_CRON_USER, "cron", false },
    { "/etc/cron.hourly/*", false, H_SHELL, "cron", false },
    { "/etc/cron.daily/*", false, H_SHELL, "cron", false },
    { "/etc/cron.weekly/*", false, H_SHELL, "cron", false },
    { "/etc/cron.monthly/*", false, H_SHELL, "cron", false },
    { "/etc/systemd/system/**", false, H_UNIT, "systemd", false },
    { "/etc/systemd/user/**", false, H_UNIT, "systemd", false },
    { "/run/systemd/system/**", false, H_UNIT, "systemd", false },
    { "/usr/lib/systemd/system/**", false, H_UNIT, "systemd", true },
    { "/usr/lib/systemd/user/**", false, H_UNIT, "systemd", true },
    { "/lib/systemd/system/**", false, H_UNIT, "systemd", true },
    { "/lib/systemd/user/**", false, H_UNIT, "systemd", true },
    { "/home/*/.config/systemd/user/**", false, H_UNIT, "systemd", false },
    { "/root/.config/systemd/user/**", false, H_UNIT, "systemd", false },
    { "/etc/init.d/*", false, H_SHELL, "init", false },
    { "/etc/rc.local", false, H_SHELL, "rc_local", false },
    { "/etc/rc.d/rc.local", false, H_SHELL, "rc_local", false },
    { "/etc/profile", false, H_SHELL, "shell_profile", false },
    { "/etc/profile.d/*", false, H_SHELL, "shell_profile", false },
    { "/etc/bash.bashrc", false, H_SHELL, "shell_profile", false },
    { "/etc/bashrc", false, H_SHELL, "shell_profile", false },
    { "/etc/zsh/zshrc", false, H_SHELL, "shell_profile", false },
    { "/etc/zsh/zprofile", false, H_SHELL, "shell_profile", false },
    { "/home/*/.bashrc", false, H_SHELL, "shell_profile", false },
    { "/home/*/.profile", false, H_SHELL, "shell_profile", false },
    { "/home/*/.bash_profile", false, H_SHELL, "shell_profile", false },
    { "/home/*/.bash_login", false, H_SHELL, "shell_profile", false },
    { "/home/*/.bash_logout", false, H_SHELL, "shell_profile", false },
    { "/home/*/.zshrc", false, H_SHELL, "shell_profile", false },
    { "/home/*/.zprofile", false, H_SHELL, "shell_profile", false },
    { "/root/.bashrc", false, H_SHELL, "shell_profile", false },
    { "/root/.profile", false, H_SHELL, "shell_profile", false },
    { "/root/.bash_profile", false, H_SHELL, "shell_profile", false },
    { "/root/.bash_login", false, H_SHELL, "shell_profile", false },
    { "/root/.zshrc", false, H_SHELL, "shell_profile", false },
    { "/etc/ld.so.preload", false, H_PRELOAD, "ld_preload", false },
    { "/home/*/.ssh/authorized_keys", false, H_AUTHKEYS, "authorized_keys", false },
    { "/home/*/.ssh/authorized_keys2", false, H_AUTHKEYS, "authorized_keys", false },
    { "/root/.ssh/authorized_keys", false, H_AUTHKEYS, "authorized_keys", false },
    { "/root/.ssh/authorized_keys2", false, H_AUTHKEYS, "authorized_keys", false },
    { "/etc/udev/rules.d/*", false, H_UDEV, "udev", false },
    { "/run/udev/rules.d/*", false, H_UDEV, "udev", false },
    { "/usr/lib/udev/rules.d/*", false, H_UDEV, "udev", true },
    { "/lib/udev/rules.d/*", false, H_UDEV, "udev", true },
    { "/etc/xdg/autostart/*", false, H_DESKTOP, "xdg_autostart", false },
    { "/home/*/.config/autostart/*", false, H_DESKTOP, "xdg_autostart", false },
    { "/root/.config/autostart/*", false, H_DESKTOP, "xdg_autostart", false },
    { "/Library/LaunchAgents/*", false, H_PLIST, "launchd", false },
    { "/Library/LaunchDaemons/*", false, H_PLIST, "launchd", false },
    { "/Users/*/Library/LaunchAgents/*", false, H_PLIST, "launchd", false },
    { "/private/var/db/com.apple.backgroundtaskmanagement/"
      "BackgroundItems-v*.btm", false, H_BTM, "login_item", false },
    { "/Users/*/Library/Application Support/"
      "com.apple.backgroundtaskmanagementagent/backgrounditems.btm", false,
      H_BTM, "login_item", false },
    { "/ProgramData/Microsoft/Windows/Start Menu/Programs/StartUp/*", true,
      H_STARTUP, "startup_folder", false },
    { "/Users/*/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/"
      "Startup/*", true, H_STARTUP, "startup_folder", false },
    { "/Windows/System32/Tasks/**", true, H_TASK, "scheduled_task", false },
    { "/Windows/System32/config/SOFTWARE", true, H_HIVE_SOFTWARE, "run_key",
      false },
    { "/Windows/System32/config/SYSTEM", true, H_HIVE_SYSTEM, "service",
      false },
    { "/Users/*/NTUSER.DAT", true, H_HIVE_USER, "run_key", false },
    { "/Users/*/AppData/Local/Microsoft/Windows/UsrClass.dat", true,
      H_HIVE_CLASSES, "com_hijack", false },
};

/* The scheduled tasks' XML store (the TaskCache's twin). */
#define TASKS_DIR "Windows/System32/Tasks"

/* ATT&CK technique per type: id, name. */
static const struct { const char *type, *id, *name; } techniques[] = {
    { "cron", "T1053.003", "Scheduled Task/Job: Cron" },
    { "systemd", "T1543.002", "Create or Modify System Process: Systemd "
      "Service" },
    { "init", "T1037.004", "Boot or Logon Initialization Scripts: RC "
      "Scripts" },
    { "rc_local", "T1037.004", "Boot or Logon Initialization Scripts: RC "
      "Scripts" },
    { "shell_profile", "T1546.004", "Event Triggered Execution: Unix Shell "
      "Configuration Modification" },
    { "ld_preload", "T1574.006", "Hijack Execution Flow: Dynamic Linker "
      "Hijacking" },
    { "authorized_keys", "T1098.004", "Account Manipulation: SSH Authorized "
      "Keys" },
    { "udev", "T1546.017", "Event Triggered Execution: Udev Rules" },
    { "xdg_autostart", "T1547.013", "Boot or Logon Autostart Execution: XDG "
      "Autostart Entries" },
    { "launchd", "T1543.001", "Create or Modify System Process: Launch "
      "Agent" },
    { "startup_folder", "T1547.001", "Boot or Logon Autostart Execution: "
      "Registry Run Keys / Startup Folder" },
    { "scheduled_task", "T1053.005", "Scheduled Task/Job: Scheduled Task" },
    { "run_key", "T1547.001", "Boot or Logon Autostart Execution: "
      "Registry Run Keys / Startup Folder" },
    { "service", "T1543.003", "Create or Modify System Process: Windows "
      "Service" },
    { "login_item", "T1547.015", "Boot or Logon Autostart Execution: "
      "Login Items" },
    { "com_hijack", "T1546.015", "Event Triggered Execution: Component "
      "Object Model Hijacking" },
};

struct pstate {
    int hostfd;     /* "/" of the running host, O_PATH: a --root scan
                       uses the scanner's root folder instead */
};

static const struct where *classify(const char *sp)
{
    if(sp[0] != '/')
        return NULL;
    for(size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
        if(pst_match(places[i].pat, sp, places[i].fold))
            return &places[i];
    return NULL;
}

static uint32_t fnv1a(uint32_t h, const char *s)
{
    for(; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The judgement depends on the path (the type, the user's home): the
 * clean cache keys content with it. */
static uint32_t persist_context(const struct kobj *obj)
{
    if(obj->depth)
        return 0;
    const char *sp = kobj_system_path(obj);
    return classify(sp) ? fnv1a(2166136261u, sp) | 1 : 0;
}

static void *persist_init(const struct kensa_options *o, enum kensa_err *err)
{
    *err = KENSA_OK;
    struct pstate *st = calloc(1, sizeof(*st));
    if(!st) {
        *err = KENSA_ENOMEM;
        return NULL;
    }
    st->hostfd = -1;
    if(o->no_persistence)
        return st;
    /* opened now, before the sandbox; failure only loses the existence
     * checks */
    st->hostfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return st;
}

static void persist_fini(void *v)
{
    struct pstate *st = v;
    if(!st)
        return;
    if(st->hostfd >= 0)
        close(st->hostfd);
    free(st);
}

/* The home folder of the user a persistence file at sp belongs to
 * ("/home/ann", "/root", "/Users/ann") into out, or "". */
static void home_of(const char *sp, char *out, size_t cap)
{
    out[0] = 0;
    size_t l = 0;
    if(!strncmp(sp, "/root/", 6)) {
        l = 5;
    } else if(!strncmp(sp, "/home/", 6) || !strncmp(sp, "/Users/", 7)) {
        const char *s = strchr(sp + 1, '/');
        const char *e = s ? strchr(s + 1, '/') : NULL;
        if(e)
            l = (size_t)(e - sp);
    }
    if(l && l < cap) {
        memcpy(out, sp, l);
        out[l] = 0;
    }
}

/* Whether target (a Unix path, "~/" expanded with home) is missing from
 * the root while its folder is there: a partial copy (a triage folder
 * without /usr) proves nothing. */
static bool missing(int rootfd, const char *target, const char *home)
{
    char path[PST_TARGET_MAX + 256];
    if(rootfd < 0 || strpbrk(target, "$*?%`[{"))
        return false;
    if(!strncmp(target, "~/", 2)) {
        if(!home[0])
            return false;
        size_t hl = strlen(home), tl = strlen(target + 1);
        if(hl + tl + 1 > sizeof(path))
            return false;
        memcpy(path, home, hl);
        memcpy(path + hl, target + 1, tl + 1);
    } else if(target[0] == '/') {
        size_t tl = strlen(target);
        if(tl + 1 > sizeof(path))
            return false;
        memcpy(path, target, tl + 1);
    } else {
        return false;
    }
    int fd = sysroot_open(rootfd, path, O_PATH | O_CLOEXEC);
    if(fd >= 0) {
        close(fd);
        return false;
    }
    if(errno != ENOENT)
        return false;
    char *slash = strrchr(path, '/');
    if(!slash || slash == path)
        return false;
    *slash = 0;
    fd = sysroot_open(rootfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if(fd < 0)
        return false;
    close(fd);
    return true;
}

/* The program an entry launches is judged by the other detectors (YARA,
 * IoCs) when it is a regular file of the root of at most PROBE_MAX bytes,
 * PROBES_MAX programs per persistence file. */
#define PROBE_MAX (32u << 20)
#define PROBES_MAX 256
#define DIR_SCAN_MAX 65536   /* entries read to match a name's case */

/* Name `comp` in folder dfd, matched case-insensitively as Windows does
 * when no entry has that exact name, into out (NAME_MAX + 1); false when
 * none is there. */
static bool win_name(int dfd, const char *comp, char *out, size_t cap)
{
    struct stat st;
    if(!fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW)) {
        snprintf(out, cap, "%s", comp);
        return true;
    }
    int d2 = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = d2 >= 0 ? fdopendir(d2) : NULL;
    bool ok = false;
    if(!d) {
        if(d2 >= 0)
            close(d2);
        return false;
    }
    struct dirent *de;
    for(unsigned i = 0; !ok && i < DIR_SCAN_MAX && (de = readdir(d)); i++)
        if(!strcasecmp(de->d_name, comp) && strlen(de->d_name) < cap) {
            snprintf(out, cap, "%s", de->d_name);
            ok = true;
        }
    closedir(d);
    return ok;
}

/*
 * Open Windows path t ("C:\a\b.exe", any drive letter) beneath rootfd,
 * each component matched as Windows would (case-insensitively), no
 * symbolic link followed on the way: the descriptor (O_RDONLY) or -1.
 * rel gets the path beneath the root as it is spelt there ("/a/b.exe");
 * *folder whether every folder on the way exists.
 */
static int win_open(int rootfd, const char *t, char *rel, size_t cap,
                    bool *folder)
{
    *folder = false;
    rel[0] = 0;
    if(((t[0] | 32) >= 'a' && (t[0] | 32) <= 'z') && t[1] == ':')
        t += 2;
    if(t[0] != '\\' && t[0] != '/')
        return -1;
    int dfd = rootfd, fd = -1;
    size_t o = 0;
    while(*t) {
        while(*t == '\\' || *t == '/')
            t++;
        size_t l = strcspn(t, "\\/");
        if(!l)
            break;
        char comp[256], name[256];
        if(l >= sizeof(comp) || (l == 1 && t[0] == '.') ||
           (l == 2 && t[0] == '.' && t[1] == '.'))
            break;
        memcpy(comp, t, l);
        comp[l] = 0;
        t += l;
        bool last = !t[strspn(t, "\\/")];
        if(!win_name(dfd, comp, name, sizeof(name))) {
            *folder = last;
            break;
        }
        int k = snprintf(rel + o, cap - o, "/%s", name);
        if(k < 0 || (size_t)k >= cap - o)
            break;
        o += (size_t)k;
        int nfd = last ? sysroot_reopen_regular(openat(dfd, name,
                                             sysroot_probe_flags() |
                                             O_NOFOLLOW | O_CLOEXEC), 0, NULL)
                       : openat(dfd, name, O_RDONLY | O_NOFOLLOW |
                                O_CLOEXEC | O_NONBLOCK | O_DIRECTORY);
        if(dfd != rootfd)
            close(dfd);
        dfd = rootfd;
        if(nfd < 0)
            break;
        if(last) {
            *folder = true;
            fd = nfd;
            break;
        }
        dfd = nfd;
    }
    if(dfd != rootfd)
        close(dfd);
    return fd;
}

/* What the other detectors said of the program an entry launches. */
struct probed {
    bool found;         /* a regular file of the root */
    bool missing;       /* absent from a folder of the root that exists */
    bool hit;           /* a detector reported it */
    bool malicious;     /* ... as malicious */
    char path[SYSROOT_PATH_MAX];   /* its path in the scanned system */
    char rule[128];     /* the first rule that matched it */
};

/* Scan p[0..n) as a member of obj named `name`, the findings on it
 * counted and their first rule kept rather than reported. */
static void probe(struct kobj *obj, const char *name, const uint8_t *p,
                  size_t n, struct probed *out)
{
    struct kctx *c = obj->ctx;
    uint64_t f0 = c->findings, e0 = c->events;
    int s0 = c->worst_sev;
    enum kensa_verdict v0 = c->worst_verdict;
    bool was = c->probe;
    char saved[sizeof(c->probe_rule)];
    memcpy(saved, c->probe_rule, sizeof(saved));
    c->probe = true;
    c->probe_rule[0] = 0;
    c->worst_sev = 0;
    c->worst_verdict = KENSA_VERDICT_NONE;
    object_scan_child(obj, name, p, n);
    out->hit = c->findings > f0;
    out->malicious = c->worst_verdict == KENSA_VERDICT_MALICIOUS;
    snprintf(out->rule, sizeof(out->rule), "%s", c->probe_rule);
    c->events = e0 + (c->events - e0 - (c->findings - f0));
    c->findings = f0;
    c->worst_sev = s0;
    c->worst_verdict = v0;
    c->probe = was;
    memcpy(c->probe_rule, saved, sizeof(saved));
}

/* Find target t (a Windows path, or a Unix one with "~/" meaning home)
 * beneath rootfd and have the other detectors judge it. */
static void probe_target(struct kobj *obj, int rootfd, const char *t,
                         bool windows, const char *home, struct probed *out)
{
    memset(out, 0, sizeof(*out));
    if(rootfd < 0 || !t[0] || strpbrk(t, "$*?%`"))
        return;
    int fd = -1;
    bool folder = false;
    if(windows) {
        fd = win_open(rootfd, t, out->path, sizeof(out->path), &folder);
    } else {
        int k = !strncmp(t, "~/", 2) ?
                (home[0] ? snprintf(out->path, sizeof(out->path), "%s%s",
                                    home, t + 1) : -1) :
                t[0] == '/' ? snprintf(out->path, sizeof(out->path), "%s", t)
                            : -1;
        if(k < 0 || (size_t)k >= sizeof(out->path))
            return;
        fd = sysroot_open_regular(rootfd, out->path, 0, NULL);
    }
    if(fd < 0) {
        out->missing = windows && folder;
        return;
    }
    struct stat st;
    uint8_t *buf = NULL;
    if(fstat(fd, &st) || !S_ISREG(st.st_mode))
        goto out;
    out->found = true;
    if(st.st_size <= 0 || (uint64_t)st.st_size > PROBE_MAX)
        goto out;
    size_t n = (size_t)st.st_size, got = 0;
    buf = malloc(n);
    while(buf && got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)got);
        if(r <= 0)
            break;
        got += (size_t)r;
    }
    if(buf && got == n)
        probe(obj, out->path, buf, n, out);
out:
    free(buf);
    close(fd);
}

/* The transaction logs of a hive, at most this size each. */
#define HIVE_LOG_MAX (64u << 20)

/* The regular file rel beneath rootfd, read whole (at most max bytes):
 * malloc'd, or NULL. */
static uint8_t *read_root(int rootfd, const char *rel, size_t max,
                          size_t *len)
{
    *len = 0;
    int fd = sysroot_open_regular(rootfd, rel, 0, NULL);
    struct stat st;
    uint8_t *buf = NULL;
    if(fd < 0)
        return NULL;
    if(!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
       (uint64_t)st.st_size <= max &&
       (buf = malloc((size_t)st.st_size))) {
        size_t n = (size_t)st.st_size;
        while(*len < n) {
            ssize_t r = pread(fd, buf + *len, n - *len, (off_t)*len);
            if(r <= 0)
                break;
            *len += (size_t)r;
        }
        if(*len != n) {
            free(buf);
            buf = NULL;
            *len = 0;
        }
    }
    close(fd);
    return buf;
}

/* A dirty hive at sp brought up to date with sp.LOG1 and sp.LOG2 of the
 * root: the replayed copy (malloc'd; *n its size, *applied the entries),
 * or NULL (the hive is clean, or a warning says its logs did not apply). */
static uint8_t *replay(struct kobj *obj, int rootfd, const char *sp,
                       size_t *n, unsigned *applied)
{
    const uint8_t *h = obj->data;
    *n = 0;
    *applied = 0;
    if(obj->len < 4096 || memcmp(h, "regf", 4) ||
       !memcmp(h + 4, h + 8, 4) || rootfd < 0)
        return NULL;
    uint8_t *logs[2] = { NULL, NULL };
    size_t lens[2] = { 0, 0 };
    for(int i = 0; i < 2; i++) {
        char rel[SYSROOT_PATH_MAX];
        int k = snprintf(rel, sizeof(rel), "%s.LOG%d", sp, i + 1);
        if(k > 0 && (size_t)k < sizeof(rel))
            logs[i] = read_root(rootfd, rel, HIVE_LOG_MAX, &lens[i]);
    }
    uint8_t *out = pst_hive_replay(h, obj->len,
                                   (const uint8_t *const *)logs, lens, 2, n,
                                   applied);
    if(!out)
        ctx_warn(obj->ctx, obj->path, KENSA_EFORMAT, KMSG_PERSIST_HIVE_DIRTY);
    free(logs[0]);
    free(logs[1]);
    return out;
}

/* Whether the unit checks `target` before it runs (Condition*=). */
static bool checked(const struct pst_list *l, const char *target)
{
    size_t tl = strlen(target);
    for(size_t i = 0; i < l->n; i++)
        if((l->e[i].flags & PST_E_COND) &&
           !strncmp(l->e[i].cmd, target, tl) &&
           (!l->e[i].cmd[tl] || l->e[i].cmd[tl] == ' '))
            return true;
    return false;
}

static void common_attrs(struct kfind *k, const char *type)
{
    kfind_str(k, "event.category", "malware", KENSA_ATTR_LIST);
    kfind_str(k, "kensa.persistence.type", type, KENSA_ATTR_SHOW);
    kfind_str(k, "threat.framework", "MITRE ATT&CK", 0);
    kfind_str(k, "threat.tactic.id", "TA0003", KENSA_ATTR_LIST);
    kfind_str(k, "threat.tactic.name", "Persistence", KENSA_ATTR_LIST);
    for(size_t i = 0; i < sizeof(techniques) / sizeof(techniques[0]); i++) {
        if(!strcmp(techniques[i].type, type)) {
            kfind_str(k, "threat.technique.id", techniques[i].id,
                      KENSA_ATTR_LIST);
            kfind_str(k, "threat.technique.name", techniques[i].name,
                      KENSA_ATTR_LIST);
            break;
        }
    }
}

/* One entry of a persistence file: a finding when it is flagged. */
static _Thread_local unsigned probes;   /* per persistence file */
static _Thread_local unsigned replayed; /* log entries the hive read got */

static void judge_entry(struct kobj *obj, int rootfd,
                        const struct where *w, const struct pst_list *l,
                        const struct pst_entry *e, const char *home,
                        uint32_t *seen, size_t *nseen)
{
    const char *sp = kobj_system_path(obj);
    static _Thread_local struct pst_judged j;
    pst_judge(e, &j);
    bool preload = e->flags & PST_E_PRELOAD;
    bool miss = false;
    if(e->flags & PST_E_COND)
        return;
    if(!(j.flags & PST_F_SUSPICIOUS) && !preload && !j.windows &&
       !j.optional && !w->vendor && !checked(l, j.target) &&
       !(e->flags & (PST_E_SHELL | PST_E_COM)) && j.target[0])
        miss = missing(rootfd, j.target, home);
    /* a com.apple.* job outside Apple's folders (Apple's own live in
     * /System/Library) that runs something outside the system's */
    bool apple = false;
    if((w->how == H_PLIST || w->how == H_BTM) && j.target[0]) {
        const char *name = obj->name ? obj->name : "";
        bool named = w->how == H_BTM ?
                     e->raw && !strncmp(e->raw, "com.apple.", 10) :
                     !strncmp(name, "com.apple.", 10) ||
                     !strncmp(l->label, "com.apple.", 10);
        static const char *const sys[] = { "/System/", "/usr/", "/bin/",
                                           "/sbin/", "/Library/Apple/" };
        bool inside = false;
        for(size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
            if(!strncmp(j.target, sys[i], strlen(sys[i])))
                inside = true;
        apple = named && !inside;
    }
    /* a TaskCache task hidden (no SD) or missing its XML file */
    bool odd = l->no_sd || l->reg_only;
    /* what the other detectors say of the program it launches */
    static _Thread_local struct probed pr;
    memset(&pr, 0, sizeof(pr));
    if(!w->vendor && !(e->flags & (PST_E_COND | PST_E_COM)) &&
       j.target[0] && probes < PROBES_MAX) {
        probes++;
        probe_target(obj, rootfd, j.target, j.windows, home, &pr);
        /* a program gone from a user's or data folder (not the root:
         * an unquoted C:\Program Files\x.exe first tries C:\Program);
         * Windows' own and Program Files are often left out of triage
         * copies */
        if(pr.missing && pr.path[0] && !(j.flags & PST_F_SUSPICIOUS) &&
           strncasecmp(pr.path, "/Windows/", 9) &&
           strncasecmp(pr.path, "/Program Files", 14))
            miss = true;
    }
    if(!(j.flags & PST_F_SUSPICIOUS) && !preload && !miss && !apple &&
       !odd && !pr.hit)
        return;
    /* once per file for the same target and reasons (ExecStartPre and
     * ExecStart of one missing program) */
    uint32_t key = fnv1a(fnv1a(2166136261u, j.target), e->cmd) ^
                   (j.flags * 7u + miss * 3u + apple + pr.hit * 11u);
    if(!(j.flags & (PST_F_DOWNLOAD | PST_F_DECODE)))
        key = fnv1a(2166136261u, j.target) ^ (j.flags * 7u + miss * 3u +
                                               apple + pr.hit * 11u);
    if(e->where)
        key = fnv1a(key, e->where);
    /* *nseen passes PST_MAX by one once the warning is out: seen[] holds
     * PST_MAX keys */
    for(size_t i = 0; i < *nseen && i < PST_MAX; i++)
        if(seen[i] == key)
            return;
    if(*nseen >= PST_MAX) {
        /* a file that floods findings: PST_MAX of them, then a warning */
        if(*nseen == PST_MAX) {
            ctx_warn(obj->ctx, obj->path, KENSA_ELIMIT,
                     KMSG_PERSIST_TRUNCATED, w->type);
            (*nseen)++;
        }
        return;
    }
    seen[(*nseen)++] = key;

    enum kensa_severity sev = (miss || l->reg_only) &&
                              !(j.flags & PST_F_SUSPICIOUS) && !apple &&
                              !l->no_sd && !pr.hit ? KENSA_SEV_MEDIUM :
                              pr.malicious ? KENSA_SEV_CRITICAL :
                              KENSA_SEV_HIGH;
    struct kfind k;
    kfind_init(&k, "persist", KENSA_THREAT_PERSISTENCE,
               pr.malicious ? KENSA_VERDICT_MALICIOUS :
               KENSA_VERDICT_SUSPICIOUS, sev);
    /* what it launches: the program, or what a download fetches */
    const char *target = j.target[0] ? j.target : e->cmd;
    if((j.flags & PST_F_DOWNLOAD) && j.url[0] &&
       !(j.flags & (PST_F_TEMP | PST_F_DATADIR | PST_F_HIDDEN)))
        target = j.url;
    kfind_msg(&k, KMSG_PERSIST_ENTRY, w->type, target);
    k.f.rule = pr.hit ? "persist.target_matched" :
               j.flags & PST_F_DOWNLOAD ? "persist.download_exec" :
               j.flags & PST_F_DECODE ? "persist.decode_exec" :
               preload ? "persist.ld_preload" :
               j.flags & PST_F_TEMP ? "persist.temp_folder" :
               j.flags & PST_F_DATADIR ? "persist.data_folder" :
               j.flags & PST_F_HIDDEN ? "persist.hidden_folder" :
               j.flags & PST_F_UPDATER ? "persist.updater_name" :
               apple ? "persist.apple_name" :
               l->no_sd ? "persist.task_no_sd" :
               l->reg_only ? "persist.task_registry_only" :
               "persist.missing_target";
    k.f.line = e->line;
    if(pr.hit)
        kfind_ev(&k, KMSG_PERSIST_EV_MATCHED, pr.path,
                 pr.rule[0] ? pr.rule : "?");
    if(j.flags & PST_F_DOWNLOAD)
        kfind_ev(&k, KMSG_PERSIST_EV_DOWNLOAD, j.url[0] ? j.url : e->cmd);
    if(j.flags & PST_F_DECODE)
        kfind_ev(&k, KMSG_PERSIST_EV_DECODE);
    if(preload)
        kfind_ev(&k, KMSG_PERSIST_EV_PRELOAD, target);
    if(j.flags & PST_F_TEMP)
        kfind_ev(&k, KMSG_PERSIST_EV_TEMP, j.target, j.place);
    if(j.flags & PST_F_DATADIR)
        kfind_ev(&k, KMSG_PERSIST_EV_DATADIR, j.target, j.place);
    if(j.flags & PST_F_HIDDEN)
        kfind_ev(&k, KMSG_PERSIST_EV_HIDDEN, j.target, j.hidden);
    if(j.flags & PST_F_UPDATER)
        kfind_ev(&k, KMSG_PERSIST_EV_UPDATER, j.target);
    if(apple)
        kfind_ev(&k, KMSG_PERSIST_EV_APPLE, w->how == H_BTM ? e->raw :
                 l->label[0] ? l->label : obj->name, target);
    if(w->how == H_BTM)
        kfind_ev(&k, KMSG_PERSIST_EV_LOGIN_ITEM, e->raw ? e->raw : target);
    if(miss)
        kfind_ev(&k, KMSG_PERSIST_EV_MISSING, target);
    if(e->flags & PST_E_REBOOT)
        kfind_ev(&k, KMSG_PERSIST_EV_REBOOT);
    if(e->flags & PST_E_AT_LOAD)
        kfind_ev(&k, KMSG_PERSIST_EV_AT_LOAD);
    if(l->disabled)
        kfind_ev(&k, KMSG_PERSIST_EV_DISABLED);
    if(l->hidden)
        kfind_ev(&k, KMSG_PERSIST_EV_TASK_HIDDEN);
    if(l->no_sd)
        kfind_ev(&k, KMSG_PERSIST_EV_TASK_NO_SD);
    if(l->reg_only)
        kfind_ev(&k, KMSG_PERSIST_EV_TASK_REG_ONLY, l->label);
    if(e->flags & PST_E_COM_SERVER)
        kfind_ev(&k, KMSG_PERSIST_EV_COM, e->raw ? e->raw : "?", e->cmd);
    char nb[24];
    if(e->where && replayed)
        kfind_ev(&k, KMSG_PERSIST_EV_REPLAYED, kmsg_u64(nb, replayed));
    if(e->where)
        kfind_ev(&k, KMSG_PERSIST_EV_REGISTRY, e->where, sp,
                 e->raw && !(e->flags & PST_E_COM_SERVER) ? e->raw : e->cmd);
    common_attrs(&k, w->type);
    kfind_str(&k, "kensa.persistence.target", target, KENSA_ATTR_SHOW);
    kfind_str(&k, "process.executable", j.target, 0);
    kfind_str(&k, "url.original", j.url, 0);
    kfind_str(&k, "process.command_line", e->cmd, KENSA_ATTR_OWN_LINE);
    kfind_str(&k, "kensa.persistence.label", l->label, 0);
    if(w->how == H_BTM) {
        kfind_str(&k, "kensa.persistence.bundle_id", e->raw, 0);
        kfind_str(&k, "kensa.persistence.trigger", "logon", 0);
    }
    if(e->where) {
        kfind_str(&k, "registry.path", e->where, KENSA_ATTR_SHOW);
        kfind_str(&k, "registry.hive", !strncmp(e->where, "HKCU", 4) ?
                  "HKCU" : "HKLM", 0);
        kfind_str(&k, "registry.data.strings", e->raw &&
                  !(e->flags & PST_E_COM_SERVER) ? e->raw : e->cmd,
                  KENSA_ATTR_LIST);
        kfind_str(&k, "kensa.persistence.hive", sp, 0);
    }
    if(e->flags & PST_E_REBOOT)
        kfind_str(&k, "kensa.persistence.trigger", "reboot", 0);
    if(e->flags & PST_E_AT_LOAD)
        kfind_str(&k, "kensa.persistence.trigger", "load", 0);
    if(l->disabled)
        kfind_bool(&k, "kensa.persistence.disabled", true, 0);
    if(l->hidden || l->no_sd)
        kfind_bool(&k, "kensa.persistence.hidden", true, 0);
    if(l->reg_only)
        kfind_str(&k, "kensa.persistence.task", l->label, 0);
    if(miss)
        kfind_bool(&k, "kensa.persistence.target_missing", true, 0);
    if(pr.found)
        kfind_str(&k, "kensa.persistence.target_file", pr.path, 0);
    if(pr.hit)
        kfind_str(&k, "kensa.persistence.target_rule", pr.rule, 0);
    ctx_report(obj, &k.f);
}

/* The profile folder name of a hive at sp ("/Users/bob/NTUSER.DAT":
 * "bob") into out, or false for a system hive. */
static bool profile_of(const char *sp, char *out, size_t cap)
{
    if(strncmp(sp, "/Users/", 7))
        return false;
    const char *s = sp + 7, *e = strchr(s, '/');
    if(!e || e == s || (size_t)(e - s) >= cap)
        return false;
    memcpy(out, s, (size_t)(e - s));
    out[e - s] = 0;
    return true;
}

/* Registry entries: their %variables% expanded for the hive's user,
 * the value as stored kept as raw. */
static void expand_all(struct pst_list *l, const char *user)
{
    static _Thread_local char x[PST_CMD_MAX];
    for(size_t i = 0; i < l->n; i++) {
        struct pst_entry *e = &l->e[i];
        if(!strchr(e->cmd, '%'))
            continue;
        size_t xl = pst_expand(e->cmd, user, x, sizeof(x));
        const char *c = strcmp(x, e->cmd) ? pst_keep(l, x, xl) : NULL;
        if(c) {
            if(!e->raw)
                e->raw = e->cmd;
            e->cmd = c;
        }
    }
}

/* Task paths of the TaskCache, hashed case-insensitively: the XML
 * files without one are the tasks kept out of the registry. */
struct taskset {
    struct kobj *obj;
    int rootfd;
    const struct where *w;
    bool tasks_dir;          /* Windows/System32/Tasks is in the root */
    unsigned reported;       /* XML-only tasks reported */
    size_t n;
    uint32_t h[PST_TREE_TASKS];
};

static uint32_t task_hash(const char *path)
{
    uint32_t h = 2166136261u;
    for(; *path; path++) {
        char c = *path == '/' ? '\\' : *path;
        if(c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        h = (h ^ (unsigned char)c) * 16777619u;
    }
    return h;
}

/* Whether the task's XML file (Tree path \A\B: Windows/System32/Tasks/A/B)
 * is in the root. */
static bool task_file(int rootfd, const char *path)
{
    char rel[SYSROOT_PATH_MAX];
    int k = snprintf(rel, sizeof(rel), TASKS_DIR "%s", path);
    if(k < 0 || (size_t)k >= sizeof(rel))
        return true;   /* too long to look up: not called missing */
    for(char *c = rel; *c; c++)
        if(*c == '\\')
            *c = '/';
    int fd = sysroot_open(rootfd, rel, O_PATH | O_CLOEXEC);
    if(fd >= 0) {
        close(fd);
        return true;
    }
    return errno != ENOENT;
}

/* One TaskCache task: its actions judged like a task file's, and a
 * finding when it hides (no SD) or has no XML file. */
static void cached_task(void *arg, const struct pst_cached_task *t)
{
    struct taskset *ts = arg;
    struct pst_list *l = t->actions;
    if(ts->n < PST_TREE_TASKS)
        ts->h[ts->n++] = task_hash(t->path);
    l->no_sd = !t->has_sd;
    l->reg_only = ts->tasks_dir && !task_file(ts->rootfd, t->path);
    snprintf(l->label, sizeof(l->label), "%s", t->path);
    expand_all(l, NULL);
    if(!l->n && (l->no_sd || l->reg_only))
        pst_add(l, t->path, strlen(t->path), NULL, 0, 0, PST_E_COM);
    uint32_t seen[PST_MAX];
    size_t nseen = 0;
    for(size_t i = 0; i < l->n; i++)
        judge_entry(ts->obj, ts->rootfd, ts->w, l, &l->e[i], "", seen,
                    &nseen);
}

/* An XML task file without a TaskCache entry. */
static void xml_only(struct taskset *ts, const char *rel)
{
    struct kfind k;
    char path[SYSROOT_PATH_MAX + sizeof(TASKS_DIR) + 1];
    snprintf(path, sizeof(path), "/" TASKS_DIR "%s", rel);
    kfind_init(&k, "persist", KENSA_THREAT_PERSISTENCE,
               KENSA_VERDICT_SUSPICIOUS, KENSA_SEV_MEDIUM);
    kfind_msg(&k, KMSG_PERSIST_ENTRY, ts->w->type, path);
    k.f.rule = "persist.task_xml_only";
    kfind_ev(&k, KMSG_PERSIST_EV_TASK_XML_ONLY, path);
    common_attrs(&k, ts->w->type);
    kfind_str(&k, "kensa.persistence.target", path, KENSA_ATTR_SHOW);
    kfind_str(&k, "file.path", path, 0);
    ctx_report(ts->obj, &k.f);
}

#define TASK_FILES_MAX 8192

/* The files beneath folder fd (rel: its Tree-style path "\A"): each one
 * without a TaskCache task reported.  No link is followed. */
static void task_walk(struct taskset *ts, int fd, const char *rel,
                      unsigned depth, unsigned *files)
{
    DIR *d = fdopendir(fd);
    if(!d) {
        close(fd);
        return;
    }
    struct dirent *de;
    while((de = readdir(d)) && *files < TASK_FILES_MAX) {
        if(!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char sub[SYSROOT_PATH_MAX];
        int k = snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name);
        if(k < 0 || (size_t)k >= sizeof(sub))
            continue;
        struct stat st;
        if(fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
            continue;
        (*files)++;
        if(S_ISDIR(st.st_mode) && depth + 1 < PST_TREE_DEPTH) {
            int c = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
                           O_NOFOLLOW | O_CLOEXEC);
            if(c >= 0)
                task_walk(ts, c, sub, depth + 1, files);
        } else if(S_ISREG(st.st_mode)) {
            uint32_t h = task_hash(sub);
            bool known = false;
            for(size_t i = 0; i < ts->n && !known; i++)
                known = ts->h[i] == h;
            if(!known && ts->reported++ < PST_MAX * 4)
                xml_only(ts, sub);
            else if(!known && ts->reported == PST_MAX * 4 + 1)
                ctx_warn(ts->obj->ctx, ts->obj->path, KENSA_ELIMIT,
                         KMSG_PERSIST_TRUNCATED, ts->w->type);
        }
    }
    closedir(d);
}

/* The TaskCache of a SOFTWARE hive against the XML store. */
static void taskcache(struct kobj *obj, int rootfd, const uint8_t *p,
                      size_t n)
{
    struct taskset *ts = malloc(sizeof(*ts));
    bool truncated = false;
    if(!ts) {
        ctx_warn(obj->ctx, obj->path, KENSA_ENOMEM, KMSG_OOM);
        return;
    }
    ts->obj = obj;
    ts->rootfd = rootfd;
    ts->w = classify("/" TASKS_DIR "/x");
    ts->n = 0;
    ts->reported = 0;
    int dfd = rootfd >= 0 ? sysroot_open(rootfd, TASKS_DIR, O_RDONLY |
                                         O_DIRECTORY | O_CLOEXEC) : -1;
    ts->tasks_dir = dfd >= 0;
    if(pst_taskcache(p, n, cached_task, ts, &truncated)) {
        if(truncated)
            ctx_warn(obj->ctx, obj->path, KENSA_ELIMIT,
                     KMSG_PERSIST_TRUNCATED, ts->w->type);
        unsigned files = 0;
        /* a truncated TaskCache would call the rest XML-only */
        if(dfd >= 0 && !truncated) {
            task_walk(ts, dfd, "", 0, &files);
            dfd = -1;
        }
    }
    if(dfd >= 0)
        close(dfd);
    free(ts);
}

/* A file in a Windows Startup folder: it runs at every logon. */
static void startup_file(struct kobj *obj, const struct where *w,
                         const char *sp)
{
    const char *name = obj->name ? obj->name : sp;
    const char *slash = strrchr(name, '/');
    if(slash)
        name = slash + 1;
    char low[16];
    size_t i = 0;
    for(; name[i] && i + 1 < sizeof(low); i++)
        low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
                        name[i] - 'A' + 'a' : name[i]);
    low[i] = 0;
    if(!strcmp(low, "desktop.ini"))
        return;   /* the folder's own settings */
    bool pe = obj->len >= 2 && obj->data[0] == 'M' && obj->data[1] == 'Z';
    bool exec = pe || pst_win_exec_name(name);
    struct kfind k;
    kfind_init(&k, "persist", KENSA_THREAT_PERSISTENCE,
               KENSA_VERDICT_SUSPICIOUS,
               exec ? KENSA_SEV_HIGH : KENSA_SEV_MEDIUM);
    kfind_msg(&k, KMSG_PERSIST_ENTRY, w->type, sp);
    k.f.rule = pe ? "persist.startup_executable" : "persist.startup_file";
    kfind_ev(&k, KMSG_PERSIST_EV_STARTUP);
    if(pe)
        kfind_ev(&k, KMSG_PERSIST_EV_FLAGPRO);
    common_attrs(&k, w->type);
    kfind_str(&k, "kensa.persistence.target", sp, KENSA_ATTR_SHOW);
    kfind_str(&k, "process.executable", sp, 0);
    kfind_str(&k, "kensa.persistence.trigger", "logon", 0);
    ctx_report(obj, &k.f);
}

static void persist_on_object(struct kobj *obj)
{
    if(obj->depth)
        return;   /* persistence is a file of the system, not a member */
    struct pstate *st = detector_state(obj->ctx->s, &detector_persist);
    if(!st || obj->ctx->s->opts.no_persistence)
        return;
    const char *sp = kobj_system_path(obj);
    const struct where *w = classify(sp);
    if(!w)
        return;
    probes = 0;
    if(w->how == H_STARTUP) {
        startup_file(obj, w, sp);
        return;
    }
    size_t n = obj->data ? obj->len : 0;
    if(!n)
        return;
    if(n > PERSIST_READ_MAX) {
        char nb[24];
        ctx_warn(obj->ctx, obj->path, KENSA_ELIMIT, KMSG_PERSIST_TOO_LARGE,
                 kmsg_u64(nb, PERSIST_READ_MAX));
        n = PERSIST_READ_MAX;
    }
    struct pst_list *l = malloc(sizeof(*l));
    if(!l) {
        ctx_warn(obj->ctx, obj->path, KENSA_ENOMEM, KMSG_OOM);
        return;
    }
    pst_list_init(l);
    const char *p = (const char *)obj->data;
    bool ok = true;
    const struct sysroot *sys = obj->ctx->s->sys;
    int rootfd = sys && sys->fd >= 0 ? sys->fd : st->hostfd;
    /* a hive is read whole, brought up to date from its logs when dirty */
    const uint8_t *hive = obj->data;
    size_t hive_n = obj->len;
    uint8_t *fresh = NULL;
    replayed = 0;
    if(w->how >= H_HIVE_SOFTWARE &&
       (fresh = replay(obj, rootfd, sp, &hive_n, &replayed)))
        hive = fresh;
    else
        hive_n = obj->len;
    switch(w->how) {
    case H_CRON_SYS: pst_crontab(p, n, true, l); break;
    case H_CRON_USER: pst_crontab(p, n, false, l); break;
    case H_UNIT: pst_keyvals(p, n, PST_KV_UNIT, l); break;
    case H_DESKTOP: pst_keyvals(p, n, PST_KV_DESKTOP, l); break;
    case H_UDEV: pst_keyvals(p, n, PST_KV_UDEV, l); break;
    case H_SHELL: break;   /* below, a list at a time */
    case H_AUTHKEYS: pst_authkeys(p, n, l); break;
    case H_PRELOAD: pst_preload(p, n, l); break;
    case H_PLIST: ok = pst_plist(obj->data, n, l); break;
    case H_TASK: ok = pst_task(obj->data, n, l); break;
    case H_BTM: ok = pst_btm(obj->data, n, l); break;
    case H_HIVE_SOFTWARE:
    case H_HIVE_USER:
    case H_HIVE_SYSTEM:
    case H_HIVE_CLASSES:
        ok = pst_hive(hive, hive_n, w->how == H_HIVE_SOFTWARE ?
                      PST_HIVE_SOFTWARE : w->how == H_HIVE_USER ?
                      PST_HIVE_USER : w->how == H_HIVE_SYSTEM ?
                      PST_HIVE_SYSTEM : PST_HIVE_CLASSES, l);
        break;
    default: break;
    }
    if(!ok)
        ctx_warn(obj->ctx, obj->path, KENSA_EFORMAT, KMSG_PERSIST_UNREADABLE,
                 w->type);
    if(l->truncated)
        ctx_warn(obj->ctx, obj->path, KENSA_ELIMIT, KMSG_PERSIST_TRUNCATED,
                 w->type);
    char home[256], user[256];
    home_of(sp, home, sizeof(home));
    if(w->how >= H_HIVE_SOFTWARE)
        expand_all(l, profile_of(sp, user, sizeof(user)) ? user : NULL);
    uint32_t seen[PST_MAX];
    size_t nseen = 0;   /* PST_MAX + 1 once the flood warning is out */
    for(size_t i = 0; i < l->n; i++)
        judge_entry(obj, rootfd, w, l, &l->e[i], home, seen, &nseen);
    if(w->how == H_SHELL) {
        size_t off = 0;
        unsigned line = 0;
        while(off < n) {
            pst_list_init(l);
            size_t used = pst_shell(p + off, n - off, line, l);
            for(size_t i = 0; i < l->n; i++)
                judge_entry(obj, rootfd, w, l, &l->e[i], home, seen, &nseen);
            if(l->n)
                line = l->e[l->n - 1].line;
            if(!used)
                break;   /* cannot happen: an empty list takes a line */
            off += used;
        }
    }
    free(l);
    if(w->how == H_HIVE_SOFTWARE && ok)
        taskcache(obj, rootfd, hive, hive_n);
    free(fresh);
    replayed = 0;
}

const struct detector detector_persist = {
    .name = "persist",
    .init = persist_init,
    .fini = persist_fini,
    .on_object = persist_on_object,
    .context = persist_context,
};
