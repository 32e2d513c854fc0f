/*
 * ticket.h — the ticket model: statuses, actions, roles, natures, urgencies,
 * channels, clocks, and the Ticket projection that the workflow mutates.
 *
 * Every enum has a name table (the wire and database spelling) with a
 * lookup in both directions.  Pure C: no I/O, no clock, no allocation.
 *
 * Ownership: every `const char *` in Ticket and TicketAssist is *borrowed* —
 * from the database result it was decoded from, or from the request that set
 * it.  The caller keeps those alive while the ticket is in use.
 */
#ifndef MINHU_CORE_TICKET_H
#define MINHU_CORE_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A time is milliseconds since the Unix epoch; TS_NONE means "not set". */
#define TS_NONE INT64_MIN

typedef enum TicketStatus {
    ST_NONE = 0, /* before intake */
    ST_PENDING_DISPATCH,
    ST_DISPATCHED,
    ST_ACCEPTED,
    ST_RETURN_REQUESTED,
    ST_SUSPENDED,
    ST_REPLIED,
    ST_CLOSED,
    ST_ANSWERED,
    ST_REJECTED,
    ST_MERGED,
    ST_CANCELLED,
    ST__COUNT
} TicketStatus;

typedef enum Action {
    ACT_INTAKE = 0,
    ACT_ANSWER,
    ACT_REJECT,
    ACT_DISPATCH,
    ACT_ACCEPT,
    ACT_CONTACT,
    ACT_NOTE,
    ACT_WHISTLE,
    ACT_ASSIST_ACCEPT,
    ACT_ASSIST_REPLY,
    ACT_REQUEST_RETURN,
    ACT_APPROVE_RETURN,
    ACT_REJECT_RETURN,
    ACT_REQUEST_EXTENSION,
    ACT_APPROVE_EXTENSION,
    ACT_REJECT_EXTENSION,
    ACT_SUSPEND,
    ACT_RESUME,
    ACT_REPLY,
    ACT_CALLBACK,
    ACT_REOPEN,
    ACT_MERGE,
    ACT_CANCEL,
    ACT_FLAG_UNREASONABLE,
    ACT__COUNT
} Action;

typedef enum Role {
    ROLE_NONE = 0,
    ROLE_OPERATOR,
    ROLE_UNIT,
    ROLE_LEADER,
    ROLE_ADMIN,
    ROLE_CHANNEL,
    ROLE__COUNT
} Role;

typedef enum Nature {
    NATURE_CONSULTATION = 0,
    NATURE_HELP,
    NATURE_COMPLAINT,
    NATURE_REPORT,
    NATURE_SUGGESTION,
    NATURE_PRAISE,
    NATURE_OTHER,
    NATURE__COUNT
} Nature;

typedef enum Urgency { URG_EMERGENCY = 0, URG_TIMELY, URG_NORMAL, URG_COMPLEX, URG__COUNT } Urgency;

typedef enum Channel {
    CH_PHONE = 0,
    CH_WEB,
    CH_APP,
    CH_WECHAT,
    CH_SMS,
    CH_EMAIL,
    CH_OPEN311,
    CH_WALK_IN,
    CH_GRID_PATROL,
    CH__COUNT
} Channel;

typedef enum Clock {
    CLK_DISPATCH = 0,
    CLK_ACCEPT,
    CLK_CONTACT,
    CLK_REPLY,
    CLK_CALLBACK,
    CLK_RETURN_WINDOW,
    CLK__COUNT
} Clock;

typedef enum AssistStatus {
    ASSIST_SUMMONED = 0,
    ASSIST_ACCEPTED,
    ASSIST_REPLIED,
    ASSIST__COUNT
} AssistStatus;

typedef enum ExtensionState {
    EXT_NONE = 0,
    EXT_REQUESTED,
    EXT_APPROVED,
    EXT_REJECTED,
    EXT__COUNT
} ExtensionState;

/* Name tables.  *_name() never returns NULL for a valid value ("" otherwise);
 * *_parse() returns the value, or -1 when the name is unknown. */
const char *status_name(TicketStatus s);
int status_parse(const char *name);
const char *status_label_zh(TicketStatus s); /* 待派单, 已派单待签收, ... */
bool status_is_open(TicketStatus s);
bool status_is_final(TicketStatus s);

const char *action_name(Action a);
int action_parse(const char *name);

const char *role_name(Role r);
int role_parse(const char *name);

const char *nature_name(Nature n);
int nature_parse(const char *name);

const char *urgency_name(Urgency u);
int urgency_parse(const char *name);

const char *channel_name(Channel c);
int channel_parse(const char *name);

const char *clock_name(Clock c);
int clock_parse(const char *name);

const char *assist_status_name(AssistStatus s);
int assist_status_parse(const char *name);

const char *extension_state_name(ExtensionState s);
int extension_state_parse(const char *name);

#define TICKET_MAX_ASSISTS 16

typedef struct TicketAssist {
    const char *unit; /* unit code, borrowed */
    AssistStatus status;
    int64_t summoned_at;
    int64_t accepted_at; /* TS_NONE until assist_accept */
    int64_t replied_at;  /* TS_NONE until assist_reply */
    int64_t due_at;      /* accept deadline of the assist, TS_NONE if none */
    bool changed;        /* set by the workflow when this row must be written */
} TicketAssist;

/*
 * The mutable projection of a ticket: what the workflow reads and changes.
 * Immutable intake facts (description, caller, ...) stay in the database and
 * are not carried here.
 */
typedef struct Ticket {
    const char *id; /* uuid text */
    const char *number;
    TicketStatus status;
    TicketStatus prev_status; /* status before return_requested / suspended */
    int32_t version;
    Urgency urgency;
    const char *category;
    const char *lead_unit;  /* NULL when not dispatched */
    const char *created_by; /* token name that took it in */
    int64_t created_by_token;
    bool anonymous;
    bool confidential;
    bool callback_wanted;

    int64_t created_at;
    int64_t dispatched_at;
    int64_t accepted_at;
    int64_t contacted_at;
    int64_t replied_at;
    int64_t closed_at;
    int64_t suspended_at;

    int64_t due[CLK__COUNT];     /* deadlines as set when each clock started; TS_NONE if never */
    int64_t started[CLK__COUNT]; /* when each clock last started (warnings are a share of
                                    started→due) */

    const char *result;
    bool cb_recorded;
    bool cb_contacted;
    bool cb_resolved;
    int cb_satisfaction; /* 1..5 */
    int64_t cb_at;

    ExtensionState ext_state;
    int64_t ext_until;
    const char *ext_reason;
    int ext_approved_count;

    int reopen_count;
    int return_count;
    bool problem;
    bool unreasonable;
    const char *unreasonable_reason;
    const char *merged_into; /* uuid of the surviving ticket */

    size_t n_assists;
    bool assists_reset; /* set by the workflow: every assist row must be deleted first */
    TicketAssist assists[TICKET_MAX_ASSISTS];
} Ticket;

/* Sets every field to its "empty" value (NULL, TS_NONE, 0, false). */
void ticket_init(Ticket *t);

/* Index of unit among t's assists, or -1. */
int ticket_assist_find(const Ticket *t, const char *unit);

#endif
