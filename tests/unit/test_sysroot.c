/*
 * test_sysroot.c - the readers of a system root (core/sysroot.h): the
 * os-release and property-list readers on hostile input (no newline,
 * huge lines, NUL bytes, quotes, values cut to their fields), the
 * mapping of paths inside a root to host paths and back, and the
 * no-follow opener used where openat2 is missing.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <cmocka.h>

#include "core/engine.h"
#include "core/sysroot.h"

static void parse(const char *s, size_t n, struct osrelease *o)
{
    /* an exact-size copy, so reading past n is caught by ASan */
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, s, n);
    osrelease_parse(p, n, o);
    free(p);
}

/* etc/machine-id: 32 hex digits and a newline, nothing else. */
static void test_machine_id(void **state)
{
    char out[33];
    (void)state;
    assert_true(machine_id_parse("3d1219c7c4c5404aaa1f6d2a48adfda4\n", 33,
                                 out));
    assert_string_equal(out, "3d1219c7c4c5404aaa1f6d2a48adfda4");
    assert_true(machine_id_parse("0123456789ABCDEF0123456789abcdef", 32,
                                 out));
    assert_string_equal(out, "0123456789abcdef0123456789abcdef");
    static const char *const bad[] = {
        "", "uninitialized\n", "00000000000000000000000000000000\n",
        "3d1219c7c4c5404aaa1f6d2a48adfda", "3d1219c7c4c5404aaa1f6d2a48adfda4a",
        "3d1219c7c4c5404aaa1f6d2a48adfdaz", "3d1219c7-c4c5-404a-aa1f-6d2a48a",
    };
    for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(machine_id_parse(bad[i], strlen(bad[i]), out));
        assert_string_equal(out, "");
    }
    /* a NUL inside, and reading stops at n */
    assert_false(machine_id_parse("3d1219c7c4c5404a\0aa1f6d2a48adfda4", 33,
                                  out));
    assert_true(machine_id_parse("3d1219c7c4c5404aaa1f6d2a48adfda4XYZ", 32,
                                 out));
}

static void test_osrelease(void **state)
{
    (void)state;
    struct osrelease o;
    static const char good[] =
        "# comment\nNAME=\"Debian GNU/Linux\"\n  ID=debian\n"
        "VERSION_ID='12'\nPRETTY_NAME=\"Debian \\\"GNU\\\"/Linux 12\"\n"
        "BOGUS\n=x\nID_LIKE=x";
    parse(good, sizeof(good) - 1, &o);
    assert_string_equal(o.name, "Debian GNU/Linux");
    assert_string_equal(o.id, "debian");
    assert_string_equal(o.version_id, "12");
    assert_string_equal(o.pretty_name, "Debian \"GNU\"/Linux 12");

    /* no newline at the end, CRLF, the last assignment wins */
    static const char crlf[] = "ID=a\r\nID=b\r\nVERSION_ID=3";
    parse(crlf, sizeof(crlf) - 1, &o);
    assert_string_equal(o.id, "b");
    assert_string_equal(o.version_id, "3");

    /* an unterminated quote, a trailing backslash, a NUL in a value */
    static const char odd[] = "ID=\"abc\nVERSION_ID=x\\\nNAME=ab\0cd\n";
    parse(odd, sizeof(odd) - 1, &o);
    assert_string_equal(o.id, "abc");
    assert_string_equal(o.version_id, "x\\");
    assert_string_equal(o.name, "ab");

    /* a huge line: cut to the field, on a UTF-8 boundary */
    size_t big = 1u << 20;
    char *h = malloc(big);
    assert_non_null(h);
    memcpy(h, "PRETTY_NAME=", 12);
    for(size_t i = 12; i + 1 < big; i += 2)
        memcpy(h + i, "\xc3\xa9", 2);   /* é */
    parse(h, big, &o);
    size_t n = strlen(o.pretty_name);
    assert_true(n < SYSROOT_FULL_MAX && n >= SYSROOT_FULL_MAX - 2);
    assert_int_equal(n % 2, 0);
    memset(h, 'A', big);   /* no '=' at all */
    parse(h, big, &o);
    assert_string_equal(o.id, "");
    free(h);

    /* nothing at all */
    parse("", 0, &o);
    assert_string_equal(o.pretty_name, "");
    parse("ID=", 3, &o);
    assert_string_equal(o.id, "");
}

static bool pl(const char *s, size_t n, const char *key, char *out,
               size_t cap)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, s, n);
    bool r = plist_string(p, n, key, out, cap);
    free(p);
    return r;
}

static void test_plist(void **state)
{
    (void)state;
    char out[32];
    static const char doc[] =
        "<plist><dict>\n<key>ProductBuildVersion</key><string>23C64</string>"
        "<key>ProductName</key>\n\t<string>mac&lt;OS&gt; &amp; &quot;x&quot;"
        "</string><key>Product</key><string>no</string>"
        "<key>ProductVersion</key><integer>3</integer></dict></plist>";
    assert_true(pl(doc, sizeof(doc) - 1, "ProductName", out, sizeof(out)));
    assert_string_equal(out, "mac<OS> & \"x\"");
    /* a key whose value is not a string, a key that is not there */
    assert_false(pl(doc, sizeof(doc) - 1, "ProductVersion", out,
                    sizeof(out)));
    assert_false(pl(doc, sizeof(doc) - 1, "Nope", out, sizeof(out)));
    assert_string_equal(out, "");

    /* the text ends inside a key, a string, or right after a key */
    static const char *const cut[] = {
        "<key>ProductName", "<key>ProductName</key><string>abc",
        "<key>ProductName</key>", "<key>ProductName</key><str",
        "<key>ProductName</key>   ", "<key>",
    };
    for(size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
        assert_false(pl(cut[i], strlen(cut[i]), "ProductName", out,
                        sizeof(out)));

    /* a long value is cut to the buffer; a NUL ends it */
    static const char longv[] =
        "<key>K</key><string>0123456789012345678901234567890123456789"
        "</string>";
    assert_true(pl(longv, sizeof(longv) - 1, "K", out, 8));
    assert_string_equal(out, "0123456");
    static const char nul[] = "<key>K</key><string>ab\0cd</string>";
    assert_true(pl(nul, sizeof(nul) - 1, "K", out, sizeof(out)));
    assert_string_equal(out, "ab");
    /* a lone ampersand and an unknown entity stay as written */
    static const char amp[] = "<key>K</key><string>a & b &x; &amp</string>";
    assert_true(pl(amp, sizeof(amp) - 1, "K", out, sizeof(out)));
    assert_string_equal(out, "a & b &x; &amp");
}

static void test_paths(void **state)
{
    (void)state;
    struct sysroot sr = { .fd = -1, .path = (char *)"/mnt/img",
                          .path_len = 8 };
    static const char *const cases[][2] = {
        { "/opt/app", "/mnt/img/opt/app" },
        { "opt//app/", "/mnt/img/opt/app" },
        { "/", "/mnt/img" },
        { "", "/mnt/img" },
        { "../../etc", "/mnt/img/etc" },
        { "/opt/./a/../../..", "/mnt/img" },
        { "a/..b", "/mnt/img/a/..b" },
    };
    for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *h = sysroot_host_path(&sr, cases[i][0]);
        assert_non_null(h);
        assert_string_equal(h, cases[i][1]);
        free(h);
    }
    assert_string_equal(sysroot_system_path(&sr, "/mnt/img/opt/x.jar!/a"),
                        "/opt/x.jar!/a");
    assert_string_equal(sysroot_system_path(&sr, "/mnt/img"), "/");
    assert_string_equal(sysroot_system_path(&sr, "/mnt/image/x"),
                        "/mnt/image/x");
    assert_string_equal(sysroot_system_path(&sr, "(stdin)"), "(stdin)");
    assert_string_equal(sysroot_system_path(NULL, "/a"), "/a");

    struct sysroot slash = { .fd = -1, .path = (char *)"/", .path_len = 1 };
    char *h = sysroot_host_path(&slash, "../x/./y");
    assert_string_equal(h, "/x/y");
    free(h);
    h = sysroot_host_path(&slash, "..");
    assert_string_equal(h, "/");
    free(h);
    assert_string_equal(sysroot_system_path(&slash, "/x"), "/x");

    char *huge = malloc(SYSROOT_PATH_MAX + 2);
    assert_non_null(huge);
    memset(huge, 'a', SYSROOT_PATH_MAX + 1);
    huge[SYSROOT_PATH_MAX + 1] = 0;
    errno = 0;
    assert_null(sysroot_host_path(&sr, huge));
    assert_int_equal(errno, ENAMETOOLONG);
    free(huge);
}

static void test_nofollow(void **state)
{
    (void)state;
    char dir[] = "/tmp/kensa-sysroot-XXXXXX";
    char p[128];
    assert_non_null(mkdtemp(dir));
    snprintf(p, sizeof(p), "%s/etc", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof(p), "%s/etc/f", dir);
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "hello", 5), 5);
    close(fd);
    snprintf(p, sizeof(p), "%s/etc/abs", dir);
    assert_int_equal(symlink("/etc/f", p), 0);
    snprintf(p, sizeof(p), "%s/link", dir);
    assert_int_equal(symlink("etc", p), 0);

    int root = open(dir, O_RDONLY | O_DIRECTORY);
    assert_true(root >= 0);
    fd = sysroot_open_nofollow(root, "/etc//f", O_RDONLY);
    assert_true(fd >= 0);
    close(fd);
    /* links are refused, last component or not, O_PATH or not */
    assert_int_equal(sysroot_open_nofollow(root, "etc/abs", O_RDONLY), -1);
    assert_int_equal(sysroot_open_nofollow(root, "etc/abs", O_PATH), -1);
    assert_int_equal(errno, ELOOP);
    assert_int_equal(sysroot_open_nofollow(root, "link/f", O_RDONLY), -1);
    assert_int_equal(sysroot_open_nofollow(root, "etc/../etc/f", O_RDONLY),
                     -1);
    assert_int_equal(errno, EXDEV);

    /* with openat2, the absolute link resolves inside the root; without
     * it (old kernels, valgrind) it is refused */
    struct open_how how = { .flags = O_RDONLY, .resolve = RESOLVE_IN_ROOT };
    long t = syscall(SYS_openat2, root, "etc/f", &how, sizeof(how));
    if(t >= 0)
        close((int)t);
    char buf[64];
    size_t n;
    if(t >= 0) {
        assert_int_equal(sysroot_read(root, "etc/abs", buf, sizeof(buf),
                                      &n), KENSA_OK);
        assert_int_equal(n, 5);
        assert_string_equal(buf, "hello");
    } else {
        assert_int_equal(sysroot_read(root, "etc/abs", buf, sizeof(buf),
                                      &n), KENSA_EUNSUPPORTED);
    }
    assert_int_equal(sysroot_read(root, "etc/f", buf, 4, &n), KENSA_ELIMIT);
    assert_int_equal(sysroot_read(root, "etc", buf, sizeof(buf), &n),
                     KENSA_EUNSUPPORTED);
    assert_int_equal(sysroot_read(root, "nope", buf, sizeof(buf), &n),
                     KENSA_ENOENT);
    close(root);

    snprintf(p, sizeof(p), "rm -rf '%s'", dir);
    assert_int_equal(system(p), 0);
}

static void test_scanner_attrs(void **state)
{
    (void)state;
    char dir[] = "/tmp/kensa-sysroot-XXXXXX";
    char p[128];
    assert_non_null(mkdtemp(dir));
    snprintf(p, sizeof(p), "%s/etc", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof(p), "%s/etc/os-release", dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("ID=alpine\nVERSION_ID=3.19.1\nNAME=\"Alpine Linux\"\n", f);
    fclose(f);

    static const char *const pw[] = { "a" };
    struct kensa_options o;
    kensa_options_default(&o);
    o.root = dir;
    o.passwords = pw;
    o.n_passwords = 1;
    struct kensa_scanner *s = kensa_scanner_new(&o, NULL);
    assert_non_null(s);
    const struct kensa_system *y = kensa_scanner_system(s);
    assert_string_equal(y->root, dir);
    assert_string_equal(y->os_type, "linux");
    assert_null(y->hostname);
    struct kobj root = { .attrs = s->root_attrs };
    assert_string_equal(kobj_attr(&root, "password"), "a");
    assert_string_equal(kobj_attr(&root, "system.root"), dir);
    assert_string_equal(kobj_attr(&root, "os.type"), "linux");
    assert_string_equal(kobj_attr(&root, "os.platform"), "alpine");
    assert_string_equal(kobj_attr(&root, "os.name"), "Alpine Linux");
    assert_string_equal(kobj_attr(&root, "os.version"), "3.19.1");
    kensa_scanner_free(s);

    /* the running host: described, but no attributes */
    kensa_options_default(&o);
    s = kensa_scanner_new(&o, NULL);
    assert_non_null(s);
    assert_null(kensa_scanner_system(s)->root);
    assert_null(s->root_attrs);
    kensa_scanner_free(s);

    enum kensa_err err;
    snprintf(p, sizeof(p), "%s/nope", dir);
    o.root = p;
    assert_null(kensa_scanner_new(&o, &err));
    assert_int_equal(err, KENSA_ENOENT);
    snprintf(p, sizeof(p), "%s/etc/os-release", dir);
    assert_null(kensa_scanner_new(&o, &err));
    assert_int_equal(err, KENSA_EINVAL);

    snprintf(p, sizeof(p), "rm -rf '%s'", dir);
    assert_int_equal(system(p), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_machine_id),
        cmocka_unit_test(test_osrelease),
        cmocka_unit_test(test_plist),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_nofollow),
        cmocka_unit_test(test_scanner_attrs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
