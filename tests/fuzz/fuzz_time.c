/*
 * fuzz_time.c — times as the API and Open311 read them: time_parse (RFC
 * 3339), time_parse_date, open311_parse_datetime.  What parses formats and
 * parses back to the same instant.
 */
#include "fuzz.h"

#include "core/open311.h"
#include "core/timeutil.h"

/* Whole seconds of ms, rounded down (the Open311 form has no fraction). */
static int64_t
seconds(int64_t ms)
{
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    char out[64];
    int64_t ms, back, day;

    if (time_parse(s, &ms)) {
        FUZZ_CHECK(ms >= INT64_C(-2208988800000) && ms <= INT64_C(253402300799999));
        /* time_format writes +08:00: the last eight hours of 9999 would be 10000 there. */
        if (ms < INT64_C(253402272000000)) {
            time_format(ms, out, sizeof out);
            FUZZ_CHECK(time_parse(out, &back) && back == ms);
        }
    }
    if (time_parse_date(s, &day)) {
        time_cst_yyyymmdd(day * 86400000 - CST_OFFSET_MS, out);
        FUZZ_CHECK(strlen(out) == 8);
    }
    /* A day at the very start of 1900 in Beijing is still 1899 in UTC,
     * before the first year the parsers accept. */
    if (open311_parse_datetime(s, &ms) && ms >= INT64_C(-2208902400000)) {
        open311_format_datetime(ms, out, sizeof out);
        FUZZ_CHECK(open311_parse_datetime(out, &back) && seconds(back) == seconds(ms));
    }
    free(s);
    return 0;
}
