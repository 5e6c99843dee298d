/*
 * path.c - lexical path resolution (path.h).  One walk over the
 * components serves every caller, so the reports and the system roots
 * agree on what "lib/../lib" is.
 */
#include "util/path.h"

#include <string.h>

void path_append_lexical(char *out, size_t *len, size_t floor,
                         const char *p, size_t n, bool relative)
{
    size_t l = *len;
    const char *end = p + n;
    while(p < end) {
        while(p < end && *p == '/')
            p++;
        const char *q = memchr(p, '/', (size_t)(end - p));
        if(!q)
            q = end;
        size_t c = (size_t)(q - p);
        if(c == 2 && p[0] == '.' && p[1] == '.' && !(relative && l == floor)) {
            while(l > floor && out[l - 1] != '/')
                l--;
            if(l > floor)
                l--;   /* the slash before it */
        } else if(c && !(c == 1 && p[0] == '.')) {
            if(l || !relative)
                out[l++] = '/';
            memcpy(out + l, p, c);
            l += c;
        }
        p = q;
    }
    *len = l;
}
