/*
 * db_sync.c — blocking libpq calls for the CLI tools, with the session set-up
 * and the mapping of server errors (SQLSTATE) to Err in one place.
 */
#include "db/db_sync.h"

#include <stdio.h>
#include <string.h>

/* Run once per connection; constant text, no values. */
static const char db_sync_setup_sql[] = "SET TimeZone = 'Asia/Shanghai';"
                                        "SET client_min_messages = warning";

/* Copies the first line of msg (libpq messages end with a newline and may
 * carry a hint on further lines) into ei with prefix. */
static Err
db_sync_set_first_line(ErrInfo *ei, Err code, const char *prefix, const char *msg)
{
    size_t n;

    if (msg == NULL || msg[0] == '\0')
        msg = "unknown error";
    n = strcspn(msg, "\n");
    return err_set(ei, code, "", "%s%.*s", prefix, (int) n, msg);
}

/* The Err for a failed result's SQLSTATE; conn tells a broken connection. */
static Err
db_sync_map_state(const PGconn *conn, const char *state)
{
    if (PQstatus(conn) == CONNECTION_BAD || state == NULL)
        return ERR_UNAVAILABLE;
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
        strncmp(state, "57P", 3) == 0)
        return ERR_UNAVAILABLE;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "MH409") == 0)
        return ERR_CONFLICT;
    if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0 || strcmp(state, "P0001") == 0)
        return ERR_INVALID;
    return ERR_INTERNAL;
}

/*
 * Checks a result; on failure fills ei from it and returns the mapped Err.
 * res is borrowed (NULL means libpq could not even produce a result).
 */
static Err
db_sync_check(const PGconn *conn, const PGresult *res, ErrInfo *ei)
{
    const char *primary;
    const char *column;
    Err code;

    if (res == NULL)
        return db_sync_set_first_line(ei, ERR_UNAVAILABLE,
                                      "lost the database connection: ", PQerrorMessage(conn));
    switch (PQresultStatus(res)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
        return ERR_OK;
    default:
        break;
    }
    code = db_sync_map_state(conn, PQresultErrorField(res, PG_DIAG_SQLSTATE));
    primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (primary == NULL)
        primary = PQresultErrorMessage(res);
    if (primary == NULL || primary[0] == '\0')
        primary = PQerrorMessage(conn);
    db_sync_set_first_line(ei, code, "", primary);
    column = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
    if (ei != NULL && column != NULL)
        snprintf(ei->field, sizeof ei->field, "%s", column);
    return code;
}

PGconn *
db_sync_connect(const char *dsn, const char *app, ErrInfo *ei)
{
    /* Keywords after "dbname" override the connection string, those before
     * it are defaults it can override. */
    const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname",
                                "client_encoding", NULL};
    const char *const values[] = {"10", app, dsn, "UTF8", NULL};
    PGconn *conn = NULL;
    PGresult *res = NULL;
    PGconn *ok = NULL;

    conn = PQconnectdbParams(keys, values, 1);
    if (conn == NULL) {
        err_set(ei, ERR_UNAVAILABLE, "", "could not connect to the database: out of memory");
        goto done;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        db_sync_set_first_line(ei, ERR_UNAVAILABLE,
                               "could not connect to the database: ", PQerrorMessage(conn));
        goto done;
    }
    res = PQexec(conn, db_sync_setup_sql);
    if (db_sync_check(conn, res, ei) != ERR_OK)
        goto done;
    ok = conn;
    conn = NULL;
done:
    PQclear(res);
    if (conn != NULL)
        PQfinish(conn);
    return ok;
}

void
db_sync_close(PGconn *conn)
{
    if (conn != NULL)
        PQfinish(conn);
}

Err
db_sync_exec(PGconn *conn, const char *sql, int nparams, const char *const *params, PGresult **out,
             ErrInfo *ei)
{
    PGresult *res = NULL;
    Err rc;

    if (out != NULL)
        *out = NULL;
    res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    rc = db_sync_check(conn, res, ei);
    if (rc == ERR_OK && out != NULL) {
        *out = res;
        res = NULL;
    }
    PQclear(res);
    return rc;
}

Err
db_sync_script(PGconn *conn, const char *sql, int *error_pos, ErrInfo *ei)
{
    PGresult *res = NULL;
    Err rc;

    if (error_pos != NULL)
        *error_pos = 0;
    res = PQexec(conn, sql);
    rc = db_sync_check(conn, res, ei);
    if (rc != ERR_OK && res != NULL && error_pos != NULL) {
        const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);

        if (pos != NULL)
            sscanf(pos, "%d", error_pos);
    }
    PQclear(res);
    return rc;
}

Err
db_sync_begin(PGconn *conn, ErrInfo *ei)
{
    return db_sync_exec(conn, "BEGIN", 0, NULL, NULL, ei);
}

Err
db_sync_commit(PGconn *conn, ErrInfo *ei)
{
    PGresult *res = NULL;
    Err rc;

    rc = db_sync_exec(conn, "COMMIT", 0, NULL, &res, ei);
    if (rc != ERR_OK)
        goto done;
    /* COMMIT of a failed transaction "succeeds" as ROLLBACK */
    if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = err_set(ei, ERR_INTERNAL, "", "transaction was rolled back instead of committed");
done:
    PQclear(res);
    return rc;
}

void
db_sync_rollback(PGconn *conn)
{
    PGresult *res = NULL;

    if (conn == NULL || PQtransactionStatus(conn) == PQTRANS_IDLE ||
        PQtransactionStatus(conn) == PQTRANS_UNKNOWN)
        return;
    res = PQexec(conn, "ROLLBACK");
    PQclear(res);
}
