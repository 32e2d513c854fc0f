/*
 * sla.h — SLA limits, the policy that picks a limit for a ticket's clock, and
 * deadline arithmetic (domain.md §4, api-contract.md §1 "sla" CSV).
 *
 * A limit is an interval of calendar time ("90 minutes", "7 days") or a count
 * of working days ("1 workday"), counted on a Calendar (calendar.h).  A
 * policy is a set of rows (category prefix, urgency, clock, limit); the most
 * specific row wins: the longest category prefix, then an exact urgency over
 * `*`.  docs/sla.md describes the rules with worked examples.
 *
 * What this module must not do: read the clock (every function takes the
 * times it needs), do I/O, or allocate (a policy lives in storage the caller
 * provides).
 */
#ifndef MINHU_CORE_SLA_H
#define MINHU_CORE_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/err.h"
#include "core/ticket.h"

typedef enum SlaKind {
    SLA_INTERVAL = 1, /* ms of calendar time */
    SLA_WORKDAYS = 2, /* working days on the calendar */
} SlaKind;

/* Largest limits accepted: ten years of calendar time, or of working days. */
#define SLA_MAX_INTERVAL_MS (INT64_C(3650) * 86400000)
#define SLA_MAX_WORKDAYS 2500

/* Room for any canonical limit text, NUL included ("2500 workdays"). */
#define SLA_LIMIT_TEXT_LEN 32

/* A limit: exactly one of ms (SLA_INTERVAL) and workdays (SLA_WORKDAYS) is
 * meaningful; the other is 0. */
typedef struct SlaLimit {
    SlaKind kind;
    int64_t ms;   /* 1 .. SLA_MAX_INTERVAL_MS, a whole number of seconds */
    int workdays; /* 1 .. SLA_MAX_WORKDAYS */
} SlaLimit;

/*
 * Parses a limit: a positive decimal count, an optional single space, and a
 * unit among second, minute, hour, day, workday, each singular or plural
 * ("90 minutes", "2 hours", "7 days", "3 seconds", "1 workday", "2workdays").
 * Nothing else is accepted: no sign, no fraction, no other spaces, no trailing
 * text, no zero, nothing above the maxima above.
 * Errors: ERR_INVALID, field "limit", a message naming the text; *out is then
 * unchanged.
 */
Err sla_limit_parse(const char *text, SlaLimit *out, ErrInfo *ei);

/*
 * Writes the canonical text of lim into buf (len bytes, SLA_LIMIT_TEXT_LEN is
 * enough): the largest unit that holds the interval exactly, singular for
 * one ("1 day" for 24 hours, "90 minutes", "2 workdays").  sla_limit_parse
 * reads it back to an equal limit.  Returns false (buf then "") when lim is
 * not a limit sla_limit_parse could produce or buf is too small.
 */
bool sla_limit_format(const SlaLimit *lim, char *buf, size_t len);

/* True when a and b are the same limit ("24 hours" equals "1 day"; "1 day"
 * never equals "1 workday"). */
bool sla_limit_equal(const SlaLimit *a, const SlaLimit *b);

/* Urgency of a row that applies to every urgency (the CSV's `*`). */
#define SLA_ANY_URGENCY (-1)

/* One row of the policy. */
typedef struct SlaRule {
    const char *category_prefix; /* borrowed; "" for `*` (every category) */
    int urgency;                 /* an Urgency, or SLA_ANY_URGENCY */
    Clock clock;
    SlaLimit limit;
} SlaRule;

/* The rows, in storage the caller owns (borrowed: it must outlive the
 * policy and is never freed). */
typedef struct SlaPolicy {
    SlaRule *rules;
    size_t n;
    size_t cap;
} SlaPolicy;

/* Number of rows sla_policy_defaults adds: every clock for every urgency. */
#define SLA_DEFAULT_RULES (CLK__COUNT * URG__COUNT)

/* Makes p an empty policy storing up to cap rows in storage (NULL when cap is
 * 0). */
void sla_policy_init(SlaPolicy *p, SlaRule *storage, size_t cap);

/*
 * Adds a copy of *rule.  A row with the same category prefix, urgency and
 * clock as an existing one replaces its limit (an upsert, like the CSV
 * import).  The rule's category_prefix is borrowed and must outlive p.
 * Errors (ERR_INVALID, p unchanged): NULL prefix, urgency or clock out of
 * range, an invalid limit, or the storage full.
 */
Err sla_policy_add(SlaPolicy *p, const SlaRule *rule, ErrInfo *ei);

/* Adds the defaults of domain.md §4 as `*` category rows (SLA_DEFAULT_RULES
 * of them; data/sla-defaults.csv holds the same rows).  Errors as
 * sla_policy_add (storage full). */
Err sla_policy_defaults(SlaPolicy *p, ErrInfo *ei);

/*
 * Finds the limit of `clock` for a ticket of category_code (NULL reads as "")
 * and urgency: among the rows of that clock whose prefix starts
 * category_code and whose urgency is `*` or equal, the one with the longest
 * prefix wins, and between two of the same prefix, the exact urgency.
 * Returns false, *out unchanged, when no row applies (the clock does not run).
 */
bool sla_policy_lookup(const SlaPolicy *p, const char *category_code, Urgency urgency, Clock clock,
                       SlaLimit *out);

/*
 * Parses one row from its CSV cells (category, urgency, clock, limit, as in
 * api-contract.md §1): category `*` becomes "", any other category must be
 * non-empty without spaces or `*` and is borrowed as the prefix; urgency is
 * an urgency name or `*`; clock a clock name.  Errors: ERR_INVALID with the
 * field ("category", "urgency", "clock", "limit") and the offending value;
 * *out is then unspecified.
 */
Err sla_rule_parse(const char *category, const char *urgency, const char *clock, const char *limit,
                   SlaRule *out, ErrInfo *ei);

/*
 * The deadline of a clock that starts at `start` with limit lim: start plus
 * the interval, or calendar_add_workdays(cal, start, lim->workdays) (cal may
 * be NULL: weekends only).  Returns TS_NONE when start is TS_NONE.
 */
int64_t sla_deadline(const Calendar *cal, const SlaLimit *lim, int64_t start);

/*
 * The warning point (黄灯) of a clock: start + percent % of (deadline - start)
 * in wall time, for interval and working-day limits alike, rounded down to
 * the millisecond.  percent is clamped to 0 .. 100.  Returns TS_NONE when
 * start or deadline is TS_NONE.
 */
int64_t sla_warning_at(int64_t start, int64_t deadline, int percent);

/*
 * A running clock's deadline after a suspension (挂账) of paused_ms: the
 * paused wall time is added to every running clock, workday clocks included
 * (they are not recounted in working days).  TS_NONE stays TS_NONE.
 */
int64_t sla_shift(int64_t due, int64_t paused_ms);

#endif
