/*
 * workflow.c — the transition table of domain.md §3 and the effects of each
 * action on the ticket projection.
 *
 * Read the table as the specification; the functions below only look it up
 * and apply the guards the table cannot express.  No I/O, no clock (env->now
 * is the caller's), no allocation.
 */
#include "core/workflow.h"

#include <stdio.h>
#include <string.h>

#define C PARTY_CENTER
#define L PARTY_LEAD
#define A PARTY_ASSIST
#define H PARTY_CHANNEL

/* clang-format off */
static const Transition transitions[] = {
    /* action                from                 to                   who        variant */
    {ACT_INTAKE,             ST_NONE,              ST_PENDING_DISPATCH,  C | H,      VAR_DEFAULT},
    {ACT_INTAKE,             ST_NONE,              ST_DISPATCHED,        C | H,      VAR_ROUTED},
    {ACT_ANSWER,             ST_PENDING_DISPATCH,  ST_ANSWERED,          C,          VAR_DEFAULT},
    {ACT_REJECT,             ST_PENDING_DISPATCH,  ST_REJECTED,          C,          VAR_DEFAULT},
    {ACT_DISPATCH,           ST_PENDING_DISPATCH,  ST_DISPATCHED,        C,          VAR_DEFAULT},
    {ACT_ACCEPT,             ST_DISPATCHED,        ST_ACCEPTED,          L,          VAR_DEFAULT},
    {ACT_CONTACT,            ST_ACCEPTED,          WF_TO_SAME,           L,          VAR_DEFAULT},
    {ACT_NOTE,               ST_PENDING_DISPATCH,  WF_TO_SAME,           C | L | A,  VAR_DEFAULT},
    {ACT_NOTE,               ST_DISPATCHED,        WF_TO_SAME,           C | L | A,  VAR_DEFAULT},
    {ACT_NOTE,               ST_ACCEPTED,          WF_TO_SAME,           C | L | A,  VAR_DEFAULT},
    {ACT_NOTE,               ST_RETURN_REQUESTED,  WF_TO_SAME,           C | L | A,  VAR_DEFAULT},
    {ACT_NOTE,               ST_SUSPENDED,         WF_TO_SAME,           C | L | A,  VAR_DEFAULT},
    {ACT_NOTE,               ST_REPLIED,           WF_TO_SAME,           C | L | A,  VAR_DEFAULT},
    {ACT_WHISTLE,            ST_ACCEPTED,          WF_TO_SAME,           L,          VAR_DEFAULT},
    {ACT_ASSIST_ACCEPT,      ST_ACCEPTED,          WF_TO_SAME,           A,          VAR_DEFAULT},
    {ACT_ASSIST_REPLY,       ST_ACCEPTED,          WF_TO_SAME,           A,          VAR_DEFAULT},
    {ACT_REQUEST_RETURN,     ST_DISPATCHED,        ST_RETURN_REQUESTED,  L,          VAR_DEFAULT},
    {ACT_REQUEST_RETURN,     ST_ACCEPTED,          ST_RETURN_REQUESTED,  L,          VAR_DEFAULT},
    {ACT_APPROVE_RETURN,     ST_RETURN_REQUESTED,  ST_PENDING_DISPATCH,  C,          VAR_DEFAULT},
    {ACT_APPROVE_RETURN,     ST_RETURN_REQUESTED,  ST_DISPATCHED,        C,          VAR_TO_UNIT},
    {ACT_REJECT_RETURN,      ST_RETURN_REQUESTED,  WF_TO_PREV,           C,          VAR_DEFAULT},
    {ACT_REQUEST_EXTENSION,  ST_ACCEPTED,          WF_TO_SAME,           L,          VAR_DEFAULT},
    {ACT_APPROVE_EXTENSION,  ST_ACCEPTED,          WF_TO_SAME,           C,          VAR_DEFAULT},
    {ACT_REJECT_EXTENSION,   ST_ACCEPTED,          WF_TO_SAME,           C,          VAR_DEFAULT},
    {ACT_SUSPEND,            ST_ACCEPTED,          ST_SUSPENDED,         C,          VAR_DEFAULT},
    {ACT_RESUME,             ST_SUSPENDED,         ST_ACCEPTED,          C,          VAR_DEFAULT},
    {ACT_REPLY,              ST_ACCEPTED,          ST_REPLIED,           L,          VAR_DEFAULT},
    {ACT_CALLBACK,           ST_REPLIED,           ST_CLOSED,            C,          VAR_DEFAULT},
    {ACT_CALLBACK,           ST_REPLIED,           ST_ACCEPTED,          C,          VAR_REOPEN},
    {ACT_REOPEN,             ST_CLOSED,            ST_ACCEPTED,          C,          VAR_DEFAULT},
    {ACT_MERGE,              ST_PENDING_DISPATCH,  ST_MERGED,            C,          VAR_DEFAULT},
    {ACT_MERGE,              ST_DISPATCHED,        ST_MERGED,            C,          VAR_DEFAULT},
    {ACT_MERGE,              ST_ACCEPTED,          ST_MERGED,            C,          VAR_DEFAULT},
    {ACT_MERGE,              ST_RETURN_REQUESTED,  ST_MERGED,            C,          VAR_DEFAULT},
    {ACT_MERGE,              ST_SUSPENDED,         ST_MERGED,            C,          VAR_DEFAULT},
    {ACT_MERGE,              ST_REPLIED,           ST_MERGED,            C,          VAR_DEFAULT},
    {ACT_CANCEL,             ST_PENDING_DISPATCH,  ST_CANCELLED,         C,          VAR_DEFAULT},
    {ACT_CANCEL,             ST_DISPATCHED,        ST_CANCELLED,         C,          VAR_DEFAULT},
    {ACT_CANCEL,             ST_ACCEPTED,          ST_CANCELLED,         C,          VAR_DEFAULT},
    {ACT_CANCEL,             ST_RETURN_REQUESTED,  ST_CANCELLED,         C,          VAR_DEFAULT},
    {ACT_CANCEL,             ST_SUSPENDED,         ST_CANCELLED,         C,          VAR_DEFAULT},
    {ACT_CANCEL,             ST_REPLIED,           ST_CANCELLED,         C,          VAR_DEFAULT},
    {ACT_FLAG_UNREASONABLE,  ST_PENDING_DISPATCH,  WF_TO_SAME,           C,          VAR_DEFAULT},
    {ACT_FLAG_UNREASONABLE,  ST_DISPATCHED,        WF_TO_SAME,           C,          VAR_DEFAULT},
    {ACT_FLAG_UNREASONABLE,  ST_ACCEPTED,          WF_TO_SAME,           C,          VAR_DEFAULT},
    {ACT_FLAG_UNREASONABLE,  ST_RETURN_REQUESTED,  WF_TO_SAME,           C,          VAR_DEFAULT},
    {ACT_FLAG_UNREASONABLE,  ST_SUSPENDED,         WF_TO_SAME,           C,          VAR_DEFAULT},
    {ACT_FLAG_UNREASONABLE,  ST_REPLIED,           WF_TO_SAME,           C,          VAR_DEFAULT},
    {ACT_FLAG_UNREASONABLE,  ST_CLOSED,            WF_TO_SAME,           C,          VAR_DEFAULT},
    {ACT_FLAG_UNREASONABLE,  ST_ANSWERED,          WF_TO_SAME,           C,          VAR_DEFAULT},
    {ACT_FLAG_UNREASONABLE,  ST_REJECTED,          WF_TO_SAME,           C,          VAR_DEFAULT},
    {ACT_FLAG_UNREASONABLE,  ST_MERGED,            WF_TO_SAME,           C,          VAR_DEFAULT},
    {ACT_FLAG_UNREASONABLE,  ST_CANCELLED,         WF_TO_SAME,           C,          VAR_DEFAULT},
};
/* clang-format on */

#undef C
#undef L
#undef A
#undef H

#define DAY_MS (24LL * 3600 * 1000)

const Transition *
workflow_table(size_t *n)
{
    *n = sizeof transitions / sizeof transitions[0];
    return transitions;
}

const char *
variant_name(Variant v)
{
    switch (v) {
    case VAR_ROUTED:
        return "routed";
    case VAR_TO_UNIT:
        return "to_unit";
    case VAR_REOPEN:
        return "reopen";
    default:
        return "";
    }
}

const char *
party_names(unsigned who, char *buf, size_t len)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{PARTY_CENTER, "centre"},
                 {PARTY_LEAD, "lead"},
                 {PARTY_ASSIST, "assist"},
                 {PARTY_CHANNEL, "channel"}};
    size_t used = 0;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if ((who & names[i].bit) == 0)
            continue;
        int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", names[i].name);
        if (w < 0 || (size_t) w >= len - used) {
            buf[used] = '\0'; /* whole names only */
            break;
        }
        used += (size_t) w;
    }
    return buf;
}

unsigned
workflow_parties(Role role, const char *actor_unit, const Ticket *t)
{
    unsigned p = 0;

    switch (role) {
    case ROLE_OPERATOR:
    case ROLE_ADMIN:
        return PARTY_CENTER;
    case ROLE_CHANNEL:
        return PARTY_CHANNEL;
    case ROLE_UNIT:
        if (t == NULL || actor_unit == NULL)
            return 0;
        if (t->lead_unit != NULL && strcmp(t->lead_unit, actor_unit) == 0)
            p |= PARTY_LEAD;
        if (ticket_assist_find(t, actor_unit) >= 0)
            p |= PARTY_ASSIST;
        return p;
    default:
        return 0;
    }
}

Err
workflow_decide(Action action, TicketStatus from, TicketStatus prev, unsigned parties,
                Variant variant, TicketStatus *to, ErrInfo *ei)
{
    size_t n = sizeof transitions / sizeof transitions[0];
    bool may_ever = false;

    for (size_t i = 0; i < n; i++)
        if (transitions[i].action == action && (transitions[i].who & parties) != 0)
            may_ever = true;
    if (!may_ever)
        return err_set(ei, ERR_FORBIDDEN, NULL, "this token may not %s tickets",
                       action_name(action));

    for (size_t i = 0; i < n; i++) {
        const Transition *r = &transitions[i];

        if (r->action != action || r->from != from || r->variant != variant ||
            (r->who & parties) == 0)
            continue;
        if (r->to == WF_TO_SAME)
            *to = from;
        else if (r->to == WF_TO_PREV)
            *to = prev;
        else
            *to = (TicketStatus) r->to;
        return ERR_OK;
    }
    if (variant != VAR_DEFAULT)
        return err_set(ei, ERR_ILLEGAL, NULL, "cannot %s (%s) a ticket in status %s",
                       action_name(action), variant_name(variant), status_name(from));
    return err_set(ei, ERR_ILLEGAL, NULL, "cannot %s a ticket in status %s", action_name(action),
                   status_name(from));
}

void
action_input_init(ActionInput *in, Action a)
{
    memset(in, 0, sizeof *in);
    in->action = a;
    in->variant = VAR_DEFAULT;
    in->until = TS_NONE;
    in->merge_into_status = ST_NONE;
    in->expected_version = -1;
}

Variant
workflow_input_variant(const ActionInput *in)
{
    if (in->action == ACT_CALLBACK && in->reopen)
        return VAR_REOPEN;
    if (in->action == ACT_APPROVE_RETURN && in->unit != NULL)
        return VAR_TO_UNIT;
    return VAR_DEFAULT;
}

bool
workflow_text_required(Action a)
{
    switch (a) {
    case ACT_ANSWER:
    case ACT_REJECT:
    case ACT_NOTE:
    case ACT_ASSIST_REPLY:
    case ACT_REQUEST_RETURN:
    case ACT_REQUEST_EXTENSION:
    case ACT_SUSPEND:
    case ACT_REPLY:
    case ACT_REOPEN:
    case ACT_CANCEL:
    case ACT_FLAG_UNREASONABLE:
        return true;
    default:
        return false;
    }
}

bool
workflow_clock_running(const Ticket *t, Clock c)
{
    /* A suspended ticket's clocks are paused; resume shifts them (ACT_RESUME). */
    if (t->due[c] == TS_NONE || t->status == ST_SUSPENDED)
        return false;
    switch (c) {
    case CLK_DISPATCH:
        return t->status == ST_PENDING_DISPATCH;
    case CLK_ACCEPT:
        return t->accepted_at == TS_NONE && t->lead_unit != NULL &&
               (t->status == ST_DISPATCHED || t->status == ST_RETURN_REQUESTED);
    case CLK_CONTACT:
        return t->contacted_at == TS_NONE && t->accepted_at != TS_NONE &&
               (t->status == ST_ACCEPTED || t->status == ST_RETURN_REQUESTED);
    case CLK_REPLY:
        return t->replied_at == TS_NONE && t->dispatched_at != TS_NONE &&
               (t->status == ST_DISPATCHED || t->status == ST_ACCEPTED ||
                t->status == ST_RETURN_REQUESTED);
    case CLK_CALLBACK:
        return t->status == ST_REPLIED;
    case CLK_RETURN_WINDOW:
        return t->status == ST_DISPATCHED || t->status == ST_ACCEPTED;
    default:
        return false;
    }
}

unsigned
workflow_clocks_restarted(const Ticket *before, const Ticket *after, Action a)
{
    unsigned bits = 0;

    if (a == ACT_RESUME)
        return 0;
    for (int c = 0; c < CLK__COUNT; c++)
        if (after->started[c] != TS_NONE && after->started[c] != before->started[c])
            bits |= 1u << c;
    return bits;
}

int64_t
workflow_next_due(const Ticket *t)
{
    int64_t next = TS_NONE;

    for (int c = 0; c < CLK__COUNT; c++)
        if (c != CLK_RETURN_WINDOW && workflow_clock_running(t, (Clock) c) &&
            (next == TS_NONE || t->due[c] < next))
            next = t->due[c];
    return next;
}

static int64_t
deadline(const WorkflowEnv *env, const Ticket *t, Clock c, int64_t start)
{
    if (env->deadline == NULL)
        return TS_NONE;
    return env->deadline(env->deadline_ctx, t, c, start);
}

/* Starts clock c of t now: records the start and computes the deadline. */
static void
clock_start(Ticket *t, const WorkflowEnv *env, Clock c)
{
    t->started[c] = env->now;
    t->due[c] = deadline(env, t, c, env->now);
}

static void
clock_clear(Ticket *t, Clock c)
{
    t->started[c] = TS_NONE;
    t->due[c] = TS_NONE;
}

/* The clocks that start when a unit is handed the ticket (dispatch, re-dispatch). */
static void
start_handling_clocks(Ticket *t, const WorkflowEnv *env)
{
    t->dispatched_at = env->now;
    t->accepted_at = TS_NONE;
    t->contacted_at = TS_NONE;
    t->replied_at = TS_NONE;
    clock_clear(t, CLK_DISPATCH);
    clock_clear(t, CLK_CONTACT);
    clock_start(t, env, CLK_ACCEPT);
    clock_start(t, env, CLK_REPLY);
    clock_start(t, env, CLK_RETURN_WINDOW);
}

static int
threshold(const WorkflowEnv *env)
{
    return env->problem_threshold > 0 ? env->problem_threshold : 3;
}

/* 重办, by callback or by hand: back to the lead unit with a new reply clock. */
static void
reopen_to_lead(Ticket *t, const WorkflowEnv *env)
{
    t->reopen_count++;
    if (t->reopen_count >= threshold(env))
        t->problem = true;
    t->replied_at = TS_NONE;
    clock_clear(t, CLK_CALLBACK);
    clock_start(t, env, CLK_REPLY);
}

Err
workflow_intake(Ticket *t, unsigned parties, const WorkflowEnv *env, ErrInfo *ei)
{
    TicketStatus to;
    Variant v = t->lead_unit != NULL ? VAR_ROUTED : VAR_DEFAULT;
    Err rc = workflow_decide(ACT_INTAKE, ST_NONE, ST_NONE, parties, v, &to, ei);

    if (rc != ERR_OK)
        return rc;
    t->status = to;
    t->version = 1;
    t->created_at = env->now;
    if (to == ST_DISPATCHED)
        start_handling_clocks(t, env);
    else
        clock_start(t, env, CLK_DISPATCH);
    return ERR_OK;
}

/* Guards beyond the table, checked before anything changes. */
static Err
check_guards(const Ticket *t, const ActionInput *in, const char *actor_unit, const WorkflowEnv *env,
             ErrInfo *ei)
{
    int reopen_days = env->reopen_days > 0 ? env->reopen_days : 30;
    int ai;

    if (workflow_text_required(in->action) && (in->text == NULL || in->text[0] == '\0')) {
        const char *field = (in->action == ACT_NOTE || in->action == ACT_ASSIST_REPLY) ? "note"
                            : (in->action == ACT_REPLY || in->action == ACT_ANSWER)    ? "result"
                                                                                       : "reason";
        return err_set(ei, ERR_MISSING, field, "%s needs a %s", action_name(in->action), field);
    }

    switch (in->action) {
    case ACT_DISPATCH:
        if (in->unit == NULL || in->unit[0] == '\0')
            return err_set(ei, ERR_MISSING, "unit", "dispatch needs a unit");
        break;
    case ACT_WHISTLE:
        if (in->n_units == 0)
            return err_set(ei, ERR_MISSING, "units", "whistle needs at least one unit");
        if (t->n_assists + in->n_units > TICKET_MAX_ASSISTS)
            return err_set(ei, ERR_ILLEGAL, "units", "a ticket has at most %d assist units",
                           TICKET_MAX_ASSISTS);
        for (size_t i = 0; i < in->n_units; i++) {
            if (in->units[i] == NULL || in->units[i][0] == '\0')
                return err_set(ei, ERR_MISSING, "units", "whistle needs a code for every unit");
            if (t->lead_unit != NULL && strcmp(in->units[i], t->lead_unit) == 0)
                return err_set(ei, ERR_ILLEGAL, "units",
                               "the lead unit %s cannot assist its own ticket", in->units[i]);
            if (ticket_assist_find(t, in->units[i]) >= 0)
                return err_set(ei, ERR_ILLEGAL, "units", "unit %s is already an assist",
                               in->units[i]);
            for (size_t j = 0; j < i; j++)
                if (strcmp(in->units[i], in->units[j]) == 0)
                    return err_set(ei, ERR_INVALID, "units", "unit %s is named twice",
                                   in->units[i]);
        }
        break;
    case ACT_ASSIST_ACCEPT:
    case ACT_ASSIST_REPLY:
        ai = ticket_assist_find(t, actor_unit);
        if (ai < 0)
            return err_set(ei, ERR_FORBIDDEN, NULL, "this unit is not an assist of the ticket");
        if (in->action == ACT_ASSIST_ACCEPT && t->assists[ai].status != ASSIST_SUMMONED)
            return err_set(ei, ERR_ILLEGAL, NULL, "this unit has already reported in");
        if (in->action == ACT_ASSIST_REPLY && t->assists[ai].status == ASSIST_REPLIED)
            return err_set(ei, ERR_ILLEGAL, NULL, "this unit has already replied");
        if (in->action == ACT_ASSIST_REPLY && t->assists[ai].status != ASSIST_ACCEPTED)
            return err_set(ei, ERR_ILLEGAL, NULL,
                           "an assist unit must report in (assist_accept) before it replies");
        break;
    case ACT_REQUEST_RETURN:
        if (t->due[CLK_RETURN_WINDOW] != TS_NONE && env->now > t->due[CLK_RETURN_WINDOW])
            return err_set(ei, ERR_ILLEGAL, NULL, "the return window closed");
        break;
    case ACT_APPROVE_RETURN:
        if (in->variant == VAR_TO_UNIT && (in->unit == NULL || in->unit[0] == '\0'))
            return err_set(ei, ERR_MISSING, "unit", "approve_return to a unit needs the unit");
        break;
    case ACT_REJECT_RETURN:
        if (t->prev_status != ST_DISPATCHED && t->prev_status != ST_ACCEPTED)
            return err_set(ei, ERR_ILLEGAL, NULL,
                           "the status before the return request is unknown (%s)",
                           status_name(t->prev_status));
        break;
    case ACT_REQUEST_EXTENSION:
        if (t->ext_state == EXT_REQUESTED)
            return err_set(ei, ERR_ILLEGAL, NULL, "an extension request is already pending");
        if (t->ext_approved_count >= 1)
            return err_set(ei, ERR_ILLEGAL, NULL, "an extension was already approved");
        if (in->until == TS_NONE)
            return err_set(ei, ERR_MISSING, "until", "request_extension needs until");
        if (t->due[CLK_REPLY] != TS_NONE && env->now > t->due[CLK_REPLY])
            return err_set(ei, ERR_ILLEGAL, NULL, "the reply deadline has passed");
        if (in->until <= env->now ||
            (t->due[CLK_REPLY] != TS_NONE && in->until <= t->due[CLK_REPLY]))
            return err_set(ei, ERR_INVALID, "until", "until must be later than the reply deadline");
        break;
    case ACT_APPROVE_EXTENSION:
    case ACT_REJECT_EXTENSION:
        if (t->ext_state != EXT_REQUESTED)
            return err_set(ei, ERR_ILLEGAL, NULL, "no extension request is pending");
        break;
    case ACT_REPLY:
        if (t->contacted_at == TS_NONE && !t->anonymous)
            return err_set(ei, ERR_ILLEGAL, NULL,
                           "the resident must be contacted before the reply");
        for (size_t i = 0; i < t->n_assists; i++)
            if (t->assists[i].status != ASSIST_REPLIED)
                return err_set(ei, ERR_ILLEGAL, NULL, "assist unit %s has not replied",
                               t->assists[i].unit);
        break;
    case ACT_CALLBACK:
        if (!in->cb_has_answers && !t->anonymous)
            return err_set(ei, ERR_MISSING, "contacted",
                           "callback needs contacted, resolved and satisfaction");
        if (in->cb_has_answers && (in->cb_satisfaction < 1 || in->cb_satisfaction > 5))
            return err_set(ei, ERR_INVALID, "satisfaction",
                           "satisfaction must be from 1 to 5, not %d", in->cb_satisfaction);
        break;
    case ACT_REOPEN:
        if (t->closed_at != TS_NONE && env->now - t->closed_at > (int64_t) reopen_days * DAY_MS)
            return err_set(ei, ERR_ILLEGAL, NULL,
                           "a ticket may be reopened within %d days of closing", reopen_days);
        break;
    case ACT_MERGE:
        if (in->merge_into_id == NULL)
            return err_set(ei, ERR_MISSING, "into", "merge needs into");
        if (t->id != NULL && strcmp(in->merge_into_id, t->id) == 0)
            return err_set(ei, ERR_ILLEGAL, "into", "a ticket cannot be merged into itself");
        if (!status_is_open(in->merge_into_status))
            return err_set(ei, ERR_ILLEGAL, "into", "tickets are merged into open tickets only");
        break;
    case ACT_FLAG_UNREASONABLE:
        if (t->unreasonable)
            return err_set(ei, ERR_ILLEGAL, NULL, "the ticket is already flagged unreasonable");
        break;
    default:
        break;
    }
    return ERR_OK;
}

Err
workflow_apply(Ticket *t, const ActionInput *in, unsigned parties, const char *actor_unit,
               const WorkflowEnv *env, ErrInfo *ei)
{
    TicketStatus to;
    Err rc;
    TicketAssist *as;
    int64_t now = env->now;

    if (in->action == ACT_INTAKE)
        return err_set(ei, ERR_ILLEGAL, NULL, "intake is not an action on a ticket");
    rc = workflow_decide(in->action, t->status, t->prev_status, parties, in->variant, &to, ei);
    if (rc != ERR_OK)
        return rc;
    rc = check_guards(t, in, actor_unit, env, ei);
    if (rc != ERR_OK)
        return rc;

    /* From here on nothing can fail: the projection changes. */
    switch (in->action) {
    case ACT_ANSWER:
        t->result = in->text;
        t->closed_at = now;
        break;
    case ACT_DISPATCH:
        t->lead_unit = in->unit;
        start_handling_clocks(t, env);
        break;
    case ACT_ACCEPT:
        t->accepted_at = now;
        clock_start(t, env, CLK_CONTACT);
        break;
    case ACT_CONTACT:
        if (t->contacted_at == TS_NONE)
            t->contacted_at = now;
        break;
    case ACT_WHISTLE:
        for (size_t i = 0; i < in->n_units; i++) {
            as = &t->assists[t->n_assists++];
            memset(as, 0, sizeof *as);
            as->unit = in->units[i];
            as->status = ASSIST_SUMMONED;
            as->summoned_at = now;
            as->accepted_at = as->replied_at = TS_NONE;
            as->due_at = deadline(env, t, CLK_ACCEPT, now);
            as->changed = true;
        }
        break;
    case ACT_ASSIST_ACCEPT:
    case ACT_ASSIST_REPLY:
        as = &t->assists[ticket_assist_find(t, actor_unit)]; /* found by check_guards */
        if (in->action == ACT_ASSIST_ACCEPT) {
            as->status = ASSIST_ACCEPTED;
            as->accepted_at = now;
        } else {
            as->status = ASSIST_REPLIED;
            as->replied_at = now;
        }
        as->changed = true;
        break;
    case ACT_REQUEST_RETURN:
        t->prev_status = t->status;
        break;
    case ACT_APPROVE_RETURN:
        /* The unit that gets the ticket next starts without the old lead's assists. */
        t->n_assists = 0;
        t->assists_reset = true;
        t->return_count++;
        if (t->return_count >= threshold(env))
            t->problem = true;
        t->prev_status = ST_NONE;
        t->ext_state = EXT_NONE;
        t->ext_until = TS_NONE;
        t->ext_reason = NULL;
        t->ext_approved_count = 0;
        if (in->variant == VAR_TO_UNIT) {
            t->lead_unit = in->unit;
            start_handling_clocks(t, env);
        } else {
            t->lead_unit = NULL;
            t->dispatched_at = t->accepted_at = t->contacted_at = TS_NONE;
            clock_clear(t, CLK_ACCEPT);
            clock_clear(t, CLK_CONTACT);
            clock_clear(t, CLK_REPLY);
            clock_clear(t, CLK_RETURN_WINDOW);
            clock_start(t, env, CLK_DISPATCH);
        }
        break;
    case ACT_REJECT_RETURN:
        t->prev_status = ST_NONE;
        break;
    case ACT_REQUEST_EXTENSION:
        t->ext_state = EXT_REQUESTED;
        t->ext_until = in->until;
        t->ext_reason = in->text;
        break;
    case ACT_APPROVE_EXTENSION:
        t->ext_state = EXT_APPROVED;
        t->ext_approved_count++;
        t->due[CLK_REPLY] = t->ext_until;
        break;
    case ACT_REJECT_EXTENSION:
        t->ext_state = EXT_REJECTED;
        break;
    case ACT_SUSPEND:
        t->prev_status = t->status;
        t->suspended_at = now;
        break;
    case ACT_RESUME:
        /* Paused time is added to every clock that was running. */
        if (t->suspended_at != TS_NONE) {
            int64_t paused = now - t->suspended_at;
            Ticket before = *t;

            before.status = ST_ACCEPTED;
            for (int c = 0; c < CLK__COUNT; c++)
                if (workflow_clock_running(&before, (Clock) c)) {
                    t->due[c] += paused;
                    t->started[c] += paused;
                }
            for (size_t i = 0; i < t->n_assists; i++)
                if (t->assists[i].status == ASSIST_SUMMONED && t->assists[i].due_at != TS_NONE) {
                    t->assists[i].due_at += paused;
                    t->assists[i].changed = true;
                }
        }
        t->suspended_at = TS_NONE;
        t->prev_status = ST_NONE;
        break;
    case ACT_REPLY:
        t->replied_at = now;
        t->result = in->text;
        clock_start(t, env, CLK_CALLBACK);
        break;
    case ACT_CALLBACK:
        t->cb_recorded = in->cb_has_answers;
        t->cb_contacted = in->cb_contacted;
        t->cb_resolved = in->cb_resolved;
        t->cb_satisfaction = in->cb_satisfaction;
        t->cb_at = now;
        if (in->variant == VAR_REOPEN)
            reopen_to_lead(t, env);
        else
            t->closed_at = now;
        break;
    case ACT_REOPEN:
        t->closed_at = TS_NONE;
        t->cb_recorded = false;
        t->cb_at = TS_NONE;
        reopen_to_lead(t, env);
        break;
    case ACT_MERGE:
        t->merged_into = in->merge_into_id;
        break;
    case ACT_FLAG_UNREASONABLE:
        t->unreasonable = true;
        t->unreasonable_reason = in->text;
        break;
    case ACT_REJECT:
    case ACT_CANCEL:
    case ACT_NOTE:
    default:
        break;
    }
    t->status = to;
    t->version++;
    return ERR_OK;
}
