/*
 * listquery.h — the query parameters of GET /api/v1/tickets (the list):
 * each one checked and decoded into a ListQuery, and the paging cursor.
 *
 * Pure C: no I/O, no allocation.  Decoded strings are *borrowed* from the
 * values the caller passed (the parsed query string): keep them alive while
 * the ListQuery is in use.
 */
#ifndef MINHU_CORE_LISTQUERY_H
#define MINHU_CORE_LISTQUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define LIST_LIMIT_DEFAULT 50
#define LIST_LIMIT_MAX 200

/* The list's query parameters, decoded. */
typedef struct ListQuery {
    const char *status, *unit, *category, *area, *as, *after;
    int overdue, warned; /* -1 when not given */
    bool by_deadline;
    long limit;
    int64_t from, to;
    int64_t cursor_due; /* by_deadline: the cursor's next_due, TS_NONE for none */
} ListQuery;

/* No parameter given: every status, newest first, LIST_LIMIT_DEFAULT items. */
void listquery_init(ListQuery *lq);

/* One query parameter k=v into lq; ERR_INVALID naming it when its value is
 * bad or the parameter is unknown. */
Err listquery_param(ListQuery *lq, const char *k, const char *v, ErrInfo *ei);

/*
 * Checks and splits the cursor (after=), once every parameter is in: an id
 * (newest first) or "<next_due ms>_<id>" ("_<id>" for none) with
 * sort=deadline.  ERR_INVALID naming "after" when it is neither.
 */
Err listquery_cursor(ListQuery *lq, ErrInfo *ei);

#endif
