/*
 * minhu-admin — administers a Minhu database: applies migrations, creates,
 * revokes and lists API tokens, imports reference data from CSV files.
 *
 * Thin by design: it parses arguments, reads files and the random source,
 * and calls lib/core (CSV), lib/store (statements, row rules) and lib/db
 * (execution, migrations).  It must not hold SQL or validation rules of its
 * own, and it never prints a token except the new one, alone on stdout.
 *
 * Exit status: 0 done, 1 the work failed (nothing was changed by a failed
 * import), 2 the command line is wrong.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/timeutil.h"
#include "db/db_sync.h"
#include "db/migrate.h"
#include "gen.h"
#include "verify.h"
#include "store/reference.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

#define ADMIN_APP "minhu-admin"
#define ADMIN_FILE_MAX (64u * 1024 * 1024)
#define ADMIN_TOKEN_BYTES 32
#define ADMIN_MAX_ARGS 4

/* ------------------------------------------------------------ messages */

static void admin_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr, "minhu-admin: " first. */
static void
admin_error(const char *fmt, ...)
{
    va_list ap;

    fputs(ADMIN_APP ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ------------------------------------------------------------ command line */

/* Every option any command takes; each command says which it accepts. */
typedef enum OptId {
    OPT_DSN = 0,
    OPT_ROLE,
    OPT_NAME,
    OPT_UNIT,
    OPT_HELP,
    OPT_TICKETS, /* gen */
    OPT_MONTHS,
    OPT_SEED,
    OPT_END,
    OPT_LIVE,
    OPT__COUNT
} OptId;

static const struct {
    const char *name;
    bool takes_value;
} admin_options[OPT__COUNT] = {
    [OPT_DSN] = {"dsn", true},       [OPT_ROLE] = {"role", true},
    [OPT_NAME] = {"name", true},     [OPT_UNIT] = {"unit", true},
    [OPT_HELP] = {"help", false},    [OPT_TICKETS] = {"tickets", true},
    [OPT_MONTHS] = {"months", true}, [OPT_SEED] = {"seed", true},
    [OPT_END] = {"end", true},       [OPT_LIVE] = {"live", false},
};

typedef struct Args {
    const char *value[OPT__COUNT]; /* borrowed from argv; NULL when not given */
    bool given[OPT__COUNT];
    const char *pos[ADMIN_MAX_ARGS + 2]; /* positional words, command words included */
    int npos;
} Args;

/*
 * Splits argv into options (--name VALUE, --name=VALUE, --help) and
 * positional words; "--" ends the options.  Returns false after printing the
 * problem.
 */
static bool
admin_parse(int argc, char **argv, Args *a)
{
    bool options = true;

    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq;
        size_t len;
        int id;

        if (options && strcmp(arg, "--") == 0) {
            options = false;
            continue;
        }
        if (!options || strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (a->npos == ADMIN_MAX_ARGS + 2) {
                admin_error("too many arguments, starting at \"%s\"", arg);
                return false;
            }
            a->pos[a->npos++] = arg;
            continue;
        }
        arg += 2;
        eq = strchr(arg, '=');
        len = eq != NULL ? (size_t) (eq - arg) : strlen(arg);
        for (id = 0; id < OPT__COUNT; id++)
            if (strlen(admin_options[id].name) == len &&
                strncmp(admin_options[id].name, arg, len) == 0)
                break;
        if (id == OPT__COUNT) {
            admin_error("unknown option \"--%.*s\"", (int) len, arg);
            return false;
        }
        if (a->given[id]) {
            admin_error("option \"--%s\" given twice", admin_options[id].name);
            return false;
        }
        a->given[id] = true;
        if (!admin_options[id].takes_value) {
            if (eq != NULL) {
                admin_error("option \"--%s\" takes no value", admin_options[id].name);
                return false;
            }
            continue;
        }
        if (eq != NULL) {
            a->value[id] = eq + 1;
        } else if (i + 1 < argc) {
            a->value[id] = argv[++i];
        } else {
            admin_error("option \"--%s\" needs a value", admin_options[id].name);
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------ help texts */

static const char admin_usage[] =
    "usage: minhu-admin [--dsn DSN] COMMAND [ARGS]\n"
    "\n"
    "Administers a Minhu database.\n"
    "\n"
    "commands:\n"
    "  migrate                      apply pending migrations (idempotent)\n"
    "  token create --role ROLE --name NAME [--unit CODE]\n"
    "                               create an API token and print it on stdout\n"
    "  token revoke --name NAME     revoke the active tokens called NAME\n"
    "  token list                   list tokens (never their secret)\n"
    "  import KIND FILE.csv         upsert reference data from a CSV file;\n"
    "                               KIND is units, categories, calendar, sla or rules\n"
    "  gen --tickets N [--months M] [--seed S]\n"
    "                               synthetic tickets with their events (demos,\n"
    "                               benchmarks)\n"
    "  verify                       check every ticket's event hash chain\n"
    "\n"
    "options:\n"
    "  --dsn DSN    libpq connection string or URI (default: $MINHU_DSN)\n"
    "  --help       show this help, or a command's help after the command\n"
    "\n"
    "Exit status: 0 done, 1 failed, 2 wrong command line.\n";

static const char admin_usage_migrate[] =
    "usage: minhu-admin migrate [--dsn DSN]\n"
    "\n"
    "Applies the numbered migrations the database lacks, in order, each in its\n"
    "own transaction and recorded in schema_migrations, then re-applies every\n"
    "repeatable (R_) migration.  The migrations are built into this program.\n"
    "Concurrent runs wait for each other; a second run applies nothing new.\n"
    "Prints what it applied on stderr.\n";

static const char admin_usage_token[] =
    "usage: minhu-admin token create --role ROLE --name NAME [--unit CODE] [--dsn DSN]\n"
    "       minhu-admin token revoke --name NAME [--dsn DSN]\n"
    "       minhu-admin token list [--dsn DSN]\n"
    "\n"
    "create   makes a token for ROLE (operator, unit, leader, admin, channel) and\n"
    "         prints it alone on stdout; only its SHA-256 is stored, so it cannot\n"
    "         be shown again.  Role unit needs --unit, the code of an existing unit;\n"
    "         the other roles take no unit.\n"
    "revoke   revokes every active token called NAME; fails when there is none.\n"
    "list     prints id, role, name, unit, created_at and revoked_at, tab-separated.\n";

static const char admin_usage_import[] =
    "usage: minhu-admin import KIND FILE.csv [--dsn DSN]\n"
    "\n"
    "Upserts the rows of a UTF-8 CSV file with a header row (an optional BOM,\n"
    "LF or CRLF, RFC 4180 quoting).  Columns are found by header name; other\n"
    "columns are ignored.  The whole file is one transaction: a bad row aborts\n"
    "it, changes nothing, and is reported with its line and column.\n"
    "\n"
    "  units       code,name,kind,parent   (+ optional population)\n"
    "              kind: center, district, street, community, grid,\n"
    "              department, enterprise; parent empty or an existing unit\n"
    "  categories  code,name,parent\n"
    "  calendar    date,kind               (+ optional name)\n"
    "              date YYYY-MM-DD; kind holiday, or workday on a weekend\n"
    "  sla         category,urgency,clock,limit   (category and urgency may be *)\n"
    "  rules       category,area,unit,priority    (prefixes or *; highest priority wins)\n";

/* ------------------------------------------------------------ helpers */

/* Connects to --dsn or $MINHU_DSN.  Returns a new connection, or NULL after
 * printing why; *status is then the exit status. */
static PGconn *
admin_connect(const Args *a, int *status)
{
    const char *dsn = a->value[OPT_DSN];
    PGconn *conn = NULL;
    ErrInfo ei;

    if (dsn == NULL)
        dsn = getenv("MINHU_DSN");
    if (dsn == NULL || dsn[0] == '\0') {
        admin_error("no database given: use --dsn DSN or set MINHU_DSN");
        *status = EXIT_USAGE;
        return NULL;
    }
    err_clear(&ei);
    conn = db_sync_connect(dsn, ADMIN_APP, &ei);
    if (conn == NULL) {
        admin_error("%s", ei.message);
        *status = EXIT_RUNTIME;
    }
    return conn;
}

/*
 * Reads the whole of path (a regular file or a pipe) into a new buffer to
 * free(); NULL after printing why.
 */
static char *
admin_read_file(const char *path, size_t *len)
{
    FILE *f = NULL;
    char *buf = NULL;
    char *ok = NULL;
    size_t cap = 0, used = 0;

    f = fopen(path, "rb");
    if (f == NULL) {
        admin_error("could not open file \"%s\": %s", path, strerror(errno));
        goto done;
    }
    for (;;) {
        size_t got;

        if (used == cap) {
            char *grown;

            if (cap >= ADMIN_FILE_MAX) {
                admin_error("file \"%s\" is too large (more than %u bytes)", path, ADMIN_FILE_MAX);
                goto done;
            }
            cap = cap ? cap * 2 : 65536;
            grown = realloc(buf, cap);
            if (grown == NULL) {
                admin_error("out of memory reading file \"%s\"", path);
                goto done;
            }
            buf = grown;
        }
        got = fread(buf + used, 1, cap - used, f);
        used += got;
        if (got == 0) {
            if (ferror(f)) {
                admin_error("could not read file \"%s\": %s", path, strerror(errno));
                goto done;
            }
            break;
        }
    }
    *len = used;
    ok = buf;
    buf = NULL;
done:
    if (f != NULL)
        fclose(f);
    free(buf);
    return ok;
}

/* ------------------------------------------------------------ migrate */

static void
admin_migrate_notify(const Migration *m, void *arg)
{
    if (m->version >= 0)
        fprintf(stderr, "applied migration %s\n", m->name);
    else
        fprintf(stderr, "applied repeatable migration %s\n", m->name);
}

static int
cmd_migrate(const Args *a)
{
    int status = EXIT_RUNTIME;
    PGconn *conn = NULL;
    MigrateResult res;
    ErrInfo ei;

    err_clear(&ei);
    conn = admin_connect(a, &status);
    if (conn == NULL)
        goto done;
    if (migrate_run(conn, migrate_embedded, migrate_embedded_count, admin_migrate_notify, NULL,
                    &res, &ei) != ERR_OK) {
        admin_error("%s", ei.message);
        goto done;
    }
    if (res.applied == 0)
        fprintf(stderr, "database is up to date at migration %d\n", res.version);
    else
        fprintf(stderr, "database is now at migration %d (%d applied)\n", res.version, res.applied);
    status = 0;
done:
    db_sync_close(conn);
    return status;
}

/* ------------------------------------------------------------ tokens */

/* Writes the base64url text (no padding) of in[0..n) into out, which holds
 * at least 4 * ((n + 2) / 3) + 1 bytes. */
static void
admin_base64url(const unsigned char *in, size_t n, char *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;

    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned) in[i] << 16;

        if (i + 1 < n)
            v |= (unsigned) in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = alphabet[(v >> 6) & 63];
        if (i + 2 < n)
            out[o++] = alphabet[v & 63];
    }
    out[o] = '\0';
}

/* Fills buf with n bytes from getrandom(2).  Returns false after printing
 * why. */
static bool
admin_random(unsigned char *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);

        if (r < 0) {
            if (errno == EINTR)
                continue;
            admin_error("could not get random bytes: %s", strerror(errno));
            return false;
        }
        got += (size_t) r;
    }
    return true;
}

static int
cmd_token_create(const Args *a)
{
    int status = EXIT_RUNTIME;
    PGconn *conn = NULL;
    PGresult *res = NULL;
    const StoreRefStmt *st;
    unsigned char raw[ADMIN_TOKEN_BYTES];
    char token[3 + 4 * ((ADMIN_TOKEN_BYTES + 2) / 3) + 1];
    const char *params[4];
    ErrInfo ei;

    err_clear(&ei);
    if (!a->given[OPT_ROLE] || !a->given[OPT_NAME]) {
        admin_error("token create needs --role ROLE and --name NAME");
        status = EXIT_USAGE;
        goto done;
    }
    if (store_ref_token_check(a->value[OPT_ROLE], a->value[OPT_NAME], a->value[OPT_UNIT], &ei) !=
        ERR_OK) {
        if (strcmp(ei.field, "unit") == 0 && ei.code == ERR_MISSING)
            admin_error("--role unit needs --unit CODE");
        else
            admin_error("--%s: %s", ei.field, ei.message);
        status = EXIT_USAGE;
        goto done;
    }
    conn = admin_connect(a, &status);
    if (conn == NULL)
        goto done;
    if (a->value[OPT_UNIT] != NULL) {
        st = store_ref_stmt(REF_UNIT_EXISTS);
        params[0] = a->value[OPT_UNIT];
        if (db_sync_exec(conn, st->sql, st->nparams, params, &res, &ei) != ERR_OK) {
            admin_error("could not look up unit \"%s\": %s", a->value[OPT_UNIT], ei.message);
            goto done;
        }
        if (PQntuples(res) == 0) {
            admin_error("unit \"%s\" does not exist", a->value[OPT_UNIT]);
            goto done;
        }
        PQclear(res);
        res = NULL;
    }
    if (!admin_random(raw, sizeof raw))
        goto done;
    memcpy(token, "mh_", 3);
    admin_base64url(raw, sizeof raw, token + 3);
    st = store_ref_stmt(REF_TOKEN_CREATE);
    params[0] = token;
    params[1] = a->value[OPT_ROLE];
    params[2] = a->value[OPT_NAME];
    params[3] = a->value[OPT_UNIT];
    if (db_sync_exec(conn, st->sql, st->nparams, params, &res, &ei) != ERR_OK) {
        admin_error("could not create token: %s", ei.message);
        goto done;
    }
    if (printf("%s\n", token) < 0 || fflush(stdout) != 0) {
        admin_error("could not write the token to stdout: %s", strerror(errno));
        goto done;
    }
    fprintf(stderr, "created token %s for role %s, name \"%s\"%s%s\n", PQgetvalue(res, 0, 0),
            a->value[OPT_ROLE], a->value[OPT_NAME], a->value[OPT_UNIT] ? ", unit " : "",
            a->value[OPT_UNIT] ? a->value[OPT_UNIT] : "");
    status = 0;
done:
    memset(raw, 0, sizeof raw);
    memset(token, 0, sizeof token);
    PQclear(res);
    db_sync_close(conn);
    return status;
}

static int
cmd_token_revoke(const Args *a)
{
    int status = EXIT_RUNTIME;
    PGconn *conn = NULL;
    PGresult *res = NULL;
    const StoreRefStmt *st = store_ref_stmt(REF_TOKEN_REVOKE);
    const char *params[1];
    long n;
    ErrInfo ei;

    err_clear(&ei);
    if (!a->given[OPT_NAME]) {
        admin_error("token revoke needs --name NAME");
        status = EXIT_USAGE;
        goto done;
    }
    conn = admin_connect(a, &status);
    if (conn == NULL)
        goto done;
    params[0] = a->value[OPT_NAME];
    if (db_sync_exec(conn, st->sql, st->nparams, params, &res, &ei) != ERR_OK) {
        admin_error("could not revoke tokens named \"%s\": %s", a->value[OPT_NAME], ei.message);
        goto done;
    }
    n = strtol(PQcmdTuples(res), NULL, 10);
    if (n == 0) {
        admin_error("no active token named \"%s\"", a->value[OPT_NAME]);
        goto done;
    }
    fprintf(stderr, "revoked %ld token%s named \"%s\"\n", n, n == 1 ? "" : "s", a->value[OPT_NAME]);
    status = 0;
done:
    PQclear(res);
    db_sync_close(conn);
    return status;
}

static int
cmd_token_list(const Args *a)
{
    int status = EXIT_RUNTIME;
    PGconn *conn = NULL;
    PGresult *res = NULL;
    const StoreRefStmt *st = store_ref_stmt(REF_TOKEN_LIST);
    ErrInfo ei;

    err_clear(&ei);
    conn = admin_connect(a, &status);
    if (conn == NULL)
        goto done;
    if (db_sync_exec(conn, st->sql, st->nparams, NULL, &res, &ei) != ERR_OK) {
        admin_error("could not list tokens: %s", ei.message);
        goto done;
    }
    printf("id\trole\tname\tunit\tcreated_at\trevoked_at\n");
    for (int i = 0; i < PQntuples(res); i++) {
        StoreRefToken t;

        store_ref_token_decode(res, i, &t);
        printf("%s\t%s\t%s\t%s\t%s\t%s\n", t.id, t.role, t.name, t.unit ? t.unit : "-",
               t.created_at, t.revoked_at ? t.revoked_at : "-");
    }
    if (fflush(stdout) != 0) {
        admin_error("could not write to stdout: %s", strerror(errno));
        goto done;
    }
    status = 0;
done:
    PQclear(res);
    db_sync_close(conn);
    return status;
}

/* ------------------------------------------------------------ import */

/* What an import is working on, for its messages. */
typedef struct Import {
    const StoreRefImport *kind;
    const char *path;
    PGconn *conn;
    CsvReader csv;
    int col[STORE_REF_MAX_COLUMNS]; /* header index of each kind column, or -1 */
    size_t ncolumns;                /* of the kind */
    size_t nheader;                 /* fields in the header */
    StoreRefKeys keys;
} Import;

/* Maps the kind's columns to header positions.  Returns false after
 * printing the problem. */
static bool
admin_import_header(Import *im)
{
    ErrInfo ei;

    err_clear(&ei);
    switch (csv_next(&im->csv, &ei)) {
    case CSV_RECORD:
        break;
    case CSV_END:
        admin_error("%s: file is empty (expected a header row)", im->path);
        return false;
    case CSV_ERROR:
        admin_error("%s:%zu: %s", im->path, im->csv.error_line, ei.message);
        return false;
    }
    im->nheader = im->csv.nfields;
    for (im->ncolumns = 0; im->kind->columns[im->ncolumns].name != NULL; im->ncolumns++) {
        const StoreRefColumn *c = &im->kind->columns[im->ncolumns];
        int at = csv_find(&im->csv, c->name);

        if (at == CSV_DUPLICATE) {
            admin_error("%s:%zu: column \"%s\" appears more than once in the header", im->path,
                        im->csv.record_line, c->name);
            return false;
        }
        if (at < 0 && c->required) {
            admin_error("%s:%zu: missing column \"%s\" in the header", im->path,
                        im->csv.record_line, c->name);
            return false;
        }
        im->col[im->ncolumns] = at;
    }
    return true;
}

/* Validates and upserts one record.  Returns false after printing. */
static bool
admin_import_row(Import *im)
{
    const char *cells[STORE_REF_MAX_COLUMNS];
    StoreRefRow row;
    size_t line = im->csv.record_line;
    size_t first = 0;
    ErrInfo ei;

    err_clear(&ei);
    memset(&row, 0, sizeof row);
    if (im->csv.nfields != im->nheader) {
        admin_error("%s:%zu: expected %zu fields as in the header, found %zu", im->path, line,
                    im->nheader, im->csv.nfields);
        return false;
    }
    for (size_t i = 0; i < im->ncolumns; i++)
        cells[i] = im->col[i] >= 0 ? csv_field(&im->csv, (size_t) im->col[i]) : NULL;
    if (im->kind->build(cells, &row, &ei) != ERR_OK) {
        if (ei.field[0] != '\0')
            admin_error("%s:%zu: column \"%s\": %s", im->path, line, ei.field, ei.message);
        else
            admin_error("%s:%zu: %s", im->path, line, ei.message);
        return false;
    }
    switch (store_ref_keys_add(&im->keys, row.key, line, &first, &ei)) {
    case ERR_OK:
        break;
    case ERR_CONFLICT:
        admin_error("%s:%zu: %s \"%s\" appears again (first on line %zu)", im->path, line,
                    im->kind->key, row.key, first);
        return false;
    default:
        admin_error("%s:%zu: %s", im->path, line, ei.message);
        return false;
    }
    if (db_sync_exec(im->conn, im->kind->upsert, im->kind->nparams, row.params, NULL, &ei) !=
        ERR_OK) {
        if (ei.field[0] != '\0')
            admin_error("%s:%zu: column \"%s\": %s", im->path, line, ei.field, ei.message);
        else
            admin_error("%s:%zu: %s", im->path, line, ei.message);
        return false;
    }
    return true;
}

/* Runs the kind's checks over the imported rows.  Returns false after
 * printing the first fault (by line) or the error. */
static bool
admin_import_checks(Import *im)
{
    bool ok = false;
    char *array = NULL; /* owned */
    PGresult *res = NULL;
    const char *params[1];
    ErrInfo ei;

    err_clear(&ei);
    if (im->kind->checks[0] == NULL || im->keys.n == 0) {
        ok = true;
        goto done;
    }
    array = store_ref_keys_array(&im->keys);
    if (array == NULL) {
        admin_error("%s: out of memory", im->path);
        goto done;
    }
    params[0] = array;
    for (size_t i = 0; i < STORE_REF_MAX_CHECKS && im->kind->checks[i] != NULL; i++) {
        StoreRefFault fault;

        if (db_sync_exec(im->conn, im->kind->checks[i], 1, params, &res, &ei) != ERR_OK) {
            admin_error("%s: could not check the imported rows: %s", im->path, ei.message);
            goto done;
        }
        if (store_ref_fault_decode(res, &fault)) {
            admin_error("%s:%zu: column \"%s\": %s", im->path,
                        store_ref_keys_line(&im->keys, fault.ordinal), fault.column, fault.message);
            goto done;
        }
        PQclear(res);
        res = NULL;
    }
    ok = true;
done:
    PQclear(res);
    free(array);
    return ok;
}

static int
cmd_import(const Args *a)
{
    static char work[65536]; /* decoded fields of one record */
    int status = EXIT_RUNTIME;
    Import im;
    char *buf = NULL; /* owned */
    size_t len = 0;
    PGresult *res = NULL;
    const StoreRefStmt *st = store_ref_stmt(REF_TABLE_EXISTS);
    const char *params[1];
    bool more = true;
    ErrInfo ei;

    err_clear(&ei);
    memset(&im, 0, sizeof im);
    store_ref_keys_init(&im.keys);
    im.kind = store_ref_import_find(a->pos[1]);
    im.path = a->pos[2];
    if (im.kind == NULL) {
        admin_error("unknown import kind \"%s\" (expected one of units, categories, calendar, "
                    "sla, rules)",
                    a->pos[1]);
        status = EXIT_USAGE;
        goto done;
    }
    if (im.kind->upsert == NULL) {
        admin_error("import of %s is not available in this version", im.kind->kind);
        goto done;
    }
    buf = admin_read_file(im.path, &len);
    if (buf == NULL)
        goto done;
    im.conn = admin_connect(a, &status);
    if (im.conn == NULL)
        goto done;
    status = EXIT_RUNTIME;

    params[0] = im.kind->table;
    if (db_sync_exec(im.conn, st->sql, st->nparams, params, &res, &ei) != ERR_OK) {
        admin_error("could not look up table \"%s\": %s", im.kind->table, ei.message);
        goto done;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        admin_error("table \"%s\" does not exist: run \"minhu-admin migrate\" first",
                    im.kind->table);
        goto done;
    }
    if (db_sync_begin(im.conn, &ei) != ERR_OK) {
        admin_error("could not start a transaction: %s", ei.message);
        goto done;
    }

    csv_init(&im.csv, buf, len, work, sizeof work);
    if (!admin_import_header(&im))
        goto done;
    while (more) {
        switch (csv_next(&im.csv, &ei)) {
        case CSV_RECORD:
            if (!admin_import_row(&im))
                goto done;
            break;
        case CSV_END:
            more = false;
            break;
        case CSV_ERROR:
            admin_error("%s:%zu: %s", im.path, im.csv.error_line, ei.message);
            goto done;
        }
    }
    if (!admin_import_checks(&im))
        goto done;
    if (db_sync_commit(im.conn, &ei) != ERR_OK) {
        admin_error("%s: could not commit the import: %s", im.path, ei.message);
        goto done;
    }
    fprintf(stderr, "imported %zu %s from %s\n", im.keys.n, im.kind->noun, im.path);
    status = 0;
done:
    db_sync_rollback(im.conn);
    PQclear(res);
    db_sync_close(im.conn);
    store_ref_keys_free(&im.keys);
    free(buf);
    return status;
}

/* ------------------------------------------------------------ gen */

static const char admin_usage_gen[] =
    "usage: minhu-admin gen --tickets N [--months M] [--seed S] [--end YYYY-MM-DD] [--live]\n"
    "                       [--dsn DSN]\n"
    "\n"
    "Adds N synthetic tickets, with every event of their history, spread over\n"
    "the last M calendar months (default 12, the current month last) on the\n"
    "loaded units and categories: volumes follow the streets' populations,\n"
    "categories have seasons, a few units are weak, and most tickets end\n"
    "closed with a callback.  Rows go in through COPY in one transaction\n"
    "(with --live, one per day of tickets).\n"
    "\n"
    "  --seed S        the same seed and end day give the same tickets (default 1)\n"
    "  --end DAY       the window ends at 00:00 of DAY (default: today, Asia/Shanghai)\n"
    "  --live          keep the report summary with its trigger, event by event;\n"
    "                  without it a superuser skips triggers and rebuilds the\n"
    "                  summary from the raw tables at the end (much faster)\n";

/* Parses a whole number in [lo, hi]; false when it is not one. */
static bool
admin_number(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0')
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static int
cmd_gen(const Args *a)
{
    int status = EXIT_USAGE;
    PGconn *conn = NULL;
    GenOptions o;
    long long v;

    memset(&o, 0, sizeof o);
    if (!a->given[OPT_TICKETS]) {
        admin_error("gen needs --tickets N");
        goto done;
    }
    if (!admin_number(a->value[OPT_TICKETS], 1, 100000000, &v)) {
        admin_error("--tickets: invalid value \"%s\" (expected 1 to 100000000)",
                    a->value[OPT_TICKETS]);
        goto done;
    }
    o.tickets = v;
    o.months = 12;
    if (a->given[OPT_MONTHS]) {
        if (!admin_number(a->value[OPT_MONTHS], 1, 120, &v)) {
            admin_error("--months: invalid value \"%s\" (expected 1 to 120)", a->value[OPT_MONTHS]);
            goto done;
        }
        o.months = (int) v;
    }
    o.seed = 1;
    if (a->given[OPT_SEED]) {
        if (!admin_number(a->value[OPT_SEED], 0, INT64_MAX, &v)) {
            admin_error("--seed: invalid value \"%s\" (expected a whole number)",
                        a->value[OPT_SEED]);
            goto done;
        }
        o.seed = (uint64_t) v;
    }
    if (a->given[OPT_END]) {
        if (!time_parse_date(a->value[OPT_END], &o.end_day)) {
            admin_error("--end: invalid date \"%s\" (expected YYYY-MM-DD)", a->value[OPT_END]);
            goto done;
        }
    } else {
        o.end_day = calendar_cst_day((int64_t) time(NULL) * 1000);
    }
    o.live = a->given[OPT_LIVE];
    o.dsn = a->value[OPT_DSN] ? a->value[OPT_DSN] : getenv("MINHU_DSN");
    conn = admin_connect(a, &status);
    if (conn == NULL)
        goto done;
    status = gen_run(conn, &o);
done:
    db_sync_close(conn);
    return status;
}

/* ------------------------------------------------------------ dispatch */

typedef struct Command {
    const char *word;    /* first positional word */
    const char *subword; /* second one, or NULL */
    int nargs;           /* positional words after the command words */
    unsigned options;    /* bits of OptId accepted besides --dsn and --help */
    const char *usage;
    int (*run)(const Args *a);
} Command;

/* verify.c does the work; the connection is made here like every command's. */
static int
cmd_verify(const Args *a)
{
    int status = EXIT_RUNTIME;
    PGconn *conn = admin_connect(a, &status);

    if (conn == NULL)
        return status;
    status = verify_run(conn);
    db_sync_close(conn);
    return status;
}

#define OPTBIT(id) (1u << (id))

static const Command admin_commands[] = {
    {"migrate", NULL, 0, 0, admin_usage_migrate, cmd_migrate},
    {"token", "create", 0, OPTBIT(OPT_ROLE) | OPTBIT(OPT_NAME) | OPTBIT(OPT_UNIT),
     admin_usage_token, cmd_token_create},
    {"token", "revoke", 0, OPTBIT(OPT_NAME), admin_usage_token, cmd_token_revoke},
    {"token", "list", 0, 0, admin_usage_token, cmd_token_list},
    {"import", NULL, 2, 0, admin_usage_import, cmd_import},
    {"gen", NULL, 0,
     OPTBIT(OPT_TICKETS) | OPTBIT(OPT_MONTHS) | OPTBIT(OPT_SEED) | OPTBIT(OPT_END) |
         OPTBIT(OPT_LIVE),
     admin_usage_gen, cmd_gen},
    {"verify", NULL, 0, 0, verify_usage, cmd_verify},
};

#define ADMIN_NCOMMANDS (sizeof admin_commands / sizeof admin_commands[0])

/* Prints the usage error and the hint; returns EXIT_USAGE. */
static int
admin_usage_error(const char *word)
{
    fprintf(stderr, "Try \"minhu-admin%s%s --help\" for more information.\n", word ? " " : "",
            word ? word : "");
    return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
    Args a;
    const Command *cmd = NULL;
    bool word_known = false;

    if (!admin_parse(argc, argv, &a))
        return admin_usage_error(NULL);
    if (a.npos == 0 || strcmp(a.pos[0], "help") == 0) {
        if (a.given[OPT_HELP] || (a.npos > 0 && strcmp(a.pos[0], "help") == 0)) {
            fputs(admin_usage, stdout);
            return 0;
        }
        fputs(admin_usage, stderr);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < ADMIN_NCOMMANDS; i++) {
        const Command *c = &admin_commands[i];

        if (strcmp(c->word, a.pos[0]) != 0)
            continue;
        word_known = true;
        if (c->subword == NULL || (a.npos > 1 && strcmp(c->subword, a.pos[1]) == 0)) {
            cmd = c;
            break;
        }
    }
    if (cmd == NULL) {
        if (word_known && a.given[OPT_HELP]) {
            /* "minhu-admin token --help" */
            for (size_t i = 0; i < ADMIN_NCOMMANDS; i++)
                if (strcmp(admin_commands[i].word, a.pos[0]) == 0) {
                    fputs(admin_commands[i].usage, stdout);
                    return 0;
                }
        }
        if (word_known && a.npos == 1)
            admin_error("%s needs a subcommand", a.pos[0]);
        else if (word_known)
            admin_error("unknown %s subcommand \"%s\"", a.pos[0], a.pos[1]);
        else
            admin_error("unknown command \"%s\"", a.pos[0]);
        return admin_usage_error(word_known ? a.pos[0] : NULL);
    }
    if (a.given[OPT_HELP]) {
        fputs(cmd->usage, stdout);
        return 0;
    }
    for (int id = 0; id < OPT__COUNT; id++) {
        if (id == OPT_DSN || id == OPT_HELP || !a.given[id] || (cmd->options & OPTBIT(id)))
            continue;
        admin_error("option \"--%s\" does not apply to %s%s%s", admin_options[id].name, cmd->word,
                    cmd->subword ? " " : "", cmd->subword ? cmd->subword : "");
        return admin_usage_error(cmd->word);
    }
    if (a.npos != (cmd->subword ? 2 : 1) + cmd->nargs) {
        if (cmd->nargs == 0)
            admin_error("%s%s%s takes no arguments", cmd->word, cmd->subword ? " " : "",
                        cmd->subword ? cmd->subword : "");
        else
            admin_error("%s needs %d arguments", cmd->word, cmd->nargs);
        return admin_usage_error(cmd->word);
    }
    return cmd->run(&a);
}
