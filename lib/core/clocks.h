/*
 * clocks.h — which timer points a ticket must have now.
 *
 * From the ticket projection alone, plans every pending warning (黄灯, a
 * share of the clock's span), overdue (红灯, the deadline) and report (通报,
 * N working days past the reply deadline) point of its running clocks, and
 * of its assist units' accept clocks.  The store makes the timer table equal
 * to this plan after every change (new points inserted, points no longer
 * planned deleted, fired ones kept), so a completed, paused or moved clock
 * cannot fire.  Pure C: no I/O, no clock, no allocation.
 */
#ifndef MINHU_CORE_CLOCKS_H
#define MINHU_CORE_CLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/ticket.h"

typedef enum TimerKind { TIMER_WARNING = 0, TIMER_OVERDUE, TIMER_REPORT, TIMER__COUNT } TimerKind;

typedef struct ClockTimer {
    Clock clock;
    TimerKind kind;
    const char *unit; /* NULL for the lead unit's clocks, else the assist unit (borrowed) */
    int64_t due_at;   /* when it fires */
    int64_t deadline; /* the clock's deadline it belongs to */
} ClockTimer;

#define CLOCKS_MAX_TIMERS (CLK__COUNT * TIMER__COUNT + TICKET_MAX_ASSISTS * 2)

typedef struct ClocksPolicy {
    int warn_percent;    /* 1..99; 0 disables warnings (default 75) */
    int report_workdays; /* report this many working days past the reply deadline (5) */
} ClocksPolicy;

const char *timer_kind_name(TimerKind k);

/*
 * Fills out[0..n) with t's planned timers and returns n (at most
 * CLOCKS_MAX_TIMERS).  cal may be NULL (weekends only) and is used for the
 * report point.
 */
size_t clocks_plan(const Ticket *t, const Calendar *cal, const ClocksPolicy *policy,
                   ClockTimer *out);

#endif
