/*
 * route.c — routing rule matching.
 */
#include "core/route.h"

#include <string.h>

/* Length of the prefix when it matches s (0 for "*"), or -1. */
static int
prefix_len(const char *prefix, const char *s)
{
    size_t n;

    if (strcmp(prefix, "*") == 0)
        return 0;
    if (s == NULL)
        return -1;
    n = strlen(prefix);
    return strncmp(prefix, s, n) == 0 ? (int) n : -1;
}

const RouteRule *
route_match(const RouteRule *rules, size_t n, const char *category, const char *area)
{
    const RouteRule *best = NULL;
    int best_c = -1, best_a = -1;

    for (size_t i = 0; i < n; i++) {
        const RouteRule *r = &rules[i];
        int c = prefix_len(r->category, category);
        int a = prefix_len(r->area, area);

        if (c < 0 || a < 0)
            continue;
        if (best == NULL || r->priority > best->priority ||
            (r->priority == best->priority &&
             (c > best_c || (c == best_c && (a > best_a || (a == best_a && r->id < best->id)))))) {
            best = r;
            best_c = c;
            best_a = a;
        }
    }
    return best;
}
