/*
 * auth.c — bearer tokens: a short-lived cache of verified tokens in front of
 * the tokens table (which holds only sha256 of each token).
 *
 * A cache hit costs no round trip; an entry lives token_cache_ttl seconds,
 * which bounds how long a revoked token keeps working in a running process.
 * Cache keys are compared in constant time.  Tokens never reach a log line.
 */
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "server.h"

#define AUTH_SLOTS 1024
#define TOKEN_MAX 96

typedef struct AuthEntry {
    char token[TOKEN_MAX];
    int64_t expires_us;
    int64_t token_id;
    Role role;
    char name[128];
    char unit[40];
} AuthEntry;

struct AuthCache {
    AuthEntry slot[AUTH_SLOTS];
};

AuthCache *
auth_cache_new(void)
{
    return calloc(1, sizeof(AuthCache));
}

void
auth_cache_free(AuthCache *c)
{
    free(c);
}

static uint32_t
fnv1a(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char) *s) * 16777619u;
    return h;
}

/* Compares two TOKEN_MAX buffers without an early exit. */
static bool
same_token(const char *a, const char *b)
{
    unsigned char d = 0;

    for (size_t i = 0; i < TOKEN_MAX; i++)
        d |= (unsigned char) (a[i] ^ b[i]);
    return d == 0;
}

static void
principal_set(Req *r, int64_t id, Role role, const char *name, const char *unit)
{
    snprintf(r->who_name, sizeof r->who_name, "%s", name ? name : "");
    snprintf(r->who_unit, sizeof r->who_unit, "%s", unit ? unit : "");
    r->who.token_id = id;
    r->who.role = role;
    r->who.name = r->who_name;
    r->who.unit = unit ? r->who_unit : NULL;
}

/* The route's handler, once the principal's role is allowed on it. */
static void
authorised(Req *r)
{
    if (r->auth_then != NULL) {
        Handler then = r->auth_then;

        r->auth_then = NULL;
        then(r);
        return;
    }
    if ((r->route->roles & (1u << r->who.role)) == 0) {
        reply_err(r, ERR_FORBIDDEN, NULL, "a %s token may not use %s", role_name(r->who.role),
                  r->route->name);
        return;
    }
    r->route->handler(r);
}

static const char *
bearer_token(Req *r)
{
    const char *h = evhttp_find_header(evhttp_request_get_input_headers(r->http), "Authorization");

    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return h;
}

/* Checks tok's form, then the cache, then asks the database (auth_resume). */
static void
auth_lookup(Req *r, const char *tok)
{
    char key[TOKEN_MAX];
    size_t len;
    AuthEntry *e;
    int64_t now = now_us();

    r->auth_token = tok;
    len = strlen(tok);
    if (len == 0 || len >= TOKEN_MAX) {
        reply_err(r, ERR_UNAUTHORIZED, NULL, "unknown or revoked token");
        return;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) tok[i] <= 0x20 || (unsigned char) tok[i] >= 0x7f) {
            reply_err(r, ERR_UNAUTHORIZED, NULL, "unknown or revoked token");
            return;
        }
    memset(key, 0, sizeof key);
    memcpy(key, tok, len);
    e = &r->srv->auth->slot[fnv1a(key) % AUTH_SLOTS];
    if (e->expires_us > now && same_token(e->token, key)) {
        principal_set(r, e->token_id, e->role, e->name, e->unit[0] ? e->unit : NULL);
        authorised(r);
        return;
    }
    pgjob_clear(&r->job);
    /* The token text goes to the database as a parameter and is hashed there. */
    sp_init(&r->params[0]);
    sp_text(&r->params[0], tok);
    pgjob_add(&r->job, STMT_AUTH_TOKEN, &r->params[0]);
    req_submit(r, RS_AUTH);
}

void
auth_begin(Req *r)
{
    const char *tok = bearer_token(r);

    if (tok == NULL) {
        reply_err(r, ERR_UNAUTHORIZED, NULL, "an Authorization: Bearer token is required");
        return;
    }
    auth_lookup(r, tok);
}

void
auth_token(Req *r, const char *token, Handler then)
{
    r->auth_then = then;
    auth_lookup(r, token);
}

void
auth_resume(Req *r)
{
    Principal p;
    ErrInfo ei;
    int ttl = r->srv->cfg.token_cache_ttl;

    err_clear(&ei);
    if (r->job.err != ERR_OK) {
        reply_error(r, &r->job.ei);
        return;
    }
    if (store_principal_decode(r->job.res[0], &p, &ei) != ERR_OK) {
        reply_error(r, &ei);
        return;
    }
    principal_set(r, p.token_id, p.role, p.name, p.unit);
    if (ttl > 0) {
        const char *tok = r->auth_token;
        AuthEntry *e;
        char key[TOKEN_MAX];

        memset(key, 0, sizeof key);
        memcpy(key, tok, strlen(tok));
        e = &r->srv->auth->slot[fnv1a(key) % AUTH_SLOTS];
        memcpy(e->token, key, TOKEN_MAX);
        e->expires_us = now_us() + (int64_t) ttl * 1000000;
        e->token_id = r->who.token_id;
        e->role = r->who.role;
        snprintf(e->name, sizeof e->name, "%s", r->who_name);
        snprintf(e->unit, sizeof e->unit, "%s", r->who.unit ? r->who_unit : "");
    }
    pgjob_clear(&r->job);
    authorised(r);
}
