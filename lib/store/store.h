/*
 * store.h — the repository: every SQL statement Minhu runs against tickets,
 * with its parameter builder and its row decoder.
 *
 * Knows SQL; knows nothing of HTTP and does not care who executes the
 * statements (lib/db/pgpool for the server, lib/db/db_sync for the tools).
 * Statements always take $n parameters in text form; nothing here builds SQL
 * with printf.  Decoded strings are *borrowed* from the PGresult: keep it
 * alive while the decoded struct is in use.
 */
#ifndef MINHU_STORE_STORE_H
#define MINHU_STORE_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/intake.h"
#include "core/ticket.h"

typedef enum StmtId {
    STMT_PING = 0,
    STMT_AUTH_TOKEN,
    STMT_TICKET_INTAKE,
    STMT_TICKET_JSON_INTAKE,
    STMT_TICKET_LOAD_BY_ID,
    STMT_TICKET_LOAD_BY_NUMBER,
    STMT_ASSISTS_BY_ID,
    STMT_ASSISTS_BY_NUMBER,
    STMT_UNITS_CHECK,
    STMT_MERGE_TARGET,
    STMT_TICKET_UPDATE,
    STMT_ASSIST_UPSERT,
    STMT_TICKET_JSON_BY_ID,
    STMT_TICKET_JSON_BY_NUMBER,
    STMT_TICKET_LIST,
    STMT_TICKET_LIST_DEADLINE,
    STMT_DUPLICATES,
    STMT_ASSISTS_CLEAR,
    STMT_PUBLIC_TICKET,
    STMT_CATEGORIES_JSON,
    STMT_UNITS_JSON,
    STMT_CALENDAR,
    STMT_SLA_RULES,
    STMT_TIMERS_SYNC,
    STMT_NOTIFY,
    STMT_TIMERS_NEXT,
    STMT_TIMERS_FIRE,
    STMT_OUTBOX_CLAIM,
    STMT_ROUTING_RULES,
    STMT_OPEN311_SERVICES,
    STMT_OPEN311_SERVICE,
    STMT_OPEN311_REQUESTS,
    STMT_OPEN311_REQUEST,
    STMT_REPORT_RANKING,        /* lib/store/report.c: store_report_ranking_sql */
    STMT_REPORT_HOT_CATEGORIES, /* lib/store/report.c: store_report_hot_*_sql */
    STMT_REPORT_HOT_AREAS,
    STMT_REPORT_HOT_ADDRESSES,
    STMT__COUNT
} StmtId;

typedef struct Stmt {
    const char *name; /* prepared statement name, "minhu_" + lower-case id */
    const char *sql;
    int nparams;
    bool prepare; /* false: planned per call with its real parameters */
} Stmt;

/* True when every StmtId has its entry (checked at start-up). */
bool store_registry_complete(void);

/* The registry entry of id.  Borrowed, static. */
const Stmt *store_stmt(StmtId id);

/* ------------------------------------------------------------------ params */

#define STORE_MAX_PARAMS 64
#define STORE_PARAM_BUF 2048

/*
 * Text parameters of one statement.  Values are either borrowed pointers
 * (sp_text) or formatted into the struct's own buffer: the struct must stay
 * at one address and alive until the statement has been sent.
 */
typedef struct StoreParams {
    bool overflow; /* a value did not fit the buffer (it was passed as NULL) */
    int n;
    const char *v[STORE_MAX_PARAMS];
    size_t used;
    char buf[STORE_PARAM_BUF];
} StoreParams;

void sp_init(StoreParams *sp);
void sp_text(StoreParams *sp, const char *s); /* borrows s; NULL is SQL NULL */
void sp_copy(StoreParams *sp, const char *s); /* copies s into the buffer; NULL is SQL NULL */
void sp_int(StoreParams *sp, long long v);
void sp_ms(StoreParams *sp, int64_t ms); /* TS_NONE is SQL NULL */
void sp_bool(StoreParams *sp, bool b);
void sp_double(StoreParams *sp, double d);
void sp_null(StoreParams *sp);
/* A text[] literal of codes (validated [A-Za-z0-9_.-], so no quoting needed). */
void sp_code_array(StoreParams *sp, const char *const *codes, size_t n);

/* ---------------------------------------------------------------- builders */

/* Who is acting: the token behind a request. */
typedef struct Principal {
    int64_t token_id;
    Role role;
    const char *name; /* token name */
    const char *unit; /* unit code for unit tokens, else NULL */
} Principal;

/*
 * STMT_TICKET_INTAKE.  t holds the new ticket's id, status, clocks and
 * lead unit (workflow_intake); date8 is its number's YYYYMMDD prefix;
 * body is the raw request (for the idempotency check) and idem_key may be
 * NULL.  event_data is a JSON text for the intake event (may be NULL).
 */
void store_params_intake(StoreParams *sp, const Ticket *t, const Intake *in, const char *date8,
                         const Principal *who, const char *idem_key, const char *body,
                         const char *event_data);

/* STMT_TICKET_JSON_INTAKE: the ticket just created, or the one the key names,
 * with its query code in the second column and, in the third, whether its
 * stored body hash is that of body (a retry racing the first request). */
void store_params_intake_json(StoreParams *sp, const char *id, const Principal *who,
                              const char *idem_key, const char *body);

/*
 * STMT_TICKET_UPDATE: writes the projection after in.action, guarded by
 * before_version, and its event (seq = new version).  Raises MH409 (→
 * ERR_CONFLICT) when the version moved.  note/data may be NULL.  restarted
 * (bits 1 << Clock, workflow_clocks_restarted) clears those clocks' marks.
 */
void store_params_update(StoreParams *sp, const Ticket *after, int32_t before_version,
                         TicketStatus from, Action action, const Principal *who, const char *note,
                         const char *data, int64_t now, unsigned restarted);

/*
 * STMT_TIMERS_SYNC: makes ticket id's pending timers equal to plan[0..n).
 * Returns false when the arrays do not fit the params buffer.
 */
#include "core/clocks.h"
bool store_params_timers(StoreParams *sp, const char *id, const ClockTimer *plan, size_t n);

/* STMT_NOTIFY: one outbox row (unit may be NULL). */
void store_params_notify(StoreParams *sp, const char *ticket_id, const char *audience,
                         const char *unit, const char *kind, const char *message);

/* STMT_ASSIST_UPSERT for the changed assists of ticket t; false when they do not fit. */
bool store_params_assists(StoreParams *sp, const Ticket *t);

/* ---------------------------------------------------------------- decoders */

/* Row row of a STMT_TICKET_LOAD_* result into t (strings borrowed from r). */
Err store_ticket_decode(const PGresult *r, int row, Ticket *t, ErrInfo *ei);

/* Every row of a STMT_ASSISTS_* result into t->assists. */
Err store_assists_decode(const PGresult *r, Ticket *t, ErrInfo *ei);

/* Row 0 of STMT_AUTH_TOKEN into p (strings borrowed); ERR_UNAUTHORIZED when no row. */
Err store_principal_decode(const PGresult *r, Principal *p, ErrInfo *ei);

/*
 * Maps a failed result (or a NULL one / a broken connection) to an Err:
 * MH409 → ERR_CONFLICT, unique/foreign-key/check violations and data
 * exceptions → ERR_INVALID, connection failures → ERR_UNAVAILABLE.
 */
Err store_result_error(const PGresult *r, bool conn_ok, ErrInfo *ei);

#endif
