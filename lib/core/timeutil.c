/*
 * timeutil.c — RFC 3339 formatting and parsing on top of calendar.c's civil
 * date arithmetic (which is the only copy of it).
 */
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

char *
time_format(int64_t ms, char *buf, size_t len)
{
    int64_t rem = calendar_cst_ms_of_day(ms);
    int y, m, d;

    calendar_civil_from_days(calendar_cst_day(ms), &y, &m, &d);
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

bool
time_parse_date(const char *s, int64_t *day)
{
    return calendar_date_parse(s, day, NULL) == ERR_OK;
}

/* 1900-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z */
#define TIME_PARSE_MIN_MS INT64_C(-2208988800000)
#define TIME_PARSE_MAX_MS INT64_C(253402300799999)

bool
time_parse(const char *s, int64_t *ms)
{
    char date[CALENDAR_DATE_LEN];
    int64_t day;
    int hh, mi, ss, frac = 0, oh, om;
    const char *p;
    int64_t off, t;

    if (s == NULL || strlen(s) < 20)
        return false;
    memcpy(date, s, CALENDAR_DATE_LEN - 1);
    date[CALENDAR_DATE_LEN - 1] = '\0';
    if (!time_parse_date(date, &day))
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
    t = day * CALENDAR_MS_PER_DAY + ((int64_t) hh * 3600 + mi * 60 + ss) * 1000 + frac - off;
    /* The offset can carry the instant out of the years allowed (in UTC). */
    if (t < TIME_PARSE_MIN_MS || t > TIME_PARSE_MAX_MS)
        return false;
    *ms = t;
    return true;
}

void
time_cst_yyyymmdd(int64_t ms, char out[9])
{
    char tmp[32];
    int y, m, d;

    calendar_civil_from_days(calendar_cst_day(ms), &y, &m, &d);
    snprintf(tmp, sizeof tmp, "%04d%02d%02d", y % 10000, m, d);
    memcpy(out, tmp, 8);
    out[8] = '\0';
}
