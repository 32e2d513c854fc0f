/*
 * migrate.c — applies the numbered migrations a database lacks, then every
 * repeatable one, each file in its own transaction, under an advisory lock.
 *
 * The statements below are the runner's own bookkeeping (its lock and its
 * table), not application SQL, so they live here rather than in lib/store.
 */
#include "db/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_sync.h"

/* The advisory lock key: "minhu" in ASCII, 0x6d696e6875. */
static const char migrate_lock_sql[] = "SELECT pg_advisory_lock(469920278645)";
static const char migrate_unlock_sql[] = "SELECT pg_advisory_unlock(469920278645)";

static const char migrate_table_sql[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                        " version integer PRIMARY KEY,"
                                        " name text NOT NULL,"
                                        " applied_at timestamptz NOT NULL DEFAULT now())";

static const char migrate_applied_sql[] =
    "SELECT version, name FROM schema_migrations ORDER BY version";

static const char migrate_record_sql[] =
    "INSERT INTO schema_migrations (version, name) VALUES ($1::integer, $2)";

static int
migrate_cmp(const void *a, const void *b)
{
    const Migration *x = *(const Migration *const *) a;
    const Migration *y = *(const Migration *const *) b;

    if (x->version >= 0 && y->version >= 0)
        return (x->version > y->version) - (x->version < y->version);
    if (x->version >= 0 || y->version >= 0)
        return x->version >= 0 ? -1 : 1; /* numbered first */
    return strcmp(x->name, y->name);
}

/* The line of sql that holds character number pos (1-based, as the server
 * counts: characters, not bytes). */
static int
migrate_line_of(const char *sql, int pos)
{
    int line = 1;
    int chars = 0;

    for (size_t i = 0; sql[i] != '\0'; i++) {
        if (((unsigned char) sql[i] & 0xC0) == 0x80)
            continue;
        if (++chars >= pos)
            break;
        if (sql[i] == '\n')
            line++;
    }
    return line;
}

/* Finds version in the recorded rows of res; returns the row or -1. */
static int
migrate_find_row(const PGresult *res, int version)
{
    for (int i = 0; i < PQntuples(res); i++)
        if (atoi(PQgetvalue(res, i, 0)) == version)
            return i;
    return -1;
}

/* Checks the recorded rows against the sorted list.  Returns the highest
 * recorded version through *top. */
static Err
migrate_check_recorded(const PGresult *applied, const Migration *const *order, size_t n, int *top,
                       ErrInfo *ei)
{
    *top = 0;
    for (int i = 0; i < PQntuples(applied); i++) {
        int version = atoi(PQgetvalue(applied, i, 0));
        const char *name = PQgetvalue(applied, i, 1);
        size_t k;

        for (k = 0; k < n && order[k]->version >= 0; k++)
            if (order[k]->version == version)
                break;
        if (k == n || order[k]->version != version)
            return err_set(ei, ERR_INVALID, "",
                           "database has migration %d (%s), which this build does not know: "
                           "use a newer build",
                           version, name);
        if (strcmp(order[k]->name, name) != 0)
            return err_set(ei, ERR_INVALID, "",
                           "migration %d was applied as \"%s\" but this build calls it \"%s\"",
                           version, name, order[k]->name);
        if (version > *top)
            *top = version;
    }
    return ERR_OK;
}

/* Applies one file in a transaction, with its schema_migrations row when it
 * is numbered.  On failure the transaction is rolled back and ei names the
 * file and line. */
static Err
migrate_apply(PGconn *conn, const Migration *m, ErrInfo *ei)
{
    Err rc;
    int pos = 0;
    char version[16];
    const char *params[2];
    ErrInfo inner;

    err_clear(&inner);
    rc = db_sync_begin(conn, &inner);
    if (rc != ERR_OK)
        goto done;
    rc = db_sync_script(conn, m->sql, &pos, &inner);
    if (rc != ERR_OK)
        goto done;
    if (m->version >= 0) {
        snprintf(version, sizeof version, "%d", m->version);
        params[0] = version;
        params[1] = m->name;
        rc = db_sync_exec(conn, migrate_record_sql, 2, params, NULL, &inner);
        if (rc != ERR_OK)
            goto done;
    }
    rc = db_sync_commit(conn, &inner);
done:
    if (rc != ERR_OK) {
        db_sync_rollback(conn);
        if (pos > 0)
            err_set(ei, rc, inner.field, "migration %s failed at line %d: %s", m->name,
                    migrate_line_of(m->sql, pos), inner.message);
        else
            err_set(ei, rc, inner.field, "migration %s failed: %s", m->name, inner.message);
    }
    return rc;
}

Err
migrate_run(PGconn *conn, const Migration *list, size_t n, MigrateNotify notify, void *arg,
            MigrateResult *res, ErrInfo *ei)
{
    Err rc = ERR_OK;
    const Migration **order = NULL; /* owned array of borrowed rows */
    PGresult *applied = NULL;
    int locked = 0;
    MigrateResult sum = {0, 0, 0};

    order = malloc((n > 0 ? n : 1) * sizeof *order);
    if (order == NULL) {
        rc = err_set(ei, ERR_INTERNAL, "", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = &list[i];
    qsort(order, n, sizeof *order, migrate_cmp);
    for (size_t i = 1; i < n; i++) {
        if (order[i]->version >= 0 && order[i]->version == order[i - 1]->version) {
            rc = err_set(ei, ERR_INVALID, "", "two migrations numbered %d: %s and %s",
                         order[i]->version, order[i - 1]->name, order[i]->name);
            goto done;
        }
    }

    rc = db_sync_exec(conn, migrate_lock_sql, 0, NULL, NULL, ei);
    if (rc != ERR_OK)
        goto done;
    locked = 1;
    rc = db_sync_exec(conn, migrate_table_sql, 0, NULL, NULL, ei);
    if (rc != ERR_OK)
        goto done;
    rc = db_sync_exec(conn, migrate_applied_sql, 0, NULL, &applied, ei);
    if (rc != ERR_OK)
        goto done;
    rc = migrate_check_recorded(applied, order, n, &sum.version, ei);
    if (rc != ERR_OK)
        goto done;

    for (size_t i = 0; i < n; i++) {
        const Migration *m = order[i];

        if (m->version >= 0 && migrate_find_row(applied, m->version) >= 0)
            continue;
        rc = migrate_apply(conn, m, ei);
        if (rc != ERR_OK)
            goto done;
        if (m->version >= 0) {
            sum.applied++;
            if (m->version > sum.version)
                sum.version = m->version;
        } else {
            sum.repeatable++;
        }
        if (notify != NULL)
            notify(m, arg);
    }
done:
    if (locked) {
        db_sync_rollback(conn);
        db_sync_exec(conn, migrate_unlock_sql, 0, NULL, NULL, NULL);
    }
    if (res != NULL)
        *res = sum;
    PQclear(applied);
    free(order);
    return rc;
}
