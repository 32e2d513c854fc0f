/*
 * pgpool.c — the server's PostgreSQL executor: a few non-blocking libpq
 * connections in pipeline mode, each driven by events on its socket.
 *
 * A connection's life: DOWN → CONNECTING (PQconnectPoll steps) → PREPARING
 * (every registry statement prepared in one pipeline) → IDLE ⇄ BUSY.  Any
 * failure sends it back to DOWN; a timer retries.
 *
 * Group commit: when a connection frees up and several *groupable* jobs wait
 * (intakes), up to PGPOOL_GROUP_MAX of them go out in one pipeline with one
 * Sync — one implicit transaction, one WAL flush — and each is completed only
 * after that commit.  If any statement of a group fails, the transaction is
 * rolled back for all of them: the job that failed gets its error, the
 * others go back to the head of the queue to run alone.
 */
#include "db/pgpool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum ConnState {
    CONN_DOWN = 0,
    CONN_CONNECTING,
    CONN_PREPARING,
    CONN_IDLE,
    CONN_BUSY,
} ConnState;

typedef struct PgConn {
    PgPool *pool;
    PGconn *pg;
    ConnState state;
    struct event *ev_read;
    struct event *ev_write;
    struct event *ev_retry;
    int retry_ms;
    PgJob *group[PGPOOL_GROUP_MAX]; /* in flight, BUSY only, in pipeline order */
    int ngroup;
    int gj;            /* index in group of the job whose results are being read */
    int qi;            /* index of that job's statement whose results are being read */
    int nq;            /* PREPARING: statements in the pipeline */
    bool failed_query; /* the pipeline saw an error */
} PgConn;

struct PgPool {
    struct event_base *base;
    char *dsn;
    int size;
    PgConn *conns;
    PgJob *head, *tail; /* waiting for a connection */
    PgJob *fail_head;   /* completed with an error, to call back */
    struct event *ev_fail;
    unsigned long long jobs, failures, reconnects, groups, grouped;
    const char *const *channels; /* LISTENed on every connection */
    PgNotifyCb notify_cb;
    void *notify_arg;
};

static void conn_connect(PgConn *c);
static void conn_down(PgConn *c, const char *why);
static void conn_poll_connect(PgConn *c);
static void pool_kick(PgPool *pool);
static void conn_group_done(PgConn *c);

/* ------------------------------------------------------------------- jobs */

void
pgjob_init(PgJob *job, PgJobCb cb, void *arg)
{
    memset(job, 0, sizeof *job);
    job->cb = cb;
    job->arg = arg;
}

void
pgjob_add(PgJob *job, StmtId stmt, const StoreParams *params)
{
    if (job->n >= PGJOB_MAX)
        return;
    job->stmt[job->n] = stmt;
    job->params[job->n] = params;
    job->n++;
}

void
pgjob_clear(PgJob *job)
{
    job->groupable = false;
    job->solo = false;
    for (int i = 0; i < PGJOB_MAX; i++) {
        PQclear(job->res[i]);
        job->res[i] = NULL;
    }
    job->n = 0;
    job->err = ERR_OK;
    err_clear(&job->ei);
}

static void
job_complete(PgJob *job)
{
    job->next = NULL;
    job->cb(job, job->arg);
}

/* Completes job with err later, from the loop (never inside pgpool_submit). */
static void
job_fail_later(PgPool *pool, PgJob *job, Err err, const char *msg)
{
    job->err = err;
    err_set(&job->ei, err, NULL, "%s", msg);
    pool->failures++;
    job->next = pool->fail_head;
    pool->fail_head = job;
    event_active(pool->ev_fail, 0, 0);
}

static void
on_fail_list(evutil_socket_t fd, short what, void *arg)
{
    PgPool *pool = arg;
    PgJob *list = pool->fail_head;

    pool->fail_head = NULL;
    while (list != NULL) {
        PgJob *next = list->next;

        job_complete(list);
        list = next;
    }
}

/* ------------------------------------------------------------ connections */

static void
conn_events_free(PgConn *c)
{
    if (c->ev_read) {
        event_free(c->ev_read);
        c->ev_read = NULL;
    }
    if (c->ev_write) {
        event_free(c->ev_write);
        c->ev_write = NULL;
    }
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
    conn_connect(arg);
}

static void
conn_down(PgConn *c, const char *why)
{
    PgPool *pool = c->pool;
    PgJob *group[PGPOOL_GROUP_MAX];
    int ngroup = c->ngroup;
    struct timeval tv;

    conn_events_free(c);
    if (c->pg) {
        PQfinish(c->pg);
        c->pg = NULL;
    }
    c->state = CONN_DOWN;
    memcpy(group, c->group, sizeof group);
    c->ngroup = 0;
    /* Whether these committed is unknown: the client is told 503 (a retried
     * intake with its Idempotency-Key finds its ticket if it did). */
    for (int g = 0; g < ngroup; g++) {
        PgJob *job = group[g];

        for (int i = 0; i < PGJOB_MAX; i++) {
            PQclear(job->res[i]);
            job->res[i] = NULL;
        }
        job->err = ERR_UNAVAILABLE;
        err_set(&job->ei, ERR_UNAVAILABLE, NULL, "the database connection was lost");
        pool->failures++;
        job_complete(job);
    }
    /* With no usable connection left, waiting jobs fail now rather than hang. */
    if (pgpool_usable(pool) == 0) {
        while (pool->head != NULL) {
            PgJob *j = pool->head;

            pool->head = j->next;
            job_fail_later(pool, j, ERR_UNAVAILABLE, "the database is unavailable");
        }
        pool->tail = NULL;
    }
    (void) why;
    if (c->retry_ms == 0)
        c->retry_ms = 250;
    else if (c->retry_ms < 4000)
        c->retry_ms *= 2;
    tv.tv_sec = c->retry_ms / 1000;
    tv.tv_usec = (c->retry_ms % 1000) * 1000;
    evtimer_add(c->ev_retry, &tv);
}

static void
conn_flush(PgConn *c)
{
    int rc = PQflush(c->pg);

    if (rc < 0) {
        conn_down(c, "flush failed");
        return;
    }
    if (rc == 1)
        event_add(c->ev_write, NULL);
}

/* Hands every NOTIFY that has arrived to the pool's callback. */
static void
conn_notifies(PgConn *c)
{
    PGnotify *n;

    while (c->pg != NULL && (n = PQnotifies(c->pg)) != NULL) {
        if (c->pool->notify_cb)
            c->pool->notify_cb(n->relname, n->extra, c->pool->notify_arg);
        PQfreemem(n);
    }
}

/* Puts job back at the head of the queue, to run alone. */
static void
requeue_front(PgPool *pool, PgJob *job)
{
    for (int i = 0; i < PGJOB_MAX; i++) {
        PQclear(job->res[i]);
        job->res[i] = NULL;
    }
    job->err = ERR_OK;
    err_clear(&job->ei);
    job->solo = true;
    job->next = pool->head;
    pool->head = job;
    if (pool->tail == NULL)
        pool->tail = job;
}

/*
 * The group's Sync arrived: the transaction committed (no statement failed)
 * or rolled back.  On a rollback of a group, every job that did not fail
 * itself is run again alone (it may well succeed); jobs are re-queued in
 * their original order.
 */
static void
conn_group_done(PgConn *c)
{
    PgPool *pool = c->pool;
    PgJob *group[PGPOOL_GROUP_MAX];
    int ngroup = c->ngroup;
    bool rolled_back = c->failed_query && ngroup > 1;

    memcpy(group, c->group, sizeof group);
    c->ngroup = 0;
    c->state = CONN_IDLE;
    if (rolled_back)
        for (int g = ngroup - 1; g >= 0; g--)
            if (group[g]->err == ERR_OK)
                requeue_front(pool, group[g]);
    for (int g = 0; g < ngroup; g++) {
        if (rolled_back && group[g]->err == ERR_OK)
            continue;
        if (group[g]->err != ERR_OK)
            pool->failures++;
        job_complete(group[g]);
    }
    pool_kick(pool);
}

/* Reads every result that has arrived; finishes the pipeline at its Sync. */
static void
conn_read(PgConn *c)
{
    if (!PQconsumeInput(c->pg)) {
        conn_down(c, "read failed");
        return;
    }
    conn_notifies(c);
    while (c->state == CONN_BUSY || c->state == CONN_PREPARING) {
        PGresult *r;
        ExecStatusType st;

        if (PQisBusy(c->pg))
            return;
        r = PQgetResult(c->pg);
        if (r == NULL) {
            /* The end of one statement's results: on to the next statement. */
            if (c->state == CONN_PREPARING) {
                if (c->qi < c->nq)
                    c->qi++;
                else
                    return; /* nothing pending */
            } else if (c->gj < c->ngroup) {
                if (++c->qi >= c->group[c->gj]->n) {
                    c->gj++;
                    c->qi = 0;
                }
            } else {
                return;
            }
            continue;
        }
        st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            if (c->state == CONN_PREPARING) {
                if (c->failed_query) {
                    conn_down(c, "prepare failed");
                    return;
                }
                c->state = CONN_IDLE;
                c->retry_ms = 0;
                pool_kick(c->pool);
            } else {
                conn_group_done(c);
            }
            return;
        }
        if (st == PGRES_FATAL_ERROR || st == PGRES_PIPELINE_ABORTED)
            c->failed_query = true;
        if (c->state == CONN_PREPARING || c->gj >= c->ngroup) {
            PQclear(r);
            continue;
        }
        {
            PgJob *job = c->group[c->gj];

            if (st == PGRES_FATAL_ERROR && job->err == ERR_OK)
                job->err = store_result_error(r, PQstatus(c->pg) == CONNECTION_OK, &job->ei);
            PQclear(job->res[c->qi]);
            job->res[c->qi] = r;
        }
    }
}

static void
on_conn_event(evutil_socket_t fd, short what, void *arg)
{
    PgConn *c = arg;

    switch (c->state) {
    case CONN_CONNECTING:
        conn_poll_connect(c);
        break;
    case CONN_PREPARING:
    case CONN_BUSY:
        if (what & EV_WRITE)
            conn_flush(c);
        if (c->pg != NULL && (what & EV_READ))
            conn_read(c);
        break;
    case CONN_IDLE:
        /* The server spoke unprompted: a notice, or it is closing the connection. */
        if (!PQconsumeInput(c->pg) || PQstatus(c->pg) != CONNECTION_OK) {
            conn_down(c, "connection closed");
            return;
        }
        conn_notifies(c);
        break;
    default:
        break;
    }
}

/* (Re)creates the socket events: the socket can change while connecting. */
static bool
conn_arm(PgConn *c, short read_flags)
{
    int fd = PQsocket(c->pg);

    conn_events_free(c);
    if (fd < 0)
        return false;
    c->ev_read = event_new(c->pool->base, fd, EV_READ | read_flags, on_conn_event, c);
    c->ev_write = event_new(c->pool->base, fd, EV_WRITE, on_conn_event, c);
    return c->ev_read != NULL && c->ev_write != NULL;
}

static void
conn_prepare(PgConn *c)
{
    int n = 0;

    if (PQsetnonblocking(c->pg, 1) != 0 || PQenterPipelineMode(c->pg) != 1) {
        conn_down(c, "cannot enter pipeline mode");
        return;
    }
    for (int i = 0; i < STMT__COUNT; i++) {
        const Stmt *s = store_stmt((StmtId) i);

        if (!s->prepare)
            continue;
        if (!PQsendPrepare(c->pg, s->name, s->sql, s->nparams, NULL)) {
            conn_down(c, "prepare failed");
            return;
        }
        n++;
    }
    for (const char *const *ch = c->pool->channels; ch && *ch; ch++) {
        char sql[96];

        /* Channel names are the caller's static identifiers, never input. */
        snprintf(sql, sizeof sql, "LISTEN %s", *ch);
        if (!PQsendQueryParams(c->pg, sql, 0, NULL, NULL, NULL, NULL, 0)) {
            conn_down(c, "listen failed");
            return;
        }
        n++;
    }
    if (!PQpipelineSync(c->pg) || !conn_arm(c, EV_PERSIST)) {
        conn_down(c, "prepare failed");
        return;
    }
    c->state = CONN_PREPARING;
    c->failed_query = false;
    c->qi = 0;
    c->nq = n;
    event_add(c->ev_read, NULL);
    conn_flush(c);
}

static void
conn_poll_connect(PgConn *c)
{
    switch (PQconnectPoll(c->pg)) {
    case PGRES_POLLING_READING:
        if (!conn_arm(c, 0))
            goto fail;
        event_add(c->ev_read, NULL);
        return;
    case PGRES_POLLING_WRITING:
        if (!conn_arm(c, 0))
            goto fail;
        event_add(c->ev_write, NULL);
        return;
    case PGRES_POLLING_OK:
        conn_prepare(c);
        return;
    default:
        goto fail;
    }
fail:
    conn_down(c, "connect failed");
}

static void
conn_connect(PgConn *c)
{
    /* The session settings every statement relies on come with the startup packet. */
    const char *keys[] = {"dbname", "application_name", "options", NULL};
    const char *vals[] = {c->pool->dsn, "minhud",
                          "-c TimeZone=Asia/Shanghai -c statement_timeout=30s", NULL};

    c->pool->reconnects++;
    c->pg = PQconnectStartParams(keys, vals, 1);
    if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD) {
        conn_down(c, "connect failed");
        return;
    }
    c->state = CONN_CONNECTING;
    conn_poll_connect(c);
}

/* True when every statement of job has the parameter count its registry entry says. */
static bool
job_well_formed(PgJob *job)
{
    for (int i = 0; i < job->n; i++) {
        const Stmt *s = store_stmt(job->stmt[i]);
        int np = job->params[i] ? job->params[i]->n : 0;

        if (np != s->nparams) {
            /* A builder/registry mismatch: a programmer error, refused loudly. */
            job->err = err_set(&job->ei, ERR_INTERNAL, NULL,
                               "statement %s takes %d parameters, got %d", s->name, s->nparams, np);
            return false;
        }
    }
    return true;
}

/* Adds job's statements to c's pipeline; false when one could not be sent. */
static bool
conn_send_job(PgConn *c, PgJob *job)
{
    for (int i = 0; i < job->n; i++) {
        const Stmt *s = store_stmt(job->stmt[i]);
        const StoreParams *p = job->params[i];
        int np = p ? p->n : 0;
        const char *const *vals = p ? p->v : NULL;
        int ok = s->prepare ? PQsendQueryPrepared(c->pg, s->name, np, vals, NULL, NULL, 0)
                            : PQsendQueryParams(c->pg, s->sql, np, NULL, vals, NULL, NULL, 0);

        if (!ok)
            return false;
    }
    return true;
}

/* Sends the jobs group[0..n) on idle connection c in one pipeline and one Sync. */
static void
conn_send(PgConn *c, PgJob **group, int n)
{
    int kept = 0;

    for (int g = 0; g < n; g++) {
        if (job_well_formed(group[g])) {
            group[kept++] = group[g];
        } else {
            char msg[sizeof group[g]->ei.message];

            memcpy(msg, group[g]->ei.message, sizeof msg);
            job_fail_later(c->pool, group[g], group[g]->err, msg);
        }
    }
    if (kept == 0)
        return;
    memcpy(c->group, group, (size_t) kept * sizeof *group);
    c->ngroup = kept;
    c->gj = 0;
    c->qi = 0;
    c->state = CONN_BUSY;
    c->failed_query = false;
    for (int g = 0; g < kept; g++)
        if (!conn_send_job(c, group[g])) {
            /* Nothing sensible can follow a half-sent pipeline: drop the
             * connection; conn_down answers every job of the group. */
            conn_down(c, "send failed");
            return;
        }
    if (!PQpipelineSync(c->pg)) {
        conn_down(c, "send failed");
        return;
    }
    if (kept > 1) {
        c->pool->groups++;
        c->pool->grouped += (unsigned long long) kept;
    }
    conn_flush(c);
}

/* Takes the next job off the queue, with the groupable jobs behind it when it is one. */
static int
take_group(PgPool *pool, PgJob **group)
{
    PgJob *job = pool->head, **link;
    int n = 0;

    pool->head = job->next;
    job->next = NULL;
    group[n++] = job;
    if (job->groupable && !job->solo) {
        int statements = job->n;

        /* Later groupable jobs join it; others keep their place in the queue. */
        for (link = &pool->head; *link != NULL && n < PGPOOL_GROUP_MAX;) {
            PgJob *j = *link;

            if (j->groupable && !j->solo && statements + j->n <= PGPOOL_GROUP_STATEMENTS) {
                *link = j->next;
                j->next = NULL;
                group[n++] = j;
                statements += j->n;
            } else {
                link = &j->next;
            }
        }
    }
    pool->tail = NULL;
    for (PgJob *j = pool->head; j != NULL; j = j->next)
        pool->tail = j;
    return n;
}

static void
pool_kick(PgPool *pool)
{
    for (int i = 0; i < pool->size && pool->head != NULL; i++) {
        PgConn *c = &pool->conns[i];
        PgJob *group[PGPOOL_GROUP_MAX];
        int n;

        if (c->state != CONN_IDLE)
            continue;
        n = take_group(pool, group);
        conn_send(c, group, n);
    }
}

/* ------------------------------------------------------------------- pool */

PgPool *
pgpool_new(struct event_base *base, const char *dsn, int size)
{
    PgPool *pool = calloc(1, sizeof *pool);

    if (pool == NULL)
        return NULL;
    pool->base = base;
    pool->size = size;
    pool->dsn = strdup(dsn);
    pool->conns = calloc((size_t) size, sizeof *pool->conns);
    pool->ev_fail = event_new(base, -1, 0, on_fail_list, pool);
    if (pool->dsn == NULL || pool->conns == NULL || pool->ev_fail == NULL) {
        pgpool_free(pool);
        return NULL;
    }
    for (int i = 0; i < size; i++) {
        PgConn *c = &pool->conns[i];

        c->pool = pool;
        c->ev_retry = evtimer_new(base, on_retry, c);
        if (c->ev_retry == NULL) {
            pgpool_free(pool);
            return NULL;
        }
        conn_connect(c);
    }
    return pool;
}

void
pgpool_free(PgPool *pool)
{
    if (pool == NULL)
        return;
    for (int i = 0; pool->conns != NULL && i < pool->size; i++) {
        PgConn *c = &pool->conns[i];

        if (c->ev_retry) {
            event_free(c->ev_retry);
            c->ev_retry = NULL;
        }
        conn_events_free(c);
        if (c->pg)
            PQfinish(c->pg);
        c->pg = NULL;
        for (int g = 0; g < c->ngroup; g++) {
            c->group[g]->err = err_set(&c->group[g]->ei, ERR_UNAVAILABLE, NULL, "shutting down");
            job_complete(c->group[g]);
        }
        c->ngroup = 0;
    }
    while (pool->head != NULL) {
        PgJob *j = pool->head;

        pool->head = j->next;
        j->err = err_set(&j->ei, ERR_UNAVAILABLE, NULL, "shutting down");
        job_complete(j);
    }
    on_fail_list(-1, 0, pool);
    if (pool->ev_fail)
        event_free(pool->ev_fail);
    free(pool->conns);
    free(pool->dsn);
    free(pool);
}

int
pgpool_usable(const PgPool *pool)
{
    int n = 0;

    for (int i = 0; i < pool->size; i++)
        if (pool->conns[i].state == CONN_IDLE || pool->conns[i].state == CONN_BUSY)
            n++;
    return n;
}

void
pgpool_listen(PgPool *pool, const char *const *channels, PgNotifyCb cb, void *arg)
{
    pool->channels = channels;
    pool->notify_cb = cb;
    pool->notify_arg = arg;
}

void
pgpool_submit(PgPool *pool, PgJob *job)
{
    pool->jobs++;
    job->err = ERR_OK;
    job->next = NULL;
    if (pgpool_usable(pool) == 0) {
        job_fail_later(pool, job, ERR_UNAVAILABLE, "the database is unavailable");
        return;
    }
    if (pool->tail)
        pool->tail->next = job;
    else
        pool->head = job;
    pool->tail = job;
    pool_kick(pool);
}

void
pgpool_stats(const PgPool *pool, PgPoolStats *out)
{
    memset(out, 0, sizeof *out);
    out->jobs = pool->jobs;
    out->failures = pool->failures;
    out->reconnects = pool->reconnects;
    out->groups = pool->groups;
    out->grouped = pool->grouped;
    out->size = pool->size;
    out->usable = pgpool_usable(pool);
    for (PgJob *j = pool->head; j != NULL; j = j->next)
        out->queued++;
    for (int i = 0; i < pool->size; i++)
        if (pool->conns[i].state == CONN_BUSY)
            out->busy++;
}
