/*
 * minhu-report — the leaders' reports from the command line: the monthly
 * 三率 ranking, accountability (red/black lists, 约谈, the tickets behind the
 * scores), hotspots (每月一题) and overdue tickets, as text, CSV, JSON or one
 * HTML page; and `verify`, which holds the summary the ranking reads to the
 * same figures computed from the raw tables.
 *
 * Never writes to the database: every command runs in one READ ONLY
 * transaction, so --dsn may name a hot standby.  Thin by design: statements
 * come from lib/store/report.c, the arithmetic from lib/core/ranking.c, the
 * documents and formats from lib/report.
 *
 * Exit status: 0 done, 1 the work failed (or verify found a difference),
 * 2 the command line is wrong.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/ranking.h"
#include "core/timeutil.h"
#include "db/db_sync.h"
#include "report/report.h"
#include "store/report.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define REPORT_APP "minhu-report"

static void report_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
report_error(const char *fmt, ...)
{
    va_list ap;

    fputs(REPORT_APP ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ------------------------------------------------------------ command line */

typedef enum OptId {
    OPT_DSN = 0,
    OPT_MONTH,
    OPT_KIND,
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_TOP,
    OPT_UNIT,
    OPT_TICKETS,
    OPT_HELP,
    OPT__COUNT
} OptId;

static const struct {
    const char *name;
    bool takes_value;
} report_options[OPT__COUNT] = {
    [OPT_DSN] = {"dsn", true},       [OPT_MONTH] = {"month", true},
    [OPT_KIND] = {"kind", true},     [OPT_FORMAT] = {"format", true},
    [OPT_OUTPUT] = {"output", true}, [OPT_TOP] = {"top", true},
    [OPT_UNIT] = {"unit", true},     [OPT_TICKETS] = {"tickets", true},
    [OPT_HELP] = {"help", false},
};

typedef struct Args {
    const char *value[OPT__COUNT];
    bool given[OPT__COUNT];
    const char *command;
} Args;

static bool
args_parse(int argc, char **argv, Args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *eq;
        size_t len;
        int id;

        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (a->command != NULL) {
                report_error("unexpected argument \"%s\"", arg);
                return false;
            }
            a->command = arg;
            continue;
        }
        arg += 2;
        eq = strchr(arg, '=');
        len = eq ? (size_t) (eq - arg) : strlen(arg);
        for (id = 0; id < OPT__COUNT; id++)
            if (strlen(report_options[id].name) == len &&
                strncmp(report_options[id].name, arg, len) == 0)
                break;
        if (id == OPT__COUNT) {
            report_error("unknown option \"--%.*s\"", (int) len, arg);
            return false;
        }
        if (a->given[id]) {
            report_error("option \"--%s\" given twice", report_options[id].name);
            return false;
        }
        a->given[id] = true;
        if (!report_options[id].takes_value) {
            if (eq != NULL) {
                report_error("option \"--%s\" takes no value", report_options[id].name);
                return false;
            }
            continue;
        }
        if (eq != NULL)
            a->value[id] = eq + 1;
        else if (i + 1 < argc)
            a->value[id] = argv[++i];
        else {
            report_error("option \"--%s\" needs a value", report_options[id].name);
            return false;
        }
    }
    return true;
}

static const char usage[] =
    "usage: minhu-report [--dsn DSN] COMMAND [OPTIONS]\n"
    "\n"
    "Leaders' reports from a Minhu database (read only: a standby will do).\n"
    "\n"
    "commands:\n"
    "  ranking --month YYYY-MM [--kind KIND] [--format F] [--output FILE]\n"
    "        the monthly 三率 ranking of one kind of unit\n"
    "  accountability --month YYYY-MM [--kind KIND] [--tickets N|all] [--format F]\n"
    "                 [--output FILE]\n"
    "        red and black lists, 约谈 marks, the tickets behind each\n"
    "        black-listed unit's score (with their counts by reason)\n"
    "  hotspots --month YYYY-MM [--top N] [--format F] [--output FILE]\n"
    "        每月一题: categories, areas and addresses by volume and growth\n"
    "  overdue [--unit CODE] [--format F] [--output FILE]\n"
    "        open tickets past a running deadline now\n"
    "  verify --month YYYY-MM\n"
    "        compares the ranking's summary with the same figures computed\n"
    "        from the raw tables, timing both; exit 1 on any difference\n"
    "\n"
    "options:\n"
    "  --kind KIND      district, street (default), department or enterprise\n"
    "  --format F       text (default), csv (UTF-8 with BOM), json or html\n"
    "  --output FILE    write there instead of stdout\n"
    "  --top N          entries per hotspot list (default 10)\n"
    "  --tickets N|all  tickets listed per black-listed unit, the most reasons\n"
    "                   first (default 200; csv: all, by number); the counts\n"
    "                   always cover all of them\n"
    "  --dsn DSN        libpq connection string or URI (default: $MINHU_DSN)\n"
    "  --help           this help\n"
    "\n"
    "Months are Asia/Shanghai calendar months.  Exit status: 0 done, 1 failed,\n"
    "2 wrong command line.\n";

/* ------------------------------------------------------------ database */

typedef struct Ctx {
    PGconn *conn;
    const Args *a;
    char month[8];       /* YYYY-MM */
    char month_day1[11]; /* YYYY-MM-01 */
    const char *kind;
    ReportFormat format;
    int tickets; /* accountability: tickets listed per unit, 0 = all */
} Ctx;

static double
now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs report statement id; *out receives a new result.  Prints on failure. */
static bool
run(Ctx *c, ReportStmtId id, const char *const *params, PGresult **out)
{
    const ReportStmt *st = store_report_stmt(id);
    ErrInfo ei;

    err_clear(&ei);
    if (db_sync_exec(c->conn, st->sql, st->nparams, params, out, &ei) != ERR_OK) {
        report_error("could not read the report data: %s", ei.message);
        return false;
    }
    return true;
}

/* A text[] literal of codes (each quoted), new string to free(). */
static char *
codes_array(const json_t *codes)
{
    size_t i, cap = 3, used = 0;
    json_t *c;
    char *buf;

    json_array_foreach(codes, i, c) cap += 2 * strlen(json_string_value(c)) + 3;
    buf = malloc(cap);
    if (buf == NULL)
        return NULL;
    buf[used++] = '{';
    json_array_foreach(codes, i, c)
    {
        const char *s = json_string_value(c);

        if (i)
            buf[used++] = ',';
        buf[used++] = '"';
        for (; *s; s++) {
            if (*s == '"' || *s == '\\')
                buf[used++] = '\\';
            buf[used++] = *s;
        }
        buf[used++] = '"';
    }
    buf[used++] = '}';
    buf[used] = '\0';
    return buf;
}

/* ------------------------------------------------------------ documents */

/* The ranking document (new reference) or NULL after printing. */
static json_t *
ranking_doc(Ctx *c, RankSettings *s)
{
    PGresult *res = NULL;
    RankUnit *units = NULL;
    size_t n = 0, *order = NULL;
    json_t *doc = NULL;
    const char *params[2] = {c->month_day1, c->kind};
    ErrInfo ei;

    err_clear(&ei);
    if (!run(c, REPORT_RANKING, params, &res))
        goto done;
    if (store_report_ranking_decode(res, &units, &n, s, &ei) != ERR_OK) {
        report_error("%s", ei.message);
        goto done;
    }
    order = calloc(n ? n : 1, sizeof *order);
    if (order == NULL) {
        report_error("out of memory");
        goto done;
    }
    ranking_compute(units, n, s, order);
    doc = report_ranking_json(c->month, c->kind, s, units, n, order);
    if (doc == NULL)
        report_error("out of memory");
done:
    free(order);
    free(units);
    PQclear(res);
    return doc;
}

static json_t *
rate_or_null(int k, int n)
{
    return n > 0 ? json_real(ranking_rate(k, n) / 10000.0) : json_null();
}

/* Adds "trend" (12 months: the city and the black-listed units) to doc. */
static bool
add_trend(Ctx *c, json_t *doc, const RankSettings *s)
{
    PGresult *res = NULL;
    char *codes = NULL, first[32];
    json_t *trend = NULL, *months = NULL, *units = NULL;
    bool ok = false;
    const char *params[2];
    int y, m;

    codes = codes_array(json_object_get(doc, "black_list"));
    trend = json_object();
    months = json_array();
    units = json_object();
    if (codes == NULL || trend == NULL || months == NULL || units == NULL) {
        report_error("out of memory");
        goto done;
    }
    params[0] = c->month_day1;
    params[1] = codes;
    if (!run(c, REPORT_TREND, params, &res))
        goto done;
    /* The 12 months ending with the report's month, oldest first. */
    y = atoi(c->month);
    m = atoi(c->month + 5);
    for (int i = 11; i >= 0; i--) {
        int mm = m - i, yy = y;

        while (mm < 1) {
            mm += 12;
            yy--;
        }
        snprintf(first, sizeof first, "%04d-%02d", yy, mm);
        json_array_append_new(months, json_string(first));
    }
    {
        json_t *city = json_pack("{s:[], s:[], s:[]}", "response", "resolution", "satisfaction");

        json_object_set_new(trend, "city", city);
        for (int r = 0; r < PQntuples(res); r++) {
            const char *mon = PQgetvalue(res, r, 0);
            json_t *series;
            size_t idx = 12;
            int pop = atoi(PQgetvalue(res, r, 2)), resp = atoi(PQgetvalue(res, r, 3));
            int reso = atoi(PQgetvalue(res, r, 4)), good = atoi(PQgetvalue(res, r, 5));
            int basic = atoi(PQgetvalue(res, r, 6));

            for (size_t k = 0; k < 12; k++)
                if (strcmp(json_string_value(json_array_get(months, k)), mon) == 0)
                    idx = k;
            if (idx == 12)
                continue;
            if (PQgetisnull(res, r, 1)) {
                series = city;
            } else {
                series = json_object_get(units, PQgetvalue(res, r, 1));
                if (series == NULL) {
                    series =
                        json_pack("{s:[], s:[], s:[]}", "response", "resolution", "satisfaction");
                    json_object_set_new(units, PQgetvalue(res, r, 1), series);
                }
            }
            /* Fill the series to idx with nulls, then this month. */
            while (json_array_size(json_object_get(series, "response")) < idx) {
                json_array_append_new(json_object_get(series, "response"), json_null());
                json_array_append_new(json_object_get(series, "resolution"), json_null());
                json_array_append_new(json_object_get(series, "satisfaction"), json_null());
            }
            json_array_append_new(json_object_get(series, "response"), rate_or_null(resp, pop));
            json_array_append_new(json_object_get(series, "resolution"), rate_or_null(reso, pop));
            json_array_append_new(json_object_get(series, "satisfaction"),
                                  rate_or_null(good + (s->count_basic ? basic : 0), pop));
        }
    }
    json_object_set(trend, "months", months);
    json_object_set(trend, "units", units);
    json_object_set(doc, "trend", trend);
    ok = true;
done:
    json_decref(trend);
    json_decref(months);
    json_decref(units);
    free(codes);
    PQclear(res);
    return ok;
}

/* Adds the accountability block with the tickets behind the black list. */
static bool
add_accountability(Ctx *c, json_t *doc)
{
    PGresult *res = NULL;
    char *codes = NULL, limit[24];
    json_t *behind = json_object();
    const char *params[3];
    int total;
    bool ok = false;

    codes = codes_array(json_object_get(doc, "black_list"));
    if (codes == NULL || behind == NULL) {
        report_error("out of memory");
        goto done;
    }
    params[0] = c->month_day1;
    params[1] = codes;
    snprintf(limit, sizeof limit, "%d", c->tickets);
    params[2] = c->tickets > 0 ? limit : NULL;
    if (!run(c, REPORT_TICKETS, params, &res))
        goto done;
    /* The unit's counts follow the ticket's columns: "total", then one
     * column per reason, named after it. */
    total = PQfnumber(res, "total");
    if (total < 0) {
        report_error("the tickets behind the figures came without their counts");
        goto done;
    }
    for (int r = 0; r < PQntuples(res); r++) {
        const char *unit = PQgetvalue(res, r, 0);
        json_t *b = json_object_get(behind, unit), *list = json_object_get(b, "tickets");
        json_t *reasons = json_array(), *t;
        char *rs = strdup(PQgetvalue(res, r, 7)), *save = NULL;

        if (b == NULL) {
            /* The unit's first row: its counts, over all its tickets. */
            b = json_pack("{s:I, s:{}, s:[]}", "tickets_total",
                          (json_int_t) strtoll(PQgetvalue(res, r, total), NULL, 10), "reasons",
                          "tickets");
            if (b == NULL || json_object_set_new(behind, unit, b) != 0) {
                json_decref(reasons);
                free(rs);
                report_error("out of memory");
                goto done;
            }
            list = json_object_get(b, "tickets");
            for (int k = total + 1; k < PQnfields(res); k++) {
                json_int_t n = strtoll(PQgetvalue(res, r, k), NULL, 10);

                if (n > 0)
                    json_object_set_new(json_object_get(b, "reasons"), PQfname(res, k),
                                        json_integer(n));
            }
        }
        for (char *p = rs ? strtok_r(rs, ",", &save) : NULL; p; p = strtok_r(NULL, ",", &save))
            json_array_append_new(reasons, json_string(p));
        free(rs);
        t = json_pack("{s:s, s:s, s:s?, s:{s:s, s:s?}, s:s, s:o}", "number", PQgetvalue(res, r, 1),
                      "id", PQgetvalue(res, r, 2), "title",
                      PQgetisnull(res, r, 3) ? NULL : PQgetvalue(res, r, 3), "category", "code",
                      PQgetvalue(res, r, 4), "name",
                      PQgetisnull(res, r, 5) ? NULL : PQgetvalue(res, r, 5), "status",
                      PQgetvalue(res, r, 6), "reasons", reasons);
        if (t == NULL) {
            report_error("out of memory");
            goto done;
        }
        json_object_set_new(t, "callback",
                            PQgetisnull(res, r, 8)
                                ? json_null()
                                : json_pack("{s:b, s:b, s:i}", "contacted",
                                            PQgetvalue(res, r, 8)[0] == 't', "resolved",
                                            PQgetvalue(res, r, 9)[0] == 't', "satisfaction",
                                            atoi(PQgetvalue(res, r, 10))));
        json_array_append_new(list, t);
    }
    if (!report_accountability_add(doc, behind)) {
        report_error("out of memory");
        goto done;
    }
    ok = true;
done:
    json_decref(behind);
    free(codes);
    PQclear(res);
    return ok;
}

/* The hotspot document (new reference) or NULL after printing. */
static json_t *
hotspots_doc(Ctx *c, int top)
{
    static const ReportStmtId stmts[HOTSPOT__COUNT] = {
        [HOTSPOT_CATEGORIES] = REPORT_HOT_CATEGORIES,
        [HOTSPOT_AREAS] = REPORT_HOT_AREAS,
        [HOTSPOT_ADDRESSES] = REPORT_HOT_ADDRESSES,
    };
    PGresult *res[HOTSPOT__COUNT] = {NULL};
    HotspotRows lists[HOTSPOT__COUNT] = {{NULL, 0}};
    json_t *doc = NULL;
    char topbuf[16];
    const char *params[2] = {c->month_day1, topbuf};
    ErrInfo ei;

    err_clear(&ei);
    snprintf(topbuf, sizeof topbuf, "%d", top);
    for (int l = 0; l < HOTSPOT__COUNT; l++) {
        if (!run(c, stmts[l], params, &res[l]))
            goto done;
        if (store_report_hot_decode(res[l], (HotspotList) l, &lists[l], &ei) != ERR_OK) {
            report_error("%s", ei.message);
            goto done;
        }
    }
    doc = report_hotspots_json(c->month, top, lists);
    if (doc == NULL)
        report_error("out of memory");
done:
    for (int l = 0; l < HOTSPOT__COUNT; l++) {
        free(lists[l].rows);
        PQclear(res[l]);
    }
    return doc;
}

static json_t *
overdue_doc(Ctx *c)
{
    PGresult *res = NULL;
    json_t *doc = NULL, *list = NULL, *ok = NULL;
    const char *params[1] = {c->a->value[OPT_UNIT]};
    char buf[40];

    if (!run(c, REPORT_NOW, NULL, &res))
        goto done;
    time_format(strtoll(PQgetvalue(res, 0, 0), NULL, 10), buf, sizeof buf);
    PQclear(res);
    res = NULL;
    doc = json_pack("{s:s, s:s?}", "now", buf, "unit", c->a->value[OPT_UNIT]);
    list = json_array();
    if (doc == NULL || list == NULL)
        goto done;
    if (!run(c, REPORT_OVERDUE, params, &res))
        goto done;
    for (int r = 0; r < PQntuples(res); r++) {
        json_t *t;

        time_format(strtoll(PQgetvalue(res, r, 10), NULL, 10), buf, sizeof buf);
        t = json_pack("{s:s, s:s, s:s, s:{s:s?, s:s?}, s:{s:s, s:s?}, s:s?, s:s, s:s, s:s, "
                      "s:I}",
                      "number", PQgetvalue(res, r, 0), "id", PQgetvalue(res, r, 1), "status",
                      PQgetvalue(res, r, 2), "unit", "code",
                      PQgetisnull(res, r, 3) ? NULL : PQgetvalue(res, r, 3), "name",
                      PQgetisnull(res, r, 4) ? NULL : PQgetvalue(res, r, 4), "category", "code",
                      PQgetvalue(res, r, 5), "name",
                      PQgetisnull(res, r, 6) ? NULL : PQgetvalue(res, r, 6), "title",
                      PQgetisnull(res, r, 7) ? NULL : PQgetvalue(res, r, 7), "urgency",
                      PQgetvalue(res, r, 8), "clock", PQgetvalue(res, r, 9), "due", buf,
                      "overdue_minutes", (json_int_t) strtoll(PQgetvalue(res, r, 11), NULL, 10));
        if (t == NULL)
            goto done;
        json_array_append_new(list, t);
    }
    json_object_set(doc, "tickets", list);
    ok = doc;
    doc = NULL;
done:
    json_decref(doc);
    json_decref(list);
    PQclear(res);
    return ok;
}

/* ------------------------------------------------------------ verify */

/* Compares the summary with the baseline for the month; prints the timings
 * and every difference.  Returns 0 when equal, 1 otherwise. */
static int
verify(Ctx *c)
{
    PGresult *fast = NULL, *base = NULL;
    const char *params[1] = {c->month_day1};
    double t0, t1, t2;
    int status = EXIT_RUNTIME, diffs = 0, units = 0;

    t0 = now_seconds();
    if (!run(c, REPORT_FAST_ALL, params, &fast))
        goto done;
    t1 = now_seconds();
    if (!run(c, REPORT_BASELINE, params, &base))
        goto done;
    t2 = now_seconds();
    /* Both are ordered by unit; rows whose figures are all zero and that
     * have no median are the same as no row. */
    for (int i = 0, j = 0; i < PQntuples(fast) || j < PQntuples(base);) {
        const char *uf = i < PQntuples(fast) ? PQgetvalue(fast, i, 0) : NULL;
        const char *ub = j < PQntuples(base) ? PQgetvalue(base, j, 0) : NULL;
        int cmp = uf == NULL ? 1 : ub == NULL ? -1 : strcmp(uf, ub);
        const PGresult *only = NULL;
        int row = 0;

        if (cmp != 0) {
            only = cmp < 0 ? fast : base;
            row = cmp < 0 ? i++ : j++;
            for (int f = 1; f <= RF__COUNT; f++)
                if (atoi(PQgetvalue(only, row, f)) != 0 || !PQgetisnull(only, row, RF__COUNT + 1)) {
                    printf("unit %s: only in the %s\n", PQgetvalue(only, row, 0),
                           only == fast ? "summary" : "baseline");
                    diffs++;
                    break;
                }
            continue;
        }
        units++;
        for (int f = 1; f <= RF__COUNT + 1; f++) {
            const char *a = PQgetisnull(fast, i, f) ? "null" : PQgetvalue(fast, i, f);
            const char *b = PQgetisnull(base, j, f) ? "null" : PQgetvalue(base, j, f);

            if (strcmp(a, b) != 0) {
                printf("unit %s: %s is %s in the summary, %s in the raw tables\n", uf,
                       f <= RF__COUNT ? report_figure_name((ReportFigure) (f - 1))
                                      : "median_handling_hours",
                       a, b);
                diffs++;
            }
        }
        i++;
        j++;
    }
    /* The tickets behind the figures, for every unit of the month. */
    {
        json_t *codes = json_array();
        char *arr = NULL;
        const char *p2[3] = {c->month_day1, NULL, NULL}; /* every ticket */
        PGresult *mk = NULL, *raw = NULL;
        double t3, t4, t5;
        int nt = 0;

        for (int i = 0; i < PQntuples(base); i++)
            json_array_append_new(codes, json_string(PQgetvalue(base, i, 0)));
        arr = codes_array(codes);
        json_decref(codes);
        p2[1] = arr;
        t3 = now_seconds();
        if (arr == NULL || !run(c, REPORT_TICKETS, p2, &mk)) {
            free(arr);
            goto done;
        }
        t4 = now_seconds();
        if (!run(c, REPORT_TICKETS_RAW, p2, &raw)) {
            free(arr);
            PQclear(mk);
            goto done;
        }
        t5 = now_seconds();
        free(arr);
        for (int i = 0; i < PQntuples(mk) || i < PQntuples(raw); i++) {
            const char *a = i < PQntuples(mk) ? PQgetvalue(mk, i, 1) : "-";
            const char *b = i < PQntuples(raw) ? PQgetvalue(raw, i, 1) : "-";
            const char *ra = i < PQntuples(mk) ? PQgetvalue(mk, i, 7) : "-";
            const char *rb = i < PQntuples(raw) ? PQgetvalue(raw, i, 7) : "-";
            const char *ua = i < PQntuples(mk) ? PQgetvalue(mk, i, 0) : "-";
            const char *ub = i < PQntuples(raw) ? PQgetvalue(raw, i, 0) : "-";

            if (strcmp(a, b) != 0 || strcmp(ra, rb) != 0 || strcmp(ua, ub) != 0) {
                printf("tickets: %s %s (%s) in the marks, %s %s (%s) in the raw tables\n", ua, a,
                       ra, ub, b, rb);
                if (++diffs > 50)
                    break;
            }
            nt++;
        }
        PQclear(mk);
        PQclear(raw);
        printf("month %s: %d tickets behind the figures; marks %.3f s, raw tables %.3f s\n",
               c->month, nt, t4 - t3, t5 - t4);
    }
    printf("month %s: %d units; summary %.3f s, raw tables %.3f s (%.0fx); %s\n", c->month, units,
           t1 - t0, t2 - t1, (t1 - t0) > 0 ? (t2 - t1) / (t1 - t0) : 0.0,
           diffs == 0 ? "identical" : "DIFFERENT");
    status = diffs == 0 ? 0 : EXIT_RUNTIME;
done:
    PQclear(fast);
    PQclear(base);
    return status;
}

/* ------------------------------------------------------------ main */

static int
emit(const Ctx *c, const json_t *doc, ReportKind k)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len), *out = NULL;
    int status = EXIT_RUNTIME;
    const char *path = c->a->value[OPT_OUTPUT];
    ErrInfo ei;

    err_clear(&ei);
    if (mem == NULL) {
        report_error("out of memory");
        goto done;
    }
    if (report_render(mem, doc, k, c->format, &ei) != ERR_OK) {
        report_error("%s", ei.message);
        fclose(mem);
        goto done;
    }
    if (fclose(mem) != 0) {
        report_error("out of memory");
        goto done;
    }
    out = path ? fopen(path, "wb") : stdout;
    if (out == NULL) {
        report_error("could not open file \"%s\": %s", path, strerror(errno));
        goto done;
    }
    if (fwrite(buf, 1, len, out) != len || fflush(out) != 0) {
        report_error("could not write %s: %s", path ? path : "stdout", strerror(errno));
        goto done;
    }
    status = 0;
done:
    if (out != NULL && out != stdout && fclose(out) != 0 && status == 0) {
        report_error("could not write file \"%s\": %s", path, strerror(errno));
        status = EXIT_RUNTIME;
    }
    free(buf);
    return status;
}

/* Which options each command takes besides --dsn and --help. */
typedef struct Command {
    const char *name;
    unsigned options;
    bool needs_month;
    ReportKind kind;
} Command;

#define B(o) (1u << (o))

static const Command commands[] = {
    {"ranking", B(OPT_MONTH) | B(OPT_KIND) | B(OPT_FORMAT) | B(OPT_OUTPUT), true,
     REPORT_KIND_RANKING},
    {"accountability", B(OPT_MONTH) | B(OPT_KIND) | B(OPT_TICKETS) | B(OPT_FORMAT) | B(OPT_OUTPUT),
     true, REPORT_KIND_ACCOUNTABILITY},
    {"hotspots", B(OPT_MONTH) | B(OPT_TOP) | B(OPT_FORMAT) | B(OPT_OUTPUT), true,
     REPORT_KIND_HOTSPOTS},
    {"overdue", B(OPT_UNIT) | B(OPT_FORMAT) | B(OPT_OUTPUT), false, REPORT_KIND_OVERDUE},
    {"verify", B(OPT_MONTH), true, REPORT_KIND_RANKING},
};

static int
usage_error(void)
{
    fputs("Try \"minhu-report --help\" for more information.\n", stderr);
    return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
    Args a;
    Ctx c;
    const Command *cmd = NULL;
    const char *dsn;
    json_t *doc = NULL;
    RankSettings settings;
    int status = EXIT_RUNTIME, fmt, top = REPORT_HOT_TOP_DEFAULT;
    ErrInfo ei;

    memset(&c, 0, sizeof c);
    err_clear(&ei);
    if (!args_parse(argc, argv, &a))
        return usage_error();
    if (a.given[OPT_HELP] || (a.command != NULL && strcmp(a.command, "help") == 0)) {
        fputs(usage, stdout);
        return 0;
    }
    if (a.command == NULL) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, a.command) == 0)
            cmd = &commands[i];
    if (cmd == NULL) {
        report_error("unknown command \"%s\"", a.command);
        return usage_error();
    }
    for (int id = 0; id < OPT__COUNT; id++)
        if (a.given[id] && id != OPT_DSN && id != OPT_HELP && !(cmd->options & B(id))) {
            report_error("option \"--%s\" does not apply to %s", report_options[id].name,
                         cmd->name);
            return usage_error();
        }
    c.a = &a;
    if (cmd->needs_month) {
        if (!a.given[OPT_MONTH]) {
            report_error("%s needs --month YYYY-MM", cmd->name);
            return usage_error();
        }
        if (!report_month_valid(a.value[OPT_MONTH])) {
            report_error("invalid month \"%s\" (expected YYYY-MM)", a.value[OPT_MONTH]);
            return usage_error();
        }
        snprintf(c.month, sizeof c.month, "%s", a.value[OPT_MONTH]);
        snprintf(c.month_day1, sizeof c.month_day1, "%s-01", c.month);
    }
    c.kind = a.given[OPT_KIND] ? a.value[OPT_KIND] : "street";
    if (!report_kind_rankable(c.kind)) {
        report_error("invalid kind \"%s\" (expected district, street, department or enterprise)",
                     c.kind);
        return usage_error();
    }
    fmt = report_format_parse(a.given[OPT_FORMAT] ? a.value[OPT_FORMAT] : "text");
    if (fmt < 0) {
        report_error("invalid format \"%s\" (expected text, csv, json or html)",
                     a.value[OPT_FORMAT]);
        return usage_error();
    }
    c.format = (ReportFormat) fmt;
    if (a.given[OPT_TOP]) {
        top = report_hot_top_parse(a.value[OPT_TOP]);
        if (top < 0) {
            report_error("invalid --top \"%s\" (expected 1 to %d)", a.value[OPT_TOP],
                         REPORT_HOT_TOP_MAX);
            return usage_error();
        }
    }
    c.tickets = c.format == REPORT_FORMAT_CSV ? 0 : REPORT_TICKETS_SHOWN;
    if (a.given[OPT_TICKETS]) {
        c.tickets = strcmp(a.value[OPT_TICKETS], "all") == 0
                        ? 0
                        : report_count_parse(a.value[OPT_TICKETS], REPORT_TICKETS_MAX);
        if (c.tickets < 0) {
            report_error("invalid --tickets \"%s\" (expected 1 to %d or all)", a.value[OPT_TICKETS],
                         REPORT_TICKETS_MAX);
            return usage_error();
        }
    }
    if (a.given[OPT_UNIT] && a.value[OPT_UNIT][0] == '\0') {
        report_error("--unit needs a unit code");
        return usage_error();
    }

    dsn = a.value[OPT_DSN] ? a.value[OPT_DSN] : getenv("MINHU_DSN");
    if (dsn == NULL || dsn[0] == '\0') {
        report_error("no database given: use --dsn DSN or set MINHU_DSN");
        return EXIT_USAGE;
    }
    c.conn = db_sync_connect(dsn, REPORT_APP, &ei);
    if (c.conn == NULL) {
        report_error("%s", ei.message);
        goto done;
    }
    /* One snapshot for every statement of the report, and no writes. */
    if (db_sync_exec(c.conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, NULL,
                     &ei) != ERR_OK) {
        report_error("could not start a read-only transaction: %s", ei.message);
        goto done;
    }
    if (strcmp(cmd->name, "verify") == 0) {
        status = verify(&c);
        goto done;
    }
    /* The reports' statements take a second or less: compiling them (JIT,
     * 60 ms to 0.5 s on 10 M tickets) costs more than it saves.  The
     * baseline in verify keeps the server's setting. */
    if (db_sync_exec(c.conn, "SET LOCAL jit = off", 0, NULL, NULL, &ei) != ERR_OK) {
        report_error("%s", ei.message);
        goto done;
    }
    switch (cmd->kind) {
    case REPORT_KIND_RANKING:
    case REPORT_KIND_ACCOUNTABILITY:
        doc = ranking_doc(&c, &settings);
        if (doc == NULL)
            goto done;
        if (cmd->kind == REPORT_KIND_ACCOUNTABILITY && !add_accountability(&c, doc))
            goto done;
        if (c.format == REPORT_FORMAT_HTML && !add_trend(&c, doc, &settings))
            goto done;
        break;
    case REPORT_KIND_HOTSPOTS:
        doc = hotspots_doc(&c, top);
        break;
    case REPORT_KIND_OVERDUE:
        doc = overdue_doc(&c);
        break;
    }
    if (doc == NULL)
        goto done;
    db_sync_rollback(c.conn); /* read only: nothing to commit */
    status = emit(&c, doc, cmd->kind);
done:
    json_decref(doc);
    db_sync_rollback(c.conn);
    db_sync_close(c.conn);
    return status;
}
