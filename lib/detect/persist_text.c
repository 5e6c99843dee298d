/*
 * persist_text.c - line-based persistence files (crontabs, units, desktop
 * entries, udev rules, shell scripts, authorized_keys, ld.so.preload) and
 * the rules that judge a command (persist_parse.h).
 *
 * Pure: (pointer, length) in, a capped pst_list out; no allocation, every
 * loop consumes input, and the only recursion (sh -c "...") stops at two
 * levels.
 */
#include <stdio.h>
#include <string.h>

#include "detect/persist_parse.h"

/* ---- the list ---------------------------------------------------------- */

void pst_list_init(struct pst_list *l)
{
    l->n = 0;
    l->truncated = false;
    l->disabled = false;
    l->hidden = false;
    l->no_sd = false;
    l->reg_only = false;
    l->label[0] = 0;
    l->used = 0;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
           c == '\f';
}

/* Length of p[0..n) cut at a NUL byte, at `max` on a UTF-8 boundary. */
static size_t cut(const char *p, size_t n, size_t max)
{
    const char *z = memchr(p, 0, n);
    if(z)
        n = (size_t)(z - p);
    if(n > max) {
        n = max;
        while(n && ((unsigned char)p[n] & 0xc0) == 0x80)
            n--;
    }
    return n;
}

const char *pst_keep(struct pst_list *l, const char *p, size_t n)
{
    n = cut(p, n, PST_CMD_MAX);
    while(n && blank(*p)) {
        p++;
        n--;
    }
    while(n && blank(p[n - 1]))
        n--;
    if(l->used + n + 1 > sizeof(l->arena)) {
        l->truncated = true;
        return NULL;
    }
    char *d = l->arena + l->used;
    memcpy(d, p, n);
    d[n] = 0;
    l->used += n + 1;
    return d;
}

bool pst_add(struct pst_list *l, const char *p, size_t n, const char *q,
             size_t qn, unsigned line, unsigned flags)
{
    if(l->n >= PST_MAX) {
        l->truncated = true;
        return false;
    }
    const char *cmd = pst_keep(l, p, n);
    if(!cmd)
        return false;
    if(!*cmd && !q)
        return true;   /* nothing launched: not an entry */
    const char *prog = NULL;
    if(q) {
        prog = pst_keep(l, q, qn);
        if(!prog)
            return false;
    }
    l->e[l->n++] = (struct pst_entry){ .cmd = cmd, .prog = prog,
                                       .line = line, .flags = flags };
    return true;
}

/* The next line of p[0..n) from *off: its start, its length (without the
 * newline); false at the end. */
static bool next_line(const char *p, size_t n, size_t *off, const char **ls,
                      size_t *ll)
{
    if(*off >= n)
        return false;
    const char *s = p + *off;
    const char *nl = memchr(s, '\n', n - *off);
    size_t len = nl ? (size_t)(nl - s) : n - *off;
    *off += len + (nl ? 1 : 0);
    *ls = s;
    *ll = len;
    return true;
}

/* Skip blanks from i in s[0..n). */
static size_t skip_blank(const char *s, size_t n, size_t i)
{
    while(i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    return i;
}

/* Skip one blank-separated field from i in s[0..n). */
static size_t skip_field(const char *s, size_t n, size_t i)
{
    while(i < n && s[i] != ' ' && s[i] != '\t')
        i++;
    return i;
}

/* The next line of p[0..n) from *off that is neither blank nor a '#'
 * comment: its start and length, *i its first non-blank byte, *line
 * counting every line read. */
static bool next_content(const char *p, size_t n, size_t *off,
                         unsigned *line, const char **s, size_t *ll,
                         size_t *i)
{
    while(next_line(p, n, off, s, ll)) {
        (*line)++;
        *i = skip_blank(*s, *ll, 0);
        if(*i < *ll && (*s)[*i] != '#')
            return true;
    }
    return false;
}

/* ---- crontab ----------------------------------------------------------- */

void pst_crontab(const char *p, size_t n, bool system, struct pst_list *out)
{
    size_t off = 0, ll, i;
    const char *s;
    unsigned line = 0;
    while(next_content(p, n, &off, &line, &s, &ll, &i)) {
        /* NAME=value (blanks allowed around '=') is an assignment */
        size_t w = i;
        while(w < ll && (s[w] == '_' || (s[w] >= 'A' && s[w] <= 'Z') ||
                         (s[w] >= 'a' && s[w] <= 'z') ||
                         (s[w] >= '0' && s[w] <= '9')))
            w++;
        if(w > i && skip_blank(s, ll, w) < ll &&
           s[skip_blank(s, ll, w)] == '=')
            continue;
        unsigned flags = 0;
        if(s[i] == '@') {
            size_t e = skip_field(s, ll, i);
            if(e - i == 7 && !memcmp(s + i, "@reboot", 7))
                flags |= PST_E_REBOOT;
            i = skip_blank(s, ll, e);
        } else {
            for(int f = 0; f < 5 && i < ll; f++)
                i = skip_blank(s, ll, skip_field(s, ll, i));
        }
        if(system)
            i = skip_blank(s, ll, skip_field(s, ll, i));
        if(i >= ll)
            continue;
        /* an unescaped '%' ends the command: the rest is its input */
        size_t e = i;
        while(e < ll && s[e] != '%') {
            if(s[e] == '\\' && e + 1 < ll)
                e++;
            e++;
        }
        if(e > ll)
            e = ll;
        pst_add(out, s + i, e - i, NULL, 0, line, flags);
    }
}

/* ---- key=value files --------------------------------------------------- */

static bool key_is(const char *s, size_t n, const char *k)
{
    return strlen(k) == n && !memcmp(s, k, n);
}

/* The value of a udev assignment from s[i..n): "..." or '...'. */
static void udev_line(const char *s, size_t n, unsigned line,
                      struct pst_list *out)
{
    size_t i = 0;
    while(i < n) {
        i = skip_blank(s, n, i);
        size_t k = i;
        while(i < n && ((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '{' ||
                        s[i] == '}' || (s[i] >= 'a' && s[i] <= 'z') ||
                        s[i] == '_'))
            i++;
        size_t klen = i - k;
        size_t op = i;
        while(i < n && (s[i] == '+' || s[i] == '=' || s[i] == ':' ||
                        s[i] == '!' || s[i] == '-'))
            i++;
        bool assign = i > op && s[i - 1] == '=';
        if(i >= n || (s[i] != '"' && s[i] != '\'')) {
            /* not KEY op "value": skip to the next comma */
            const char *c = memchr(s + i, ',', n - i);
            if(!c)
                return;
            i = (size_t)(c - s) + 1;
            continue;
        }
        char q = s[i++];
        size_t v = i;
        while(i < n && s[i] != q)
            i++;
        size_t vlen = i - v;
        if(i < n)
            i++;
        bool run = (klen == 3 && !memcmp(s + k, "RUN", 3)) ||
                   (klen == 12 && !memcmp(s + k, "RUN{program}", 12)) ||
                   (klen == 7 && !memcmp(s + k, "PROGRAM", 7)) ||
                   (klen == 15 && !memcmp(s + k, "IMPORT{program}", 15));
        if(run && assign)
            pst_add(out, s + v, vlen, NULL, 0, line, 0);
        while(i < n && s[i] != ',')
            i++;
        if(i < n)
            i++;
    }
}

void pst_keyvals(const char *p, size_t n, enum pst_kv kind,
                 struct pst_list *out)
{
    size_t off = 0, ll;
    const char *s;
    unsigned line = 0;
    while(next_line(p, n, &off, &s, &ll)) {
        line++;
        size_t i = skip_blank(s, ll, 0);
        if(i >= ll || s[i] == '#' || s[i] == ';')
            continue;
        if(kind == PST_KV_UDEV) {
            udev_line(s + i, ll - i, line, out);
            continue;
        }
        const char *eq = memchr(s + i, '=', ll - i);
        if(!eq)
            continue;
        size_t k = i, kn = (size_t)(eq - s) - i;
        while(kn && blank(s[k + kn - 1]))
            kn--;
        bool want;
        if(kind == PST_KV_UNIT && ((kn > 9 && !memcmp(s + k, "Condition", 9))
                                   || (kn > 6 && !memcmp(s + k, "Assert", 6)))) {
            /* a path the unit checks first: "!|" prefixes dropped */
            size_t v = (size_t)(eq - s) + 1;
            while(v < ll && (s[v] == '!' || s[v] == '|' || s[v] == ' '))
                v++;
            if(v < ll && s[v] == '/')
                pst_add(out, s + v, ll - v, NULL, 0, line, PST_E_COND);
            continue;
        }
        if(kind == PST_KV_DESKTOP)
            want = key_is(s + k, kn, "Exec") || key_is(s + k, kn, "TryExec");
        else
            want = key_is(s + k, kn, "ExecStart") ||
                   key_is(s + k, kn, "ExecStartPre") ||
                   key_is(s + k, kn, "ExecStartPost") ||
                   key_is(s + k, kn, "ExecReload") ||
                   key_is(s + k, kn, "ExecStop") ||
                   key_is(s + k, kn, "ExecStopPost") ||
                   key_is(s + k, kn, "ExecCondition");
        if(!want)
            continue;
        size_t v = (size_t)(eq - s) + 1;
        if(kind == PST_KV_UNIT && ll > v && s[ll - 1 - (s[ll - 1] == '\r')]
           == '\\') {
            /* continuation lines: join them (bounded by the command cap) */
            char joined[PST_CMD_MAX];
            size_t jn = 0;
            const char *cs = s + v;
            size_t cl = ll - v;
            for(;;) {
                while(cl && (cs[cl - 1] == '\r'))
                    cl--;
                bool more = cl && cs[cl - 1] == '\\';
                if(more)
                    cl--;
                size_t take = cl < sizeof(joined) - jn ?
                              cl : sizeof(joined) - jn;
                memcpy(joined + jn, cs, take);
                jn += take;
                if(jn < sizeof(joined))
                    joined[jn++] = ' ';
                if(!more || !next_line(p, n, &off, &cs, &cl))
                    break;
                line++;
            }
            pst_add(out, joined, jn, NULL, 0, line, 0);
            continue;
        }
        pst_add(out, s + v, ll - v, NULL, 0, line, 0);
    }
}

/* ---- shell scripts, keys, preload ------------------------------------- */

size_t pst_shell(const char *p, size_t n, unsigned line0,
                 struct pst_list *out)
{
    size_t off = 0, ll;
    const char *s;
    unsigned line = line0;
    for(;;) {
        size_t before = off;
        if(out->n >= PST_MAX || out->used + PST_CMD_MAX + 1 >
                                sizeof(out->arena))
            return before;   /* full: the caller goes on from here */
        size_t i;
        if(!next_content(p, n, &off, &line, &s, &ll, &i))
            return off;
        pst_add(out, s + i, ll - i, NULL, 0, line, PST_E_SHELL);
    }
}

void pst_authkeys(const char *p, size_t n, struct pst_list *out)
{
    size_t off = 0, ll, i;
    const char *s;
    unsigned line = 0;
    while(next_content(p, n, &off, &line, &s, &ll, &i)) {
        /* options come first, comma-separated, up to the first blank
         * outside quotes; command="..." may hold \" */
        bool inq = false;
        size_t st = i;
        for(; i < ll && (inq || (s[i] != ' ' && s[i] != '\t')); i++) {
            if(s[i] == '"')
                inq = !inq;
            else if(s[i] == '\\' && inq && i + 1 < ll)
                i++;
            if(!inq && (i == st || s[i - 1] == ',' ) && ll - i > 9 &&
               !memcmp(s + i, "command=\"", 9)) {
                size_t v = i + 9, e = v;
                while(e < ll && s[e] != '"') {
                    if(s[e] == '\\' && e + 1 < ll)
                        e++;
                    e++;
                }
                if(e > ll)
                    e = ll;
                pst_add(out, s + v, e - v, NULL, 0, line, 0);
                i = e;
                if(i >= ll)
                    break;
            }
        }
    }
}

void pst_preload(const char *p, size_t n, struct pst_list *out)
{
    size_t off = 0, ll;
    const char *s;
    unsigned line = 0;
    while(next_line(p, n, &off, &s, &ll)) {
        line++;
        const char *h = memchr(s, '#', ll);
        if(h)
            ll = (size_t)(h - s);
        size_t i = 0;
        while(i < ll) {
            while(i < ll && (blank(s[i]) || s[i] == ':'))
                i++;
            size_t w = i;
            while(i < ll && !blank(s[i]) && s[i] != ':')
                i++;
            if(i > w)
                pst_add(out, s + w, i - w, NULL, 0, line, PST_E_PRELOAD);
        }
    }
}

/* ---- matching ---------------------------------------------------------- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool pst_match(const char *pat, const char *path, bool fold)
{
    while(*pat) {
        if(!strcmp(pat, "/**"))
            return *path == '/' && path[1];
        if(*pat == '*') {
            pat++;
            /* '*' within one component, one byte at least: try every
             * split, shortest first */
            if(!*path || *path == '/')
                return false;
            for(const char *q = path + 1;; q++) {
                if(pst_match(pat, q, fold))
                    return true;
                if(!*q || *q == '/')
                    return false;
            }
        }
        if(!*path)
            return false;
        if(fold ? lower(*pat) != lower(*path) : *pat != *path)
            return false;
        pat++;
        path++;
    }
    return !*path;
}

/* ---- judging ----------------------------------------------------------- */

/* Case-insensitive search for the ASCII word `w` in s[0..n). */
static const char *ifind(const char *s, size_t n, const char *w)
{
    size_t wl = strlen(w);
    for(size_t i = 0; i + wl <= n; i++) {
        size_t j = 0;
        while(j < wl && lower(s[i + j]) == w[j])
            j++;
        if(j == wl)
            return s + i;
    }
    return NULL;
}

static bool word_end(char c)
{
    return !c || blank(c) || c == '|' || c == ';' || c == '&' || c == ')' ||
           c == '"' || c == '\'' || c == '`';
}

/* Whether an interpreter of code read from a pipe starts at s. */
static bool pipe_runner(const char *s)
{
    static const char *const runners[] = {
        "sh", "bash", "dash", "zsh", "ksh", "ash", "python", "python2",
        "python3", "perl", "ruby", "php", "node", "iex", "invoke-expression",
        "pwsh", "powershell", "source", ".",
    };
    while(*s == ' ' || *s == '\t')
        s++;
    if(!strncmp(s, "sudo ", 5)) {
        s += 5;
        while(*s == ' ' || *s == '-' || (*s >= 'a' && *s <= 'z'))
            if(*s++ == ' ')
                break;
    }
    const char *base = s;
    for(const char *q = s; !word_end(*q); q++)
        if(*q == '/')
            base = q + 1;
    for(size_t i = 0; i < sizeof(runners) / sizeof(runners[0]); i++) {
        size_t l = strlen(runners[i]);
        size_t j = 0;
        while(j < l && lower(base[j]) == runners[i][j])
            j++;
        if(j == l && word_end(base[l]))
            return true;
    }
    return false;
}

/* Whether, after `from`, cmd pipes into an interpreter, or runs what it
 * wrote (chmod +x). */
static bool runs_after(const char *from)
{
    for(const char *q = from; *q; q++) {
        if(*q == '|' && q[1] != '|' && (q == from || q[-1] != '|') &&
           pipe_runner(q + 1))
            return true;
    }
    size_t n = strlen(from);
    return ifind(from, n, "chmod +x") || ifind(from, n, "chmod 7") ||
           ifind(from, n, "chmod u+x") || ifind(from, n, "chmod a+x");
}

static void judge_code(const char *cmd, struct pst_judged *out)
{
    size_t n = strlen(cmd);
    static const char *const fetchers[] = {
        "curl", "wget", "fetch ", "invoke-webrequest", "iwr ",
        "downloadstring", "downloadfile", "net.webclient", "bitsadmin",
        "certutil", "start-bitstransfer", "tftp ",
    };
    for(size_t i = 0; i < sizeof(fetchers) / sizeof(fetchers[0]); i++) {
        const char *f = ifind(cmd, n, fetchers[i]);
        if(!f)
            continue;
        /* $(curl ...) or `curl ...` handed to a shell, or eval */
        bool sub = f > cmd && (f[-1] == '`' || (f - cmd >= 2 &&
                   f[-1] == '(' && f[-2] == '$'));
        if(runs_after(f) || ifind(cmd, n, "iex") ||
           ifind(cmd, n, "invoke-expression") ||
           (sub && (ifind(cmd, n, "sh -c") || ifind(cmd, n, "eval") ||
                    ifind(cmd, n, "python") || ifind(cmd, n, "perl")))) {
            out->flags |= PST_F_DOWNLOAD;
            static const char *const schemes[] = { "http://", "https://",
                                                   "ftp://", "tftp " };
            for(size_t u = 0; u < 4 && !out->url[0]; u++) {
                const char *h = ifind(cmd, n, schemes[u]);
                if(!h)
                    continue;
                size_t l = 0;
                while(h[l] && !blank(h[l]) && h[l] != '"' && h[l] != '\'' &&
                      h[l] != '|' && h[l] != ')' && h[l] != ';' &&
                      l + 1 < sizeof(out->url))
                    l++;
                memcpy(out->url, h, l);
                out->url[l] = 0;
            }
            break;
        }
    }
    const char *b = ifind(cmd, n, "base64");
    if(b && (ifind(b, strlen(b), " -d") || ifind(b, strlen(b), "--decode") ||
             ifind(b, strlen(b), " -D")) && runs_after(b))
        out->flags |= PST_F_DECODE;
    if(ifind(cmd, n, "b64decode") && (ifind(cmd, n, "exec") ||
                                      ifind(cmd, n, "eval")))
        out->flags |= PST_F_DECODE;
    const char *ps = ifind(cmd, n, "powershell");
    if(!ps)
        ps = ifind(cmd, n, "pwsh");
    if(ps) {
        static const char *const enc[] = { " -e ", " -en ", " -enc ",
            " -enco", " -encodedcommand", " /enc ", " /e " };
        for(size_t i = 0; i < sizeof(enc) / sizeof(enc[0]); i++)
            if(ifind(ps, strlen(ps), enc[i]))
                out->flags |= PST_F_DECODE;
        if(ifind(ps, strlen(ps), "frombase64string"))
            out->flags |= PST_F_DECODE;
    }
}

/* A word of a command: the next one from *i in s[0..n) into w (cut to
 * cap), quotes removed.  *sep gets the separator that ended the simple
 * command right after the word (';', '|', '&', '(' or ')', newline), or
 * 0.  False when no word is left in this simple command. */
static bool next_word(const char *s, size_t n, size_t *i, char *w,
                      size_t cap, char *sep)
{
    size_t k = *i, wl = 0;
    *sep = 0;
    while(k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
        k++;
    if(k >= n) {
        *i = k;
        return false;
    }
    if(strchr(";|&()\n`", s[k])) {
        *sep = s[k];
        *i = k + 1;
        return false;
    }
    char q = 0;
    while(k < n) {
        char c = s[k];
        if(!q && (c == ' ' || c == '\t' || c == '\r' ||
                  strchr(";|&()\n`", c)))
            break;
        k++;
        if(q) {
            if(c == q) {
                q = 0;
                continue;
            }
            if(c == '\\' && q == '"' && k < n &&
               (s[k] == '"' || s[k] == '\\' || s[k] == '$')) {
                c = s[k++];
            }
        } else if(c == '"' || c == '\'') {
            q = c;
            continue;
        } else if(c == '\\' && k < n && strchr(" \t'\"\\$;|&()`<>", s[k])) {
            /* a shell escape; any other backslash stays (C:\Users\x) */
            c = s[k++];
        }
        if(wl + 1 < cap)
            w[wl++] = c;
    }
    w[wl] = 0;
    *i = k;
    return true;
}

static const char *base_name(const char *p)
{
    const char *b = p;
    for(; *p; p++)
        if(*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

static bool in_list(const char *w, const char *const *l, size_t n, bool fold)
{
    for(size_t i = 0; i < n; i++) {
        size_t j = 0;
        while(l[i][j] && (fold ? lower(w[j]) : w[j]) == l[i][j])
            j++;
        if(!l[i][j] && (!w[j] || (fold && w[j] == '.' &&
                                  (!strcmp(w + j, ".exe") ||
                                   !strcmp(w + j, ".EXE")))))
            return true;
    }
    return false;
}

static const char *const wrappers[] = {
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time",
    "exec", "nohup", "sudo", "doas", "env", "command", "builtin", "setsid",
    "nice", "ionice", "stdbuf", "timeout", "start-stop-daemon", "daemon",
    "runuser", "flock", "chronic", "xargs",
};
static const char *const shells[] = { "sh", "bash", "dash", "zsh", "ksh",
                                      "ash", "busybox" };
static const char *const interp[] = {
    "python", "python2", "python3", "perl", "ruby", "php", "node", "java",
    "osascript", "pwsh", "powershell", "wscript", "cscript", "mshta",
    "rundll32", "regsvr32", "source", ".", "awk", "lua", "tclsh",
};

static bool is_windows_path(const char *p)
{
    return (((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) &&
            p[1] == ':') || p[0] == '%' || strchr(p, '\\');
}

/* Lowercased, '/'-separated copy of a Windows path, drive and quotes
 * removed, a few variables spelled as their folders. */
static void win_norm(const char *p, char *out, size_t cap)
{
    static const struct { const char *var, *dir; } vars[] = {
        { "%programdata%", "/programdata" },
        { "%allusersprofile%", "/programdata" },
        { "%appdata%", "/users/%user%/appdata/roaming" },
        { "%localappdata%", "/users/%user%/appdata/local" },
        { "%temp%", "/users/%user%/appdata/local/temp" },
        { "%tmp%", "/users/%user%/appdata/local/temp" },
        { "%userprofile%", "/users/%user%" },
        { "%public%", "/users/public" },
        { "%systemroot%", "/windows" },
        { "%windir%", "/windows" },
        { "%programfiles%", "/program files" },
        { "%programfiles(x86)%", "/program files (x86)" },
    };
    size_t o = 0;
    if(((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) &&
       p[1] == ':')
        p += 2;
    while(*p && o + 1 < cap) {
        if(*p == '%') {
            bool done = false;
            for(size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
                size_t l = strlen(vars[i].var), j = 0;
                while(j < l && lower(p[j]) == vars[i].var[j])
                    j++;
                if(j == l) {
                    size_t dl = strlen(vars[i].dir);
                    if(o + dl + 1 >= cap)
                        break;
                    memcpy(out + o, vars[i].dir, dl);
                    o += dl;
                    p += l;
                    done = true;
                    break;
                }
            }
            if(done)
                continue;
        }
        char c = *p++;
        if(c == '"')
            continue;
        out[o++] = c == '\\' ? '/' : lower(c);
    }
    out[o] = 0;
}

/*
 * Whether a program's name poses as the system's own updater rather than
 * naming a vendor's: lowercased, letters and digits only, extension off,
 * it starts with "update" (update, updater, updateMacOs, updateSystem)
 * or ends with update/updater/updates after nothing but a system word
 * (SystemUpdate, sys-update, MacOSUpdater, WindowsUpdate).  A vendor's
 * updater (GoogleSoftwareUpdateAgent, OneDriveStandaloneUpdater) is not.
 */
static bool generic_updater(const char *name)
{
    static const char *const sys[] = {
        "", "system", "sys", "software", "security", "os", "macos", "mac",
        "osx", "windows", "win", "apple", "microsoft", "ms", "kernel",
        "service", "services", "driver", "auto", "linux",
    };
    static const char *const tails[] = { "updater", "updates", "update" };
    char n[64];
    size_t k = 0;
    const char *dot = strrchr(name, '.');
    for(const char *c = name; *c && c != dot && k + 1 < sizeof(n); c++) {
        char l = lower(*c);
        if((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9'))
            n[k++] = l;
    }
    n[k] = 0;
    if(!strncmp(n, "update", 6))
        return true;
    for(size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
        size_t tl = strlen(tails[t]);
        if(k < tl || strcmp(n + k - tl, tails[t]))
            continue;
        for(size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
            if(strlen(sys[i]) == k - tl && !strncmp(n, sys[i], k - tl))
                return true;
    }
    return false;
}

/* Judge the location of program `t`, set flags and place. */
static void judge_place(const char *t, unsigned lines_only,
                        struct pst_judged *out, unsigned *got)
{
    unsigned f = 0;
    char place[128] = "", hid[128] = "";
    if(is_windows_path(t)) {
        char w[PST_TARGET_MAX];
        win_norm(t, w, sizeof(w));
        static const struct { const char *frag, *name; } dirs[] = {
            { "/programdata/", "ProgramData" },
            { "/appdata/", "AppData" },
            { "/users/public/", "Users\\Public" },
            { "/windows/temp/", "Windows\\Temp" },
            { "/temp/", "Temp" },
            { "/$recycle.bin/", "$Recycle.Bin" },
            { "/perflogs/", "PerfLogs" },
        };
        /* Defender runs from ProgramData by design */
        bool defender = strstr(w, "/programdata/microsoft/windows defender");
        for(size_t i = 0; !defender && i < sizeof(dirs) / sizeof(dirs[0]);
            i++) {
            if(strstr(w, dirs[i].frag)) {
                f |= PST_F_DATADIR;
                strcpy(place, dirs[i].name);
                break;
            }
        }
        if(!strncmp(w, "/users/", 7))
            f |= PST_F_HOME;
        out->windows = true;
    } else {
        static const char *const temps[] = {
            "/tmp/", "/var/tmp/", "/dev/shm/", "/run/shm/", "/private/tmp/",
            "/private/var/tmp/", "/Users/Shared/", "/var/lib/php/sessions/",
        };
        for(size_t i = 0; i < sizeof(temps) / sizeof(temps[0]); i++) {
            size_t l = strlen(temps[i]);
            if(!strncmp(t, temps[i], l) && t[l]) {
                f |= PST_F_TEMP;
                memcpy(place, temps[i], l - 1);
                place[l - 1] = 0;
                break;
            }
        }
        if(!strncmp(t, "/home/", 6) || !strncmp(t, "/root/", 6) ||
           !strncmp(t, "~/", 2) || (!strncmp(t, "/Users/", 7) &&
                                     strncmp(t, "/Users/Shared/", 14)))
            f |= PST_F_HOME;
        /* a hidden folder on the way: /.Library/x, ~/.x/y */
        static const char *const usual[] = {
            ".local", ".cargo", ".rustup", ".nix-profile", ".sdkman",
            ".nvm", ".pyenv", ".rbenv", ".dotnet", ".deno", ".bun",
            ".volta", ".asdf", ".dropbox-dist", ".vscode-server",
        };
        const char *c = t;
        const char *last = strrchr(t, '/');
        while(c && last && c < last) {
            const char *s = strchr(c, '/');
            if(!s || s >= last)
                break;
            const char *e = strchr(s + 1, '/');
            if(!e)
                break;
            size_t l = (size_t)(e - s - 1);
            if(l > 1 && s[1] == '.' && !(l == 2 && s[2] == '.')) {
                bool ok = false;
                for(size_t i = 0; i < sizeof(usual) / sizeof(usual[0]); i++)
                    if(strlen(usual[i]) == l && !memcmp(usual[i], s + 1, l))
                        ok = true;
                if(!ok) {
                    f |= PST_F_HIDDEN;
                    size_t pl = (size_t)(e - t);
                    if(pl >= sizeof(hid))
                        pl = sizeof(hid) - 1;
                    memcpy(hid, t, pl);
                    hid[pl] = 0;
                    break;
                }
            }
            c = e;
        }
    }
    if(generic_updater(base_name(t)) &&
       (f & (PST_F_TEMP | PST_F_DATADIR | PST_F_HIDDEN | PST_F_HOME)))
        f |= PST_F_UPDATER;
    if(lines_only) {
        /* shell lines: only a program in a temporary folder counts */
        unsigned keep = PST_F_TEMP;
        if(f & PST_F_TEMP)
            keep |= PST_F_UPDATER;
        f &= keep;
    }
    if((f & PST_F_SUSPICIOUS) && !(out->flags & PST_F_SUSPICIOUS & ~
                                   (PST_F_DOWNLOAD | PST_F_DECODE))) {
        size_t tl = strlen(t);
        if(tl >= sizeof(out->target))
            tl = sizeof(out->target) - 1;
        memcpy(out->target, t, tl);
        out->target[tl] = 0;
        memcpy(out->place, place, sizeof(place));
        memcpy(out->hidden, hid, sizeof(hid));
    } else if(!out->target[0]) {
        size_t tl = strlen(t);
        if(tl >= sizeof(out->target))
            tl = sizeof(out->target) - 1;
        memcpy(out->target, t, tl);
        out->target[tl] = 0;
    }
    out->flags |= f;
    (*got)++;
}

/* Judge every simple command of s[0..n); depth bounds sh -c nesting. */
static void judge_cmds(const char *s, size_t n, bool shell, int depth,
                       struct pst_judged *out)
{
    size_t i = 0;
    unsigned got = 0;
    char w[PST_TARGET_MAX];
    while(i < n) {
        /* one simple command */
        char sep = 0;
        bool have_prog = false, after_shell = false, after_interp = false;
        bool after_cmd = false, first = true;
        while(next_word(s, n, &i, w, sizeof(w), &sep)) {
            if(first && !shell) {
                /* systemd's prefixes: -@:+! (and |, cut as a separator) */
                size_t k = 0;
                while(w[k] && strchr("-@:+!", w[k])) {
                    if(w[k] == '-')
                        out->optional = true;
                    k++;
                }
                if(k)
                    memmove(w, w + k, strlen(w + k) + 1);
            }
            first = false;
            if(!w[0])
                continue;
            if(after_shell) {
                if(!strcmp(w, "-c") && depth < 2) {
                    char sep2 = 0;
                    if(next_word(s, n, &i, w, sizeof(w), &sep2)) {
                        char inner[PST_TARGET_MAX];
                        memcpy(inner, w, sizeof(inner));
                        judge_cmds(inner, strlen(inner), shell, depth + 1,
                                   out);
                        got++;
                    }
                    after_shell = false;
                    have_prog = true;
                    continue;
                }
                if(w[0] == '-')
                    continue;
                judge_place(w, shell, out, &got);   /* the script */
                after_shell = false;
                continue;
            }
            if(after_cmd) {
                /* cmd /c rest: the rest is a command of its own */
                if((w[0] == '/' || w[0] == '-') && (w[1] == 'c' ||
                   w[1] == 'C' || w[1] == 'k' || w[1] == 'K') && !w[2]) {
                    size_t rest = i;
                    while(rest < n && s[rest] != '\n')
                        rest++;
                    if(depth < 2)
                        judge_cmds(s + i, rest - i, shell, depth + 1, out);
                    i = rest;
                    break;
                }
                continue;
            }
            if(after_interp) {
                if(w[0] == '-' || (w[0] == '/' && !strchr(w + 1, '/') &&
                                   !strchr(w, '\\')))
                    continue;
                if(strchr(w, '/') || strchr(w, '\\')) {
                    char *comma = strchr(w, ',');   /* rundll32 x.dll,Entry */
                    if(comma)
                        *comma = 0;
                    judge_place(w, shell, out, &got);
                    after_interp = false;
                }
                continue;
            }
            if(have_prog)
                continue;   /* arguments */
            /* assignments and wrappers before the program */
            const char *eq = strchr(w, '=');
            if(eq && eq != w && !memchr(w, '/', (size_t)(eq - w)))
                continue;
            if(in_list(w, wrappers, sizeof(wrappers) / sizeof(wrappers[0]),
                       false))
                continue;
            if(w[0] == '-' && got == 0 && !have_prog)
                continue;   /* an option of a wrapper */
            have_prog = true;
            judge_place(w, shell, out, &got);
            const char *b = base_name(w);
            if(in_list(b, shells, sizeof(shells) / sizeof(shells[0]), false))
                after_shell = true;
            else if(in_list(b, interp, sizeof(interp) / sizeof(interp[0]),
                            true))
                after_interp = true;
            else if(in_list(b, (const char *const[]){ "cmd" }, 1, true))
                after_cmd = true;
        }
        if(!sep && i >= n)
            break;
        if(!sep) {
            /* next_word stopped on nothing: step over one byte */
            i++;
        }
    }
}

void pst_judge(const struct pst_entry *e, struct pst_judged *out)
{
    out->flags = 0;
    out->windows = false;
    out->target[0] = 0;
    out->place[0] = 0;
    out->hidden[0] = 0;
    out->url[0] = 0;
    out->optional = false;
    if(e->flags & (PST_E_COM | PST_E_COND))
        return;
    judge_code(e->cmd, out);
    if(e->flags & PST_E_PRELOAD) {
        unsigned got = 0;
        judge_place(e->cmd, 0, out, &got);
        return;
    }
    if(e->prog && *e->prog) {
        unsigned got = 0;
        char p[PST_TARGET_MAX];
        size_t l = strlen(e->prog);
        if(l >= sizeof(p))
            l = sizeof(p) - 1;
        memcpy(p, e->prog, l);
        p[l] = 0;
        judge_place(p, 0, out, &got);
        /* an interpreter's script is among the arguments */
        const char *b = base_name(p);
        if(in_list(b, shells, sizeof(shells) / sizeof(shells[0]), false) ||
           in_list(b, interp, sizeof(interp) / sizeof(interp[0]), true) ||
           in_list(b, (const char *const[]){ "cmd" }, 1, true)) {
            struct pst_judged more = { 0 };
            judge_cmds(e->cmd, strlen(e->cmd), false, 0, &more);
            if(more.flags & PST_F_SUSPICIOUS & ~(PST_F_DOWNLOAD |
                                                  PST_F_DECODE)) {
                memcpy(out->target, more.target, sizeof(out->target));
                memcpy(out->place, more.place, sizeof(out->place));
                memcpy(out->hidden, more.hidden, sizeof(out->hidden));
                out->windows = more.windows;
            }
            out->flags |= more.flags;
        }
        return;
    }
    judge_cmds(e->cmd, strlen(e->cmd), (e->flags & PST_E_SHELL) != 0, 0,
               out);
}

bool pst_win_exec_name(const char *name)
{
    static const char *const ext[] = {
        ".exe", ".scr", ".com", ".pif", ".bat", ".cmd", ".vbs", ".vbe",
        ".js", ".jse", ".wsf", ".wsh", ".ps1", ".hta", ".msi", ".dll",
        ".cpl", ".jar", ".lnk", ".url",
    };
    const char *dot = strrchr(name, '.');
    if(!dot)
        return false;
    for(size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        size_t j = 0;
        while(ext[i][j] && lower(dot[j]) == ext[i][j])
            j++;
        if(!ext[i][j] && !dot[j])
            return true;
    }
    return false;
}

size_t pst_expand(const char *s, const char *user, char *d, size_t cap)
{
    static const struct {
        const char *var, *val, *tail;
        bool per_user;
    } vars[] = {
        { "systemroot", "C:\\Windows", "", false },
        { "windir", "C:\\Windows", "", false },
        { "systemdrive", "C:", "", false },
        { "programdata", "C:\\ProgramData", "", false },
        { "allusersprofile", "C:\\ProgramData", "", false },
        { "programfiles", "C:\\Program Files", "", false },
        { "programfiles(x86)", "C:\\Program Files (x86)", "", false },
        { "programw6432", "C:\\Program Files", "", false },
        { "commonprogramfiles", "C:\\Program Files\\Common Files", "", false },
        { "public", "C:\\Users\\Public", "", false },
        { "userprofile", "C:\\Users\\", "", true },
        { "appdata", "C:\\Users\\", "\\AppData\\Roaming", true },
        { "localappdata", "C:\\Users\\", "\\AppData\\Local", true },
        { "temp", "C:\\Users\\", "\\AppData\\Local\\Temp", true },
        { "tmp", "C:\\Users\\", "\\AppData\\Local\\Temp", true },
        { "homepath", "\\Users\\", "", true },
        { "username", "", "", true },
    };
    size_t o = 0;
    if(!cap)
        return 0;
    while(*s && o + 1 < cap) {
        const char *e = *s == '%' ? strchr(s + 1, '%') : NULL;
        size_t vl = e ? (size_t)(e - s - 1) : 0;
        bool done = false;
        for(size_t i = 0; e && i < sizeof(vars) / sizeof(vars[0]); i++) {
            if(strlen(vars[i].var) != vl || (vars[i].per_user && !user))
                continue;
            size_t j = 0;
            while(j < vl && lower(s[1 + j]) == vars[i].var[j])
                j++;
            if(j != vl)
                continue;
            char v[PST_TARGET_MAX];
            snprintf(v, sizeof(v), "%s%s%s", vars[i].val,
                     vars[i].per_user ? user : "", vars[i].tail);
            size_t l = strlen(v);
            if(l > cap - 1 - o)
                l = cap - 1 - o;
            memcpy(d + o, v, l);
            o += l;
            s = e + 1;
            done = true;
            break;
        }
        if(!done)
            d[o++] = *s++;
    }
    d[o] = 0;
    return o;
}
