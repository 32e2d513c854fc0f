/*
 * pathmatch.c — route patterns against request paths (see pathmatch.h).
 */
#include "pathmatch.h"

#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

bool
path_match(const char *pattern, const char *path, char **caps, int max, int *ncaps)
{
    const char *p = pattern, *q = path;
    int n = 0;

    while (*p == '/' && *q == '/') {
        const char *pe = strchr(p + 1, '/'), *qe = strchr(q + 1, '/');
        size_t pl = pe ? (size_t) (pe - p - 1) : strlen(p + 1);
        size_t ql = qe ? (size_t) (qe - q - 1) : strlen(q + 1);

        if (pl == 1 && p[1] == '*') {
            char *raw;
            size_t dl = 0;

            if (ql == 0 || n == max)
                goto no;
            raw = strndup(q + 1, ql);
            caps[n] = raw ? evhttp_uridecode(raw, 0, &dl) : NULL;
            free(raw);
            if (caps[n] == NULL)
                goto no;
            if (strlen(caps[n]) != dl) { /* "%00": a segment never holds NUL */
                free(caps[n]);
                goto no;
            }
            n++;
        } else if (pl != ql || strncmp(p + 1, q + 1, pl) != 0) {
            goto no;
        }
        p += pl + 1;
        q += ql + 1;
    }
    if (*p != '\0' || *q != '\0')
        goto no;
    *ncaps = n;
    return true;
no:
    for (int i = 0; i < n; i++)
        free(caps[i]);
    return false;
}
