/*
 * listquery.c — the list's query parameters (see listquery.h).
 */
#include "core/listquery.h"

#include <stdlib.h>
#include <string.h>

#include "core/ticket.h"
#include "core/timeutil.h"
#include "core/validate.h"

void
listquery_init(ListQuery *lq)
{
    memset(lq, 0, sizeof *lq);
    lq->overdue = -1;
    lq->warned = -1;
    lq->limit = LIST_LIMIT_DEFAULT;
    lq->from = TS_NONE;
    lq->to = TS_NONE;
    lq->cursor_due = TS_NONE;
}

static bool
parse_time_param(const char *v, int64_t *ms)
{
    int64_t day;

    if (time_parse(v, ms))
        return true;
    if (time_parse_date(v, &day)) {
        *ms = day * 86400000LL - CST_OFFSET_MS; /* midnight, Asia/Shanghai */
        return true;
    }
    return false;
}

static int
parse_bool_param(const char *v)
{
    return strcmp(v, "true") == 0 ? 1 : strcmp(v, "false") == 0 ? 0 : -1;
}

Err
listquery_param(ListQuery *lq, const char *k, const char *v, ErrInfo *ei)
{
    if (strcmp(k, "status") == 0) {
        char buf[256], *save = NULL;

        if (strlen(v) >= sizeof buf)
            return err_set(ei, ERR_INVALID, "status", "status list is too long");
        strcpy(buf, v);
        for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save))
            if (status_parse(s) <= 0)
                return err_set(ei, ERR_INVALID, "status", "unknown status \"%.40s\"", s);
        lq->status = v;
    } else if (strcmp(k, "unit") == 0 || strcmp(k, "category") == 0 || strcmp(k, "area") == 0) {
        if (!validate_code(v))
            return err_set(ei, ERR_INVALID, k, "invalid %s code", k);
        *(k[0] == 'u' ? &lq->unit : k[0] == 'c' ? &lq->category : &lq->area) = v;
    } else if (strcmp(k, "overdue") == 0 || strcmp(k, "warned") == 0) {
        int b = parse_bool_param(v);

        if (b < 0)
            return err_set(ei, ERR_INVALID, k, "%s must be true or false", k);
        *(k[0] == 'o' ? &lq->overdue : &lq->warned) = b;
    } else if (strcmp(k, "as") == 0) {
        if (strcmp(v, "lead") != 0 && strcmp(v, "assist") != 0)
            return err_set(ei, ERR_INVALID, "as", "as must be lead or assist");
        lq->as = v;
    } else if (strcmp(k, "sort") == 0) {
        if (strcmp(v, "deadline") != 0 && strcmp(v, "created") != 0)
            return err_set(ei, ERR_INVALID, "sort", "sort must be created or deadline");
        lq->by_deadline = v[0] == 'd';
    } else if (strcmp(k, "from") == 0 || strcmp(k, "to") == 0) {
        if (!parse_time_param(v, k[0] == 'f' ? &lq->from : &lq->to))
            return err_set(ei, ERR_INVALID, k, "%s must be a date or an RFC 3339 time", k);
    } else if (strcmp(k, "limit") == 0) {
        char *end;

        lq->limit = strtol(v, &end, 10);
        if (*v == '\0' || *end != '\0' || lq->limit < 1 || lq->limit > LIST_LIMIT_MAX)
            return err_set(ei, ERR_INVALID, "limit", "limit must be 1 to %d", LIST_LIMIT_MAX);
    } else if (strcmp(k, "after") == 0) {
        lq->after = v;
    } else {
        return err_set(ei, ERR_INVALID, k, "unknown query parameter %.40s", k);
    }
    return ERR_OK;
}

Err
listquery_cursor(ListQuery *lq, ErrInfo *ei)
{
    const char *us;
    char *end;

    if (lq->after == NULL)
        return ERR_OK;
    if (!lq->by_deadline)
        return validate_uuid(lq->after)
                   ? ERR_OK
                   : err_set(ei, ERR_INVALID, "after", "after must be a cursor from \"next\"");
    us = strchr(lq->after, '_');
    if (us == NULL || !validate_uuid(us + 1))
        return err_set(ei, ERR_INVALID, "after", "after must be a cursor from \"next\"");
    lq->cursor_due = TS_NONE;
    if (us != lq->after) {
        lq->cursor_due = strtoll(lq->after, &end, 10);
        if (end != us)
            return err_set(ei, ERR_INVALID, "after", "after must be a cursor from \"next\"");
    }
    lq->after = us + 1;
    return ERR_OK;
}
