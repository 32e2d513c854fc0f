/*
 * clocks.c — the timer plan of a ticket.
 */
#include "core/clocks.h"

#include "core/sla.h"
#include "core/workflow.h"

const char *
timer_kind_name(TimerKind k)
{
    switch (k) {
    case TIMER_WARNING:
        return "warning";
    case TIMER_OVERDUE:
        return "overdue";
    case TIMER_REPORT:
        return "report";
    default:
        return "";
    }
}

static size_t
plan_clock(Clock c, const char *unit, int64_t start, int64_t due, const ClocksPolicy *p,
           ClockTimer *out)
{
    size_t n = 0;

    if (p->warn_percent > 0 && p->warn_percent < 100 && start != TS_NONE && start < due) {
        int64_t warn = sla_warning_at(start, due, p->warn_percent);

        if (warn < due)
            out[n++] = (ClockTimer){c, TIMER_WARNING, unit, warn, due};
    }
    out[n++] = (ClockTimer){c, TIMER_OVERDUE, unit, due, due};
    return n;
}

size_t
clocks_plan(const Ticket *t, const Calendar *cal, const ClocksPolicy *policy, ClockTimer *out)
{
    static const Clock timed[] = {CLK_DISPATCH, CLK_ACCEPT, CLK_CONTACT, CLK_REPLY, CLK_CALLBACK};
    size_t n = 0;

    for (size_t i = 0; i < sizeof timed / sizeof timed[0]; i++) {
        Clock c = timed[i];

        if (!workflow_clock_running(t, c))
            continue;
        n += plan_clock(c, NULL, t->started[c], t->due[c], policy, out + n);
        if (c == CLK_REPLY && policy->report_workdays > 0)
            out[n++] = (ClockTimer){c, TIMER_REPORT, NULL,
                                    calendar_add_workdays(cal, t->due[c], policy->report_workdays),
                                    t->due[c]};
    }
    /* Assist units report in (报到) against their own accept clock while the lead handles. */
    if (t->status == ST_ACCEPTED)
        for (size_t i = 0; i < t->n_assists; i++) {
            const TicketAssist *a = &t->assists[i];

            if (a->status == ASSIST_SUMMONED && a->due_at != TS_NONE)
                n += plan_clock(CLK_ACCEPT, a->unit, a->summoned_at, a->due_at, policy, out + n);
        }
    return n;
}
