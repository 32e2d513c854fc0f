/*
 * test_calendar.c — civil date conversions and the working-day calendar,
 * against the official 2025–2026 data (data/calendar/cn-holidays.csv) and the
 * hand-checked cases in tests/unit/data/calendar_cases.tsv.
 *
 * Expected values here are written out by hand from the State Council
 * notices, never computed with the code under test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/calendar.h"
#include "core/ticket.h"

#define HOLIDAYS_CSV MINHU_SOURCE_DIR "/data/calendar/cn-holidays.csv"
#define CASES_TSV MINHU_TEST_DATA "/calendar_cases.tsv"

#define MS_MINUTE INT64_C(60000)
#define MS_HOUR (60 * MS_MINUTE)

static CalendarDay official_storage[512];
static Calendar official;

/* Day number of y-m-d, shorter to read in tables. */
static int64_t
D(int y, int m, int d)
{
    return calendar_days_from_civil(y, m, d);
}

/* The instant y-m-d hh:mm in Asia/Shanghai, computed without the module's
 * own helpers beyond days_from_civil (checked separately). */
static int64_t
cst(int y, int m, int d, int hh, int mm)
{
    return D(y, m, d) * INT64_C(86400000) + hh * MS_HOUR + mm * MS_MINUTE - 8 * MS_HOUR;
}

/* Parses "YYYY-MM-DD HH:MM" (Asia/Shanghai) into ms; false when malformed. */
static bool
parse_cst(const char *text, int64_t *ms)
{
    char date[CALENDAR_DATE_LEN];
    int64_t day;
    int hh, mm;
    char tail;

    if (strlen(text) != 16 || text[10] != ' ')
        return false;
    memcpy(date, text, 10);
    date[10] = '\0';
    if (calendar_date_parse(date, &day, NULL) != ERR_OK)
        return false;
    if (sscanf(text + 11, "%2d:%2d%c", &hh, &mm, &tail) != 2 || hh > 23 || mm > 59)
        return false;
    *ms = day * INT64_C(86400000) + hh * MS_HOUR + mm * MS_MINUTE - 8 * MS_HOUR;
    return true;
}

/* Formats ms as "YYYY-MM-DD HH:MM" (Asia/Shanghai) for messages. */
static const char *
fmt_cst(int64_t ms, char *buf, size_t len)
{
    char date[CALENDAR_DATE_LEN];
    int64_t tod = calendar_cst_ms_of_day(ms);

    calendar_date_format(calendar_cst_day(ms), date, sizeof date);
    snprintf(buf, len, "%s %02d:%02d", date, (int) (tod / MS_HOUR),
             (int) (tod % MS_HOUR / MS_MINUTE));
    return buf;
}

static void
strip_eol(char *line)
{
    line[strcspn(line, "\r\n")] = '\0';
}

/* Loads the shipped calendar CSV (date,kind,name) into `official`. */
static bool
load_official(void)
{
    FILE *f = fopen(HOLIDAYS_CSV, "r");
    char line[256];
    int lineno = 0;
    bool ok = false;
    ErrInfo ei;

    calendar_init(&official, official_storage,
                  sizeof official_storage / sizeof official_storage[0]);
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", HOLIDAYS_CSV);
        goto done;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *date = line, *kind, *rest;

        lineno++;
        strip_eol(line);
        if (lineno == 1) {
            if (strncmp(line, "date,kind", 9) != 0) {
                fprintf(stderr, "%s: unexpected header \"%s\"\n", HOLIDAYS_CSV, line);
                goto done;
            }
            continue;
        }
        kind = strchr(date, ',');
        if (kind == NULL)
            goto bad;
        *kind++ = '\0';
        rest = strchr(kind, ',');
        if (rest != NULL)
            *rest = '\0';
        if (calendar_add_text(&official, date, kind, &ei) != ERR_OK) {
            fprintf(stderr, "%s:%d: %s\n", HOLIDAYS_CSV, lineno, ei.message);
            goto done;
        }
    }
    ok = true;
    goto done;
bad:
    fprintf(stderr, "%s:%d: malformed line\n", HOLIDAYS_CSV, lineno);
done:
    if (f != NULL)
        fclose(f);
    return ok;
}

/* ---- civil dates --------------------------------------------------------- */

static void
test_civil_known_values(void)
{
    int y, m, d;

    CHECK_INT(D(1970, 1, 1), 0);
    CHECK_INT(D(1969, 12, 31), -1);
    CHECK_INT(D(2000, 2, 29), 11016);
    CHECK_INT(D(2000, 3, 1), 11017);
    CHECK_INT(D(1900, 1, 1), -25567);
    CHECK_INT(D(1600, 1, 1), -135140);
    CHECK_INT(D(2025, 1, 1), 20089);
    CHECK_INT(D(2026, 10, 1), 20727);
    CHECK_INT(D(9999, 12, 31), 2932896);

    calendar_civil_from_days(20727, &y, &m, &d);
    CHECK_INT(y, 2026);
    CHECK_INT(m, 10);
    CHECK_INT(d, 1);
    calendar_civil_from_days(-1, &y, &m, &d);
    CHECK_INT(y * 10000 + m * 100 + d, 19691231);
    calendar_civil_from_days(11016, &y, &m, &d);
    CHECK_INT(y * 10000 + m * 100 + d, 20000229);
    calendar_civil_from_days(-135140, &y, NULL, NULL);
    CHECK_INT(y, 1600);

    CHECK_INT(calendar_weekday(0), 4);               /* Thursday */
    CHECK_INT(calendar_weekday(-1), 3);              /* Wednesday */
    CHECK_INT(calendar_weekday(D(1900, 1, 1)), 1);   /* Monday */
    CHECK_INT(calendar_weekday(D(1600, 1, 1)), 6);   /* Saturday */
    CHECK_INT(calendar_weekday(D(2025, 1, 1)), 3);   /* Wednesday */
    CHECK_INT(calendar_weekday(D(2026, 10, 1)), 4);  /* Thursday */
    CHECK_INT(calendar_weekday(D(2026, 9, 30)), 3);  /* Wednesday */
    CHECK_INT(calendar_weekday(D(2026, 10, 4)), 7);  /* Sunday */
    CHECK_INT(calendar_weekday(D(2027, 1, 1)), 5);   /* Friday */
    CHECK_INT(calendar_weekday(D(9999, 12, 31)), 5); /* Friday */
}

static void
test_civil_round_trip(void)
{
    int64_t first = D(1900, 1, 1), last = D(9999, 12, 31);
    int py = 1899, pm = 12, pd = 31;
    int bad = 0;

    for (int64_t day = first; day <= last; day++) {
        int y, m, d;
        bool next;

        calendar_civil_from_days(day, &y, &m, &d);
        /* Each date follows the previous one by exactly one calendar day. */
        next = (y == py && m == pm && d == pd + 1) || (y == py && m == pm + 1 && d == 1) ||
               (y == py + 1 && m == 1 && d == 1 && pm == 12);
        if (!next || !calendar_date_valid(y, m, d) || D(y, m, d) != day ||
            calendar_weekday(day) != (int) (((day % 7) + 7 + 3) % 7) + 1) {
            if (bad++ < 5)
                fprintf(stderr, "day %lld: %04d-%02d-%02d after %04d-%02d-%02d\n", (long long) day,
                        y, m, d, py, pm, pd);
        }
        py = y;
        pm = m;
        pd = d;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(py * 10000 + pm * 100 + pd, 99991231);
}

static void
test_date_valid(void)
{
    CHECK(calendar_date_valid(2024, 2, 29));
    CHECK(!calendar_date_valid(2025, 2, 29));
    CHECK(!calendar_date_valid(1900, 2, 29)); /* century, not leap */
    CHECK(calendar_date_valid(2000, 2, 29));  /* 400th year, leap */
    CHECK(!calendar_date_valid(2025, 4, 31));
    CHECK(calendar_date_valid(2025, 12, 31));
    CHECK(!calendar_date_valid(2025, 13, 1));
    CHECK(!calendar_date_valid(2025, 0, 1));
    CHECK(!calendar_date_valid(2025, 1, 0));
    CHECK(!calendar_date_valid(1899, 12, 31));
    CHECK(!calendar_date_valid(10000, 1, 1));
}

static void
test_cst_conversions(void)
{
    /* The epoch is 08:00 in Shanghai. */
    CHECK_INT(calendar_cst_day(0), 0);
    CHECK_INT(calendar_cst_ms_of_day(0), 8 * MS_HOUR);
    /* Shanghai midnight of 1970-01-01 is 16:00 UTC the day before. */
    CHECK_INT(calendar_cst_day(-8 * MS_HOUR), 0);
    CHECK_INT(calendar_cst_ms_of_day(-8 * MS_HOUR), 0);
    CHECK_INT(calendar_cst_day(-8 * MS_HOUR - 1), -1);
    CHECK_INT(calendar_cst_ms_of_day(-8 * MS_HOUR - 1), INT64_C(86399999));
    /* 16:00 UTC is the next Shanghai day. */
    CHECK_INT(calendar_cst_day(16 * MS_HOUR - 1), 0);
    CHECK_INT(calendar_cst_day(16 * MS_HOUR), 1);

    /* Values checked with an independent tool. */
    CHECK_INT(cst(2026, 10, 1, 0, 0), INT64_C(1790784000000));
    CHECK_INT(cst(2026, 9, 30, 17, 0), INT64_C(1790758800000));
    CHECK_INT(cst(2025, 3, 10, 7, 30), INT64_C(1741563000000));
    CHECK_INT(calendar_cst_day(INT64_C(1790758800000)), D(2026, 9, 30));
    CHECK_INT(calendar_cst_ms_of_day(INT64_C(1790758800000)), 17 * MS_HOUR);
    CHECK_INT(calendar_cst_day(INT64_C(1741563000000)), D(2025, 3, 10));
    CHECK_INT(calendar_cst_ms(D(2026, 10, 1), 0), INT64_C(1790784000000));

    /* Round trips, including before the epoch. */
    for (int64_t ms = -INT64_C(3) * 86400000 * 400; ms < INT64_C(2000000000000);
         ms += INT64_C(7919) * 60000 + 13) {
        int64_t day = calendar_cst_day(ms), tod = calendar_cst_ms_of_day(ms);

        if (tod < 0 || tod >= 86400000 || calendar_cst_ms(day, tod) != ms) {
            CHECK(!"cst round trip");
            break;
        }
    }
}

static void
test_date_parse_format(void)
{
    static const char *bad[] = {
        "",           "2025-1-01",   "2025-01-1",  "2025/01/01", "2025-01-01 ", " 2025-01-01",
        "2025-02-29", "2025-13-01",  "2025-00-10", "2025-04-31", "1899-12-31",  "20250101",
        "2025-01-0a", "2025-01-01x", "+025-01-01", "2025-01",
    };
    int64_t day = -7;
    char buf[CALENDAR_DATE_LEN];
    ErrInfo ei;

    CHECK_INT(calendar_date_parse("2026-10-01", &day, &ei), ERR_OK);
    CHECK_INT(day, 20727);
    CHECK_INT(calendar_date_parse("2024-02-29", &day, &ei), ERR_OK);
    CHECK_INT(day, D(2024, 2, 29));
    CHECK_INT(calendar_date_parse("1900-01-01", &day, &ei), ERR_OK);
    CHECK_INT(day, -25567);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_clear(&ei);
        day = 42;
        if (calendar_date_parse(bad[i], &day, &ei) != ERR_INVALID || day != 42) {
            fprintf(stderr, "accepted bad date \"%s\"\n", bad[i]);
            CHECK(!"bad date accepted");
        }
        CHECK_STR(ei.field, "date");
        CHECK(strstr(ei.message, "invalid date") != NULL);
    }
    CHECK_INT(calendar_date_parse(NULL, &day, &ei), ERR_INVALID);
    calendar_date_parse("2025-02-30", &day, &ei);
    CHECK_STR(ei.message, "invalid date \"2025-02-30\": no such day");

    CHECK_STR(calendar_date_format(20727, buf, sizeof buf), "2026-10-01");
    CHECK_STR(calendar_date_format(-1, buf, sizeof buf), "1969-12-31");
    CHECK_STR(calendar_date_format(D(2025, 1, 5), buf, sizeof buf), "2025-01-05");
}

/* ---- building a calendar ------------------------------------------------- */

static void
test_add_rules(void)
{
    CalendarDay store[4];
    Calendar cal;
    ErrInfo ei;

    calendar_init(&cal, store, 4);
    CHECK_INT(cal.n, 0);
    CHECK(!calendar_covers(&cal, D(2026, 1, 1)));

    /* Out of order; the table stays sorted. */
    CHECK_INT(calendar_add(&cal, 2026, 10, 1, CALENDAR_HOLIDAY, &ei), ERR_OK);
    CHECK_INT(calendar_add(&cal, 2025, 1, 26, CALENDAR_WORKDAY, &ei), ERR_OK); /* a Sunday */
    CHECK_INT(calendar_add(&cal, 2026, 10, 4, CALENDAR_HOLIDAY, &ei), ERR_OK); /* a Sunday */
    CHECK_INT(cal.n, 3);
    CHECK_INT(cal.days[0].day, D(2025, 1, 26));
    CHECK_INT(cal.days[1].day, D(2026, 10, 1));
    CHECK_INT(cal.days[2].day, D(2026, 10, 4));
    CHECK_INT(cal.first_year, 2025);
    CHECK_INT(cal.last_year, 2026);
    CHECK(calendar_covers(&cal, D(2025, 1, 1)));
    CHECK(calendar_covers(&cal, D(2026, 12, 31)));
    CHECK(!calendar_covers(&cal, D(2024, 12, 31)));
    CHECK(!calendar_covers(&cal, D(2027, 1, 1)));

    /* The same day with the same kind again is harmless. */
    CHECK_INT(calendar_add(&cal, 2026, 10, 1, CALENDAR_HOLIDAY, &ei), ERR_OK);
    CHECK_INT(cal.n, 3);

    /* The same day with the other kind is a conflict. */
    err_clear(&ei);
    CHECK_INT(calendar_add(&cal, 2026, 10, 4, CALENDAR_WORKDAY, &ei), ERR_INVALID);
    CHECK_STR(ei.field, "date");
    CHECK_STR(ei.message, "calendar date 2026-10-04 is already a holiday");
    CHECK_INT(calendar_add(&cal, 2025, 1, 26, CALENDAR_HOLIDAY, &ei), ERR_INVALID);
    CHECK_STR(ei.message, "calendar date 2025-01-26 is already a workday");
    CHECK_INT(cal.n, 3);

    /* A workday must be a Saturday or a Sunday. */
    CHECK_INT(calendar_add(&cal, 2026, 3, 3, CALENDAR_WORKDAY, &ei), ERR_INVALID);
    CHECK_STR(ei.field, "kind");
    CHECK_STR(ei.message, "workday 2026-03-03 falls on a Tuesday, which is a working day anyway");
    CHECK_INT(calendar_add(&cal, 2026, 3, 6, CALENDAR_WORKDAY, &ei), ERR_INVALID); /* Friday */

    /* Invalid dates and kinds. */
    CHECK_INT(calendar_add(&cal, 2025, 2, 29, CALENDAR_HOLIDAY, &ei), ERR_INVALID);
    CHECK_STR(ei.message, "invalid calendar date 2025-02-29");
    CHECK_INT(calendar_add(&cal, 2025, 13, 1, CALENDAR_HOLIDAY, &ei), ERR_INVALID);
    CHECK_INT(calendar_add(&cal, 2025, 5, 1, (CalendarKind) 7, &ei), ERR_INVALID);
    CHECK_STR(ei.field, "kind");
    CHECK_INT(cal.n, 3);

    /* Storage full. */
    CHECK_INT(calendar_add(&cal, 2025, 5, 1, CALENDAR_HOLIDAY, &ei), ERR_OK);
    CHECK_INT(calendar_add(&cal, 2025, 5, 2, CALENDAR_HOLIDAY, &ei), ERR_INVALID);
    CHECK(strstr(ei.message, "at most 4 special days") != NULL);
    CHECK_INT(cal.n, 4);
    CHECK_INT(cal.days[1].day, D(2025, 5, 1));

    /* A calendar without storage rejects every day and stays weekends only. */
    calendar_init(&cal, NULL, 0);
    CHECK_INT(calendar_add(&cal, 2025, 5, 1, CALENDAR_HOLIDAY, &ei), ERR_INVALID);
    CHECK(calendar_is_workday(&cal, D(2025, 5, 1)));
}

static void
test_add_text(void)
{
    CalendarDay store[8];
    Calendar cal;
    ErrInfo ei;

    calendar_init(&cal, store, 8);
    CHECK_INT(calendar_add_text(&cal, "2026-10-10", "workday", &ei), ERR_OK);
    CHECK_INT(calendar_add_text(&cal, "2026-10-01", "holiday", &ei), ERR_OK);
    CHECK_INT(calendar_add_text(&cal, "2026-10-02", "Holiday", &ei), ERR_INVALID);
    CHECK_STR(ei.field, "kind");
    CHECK_STR(ei.message,
              "invalid calendar kind \"Holiday\" for 2026-10-02: expected holiday or workday");
    CHECK_INT(calendar_add_text(&cal, "2026-10-02", "", &ei), ERR_INVALID);
    CHECK_INT(calendar_add_text(&cal, "2026-10-02", NULL, &ei), ERR_INVALID);
    CHECK_INT(calendar_add_text(&cal, "2026-10-32", "holiday", &ei), ERR_INVALID);
    CHECK_STR(ei.field, "date");
    CHECK_INT(calendar_add_text(&cal, "2026-10-09", "workday", &ei), ERR_INVALID); /* Friday */
    CHECK_INT(cal.n, 2);

    CHECK_INT(calendar_kind_parse("holiday"), CALENDAR_HOLIDAY);
    CHECK_INT(calendar_kind_parse("workday"), CALENDAR_WORKDAY);
    CHECK_INT(calendar_kind_parse("weekday"), -1);
    CHECK_INT(calendar_kind_parse(NULL), -1);
    CHECK_STR(calendar_kind_name(CALENDAR_HOLIDAY), "holiday");
    CHECK_STR(calendar_kind_name(CALENDAR_WORKDAY), "workday");
    CHECK_STR(calendar_kind_name((CalendarKind) 0), "");
}

/* ---- the official data --------------------------------------------------- */

static void
test_official_data(void)
{
    int holidays = 0, workdays = 0;

    CHECK_INT(official.n, 72); /* 61 holidays and 11 adjusted working days */
    for (size_t i = 0; i < official.n; i++) {
        const CalendarDay *c = &official.days[i];

        if (i > 0)
            CHECK(official.days[i - 1].day < c->day);
        if (c->kind == CALENDAR_HOLIDAY) {
            holidays++;
            CHECK(!calendar_is_workday(&official, c->day));
        } else {
            workdays++;
            CHECK(calendar_is_workday(&official, c->day));
            CHECK(calendar_weekday(c->day) >= 6);
        }
    }
    CHECK_INT(holidays, 61);
    CHECK_INT(workdays, 11);
    CHECK_INT(official.first_year, 2025);
    CHECK_INT(official.last_year, 2026);

    /* 261 weekdays minus 13 statutory holidays in each year; the adjusted
     * days move time off, they do not add to it. */
    CHECK_INT(calendar_workdays_between(&official, D(2024, 12, 31), D(2025, 12, 31)), 248);
    CHECK_INT(calendar_workdays_between(&official, D(2025, 12, 31), D(2026, 12, 31)), 248);
    /* Without the table: plain weekdays. */
    CHECK_INT(calendar_workdays_between(NULL, D(2024, 12, 31), D(2025, 12, 31)), 261);
    CHECK_INT(calendar_workdays_between(NULL, D(2025, 12, 31), D(2026, 12, 31)), 261);
    /* Months with holiday blocks (payroll tables of the two years). */
    CHECK_INT(calendar_workdays_between(&official, D(2025, 1, 31), D(2025, 2, 28)), 19);
    CHECK_INT(calendar_workdays_between(&official, D(2025, 9, 30), D(2025, 10, 31)), 18);
    CHECK_INT(calendar_workdays_between(&official, D(2026, 1, 31), D(2026, 2, 28)), 16);
    CHECK_INT(calendar_workdays_between(&official, D(2026, 9, 30), D(2026, 10, 31)), 18);
    CHECK_INT(calendar_workdays_between(&official, D(2026, 8, 31), D(2026, 9, 30)), 22);
}

/* A block of days off around official holidays, with the working days that
 * frame it, written out from the notices. */
typedef struct Block {
    const char *name;
    int64_t last_before; /* last working day before the block */
    int64_t first_after; /* first working day after it */
    int days_off;        /* days strictly between the two */
} Block;

static void
test_holiday_blocks(void)
{
    const Block blocks[] = {
        {"New Year 2025", D(2024, 12, 31), D(2025, 1, 2), 1},
        {"Spring Festival 2025", D(2025, 1, 27), D(2025, 2, 5), 8},
        {"Qingming 2025", D(2025, 4, 3), D(2025, 4, 7), 3},
        {"Labour Day 2025", D(2025, 4, 30), D(2025, 5, 6), 5},
        {"Dragon Boat 2025", D(2025, 5, 30), D(2025, 6, 3), 3},
        {"National Day 2025", D(2025, 9, 30), D(2025, 10, 9), 8},
        {"New Year 2026", D(2025, 12, 31), D(2026, 1, 4), 3},
        {"Spring Festival 2026", D(2026, 2, 14), D(2026, 2, 24), 9},
        {"Qingming 2026", D(2026, 4, 3), D(2026, 4, 7), 3},
        {"Labour Day 2026", D(2026, 4, 30), D(2026, 5, 6), 5},
        {"Dragon Boat 2026", D(2026, 6, 18), D(2026, 6, 22), 3},
        {"Mid-Autumn 2026", D(2026, 9, 24), D(2026, 9, 28), 3},
        {"National Day 2026", D(2026, 9, 30), D(2026, 10, 8), 7},
    };

    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        const Block *b = &blocks[i];
        int64_t t = calendar_cst_ms(b->last_before, 17 * MS_HOUR);
        int64_t after = calendar_cst_ms(b->first_after, 17 * MS_HOUR);
        int before_failures = check_failures;

        CHECK_INT(b->first_after - b->last_before - 1, b->days_off);
        CHECK(calendar_is_workday(&official, b->last_before));
        CHECK(calendar_is_workday(&official, b->first_after));
        for (int64_t d = b->last_before + 1; d < b->first_after; d++)
            CHECK(!calendar_is_workday(&official, d));
        /* 17:00 on the last working day + 1 = 17:00 on the first after. */
        CHECK_INT(calendar_add_workdays(&official, t, 1), after);
        CHECK_INT(calendar_add_workdays(&official, after, -1), t);
        /* From any day inside the block, + 1 is the first day after. */
        for (int64_t d = b->last_before + 1; d < b->first_after; d++)
            CHECK_INT(calendar_add_workdays(&official, calendar_cst_ms(d, 9 * MS_HOUR), 1),
                      calendar_cst_ms(b->first_after, 9 * MS_HOUR));
        CHECK_INT(calendar_workdays_between(&official, b->last_before, b->first_after), 1);
        CHECK_INT(calendar_workdays_between(&official, b->last_before, b->first_after - 1), 0);
        if (check_failures != before_failures)
            fprintf(stderr, "  in block %s\n", b->name);
    }
}

static void
test_adjusted_and_plain_weekends(void)
{
    /* 调休 weekend days are worked ... */
    const int64_t makeup[] = {
        D(2025, 1, 26),  D(2025, 2, 8),  D(2025, 4, 27),  D(2025, 9, 28),
        D(2025, 10, 11), D(2026, 1, 4),  D(2026, 2, 14),  D(2026, 2, 28),
        D(2026, 5, 9),   D(2026, 9, 20), D(2026, 10, 10),
    };
    /* ... the other half of their weekends is not ... */
    const int64_t other_half[] = {
        D(2025, 1, 25),  D(2025, 2, 9),  D(2025, 4, 26),  D(2025, 9, 27),
        D(2025, 10, 12), D(2026, 1, 3),  D(2026, 2, 15),  D(2026, 3, 1),
        D(2026, 5, 10),  D(2026, 9, 19), D(2026, 10, 11),
    };
    /* ... and neither are plain weekends, nor weekends of uncovered years. */
    const int64_t plain[] = {
        D(2025, 3, 15), D(2025, 3, 16), D(2025, 7, 5),   D(2025, 12, 28), D(2026, 3, 7),
        D(2026, 3, 8),  D(2026, 8, 15), D(2026, 12, 27), D(2024, 12, 29), D(2027, 1, 2),
    };
    /* Plain weekdays are worked, also in uncovered years. */
    const int64_t weekdays[] = {
        D(2025, 3, 17),  D(2025, 7, 4), D(2026, 3, 6),
        D(2026, 12, 31), D(2027, 1, 1), D(2024, 10, 1),
    };

    for (size_t i = 0; i < sizeof makeup / sizeof makeup[0]; i++) {
        CHECK(calendar_weekday(makeup[i]) >= 6);
        CHECK(calendar_is_workday(&official, makeup[i]));
        CHECK(!calendar_is_workday(NULL, makeup[i]));
        CHECK(calendar_weekday(other_half[i]) >= 6);
        CHECK(!calendar_is_workday(&official, other_half[i]));
    }
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        CHECK(calendar_weekday(plain[i]) >= 6);
        CHECK(!calendar_is_workday(&official, plain[i]));
    }
    for (size_t i = 0; i < sizeof weekdays / sizeof weekdays[0]; i++)
        CHECK(calendar_is_workday(&official, weekdays[i]));
}

static void
test_cases_file(void)
{
    FILE *f = fopen(CASES_TSV, "r");
    char line[512];
    int lineno = 0, rows = 0;

    CHECK(f != NULL);
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        char *start, *n, *expected, *note, *end;
        int64_t t, want, got;
        long workdays;
        char buf[32];

        lineno++;
        strip_eol(line);
        if (line[0] == '#' || line[0] == '\0')
            continue;
        start = line;
        n = strchr(start, '\t');
        expected = n != NULL ? strchr(n + 1, '\t') : NULL;
        if (expected == NULL) {
            fprintf(stderr, "%s:%d: expected three tab-separated columns\n", CASES_TSV, lineno);
            CHECK(!"malformed case line");
            continue;
        }
        *n++ = '\0';
        *expected++ = '\0';
        note = strchr(expected, '\t');
        if (note != NULL)
            *note++ = '\0';
        workdays = strtol(n, &end, 10);
        if (*end != '\0' || !parse_cst(start, &t) || !parse_cst(expected, &want)) {
            fprintf(stderr, "%s:%d: malformed case\n", CASES_TSV, lineno);
            CHECK(!"malformed case line");
            continue;
        }
        rows++;
        got = calendar_add_workdays(&official, t, (int) workdays);
        if (got != want) {
            fprintf(stderr, "%s:%d: %s + %ld workdays = %s, expected %s (%s)\n", CASES_TSV, lineno,
                    start, workdays, fmt_cst(got, buf, sizeof buf), expected,
                    note != NULL ? note : "");
            CHECK(!"calendar case");
        }
    }
    fclose(f);
    CHECK(rows >= 40);
}

static void
test_add_workdays_properties(void)
{
    int bad = 0;

    /* For every start day around the data and counts up to 15: the result
     * is a working day at the same clock time, with exactly n working days
     * after the start date up to it, and counting back returns to a start
     * that was itself a working day. */
    for (int64_t day = D(2024, 12, 1); day <= D(2027, 1, 31); day++) {
        for (int n = 1; n <= 15; n++) {
            int64_t t = calendar_cst_ms(day, 10 * MS_HOUR + 5 * MS_MINUTE);
            int64_t r = calendar_add_workdays(&official, t, n);
            int64_t rd = calendar_cst_day(r);
            bool ok = calendar_cst_ms_of_day(r) == calendar_cst_ms_of_day(t) &&
                      calendar_is_workday(&official, rd) &&
                      calendar_workdays_between(&official, day, rd) == n &&
                      calendar_workdays_between(&official, day, rd - 1) == n - 1;

            if (calendar_is_workday(&official, day))
                ok = ok && calendar_add_workdays(&official, r, -n) == t;
            if (!ok && bad++ < 5) {
                char buf[CALENDAR_DATE_LEN];

                fprintf(stderr, "property fails from %s + %d\n",
                        calendar_date_format(day, buf, sizeof buf), n);
            }
        }
    }
    CHECK_INT(bad, 0);
}

static void
test_add_workdays_edges(void)
{
    int64_t fri = cst(2025, 3, 14, 17, 0);
    int64_t sat = cst(2025, 3, 15, 10, 0);

    /* No calendar: weekends only; 2025-10-01 is then an ordinary Wednesday. */
    CHECK_INT(calendar_add_workdays(NULL, cst(2025, 9, 30, 17, 0), 1), cst(2025, 10, 1, 17, 0));
    CHECK_INT(calendar_add_workdays(NULL, fri, 1), cst(2025, 3, 17, 17, 0));
    CHECK_INT(calendar_add_workdays(NULL, sat, 1), cst(2025, 3, 17, 10, 0));
    CHECK_INT(calendar_add_workdays(NULL, sat, -1), cst(2025, 3, 14, 10, 0));
    CHECK_INT(calendar_add_workdays(&official, fri, 0), fri);
    CHECK_INT(calendar_add_workdays(&official, sat, 0), sat);
    CHECK(calendar_add_workdays(&official, TS_NONE, 3) == TS_NONE);
    /* Seconds and milliseconds are kept. */
    CHECK_INT(calendar_add_workdays(&official, fri + 59999, 1), cst(2025, 3, 17, 17, 0) + 59999);
    /* A long count: 248 working days from the last one of 2024 is the last
     * one of 2025 (Wednesday 2025-12-31). */
    CHECK_INT(calendar_add_workdays(&official, cst(2024, 12, 31, 9, 0), 248),
              cst(2025, 12, 31, 9, 0));
    /* Before 1970. */
    CHECK_INT(calendar_add_workdays(NULL, cst(1969, 12, 26, 8, 0), 1), cst(1969, 12, 29, 8, 0));

    CHECK_INT(calendar_workdays_between(&official, D(2026, 10, 8), D(2026, 10, 8)), 0);
    CHECK_INT(calendar_workdays_between(&official, D(2026, 10, 8), D(2026, 9, 30)), 0);
    CHECK_INT(calendar_workdays_between(NULL, D(1969, 12, 26), D(1970, 1, 5)), 6);
}

int
main(void)
{
    bool loaded = load_official();

    CHECK(loaded);
    RUN(test_civil_known_values);
    RUN(test_civil_round_trip);
    RUN(test_date_valid);
    RUN(test_cst_conversions);
    RUN(test_date_parse_format);
    RUN(test_add_rules);
    RUN(test_add_text);
    if (loaded) {
        RUN(test_official_data);
        RUN(test_holiday_blocks);
        RUN(test_adjusted_and_plain_weekends);
        RUN(test_cases_file);
        RUN(test_add_workdays_properties);
        RUN(test_add_workdays_edges);
    }
    return CHECK_DONE();
}
