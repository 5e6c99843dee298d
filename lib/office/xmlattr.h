/*
 * xmlattr.h - one attribute of an XML element, for the small bounded
 * XML readers of Office parts (detect/maldoc.c: relationships, content
 * types; office/msocrypt.c: the Agile encryption descriptor).  No
 * entity decoding, nothing allocated: a pointer into the element.
 */
#ifndef KENSA_OFFICE_XMLATTR_H
#define KENSA_OFFICE_XMLATTR_H

#include <stddef.h>
#include <string.h>

/*
 * The value of attribute `name` inside the element el[0..n) (the name
 * after a blank or a namespace prefix's ':'), quoted with " or ', or
 * NULL; *len its length.  Never reads outside el[0..n).
 */
static inline const char *xml_attr(const char *el, size_t n,
                                   const char *name, size_t *len)
{
    size_t k = strlen(name);
    *len = 0;
    for(size_t i = 0; i + k + 2 <= n; i++) {
        if(strncmp(el + i, name, k) || el[i + k] != '=' ||
           (i && el[i - 1] != ' ' && el[i - 1] != ':' && el[i - 1] != '\t' &&
            el[i - 1] != '\n' && el[i - 1] != '\r'))
            continue;
        char q = el[i + k + 1];
        if(q != '"' && q != '\'')
            continue;
        const char *v = el + i + k + 2;
        const char *e = memchr(v, q, n - (size_t)(v - el));
        if(!e)
            return NULL;
        *len = (size_t)(e - v);
        return v;
    }
    return NULL;
}

#endif
