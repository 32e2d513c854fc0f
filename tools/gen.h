/*
 * gen.h — `minhu-admin gen`: synthetic but realistic tickets, with their
 * whole event history, for demos and benchmarks.
 *
 * Tickets are spread over the past months on the loaded units and
 * categories: volumes follow the streets' populations, categories have
 * seasons and one rising hotspot, a few units are weak (late, less
 * resolved, less satisfied), and every ticket carries the events the real
 * workflow would have written (intake, dispatch, accept, contact, overdue
 * marks, returns, extensions, reply, callback answers, reopens), so that the
 * reports have a story to tell.  Rows go in through COPY.  The same seed on
 * the same end day gives the same tickets.
 */
#ifndef MINHU_TOOLS_GEN_H
#define MINHU_TOOLS_GEN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct GenOptions {
    long long tickets; /* how many */
    int months;        /* the window: this many calendar months, the current one last */
    uint64_t seed;     /* PRNG seed */
    int64_t end_day;   /* the window ends at 00:00 of this day (calendar.h day number) */
    bool live;         /* let the report trigger run per event instead of rebuilding */
    const char *dsn;   /* for a second session loading in parallel; may be NULL */
} GenOptions;

/*
 * Generates o->tickets tickets into the database on conn (a connection set
 * up by db_sync_connect), in one transaction (live: one per day of tickets,
 * as live traffic would commit).  Prints progress and the outcome on
 * stderr.  Returns 0, or 1 after printing why it failed (nothing is then
 * left behind, except the days a live run had committed).
 */
int gen_run(PGconn *conn, const GenOptions *o);

#endif
