/*
 * confine.c - kensa_confine(): shrink what the process may do before it
 * reads anything hostile.
 *
 * kensa runs as root and parses what attackers wrote: archives nested in
 * archives, class files, logs full of payloads.  A bug in one of those
 * parsers should give its exploit as little as possible: no program to
 * run, no network, no other process to read or trace, no file to plant.
 * So once the command line is read and the outputs are open, the CLI calls
 * kensa_confine(), which stacks three irreversible layers on the process
 * and on every thread and child it starts later:
 *
 *  1. no_new_privs, which the next two require of an unprivileged caller
 *     and which keeps a set-uid program from regaining privileges anyway;
 *  2. Landlock (read-only commands): the file system shrinks to reading
 *     beneath the scan roots, plus creating, writing and reading regular
 *     files in the spill folders, where the engine keeps large members in
 *     unlinked O_TMPFILE files (spill_dirs() in scanner.c); no TCP bind
 *     or connect, except connect to one port when the CLI sends to a
 *     syslog server over TCP (connect_tcp_port: its reconnects);
 *  3. a seccomp filter (libseccomp) that lets everything through except a
 *     list of calls a scan never makes, which fail with EPERM, so that code
 *     reaching them fails cleanly instead of killing the scan.
 *
 * Both are best effort: Landlock is asked only for the rights the running
 * kernel's ABI knows, and a kernel without Landlock or seccomp leaves the
 * process unconfined by it, which the returned description says.
 *
 * Landlock denies every path it was not told about, including files a
 * library opens on first use.  OpenSSL reads its configuration on the
 * first digest, glibc's iconv reads its module cache on the first
 * conversion (libarchive converts pax names) and loads a module per code
 * page (VBA sources: vba_codepages_load() keeps them), gmtime_r() reads
 * /etc/localtime once and NSS reads nsswitch.conf and loads its modules
 * on the first user or group lookup; warm_up() triggers all of these
 * before the door closes (/etc/passwd and /etc/group stay readable: nss
 * "files" reads them at each lookup).  Shared libraries are all mapped at
 * start.  tests/cli/harden.bats
 * runs a scan under strace and fails on any EACCES or EPERM, so a new lazy
 * load shows up there.
 *
 * Landlock applies to the calling thread and what it starts afterwards,
 * hence the rule "call before the scanner starts threads"; the seccomp
 * filter is synchronised to every thread (TSYNC) all the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <iconv.h>
#include <langinfo.h>
#include <linux/landlock.h>
#include <openssl/crypto.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/sysroot.h"
#include "kensa/kensa.h"
#include "office/vba.h"
#include "util/buf.h"

/* Rights newer than the oldest headers we build with (Debian 12's are
 * Linux 6.1: Landlock ABI 2). */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_RULE_NET_PORT
#define LANDLOCK_RULE_NET_PORT 2
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

#define LL_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_SPILL (LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_WRITE_FILE | \
                  LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)
/* The rights a rule on a file (not a folder) may carry. */
#define LL_FILE_RIGHTS (LANDLOCK_ACCESS_FS_EXECUTE | \
                        LANDLOCK_ACCESS_FS_WRITE_FILE | \
                        LANDLOCK_ACCESS_FS_READ_FILE | \
                        LANDLOCK_ACCESS_FS_TRUNCATE | \
                        LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* The system call numbers are the same on every architecture. */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

/* landlock_ruleset_attr as of ABI 6; older kernels get a prefix of it. */
struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

/* landlock_net_port_attr (ABI 4), absent from older headers. */
struct ll_net_port_attr {
    uint64_t allowed_access;
    uint64_t port;
};

/* LeakSanitizer stops the threads with ptrace and lists them through
 * /proc/self when the process exits: sanitizer builds keep both. */
#if defined(__SANITIZE_ADDRESS__)
#define LSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define LSAN_BUILD 1
#endif
#endif
#ifndef LSAN_BUILD
#define LSAN_BUILD 0
#endif

/* The calls the filter refuses.  A name this libseccomp does not know
 * (a call newer than the library) is skipped: it cannot be filtered. */
static const char *const denied_calls[] = {
    "execve", "execveat",                          /* running programs */
    "ptrace", "process_vm_readv", "process_vm_writev", /* other processes */
    "mount", "umount2", "pivot_root", "chroot",    /* the mount table */
    "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
    "mount_setattr",
    "init_module", "finit_module", "delete_module", /* the kernel itself */
    "kexec_load", "kexec_file_load", "bpf", "reboot",
    "keyctl", "add_key", "request_key",            /* the keyring */
    "unshare", "setns",                            /* namespaces */
    "open_by_handle_at",                           /* opens around paths */
};
/* Signals to other processes: refused unless kensa_confine_opts.allow_kill
 * (kensa scan --kill).  tgkill stays: raise() and abort() use it on the
 * process itself. */
static const char *const kill_calls[] = { "kill", "pidfd_send_signal" };

/* Files the C library reads on its own, at any time: malloc looks up the
 * overcommit policy the first time a thread's heap shrinks. */
static const char *const libc_reads[] = {
    "/proc/sys/vm/overcommit_memory",
    /* the JSON report names files' owners and groups (getpwuid_r,
     * getgrgid_r: nss "files" reads these at each lookup) */
    "/etc/passwd",
    "/etc/group",
};
/* glibc's iconv modules: a mail names any charset (formats/mail.c
 * converts each text part, GMime each RFC 2047 word), so the module a
 * conversion needs is loaded when first met, not warmed up.  Missing
 * folders are skipped (ll_allow). */
static const char *const gconv_dirs[] = {
    "/usr/lib/x86_64-linux-gnu/gconv", "/usr/lib/aarch64-linux-gnu/gconv",
    "/usr/lib/i386-linux-gnu/gconv", "/usr/lib64/gconv", "/usr/lib/gconv",
};

/* Append to desc as snprintf would, never past its end. */
static void say(char *desc, size_t cap, const char *fmt, ...)
{
    size_t used = cap ? strnlen(desc, cap) : 0;
    va_list ap;
    if(used + 1 >= cap)
        return;
    va_start(ap, fmt);
    vsnprintf(desc + used, cap - used, fmt, ap);
    va_end(ap);
}

/* Load now what the engine would otherwise load on first use.  0, or -1
 * when OpenSSL could not set itself up (out of memory): it must not be
 * used then, since OpenSSL 3.0 crashes on the locks it failed to make. */
static int warm_up(void)
{
    char hex[65];
    tzset();            /* gmtime_r() reads /etc/localtime once, on first use */
    if(!OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL))
        return -1;
    sha256_hex("", 0, hex);
    if(!hex[0])
        return -1;
    iconv_t cd = iconv_open(nl_langinfo(CODESET), "UTF-8");
    if(cd != (iconv_t)-1)
        iconv_close(cd);
    /* NSS reads nsswitch.conf and loads its modules on the first lookup
     * of a user or group (the JSON report's file.owner, file.group) */
    char buf[1024];
    struct passwd pw, *pwr;
    struct group gr, *grr;
    (void)getpwuid_r(0, &pw, buf, sizeof(buf), &pwr);
    (void)getgrgid_r(0, &gr, buf, sizeof(buf), &grr);
    vba_codepages_load();   /* VBA sources in cp932, cp1251, ... */
    return 0;
}

/* Landlock's ABI version, 0 if the kernel has none (or has it off). */
static int landlock_abi(void)
{
    long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
                     LANDLOCK_CREATE_RULESET_VERSION);
    return v > 0 ? (int)v : 0;
}

/* Allow `want` (what the ruleset handles of it) beneath `path`, or on it
 * if it is a file.  A path that cannot be opened is left out: the scan
 * will report it.  -errno if the kernel refused the rule. */
static int ll_allow(int ruleset, const char *path, uint64_t want,
                    uint64_t handled)
{
    struct landlock_path_beneath_attr pb = { 0 };
    struct stat st;
    int rc = 0;
    int fd = open(path, O_PATH | O_CLOEXEC);
    if(fd < 0)
        return 0;
    pb.parent_fd = fd;
    pb.allowed_access = want & handled;
    if(fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        pb.allowed_access &= LL_FILE_RIGHTS;
    if(pb.allowed_access &&
       syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
               &pb, 0) != 0)
        rc = -errno;
    close(fd);
    return rc;
}

/* Apply the Landlock ruleset: 0 done, 1 the kernel has no Landlock,
 * -errno on failure.  *abi gets the version. */
static int apply_landlock(const struct kensa_confine_opts *o, int *abi)
{
    struct ll_ruleset_attr attr = { 0 };
    size_t attr_size = sizeof(attr.handled_access_fs);
    const char *spill[SPILL_DIRS];
    size_t nspill = spill_dirs(spill);
    uint64_t fs;
    int rs, rc = 0;

    *abi = landlock_abi();
    if(!*abi)
        return 1;
    /* Handle every right this ABI knows, so what no rule grants is denied. */
    fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
    if(*abi >= 2)
        fs |= LANDLOCK_ACCESS_FS_REFER;
    if(*abi >= 3)
        fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if(*abi >= 4) {
        attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP |
                                  LANDLOCK_ACCESS_NET_CONNECT_TCP;
        attr_size = offsetof(struct ll_ruleset_attr, scoped);
    }
    if(*abi >= 5)
        fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    if(*abi >= 6) {
        attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET |
                      LANDLOCK_SCOPE_SIGNAL;
        attr_size = sizeof(attr);
    }
    attr.handled_access_fs = fs;
    rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
    if(rs < 0)
        return -errno;
    for(size_t i = 0; !rc && i < o->n_read_roots; i++)
        rc = ll_allow(rs, o->read_roots[i], LL_READ, fs);
    for(size_t i = 0; !rc && i < nspill; i++)
        rc = ll_allow(rs, spill[i], LL_SPILL, fs);
    for(size_t i = 0; !rc && i < o->n_write_dirs; i++)
        rc = ll_allow(rs, o->write_dirs[i], LL_SPILL, fs);
    for(size_t i = 0; !rc && i < sizeof(libc_reads) / sizeof(*libc_reads); i++)
        rc = ll_allow(rs, libc_reads[i], LANDLOCK_ACCESS_FS_READ_FILE, fs);
    for(size_t i = 0; !rc && i < sizeof(gconv_dirs) / sizeof(*gconv_dirs); i++)
        rc = ll_allow(rs, gconv_dirs[i], LL_READ, fs);
    /* the syslog sender reconnects to its one port (src/syslog.c) */
    if(!rc && *abi >= 4 && o->connect_tcp_port) {
        struct ll_net_port_attr np = {
            .allowed_access = LANDLOCK_ACCESS_NET_CONNECT_TCP,
            .port = o->connect_tcp_port };
        if(syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_NET_PORT, &np, 0))
            rc = -errno;
    }
    if(!rc && LSAN_BUILD)
        rc = ll_allow(rs, "/proc/self", LL_READ, fs);
    if(!rc && syscall(SYS_landlock_restrict_self, rs, 0) != 0)
        rc = -errno;
    close(rs);
    return rc;
}

/* Load the seccomp filter: 0 done, 1 the kernel has no seccomp filters,
 * -errno on failure. */
static int apply_seccomp(bool allow_kill)
{
    /* first argument (the domain) is not AF_UNIX */
    const struct scmp_arg_cmp not_unix = { .arg = 0, .op = SCMP_CMP_NE,
                                           .datum_a = AF_UNIX, .datum_b = 0 };
    scmp_filter_ctx ctx;
    int rc;

    if(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL)
        return 1;
    ctx = seccomp_init(SCMP_ACT_ALLOW);
    if(!ctx)
        return -ENOMEM;
    /* a call through another ABI (int 0x80, x32) fails too */
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(EPERM));
    if(!rc)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    for(size_t i = 0; !rc && i < sizeof(denied_calls) / sizeof(*denied_calls);
        i++) {
        int nr = seccomp_syscall_resolve_name(denied_calls[i]);
        if(nr == __NR_SCMP_ERROR ||
           (LSAN_BUILD && !strcmp(denied_calls[i], "ptrace")))
            continue;
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
    }
    for(size_t i = 0; !rc && !allow_kill && !LSAN_BUILD &&
        i < sizeof(kill_calls) / sizeof(*kill_calls); i++) {
        int nr = seccomp_syscall_resolve_name(kill_calls[i]);
        if(nr != __NR_SCMP_ERROR)
            rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
    }
    /* AF_UNIX stays: syslog(3) talks to /dev/log */
    if(!rc)
        rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM),
                                    SCMP_SYS(socket), 1, &not_unix);
    if(!rc)
        rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM),
                                    SCMP_SYS(socketpair), 1, &not_unix);
    if(!rc)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc < 0 ? rc : 0;
}

enum kensa_err kensa_confine(const struct kensa_confine_opts *o, char *desc,
                             size_t desc_cap)
{
    int abi = 0, ll = 1, sc;

    if(desc_cap)
        desc[0] = 0;
    /* asked once while /proc is still ours to look at (core/sysroot.h) */
    (void)sysroot_probe_flags();
    if(!o)
        return KENSA_EINVAL;
    if(warm_up() != 0) {
        say(desc, desc_cap, "none (OpenSSL could not start: out of memory)");
        return KENSA_ENOMEM;
    }
    if(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        say(desc, desc_cap, "none (no_new_privs: %s)", strerror(errno));
        return KENSA_EIO;
    }
    if(o->landlock && (ll = apply_landlock(o, &abi)) < 0) {
        say(desc, desc_cap, "none (landlock ABI %d: %s)", abi, strerror(-ll));
        return KENSA_EIO;
    }
    if((sc = apply_seccomp(o->allow_kill)) < 0) {
        say(desc, desc_cap, "%s (seccomp: %s)", ll ? "none" : "landlock",
            strerror(-sc));
        return sc == -ENOMEM ? KENSA_ENOMEM : KENSA_EIO;
    }

    /* what is in force, then why something is not */
    if(!ll)
        say(desc, desc_cap, "landlock ABI %d", abi);
    if(!sc)
        say(desc, desc_cap, "%sseccomp%s", ll ? "" : ", ",
            LSAN_BUILD ? " (ptrace allowed for the leak sanitizer)" : "");
    if(ll && sc)
        say(desc, desc_cap, "none");
    if(!o->landlock)
        say(desc, desc_cap, " (landlock: not requested)");
    else if(ll)
        say(desc, desc_cap, " (landlock: not supported by this kernel)");
    if(sc)
        say(desc, desc_cap, " (seccomp: not supported by this kernel)");
    return KENSA_OK;
}
