/*
 * timeutil.h — RFC 3339 times and Asia/Shanghai dates as text.
 *
 * Times are int64 milliseconds since the Unix epoch (TS_NONE = unset).  The
 * reporting zone is Asia/Shanghai, a fixed UTC+08:00 since 1991, so no time
 * zone database is needed.  The date arithmetic underneath (day numbers,
 * civil dates, the Shanghai day of an instant) is calendar.h's; this module
 * only reads and writes text.  Pure C; never reads the clock.
 */
#ifndef MINHU_CORE_TIMEUTIL_H
#define MINHU_CORE_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"

#define CST_OFFSET_MS CALENDAR_CST_OFFSET_MS

/*
 * Formats ms as RFC 3339 in +08:00 with milliseconds, e.g.
 * "2026-11-22T11:17:25.123+08:00".  len >= 32.  Returns buf.
 */
char *time_format(int64_t ms, char *buf, size_t len);

/*
 * Parses an RFC 3339 date-time ("2026-11-22T11:17:25Z",
 * "2026-11-22T11:17:25.5+08:00"); the offset is required, digits beyond the
 * millisecond are dropped, years are 1900..9999 (the instant's too, in
 * UTC).  Returns false on anything else.
 */
bool time_parse(const char *s, int64_t *ms);

/* Parses "YYYY-MM-DD" (a real date) into its day number (calendar.h). */
bool time_parse_date(const char *s, int64_t *day);

/* Writes the Asia/Shanghai date of ms as "YYYYMMDD" into out[9]. */
void time_cst_yyyymmdd(int64_t ms, char out[9]);

#endif
