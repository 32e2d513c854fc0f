/*
 * timers.c — arming, waking and firing SLA timers; delivering the outbox.
 *
 * State per process: the moment the evtimer is armed for, and whether a
 * database job is in flight.  Everything durable is in PostgreSQL.
 */
#include "timers.h"

#include <stdlib.h>
#include <string.h>

#include "core/mask.h"
#include "db/pgpool.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "sla_env.h"

/* A safety net for a missed NOTIFY (connection down), and the reason why
 * minhu_timers_sync (sql/R_sla.sql) notifies only points due within 30 s:
 * later ones are found by this re-check.  Keep it well under 30 s. */
#define RECHECK_MS 5000
#define RETRY_MS 1000
#define OUTBOX_BATCH 100
#define OUTBOX_MS 1000

typedef enum TimerStage { TS_IDLE = 0, TS_NEXT, TS_FIRE } TimerStage;

static struct {
    Server *srv;
    struct event *ev;
    int64_t armed_ms; /* INT64_MAX when not armed */
    TimerStage stage;
    bool recheck; /* a NOTIFY came while a job was in flight */
    PgJob job;
    StoreParams params;
} T;

static struct {
    struct event *ev;
    bool busy;
    PgJob job;
    StoreParams params;
} O;

static const char *const channels[] = {"minhu_timers", "minhu_reference", NULL};

static int64_t
now_ms(void)
{
    return now_us() / 1000;
}

static void
arm(int64_t at_ms)
{
    int64_t delay = at_ms - now_ms();
    struct timeval tv;

    if (T.ev == NULL)
        return;
    if (delay < 0)
        delay = 0;
    tv.tv_sec = (time_t) (delay / 1000);
    tv.tv_usec = (suseconds_t) (delay % 1000) * 1000;
    T.armed_ms = at_ms;
    evtimer_add(T.ev, &tv);
}

static void on_job(PgJob *job, void *arg);

static void
submit(TimerStage stage)
{
    T.stage = stage;
    pgjob_init(&T.job, on_job, NULL);
    if (stage == TS_NEXT) {
        pgjob_add(&T.job, STMT_TIMERS_NEXT, NULL);
    } else {
        sp_init(&T.params);
        sp_int(&T.params, T.srv->cfg.timer_batch);
        pgjob_add(&T.job, STMT_TIMERS_FIRE, &T.params);
    }
    pgpool_submit(T.srv->pool, &T.job);
}

static void
on_job(PgJob *job, void *arg)
{
    TimerStage stage = T.stage;
    int rows = 0;

    (void) arg;
    T.stage = TS_IDLE;
    if (T.ev == NULL) { /* stopping */
        pgjob_clear(job);
        return;
    }
    if (job->err != ERR_OK) {
        log_msg(LOG_WARN, "msg=\"SLA timers unavailable, will retry\" error=\"%s\"",
                job->ei.message);
        pgjob_clear(job);
        arm(now_ms() + RETRY_MS);
        return;
    }
    if (stage == TS_NEXT) {
        const PGresult *r = job->res[0];
        int64_t next = now_ms() + RECHECK_MS;

        if (!PQgetisnull(r, 0, 0)) {
            int64_t due = strtoll(PQgetvalue(r, 0, 0), NULL, 10);

            if (due < next)
                next = due;
        }
        pgjob_clear(job);
        if (T.recheck) {
            T.recheck = false;
            submit(TS_NEXT);
            return;
        }
        arm(next);
        return;
    }

    /* TS_FIRE: the transaction has committed; the lag is due → committed. */
    {
        const PGresult *r = job->res[0];
        int64_t now = now_ms();

        rows = PQntuples(r);
        for (int i = 0; i < rows; i++) {
            int64_t due = strtoll(PQgetvalue(r, i, 4), NULL, 10);

            metrics_timer_fired(PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), now - due);
            log_msg(LOG_INFO, "event=sla_%s ticket=%s clock=%s effect=%s lag_ms=%lld",
                    PQgetvalue(r, i, 2), PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                    PQgetvalue(r, i, 3), (long long) (now - due));
        }
    }
    pgjob_clear(job);
    T.recheck = false;
    submit(rows >= T.srv->cfg.timer_batch ? TS_FIRE : TS_NEXT);
}

static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
    (void) fd;
    (void) what;
    (void) arg;
    T.armed_ms = INT64_MAX;
    if (T.stage != TS_IDLE) {
        T.recheck = true;
        return;
    }
    submit(TS_FIRE);
}

static void
on_notify(const char *channel, const char *payload, void *arg)
{
    int64_t due;

    (void) arg;
    if (strcmp(channel, "minhu_reference") == 0) {
        sla_env_reload();
        return;
    }
    if (strcmp(channel, "minhu_timers") != 0 || payload == NULL)
        return;
    due = strtoll(payload, NULL, 10);
    if (T.stage != TS_IDLE) {
        T.recheck = true;
        return;
    }
    if (due < T.armed_ms)
        arm(due);
}

/* ----------------------------------------------------------------- outbox */

/* Replaces {number} and {query_code} in msg into out. */
static void
render(const char *msg, const char *number, const char *code, char *out, size_t len)
{
    size_t at = 0;

    while (*msg && at + 1 < len) {
        const char *sub = NULL;
        size_t skip = 0;

        if (strncmp(msg, "{number}", 8) == 0) {
            sub = number;
            skip = 8;
        } else if (strncmp(msg, "{query_code}", 12) == 0) {
            sub = code;
            skip = 12;
        }
        if (skip) {
            int w = snprintf(out + at, len - at, "%s", sub ? sub : "");
            if (w < 0)
                break;
            at += (size_t) w < len - at ? (size_t) w : len - at - 1;
            msg += skip;
        } else {
            out[at++] = *msg++;
        }
    }
    out[at] = '\0';
}

/*
 * The default sender: one log line per notification.  A resident's message
 * is logged with the phone masked and the query code hidden, since the log
 * is not the resident's phone.
 */
static void
send_log(const PGresult *r, int i)
{
    char text[1024], phone[32];
    const char *audience = PQgetvalue(r, i, 1);
    bool resident = strcmp(audience, "resident") == 0;

    render(PQgetvalue(r, i, 4), PQgetvalue(r, i, 6), resident ? "******" : "", text, sizeof text);
    log_msg(LOG_INFO,
            "event=notify id=%s audience=%s unit=%s kind=%s ticket=%s to=%s message=\"%s\"",
            PQgetvalue(r, i, 0), audience, PQgetisnull(r, i, 2) ? "-" : PQgetvalue(r, i, 2),
            PQgetvalue(r, i, 3), PQgetvalue(r, i, 6),
            resident && !PQgetisnull(r, i, 7) ? mask_phone(PQgetvalue(r, i, 7), phone, sizeof phone)
                                              : "-",
            text);
}

static void outbox_claim(void);

static void
on_outbox(PgJob *job, void *arg)
{
    int rows = 0;
    struct timeval tv = {0, OUTBOX_MS * 1000};

    (void) arg;
    O.busy = false;
    if (job->err == ERR_OK) {
        rows = PQntuples(job->res[0]);
        for (int i = 0; i < rows; i++)
            send_log(job->res[0], i);
    }
    pgjob_clear(job);
    if (O.ev == NULL)
        return;
    if (rows >= OUTBOX_BATCH)
        outbox_claim();
    else
        evtimer_add(O.ev, &tv);
}

static void
outbox_claim(void)
{
    if (O.busy)
        return;
    O.busy = true;
    pgjob_init(&O.job, on_outbox, NULL);
    sp_init(&O.params);
    sp_int(&O.params, OUTBOX_BATCH);
    pgjob_add(&O.job, STMT_OUTBOX_CLAIM, &O.params);
    pgpool_submit(T.srv->pool, &O.job);
}

static void
on_outbox_timer(evutil_socket_t fd, short what, void *arg)
{
    (void) fd;
    (void) what;
    (void) arg;
    outbox_claim();
}

void
timers_start(Server *s)
{
    struct timeval now = {0, 0};

    T.srv = s;
    T.armed_ms = INT64_MAX;
    T.ev = evtimer_new(s->base, on_wake, NULL);
    O.ev = evtimer_new(s->base, on_outbox_timer, NULL);
    pgpool_listen(s->pool, channels, on_notify, NULL);
    /* The first check fires whatever came due while no minhud was running. */
    evtimer_add(T.ev, &now);
    evtimer_add(O.ev, &now);
}

void
timers_stop(void)
{
    if (T.ev) {
        event_free(T.ev);
        T.ev = NULL;
    }
    if (O.ev) {
        event_free(O.ev);
        O.ev = NULL;
    }
}
