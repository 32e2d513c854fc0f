/*
 * http.c — evhttp front door: limits, request ids, routing, the reply
 * functions, static pages, and graceful stop.
 *
 * Handlers never touch evhttp; they get a Req and answer with reply_*().
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json/codec.h"
#include "log.h"
#include "core/open311.h"
#include "metrics.h"
#include "open311.h"
#include "pathmatch.h"
#include "server.h"

int64_t
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
req_free(Req *r)
{
    Server *s = r->srv;

    for (int i = 0; i < r->nseg; i++)
        free(r->seg[i]);
    for (int i = 0; i < PGJOB_MAX; i++)
        PQclear(r->kept[i]);
    pgjob_clear(&r->job);
    json_decref(r->json);
    free(r->body);
    free(r->event_data);
    open311_state_free(r->open311);
    free(r);
    s->inflight--;
}

/* One reply on its way out: counted in Server.unsent until evhttp has written
 * it, or until its connection closes without it (client gone, or the server
 * freeing connections at exit), whichever comes first. */
typedef struct ReplyWatch {
    Server *srv;
} ReplyWatch;

static void
on_conn_closed(struct evhttp_connection *evcon, void *arg)
{
    ReplyWatch *w = arg;

    (void) evcon;
    w->srv->unsent--;
    free(w);
}

static void
on_reply_sent(struct evhttp_request *http, void *arg)
{
    ReplyWatch *w = arg;
    struct evhttp_connection *evcon = evhttp_request_get_connection(http);

    if (evcon != NULL) /* a kept-alive connection must not count it again */
        evhttp_connection_set_closecb(evcon, NULL, NULL);
    w->srv->unsent--;
    free(w);
}

static void
watch_reply(Req *r)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(r->http);
    ReplyWatch *w;

    if (evcon == NULL) /* the client is gone: evhttp drops the reply at once */
        return;
    w = malloc(sizeof *w);
    if (w == NULL)
        return;
    w->srv = r->srv;
    r->srv->unsent++;
    evhttp_request_set_on_complete_cb(r->http, on_reply_sent, w);
    evhttp_connection_set_closecb(evcon, on_conn_closed, w);
}

static void
finish(Req *r, int status, struct evbuffer *buf)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->http);
    int64_t us = now_us() - r->started_us;
    const char *name = r->route ? r->route->name : "static";

    evhttp_add_header(out, "X-Request-Id", r->id);
    evhttp_add_header(out, "Cache-Control", "no-store");
    if (r->srv->stopping)
        evhttp_add_header(out, "Connection", "close");
    watch_reply(r);
    evhttp_send_reply(r->http, status, NULL, buf);
    metrics_request(name, status, us);
    /* The path only: a query string can carry a resident's query code. */
    log_msg(status >= 500 ? LOG_WARN : LOG_INFO,
            "req=%s method=%s path=\"%.200s\" route=%s status=%d ms=%.2f token=%s", r->id,
            evhttp_request_get_command(r->http) == EVHTTP_REQ_POST ? "POST" : "GET",
            evhttp_uri_get_path(evhttp_request_get_evhttp_uri(r->http))
                ? evhttp_uri_get_path(evhttp_request_get_evhttp_uri(r->http))
                : "",
            name, status, (double) us / 1000.0, r->who.name ? r->who.name : "-");
    req_free(r);
}

void
reply_raw(Req *r, int status, const char *ctype, const char *data, size_t len)
{
    struct evbuffer *buf = evbuffer_new();

    evhttp_add_header(evhttp_request_get_output_headers(r->http), "Content-Type", ctype);
    if (buf != NULL && data != NULL)
        evbuffer_add(buf, data, len);
    finish(r, status, buf);
    if (buf)
        evbuffer_free(buf);
}

void
reply_json(Req *r, int status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

    json_decref(body);
    if (text == NULL) {
        ErrInfo ei;

        err_set(&ei, ERR_INTERNAL, NULL, "could not encode the response");
        reply_error(r, &ei);
        return;
    }
    reply_raw(r, status, "application/json; charset=utf-8", text, strlen(text));
    free(text);
}

void
reply_error(Req *r, const ErrInfo *ei)
{
    char *text = codec_error_body(ei);
    int status = err_http_status(ei->code);

    if (status >= 500)
        log_msg(LOG_WARN, "req=%s error=%s msg=\"%s\"", r->id, err_code_name(ei->code),
                ei->message);
    if (r->open311_format != OPEN311_NONE) { /* the specification's errors document */
        free(text);
        open311_reply_error(r, ei);
        return;
    }
    if (ei->code == ERR_UNAUTHORIZED)
        evhttp_add_header(evhttp_request_get_output_headers(r->http), "WWW-Authenticate",
                          "Bearer realm=\"minhu\"");
    if (ei->code == ERR_UNAVAILABLE)
        evhttp_add_header(evhttp_request_get_output_headers(r->http), "Retry-After", "1");
    reply_raw(r, status, "application/json; charset=utf-8", text ? text : "{}",
              text ? strlen(text) : 2);
    free(text);
}

void
reply_err(Req *r, Err code, const char *field, const char *fmt, ...)
{
    ErrInfo ei;
    va_list ap;

    err_clear(&ei);
    ei.code = code;
    snprintf(ei.field, sizeof ei.field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(ei.message, sizeof ei.message, fmt, ap);
    va_end(ap);
    reply_error(r, &ei);
}

static void
on_job_done(PgJob *job, void *arg)
{
    Req *r = arg;

    if (r->stage == RS_AUTH)
        auth_resume(r);
    else
        req_resume(r);
}

void
req_submit(Req *r, ReqStage stage)
{
    r->stage = stage;
    r->job.cb = on_job_done;
    r->job.arg = r;
    pgpool_submit(r->srv->pool, &r->job);
}

/* ------------------------------------------------------------ static pages */

static const char *
content_type_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');

    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* Serves a file under cfg.www; paths with "..", hidden parts or odd bytes are 404. */
static void
serve_static(Req *r, const char *path)
{
    char file[1024];
    struct stat st;
    int fd;
    struct evbuffer *buf;

    if (strcmp(path, "/") == 0)
        path = "/index.html";
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char) *p;

        if (c < 0x20 || c == '\\' || (c == '.' && p > path && p[-1] == '/')) {
            reply_err(r, ERR_NOT_FOUND, NULL, "no such page");
            return;
        }
    }
    if (snprintf(file, sizeof file, "%s%s", r->srv->cfg.www, path) >= (int) sizeof file ||
        (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
        reply_err(r, ERR_NOT_FOUND, NULL, "no such page");
        return;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        reply_err(r, ERR_NOT_FOUND, NULL, "no such page");
        return;
    }
    buf = evbuffer_new();
    if (buf == NULL || evbuffer_add_file(buf, fd, 0, st.st_size) != 0) {
        if (buf)
            evbuffer_free(buf);
        else
            close(fd);
        reply_err(r, ERR_INTERNAL, NULL, "could not read the page");
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(r->http), "Content-Type",
                      content_type_of(file));
    finish(r, 200, buf);
    evbuffer_free(buf);
}

/* ------------------------------------------------- request deadline */

/*
 * evhttp's --timeout is an idle timeout: each byte that arrives restarts it,
 * so a client that sends its headers one byte a second (slowloris) would
 * hold its connection for hours.  So the whole request is bounded too: from
 * its first byte until the handler gets it (evhttp reads the whole request
 * first) at most --timeout seconds; a byte that arrives later shuts the
 * socket down, and evhttp closes the connection on the end of file.  A
 * client that sends nothing at all meets the idle timeout.
 *
 * The state is a table indexed by socket, owned by this file: one HTTP
 * server per process.  An entry belongs to the bufferevent that set it.  A
 * new connection on a reused descriptor must start afresh even when its
 * bufferevent has the address of the old one: new bufferevents wait in a
 * ring until their first bytes, and an entry whose last byte is older than
 * the idle timeout belongs to a connection that is gone.  The callback on
 * the input buffer lives exactly as long as the buffer, so it never
 * outlives the bufferevent it is given.
 */
#define CLOCK_FDS 65536
#define CLOCK_FRESH 256

static struct {
    const struct bufferevent *bev;
    int64_t started_us; /* first byte of the request being read, 0 between requests */
    int64_t last_us;    /* the latest byte */
} clock_table[CLOCK_FDS];
static const struct bufferevent *clock_fresh[CLOCK_FRESH]; /* accepted, nothing read yet */
static unsigned clock_fresh_next;
static int64_t clock_limit_us;

/* True (once) for a bufferevent that has read nothing before. */
static bool
clock_first_bytes(const struct bufferevent *bev)
{
    for (size_t i = 0; i < CLOCK_FRESH; i++)
        if (clock_fresh[i] == bev) {
            clock_fresh[i] = NULL;
            return true;
        }
    return false;
}

static void
clock_on_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct bufferevent *bev = arg;
    evutil_socket_t fd = bufferevent_getfd(bev);
    int64_t now;
    bool fresh;

    (void) buf;
    if (info->n_added == 0 || fd < 0 || fd >= CLOCK_FDS)
        return;
    now = now_us();
    fresh = clock_first_bytes(bev);
    if (fresh || clock_table[fd].bev != bev || clock_table[fd].started_us == 0 ||
        now - clock_table[fd].last_us > clock_limit_us) {
        clock_table[fd].bev = bev;
        clock_table[fd].started_us = now;
    } else if (now - clock_table[fd].started_us > clock_limit_us) {
        log_msg(LOG_WARN, "msg=\"request not received in time, closing the connection\" ms=%lld",
                (long long) ((now - clock_table[fd].started_us) / 1000));
        clock_table[fd].bev = NULL;
        shutdown(fd, SHUT_RDWR);
    }
    clock_table[fd].last_us = now;
}

/* The handler has the whole request: its clock stops. */
static void
clock_stop(struct evhttp_request *http)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(http);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;

    if (fd >= 0 && fd < CLOCK_FDS && clock_table[fd].bev == bev)
        clock_table[fd].started_us = 0;
}

/* evhttp's bufferevent for each accepted connection, its input watched. */
static struct bufferevent *
clock_bufferevent(struct event_base *base, void *arg)
{
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);

    (void) arg;
    if (bev != NULL) {
        evbuffer_add_cb(bufferevent_get_input(bev), clock_on_input, bev);
        clock_fresh[clock_fresh_next++ % CLOCK_FRESH] = bev;
    }
    return bev;
}

/* --------------------------------------------------------------- routing */

/* Matches pattern against path; the captured segments go to r->seg. */
static bool
route_match(const char *pattern, const char *path, Req *r)
{
    int n = 0;

    if (!path_match(pattern, path, r->seg, REQ_SEGS, &n))
        return false;
    r->nseg = n;
    return true;
}

static const char *
method_name(enum evhttp_cmd_type m)
{
    switch (m) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    case EVHTTP_REQ_POST:
        return "POST";
    default:
        return "OTHER";
    }
}

/* True when the Content-Type names JSON (parameters such as charset allowed). */
static bool
is_json_type(const char *ct)
{
    size_t n = strlen("application/json");

    if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
        return false;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/*
 * A new request, zeroed but for its statement parameters' buffers: they are
 * most of its size (about 40 kB), every builder initialises what it uses,
 * and clearing them was the largest single cost per request in the profile
 * (docs/performance.md, "HTTP engine").  NULL when out of memory.
 */
static Req *
req_new(void)
{
    Req *r = malloc(sizeof *r);
    size_t at = offsetof(Req, params), end = at + sizeof r->params;

    if (r == NULL)
        return NULL;
    memset(r, 0, at);
    memset((char *) r + end, 0, sizeof *r - end);
    for (int i = 0; i < PGJOB_MAX; i++)
        sp_init(&r->params[i]);
    return r;
}

static void
on_request(struct evhttp_request *http, void *arg)
{
    Server *s = arg;
    Req *r = req_new();
    const char *path, *method, *query;
    size_t nroutes;
    const Route *routes = routes_table(&nroutes);
    bool path_known = false;
    struct evbuffer *in;

    clock_stop(http);
    if (r == NULL) {
        evhttp_send_error(http, 503, NULL);
        return;
    }
    s->inflight++;
    r->srv = s;
    r->http = http;
    r->started_us = now_us();
    snprintf(r->id, sizeof r->id, "%x-%llx", (unsigned) getpid() & 0xffffff, ++s->next_req);

    path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(http));
    if (path == NULL || path[0] != '/') {
        reply_err(r, ERR_NOT_FOUND, NULL, "no such path");
        return;
    }
    method = method_name(evhttp_request_get_command(http));
    if (strncmp(path, "/open311/", 9) == 0 || strcmp(path, "/open311") == 0)
        r->open311_format = open311_path_format(path); /* every answer in its format */

    for (size_t i = 0; i < nroutes; i++) {
        if (!route_match(routes[i].pattern, path, r))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, method) != 0 &&
            !(strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
            for (int k = 0; k < r->nseg; k++)
                free(r->seg[k]);
            r->nseg = 0;
            continue;
        }
        r->route = &routes[i];
        break;
    }
    if (r->route == NULL) {
        if (path_known) {
            reply_err(r, ERR_METHOD, NULL, "method %s is not allowed on %s", method, path);
            return;
        }
        if (strncmp(path, "/api/", 5) == 0 || r->open311_format != OPEN311_NONE ||
            strcmp(method, "GET") != 0) {
            reply_err(r, ERR_NOT_FOUND, NULL, "no such path");
            return;
        }
        serve_static(r, path);
        return;
    }
    /* evhttp decodes "%00" into a NUL that silently ends the value:
     * "status=dispatched%00x" would read as "status=dispatched". */
    query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(http));
    if (query != NULL && strstr(query, "%00") != NULL) {
        reply_err(r, ERR_INVALID, NULL, "the query string holds an encoded NUL byte");
        return;
    }
    if (s->stopping && strcmp(r->route->name, "healthz") != 0) {
        reply_err(r, ERR_UNAVAILABLE, NULL, "the server is shutting down");
        return;
    }

    in = evhttp_request_get_input_buffer(http);
    r->body_len = evbuffer_get_length(in);
    if (r->body_len > (size_t) s->cfg.max_body) {
        reply_err(r, ERR_TOO_LARGE, NULL, "the body is larger than %d bytes", s->cfg.max_body);
        return;
    }
    if (r->route->json_body && r->body_len > 0) {
        const char *ct = evhttp_find_header(evhttp_request_get_input_headers(http), "Content-Type");

        if (!is_json_type(ct)) {
            reply_err(r, ERR_MEDIA_TYPE, NULL, "the body must be application/json");
            return;
        }
    }
    r->body = malloc(r->body_len + 1);
    if (r->body == NULL) {
        reply_err(r, ERR_UNAVAILABLE, NULL, "out of memory");
        return;
    }
    evbuffer_remove(in, r->body, r->body_len);
    r->body[r->body_len] = '\0';

    if (r->route->roles == 0)
        r->route->handler(r);
    else
        auth_begin(r);
}

int
http_start(Server *s)
{
    char host[256];
    const char *colon = strrchr(s->cfg.listen, ':');
    long port = strtol(colon + 1, NULL, 10);
    size_t hl = (size_t) (colon - s->cfg.listen);
    evutil_socket_t fd;
    struct evutil_addrinfo hints, *ai = NULL;
    char portstr[16];
    int one = 1;

    if (hl >= sizeof host || port <= 0 || port > 65535) {
        log_msg(LOG_ERROR, "msg=\"invalid listen address\" listen=%s", s->cfg.listen);
        return -1;
    }
    memcpy(host, s->cfg.listen, hl);
    host[hl] = '\0';
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    s->http = evhttp_new(s->base);
    if (s->http == NULL)
        return -1;
    evhttp_set_max_body_size(s->http, (ev_ssize_t) s->cfg.max_body * 4);
    evhttp_set_max_headers_size(s->http, (ev_ssize_t) s->cfg.max_headers);
    evhttp_set_timeout(s->http, s->cfg.timeout);
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
                                            EVHTTP_REQ_OPTIONS);
    evhttp_set_default_content_type(s->http, "application/json; charset=utf-8");
    evhttp_set_gencb(s->http, on_request, s);
    evhttp_set_bevcb(s->http, clock_bufferevent, s);
    clock_limit_us = (int64_t) s->cfg.timeout * 1000000;

    /* Our own socket so SO_REUSEPORT can be set before bind. */
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_NUMERICHOST;
    snprintf(portstr, sizeof portstr, "%ld", port);
    if (evutil_getaddrinfo(host, portstr, &hints, &ai) != 0 || ai == NULL) {
        log_msg(LOG_ERROR, "msg=\"cannot resolve listen address\" listen=%s", s->cfg.listen);
        return -1;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (s->cfg.reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
        log_msg(LOG_ERROR, "msg=\"cannot listen\" listen=%s error=\"%s\"", s->cfg.listen,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        evutil_freeaddrinfo(ai);
        return -1;
    }
    evutil_freeaddrinfo(ai);
    s->sock = evhttp_accept_socket_with_handle(s->http, fd);
    if (s->sock == NULL) {
        close(fd);
        return -1;
    }
    return 0;
}

void
http_stop_accepting(Server *s)
{
    if (s->sock != NULL) {
        evhttp_del_accept_socket(s->http, s->sock);
        s->sock = NULL;
    }
}
