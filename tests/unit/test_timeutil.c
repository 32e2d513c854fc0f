/*
 * test_timeutil.c — RFC 3339 parsing and formatting (offsets, fractions,
 * invalid input), dates, and the Asia/Shanghai date of an instant near
 * midnight.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core/timeutil.h"

#define HOUR INT64_C(3600000)
#define DAY (24 * HOUR)

/* 2026-11-21T16:30:00Z, which is 2026-11-22 00:30 in Shanghai */
#define T_1630Z INT64_C(1795278600000)

static void
test_parse_good(void)
{
    static const struct {
        const char *text;
        int64_t ms;
    } cases[] = {
        {"2026-11-21T16:30:00Z", T_1630Z},
        {"2026-11-21T16:30:00z", T_1630Z},
        {"2026-11-21t16:30:00Z", T_1630Z},
        {"2026-11-21 16:30:00Z", T_1630Z},
        {"2026-11-22T00:30:00+08:00", T_1630Z},
        {"2026-11-21T11:00:00-05:30", T_1630Z},
        {"2026-11-21T16:30:00+00:00", T_1630Z},
        {"2026-11-21T16:30:00-00:00", T_1630Z},
        {"2026-11-22T11:17:25.123+08:00", INT64_C(1795317445123)},
        {"2026-11-21T16:30:00.5Z", T_1630Z + 500},
        {"2026-11-21T16:30:00.05Z", T_1630Z + 50},
        {"2026-11-21T16:30:00.999999999Z", T_1630Z + 999}, /* beyond ms: cut */
        {"2026-11-21T16:30:00.000Z", T_1630Z},
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-01T07:59:59.999+08:00", -1},
        {"2024-02-29T12:00:00Z", INT64_C(1709208000000)},
        {"2000-01-01T00:00:00Z", INT64_C(946684800000)},
        {"1900-01-01T00:00:00Z", INT64_C(-2208988800000)},
        {"9999-12-31T23:59:59Z", INT64_C(253402300799000)},
        {"2026-01-01T00:00:00+23:59", INT64_C(1767225600000) - 23 * HOUR - 59 * 60000},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t ms = 42;
        bool ok = time_parse(cases[i].text, &ms);

        if (!ok || ms != cases[i].ms)
            fprintf(stderr, "time_parse(%s): %d %lld\n", cases[i].text, ok, (long long) ms);
        CHECK(ok);
        CHECK_INT(ms, cases[i].ms);
    }
}

static void
test_parse_bad(void)
{
    static const char *const bad[] = {
        "",
        "2026-11-21",                      /* a date is not a time */
        "2026-11-21T16:30:00",             /* no offset */
        "2026-11-21T16:30Z",               /* no seconds */
        "2026-11-21T16:30:00ZZ",           /* trailing junk */
        "2026-11-21T16:30:00Z ",           /* trailing space */
        "2026-11-21T16:30:00+08:00x",      /* after the offset */
        "2026-11-21T16:30:00+0800",        /* offset without colon */
        "2026-11-21T16:30:00+08",          /* offset without minutes */
        "2026-11-21T16:30:00+24:00",       /* offset hour */
        "2026-11-21T16:30:00+08:60",       /* offset minute */
        "2026-11-21T16:30:00.Z",           /* empty fraction */
        "2026-11-21T16:30:00.1234567890Z", /* more than nanoseconds */
        "2026-11-21T16:30:00,5Z",          /* comma fraction */
        "2026-02-30T00:00:00Z",            /* Feb 30 */
        "2026-02-29T00:00:00Z",            /* not a leap year */
        "2100-02-29T00:00:00Z",            /* nor is 2100 */
        "2026-04-31T00:00:00Z",            /* April has 30 */
        "2026-13-01T00:00:00Z",            /* month 13 */
        "2026-00-10T00:00:00Z",            /* month 0 */
        "2026-11-00T00:00:00Z",            /* day 0 */
        "2026-11-21T24:00:00Z",            /* 24:00 */
        "2026-11-21T23:60:00Z",            /* minute 60 */
        "2026-11-21T23:59:60Z",            /* no leap seconds */
        "1899-12-31T23:59:59Z",            /* before 1900 */
        "1900-01-01T00:00:00+00:01",       /* an instant before 1900 */
        "9999-12-31T23:59:59.99-14:00",    /* an instant in 10000 (found by fuzz_time) */
        "2026-1-21T16:30:00Z",             /* one-digit month */
        "2026/11/21T16:30:00Z",            /* slashes */
        "2026-11-21X16:30:00Z",            /* separator */
        " 2026-11-21T16:30:00Z",           /* leading space */
        "+2026-11-21T16:30:00Z",
        "2026-11-21T16:30:0aZ",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 42;

        if (time_parse(bad[i], &ms))
            fprintf(stderr, "time_parse accepted %s\n", bad[i]);
        CHECK(!time_parse(bad[i], &ms));
    }
    {
        int64_t ms;

        CHECK(!time_parse(NULL, &ms));
    }
}

static void
test_format(void)
{
    char buf[40];

    CHECK_STR(time_format(INT64_C(1795317445123), buf, sizeof buf),
              "2026-11-22T11:17:25.123+08:00");
    CHECK_STR(time_format(T_1630Z, buf, sizeof buf), "2026-11-22T00:30:00.000+08:00");
    CHECK_STR(time_format(T_1630Z - 1, buf, sizeof buf), "2026-11-22T00:29:59.999+08:00");
    CHECK_STR(time_format(0, buf, sizeof buf), "1970-01-01T08:00:00.000+08:00");
    CHECK_STR(time_format(-1, buf, sizeof buf), "1970-01-01T07:59:59.999+08:00");
    CHECK_STR(time_format(-8 * HOUR - 1, buf, sizeof buf), "1969-12-31T23:59:59.999+08:00");
    CHECK_STR(time_format(INT64_C(1709208000000), buf, sizeof buf),
              "2024-02-29T20:00:00.000+08:00");
    CHECK_STR(time_format(INT64_C(253402300799000) - 8 * HOUR, buf, sizeof buf),
              "9999-12-31T23:59:59.000+08:00");
}

static void
test_round_trip(void)
{
    /* every format parses back to the same instant, across years and signs */
    int64_t ms = INT64_C(-2208988800000) + 8 * HOUR; /* 1900-01-01 Shanghai */
    int n = 0;

    for (; ms < INT64_C(4102444800000); ms += 37 * DAY + 3 * HOUR + 7777) {
        char buf[40];
        int64_t back = 0;

        time_format(ms, buf, sizeof buf);
        if (!time_parse(buf, &back) || back != ms) {
            fprintf(stderr, "round trip of %lld: %s -> %lld\n", (long long) ms, buf,
                    (long long) back);
            CHECK(false);
            break;
        }
        n++;
    }
    CHECK(n > 1000);
}

static void
test_parse_date(void)
{
    int64_t day = 42;

    CHECK(time_parse_date("2026-11-22", &day));
    CHECK_INT(day, 20779);
    CHECK(time_parse_date("1970-01-01", &day));
    CHECK_INT(day, 0);
    CHECK(time_parse_date("1900-01-01", &day));
    CHECK_INT(day, -25567);
    CHECK(time_parse_date("2024-02-29", &day));
    CHECK_INT(day, 19782);
    CHECK(time_parse_date("9999-12-31", &day));
    CHECK_INT(day, 2932896);
    CHECK(!time_parse_date("2026-02-29", &day));
    CHECK(!time_parse_date("2026-11-31", &day));
    CHECK(!time_parse_date("2026-11-2", &day));
    CHECK(!time_parse_date("2026-11-22 ", &day));
    CHECK(!time_parse_date("2026-11-22T00:00:00Z", &day));
    CHECK(!time_parse_date("1899-12-31", &day));
    CHECK(!time_parse_date("", &day));
    CHECK(!time_parse_date(NULL, &day));
}

static void
test_cst_date(void)
{
    static const struct {
        int64_t ms;
        const char *date;
    } cases[] = {
        {T_1630Z, "20261122"},              /* 00:30 in Shanghai, 16:30 the day before in UTC */
        {T_1630Z - 30 * 60000, "20261122"}, /* 16:00Z is Shanghai midnight */
        {T_1630Z - 30 * 60000 - 1, "20261121"},
        {T_1630Z + 8 * HOUR - 30 * 60000, "20261122"},
        {0, "19700101"},
        {-8 * HOUR, "19700101"},
        {-8 * HOUR - 1, "19691231"},
        {INT64_C(1709208000000), "20240229"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[9];

        memset(out, 'x', sizeof out);
        time_cst_yyyymmdd(cases[i].ms, out);
        CHECK_INT(out[8], '\0');
        CHECK_STR(out, cases[i].date);
    }
}

int
main(void)
{
    RUN(test_parse_good);
    RUN(test_parse_bad);
    RUN(test_format);
    RUN(test_round_trip);
    RUN(test_parse_date);
    RUN(test_cst_date);
    return CHECK_DONE();
}
