/*
 * tickets.c — parameter builders and row decoders of the ticket statements.
 *
 * Column indexes follow the TICKET_COLUMNS / ASSIST_COLUMNS lists of
 * registry.c.  Decoded strings borrow from the PGresult.
 */
#include "store/store.h"

#include "core/workflow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ params */

void
sp_init(StoreParams *sp)
{
    sp->n = 0;
    sp->used = 0;
    sp->overflow = false;
}

static void
sp_push(StoreParams *sp, const char *v)
{
    if (sp->n < STORE_MAX_PARAMS)
        sp->v[sp->n++] = v;
}

/* Formats into the struct's buffer; a value that does not fit becomes NULL. */
static void sp_fmt(StoreParams *sp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sp_fmt(StoreParams *sp, const char *fmt, ...)
{
    va_list ap;
    char *dst = sp->buf + sp->used;
    size_t room = sizeof sp->buf - sp->used;
    int w;

    va_start(ap, fmt);
    w = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t) w >= room) {
        sp->overflow = true;
        sp_push(sp, NULL);
        return;
    }
    sp->used += (size_t) w + 1;
    sp_push(sp, dst);
}

/*
 * Writes v in decimal, NUL-terminated, into dst[room]; returns its length,
 * or -1 when it does not fit.  What snprintf("%lld") does, at a tenth of
 * the cost: numbers are most of an intake's parameters.
 */
static int
fmt_ll(char *dst, size_t room, long long v)
{
    char tmp[24];
    size_t n = 0, len;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long) v : (unsigned long long) v;

    do {
        tmp[n++] = (char) ('0' + u % 10);
        u /= 10;
    } while (u != 0);
    len = n + (v < 0);
    if (len + 1 > room)
        return -1;
    if (v < 0)
        *dst++ = '-';
    while (n > 0)
        *dst++ = tmp[--n];
    *dst = '\0';
    return (int) len;
}

/* Appends v in decimal to the buffer as the next parameter. */
static void
sp_ll(StoreParams *sp, long long v)
{
    char *dst = sp->buf + sp->used;
    int w = fmt_ll(dst, sizeof sp->buf - sp->used, v);

    if (w < 0) {
        sp->overflow = true;
        sp_push(sp, NULL);
        return;
    }
    sp->used += (size_t) w + 1;
    sp_push(sp, dst);
}

void
sp_text(StoreParams *sp, const char *s)
{
    sp_push(sp, s);
}

void
sp_copy(StoreParams *sp, const char *s)
{
    if (s == NULL)
        sp_push(sp, NULL);
    else
        sp_fmt(sp, "%s", s);
}

void
sp_null(StoreParams *sp)
{
    sp_push(sp, NULL);
}

void
sp_int(StoreParams *sp, long long v)
{
    sp_ll(sp, v);
}

void
sp_ms(StoreParams *sp, int64_t ms)
{
    if (ms == TS_NONE)
        sp_push(sp, NULL);
    else
        sp_ll(sp, (long long) ms);
}

void
sp_bool(StoreParams *sp, bool b)
{
    sp_push(sp, b ? "true" : "false");
}

void
sp_double(StoreParams *sp, double d)
{
    sp_fmt(sp, "%.17g", d);
}

void
sp_code_array(StoreParams *sp, const char *const *codes, size_t n)
{
    char *dst = sp->buf + sp->used;
    size_t room = sizeof sp->buf - sp->used, at = 0;

    if (room < 3) {
        sp->overflow = true;
        sp_push(sp, NULL);
        return;
    }
    dst[at++] = '{';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(codes[i]);

        if (at + len + 3 > room) {
            sp->overflow = true;
            sp_push(sp, NULL);
            return;
        }
        if (i > 0)
            dst[at++] = ',';
        memcpy(dst + at, codes[i], len);
        at += len;
    }
    dst[at++] = '}';
    dst[at++] = '\0';
    sp->used += at;
    sp_push(sp, dst);
}

/* ---------------------------------------------------------------- builders */

static const char *
opt_status(TicketStatus s)
{
    return s == ST_NONE ? NULL : status_name(s);
}

void
store_params_intake(StoreParams *sp, const Ticket *t, const Intake *in, const char *date8,
                    const Principal *who, const char *idem_key, const char *body,
                    const char *event_data)
{
    sp_init(sp);
    sp_text(sp, t->id);                                     /* $1 */
    sp_text(sp, date8);                                     /* $2 */
    sp_text(sp, who->role == ROLE_UNIT ? who->unit : NULL); /* $3 */
    sp_text(sp, status_name(t->status));                    /* $4 */
    sp_text(sp, channel_name(in->channel));                 /* $5 */
    sp_text(sp, nature_name(in->nature));                   /* $6 */
    sp_text(sp, urgency_name(in->urgency));                 /* $7 */
    sp_text(sp, in->category);                              /* $8 */
    sp_text(sp, in->area);                                  /* $9 */
    sp_text(sp, in->address);                               /* $10 */
    if (in->has_location) {
        sp_double(sp, in->lat); /* $11 */
        sp_double(sp, in->lon); /* $12 */
    } else {
        sp_null(sp);
        sp_null(sp);
    }
    sp_text(sp, in->title);                             /* $13 */
    sp_text(sp, in->description);                       /* $14 */
    sp_text(sp, in->caller_name);                       /* $15 */
    sp_text(sp, in->caller_phone);                      /* $16 */
    sp_bool(sp, in->anonymous);                         /* $17 */
    sp_bool(sp, in->confidential);                      /* $18 */
    sp_bool(sp, in->callback_wanted && !in->anonymous); /* $19 */
    sp_text(sp, who->name);                             /* $20 */
    sp_int(sp, who->token_id);                          /* $21 */
    sp_text(sp, idem_key);                              /* $22 */
    sp_text(sp, body);                                  /* $23 */
    sp_text(sp, t->lead_unit);                          /* $24 */
    sp_ms(sp, t->created_at);                           /* $25 */
    sp_ms(sp, t->dispatched_at);                        /* $26 */
    sp_ms(sp, t->due[CLK_DISPATCH]);                    /* $27 */
    sp_ms(sp, t->due[CLK_ACCEPT]);                      /* $28 */
    sp_ms(sp, t->due[CLK_REPLY]);                       /* $29 */
    sp_ms(sp, t->due[CLK_RETURN_WINDOW]);               /* $30 */
    sp_text(sp, role_name(who->role));                  /* $31 */
    sp_text(sp, event_data);                            /* $32 */
    sp_ms(sp, t->started[CLK_DISPATCH]);                /* $33 */
    sp_ms(sp, t->started[CLK_ACCEPT]);                  /* $34 */
    sp_ms(sp, t->started[CLK_REPLY]);                   /* $35 */
    sp_ms(sp, t->started[CLK_RETURN_WINDOW]);           /* $36 */
    sp_ms(sp, workflow_next_due(t));                    /* $37 */
}

void
store_params_intake_json(StoreParams *sp, const char *id, const Principal *who,
                         const char *idem_key, const char *body)
{
    sp_init(sp);
    sp_text(sp, id);
    sp_int(sp, who->token_id);
    sp_text(sp, idem_key);
    sp_text(sp, body);
}

void
store_params_update(StoreParams *sp, const Ticket *a, int32_t before_version, TicketStatus from,
                    Action action, const Principal *who, const char *note, const char *data,
                    int64_t now, unsigned restarted)
{
    const char *units[TICKET_MAX_ASSISTS];
    const char *clocks[CLK__COUNT];
    size_t n_clocks = 0;

    sp_init(sp);
    sp_text(sp, a->id);                      /* $1 */
    sp_int(sp, before_version);              /* $2 */
    sp_text(sp, status_name(a->status));     /* $3 */
    sp_text(sp, opt_status(a->prev_status)); /* $4 */
    sp_text(sp, a->lead_unit);               /* $5 */
    sp_ms(sp, a->dispatched_at);             /* $6 */
    sp_ms(sp, a->accepted_at);               /* $7 */
    sp_ms(sp, a->contacted_at);              /* $8 */
    sp_ms(sp, a->replied_at);                /* $9 */
    sp_ms(sp, a->closed_at);                 /* $10 */
    sp_ms(sp, a->suspended_at);              /* $11 */
    for (int c = 0; c < CLK__COUNT; c++)     /* $12..$17 */
        sp_ms(sp, a->due[c]);
    sp_text(sp, a->result); /* $18 */
    if (a->cb_recorded) {
        sp_bool(sp, a->cb_contacted);   /* $19 */
        sp_bool(sp, a->cb_resolved);    /* $20 */
        sp_int(sp, a->cb_satisfaction); /* $21 */
    } else {
        sp_null(sp);
        sp_null(sp);
        sp_null(sp);
    }
    sp_ms(sp, a->cb_at);                                                               /* $22 */
    sp_text(sp, a->ext_state == EXT_NONE ? NULL : extension_state_name(a->ext_state)); /* $23 */
    sp_ms(sp, a->ext_until);                                                           /* $24 */
    sp_text(sp, a->ext_reason);                                                        /* $25 */
    sp_int(sp, a->ext_approved_count);                                                 /* $26 */
    sp_int(sp, a->reopen_count);                                                       /* $27 */
    sp_int(sp, a->return_count);                                                       /* $28 */
    sp_bool(sp, a->problem);                                                           /* $29 */
    sp_bool(sp, a->unreasonable);                                                      /* $30 */
    sp_text(sp, a->unreasonable_reason);                                               /* $31 */
    sp_text(sp, a->merged_into);                                                       /* $32 */
    for (size_t i = 0; i < a->n_assists; i++)
        units[i] = a->assists[i].unit;
    sp_code_array(sp, units, a->n_assists);                 /* $33 */
    sp_ms(sp, now);                                         /* $34 */
    sp_text(sp, action_name(action));                       /* $35 */
    sp_text(sp, who->name);                                 /* $36 */
    sp_text(sp, role_name(who->role));                      /* $37 */
    sp_text(sp, who->role == ROLE_UNIT ? who->unit : NULL); /* $38 */
    sp_text(sp, opt_status(from));                          /* $39 */
    sp_text(sp, note);                                      /* $40 */
    sp_text(sp, data);                                      /* $41 */
    for (int c = 0; c < CLK__COUNT; c++)                    /* $42..$47 */
        sp_ms(sp, a->started[c]);
    sp_ms(sp, workflow_next_due(a)); /* $48 */
    for (int c = 0; c < CLK__COUNT; c++)
        if (restarted & (1u << c))
            clocks[n_clocks++] = clock_name((Clock) c);
    sp_code_array(sp, clocks, n_clocks); /* $49 */
}

/* Appends one array literal, built by fmt_elem for each of n elements, to sp. */
static bool
sp_array(StoreParams *sp, size_t n, const ClockTimer *plan, int which)
{
    char *dst = sp->buf + sp->used;
    size_t room = sizeof sp->buf - sp->used, at = 0;

    if (room < 3)
        return false;
    dst[at++] = '{';
    for (size_t i = 0; i < n; i++) {
        const ClockTimer *t = &plan[i];
        int w;

        switch (which) {
        case 0:
            w = snprintf(dst + at, room - at, "%s%s", i ? "," : "", clock_name(t->clock));
            break;
        case 1:
            w = snprintf(dst + at, room - at, "%s%s", i ? "," : "", timer_kind_name(t->kind));
            break;
        case 2: /* codes are [A-Za-z0-9_.-]: quoting is only for the empty string */
            w = snprintf(dst + at, room - at, "%s\"%s\"", i ? "," : "", t->unit ? t->unit : "");
            break;
        case 3:
        default:
            if (i > 0 && at + 1 < room)
                dst[at++] = ',';
            w = fmt_ll(dst + at, room - at, (long long) (which == 3 ? t->due_at : t->deadline));
            break;
        }
        if (w < 0 || (size_t) w >= room - at)
            return false;
        at += (size_t) w;
    }
    if (at + 2 > room)
        return false;
    dst[at++] = '}';
    dst[at++] = '\0';
    sp->used += at;
    sp_push(sp, dst);
    return true;
}

bool
store_params_timers(StoreParams *sp, const char *id, const ClockTimer *plan, size_t n)
{
    sp_init(sp);
    sp_text(sp, id);
    for (int which = 0; which < 5; which++)
        if (!sp_array(sp, n, plan, which))
            return false;
    return true;
}

void
store_params_notify(StoreParams *sp, const char *ticket_id, const char *audience, const char *unit,
                    const char *kind, const char *message)
{
    sp_init(sp);
    sp_text(sp, ticket_id);
    sp_text(sp, audience);
    sp_text(sp, unit);
    sp_text(sp, kind);
    sp_text(sp, message);
}

/* Appends a bigint[] literal of n times in ms (TS_NONE is a NULL element). */
static void
sp_ms_array(StoreParams *sp, const int64_t *ms, size_t n)
{
    char *dst = sp->buf + sp->used;
    size_t room = sizeof sp->buf - sp->used, at = 0;
    bool fits = room >= 3;

    if (fits)
        dst[at++] = '{';
    for (size_t i = 0; fits && i < n; i++) {
        int w = ms[i] == TS_NONE
                    ? snprintf(dst + at, room - at, "%sNULL", i ? "," : "")
                    : snprintf(dst + at, room - at, "%s%lld", i ? "," : "", (long long) ms[i]);

        fits = w >= 0 && (size_t) w + 2 < room - at;
        if (fits)
            at += (size_t) w;
    }
    if (!fits) {
        sp->overflow = true;
        sp_push(sp, NULL);
        return;
    }
    dst[at++] = '}';
    dst[at++] = '\0';
    sp->used += at;
    sp_push(sp, dst);
}

bool
store_params_assists(StoreParams *sp, const Ticket *t)
{
    const char *units[TICKET_MAX_ASSISTS], *statuses[TICKET_MAX_ASSISTS];
    int64_t summoned[TICKET_MAX_ASSISTS], accepted[TICKET_MAX_ASSISTS];
    int64_t replied[TICKET_MAX_ASSISTS], due[TICKET_MAX_ASSISTS];
    size_t n = 0;

    for (size_t i = 0; i < t->n_assists; i++) {
        const TicketAssist *as = &t->assists[i];

        if (!as->changed)
            continue;
        units[n] = as->unit;
        statuses[n] = assist_status_name(as->status); /* [a-z]: no quoting, like codes */
        summoned[n] = as->summoned_at;
        accepted[n] = as->accepted_at;
        replied[n] = as->replied_at;
        due[n] = as->due_at;
        n++;
    }
    sp_init(sp);
    sp_text(sp, t->id);
    sp_code_array(sp, units, n);
    sp_code_array(sp, statuses, n);
    sp_ms_array(sp, summoned, n);
    sp_ms_array(sp, accepted, n);
    sp_ms_array(sp, replied, n);
    sp_ms_array(sp, due, n);
    return !sp->overflow;
}

/* ---------------------------------------------------------------- decoders */

static const char *
col_text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static int64_t
col_ms(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? TS_NONE : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static long
col_long(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtol(PQgetvalue(r, row, col), NULL, 10);
}

static bool
col_bool(const PGresult *r, int row, int col)
{
    return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

enum {
    TC_ID,
    TC_NUMBER,
    TC_STATUS,
    TC_PREV_STATUS,
    TC_VERSION,
    TC_URGENCY,
    TC_CATEGORY,
    TC_LEAD_UNIT,
    TC_CREATED_BY,
    TC_CREATED_BY_TOKEN,
    TC_ANONYMOUS,
    TC_CONFIDENTIAL,
    TC_CALLBACK_WANTED,
    TC_CREATED_AT,
    TC_DISPATCHED_AT,
    TC_ACCEPTED_AT,
    TC_CONTACTED_AT,
    TC_REPLIED_AT,
    TC_CLOSED_AT,
    TC_SUSPENDED_AT,
    TC_DUE0, /* 6 clocks */
    TC_RESULT = TC_DUE0 + CLK__COUNT,
    TC_CB_CONTACTED,
    TC_CB_RESOLVED,
    TC_CB_SATISFACTION,
    TC_CB_AT,
    TC_EXT_STATE,
    TC_EXT_UNTIL,
    TC_EXT_REASON,
    TC_EXT_APPROVED,
    TC_REOPEN_COUNT,
    TC_RETURN_COUNT,
    TC_PROBLEM,
    TC_UNREASONABLE,
    TC_UNREASONABLE_REASON,
    TC_MERGED_INTO,
    TC_START0, /* 6 clocks */
    TC__COUNT = TC_START0 + CLK__COUNT
};

Err
store_ticket_decode(const PGresult *r, int row, Ticket *t, ErrInfo *ei)
{
    int st, prev, urg, ext;

    if (PQnfields(r) != TC__COUNT || row >= PQntuples(r))
        return err_set(ei, ERR_INTERNAL, NULL, "unexpected ticket row shape");
    ticket_init(t);
    st = status_parse(col_text(r, row, TC_STATUS));
    prev = PQgetisnull(r, row, TC_PREV_STATUS) ? ST_NONE
                                               : status_parse(col_text(r, row, TC_PREV_STATUS));
    urg = urgency_parse(col_text(r, row, TC_URGENCY));
    ext = PQgetisnull(r, row, TC_EXT_STATE) ? EXT_NONE
                                            : extension_state_parse(col_text(r, row, TC_EXT_STATE));
    if (st < 0 || prev < 0 || urg < 0 || ext < 0)
        return err_set(ei, ERR_INTERNAL, NULL, "ticket row has an unknown enum value");

    t->id = col_text(r, row, TC_ID);
    t->number = col_text(r, row, TC_NUMBER);
    t->status = (TicketStatus) st;
    t->prev_status = (TicketStatus) prev;
    t->version = (int32_t) col_long(r, row, TC_VERSION);
    t->urgency = (Urgency) urg;
    t->category = col_text(r, row, TC_CATEGORY);
    t->lead_unit = col_text(r, row, TC_LEAD_UNIT);
    t->created_by = col_text(r, row, TC_CREATED_BY);
    t->created_by_token = col_ms(r, row, TC_CREATED_BY_TOKEN);
    t->anonymous = col_bool(r, row, TC_ANONYMOUS);
    t->confidential = col_bool(r, row, TC_CONFIDENTIAL);
    t->callback_wanted = col_bool(r, row, TC_CALLBACK_WANTED);
    t->created_at = col_ms(r, row, TC_CREATED_AT);
    t->dispatched_at = col_ms(r, row, TC_DISPATCHED_AT);
    t->accepted_at = col_ms(r, row, TC_ACCEPTED_AT);
    t->contacted_at = col_ms(r, row, TC_CONTACTED_AT);
    t->replied_at = col_ms(r, row, TC_REPLIED_AT);
    t->closed_at = col_ms(r, row, TC_CLOSED_AT);
    t->suspended_at = col_ms(r, row, TC_SUSPENDED_AT);
    for (int c = 0; c < CLK__COUNT; c++)
        t->due[c] = col_ms(r, row, TC_DUE0 + c);
    t->result = col_text(r, row, TC_RESULT);
    t->cb_recorded = !PQgetisnull(r, row, TC_CB_SATISFACTION);
    t->cb_contacted = col_bool(r, row, TC_CB_CONTACTED);
    t->cb_resolved = col_bool(r, row, TC_CB_RESOLVED);
    t->cb_satisfaction = (int) col_long(r, row, TC_CB_SATISFACTION);
    t->cb_at = col_ms(r, row, TC_CB_AT);
    t->ext_state = (ExtensionState) ext;
    t->ext_until = col_ms(r, row, TC_EXT_UNTIL);
    t->ext_reason = col_text(r, row, TC_EXT_REASON);
    t->ext_approved_count = (int) col_long(r, row, TC_EXT_APPROVED);
    t->reopen_count = (int) col_long(r, row, TC_REOPEN_COUNT);
    t->return_count = (int) col_long(r, row, TC_RETURN_COUNT);
    t->problem = col_bool(r, row, TC_PROBLEM);
    t->unreasonable = col_bool(r, row, TC_UNREASONABLE);
    t->unreasonable_reason = col_text(r, row, TC_UNREASONABLE_REASON);
    t->merged_into = col_text(r, row, TC_MERGED_INTO);
    for (int c = 0; c < CLK__COUNT; c++)
        t->started[c] = col_ms(r, row, TC_START0 + c);
    return ERR_OK;
}

Err
store_assists_decode(const PGresult *r, Ticket *t, ErrInfo *ei)
{
    int n = PQntuples(r);

    if (PQnfields(r) != 6)
        return err_set(ei, ERR_INTERNAL, NULL, "unexpected assist row shape");
    if (n > TICKET_MAX_ASSISTS)
        return err_set(ei, ERR_INTERNAL, NULL, "ticket has %d assists, more than %d", n,
                       TICKET_MAX_ASSISTS);
    t->n_assists = 0;
    for (int i = 0; i < n; i++) {
        TicketAssist *a = &t->assists[t->n_assists++];
        int st = assist_status_parse(col_text(r, i, 1));

        if (st < 0)
            return err_set(ei, ERR_INTERNAL, NULL, "assist row has an unknown status");
        memset(a, 0, sizeof *a);
        a->unit = col_text(r, i, 0);
        a->status = (AssistStatus) st;
        a->summoned_at = col_ms(r, i, 2);
        a->accepted_at = col_ms(r, i, 3);
        a->replied_at = col_ms(r, i, 4);
        a->due_at = col_ms(r, i, 5);
    }
    return ERR_OK;
}

Err
store_principal_decode(const PGresult *r, Principal *p, ErrInfo *ei)
{
    int role;

    if (PQntuples(r) != 1)
        return err_set(ei, ERR_UNAUTHORIZED, NULL, "unknown or revoked token");
    role = role_parse(col_text(r, 0, 1));
    if (role <= 0)
        return err_set(ei, ERR_INTERNAL, NULL, "token has an unknown role");
    p->token_id = col_ms(r, 0, 0);
    p->role = (Role) role;
    p->name = col_text(r, 0, 2);
    p->unit = col_text(r, 0, 3);
    return ERR_OK;
}

Err
store_result_error(const PGresult *r, bool conn_ok, ErrInfo *ei)
{
    const char *state, *constraint, *msg;

    if (r == NULL || !conn_ok)
        return err_set(ei, ERR_UNAVAILABLE, NULL, "the database is unavailable");
    switch (PQresultStatus(r)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
        return ERR_OK;
    case PGRES_PIPELINE_ABORTED:
        return err_set(ei, ERR_INTERNAL, NULL, "statement skipped after an earlier error");
    default:
        break;
    }
    state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    constraint = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
    msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    if (state == NULL)
        return err_set(ei, ERR_UNAVAILABLE, NULL, "the database is unavailable");
    if (strcmp(state, "MH409") == 0)
        return err_set(ei, ERR_CONFLICT, NULL, "the ticket was changed by someone else; reload it");
    if (strcmp(state, "23503") == 0 && constraint != NULL) {
        if (strstr(constraint, "category"))
            return err_set(ei, ERR_INVALID, "category", "unknown category");
        if (strstr(constraint, "area"))
            return err_set(ei, ERR_INVALID, "area", "unknown area");
        if (strstr(constraint, "unit"))
            return err_set(ei, ERR_INVALID, "unit", "unknown unit");
    }
    if (strcmp(state, "23505") == 0)
        return err_set(ei, ERR_CONFLICT, NULL, "a concurrent change collided; retry");
    if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0)
        return err_set(ei, ERR_INVALID, NULL, "%s", msg ? msg : "invalid value");
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
        strcmp(state, "53300") == 0 || strncmp(state, "25006", 5) == 0)
        return err_set(ei, ERR_UNAVAILABLE, NULL, "the database is unavailable");
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return err_set(ei, ERR_CONFLICT, NULL, "a concurrent change collided; retry");
    return err_set(ei, ERR_INTERNAL, NULL, "database error %s", state);
}
