/*
 * reference.h — the statements of reference data and API tokens, as the
 * admin tool runs them: CSV import of units, categories and the calendar
 * (one table of import kinds), token creation, revocation and listing.
 *
 * An import kind is data: its header columns, a row builder that validates
 * one CSV row in C (the rules that need no database) and turns it into the
 * upsert's parameters, the upsert, and the checks that must find nothing
 * before the import's transaction commits (missing parents, parent cycles).
 * Adding a kind is adding one row to that table.
 *
 * What this module must not do: execute anything (lib/db does), read files,
 * or build SQL text; values travel only as $n parameters.  Decoded strings
 * are borrowed from the PGresult they come from.
 */
#ifndef MINHU_STORE_REFERENCE_H
#define MINHU_STORE_REFERENCE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define STORE_REF_MAX_COLUMNS 8
#define STORE_REF_MAX_PARAMS 8
#define STORE_REF_MAX_CHECKS 4

/* A header column an import reads. */
typedef struct StoreRefColumn {
    const char *name; /* NULL ends the list */
    bool required;    /* false: used when the file has it */
} StoreRefColumn;

/*
 * One CSV row made ready for the upsert by a kind's builder.  params[i] is
 * borrowed from the row's cells, points into this struct, or is NULL for SQL
 * NULL; key identifies the row within the file (two rows with the same key
 * are refused) and is what the checks receive.
 */
typedef struct StoreRefRow {
    const char *params[STORE_REF_MAX_PARAMS];
    const char *key;
    char keybuf[128];
    char scratch[64];
} StoreRefRow;

/*
 * Validates one row and fills *row.  cells[i] is the text of the kind's
 * columns[i], NULL when that optional column is absent from the file; cells
 * are borrowed and row keeps pointers into them.  Errors: ERR_INVALID with
 * ei->field the column at fault and a message naming the value.
 */
typedef Err (*StoreRefBuild)(const char *const *cells, StoreRefRow *row, ErrInfo *ei);

typedef struct StoreRefImport {
    const char *kind;  /* as on the command line: "units" */
    const char *noun;  /* as in "imported 12 units": "units", "calendar days" */
    const char *table; /* the table the kind fills */
    const char *key;   /* the columns that identify a row: "code" */
    StoreRefColumn columns[STORE_REF_MAX_COLUMNS];
    StoreRefBuild build;
    int nparams; /* of upsert */
    /* INSERT ... ON CONFLICT DO UPDATE of one row; NULL while the kind is not
     * available in this version */
    const char *upsert;
    /* Run after every row is upserted, before COMMIT; NULL ends the list.
     * Each takes $1, the keys of the file's rows as a text[] in file order,
     * and returns at most one row: (ordinal in $1 from 1, column, message). */
    const char *checks[STORE_REF_MAX_CHECKS];
} StoreRefImport;

/* The import kinds, and their number.  Static. */
extern const StoreRefImport store_ref_imports[];
extern const size_t store_ref_imports_count;

/* The kind named name, or NULL.  Borrowed, static. */
const StoreRefImport *store_ref_import_find(const char *name);

/* A fault a check found: the 1-based ordinal of the row in the keys array,
 * the column, and the message (both borrowed from the result). */
typedef struct StoreRefFault {
    size_t ordinal;
    const char *column;
    const char *message;
} StoreRefFault;

/* Decodes a check's result: true and *out filled when it found a fault,
 * false when it found none. */
bool store_ref_fault_decode(const PGresult *res, StoreRefFault *out);

/* ------------------------------------------------------------ row keys */

/*
 * The keys of the rows imported so far, with the line each came from:
 * refuses duplicates and gives the text[] parameter of the checks.
 */
typedef struct StoreRefKeys {
    char **keys;   /* owned copies */
    size_t *lines; /* owned */
    size_t n;
    size_t cap;
    size_t *slots; /* owned open-addressing table of index + 1; 0 is empty */
    size_t nslots;
} StoreRefKeys;

/* Makes k empty.  Free with store_ref_keys_free. */
void store_ref_keys_init(StoreRefKeys *k);

/*
 * Adds key (copied) from line.  Errors: ERR_CONFLICT when key was added
 * before, *first_line then its line; ERR_INTERNAL when out of memory.
 */
Err store_ref_keys_add(StoreRefKeys *k, const char *key, size_t line, size_t *first_line,
                       ErrInfo *ei);

/* The line of the key with 1-based ordinal ord, or 0 when there is none. */
size_t store_ref_keys_line(const StoreRefKeys *k, size_t ord);

/* A new text[] literal of the keys in order ("{\"a\",\"b\"}"), to free();
 * NULL when out of memory. */
char *store_ref_keys_array(const StoreRefKeys *k);

/* Frees what k owns and makes it empty.  Accepts NULL. */
void store_ref_keys_free(StoreRefKeys *k);

/* ---------------------------------------------------- other statements */

typedef enum StoreRefStmtId {
    REF_TABLE_EXISTS = 0, /* $1 table name -> one row, one boolean */
    REF_UNIT_EXISTS,      /* $1 code -> one row when the unit exists */
    REF_TOKEN_CREATE,     /* $1 token, $2 role, $3 name, $4 unit -> id */
    REF_TOKEN_REVOKE,     /* $1 name -> command tuples = tokens revoked */
    REF_TOKEN_LIST,       /* -> rows for store_ref_token_decode */
    REF__COUNT
} StoreRefStmtId;

typedef struct StoreRefStmt {
    const char *sql;
    int nparams;
} StoreRefStmt;

/* The statement id.  Borrowed, static. */
const StoreRefStmt *store_ref_stmt(StoreRefStmtId id);

/*
 * Checks the fields of a new token: role one of operator, unit, leader,
 * admin, channel; name 1-100 characters of UTF-8 without control
 * characters; unit given (a code) exactly when role is unit.  Errors:
 * ERR_INVALID, ERR_MISSING for an absent unit, with ei->field "role",
 * "name" or "unit".
 */
Err store_ref_token_check(const char *role, const char *name, const char *unit, ErrInfo *ei);

/* A row of REF_TOKEN_LIST; strings borrowed from the result, unit and
 * revoked_at NULL when not set, times RFC 3339 in Asia/Shanghai. */
typedef struct StoreRefToken {
    const char *id;
    const char *role;
    const char *name;
    const char *unit;
    const char *created_at;
    const char *revoked_at;
} StoreRefToken;

/* Decodes row of a REF_TOKEN_LIST result into *out. */
void store_ref_token_decode(const PGresult *res, int row, StoreRefToken *out);

#endif
