/*
 * test_ticket.c — the name tables of the ticket model (wire and database
 * spellings), the open/final partition of statuses, ticket_init and
 * ticket_assist_find.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core/ticket.h"

typedef struct NameTable {
    const char *what;
    int count;
    int none; /* the value whose name is "", or -1 */
    const char *(*name)(int v);
    int (*parse)(const char *name);
} NameTable;

/* Adapters: the tables take their enum, the loop an int. */
static const char *
status_name_i(int v)
{
    return status_name((TicketStatus) v);
}
static const char *
action_name_i(int v)
{
    return action_name((Action) v);
}
static const char *
role_name_i(int v)
{
    return role_name((Role) v);
}
static const char *
nature_name_i(int v)
{
    return nature_name((Nature) v);
}
static const char *
urgency_name_i(int v)
{
    return urgency_name((Urgency) v);
}
static const char *
channel_name_i(int v)
{
    return channel_name((Channel) v);
}
static const char *
clock_name_i(int v)
{
    return clock_name((Clock) v);
}
static const char *
assist_status_name_i(int v)
{
    return assist_status_name((AssistStatus) v);
}
static const char *
extension_state_name_i(int v)
{
    return extension_state_name((ExtensionState) v);
}

static const NameTable tables[] = {
    {"status", ST__COUNT, ST_NONE, status_name_i, status_parse},
    {"action", ACT__COUNT, -1, action_name_i, action_parse},
    {"role", ROLE__COUNT, ROLE_NONE, role_name_i, role_parse},
    {"nature", NATURE__COUNT, -1, nature_name_i, nature_parse},
    {"urgency", URG__COUNT, -1, urgency_name_i, urgency_parse},
    {"channel", CH__COUNT, -1, channel_name_i, channel_parse},
    {"clock", CLK__COUNT, -1, clock_name_i, clock_parse},
    {"assist_status", ASSIST__COUNT, -1, assist_status_name_i, assist_status_parse},
    {"extension_state", EXT__COUNT, EXT_NONE, extension_state_name_i, extension_state_parse},
};

static void
test_round_trips(void)
{
    for (size_t k = 0; k < sizeof tables / sizeof tables[0]; k++) {
        const NameTable *nt = &tables[k];

        for (int v = 0; v < nt->count; v++) {
            const char *name = nt->name(v);

            CHECK(name != NULL);
            if (name == NULL)
                continue;
            if (v == nt->none) {
                CHECK_STR(name, "");
                continue;
            }
            if (name[0] == '\0' || nt->parse(name) != v)
                fprintf(stderr, "%s %d: name \"%s\" parses to %d\n", nt->what, v, name,
                        nt->parse(name));
            CHECK(name[0] != '\0');
            CHECK_INT(nt->parse(name), v);
            /* names are distinct, lower-case snake_case */
            for (int w = 0; w < v; w++)
                CHECK(strcmp(name, nt->name(w)) != 0);
            for (const char *p = name; *p; p++)
                CHECK((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
        }
        /* out of range never NULL */
        CHECK_STR(nt->name(-1), "");
        CHECK_STR(nt->name(nt->count), "");
        CHECK_STR(nt->name(1000), "");
        /* unknown names */
        CHECK_INT(nt->parse(NULL), -1);
        CHECK_INT(nt->parse(""), -1);
        CHECK_INT(nt->parse("no_such_name"), -1);
        if (nt->count > 1) {
            char upper[64];
            char longer[64];
            const char *n1 = nt->name(nt->none == 0 ? 1 : 0);
            size_t i;

            for (i = 0; n1[i] && i < sizeof upper - 1; i++)
                upper[i] = (char) (n1[i] >= 'a' && n1[i] <= 'z' ? n1[i] - 32 : n1[i]);
            upper[i] = '\0';
            CHECK_INT(nt->parse(upper), -1); /* case matters */
            snprintf(longer, sizeof longer, "%s ", n1);
            CHECK_INT(nt->parse(longer), -1);
            CHECK_INT(nt->parse(n1 + 1), -1);
        }
    }
}

static void
test_known_spellings(void)
{
    /* the contract's spellings (api-contract.md), pinned */
    CHECK_STR(status_name(ST_PENDING_DISPATCH), "pending_dispatch");
    CHECK_STR(status_name(ST_RETURN_REQUESTED), "return_requested");
    CHECK_STR(status_name(ST_CANCELLED), "cancelled");
    CHECK_STR(action_name(ACT_FLAG_UNREASONABLE), "flag_unreasonable");
    CHECK_STR(action_name(ACT_ASSIST_ACCEPT), "assist_accept");
    CHECK_STR(role_name(ROLE_CHANNEL), "channel");
    CHECK_STR(channel_name(CH_WALK_IN), "walk_in");
    CHECK_STR(channel_name(CH_GRID_PATROL), "grid_patrol");
    CHECK_STR(clock_name(CLK_RETURN_WINDOW), "return_window");
    CHECK_STR(urgency_name(URG_EMERGENCY), "emergency");
    CHECK_STR(nature_name(NATURE_CONSULTATION), "consultation");
    CHECK_STR(assist_status_name(ASSIST_SUMMONED), "summoned");
    CHECK_STR(extension_state_name(EXT_APPROVED), "approved");
    CHECK_INT(status_parse("closed"), ST_CLOSED);
    CHECK_INT(role_parse("leader"), ROLE_LEADER);
}

static void
test_status_partition(void)
{
    int open = 0, final = 0;

    /* ST_NONE (before intake) is neither */
    CHECK(!status_is_open(ST_NONE));
    CHECK(!status_is_final(ST_NONE));
    for (int s = ST_NONE + 1; s < ST__COUNT; s++) {
        bool o = status_is_open((TicketStatus) s), f = status_is_final((TicketStatus) s);

        CHECK(o != f);
        open += o;
        final += f;
    }
    CHECK_INT(open, 6);
    CHECK_INT(final, 5);
    CHECK(status_is_open(ST_SUSPENDED));
    CHECK(status_is_open(ST_REPLIED));
    CHECK(status_is_final(ST_CLOSED));
    CHECK(status_is_final(ST_MERGED));
    /* what is no status is neither */
    CHECK(!status_is_open(ST__COUNT));
    CHECK(!status_is_final(ST__COUNT));
    CHECK(!status_is_final((TicketStatus) -1));
}

static void
test_labels(void)
{
    CHECK_STR(status_label_zh(ST_NONE), "");
    for (int s = ST_NONE + 1; s < ST__COUNT; s++) {
        const char *label = status_label_zh((TicketStatus) s);

        CHECK(label != NULL && label[0] != '\0');
        /* Chinese, not a copy of the wire name */
        CHECK(label != NULL && (unsigned char) label[0] >= 0x80);
        for (int w = ST_NONE + 1; w < s; w++)
            CHECK(strcmp(label, status_label_zh((TicketStatus) w)) != 0);
    }
    CHECK_STR(status_label_zh(ST_PENDING_DISPATCH), "待派单");
    CHECK_STR(status_label_zh(ST_SUSPENDED), "挂账");
    CHECK_STR(status_label_zh(ST__COUNT), "");
}

static void
test_init_and_assists(void)
{
    Ticket t;

    memset(&t, 0x5a, sizeof t);
    ticket_init(&t);
    CHECK_INT(t.status, ST_NONE);
    CHECK_INT(t.prev_status, ST_NONE);
    CHECK_INT(t.version, 0);
    CHECK_INT(t.urgency, URG_NORMAL);
    CHECK(t.id == NULL && t.lead_unit == NULL && t.result == NULL && t.merged_into == NULL);
    CHECK_INT(t.created_at, TS_NONE);
    CHECK_INT(t.dispatched_at, TS_NONE);
    CHECK_INT(t.accepted_at, TS_NONE);
    CHECK_INT(t.contacted_at, TS_NONE);
    CHECK_INT(t.replied_at, TS_NONE);
    CHECK_INT(t.closed_at, TS_NONE);
    CHECK_INT(t.suspended_at, TS_NONE);
    CHECK_INT(t.cb_at, TS_NONE);
    CHECK_INT(t.ext_until, TS_NONE);
    for (int c = 0; c < CLK__COUNT; c++)
        CHECK_INT(t.due[c], TS_NONE);
    CHECK_INT(t.ext_state, EXT_NONE);
    CHECK(!t.anonymous && !t.problem && !t.unreasonable && !t.cb_recorded);
    CHECK_INT(t.n_assists, 0);
    CHECK_INT(t.reopen_count + t.return_count + t.ext_approved_count, 0);

    CHECK_INT(ticket_assist_find(&t, "dept_water"), -1);
    t.assists[0].unit = "dept_water";
    t.assists[1].unit = "dept_housing";
    t.n_assists = 2;
    CHECK_INT(ticket_assist_find(&t, "dept_water"), 0);
    CHECK_INT(ticket_assist_find(&t, "dept_housing"), 1);
    CHECK_INT(ticket_assist_find(&t, "dept"), -1);
    CHECK_INT(ticket_assist_find(&t, NULL), -1);
    t.n_assists = 1; /* only the first n count */
    CHECK_INT(ticket_assist_find(&t, "dept_housing"), -1);
}

int
main(void)
{
    RUN(test_round_trips);
    RUN(test_known_spellings);
    RUN(test_status_partition);
    RUN(test_labels);
    RUN(test_init_and_assists);
    return CHECK_DONE();
}
