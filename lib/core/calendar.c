/*
 * calendar.c — Asia/Shanghai civil dates and working-day arithmetic.
 *
 * Civil conversions are Howard Hinnant's days-from-civil algorithms (exact on
 * the proleptic Gregorian calendar, no tables).  The working-day calendar is a
 * sorted array of special days searched by bisection.  Must not read the
 * clock, do I/O or allocate: see calendar.h.
 */
#include "core/calendar.h"

#include <stdio.h>
#include <string.h>

#include "core/ticket.h"

/* Floor division and its non-negative remainder, for days before 1970 and
 * instants before the epoch. */
static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t
floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

static bool
is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

bool
calendar_date_valid(int y, int m, int d)
{
    if (y < CALENDAR_YEAR_MIN || y > CALENDAR_YEAR_MAX || m < 1 || m > 12)
        return false;
    return d >= 1 && d <= days_in_month(y, m);
}

int64_t
calendar_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t) y - (m <= 2);
    int64_t era = floor_div(yy, 400);
    int64_t yoe = yy - era * 400;                                  /* 0 .. 399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0 .. 365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0 .. 146096 */

    return era * 146097 + doe - 719468;
}

void
calendar_civil_from_days(int64_t day, int *y, int *m, int *d)
{
    int64_t z = day + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;                                      /* 0 .. 146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0 .. 399 */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0 .. 365 */
    int64_t mp = (5 * doy + 2) / 153;                                    /* 0 .. 11, from March */
    int dd = (int) (doy - (153 * mp + 2) / 5 + 1);
    int mm = (int) (mp < 10 ? mp + 3 : mp - 9);
    int yy = (int) (yoe + era * 400 + (mm <= 2));

    if (y != NULL)
        *y = yy;
    if (m != NULL)
        *m = mm;
    if (d != NULL)
        *d = dd;
}

int
calendar_weekday(int64_t day)
{
    /* 1970-01-01 (day 0) was a Thursday, ISO weekday 4. */
    return (int) floor_mod(day + 3, 7) + 1;
}

int64_t
calendar_cst_day(int64_t ms)
{
    return floor_div(ms + CALENDAR_CST_OFFSET_MS, CALENDAR_MS_PER_DAY);
}

int64_t
calendar_cst_ms_of_day(int64_t ms)
{
    return floor_mod(ms + CALENDAR_CST_OFFSET_MS, CALENDAR_MS_PER_DAY);
}

int64_t
calendar_cst_ms(int64_t day, int64_t ms_of_day)
{
    return day * CALENDAR_MS_PER_DAY + ms_of_day - CALENDAR_CST_OFFSET_MS;
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

Err
calendar_date_parse(const char *text, int64_t *day, ErrInfo *ei)
{
    static const char shape[] = "dddd-dd-dd";
    int y, m, d;

    if (text == NULL)
        text = "";
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        bool ok = shape[i] == 'd' ? is_digit(text[i]) : text[i] == shape[i];

        if (!ok)
            return err_set(ei, ERR_INVALID, "date", "invalid date \"%.40s\": expected YYYY-MM-DD",
                           text);
    }
    if (text[sizeof shape - 1] != '\0')
        return err_set(ei, ERR_INVALID, "date", "invalid date \"%.40s\": expected YYYY-MM-DD",
                       text);
    y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    m = (text[5] - '0') * 10 + (text[6] - '0');
    d = (text[8] - '0') * 10 + (text[9] - '0');
    if (!calendar_date_valid(y, m, d))
        return err_set(ei, ERR_INVALID, "date", "invalid date \"%s\": no such day", text);
    *day = calendar_days_from_civil(y, m, d);
    return ERR_OK;
}

char *
calendar_date_format(int64_t day, char *buf, size_t len)
{
    int y, m, d;

    calendar_civil_from_days(day, &y, &m, &d);
    snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
    return buf;
}

static const char *const kind_names[] = {
    [CALENDAR_HOLIDAY] = "holiday",
    [CALENDAR_WORKDAY] = "workday",
};

int
calendar_kind_parse(const char *text)
{
    if (text == NULL)
        return -1;
    if (strcmp(text, kind_names[CALENDAR_HOLIDAY]) == 0)
        return CALENDAR_HOLIDAY;
    if (strcmp(text, kind_names[CALENDAR_WORKDAY]) == 0)
        return CALENDAR_WORKDAY;
    return -1;
}

const char *
calendar_kind_name(CalendarKind kind)
{
    if (kind != CALENDAR_HOLIDAY && kind != CALENDAR_WORKDAY)
        return "";
    return kind_names[kind];
}

static const char *const weekday_names[] = {"",         "Monday", "Tuesday",  "Wednesday",
                                            "Thursday", "Friday", "Saturday", "Sunday"};

static bool
is_weekend(int64_t day)
{
    return calendar_weekday(day) >= 6;
}

/* Index of the first entry whose day is >= day (cal->n when none). */
static size_t
lower_bound(const Calendar *cal, int64_t day)
{
    size_t lo = 0, hi = cal->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cal->days[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The special day at `day`, or NULL. */
static const CalendarDay *
find_day(const Calendar *cal, int64_t day)
{
    size_t i;

    if (cal == NULL || cal->n == 0)
        return NULL;
    i = lower_bound(cal, day);
    return i < cal->n && cal->days[i].day == day ? &cal->days[i] : NULL;
}

void
calendar_init(Calendar *cal, CalendarDay *storage, size_t cap)
{
    cal->days = storage;
    cal->n = 0;
    cal->cap = storage != NULL ? cap : 0;
    cal->first_year = 0;
    cal->last_year = 0;
}

Err
calendar_add(Calendar *cal, int y, int m, int d, CalendarKind kind, ErrInfo *ei)
{
    int64_t day;
    const CalendarDay *old;
    size_t at;

    if (!calendar_date_valid(y, m, d))
        return err_set(ei, ERR_INVALID, "date", "invalid calendar date %04d-%02d-%02d", y, m, d);
    if (kind != CALENDAR_HOLIDAY && kind != CALENDAR_WORKDAY)
        return err_set(ei, ERR_INVALID, "kind", "invalid calendar kind %d for %04d-%02d-%02d",
                       (int) kind, y, m, d);
    day = calendar_days_from_civil(y, m, d);
    if (kind == CALENDAR_WORKDAY && !is_weekend(day))
        return err_set(ei, ERR_INVALID, "kind",
                       "workday %04d-%02d-%02d falls on a %s, which is a working day anyway", y, m,
                       d, weekday_names[calendar_weekday(day)]);
    old = find_day(cal, day);
    if (old != NULL) {
        if (old->kind == kind)
            return ERR_OK;
        return err_set(ei, ERR_INVALID, "date", "calendar date %04d-%02d-%02d is already a %s", y,
                       m, d, calendar_kind_name(old->kind));
    }
    if (cal->n >= cal->cap)
        return err_set(ei, ERR_INVALID, "date",
                       "cannot add %04d-%02d-%02d: the calendar holds at most %zu special days", y,
                       m, d, cal->cap);

    at = lower_bound(cal, day);
    memmove(&cal->days[at + 1], &cal->days[at], (cal->n - at) * sizeof cal->days[0]);
    cal->days[at].day = (int32_t) day;
    cal->days[at].kind = kind;
    cal->n++;
    if (cal->first_year == 0 || y < cal->first_year)
        cal->first_year = y;
    if (y > cal->last_year)
        cal->last_year = y;
    return ERR_OK;
}

Err
calendar_add_text(Calendar *cal, const char *date, const char *kind, ErrInfo *ei)
{
    int64_t day;
    int k = calendar_kind_parse(kind);
    int y, m, d;
    Err rc;

    rc = calendar_date_parse(date, &day, ei);
    if (rc != ERR_OK)
        return rc;
    if (k < 0)
        return err_set(ei, ERR_INVALID, "kind",
                       "invalid calendar kind \"%.40s\" for %s: expected holiday or workday",
                       kind != NULL ? kind : "", date);
    calendar_civil_from_days(day, &y, &m, &d);
    return calendar_add(cal, y, m, d, (CalendarKind) k, ei);
}

bool
calendar_covers(const Calendar *cal, int64_t day)
{
    int y;

    if (cal == NULL || cal->n == 0)
        return false;
    calendar_civil_from_days(day, &y, NULL, NULL);
    return y >= cal->first_year && y <= cal->last_year;
}

bool
calendar_is_workday(const Calendar *cal, int64_t day)
{
    const CalendarDay *special = find_day(cal, day);

    if (special != NULL)
        return special->kind == CALENDAR_WORKDAY;
    return !is_weekend(day);
}

int64_t
calendar_add_workdays(const Calendar *cal, int64_t t, int n)
{
    int64_t day, ms_of_day;
    int step = n < 0 ? -1 : 1;
    int left = n < 0 ? -n : n;

    if (t == TS_NONE || n == 0)
        return t;
    day = calendar_cst_day(t);
    ms_of_day = calendar_cst_ms_of_day(t);
    /* Every week outside a holiday block has five working days, and no
     * official block is longer than nine days, so this ends within a few
     * steps per working day. */
    while (left > 0) {
        day += step;
        if (calendar_is_workday(cal, day))
            left--;
    }
    return calendar_cst_ms(day, ms_of_day);
}

/* Monday to Friday among the day numbers 4 .. x-1 (day 4, 1970-01-05, was a
 * Monday); for x < 4 a negative count with the same differences, so
 * weekdays_before(b) - weekdays_before(a) counts Monday to Friday in [a, b). */
static int64_t
weekdays_before(int64_t x)
{
    int64_t k = x - 4;
    int64_t weeks = floor_div(k, 7);
    int64_t rest = k - weeks * 7; /* 0 = Monday .. 6 = Sunday */

    return weeks * 5 + (rest < 5 ? rest : 5);
}

int64_t
calendar_workdays_between(const Calendar *cal, int64_t from, int64_t to)
{
    int64_t count;

    if (to <= from)
        return 0;
    count = weekdays_before(to + 1) - weekdays_before(from + 1);
    if (cal == NULL)
        return count;
    /* Correct for the special days inside (from, to]: a holiday on a weekday
     * removes one, an adjusted working day (always on a weekend) adds one. */
    for (size_t i = lower_bound(cal, from + 1); i < cal->n && cal->days[i].day <= to; i++) {
        if (cal->days[i].kind == CALENDAR_WORKDAY)
            count++;
        else if (!is_weekend(cal->days[i].day))
            count--;
    }
    return count;
}
