/*
 * persist_parse.h - the pure parts of the persistence detector
 * (detect/persist.c): readers that take a persistence file apart into
 * the commands it launches, and the rules that judge a command.
 *
 * Every byte given here is the attacker's (a crontab, a unit, a plist, a
 * task): the readers take (pointer, length), never read past it, stop a
 * value at a NUL byte, and keep what they find in a fixed list (at most
 * PST_MAX entries, PST_ARENA bytes of text, a command cut at PST_CMD_MAX
 * on a UTF-8 boundary) - nothing here allocates, recurses without a
 * bound, or loops without consuming input.  Fuzzed by fuzz/fuzz_persist.c.
 */
#ifndef KENSA_DETECT_PERSIST_PARSE_H
#define KENSA_DETECT_PERSIST_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PST_MAX 64               /* entries kept per file */
#define PST_ARENA (48u << 10)    /* bytes of text they hold, all told */
#define PST_CMD_MAX 4096         /* one command line, at most */
#define PST_TARGET_MAX 1024      /* one judged program path, at most */

/* What an entry says beyond its command (pst_entry.flags). */
#define PST_E_REBOOT 1u     /* cron @reboot: runs at every boot */
#define PST_E_AT_LOAD 2u    /* launchd RunAtLoad or KeepAlive */
#define PST_E_SHELL 4u      /* a line of a shell script: only strong
                               signs count (pst_judge) */
#define PST_E_PRELOAD 8u    /* a library named by /etc/ld.so.preload */
#define PST_E_COM 16u       /* a scheduled task's COM handler (cmd is
                               its class id; not judged) */
#define PST_E_SERVICE 64u   /* a Windows service's ImagePath */
#define PST_E_COM_SERVER 128u /* a COM class's server program (a task's
                               COM handler resolved, a user's CLSID) */
#define PST_E_COND 32u      /* a unit's Condition*=/Assert*= path: not
                               launched; a program it names may be
                               missing by design */

struct pst_entry {
    const char *cmd;    /* the command line, NUL-terminated (arena) */
    const char *prog;   /* the program as one path when the format says
                           it apart from its arguments (a plist's
                           Program or ProgramArguments[0], a task's
                           Command), else NULL: the first word of cmd */
    const char *where;  /* a registry value's key path and name
                           ("HKLM\\SOFTWARE\\...\\Run\\x"), else NULL */
    const char *raw;    /* the registry value's data as stored, before
                           its %variables% were expanded; a login item's
                           bundle id; a COM server's class id; else NULL */
    unsigned line;      /* 1-based line of the file, 0 when none */
    unsigned flags;     /* PST_E_* */
};

struct pst_list {
    size_t n;
    bool truncated;     /* entries or text past the caps were dropped */
    bool disabled;      /* a plist's Disabled true, a task not Enabled */
    bool hidden;        /* a task's <Hidden>true</Hidden> */
    bool no_sd;         /* a TaskCache task whose Tree key has no SD
                           value: hidden from the Task Scheduler */
    bool reg_only;      /* a TaskCache task without its XML file (its
                           Tree path is then the label) */
    struct pst_entry e[PST_MAX];
    char label[256];    /* a plist's Label, else "" */
    size_t used;
    char arena[PST_ARENA];
};

void pst_list_init(struct pst_list *l);

/*
 * Add an entry: command p[0..n) (cut at a NUL byte, at PST_CMD_MAX on a
 * UTF-8 boundary, and trimmed of blanks), program q[0..qn) or q NULL.
 * False when the list is full (l->truncated is then set).
 */
bool pst_add(struct pst_list *l, const char *p, size_t n, const char *q,
             size_t qn, unsigned line, unsigned flags);

/* Copy p[0..n) (cut and trimmed as pst_add does) into the list's arena:
 * a NUL-terminated string there, or NULL when it is full. */
const char *pst_keep(struct pst_list *l, const char *p, size_t n);

/* A crontab (cron(8), crontab(5)): each job's command, its '%' part
 * (standard input) left out.  `system` for /etc/crontab and /etc/cron.d,
 * whose jobs name a user before the command.  Variable assignments and
 * comments are skipped; `@reboot` jobs get PST_E_REBOOT. */
void pst_crontab(const char *p, size_t n, bool system, struct pst_list *out);

/* Key=value files: systemd units (Exec*=, continuation lines joined, the
 * prefixes -@:+! kept for pst_judge; Condition*= and Assert*= paths as
 * PST_E_COND entries), desktop entries (Exec=, TryExec=),
 * udev rules (RUN+=/RUN= and PROGRAM=, not RUN{builtin}). */
enum pst_kv { PST_KV_UNIT, PST_KV_DESKTOP, PST_KV_UDEV };
void pst_keyvals(const char *p, size_t n, enum pst_kv kind,
                 struct pst_list *out);

/* A shell script (rc.local, init.d, profiles): each line that is not a
 * comment, flagged PST_E_SHELL, numbered from line0 + 1.  Stops when the
 * list is full and returns how many bytes it consumed: the caller judges
 * what it got, empties the list and goes on from there (a long script is
 * read whole, a list at a time). */
size_t pst_shell(const char *p, size_t n, unsigned line0,
                 struct pst_list *out);

/* authorized_keys: the command="..." option of each key. */
void pst_authkeys(const char *p, size_t n, struct pst_list *out);

/* /etc/ld.so.preload: each library it names (blanks, colons and
 * newlines separate them; '#' starts a comment), PST_E_PRELOAD. */
void pst_preload(const char *p, size_t n, struct pst_list *out);

/* A launchd property list, XML or binary ("bplist00"): Program or
 * ProgramArguments (joined by spaces) as one entry, RunAtLoad/KeepAlive
 * as PST_E_AT_LOAD, Label and Disabled.  Only keys of the top-level
 * dictionary count.  False when p is no property list this reads. */
bool pst_plist(const uint8_t *p, size_t n, struct pst_list *out);

/* macOS login items: a background task management store
 * (BackgroundItems-v*.btm, backgrounditems.btm), a binary plist holding
 * an NSKeyedArchiver graph.  Each dictionary of its $objects (the first
 * 16384) with an executablePath, url, URL or path (a string, or an NSURL
 * whose NS.relative is one; file URLs percent-decoded, an app bundle's
 * trailing slash dropped) that is an absolute path gives an entry
 * (its bundleIdentifier or identifier as `raw`), each
 * path once.  UIDs are followed one level, nothing recurses.  False when
 * p is no keyed archive. */
bool pst_btm(const uint8_t *p, size_t n, struct pst_list *out);

/* A Windows scheduled task (XML, UTF-16LE with or without its byte
 * order mark, or UTF-8): each <Exec> action (Command and Arguments) and
 * each <ComHandler> (ClassId, PST_E_COM); <Enabled>false</Enabled> sets
 * disabled, <Hidden>true</Hidden> hidden.  False when p holds no <Task element. */
bool pst_task(const uint8_t *p, size_t n, struct pst_list *out);

/* UTF-16LE p[0..n) (odd byte dropped, stops at U+0000, lone surrogates
 * as U+FFFD) as UTF-8 into d (cap bytes, NUL-terminated, cut to fit);
 * returns its length. */
size_t pst_utf16(const uint8_t *p, size_t n, char *d, size_t cap);

/* The Actions value of a TaskCache task (SOFTWARE\Microsoft\Windows NT\
 * CurrentVersion\Schedule\TaskCache\Tasks\{id}): a version (1 to 3),
 * the context string (from version 2), then actions, each a magic and
 * an id string: Exec (0x6666: command, arguments, working folder, in
 * version 3 two bytes of flags) as an entry like pst_task's, COM handler
 * (0x7777: 16-byte class id, data) as a PST_E_COM entry holding the
 * class id in registry form, e-mail and message box actions skipped;
 * strings are a 32-bit byte length and UTF-16LE.  At most
 * PST_TASK_ACTIONS_MAX actions.  False when the blob is no Actions
 * value or is cut (the entries read before are kept). */
#define PST_TASK_ACTIONS_MAX 32
bool pst_task_actions(const uint8_t *p, size_t n, struct pst_list *out);

/*
 * Expand the %variables% of a registry value s into d (cap > 0 bytes,
 * NUL-terminated, cut to fit) as Windows would for the user `user` (the
 * profile's folder name, or NULL for a system hive: the user's folders
 * stay as they are): SystemRoot, windir, SystemDrive, ProgramData,
 * ALLUSERSPROFILE, ProgramFiles, ProgramFiles(x86), CommonProgramFiles,
 * PUBLIC, and the user's USERPROFILE, APPDATA, LOCALAPPDATA, TEMP, TMP,
 * USERNAME, HOMEPATH.  Unknown variables stay.  Returns the length.
 */
size_t pst_expand(const char *s, const char *user, char *d, size_t cap);

/* XML text s[0..n) with the five entities and numeric references decoded
 * into d (cap > 0 bytes, NUL-terminated, cut to fit); returns its length. */
size_t pst_xml_text(const char *s, size_t n, char *d, size_t cap);

/* Run/RunOnce values (SOFTWARE, NTUSER.DAT) or services' ImagePath
 * (SYSTEM, PST_E_SERVICE) of the hive p[0..n), through libregf
 * (persist_hive.c).  False when it is no hive libregf opens, or kensa
 * was built without libregf. */
enum pst_hive { PST_HIVE_SOFTWARE, PST_HIVE_USER, PST_HIVE_SYSTEM,
                PST_HIVE_CLASSES };
bool pst_hive(const uint8_t *p, size_t n, enum pst_hive which,
              struct pst_list *out);

/* A task of the TaskCache of a SOFTWARE hive, as pst_taskcache hands it
 * over: its Tree path ("\\Microsoft\\Windows\\Defrag\\ScheduledDefrag",
 * cut at 512 bytes), its Id ("{GUID}" or ""), whether its Tree key has
 * an SD value, and its actions (pst_task_actions of Tasks\{Id}\Actions,
 * a COM handler's class resolved through SOFTWARE\Classes\CLSID to its
 * InprocServer32 or LocalServer32 program when the hive has it; each
 * entry's `where` names the Actions value). */
struct pst_cached_task {
    const char *path;
    const char *id;
    bool has_sd;
    bool has_actions;
    struct pst_list *actions;
};
typedef void (*pst_task_fn)(void *arg, const struct pst_cached_task *t);

/*
 * Walk the TaskCache of the SOFTWARE hive p[0..n): each task of
 * TaskCache\Tree (folders PST_TREE_DEPTH deep, PST_TREE_TASKS tasks at
 * most; *truncated set past them) is handed to fn.  False when it is no
 * hive libregf opens or it has no TaskCache\Tree key.
 */
#define PST_TREE_DEPTH 8
#define PST_TREE_TASKS 4096
bool pst_taskcache(const uint8_t *p, size_t n, pst_task_fn fn, void *arg,
                   bool *truncated);

/*
 * A dirty hive h[0..n) (its base block's sequence numbers differ) brought
 * up to date with the new-format transaction logs logs[0..nlogs) (the
 * .LOG1 and .LOG2 beside it; NULL ones skipped): the entries from the
 * secondary sequence number on, each checked whole (Marvin32 hashes,
 * sizes, pages inside the bins size), applied in order up to the first
 * gap; at most PST_LOG_ENTRIES entries and a PST_HIVE_MAX-byte result.
 * Returns a new buffer (the caller frees it; *outn its size, *applied
 * the entries applied), or NULL when the hive is clean, its base block
 * is damaged, or no entry applies (persist_log.c).
 */
#define PST_LOG_ENTRIES 4096
#define PST_HIVE_MAX (512u << 20)
uint8_t *pst_hive_replay(const uint8_t *h, size_t n, const uint8_t *const *logs,
                         const size_t *lens, size_t nlogs, size_t *outn,
                         unsigned *applied);

/* Marvin32 of p[0..n) with `seed` (the log entries' hash). */
uint64_t pst_marvin32(const uint8_t *p, size_t n, uint64_t seed);

/* ---- judging ----------------------------------------------------------- */

/* Why a command is suspicious (pst_judged.flags), strongest first. */
#define PST_F_DOWNLOAD 1u   /* downloads and runs (curl ... | sh) */
#define PST_F_DECODE 2u     /* decodes and runs (base64 -d | sh, -enc) */
#define PST_F_TEMP 4u       /* program in a temporary folder */
#define PST_F_DATADIR 8u    /* Windows data folder: ProgramData, AppData,
                               Users\Public, Temp */
#define PST_F_HIDDEN 16u    /* program in a hidden folder */
#define PST_F_UPDATER 32u   /* named like an updater, in a user-writable
                               place */
#define PST_F_HOME 64u      /* in a home folder: not a flag alone */
#define PST_F_SUSPICIOUS (PST_F_DOWNLOAD | PST_F_DECODE | PST_F_TEMP | \
                          PST_F_DATADIR | PST_F_HIDDEN | PST_F_UPDATER)

struct pst_judged {
    unsigned flags;
    bool windows;                  /* target is a Windows path */
    char target[PST_TARGET_MAX];   /* the program (or the script an
                                      interpreter runs) judged: the first
                                      flagged one, else the first */
    char place[128];               /* the folder a location rule matched */
    char hidden[128];              /* the target's path up to its hidden
                                      folder ("/tmp/.x"), or "" */
    char url[512];                 /* what a download fetches, or "" */
    bool optional;                 /* systemd's '-' prefix: the unit
                                      runs on without the program */
};

/*
 * Judge entry `e`: split cmd into simple commands (; & | newlines,
 * parentheses), take each one's program past assignments, wrappers
 * (sudo, env, nohup, exec...) and systemd's prefixes, look through
 * interpreters (sh -c "...", two levels; bash script.sh; cmd /c) to the
 * script, and judge where it lives.  Shell-script lines (PST_E_SHELL)
 * count only the strong signs (download, decode, temporary folders):
 * profiles source ~/.something all the time.
 */
void pst_judge(const struct pst_entry *e, struct pst_judged *out);

/* Whether the file name `name` (a basename) is an executable or script
 * by its extension as Windows runs it (.exe .scr .com .pif .bat .cmd
 * .vbs .vbe .js .jse .wsf .wsh .ps1 .hta .msi .dll .cpl .jar). */
bool pst_win_exec_name(const char *name);

/*
 * Match `path` against `pat`: '*' matches within one '/'-component, a
 * trailing slash and two stars match anything beneath (one component at
 * least);
 * `fold` compares ASCII case-insensitively (Windows paths).
 */
bool pst_match(const char *pat, const char *path, bool fold);

#endif
