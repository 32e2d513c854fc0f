/*
 * registry.c — the statement registry: every SQL text the server runs.
 *
 * Prepared on every server connection at connect time (those marked
 * prepare), always with $n parameters.  Column orders here are the decoders'
 * contract in tickets.c: change both together.  The SQL of an intake is also
 * what tools/minhu-bench gives pgbench, so the baseline cannot drift.
 */
#include "store/store.h"

#include "store/report.h"

#define TICKET_COLUMNS                                                                             \
    "t.id::text, t.number, t.status, t.prev_status, t.version, t.urgency, t.category, "            \
    "t.lead_unit, t.created_by, t.created_by_token, t.anonymous, t.confidential, "                 \
    "t.callback_wanted, minhu_ms(t.created_at), minhu_ms(t.dispatched_at), "                       \
    "minhu_ms(t.accepted_at), minhu_ms(t.contacted_at), minhu_ms(t.replied_at), "                  \
    "minhu_ms(t.closed_at), minhu_ms(t.suspended_at), minhu_ms(t.dispatch_due), "                  \
    "minhu_ms(t.accept_due), minhu_ms(t.contact_due), minhu_ms(t.reply_due), "                     \
    "minhu_ms(t.callback_due), minhu_ms(t.return_due), t.result, t.cb_contacted, "                 \
    "t.cb_resolved, t.cb_satisfaction, minhu_ms(t.cb_at), t.ext_state, minhu_ms(t.ext_until), "    \
    "t.ext_reason, t.ext_approved_count, t.reopen_count, t.return_count, t.problem, "              \
    "t.unreasonable, t.unreasonable_reason, t.merged_into::text, minhu_ms(t.dispatch_start), "     \
    "minhu_ms(t.accept_start), minhu_ms(t.contact_start), minhu_ms(t.reply_start), "               \
    "minhu_ms(t.callback_start), minhu_ms(t.return_start) "

#define ASSIST_COLUMNS                                                                             \
    "a.unit, a.status, minhu_ms(a.summoned_at), minhu_ms(a.accepted_at), "                         \
    "minhu_ms(a.replied_at), minhu_ms(a.due_at) "

static const Stmt stmts[STMT__COUNT] = {
    [STMT_PING] = {"minhu_ping", "SELECT 1", 0, true},

    [STMT_AUTH_TOKEN] = {"minhu_auth_token",
                         "SELECT id, role, name, unit FROM tokens "
                         "WHERE token_hash = sha256(convert_to($1, 'UTF8')) AND revoked_at IS NULL",
                         1, true},

    [STMT_TICKET_INTAKE] =
        {"minhu_ticket_intake",
         "WITH ins AS ("
         " INSERT INTO tickets (id, number, status, version, channel, nature, urgency,"
         "  category, area, address, lat, lon, title, description, caller_name, caller_phone,"
         "  anonymous, confidential, callback_wanted, created_by, created_by_token,"
         "  idempotency_key, idempotency_hash, lead_unit, created_at, dispatched_at,"
         "  dispatch_due, accept_due, reply_due, return_due, updated_at, dispatch_start,"
         "  accept_start, reply_start, return_start, next_due)"
         " VALUES ($1::uuid,"
         "  $2 || lpad((nextval('ticket_number_seq') % 100000000)::text, 8, '0'), $4, 1, $5, $6, "
         "$7, $8, $9, $10,"
         "  $11::float8, $12::float8, $13, $14, $15, $16, $17::bool, $18::bool, $19::bool, $20,"
         "  $21::bigint, $22, sha256(convert_to($23, 'UTF8')), $24, minhu_ts($25::bigint),"
         "  minhu_ts($26::bigint), minhu_ts($27::bigint), minhu_ts($28::bigint),"
         "  minhu_ts($29::bigint), minhu_ts($30::bigint), minhu_ts($25::bigint),"
         "  minhu_ts($33::bigint), minhu_ts($34::bigint), minhu_ts($35::bigint),"
         "  minhu_ts($36::bigint), minhu_ts($37::bigint))"
         " ON CONFLICT (created_by_token, idempotency_key) WHERE idempotency_key IS NOT NULL"
         " DO NOTHING"
         " RETURNING id, status, created_by, created_at),"
         "ev AS ("
         " INSERT INTO ticket_events (ticket_id, seq, at, action, actor, actor_role, unit,"
         "  from_status, to_status, note, data, lead_unit)"
         " SELECT id, 1, created_at, 'intake', created_by, $31, $3, NULL, status, NULL,"
         "  $32::jsonb, $24 FROM ins) "
         "SELECT 'created'::text FROM ins "
         "UNION ALL "
         "SELECT CASE WHEN t.idempotency_hash = sha256(convert_to($23, 'UTF8'))"
         "            THEN 'replayed' ELSE 'conflict' END "
         "FROM tickets t "
         "WHERE NOT EXISTS (SELECT 1 FROM ins) AND t.created_by_token = $21::bigint"
         "  AND t.idempotency_key = $22",
         37, true},

    /* A statement of its own, so with its own snapshot: it sees a ticket that a
     * concurrent request with the same key committed while the insert above
     * waited on it, which the insert's snapshot could not. */
    [STMT_TICKET_JSON_INTAKE] =
        {"minhu_ticket_json_intake",
         "SELECT minhu_ticket_json(t, true), minhu_query_code(t.id),"
         " t.idempotency_hash IS NOT DISTINCT FROM sha256(convert_to($4, 'UTF8')) "
         "FROM tickets t "
         "WHERE t.id = $1::uuid OR (t.created_by_token = $2::bigint AND t.idempotency_key = $3)",
         4, true},

    [STMT_TICKET_LOAD_BY_ID] = {"minhu_ticket_load_by_id",
                                "SELECT " TICKET_COLUMNS "FROM tickets t WHERE t.id = $1::uuid", 1,
                                true},

    [STMT_TICKET_LOAD_BY_NUMBER] = {"minhu_ticket_load_by_number",
                                    "SELECT " TICKET_COLUMNS "FROM tickets t WHERE t.number = $1",
                                    1, true},

    [STMT_ASSISTS_BY_ID] = {"minhu_assists_by_id",
                            "SELECT " ASSIST_COLUMNS
                            "FROM ticket_assists a WHERE a.ticket_id = $1::uuid "
                            "ORDER BY a.summoned_at, a.unit",
                            1, true},

    [STMT_ASSISTS_BY_NUMBER] = {"minhu_assists_by_number",
                                "SELECT " ASSIST_COLUMNS
                                "FROM ticket_assists a JOIN tickets t ON t.id = a.ticket_id "
                                "WHERE t.number = $1 ORDER BY a.summoned_at, a.unit",
                                1, true},

    [STMT_UNITS_CHECK] = {"minhu_units_check",
                          "SELECT code, kind, active FROM units WHERE code = ANY($1::text[])", 1,
                          true},

    [STMT_MERGE_TARGET] = {"minhu_merge_target",
                           "SELECT id::text, status FROM tickets WHERE number = $1", 1, true},

    [STMT_TICKET_UPDATE] =
        {"minhu_ticket_update",
         "WITH u AS ("
         " UPDATE tickets SET status = $3, prev_status = $4, version = version + 1,"
         "  lead_unit = $5, dispatched_at = minhu_ts($6::bigint),"
         "  accepted_at = minhu_ts($7::bigint), contacted_at = minhu_ts($8::bigint),"
         "  replied_at = minhu_ts($9::bigint), closed_at = minhu_ts($10::bigint),"
         "  suspended_at = minhu_ts($11::bigint), dispatch_due = minhu_ts($12::bigint),"
         "  accept_due = minhu_ts($13::bigint), contact_due = minhu_ts($14::bigint),"
         "  reply_due = minhu_ts($15::bigint), callback_due = minhu_ts($16::bigint),"
         "  return_due = minhu_ts($17::bigint), result = $18, cb_contacted = $19::bool,"
         "  cb_resolved = $20::bool, cb_satisfaction = $21::smallint,"
         "  cb_at = minhu_ts($22::bigint), ext_state = $23, ext_until = minhu_ts($24::bigint),"
         "  ext_reason = $25, ext_approved_count = $26::int, reopen_count = $27::int,"
         "  return_count = $28::int, problem = $29::bool, unreasonable = $30::bool,"
         "  unreasonable_reason = $31, merged_into = $32::uuid, assist_units = $33::text[],"
         "  updated_at = minhu_ts($34::bigint), dispatch_start = minhu_ts($42::bigint),"
         "  accept_start = minhu_ts($43::bigint), contact_start = minhu_ts($44::bigint),"
         "  reply_start = minhu_ts($45::bigint), callback_start = minhu_ts($46::bigint),"
         "  return_start = minhu_ts($47::bigint), next_due = minhu_ts($48::bigint),"
         "  warned = ARRAY(SELECT m FROM unnest(warned) m WHERE m <> ALL ($49::text[])),"
         "  overdue = ARRAY(SELECT m FROM unnest(overdue) m WHERE m <> ALL ($49::text[])),"
         "  reported = reported AND NOT ('reply' = ANY ($49::text[]))"
         " WHERE id = $1::uuid AND version = $2::int"
         " RETURNING id, version, status),"
         "e AS ("
         " INSERT INTO ticket_events (ticket_id, seq, at, action, actor, actor_role, unit,"
         "  from_status, to_status, note, data, lead_unit)"
         " SELECT id, version, minhu_ts($34::bigint), $35, $36, $37, $38, $39, status, $40,"
         "  $41::jsonb, $5 FROM u) "
         "SELECT minhu_require_one((SELECT count(*) FROM u))",
         49, true},

    /* Every changed assist row of one action in one statement (arrays of one
     * length): a resume shifts the clocks of all summoned assists at once. */
    [STMT_ASSIST_UPSERT] =
        {"minhu_assist_upsert",
         "INSERT INTO ticket_assists (ticket_id, unit, status, summoned_at, accepted_at,"
         " replied_at, due_at) "
         "SELECT $1::uuid, a.unit, a.status, minhu_ts(a.summoned), minhu_ts(a.accepted),"
         " minhu_ts(a.replied), minhu_ts(a.due) "
         "FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[],"
         "            $7::bigint[]) AS a(unit, status, summoned, accepted, replied, due) "
         "ON CONFLICT (ticket_id, unit) DO UPDATE SET status = EXCLUDED.status,"
         " accepted_at = EXCLUDED.accepted_at, replied_at = EXCLUDED.replied_at,"
         " due_at = EXCLUDED.due_at",
         7, true},

    [STMT_TICKET_JSON_BY_ID] =
        {"minhu_ticket_json_by_id",
         "SELECT minhu_ticket_json(t, true) FROM tickets t WHERE t.id = $1::uuid", 1, true},

    [STMT_TICKET_JSON_BY_NUMBER] =
        {"minhu_ticket_json_by_number",
         "SELECT minhu_ticket_json(t, true) FROM tickets t WHERE t.number = $1", 1, true},

/* Planned per call (not prepared): its optional filters make a generic plan poor.
 * The cursor is the page's smallest id; PostgreSQL 15 has no min(uuid). */
/* The list's filters, shared by both orders.  $1 scope unit (unit tokens),
 * $2 scope token (channels), $3 statuses, $4 unit, $5 category prefix,
 * $6 area prefix, $7 overdue, $8/$9 created from/to, $12 as: 'lead' or
 * 'assist' (of $1, else of $4), $13 warned. */
#define LIST_FILTERS                                                                               \
    " ($1::text IS NULL OR t.lead_unit = $1 OR t.assist_units @> ARRAY[$1::text]) AND" LIST_MATCH
/* The filters without the unit scope ($1). */
#define LIST_MATCH                                                                                 \
    " ($2::bigint IS NULL OR t.created_by_token = $2::bigint)"                                     \
    " AND ($3::text IS NULL OR t.status = ANY (string_to_array($3, ',')))"                         \
    " AND ($4::text IS NULL OR $12::text = 'assist' OR t.lead_unit = $4)"                          \
    " AND ($5::text IS NULL OR starts_with(t.category, $5))"                                       \
    " AND ($6::text IS NULL OR starts_with(t.area, $6))"                                           \
    " AND ($7::bool IS NULL OR (cardinality(t.overdue) > 0) = $7::bool)"                           \
    " AND ($8::bigint IS NULL OR t.created_at >= minhu_ts($8::bigint))"                            \
    " AND ($9::bigint IS NULL OR t.created_at < minhu_ts($9::bigint))"                             \
    " AND ($12::text IS NULL"                                                                      \
    "      OR ($12 = 'lead' AND t.lead_unit = coalesce($1, $4))"                                   \
    "      OR ($12 = 'assist' AND t.assist_units @> ARRAY[coalesce($1, $4)]))"                     \
    " AND ($13::bool IS NULL OR (cardinality(t.warned) > 0) = $13::bool)"

    /* Newest first; the cursor ($10) is the last id.  Planned per call (not
     * prepared): its optional filters make a generic plan poor. */
    [STMT_TICKET_LIST] =
        {"minhu_ticket_list",
         "SELECT coalesce(json_agg(minhu_ticket_json(t, false) ORDER BY t.id DESC), '[]'::json),"
         " (array_agg(t.id::text ORDER BY t.id))[1], count(*) "
         "FROM (SELECT * FROM tickets t WHERE" LIST_FILTERS
         " AND ($10::uuid IS NULL OR t.id < $10::uuid)"
         " ORDER BY t.id DESC LIMIT $11::int) t",
         13, false},

/* The deadline list's cursor and order, applied to each half of the scope. */
#define LIST_DEADLINE_AFTER                                                                        \
    " AND ($10::uuid IS NULL"                                                                      \
    "      OR ($14::bigint IS NULL AND t.next_due IS NULL AND t.id > $10::uuid)"                   \
    "      OR ($14::bigint IS NOT NULL AND (t.next_due IS NULL"                                    \
    "          OR t.next_due > minhu_ts($14::bigint)"                                              \
    "          OR (t.next_due = minhu_ts($14::bigint) AND t.id > $10::uuid))))"                    \
    " ORDER BY t.next_due NULLS LAST, t.id LIMIT $11::int"

    /* Nearest deadline first (no running clock last); the cursor is the last
     * row's next_due ($14, NULL for none) and id ($10).  A unit's scope is
     * two halves, the tickets it leads and those it assists, each read in
     * order and merged: as one OR it was a bitmap scan and a sort of every
     * ticket the unit ever had (docs/inbox.md). */
    [STMT_TICKET_LIST_DEADLINE] =
        {"minhu_ticket_list_deadline",
         "SELECT coalesce(json_agg(minhu_ticket_json(t, false)"
         "                         ORDER BY t.next_due NULLS LAST, t.id), '[]'::json),"
         " (array_agg(coalesce(minhu_ms(t.next_due)::text, '') || '_' || t.id::text"
         "            ORDER BY t.next_due DESC NULLS FIRST, t.id DESC))[1], count(*) "
         "FROM (SELECT * FROM ("
         "  (SELECT * FROM tickets t WHERE ($1::text IS NULL OR t.lead_unit = $1)"
         "   AND" LIST_MATCH LIST_DEADLINE_AFTER ")"
         "  UNION ALL"
         "  (SELECT * FROM tickets t WHERE $1::text IS NOT NULL"
         "   AND t.assist_units @> ARRAY[$1::text] AND t.lead_unit IS DISTINCT FROM $1"
         "   AND" LIST_MATCH LIST_DEADLINE_AFTER ")) t"
         " ORDER BY t.next_due NULLS LAST, t.id LIMIT $11::int) t",
         14, false},

    /* Open tickets that may be the same matter as a new one (重复件): the same
     * caller's phone, or the same category in the same community (area
     * prefix $4) in the 7 days before $5. */
    [STMT_DUPLICATES] =
        {"minhu_duplicates",
         "SELECT coalesce(json_agg(json_build_object('id', d.id, 'number', d.number,"
         "  'status', d.status, 'category', d.category, 'area', d.area, 'title', d.title,"
         "  'created_at', d.created_at,"
         "  'reason', CASE WHEN d.caller_phone = $2 THEN 'same_phone' ELSE 'same_place' END)"
         "  ORDER BY d.created_at DESC), '[]'::json) "
         "FROM (SELECT * FROM tickets t"
         "      WHERE t.id <> $1::uuid"
         "        AND t.status IN ('pending_dispatch', 'dispatched', 'accepted',"
         "                         'return_requested', 'suspended', 'replied')"
         "        AND (($2::text IS NOT NULL AND t.caller_phone = $2)"
         "             OR ($4::text IS NOT NULL AND t.category = $3 AND starts_with(t.area, $4)"
         "                 AND t.created_at >= minhu_ts($5::bigint) - interval '7 days'))"
         "      ORDER BY t.created_at DESC LIMIT 10) d",
         5, true},

    [STMT_PUBLIC_TICKET] = {"minhu_public_ticket", "SELECT minhu_public_json($1, $2)", 2, true},

    [STMT_CATEGORIES_JSON] =
        {"minhu_categories_json",
         "SELECT coalesce(json_agg(json_build_object('code', code, 'name', name,"
         " 'parent', parent) ORDER BY code), '[]'::json) FROM categories WHERE active",
         0, true},

    [STMT_UNITS_JSON] =
        {"minhu_units_json",
         "SELECT coalesce(json_agg(json_build_object('code', code, 'name', name, 'kind', kind,"
         " 'parent', parent) ORDER BY code), '[]'::json) FROM units WHERE active",
         0, true},

    [STMT_CALENDAR] = {"minhu_calendar", "SELECT day::text, kind FROM calendar ORDER BY day", 0,
                       true},

    [STMT_SLA_RULES] =
        {"minhu_sla_rules",
         "SELECT category, urgency, clock, limit_text FROM sla_rules ORDER BY 1, 2, 3", 0, true},

    [STMT_TIMERS_SYNC] =
        {"minhu_timers_sync",
         "SELECT minhu_timers_sync($1::uuid, $2::text[], $3::text[], $4::text[], $5::bigint[],"
         " $6::bigint[])",
         6, true},

    [STMT_NOTIFY] =
        {"minhu_notify",
         /* A supervisor notice without a unit goes to whoever supervises the lead. */
         "INSERT INTO notifications (ticket_id, audience, unit, kind, message) "
         "SELECT t.id, $2, coalesce($3, CASE WHEN $2 = 'supervisor'"
         "                              THEN minhu_supervisor(coalesce(t.lead_unit, '')) END),"
         " $4, $5 FROM tickets t WHERE t.id = $1::uuid",
         5, true},

    [STMT_TIMERS_NEXT] = {"minhu_timers_next",
                          "SELECT minhu_ms(min(due_at)) FROM sla_timers WHERE fired_at IS NULL", 0,
                          true},

    [STMT_TIMERS_FIRE] =
        {"minhu_timers_fire",
         "SELECT ticket_id::text, clock, kind, effect, due_ms FROM minhu_fire_timers($1::int)", 1,
         true},

    /* Claimed and marked sent in one statement: the log sender cannot fail. */
    [STMT_OUTBOX_CLAIM] =
        {"minhu_outbox_claim",
         "UPDATE notifications n SET sent_at = now(), attempts = n.attempts + 1 "
         "FROM (SELECT id FROM notifications WHERE sent_at IS NULL ORDER BY id LIMIT $1::int"
         "      FOR UPDATE SKIP LOCKED) c "
         "WHERE n.id = c.id "
         "RETURNING n.id, n.audience, n.unit, n.kind, n.message, n.ticket_id::text,"
         " (SELECT t.number FROM tickets t WHERE t.id = n.ticket_id),"
         " CASE WHEN n.audience = 'resident' THEN (SELECT t.caller_phone FROM tickets t"
         "      WHERE t.id = n.ticket_id) END,"
         " CASE WHEN n.audience = 'resident' THEN minhu_query_code(n.ticket_id) END",
         1, true},

    [STMT_ASSISTS_CLEAR] = {"minhu_assists_clear",
                            "DELETE FROM ticket_assists WHERE ticket_id = $1::uuid", 1, true},

    [STMT_ROUTING_RULES] =
        {"minhu_routing_rules",
         "SELECT id, category, area, unit, priority FROM routing_rules ORDER BY id", 0, true},

/* Open311 services are the active leaf categories, grouped by their parent
 * (docs/open311.md).  Columns: code, name, group (the parent's name). */
#define OPEN311_SERVICES                                                                           \
    "SELECT c.code, c.name, p.name FROM categories c"                                              \
    " LEFT JOIN categories p ON p.code = c.parent"                                                 \
    " WHERE c.active AND NOT EXISTS (SELECT 1 FROM categories k"                                   \
    "                                WHERE k.parent = c.code AND k.active)"

    [STMT_OPEN311_SERVICES] = {"minhu_open311_services", OPEN311_SERVICES " ORDER BY c.code", 0,
                               true},

    [STMT_OPEN311_SERVICE] = {"minhu_open311_service", OPEN311_SERVICES " AND c.code = $1", 1,
                              true},

    /* GET requests: $1 numbers (overrides the rest), $2 service codes, $3/$4
     * requested from/to (ms, inclusive), $5 our statuses, $6 limit, $7 offset.
     * Public: Open311 tickets only, never confidential ones, no caller. */
    [STMT_OPEN311_REQUESTS] =
        {"minhu_open311_requests",
         "SELECT coalesce(json_agg(minhu_open311_request_json(t)"
         "                         ORDER BY t.created_at DESC, t.id DESC), '[]'::json) "
         "FROM (SELECT * FROM tickets t"
         "      WHERE t.channel = 'open311' AND NOT t.confidential"
         "        AND ($1::text[] IS NULL OR t.number = ANY ($1::text[]))"
         "        AND ($2::text[] IS NULL OR t.category = ANY ($2::text[]))"
         "        AND ($3::bigint IS NULL OR t.created_at >= minhu_ts($3::bigint))"
         "        AND ($4::bigint IS NULL OR t.created_at <= minhu_ts($4::bigint))"
         "        AND ($5::text[] IS NULL OR t.status = ANY ($5::text[]))"
         "      ORDER BY t.created_at DESC, t.id DESC LIMIT $6::int OFFSET $7::int) t",
         7, false},

    [STMT_OPEN311_REQUEST] = {"minhu_open311_request",
                              "SELECT minhu_open311_request_json(t) FROM tickets t"
                              " WHERE t.number = $1 AND t.channel = 'open311'"
                              " AND NOT t.confidential",
                              1, true},

    /* The monthly ranking of one kind ($1 "YYYY-MM-01", $2 kind); its text and
     * decoder are in report.c, shared with minhu-report. */
    [STMT_REPORT_RANKING] = {"minhu_report_ranking", store_report_ranking_sql, 2, true},

    /* The hotspots of a month ($1 "YYYY-MM-01"; addresses: $2 how many), the
     * same texts as minhu-report's.  They scan four months of tickets and run
     * a few times a day: planned with the month they are asked for. */
    [STMT_REPORT_HOT_CATEGORIES] = {"minhu_report_hot_categories", store_report_hot_categories_sql,
                                    1, false},
    [STMT_REPORT_HOT_AREAS] = {"minhu_report_hot_areas", store_report_hot_areas_sql, 1, false},
    [STMT_REPORT_HOT_ADDRESSES] = {"minhu_report_hot_addresses", store_report_hot_addresses_sql, 2,
                                   false},
};

bool
store_registry_complete(void)
{
    for (int i = 0; i < STMT__COUNT; i++)
        if (stmts[i].name == NULL || stmts[i].sql == NULL)
            return false;
    return true;
}

const Stmt *
store_stmt(StmtId id)
{
    if ((unsigned) id >= STMT__COUNT)
        return NULL;
    return &stmts[id];
}
