/*
 * sla_env.c — calendar + SLA policy in memory, double-buffered.
 *
 * The calendar comes from the calendar table, the policy from sla_rules (or,
 * while that table is empty, domain.md §4's defaults).  A refresh builds the
 * spare copy and swaps it in, so a request never sees a half-loaded one.
 */
#include "sla_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/route.h"
#include "core/sla.h"
#include "db/pgpool.h"
#include "log.h"
#include "server.h"

#define CAL_DAYS 8192
#define MAX_RULES 2048
#define MAX_ROUTES 8192
#define REFRESH_S 60
#define RETRY_S 1

typedef struct Env {
    Calendar cal;
    CalendarDay days[CAL_DAYS];
    SlaPolicy policy;
    SlaRule rules[MAX_RULES];
    PGresult *rules_res; /* the rules' category strings are borrowed from it */
    RouteRule routes[MAX_ROUTES];
    size_t n_routes;
    PGresult *routes_res; /* the routes' strings are borrowed from it */
} Env;

static Env envs[2];
static int current = -1; /* index of the live copy, -1 before the first load */
static PgJob job;
static bool job_busy;
static bool reload_pending; /* a reload was asked while a load ran */
static Server *srv;
static struct event *ev_timer;
static ClocksPolicy clocks_policy = {75, 5};

static int64_t
deadline_hook(void *ctx, const Ticket *t, Clock c, int64_t start)
{
    SlaLimit lim;

    (void) ctx;
    if (current < 0 || !sla_policy_lookup(&envs[current].policy, t->category, t->urgency, c, &lim))
        return TS_NONE;
    return sla_deadline(&envs[current].cal, &lim, start);
}

void
sla_env_init(WorkflowEnv *env, int64_t now)
{
    memset(env, 0, sizeof *env);
    env->now = now;
    env->deadline = deadline_hook;
    env->reopen_days = 30;
    env->problem_threshold = 3;
}

bool
sla_env_ready(void)
{
    return current >= 0;
}

size_t
sla_env_plan(const Ticket *t, ClockTimer *out)
{
    return clocks_plan(t, current >= 0 ? &envs[current].cal : NULL, &clocks_policy, out);
}

static void
schedule(int seconds)
{
    struct timeval tv = {seconds, 0};

    if (ev_timer != NULL) /* NULL once stopping */
        evtimer_add(ev_timer, &tv);
}

/* Builds e from the job's results; false (and a log line) when a row is refused. */
static bool
build(Env *e, PGresult *cal_res, PGresult *rules_res, PGresult *routes_res)
{
    ErrInfo ei;

    e->n_routes = 0;
    for (int i = 0; i < PQntuples(routes_res) && e->n_routes < MAX_ROUTES; i++) {
        RouteRule *r = &e->routes[e->n_routes++];

        r->id = strtoll(PQgetvalue(routes_res, i, 0), NULL, 10);
        r->category = PQgetvalue(routes_res, i, 1);
        r->area = PQgetvalue(routes_res, i, 2);
        r->unit = PQgetvalue(routes_res, i, 3);
        r->priority = (int) strtol(PQgetvalue(routes_res, i, 4), NULL, 10);
    }
    if (PQntuples(routes_res) > MAX_ROUTES)
        log_msg(LOG_ERROR, "msg=\"too many routing rules, the rest are ignored\" max=%d",
                MAX_ROUTES);

    err_clear(&ei);
    calendar_init(&e->cal, e->days, CAL_DAYS);
    for (int i = 0; i < PQntuples(cal_res); i++)
        if (calendar_add_text(&e->cal, PQgetvalue(cal_res, i, 0), PQgetvalue(cal_res, i, 1), &ei) !=
            ERR_OK) {
            log_msg(LOG_ERROR, "msg=\"calendar row refused\" day=%s error=\"%s\"",
                    PQgetvalue(cal_res, i, 0), ei.message);
            return false;
        }
    sla_policy_init(&e->policy, e->rules, MAX_RULES);
    if (PQntuples(rules_res) == 0)
        return sla_policy_defaults(&e->policy, &ei) == ERR_OK;
    for (int i = 0; i < PQntuples(rules_res); i++) {
        SlaRule rule;

        if (sla_rule_parse(PQgetvalue(rules_res, i, 0), PQgetvalue(rules_res, i, 1),
                           PQgetvalue(rules_res, i, 2), PQgetvalue(rules_res, i, 3), &rule,
                           &ei) != ERR_OK ||
            sla_policy_add(&e->policy, &rule, &ei) != ERR_OK) {
            log_msg(LOG_ERROR, "msg=\"SLA rule refused\" category=%s error=\"%s\"",
                    PQgetvalue(rules_res, i, 0), ei.message);
            return false;
        }
    }
    return true;
}

static void
on_loaded(PgJob *j, void *arg)
{
    int spare = current == 0 ? 1 : 0;
    Env *e = &envs[spare];

    (void) arg;
    job_busy = false;
    if (j->err != ERR_OK || j->res[0] == NULL || j->res[1] == NULL || j->res[2] == NULL) {
        log_msg(current < 0 ? LOG_WARN : LOG_INFO,
                "msg=\"could not load the calendar and SLA rules, will retry\" error=\"%s\"",
                j->ei.message);
        pgjob_clear(j);
        schedule(current < 0 ? RETRY_S : REFRESH_S);
        return;
    }
    PQclear(e->rules_res);
    e->rules_res = j->res[1];
    j->res[1] = NULL;
    PQclear(e->routes_res);
    e->routes_res = j->res[2];
    j->res[2] = NULL;
    if (!build(e, j->res[0], e->rules_res, e->routes_res)) {
        pgjob_clear(j);
        schedule(REFRESH_S);
        return;
    }
    if (current < 0)
        log_msg(LOG_INFO, "msg=\"reference data loaded\" days=%d sla_rules=%zu routes=%zu",
                PQntuples(j->res[0]), e->policy.n, e->n_routes);
    current = spare;
    pgjob_clear(j);
    schedule(reload_pending ? 0 : REFRESH_S);
    reload_pending = false;
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void) fd;
    (void) what;
    (void) arg;
    if (job_busy)
        return;
    job_busy = true;
    pgjob_init(&job, on_loaded, NULL);
    pgjob_add(&job, STMT_CALENDAR, NULL);
    pgjob_add(&job, STMT_SLA_RULES, NULL);
    pgjob_add(&job, STMT_ROUTING_RULES, NULL);
    pgpool_submit(srv->pool, &job);
}

void
sla_env_reload(void)
{
    if (job_busy) {
        reload_pending = true;
        return;
    }
    if (ev_timer != NULL)
        event_del(ev_timer);
    schedule(0);
}

void
sla_env_start(Server *s)
{
    srv = s;
    clocks_policy.warn_percent = s->cfg.warn_percent;
    ev_timer = evtimer_new(s->base, on_timer, NULL);
    schedule(0);
}

void
sla_env_stop(void)
{
    if (ev_timer) {
        event_free(ev_timer);
        ev_timer = NULL;
    }
}

void
sla_env_free(void)
{
    for (int i = 0; i < 2; i++) {
        PQclear(envs[i].rules_res);
        envs[i].rules_res = NULL;
        PQclear(envs[i].routes_res);
        envs[i].routes_res = NULL;
    }
}

bool
sla_env_route(const char *category, const char *area, char *unit, size_t unit_len, int64_t *rule_id)
{
    const RouteRule *r;

    if (current < 0)
        return false;
    r = route_match(envs[current].routes, envs[current].n_routes, category, area);
    if (r == NULL)
        return false;
    snprintf(unit, unit_len, "%s", r->unit);
    *rule_id = r->id;
    return true;
}
