/*
 * sla_env.c — calendar + SLA policy in memory, double-buffered.
 *
 * The policy is domain.md §4's defaults; the calendar comes from the
 * calendar table.  A refresh builds the spare copy and swaps it in, so a
 * request never sees a half-loaded calendar.
 */
#include "sla_env.h"

#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/sla.h"
#include "db/pgpool.h"
#include "log.h"
#include "server.h"

#define CAL_DAYS 8192
#define REFRESH_S 300
#define RETRY_S 1

typedef struct Env {
    Calendar cal;
    CalendarDay days[CAL_DAYS];
} Env;

static Env envs[2];
static int current = -1; /* index of the live copy, -1 before the first load */
static SlaPolicy policy;
static SlaRule rules[SLA_DEFAULT_RULES];
static PgJob job;
static bool job_busy;
static Server *srv;
static struct event *ev_timer;

static int64_t
deadline_hook(void *ctx, const Ticket *t, Clock c, int64_t start)
{
    SlaLimit lim;

    (void) ctx;
    if (current < 0 || !sla_policy_lookup(&policy, t->category, t->urgency, c, &lim))
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

static void
schedule(int seconds)
{
    struct timeval tv = {seconds, 0};

    if (ev_timer != NULL) /* NULL once stopping */
        evtimer_add(ev_timer, &tv);
}

static void
on_loaded(PgJob *j, void *arg)
{
    int spare = current == 0 ? 1 : 0;
    Env *e = &envs[spare];
    ErrInfo ei;
    PGresult *r = j->res[0];

    (void) arg;
    job_busy = false;
    err_clear(&ei);
    if (j->err != ERR_OK || r == NULL) {
        log_msg(current < 0 ? LOG_WARN : LOG_INFO,
                "msg=\"could not load the calendar, will retry\" error=\"%s\"", j->ei.message);
        pgjob_clear(j);
        schedule(current < 0 ? RETRY_S : REFRESH_S);
        return;
    }
    calendar_init(&e->cal, e->days, CAL_DAYS);
    for (int i = 0; i < PQntuples(r); i++)
        if (calendar_add_text(&e->cal, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), &ei) != ERR_OK) {
            log_msg(LOG_ERROR, "msg=\"calendar row refused\" day=%s error=\"%s\"",
                    PQgetvalue(r, i, 0), ei.message);
            pgjob_clear(j);
            schedule(REFRESH_S);
            return;
        }
    if (current < 0)
        log_msg(LOG_INFO, "msg=\"calendar loaded\" days=%d", PQntuples(r));
    current = spare;
    pgjob_clear(j);
    schedule(REFRESH_S);
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
    pgpool_submit(srv->pool, &job);
}

void
sla_env_start(Server *s)
{
    ErrInfo ei;

    srv = s;
    sla_policy_init(&policy, rules, SLA_DEFAULT_RULES);
    if (sla_policy_defaults(&policy, &ei) != ERR_OK)
        log_msg(LOG_ERROR, "msg=\"default SLA policy refused\" error=\"%s\"", ei.message);
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
