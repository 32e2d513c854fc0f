/*
 * timeutil.c — civil date arithmetic (Howard Hinnant's days_from_civil
 * algorithm) and RFC 3339 formatting and parsing.
 */
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

#define DAY_MS (86400LL * 1000)

int64_t
time_days_from_civil(int y, int m, int d)
{
    int64_t yy = m <= 2 ? (int64_t) y - 1 : y;
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    unsigned yoe = (unsigned) (yy - era * 400);
    unsigned doy = (153 * (unsigned) (m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned) d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + (int64_t) doe - 719468;
}

void
time_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned) (z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    unsigned mm = mp < 10 ? mp + 3 : mp - 9;

    *y = (int) ((int64_t) yoe + era * 400 + (mm <= 2));
    *m = (int) mm;
    *d = (int) dd;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

char *
time_format(int64_t ms, char *buf, size_t len)
{
    int64_t local = ms + CST_OFFSET_MS;
    int64_t day = floor_div(local, DAY_MS);
    int64_t rem = local - day * DAY_MS;
    int y, m, d;

    time_civil_from_days(day, &y, &m, &d);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+08:00", y, m, d, (int) (rem / 3600000),
             (int) (rem / 60000 % 60), (int) (rem / 1000 % 60), (int) (rem % 1000));
    return buf;
}

static bool
digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static int
days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dim[m - 1];
}

static bool
parse_ymd(const char *s, int *y, int *m, int *d)
{
    if (!digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, m) || s[7] != '-' ||
        !digits(s + 8, 2, d))
        return false;
    return *y >= 1900 && *y <= 9999 && *m >= 1 && *m <= 12 && *d >= 1 &&
           *d <= days_in_month(*y, *m);
}

bool
time_parse_date(const char *s, int64_t *day)
{
    int y, m, d;

    if (s == NULL || strlen(s) != 10 || !parse_ymd(s, &y, &m, &d))
        return false;
    *day = time_days_from_civil(y, m, d);
    return true;
}

bool
time_parse(const char *s, int64_t *ms)
{
    int y, mo, d, hh, mi, ss, frac = 0, oh, om;
    const char *p;
    int64_t off;

    if (s == NULL || strlen(s) < 20 || !parse_ymd(s, &y, &mo, &d))
        return false;
    if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2, &hh) || s[13] != ':' ||
        !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &ss))
        return false;
    if (hh > 23 || mi > 59 || ss > 59)
        return false;
    p = s + 19;
    if (*p == '.') {
        int n = 0;

        p++;
        while (*p >= '0' && *p <= '9') {
            if (n < 3)
                frac = frac * 10 + (*p - '0');
            n++;
            p++;
        }
        if (n == 0 || n > 9)
            return false;
        for (; n < 3; n++)
            frac *= 10;
    }
    if (*p == 'Z' || *p == 'z') {
        off = 0;
        p++;
    } else if ((*p == '+' || *p == '-') && digits(p + 1, 2, &oh) && p[3] == ':' &&
               digits(p + 4, 2, &om) && oh <= 23 && om <= 59) {
        off = ((int64_t) oh * 60 + om) * 60000 * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return false;
    }
    if (*p != '\0')
        return false;
    *ms = time_days_from_civil(y, mo, d) * DAY_MS + ((int64_t) hh * 3600 + mi * 60 + ss) * 1000 +
          frac - off;
    return true;
}

void
time_cst_yyyymmdd(int64_t ms, char out[9])
{
    int64_t day = floor_div(ms + CST_OFFSET_MS, DAY_MS);
    int y, m, d;

    char tmp[32];

    time_civil_from_days(day, &y, &m, &d);
    snprintf(tmp, sizeof tmp, "%04d%02d%02d", y % 10000, m, d);
    memcpy(out, tmp, 8);
    out[8] = '\0';
}
