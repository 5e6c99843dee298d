/*
 * nolandlock.c - run a program as if the kernel had no Landlock: a seccomp
 * filter makes the three Landlock calls fail with ENOSYS, then PROGRAM is
 * executed.  tests/cli/harden.bats checks with it that kensa goes on with
 * seccomp alone and says so.  Test code only, never installed.
 *
 * Usage: nolandlock PROGRAM [ARG...]
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static const char *const calls[] = {
        "landlock_create_ruleset", "landlock_add_rule",
        "landlock_restrict_self",
    };
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    int rc = ctx ? 0 : -1;

    if(argc < 2) {
        fprintf(stderr, "usage: nolandlock PROGRAM [ARG...]\n");
        return 2;
    }
    for(size_t i = 0; !rc && i < sizeof(calls) / sizeof(*calls); i++) {
        int nr = seccomp_syscall_resolve_name(calls[i]);
        rc = nr == __NR_SCMP_ERROR ? -1 :
             seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
    }
    if(!rc)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if(rc) {
        fprintf(stderr, "nolandlock: cannot install the filter\n");
        return 2;
    }
    execv(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
