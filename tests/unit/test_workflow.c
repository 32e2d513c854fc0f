/*
 * test_workflow.c — the ticket lifecycle.
 *
 * First the table: workflow_decide is checked for every (action, status,
 * parties, variant) against domain.md §3 written out by hand as data
 * (data/workflow_expected.tsv), and the table in the code must hold exactly
 * the rows of that file.  Then workflow_apply: the effects and the guards of
 * each action, through a fake deadline hook (start + clock * 1 s) that shows
 * which clocks start and from when.  Every apply goes through apply_at(),
 * which checks version + 1 on success and a byte-identical ticket on error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/workflow.h"

#define EXPECTED_TSV MINHU_TEST_DATA "/workflow_expected.tsv"

#define SEC INT64_C(1000)
#define DAY (INT64_C(86400) * SEC)
#define T0 INT64_C(1790000000000) /* 2026-09-22, any instant will do */

#define LEAD "610104002"
#define OTHER "610104001"
#define DEPT1 "dept_water"
#define DEPT2 "dept_housing"
#define TICKET_ID "0198f3a0-0000-7000-8000-000000000001"
#define OTHER_ID "0198f3a0-0000-7000-8000-000000000002"

/* check.h's CHECK, reporting the caller's line. */
#define CHECK_AT(cond, line)                                                                       \
    do {                                                                                           \
        check_count++;                                                                             \
        if (!(cond)) {                                                                             \
            check_failures++;                                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, (line), #cond);                 \
        }                                                                                          \
    } while (0)

/* ---- the specification as data ------------------------------------------ */

typedef struct SpecRow {
    Action action;
    TicketStatus from;
    int to; /* a status, WF_TO_SAME or WF_TO_PREV */
    unsigned who;
    Variant variant;
} SpecRow;

static SpecRow spec[128];
static size_t n_spec;

static const struct {
    const char *name;
    unsigned bit;
} spec_parties[] = {
    {"centre", PARTY_CENTER},
    {"lead", PARTY_LEAD},
    {"assist", PARTY_ASSIST},
    {"channel", PARTY_CHANNEL},
};

static const struct {
    const char *name;
    Variant variant;
} spec_variants[] = {
    {"-", VAR_DEFAULT},
    {"routed", VAR_ROUTED},
    {"to_unit", VAR_TO_UNIT},
    {"reopen", VAR_REOPEN},
};

static unsigned
parse_who(char *s)
{
    unsigned who = 0;

    for (char *tok = strtok(s, ","); tok != NULL; tok = strtok(NULL, ",")) {
        size_t i;

        for (i = 0; i < sizeof spec_parties / sizeof spec_parties[0]; i++)
            if (strcmp(tok, spec_parties[i].name) == 0)
                break;
        if (i == sizeof spec_parties / sizeof spec_parties[0])
            return 0;
        who |= spec_parties[i].bit;
    }
    return who;
}

/* Parses one data line into *r; false when it is malformed. */
static bool
parse_spec_line(char *line, SpecRow *r)
{
    char *f[6];
    int n = 0;
    int v;

    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < 6; n++) {
        f[n] = p;
        p = strchr(p, '\t');
        if (p == NULL) {
            n++;
            break;
        }
        *p++ = '\0';
    }
    if (n != 5)
        return false;
    if ((v = action_parse(f[0])) < 0)
        return false;
    r->action = (Action) v;
    if (strcmp(f[1], "-") == 0)
        r->from = ST_NONE;
    else if ((v = status_parse(f[1])) > 0)
        r->from = (TicketStatus) v;
    else
        return false;
    if (strcmp(f[2], "same") == 0)
        r->to = WF_TO_SAME;
    else if (strcmp(f[2], "previous") == 0)
        r->to = WF_TO_PREV;
    else if ((v = status_parse(f[2])) > 0)
        r->to = v;
    else
        return false;
    if ((r->who = parse_who(f[3])) == 0)
        return false;
    for (size_t i = 0; i < sizeof spec_variants / sizeof spec_variants[0]; i++) {
        if (strcmp(f[4], spec_variants[i].name) == 0) {
            r->variant = spec_variants[i].variant;
            return true;
        }
    }
    return false;
}

static bool
load_spec(void)
{
    FILE *f = fopen(EXPECTED_TSV, "r");
    char line[512];
    int lineno = 0;
    bool ok = true;

    CHECK(f != NULL);
    if (f == NULL)
        return false;
    n_spec = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n' || line[0] == '\r')
            continue;
        if (n_spec == sizeof spec / sizeof spec[0] || !parse_spec_line(line, &spec[n_spec])) {
            fprintf(stderr, "%s:%d: malformed row\n", EXPECTED_TSV, lineno);
            ok = false;
            continue;
        }
        n_spec++;
    }
    fclose(f);
    CHECK(ok);
    CHECK(n_spec > 0);
    return ok && n_spec > 0;
}

/* What domain.md §3 says of (action, from, parties, variant): ERR_FORBIDDEN
 * when no row of the action allows any of the parties, ERR_ILLEGAL when no
 * row allows them from this status with this variant, else ERR_OK and *to. */
static Err
spec_decide(Action a, TicketStatus from, TicketStatus prev, unsigned parties, Variant v,
            TicketStatus *to)
{
    bool may_ever = false;

    for (size_t i = 0; i < n_spec; i++)
        if (spec[i].action == a && (spec[i].who & parties) != 0)
            may_ever = true;
    if (!may_ever)
        return ERR_FORBIDDEN;
    for (size_t i = 0; i < n_spec; i++) {
        const SpecRow *r = &spec[i];

        if (r->action != a || r->from != from || r->variant != v || (r->who & parties) == 0)
            continue;
        *to = r->to == WF_TO_SAME ? from : r->to == WF_TO_PREV ? prev : (TicketStatus) r->to;
        return ERR_OK;
    }
    return ERR_ILLEGAL;
}

/* A status for messages: "-" before intake. */
static const char *
st(TicketStatus s)
{
    return s == ST_NONE ? "-" : status_name(s);
}

static const unsigned party_sets[] = {
    0, PARTY_CENTER, PARTY_LEAD, PARTY_ASSIST, PARTY_CHANNEL, PARTY_LEAD | PARTY_ASSIST,
};
#define N_PARTY_SETS (sizeof party_sets / sizeof party_sets[0])

static void
test_decide_every_combination(void)
{
    static const TicketStatus prevs[] = {ST_DISPATCHED, ST_ACCEPTED};
    int combos = 0, shown = 0;

    if (!load_spec())
        return;
    for (int a = 0; a < ACT__COUNT; a++)
        for (int s = 0; s < ST__COUNT; s++)
            for (size_t p = 0; p < N_PARTY_SETS; p++)
                for (int v = 0; v < VAR__COUNT; v++)
                    for (size_t k = 0; k < sizeof prevs / sizeof prevs[0]; k++) {
                        TicketStatus want_to = ST__COUNT, got_to = ST__COUNT;
                        ErrInfo ei;
                        Err want, got;
                        bool same;
                        char who[64];

                        err_clear(&ei);
                        want = spec_decide((Action) a, (TicketStatus) s, prevs[k], party_sets[p],
                                           (Variant) v, &want_to);
                        got = workflow_decide((Action) a, (TicketStatus) s, prevs[k], party_sets[p],
                                              (Variant) v, &got_to, &ei);
                        same = got == want && (want != ERR_OK || got_to == want_to) &&
                               (got == ERR_OK ? ei.code == ERR_OK
                                              : ei.code == got && ei.message[0] != '\0');
                        if (!same && shown++ < 20)
                            fprintf(stderr,
                                    "decide(%s, %s, prev %s, {%s}, %s): got %s %s, want %s %s\n",
                                    action_name((Action) a), st((TicketStatus) s), st(prevs[k]),
                                    party_names(party_sets[p], who, sizeof who),
                                    variant_name((Variant) v), err_code_name(got),
                                    got == ERR_OK ? st(got_to) : "", err_code_name(want),
                                    want == ERR_OK ? st(want_to) : "");
                        CHECK(same);
                        combos++;
                    }
    CHECK_INT(combos, ACT__COUNT * ST__COUNT * (int) N_PARTY_SETS * VAR__COUNT * 2);
}

static bool
row_equal(const Transition *t, const SpecRow *r)
{
    return t->action == r->action && t->from == r->from && t->to == r->to && t->who == r->who &&
           t->variant == r->variant;
}

static void
test_table_equals_spec(void)
{
    size_t n;
    const Transition *tab = workflow_table(&n);

    if (n_spec == 0 && !load_spec())
        return;
    CHECK_INT(n, n_spec);
    for (size_t i = 0; i < n; i++) {
        int found = 0;

        for (size_t j = 0; j < n_spec; j++)
            found += row_equal(&tab[i], &spec[j]);
        if (found != 1)
            fprintf(stderr, "code row %zu (%s from %s) is in the spec %d times\n", i,
                    action_name(tab[i].action), status_name(tab[i].from), found);
        CHECK_INT(found, 1);
    }
    for (size_t j = 0; j < n_spec; j++) {
        int found = 0;

        for (size_t i = 0; i < n; i++)
            found += row_equal(&tab[i], &spec[j]);
        if (found != 1)
            fprintf(stderr, "spec row %zu (%s from %s) is in the code %d times\n", j,
                    action_name(spec[j].action), status_name(spec[j].from), found);
        CHECK_INT(found, 1);
    }
}

static void
test_names_and_parties(void)
{
    char buf[64];
    Ticket t;

    CHECK_STR(party_names(PARTY_CENTER | PARTY_ASSIST, buf, sizeof buf), "centre, assist");
    CHECK_STR(party_names(PARTY_LEAD | PARTY_ASSIST | PARTY_CHANNEL, buf, sizeof buf),
              "lead, assist, channel");
    CHECK_STR(party_names(0, buf, sizeof buf), "");
    CHECK_STR(party_names(PARTY_CENTER | PARTY_LEAD, buf, 8), "centre"); /* truncated whole */
    CHECK_STR(variant_name(VAR_DEFAULT), "");
    CHECK_STR(variant_name(VAR_ROUTED), "routed");
    CHECK_STR(variant_name(VAR_TO_UNIT), "to_unit");
    CHECK_STR(variant_name(VAR_REOPEN), "reopen");

    ticket_init(&t);
    t.lead_unit = LEAD;
    t.assists[0].unit = DEPT1;
    t.n_assists = 1;
    CHECK_INT(workflow_parties(ROLE_OPERATOR, NULL, &t), PARTY_CENTER);
    CHECK_INT(workflow_parties(ROLE_ADMIN, NULL, &t), PARTY_CENTER);
    CHECK_INT(workflow_parties(ROLE_CHANNEL, NULL, NULL), PARTY_CHANNEL);
    CHECK_INT(workflow_parties(ROLE_LEADER, NULL, &t), 0);
    CHECK_INT(workflow_parties(ROLE_NONE, NULL, &t), 0);
    CHECK_INT(workflow_parties(ROLE_UNIT, LEAD, &t), PARTY_LEAD);
    CHECK_INT(workflow_parties(ROLE_UNIT, DEPT1, &t), PARTY_ASSIST);
    CHECK_INT(workflow_parties(ROLE_UNIT, OTHER, &t), 0);
    CHECK_INT(workflow_parties(ROLE_UNIT, NULL, &t), 0);
    CHECK_INT(workflow_parties(ROLE_UNIT, LEAD, NULL), 0);
    t.assists[0].unit = LEAD;
    CHECK_INT(workflow_parties(ROLE_UNIT, LEAD, &t), PARTY_LEAD | PARTY_ASSIST);
}

/* ---- workflow_apply ------------------------------------------------------ */

static int64_t
fake_deadline(void *ctx, const Ticket *t, Clock c, int64_t start)
{
    (void) ctx;
    (void) t;
    return start + (int64_t) c * SEC;
}

static WorkflowEnv
env_at(int64_t now)
{
    WorkflowEnv env;

    memset(&env, 0, sizeof env);
    env.now = now;
    env.deadline = fake_deadline;
    env.reopen_days = 30;
    env.problem_threshold = 3;
    return env;
}

static ErrInfo last_ei;

/* workflow_apply, checking version + 1 on success and t unchanged to the
 * byte on error (with an ErrInfo that says why). */
static Err
apply_env(Ticket *t, const ActionInput *in, unsigned parties, const char *unit,
          const WorkflowEnv *env, int line)
{
    Ticket before;
    Err rc;

    memcpy(&before, t, sizeof before);
    err_clear(&last_ei);
    rc = workflow_apply(t, in, parties, unit, env, &last_ei);
    if (rc == ERR_OK) {
        CHECK_AT(t->version == before.version + 1, line);
    } else {
        CHECK_AT(memcmp(&before, t, sizeof before) == 0, line);
        CHECK_AT(last_ei.code == rc && last_ei.message[0] != '\0', line);
    }
    return rc;
}

static Err
apply_at(Ticket *t, const ActionInput *in, unsigned parties, const char *unit, int64_t now,
         int line)
{
    WorkflowEnv env = env_at(now);

    return apply_env(t, in, parties, unit, &env, line);
}

#define APPLY(t, in, parties, unit, now) apply_at((t), (in), (parties), (unit), (now), __LINE__)
#define APPLY_OK(t, in, parties, unit, now) CHECK_INT(APPLY(t, in, parties, unit, now), ERR_OK)
#define APPLY_ERR(t, in, parties, unit, now, want)                                                 \
    CHECK_INT(APPLY(t, in, parties, unit, now), (want))

static ActionInput
input(Action a, const char *text)
{
    ActionInput in;

    action_input_init(&in, a);
    in.text = text;
    return in;
}

/* A valid input of action a for the ticket states that ready() makes. */
static ActionInput
valid_input(Action a)
{
    ActionInput in = input(a, "text");

    switch (a) {
    case ACT_DISPATCH:
        in.unit = LEAD;
        break;
    case ACT_WHISTLE:
        in.units[0] = DEPT1;
        in.n_units = 1;
        break;
    case ACT_REQUEST_EXTENSION:
        in.until = T0 + 60 * SEC;
        break;
    case ACT_CALLBACK:
        in.cb_has_answers = in.cb_contacted = in.cb_resolved = true;
        in.cb_satisfaction = 5;
        break;
    case ACT_MERGE:
        in.merge_into_id = OTHER_ID;
        in.merge_into_status = ST_ACCEPTED;
        break;
    default:
        break;
    }
    in.variant = workflow_input_variant(&in);
    return in;
}

/* One step of a ticket's history that must succeed. */
static void
step_at(Ticket *t, Action a, unsigned parties, const char *unit, int64_t now, int line)
{
    ActionInput in = valid_input(a);
    Err rc = apply_at(t, &in, parties, unit, now, line);

    if (rc != ERR_OK)
        fprintf(stderr, "%s:%d: step %s failed: %s\n", __FILE__, line, action_name(a),
                last_ei.message);
    CHECK_AT(rc == ERR_OK, line);
}

#define STEP(t, a, parties, unit, now) step_at((t), (a), (parties), (unit), (now), __LINE__)

/* A new ticket taken in by the centre at T0. */
static void
new_ticket(Ticket *t)
{
    WorkflowEnv env = env_at(T0);

    ticket_init(t);
    t->id = TICKET_ID;
    t->number = "2026092200000001";
    t->category = "0301";
    CHECK_INT(workflow_intake(t, PARTY_CENTER, &env, NULL), ERR_OK);
}

/*
 * Drives a new ticket into status s along the usual path: intake T0,
 * dispatch to LEAD T0+10, accept T0+20, then per status (all before T0+100).
 */
static void
make_status(Ticket *t, TicketStatus s)
{
    /* the final statuses straight from the queue */
    static const struct {
        TicketStatus status;
        Action action;
    } from_queue[] = {
        {ST_ANSWERED, ACT_ANSWER},
        {ST_REJECTED, ACT_REJECT},
        {ST_MERGED, ACT_MERGE},
        {ST_CANCELLED, ACT_CANCEL},
    };

    if (s == ST_NONE) {
        ticket_init(t);
        t->id = TICKET_ID;
        return;
    }
    new_ticket(t);
    if (s == ST_PENDING_DISPATCH)
        return;
    for (size_t i = 0; i < sizeof from_queue / sizeof from_queue[0]; i++) {
        if (from_queue[i].status == s) {
            STEP(t, from_queue[i].action, PARTY_CENTER, NULL, T0 + 10);
            return;
        }
    }
    STEP(t, ACT_DISPATCH, PARTY_CENTER, NULL, T0 + 10);
    if (s == ST_DISPATCHED)
        return;
    STEP(t, ACT_ACCEPT, PARTY_LEAD, LEAD, T0 + 20);
    switch (s) {
    case ST_RETURN_REQUESTED:
        STEP(t, ACT_REQUEST_RETURN, PARTY_LEAD, LEAD, T0 + 30);
        break;
    case ST_SUSPENDED:
        STEP(t, ACT_SUSPEND, PARTY_CENTER, NULL, T0 + 30);
        break;
    case ST_REPLIED:
    case ST_CLOSED:
        STEP(t, ACT_CONTACT, PARTY_LEAD, LEAD, T0 + 30);
        STEP(t, ACT_REPLY, PARTY_LEAD, LEAD, T0 + 40);
        if (s == ST_CLOSED)
            STEP(t, ACT_CALLBACK, PARTY_CENTER, NULL, T0 + 50);
        break;
    default:
        break;
    }
    CHECK_INT(t->status, s);
}

/* The unit a party acts for in these tests. */
static const char *
unit_of(unsigned parties)
{
    return parties == PARTY_LEAD ? LEAD : parties == PARTY_ASSIST ? DEPT1 : NULL;
}

#define NO_STEP ACT_INTAKE

/* Where each action is tried with a valid input: the status, the steps
 * before it (by the lead, or by the assist for assist_accept) and the actor. */
static const struct {
    Action action;
    TicketStatus from;
    Action before[2];
    unsigned parties;
} readiness[] = {
    {ACT_ANSWER, ST_PENDING_DISPATCH, {NO_STEP, NO_STEP}, PARTY_CENTER},
    {ACT_REJECT, ST_PENDING_DISPATCH, {NO_STEP, NO_STEP}, PARTY_CENTER},
    {ACT_DISPATCH, ST_PENDING_DISPATCH, {NO_STEP, NO_STEP}, PARTY_CENTER},
    {ACT_ACCEPT, ST_DISPATCHED, {NO_STEP, NO_STEP}, PARTY_LEAD},
    {ACT_CONTACT, ST_ACCEPTED, {NO_STEP, NO_STEP}, PARTY_LEAD},
    {ACT_NOTE, ST_ACCEPTED, {NO_STEP, NO_STEP}, PARTY_CENTER},
    {ACT_WHISTLE, ST_ACCEPTED, {NO_STEP, NO_STEP}, PARTY_LEAD},
    {ACT_ASSIST_ACCEPT, ST_ACCEPTED, {ACT_WHISTLE, NO_STEP}, PARTY_ASSIST},
    {ACT_ASSIST_REPLY, ST_ACCEPTED, {ACT_WHISTLE, ACT_ASSIST_ACCEPT}, PARTY_ASSIST},
    {ACT_REQUEST_RETURN, ST_ACCEPTED, {NO_STEP, NO_STEP}, PARTY_LEAD},
    {ACT_APPROVE_RETURN, ST_RETURN_REQUESTED, {NO_STEP, NO_STEP}, PARTY_CENTER},
    {ACT_REJECT_RETURN, ST_RETURN_REQUESTED, {NO_STEP, NO_STEP}, PARTY_CENTER},
    {ACT_REQUEST_EXTENSION, ST_ACCEPTED, {NO_STEP, NO_STEP}, PARTY_LEAD},
    {ACT_APPROVE_EXTENSION, ST_ACCEPTED, {ACT_REQUEST_EXTENSION, NO_STEP}, PARTY_CENTER},
    {ACT_REJECT_EXTENSION, ST_ACCEPTED, {ACT_REQUEST_EXTENSION, NO_STEP}, PARTY_CENTER},
    {ACT_SUSPEND, ST_ACCEPTED, {NO_STEP, NO_STEP}, PARTY_CENTER},
    {ACT_RESUME, ST_SUSPENDED, {NO_STEP, NO_STEP}, PARTY_CENTER},
    {ACT_REPLY, ST_ACCEPTED, {ACT_CONTACT, NO_STEP}, PARTY_LEAD},
    {ACT_CALLBACK, ST_REPLIED, {NO_STEP, NO_STEP}, PARTY_CENTER},
    {ACT_REOPEN, ST_CLOSED, {NO_STEP, NO_STEP}, PARTY_CENTER},
    {ACT_MERGE, ST_PENDING_DISPATCH, {NO_STEP, NO_STEP}, PARTY_CENTER},
    {ACT_CANCEL, ST_PENDING_DISPATCH, {NO_STEP, NO_STEP}, PARTY_CENTER},
    {ACT_FLAG_UNREASONABLE, ST_CLOSED, {NO_STEP, NO_STEP}, PARTY_CENTER},
};

/* Makes t ready for a valid apply of a at T0 + 100: *parties and *unit are
 * the actor's. */
static void
ready(Action a, Ticket *t, unsigned *parties, const char **unit)
{
    size_t i = 0;

    while (i < sizeof readiness / sizeof readiness[0] && readiness[i].action != a)
        i++;
    CHECK(i < sizeof readiness / sizeof readiness[0]);
    if (i == sizeof readiness / sizeof readiness[0])
        i = 0;
    make_status(t, readiness[i].from);
    for (int k = 0; k < 2 && readiness[i].before[k] != NO_STEP; k++) {
        unsigned by = readiness[i].before[k] == ACT_ASSIST_ACCEPT ? PARTY_ASSIST : PARTY_LEAD;

        STEP(t, readiness[i].before[k], by, unit_of(by), T0 + 50 + 10 * k);
    }
    *parties = readiness[i].parties;
    *unit = unit_of(*parties);
}

static TicketStatus
spec_to(Action a, const Ticket *t, Variant v)
{
    TicketStatus to = ST_NONE;

    CHECK_INT(
        spec_decide(a, t->status, t->prev_status, PARTY_CENTER | PARTY_LEAD | PARTY_ASSIST, v, &to),
        ERR_OK);
    return to;
}

static void
test_every_action_valid_input(void)
{
    for (int a = 0; a < ACT__COUNT; a++) {
        Ticket t;
        unsigned parties;
        const char *unit;
        ActionInput in = valid_input((Action) a);
        TicketStatus want;

        if (a == ACT_INTAKE)
            continue;
        ready((Action) a, &t, &parties, &unit);
        want = spec_to((Action) a, &t, in.variant);
        if (APPLY(&t, &in, parties, unit, T0 + 100) != ERR_OK)
            fprintf(stderr, "%s: %s\n", action_name((Action) a), last_ei.message);
        CHECK_INT(t.status, want);
    }
}

/* Whatever the guards, what the table refuses is refused first, with the
 * table's error and no change. */
static void
test_apply_follows_decide(void)
{
    for (int s = 0; s < ST__COUNT; s++)
        for (int a = 0; a < ACT__COUNT; a++)
            for (size_t p = 0; p < N_PARTY_SETS; p++) {
                Ticket t;
                ActionInput in = valid_input((Action) a);
                TicketStatus to;
                Err want;

                make_status(&t, (TicketStatus) s);
                want = workflow_decide((Action) a, t.status, t.prev_status, party_sets[p],
                                       in.variant, &to, NULL);
                if (a == ACT_INTAKE)
                    want = ERR_ILLEGAL; /* never an action on a ticket */
                else if (want == ERR_OK)
                    continue;
                APPLY_ERR(&t, &in, party_sets[p], party_sets[p] ? LEAD : NULL, T0 + 100, want);
            }
}

static void
test_text_required(void)
{
    static const Action needs_text[] = {
        ACT_ANSWER,
        ACT_REJECT,
        ACT_NOTE,
        ACT_ASSIST_REPLY,
        ACT_REQUEST_RETURN,
        ACT_REQUEST_EXTENSION,
        ACT_SUSPEND,
        ACT_REPLY,
        ACT_REOPEN,
        ACT_CANCEL,
        ACT_FLAG_UNREASONABLE,
    };
    static const struct {
        Action a;
        const char *field;
    } fields[] = {
        {ACT_NOTE, "note"},
        {ACT_ASSIST_REPLY, "note"},
        {ACT_REPLY, "result"},
        {ACT_ANSWER, "result"},
        {ACT_REJECT, "reason"},
        {ACT_CANCEL, "reason"},
        {ACT_REQUEST_RETURN, "reason"},
    };

    for (int a = 0; a < ACT__COUNT; a++) {
        bool want = false;

        for (size_t i = 0; i < sizeof needs_text / sizeof needs_text[0]; i++)
            want |= needs_text[i] == (Action) a;
        if (workflow_text_required((Action) a) != want)
            fprintf(stderr, "workflow_text_required(%s) is not %d\n", action_name((Action) a),
                    want);
        CHECK(workflow_text_required((Action) a) == want);
    }
    for (size_t i = 0; i < sizeof needs_text / sizeof needs_text[0]; i++) {
        Action a = needs_text[i];
        Ticket t;
        unsigned parties;
        const char *unit;
        ActionInput in = valid_input(a);

        ready(a, &t, &parties, &unit);
        in.text = NULL;
        APPLY_ERR(&t, &in, parties, unit, T0 + 100, ERR_MISSING);
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
            if (fields[k].a == a)
                CHECK_STR(last_ei.field, fields[k].field);
        in.text = "";
        APPLY_ERR(&t, &in, parties, unit, T0 + 100, ERR_MISSING);
        in.text = "办结";
        APPLY_OK(&t, &in, parties, unit, T0 + 100); /* the input was valid but for the text */
    }
}

static void
test_intake(void)
{
    Ticket t, before;
    WorkflowEnv env = env_at(T0);

    new_ticket(&t);
    CHECK_INT(t.status, ST_PENDING_DISPATCH);
    CHECK_INT(t.version, 1);
    CHECK_INT(t.created_at, T0);
    CHECK_INT(t.due[CLK_DISPATCH], T0 + CLK_DISPATCH * SEC);
    for (int c = CLK_ACCEPT; c < CLK__COUNT; c++)
        CHECK_INT(t.due[c], TS_NONE);
    CHECK(workflow_clock_running(&t, CLK_DISPATCH));

    /* 直派: a routing rule named the lead unit */
    ticket_init(&t);
    t.lead_unit = LEAD;
    CHECK_INT(workflow_intake(&t, PARTY_CHANNEL, &env, NULL), ERR_OK);
    CHECK_INT(t.status, ST_DISPATCHED);
    CHECK_INT(t.dispatched_at, T0);
    CHECK_INT(t.due[CLK_DISPATCH], TS_NONE);
    CHECK_INT(t.due[CLK_ACCEPT], T0 + CLK_ACCEPT * SEC);
    CHECK_INT(t.due[CLK_REPLY], T0 + CLK_REPLY * SEC);
    CHECK_INT(t.due[CLK_RETURN_WINDOW], T0 + CLK_RETURN_WINDOW * SEC);
    CHECK_INT(t.due[CLK_CONTACT], TS_NONE);
    CHECK_INT(t.due[CLK_CALLBACK], TS_NONE);

    /* units and leaders take nothing in */
    for (size_t p = 0; p < N_PARTY_SETS; p++) {
        ErrInfo ei;

        if (party_sets[p] & (PARTY_CENTER | PARTY_CHANNEL))
            continue;
        ticket_init(&t);
        memcpy(&before, &t, sizeof t);
        CHECK_INT(workflow_intake(&t, party_sets[p], &env, &ei), ERR_FORBIDDEN);
        CHECK(memcmp(&before, &t, sizeof t) == 0);
    }
}

static void
test_dispatch(void)
{
    Ticket t;
    ActionInput in = input(ACT_DISPATCH, NULL);
    int64_t now = T0 + 10;
    WorkflowEnv env = env_at(now);

    new_ticket(&t);
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, now, ERR_MISSING);
    CHECK_STR(last_ei.field, "unit");
    in.unit = "";
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, now, ERR_MISSING);
    in.unit = LEAD;
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, now, ERR_FORBIDDEN);
    APPLY_OK(&t, &in, PARTY_CENTER, NULL, now);
    CHECK_INT(t.status, ST_DISPATCHED);
    CHECK_STR(t.lead_unit, LEAD);
    CHECK_INT(t.dispatched_at, now);
    CHECK_INT(t.due[CLK_DISPATCH], TS_NONE);
    CHECK_INT(t.due[CLK_ACCEPT], now + CLK_ACCEPT * SEC);
    CHECK_INT(t.due[CLK_REPLY], now + CLK_REPLY * SEC);
    CHECK_INT(t.due[CLK_RETURN_WINDOW], now + CLK_RETURN_WINDOW * SEC);
    CHECK_INT(t.due[CLK_CONTACT], TS_NONE);
    CHECK_INT(t.due[CLK_CALLBACK], TS_NONE);
    CHECK(!workflow_clock_running(&t, CLK_DISPATCH));
    CHECK(workflow_clock_running(&t, CLK_ACCEPT));
    CHECK(workflow_clock_running(&t, CLK_REPLY));
    CHECK(workflow_clock_running(&t, CLK_RETURN_WINDOW));
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, now, ERR_ILLEGAL); /* not twice */

    /* without a deadline hook no clock gets a deadline */
    new_ticket(&t);
    env.deadline = NULL;
    CHECK_INT(apply_env(&t, &in, PARTY_CENTER, NULL, &env, __LINE__), ERR_OK);
    for (int c = 0; c < CLK__COUNT; c++)
        CHECK_INT(t.due[c], TS_NONE);
}

static void
test_accept_and_contact(void)
{
    Ticket t;
    ActionInput in = input(ACT_ACCEPT, NULL);

    make_status(&t, ST_DISPATCHED);
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, T0 + 20, ERR_FORBIDDEN);
    APPLY_OK(&t, &in, PARTY_LEAD, LEAD, T0 + 20);
    CHECK_INT(t.status, ST_ACCEPTED);
    CHECK_INT(t.accepted_at, T0 + 20);
    CHECK_INT(t.due[CLK_CONTACT], T0 + 20 + CLK_CONTACT * SEC);
    CHECK_INT(t.due[CLK_ACCEPT], T0 + 10 + CLK_ACCEPT * SEC); /* kept, but done */
    CHECK_INT(t.due[CLK_REPLY], T0 + 10 + CLK_REPLY * SEC);   /* from dispatch */
    CHECK(!workflow_clock_running(&t, CLK_ACCEPT));
    CHECK(workflow_clock_running(&t, CLK_CONTACT));

    in = input(ACT_CONTACT, NULL);
    APPLY_OK(&t, &in, PARTY_LEAD, LEAD, T0 + 30);
    CHECK_INT(t.contacted_at, T0 + 30);
    CHECK(!workflow_clock_running(&t, CLK_CONTACT));
    APPLY_OK(&t, &in, PARTY_LEAD, LEAD, T0 + 40); /* again: an event, the first time stays */
    CHECK_INT(t.contacted_at, T0 + 30);
    CHECK_INT(t.status, ST_ACCEPTED);
}

static void
test_reply_guards(void)
{
    Ticket t;
    ActionInput in = input(ACT_REPLY, "已处理");

    make_status(&t, ST_ACCEPTED);
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 40, ERR_ILLEGAL); /* not contacted */

    make_status(&t, ST_ACCEPTED);
    t.anonymous = true; /* no one to contact */
    APPLY_OK(&t, &in, PARTY_LEAD, LEAD, T0 + 40);
    CHECK_INT(t.status, ST_REPLIED);
    CHECK_INT(t.replied_at, T0 + 40);
    CHECK_STR(t.result, "已处理");
    CHECK_INT(t.due[CLK_CALLBACK], T0 + 40 + CLK_CALLBACK * SEC);
    CHECK(!workflow_clock_running(&t, CLK_REPLY));
    CHECK(workflow_clock_running(&t, CLK_CALLBACK));

    /* every assist must have replied */
    make_status(&t, ST_ACCEPTED);
    STEP(&t, ACT_CONTACT, PARTY_LEAD, LEAD, T0 + 30);
    {
        ActionInput w = input(ACT_WHISTLE, NULL);

        w.units[0] = DEPT1;
        w.units[1] = DEPT2;
        w.n_units = 2;
        APPLY_OK(&t, &w, PARTY_LEAD, LEAD, T0 + 31);
    }
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 40, ERR_ILLEGAL);
    STEP(&t, ACT_ASSIST_ACCEPT, PARTY_ASSIST, DEPT1, T0 + 41);
    STEP(&t, ACT_ASSIST_REPLY, PARTY_ASSIST, DEPT1, T0 + 42);
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 43, ERR_ILLEGAL);
    STEP(&t, ACT_ASSIST_ACCEPT, PARTY_ASSIST, DEPT2, T0 + 44);
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 45, ERR_ILLEGAL); /* accepted is not replied */
    STEP(&t, ACT_ASSIST_REPLY, PARTY_ASSIST, DEPT2, T0 + 46);
    APPLY_ERR(&t, &in, PARTY_ASSIST, DEPT2, T0 + 47, ERR_FORBIDDEN);
    APPLY_OK(&t, &in, PARTY_LEAD, LEAD, T0 + 47);
}

static void
test_whistle(void)
{
    Ticket t;
    ActionInput in = input(ACT_WHISTLE, NULL);
    static const char *const many[TICKET_MAX_ASSISTS] = {
        "u00", "u01", "u02", "u03", "u04", "u05", "u06", "u07",
        "u08", "u09", "u10", "u11", "u12", "u13", "u14", "u15",
    };

    make_status(&t, ST_ACCEPTED);
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 50, ERR_MISSING);
    in.units[0] = DEPT1;
    in.units[1] = DEPT2;
    in.n_units = 2;
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, T0 + 50, ERR_FORBIDDEN);
    APPLY_OK(&t, &in, PARTY_LEAD, LEAD, T0 + 50);
    CHECK_INT(t.status, ST_ACCEPTED);
    CHECK_INT(t.n_assists, 2);
    for (size_t i = 0; i < 2; i++) {
        const TicketAssist *as = &t.assists[i];

        CHECK_STR(as->unit, i == 0 ? DEPT1 : DEPT2);
        CHECK_INT(as->status, ASSIST_SUMMONED);
        CHECK_INT(as->summoned_at, T0 + 50);
        CHECK_INT(as->accepted_at, TS_NONE);
        CHECK_INT(as->replied_at, TS_NONE);
        CHECK_INT(as->due_at, T0 + 50 + CLK_ACCEPT * SEC); /* an accept clock */
        CHECK(as->changed);
    }
    CHECK_INT(ticket_assist_find(&t, DEPT2), 1);

    in.n_units = 1;
    in.units[0] = LEAD; /* the lead cannot assist itself */
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 51, ERR_ILLEGAL);
    in.units[0] = DEPT2; /* already an assist */
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 51, ERR_ILLEGAL);
    in.units[0] = "dept_x";
    in.units[1] = "dept_x"; /* named twice */
    in.n_units = 2;
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 51, ERR_INVALID);
    in.units[0] = NULL;
    in.n_units = 1;
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 51, ERR_MISSING);
    in.units[0] = "";
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 51, ERR_MISSING);

    /* at most TICKET_MAX_ASSISTS: 2 + 15 is one too many, 2 + 14 fits */
    memcpy(in.units, many, sizeof many);
    in.n_units = TICKET_MAX_ASSISTS - 1;
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 52, ERR_ILLEGAL);
    in.n_units = TICKET_MAX_ASSISTS - 2;
    APPLY_OK(&t, &in, PARTY_LEAD, LEAD, T0 + 52);
    CHECK_INT(t.n_assists, TICKET_MAX_ASSISTS);
    in.units[0] = "u16";
    in.n_units = 1;
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 53, ERR_ILLEGAL);
}

static void
test_assist_order(void)
{
    Ticket t;
    ActionInput acc = input(ACT_ASSIST_ACCEPT, NULL);
    ActionInput rep = input(ACT_ASSIST_REPLY, "已配合处理");
    ActionInput w = input(ACT_WHISTLE, NULL);

    make_status(&t, ST_ACCEPTED);
    w.units[0] = DEPT1;
    w.n_units = 1;
    APPLY_OK(&t, &w, PARTY_LEAD, LEAD, T0 + 50);

    APPLY_ERR(&t, &rep, PARTY_ASSIST, DEPT1, T0 + 51, ERR_ILLEGAL); /* report in first */
    APPLY_ERR(&t, &acc, PARTY_LEAD, LEAD, T0 + 51, ERR_FORBIDDEN);
    APPLY_ERR(&t, &acc, PARTY_ASSIST, DEPT2, T0 + 51, ERR_FORBIDDEN); /* not an assist */
    APPLY_OK(&t, &acc, PARTY_ASSIST, DEPT1, T0 + 52);
    CHECK_INT(t.assists[0].status, ASSIST_ACCEPTED);
    CHECK_INT(t.assists[0].accepted_at, T0 + 52);
    APPLY_ERR(&t, &acc, PARTY_ASSIST, DEPT1, T0 + 53, ERR_ILLEGAL); /* once */
    rep.text = "";
    APPLY_ERR(&t, &rep, PARTY_ASSIST, DEPT1, T0 + 54, ERR_MISSING);
    rep.text = "已配合处理";
    APPLY_ERR(&t, &rep, PARTY_ASSIST, DEPT2, T0 + 54, ERR_FORBIDDEN);
    APPLY_OK(&t, &rep, PARTY_ASSIST, DEPT1, T0 + 54);
    CHECK_INT(t.assists[0].status, ASSIST_REPLIED);
    CHECK_INT(t.assists[0].replied_at, T0 + 54);
    CHECK_INT(t.assists[0].accepted_at, T0 + 52);
    APPLY_ERR(&t, &rep, PARTY_ASSIST, DEPT1, T0 + 55, ERR_ILLEGAL); /* once */
    APPLY_ERR(&t, &acc, PARTY_ASSIST, DEPT1, T0 + 55, ERR_ILLEGAL);
    CHECK_INT(t.status, ST_ACCEPTED);
}

static void
test_request_return_window(void)
{
    Ticket t;
    ActionInput in = input(ACT_REQUEST_RETURN, "不属于本单位职责");
    int64_t closes = T0 + 10 + CLK_RETURN_WINDOW * SEC; /* dispatched at T0 + 10 */

    make_status(&t, ST_DISPATCHED);
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, closes + 1, ERR_ILLEGAL);
    APPLY_OK(&t, &in, PARTY_LEAD, LEAD, closes);
    CHECK_INT(t.status, ST_RETURN_REQUESTED);
    CHECK_INT(t.prev_status, ST_DISPATCHED);
    CHECK(!workflow_clock_running(&t, CLK_RETURN_WINDOW));

    make_status(&t, ST_ACCEPTED);
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, closes + 1, ERR_ILLEGAL);
    APPLY_OK(&t, &in, PARTY_LEAD, LEAD, T0 + 100);
    CHECK_INT(t.prev_status, ST_ACCEPTED);

    /* no limit, no window */
    make_status(&t, ST_ACCEPTED);
    t.due[CLK_RETURN_WINDOW] = TS_NONE;
    APPLY_OK(&t, &in, PARTY_LEAD, LEAD, T0 + 365 * DAY);
}

static void
test_approve_return_to_queue(void)
{
    Ticket t;
    ActionInput in = input(ACT_APPROVE_RETURN, NULL);
    int64_t now = T0 + 100;

    make_status(&t, ST_ACCEPTED);
    STEP(&t, ACT_CONTACT, PARTY_LEAD, LEAD, T0 + 30);
    STEP(&t, ACT_REQUEST_EXTENSION, PARTY_LEAD, LEAD, T0 + 40);
    STEP(&t, ACT_REQUEST_RETURN, PARTY_LEAD, LEAD, T0 + 50);
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, now, ERR_FORBIDDEN);
    APPLY_OK(&t, &in, PARTY_CENTER, NULL, now);
    CHECK_INT(t.status, ST_PENDING_DISPATCH);
    CHECK(t.lead_unit == NULL);
    CHECK_INT(t.return_count, 1);
    CHECK(!t.problem);
    CHECK_INT(t.prev_status, ST_NONE);
    CHECK_INT(t.dispatched_at, TS_NONE);
    CHECK_INT(t.accepted_at, TS_NONE);
    CHECK_INT(t.contacted_at, TS_NONE);
    CHECK_INT(t.due[CLK_DISPATCH], now + CLK_DISPATCH * SEC);
    for (int c = CLK_ACCEPT; c < CLK__COUNT; c++)
        CHECK_INT(t.due[c], TS_NONE);
    CHECK_INT(t.ext_state, EXT_NONE);
    CHECK_INT(t.ext_until, TS_NONE);
    CHECK(t.ext_reason == NULL);
    CHECK(workflow_clock_running(&t, CLK_DISPATCH));

    /* the third approved return makes a problem ticket */
    for (int k = 2; k <= 3; k++) {
        int64_t at = T0 + 1000 * k;

        STEP(&t, ACT_DISPATCH, PARTY_CENTER, NULL, at);
        STEP(&t, ACT_REQUEST_RETURN, PARTY_LEAD, LEAD, at + 1);
        CHECK(!t.problem);
        APPLY_OK(&t, &in, PARTY_CENTER, NULL, at + 2);
        CHECK_INT(t.return_count, k);
        CHECK(t.problem == (k == 3));
    }
}

static void
test_approve_return_to_unit(void)
{
    Ticket t;
    ActionInput in = input(ACT_APPROVE_RETURN, NULL);
    int64_t now = T0 + 100;

    make_status(&t, ST_RETURN_REQUESTED);
    in.variant = VAR_TO_UNIT; /* to a unit, but none named */
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, now, ERR_MISSING);
    CHECK_STR(last_ei.field, "unit");
    in.unit = "";
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, now, ERR_MISSING);
    in.unit = OTHER;
    in.variant = workflow_input_variant(&in);
    CHECK_INT(in.variant, VAR_TO_UNIT);
    APPLY_OK(&t, &in, PARTY_CENTER, NULL, now);
    CHECK_INT(t.status, ST_DISPATCHED);
    CHECK_STR(t.lead_unit, OTHER);
    CHECK_INT(t.return_count, 1);
    CHECK_INT(t.prev_status, ST_NONE);
    CHECK_INT(t.dispatched_at, now);
    CHECK_INT(t.accepted_at, TS_NONE);
    CHECK_INT(t.due[CLK_DISPATCH], TS_NONE);
    CHECK_INT(t.due[CLK_ACCEPT], now + CLK_ACCEPT * SEC);
    CHECK_INT(t.due[CLK_REPLY], now + CLK_REPLY * SEC);
    CHECK_INT(t.due[CLK_RETURN_WINDOW], now + CLK_RETURN_WINDOW * SEC);
    CHECK_INT(t.due[CLK_CONTACT], TS_NONE);
    CHECK_INT(t.due[CLK_CALLBACK], TS_NONE);
    /* the new lead accepts; the old one is no party any more */
    STEP(&t, ACT_ACCEPT, PARTY_LEAD, OTHER, now + 1);
}

static void
test_reject_return(void)
{
    Ticket t;
    ActionInput in = input(ACT_REJECT_RETURN, NULL);

    make_status(&t, ST_DISPATCHED);
    STEP(&t, ACT_REQUEST_RETURN, PARTY_LEAD, LEAD, T0 + 30);
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 40, ERR_FORBIDDEN);
    APPLY_OK(&t, &in, PARTY_CENTER, NULL, T0 + 40);
    CHECK_INT(t.status, ST_DISPATCHED);
    CHECK_INT(t.prev_status, ST_NONE);
    CHECK_INT(t.return_count, 0);
    CHECK_STR(t.lead_unit, LEAD);

    make_status(&t, ST_RETURN_REQUESTED); /* from accepted */
    APPLY_OK(&t, &in, PARTY_CENTER, NULL, T0 + 40);
    CHECK_INT(t.status, ST_ACCEPTED);
    CHECK_INT(t.prev_status, ST_NONE);

    /* a review whose previous status was lost cannot go back to it */
    make_status(&t, ST_RETURN_REQUESTED);
    t.prev_status = ST_NONE;
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, T0 + 40, ERR_ILLEGAL);
}

static void
test_extensions(void)
{
    Ticket t;
    ActionInput req = input(ACT_REQUEST_EXTENSION, "需协调施工单位");
    ActionInput ok = input(ACT_APPROVE_EXTENSION, NULL);
    ActionInput no = input(ACT_REJECT_EXTENSION, NULL);
    int64_t due = T0 + 10 + CLK_REPLY * SEC; /* reply clock from dispatch */

    make_status(&t, ST_ACCEPTED);
    CHECK_INT(t.due[CLK_REPLY], due);
    APPLY_ERR(&t, &ok, PARTY_CENTER, NULL, T0 + 100, ERR_ILLEGAL); /* nothing pending */
    APPLY_ERR(&t, &no, PARTY_CENTER, NULL, T0 + 100, ERR_ILLEGAL);
    APPLY_ERR(&t, &req, PARTY_LEAD, LEAD, T0 + 100, ERR_MISSING); /* no until */
    CHECK_STR(last_ei.field, "until");
    req.until = due; /* must be later than the deadline */
    APPLY_ERR(&t, &req, PARTY_LEAD, LEAD, T0 + 100, ERR_INVALID);
    CHECK_STR(last_ei.field, "until");
    req.until = due + DAY;
    APPLY_ERR(&t, &req, PARTY_LEAD, LEAD, due + 1, ERR_ILLEGAL); /* asked too late */
    APPLY_ERR(&t, &req, PARTY_CENTER, NULL, T0 + 100, ERR_FORBIDDEN);
    APPLY_OK(&t, &req, PARTY_LEAD, LEAD, due); /* at the deadline is still before it */
    CHECK_INT(t.ext_state, EXT_REQUESTED);
    CHECK_INT(t.ext_until, due + DAY);
    CHECK_STR(t.ext_reason, "需协调施工单位");
    CHECK_INT(t.due[CLK_REPLY], due);                        /* not until approved */
    APPLY_ERR(&t, &req, PARTY_LEAD, LEAD, due, ERR_ILLEGAL); /* one pending at a time */
    APPLY_ERR(&t, &ok, PARTY_LEAD, LEAD, due, ERR_FORBIDDEN);
    APPLY_OK(&t, &ok, PARTY_CENTER, NULL, due + 1);
    CHECK_INT(t.ext_state, EXT_APPROVED);
    CHECK_INT(t.ext_approved_count, 1);
    CHECK_INT(t.due[CLK_REPLY], due + DAY);
    APPLY_ERR(&t, &ok, PARTY_CENTER, NULL, due + 2, ERR_ILLEGAL);
    req.until = due + 2 * DAY; /* at most one approved */
    APPLY_ERR(&t, &req, PARTY_LEAD, LEAD, due + 2, ERR_ILLEGAL);

    /* a rejected request may be asked again */
    make_status(&t, ST_ACCEPTED);
    req.until = due + DAY;
    APPLY_OK(&t, &req, PARTY_LEAD, LEAD, T0 + 100);
    APPLY_OK(&t, &no, PARTY_CENTER, NULL, T0 + 110);
    CHECK_INT(t.ext_state, EXT_REJECTED);
    CHECK_INT(t.ext_approved_count, 0);
    CHECK_INT(t.due[CLK_REPLY], due);
    APPLY_ERR(&t, &no, PARTY_CENTER, NULL, T0 + 120, ERR_ILLEGAL);
    APPLY_OK(&t, &req, PARTY_LEAD, LEAD, T0 + 120);
    CHECK_INT(t.ext_state, EXT_REQUESTED);
}

static void
test_suspend_resume(void)
{
    Ticket t;
    ActionInput sus = input(ACT_SUSPEND, "待专项资金");
    ActionInput res = input(ACT_RESUME, NULL);
    ActionInput w = input(ACT_WHISTLE, NULL);
    int64_t paused = 7 * DAY + 123;
    int64_t s_at = T0 + 60, r_at = s_at + paused;
    int64_t due_contact, due_reply, due_rw, due_accept;

    /* accepted at T0 + 20, not yet contacted; two assists, one reported in */
    make_status(&t, ST_ACCEPTED);
    w.units[0] = DEPT1;
    w.units[1] = DEPT2;
    w.n_units = 2;
    APPLY_OK(&t, &w, PARTY_LEAD, LEAD, T0 + 40);
    STEP(&t, ACT_ASSIST_ACCEPT, PARTY_ASSIST, DEPT2, T0 + 50);
    due_contact = t.due[CLK_CONTACT];
    due_reply = t.due[CLK_REPLY];
    due_rw = t.due[CLK_RETURN_WINDOW];
    due_accept = t.due[CLK_ACCEPT];
    CHECK_INT(due_contact, T0 + 20 + CLK_CONTACT * SEC);

    APPLY_ERR(&t, &res, PARTY_CENTER, NULL, s_at, ERR_ILLEGAL);
    APPLY_OK(&t, &sus, PARTY_CENTER, NULL, s_at);
    CHECK_INT(t.status, ST_SUSPENDED);
    CHECK_INT(t.suspended_at, s_at);
    for (int c = 0; c < CLK__COUNT; c++)
        CHECK(!workflow_clock_running(&t, (Clock) c)); /* paused */
    for (size_t i = 0; i < t.n_assists; i++)
        t.assists[i].changed = false;
    APPLY_ERR(&t, &sus, PARTY_CENTER, NULL, s_at + 1, ERR_ILLEGAL);
    APPLY_OK(&t, &res, PARTY_CENTER, NULL, r_at);
    CHECK_INT(t.status, ST_ACCEPTED);
    CHECK_INT(t.suspended_at, TS_NONE);
    CHECK_INT(t.prev_status, ST_NONE);
    CHECK_INT(t.due[CLK_CONTACT], due_contact + paused);
    CHECK_INT(t.due[CLK_REPLY], due_reply + paused);
    CHECK_INT(t.due[CLK_RETURN_WINDOW], due_rw + paused);
    CHECK_INT(t.due[CLK_ACCEPT], due_accept); /* done before the pause */
    CHECK_INT(t.due[CLK_DISPATCH], TS_NONE);
    CHECK_INT(t.due[CLK_CALLBACK], TS_NONE);
    CHECK_INT(t.assists[0].due_at, T0 + 40 + CLK_ACCEPT * SEC + paused);
    CHECK(t.assists[0].changed);
    CHECK_INT(t.assists[1].due_at, T0 + 40 + CLK_ACCEPT * SEC); /* reported in already */
    CHECK(!t.assists[1].changed);

    /* contacted before the pause: the contact clock is done and keeps its deadline */
    make_status(&t, ST_ACCEPTED);
    STEP(&t, ACT_CONTACT, PARTY_LEAD, LEAD, T0 + 30);
    due_contact = t.due[CLK_CONTACT];
    due_reply = t.due[CLK_REPLY];
    APPLY_OK(&t, &sus, PARTY_CENTER, NULL, s_at);
    APPLY_OK(&t, &res, PARTY_CENTER, NULL, r_at);
    CHECK_INT(t.due[CLK_CONTACT], due_contact);
    CHECK_INT(t.due[CLK_REPLY], due_reply + paused);
}

static void
test_callback(void)
{
    Ticket t;
    ActionInput in = valid_input(ACT_CALLBACK);
    ActionInput bare = input(ACT_CALLBACK, NULL);

    make_status(&t, ST_REPLIED);
    APPLY_ERR(&t, &bare, PARTY_CENTER, NULL, T0 + 60, ERR_MISSING); /* no answers */
    in.cb_satisfaction = 6;
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, T0 + 60, ERR_INVALID);
    CHECK_STR(last_ei.field, "satisfaction");
    in.cb_satisfaction = 0;
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, T0 + 60, ERR_INVALID);
    in.cb_satisfaction = 4;
    in.cb_resolved = false;
    APPLY_OK(&t, &in, PARTY_CENTER, NULL, T0 + 60);
    CHECK_INT(t.status, ST_CLOSED);
    CHECK_INT(t.closed_at, T0 + 60);
    CHECK(t.cb_recorded && t.cb_contacted && !t.cb_resolved);
    CHECK_INT(t.cb_satisfaction, 4);
    CHECK_INT(t.cb_at, T0 + 60);
    CHECK_INT(t.reopen_count, 0);
    for (int c = 0; c < CLK__COUNT; c++)
        CHECK(!workflow_clock_running(&t, (Clock) c));

    /* anonymous tickets get no callback questions */
    make_status(&t, ST_REPLIED);
    t.anonymous = true;
    APPLY_OK(&t, &bare, PARTY_CENTER, NULL, T0 + 60);
    CHECK_INT(t.status, ST_CLOSED);
    CHECK(!t.cb_recorded);

    /* 重办: back to the same unit with a new reply clock; the third is a problem */
    make_status(&t, ST_REPLIED);
    in = valid_input(ACT_CALLBACK);
    in.cb_resolved = false;
    in.cb_satisfaction = 1;
    in.reopen = true;
    in.variant = workflow_input_variant(&in);
    CHECK_INT(in.variant, VAR_REOPEN);
    for (int k = 1; k <= 3; k++) {
        int64_t at = T0 + 1000 * k;

        if (k > 1)
            STEP(&t, ACT_REPLY, PARTY_LEAD, LEAD, at - 1);
        APPLY_OK(&t, &in, PARTY_CENTER, NULL, at);
        CHECK_INT(t.status, ST_ACCEPTED);
        CHECK_STR(t.lead_unit, LEAD);
        CHECK_INT(t.reopen_count, k);
        CHECK(t.problem == (k == 3));
        CHECK_INT(t.replied_at, TS_NONE);
        CHECK_INT(t.closed_at, TS_NONE);
        CHECK_INT(t.due[CLK_CALLBACK], TS_NONE);
        CHECK_INT(t.due[CLK_REPLY], at + CLK_REPLY * SEC);
        CHECK(workflow_clock_running(&t, CLK_REPLY));
        CHECK_INT(t.cb_satisfaction, 1);
    }
}

static void
test_reopen(void)
{
    Ticket t;
    ActionInput in = input(ACT_REOPEN, "居民反映问题仍在");
    int64_t closed = T0 + 50; /* the callback in make_status */
    WorkflowEnv env = env_at(closed + 30 * DAY + 1);

    make_status(&t, ST_CLOSED);
    CHECK_INT(t.closed_at, closed);
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, closed + 30 * DAY + 1, ERR_ILLEGAL);
    env.reopen_days = 0; /* the default is 30 */
    CHECK_INT(apply_env(&t, &in, PARTY_CENTER, NULL, &env, __LINE__), ERR_ILLEGAL);
    env.reopen_days = 10;
    env.now = closed + 10 * DAY + 1;
    CHECK_INT(apply_env(&t, &in, PARTY_CENTER, NULL, &env, __LINE__), ERR_ILLEGAL);
    env.now = closed + 10 * DAY;
    CHECK_INT(apply_env(&t, &in, PARTY_CENTER, NULL, &env, __LINE__), ERR_OK);

    make_status(&t, ST_CLOSED);
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, closed + DAY, ERR_FORBIDDEN);
    APPLY_OK(&t, &in, PARTY_CENTER, NULL, closed + 30 * DAY);
    CHECK_INT(t.status, ST_ACCEPTED);
    CHECK_INT(t.reopen_count, 1);
    CHECK(!t.problem);
    CHECK_INT(t.closed_at, TS_NONE);
    CHECK_INT(t.replied_at, TS_NONE);
    CHECK(!t.cb_recorded);
    CHECK_INT(t.cb_at, TS_NONE);
    CHECK_INT(t.due[CLK_CALLBACK], TS_NONE);
    CHECK_INT(t.due[CLK_REPLY], closed + 30 * DAY + CLK_REPLY * SEC);
    CHECK(workflow_clock_running(&t, CLK_REPLY));

    /* reopens by callback and by hand count together */
    STEP(&t, ACT_REPLY, PARTY_LEAD, LEAD, closed + 31 * DAY);
    {
        ActionInput cb = valid_input(ACT_CALLBACK);

        cb.reopen = true;
        cb.variant = VAR_REOPEN;
        APPLY_OK(&t, &cb, PARTY_CENTER, NULL, closed + 32 * DAY);
    }
    CHECK_INT(t.reopen_count, 2);
    CHECK(!t.problem);
    STEP(&t, ACT_REPLY, PARTY_LEAD, LEAD, closed + 33 * DAY);
    STEP(&t, ACT_CALLBACK, PARTY_CENTER, NULL, closed + 34 * DAY);
    APPLY_OK(&t, &in, PARTY_CENTER, NULL, closed + 35 * DAY);
    CHECK_INT(t.reopen_count, 3);
    CHECK(t.problem);
}

static void
test_merge(void)
{
    Ticket t;
    ActionInput in = input(ACT_MERGE, NULL);

    make_status(&t, ST_ACCEPTED);
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, T0 + 100, ERR_MISSING);
    in.merge_into_id = TICKET_ID; /* itself */
    in.merge_into_status = ST_ACCEPTED;
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, T0 + 100, ERR_ILLEGAL);
    in.merge_into_id = OTHER_ID;
    for (int s = 0; s < ST__COUNT; s++) {
        in.merge_into_status = (TicketStatus) s;
        if (!status_is_open((TicketStatus) s))
            APPLY_ERR(&t, &in, PARTY_CENTER, NULL, T0 + 100, ERR_ILLEGAL);
    }
    in.merge_into_status = ST_CLOSED;
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, T0 + 100, ERR_ILLEGAL);
    in.merge_into_status = ST_REPLIED;
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 100, ERR_FORBIDDEN);
    APPLY_OK(&t, &in, PARTY_CENTER, NULL, T0 + 100);
    CHECK_INT(t.status, ST_MERGED);
    CHECK_STR(t.merged_into, OTHER_ID);
    for (int c = 0; c < CLK__COUNT; c++)
        CHECK(!workflow_clock_running(&t, (Clock) c)); /* final: nothing runs */
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, T0 + 100, ERR_ILLEGAL);
}

static void
test_flag_unreasonable(void)
{
    Ticket t;
    ActionInput in = input(ACT_FLAG_UNREASONABLE, "重复恶意诉求");

    make_status(&t, ST_CLOSED);
    APPLY_OK(&t, &in, PARTY_CENTER, NULL, T0 + 100);
    CHECK(t.unreasonable);
    CHECK_STR(t.unreasonable_reason, "重复恶意诉求");
    CHECK_INT(t.status, ST_CLOSED);
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, T0 + 110, ERR_ILLEGAL); /* once */

    make_status(&t, ST_PENDING_DISPATCH);
    APPLY_ERR(&t, &in, PARTY_LEAD, LEAD, T0 + 100, ERR_FORBIDDEN);
    APPLY_OK(&t, &in, PARTY_CENTER, NULL, T0 + 100);
    CHECK_INT(t.status, ST_PENDING_DISPATCH);
}

static void
test_final_and_cancel(void)
{
    Ticket t;
    ActionInput in = input(ACT_ANSWER, "请拨打供热公司热线");

    make_status(&t, ST_PENDING_DISPATCH);
    APPLY_OK(&t, &in, PARTY_CENTER, NULL, T0 + 10);
    CHECK_INT(t.status, ST_ANSWERED);
    CHECK_STR(t.result, "请拨打供热公司热线");
    CHECK_INT(t.closed_at, T0 + 10);
    CHECK(status_is_final(t.status));

    /* a cancelled ticket's clocks stop, wherever it was */
    make_status(&t, ST_DISPATCHED);
    in = input(ACT_CANCEL, "来电人撤回");
    APPLY_OK(&t, &in, PARTY_CENTER, NULL, T0 + 100);
    CHECK_INT(t.status, ST_CANCELLED);
    for (int c = 0; c < CLK__COUNT; c++)
        CHECK(!workflow_clock_running(&t, (Clock) c));

    /* intake is never an action on an existing ticket */
    in = input(ACT_INTAKE, NULL);
    APPLY_ERR(&t, &in, PARTY_CENTER, NULL, T0 + 100, ERR_ILLEGAL);
}

static void
test_input_helpers(void)
{
    ActionInput in;

    action_input_init(&in, ACT_APPROVE_RETURN);
    CHECK_INT(in.action, ACT_APPROVE_RETURN);
    CHECK_INT(in.variant, VAR_DEFAULT);
    CHECK_INT(in.until, TS_NONE);
    CHECK_INT(in.expected_version, -1);
    CHECK_INT(in.merge_into_status, ST_NONE);
    CHECK(in.text == NULL && in.unit == NULL && in.n_units == 0 && !in.reopen);
    CHECK_INT(workflow_input_variant(&in), VAR_DEFAULT);
    in.unit = OTHER;
    CHECK_INT(workflow_input_variant(&in), VAR_TO_UNIT);
    in.action = ACT_DISPATCH;
    CHECK_INT(workflow_input_variant(&in), VAR_DEFAULT);
    action_input_init(&in, ACT_CALLBACK);
    CHECK_INT(workflow_input_variant(&in), VAR_DEFAULT);
    in.reopen = true;
    CHECK_INT(workflow_input_variant(&in), VAR_REOPEN);
}

int
main(void)
{
    RUN(test_decide_every_combination);
    RUN(test_table_equals_spec);
    RUN(test_names_and_parties);
    RUN(test_every_action_valid_input);
    RUN(test_apply_follows_decide);
    RUN(test_text_required);
    RUN(test_intake);
    RUN(test_dispatch);
    RUN(test_accept_and_contact);
    RUN(test_reply_guards);
    RUN(test_whistle);
    RUN(test_assist_order);
    RUN(test_request_return_window);
    RUN(test_approve_return_to_queue);
    RUN(test_approve_return_to_unit);
    RUN(test_reject_return);
    RUN(test_extensions);
    RUN(test_suspend_resume);
    RUN(test_callback);
    RUN(test_reopen);
    RUN(test_merge);
    RUN(test_flag_unreasonable);
    RUN(test_final_and_cancel);
    RUN(test_input_helpers);
    return CHECK_DONE();
}
