/*
 * probe.c - an LD_PRELOAD library for tests/cli/harden.bats.  It stands in
 * for fdopendir(3), which kensa calls only while it walks a folder, that
 * is after kensa_confine().  On the first call it tries what an exploit
 * in a parser would try, then hands over to the real fdopendir.  One line
 * per attempt, "WHAT RESULT", goes to the inherited file descriptor
 * KENSA_PROBE_FD; RESULT is OK or the errno name (EPERM, EACCES, ...):
 *
 *   exec    execve("/bin/true") in a child (the result is the child's)
 *   socket  socket(AF_INET, SOCK_STREAM)
 *   ptrace  ptrace(PTRACE_TRACEME) in a child, so kensa itself is never
 *           traced
 *   write   open(KENSA_PROBE_WRITE, O_WRONLY | O_CREAT): outside the
 *           folders a scan may write
 *   read    open(KENSA_PROBE_READ, O_RDONLY): outside the scan roots
 *   spill   open($TMPDIR, O_TMPFILE), what the engine needs: must work
 *
 * Without KENSA_PROBE_FD it does nothing.  Test code only: never built
 * into kensa, never installed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

DIR *fdopendir(int fd);

static void report(int out, const char *what, int err)
{
    const char *name = err ? strerrorname_np(err) : "OK";
    dprintf(out, "%s %s\n", what, name ? name : "E?");
}

/* Run `try` in a child; its exit status is 0 or the errno it met. */
static int in_child(int (*try)(void))
{
    int st;
    pid_t pid = fork();
    if(pid < 0)
        return errno;
    if(pid == 0)
        _exit(try());
    if(waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return ECHILD;
    return WEXITSTATUS(st);
}

static int try_exec(void)
{
    char *argv[] = { "true", NULL };
    char *envp[] = { NULL };
    execve("/bin/true", argv, envp);
    return errno;
}

static int try_ptrace(void)
{
    return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : errno;
}

/* open(path, flags) and close it: 0 or errno; EINVAL without a path. */
static int try_open(const char *path, int flags)
{
    int fd;
    if(!path || !*path)
        return EINVAL;
    fd = open(path, flags | O_CLOEXEC, 0600);
    if(fd < 0)
        return errno;
    close(fd);
    return 0;
}

static void probe(void)
{
    const char *fdv = getenv("KENSA_PROBE_FD");
    const char *tmp = getenv("TMPDIR");
    int out, s;

    if(!fdv || (out = atoi(fdv)) <= 2)
        return;
    report(out, "exec", in_child(try_exec));
    s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    report(out, "socket", s < 0 ? errno : 0);
    if(s >= 0)
        close(s);
    report(out, "ptrace", in_child(try_ptrace));
    report(out, "write", try_open(getenv("KENSA_PROBE_WRITE"),
                                  O_WRONLY | O_CREAT | O_TRUNC));
    report(out, "read", try_open(getenv("KENSA_PROBE_READ"), O_RDONLY));
    report(out, "spill", try_open(tmp && *tmp ? tmp : "/tmp",
                                  O_TMPFILE | O_RDWR));
}

DIR *fdopendir(int fd)
{
    static int done;
    void *sym = dlsym(RTLD_NEXT, "fdopendir");
    DIR *(*real)(int) = NULL;
    /* ISO C has no cast from object to function pointer; POSIX copies */
    memcpy(&real, &sym, sizeof(real));
    if(!__atomic_exchange_n(&done, 1, __ATOMIC_SEQ_CST))
        probe();
    return real ? real(fd) : NULL;
}
