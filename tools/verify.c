/*
 * verify.c — `minhu-admin verify` (see verify.h).
 *
 * The recomputation is the database's (minhu_audit_verify() in
 * sql/009_audit.sql, the same minhu_event_hash() the insert trigger uses), so
 * one definition of an event's bytes serves both; this file runs it, prints
 * what it found, and prints a digest of every chain's last hash, which an
 * operator can record elsewhere: a later run with the same events gives the
 * same digest, so even a rewrite that recomputed every hash shows.
 *
 * What this module must not do: change anything (every statement is a
 * read, in one read-only snapshot).
 */
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/err.h"
#include "db/db_sync.h"

const char verify_usage[] =
    "usage: minhu-admin verify [--dsn DSN]\n"
    "\n"
    "Recomputes the hash chain of every ticket's event log: each event's hash\n"
    "must be sha256 of the previous event's hash and the event's content, with\n"
    "no event missing.  Prints one line per ticket whose chain is broken, at\n"
    "its first broken event:\n"
    "\n"
    "  broken ticket=NUMBER id=UUID seq=N problem=\"...\"\n"
    "\n"
    "then, on stderr, how many events and tickets were checked and a digest of\n"
    "every chain's last hash (record it: the same log gives the same digest).\n"
    "Exit status: 0 every chain holds, 1 a chain is broken or the check failed.\n";

/* One snapshot for both statements: the digest matches the chains checked. */
static const char verify_begin_sql[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

static const char verify_broken_sql[] =
    "SELECT coalesce(number, '-'), ticket_id::text, seq, problem FROM minhu_audit_verify()";

static const char verify_totals_sql[] =
    "SELECT count(*), encode(sha256(coalesce(string_agg(hash, ''::bytea ORDER BY ticket_id),"
    " ''::bytea)), 'hex') "
    "FROM (SELECT DISTINCT ON (ticket_id) ticket_id, hash FROM ticket_events"
    "      ORDER BY ticket_id, seq DESC) AS heads";

static const char verify_events_sql[] = "SELECT count(*) FROM ticket_events";

int
verify_run(PGconn *conn)
{
    int status = 1;
    PGresult *broken = NULL, *totals = NULL, *events = NULL;
    ErrInfo ei;

    err_clear(&ei);
    if (db_sync_exec(conn, verify_begin_sql, 0, NULL, NULL, &ei) != ERR_OK ||
        db_sync_exec(conn, verify_broken_sql, 0, NULL, &broken, &ei) != ERR_OK ||
        db_sync_exec(conn, verify_totals_sql, 0, NULL, &totals, &ei) != ERR_OK ||
        db_sync_exec(conn, verify_events_sql, 0, NULL, &events, &ei) != ERR_OK) {
        fprintf(stderr, "minhu-admin: could not verify the event log: %s\n", ei.message);
        goto done;
    }
    for (int i = 0; i < PQntuples(broken); i++)
        printf("broken ticket=%s id=%s seq=%s problem=\"%s\"\n", PQgetvalue(broken, i, 0),
               PQgetvalue(broken, i, 1), PQgetvalue(broken, i, 2), PQgetvalue(broken, i, 3));
    fflush(stdout);
    fprintf(stderr, "checked %s events of %s tickets: %d broken chain%s\nheads digest %s\n",
            PQgetvalue(events, 0, 0), PQgetvalue(totals, 0, 0), PQntuples(broken),
            PQntuples(broken) == 1 ? "" : "s", PQgetvalue(totals, 0, 1));
    status = PQntuples(broken) == 0 ? 0 : 1;
done:
    db_sync_rollback(conn);
    PQclear(broken);
    PQclear(totals);
    PQclear(events);
    return status;
}
