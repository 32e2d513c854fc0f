/*
 * handlers.c — the HTTP API: parse → core decides → store persists → reply.
 *
 * Each handler fills r->job with registry statements and submits it; the
 * database's answer comes back to req_resume(), which switches on the
 * request's stage.  No SQL here, no evhttp beyond reading headers and the
 * query string.
 */
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "core/listquery.h"
#include "core/mask.h"
#include "core/ratelimit.h"
#include "core/timeutil.h"
#include "core/uuid7.h"
#include "core/validate.h"
#include "json/codec.h"
#include "report/report.h"
#include "store/report.h"
#include "log.h"
#include "metrics.h"
#include "open311.h"
#include "server.h"
#include "sla_env.h"

#define R(role) (1u << (role))
#define ANY_ROLE                                                                                   \
    (R(ROLE_OPERATOR) | R(ROLE_UNIT) | R(ROLE_LEADER) | R(ROLE_ADMIN) | R(ROLE_CHANNEL))
#define ACTION_ATTEMPTS 3

/* ---------------------------------------------------------------- helpers */

/* Masks a JSON text from the database for the principal, replies. */
static void
reply_ticket_text(Req *r, int status, const char *text, const char *query_code)
{
    json_error_t je;
    json_t *t;
    size_t len = 0;
    char *out = codec_ticket_text(text, strlen(text), r->who.role, query_code, &len);

    /* The text as it came, but for the caller object: parsing and encoding
     * the whole ticket was most of the server's work per request. */
    if (out != NULL) {
        reply_raw(r, status, "application/json; charset=utf-8", out, len);
        free(out);
        return;
    }
    t = json_loads(text, 0, &je);
    if (t == NULL) {
        reply_err(r, ERR_INTERNAL, NULL, "could not read the ticket");
        return;
    }
    codec_mask_ticket(t, r->who.role);
    if (query_code != NULL)
        json_object_set_new(t, "query_code", json_string(query_code));
    reply_json(r, status, t);
}

static bool
ticket_visible(const Req *r, const Ticket *t)
{
    switch (r->who.role) {
    case ROLE_OPERATOR:
    case ROLE_ADMIN:
    case ROLE_LEADER:
        return true;
    case ROLE_UNIT:
        return workflow_parties(ROLE_UNIT, r->who.unit, t) != 0;
    case ROLE_CHANNEL:
        return t->created_by_token == r->who.token_id;
    default:
        return false;
    }
}

/* Keeps the job's results alive past pgjob_clear (strings are borrowed from them). */
static void
keep_results(Req *r)
{
    for (int i = 0; i < PGJOB_MAX; i++) {
        if (r->job.res[i] == NULL)
            continue;
        for (int k = 0; k < PGJOB_MAX; k++)
            if (r->kept[k] == NULL) {
                r->kept[k] = r->job.res[i];
                r->job.res[i] = NULL;
                break;
            }
    }
}

static void
drop_kept(Req *r)
{
    for (int i = 0; i < PGJOB_MAX; i++) {
        PQclear(r->kept[i]);
        r->kept[i] = NULL;
    }
}

/*
 * Adds the statement that makes r->ticket's timer rows equal to its plan.
 * Replies 500 and returns false when the plan does not fit the parameters.
 */
static bool
add_timers_sync(Req *r, StoreParams *sp)
{
    ClockTimer plan[CLOCKS_MAX_TIMERS];
    size_t n = sla_env_plan(&r->ticket, plan);

    if (!store_params_timers(sp, r->ticket.id, plan, n)) {
        reply_err(r, ERR_INTERNAL, NULL, "the ticket's timers do not fit");
        return false;
    }
    pgjob_add(&r->job, STMT_TIMERS_SYNC, sp);
    return true;
}

/* ------------------------------------------------------------ operations */

static void
h_healthz(Req *r)
{
    reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

static void
h_readyz(Req *r)
{
    if (!sla_env_ready()) {
        reply_err(r, ERR_UNAVAILABLE, NULL, "the calendar and SLA policy are not loaded yet");
        return;
    }
    pgjob_clear(&r->job);
    pgjob_add(&r->job, STMT_PING, NULL);
    req_submit(r, RS_READY);
}

static void
h_metrics(Req *r)
{
    size_t len = 0;
    char *text = metrics_render(r->srv->pool, &len);

    if (text == NULL) {
        reply_err(r, ERR_INTERNAL, NULL, "could not render metrics");
        return;
    }
    reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

/* Who the token is: the pages show it and a unit page finds its own unit. */
static void
h_me(Req *r)
{
    reply_json(r, 200,
               json_pack("{s:s, s:s, s:o}", "role", role_name(r->who.role), "name", r->who.name,
                         "unit", r->who.unit ? json_string(r->who.unit) : json_null()));
}

static void
h_reference(Req *r)
{
    pgjob_clear(&r->job);
    pgjob_add(&r->job,
              strcmp(r->route->name, "categories") == 0 ? STMT_CATEGORIES_JSON : STMT_UNITS_JSON,
              NULL);
    req_submit(r, RS_REFERENCE);
}

/* ----------------------------------------------------------------- intake */

static void
h_intake(Req *r)
{
    ErrInfo ei;
    const char *key;

    err_clear(&ei);
    if (codec_parse_object(r->body, r->body_len, false, &r->json, &ei) != ERR_OK ||
        codec_intake_decode(r->json, &r->intake, &ei) != ERR_OK) {
        reply_error(r, &ei);
        return;
    }
    key = evhttp_find_header(evhttp_request_get_input_headers(r->http), "Idempotency-Key");
    if (key != NULL) {
        size_t n = strlen(key);

        if (n == 0 || n > 128) {
            reply_err(r, ERR_INVALID, "Idempotency-Key",
                      "Idempotency-Key must be 1 to 128 characters");
            return;
        }
        for (size_t i = 0; i < n; i++)
            if ((unsigned char) key[i] < 0x21 || (unsigned char) key[i] > 0x7e) {
                reply_err(r, ERR_INVALID, "Idempotency-Key",
                          "Idempotency-Key must be printable ASCII");
                return;
            }
        memcpy(r->idem_key, key, n + 1);
    }
    intake_submit(r, RS_INTAKE, r->body, NULL);
}

/* The intake event's data plus extra's members (Open311: media_url, attributes).
 * Takes data, borrows extra; returns a new text (or NULL). */
static char *
event_data_merge(char *data, json_t *extra)
{
    json_t *o;
    char *s;

    if (extra == NULL || json_object_size(extra) == 0)
        return data;
    o = data != NULL ? json_loads(data, 0, NULL) : json_object();
    free(data);
    if (o == NULL)
        return NULL;
    json_object_update(o, extra);
    s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

void
intake_submit(Req *r, ReqStage stage, const char *hash_body, json_t *extra)
{
    ErrInfo ei;
    Ticket *t = &r->ticket;
    uuid_t rnd;
    WorkflowEnv env;

    err_clear(&ei);
    r->now = now_us() / 1000;
    uuid_generate_random(rnd);
    uuid7_format(r->now, rnd, r->ticket_id);
    time_cst_yyyymmdd(r->now, r->date8);

    ticket_init(t);
    t->id = r->ticket_id;
    t->urgency = r->intake.urgency;
    t->category = r->intake.category;
    t->anonymous = r->intake.anonymous;
    t->confidential = r->intake.confidential;
    t->callback_wanted = r->intake.callback_wanted && !r->intake.anonymous;
    if (sla_env_route(t->category, r->intake.area, r->route_unit, sizeof r->route_unit,
                      &r->route_rule))
        t->lead_unit = r->route_unit; /* 直派: born dispatched */
    sla_env_init(&env, r->now);
    if (workflow_intake(t, workflow_parties(r->who.role, r->who.unit, NULL), &env, &ei) != ERR_OK) {
        reply_error(r, &ei);
        return;
    }
    r->event_data = event_data_merge(codec_intake_event_data(&r->intake, r->route_rule), extra);
    store_params_intake(&r->params[0], t, &r->intake, r->date8, &r->who,
                        r->idem_key[0] ? r->idem_key : NULL, hash_body, r->event_data);
    store_params_intake_json(&r->params[1], r->ticket_id, &r->who,
                             r->idem_key[0] ? r->idem_key : NULL, hash_body);
    pgjob_clear(&r->job);
    pgjob_add(&r->job, STMT_TICKET_INTAKE, &r->params[0]);
    if (!add_timers_sync(r, &r->params[2]))
        return;
    if (!r->intake.anonymous && r->intake.caller_phone != NULL) {
        /* {number} and {query_code} are filled in when the message is sent. */
        store_params_notify(&r->params[3], r->ticket_id, "resident", NULL, "intake",
                            "【12345】您的诉求已受理，工单号 {number}，查询码 {query_code}。");
        pgjob_add(&r->job, STMT_NOTIFY, &r->params[3]);
    }
    if (r->who.role == ROLE_OPERATOR || r->who.role == ROLE_ADMIN) {
        /* Duplicate hints (重复件) for the operator: same phone, or the same
         * category in the same community (the first 12 digits of the area).
         * A place known only to the street or district names no community:
         * matching its whole street would hint at unrelated tickets. */
        char place[16] = "";

        if (r->intake.area != NULL && strlen(r->intake.area) >= 12)
            snprintf(place, sizeof place, "%.12s", r->intake.area);
        sp_init(&r->params[4]);
        sp_text(&r->params[4], r->ticket_id);
        sp_text(&r->params[4], r->intake.anonymous ? NULL : r->intake.caller_phone);
        sp_text(&r->params[4], r->intake.category);
        sp_copy(&r->params[4], place[0] ? place : NULL);
        sp_ms(&r->params[4], r->now);
        pgjob_add(&r->job, STMT_DUPLICATES, &r->params[4]);
        r->dup_index = r->job.n - 1;
    }
    pgjob_add(&r->job, STMT_TICKET_JSON_INTAKE, &r->params[1]);
    r->job.groupable = true; /* committed together with other intakes in flight */
    req_submit(r, stage);
}

static void
intake_done(Req *r)
{
    const PGresult *outcome = r->job.res[0], *ticket = r->job.res[r->job.n - 1];
    const char *what;
    char location[96];

    if (PQntuples(ticket) != 1) {
        reply_err(r, ERR_IDEMPOTENCY, "Idempotency-Key",
                  "a request with this Idempotency-Key is still in progress; retry");
        return;
    }
    /* No outcome row: the insert waited on a concurrent request with the same
     * key, which committed after the insert's snapshot was taken; the ticket
     * statement sees it, and its hash says replay or conflict. */
    if (PQntuples(outcome) == 1)
        what = PQgetvalue(outcome, 0, 0);
    else
        what = PQgetvalue(ticket, 0, 2)[0] == 't' ? "replayed" : "conflict";
    if (strcmp(what, "conflict") == 0) {
        reply_err(r, ERR_IDEMPOTENCY, "Idempotency-Key",
                  "this Idempotency-Key was used with a different body");
        return;
    }
    if (strcmp(what, "created") == 0) {
        snprintf(location, sizeof location, "/api/v1/tickets/%s", r->ticket_id);
        evhttp_add_header(evhttp_request_get_output_headers(r->http), "Location", location);
        log_msg(LOG_INFO, "req=%s event=intake ticket=%s", r->id, r->ticket_id);
    }
    if (r->dup_index == 0) {
        reply_ticket_text(r, strcmp(what, "created") == 0 ? 201 : 200, PQgetvalue(ticket, 0, 0),
                          PQgetvalue(ticket, 0, 1));
        return;
    }
    {
        json_error_t je;
        json_t *t = json_loads(PQgetvalue(ticket, 0, 0), 0, &je);
        json_t *dups = NULL, *d;
        size_t i;

        if (t == NULL) {
            reply_err(r, ERR_INTERNAL, NULL, "could not read the ticket");
            return;
        }
        codec_mask_ticket(t, r->who.role);
        json_object_set_new(t, "query_code", json_string(PQgetvalue(ticket, 0, 1)));
        if (r->dup_index > 0) {
            dups = json_loads(PQgetvalue(r->job.res[r->dup_index], 0, 0), 0, &je);
            /* A replayed intake would list itself. */
            for (i = 0; dups != NULL && i < json_array_size(dups);) {
                d = json_array_get(dups, i);
                if (json_equal(json_object_get(d, "id"), json_object_get(t, "id")))
                    json_array_remove(dups, i);
                else
                    i++;
            }
            json_object_set_new(t, "possible_duplicates", dups ? dups : json_array());
        }
        reply_json(r, strcmp(what, "created") == 0 ? 201 : 200, t);
    }
}

/* -------------------------------------------------------------------- get */

/* Adds load + assists (+ json) statements for the ticket named by the path. */
static bool
add_ticket_load(Req *r, bool with_json)
{
    const char *ref = r->seg[0];
    bool by_id = validate_uuid(ref);

    if (!by_id && !validate_ticket_number(ref))
        return false;
    sp_init(&r->params[0]);
    sp_text(&r->params[0], ref);
    pgjob_add(&r->job, by_id ? STMT_TICKET_LOAD_BY_ID : STMT_TICKET_LOAD_BY_NUMBER, &r->params[0]);
    pgjob_add(&r->job, by_id ? STMT_ASSISTS_BY_ID : STMT_ASSISTS_BY_NUMBER, &r->params[0]);
    if (with_json)
        pgjob_add(&r->job, by_id ? STMT_TICKET_JSON_BY_ID : STMT_TICKET_JSON_BY_NUMBER,
                  &r->params[0]);
    return true;
}

/* Decodes the loaded ticket; replies 404 (and returns false) when absent or not visible. */
static bool
decode_loaded(Req *r)
{
    ErrInfo ei;

    err_clear(&ei);
    if (PQntuples(r->job.res[0]) == 0) {
        reply_err(r, ERR_NOT_FOUND, NULL, "no such ticket");
        return false;
    }
    if (store_ticket_decode(r->job.res[0], 0, &r->ticket, &ei) != ERR_OK ||
        store_assists_decode(r->job.res[1], &r->ticket, &ei) != ERR_OK) {
        reply_error(r, &ei);
        return false;
    }
    if (!ticket_visible(r, &r->ticket)) {
        /* Not 403: a unit must not learn which tickets exist elsewhere. */
        reply_err(r, ERR_NOT_FOUND, NULL, "no such ticket");
        return false;
    }
    return true;
}

static void
h_get(Req *r)
{
    pgjob_clear(&r->job);
    if (!add_ticket_load(r, true)) {
        reply_err(r, ERR_NOT_FOUND, NULL, "no such ticket");
        return;
    }
    req_submit(r, RS_GET);
}

static void
get_done(Req *r)
{
    if (!decode_loaded(r))
        return;
    reply_ticket_text(r, 200, PQgetvalue(r->job.res[2], 0, 0), NULL);
}

/* ------------------------------------------------------------------- list */

static void
h_list(Req *r)
{
    struct evkeyvalq q;
    struct evkeyval *kv;
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->http));
    ListQuery lq;
    StoreParams *p = &r->params[0];
    ErrInfo ei;

    err_clear(&ei);
    listquery_init(&lq);
    TAILQ_INIT(&q);
    if (query != NULL && evhttp_parse_query_str(query, &q) != 0) {
        reply_err(r, ERR_INVALID, NULL, "the query string is malformed");
        return;
    }
    TAILQ_FOREACH(kv, &q, next)
    {
        if (listquery_param(&lq, kv->key, kv->value, &ei) != ERR_OK)
            break;
    }
    if (ei.code == ERR_OK)
        listquery_cursor(&lq, &ei);
    if (ei.code == ERR_OK && lq.as != NULL && r->who.role != ROLE_UNIT && lq.unit == NULL)
        err_set(&ei, ERR_MISSING, "unit", "as= needs a unit (unit tokens use their own)");
    if (ei.code != ERR_OK) {
        evhttp_clear_headers(&q);
        reply_error(r, &ei);
        return;
    }
    /* The values live in q, freed below: the params keep copies. */
    sp_init(p);
    sp_text(p, r->who.role == ROLE_UNIT ? r->who.unit : NULL); /* scope: a unit's own */
    if (r->who.role == ROLE_CHANNEL)                           /* scope: what a channel took in */
        sp_int(p, r->who.token_id);
    else
        sp_null(p);
    sp_copy(p, lq.status);
    sp_copy(p, lq.unit);
    sp_copy(p, lq.category);
    sp_copy(p, lq.area);
    if (lq.overdue < 0)
        sp_null(p);
    else
        sp_bool(p, lq.overdue == 1);
    sp_ms(p, lq.from);
    sp_ms(p, lq.to);
    sp_copy(p, lq.after);
    sp_int(p, lq.limit);
    sp_copy(p, lq.as);
    if (lq.warned < 0)
        sp_null(p);
    else
        sp_bool(p, lq.warned == 1);
    if (lq.by_deadline)
        sp_ms(p, lq.cursor_due);
    evhttp_clear_headers(&q);
    if (p->overflow) {
        reply_err(r, ERR_INVALID, NULL, "the query string is too long");
        return;
    }
    r->loaded_version = (int32_t) lq.limit;
    pgjob_clear(&r->job);
    pgjob_add(&r->job, lq.by_deadline ? STMT_TICKET_LIST_DEADLINE : STMT_TICKET_LIST, p);
    req_submit(r, RS_LIST);
}

static void
list_done(Req *r)
{
    const PGresult *res = r->job.res[0];
    json_error_t je;
    json_t *items = json_loads(PQgetvalue(res, 0, 0), 0, &je), *item;
    long count = strtol(PQgetvalue(res, 0, 2), NULL, 10);
    size_t i;

    if (items == NULL) {
        reply_err(r, ERR_INTERNAL, NULL, "could not read the list");
        return;
    }
    json_array_foreach(items, i, item)
    {
        codec_mask_ticket(item, r->who.role);
        json_object_del(item, "events"); /* single-ticket responses only */
    }
    reply_json(r, 200,
               json_pack("{s:o, s:o}", "items", items, "next",
                         count == r->loaded_version && !PQgetisnull(res, 0, 1)
                             ? json_string(PQgetvalue(res, 0, 1))
                             : json_null()));
}

/* ----------------------------------------------------------------- public */

/* Refuses (429) a lookup over any of the three limits; true when refused. */
static bool
public_limited(Req *r, int64_t now)
{
    Server *s = r->srv;
    const char *number = r->seg[0];
    RateTable *t = NULL;

    if (rate_exceeded(s->ip_rate, r->peer, now))
        t = s->ip_rate;
    else if (rate_exceeded(s->ip_failures, r->peer, now))
        t = s->ip_failures;
    else if (rate_exceeded(s->number_failures, number, now))
        t = s->number_failures;
    if (t == NULL)
        return false;
    {
        char retry[16];

        snprintf(retry, sizeof retry, "%d",
                 rate_retry_after(t, t == s->number_failures ? number : r->peer, now));
        evhttp_add_header(evhttp_request_get_output_headers(r->http), "Retry-After", retry);
    }
    log_msg(LOG_WARN, "req=%s event=public_lookup_limited peer=%s", r->id, r->peer);
    reply_err(r, ERR_RATE_LIMITED, NULL, "too many lookups; try again later");
    return true;
}

/* A wrong number or code: counted against the address and the number. */
static void
public_failed(Req *r)
{
    int64_t now = now_us() / 1000;

    rate_hit(r->srv->ip_failures, r->peer, now);
    if (validate_ticket_number(r->seg[0]))
        rate_hit(r->srv->number_failures, r->seg[0], now);
    reply_err(r, ERR_NOT_FOUND, NULL, "no ticket with this number and query code");
}

static void
h_public(Req *r)
{
    int64_t now = now_us() / 1000;
    char *addr = NULL;
    ev_uint16_t port = 0;

    evhttp_connection_get_peer(evhttp_request_get_connection(r->http), &addr, &port);
    snprintf(r->peer, sizeof r->peer, "%s", addr ? addr : "-");
    if (public_limited(r, now))
        return;
    rate_hit(r->srv->ip_rate, r->peer, now);

    struct evkeyvalq q;
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->http));
    const char *code;

    TAILQ_INIT(&q);
    if (query == NULL || evhttp_parse_query_str(query, &q) != 0 ||
        (code = evhttp_find_header(&q, "code")) == NULL || !validate_query_code(code) ||
        !validate_ticket_number(r->seg[0])) {
        evhttp_clear_headers(&q);
        public_failed(r);
        return;
    }
    memcpy(r->query_code, code, 7); /* validated: 6 digits + NUL */
    evhttp_clear_headers(&q);
    sp_init(&r->params[0]);
    sp_text(&r->params[0], r->seg[0]);
    sp_text(&r->params[0], r->query_code);
    pgjob_clear(&r->job);
    pgjob_add(&r->job, STMT_PUBLIC_TICKET, &r->params[0]);
    req_submit(r, RS_PUBLIC);
}

static void
public_done(Req *r)
{
    json_error_t je;
    json_t *t;
    int st;

    if (PQgetisnull(r->job.res[0], 0, 0)) {
        public_failed(r);
        return;
    }
    {
        /* The text as it came plus the label: no parsing and encoding again. */
        const char *text = PQgetvalue(r->job.res[0], 0, 0);
        size_t len = (size_t) PQgetlength(r->job.res[0], 0, 0), out_len = 0;
        char status[32], *out;

        if (codec_text_string(text, len, "status", status, sizeof status) &&
            (st = status_parse(status)) > 0 &&
            (out = codec_text_add_string(text, len, "status_label", status_label_zh(st),
                                         &out_len)) != NULL) {
            reply_raw(r, 200, "application/json; charset=utf-8", out, out_len);
            free(out);
            return;
        }
    }
    t = json_loads(PQgetvalue(r->job.res[0], 0, 0), 0, &je);
    if (t == NULL) {
        reply_err(r, ERR_INTERNAL, NULL, "could not read the ticket");
        return;
    }
    st = status_parse(json_string_value(json_object_get(t, "status")));
    json_object_set_new(t, "status_label", json_string(status_label_zh(st > 0 ? st : ST_NONE)));
    reply_json(r, 200, t);
}

/* ---------------------------------------------------------------- actions */

static void action_load(Req *r);

static void
h_action(Req *r)
{
    ErrInfo ei;
    int a = action_parse(r->seg[1]);
    const char *im;

    err_clear(&ei);
    if (a < 0 || a == ACT_INTAKE) {
        reply_err(r, ERR_NOT_FOUND, NULL, "unknown action \"%.40s\"", r->seg[1]);
        return;
    }
    r->action = (Action) a;
    if (codec_parse_object(r->body, r->body_len, true, &r->json, &ei) != ERR_OK ||
        codec_action_decode(r->action, r->json, &r->act, &ei) != ERR_OK) {
        reply_error(r, &ei);
        return;
    }
    im = evhttp_find_header(evhttp_request_get_input_headers(r->http), "If-Match");
    if (im != NULL) {
        char *end;
        long v;

        if (*im == '"')
            im++;
        v = strtol(im, &end, 10);
        if (end == im || (*end != '\0' && strcmp(end, "\"") != 0) || v < 1 || v > INT32_MAX) {
            reply_err(r, ERR_INVALID, "If-Match", "If-Match must be a ticket version, e.g. \"3\"");
            return;
        }
        if (r->act.expected_version >= 0 && r->act.expected_version != v) {
            reply_err(r, ERR_INVALID, "If-Match", "If-Match and expected_version disagree");
            return;
        }
        r->act.expected_version = (int32_t) v;
    }
    if (!validate_uuid(r->seg[0]) && !validate_ticket_number(r->seg[0])) {
        reply_err(r, ERR_NOT_FOUND, NULL, "no such ticket");
        return;
    }
    if (r->action == ACT_MERGE)
        snprintf(r->merge_number, sizeof r->merge_number, "%s", r->act.merge_into_id);
    action_load(r);
}

static void
action_load(Req *r)
{
    const char *codes[TICKET_MAX_ASSISTS + 1];
    size_t n = 0;

    drop_kept(r);
    pgjob_clear(&r->job);
    add_ticket_load(r, false);
    if (r->act.unit)
        codes[n++] = r->act.unit;
    for (size_t i = 0; i < r->act.n_units; i++)
        codes[n++] = r->act.units[i];
    sp_init(&r->params[1]);
    sp_code_array(&r->params[1], codes, n);
    pgjob_add(&r->job, STMT_UNITS_CHECK, &r->params[1]);
    sp_init(&r->params[2]);
    sp_text(&r->params[2], r->merge_number);
    pgjob_add(&r->job, STMT_MERGE_TARGET, &r->params[2]);
    req_submit(r, RS_ACTION_LOAD);
}

/* Every unit the action names must exist, be active, and not be the centre. */
static bool
check_units(Req *r, const PGresult *units)
{
    const char *names[TICKET_MAX_ASSISTS + 1];
    size_t n = 0;

    if (r->act.unit)
        names[n++] = r->act.unit;
    for (size_t i = 0; i < r->act.n_units; i++)
        names[n++] = r->act.units[i];
    for (size_t i = 0; i < n; i++) {
        bool ok = false;

        for (int row = 0; row < PQntuples(units); row++)
            if (strcmp(PQgetvalue(units, row, 0), names[i]) == 0 &&
                strcmp(PQgetvalue(units, row, 1), "center") != 0 &&
                PQgetvalue(units, row, 2)[0] == 't')
                ok = true;
        if (!ok) {
            reply_err(r, ERR_INVALID, r->act.n_units ? "units" : "unit",
                      "unknown or inactive unit %.40s", names[i]);
            return false;
        }
    }
    return true;
}

static void
action_loaded(Req *r)
{
    ErrInfo ei;
    Ticket *t = &r->ticket;
    WorkflowEnv env;
    size_t n_changed = 0;
    const PGresult *merge;
    bool was_problem;
    Ticket before;

    err_clear(&ei);
    if (!decode_loaded(r))
        return;
    if (r->act.expected_version >= 0 && r->act.expected_version != t->version) {
        reply_err(r, ERR_CONFLICT, "expected_version",
                  "the ticket is at version %d, not %d: someone else changed it; reload",
                  t->version, r->act.expected_version);
        return;
    }
    if (!check_units(r, r->job.res[2]))
        return;
    merge = r->job.res[3];
    if (r->action == ACT_MERGE) {
        if (PQntuples(merge) != 1) {
            reply_err(r, ERR_INVALID, "into", "no ticket with number %s", r->act.merge_into_id);
            return;
        }
        r->act.merge_into_id = PQgetvalue(merge, 0, 0);
        r->act.merge_into_status = (TicketStatus) status_parse(PQgetvalue(merge, 0, 1));
    }
    keep_results(r); /* t, r->act borrow from them until the reply */

    r->now = now_us() / 1000;
    r->loaded_version = t->version;
    r->loaded_status = t->status;
    sla_env_init(&env, r->now);
    was_problem = t->problem;
    before = *t;
    if (workflow_apply(t, &r->act, workflow_parties(r->who.role, r->who.unit, t), r->who.unit, &env,
                       &ei) != ERR_OK) {
        reply_error(r, &ei);
        return;
    }
    for (size_t i = 0; i < t->n_assists; i++)
        if (t->assists[i].changed)
            n_changed++;
    free(r->event_data);
    r->event_data = codec_event_data(&r->act, r->action == ACT_MERGE ? r->merge_number : NULL);
    pgjob_clear(&r->job);
    store_params_update(&r->params[3], t, r->loaded_version, r->loaded_status, r->action, &r->who,
                        r->act.text, r->event_data, r->now,
                        workflow_clocks_restarted(&before, t, r->action));
    pgjob_add(&r->job, STMT_TICKET_UPDATE, &r->params[3]);
    if (t->assists_reset) {
        sp_init(&r->params[2]);
        sp_text(&r->params[2], t->id);
        pgjob_add(&r->job, STMT_ASSISTS_CLEAR, &r->params[2]);
    }
    if (n_changed > 0) {
        if (!store_params_assists(&r->params[4], t)) {
            reply_err(r, ERR_INTERNAL, NULL, "the ticket's assists do not fit");
            return;
        }
        pgjob_add(&r->job, STMT_ASSIST_UPSERT, &r->params[4]);
    }
    if (!add_timers_sync(r, &r->params[12]))
        return;
    if (r->action == ACT_REPLY && !t->anonymous) {
        store_params_notify(&r->params[13], t->id, "resident", NULL, "reply",
                            "【12345】您反映的问题（工单号 {number}）已有办理结果，"
                            "可凭查询码 {query_code} 查看。");
        pgjob_add(&r->job, STMT_NOTIFY, &r->params[13]);
    }
    if (t->problem && !was_problem) {
        store_params_notify(&r->params[14], t->id, "supervisor", NULL, "problem",
                            "督办：工单 {number} 已三次重办或退单，列为问题工单。");
        pgjob_add(&r->job, STMT_NOTIFY, &r->params[14]);
    }
    sp_init(&r->params[15]);
    sp_text(&r->params[15], t->id);
    pgjob_add(&r->job, STMT_TICKET_JSON_BY_ID, &r->params[15]);
    req_submit(r, RS_ACTION_APPLY);
}

static void
action_applied(Req *r)
{
    log_msg(LOG_INFO, "req=%s event=%s ticket=%s from=%s to=%s version=%d", r->id,
            action_name(r->action), r->ticket.id, status_name(r->loaded_status),
            status_name(r->ticket.status), r->ticket.version);
    reply_ticket_text(r, 200, PQgetvalue(r->job.res[r->job.n - 1], 0, 0), NULL);
}

/* ---------------------------------------------------------------- reports */

/* A query parameter of a report endpoint: its name, its check, and the rule
 * a refused value is told. */
typedef struct ReportParam {
    const char *name;
    bool (*valid)(const char *value);
    const char *rule;
} ReportParam;

#define REPORT_VALUE_MAX 16 /* longer than any valid value */

static bool
report_top_valid(const char *value)
{
    return report_hot_top_parse(value) > 0;
}

/*
 * Reads the query string of a report request: the value of p[i] into
 * values[i] ("" when absent).  An unknown or repeated parameter, or a value
 * its check refuses, is answered 400 invalid_field naming it, and false is
 * returned (r is then freed).
 */
static bool
report_query(Req *r, const ReportParam *p, size_t n, char (*values)[REPORT_VALUE_MAX])
{
    struct evkeyvalq q;
    struct evkeyval *kv;
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->http));
    ErrInfo ei;

    err_clear(&ei);
    TAILQ_INIT(&q);
    for (size_t i = 0; i < n; i++)
        values[i][0] = '\0';
    if (query != NULL && evhttp_parse_query_str(query, &q) != 0) {
        reply_err(r, ERR_INVALID, NULL, "the query string is malformed");
        return false;
    }
    TAILQ_FOREACH(kv, &q, next)
    {
        size_t i = 0;

        while (i < n && strcmp(kv->key, p[i].name) != 0)
            i++;
        if (i == n)
            err_set(&ei, ERR_INVALID, kv->key, "unknown query parameter %.40s", kv->key);
        else if (values[i][0] != '\0')
            err_set(&ei, ERR_INVALID, p[i].name, "query parameter %s given twice", p[i].name);
        else if (strlen(kv->value) >= REPORT_VALUE_MAX || !p[i].valid(kv->value))
            err_set(&ei, ERR_INVALID, p[i].name, "%s must be %s, not \"%.20s\"", p[i].name,
                    p[i].rule, kv->value);
        else
            snprintf(values[i], REPORT_VALUE_MAX, "%s", kv->value);
        if (ei.code != ERR_OK)
            break;
    }
    evhttp_clear_headers(&q);
    if (ei.code != ERR_OK) {
        reply_error(r, &ei);
        return false;
    }
    return true;
}

/* Sets r's report month: month when given, else the month `back` months
 * before the current one (Asia/Shanghai). */
static void
report_month_set(Req *r, const char *month, int back)
{
    if (month[0] != '\0') {
        snprintf(r->report_month, sizeof r->report_month, "%.7s", month);
    } else {
        int y, m, d;
        char buf[32];

        calendar_civil_from_days(calendar_cst_day(now_us() / 1000), &y, &m, &d);
        m -= back;
        while (m < 1) {
            m += 12;
            y--;
        }
        snprintf(buf, sizeof buf, "%04d-%02d", y, m);
        snprintf(r->report_month, sizeof r->report_month, "%.7s", buf);
    }
    snprintf(r->report_day1, sizeof r->report_day1, "%s-01", r->report_month);
}

/*
 * GET /api/v1/reports/ranking?month=YYYY-MM&kind=KIND: the same document as
 * `minhu-report ranking --format json` (lib/report).  month defaults to the
 * month before the current one (Asia/Shanghai), kind to street.
 */
static void
h_report_ranking(Req *r)
{
    static const ReportParam params[] = {
        {"month", report_month_valid, "YYYY-MM"},
        {"kind", report_kind_rankable, "district, street, department or enterprise"},
    };
    char v[2][REPORT_VALUE_MAX];

    if (!report_query(r, params, 2, v))
        return;
    report_month_set(r, v[0], 1);
    snprintf(r->report_kind, sizeof r->report_kind, "%s", v[1][0] ? v[1] : "street");
    sp_init(&r->params[0]);
    sp_text(&r->params[0], r->report_day1);
    sp_text(&r->params[0], r->report_kind);
    pgjob_clear(&r->job);
    pgjob_add(&r->job, STMT_REPORT_RANKING, &r->params[0]);
    req_submit(r, RS_REPORT_RANKING);
}

/* Replies 200 with doc's text (compact, as the CLI's JSON but for layout) or
 * 500 when doc is NULL or cannot be written; takes doc. */
static void
reply_report(Req *r, json_t *doc, const char *what)
{
    char *text = doc ? report_json_text(doc, false) : NULL;

    if (text == NULL)
        reply_err(r, ERR_INTERNAL, NULL, "could not build the %s", what);
    else
        reply_raw(r, 200, "application/json; charset=utf-8", text, strlen(text));
    free(text);
    json_decref(doc);
}

static void
report_ranking_done(Req *r)
{
    RankUnit *units = NULL;
    size_t n = 0, *order = NULL;
    RankSettings s;
    json_t *doc = NULL;
    ErrInfo ei;

    err_clear(&ei);
    if (store_report_ranking_decode(r->job.res[0], &units, &n, &s, &ei) != ERR_OK) {
        reply_error(r, &ei);
        goto done;
    }
    order = calloc(n ? n : 1, sizeof *order);
    if (order != NULL) {
        ranking_compute(units, n, &s, order);
        doc = report_ranking_json(r->report_month, r->report_kind, &s, units, n, order);
    }
    reply_report(r, doc, "ranking");
done:
    free(order);
    free(units);
}

/* The statements of the hotspot lists, in HotspotList order: one job. */
static const StmtId hotspot_stmts[HOTSPOT__COUNT] = {
    [HOTSPOT_CATEGORIES] = STMT_REPORT_HOT_CATEGORIES,
    [HOTSPOT_AREAS] = STMT_REPORT_HOT_AREAS,
    [HOTSPOT_ADDRESSES] = STMT_REPORT_HOT_ADDRESSES,
};

/*
 * GET /api/v1/reports/hotspots?month=YYYY-MM&top=N: the same document as
 * `minhu-report hotspots --format json` (lib/report).  month defaults to the
 * current month so far (Asia/Shanghai), top to REPORT_HOT_TOP_DEFAULT.
 */
static void
h_report_hotspots(Req *r)
{
    static const ReportParam params[] = {
        {"month", report_month_valid, "YYYY-MM"},
        {"top", report_top_valid, "a whole number from 1 to 1000"},
    };
    char v[2][REPORT_VALUE_MAX];

    if (!report_query(r, params, 2, v))
        return;
    report_month_set(r, v[0], 0);
    r->report_top = v[1][0] ? report_hot_top_parse(v[1]) : REPORT_HOT_TOP_DEFAULT;
    sp_init(&r->params[0]);
    sp_text(&r->params[0], r->report_day1);
    sp_init(&r->params[1]);
    sp_text(&r->params[1], r->report_day1);
    sp_int(&r->params[1], r->report_top);
    pgjob_clear(&r->job);
    for (int l = 0; l < HOTSPOT__COUNT; l++)
        pgjob_add(&r->job, hotspot_stmts[l], &r->params[l == HOTSPOT_ADDRESSES ? 1 : 0]);
    req_submit(r, RS_REPORT_HOTSPOTS);
}

static void
report_hotspots_done(Req *r)
{
    HotspotRows lists[HOTSPOT__COUNT] = {{NULL, 0}};
    ErrInfo ei;

    err_clear(&ei);
    for (int l = 0; l < HOTSPOT__COUNT; l++)
        if (store_report_hot_decode(r->job.res[l], (HotspotList) l, &lists[l], &ei) != ERR_OK) {
            reply_error(r, &ei);
            goto done;
        }
    reply_report(r, report_hotspots_json(r->report_month, r->report_top, lists), "hotspots");
done:
    for (int l = 0; l < HOTSPOT__COUNT; l++)
        free(lists[l].rows);
}

/* ----------------------------------------------------------------- resume */

void
req_resume(Req *r)
{
    if (r->job.err != ERR_OK) {
        /* A concurrent change between our read and write: read again, unless the
         * client pinned a version (then the conflict is theirs to see). */
        if (r->stage == RS_ACTION_APPLY && r->job.err == ERR_CONFLICT &&
            r->act.expected_version < 0 && ++r->attempts < ACTION_ATTEMPTS) {
            action_load(r);
            return;
        }
        if (r->stage == RS_READY) {
            reply_err(r, ERR_UNAVAILABLE, NULL, "the database is unavailable");
            return;
        }
        reply_error(r, &r->job.ei);
        return;
    }
    switch (r->stage) {
    case RS_READY:
        reply_json(r, 200, json_pack("{s:s}", "status", "ready"));
        break;
    case RS_REFERENCE: {
        json_error_t je;
        json_t *items = json_loads(PQgetvalue(r->job.res[0], 0, 0), 0, &je);

        if (items == NULL)
            reply_err(r, ERR_INTERNAL, NULL, "could not read reference data");
        else
            reply_json(r, 200, json_pack("{s:o}", "items", items));
        break;
    }
    case RS_INTAKE:
        intake_done(r);
        break;
    case RS_GET:
        get_done(r);
        break;
    case RS_LIST:
        list_done(r);
        break;
    case RS_PUBLIC:
        public_done(r);
        break;
    case RS_ACTION_LOAD:
        action_loaded(r);
        break;
    case RS_ACTION_APPLY:
        action_applied(r);
        break;
    case RS_REPORT_RANKING:
        report_ranking_done(r);
        break;
    case RS_REPORT_HOTSPOTS:
        report_hotspots_done(r);
        break;
    case RS_OPEN311_SERVICES:
    case RS_OPEN311_DEFINITION:
    case RS_OPEN311_POST_SERVICE:
    case RS_OPEN311_POST_INTAKE:
    case RS_OPEN311_REQUESTS:
    case RS_OPEN311_REQUEST:
        open311_resume(r);
        break;
    default:
        reply_err(r, ERR_INTERNAL, NULL, "request in an unknown stage");
        break;
    }
}

/* ---------------------------------------------------------------- routes */

/* clang-format off */
static const Route routes[] = {
    /* method  pattern                      name          handler      roles                                               JSON body */
    {"GET",  "/healthz",                  "healthz",    h_healthz,   0,                                                  false},
    {"GET",  "/readyz",                   "readyz",     h_readyz,    0,                                                  false},
    {"GET",  "/metrics",                  "metrics",    h_metrics,   0,                                                  false},
    {"POST", "/api/v1/tickets",           "intake",     h_intake,    R(ROLE_OPERATOR) | R(ROLE_CHANNEL) | R(ROLE_ADMIN), true},
    {"GET",  "/api/v1/tickets",           "list",       h_list,      ANY_ROLE,                                           false},
    {"GET",  "/api/v1/tickets/*",         "get",        h_get,       ANY_ROLE,                                           false},
    {"POST", "/api/v1/tickets/*/*",       "action",     h_action,    R(ROLE_OPERATOR) | R(ROLE_UNIT) | R(ROLE_ADMIN),    true},
    {"GET",  "/api/v1/public/tickets/*",  "public",     h_public,    0,                                                  false},
    {"GET",  "/api/v1/me",                "me",         h_me,        ANY_ROLE,                                           false},
    {"GET",  "/api/v1/categories",        "categories", h_reference, ANY_ROLE,                                           false},
    {"GET",  "/api/v1/units",             "units",      h_reference, ANY_ROLE,                                           false},
    {"GET",  "/api/v1/reports/ranking",   "report_ranking", h_report_ranking, R(ROLE_LEADER) | R(ROLE_ADMIN),              false},
    {"GET",  "/api/v1/reports/hotspots",  "report_hotspots", h_report_hotspots, R(ROLE_LEADER) | R(ROLE_ADMIN),            false},
    /* Open311 GeoReport v2 (open311.c): no Bearer login; POST takes an api_key. */
    {"GET",  "/open311/*",                "open311_discovery",  h_open311_discovery,  0,                            false},
    {"GET",  "/open311/v2/*",             "open311_get",        h_open311_get,        0,                            false},
    {"POST", "/open311/v2/*",             "open311_post",       h_open311_post,       0,                            false},
    {"GET",  "/open311/v2/services/*",    "open311_definition", h_open311_definition, 0,                            false},
    {"GET",  "/open311/v2/requests/*",    "open311_request",    h_open311_request,    0,                            false},
    {"GET",  "/open311/v2/tokens/*",      "open311_token",      h_open311_token,      0,                            false},
};
/* clang-format on */

const Route *
routes_table(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
