/*
 * db_sync.h — the blocking libpq executor of the CLI tools.
 *
 * Opens a connection set up the way every Minhu session is (UTF8 client
 * encoding, TimeZone Asia/Shanghai, notices below WARNING silenced), runs
 * statements with $n text parameters, and maps failures to the one error
 * type: ERR_UNAVAILABLE when the server cannot be reached or the connection
 * broke, ERR_CONFLICT for serialization failures, deadlocks and MH409,
 * ERR_INVALID for data the server refused (its message), ERR_INTERNAL for
 * anything else (a statement the server does not understand).
 *
 * What this module must not do: run inside minhud's event loop (every call
 * here blocks), or build SQL text; statements come from lib/store (or the
 * migrations) and values travel only as parameters.
 */
#ifndef MINHU_DB_DB_SYNC_H
#define MINHU_DB_DB_SYNC_H

#include <libpq-fe.h>

#include "core/err.h"

/*
 * Connects to dsn (a libpq connection string or URI; application_name
 * defaults to app when dsn sets none) and sets up the session.  Returns a new
 * connection to be closed with db_sync_close, or NULL with ei set
 * (ERR_UNAVAILABLE, libpq's reason in the message).
 */
PGconn *db_sync_connect(const char *dsn, const char *app, ErrInfo *ei);

/* Closes conn (a transaction still open is rolled back by the server).
 * Accepts NULL. */
void db_sync_close(PGconn *conn);

/*
 * Runs one statement, sql with parameters $1..$nparams taken as text from
 * params (a NULL element is SQL NULL; params may be NULL when nparams is 0).
 * On success returns ERR_OK and, when out is not NULL, stores in *out a new
 * result (PGRES_TUPLES_OK or PGRES_COMMAND_OK) that the caller must PQclear;
 * with out NULL the result is cleared here.  On failure *out is NULL and ei
 * holds the mapped error: the server's primary message, and in ei->field the
 * column it names, if any.
 */
Err db_sync_exec(PGconn *conn, const char *sql, int nparams, const char *const *params,
                 PGresult **out, ErrInfo *ei);

/*
 * Runs a script of one or more statements without parameters (the simple
 * query protocol: a migration file).  Errors as db_sync_exec; *error_pos
 * (when not NULL) is then the 1-based character position in sql that the
 * server blamed, or 0.
 */
Err db_sync_script(PGconn *conn, const char *sql, int *error_pos, ErrInfo *ei);

/* Opens a transaction.  Errors as db_sync_exec. */
Err db_sync_begin(PGconn *conn, ErrInfo *ei);

/*
 * Commits the open transaction.  Deferred constraints are checked here, so
 * this can fail like any statement (ERR_INVALID with the server's message);
 * a transaction that had already failed ends rolled back and is reported as
 * ERR_INTERNAL.
 */
Err db_sync_commit(PGconn *conn, ErrInfo *ei);

/* Rolls back the open transaction, if any; errors are ignored (the
 * connection may be gone).  Accepts NULL. */
void db_sync_rollback(PGconn *conn);

#endif
