/*
 * workflow.h — the ticket lifecycle: who may do what, in which status, and
 * what it changes.
 *
 * The transition table (workflow.c) is the specification: one row per
 * (action, from, variant) with the resulting status and the parties allowed.
 * workflow_decide() reads only the table; workflow_apply() also checks the
 * guards of domain.md §3 (reasons, return window, one approved extension,
 * assists replied, ...) and changes the Ticket projection.  Deadlines are
 * computed through a hook the caller provides, so this module never reads a
 * clock, a calendar table or a policy itself.  Pure C, no I/O, no allocation.
 */
#ifndef MINHU_CORE_WORKFLOW_H
#define MINHU_CORE_WORKFLOW_H

#include "core/err.h"
#include "core/ticket.h"

/* The actor's relation to a ticket: what the table's "who" column names. */
typedef enum Party {
    PARTY_CENTER = 1u << 0,  /* operator or admin: the 12345 centre */
    PARTY_LEAD = 1u << 1,    /* a unit token of the ticket's lead unit */
    PARTY_ASSIST = 1u << 2,  /* a unit token of one of the ticket's assist units */
    PARTY_CHANNEL = 1u << 3, /* an intake channel (app, Open311, ...) */
} Party;

/* Special "to" values of a row. */
#define WF_TO_SAME (ST__COUNT)     /* status unchanged */
#define WF_TO_PREV (ST__COUNT + 1) /* back to the status before the review */

/* Variants of one action from one status with a different outcome. */
typedef enum Variant {
    VAR_DEFAULT = 0,
    VAR_ROUTED,  /* intake matched a routing rule: born dispatched (直派) */
    VAR_TO_UNIT, /* approve_return straight to a named unit */
    VAR_REOPEN,  /* callback reopens to the same unit (重办) */
    VAR__COUNT
} Variant;

typedef struct Transition {
    Action action;
    TicketStatus from;
    int to;       /* a TicketStatus, WF_TO_SAME or WF_TO_PREV */
    unsigned who; /* Party bits */
    Variant variant;
} Transition;

/* The table; *n receives its length.  Borrowed, static. */
const Transition *workflow_table(size_t *n);

const char *variant_name(Variant v);
const char *party_names(unsigned who, char *buf, size_t len); /* "lead, assist" */

/*
 * The parties an actor is to ticket t.  role/unit are the token's; t may be
 * NULL for intake.  Leaders are no party: they read, they never act.
 */
unsigned workflow_parties(Role role, const char *actor_unit, const Ticket *t);

/*
 * Decides (action, from, variant) for parties against the table alone.
 * ERR_FORBIDDEN when none of the parties may ever take the action,
 * ERR_ILLEGAL when they may, but not from this status.  On ERR_OK *to is
 * the resulting status (WF_TO_SAME/PREV resolved against from/prev).
 */
Err workflow_decide(Action action, TicketStatus from, TicketStatus prev, unsigned parties,
                    Variant variant, TicketStatus *to, ErrInfo *ei);

/*
 * Computes a deadline for clock c of ticket t started at start, or TS_NONE
 * when no limit applies.  Provided by the caller (sla policy + calendar).
 */
typedef int64_t (*WorkflowDeadlineFn)(void *ctx, const Ticket *t, Clock c, int64_t start);

typedef struct WorkflowEnv {
    int64_t now;
    WorkflowDeadlineFn deadline; /* may be NULL: no deadlines */
    void *deadline_ctx;
    int reopen_days;       /* reopen allowed within this many days; default 30 */
    int problem_threshold; /* reopens/returns that make a problem ticket; 3 */
} WorkflowEnv;

/* One action's input.  All pointers borrowed from the request. */
typedef struct ActionInput {
    Action action;
    Variant variant;                       /* set by workflow_input_variant() or the caller */
    const char *text;                      /* note / reason / result, per action */
    const char *unit;                      /* dispatch, approve_return (optional) */
    const char *units[TICKET_MAX_ASSISTS]; /* whistle */
    size_t n_units;
    int64_t until; /* request_extension */
    bool cb_contacted, cb_resolved, cb_has_answers, reopen;
    int cb_satisfaction;
    const char *merge_into_id;      /* merge: the surviving ticket's id */
    TicketStatus merge_into_status; /* and its status */
    int32_t expected_version;       /* -1 when not given */
} ActionInput;

/* Initialises in to "no data" for action a. */
void action_input_init(ActionInput *in, Action a);

/* Which variant the input asks for (reopen, approve_return to a unit, ...). */
Variant workflow_input_variant(const ActionInput *in);

/* True when action a requires in->text (reason/result) to be non-empty. */
bool workflow_text_required(Action a);

/*
 * Applies in to t as an actor who is `parties` to it (and acts for
 * actor_unit, for assists).  On ERR_OK t holds the new projection with
 * version + 1; on error t is unchanged and ei says why.
 */
Err workflow_apply(Ticket *t, const ActionInput *in, unsigned parties, const char *actor_unit,
                   const WorkflowEnv *env, ErrInfo *ei);

/*
 * Intake: fills the status, clocks and times of a new ticket t (its intake
 * facts already set), dispatched to t->lead_unit when that is set (a routing
 * rule matched), else pending dispatch.
 */
Err workflow_intake(Ticket *t, unsigned parties, const WorkflowEnv *env, ErrInfo *ei);

/*
 * The clocks that action a restarted (a new span, not a shift: resume and
 * extensions move deadlines without restarting), as bits 1 << Clock.  Their
 * warning/overdue marks start afresh.
 */
unsigned workflow_clocks_restarted(const Ticket *before, const Ticket *after, Action a);

/* The nearest deadline among t's running clocks (the return window aside), or TS_NONE. */
int64_t workflow_next_due(const Ticket *t);

/* True while clock c of t is running (started and its step not yet done). */
bool workflow_clock_running(const Ticket *t, Clock c);

#endif
