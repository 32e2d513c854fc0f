/*
 * test_sla.c — SLA limit syntax, policy precedence, the shipped defaults
 * (data/sla-defaults.csv against sla_policy_defaults), deadlines, warning
 * points and suspension shifts.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/calendar.h"
#include "core/sla.h"

#define DEFAULTS_CSV MINHU_SOURCE_DIR "/data/sla-defaults.csv"

#define SEC INT64_C(1000)
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

static int64_t
cst(int y, int m, int d, int hh, int mm)
{
    return calendar_days_from_civil(y, m, d) * DAY + hh * HOUR + mm * MIN - 8 * HOUR;
}

static SlaLimit
interval(int64_t ms)
{
    SlaLimit l = {SLA_INTERVAL, ms, 0};

    return l;
}

static SlaLimit
workdays(int n)
{
    SlaLimit l = {SLA_WORKDAYS, 0, n};

    return l;
}

/* ---- limits -------------------------------------------------------------- */

static void
test_limit_parse_good(void)
{
    static const struct {
        const char *text;
        SlaKind kind;
        int64_t ms;
        int workdays;
    } good[] = {
        {"90 minutes", SLA_INTERVAL, 90 * MIN, 0},
        {"2 hours", SLA_INTERVAL, 2 * HOUR, 0},
        {"7 days", SLA_INTERVAL, 7 * DAY, 0},
        {"3 seconds", SLA_INTERVAL, 3 * SEC, 0},
        {"1 minute", SLA_INTERVAL, MIN, 0},
        {"1 hour", SLA_INTERVAL, HOUR, 0},
        {"1 day", SLA_INTERVAL, DAY, 0},
        {"1 second", SLA_INTERVAL, SEC, 0},
        {"24 hours", SLA_INTERVAL, DAY, 0},
        {"15 days", SLA_INTERVAL, 15 * DAY, 0},
        {"1 workday", SLA_WORKDAYS, 0, 1},
        {"5 workdays", SLA_WORKDAYS, 0, 5},
        {"2hours", SLA_INTERVAL, 2 * HOUR, 0},
        {"1workday", SLA_WORKDAYS, 0, 1},
        {"2 hour", SLA_INTERVAL, 2 * HOUR, 0},
        {"1 minutes", SLA_INTERVAL, MIN, 0},
        {"007 days", SLA_INTERVAL, 7 * DAY, 0},
        {"3650 days", SLA_INTERVAL, 3650 * DAY, 0},
        {"87600 hours", SLA_INTERVAL, 3650 * DAY, 0},
        {"315360000 seconds", SLA_INTERVAL, 3650 * DAY, 0},
        {"2500 workdays", SLA_WORKDAYS, 0, 2500},
    };

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        SlaLimit l = {0, -1, -1};
        ErrInfo ei;
        Err rc = sla_limit_parse(good[i].text, &l, &ei);

        if (rc != ERR_OK || l.kind != good[i].kind || l.ms != good[i].ms ||
            l.workdays != good[i].workdays) {
            fprintf(stderr, "\"%s\": rc %d kind %d ms %lld workdays %d\n", good[i].text, (int) rc,
                    (int) l.kind, (long long) l.ms, l.workdays);
            CHECK(!"good limit");
        }
    }
}

static void
test_limit_parse_bad(void)
{
    static const char *bad[] = {
        "",
        "0 minutes",
        "0 workdays",
        "00 days",
        "-5 minutes",
        "+5 minutes",
        "5",
        "minutes",
        " 5 minutes",
        "5 minutes ",
        "5  minutes",
        "5\tminutes",
        "5 mins",
        "5 min",
        "5 Minutes",
        "5 MINUTES",
        "5 weeks",
        "5 months",
        "1.5 hours",
        "1,5 hours",
        "5 minutes ago",
        "5 minutess",
        "5 workday s",
        "1 working day",
        "2 hours 30 minutes",
        "3651 days",
        "87601 hours",
        "5256001 minutes",
        "315360001 seconds",
        "2501 workdays",
        "99999999999999999999999999 seconds",
        "9223372036854775808 seconds",
        "PT2H",
        "2 s",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        SlaLimit l = {SLA_INTERVAL, 777, 0};
        ErrInfo ei;

        err_clear(&ei);
        if (sla_limit_parse(bad[i], &l, &ei) != ERR_INVALID) {
            fprintf(stderr, "accepted bad limit \"%s\"\n", bad[i]);
            CHECK(!"bad limit accepted");
            continue;
        }
        CHECK(l.kind == SLA_INTERVAL && l.ms == 777); /* unchanged */
        CHECK_INT(ei.code, ERR_INVALID);
        CHECK_STR(ei.field, "limit");
        CHECK(strncmp(ei.message, "invalid SLA limit \"", 19) == 0);
        CHECK(strncmp(ei.message + 19, bad[i], strlen(bad[i]) < 64 ? strlen(bad[i]) : 64) == 0);
    }

    {
        SlaLimit l;
        ErrInfo ei;

        CHECK_INT(sla_limit_parse(NULL, &l, &ei), ERR_INVALID);
        sla_limit_parse("5 weeks", &l, &ei);
        CHECK_STR(ei.message, "invalid SLA limit \"5 weeks\": expected a positive count and a "
                              "unit (seconds, minutes, hours, days or workdays), such as \"90 "
                              "minutes\"");
        sla_limit_parse("0 days", &l, &ei);
        CHECK_STR(ei.message, "invalid SLA limit \"0 days\": must be positive");
        sla_limit_parse("3651 days", &l, &ei);
        CHECK_STR(ei.message, "invalid SLA limit \"3651 days\": longer than 3650 days");
        sla_limit_parse("2501 workdays", &l, &ei);
        CHECK_STR(ei.message, "invalid SLA limit \"2501 workdays\": more than 2500 workdays");
    }
}

static void
test_limit_format(void)
{
    static const struct {
        SlaLimit limit;
        const char *text;
    } cases[] = {
        /* clang-format off */
        {{SLA_INTERVAL, 90 * MIN, 0},    "90 minutes"},
        {{SLA_INTERVAL, 120 * MIN, 0},   "2 hours"},
        {{SLA_INTERVAL, 24 * HOUR, 0},   "1 day"},
        {{SLA_INTERVAL, 36 * HOUR, 0},   "36 hours"},
        {{SLA_INTERVAL, 15 * DAY, 0},    "15 days"},
        {{SLA_INTERVAL, MIN, 0},         "1 minute"},
        {{SLA_INTERVAL, HOUR, 0},        "1 hour"},
        {{SLA_INTERVAL, SEC, 0},         "1 second"},
        {{SLA_INTERVAL, 61 * SEC, 0},    "61 seconds"},
        {{SLA_INTERVAL, 3650 * DAY, 0},  "3650 days"},
        {{SLA_WORKDAYS, 0, 1},           "1 workday"},
        {{SLA_WORKDAYS, 0, 2500},        "2500 workdays"},
        /* clang-format on */
    };
    static const SlaLimit invalid[] = {
        {SLA_INTERVAL, 0, 0},    {SLA_INTERVAL, -MIN, 0},
        {SLA_INTERVAL, 1500, 0}, {SLA_INTERVAL, 3650 * DAY + SEC, 0},
        {SLA_INTERVAL, MIN, 1},  {SLA_WORKDAYS, 0, 0},
        {SLA_WORKDAYS, 0, 2501}, {SLA_WORKDAYS, DAY, 1},
        {(SlaKind) 0, DAY, 0},   {(SlaKind) 3, 0, 1},
    };
    char buf[SLA_LIMIT_TEXT_LEN];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        SlaLimit back;

        CHECK(sla_limit_format(&cases[i].limit, buf, sizeof buf));
        CHECK_STR(buf, cases[i].text);
        CHECK_INT(sla_limit_parse(buf, &back, NULL), ERR_OK);
        CHECK(sla_limit_equal(&back, &cases[i].limit));
    }
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        strcpy(buf, "junk");
        CHECK(!sla_limit_format(&invalid[i], buf, sizeof buf));
        CHECK_STR(buf, "");
    }
    CHECK(!sla_limit_format(NULL, buf, sizeof buf));
    /* Too small a buffer. */
    CHECK(!sla_limit_format(&cases[0].limit, buf, 10)); /* "90 minutes" needs 11 */
    CHECK_STR(buf, "");
    CHECK(sla_limit_format(&cases[0].limit, buf, 11));

    /* Every interval in whole seconds up to two days survives a round trip. */
    for (int64_t ms = SEC; ms <= 2 * DAY; ms += SEC) {
        SlaLimit l = interval(ms), back;

        if (!sla_limit_format(&l, buf, sizeof buf) || sla_limit_parse(buf, &back, NULL) != ERR_OK ||
            !sla_limit_equal(&l, &back)) {
            fprintf(stderr, "round trip fails at %lld ms (\"%s\")\n", (long long) ms, buf);
            CHECK(!"round trip");
            break;
        }
    }
}

static void
test_limit_equal(void)
{
    SlaLimit a = interval(DAY), b = interval(24 * HOUR), c = workdays(1), d = workdays(1);
    SlaLimit e = interval(2 * DAY), f = workdays(2);

    CHECK(sla_limit_equal(&a, &b));
    CHECK(sla_limit_equal(&c, &d));
    CHECK(!sla_limit_equal(&a, &c));
    CHECK(!sla_limit_equal(&a, &e));
    CHECK(!sla_limit_equal(&c, &f));
}

/* ---- policy -------------------------------------------------------------- */

static void
test_defaults(void)
{
    /* domain.md §4, written out again: clock, urgency, limit. */
    static const struct {
        Clock clock;
        Urgency urgency;
        SlaLimit limit;
    } table[] = {
        {CLK_DISPATCH, URG_EMERGENCY, {SLA_INTERVAL, 5 * MIN, 0}},
        {CLK_DISPATCH, URG_TIMELY, {SLA_INTERVAL, 30 * MIN, 0}},
        {CLK_DISPATCH, URG_NORMAL, {SLA_INTERVAL, 2 * HOUR, 0}},
        {CLK_DISPATCH, URG_COMPLEX, {SLA_INTERVAL, 2 * HOUR, 0}},
        {CLK_ACCEPT, URG_EMERGENCY, {SLA_INTERVAL, 30 * MIN, 0}},
        {CLK_ACCEPT, URG_TIMELY, {SLA_INTERVAL, 2 * HOUR, 0}},
        {CLK_ACCEPT, URG_NORMAL, {SLA_WORKDAYS, 0, 1}},
        {CLK_ACCEPT, URG_COMPLEX, {SLA_WORKDAYS, 0, 1}},
        {CLK_CONTACT, URG_EMERGENCY, {SLA_INTERVAL, 30 * MIN, 0}},
        {CLK_CONTACT, URG_TIMELY, {SLA_INTERVAL, 2 * HOUR, 0}},
        {CLK_CONTACT, URG_NORMAL, {SLA_INTERVAL, 24 * HOUR, 0}},
        {CLK_CONTACT, URG_COMPLEX, {SLA_INTERVAL, 24 * HOUR, 0}},
        {CLK_REPLY, URG_EMERGENCY, {SLA_INTERVAL, 2 * HOUR, 0}},
        {CLK_REPLY, URG_TIMELY, {SLA_INTERVAL, 24 * HOUR, 0}},
        {CLK_REPLY, URG_NORMAL, {SLA_INTERVAL, 7 * DAY, 0}},
        {CLK_REPLY, URG_COMPLEX, {SLA_INTERVAL, 15 * DAY, 0}},
        {CLK_CALLBACK, URG_EMERGENCY, {SLA_WORKDAYS, 0, 1}},
        {CLK_CALLBACK, URG_TIMELY, {SLA_WORKDAYS, 0, 1}},
        {CLK_CALLBACK, URG_NORMAL, {SLA_WORKDAYS, 0, 1}},
        {CLK_CALLBACK, URG_COMPLEX, {SLA_WORKDAYS, 0, 1}},
        {CLK_RETURN_WINDOW, URG_EMERGENCY, {SLA_INTERVAL, 30 * MIN, 0}},
        {CLK_RETURN_WINDOW, URG_TIMELY, {SLA_INTERVAL, 2 * HOUR, 0}},
        {CLK_RETURN_WINDOW, URG_NORMAL, {SLA_WORKDAYS, 0, 1}},
        {CLK_RETURN_WINDOW, URG_COMPLEX, {SLA_WORKDAYS, 0, 1}},
    };
    SlaRule store[SLA_DEFAULT_RULES];
    SlaPolicy p;
    ErrInfo ei;

    CHECK_INT(sizeof table / sizeof table[0], SLA_DEFAULT_RULES);
    sla_policy_init(&p, store, SLA_DEFAULT_RULES);
    CHECK_INT(sla_policy_defaults(&p, &ei), ERR_OK);
    CHECK_INT(p.n, SLA_DEFAULT_RULES);
    for (size_t i = 0; i < p.n; i++) {
        CHECK_STR(p.rules[i].category_prefix, "");
        CHECK(p.rules[i].urgency != SLA_ANY_URGENCY);
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        SlaLimit got = {0, 0, 0};

        CHECK(sla_policy_lookup(&p, "0301", table[i].urgency, table[i].clock, &got));
        if (!sla_limit_equal(&got, &table[i].limit)) {
            fprintf(stderr, "default %d/%d: kind %d ms %lld workdays %d\n", (int) table[i].clock,
                    (int) table[i].urgency, (int) got.kind, (long long) got.ms, got.workdays);
            CHECK(!"default limit");
        }
    }

    /* Too little storage. */
    sla_policy_init(&p, store, SLA_DEFAULT_RULES - 1);
    CHECK_INT(sla_policy_defaults(&p, &ei), ERR_INVALID);
}

/* Splits line at commas into at most max cells; returns the count. */
static int
split_csv(char *line, char **cells, int max)
{
    int n = 0;

    cells[n++] = line;
    for (char *s = line; *s != '\0'; s++) {
        if (*s == ',') {
            *s = '\0';
            if (n == max)
                return max + 1;
            cells[n++] = s + 1;
        }
    }
    return n;
}

static void
test_defaults_csv(void)
{
    FILE *f = fopen(DEFAULTS_CSV, "r");
    char lines[64][128];
    SlaRule store[SLA_DEFAULT_RULES];
    SlaPolicy p;
    bool seen[CLK__COUNT][URG__COUNT] = {{false}};
    int lineno = 0, rows = 0;

    CHECK(f != NULL);
    if (f == NULL)
        return;
    sla_policy_init(&p, store, SLA_DEFAULT_RULES);
    CHECK_INT(sla_policy_defaults(&p, NULL), ERR_OK);
    while (lineno < 64 && fgets(lines[lineno], sizeof lines[0], f) != NULL) {
        char *line = lines[lineno++];
        char *cells[4];
        SlaRule rule;
        SlaLimit from_defaults;
        ErrInfo ei;

        line[strcspn(line, "\r\n")] = '\0';
        if (lineno == 1) {
            CHECK_STR(line, "category,urgency,clock,limit");
            continue;
        }
        if (split_csv(line, cells, 4) != 4) {
            fprintf(stderr, "%s:%d: expected 4 cells\n", DEFAULTS_CSV, lineno);
            CHECK(!"csv shape");
            continue;
        }
        if (sla_rule_parse(cells[0], cells[1], cells[2], cells[3], &rule, &ei) != ERR_OK) {
            fprintf(stderr, "%s:%d: %s\n", DEFAULTS_CSV, lineno, ei.message);
            CHECK(!"csv row");
            continue;
        }
        rows++;
        CHECK_STR(rule.category_prefix, "");
        CHECK(rule.urgency >= 0 && rule.urgency < URG__COUNT);
        if (rule.urgency < 0)
            continue;
        CHECK(!seen[rule.clock][rule.urgency]);
        seen[rule.clock][rule.urgency] = true;
        CHECK(sla_policy_lookup(&p, "", (Urgency) rule.urgency, rule.clock, &from_defaults));
        if (!sla_limit_equal(&rule.limit, &from_defaults)) {
            fprintf(stderr, "%s:%d: differs from sla_policy_defaults\n", DEFAULTS_CSV, lineno);
            CHECK(!"csv equals defaults");
        }
    }
    fclose(f);
    CHECK_INT(rows, SLA_DEFAULT_RULES);
    for (int c = 0; c < CLK__COUNT; c++)
        for (int u = 0; u < URG__COUNT; u++)
            CHECK(seen[c][u]);
}

/* A policy exercising precedence, added in the given order. */
static void
precedence_policy(SlaPolicy *p, SlaRule *store, size_t cap, bool reverse)
{
    const SlaRule rows[] = {
        {"", SLA_ANY_URGENCY, CLK_REPLY, {SLA_INTERVAL, 10 * DAY, 0}},
        {"", URG_NORMAL, CLK_REPLY, {SLA_INTERVAL, 7 * DAY, 0}},
        {"03", SLA_ANY_URGENCY, CLK_REPLY, {SLA_INTERVAL, 5 * DAY, 0}},
        {"03", URG_COMPLEX, CLK_REPLY, {SLA_INTERVAL, 20 * DAY, 0}},
        {"030", URG_EMERGENCY, CLK_REPLY, {SLA_INTERVAL, HOUR, 0}},
        {"0301", SLA_ANY_URGENCY, CLK_REPLY, {SLA_WORKDAYS, 0, 3}},
        {"0301", URG_TIMELY, CLK_CONTACT, {SLA_INTERVAL, 10 * MIN, 0}},
    };
    size_t n = sizeof rows / sizeof rows[0];

    sla_policy_init(p, store, cap);
    for (size_t i = 0; i < n; i++)
        CHECK_INT(sla_policy_add(p, &rows[reverse ? n - 1 - i : i], NULL), ERR_OK);
}

static void
test_lookup_precedence(void)
{
    static const struct {
        const char *category;
        Urgency urgency;
        Clock clock;
        bool found;
        SlaLimit want;
    } cases[] = {
        /* only the catch-all applies */
        {"0101", URG_TIMELY, CLK_REPLY, true, {SLA_INTERVAL, 10 * DAY, 0}},
        /* same (empty) prefix: the exact urgency wins */
        {"0101", URG_NORMAL, CLK_REPLY, true, {SLA_INTERVAL, 7 * DAY, 0}},
        /* a longer prefix beats an exact urgency on a shorter one */
        {"0302", URG_NORMAL, CLK_REPLY, true, {SLA_INTERVAL, 5 * DAY, 0}},
        {"0302", URG_COMPLEX, CLK_REPLY, true, {SLA_INTERVAL, 20 * DAY, 0}},
        /* the longest prefix wins even with `*` urgency */
        {"0301", URG_COMPLEX, CLK_REPLY, true, {SLA_WORKDAYS, 0, 3}},
        {"030101", URG_NORMAL, CLK_REPLY, true, {SLA_WORKDAYS, 0, 3}},
        {"0305", URG_EMERGENCY, CLK_REPLY, true, {SLA_INTERVAL, HOUR, 0}},
        /* a longer prefix that does not match the urgency is skipped */
        {"0305", URG_TIMELY, CLK_REPLY, true, {SLA_INTERVAL, 5 * DAY, 0}},
        /* a prefix equal to the code matches */
        {"03", URG_NORMAL, CLK_REPLY, true, {SLA_INTERVAL, 5 * DAY, 0}},
        /* a code shorter than a prefix does not match it */
        {"0", URG_NORMAL, CLK_REPLY, true, {SLA_INTERVAL, 7 * DAY, 0}},
        {"", URG_COMPLEX, CLK_REPLY, true, {SLA_INTERVAL, 10 * DAY, 0}},
        /* prefixes match characters, not numbers */
        {"3", URG_COMPLEX, CLK_REPLY, true, {SLA_INTERVAL, 10 * DAY, 0}},
        /* only rows of the asked clock count */
        {"0301", URG_TIMELY, CLK_CONTACT, true, {SLA_INTERVAL, 10 * MIN, 0}},
        {"0301", URG_NORMAL, CLK_CONTACT, false, {0, 0, 0}},
        {"0101", URG_TIMELY, CLK_CONTACT, false, {0, 0, 0}},
        {"0301", URG_NORMAL, CLK_ACCEPT, false, {0, 0, 0}},
    };
    SlaRule store[16];
    SlaPolicy p;

    for (int reverse = 0; reverse <= 1; reverse++) {
        precedence_policy(&p, store, 16, reverse);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            SlaLimit got = {SLA_INTERVAL, 12345 * SEC, 0};
            bool found =
                sla_policy_lookup(&p, cases[i].category, cases[i].urgency, cases[i].clock, &got);
            bool ok = found == cases[i].found &&
                      (found ? sla_limit_equal(&got, &cases[i].want) : got.ms == 12345 * SEC);

            if (!ok) {
                fprintf(stderr, "lookup %s/%d/%d (%s order): found %d ms %lld workdays %d\n",
                        cases[i].category, (int) cases[i].urgency, (int) cases[i].clock,
                        reverse ? "reverse" : "forward", found, (long long) got.ms, got.workdays);
                CHECK(!"lookup precedence");
            }
        }
    }

    /* A NULL category reads as "". */
    {
        SlaLimit got;

        precedence_policy(&p, store, 16, false);
        CHECK(sla_policy_lookup(&p, NULL, URG_NORMAL, CLK_REPLY, &got));
        CHECK_INT(got.ms, 7 * DAY);
    }
    /* An empty policy finds nothing. */
    {
        SlaLimit got;

        sla_policy_init(&p, NULL, 0);
        CHECK(!sla_policy_lookup(&p, "0301", URG_NORMAL, CLK_REPLY, &got));
    }
}

static void
test_policy_add(void)
{
    SlaRule store[2];
    SlaPolicy p;
    SlaRule r = {"03", URG_NORMAL, CLK_REPLY, {SLA_INTERVAL, 5 * DAY, 0}};
    SlaLimit got;
    ErrInfo ei;

    sla_policy_init(&p, store, 2);
    CHECK_INT(sla_policy_add(&p, &r, &ei), ERR_OK);
    /* Same key: the limit is replaced, no new row. */
    r.limit = workdays(2);
    CHECK_INT(sla_policy_add(&p, &r, &ei), ERR_OK);
    CHECK_INT(p.n, 1);
    CHECK(sla_policy_lookup(&p, "0301", URG_NORMAL, CLK_REPLY, &got));
    CHECK_INT(got.workdays, 2);
    /* The prefix is compared by content, not by pointer. */
    {
        char prefix[] = "03";
        SlaRule same = {prefix, URG_NORMAL, CLK_REPLY, {SLA_INTERVAL, HOUR, 0}};

        CHECK_INT(sla_policy_add(&p, &same, &ei), ERR_OK);
        CHECK_INT(p.n, 1);
    }

    {
        SlaRule bad = r;

        bad.urgency = URG__COUNT;
        CHECK_INT(sla_policy_add(&p, &bad, &ei), ERR_INVALID);
        CHECK_STR(ei.field, "urgency");
        bad = r;
        bad.urgency = -2;
        CHECK_INT(sla_policy_add(&p, &bad, &ei), ERR_INVALID);
        bad = r;
        bad.clock = CLK__COUNT;
        CHECK_INT(sla_policy_add(&p, &bad, &ei), ERR_INVALID);
        CHECK_STR(ei.field, "clock");
        bad = r;
        bad.limit = interval(0);
        CHECK_INT(sla_policy_add(&p, &bad, &ei), ERR_INVALID);
        CHECK_STR(ei.field, "limit");
        bad = r;
        bad.category_prefix = NULL;
        CHECK_INT(sla_policy_add(&p, &bad, &ei), ERR_INVALID);
        CHECK_STR(ei.field, "category");
        CHECK_INT(p.n, 1);
    }

    r.urgency = SLA_ANY_URGENCY;
    CHECK_INT(sla_policy_add(&p, &r, &ei), ERR_OK);
    CHECK_INT(p.n, 2);
    r.category_prefix = "04";
    CHECK_INT(sla_policy_add(&p, &r, &ei), ERR_INVALID);
    CHECK(strstr(ei.message, "at most 2 rules") != NULL);
    CHECK_INT(p.n, 2);
}

static void
test_rule_parse(void)
{
    static const struct {
        const char *cells[4];
        const char *field;
    } bad[] = {
        {{"", "normal", "reply", "7 days"}, "category"},
        {{"03 01", "normal", "reply", "7 days"}, "category"},
        {{"03*", "normal", "reply", "7 days"}, "category"},
        {{"**", "normal", "reply", "7 days"}, "category"},
        {{"*", "Normal", "reply", "7 days"}, "urgency"},
        {{"*", "urgent", "reply", "7 days"}, "urgency"},
        {{"*", "", "reply", "7 days"}, "urgency"},
        {{"*", "normal", "handling", "7 days"}, "clock"},
        {{"*", "normal", "return-window", "7 days"}, "clock"},
        {{"*", "normal", "", "7 days"}, "clock"},
        {{"*", "normal", "reply", "7 weeks"}, "limit"},
        {{"*", "normal", "reply", ""}, "limit"},
    };
    SlaRule r;
    ErrInfo ei;

    CHECK_INT(sla_rule_parse("*", "*", "return_window", "1 workday", &r, &ei), ERR_OK);
    CHECK_STR(r.category_prefix, "");
    CHECK_INT(r.urgency, SLA_ANY_URGENCY);
    CHECK_INT(r.clock, CLK_RETURN_WINDOW);
    CHECK_INT(r.limit.kind, SLA_WORKDAYS);
    CHECK_INT(r.limit.workdays, 1);

    CHECK_INT(sla_rule_parse("0301", "emergency", "dispatch", "5 minutes", &r, &ei), ERR_OK);
    CHECK_STR(r.category_prefix, "0301");
    CHECK_INT(r.urgency, URG_EMERGENCY);
    CHECK_INT(r.clock, CLK_DISPATCH);
    CHECK_INT(r.limit.ms, 5 * MIN);

    {
        static const char *urg[] = {"emergency", "timely", "normal", "complex"};
        static const char *clk[] = {"dispatch", "accept",   "contact",
                                    "reply",    "callback", "return_window"};

        for (int u = 0; u < 4; u++) {
            CHECK_INT(sla_rule_parse("*", urg[u], "reply", "1 day", &r, &ei), ERR_OK);
            CHECK_INT(r.urgency, u);
        }
        for (int c = 0; c < 6; c++) {
            CHECK_INT(sla_rule_parse("*", "*", clk[c], "1 day", &r, &ei), ERR_OK);
            CHECK_INT(r.clock, c);
        }
    }

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_clear(&ei);
        CHECK_INT(sla_rule_parse(bad[i].cells[0], bad[i].cells[1], bad[i].cells[2], bad[i].cells[3],
                                 &r, &ei),
                  ERR_INVALID);
        CHECK_STR(ei.field, bad[i].field);
    }
    CHECK_INT(sla_rule_parse(NULL, "*", "reply", "1 day", &r, &ei), ERR_INVALID);
    CHECK_INT(sla_rule_parse("*", NULL, "reply", "1 day", &r, &ei), ERR_INVALID);
    CHECK_INT(sla_rule_parse("*", "*", NULL, "1 day", &r, &ei), ERR_INVALID);
    CHECK_INT(sla_rule_parse("*", "*", "reply", NULL, &r, &ei), ERR_INVALID);
    sla_rule_parse("*", "urgent", "reply", "1 day", &r, &ei);
    CHECK_STR(ei.message,
              "invalid SLA urgency \"urgent\": expected emergency, timely, normal, complex or *");
    sla_rule_parse("*", "*", "handling", "1 day", &r, &ei);
    CHECK_STR(ei.message, "invalid SLA clock \"handling\": expected dispatch, accept, contact, "
                          "reply, callback or return_window");
}

/* ---- deadlines ----------------------------------------------------------- */

/* Mid-Autumn and National Day 2026, as in data/calendar/cn-holidays.csv. */
static void
autumn_2026(Calendar *cal, CalendarDay *store, size_t cap)
{
    calendar_init(cal, store, cap);
    CHECK_INT(calendar_add_text(cal, "2026-09-20", "workday", NULL), ERR_OK);
    for (int d = 25; d <= 27; d++)
        CHECK_INT(calendar_add(cal, 2026, 9, d, CALENDAR_HOLIDAY, NULL), ERR_OK);
    for (int d = 1; d <= 7; d++)
        CHECK_INT(calendar_add(cal, 2026, 10, d, CALENDAR_HOLIDAY, NULL), ERR_OK);
    CHECK_INT(calendar_add_text(cal, "2026-10-10", "workday", NULL), ERR_OK);
}

static void
test_deadline(void)
{
    CalendarDay store[16];
    Calendar cal;
    SlaLimit one_workday = workdays(1), seven_days = interval(7 * DAY);
    SlaLimit two_hours = interval(2 * HOUR), five_workdays = workdays(5);
    int64_t wed = cst(2026, 9, 30, 17, 0);

    autumn_2026(&cal, store, 16);
    /* Dispatched Wednesday 2026-09-30 17:00, the eve of National Day: a
     * normal ticket must be accepted by Thursday 10-08 17:00 ... */
    CHECK_INT(sla_deadline(&cal, &one_workday, wed), cst(2026, 10, 8, 17, 0));
    /* ... while calendar-time clocks run through the holiday. */
    CHECK_INT(sla_deadline(&cal, &seven_days, wed), cst(2026, 10, 7, 17, 0));
    CHECK_INT(sla_deadline(&cal, &two_hours, wed), cst(2026, 9, 30, 19, 0));
    /* 5 working days from the Friday before: Sun 09-20 (adjusted), Mon to
     * Thu 09-21 .. 09-24. */
    CHECK_INT(sla_deadline(&cal, &five_workdays, cst(2026, 9, 18, 9, 30)), cst(2026, 9, 24, 9, 30));
    /* Without a calendar only weekends are off. */
    CHECK_INT(sla_deadline(NULL, &one_workday, wed), cst(2026, 10, 1, 17, 0));
    CHECK(sla_deadline(&cal, &one_workday, TS_NONE) == TS_NONE);
    CHECK(sla_deadline(&cal, &two_hours, TS_NONE) == TS_NONE);
    CHECK(sla_deadline(&cal, NULL, wed) == TS_NONE);
}

static void
test_warning_at(void)
{
    CalendarDay store[16];
    Calendar cal;
    SlaLimit one_workday = workdays(1);
    int64_t wed = cst(2026, 9, 30, 17, 0), due;

    CHECK_INT(sla_warning_at(0, 100, 75), 75);
    CHECK_INT(sla_warning_at(1000, 1100, 75), 1075);
    CHECK_INT(sla_warning_at(0, 3, 75), 2); /* 2.25 rounds down */
    CHECK_INT(sla_warning_at(0, 199, 50), 99);
    CHECK_INT(sla_warning_at(0, 100, 0), 0);
    CHECK_INT(sla_warning_at(0, 100, 100), 100);
    CHECK_INT(sla_warning_at(0, 100, -5), 0);
    CHECK_INT(sla_warning_at(0, 100, 150), 100);
    /* A two-hour clock warns after 90 minutes. */
    CHECK_INT(sla_warning_at(wed, wed + 2 * HOUR, 75), wed + 90 * MIN);
    /* A working-day clock warns at 75 % of its wall time: 192 hours from
     * 09-30 17:00 to 10-08 17:00, so 144 hours in, 10-06 17:00. */
    autumn_2026(&cal, store, 16);
    due = sla_deadline(&cal, &one_workday, wed);
    CHECK_INT(sla_warning_at(wed, due, 75), cst(2026, 10, 6, 17, 0));
    /* A span of ten years does not overflow. */
    CHECK_INT(sla_warning_at(wed, wed + 3650 * DAY, 75), wed + 2737 * DAY + 12 * HOUR);
    CHECK(sla_warning_at(TS_NONE, wed, 75) == TS_NONE);
    CHECK(sla_warning_at(wed, TS_NONE, 75) == TS_NONE);
}

static void
test_shift(void)
{
    int64_t due = cst(2026, 10, 13, 17, 0);

    /* Suspended Friday 10-09 17:00, resumed Monday 10-12 09:00: 64 hours of
     * wall time are added, whatever the clock's kind (docs/sla.md §8). */
    CHECK_INT(sla_shift(due, cst(2026, 10, 12, 9, 0) - cst(2026, 10, 9, 17, 0)),
              cst(2026, 10, 16, 9, 0));
    CHECK_INT(sla_shift(due, 0), due);
    CHECK(sla_shift(TS_NONE, HOUR) == TS_NONE);
}

int
main(void)
{
    RUN(test_limit_parse_good);
    RUN(test_limit_parse_bad);
    RUN(test_limit_format);
    RUN(test_limit_equal);
    RUN(test_defaults);
    RUN(test_defaults_csv);
    RUN(test_lookup_precedence);
    RUN(test_policy_add);
    RUN(test_rule_parse);
    RUN(test_deadline);
    RUN(test_warning_at);
    RUN(test_shift);
    return CHECK_DONE();
}
