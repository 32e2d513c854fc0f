/*
 * server.h — minhud's process state and the request context.
 *
 * A Req lives from evhttp's callback to its one reply (reply_json,
 * reply_error or reply_raw), which frees it.  Across a database round trip
 * the Req is owned by its PgJob; evhttp keeps the evhttp_request alive until
 * the reply even when the client has gone (it then discards the reply).
 */
#ifndef MINHU_SERVER_SERVER_H
#define MINHU_SERVER_SERVER_H

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "core/intake.h"
#include "core/ticket.h"
#include "core/workflow.h"
#include "db/pgpool.h"
#include "store/store.h"

typedef struct AuthCache AuthCache;

typedef struct Server {
    Config cfg;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *sock;
    PgPool *pool;
    AuthCache *auth;
    int inflight;
    int unsent; /* replies handed to evhttp and not yet written out (or dropped) */
    bool stopping;
    int64_t stop_deadline_us;
    struct event *ev_sigterm, *ev_sigint, *ev_stop;
    unsigned long long next_req;
    struct RateTable *ip_rate, *ip_failures, *number_failures; /* public lookup limits */
} Server;

typedef struct Req Req;
typedef void (*Handler)(Req *r);

typedef struct Route {
    const char *method;  /* "GET", "POST" */
    const char *pattern; /* segments, "*" captures one */
    const char *name;    /* for logs and metrics */
    Handler handler;
    unsigned roles; /* bit (1 << Role) per allowed role; 0 = no login */
    bool json_body;
} Route;

/* Where a request is while it waits for the database. */
typedef enum ReqStage {
    RS_AUTH = 0,
    RS_READY,
    RS_REFERENCE,
    RS_INTAKE,
    RS_GET,
    RS_LIST,
    RS_PUBLIC,
    RS_ACTION_LOAD,
    RS_ACTION_APPLY,
    RS_REPORT_RANKING,
    RS_REPORT_HOTSPOTS,
    RS_OPEN311_SERVICES, /* open311.c from here on */
    RS_OPEN311_DEFINITION,
    RS_OPEN311_POST_SERVICE,
    RS_OPEN311_POST_INTAKE,
    RS_OPEN311_REQUESTS,
    RS_OPEN311_REQUEST,
} ReqStage;

#define REQ_SEGS 8

struct Req {
    Server *srv;
    struct evhttp_request *http;
    const Route *route;
    char id[24];
    int64_t started_us;
    ReqStage stage;
    char *seg[REQ_SEGS]; /* captured path segments, owned */
    int nseg;

    /* The authenticated principal, with its strings copied here. */
    Principal who;
    const char *auth_token; /* the credential being checked, borrowed from the request */
    Handler auth_then;      /* auth_token(): what runs once it is verified */
    char who_name[128];
    char who_unit[40];

    char *body; /* NUL-terminated copy of the request body, owned */
    size_t body_len;
    json_t *json; /* parsed body, owned */

    PgJob job;
    StoreParams params[PGJOB_MAX];
    PGresult *kept[PGJOB_MAX]; /* results of an earlier round trip still borrowed from */

    /* Per-handler state. */
    Ticket ticket;
    Intake intake;
    ActionInput act;
    Action action;
    int32_t loaded_version;
    TicketStatus loaded_status;
    int attempts;
    int64_t now;
    char ticket_id[40];
    char date8[9];
    char idem_key[130];
    char *event_data;      /* owned */
    char merge_number[24]; /* merge: the target's number, as asked */
    char query_code[8];    /* public lookup */
    char peer[64];         /* client address, for rate limits */
    char route_unit[40];   /* intake: the unit a routing rule chose */
    int64_t route_rule;    /* and that rule's id, 0 for none */
    char report_month[8];  /* reports: YYYY-MM */
    char report_day1[11];  /* and its first day, YYYY-MM-01 */
    char report_kind[16];  /* the unit kind ranked */
    int report_top;        /* hotspots: entries per list */
    int dup_index;         /* intake: the duplicate hints' statement in the job, 0 for none */

    /* Open311 (open311.c): the answer's format, set for every path under
     * /open311/ (errors included), and the endpoint's own state. */
    int open311_format;           /* Open311Format; 0 outside Open311 */
    struct Open311State *open311; /* owned: open311_state_free */
};

/* Microseconds of the monotonic-enough wall clock; the one clock reader. */
int64_t now_us(void);

/* Replies (exactly one per request; each frees r). */
void reply_json(Req *r, int status, json_t *body); /* steals body */
void reply_raw(Req *r, int status, const char *ctype, const char *data, size_t len);
void reply_error(Req *r, const ErrInfo *ei);
void reply_err(Req *r, Err code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Submits r->job (filled by the caller) and continues in req_resume at stage. */
void req_submit(Req *r, ReqStage stage);

/* The database answered r->job: dispatches on r->stage (handlers.c). */
void req_resume(Req *r);

/* http.c */
int http_start(Server *s);
void http_stop_accepting(Server *s);

/* auth.c */
AuthCache *auth_cache_new(void);
void auth_cache_free(AuthCache *c);
/* Authenticates r (Authorization: Bearer) then calls r->route->handler, or replies 401/403. */
void auth_begin(Req *r);
/* The database answered the token lookup. */
void auth_resume(Req *r);
/*
 * Authenticates r with a token that does not come from the Authorization
 * header (Open311's api_key, borrowed: it must outlive r's lookup), through
 * the same cache and lookup as auth_begin, then calls then(r) with r->who
 * set.  An unknown or revoked token is answered ERR_UNAUTHORIZED; the
 * route's roles are not checked: then() checks what it needs.
 */
void auth_token(Req *r, const char *token, Handler then);

/*
 * handlers.c: the one intake path.  r->intake is filled and validated;
 * submits the ticket's INSERT (with its timers, the resident's notice and the
 * ticket's JSON last) and continues in req_resume at stage.  hash_body is
 * what an Idempotency-Key is checked against (NULL for none); extra (borrowed,
 * may be NULL) is merged into the intake event's data.
 */
void intake_submit(Req *r, ReqStage stage, const char *hash_body, json_t *extra);

/* handlers.c: the routing table. */
const Route *routes_table(size_t *n);

#endif
