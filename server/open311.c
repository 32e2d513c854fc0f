/*
 * open311.c — Open311 GeoReport v2 (docs/open311.md): reads the request,
 * asks lib/core/open311.c to decide, the database to answer, and sends the
 * answer as XML or JSON built from one jansson tree, so both formats always
 * carry the same data (the Spark convention: an array is a container element
 * of repeated items).
 *
 * A POST creates its ticket through handlers.c's intake_submit(), the one
 * intake path, as channel open311.  Reads are public and show Open311
 * tickets only, never their caller (domain.md §6).  Every answer under
 * /open311/ is 200, or an errors document with 400, 403 or 404 — never a
 * 5xx and never the JSON API's error body.  No SQL here.
 */
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/open311.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "log.h"
#include "open311.h"

#define CT_XML "text/xml; charset=utf-8"
#define CT_JSON "application/json; charset=utf-8"
#define CT_FORM "application/x-www-form-urlencoded"
#define REAL_DIGITS 12 /* lat/long: enough for a centimetre, no binary noise */
#define IDS_MAX 100
#define CODES_MAX 100
#define SPEC_URL "http://wiki.open311.org/GeoReport_v2"
#define CONTACT "12345 政务服务便民热线：拨打 12345，或通过本接口提交诉求"
#define KEY_SERVICE                                                                                \
    "api_key 是 12345 中心为每个应用签发的 channel 令牌，请向中心申请"         \
    "（管理员执行 minhu-admin token create --role channel --name 应用名）"

/* What a request under /open311/ keeps between its steps. */
struct Open311State {
    Open311Form form;       /* POST: the body's pairs, borrowed from Req.body */
    Open311Post post;       /* and sorted into fields */
    char name[256];         /* the caller's name (Req.intake borrows it) */
    char service_name[128]; /* the service's name: the description when none is given */
};

void
open311_state_free(struct Open311State *st)
{
    free(st);
}

static struct Open311State *
state_of(Req *r)
{
    if (r->open311 == NULL)
        r->open311 = calloc(1, sizeof *r->open311);
    return r->open311;
}

/* ---------------------------------------------------------------- replies */

/* A real as jansson writes it with JSON_REAL_PRECISION(REAL_DIGITS). */
static void
real_text(double d, char *buf, size_t len)
{
    snprintf(buf, len, "%.*g", REAL_DIGITS, d);
    if (strpbrk(buf, ".eEin") == NULL && strlen(buf) + 2 < len)
        strcat(buf, ".0");
}

/* v as element name: objects by member, arrays as a container of items. */
static void
xml_value(Open311Xml *x, const char *name, json_t *v)
{
    char num[64];
    const char *key;
    json_t *item;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        open311_xml_open(x, name);
        json_object_foreach(v, key, item)
        {
            xml_value(x, key, item);
        }
        open311_xml_close(x, name);
        break;
    case JSON_ARRAY:
        open311_xml_open(x, name);
        json_array_foreach(v, i, item)
        {
            xml_value(x, open311_xml_item(name), item);
        }
        open311_xml_close(x, name);
        break;
    case JSON_STRING:
        open311_xml_leaf(x, name, json_string_value(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        open311_xml_leaf(x, name, num);
        break;
    case JSON_REAL:
        real_text(json_real_value(v), num, sizeof num);
        open311_xml_leaf(x, name, num);
        break;
    case JSON_TRUE:
        open311_xml_leaf(x, name, "true");
        break;
    case JSON_FALSE:
        open311_xml_leaf(x, name, "false");
        break;
    default:
        open311_xml_leaf(x, name, NULL);
        break;
    }
}

/* The last resort when a document cannot be built (out of memory). */
static void
reply_fallback(Req *r)
{
    static const char json[] = "[{\"code\":400,\"description\":\"could not build the response\"}]";
    static const char xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors><error>"
                              "<code>400</code><description>could not build the response"
                              "</description></error></errors>\n";

    if (r->open311_format == OPEN311_JSON)
        reply_raw(r, 400, CT_JSON, json, sizeof json - 1);
    else
        reply_raw(r, 400, CT_XML, xml, sizeof xml - 1);
}

/* Sends body (stolen) as the request's format; root names the XML document. */
static void
reply_doc(Req *r, int status, const char *root, json_t *body)
{
    char *text = NULL;
    size_t len = 0;

    if (body != NULL) {
        if (r->open311_format == OPEN311_JSON) {
            text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(REAL_DIGITS));
            len = text ? strlen(text) : 0;
        } else {
            Open311Xml x;

            open311_xml_begin(&x);
            xml_value(&x, root, body);
            text = open311_xml_end(&x, &len);
        }
        json_decref(body);
    }
    if (text == NULL) {
        reply_fallback(r);
        return;
    }
    reply_raw(r, status, r->open311_format == OPEN311_JSON ? CT_JSON : CT_XML, text, len);
    free(text);
}

void
open311_reply_error(Req *r, const ErrInfo *ei)
{
    int status = open311_http_status(ei->code);
    char desc[320];

    if (ei->code == ERR_UNAUTHORIZED)
        snprintf(desc, sizeof desc, "invalid api_key: %s", ei->message);
    else
        snprintf(desc, sizeof desc, "%s", ei->message[0] ? ei->message : err_code_name(ei->code));
    reply_doc(r, status, "errors", json_pack("[{s:i, s:s}]", "code", status, "description", desc));
}

/* ---------------------------------------------------------------- helpers */

/* False (and 404) when jurisdiction_id is given and is not the one served. */
static bool
jurisdiction_ok(Req *r, const char *given)
{
    const char *want = r->srv->cfg.open311_jurisdiction;

    if (given == NULL || given[0] == '\0' || want == NULL || want[0] == '\0' ||
        strcmp(given, want) == 0)
        return true;
    reply_err(r, ERR_NOT_FOUND, "jurisdiction_id", "jurisdiction_id %.60s not found", given);
    return false;
}

/* Parses the query string into q (TAILQ_INIT'ed here); false after a 400. */
static bool
query_parse(Req *r, struct evkeyvalq *q)
{
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->http));

    TAILQ_INIT(q);
    if (query != NULL && evhttp_parse_query_str(query, q) != 0) {
        evhttp_clear_headers(q);
        reply_err(r, ERR_INVALID, NULL, "the query string is malformed");
        return false;
    }
    return true;
}

/* A read's only argument is jurisdiction_id (api_key and others are ignored). */
static bool
read_query_ok(Req *r)
{
    struct evkeyvalq q;
    bool ok;

    if (!query_parse(r, &q))
        return false;
    ok = jurisdiction_ok(r, evhttp_find_header(&q, "jurisdiction_id"));
    evhttp_clear_headers(&q);
    return ok;
}

/* The resource in r->seg[i] ("0403.json"), its base written to base; false after a 404. */
static bool
resource(Req *r, int i, char *base, size_t len)
{
    if (open311_split_format(r->seg[i], base, len) == OPEN311_NONE) {
        reply_err(r, ERR_NOT_FOUND, NULL, "no such resource: use .xml or .json");
        return false;
    }
    return true;
}

static json_t *
str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static const char *
row_str(json_t *row, const char *key)
{
    return json_string_value(json_object_get(row, key));
}

static int64_t
row_ms(json_t *row, const char *key)
{
    json_t *v = json_object_get(row, key);

    return json_is_integer(v) ? (int64_t) json_integer_value(v) : TS_NONE;
}

static json_t *
datetime_or_null(int64_t ms)
{
    char buf[32];

    return ms == TS_NONE ? json_null() : json_string(open311_format_datetime(ms, buf, sizeof buf));
}

/* ---------------------------------------------------------------- discovery */

static void
discovery(Req *r)
{
    static char changeset[32]; /* when this process began answering: services may change */
    struct evkeyvalq *in = evhttp_request_get_input_headers(r->http);
    const char *host = evhttp_find_header(in, "Host");
    const char *proto = evhttp_find_header(in, "X-Forwarded-Proto");
    char url[320];

    if (!read_query_ok(r))
        return;
    if (changeset[0] == '\0')
        open311_format_datetime(now_us() / 1000, changeset, sizeof changeset);
    if (host != NULL && strlen(host) < 256 &&
        strspn(host, "abcdefghijklmnopqrstuvwxyz"
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789.-:[]") == strlen(host))
        snprintf(url, sizeof url, "%s://%s/open311/v2",
                 proto != NULL && strcmp(proto, "https") == 0 ? "https" : "http", host);
    else
        snprintf(url, sizeof url, "/open311/v2");
    reply_doc(r, 200, "discovery",
              json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:[s, s]}]}", "changeset",
                        changeset, "contact", CONTACT, "key_service", KEY_SERVICE, "endpoints",
                        "specification", SPEC_URL, "url", url, "changeset", changeset, "type",
                        "production", "formats", "text/xml", "application/json"));
}

void
h_open311_discovery(Req *r)
{
    char base[32];

    if (!resource(r, 0, base, sizeof base))
        return;
    if (strcmp(base, "discovery") != 0) {
        reply_err(r, ERR_NOT_FOUND, NULL, "no such resource: see /open311/discovery.xml");
        return;
    }
    discovery(r);
}

/* ----------------------------------------------------------------- services */

/* A service: one active leaf category (group: its parent's name, or NULL). */
static json_t *
service_object(const char *code, const char *name, const char *group)
{
    char text[320];
    size_t n_attrs;
    json_t *o = json_object();

    open311_attributes(&n_attrs);
    json_object_set_new(o, "service_code", json_string(code));
    json_object_set_new(o, "service_name", json_string(name));
    if (group != NULL)
        snprintf(text, sizeof text, "%s：%s", group, name);
    json_object_set_new(o, "description", json_string(group ? text : name));
    json_object_set_new(o, "metadata", json_boolean(n_attrs > 0));
    json_object_set_new(o, "type", json_string("realtime")); /* so no token ever */
    if (group != NULL)
        snprintf(text, sizeof text, "%s, %s", name, group);
    json_object_set_new(o, "keywords", json_string(group ? text : name));
    json_object_set_new(o, "group", str_or_null(group));
    return o;
}

static void
services(Req *r)
{
    if (!read_query_ok(r))
        return;
    pgjob_clear(&r->job);
    pgjob_add(&r->job, STMT_OPEN311_SERVICES, NULL);
    req_submit(r, RS_OPEN311_SERVICES);
}

static void
services_done(Req *r)
{
    const PGresult *res = r->job.res[0];
    json_t *list = json_array();

    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(
            list, service_object(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                                 PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2)));
    reply_doc(r, 200, "services", list);
}

void
h_open311_definition(Req *r)
{
    char code[64];

    if (!resource(r, 0, code, sizeof code))
        return;
    if (!validate_code(code)) {
        reply_err(r, ERR_NOT_FOUND, "service_code", "service_code %.40s not found", code);
        return;
    }
    if (!read_query_ok(r))
        return;
    sp_init(&r->params[0]);
    sp_copy(&r->params[0], code);
    pgjob_clear(&r->job);
    pgjob_add(&r->job, STMT_OPEN311_SERVICE, &r->params[0]);
    req_submit(r, RS_OPEN311_DEFINITION);
}

static void
definition_done(Req *r)
{
    const PGresult *res = r->job.res[0];
    size_t n;
    const Open311Attribute *a = open311_attributes(&n);
    json_t *attrs = json_array();

    if (PQntuples(res) == 0) {
        json_decref(attrs);
        reply_err(r, ERR_NOT_FOUND, "service_code", "service_code %.40s not found",
                  r->params[0].v[0]);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();

        json_object_set_new(o, "variable", json_true());
        json_object_set_new(o, "code", json_string(a[i].code));
        json_object_set_new(o, "datatype", json_string(a[i].datatype));
        json_object_set_new(o, "required", json_boolean(a[i].required));
        json_object_set_new(o, "datatype_description", str_or_null(a[i].datatype_description));
        json_object_set_new(o, "order", json_integer((json_int_t) i + 1));
        json_object_set_new(o, "description", json_string(a[i].description));
        if (a[i].n_values > 0) {
            json_t *values = json_array();

            for (size_t v = 0; v < a[i].n_values; v++)
                json_array_append_new(values, json_pack("{s:s, s:s}", "key", a[i].values[v].key,
                                                        "name", a[i].values[v].name));
            json_object_set_new(o, "values", values);
        }
        json_array_append_new(attrs, o);
    }
    reply_doc(r, 200, "service_definition",
              json_pack("{s:s, s:o}", "service_code", PQgetvalue(res, 0, 0), "attributes", attrs));
}

/* ----------------------------------------------------------------- requests */

/* One request in the specification's fields and order, from
 * minhu_open311_request_json() (sql/R_open311.sql). */
static json_t *
request_object(json_t *row)
{
    int st = status_parse(row_str(row, "status"));
    TicketStatus s = st > 0 ? (TicketStatus) st : ST_NONE;
    const char *agency = row_str(row, "agency");
    int64_t updated = row_ms(row, "updated_ms"), changed = row_ms(row, "status_ms");
    char notes[256], notice[320];
    const char *copied[] = {"address", "address_id"};
    json_t *o = json_object();

    /* "For requests with status=closed, this will be the date the request was closed." */
    if (status_is_final(s) && changed != TS_NONE)
        updated = changed;
    json_object_set_new(o, "service_request_id", str_or_null(row_str(row, "number")));
    json_object_set_new(o, "status", json_string(open311_status(s)));
    json_object_set_new(
        o, "status_notes",
        json_string(open311_status_notes(s, row_str(row, "result"), row_str(row, "merged_into"),
                                         notes, sizeof notes)));
    json_object_set_new(o, "service_name", str_or_null(row_str(row, "service_name")));
    json_object_set_new(o, "service_code", str_or_null(row_str(row, "service_code")));
    json_object_set_new(o, "description", str_or_null(row_str(row, "description")));
    json_object_set_new(o, "agency_responsible", str_or_null(agency));
    json_object_set_new(o, "service_notice",
                        str_or_null(open311_service_notice(s, agency, row_ms(row, "reply_due_ms"),
                                                           notice, sizeof notice)));
    json_object_set_new(o, "requested_datetime", datetime_or_null(row_ms(row, "requested_ms")));
    json_object_set_new(o, "updated_datetime", datetime_or_null(updated));
    json_object_set_new(o, "expected_datetime", datetime_or_null(row_ms(row, "reply_due_ms")));
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++)
        json_object_set_new(o, copied[i], str_or_null(row_str(row, copied[i])));
    json_object_set_new(o, "zipcode", json_null());
    json_object_set(o, "lat",
                    json_is_number(json_object_get(row, "lat")) ? json_object_get(row, "lat")
                                                                : json_null());
    json_object_set(o, "long",
                    json_is_number(json_object_get(row, "long")) ? json_object_get(row, "long")
                                                                 : json_null());
    json_object_set_new(o, "media_url", str_or_null(row_str(row, "media_url")));
    return o;
}

/* GET requests: the filters into r->params[0] (STMT_OPEN311_REQUESTS). */
static Err
requests_params(Req *r, const Open311Query *q, ErrInfo *ei)
{
    StoreParams *p = &r->params[0];
    char buf[2048];
    const char *items[CODES_MAX > IDS_MAX ? CODES_MAX : IDS_MAX];
    int n;

    sp_init(p);
    if (q->ids != NULL) { /* overrides the rest */
        n = open311_split_list(q->ids, buf, sizeof buf, items, IDS_MAX, validate_ticket_number);
        if (n < 0)
            return err_set(ei, ERR_INVALID, "service_request_id",
                           "service_request_id must be a comma list of at most %d request ids",
                           IDS_MAX);
        sp_code_array(p, items, (size_t) n);
        for (int i = 0; i < 4; i++)
            sp_null(p);
        sp_int(p, OPEN311_LIMIT);
        sp_int(p, 0);
    } else {
        sp_null(p);
        if (q->service_codes != NULL) {
            n = open311_split_list(q->service_codes, buf, sizeof buf, items, CODES_MAX,
                                   validate_code);
            if (n < 0)
                return err_set(ei, ERR_INVALID, "service_code",
                               "service_code must be a comma list of at most %d service codes",
                               CODES_MAX);
            sp_code_array(p, items, (size_t) n);
        } else {
            sp_null(p);
        }
        sp_ms(p, q->start);
        sp_ms(p, q->end);
        if (q->open && q->closed) {
            sp_null(p);
        } else {
            n = (int) open311_status_names(q->open, q->closed, items, ST__COUNT);
            sp_code_array(p, items, (size_t) n);
        }
        sp_int(p, q->page_size);
        sp_int(p, (q->page - 1) * q->page_size);
    }
    if (p->overflow)
        return err_set(ei, ERR_INVALID, NULL, "the query is too long");
    return ERR_OK;
}

static void
requests_list(Req *r)
{
    struct evkeyvalq q;
    struct evkeyval *kv;
    Open311Query oq;
    ErrInfo ei;

    err_clear(&ei);
    if (!query_parse(r, &q))
        return;
    open311_query_init(&oq);
    TAILQ_FOREACH(kv, &q, next)
    {
        if (open311_query_param(&oq, kv->key, kv->value, &ei) != ERR_OK)
            break;
    }
    if (ei.code == ERR_OK && !jurisdiction_ok(r, oq.jurisdiction_id)) {
        evhttp_clear_headers(&q);
        return;
    }
    if (ei.code == ERR_OK && open311_query_finish(&oq, now_us() / 1000, &ei) == ERR_OK)
        requests_params(r, &oq, &ei);
    evhttp_clear_headers(&q); /* the params hold copies */
    if (ei.code != ERR_OK) {
        reply_error(r, &ei);
        return;
    }
    pgjob_clear(&r->job);
    pgjob_add(&r->job, STMT_OPEN311_REQUESTS, &r->params[0]);
    req_submit(r, RS_OPEN311_REQUESTS);
}

static void
requests_done(Req *r)
{
    json_error_t je;
    json_t *rows = json_loads(PQgetvalue(r->job.res[0], 0, 0), 0, &je), *row;
    json_t *list = json_array();
    size_t i;

    if (rows == NULL) {
        json_decref(list);
        reply_err(r, ERR_INTERNAL, NULL, "could not read the requests");
        return;
    }
    json_array_foreach(rows, i, row)
    {
        json_array_append_new(list, request_object(row));
    }
    json_decref(rows);
    reply_doc(r, 200, "service_requests", list);
}

void
h_open311_request(Req *r)
{
    char id[64];

    if (!resource(r, 0, id, sizeof id))
        return;
    if (!validate_ticket_number(id)) {
        reply_err(r, ERR_NOT_FOUND, "service_request_id", "service_request_id %.40s not found", id);
        return;
    }
    if (!read_query_ok(r))
        return;
    sp_init(&r->params[0]);
    sp_copy(&r->params[0], id);
    pgjob_clear(&r->job);
    pgjob_add(&r->job, STMT_OPEN311_REQUEST, &r->params[0]);
    req_submit(r, RS_OPEN311_REQUEST);
}

static void
request_done(Req *r)
{
    const PGresult *res = r->job.res[0];
    json_error_t je;
    json_t *row;

    if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0)) {
        reply_err(r, ERR_NOT_FOUND, "service_request_id", "service_request_id %.40s not found",
                  r->params[0].v[0]);
        return;
    }
    row = json_loads(PQgetvalue(res, 0, 0), 0, &je);
    if (row == NULL) {
        reply_err(r, ERR_INTERNAL, NULL, "could not read the request");
        return;
    }
    reply_doc(r, 200, "service_requests", json_pack("[o]", request_object(row)));
    json_decref(row);
}

void
h_open311_token(Req *r)
{
    reply_err(r, ERR_NOT_FOUND, "token",
              "no such token: every service is realtime, so a request's id is returned at once");
}

/* -------------------------------------------------------------- POST requests */

static bool
is_form_type(const char *ct)
{
    size_t n = strlen(CT_FORM);

    return strncasecmp(ct, CT_FORM, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void post_authed(Req *r);

void
h_open311_post(Req *r)
{
    char base[32];
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(r->http), "Content-Type");
    struct Open311State *st;
    ErrInfo ei;

    err_clear(&ei);
    if (!resource(r, 0, base, sizeof base))
        return;
    if (strcmp(base, "requests") != 0) {
        if (strcmp(base, "services") == 0 || strcmp(base, "discovery") == 0)
            reply_err(r, ERR_METHOD, NULL, "%s is read with GET; POST creates requests", base);
        else
            reply_err(r, ERR_NOT_FOUND, NULL, "no such resource: POST requests.xml or .json");
        return;
    }
    if (ct != NULL && !is_form_type(ct)) {
        reply_err(r, ERR_MEDIA_TYPE, NULL, "the body must be %s", CT_FORM);
        return;
    }
    st = state_of(r);
    if (st == NULL) {
        reply_err(r, ERR_UNAVAILABLE, NULL, "out of memory");
        return;
    }
    /* In place: the values stay in r->body, which lives until the reply. */
    if (open311_form_parse(r->body, r->body_len, &st->form, &ei) != ERR_OK ||
        open311_post_decode(&st->form, &st->post, &ei) != ERR_OK) {
        reply_error(r, &ei);
        return;
    }
    if (st->post.api_key == NULL) {
        reply_err(r, ERR_FORBIDDEN, "api_key", "api_key is required to create a request");
        return;
    }
    if (!jurisdiction_ok(r, st->post.jurisdiction_id))
        return;
    auth_token(r, st->post.api_key, post_authed);
}

static void
post_authed(Req *r)
{
    struct Open311State *st = r->open311;
    ErrInfo ei;

    err_clear(&ei);
    if (r->who.role != ROLE_CHANNEL) {
        reply_err(r, ERR_FORBIDDEN, "api_key",
                  "api_key must be a channel token, not a %s one: ask the 12345 centre for one",
                  role_name(r->who.role));
        return;
    }
    if (open311_post_intake(&st->post, &r->intake, st->name, sizeof st->name, &ei) != ERR_OK) {
        reply_error(r, &ei);
        return;
    }
    sp_init(&r->params[0]);
    sp_text(&r->params[0], r->intake.category);
    pgjob_clear(&r->job);
    pgjob_add(&r->job, STMT_OPEN311_SERVICE, &r->params[0]);
    req_submit(r, RS_OPEN311_POST_SERVICE);
}

static void
post_service_done(Req *r)
{
    struct Open311State *st = r->open311;
    const PGresult *res = r->job.res[0];
    ErrInfo ei;
    json_t *extra;

    err_clear(&ei);
    if (PQntuples(res) == 0) {
        reply_err(r, ERR_NOT_FOUND, "service_code", "service_code %.40s not found",
                  r->intake.category);
        return;
    }
    snprintf(st->service_name, sizeof st->service_name, "%s", PQgetvalue(res, 0, 1));
    if (r->intake.description == NULL)
        r->intake.description = st->service_name; /* a report may say no more than its type */
    if (intake_validate(&r->intake, &ei) != ERR_OK) {
        reply_error(r, &ei);
        return;
    }
    /* What has no column of its own goes to the intake event's data; the
     * caller's email, device and account are not kept (docs/open311.md). */
    extra = json_object();
    if (st->post.media_url != NULL)
        json_object_set_new(extra, "media_url", json_string(st->post.media_url));
    if (st->post.n_attrs > 0) {
        json_t *attrs = json_object();

        for (size_t i = 0; i < st->post.n_attrs; i++)
            json_object_set_new(attrs, st->post.attr[i].code, json_string(st->post.attr[i].value));
        json_object_set_new(extra, "attributes", attrs);
    }
    r->json = extra; /* owned by r from here, borrowed by intake_submit */
    intake_submit(r, RS_OPEN311_POST_INTAKE, NULL, extra);
}

static void
post_intake_done(Req *r)
{
    const PGresult *res = r->job.res[r->job.n - 1];
    json_error_t je;
    json_t *t, *due;
    const char *number;
    int st;
    int64_t reply_due = TS_NONE;
    char head[320], notice[512];
    const char *next;

    if (PQntuples(res) != 1 || (t = json_loads(PQgetvalue(res, 0, 0), 0, &je)) == NULL) {
        reply_err(r, ERR_INTERNAL, NULL, "the request was not recorded; try again");
        return;
    }
    number = json_string_value(json_object_get(t, "number"));
    st = status_parse(json_string_value(json_object_get(t, "status")));
    due = json_object_get(json_object_get(t, "deadlines"), "reply");
    if (!json_is_string(due) || !time_parse(json_string_value(due), &reply_due))
        reply_due = TS_NONE;
    next = open311_service_notice(
        st > 0 ? (TicketStatus) st : ST_NONE,
        json_string_value(json_object_get(json_object_get(t, "lead_unit"), "name")), reply_due,
        head, sizeof head);
    /* The query code lets the resident follow it on the 12345 status page too. */
    snprintf(notice, sizeof notice, "%s%s工单号 %s，查询码 %s，可在 12345 网站查询办理进度",
             next ? next : "", next ? "。" : "", number ? number : "", PQgetvalue(res, 0, 1));
    log_msg(LOG_INFO, "req=%s event=intake channel=open311 ticket=%s", r->id, r->ticket_id);
    reply_doc(r, 200, "service_requests",
              json_pack("[{s:o, s:s, s:n}]", "service_request_id", str_or_null(number),
                        "service_notice", notice, "account_id"));
    json_decref(t);
}

/* ---------------------------------------------------------------- dispatch */

void
h_open311_get(Req *r)
{
    char base[32];

    if (!resource(r, 0, base, sizeof base))
        return;
    if (strcmp(base, "discovery") == 0)
        discovery(r);
    else if (strcmp(base, "services") == 0)
        services(r);
    else if (strcmp(base, "requests") == 0)
        requests_list(r);
    else
        reply_err(r, ERR_NOT_FOUND, NULL, "no such resource: %.40s", base);
}

void
open311_resume(Req *r)
{
    switch (r->stage) {
    case RS_OPEN311_SERVICES:
        services_done(r);
        break;
    case RS_OPEN311_DEFINITION:
        definition_done(r);
        break;
    case RS_OPEN311_POST_SERVICE:
        post_service_done(r);
        break;
    case RS_OPEN311_POST_INTAKE:
        post_intake_done(r);
        break;
    case RS_OPEN311_REQUESTS:
        requests_done(r);
        break;
    case RS_OPEN311_REQUEST:
        request_done(r);
        break;
    default:
        reply_err(r, ERR_INTERNAL, NULL, "request in an unknown stage");
        break;
    }
}
