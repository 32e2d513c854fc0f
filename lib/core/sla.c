/*
 * sla.c — SLA limits, policy lookup and deadline arithmetic.
 *
 * The defaults of domain.md §4 are a table below; data/sla-defaults.csv
 * carries the same rows and a unit test keeps the two equal.  Must not read
 * the clock, do I/O or allocate: see sla.h.
 */
#include "core/sla.h"

#include <stdio.h>
#include <string.h>

#define MS_SECOND INT64_C(1000)
#define MS_MINUTE (60 * MS_SECOND)
#define MS_HOUR (60 * MS_MINUTE)
#define MS_DAY (24 * MS_HOUR)

/* The units of a limit, largest first so that formatting picks the largest
 * one that holds an interval exactly.  ms is 0 for working days. */
/* clang-format off */
static const struct {
    const char *name; /* singular; the plural adds "s" */
    int64_t     ms;
} limit_units[] = {
    {"workday", 0},
    {"day",     MS_DAY},
    {"hour",    MS_HOUR},
    {"minute",  MS_MINUTE},
    {"second",  MS_SECOND},
};
/* clang-format on */

#define N_LIMIT_UNITS (sizeof limit_units / sizeof limit_units[0])

#define LIMIT_SYNTAX_HINT                                                                          \
    "expected a positive count and a unit (seconds, minutes, hours, days or workdays), "           \
    "such as \"90 minutes\""

/* True when word is name or its plural, and nothing follows. */
static bool
unit_matches(const char *word, const char *name)
{
    size_t n = strlen(name);

    if (strncmp(word, name, n) != 0)
        return false;
    return word[n] == '\0' || (word[n] == 's' && word[n + 1] == '\0');
}

Err
sla_limit_parse(const char *text, SlaLimit *out, ErrInfo *ei)
{
    const char *p = text != NULL ? text : "";
    int64_t count = 0;
    size_t u;

    if (*p < '0' || *p > '9')
        return err_set(ei, ERR_INVALID, "limit", "invalid SLA limit \"%.64s\": " LIMIT_SYNTAX_HINT,
                       p);
    /* Saturate far above every maximum: the range check below rejects it. */
    for (; *p >= '0' && *p <= '9'; p++) {
        if (count < INT64_C(1000000000000))
            count = count * 10 + (*p - '0');
    }
    if (*p == ' ')
        p++;
    for (u = 0; u < N_LIMIT_UNITS; u++) {
        if (unit_matches(p, limit_units[u].name))
            break;
    }
    if (u == N_LIMIT_UNITS)
        return err_set(ei, ERR_INVALID, "limit", "invalid SLA limit \"%.64s\": " LIMIT_SYNTAX_HINT,
                       text);
    if (count == 0)
        return err_set(ei, ERR_INVALID, "limit", "invalid SLA limit \"%.64s\": must be positive",
                       text);
    if (limit_units[u].ms == 0) {
        if (count > SLA_MAX_WORKDAYS)
            return err_set(ei, ERR_INVALID, "limit",
                           "invalid SLA limit \"%.64s\": more than %d workdays", text,
                           SLA_MAX_WORKDAYS);
        out->kind = SLA_WORKDAYS;
        out->ms = 0;
        out->workdays = (int) count;
        return ERR_OK;
    }
    if (count > SLA_MAX_INTERVAL_MS / limit_units[u].ms)
        return err_set(ei, ERR_INVALID, "limit",
                       "invalid SLA limit \"%.64s\": longer than %lld days", text,
                       (long long) (SLA_MAX_INTERVAL_MS / MS_DAY));
    out->kind = SLA_INTERVAL;
    out->ms = count * limit_units[u].ms;
    out->workdays = 0;
    return ERR_OK;
}

/* True when lim is a limit sla_limit_parse could have produced. */
static bool
limit_valid(const SlaLimit *lim)
{
    if (lim == NULL)
        return false;
    if (lim->kind == SLA_WORKDAYS)
        return lim->workdays >= 1 && lim->workdays <= SLA_MAX_WORKDAYS && lim->ms == 0;
    if (lim->kind == SLA_INTERVAL)
        return lim->ms >= MS_SECOND && lim->ms <= SLA_MAX_INTERVAL_MS && lim->ms % MS_SECOND == 0 &&
               lim->workdays == 0;
    return false;
}

bool
sla_limit_format(const SlaLimit *lim, char *buf, size_t len)
{
    int64_t count = 0;
    size_t u;
    int n;

    if (buf == NULL || len == 0)
        return false;
    buf[0] = '\0';
    if (!limit_valid(lim))
        return false;
    for (u = 0; u < N_LIMIT_UNITS; u++) {
        if (limit_units[u].ms == 0 && lim->kind == SLA_WORKDAYS) {
            count = lim->workdays;
            break;
        }
        if (limit_units[u].ms != 0 && lim->kind == SLA_INTERVAL &&
            lim->ms % limit_units[u].ms == 0) {
            count = lim->ms / limit_units[u].ms;
            break;
        }
    }
    n = snprintf(buf, len, "%lld %s%s", (long long) count, limit_units[u].name,
                 count == 1 ? "" : "s");
    if (n < 0 || (size_t) n >= len) {
        buf[0] = '\0';
        return false;
    }
    return true;
}

bool
sla_limit_equal(const SlaLimit *a, const SlaLimit *b)
{
    if (a->kind != b->kind)
        return false;
    return a->kind == SLA_WORKDAYS ? a->workdays == b->workdays : a->ms == b->ms;
}

void
sla_policy_init(SlaPolicy *p, SlaRule *storage, size_t cap)
{
    p->rules = storage;
    p->n = 0;
    p->cap = storage != NULL ? cap : 0;
}

Err
sla_policy_add(SlaPolicy *p, const SlaRule *rule, ErrInfo *ei)
{
    if (rule->category_prefix == NULL)
        return err_set(ei, ERR_INVALID, "category", "SLA rule has no category prefix");
    if (rule->urgency != SLA_ANY_URGENCY && (rule->urgency < 0 || rule->urgency >= URG__COUNT))
        return err_set(ei, ERR_INVALID, "urgency", "invalid urgency %d in SLA rule", rule->urgency);
    if ((int) rule->clock < 0 || rule->clock >= CLK__COUNT)
        return err_set(ei, ERR_INVALID, "clock", "invalid clock %d in SLA rule", (int) rule->clock);
    if (!limit_valid(&rule->limit))
        return err_set(ei, ERR_INVALID, "limit", "invalid limit in SLA rule for %s",
                       clock_name(rule->clock));
    for (size_t i = 0; i < p->n; i++) {
        SlaRule *r = &p->rules[i];

        if (r->clock == rule->clock && r->urgency == rule->urgency &&
            strcmp(r->category_prefix, rule->category_prefix) == 0) {
            r->limit = rule->limit;
            return ERR_OK;
        }
    }
    if (p->n >= p->cap)
        return err_set(ei, ERR_INVALID, "category",
                       "cannot add SLA rule: the policy holds at most %zu rules", p->cap);
    p->rules[p->n++] = *rule;
    return ERR_OK;
}

/* clang-format off */
#define MINUTES(n)  {SLA_INTERVAL, (n) * MS_MINUTE, 0}
#define HOURS(n)    {SLA_INTERVAL, (n) * MS_HOUR, 0}
#define DAYS(n)     {SLA_INTERVAL, (n) * MS_DAY, 0}
#define WORKDAYS(n) {SLA_WORKDAYS, 0, (n)}

/* domain.md §4: rows are clocks, columns urgencies. */
static const SlaLimit default_limits[CLK__COUNT][URG__COUNT] = {
    /*                    emergency    timely       normal       complex */
    [CLK_DISPATCH]      = {MINUTES(5),  MINUTES(30), HOURS(2),    HOURS(2)},
    [CLK_ACCEPT]        = {MINUTES(30), HOURS(2),    WORKDAYS(1), WORKDAYS(1)},
    [CLK_CONTACT]       = {MINUTES(30), HOURS(2),    HOURS(24),   HOURS(24)},
    [CLK_REPLY]         = {HOURS(2),    HOURS(24),   DAYS(7),     DAYS(15)},
    [CLK_CALLBACK]      = {WORKDAYS(1), WORKDAYS(1), WORKDAYS(1), WORKDAYS(1)},
    [CLK_RETURN_WINDOW] = {MINUTES(30), HOURS(2),    WORKDAYS(1), WORKDAYS(1)},
};
/* clang-format on */

Err
sla_policy_defaults(SlaPolicy *p, ErrInfo *ei)
{
    for (int c = 0; c < CLK__COUNT; c++) {
        for (int u = 0; u < URG__COUNT; u++) {
            SlaRule rule = {"", u, (Clock) c, default_limits[c][u]};
            Err rc = sla_policy_add(p, &rule, ei);

            if (rc != ERR_OK)
                return rc;
        }
    }
    return ERR_OK;
}

bool
sla_policy_lookup(const SlaPolicy *p, const char *category_code, Urgency urgency, Clock clock,
                  SlaLimit *out)
{
    const SlaRule *best = NULL;
    size_t best_len = 0;
    bool best_exact = false;

    if (category_code == NULL)
        category_code = "";
    for (size_t i = 0; i < p->n; i++) {
        const SlaRule *r = &p->rules[i];
        size_t len = strlen(r->category_prefix);
        bool exact = r->urgency == (int) urgency;

        if (r->clock != clock || (!exact && r->urgency != SLA_ANY_URGENCY))
            continue;
        if (strncmp(category_code, r->category_prefix, len) != 0)
            continue;
        if (best == NULL || len > best_len || (len == best_len && exact && !best_exact)) {
            best = r;
            best_len = len;
            best_exact = exact;
        }
    }
    if (best == NULL)
        return false;
    *out = best->limit;
    return true;
}

Err
sla_rule_parse(const char *category, const char *urgency, const char *clock, const char *limit,
               SlaRule *out, ErrInfo *ei)
{
    int c;

    if (category == NULL || category[0] == '\0')
        return err_set(ei, ERR_INVALID, "category", "SLA rule has an empty category");
    if (strcmp(category, "*") == 0) {
        out->category_prefix = "";
    } else {
        for (const char *s = category; *s != '\0'; s++) {
            if (*s == '*' || (unsigned char) *s <= ' ')
                return err_set(ei, ERR_INVALID, "category",
                               "invalid SLA category \"%.64s\": expected a code prefix or *",
                               category);
        }
        out->category_prefix = category;
    }

    if (urgency != NULL && strcmp(urgency, "*") == 0) {
        out->urgency = SLA_ANY_URGENCY;
    } else {
        out->urgency = urgency_parse(urgency); /* -1 when unknown */
        if (out->urgency < 0)
            return err_set(ei, ERR_INVALID, "urgency",
                           "invalid SLA urgency \"%.64s\": expected emergency, timely, normal, "
                           "complex or *",
                           urgency != NULL ? urgency : "");
    }

    c = clock_parse(clock);
    if (c < 0)
        return err_set(ei, ERR_INVALID, "clock",
                       "invalid SLA clock \"%.64s\": expected dispatch, accept, contact, reply, "
                       "callback or return_window",
                       clock != NULL ? clock : "");
    out->clock = (Clock) c;

    return sla_limit_parse(limit, &out->limit, ei);
}

int64_t
sla_deadline(const Calendar *cal, const SlaLimit *lim, int64_t start)
{
    if (start == TS_NONE || lim == NULL)
        return TS_NONE;
    if (lim->kind == SLA_WORKDAYS)
        return calendar_add_workdays(cal, start, lim->workdays);
    return start + lim->ms;
}

int64_t
sla_warning_at(int64_t start, int64_t deadline, int percent)
{
    int64_t span;

    if (start == TS_NONE || deadline == TS_NONE)
        return TS_NONE;
    if (percent < 0)
        percent = 0;
    if (percent > 100)
        percent = 100;
    span = deadline - start;
    /* Split the product so that it cannot overflow for any span. */
    return start + span / 100 * percent + span % 100 * percent / 100;
}

int64_t
sla_shift(int64_t due, int64_t paused_ms)
{
    if (due == TS_NONE)
        return TS_NONE;
    return due + paused_ms;
}
