/*
 * persist_task.c - what a Windows scheduled task launches
 * (persist_parse.h): the task files under Windows\System32\Tasks are XML
 * in UTF-16LE, usually with a byte order mark and no extension.
 *
 * The text is first made UTF-8 (at most TASK_TEXT bytes of it, in a
 * per-thread buffer; lone surrogates become U+FFFD, a NUL ends it), then
 * searched for the elements that matter: each <Exec> action's <Command>
 * and <Arguments>, each <ComHandler>'s <ClassId>, and <Enabled> of the
 * settings.  Not an XML parser: element names are matched as written by
 * the Task Scheduler (no namespace prefixes), which is what every task
 * file on disk looks like; a file without "<Task" is not read.
 */
#define _GNU_SOURCE   /* memmem */
#include <stdio.h>
#include <string.h>

#include "detect/persist_parse.h"

#define TASK_TEXT (256u << 10)

/* p[0..n) as UTF-8 into d (cap); UTF-16LE when it starts with FF FE or
 * looks like it (a NUL in the second byte). */
static size_t to_utf8(const uint8_t *p, size_t n, char *d, size_t cap)
{
    size_t o = 0;
    bool u16 = (n >= 2 && p[0] == 0xff && p[1] == 0xfe) ||
               (n >= 2 && p[0] && !p[1]);
    if(!u16) {
        if(n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
            p += 3;
            n -= 3;
        }
        const uint8_t *z = memchr(p, 0, n);
        if(z)
            n = (size_t)(z - p);
        o = n < cap - 1 ? n : cap - 1;
        memcpy(d, p, o);
        d[o] = 0;
        return o;
    }
    size_t i = p[0] == 0xff && p[1] == 0xfe ? 2 : 0;
    return pst_utf16(p + i, n - i, d, cap);
}

size_t pst_utf16(const uint8_t *p, size_t n, char *d, size_t cap)
{
    size_t o = 0;
    if(!cap)
        return 0;
    for(size_t i = 0; i + 1 < n && o + 5 < cap; i += 2) {
        unsigned long u = p[i] | (unsigned long)p[i + 1] << 8;
        if(!u)
            break;
        if(u >= 0xd800 && u < 0xdc00 && i + 3 < n) {
            unsigned long l = p[i + 2] | (unsigned long)p[i + 3] << 8;
            if(l >= 0xdc00 && l < 0xe000) {
                u = 0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00);
                i += 2;
            } else {
                u = 0xfffd;
            }
        } else if(u >= 0xd800 && u < 0xe000) {
            u = 0xfffd;
        }
        if(u < 0x80) {
            d[o++] = (char)u;
        } else if(u < 0x800) {
            d[o++] = (char)(0xc0 | (u >> 6));
            d[o++] = (char)(0x80 | (u & 0x3f));
        } else if(u < 0x10000) {
            d[o++] = (char)(0xe0 | (u >> 12));
            d[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
            d[o++] = (char)(0x80 | (u & 0x3f));
        } else {
            d[o++] = (char)(0xf0 | (u >> 18));
            d[o++] = (char)(0x80 | ((u >> 12) & 0x3f));
            d[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
            d[o++] = (char)(0x80 | (u & 0x3f));
        }
    }
    d[o] = 0;
    return o;
}

/* The text of the first <name>...</name> in s[0..n), decoded into d. */
static bool element(const char *s, size_t n, const char *name, char *d,
                    size_t cap)
{
    char open[40], close[40];
    size_t nl = strlen(name);
    d[0] = 0;
    if(nl + 4 > sizeof(open))
        return false;
    open[0] = '<';
    memcpy(open + 1, name, nl);
    open[nl + 1] = '>';
    close[0] = '<';
    close[1] = '/';
    memcpy(close + 2, name, nl);
    close[nl + 2] = '>';
    const char *a = memmem(s, n, open, nl + 2);
    if(!a)
        return false;
    a += nl + 2;
    size_t left = n - (size_t)(a - s);
    const char *b = memmem(a, left, close, nl + 3);
    if(!b)
        return false;
    pst_xml_text(a, (size_t)(b - a), d, cap);
    return true;
}

/* An Exec action: the command line as Windows would run it (Command
 * quoted when it holds a blank, then Arguments), its program Command
 * without quotes. */
static void add_exec(struct pst_list *out, const char *cmd, const char *args,
                     unsigned flags)
{
    char line[PST_CMD_MAX];
    size_t cl2 = strlen(cmd), al = strlen(args), ln = 0;
    bool q = strchr(cmd, ' ') && cmd[0] != '"';
    if(q)
        line[ln++] = '"';
    size_t take = cl2 < sizeof(line) - 4 ? cl2 : sizeof(line) - 4;
    memcpy(line + ln, cmd, take);
    ln += take;
    if(q)
        line[ln++] = '"';
    if(al && ln + 1 < sizeof(line)) {
        line[ln++] = ' ';
        take = al < sizeof(line) - 1 - ln ? al : sizeof(line) - 1 - ln;
        memcpy(line + ln, args, take);
        ln += take;
    }
    const char *pg = cmd;
    size_t pl = cl2;
    if(pl >= 2 && pg[0] == '"') {
        pg++;
        pl--;
        const char *qe = memchr(pg, '"', pl);
        if(qe)
            pl = (size_t)(qe - pg);
    }
    pst_add(out, line, ln, pg, pl, 0, flags);
}

bool pst_task(const uint8_t *p, size_t n, struct pst_list *out)
{
    static _Thread_local char text[TASK_TEXT];
    size_t tn = to_utf8(p, n, text, sizeof(text));
    if(!memmem(text, tn, "<Task", 5))
        return false;
    /* the settings' <Enabled>, outside triggers (which have their own) */
    const char *set = memmem(text, tn, "<Settings>", 10);
    if(set) {
        const char *end = memmem(set, tn - (size_t)(set - text),
                                 "</Settings>", 11);
        size_t sl = end ? (size_t)(end - set) : tn - (size_t)(set - text);
        char v[16];
        if(element(set, sl, "Enabled", v, sizeof(v)) && !strcmp(v, "false"))
            out->disabled = true;
        if(element(set, sl, "Hidden", v, sizeof(v)) && !strcmp(v, "true"))
            out->hidden = true;
    }
    static const struct { const char *open, *close; unsigned flags; } acts[] = {
        { "<Exec>", "</Exec>", 0 },
        { "<ComHandler>", "</ComHandler>", PST_E_COM },
    };
    for(size_t a = 0; a < 2; a++) {
        size_t ol = strlen(acts[a].open), cl = strlen(acts[a].close);
        const char *s = text;
        size_t left = tn;
        const char *o;
        while((o = memmem(s, left, acts[a].open, ol))) {
            o += ol;
            size_t rest = tn - (size_t)(o - text);
            const char *c = memmem(o, rest, acts[a].close, cl);
            size_t bl = c ? (size_t)(c - o) : rest;
            char cmd[PST_CMD_MAX], args[PST_CMD_MAX];
            if(acts[a].flags & PST_E_COM) {
                element(o, bl, "ClassId", cmd, sizeof(cmd));
                element(o, bl, "Data", args, sizeof(args));
                pst_add(out, cmd, strlen(cmd), NULL, 0, 0, PST_E_COM);
            } else if(element(o, bl, "Command", cmd, sizeof(cmd))) {
                element(o, bl, "Arguments", args, sizeof(args));
                add_exec(out, cmd, args, 0);
            }
            if(!c)
                break;
            s = c + cl;
            left = tn - (size_t)(s - text);
        }
    }
    return true;
}

/* One length-prefixed UTF-16LE string of an Actions blob at *off: its
 * UTF-8 into d (cap); false when its length runs past the blob. */
static bool bstr(const uint8_t *p, size_t n, size_t *off, char *d, size_t cap)
{
    d[0] = 0;
    if(n - *off < 4)
        return false;
    uint32_t l = p[*off] | (uint32_t)p[*off + 1] << 8 |
                 (uint32_t)p[*off + 2] << 16 | (uint32_t)p[*off + 3] << 24;
    *off += 4;
    if(l > n - *off)
        return false;
    pst_utf16(p + *off, l, d, cap);
    *off += l;
    return true;
}

static uint32_t u32le(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Skip `count` strings at *off; false past the end. */
static bool skip(const uint8_t *p, size_t n, size_t *off, uint32_t count)
{
    for(uint32_t i = 0; i < count; i++) {
        if(n - *off < 4 || u32le(p + *off) > n - *off - 4)
            return false;
        *off += 4 + u32le(p + *off);
    }
    return true;
}

bool pst_task_actions(const uint8_t *p, size_t n, struct pst_list *out)
{
    static _Thread_local char a[PST_CMD_MAX], b[PST_CMD_MAX];
    size_t off = 2;
    if(!p || n < 2)
        return false;
    unsigned version = p[0] | (unsigned)p[1] << 8;
    if(version < 1 || version > 3)
        return false;
    if(version >= 2 && !skip(p, n, &off, 1))
        return false;   /* the context: the principal's id */
    for(unsigned k = 0; k < PST_TASK_ACTIONS_MAX && n - off >= 2; k++) {
        unsigned magic = p[off] | (unsigned)p[off + 1] << 8;
        off += 2;
        if(!skip(p, n, &off, 1))   /* the action's id */
            return false;
        if(magic == 0x6666) {            /* Exec: command, arguments,
                                            working folder, flags */
            if(!bstr(p, n, &off, a, sizeof(a)) ||
               !bstr(p, n, &off, b, sizeof(b)) || !skip(p, n, &off, 1))
                return false;
            if(version == 3) {
                if(n - off < 2)
                    return false;
                off += 2;
            }
            add_exec(out, a, b, 0);
        } else if(magic == 0x7777) {     /* COM handler: class id, data */
            if(n - off < 16)
                return false;
            const uint8_t *g = p + off;
            snprintf(a, sizeof(a), "{%08X-%04X-%04X-%02X%02X-"
                     "%02X%02X%02X%02X%02X%02X}", (unsigned)u32le(g),
                     g[4] | g[5] << 8, g[6] | g[7] << 8, g[8], g[9], g[10],
                     g[11], g[12], g[13], g[14], g[15]);
            off += 16;
            if(!skip(p, n, &off, 1))
                return false;
            pst_add(out, a, strlen(a), NULL, 0, 0, PST_E_COM);
        } else if(magic == 0x8888) {     /* e-mail: eight strings, the
                                            attachments, the headers */
            if(!skip(p, n, &off, 8) || n - off < 4)
                return false;
            uint32_t c = u32le(p + off);
            off += 4;
            if(c > n || !skip(p, n, &off, c) || n - off < 4)
                return false;
            c = u32le(p + off);
            off += 4;
            if(c > n / 2 || !skip(p, n, &off, 2 * c))
                return false;
        } else if(magic == 0x9999) {     /* message box: two strings */
            if(!skip(p, n, &off, 2))
                return false;
        } else {
            return false;
        }
    }
    return true;
}
