/*
 * gen.c — synthetic tickets for demos and benchmarks (see gen.h).
 *
 * Each ticket is simulated as the workflow would have moved it: a plan of
 * timed events is drawn from the unit's quality and the category's limits,
 * sorted by time, cut at the end of the window, and replayed into the
 * ticket's projection, so that tickets and events agree (version = number of
 * events, statuses chain from → to, the overdue marks have their events).
 * Rows are written as COPY text, a day of tickets at a time.
 *
 * Limits follow domain.md §4's defaults with working days taken as 24 hours
 * (the data is synthetic).  Open tickets of the last days get their due
 * times but no timer rows: minhud plans timers on a ticket's next action.
 */
#include "gen.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/err.h"
#include "core/uuid7.h"
#include "db/db_sync.h"
#include "store/report.h"

#define GEN_ACTOR "minhu-gen"
#define GEN_MAX_EVENTS 64
#define MINUTE (60LL * 1000)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

/* ------------------------------------------------------------ randomness */

typedef struct Rng {
    uint64_t s[4];
} Rng;

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void
rng_seed(Rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t
rng_next(Rng *r)
{
    uint64_t result = rotl(r->s[1] * 5, 7) * 9, t = r->s[1] << 17;

    r->s[2] ^= r->s[0];
    r->s[3] ^= r->s[1];
    r->s[1] ^= r->s[2];
    r->s[0] ^= r->s[3];
    r->s[2] ^= t;
    r->s[3] = rotl(r->s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double
rng_unit(Rng *r)
{
    return (double) (rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static bool
chance(Rng *r, double p)
{
    return rng_unit(r) < p;
}

static long long
rng_range(Rng *r, long long lo, long long hi) /* [lo, hi] */
{
    return lo + (long long) (rng_next(r) % (uint64_t) (hi - lo + 1));
}

/* Exponential with the given mean, in ms. */
static int64_t
rng_exp(Rng *r, double mean_ms)
{
    return (int64_t) (-log(1.0 - rng_unit(r)) * mean_ms);
}

/* Log-normal with the given median and spread (sigma), in ms. */
static int64_t
rng_lognormal(Rng *r, double median_ms, double sigma)
{
    double u1 = rng_unit(r), u2 = rng_unit(r);
    double z = sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);

    return (int64_t) (median_ms * exp(sigma * z));
}

/* Picks an index by cumulative weights cum[0..n) (cum[n-1] is the total). */
static size_t
pick(Rng *r, const double *cum, size_t n)
{
    double x = rng_unit(r) * cum[n - 1];
    size_t lo = 0, hi = n - 1;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static uint64_t
hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char) *s) * 1099511628211ULL;
    return h;
}

/* ------------------------------------------------------------ reference data */

typedef enum UnitKind { UK_OTHER = 0, UK_DISTRICT, UK_STREET, UK_AREA, UK_DEPT, UK_ENT } UnitKind;

typedef struct Unit {
    char *code, *name, *parent; /* owned */
    UnitKind kind;
    long population;
    double quality; /* 0..1: how well it handles tickets */
    int street;     /* for areas: index of the street above, -1 none */
} Unit;

typedef struct Category {
    char *code, *name, *group, *group_name; /* owned */
    double weight;
    int season_peak; /* month 1..12 of the peak, 0 none */
    double season_amp;
    bool rising;  /* the hotspot that grows over the last months */
    bool utility; /* handled by enterprises */
} Category;

typedef struct Gen {
    const GenOptions *o;
    PGconn *conn;
    PGconn *conn2; /* bulk: a second session for the events, in parallel; may be NULL */
    Rng rng;
    Unit *units;
    size_t nunits;
    Category *cats;
    size_t ncats;
    size_t *streets, nstreets;
    size_t *depts, ndepts;
    size_t *ents, nents;
    size_t *districts, ndistricts;
    size_t **areas; /* per street: its communities and grids */
    size_t *nareas;
    double *street_cum; /* by population */
    double *cat_cum;
    long long token_id;
    long long number_next;
    int64_t start_ms, end_ms; /* the window */
    int start_y, start_m;
    /* output */
    char *tbuf, *ebuf;
    size_t tlen, tcap, elen, ecap;
    long long made, events, open;
    /* bulk: the report figures, computed here as the trigger would have */
    bool own_summary;
    int *figs; /* [months][nunits][RF__COUNT] */
    uint64_t *hkeys;
    uint32_t *hvals;
    size_t hcap, hn;
    char *mbuf;
    size_t mlen, mcap;
} Gen;

static void gen_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
gen_error(const char *fmt, ...)
{
    va_list ap;

    fputs("minhu-admin: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static UnitKind
unit_kind(const char *k)
{
    if (strcmp(k, "district") == 0)
        return UK_DISTRICT;
    if (strcmp(k, "street") == 0)
        return UK_STREET;
    if (strcmp(k, "community") == 0 || strcmp(k, "grid") == 0)
        return UK_AREA;
    if (strcmp(k, "department") == 0)
        return UK_DEPT;
    if (strcmp(k, "enterprise") == 0)
        return UK_ENT;
    return UK_OTHER;
}

static bool
push_index(size_t **arr, size_t *n, size_t v)
{
    size_t *a = realloc(*arr, (*n + 1) * sizeof **arr);

    if (a == NULL)
        return false;
    a[(*n)++] = v;
    *arr = a;
    return true;
}

static int
find_unit(const Gen *g, const char *code)
{
    for (size_t i = 0; i < g->nunits; i++)
        if (strcmp(g->units[i].code, code) == 0)
            return (int) i;
    return -1;
}

static bool
load_reference(Gen *g)
{
    PGresult *res = NULL;
    const ReportStmt *st;
    bool ok = false;
    ErrInfo ei;
    size_t weak_streets;

    err_clear(&ei);
    st = store_report_stmt(REPORT_GEN_UNITS);
    if (db_sync_exec(g->conn, st->sql, 0, NULL, &res, &ei) != ERR_OK) {
        gen_error("could not read the units: %s", ei.message);
        goto done;
    }
    g->nunits = (size_t) PQntuples(res);
    g->units = calloc(g->nunits + 1, sizeof *g->units);
    if (g->units == NULL)
        goto oom;
    for (size_t i = 0; i < g->nunits; i++) {
        Unit *u = &g->units[i];

        u->code = strdup(PQgetvalue(res, (int) i, 0));
        u->kind = unit_kind(PQgetvalue(res, (int) i, 1));
        u->parent = strdup(PQgetvalue(res, (int) i, 2));
        u->population = atol(PQgetvalue(res, (int) i, 3));
        u->name = strdup(PQgetvalue(res, (int) i, 4));
        u->street = -1;
        if (u->code == NULL || u->parent == NULL || u->name == NULL)
            goto oom;
        /* Most units do well; the weak ones are picked below. */
        u->quality = 0.86 + 0.12 * rng_unit(&g->rng);
        if ((u->kind == UK_STREET && !push_index(&g->streets, &g->nstreets, i)) ||
            (u->kind == UK_DEPT && !push_index(&g->depts, &g->ndepts, i)) ||
            (u->kind == UK_ENT && !push_index(&g->ents, &g->nents, i)) ||
            (u->kind == UK_DISTRICT && !push_index(&g->districts, &g->ndistricts, i)))
            goto oom;
    }
    PQclear(res);
    res = NULL;
    if (g->nstreets == 0) {
        gen_error("no active street units are loaded: import units first");
        goto done;
    }
    /* Areas under each street: communities, and grids under those. */
    g->areas = calloc(g->nstreets, sizeof *g->areas);
    g->nareas = calloc(g->nstreets, sizeof *g->nareas);
    g->street_cum = calloc(g->nstreets, sizeof *g->street_cum);
    if (g->areas == NULL || g->nareas == NULL || g->street_cum == NULL)
        goto oom;
    for (size_t k = 0; k < g->nstreets; k++) {
        Unit *s = &g->units[g->streets[k]];

        g->street_cum[k] =
            (k ? g->street_cum[k - 1] : 0) + (s->population > 0 ? s->population : 50000);
    }
    for (size_t i = 0; i < g->nunits; i++) {
        Unit *u = &g->units[i];
        int p = u->kind == UK_AREA ? find_unit(g, u->parent) : -1;

        /* a grid's parent is a community: go one more level up */
        if (p >= 0 && g->units[p].kind == UK_AREA)
            p = find_unit(g, g->units[p].parent);
        if (p < 0 || g->units[p].kind != UK_STREET)
            continue;
        for (size_t k = 0; k < g->nstreets; k++)
            if (g->streets[k] == (size_t) p) {
                u->street = (int) k;
                if (!push_index(&g->areas[k], &g->nareas[k], i))
                    goto oom;
            }
    }
    /* The weak units: about one street in five, one department in six, one
     * enterprise. */
    weak_streets = g->nstreets / 5 + 1;
    for (size_t w = 0; w < weak_streets && g->nstreets > 1; w++)
        g->units[g->streets[rng_range(&g->rng, 0, (long long) g->nstreets - 1)]].quality =
            0.55 + 0.15 * rng_unit(&g->rng);
    for (size_t w = 0; w < g->ndepts / 6 + (g->ndepts > 1); w++)
        g->units[g->depts[rng_range(&g->rng, 0, (long long) g->ndepts - 1)]].quality =
            0.55 + 0.15 * rng_unit(&g->rng);
    if (g->nents > 1)
        g->units[g->ents[rng_range(&g->rng, 0, (long long) g->nents - 1)]].quality =
            0.6 + 0.1 * rng_unit(&g->rng);

    st = store_report_stmt(REPORT_GEN_CATEGORIES);
    if (db_sync_exec(g->conn, st->sql, 0, NULL, &res, &ei) != ERR_OK) {
        gen_error("could not read the categories: %s", ei.message);
        goto done;
    }
    g->ncats = (size_t) PQntuples(res);
    if (g->ncats == 0) {
        gen_error("no active categories are loaded: import categories first");
        goto done;
    }
    g->cats = calloc(g->ncats, sizeof *g->cats);
    g->cat_cum = calloc(g->ncats, sizeof *g->cat_cum);
    if (g->cats == NULL || g->cat_cum == NULL)
        goto oom;
    for (size_t i = 0; i < g->ncats; i++) {
        Category *c = &g->cats[i];

        c->code = strdup(PQgetvalue(res, (int) i, 0));
        c->name = strdup(PQgetvalue(res, (int) i, 1));
        c->group = strdup(PQgetvalue(res, (int) i, 2));
        c->group_name = strdup(PQgetvalue(res, (int) i, 3));
        if (c->code == NULL || c->name == NULL || c->group == NULL || c->group_name == NULL)
            goto oom;
        /* A few categories carry most of the calls (Zipf-like). */
        c->weight = 1.0 / (1.0 + (double) rng_range(&g->rng, 0, (long long) g->ncats)) + 0.02;
        c->utility = strstr(c->group_name, "公用") != NULL && g->nents > 0;
        if (strstr(c->name, "供暖") != NULL || strstr(c->name, "采暖") != NULL) {
            c->season_peak = 1;
            c->season_amp = 0.9;
        } else if (strstr(c->name, "噪声") != NULL || strstr(c->name, "供水") != NULL ||
                   strstr(c->name, "供电") != NULL) {
            c->season_peak = 7;
            c->season_amp = 0.45;
        } else if (chance(&g->rng, 0.3)) {
            c->season_peak = (int) rng_range(&g->rng, 1, 12);
            c->season_amp = 0.3 * rng_unit(&g->rng);
        }
    }
    g->cats[rng_range(&g->rng, 0, (long long) g->ncats - 1)].rising = true;
    ok = true;
    goto done;
oom:
    gen_error("out of memory");
done:
    PQclear(res);
    return ok;
}

static void
free_reference(Gen *g)
{
    for (size_t i = 0; i < g->nunits; i++) {
        free(g->units[i].code);
        free(g->units[i].name);
        free(g->units[i].parent);
    }
    for (size_t i = 0; i < g->ncats; i++) {
        free(g->cats[i].code);
        free(g->cats[i].name);
        free(g->cats[i].group);
        free(g->cats[i].group_name);
    }
    for (size_t k = 0; k < g->nstreets && g->areas; k++)
        free(g->areas[k]);
    free(g->areas);
    free(g->nareas);
    free(g->units);
    free(g->cats);
    free(g->streets);
    free(g->depts);
    free(g->ents);
    free(g->districts);
    free(g->street_cum);
    free(g->cat_cum);
}

/* ------------------------------------------------------------ COPY text */

static bool
buf_grow(char **buf, size_t *cap, size_t need)
{
    char *b;
    size_t c = *cap ? *cap : 1 << 20;

    while (c < need)
        c *= 2;
    if (c == *cap)
        return true;
    b = realloc(*buf, c);
    if (b == NULL)
        return false;
    *buf = b;
    *cap = c;
    return true;
}

typedef struct Out {
    char **buf;
    size_t *len, *cap;
    bool failed;
} Out;

static void
out_raw(Out *o, const char *s, size_t n)
{
    if (o->failed || !buf_grow(o->buf, o->cap, *o->len + n + 1)) {
        o->failed = true;
        return;
    }
    memcpy(*o->buf + *o->len, s, n);
    *o->len += n;
}

/* A COPY text field: NULL as \N, backslash and tab escaped. */
static void
out_field(Out *o, const char *s, bool first)
{
    if (!first)
        out_raw(o, "\t", 1);
    if (s == NULL) {
        out_raw(o, "\\N", 2);
        return;
    }
    for (const char *p = s; *p; p++) {
        if (*p == '\\' || *p == '\t' || *p == '\n' || *p == '\r') {
            char esc[2] = {'\\', *p == '\t' ? 't' : *p == '\n' ? 'n' : *p == '\r' ? 'r' : '\\'};

            out_raw(o, esc, 2);
        } else {
            out_raw(o, p, 1);
        }
    }
}

static void
out_end(Out *o)
{
    out_raw(o, "\n", 1);
}

/* "2026-10-05 13:45:12.123+08" for ms; NULL for TS_NONE (into buf). */
static const char *
ts_text(int64_t ms, char *buf, size_t len)
{
    int y, m, d;
    int64_t day, msd;

    if (ms == INT64_MIN)
        return NULL;
    day = calendar_cst_day(ms);
    msd = calendar_cst_ms_of_day(ms);
    calendar_civil_from_days(day, &y, &m, &d);
    snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%03d+08", y % 10000, m % 100, d % 100,
             (int) (msd / HOUR), (int) (msd / MINUTE % 60), (int) (msd / 1000 % 60),
             (int) (msd % 1000));
    return buf;
}

/* ------------------------------------------------------------ one ticket */

typedef enum Urg { U_EMERGENCY = 0, U_TIMELY, U_NORMAL, U_COMPLEX } Urg;

static const char *const urgency_names[] = {"emergency", "timely", "normal", "complex"};

/* domain.md §4 defaults (working days as 24 h): accept, contact, reply, return window. */
static const int64_t lim_accept[] = {30 * MINUTE, 2 * HOUR, DAY, DAY};
static const int64_t lim_contact[] = {30 * MINUTE, 2 * HOUR, DAY, DAY};
static const int64_t lim_reply[] = {2 * HOUR, DAY, 7 * DAY, 15 * DAY};
static const int64_t lim_return[] = {30 * MINUTE, 2 * HOUR, DAY, DAY};
static const int64_t lim_dispatch[] = {5 * MINUTE, 30 * MINUTE, 2 * HOUR, 2 * HOUR};
#define LIM_CALLBACK DAY

typedef struct Ev {
    int64_t at;
    int order; /* tie-break: plan order */
    const char *action;
    const char *role;
    int unit; /* acting unit index or -1 */
    int to;   /* status index, or -1: unchanged */
    int lead; /* lead after the event (-1 none); -2: unchanged */
    char data[200];
} Ev;

enum {
    S_PENDING = 0,
    S_DISPATCHED,
    S_ACCEPTED,
    S_RETURN_REQUESTED,
    S_REPLIED,
    S_CLOSED,
    S_ANSWERED,
    S_REJECTED,
    S_CANCELLED,
    S__COUNT
};
static const char *const status_names[S__COUNT] = {"pending_dispatch", "dispatched", "accepted",
                                                   "return_requested", "replied",    "closed",
                                                   "answered",         "rejected",   "cancelled"};

typedef struct Plan {
    Ev ev[GEN_MAX_EVENTS];
    int n;
} Plan;

static Ev *
plan_add(Plan *p, int64_t at, const char *action, const char *role, int unit, int to, int lead)
{
    Ev *e;

    if (p->n >= GEN_MAX_EVENTS)
        return NULL;
    e = &p->ev[p->n];
    memset(e, 0, sizeof *e);
    e->at = at;
    e->order = p->n;
    e->action = action;
    e->role = role;
    e->unit = unit;
    e->to = to;
    e->lead = lead;
    p->n++;
    return e;
}

static int
ev_cmp(const void *a, const void *b)
{
    const Ev *x = a, *y = b;

    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->order - y->order;
}

/* The lead unit for a ticket of category c in street k. */
static int
choose_lead(Gen *g, const Category *c, size_t k)
{
    uint64_t h = hash_str(c->group[0] ? c->group : c->code);
    double r = rng_unit(&g->rng);

    if (c->utility && g->nents > 0 && r < 0.85)
        return (int) g->ents[hash_str(c->code) % g->nents];
    if (g->ndepts > 0 && r < 0.32) {
        /* two departments per category group: a city and a district one */
        size_t d = (size_t) ((h + (r < 0.12 ? 1 : 0)) % g->ndepts);

        return (int) g->depts[d];
    }
    if (g->ndistricts > 0 && r > 0.985)
        return (int) g->districts[h % g->ndistricts];
    return (int) g->streets[k];
}

/* Another unit of the same kind as u (for a return to a named unit). */
static int
other_unit(Gen *g, int u)
{
    const size_t *set = g->streets;
    size_t n = g->nstreets;

    if (g->units[u].kind == UK_DEPT) {
        set = g->depts;
        n = g->ndepts;
    } else if (g->units[u].kind == UK_ENT) {
        set = g->ents;
        n = g->nents;
    }
    for (int tries = 0; tries < 8 && n > 1; tries++) {
        int v = (int) set[rng_range(&g->rng, 0, (long long) n - 1)];

        if (v != u)
            return v;
    }
    return g->nstreets > 0 ? (int) g->streets[0] : u;
}

/* The quality of unit u in the month of t: its base plus a monthly drift,
 * so ranks move from month to month. */
static double
quality_at(const Gen *g, int u, int64_t t)
{
    uint64_t h = hash_str(g->units[u].code) ^ (uint64_t) (calendar_cst_day(t) / 30) * 0x9E37ULL;
    double drift = ((double) (h % 1000) / 1000.0 - 0.5) * 0.08;
    double q = g->units[u].quality + drift;

    return q < 0.3 ? 0.3 : q > 1.0 ? 1.0 : q;
}

typedef struct Tk {
    int cat, area_unit, street;
    Urg urg;
    bool anonymous, confidential;
    int64_t created;
} Tk;

/* Handling by lead from t (dispatch time) to the closing callback.
 * Adds events to p; returns false when the plan overflowed. */
static bool
plan_handling(Gen *g, Plan *p, const Tk *tk, int lead, int64_t t, bool may_return)
{
    double q = quality_at(g, lead, t);
    Urg u = tk->urg;
    int64_t accept_due = t + lim_accept[u], return_due = t + lim_return[u];
    int64_t reply_due = t + lim_reply[u], ta, tc, tr, tcb, contact_due;
    int reopens = 0;
    Ev *e;
    char buf[40];

    /* 退单: the unit says "not ours" within the return window. */
    if (may_return && chance(&g->rng, 0.02 + 0.08 * (1.0 - q))) {
        int64_t treq = t + rng_exp(&g->rng, (double) (return_due - t) / 4.0);
        int64_t tap;

        if (treq > return_due - MINUTE)
            treq = return_due - MINUTE;
        if (treq <= t)
            treq = t + MINUTE;
        tap = treq + 5 * MINUTE + rng_exp(&g->rng, 40.0 * MINUTE);
        if (!plan_add(p, treq, "request_return", "unit", lead, S_RETURN_REQUESTED, -2))
            return false;
        if (chance(&g->rng, 0.7)) {
            int next = other_unit(g, lead);

            e = plan_add(p, tap, "approve_return", "operator", -1, S_DISPATCHED, next);
            if (e == NULL)
                return false;
            snprintf(e->data, sizeof e->data, "{\"unit\": \"%s\"}", g->units[next].code);
            return plan_handling(g, p, tk, next, tap, false);
        } else {
            int next = other_unit(g, lead);
            int64_t td = tap + 3 * MINUTE + rng_exp(&g->rng, 20.0 * MINUTE);

            if (!plan_add(p, tap, "approve_return", "operator", -1, S_PENDING, -1))
                return false;
            e = plan_add(p, td, "dispatch", "operator", -1, S_DISPATCHED, next);
            if (e == NULL)
                return false;
            snprintf(e->data, sizeof e->data, "{\"unit\": \"%s\"}", g->units[next].code);
            return plan_handling(g, p, tk, next, td, false);
        }
    }
    /* 签收 */
    ta = t + rng_exp(&g->rng, (double) lim_accept[u] * (0.15 + 0.9 * (1.0 - q)));
    if (chance(&g->rng, 0.6 * (1.0 - q)))
        ta = accept_due + rng_exp(&g->rng, (double) lim_accept[u] * 0.5) + MINUTE;
    if (ta > accept_due) {
        e = plan_add(p, accept_due, "sla_overdue", "system", lead, -1, -2);
        if (e == NULL)
            return false;
        snprintf(e->data, sizeof e->data,
                 "{\"clock\": \"accept\", \"deadline\": \"%s\", \"unit\": \"%s\"}",
                 ts_text(accept_due, buf, sizeof buf), g->units[lead].code);
    }
    if (!plan_add(p, ta, "accept", "unit", lead, S_ACCEPTED, -2))
        return false;
    /* 先行联系 */
    contact_due = ta + lim_contact[u];
    tc = ta;
    if (!tk->anonymous) {
        tc = ta + rng_exp(&g->rng, (double) lim_contact[u] * (0.1 + 0.6 * (1.0 - q)));
        if (chance(&g->rng, 0.7 * (1.0 - q)))
            tc = contact_due + rng_exp(&g->rng, (double) lim_contact[u]) + MINUTE;
        if (tc > contact_due) {
            e = plan_add(p, contact_due, "sla_overdue", "system", lead, -1, -2);
            if (e == NULL)
                return false;
            snprintf(e->data, sizeof e->data,
                     "{\"clock\": \"contact\", \"deadline\": \"%s\", \"unit\": \"%s\"}",
                     ts_text(contact_due, buf, sizeof buf), g->units[lead].code);
        }
        if (!plan_add(p, tc, "contact", "unit", lead, -1, -2))
            return false;
    }
    /* 延期 */
    tr = tc + rng_lognormal(&g->rng, (double) lim_reply[u] * (0.25 + 0.35 * (1.0 - q)), 0.7);
    if (u != U_EMERGENCY && chance(&g->rng, 0.015 + 0.04 * (1.0 - q))) {
        int64_t treq = tc + (reply_due - tc) / 2, tapp = treq + HOUR + rng_exp(&g->rng, 3.0 * HOUR);
        int64_t until = reply_due + lim_reply[u];

        if (treq > tc && tapp < reply_due) {
            e = plan_add(p, treq, "request_extension", "unit", lead, -1, -2);
            if (e == NULL)
                return false;
            snprintf(e->data, sizeof e->data, "{\"until\": \"%s\"}",
                     ts_text(until, buf, sizeof buf));
            if (!plan_add(p, tapp, "approve_extension", "operator", -1, -1, -2))
                return false;
            reply_due = until;
            if (tr < tapp)
                tr = tapp + HOUR;
        }
    }
    if (chance(&g->rng, 0.5 * (1.0 - q)))
        tr = reply_due + rng_exp(&g->rng, (double) lim_reply[u] * 0.4) + MINUTE;
    if (tr <= tc)
        tr = tc + MINUTE;
    for (;;) {
        bool resolved, reopen;
        int sat;
        double rr;

        if (tr > reply_due) {
            e = plan_add(p, reply_due, "sla_overdue", "system", lead, -1, -2);
            if (e == NULL)
                return false;
            snprintf(e->data, sizeof e->data,
                     "{\"clock\": \"reply\", \"deadline\": \"%s\", \"unit\": \"%s\"}",
                     ts_text(reply_due, buf, sizeof buf), g->units[lead].code);
        }
        if (!plan_add(p, tr, "reply", "unit", lead, S_REPLIED, -2))
            return false;
        /* 回访 */
        tcb = tr + 30 * MINUTE + rng_exp(&g->rng, 5.0 * HOUR);
        if (tcb > tr + LIM_CALLBACK && chance(&g->rng, 0.7))
            tcb = tr + LIM_CALLBACK - rng_range(&g->rng, 1, 600) * MINUTE;
        if (tk->anonymous) {
            e = plan_add(p, tcb, "callback", "operator", -1, S_CLOSED, -2);
            if (e == NULL)
                return false;
            snprintf(e->data, sizeof e->data, "{\"reopen\": false}");
            return true;
        }
        resolved = chance(&g->rng, 0.45 + 0.52 * q);
        rr = rng_unit(&g->rng);
        if (resolved)
            sat = rr < 0.45 + 0.3 * q ? 5 : rr < 0.8 + 0.1 * q ? 4 : rr < 0.96 ? 3 : 2;
        else
            sat = rr < 0.05 + 0.1 * q ? 4 : rr < 0.35 ? 3 : rr < 0.7 ? 2 : 1;
        reopen = reopens == 0 && !resolved && sat <= 2 && chance(&g->rng, 0.35);
        e = plan_add(p, tcb, "callback", "operator", -1, reopen ? S_ACCEPTED : S_CLOSED, -2);
        if (e == NULL)
            return false;
        snprintf(e->data, sizeof e->data,
                 "{\"contacted\": %s, \"resolved\": %s, \"satisfaction\": %d, \"reopen\": %s}",
                 (tc <= contact_due ? chance(&g->rng, 0.985) : chance(&g->rng, 0.8)) ? "true"
                                                                                     : "false",
                 resolved ? "true" : "false", sat, reopen ? "true" : "false");
        if (!reopen)
            break;
        /* 重办: a new reply clock from the callback */
        reopens++;
        reply_due = tcb + lim_reply[u];
        tr = tcb + rng_lognormal(&g->rng, (double) lim_reply[u] * 0.3, 0.6);
        if (chance(&g->rng, 0.3 * (1.0 - q)))
            tr = reply_due + HOUR + rng_exp(&g->rng, (double) lim_reply[u] * 0.3);
    }
    /* a reopen by hand within 30 days, rarely */
    if (chance(&g->rng, 0.004)) {
        int64_t tro = tcb + HOUR + rng_exp(&g->rng, 4.0 * DAY);
        int64_t tr2 = tro + rng_lognormal(&g->rng, (double) lim_reply[u] * 0.3, 0.5);

        if (tro < tcb + 30 * DAY) {
            e = plan_add(p, tro, "reopen", "operator", -1, S_ACCEPTED, -2);
            if (e == NULL)
                return false;
            snprintf(e->data, sizeof e->data, "{}");
            if (!plan_add(p, tr2, "reply", "unit", lead, S_REPLIED, -2))
                return false;
            e = plan_add(p, tr2 + 2 * HOUR + rng_exp(&g->rng, 4.0 * HOUR), "callback", "operator",
                         -1, S_CLOSED, -2);
            if (e == NULL)
                return false;
            snprintf(e->data, sizeof e->data,
                     "{\"contacted\": true, \"resolved\": true, \"satisfaction\": %d, "
                     "\"reopen\": false}",
                     chance(&g->rng, 0.7) ? 4 : 3);
        }
    }
    return true;
}

/* The ticket's projection, replayed from its kept events. */
typedef struct Proj {
    int status, prev_status, lead;
    int64_t dispatched, accepted, contacted, replied, closed, cb_at, updated;
    int64_t accept_due, contact_due, reply_due, callback_due, return_due, dispatch_due;
    int64_t dispatch_start;
    int cb_contacted, cb_resolved, cb_sat; /* -1 none */
    int reopen_count, return_count, ext_approved;
    bool ext_requested, unreasonable;
    int64_t ext_until;
    char overdue[64];
} Proj;

static void
proj_mark(Proj *pr, const char *clock)
{
    char want[48];

    snprintf(want, sizeof want, "%s,", clock);
    if (strstr(pr->overdue + 1, want) == NULL && strlen(pr->overdue) + strlen(want) < 63)
        strcat(pr->overdue, want);
}

static const char *
json_str_field(const char *data, const char *key, char *out, size_t len)
{
    char pat[40];
    const char *p, *q;

    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    p = strstr(data, pat);
    if (p == NULL)
        return NULL;
    p += strlen(pat);
    q = strchr(p, '"');
    if (q == NULL || (size_t) (q - p) >= len)
        return NULL;
    memcpy(out, p, (size_t) (q - p));
    out[q - p] = '\0';
    return out;
}

/* ------------------------------------------------------------ writing */

static void
write_ticket(Gen *g, const Tk *tk, const Plan *p, int kept, const char *id, int64_t number,
             const Proj *pr)
{
    Out ot = {&g->tbuf, &g->tlen, &g->tcap, false};
    Out oe = {&g->ebuf, &g->elen, &g->ecap, false};
    const Category *c = &g->cats[tk->cat];
    const Unit *area = &g->units[tk->area_unit];
    char b[16][40], num[32], addr[160], title[160], desc[200], phone[16], name[32], ver[12];
    char overdue[80], sat[8];
    static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄",
                                           "周", "吴", "徐", "孙", "马", "胡", "朱", "郭"};
    static const char *const channels[] = {"phone", "phone", "phone", "phone",  "phone",
                                           "phone", "phone", "app",   "wechat", "web"};
    static const char *const natures[] = {"complaint", "complaint",    "complaint", "help",
                                          "help",      "consultation", "report",    "suggestion",
                                          "complaint", "praise"};
    bool open = pr->status != S_CLOSED && pr->status != S_ANSWERED && pr->status != S_REJECTED &&
                pr->status != S_CANCELLED;
    int64_t next_due = INT64_MIN;
    uint64_t h = hash_str(id);
    long addr_no;
    int y, m, d;

    calendar_civil_from_days(calendar_cst_day(tk->created), &y, &m, &d);
    snprintf(num, sizeof num, "%04d%02d%02d%08lld", y % 10000, m % 100, d % 100,
             (long long) (number % 100000000));
    /* Addresses: a few buildings per area draw most calls (Zipf). */
    addr_no = (long) (1.0 / (0.02 + rng_unit(&g->rng))) % 60 + 1;
    snprintf(addr, sizeof addr, "%s %ld 号院", area->name, addr_no);
    snprintf(title, sizeof title, "%s问题", c->name);
    snprintf(desc, sizeof desc, "模拟工单：反映%s附近%s问题，请尽快处理。", area->name, c->name);
    snprintf(phone, sizeof phone, "13%09llu", (unsigned long long) (h % 1000000000ULL));
    snprintf(name, sizeof name, "%s某", surnames[h % 16]);
    snprintf(ver, sizeof ver, "%d", kept);
    if (open) {
        const int64_t dues[] = {
            pr->status == S_PENDING ? pr->dispatch_due : INT64_MIN,
            pr->status == S_DISPATCHED ? pr->accept_due : INT64_MIN,
            pr->status == S_ACCEPTED && pr->contacted == INT64_MIN ? pr->contact_due : INT64_MIN,
            pr->status != S_PENDING && pr->status != S_REPLIED ? pr->reply_due : INT64_MIN,
            pr->status == S_REPLIED ? pr->callback_due : INT64_MIN};

        for (size_t i = 0; i < sizeof dues / sizeof dues[0]; i++)
            if (dues[i] != INT64_MIN && (next_due == INT64_MIN || dues[i] < next_due))
                next_due = dues[i];
    }
    overdue[0] = '{';
    snprintf(overdue + 1, sizeof overdue - 1, "%s", pr->overdue[0] ? pr->overdue : "");
    if (overdue[strlen(overdue) - 1] == ',')
        overdue[strlen(overdue) - 1] = '\0';
    strcat(overdue, "}");
    snprintf(sat, sizeof sat, "%d", pr->cb_sat);

    out_field(&ot, id, true);
    out_field(&ot, num, false);
    out_field(&ot, status_names[pr->status], false);
    out_field(&ot, ver, false);
    out_field(&ot, channels[h % 10], false);
    out_field(&ot, natures[(h >> 8) % 10], false);
    out_field(&ot, urgency_names[tk->urg], false);
    out_field(&ot, c->code, false);
    out_field(&ot, area->code, false);
    out_field(&ot, addr, false);
    out_field(&ot, title, false);
    out_field(&ot, desc, false);
    out_field(&ot, tk->anonymous ? NULL : name, false);
    out_field(&ot, tk->anonymous ? NULL : phone, false);
    out_field(&ot, tk->anonymous ? "t" : "f", false);
    out_field(&ot, tk->confidential ? "t" : "f", false);
    out_field(&ot, tk->anonymous ? "f" : "t", false);
    out_field(&ot, GEN_ACTOR, false);
    snprintf(b[0], sizeof b[0], "%lld", g->token_id);
    out_field(&ot, b[0], false);
    out_field(&ot, pr->lead >= 0 ? g->units[pr->lead].code : NULL, false);
    out_field(&ot, ts_text(tk->created, b[1], sizeof b[1]), false);
    out_field(&ot, ts_text(pr->dispatched, b[2], sizeof b[2]), false);
    out_field(&ot, ts_text(pr->accepted, b[3], sizeof b[3]), false);
    out_field(&ot, ts_text(pr->contacted, b[4], sizeof b[4]), false);
    out_field(&ot, ts_text(pr->replied, b[5], sizeof b[5]), false);
    out_field(&ot, ts_text(pr->closed, b[6], sizeof b[6]), false);
    out_field(&ot, ts_text(pr->status == S_PENDING ? pr->dispatch_due : INT64_MIN, b[7], 40),
              false);
    out_field(&ot, ts_text(pr->accept_due, b[8], 40), false);
    out_field(&ot, ts_text(pr->contact_due, b[9], 40), false);
    out_field(&ot, ts_text(pr->reply_due, b[10], 40), false);
    out_field(&ot, ts_text(pr->callback_due, b[11], 40), false);
    out_field(&ot, ts_text(pr->return_due, b[12], 40), false);
    out_field(&ot, overdue, false);
    out_field(&ot, pr->replied != INT64_MIN || pr->status == S_CLOSED ? "已办理，详见回复。" : NULL,
              false);
    out_field(&ot, pr->cb_contacted < 0 ? NULL : pr->cb_contacted ? "t" : "f", false);
    out_field(&ot, pr->cb_resolved < 0 ? NULL : pr->cb_resolved ? "t" : "f", false);
    out_field(&ot, pr->cb_sat < 0 ? NULL : sat, false);
    out_field(&ot, ts_text(pr->cb_at, b[13], 40), false);
    out_field(&ot, pr->ext_approved ? "approved" : pr->ext_requested ? "requested" : NULL, false);
    out_field(&ot, ts_text(pr->ext_until, b[14], 40), false);
    snprintf(b[15], 40, "%d", pr->ext_approved);
    out_field(&ot, b[15], false);
    snprintf(b[0], 40, "%d", pr->reopen_count);
    out_field(&ot, b[0], false);
    snprintf(b[1], 40, "%d", pr->return_count);
    out_field(&ot, b[1], false);
    out_field(&ot, pr->reopen_count >= 3 || pr->return_count >= 3 ? "t" : "f", false);
    out_field(&ot, pr->unreasonable ? "t" : "f", false);
    out_field(&ot, pr->unreasonable ? "重复反映已办结事项" : NULL, false);
    out_field(&ot, ts_text(pr->updated, b[2], 40), false);
    out_field(&ot, ts_text(pr->status == S_PENDING ? pr->dispatch_start : INT64_MIN, b[3], 40),
              false);
    out_field(&ot,
              ts_text(open && pr->status == S_DISPATCHED ? pr->dispatched : INT64_MIN, b[4], 40),
              false);
    out_field(&ot, ts_text(open && pr->accepted != INT64_MIN ? pr->accepted : INT64_MIN, b[5], 40),
              false);
    out_field(&ot, ts_text(open && pr->status != S_PENDING ? pr->dispatched : INT64_MIN, b[6], 40),
              false);
    out_field(&ot, ts_text(pr->status == S_REPLIED ? pr->replied : INT64_MIN, b[7], 40), false);
    out_field(&ot, ts_text(open && pr->status != S_PENDING ? pr->dispatched : INT64_MIN, b[8], 40),
              false);
    out_field(&ot, ts_text(next_due, b[9], 40), false);
    out_end(&ot);

    /* events, replayed for their from/to */
    {
        int status = -1, lead = -1;

        for (int i = 0; i < kept; i++) {
            const Ev *e = &p->ev[i];
            char seq[12], data[220];
            int to = e->to >= 0 ? e->to : status;

            if (e->lead != -2)
                lead = e->lead;
            snprintf(seq, sizeof seq, "%d", i + 1);
            out_field(&oe, id, true);
            out_field(&oe, seq, false);
            out_field(&oe, ts_text(e->at, b[0], 40), false);
            out_field(&oe, e->action, false);
            out_field(&oe, strcmp(e->role, "system") == 0 ? "system" : GEN_ACTOR, false);
            out_field(&oe, e->role, false);
            out_field(&oe, e->unit >= 0 ? g->units[e->unit].code : NULL, false);
            out_field(&oe, status >= 0 ? status_names[status] : NULL, false);
            out_field(&oe, status_names[to], false);
            out_field(&oe, NULL, false);
            if (strcmp(e->action, "intake") == 0)
                snprintf(data, sizeof data,
                         "{\"channel\": \"%s\", \"nature\": \"%s\", \"urgency\": \"%s\", "
                         "\"category\": \"%s\"}",
                         channels[h % 10], natures[(h >> 8) % 10], urgency_names[tk->urg], c->code);
            else
                snprintf(data, sizeof data, "%s", e->data[0] ? e->data : "{}");
            out_field(&oe, data, false);
            out_field(&oe, lead >= 0 ? g->units[lead].code : NULL, false);
            out_end(&oe);
            status = to;
        }
    }
    if (ot.failed || oe.failed)
        g->made = -1; /* out of memory: noticed by the caller */
    g->events += kept;
    g->open += open;
}

static bool copy_send(PGconn *conn, ReportStmtId id, const char *data, size_t len);

/* ------------------------------------------------------------ report figures */

/* Index of the window's month holding t (0 = the first). */
static int
month_index(const Gen *g, int64_t t)
{
    int y, m, d;

    calendar_civil_from_days(calendar_cst_day(t), &y, &m, &d);
    return (y - g->start_y) * 12 + (m - g->start_m);
}

static int *
fig(Gen *g, int mi, int unit)
{
    return &g->figs[((size_t) mi * g->nunits + (size_t) unit) * RF__COUNT];
}

/* Adds one reply of unit in month mi taking tenths to the histogram. */
static bool
hist_add(Gen *g, int mi, int unit, int64_t tenths)
{
    uint64_t key = (((uint64_t) mi * g->nunits + (uint64_t) unit) << 24) | (uint64_t) tenths;
    size_t i;

    if (g->hn * 2 >= g->hcap) {
        size_t cap = g->hcap ? g->hcap * 2 : 1 << 16;
        uint64_t *keys = calloc(cap, sizeof *keys);
        uint32_t *vals = calloc(cap, sizeof *vals);

        if (keys == NULL || vals == NULL) {
            free(keys);
            free(vals);
            return false;
        }
        for (size_t k = 0; k < g->hcap; k++) {
            if (g->hvals[k] == 0)
                continue;
            for (i = (size_t) (g->hkeys[k] * 0x9E3779B97F4A7C15ULL) & (cap - 1); vals[i] != 0;
                 i = (i + 1) & (cap - 1))
                ;
            keys[i] = g->hkeys[k];
            vals[i] = g->hvals[k];
        }
        free(g->hkeys);
        free(g->hvals);
        g->hkeys = keys;
        g->hvals = vals;
        g->hcap = cap;
    }
    for (i = (size_t) (key * 0x9E3779B97F4A7C15ULL) & (g->hcap - 1);
         g->hvals[i] != 0 && g->hkeys[i] != key; i = (i + 1) & (g->hcap - 1))
        ;
    if (g->hvals[i] == 0) {
        g->hkeys[i] = key;
        g->hn++;
    }
    g->hvals[i]++;
    return true;
}

static void
month_text(const Gen *g, int mi, char *buf, size_t len)
{
    int m = g->start_m + mi, y = g->start_y;

    while (m > 12) {
        m -= 12;
        y++;
    }
    snprintf(buf, len, "%04d-%02d-01", y % 10000, m % 100);
}

/* One report_marks row (COPY text). */
static void
mark(Gen *g, int mi, int unit, const char *id, int seq, const char *why, int responded,
     int resolved, int sat)
{
    Out om = {&g->mbuf, &g->mlen, &g->mcap, false};
    char mon[16], sq[12], st[8];

    month_text(g, mi, mon, sizeof mon);
    snprintf(sq, sizeof sq, "%d", seq);
    snprintf(st, sizeof st, "%d", sat);
    out_field(&om, mon, true);
    out_field(&om, g->units[unit].code, false);
    out_field(&om, id, false);
    out_field(&om, sq, false);
    out_field(&om, why, false);
    out_field(&om, responded < 0 ? NULL : responded ? "t" : "f", false);
    out_field(&om, resolved < 0 ? NULL : resolved ? "t" : "f", false);
    out_field(&om, sat < 0 ? NULL : st, false);
    out_end(&om);
    if (om.failed)
        g->made = -1;
}

static bool
is_handover(const Ev *e)
{
    return e->to == S_DISPATCHED &&
           (strcmp(e->action, "intake") == 0 || strcmp(e->action, "dispatch") == 0 ||
            strcmp(e->action, "approve_return") == 0);
}

/*
 * Adds the kept events of one ticket to the report figures, by the rules of
 * the trigger in sql/R_reports.sql (docs/ranking.md); `minhu-report verify`
 * holds the result to the plain query over the raw tables.
 */
static void
account(Gen *g, const Plan *p, int kept, const char *id, const Proj *pr)
{
    bool excluded = pr->unreasonable || pr->status == S_ANSWERED || pr->status == S_REJECTED ||
                    pr->status == S_CANCELLED;
    int lead = -1, req_lead = -1, span = 0; /* span: index after the last handover */
    int64_t span_at = INT64_MIN;
    char clock[24];

    for (int i = 0; i < kept; i++) {
        const Ev *e = &p->ev[i];
        int mi = month_index(g, e->at), seq = i + 1;
        const char *a = e->action;

        if (e->lead != -2)
            lead = e->lead;
        if (mi < 0 || mi >= g->o->months)
            continue;
        if (is_handover(e)) {
            if (lead >= 0)
                fig(g, mi, lead)[RF_VOLUME]++;
        }
        if (strcmp(a, "approve_return") == 0 && req_lead >= 0) {
            fig(g, mi, req_lead)[RF_RETURNS]++;
            mark(g, mi, req_lead, id, seq, "returned", -1, -1, -1);
        }
        if (is_handover(e)) {
            span = i + 1;
            span_at = e->at;
        }
        if (strcmp(a, "request_return") == 0) {
            req_lead = lead;
        } else if (strcmp(a, "reply") == 0) {
            if (span_at != INT64_MIN && lead >= 0 &&
                !hist_add(g, mi, lead, (e->at - span_at) / 360000))
                g->made = -1;
        } else if (strcmp(a, "callback") == 0 && lead >= 0) {
            if (e->to == S_ACCEPTED) {
                fig(g, mi, lead)[RF_REOPENS]++;
                mark(g, mi, lead, id, seq, "reopened", -1, -1, -1);
            } else if (e->to == S_CLOSED && strstr(e->data, "\"contacted\"") != NULL && !excluded) {
                bool contacted = strstr(e->data, "\"contacted\": true") != NULL;
                bool resolved = strstr(e->data, "\"resolved\": true") != NULL;
                int sat = atoi(strstr(e->data, "\"satisfaction\": ") + 16);
                bool contact = false, late = false, responded;
                int *f = fig(g, mi, lead);

                for (int j = span; j < i; j++) {
                    if (strcmp(p->ev[j].action, "contact") == 0)
                        contact = true;
                    if (strcmp(p->ev[j].action, "sla_overdue") == 0 &&
                        strstr(p->ev[j].data, "\"clock\": \"contact\"") != NULL)
                        late = true;
                }
                responded = contacted && contact && !late;
                f[RF_POPULATION]++;
                f[RF_RESPONDED] += responded;
                f[RF_RESOLVED] += resolved;
                f[RF_SAT_GOOD] += sat >= 4;
                f[RF_SAT_BASIC] += sat == 3;
                if (!(responded && resolved && sat >= 4))
                    mark(g, mi, lead, id, seq, "callback", responded, resolved, sat);
            }
        } else if (strcmp(a, "reopen") == 0 && lead >= 0) {
            fig(g, mi, lead)[RF_REOPENS]++;
            mark(g, mi, lead, id, seq, "reopened", -1, -1, -1);
        } else if (strcmp(a, "approve_extension") == 0 && lead >= 0) {
            fig(g, mi, lead)[RF_EXTENSIONS]++;
        } else if (strcmp(a, "sla_overdue") == 0 && e->unit >= 0 &&
                   json_str_field(e->data, "clock", clock, sizeof clock) != NULL) {
            static const struct {
                const char *clock, *why;
                ReportFigure f;
            } clocks[] = {{"accept", "overdue_accept", RF_OVERDUE_ACCEPT},
                          {"contact", "overdue_contact", RF_OVERDUE_CONTACT},
                          {"reply", "overdue_reply", RF_OVERDUE_REPLY}};

            if (e->unit != lead) {
                fig(g, mi, e->unit)[RF_OVERDUE_ASSIST]++;
                mark(g, mi, e->unit, id, seq, "overdue_assist", -1, -1, -1);
                continue;
            }
            for (size_t k = 0; k < sizeof clocks / sizeof clocks[0]; k++)
                if (strcmp(clock, clocks[k].clock) == 0) {
                    fig(g, mi, lead)[clocks[k].f]++;
                    mark(g, mi, lead, id, seq, clocks[k].why, -1, -1, -1);
                }
        }
    }
}

/* Writes the figures and the histogram into the temporary tables and adds
 * them to the summary. */
static bool
write_figures(Gen *g)
{
    Out os = {&g->tbuf, &g->tlen, &g->tcap, false};
    Out oh = {&g->ebuf, &g->elen, &g->ecap, false};
    ErrInfo ei;
    char mon[16], num[16];

    err_clear(&ei);
    g->tlen = g->elen = 0;
    for (int mi = 0; mi < g->o->months; mi++)
        for (size_t u = 0; u < g->nunits; u++) {
            int *f = fig(g, mi, (int) u);
            bool any = false;

            for (int k = 0; k < RF__COUNT; k++)
                any |= f[k] != 0;
            if (!any)
                continue;
            month_text(g, mi, mon, sizeof mon);
            out_field(&os, mon, true);
            out_field(&os, g->units[u].code, false);
            out_field(&os, "0", false);
            for (int k = 0; k < RF__COUNT; k++) {
                snprintf(num, sizeof num, "%d", f[k]);
                out_field(&os, num, false);
            }
            out_end(&os);
        }
    for (size_t i = 0; i < g->hcap; i++) {
        uint64_t key = g->hkeys[i], mu;

        if (g->hvals[i] == 0)
            continue;
        mu = key >> 24;
        month_text(g, (int) (mu / g->nunits), mon, sizeof mon);
        out_field(&oh, mon, true);
        out_field(&oh, g->units[mu % g->nunits].code, false);
        snprintf(num, sizeof num, "%llu", (unsigned long long) (key & 0xFFFFFF));
        out_field(&oh, num, false);
        out_field(&oh, "0", false);
        snprintf(num, sizeof num, "%u", g->hvals[i]);
        out_field(&oh, num, false);
        out_end(&oh);
    }
    if (os.failed || oh.failed) {
        gen_error("out of memory");
        return false;
    }
    if (db_sync_exec(g->conn, store_report_stmt(REPORT_GEN_TMP_SUMMARY)->sql, 0, NULL, NULL, &ei) !=
            ERR_OK ||
        db_sync_exec(g->conn, store_report_stmt(REPORT_GEN_TMP_HANDLING)->sql, 0, NULL, NULL,
                     &ei) != ERR_OK) {
        gen_error("could not create temporary tables: %s", ei.message);
        return false;
    }
    if ((g->tlen > 0 && !copy_send(g->conn, REPORT_GEN_COPY_SUMMARY, g->tbuf, g->tlen)) ||
        (g->elen > 0 && !copy_send(g->conn, REPORT_GEN_COPY_HANDLING, g->ebuf, g->elen)))
        return false;
    g->tlen = g->elen = 0;
    if (db_sync_exec(g->conn, store_report_stmt(REPORT_GEN_MERGE_SUMMARY)->sql, 0, NULL, NULL,
                     &ei) != ERR_OK ||
        db_sync_exec(g->conn, store_report_stmt(REPORT_GEN_MERGE_HANDLING)->sql, 0, NULL, NULL,
                     &ei) != ERR_OK) {
        gen_error("could not add to the report summary: %s", ei.message);
        return false;
    }
    return true;
}

/* Simulates and writes one ticket created at t. */
static void
make_ticket(Gen *g, int64_t t, const char *id, int64_t number)
{
    Plan plan;
    Tk tk;
    Proj pr;
    double r;
    int kept, lead;
    size_t k;
    Ev *e;
    char buf[40];

    memset(&tk, 0, sizeof tk);
    plan.n = 0;
    tk.created = t;
    k = pick(&g->rng, g->street_cum, g->nstreets);
    tk.street = (int) k;
    tk.area_unit = g->nareas[k] > 0 && chance(&g->rng, 0.75)
                       ? (int) g->areas[k][rng_range(&g->rng, 0, (long long) g->nareas[k] - 1)]
                       : (int) g->streets[k];
    tk.cat = (int) pick(&g->rng, g->cat_cum, g->ncats);
    r = rng_unit(&g->rng);
    tk.urg = r < 0.02 ? U_EMERGENCY : r < 0.10 ? U_TIMELY : r < 0.95 ? U_NORMAL : U_COMPLEX;
    if (g->cats[tk.cat].utility && tk.urg == U_NORMAL && chance(&g->rng, 0.4))
        tk.urg = U_TIMELY;
    tk.anonymous = chance(&g->rng, 0.03);
    tk.confidential = !tk.anonymous && chance(&g->rng, 0.02);
    lead = choose_lead(g, &g->cats[tk.cat], k);

    if (chance(&g->rng, 0.6)) {
        /* 直派: born dispatched */
        if (!plan_add(&plan, t, "intake", "operator", -1, S_DISPATCHED, lead))
            return;
        plan_handling(g, &plan, &tk, lead, t, true);
    } else {
        int64_t td = t + rng_exp(&g->rng, (double) lim_dispatch[tk.urg] / 3.0);

        if (!plan_add(&plan, t, "intake", "operator", -1, S_PENDING, -1))
            return;
        r = rng_unit(&g->rng);
        if (r < 0.07) {
            e = plan_add(&plan, td, "answer", "operator", -1, S_ANSWERED, -2);
        } else if (r < 0.08) {
            e = plan_add(&plan, td, "reject", "operator", -1, S_REJECTED, -2);
        } else if (r < 0.09) {
            e = plan_add(&plan, td, "cancel", "operator", -1, S_CANCELLED, -2);
        } else {
            if (td > t + lim_dispatch[tk.urg] && chance(&g->rng, 0.5))
                td = t + lim_dispatch[tk.urg] - MINUTE;
            e = plan_add(&plan, td, "dispatch", "operator", -1, S_DISPATCHED, lead);
            if (e != NULL)
                snprintf(e->data, sizeof e->data, "{\"unit\": \"%s\"}", g->units[lead].code);
            plan_handling(g, &plan, &tk, lead, td, true);
            e = NULL;
        }
        (void) e;
    }
    /* 不合理诉求, flagged after the fact, rarely */
    if (plan.n > 1 && chance(&g->rng, 0.004)) {
        e = plan_add(&plan, plan.ev[plan.n - 1].at + HOUR + rng_exp(&g->rng, 2.0 * DAY),
                     "flag_unreasonable", "operator", -1, -1, -2);
        (void) e;
    }
    qsort(plan.ev, (size_t) plan.n, sizeof plan.ev[0], ev_cmp);
    for (kept = 0; kept < plan.n && plan.ev[kept].at < g->end_ms; kept++)
        ;

    /* Replay the kept events into the projection. */
    memset(&pr, 0, sizeof pr);
    pr.lead = -1;
    pr.cb_contacted = pr.cb_resolved = pr.cb_sat = -1;
    pr.dispatched = pr.accepted = pr.contacted = pr.replied = pr.closed = pr.cb_at = INT64_MIN;
    pr.accept_due = pr.contact_due = pr.reply_due = pr.callback_due = pr.return_due = INT64_MIN;
    pr.dispatch_due = pr.dispatch_start = pr.ext_until = INT64_MIN;
    for (int i = 0; i < kept; i++) {
        Ev *x = &plan.ev[i];
        const char *a = x->action;

        if (x->lead != -2)
            pr.lead = x->lead;
        if (x->to >= 0)
            pr.status = x->to;
        pr.updated = x->at;
        if (strcmp(a, "intake") == 0 || strcmp(a, "dispatch") == 0 ||
            strcmp(a, "approve_return") == 0) {
            if (strcmp(a, "approve_return") == 0) {
                pr.return_count++;
                pr.ext_requested = false;
                pr.ext_approved = 0;
                pr.ext_until = INT64_MIN;
            }
            if (x->to == S_DISPATCHED) {
                pr.dispatched = x->at;
                pr.accepted = pr.contacted = pr.replied = INT64_MIN;
                pr.accept_due = x->at + lim_accept[tk.urg];
                pr.reply_due = x->at + lim_reply[tk.urg];
                pr.return_due = x->at + lim_return[tk.urg];
                pr.contact_due = pr.dispatch_due = INT64_MIN;
            } else {
                pr.dispatched = pr.accepted = pr.contacted = INT64_MIN;
                pr.accept_due = pr.reply_due = pr.return_due = pr.contact_due = INT64_MIN;
                pr.dispatch_start = x->at;
                pr.dispatch_due = x->at + lim_dispatch[tk.urg];
            }
        } else if (strcmp(a, "accept") == 0) {
            pr.accepted = x->at;
            pr.contact_due = x->at + lim_contact[tk.urg];
        } else if (strcmp(a, "contact") == 0) {
            if (pr.contacted == INT64_MIN)
                pr.contacted = x->at;
        } else if (strcmp(a, "request_extension") == 0) {
            pr.ext_requested = true;
            if (json_str_field(x->data, "until", buf, sizeof buf) != NULL)
                pr.ext_until = INT64_MIN; /* set on approval below */
        } else if (strcmp(a, "approve_extension") == 0) {
            pr.ext_approved = 1;
            pr.ext_requested = false;
            /* the until of the request before it */
            for (int j = i - 1; j >= 0; j--)
                if (strcmp(plan.ev[j].action, "request_extension") == 0) {
                    pr.ext_until = pr.reply_due + lim_reply[tk.urg];
                    pr.reply_due = pr.ext_until;
                    break;
                }
        } else if (strcmp(a, "reply") == 0) {
            pr.replied = x->at;
            pr.callback_due = x->at + LIM_CALLBACK;
        } else if (strcmp(a, "callback") == 0) {
            pr.cb_at = x->at;
            pr.cb_contacted = strstr(x->data, "\"contacted\": true") ? 1
                              : strstr(x->data, "\"contacted\"")     ? 0
                                                                     : -1;
            pr.cb_resolved = strstr(x->data, "\"resolved\": true") ? 1
                             : strstr(x->data, "\"resolved\"")     ? 0
                                                                   : -1;
            pr.cb_sat = strstr(x->data, "\"satisfaction\": ")
                            ? atoi(strstr(x->data, "\"satisfaction\": ") + 16)
                            : -1;
            pr.callback_due = INT64_MIN;
            if (x->to == S_CLOSED) {
                pr.closed = x->at;
            } else {
                pr.reopen_count++;
                pr.replied = INT64_MIN;
                pr.reply_due = x->at + lim_reply[tk.urg];
            }
        } else if (strcmp(a, "reopen") == 0) {
            pr.reopen_count++;
            pr.closed = INT64_MIN;
            pr.cb_at = INT64_MIN;
            pr.replied = INT64_MIN;
            pr.reply_due = x->at + lim_reply[tk.urg];
        } else if (strcmp(a, "answer") == 0) {
            pr.closed = x->at;
            pr.dispatch_due = INT64_MIN;
        } else if (strcmp(a, "flag_unreasonable") == 0) {
            pr.unreasonable = true;
        } else if (strcmp(a, "sla_overdue") == 0) {
            if (json_str_field(x->data, "clock", buf, sizeof buf) != NULL)
                proj_mark(&pr, buf);
        }
    }
    if (kept == 0)
        return; /* created after the window's end: cannot happen, t < end */
    write_ticket(g, &tk, &plan, kept, id, number, &pr);
    if (g->own_summary && g->made >= 0)
        account(g, &plan, kept, id, &pr);
    if (g->made >= 0)
        g->made++;
}

/* ------------------------------------------------------------ COPY */

static bool
copy_send(PGconn *conn, ReportStmtId id, const char *data, size_t len)
{
    const ReportStmt *st = store_report_stmt(id);
    PGresult *res = PQexec(conn, st->sql);
    bool ok = false;

    if (PQresultStatus(res) != PGRES_COPY_IN) {
        gen_error("could not start COPY: %s", PQerrorMessage(conn));
        goto done;
    }
    PQclear(res);
    res = NULL;
    for (size_t off = 0; off < len;) {
        size_t n = len - off > (1u << 20) ? (1u << 20) : len - off;

        if (PQputCopyData(conn, data + off, (int) n) != 1) {
            gen_error("COPY failed: %s", PQerrorMessage(conn));
            goto done;
        }
        off += n;
    }
    if (PQputCopyEnd(conn, NULL) != 1) {
        gen_error("COPY failed: %s", PQerrorMessage(conn));
        goto done;
    }
    res = PQgetResult(conn);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        gen_error("COPY failed: %s", PQresultErrorMessage(res));
        goto done;
    }
    ok = true;
done:
    PQclear(res);
    while ((res = PQgetResult(conn)) != NULL)
        PQclear(res);
    return ok;
}

/* The events (and marks) of a chunk, sent on the second connection while
 * the tickets go on the first. */
typedef struct Side {
    Gen *g;
    PGconn *conn;
    bool ok;
} Side;

static void *
side_send(void *arg)
{
    Side *sd = arg;
    Gen *g = sd->g;

    sd->ok = (g->elen == 0 || copy_send(sd->conn, REPORT_GEN_COPY_EVENTS, g->ebuf, g->elen)) &&
             (g->mlen == 0 || copy_send(sd->conn, REPORT_GEN_COPY_MARKS, g->mbuf, g->mlen));
    return NULL;
}

static bool
flush(Gen *g)
{
    Side sd = {g, g->conn2 ? g->conn2 : g->conn, false};
    pthread_t th;
    bool ok, threaded = false;

    if (g->conn2 != NULL && pthread_create(&th, NULL, side_send, &sd) == 0)
        threaded = true;
    ok = g->tlen == 0 || copy_send(g->conn, REPORT_GEN_COPY_TICKETS, g->tbuf, g->tlen);
    if (threaded)
        pthread_join(th, NULL);
    else
        side_send(&sd);
    g->tlen = g->elen = g->mlen = 0;
    return ok && sd.ok;
}

/* ------------------------------------------------------------ the run */

static double
wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Relative weight of a day: weekdays busier, a mild growth over the window. */
static double
day_weight(const Gen *g, int64_t day, int64_t first_day, int64_t ndays)
{
    int wd = calendar_weekday(day);
    double w = wd >= 6 ? 0.75 : 1.0;

    (void) g;
    return w * (1.0 + 0.15 * (double) (day - first_day) / (double) (ndays > 1 ? ndays : 1));
}

/* Category weights for the month m (1..12) at position frac (0..1) in the window. */
static void
category_weights(Gen *g, int m, double frac)
{
    for (size_t i = 0; i < g->ncats; i++) {
        const Category *c = &g->cats[i];
        double w = c->weight;

        if (c->season_peak > 0) {
            double dist = fabs((double) (m - c->season_peak));

            if (dist > 6)
                dist = 12 - dist;
            w *= 1.0 + c->season_amp * cos(dist / 6.0 * M_PI);
        }
        if (c->rising && frac > 0.75)
            w *= 1.0 + 10.0 * (frac - 0.75);
        g->cat_cum[i] = (i ? g->cat_cum[i - 1] : 0) + (w > 0.001 ? w : 0.001);
    }
}

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;

    return (x > y) - (x < y);
}

int
gen_run(PGconn *conn, const GenOptions *o)
{
    Gen g;
    PGresult *res = NULL;
    const ReportStmt *st;
    int status = 1;
    int64_t first_day, ndays, *times = NULL;
    double total_w = 0, acc = 0, t0 = wall(), tlast = t0;
    long long assigned = 0;
    bool bulk = false;
    char text[64], nbuf[32];
    const char *params[1];
    ErrInfo ei;
    int y, m, d;

    memset(&g, 0, sizeof g);
    err_clear(&ei);
    g.o = o;
    g.conn = conn;
    rng_seed(&g.rng, o->seed);

    /* The window: whole months, the current (end day's) one last. */
    calendar_civil_from_days(o->end_day, &y, &m, &d);
    m -= o->months - 1;
    while (m < 1) {
        m += 12;
        y--;
    }
    first_day = calendar_days_from_civil(y, m, 1);
    ndays = o->end_day - first_day;
    if (ndays < 1) {
        gen_error("the window is empty: --end must be after the first day of the month");
        return 1;
    }
    g.start_ms = calendar_cst_ms(first_day, 0);
    g.end_ms = calendar_cst_ms(o->end_day, 0);
    g.start_y = y;
    g.start_m = m;

    if (db_sync_begin(conn, &ei) != ERR_OK) {
        gen_error("could not start a transaction: %s", ei.message);
        goto done;
    }
    st = store_report_stmt(REPORT_GEN_SUPERUSER);
    if (db_sync_exec(conn, st->sql, 0, NULL, &res, &ei) != ERR_OK) {
        gen_error("%s", ei.message);
        goto done;
    }
    bulk = !o->live && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    res = NULL;
    if (bulk) {
        st = store_report_stmt(REPORT_GEN_BULK);
        if (db_sync_exec(conn, st->sql, 0, NULL, NULL, &ei) != ERR_OK) {
            gen_error("could not skip triggers: %s", ei.message);
            goto done;
        }
        /* Two cores: the events go in on a second session at the same time.
         * Without foreign-key checks the two need not see each other. */
        if (o->dsn != NULL) {
            g.conn2 = db_sync_connect(o->dsn, "minhu-admin", &ei);
            if (g.conn2 != NULL && (db_sync_begin(g.conn2, &ei) != ERR_OK ||
                                    db_sync_exec(g.conn2, st->sql, 0, NULL, NULL, &ei) != ERR_OK)) {
                db_sync_close(g.conn2);
                g.conn2 = NULL;
            }
        }
    }
    if (!load_reference(&g))
        goto done;
    g.own_summary = bulk;
    if (bulk) {
        g.figs = calloc((size_t) o->months * g.nunits * RF__COUNT, sizeof *g.figs);
        if (g.figs == NULL) {
            gen_error("out of memory");
            goto done;
        }
    }
    /* A revoked token names the generator as the creator of its tickets. */
    snprintf(text, sizeof text, "minhu-gen %llu %.0f", (unsigned long long) o->seed, t0 * 1e6);
    params[0] = text;
    st = store_report_stmt(REPORT_GEN_TOKEN);
    if (db_sync_exec(conn, st->sql, 1, params, &res, &ei) != ERR_OK) {
        gen_error("could not create the generator's token: %s", ei.message);
        goto done;
    }
    g.token_id = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    res = NULL;
    snprintf(nbuf, sizeof nbuf, "%lld", o->tickets);
    params[0] = nbuf;
    st = store_report_stmt(REPORT_GEN_NUMBERS);
    if (db_sync_exec(conn, st->sql, 1, params, &res, &ei) != ERR_OK) {
        gen_error("could not reserve ticket numbers: %s", ei.message);
        goto done;
    }
    g.number_next = atoll(PQgetvalue(res, 0, 0)) - o->tickets + 1;
    PQclear(res);
    res = NULL;

    fprintf(stderr, "generating %lld tickets from %04d-%02d-01 to the end of %s (%s)\n", o->tickets,
            y, m, calendar_date_format(o->end_day - 1, text, sizeof text),
            bulk ? "bulk load, report summary computed here"
                 : "report summary kept by the trigger");
    for (int64_t day = first_day; day < o->end_day; day++)
        total_w += day_weight(&g, day, first_day, ndays);
    times = malloc(sizeof *times * (size_t) (o->tickets / ndays * 3 + 64));
    if (times == NULL) {
        gen_error("out of memory");
        goto done;
    }
    for (int64_t day = first_day; day < o->end_day; day++) {
        long long target, n;
        int dy, dm, dd;
        uint8_t rnd[10];
        char id[40];

        acc += day_weight(&g, day, first_day, ndays);
        target = day == o->end_day - 1 ? o->tickets : (long long) (o->tickets * acc / total_w);
        n = target - assigned;
        if (n > o->tickets / ndays * 3 + 63)
            n = o->tickets / ndays * 3 + 63;
        assigned += n;
        calendar_civil_from_days(day, &dy, &dm, &dd);
        category_weights(&g, dm, (double) (day - first_day) / (double) ndays);
        /* Intake times: busier by day (8:00–21:00), sorted so ids ascend. */
        for (long long i = 0; i < n; i++) {
            int64_t msd = chance(&g.rng, 0.85) ? rng_range(&g.rng, 8 * HOUR, 21 * HOUR - 1)
                                               : rng_range(&g.rng, 0, DAY - 1);

            times[i] = calendar_cst_ms(day, msd);
        }
        qsort(times, (size_t) n, sizeof *times, cmp_i64);
        for (long long i = 0; i < n; i++) {
            for (int b = 0; b < 10; b++)
                rnd[b] = (unsigned char) (rng_next(&g.rng) >> 56);
            uuid7_format(times[i], rnd, id);
            make_ticket(&g, times[i], id, g.number_next++);
            if (g.made < 0) {
                gen_error("out of memory");
                goto done;
            }
        }
        if (o->live) {
            /* As live traffic would: a transaction at a time, so that the
             * summary rows the trigger updates do not pile up versions. */
            if (!flush(&g) || db_sync_commit(conn, &ei) != ERR_OK ||
                db_sync_begin(conn, &ei) != ERR_OK) {
                gen_error("could not write the tickets of %04d-%02d-%02d: %s", dy, dm, dd,
                          ei.message[0] ? ei.message : "COPY failed");
                goto done;
            }
        }
        if (g.tlen > (64u << 20) || g.elen > (192u << 20) || day == o->end_day - 1 ||
            (o->live && wall() - tlast > 10.0)) {
            if (!flush(&g))
                goto done;
            if (wall() - tlast > 10.0 || day == o->end_day - 1) {
                tlast = wall();
                fprintf(stderr, "  %lld tickets, %lld events, %.0f s\n", g.made, g.events,
                        tlast - t0);
            }
        }
    }
    if (!flush(&g))
        goto done;
    if (g.own_summary) {
        /* The trigger did not run: add the figures computed above. */
        if (!write_figures(&g))
            goto done;
        fprintf(stderr, "  report summary added, %.0f s\n", wall() - t0);
    }
    if (g.conn2 != NULL && db_sync_commit(g.conn2, &ei) != ERR_OK) {
        gen_error("could not commit the events: %s", ei.message);
        goto done;
    }
    if (db_sync_commit(conn, &ei) != ERR_OK) {
        gen_error("could not commit: %s", ei.message);
        goto done;
    }
    /* Statistics once every row is visible: the reports' plans depend on them. */
    if (db_sync_exec(conn, store_report_stmt(REPORT_GEN_ANALYZE)->sql, 0, NULL, NULL, &ei) !=
        ERR_OK)
        gen_error("could not analyze (the tickets are in): %s", ei.message);
    fprintf(stderr, "generated %lld tickets (%lld still open) and %lld events in %.0f s\n", g.made,
            g.open, g.events, wall() - t0);
    status = 0;
done:
    if (status != 0) {
        db_sync_rollback(g.conn2);
        db_sync_rollback(conn);
    }
    db_sync_close(g.conn2);
    PQclear(res);
    free(times);
    free(g.tbuf);
    free(g.ebuf);
    free(g.mbuf);
    free(g.figs);
    free(g.hkeys);
    free(g.hvals);
    free_reference(&g);
    return status;
}
