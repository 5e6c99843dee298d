/*
 * test_iocload.c - the IoC normaliser and readers (intel/iocload.h):
 * refanging, hash checks and the trivial-file whitelist, addresses with
 * ports, paths from Windows and Unix, masquerades judged by folder, the
 * line formats with their errors, STIX and MISP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "intel/iocload.h"

static enum ioc_type norm(enum ioc_type t, const char *in, char *out,
                          const char **why)
{
    return ioc_normalise(t, in, strlen(in), out, 4200, why);
}

static void normalise(void **state)
{
    (void)state;
    char out[4200];
    const char *why;
    assert_int_equal(norm(IOC_URL, " hxxps://evil[.]example(.)com/A?id=X ",
                          out, &why), IOC_URL);
    assert_string_equal(out, "https://evil.example.com/A?id=X");   /* case kept */
    assert_int_equal(norm(IOC_DOMAIN, "Evil[.]Example[dot]com.\r", out, &why),
                     IOC_DOMAIN);
    assert_string_equal(out, "evil.example.com");
    assert_int_equal(norm(IOC_IPV4, "139.180.217[.]203:8443", out, &why),
                     IOC_IPV4);
    assert_string_equal(out, "139.180.217.203");
    assert_int_equal(norm(IOC_IPV4, "1.2.3.256", out, &why), IOC_BAD);
    assert_string_equal(why, "intel.reason.ip");
    assert_int_equal(norm(IOC_SHA256, "61DF74731FBE1EAFB2EB987F20E5226962EECEEF010164E41EA6C4494A4010FC  ",
                          out, &why), IOC_SHA256);
    assert_string_equal(out, "61df74731fbe1eafb2eb987f20e5226962eeceef010164e41ea6c4494a4010fc");
    assert_int_equal(norm(IOC_MD5, "5e11432c30783b184dc2bf27aa1728b", out, &why),
                     IOC_BAD);
    assert_string_equal(why, "intel.reason.hash");
    assert_int_equal(norm(IOC_MD5, "5e11432c30783b184dc2bf27aa1728bg", out, &why),
                     IOC_BAD);
    /* trivial files: empty, one newline, zeros; placeholders */
    assert_int_equal(norm(IOC_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                          out, &why), IOC_BAD);
    assert_string_equal(why, "intel.reason.trivial");
    assert_int_equal(norm(IOC_MD5, "68b329da9893e34099c7d8ad5cb9c940", out, &why),
                     IOC_BAD);
    assert_int_equal(norm(IOC_SHA1, "0000000000000000000000000000000000000000", out,
                          &why), IOC_BAD);
    /* inferred types */
    assert_int_equal(norm(IOC_BAD, "5e11432c30783b184dc2bf27aa1728b4", out, &why),
                     IOC_MD5);
    assert_int_equal(norm(IOC_BAD, "hxxp://3.145.115[.]94/zambo/x.exe", out, &why),
                     IOC_URL);
    assert_int_equal(norm(IOC_BAD, "10.1.2.3:80", out, &why), IOC_IPV4);
    assert_int_equal(norm(IOC_BAD, "bookitlab[.]tech", out, &why), IOC_DOMAIN);
    assert_int_equal(norm(IOC_BAD, "no such thing!", out, &why), IOC_BAD);
    assert_string_equal(why, "intel.reason.unknown");
    /* paths */
    assert_int_equal(norm(IOC_FILEPATH, "C:\\ProgramData\\SystemData\\igfxCUIService.exe",
                          out, &why), IOC_FILEPATH);
    assert_string_equal(out, "/programdata/systemdata/igfxcuiservice.exe");
    assert_int_equal(norm(IOC_DIRPATH, "/.Library", out, &why), IOC_DIRPATH);
    assert_string_equal(out, "/.library/");
    assert_int_equal(norm(IOC_DIRPATH, "/", out, &why), IOC_BAD);
    assert_int_equal(norm(IOC_PATHGLOB, "C:\\x\\*.exe", out, &why), IOC_BAD);
    assert_string_equal(why, "intel.reason.glob");
    assert_int_equal(norm(IOC_FILENAME, "a/b", out, &why), IOC_BAD);
    assert_int_equal(norm(IOC_FILENAME, "", out, &why), IOC_BAD);
    assert_string_equal(why, "intel.reason.empty");
    assert_int_equal(ioc_normalise(IOC_FILENAME, "a\0b", 3, out, 4200, &why),
                     IOC_BAD);
}

static struct ioc_set *load(const char *text, enum kensa_err want,
                            struct ioc_report *r)
{
    struct ioc_set *s = ioc_set_new();
    assert_non_null(s);
    memset(r, 0, sizeof(*r));
    assert_int_equal(ioc_parse(s, text, strlen(text), "t", "user-ioc", r),
                     want);
    assert_int_equal(ioc_set_index(s), KENSA_OK);
    return s;
}

static void paths(void **state)
{
    (void)state;
    struct ioc_report r;
    struct ioc_set *s = load(
        "masquerade\tdwm.exe@C:\\Windows\\System32\\;C:\\Windows\\WinSxS\\\tflagpro\n"
        "pathglob\tC:\\ProgramData\\*\\igfxCUIService.exe\tsysjoker\n"
        "dirpath\t/.Library/\tsysjoker\n"
        "filepath\t/Library/LaunchAgents/com.apple.update.plist\tsysjoker\n"
        "filename\trecoveryWindows.zip\tsysjoker\n", KENSA_OK, &r);
    const struct ioc *h[8];
    assert_int_equal(r.loaded, 5);
    /* dwm.exe: fine in System32 (any mount point), not in Startup */
    assert_int_equal(ioc_match_path(s, "/Windows/System32/dwm.exe", true, h, 8), 0);
    assert_int_equal(ioc_match_path(s, "/mnt/img/WINDOWS/system32/DWM.EXE", true, h, 8), 0);
    assert_int_equal(ioc_match_path(s, "/Users/a/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/dwm.exe",
                                    true, h, 8), 1);
    assert_string_equal(h[0]->threat, "flagpro");
    /* igfxCUIService.exe under ProgramData, one folder down */
    assert_int_equal(ioc_match_path(s, "/triage/C/ProgramData/SystemData/igfxCUIService.exe",
                                    true, h, 8), 1);
    assert_int_equal(ioc_match_path(s, "/Program Files/Intel/igfxCUIService.exe",
                                    true, h, 8), 0);
    /* /.Library at the root only (Unix paths are anchored) */
    assert_int_equal(ioc_match_path(s, "/.Library/SystemServices/updateSystem",
                                    true, h, 8), 1);
    assert_int_equal(ioc_match_path(s, "/home/u/.Library/x", true, h, 8), 0);
    assert_int_equal(ioc_match_path(s, "/Library/LaunchAgents/com.apple.update.plist",
                                    true, h, 8), 1);
    assert_int_equal(ioc_match_path(s, "/Users/u/Library/LaunchAgents/com.apple.update.plist",
                                    true, h, 8), 0);
    /* a member: names only */
    assert_int_equal(ioc_match_path(s, "recoveryWindows.zip", false, h, 8), 1);
    assert_int_equal(ioc_match_path(s, "dwm.exe", false, h, 8), 0);
    ioc_set_free(s);
}

static void formats(void **state)
{
    (void)state;
    struct ioc_report r;
    struct ioc_set *s;
    /* CSV with a header, a rejected value, then a line that is not intel */
    s = load("type,value,threat\nsha1,0123456789abcdef0123456789abcdef01234567,x\n"
             "md5,d41d8cd98f00b204e9800998ecf8427e\nfoo,bar\n", KENSA_EFORMAT, &r);
    assert_int_equal(r.line, 4);
    assert_string_equal(r.why, "intel.reason.type");
    assert_int_equal(r.rejected, 1);
    assert_int_equal(r.first_line, 3);
    assert_string_equal(r.first_why, "intel.reason.trivial");
    ioc_set_free(s);
    /* sha256sum output */
    s = load("7fe9c60ac0068c1c4ad0e0e8067593dc1278e0f0e956c4b4d383168a5a7dcdd8  f1\n",
             KENSA_OK, &r);
    assert_non_null(ioc_find_hash(s, IOC_SHA256,
        "7fe9c60ac0068c1c4ad0e0e8067593dc1278e0f0e956c4b4d383168a5a7dcdd8"));
    assert_int_equal(ioc_set_hashes(s), 1u << IOC_SHA256);
    ioc_set_free(s);
    /* STIX: hashes, names, hosts; a pattern with nothing usable rejected */
    s = load("{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"name\":\"SysJoker\","
             "\"pattern\":\"[file:hashes.'SHA-256' = '1ffd6559d21470c40dcf9236da51e5823d7ad58c93502279871c3fe7718c901c'"
             " OR file:name = 'types-config.ts'] OR [domain-name:value = 'Bookitlab.tech']\","
             "\"pattern_type\":\"stix\"},{\"type\":\"indicator\",\"pattern\":\"[process:pid = 1]\"}]}",
             KENSA_OK, &r);
    assert_int_equal(r.loaded, 3);
    assert_int_equal(r.rejected, 1);
    const struct ioc *io = ioc_find_hash(s, IOC_SHA256,
        "1ffd6559d21470c40dcf9236da51e5823d7ad58c93502279871c3fe7718c901c");
    assert_non_null(io);
    assert_string_equal(io->threat, "sysjoker");
    assert_int_equal(ioc_set_count(s, IOC_DOMAIN), 1);
    ioc_set_free(s);
    /* MISP: composite attributes, objects, ports */
    s = load("{\"Event\":{\"Attribute\":[{\"type\":\"filename|md5\",\"value\":\"a.exe|0123456789abcdef0123456789abcdef\"},"
             "{\"type\":\"ip-dst|port\",\"value\":\"10.0.0.1|8080\"}],\"Object\":[{\"Attribute\":"
             "[{\"type\":\"url\",\"value\":\"hxxp://c2.example/x\"}]}]}}", KENSA_OK, &r);
    assert_int_equal(r.loaded, 4);
    assert_int_equal(ioc_set_count(s, IOC_IPV4), 1);
    assert_int_equal(ioc_set_count(s, IOC_URL), 1);
    ioc_set_free(s);
    /* JSON that is not intel, broken JSON (line named) */
    s = load("{\"a\":1}", KENSA_EFORMAT, &r);
    assert_string_equal(r.why, "intel.reason.json_kind");
    ioc_set_free(s);
    s = load("{\n\"type\":\n", KENSA_EFORMAT, &r);
    assert_string_equal(r.why, "intel.reason.json");
    assert_true(r.line >= 2);
    ioc_set_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normalise),
        cmocka_unit_test(paths),
        cmocka_unit_test(formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
