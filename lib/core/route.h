/*
 * route.h — direct dispatch (直派): which unit a new ticket goes to.
 *
 * Rules map a category-code prefix and an area-code prefix ("*" for any) to
 * a unit, with a priority.  The highest priority wins, then the longest
 * category prefix, then the longest area prefix, then the lowest id (so the
 * choice is deterministic).  A ticket without an area matches only rules
 * whose area is "*".  A district fallback (兜底) is simply a low-priority rule
 * with category "*" and the district's area code.  Pure C.
 */
#ifndef MINHU_CORE_ROUTE_H
#define MINHU_CORE_ROUTE_H

#include <stddef.h>
#include <stdint.h>

typedef struct RouteRule {
    int64_t id;
    const char *category; /* prefix or "*"; borrowed */
    const char *area;     /* prefix or "*"; borrowed */
    const char *unit;     /* borrowed */
    int priority;
} RouteRule;

/* The winning rule for (category, area), or NULL when none matches; area may be NULL. */
const RouteRule *route_match(const RouteRule *rules, size_t n, const char *category,
                             const char *area);

#endif
