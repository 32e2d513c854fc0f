/*
 * migrate.h — the migrations runner.
 *
 * A migration is one file of sql/: `NNN_name.sql` is numbered migration NNN,
 * applied once, in number order, and recorded in schema_migrations;
 * `R_name.sql` is repeatable (CREATE OR REPLACE functions and views),
 * applied again at every run, in name order, after the numbered ones.  Each
 * file runs in its own transaction (a numbered one together with its row in
 * schema_migrations), so a failing file leaves the database as the previous
 * file left it.  A file must not hold BEGIN, COMMIT or other transaction
 * control, nor statements that refuse to run in a transaction block.
 *
 * The build embeds every file in migrate_embedded (cmake/embed_sql.cmake, the
 * minhu_migrations library), so a binary carries its own migrations.
 *
 * What this module must not do: read files, or print; the caller is told of
 * each applied file through a callback.
 */
#ifndef MINHU_DB_MIGRATE_H
#define MINHU_DB_MIGRATE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "core/err.h"

typedef struct Migration {
    int version;      /* NNN for a numbered file, -1 for a repeatable one */
    const char *name; /* the file name without ".sql": "001_init", "R_views" */
    const char *sql;  /* the file's bytes, NUL-terminated */
    size_t len;       /* bytes of sql, NUL excluded */
} Migration;

/* The migrations of sql/ at build time: numbered ones by version, then
 * repeatable ones by name.  Defined by the generated file in
 * minhu_migrations. */
extern const Migration migrate_embedded[];
extern const size_t migrate_embedded_count;

/* What a run did. */
typedef struct MigrateResult {
    int applied;    /* numbered migrations applied by this run */
    int repeatable; /* repeatable migrations applied by this run */
    int version;    /* highest numbered migration recorded afterwards, 0 if none */
} MigrateResult;

/* Called after each file is committed; m is borrowed. */
typedef void (*MigrateNotify)(const Migration *m, void *arg);

/*
 * Brings the database of conn up to date with list[0..n) (in any order).
 * Holds a session advisory lock for the whole run, so concurrent runs wait
 * for each other and the second finds nothing to do; creates
 * schema_migrations when it is missing.  notify (may be NULL) is called with
 * arg after each applied file; *res (may be NULL) says what was done.
 *
 * Refused before anything is applied (ERR_INVALID): two files with the same
 * number, a recorded version whose name differs from the file's, a database
 * at a number this list does not know (it was migrated by a newer build).
 * A file the server rejects stops the run (ERR_INVALID or as mapped by
 * db_sync_exec) with a message naming the file and the line in it.
 */
Err migrate_run(PGconn *conn, const Migration *list, size_t n, MigrateNotify notify, void *arg,
                MigrateResult *res, ErrInfo *ei);

#endif
