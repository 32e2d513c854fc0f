/*
 * calendar.h — civil dates in Asia/Shanghai and the working-day calendar.
 *
 * Two things live here:
 *
 *   1. Civil date arithmetic for the one time zone Minhu reports in,
 *      Asia/Shanghai, which has been a fixed UTC+08:00 since 1991 (no DST).
 *      Dates are converted with days-from-civil arithmetic on the proleptic
 *      Gregorian calendar; there is no tz database and no localtime().
 *
 *   2. The working-day calendar: Monday to Friday are working days and
 *      Saturday and Sunday are not, except for the special days in the table —
 *      official holidays (`holiday`, off on any day of the week) and adjusted
 *      working days on a weekend (`workday`, 调休上班).  "N working days after
 *      t" ends at the same clock time on the Nth working day after t's date
 *      (domain.md §4; docs/sla.md has the worked examples).
 *
 * What this module must not do: read the clock, do I/O, or allocate.  The
 * caller passes every time and provides the storage for the special days
 * (a Calendar borrows it; nothing here is ever freed).  The calendar's data is
 * loaded by the caller (data/calendar/cn-holidays.csv or the database).
 *
 * Units: a time is int64_t milliseconds since the Unix epoch (TS_NONE from
 * ticket.h means unset); a *day number* is the count of days since 1970-01-01
 * of an Asia/Shanghai civil date (negative before 1970).
 */
#ifndef MINHU_CORE_CALENDAR_H
#define MINHU_CORE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define CALENDAR_MS_PER_DAY INT64_C(86400000)
/* Asia/Shanghai is UTC+08:00 all year. */
#define CALENDAR_CST_OFFSET_MS (INT64_C(8) * 3600 * 1000)

/* Years accepted for special days and date text. */
#define CALENDAR_YEAR_MIN 1900
#define CALENDAR_YEAR_MAX 9999

/* Length of "YYYY-MM-DD" plus its terminating NUL. */
#define CALENDAR_DATE_LEN 11

/* ---- civil dates ------------------------------------------------------- */

/* True when y-m-d is a real date of the proleptic Gregorian calendar with
 * CALENDAR_YEAR_MIN <= y <= CALENDAR_YEAR_MAX. */
bool calendar_date_valid(int y, int m, int d);

/* Day number of the civil date y-m-d (1970-01-01 is 0).  Defined for any
 * valid date; the result for an invalid one is unspecified. */
int64_t calendar_days_from_civil(int y, int m, int d);

/* The civil date of day number `day`; the inverse of calendar_days_from_civil.
 * Any of y, m, d may be NULL. */
void calendar_civil_from_days(int64_t day, int *y, int *m, int *d);

/* ISO weekday of day number `day`: 1 = Monday ... 6 = Saturday, 7 = Sunday. */
int calendar_weekday(int64_t day);

/* Day number of the Asia/Shanghai date at instant ms (floors, so times before
 * the epoch work too). */
int64_t calendar_cst_day(int64_t ms);

/* Milliseconds since Asia/Shanghai midnight at instant ms, 0 .. 86399999. */
int64_t calendar_cst_ms_of_day(int64_t ms);

/* The instant at ms_of_day past Asia/Shanghai midnight of day number `day`.
 * The inverse of the two functions above. */
int64_t calendar_cst_ms(int64_t day, int64_t ms_of_day);

/* Parses exactly "YYYY-MM-DD" (a valid date, nothing before or after) into a
 * day number.  Errors: ERR_INVALID naming the text, field "date". */
Err calendar_date_parse(const char *text, int64_t *day, ErrInfo *ei);

/* Writes day number `day` as "YYYY-MM-DD" into buf (at least
 * CALENDAR_DATE_LEN bytes).  Returns buf. */
char *calendar_date_format(int64_t day, char *buf, size_t len);

/* ---- the working-day calendar ------------------------------------------ */

typedef enum CalendarKind {
    CALENDAR_HOLIDAY = 1, /* official holiday: not a working day, any weekday */
    CALENDAR_WORKDAY = 2, /* adjusted working day: a Saturday or Sunday that is worked */
} CalendarKind;

/* One special day. */
typedef struct CalendarDay {
    int32_t day; /* day number */
    CalendarKind kind;
} CalendarDay;

/*
 * The special days, sorted by day number and unique, in storage the caller
 * owns.  Years between first_year and last_year (the years of the first and
 * the last special day) are *covered*: their official holidays are assumed
 * to be in the table.  Outside them only weekends are days off, because
 * holidays are decided year by year (each November, by the State Council).
 */
typedef struct Calendar {
    CalendarDay *days; /* borrowed from calendar_init's caller */
    size_t n;
    size_t cap;
    int first_year; /* 0 when the table is empty */
    int last_year;
} Calendar;

/* Makes cal an empty calendar (weekends only) that stores up to cap special
 * days in storage.  storage is borrowed: it must outlive cal and is not
 * freed; it may be NULL when cap is 0.  The official data needs about 40
 * entries a year. */
void calendar_init(Calendar *cal, CalendarDay *storage, size_t cap);

/*
 * Adds the special day y-m-d of the given kind, keeping the table sorted.
 * Adding a day again with the same kind is harmless.
 * Errors (ERR_INVALID, the calendar unchanged):
 *   - y-m-d is not a valid date (field "date");
 *   - kind is neither CALENDAR_HOLIDAY nor CALENDAR_WORKDAY (field "kind");
 *   - a CALENDAR_WORKDAY on Monday to Friday, which is a working day anyway,
 *     so the entry is a mistake in the data (field "kind");
 *   - the day is already in the table with the other kind (field "date");
 *   - the storage is full (field "date").
 * A holiday may fall on any day of the week (National Day blocks include a
 * weekend).
 */
Err calendar_add(Calendar *cal, int y, int m, int d, CalendarKind kind, ErrInfo *ei);

/* calendar_add from the CSV spelling: date "YYYY-MM-DD", kind "holiday" or
 * "workday".  Same errors, plus unknown kind names. */
Err calendar_add_text(Calendar *cal, const char *date, const char *kind, ErrInfo *ei);

/* The kind named by text ("holiday", "workday"), or -1.  calendar_kind_name
 * is the inverse; it returns "" for anything else, never NULL. */
int calendar_kind_parse(const char *text);
const char *calendar_kind_name(CalendarKind kind);

/* True when the year of day number `day` is covered by the table. */
bool calendar_covers(const Calendar *cal, int64_t day);

/* True when day number `day` is a working day.  cal may be NULL: weekends
 * only. */
bool calendar_is_workday(const Calendar *cal, int64_t day);

/*
 * The instant n working days after t: the same Asia/Shanghai clock time on
 * the nth working day after t's date.  t's own date never counts, whether or
 * not it is a working day: Saturday 10:00 + 1 working day is Monday 10:00,
 * like Friday 10:00 + 1.  n == 0 returns t unchanged; n < 0 counts back to the
 * |n|th working day before t's date.  cal may be NULL (weekends only).
 * Returns TS_NONE when t is TS_NONE.
 */
int64_t calendar_add_workdays(const Calendar *cal, int64_t t, int n);

/* The number of working days d with from < d <= to (day numbers); 0 when
 * to <= from.  So calendar_add_workdays(cal, t, n) falls on a day `to` with
 * calendar_workdays_between(cal, calendar_cst_day(t), to) == n for n >= 0.
 * cal may be NULL (weekends only). */
int64_t calendar_workdays_between(const Calendar *cal, int64_t from, int64_t to);

#endif
