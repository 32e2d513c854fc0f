/*
 * pgpool.h — non-blocking PostgreSQL connections driven by a libevent base.
 *
 * A job is up to PGJOB_MAX statements from the store registry, sent in one
 * pipeline with one Sync: one round trip, one implicit transaction (an error
 * in any statement rolls back all of them).  Jobs queue FIFO for the next
 * free connection.  Nothing here blocks the loop: connecting, preparing,
 * sending and reading are all driven by socket events.
 *
 * Connections that fail are retried with a timer; while none is usable,
 * submitted jobs fail at once with ERR_UNAVAILABLE (never a hang).
 */
#ifndef MINHU_DB_PGPOOL_H
#define MINHU_DB_PGPOOL_H

#include <event2/event.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "store/store.h"

#define PGJOB_MAX 16
#define PGPOOL_GROUP_MAX 64         /* jobs committed together at most */
#define PGPOOL_GROUP_STATEMENTS 256 /* statements in one group pipeline at most */

typedef struct PgJob PgJob;
typedef struct PgPool PgPool;

/* Called exactly once per submitted job, from the event loop. */
typedef void (*PgJobCb)(PgJob *job, void *arg);

struct PgJob {
    int n;
    StmtId stmt[PGJOB_MAX];
    const StoreParams *params[PGJOB_MAX]; /* borrowed until the callback */
    PGresult *res[PGJOB_MAX];             /* owned by the job: pgjob_clear() frees them */
    Err err;                              /* ERR_OK, or the first failure */
    ErrInfo ei;
    bool groupable; /* may share a transaction with other groupable jobs (intake) */
    bool solo;      /* private: run alone (after its group rolled back) */
    PgJobCb cb;
    void *arg;
    PgJob *next; /* queue link, private */
};

/* Prepares an empty job whose completion calls cb(job, arg). */
void pgjob_init(PgJob *job, PgJobCb cb, void *arg);

/* Appends a statement; params (may be NULL for none) is borrowed until completion. */
void pgjob_add(PgJob *job, StmtId stmt, const StoreParams *params);

/* Frees the job's results; the job may then be reused. */
void pgjob_clear(PgJob *job);

/*
 * A pool of size connections to dsn (a libpq connection string or URI).
 * Connections start at once, in the background.  Returns a new pool, or
 * NULL on allocation failure.
 */
PgPool *pgpool_new(struct event_base *base, const char *dsn, int size);

/* Closes every connection; queued jobs complete with ERR_UNAVAILABLE first. */
void pgpool_free(PgPool *pool);

/*
 * Calls cb(channel, payload, arg) for every NOTIFY on the channels (a
 * NULL-terminated list of identifiers, borrowed, static) that any connection
 * receives; every connection LISTENs to them from its next (re)connect.
 * Set before the loop runs.
 */
typedef void (*PgNotifyCb)(const char *channel, const char *payload, void *arg);
void pgpool_listen(PgPool *pool, const char *const *channels, PgNotifyCb cb, void *arg);

/* Queues job; its callback runs later, from the loop, exactly once. */
void pgpool_submit(PgPool *pool, PgJob *job);

/* Connections ready to run a statement (idle or busy). */
int pgpool_usable(const PgPool *pool);

typedef struct PgPoolStats {
    unsigned long long jobs, failures, reconnects, groups, grouped;
    int size, usable, queued, busy;
} PgPoolStats;

void pgpool_stats(const PgPool *pool, PgPoolStats *out);

#endif
