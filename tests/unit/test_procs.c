/*
 * test_procs.c - the line parsers of the live-process hunt
 * (core/procs.h): /proc/net socket tables (procnet_line: IPv4, IPv6,
 * IPv4-mapped, malformed), the regions of /proc/PID/maps the memory scan
 * reads (procmem_region), and kensa_process_kill's refusal to signal a
 * process whose start time is not the one given (a reused pid).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "kensa/kensa.h"
#include "core/procs.h"

static bool net(const char *line, bool v6, char *ip, unsigned *port,
                unsigned long *ino)
{
    /* an exact-size copy: reading past the line is caught by ASan */
    size_t n = strlen(line);
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, line, n);
    bool ok = procnet_line(p, n, v6, ip, 64, port, ino);
    free(p);
    return ok;
}

static void test_procnet(void **state)
{
    char ip[64];
    unsigned port;
    unsigned long ino;
    (void)state;
    assert_true(net("   1: 0100007F:1F90 0200007F:8CA3 01 00000000:00000000 "
                    "00:00000000 00000000     0        0 4242 1 0", false,
                    ip, &port, &ino));
    assert_string_equal(ip, "127.0.0.2");
    assert_int_equal(port, 0x8ca3);
    assert_int_equal(ino, 4242);
    /* an IPv4-mapped IPv6 address is its IPv4 */
    assert_true(net("   0: 00000000000000000000000000000000:0050 "
                    "0000000000000000FFFF00000200007F:0051 01 0:0 0:0 0 0 "
                    "0 99", true, ip, &port, &ino));
    assert_string_equal(ip, "127.0.0.2");
    assert_int_equal(port, 0x51);
    assert_true(net("   0: 00000000000000000000000000000000:0050 "
                    "000080FE00000000FF005450B6A3F3FE:0051 01 0:0 0:0 0 0 "
                    "0 7", true, ip, &port, &ino));
    assert_non_null(strchr(ip, ':'));
    /* the header, short lines, bad hex, a v6 address in a v4 table */
    assert_false(net("  sl  local_address rem_address   st tx_queue rx_queue "
                     "tr tm->when retrnsmt   uid  timeout inode", false, ip,
                     &port, &ino));
    assert_false(net("0: 0100007F:1F90", false, ip, &port, &ino));
    assert_false(net("0: 0100007F:1F90 0200007G:8CA3 01 0:0 0:0 0 0 0 1",
                     false, ip, &port, &ino));
    assert_false(net("0: 0100007F:1F90 0000000000000000FFFF00000200007F:0051 "
                     "01 0:0 0:0 0 0 0 1", false, ip, &port, &ino));
    assert_false(net("0: 0100007F:1F90 0200007F:8CA3 01 0:0 0:0 0 0 0 12x",
                     false, ip, &port, &ino));
    assert_false(net("", false, ip, &port, &ino));
}

static bool region(const char *line)
{
    uint64_t lo, hi;
    return procmem_region(line, strlen(line), &lo, &hi);
}

static void test_procmem_region(void **state)
{
    uint64_t lo = 0, hi = 0;
    (void)state;
    const char *anon = "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 ";
    assert_true(procmem_region(anon, strlen(anon), &lo, &hi));
    assert_int_equal(lo, 0x7f0000000000ull);
    assert_int_equal(hi, 0x7f0000004000ull);
    assert_true(region("55d0-55e0 rw-p 00000000 00:00 0    [heap]"));
    assert_true(region("7ffc-7ffd rw-p 00000000 00:00 0    [stack]"));
    assert_true(region("7f00-7f01 rw-p 00001000 fe:00 12 /usr/lib/libc.so.6"));
    assert_true(region("7f00-7f01 r-xp 00000000 00:01 5 /memfd:x (deleted)"));
    assert_true(region("7f00-7f01 r-xp 00000000 fe:00 9 /tmp/a (deleted)"));
    assert_true(region("7f00-7f01 rw-s 00000000 00:05 3 /dev/shm/x"));
    /* the file's own bytes, the kernel's pages, devices, no read right */
    assert_false(region("7f00-7f01 r-xp 00000000 fe:00 12 /usr/lib/libc.so.6"));
    assert_false(region("7ffc-7ffd r--p 00000000 00:00 0    [vvar]"));
    assert_false(region("ff600000-ff601000 --xp 00000000 00:00 0 [vsyscall]"));
    assert_false(region("7f00-7f01 rw-s 00000000 00:05 7 /dev/mem"));
    assert_false(region("7f00-7f01 ---p 00000000 00:00 0 "));
    /* malformed */
    assert_false(region("7f01-7f00 rw-p 00000000 00:00 0 "));
    assert_false(region("zz-7f00 rw-p 0 00:00 0"));
    assert_false(region("7f00-7f01"));
    assert_false(region("7f00-7f01 rw-p"));
    assert_false(region(""));
}

static void test_kill_checks_start(void **state)
{
    (void)state;
    pid_t c = fork();
    assert_true(c >= 0);
    if(c == 0) {
        for(;;)
            pause();
    }
    /* not its start: left alone */
    assert_int_equal(kensa_process_kill(c, "1999-01-01T00:00:00.00Z"),
                     KENSA_ECHANGED);
    usleep(100000);
    assert_int_equal(waitpid(c, NULL, WNOHANG), 0);
    /* nonsense refused */
    assert_int_equal(kensa_process_kill(1, "x"), KENSA_EINVAL);
    assert_int_equal(kensa_process_kill(getpid(), "x"), KENSA_EINVAL);
    assert_int_equal(kensa_process_kill(c, ""), KENSA_EINVAL);
    /* its own start, as findings carry it (process.start) */
    char path[64], buf[4096];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)c);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    assert_non_null(p);
    unsigned long long ticks = 0;
    char *tok = strtok(p + 2, " ");
    for(int field = 3; tok && field < 22; field++)
        tok = strtok(NULL, " ");
    assert_non_null(tok);
    ticks = strtoull(tok, NULL, 10);
    f = fopen("/proc/stat", "r");
    assert_non_null(f);
    long long bt = 0;
    while(fgets(buf, sizeof(buf), f))
        if(!strncmp(buf, "btime ", 6))
            bt = strtoll(buf + 6, NULL, 10);
    fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    time_t t = (time_t)(bt + (long long)(ticks / (unsigned long long)hz));
    struct tm tm;
    gmtime_r(&t, &tm);
    char sec[24], start[40];
    strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(start, sizeof(start), "%s.%02uZ", sec,
             (unsigned)((ticks % (unsigned long long)hz) * 100 /
                        (unsigned long long)hz));
    assert_int_equal(kensa_process_kill(c, start), KENSA_OK);
    int st = 0;
    assert_int_equal(waitpid(c, &st, 0), c);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    /* gone now */
    assert_int_equal(kensa_process_kill(c, start), KENSA_ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_procnet),
        cmocka_unit_test(test_procmem_region),
        cmocka_unit_test(test_kill_checks_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
