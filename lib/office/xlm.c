/*
 * xlm.c - Excel 4 (XLM) macro sheets in a BIFF5/BIFF8 record stream
 * ([MS-XLS]), for xlm_biff_read() of vba.h.
 *
 * The stream is a run of records (type, length, data).  The workbook
 * globals give the sheets (BOUNDSHEET: type and hidden state), the
 * defined names (NAME/Lbl: the built-in Auto_Open, names starting
 * Auto_Open/Auto_Close) and FILEPASS (the rest is encrypted: not read).
 * Each sheet is a substream opened by a BOF; in macro sheets (BOF type
 * 0x0040, or a BOUNDSHEET of type 1 pointing at it) every FORMULA record
 * is rendered back to text from its parsed tokens (reverse Polish, so a
 * small stack of strings), one formula a line.  A token this reader does
 * not know ends its formula with "?": the text is for people and for the
 * detector's word matching, not for evaluation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "office/vba.h"

#define STACK_MAX 64
#define ITEM_MAX  2048      /* bytes of one stack item */
#define SHEETS_MAX 1024    /* macro sheet offsets remembered */

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Built-in functions (Ftab) by number; NULL: unknown.  argc: the fixed
 * argument count a ptgFunc implies (-1: only seen as ptgFuncVar). */
struct fn { const char *name; signed char argc; };

static const struct fn ftab[] = {
    [0] = {"COUNT", -1}, [1] = {"IF", -1}, [2] = {"ISNA", 1},
    [3] = {"ISERROR", 1}, [4] = {"SUM", -1}, [5] = {"AVERAGE", -1},
    [6] = {"MIN", -1}, [7] = {"MAX", -1}, [8] = {"ROW", -1},
    [9] = {"COLUMN", -1}, [10] = {"NA", 0}, [13] = {"DOLLAR", -1},
    [15] = {"SIN", 1}, [16] = {"COS", 1}, [17] = {"TAN", 1},
    [18] = {"ATAN", 1}, [19] = {"PI", 0}, [20] = {"SQRT", 1},
    [21] = {"EXP", 1}, [22] = {"LN", 1}, [23] = {"LOG10", 1},
    [24] = {"ABS", 1}, [25] = {"INT", 1}, [26] = {"SIGN", 1},
    [27] = {"ROUND", 2}, [28] = {"LOOKUP", -1}, [29] = {"INDEX", -1},
    [30] = {"REPT", 2}, [31] = {"MID", 3}, [32] = {"LEN", 1},
    [33] = {"VALUE", 1}, [34] = {"TRUE", 0}, [35] = {"FALSE", 0},
    [36] = {"AND", -1}, [37] = {"OR", -1}, [38] = {"NOT", 1},
    [39] = {"MOD", 2}, [48] = {"TEXT", 2}, [53] = {"GOTO", 1},
    [54] = {"HALT", -1}, [55] = {"RETURN", -1}, [63] = {"RAND", 0},
    [64] = {"MATCH", -1}, [65] = {"DATE", 3}, [66] = {"TIME", 3},
    [67] = {"DAY", 1}, [68] = {"MONTH", 1}, [69] = {"YEAR", 1},
    [70] = {"WEEKDAY", -1}, [71] = {"HOUR", 1}, [72] = {"MINUTE", 1},
    [73] = {"SECOND", 1}, [74] = {"NOW", 0}, [75] = {"AREAS", 1},
    [76] = {"ROWS", 1}, [77] = {"COLUMNS", 1}, [78] = {"OFFSET", -1},
    [79] = {"ABSREF", 2}, [80] = {"RELREF", 2}, [81] = {"ARGUMENT", -1},
    [82] = {"SEARCH", -1}, [83] = {"TRANSPOSE", 1}, [84] = {"ERROR", -1},
    [85] = {"STEP", 0}, [86] = {"TYPE", 1}, [87] = {"ECHO", -1},
    [88] = {"SET.NAME", -1}, [89] = {"CALLER", 0}, [90] = {"DEREF", 1},
    [91] = {"WINDOWS", -1}, [93] = {"DOCUMENTS", -1},
    [94] = {"ACTIVE.CELL", 0}, [95] = {"SELECTION", 0},
    [96] = {"RESULT", -1}, [97] = {"ATAN2", 2}, [98] = {"ASIN", 1},
    [99] = {"ACOS", 1}, [100] = {"CHOOSE", -1}, [101] = {"HLOOKUP", -1},
    [102] = {"VLOOKUP", -1}, [104] = {"INPUT", -1}, [105] = {"ISREF", 1},
    [106] = {"GET.FORMULA", 1}, [107] = {"GET.NAME", -1},
    [108] = {"SET.VALUE", 2}, [109] = {"LOG", -1}, [110] = {"EXEC", -1},
    [111] = {"CHAR", 1}, [112] = {"LOWER", 1}, [113] = {"UPPER", 1},
    [114] = {"PROPER", 1}, [115] = {"LEFT", -1}, [116] = {"RIGHT", -1},
    [117] = {"EXACT", 2}, [118] = {"TRIM", 1}, [119] = {"REPLACE", 4},
    [120] = {"SUBSTITUTE", -1}, [121] = {"CODE", 1}, [122] = {"NAMES", -1},
    [123] = {"DIRECTORY", -1}, [124] = {"FIND", -1}, [125] = {"CELL", -1},
    [126] = {"ISERR", 1}, [127] = {"ISTEXT", 1}, [128] = {"ISNUMBER", 1},
    [129] = {"ISBLANK", 1}, [130] = {"T", 1}, [131] = {"N", 1},
    [132] = {"FOPEN", -1}, [133] = {"FCLOSE", 1}, [134] = {"FSIZE", 1},
    [135] = {"FREADLN", 1}, [136] = {"FREAD", 2}, [137] = {"FWRITELN", 2},
    [138] = {"FWRITE", 2}, [139] = {"FPOS", -1}, [140] = {"DATEVALUE", 1},
    [141] = {"TIMEVALUE", 1}, [147] = {"TEXTREF", -1},
    [148] = {"INDIRECT", -1}, [149] = {"REGISTER", -1},
    [150] = {"CALL", -1}, [151] = {"ADD.BAR", -1}, [152] = {"ADD.MENU", -1},
    [153] = {"ADD.COMMAND", -1}, [161] = {"DIALOG.BOX", 1},
    [162] = {"CLEAN", 1}, [166] = {"FILES", -1}, [169] = {"COUNTA", -1},
    [170] = {"CANCEL.KEY", -1}, [171] = {"FOR", -1}, [172] = {"WHILE", 1},
    [173] = {"BREAK", 0}, [174] = {"NEXT", 0}, [175] = {"INITIATE", 2},
    [176] = {"REQUEST", 2}, [177] = {"POKE", 3}, [178] = {"EXECUTE", 2},
    [179] = {"TERMINATE", 1}, [183] = {"PRODUCT", -1}, [184] = {"FACT", 1},
    [185] = {"GET.CELL", -1}, [186] = {"GET.WORKSPACE", 1},
    [187] = {"GET.WINDOW", -1}, [188] = {"GET.DOCUMENT", -1},
    [190] = {"ISNONTEXT", 1}, [191] = {"GET.NOTE", -1}, [192] = {"NOTE", -1},
    [197] = {"TRUNC", -1}, [198] = {"ISLOGICAL", 1},
    [201] = {"UNREGISTER", 1}, [212] = {"ROUNDUP", 2},
    [213] = {"ROUNDDOWN", 2}, [219] = {"ADDRESS", -1}, [221] = {"TODAY", 0},
    [225] = {"END.IF", 0}, [236] = {"CREATE.OBJECT", -1},
    [237] = {"VOLATILE", -1}, [244] = {"INFO", 1}, [246] = {"GET.OBJECT", -1},
    [248] = {"PAUSE", -1}, [251] = {"RESUME", -1}, [257] = {"EVALUATE", 1},
    [262] = {"APP.TITLE", -1}, [263] = {"WINDOW.TITLE", -1},
    [267] = {"REGISTER.ID", -1}, [268] = {"GET.WORKBOOK", -1},
    [336] = {"CONCATENATE", -1},
};

/* Command equivalents (Cetab), ptgFuncVar with bit 15 set. */
static const char *const cetab[] = {
    [0] = "BEEP", [1] = "OPEN", [3] = "CLOSE.ALL", [4] = "SAVE",
    [5] = "SAVE.AS", [6] = "FILE.DELETE", [8] = "PRINT", [10] = "QUIT",
    [16] = "CLOSE", [17] = "RUN", [52] = "CLEAR", [55] = "INSERT",
    [61] = "DEFINE.NAME", [63] = "FORMULA.GOTO", [93] = "HIDE",
    [94] = "UNHIDE", [95] = "WORKSPACE", [96] = "FORMULA",
    [97] = "FORMULA.FILL", [98] = "FORMULA.ARRAY", [103] = "ACTIVATE",
    [109] = "SELECT", [110] = "DELETE.NAME", [118] = "ALERT", [119] = "NEW",
    [122] = "MESSAGE", [125] = "APP.ACTIVATE", [131] = "SEND.KEYS",
    [141] = "ECHO", [144] = "FILE.CLOSE", [145] = "SAVE.WORKBOOK",
    [148] = "ON.TIME", [149] = "WAIT", [165] = "ERROR",
    [168] = "ON.KEY", [172] = "APP.MINIMIZE", [215] = "HIDE.OBJECT",
    [281] = "WORKBOOK.ADD", [291] = "WORKBOOK.SELECT",
    [292] = "WORKBOOK.ACTIVATE",
};

struct stk {
    char *s[STACK_MAX];
    size_t n;
};

static void stk_clear(struct stk *k)
{
    for(size_t i = 0; i < k->n; i++)
        free(k->s[i]);
    k->n = 0;
}

/* Push a new string made of the parts (NULLs skipped), capped. */
static bool push(struct stk *k, const char *a, const char *b, const char *c,
                 const char *d)
{
    if(k->n >= STACK_MAX)
        return false;
    const char *part[4] = { a, b, c, d };
    size_t len = 0;
    for(int i = 0; i < 4; i++)
        len += part[i] ? strlen(part[i]) : 0;
    if(len > ITEM_MAX)
        len = ITEM_MAX;
    char *s = malloc(len + 1);
    if(!s)
        return false;
    size_t o = 0;
    for(int i = 0; i < 4; i++) {
        size_t m = part[i] ? strlen(part[i]) : 0;
        if(m > len - o)
            m = len - o;
        memcpy(s + o, part[i] ? part[i] : "", m);
        o += m;
    }
    s[o] = 0;
    k->s[k->n++] = s;
    return true;
}

static char *pop(struct stk *k)
{
    return k->n ? k->s[--k->n] : NULL;
}

/* Name(args) from the top argc items. */
static bool call(struct stk *k, const char *name, unsigned argc)
{
    if(argc > k->n)
        return false;
    struct buf b;
    buf_init(&b, ITEM_MAX);
    buf_puts(&b, name);
    buf_puts(&b, "(");
    for(size_t i = k->n - argc; i < k->n; i++) {
        if(i > k->n - argc)
            buf_puts(&b, ",");
        buf_puts(&b, k->s[i]);
    }
    buf_puts(&b, ")");
    for(unsigned i = 0; i < argc; i++)
        free(pop(k));
    bool ok = push(k, buf_cstr(&b), NULL, NULL, NULL);
    buf_free(&b);
    return ok;
}

static bool binop(struct stk *k, const char *op)
{
    char *r = pop(k), *l = pop(k);
    bool ok = l && r && push(k, l, op, r, NULL);
    free(l);
    free(r);
    return ok;
}

static void col_name(unsigned col, char *out)
{
    char r[4];
    size_t n = 0;
    col &= 0x3FFF;                  /* xlsb: 16,384 columns, XFD */
    do {
        r[n++] = (char)('A' + col % 26);
        col = col / 26;
    } while(col-- && n < 3);
    for(size_t i = 0; i < n; i++)
        out[i] = r[n - 1 - i];
    out[n] = 0;
}

/* A1 text of a cell (row 0-based, col 0-based). */
static void cell_a1(unsigned row, unsigned col, char *out, size_t cap)
{
    char c[4];
    col_name(col, c);
    snprintf(out, cap, "%s%u", c, row + 1);
}

/* A ShortXLUnicodeString (BIFF8) or byte string (BIFF5) of cch chars at
 * p[0..n): Latin-1 or UTF-16 to UTF-8 into out; *used its bytes. */
static bool xl_string(const uint8_t *p, size_t n, size_t cch, bool biff8,
                      struct buf *out, size_t *used)
{
    size_t start = out->len;
    size_t i = 0;
    bool wide = false;
    if(biff8) {
        if(n < 1)
            return false;
        wide = p[0] & 1;
        i = 1;
    }
    size_t bytes = wide ? cch * 2 : cch;
    if(bytes > n - i)
        return false;
    if(wide) {
        (void)vba_to_utf8(1200, p + i, bytes, out);
    } else {
        for(size_t j = 0; j < cch; j++) {
            uint8_t ch = p[i + j];
            if(ch < 0x80) {
                buf_append(out, &ch, 1);
            } else {
                uint8_t u[2] = { (uint8_t)(0xC0 | ch >> 6),
                                 (uint8_t)(0x80 | (ch & 0x3F)) };
                buf_append(out, u, 2);
            }
        }
    }
    *used = i + bytes;
    return start <= out->len;
}

/* A formula's string literal: quotes doubled, as Excel writes them. */
static bool xl_literal(const uint8_t *p, size_t n, size_t cch, bool biff8,
                       struct buf *out, size_t *used)
{
    struct buf raw;
    buf_init(&raw, ITEM_MAX);
    bool ok = xl_string(p, n, cch, biff8, &raw, used);
    buf_puts(out, "\"");
    for(size_t i = 0; ok && i < raw.len; i++)
        buf_append(out, raw.p[i] == '"' ? "\"\"" : (const char *)raw.p + i,
                   raw.p[i] == '"' ? 2 : 1);
    buf_puts(out, "\"");
    buf_free(&raw);
    return ok;
}

/* A BIFF12 string literal: cch UTF-16LE units at p[0..n). */
static bool xl_literal16(const uint8_t *p, size_t n, size_t cch,
                         struct buf *out, size_t *used)
{
    if(cch > n / 2)
        return false;
    struct buf raw;
    buf_init(&raw, ITEM_MAX);
    (void)vba_to_utf8(1200, p, cch * 2, &raw);
    buf_puts(out, "\"");
    for(size_t i = 0; i < raw.len; i++)
        buf_append(out, raw.p[i] == '"' ? "\"\"" : (const char *)raw.p + i,
                   raw.p[i] == '"' ? 2 : 1);
    buf_puts(out, "\"");
    buf_free(&raw);
    *used = cch * 2;
    return true;
}

/* Render rgce[0..n) of BIFF version `ver` (5, 8, or 12 for xlsb) to
 * `out` as one line; an unknown token ends it with "?".  BIFF12 differs
 * in its sizes: rows of 4 bytes, strings of 2-byte length and UTF-16
 * always. */
static void render_v(const uint8_t *t, size_t n, int ver, struct buf *out)
{
    bool biff8 = ver >= 8, b12 = ver >= 12;
    struct stk k = { .n = 0 };
    size_t i = 0;
    bool ok = true;
    char tmp[64];
    static const char *const ops[] = {
        [0x03] = "+", [0x04] = "-", [0x05] = "*", [0x06] = "/",
        [0x07] = "^", [0x08] = "&", [0x09] = "<", [0x0A] = "<=",
        [0x0B] = "=", [0x0C] = ">=", [0x0D] = ">", [0x0E] = "<>",
        [0x0F] = " ", [0x10] = ",", [0x11] = ":",
    };
    while(ok && i < n) {
        uint8_t ptg = t[i++];
        uint8_t base = ptg < 0x20 ? ptg : (uint8_t)((ptg & 0x1F) | 0x20);
        size_t left = n - i;
        if(base >= 0x03 && base <= 0x11) {
            ok = binop(&k, ops[base]);
            continue;
        }
        switch(base) {
        case 0x12: case 0x13: case 0x14: {   /* + - % */
            char *a = pop(&k);
            ok = a && push(&k, base == 0x12 ? "+" : base == 0x13 ? "-" : "",
                           a, base == 0x14 ? "%" : NULL, NULL);
            free(a);
            break;
        }
        case 0x15: {                         /* parentheses */
            char *a = pop(&k);
            ok = a && push(&k, "(", a, ")", NULL);
            free(a);
            break;
        }
        case 0x16:                           /* missing argument */
            ok = push(&k, "", NULL, NULL, NULL);
            break;
        case 0x17: {                         /* string */
            if(left < 1) {
                ok = false;
                break;
            }
            struct buf s;
            buf_init(&s, ITEM_MAX);
            size_t used;
            if(b12)    /* 2-byte count of UTF-16 units, no flags byte */
                ok = left >= 2 &&
                     xl_literal16(t + i + 2, left - 2, rd16(t + i), &s, &used);
            else
                ok = xl_literal(t + i + 1, left - 1, t[i], biff8, &s, &used);
            if(ok) {
                i += (b12 ? 2 : 1) + used;
                ok = push(&k, buf_cstr(&s), NULL, NULL, NULL);
            }
            buf_free(&s);
            break;
        }
        case 0x19: {                         /* attribute */
            if(left < 3) {
                ok = false;
                break;
            }
            uint8_t a = t[i];
            uint16_t d = rd16(t + i + 1);
            i += 3;
            if(a & 0x04) {                   /* choose: a jump table */
                size_t skip = ((size_t)d + 1) * 2;
                if(skip > n - i)
                    ok = false;
                else
                    i += skip;
            } else if(a & 0x10) {            /* SUM of one argument */
                ok = call(&k, "SUM", 1);
            }
            break;
        }
        case 0x1C:                           /* error */
            ok = left >= 1 && push(&k, "#ERR", NULL, NULL, NULL);
            i++;
            break;
        case 0x1D:                           /* boolean */
            ok = left >= 1 && push(&k, t[i] ? "TRUE" : "FALSE", NULL, NULL,
                                   NULL);
            i++;
            break;
        case 0x1E:                           /* integer */
            ok = left >= 2;
            if(ok) {
                snprintf(tmp, sizeof(tmp), "%u", rd16(t + i));
                ok = push(&k, tmp, NULL, NULL, NULL);
            }
            i += 2;
            break;
        case 0x1F: {                         /* number */
            ok = left >= 8;
            if(ok) {
                double v;
                memcpy(&v, t + i, 8);
                snprintf(tmp, sizeof(tmp), "%.15g", v);
                ok = push(&k, tmp, NULL, NULL, NULL);
            }
            i += 8;
            break;
        }
        case 0x20:                           /* array (values after rgce) */
            ok = !b12 && left >= 7 && push(&k, "{...}", NULL, NULL,
                                                  NULL);
            i += 7;
            break;
        case 0x21: {                         /* function, fixed arguments */
            ok = left >= 2;
            if(!ok)
                break;
            uint16_t f = rd16(t + i) & 0x7FFF;
            i += 2;
            const struct fn *fe = f < sizeof(ftab) / sizeof(ftab[0]) ?
                                  &ftab[f] : NULL;
            ok = fe && fe->name && fe->argc >= 0 &&
                 call(&k, fe->name, (unsigned)fe->argc);
            break;
        }
        case 0x22: {                         /* function, variable */
            ok = left >= 3;
            if(!ok)
                break;
            unsigned argc = t[i] & 0x7F;
            uint16_t f = rd16(t + i + 1);
            i += 3;
            const char *name = NULL;
            unsigned idx = f & 0x7FFF;
            if(f & 0x8000) {
                if(idx < sizeof(cetab) / sizeof(cetab[0]))
                    name = cetab[idx];
            } else if(idx == 255 && argc >= 1 && k.n >= argc) {
                /* a user-defined function: its name is the first argument */
                char *nm = k.s[k.n - argc];
                memmove(&k.s[k.n - argc], &k.s[k.n - argc + 1],
                        (argc - 1) * sizeof(char *));
                k.n--;
                ok = call(&k, nm, argc - 1);
                free(nm);
                break;
            } else if(idx < sizeof(ftab) / sizeof(ftab[0])) {
                name = ftab[idx].name;
            }
            if(!name) {
                snprintf(tmp, sizeof(tmp), "%s#%u", f & 0x8000 ? "CMD" : "FN",
                         idx);
                name = tmp;
            }
            ok = call(&k, name, argc);
            break;
        }
        case 0x23:                           /* defined name */
            ok = left >= (biff8 ? 4u : 14u);
            if(ok) {
                snprintf(tmp, sizeof(tmp), "NAME#%u", rd16(t + i));
                ok = push(&k, tmp, NULL, NULL, NULL);
            }
            i += biff8 ? 4 : 14;
            break;
        case 0x24: case 0x2C: {              /* cell reference */
            size_t sz = b12 ? 6 : biff8 ? 4 : 3;
            ok = left >= sz;
            if(ok) {
                unsigned row = b12 ? rd32(t + i) : biff8 ? rd16(t + i) :
                               rd16(t + i) & 0x3FFF;
                unsigned col = b12 ? rd16(t + i + 4) & 0x3FFF :
                               biff8 ? rd16(t + i + 2) & 0x3FFF : t[i + 2];
                cell_a1(row, col, tmp, sizeof(tmp));
                ok = push(&k, tmp, NULL, NULL, NULL);
            }
            i += sz;
            break;
        }
        case 0x25: case 0x2D: {              /* area */
            size_t sz = b12 ? 12 : biff8 ? 8 : 6;
            ok = left >= sz;
            if(ok) {
                char a[24], b[24];
                if(b12) {
                    cell_a1(rd32(t + i), rd16(t + i + 8) & 0x3FFF, a,
                            sizeof(a));
                    cell_a1(rd32(t + i + 4), rd16(t + i + 10) & 0x3FFF, b,
                            sizeof(b));
                } else if(biff8) {
                    cell_a1(rd16(t + i), rd16(t + i + 4) & 0x3FFF, a,
                            sizeof(a));
                    cell_a1(rd16(t + i + 2), rd16(t + i + 6) & 0x3FFF, b,
                            sizeof(b));
                } else {
                    cell_a1(rd16(t + i) & 0x3FFF, t[i + 4], a, sizeof(a));
                    cell_a1(rd16(t + i + 2) & 0x3FFF, t[i + 5], b, sizeof(b));
                }
                ok = push(&k, a, ":", b, NULL);
            }
            i += sz;
            break;
        }
        case 0x26: case 0x27: case 0x28:     /* mem area: tokens follow */
            ok = left >= 6;
            i += 6;
            break;
        case 0x29:                           /* mem func */
            ok = left >= 2;
            i += 2;
            break;
        case 0x2A: {                         /* reference error */
            size_t sz = b12 ? 6 : biff8 ? 4 : 3;
            ok = left >= sz && push(&k, "#REF!", NULL, NULL, NULL);
            i += sz;
            break;
        }
        case 0x2B: {
            size_t sz = b12 ? 12 : biff8 ? 8 : 6;
            ok = left >= sz && push(&k, "#REF!", NULL, NULL, NULL);
            i += sz;
            break;
        }
        case 0x39:                           /* external name */
            ok = biff8 && left >= 6;
            if(ok) {
                snprintf(tmp, sizeof(tmp), "NAMEX#%u", rd16(t + i + 2));
                ok = push(&k, tmp, NULL, NULL, NULL);
            }
            i += 6;
            break;
        case 0x3A: case 0x3C:                /* 3-D reference */
            ok = biff8 && left >= (b12 ? 8u : 6u);
            if(ok) {
                if(b12)
                    cell_a1(rd32(t + i + 2), rd16(t + i + 6) & 0x3FFF, tmp,
                            sizeof(tmp));
                else
                    cell_a1(rd16(t + i + 2), rd16(t + i + 4) & 0x3FFF, tmp,
                            sizeof(tmp));
                ok = push(&k, "!", tmp, NULL, NULL);
            }
            i += b12 ? 8 : 6;
            break;
        case 0x3B: case 0x3D:                /* 3-D area */
            ok = biff8 && left >= (b12 ? 14u : 10u);
            if(ok) {
                char a[24], b[24];
                if(b12) {
                    cell_a1(rd32(t + i + 2), rd16(t + i + 10) & 0x3FFF, a,
                            sizeof(a));
                    cell_a1(rd32(t + i + 6), rd16(t + i + 12) & 0x3FFF, b,
                            sizeof(b));
                } else {
                    cell_a1(rd16(t + i + 2), rd16(t + i + 6) & 0x3FFF, a,
                            sizeof(a));
                    cell_a1(rd16(t + i + 4), rd16(t + i + 8) & 0x3FFF, b,
                            sizeof(b));
                }
                ok = push(&k, "!", a, ":", b);
            }
            i += b12 ? 14 : 10;
            break;
        default:
            ok = false;
            break;
        }
    }
    buf_puts(out, "=");
    for(size_t j = 0; j < k.n; j++) {
        if(j)
            buf_puts(out, " ");
        buf_puts(out, k.s[j]);
    }
    if(!ok)
        buf_puts(out, k.n ? " ?" : "?");
    buf_puts(out, "\n");
    stk_clear(&k);
}

static void render(const uint8_t *t, size_t n, bool biff8, struct buf *out)
{
    render_v(t, n, biff8 ? 8 : 5, out);
}

/* The macro sheets' BOF offsets, kept sorted: a stream of millions of
 * BOF records costs a binary search each, not a pass over the sheets. */
static void add_sorted(uint32_t *v, size_t *n, uint32_t x)
{
    size_t i = *n;
    while(i && v[i - 1] > x) {
        v[i] = v[i - 1];
        i--;
    }
    v[i] = x;
    (*n)++;
}

static bool in_sorted(const uint32_t *v, size_t n, size_t x)
{
    size_t lo = 0, hi = n;
    while(lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if(v[mid] == x)
            return true;
        if(v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static bool auto_name(const char *s, size_t n)
{
    static const char *const pre[] = { "auto_open", "auto_close" };
    for(int j = 0; j < 2; j++) {
        size_t m = strlen(pre[j]);
        if(n < m)
            continue;
        size_t i;
        for(i = 0; i < m; i++) {
            char ch = s[i];
            if(ch >= 'A' && ch <= 'Z')
                ch = (char)(ch + 32);
            if(ch != pre[j][i])
                break;
        }
        if(i == m)
            return true;
    }
    return false;
}

/* A NAME (Lbl) record. */
static void name_record(const uint8_t *d, size_t len, bool biff8,
                        struct xlm_info *x)
{
    if(len < 15)
        return;
    uint16_t flags = rd16(d);
    size_t cch = d[3];
    if(flags & 0x0020) {
        /* built-in: one character, 1 Auto_Open, 2 Auto_Close */
        uint8_t ch = biff8 && len > 15 ? d[15] : d[14];
        if(ch == 1 || ch == 2)
            x->auto_open = true;
        return;
    }
    struct buf b;
    buf_init(&b, 1024);
    size_t used;
    if(xl_string(d + 14, len - 14, cch, biff8, &b, &used) &&
       auto_name((const char *)b.p, b.len))
        x->auto_open = true;
    buf_free(&b);
}

enum kensa_err xlm_biff_read(const uint8_t *p, size_t n, size_t max_text,
                             struct xlm_info *out)
{
    memset(out, 0, sizeof(*out));
    if(n < 8 || (rd16(p) & 0xFF) != 0x09 || (rd16(p) >> 8) > 8)
        return KENSA_EFORMAT;
    uint32_t macro_at[SHEETS_MAX];
    size_t n_macro_at = 0;
    struct buf text;
    buf_init(&text, max_text ? max_text : 1);
    bool biff8 = rd16(p) == 0x0809 && rd16(p + 4) == 0x0600;
    bool in_macro = false;
    enum kensa_err rc = KENSA_OK;
    size_t i = 0;
    while(i + 4 <= n) {
        uint16_t type = rd16(p + i), len = rd16(p + i + 2);
        size_t at = i;
        if(len > n - i - 4)
            break;
        const uint8_t *d = p + i + 4;
        i += 4 + (size_t)len;
        switch(type) {
        case 0x0809: case 0x0409: case 0x0209: case 0x0009: {   /* BOF */
            uint16_t dt = len >= 4 ? rd16(d + 2) : 0;
            in_macro = dt == 0x0040 || in_sorted(macro_at, n_macro_at, at);
            break;
        }
        case 0x0085:                        /* BOUNDSHEET */
            if(len < 6)
                break;
            out->sheets++;
            if(d[5] == 1) {
                out->macro_sheets++;
                if((d[4] & 3) == 1)
                    out->hidden++;
                else if((d[4] & 3) == 2)
                    out->very_hidden++;
                if(n_macro_at < SHEETS_MAX)
                    add_sorted(macro_at, &n_macro_at, rd32(d));
            }
            break;
        case 0x0018:                        /* NAME */
            name_record(d, len, biff8, out);
            break;
        case 0x002F:                        /* FILEPASS */
            out->encrypted = true;
            goto done;
        case 0x0006:                        /* FORMULA */
            if(!in_macro || len < 22 || !max_text)
                break;
            size_t cce = rd16(d + 20);
            if(cce > (size_t)len - 22)
                cce = (size_t)len - 22;
            render(d + 22, cce, biff8, &text);
            break;
        default:
            break;
        }
    }
done:
    if(text.len) {
        const char *s = buf_cstr(&text);
        out->formulas = malloc(text.len + 1);
        if(!out->formulas) {
            rc = KENSA_ENOMEM;
        } else {
            memcpy(out->formulas, s, text.len + 1);
            out->formulas_len = text.len;
        }
    }
    buf_free(&text);
    return rc;
}

void xlm_info_free(struct xlm_info *x)
{
    if(!x)
        return;
    free(x->formulas);
    x->formulas = NULL;
    x->formulas_len = 0;
}

/* ---- xlsb macro sheets (BIFF12, [MS-XLSB]) ------------------------------ */

/* A number in at most `max` groups of 7 bits at p[*at..n), low first,
 * the high bit of each saying another follows. */
static bool b12_groups(const uint8_t *p, size_t n, size_t *at, int max,
                       size_t *v)
{
    size_t x = 0;
    for(int k = 0; k < max && *at < n; k++) {
        uint8_t b = p[(*at)++];
        x |= (size_t)(b & 0x7F) << (7 * k);
        if(!(b & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

/* A BIFF12 record header at p[*at..n): the type in 1-2 groups, the size
 * in 1-4. */
static bool b12_header(const uint8_t *p, size_t n, size_t *at,
                       unsigned *type, size_t *size)
{
    size_t i = *at, t;
    if(!b12_groups(p, n, &i, 2, &t) || !b12_groups(p, n, &i, 4, size))
        return false;
    *at = i;
    *type = (unsigned)t;
    return true;
}

/* A CellParsedFormula at d[off..len): cce, rgce, cb, rgcb filling the
 * record exactly.  Returns rgce's offset, or 0 when it does not fit. */
static size_t b12_formula(const uint8_t *d, size_t len, size_t off,
                          size_t *cce)
{
    if(off > len || len - off < 8)
        return 0;
    size_t c = rd32(d + off);
    if(c > len - off - 8)
        return 0;
    size_t cb = rd32(d + off + 4 + c);
    if(cb != len - off - 8 - c)
        return 0;
    *cce = c;
    return off + 4;
}

enum kensa_err xlm_xlsb_read(const uint8_t *p, size_t n, size_t max_text,
                             char **formulas, size_t *len)
{
    *formulas = NULL;
    *len = 0;
    struct buf text;
    buf_init(&text, max_text ? max_text : 1);
    enum kensa_err rc = KENSA_OK;
    size_t i = 0;       /* where the records stopped; 0 when one was cut */
    unsigned type;
    size_t size;
    bool any = false;
    while(b12_header(p, n, &i, &type, &size)) {
        if(size > n - i) {
            i = 0;
            break;
        }
        const uint8_t *d = p + i;
        i += size;
        any = true;
        /* BrtFmlaString (8), BrtFmlaNum (9), BrtFmlaBool (10),
         * BrtFmlaError (11): a cell (8 bytes), its cached value, 2 bytes
         * of flags, the formula */
        if(type < 8 || type > 11 || size < 8)
            continue;
        size_t v;
        if(type == 8) {
            if(size < 12 || rd32(d + 8) > (size - 12) / 2)
                continue;
            v = 12 + (size_t)rd32(d + 8) * 2;
        } else {
            v = type == 9 ? 16 : 9;
        }
        size_t cce, at = b12_formula(d, size, v + 2, &cce);
        if(!at)     /* writers that leave the flags out */
            at = b12_formula(d, size, v, &cce);
        if(at && max_text)
            render_v(d + at, cce, 12, &text);
    }
    if(i < n || !any)   /* a broken or cut record: not all was read */
        rc = KENSA_EFORMAT;
    if(text.len) {
        const char *s = buf_cstr(&text);
        *formulas = malloc(text.len + 1);
        if(!*formulas) {
            rc = KENSA_ENOMEM;
        } else {
            memcpy(*formulas, s, text.len + 1);
            *len = text.len;
        }
    }
    buf_free(&text);
    return rc;
}
