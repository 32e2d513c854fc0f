/*
 * ticket.c — name tables of the ticket model's enums.
 *
 * The spellings here are the wire format and the database's: changing one is
 * a breaking change of the API contract.
 */
#include "core/ticket.h"

#include <string.h>

static const char *const status_names[ST__COUNT] = {
    [ST_NONE] = "",
    [ST_PENDING_DISPATCH] = "pending_dispatch",
    [ST_DISPATCHED] = "dispatched",
    [ST_ACCEPTED] = "accepted",
    [ST_RETURN_REQUESTED] = "return_requested",
    [ST_SUSPENDED] = "suspended",
    [ST_REPLIED] = "replied",
    [ST_CLOSED] = "closed",
    [ST_ANSWERED] = "answered",
    [ST_REJECTED] = "rejected",
    [ST_MERGED] = "merged",
    [ST_CANCELLED] = "cancelled",
};

static const char *const status_labels[ST__COUNT] = {
    [ST_NONE] = "",
    [ST_PENDING_DISPATCH] = "待派单",
    [ST_DISPATCHED] = "已派单待签收",
    [ST_ACCEPTED] = "办理中",
    [ST_RETURN_REQUESTED] = "退单审核",
    [ST_SUSPENDED] = "挂账",
    [ST_REPLIED] = "已办结待回访",
    [ST_CLOSED] = "已结案",
    [ST_ANSWERED] = "直接答复",
    [ST_REJECTED] = "不予受理",
    [ST_MERGED] = "已合并",
    [ST_CANCELLED] = "已撤销",
};

static const char *const action_names[ACT__COUNT] = {
    [ACT_INTAKE] = "intake",
    [ACT_ANSWER] = "answer",
    [ACT_REJECT] = "reject",
    [ACT_DISPATCH] = "dispatch",
    [ACT_ACCEPT] = "accept",
    [ACT_CONTACT] = "contact",
    [ACT_NOTE] = "note",
    [ACT_WHISTLE] = "whistle",
    [ACT_ASSIST_ACCEPT] = "assist_accept",
    [ACT_ASSIST_REPLY] = "assist_reply",
    [ACT_REQUEST_RETURN] = "request_return",
    [ACT_APPROVE_RETURN] = "approve_return",
    [ACT_REJECT_RETURN] = "reject_return",
    [ACT_REQUEST_EXTENSION] = "request_extension",
    [ACT_APPROVE_EXTENSION] = "approve_extension",
    [ACT_REJECT_EXTENSION] = "reject_extension",
    [ACT_SUSPEND] = "suspend",
    [ACT_RESUME] = "resume",
    [ACT_REPLY] = "reply",
    [ACT_CALLBACK] = "callback",
    [ACT_REOPEN] = "reopen",
    [ACT_MERGE] = "merge",
    [ACT_CANCEL] = "cancel",
    [ACT_FLAG_UNREASONABLE] = "flag_unreasonable",
};

static const char *const role_names[ROLE__COUNT] = {
    [ROLE_NONE] = "",         [ROLE_OPERATOR] = "operator", [ROLE_UNIT] = "unit",
    [ROLE_LEADER] = "leader", [ROLE_ADMIN] = "admin",       [ROLE_CHANNEL] = "channel",
};

static const char *const nature_names[NATURE__COUNT] = {
    [NATURE_CONSULTATION] = "consultation",
    [NATURE_HELP] = "help",
    [NATURE_COMPLAINT] = "complaint",
    [NATURE_REPORT] = "report",
    [NATURE_SUGGESTION] = "suggestion",
    [NATURE_PRAISE] = "praise",
    [NATURE_OTHER] = "other",
};

static const char *const urgency_names[URG__COUNT] = {
    [URG_EMERGENCY] = "emergency",
    [URG_TIMELY] = "timely",
    [URG_NORMAL] = "normal",
    [URG_COMPLEX] = "complex",
};

static const char *const channel_names[CH__COUNT] = {
    [CH_PHONE] = "phone",     [CH_WEB] = "web",         [CH_APP] = "app",
    [CH_WECHAT] = "wechat",   [CH_SMS] = "sms",         [CH_EMAIL] = "email",
    [CH_OPEN311] = "open311", [CH_WALK_IN] = "walk_in", [CH_GRID_PATROL] = "grid_patrol",
};

static const char *const clock_names[CLK__COUNT] = {
    [CLK_DISPATCH] = "dispatch", [CLK_ACCEPT] = "accept",     [CLK_CONTACT] = "contact",
    [CLK_REPLY] = "reply",       [CLK_CALLBACK] = "callback", [CLK_RETURN_WINDOW] = "return_window",
};

static const char *const assist_status_names[ASSIST__COUNT] = {
    [ASSIST_SUMMONED] = "summoned",
    [ASSIST_ACCEPTED] = "accepted",
    [ASSIST_REPLIED] = "replied",
};

static const char *const extension_state_names[EXT__COUNT] = {
    [EXT_NONE] = "",
    [EXT_REQUESTED] = "requested",
    [EXT_APPROVED] = "approved",
    [EXT_REJECTED] = "rejected",
};

static const char *
name_of(const char *const *names, int count, int v)
{
    if (v < 0 || v >= count || names[v] == NULL)
        return "";
    return names[v];
}

static int
parse_in(const char *const *names, int count, const char *name)
{
    if (name == NULL || name[0] == '\0')
        return -1;
    for (int i = 0; i < count; i++)
        if (names[i] != NULL && strcmp(names[i], name) == 0)
            return i;
    return -1;
}

#define NAME_TABLE(prefix, type, table, count)                                                     \
    const char *prefix##_name(type v)                                                              \
    {                                                                                              \
        return name_of(table, count, (int) v);                                                     \
    }                                                                                              \
    int prefix##_parse(const char *name)                                                           \
    {                                                                                              \
        return parse_in(table, count, name);                                                       \
    }

NAME_TABLE(status, TicketStatus, status_names, ST__COUNT)
NAME_TABLE(action, Action, action_names, ACT__COUNT)
NAME_TABLE(role, Role, role_names, ROLE__COUNT)
NAME_TABLE(nature, Nature, nature_names, NATURE__COUNT)
NAME_TABLE(urgency, Urgency, urgency_names, URG__COUNT)
NAME_TABLE(channel, Channel, channel_names, CH__COUNT)
NAME_TABLE(clock, Clock, clock_names, CLK__COUNT)
NAME_TABLE(assist_status, AssistStatus, assist_status_names, ASSIST__COUNT)
NAME_TABLE(extension_state, ExtensionState, extension_state_names, EXT__COUNT)

const char *
status_label_zh(TicketStatus s)
{
    return name_of(status_labels, ST__COUNT, (int) s);
}

bool
status_is_open(TicketStatus s)
{
    switch (s) {
    case ST_PENDING_DISPATCH:
    case ST_DISPATCHED:
    case ST_ACCEPTED:
    case ST_RETURN_REQUESTED:
    case ST_SUSPENDED:
    case ST_REPLIED:
        return true;
    default:
        return false;
    }
}

bool
status_is_final(TicketStatus s)
{
    return s > ST_NONE && s < ST__COUNT && !status_is_open(s);
}

void
ticket_init(Ticket *t)
{
    memset(t, 0, sizeof *t);
    t->status = ST_NONE;
    t->prev_status = ST_NONE;
    t->urgency = URG_NORMAL;
    t->created_at = t->dispatched_at = t->accepted_at = t->contacted_at = TS_NONE;
    t->replied_at = t->closed_at = t->suspended_at = t->cb_at = t->ext_until = TS_NONE;
    for (int c = 0; c < CLK__COUNT; c++)
        t->due[c] = t->started[c] = TS_NONE;
    t->ext_state = EXT_NONE;
}

int
ticket_assist_find(const Ticket *t, const char *unit)
{
    if (unit == NULL)
        return -1;
    for (size_t i = 0; i < t->n_assists; i++)
        if (t->assists[i].unit != NULL && strcmp(t->assists[i].unit, unit) == 0)
            return (int) i;
    return -1;
}
