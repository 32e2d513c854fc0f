/*
 * report.c — the reports' SQL (see report.h) and the ranking and hotspot row
 * decoders.
 *
 * Two implementations of the monthly figures live side by side on purpose:
 * the summary read by REPORT_RANKING / REPORT_FAST_ALL (kept by the trigger
 * in sql/R_reports.sql) and REPORT_BASELINE, written from domain.md §5
 * directly against tickets and ticket_events without the trigger's helper
 * functions.  They must agree to the ticket; a difference is a bug in one of
 * them.  Column orders are the decoders' contract: change both together.
 */
#include "store/report.h"

#include <stdlib.h>
#include <string.h>

/* The Asia/Shanghai month given as $1 ("YYYY-MM-01"), as a time range. */
#define MONTH_LO "(($1::date)::timestamp AT TIME ZONE 'Asia/Shanghai')"
#define MONTH_HI "((($1::date) + interval '1 month') AT TIME ZONE 'Asia/Shanghai')"

/* The events that hand a ticket to a lead unit and start its handling. */
#define HANDOVER                                                                                   \
    "d.to_status = 'dispatched' AND d.action IN ('intake', 'dispatch', 'approve_return')"

#define EXCLUDED_STATUSES "('merged', 'answered', 'rejected', 'cancelled')"

/* The summary's figures per unit for month expression M (a date). */
#define SUMMARY_SUMS(M, FILTER)                                                                    \
    "SELECT unit, sum(population)::int AS population, sum(responded)::int AS responded,"           \
    " sum(resolved)::int AS resolved, sum(sat_good)::int AS sat_good,"                             \
    " sum(sat_basic)::int AS sat_basic, sum(volume)::int AS volume,"                               \
    " sum(returns)::int AS returns, sum(reopens)::int AS reopens,"                                 \
    " sum(extensions)::int AS extensions, sum(overdue_accept)::int AS overdue_accept,"             \
    " sum(overdue_contact)::int AS overdue_contact, sum(overdue_reply)::int AS overdue_reply,"     \
    " sum(overdue_assist)::int AS overdue_assist "                                                 \
    "FROM report_unit_month WHERE month = " M FILTER " GROUP BY unit"

/* The exact median of the month's handling histogram, in hours, 1 decimal:
 * the mean of the two middle tenths (one when the count is odd). */
#define SUMMARY_MEDIAN(FILTER)                                                                     \
    "SELECT unit, round((min(tenths) FILTER (WHERE cum >= (total - 1) / 2 + 1)"                    \
    "  + min(tenths) FILTER (WHERE cum >= total / 2 + 1))::numeric / 20, 1) AS median "            \
    "FROM (SELECT unit, tenths, (sum(n) OVER (PARTITION BY unit ORDER BY tenths))::bigint AS cum," \
    "        (sum(n) OVER (PARTITION BY unit))::bigint AS total"                                   \
    "      FROM (SELECT unit, tenths, sum(n)::bigint AS n FROM report_handling"                    \
    "            WHERE month = $1::date" FILTER " GROUP BY unit, tenths) h) c "                    \
    "GROUP BY unit"

#define FIGURE_COLUMNS(P)                                                                          \
    "coalesce(" P ".population, 0), coalesce(" P ".responded, 0), coalesce(" P ".resolved, 0),"    \
    " coalesce(" P ".sat_good, 0), coalesce(" P ".sat_basic, 0), coalesce(" P ".volume, 0),"       \
    " coalesce(" P ".returns, 0), coalesce(" P ".reopens, 0), coalesce(" P ".extensions, 0),"      \
    " coalesce(" P ".overdue_accept, 0), coalesce(" P ".overdue_contact, 0),"                      \
    " coalesce(" P ".overdue_reply, 0), coalesce(" P ".overdue_assist, 0)"

#define RANK_OF_KIND " AND unit IN (SELECT code FROM k)"
#define RANK_CUR SUMMARY_SUMS("$1::date", RANK_OF_KIND)
#define RANK_PREV SUMMARY_SUMS("($1::date - interval '1 month')::date", RANK_OF_KIND)
#define RANK_MEDIAN SUMMARY_MEDIAN(RANK_OF_KIND)
#define RANK_FIGURES FIGURE_COLUMNS("s")

const char store_report_ranking_sql[] =
    "WITH k AS (SELECT code FROM units WHERE kind = $2),"
    " s AS (" RANK_CUR "),"
    " p AS (" RANK_PREV "),"
    " med AS (" RANK_MEDIAN ") "
    "SELECT u.code, u.name, u.kind, " RANK_FIGURES ", med.median::text,"
    " coalesce(p.population, 0), coalesce(p.responded, 0), coalesce(p.resolved, 0),"
    " coalesce(p.sat_good, 0), coalesce(p.sat_basic, 0),"
    " coalesce(round(w.w_response * 10000)::int, 3000),"
    " coalesce(round(w.w_resolution * 10000)::int, 3500),"
    " coalesce(round(w.w_satisfaction * 10000)::int, 3500),"
    " coalesce(st.count_basic_satisfied, true), coalesce(st.min_population, 10),"
    " coalesce(st.list_size, 5) "
    "FROM units u"
    " LEFT JOIN s ON s.unit = u.code"
    " LEFT JOIN p ON p.unit = u.code"
    " LEFT JOIN med ON med.unit = u.code"
    " LEFT JOIN report_weights w ON w.kind = u.kind"
    " LEFT JOIN report_settings st ON st.id = 1 "
    "WHERE u.kind = $2 AND (u.active OR s.unit IS NOT NULL OR p.unit IS NOT NULL) "
    "ORDER BY u.code";

/*
 * The baseline: the month's figures per unit straight from the raw tables,
 * one plain query.  A callback is "responded" when the resident said
 * contacted, a contact event lies in the same handling (after the last
 * handover before it), and no sla_overdue on the contact clock lies there.
 */
#define BASELINE_QUERY                                                                             \
    "WITH b AS (SELECT " MONTH_LO " AS lo, " MONTH_HI " AS hi),"                                   \
    " cb AS ("                                                                                     \
    "  SELECT e.lead_unit AS unit, count(*) AS population,"                                        \
    "   count(*) FILTER (WHERE (e.data ->> 'contacted')::boolean"                                  \
    "     AND EXISTS (SELECT 1 FROM ticket_events c WHERE c.ticket_id = e.ticket_id"               \
    "                 AND c.seq > sp.seq AND c.seq < e.seq AND c.action = 'contact')"              \
    "     AND NOT EXISTS (SELECT 1 FROM ticket_events o WHERE o.ticket_id = e.ticket_id"           \
    "                 AND o.seq > sp.seq AND o.seq < e.seq AND o.action = 'sla_overdue'"           \
    "                 AND o.data ->> 'clock' = 'contact')) AS responded,"                          \
    "   count(*) FILTER (WHERE (e.data ->> 'resolved')::boolean) AS resolved,"                     \
    "   count(*) FILTER (WHERE (e.data ->> 'satisfaction')::integer >= 4) AS sat_good,"            \
    "   count(*) FILTER (WHERE (e.data ->> 'satisfaction')::integer = 3) AS sat_basic"             \
    "  FROM b, ticket_events e"                                                                    \
    "  JOIN tickets t ON t.id = e.ticket_id"                                                       \
    "  CROSS JOIN LATERAL (SELECT coalesce(max(d.seq), 0) AS seq FROM ticket_events d"             \
    "        WHERE d.ticket_id = e.ticket_id AND d.seq < e.seq AND " HANDOVER ") sp"               \
    "  WHERE e.action = 'callback' AND e.at >= b.lo AND e.at < b.hi"                               \
    "    AND e.to_status = 'closed' AND e.data ? 'contacted' AND e.lead_unit IS NOT NULL"          \
    "    AND NOT t.unreasonable AND t.status NOT IN " EXCLUDED_STATUSES "  GROUP BY e.lead_unit)," \
    " vol AS (SELECT e.lead_unit AS unit, count(*) AS volume FROM b, ticket_events e"              \
    "  WHERE e.action IN ('intake', 'dispatch', 'approve_return') AND e.at >= b.lo"                \
    "    AND e.at < b.hi AND e.to_status = 'dispatched' AND e.lead_unit IS NOT NULL"               \
    "  GROUP BY e.lead_unit),"                                                                     \
    " ret AS (SELECT r.unit, count(*) AS returns FROM b, ticket_events e"                          \
    "  CROSS JOIN LATERAL (SELECT q.lead_unit AS unit FROM ticket_events q"                        \
    "        WHERE q.ticket_id = e.ticket_id AND q.seq < e.seq AND q.action = 'request_return'"    \
    "        ORDER BY q.seq DESC LIMIT 1) r"                                                       \
    "  WHERE e.action = 'approve_return' AND e.at >= b.lo AND e.at < b.hi"                         \
    "    AND r.unit IS NOT NULL GROUP BY r.unit),"                                                 \
    " reo AS (SELECT e.lead_unit AS unit, count(*) AS reopens FROM b, ticket_events e"             \
    "  WHERE ((e.action = 'callback' AND e.to_status = 'accepted') OR e.action = 'reopen')"        \
    "    AND e.at >= b.lo AND e.at < b.hi AND e.lead_unit IS NOT NULL GROUP BY e.lead_unit),"      \
    " ext AS (SELECT e.lead_unit AS unit, count(*) AS extensions FROM b, ticket_events e"          \
    "  WHERE e.action = 'approve_extension' AND e.at >= b.lo AND e.at < b.hi"                      \
    "    AND e.lead_unit IS NOT NULL GROUP BY e.lead_unit),"                                       \
    " ovd AS (SELECT e.data ->> 'unit' AS unit,"                                                   \
    "   count(*) FILTER (WHERE e.data ->> 'unit' = e.lead_unit"                                    \
    "                    AND e.data ->> 'clock' = 'accept') AS overdue_accept,"                    \
    "   count(*) FILTER (WHERE e.data ->> 'unit' = e.lead_unit"                                    \
    "                    AND e.data ->> 'clock' = 'contact') AS overdue_contact,"                  \
    "   count(*) FILTER (WHERE e.data ->> 'unit' = e.lead_unit"                                    \
    "                    AND e.data ->> 'clock' = 'reply') AS overdue_reply,"                      \
    "   count(*) FILTER (WHERE e.lead_unit IS NULL"                                                \
    "                    OR e.data ->> 'unit' <> e.lead_unit) AS overdue_assist"                   \
    "  FROM b, ticket_events e WHERE e.action = 'sla_overdue' AND e.at >= b.lo AND e.at < b.hi"    \
    "    AND e.data ->> 'unit' IS NOT NULL GROUP BY e.data ->> 'unit'),"                           \
    " rep AS (" HANDLING_QUERY "),"                                                                \
    " med AS (SELECT unit,"                                                                        \
    "   round((percentile_cont(0.5) WITHIN GROUP (ORDER BY tenths))::numeric / 10, 1) AS median"   \
    "  FROM rep GROUP BY unit) "                                                                   \
    "SELECT us.unit, coalesce(cb.population, 0), coalesce(cb.responded, 0),"                       \
    " coalesce(cb.resolved, 0), coalesce(cb.sat_good, 0), coalesce(cb.sat_basic, 0),"              \
    " coalesce(vol.volume, 0), coalesce(ret.returns, 0), coalesce(reo.reopens, 0),"                \
    " coalesce(ext.extensions, 0), coalesce(ovd.overdue_accept, 0),"                               \
    " coalesce(ovd.overdue_contact, 0), coalesce(ovd.overdue_reply, 0),"                           \
    " coalesce(ovd.overdue_assist, 0), med.median::text "                                          \
    "FROM (SELECT unit FROM cb UNION SELECT unit FROM vol UNION SELECT unit FROM ret"              \
    "      UNION SELECT unit FROM reo UNION SELECT unit FROM ext UNION SELECT unit FROM ovd"       \
    "      UNION SELECT unit FROM med) us"                                                         \
    " LEFT JOIN cb ON cb.unit = us.unit LEFT JOIN vol ON vol.unit = us.unit"                       \
    " LEFT JOIN ret ON ret.unit = us.unit LEFT JOIN reo ON reo.unit = us.unit"                     \
    " LEFT JOIN ext ON ext.unit = us.unit LEFT JOIN ovd ON ovd.unit = us.unit"                     \
    " LEFT JOIN med ON med.unit = us.unit"

/* Every reply of the month with its handling time (from the last handover
 * before it) in tenths of an hour, rounded down. */
#define HANDLING_QUERY                                                                             \
    "SELECT e.lead_unit AS unit,"                                                                  \
    " floor(extract(epoch FROM e.at - sp.at) / 360)::integer AS tenths"                            \
    " FROM b, ticket_events e"                                                                     \
    " CROSS JOIN LATERAL (SELECT d.at FROM ticket_events d"                                        \
    "       WHERE d.ticket_id = e.ticket_id AND d.seq < e.seq AND " HANDOVER                       \
    "       ORDER BY d.seq DESC LIMIT 1) sp"                                                       \
    " WHERE e.action = 'reply' AND e.at >= b.lo AND e.at < b.hi AND e.lead_unit IS NOT NULL"

/* Why a callback, reopen, overdue mark or return of the month is listed. */
#define TICKET_REASONS                                                                             \
    "WITH b AS (SELECT " MONTH_LO " AS lo, " MONTH_HI " AS hi,"                                    \
    "   coalesce((SELECT CASE WHEN count_basic_satisfied THEN 3 ELSE 4 END"                        \
    "             FROM report_settings WHERE id = 1), 3) AS sat_min),"                             \
    " x AS ("                                                                                      \
    "  SELECT e.lead_unit AS unit, e.ticket_id, r.reason"                                          \
    "  FROM b, ticket_events e"                                                                    \
    "  JOIN tickets t ON t.id = e.ticket_id"                                                       \
    "  CROSS JOIN LATERAL unnest(ARRAY["                                                           \
    "     CASE WHEN NOT minhu_report_responded(e) THEN 'not_responded' END,"                       \
    "     CASE WHEN (e.data ->> 'resolved')::boolean IS NOT TRUE THEN 'unresolved' END,"           \
    "     CASE WHEN coalesce((e.data ->> 'satisfaction')::integer, 0) < b.sat_min"                 \
    "          THEN 'unsatisfied' END]) AS r(reason)"                                              \
    "  WHERE e.lead_unit = ANY ($2::text[]) AND e.action = 'callback'"                             \
    "    AND e.at >= b.lo AND e.at < b.hi AND e.to_status = 'closed' AND e.data ? 'contacted'"     \
    "    AND NOT t.unreasonable AND t.status NOT IN " EXCLUDED_STATUSES                            \
    "    AND r.reason IS NOT NULL"                                                                 \
    "  UNION ALL"                                                                                  \
    "  SELECT e.lead_unit, e.ticket_id, 'reopened' FROM b, ticket_events e"                        \
    "  WHERE e.lead_unit = ANY ($2::text[]) AND e.action IN ('callback', 'reopen')"                \
    "    AND e.at >= b.lo AND e.at < b.hi"                                                         \
    "    AND (e.action = 'reopen' OR e.to_status = 'accepted')"                                    \
    "  UNION ALL"                                                                                  \
    "  SELECT e.data ->> 'unit', e.ticket_id,"                                                     \
    "    CASE WHEN e.data ->> 'unit' IS DISTINCT FROM e.lead_unit THEN 'overdue_assist'"           \
    "         ELSE 'overdue_' || (e.data ->> 'clock') END"                                         \
    "  FROM b, ticket_events e"                                                                    \
    "  WHERE e.action = 'sla_overdue' AND (e.data ->> 'unit') = ANY ($2::text[])"                  \
    "    AND e.at >= b.lo AND e.at < b.hi"                                                         \
    "    AND (e.data ->> 'unit' IS DISTINCT FROM e.lead_unit"                                      \
    "         OR e.data ->> 'clock' IN ('accept', 'contact', 'reply'))"                            \
    "  UNION ALL"                                                                                  \
    "  SELECT r.unit, e.ticket_id, 'returned' FROM b, ticket_events e"                             \
    "  CROSS JOIN LATERAL (SELECT q.lead_unit AS unit FROM ticket_events q"                        \
    "        WHERE q.ticket_id = e.ticket_id AND q.seq < e.seq AND q.action = 'request_return'"    \
    "        ORDER BY q.seq DESC LIMIT 1) r"                                                       \
    "  WHERE e.action = 'approve_return' AND e.at >= b.lo AND e.at < b.hi"                         \
    "    AND r.unit = ANY ($2::text[])) "

/* Tickets per reason, the columns named after the reasons (the report's
 * keys), in the bit order of minhu_report_reason_bits(). */
#define REASON_COUNT(BIT, NAME) " count(*) FILTER (WHERE x.bits & " BIT " <> 0) AS " NAME
#define REASON_COUNTS                                                                                                                          \
    REASON_COUNT("1", "not_responded")                                                                                                         \
    "," REASON_COUNT("2", "overdue_accept") "," REASON_COUNT("4", "overdue_assist") "," REASON_COUNT("8", "overdue_contact") "," REASON_COUNT( \
        "16",                                                                                                                                  \
        "overdue_reply") "," REASON_COUNT("32",                                                                                                \
                                          "reopened") "," REASON_COUNT("64",                                                                   \
                                                                       "returned") "," REASON_COUNT("128",                                     \
                                                                                                    "unresolved") "," REASON_COUNT("256",      \
                                                                                                                                   "unsatisfied")

/* One row per (unit, ticket) of x(unit, ticket_id, reason). */
#define TICKET_ROWS                                                                                \
    "SELECT x.unit, t.number, t.id::text, t.title, t.category, c.name,"                            \
    " t.status, string_agg(DISTINCT x.reason, ',' ORDER BY x.reason),"                             \
    " t.cb_contacted, t.cb_resolved, t.cb_satisfaction "                                           \
    "FROM x JOIN tickets t ON t.id = x.ticket_id"                                                  \
    " LEFT JOIN categories c ON c.code = t.category "                                              \
    "GROUP BY x.unit, t.id, c.name "                                                               \
    "ORDER BY x.unit, t.number"

/* Tickets created in [FROM, $1's month end): the id range first (ids are
 * UUIDv7, time-ordered), so the primary key does the work. */
#define CREATED_IN(FROM)                                                                           \
    " t.id >= minhu_uuid7_floor(" FROM ") AND t.id < minhu_uuid7_floor(" MONTH_HI ")"              \
    " AND t.created_at >= " FROM " AND t.created_at < " MONTH_HI
#define THREE_BEFORE "((($1::date) - interval '3 months') AT TIME ZONE 'Asia/Shanghai')"
#define CREATED_IN_FOUR_MONTHS CREATED_IN(THREE_BEFORE)
#define ALL_SUMS SUMMARY_SUMS("$1::date", "")
#define ALL_MEDIAN SUMMARY_MEDIAN("")

/* Hotspots: tickets created in $1's month (n) and in the three months before
 * (prev3) per category, area and address ($2: how many addresses).  Rows
 * come by n, highest first: the decoder's and the builder's contract.  For
 * the month in progress the months before count over the same span (the
 * same days and hours since the 1st), so that a month so far is compared
 * like with like. */
#define PREV3                                                                                      \
    " count(*) FILTER (WHERE t.created_at < " MONTH_LO " AND (now() >= " MONTH_HI                  \
    "   OR t.created_at - (date_trunc('month', t.created_at AT TIME ZONE 'Asia/Shanghai')"         \
    "      AT TIME ZONE 'Asia/Shanghai') < now() - " MONTH_LO "))::int AS prev3"

const char store_report_hot_categories_sql[] =
    "SELECT g.category, c.name, g.n, g.prev3 "
    "FROM (SELECT t.category,"
    "  count(*) FILTER (WHERE t.created_at >= " MONTH_LO ")::int AS n," PREV3
    " FROM tickets t WHERE" CREATED_IN_FOUR_MONTHS " GROUP BY t.category) g"
    " LEFT JOIN categories c ON c.code = g.category "
    "ORDER BY g.n DESC, g.category";

const char store_report_hot_areas_sql[] =
    "SELECT g.area, u.name, g.n, g.prev3 "
    "FROM (SELECT t.area,"
    "  count(*) FILTER (WHERE t.created_at >= " MONTH_LO ")::int AS n," PREV3
    " FROM tickets t WHERE" CREATED_IN_FOUR_MONTHS "   AND t.area IS NOT NULL"
    " GROUP BY t.area) g"
    " LEFT JOIN units u ON u.code = g.area "
    "ORDER BY g.n DESC, g.area";

const char store_report_hot_addresses_sql[] =
    "SELECT g.area, u.name, g.address, g.n, g.prev3 "
    "FROM (SELECT t.area, t.address,"
    "  count(*) FILTER (WHERE t.created_at >= " MONTH_LO ")::int AS n," PREV3
    " FROM tickets t WHERE" CREATED_IN_FOUR_MONTHS "   AND t.address IS NOT NULL"
    " GROUP BY t.area, t.address) g"
    " LEFT JOIN units u ON u.code = g.area "
    "WHERE g.n > 0 "
    "ORDER BY g.n DESC, g.address "
    "LIMIT $2::int";

static const ReportStmt report_stmts[REPORT__COUNT] = {
    [REPORT_RANKING] = {store_report_ranking_sql, 2},

    [REPORT_FAST_ALL] = {"WITH s AS (" ALL_SUMS "), med AS (" ALL_MEDIAN ") "
                         "SELECT coalesce(s.unit, med.unit), " RANK_FIGURES ", med.median::text "
                         "FROM s FULL JOIN med ON med.unit = s.unit ORDER BY 1",
                         1},

    [REPORT_BASELINE] = {BASELINE_QUERY " ORDER BY us.unit", 1},

    /* Each black-listed unit's tickets from its marks alone (x: one row
     * per ticket, its reasons as bits; c: the unit's counts, on every row),
     * then only the tickets listed are read, by primary key, in id order. */
    [REPORT_TICKETS] =
        {"WITH x AS MATERIALIZED ("
         "  SELECT m.unit, m.ticket_id, bit_or(minhu_report_reason_bits(m, s.sat_min)) AS bits"
         "  FROM report_marks m, (SELECT coalesce((SELECT CASE WHEN count_basic_satisfied"
         "     THEN 3 ELSE 4 END FROM report_settings WHERE id = 1), 3) AS sat_min) s"
         "  WHERE m.month = $1::date AND m.unit = ANY ($2::text[])"
         "  GROUP BY m.unit, m.ticket_id),"
         " c AS (SELECT x.unit, count(*) AS total," REASON_COUNTS " FROM x WHERE x.bits <> 0"
         "  GROUP BY x.unit),"
         " y AS (SELECT x.unit, x.ticket_id, x.bits, row_number() OVER (PARTITION BY x.unit"
         "  ORDER BY minhu_report_reason_count(x.bits) DESC, x.ticket_id) AS rn"
         "  FROM x WHERE x.bits <> 0),"
         " l AS (SELECT y.unit, y.bits, t.* FROM (SELECT * FROM y"
         "   WHERE $3::integer IS NULL OR y.rn <= $3::integer ORDER BY y.ticket_id) y"
         "  CROSS JOIN LATERAL (SELECT t.number, t.id, t.title, t.category, t.status,"
         "   t.cb_contacted, t.cb_resolved, t.cb_satisfaction FROM tickets t"
         "   WHERE t.id = y.ticket_id LIMIT 1) t OFFSET 0) "
         "SELECT l.unit, l.number, l.id::text, l.title, l.category, g.name, l.status,"
         " minhu_report_reason_names(l.bits), l.cb_contacted, l.cb_resolved, l.cb_satisfaction,"
         " c.* "
         "FROM l JOIN c ON c.unit = l.unit LEFT JOIN categories g ON g.code = l.category "
         "ORDER BY l.unit, CASE WHEN $3::integer IS NULL THEN 0"
         " ELSE -minhu_report_reason_count(l.bits) END, l.number",
         3},

    [REPORT_TICKETS_RAW] = {TICKET_REASONS TICKET_ROWS, 2},

    [REPORT_TREND] = {"SELECT to_char(r.month, 'YYYY-MM') AS m, NULL::text AS unit,"
                      " sum(r.population)::int, sum(r.responded)::int, sum(r.resolved)::int,"
                      " sum(r.sat_good)::int, sum(r.sat_basic)::int "
                      "FROM report_unit_month r "
                      "WHERE r.month > ($1::date - interval '12 months') AND r.month <= $1::date "
                      "GROUP BY r.month "
                      "UNION ALL "
                      "SELECT to_char(r.month, 'YYYY-MM'), r.unit,"
                      " sum(r.population)::int, sum(r.responded)::int, sum(r.resolved)::int,"
                      " sum(r.sat_good)::int, sum(r.sat_basic)::int "
                      "FROM report_unit_month r "
                      "WHERE r.month > ($1::date - interval '12 months') AND r.month <= $1::date"
                      " AND r.unit = ANY ($2::text[]) "
                      "GROUP BY r.month, r.unit "
                      "ORDER BY 1, 2 NULLS FIRST",
                      2},

    [REPORT_HOT_CATEGORIES] = {store_report_hot_categories_sql, 1},
    [REPORT_HOT_AREAS] = {store_report_hot_areas_sql, 1},
    [REPORT_HOT_ADDRESSES] = {store_report_hot_addresses_sql, 2},

    [REPORT_OVERDUE] =
        {"SELECT t.number, t.id::text, t.status, t.lead_unit, u.name, t.category, c.name,"
         " t.title, t.urgency, k.clock, minhu_ms(k.due),"
         " floor(extract(epoch FROM now() - k.due) / 60)::bigint "
         "FROM tickets t"
         " CROSS JOIN LATERAL (SELECT x.clock, minhu_clock_due(t, x.clock) AS due"
         "       FROM unnest(ARRAY['dispatch', 'accept', 'contact', 'reply', 'callback'])"
         "            AS x(clock)"
         "       WHERE minhu_clock_running(t, x.clock)) k"
         " LEFT JOIN units u ON u.code = t.lead_unit"
         " LEFT JOIN categories c ON c.code = t.category "
         "WHERE t.status IN ('pending_dispatch', 'dispatched', 'accepted', 'return_requested',"
         "                   'replied')"
         "  AND ($1::text IS NULL OR t.lead_unit = $1) AND k.due < now() "
         "ORDER BY k.due, t.number",
         1},

    [REPORT_NOW] = {"SELECT minhu_ms(now())", 0},

    [REPORT_GEN_UNITS] = {"SELECT code, kind, coalesce(parent, ''), coalesce(population, 0), name"
                          " FROM units WHERE active ORDER BY code",
                          0},

    [REPORT_GEN_CATEGORIES] = {"SELECT c.code, c.name, coalesce(c.parent, ''),"
                               " coalesce((SELECT p.name FROM categories p"
                               "           WHERE p.code = c.parent), '') "
                               "FROM categories c WHERE c.active AND NOT EXISTS"
                               " (SELECT 1 FROM categories k WHERE k.parent = c.code AND k.active) "
                               "ORDER BY c.code",
                               0},

    [REPORT_GEN_TOKEN] = {"INSERT INTO tokens (token_hash, role, name, revoked_at)"
                          " VALUES (sha256(convert_to($1, 'UTF8')), 'operator', 'minhu-gen', now())"
                          " RETURNING id",
                          1},

    [REPORT_GEN_NUMBERS] = {"SELECT setval('ticket_number_seq',"
                            " nextval('ticket_number_seq') + $1::bigint - 1)",
                            1},

    [REPORT_GEN_SUPERUSER] = {"SELECT current_setting('is_superuser') = 'on'", 0},

    [REPORT_GEN_BULK] = {"SET LOCAL session_replication_role = replica", 0},

    [REPORT_GEN_COPY_TICKETS] =
        {"COPY tickets (id, number, status, version, channel, nature, urgency, category, area,"
         " address, title, description, caller_name, caller_phone, anonymous, confidential,"
         " callback_wanted, created_by, created_by_token, lead_unit, created_at, dispatched_at,"
         " accepted_at, contacted_at, replied_at, closed_at, dispatch_due, accept_due,"
         " contact_due, reply_due, callback_due, return_due, overdue, result, cb_contacted,"
         " cb_resolved, cb_satisfaction, cb_at, ext_state, ext_until, ext_approved_count,"
         " reopen_count, return_count, problem, unreasonable, unreasonable_reason, updated_at,"
         " dispatch_start, accept_start, contact_start, reply_start, callback_start,"
         " return_start, next_due) FROM STDIN",
         0},

    [REPORT_GEN_COPY_EVENTS] = {"COPY ticket_events (ticket_id, seq, at, action, actor, actor_role,"
                                " unit, from_status, to_status, note, data, lead_unit) FROM STDIN",
                                0},

    [REPORT_GEN_ANALYZE] = {"ANALYZE tickets, ticket_events, report_unit_month, report_handling,"
                            " report_marks",
                            0},

    [REPORT_GEN_TMP_SUMMARY] = {"CREATE TEMP TABLE gen_unit_month (LIKE report_unit_month)"
                                " ON COMMIT DROP",
                                0},

    [REPORT_GEN_TMP_HANDLING] = {"CREATE TEMP TABLE gen_handling (LIKE report_handling)"
                                 " ON COMMIT DROP",
                                 0},

    [REPORT_GEN_COPY_SUMMARY] = {"COPY gen_unit_month (month, unit, slot, population, responded,"
                                 " resolved, sat_good, sat_basic, volume, returns, reopens,"
                                 " extensions, overdue_accept, overdue_contact, overdue_reply,"
                                 " overdue_assist) FROM STDIN",
                                 0},

    [REPORT_GEN_COPY_HANDLING] = {"COPY gen_handling (month, unit, tenths, slot, n) FROM STDIN", 0},

    [REPORT_GEN_COPY_MARKS] = {"COPY report_marks (month, unit, ticket_id, seq, reason, responded,"
                               " resolved, satisfaction) FROM STDIN",
                               0},

    /* Adds the generated figures to what the summary already holds. */
    [REPORT_GEN_MERGE_SUMMARY] =
        {"INSERT INTO report_unit_month AS r SELECT * FROM gen_unit_month "
         "ON CONFLICT (month, unit, slot) DO UPDATE SET"
         " population = r.population + EXCLUDED.population,"
         " responded = r.responded + EXCLUDED.responded,"
         " resolved = r.resolved + EXCLUDED.resolved,"
         " sat_good = r.sat_good + EXCLUDED.sat_good,"
         " sat_basic = r.sat_basic + EXCLUDED.sat_basic,"
         " volume = r.volume + EXCLUDED.volume, returns = r.returns + EXCLUDED.returns,"
         " reopens = r.reopens + EXCLUDED.reopens,"
         " extensions = r.extensions + EXCLUDED.extensions,"
         " overdue_accept = r.overdue_accept + EXCLUDED.overdue_accept,"
         " overdue_contact = r.overdue_contact + EXCLUDED.overdue_contact,"
         " overdue_reply = r.overdue_reply + EXCLUDED.overdue_reply,"
         " overdue_assist = r.overdue_assist + EXCLUDED.overdue_assist",
         0},

    [REPORT_GEN_MERGE_HANDLING] = {"INSERT INTO report_handling AS h SELECT * FROM gen_handling "
                                   "ON CONFLICT (month, unit, tenths, slot)"
                                   " DO UPDATE SET n = h.n + EXCLUDED.n",
                                   0},
};

const ReportStmt *
store_report_stmt(ReportStmtId id)
{
    if ((unsigned) id >= REPORT__COUNT)
        return NULL;
    return &report_stmts[id];
}

static const char *const figure_names[RF__COUNT] = {
    "population",      "responded",     "resolved",       "sat_good",   "sat_basic",
    "volume",          "returns",       "reopens",        "extensions", "overdue_accept",
    "overdue_contact", "overdue_reply", "overdue_assist",
};

const char *
report_figure_name(ReportFigure f)
{
    return (unsigned) f < RF__COUNT ? figure_names[f] : "";
}

int
store_report_tenths(const char *text)
{
    long whole = 0;
    int tenth = 0;
    const char *p = text;

    if (text == NULL || text[0] == '\0')
        return -1;
    while (*p >= '0' && *p <= '9')
        whole = whole * 10 + (*p++ - '0');
    if (*p == '.' && p[1] >= '0' && p[1] <= '9')
        tenth = p[1] - '0';
    return (int) (whole * 10 + tenth);
}

static int
int_at(const PGresult *r, int row, int col)
{
    return atoi(PQgetvalue(r, row, col));
}

Err
store_report_ranking_decode(const PGresult *r, RankUnit **units, size_t *n, RankSettings *s,
                            ErrInfo *ei)
{
    Err rc = ERR_INTERNAL;
    RankUnit *u = NULL; /* owned until handed out */
    int rows = PQntuples(r);

    *units = NULL;
    *n = 0;
    ranking_settings_default(s);
    if (PQnfields(r) != 28) {
        err_set(ei, ERR_INTERNAL, NULL, "ranking rows have %d columns, expected 28", PQnfields(r));
        goto done;
    }
    u = calloc(rows > 0 ? (size_t) rows : 1, sizeof *u);
    if (u == NULL) {
        err_set(ei, ERR_INTERNAL, NULL, "out of memory");
        goto done;
    }
    for (int i = 0; i < rows; i++) {
        RankUnit *x = &u[i];
        int c = 3;

        x->code = PQgetvalue(r, i, 0);
        x->name = PQgetvalue(r, i, 1);
        x->kind = PQgetvalue(r, i, 2);
        x->cur.population = int_at(r, i, c++);
        x->cur.responded = int_at(r, i, c++);
        x->cur.resolved = int_at(r, i, c++);
        x->cur.sat_good = int_at(r, i, c++);
        x->cur.sat_basic = int_at(r, i, c++);
        x->volume = int_at(r, i, c++);
        x->returns = int_at(r, i, c++);
        x->reopens = int_at(r, i, c++);
        x->extensions = int_at(r, i, c++);
        for (int o = 0; o < RANK_OVERDUE__COUNT; o++)
            x->overdue[o] = int_at(r, i, c++);
        x->median_tenths = PQgetisnull(r, i, c) ? -1 : store_report_tenths(PQgetvalue(r, i, c));
        c++;
        x->prev.population = int_at(r, i, c++);
        x->prev.responded = int_at(r, i, c++);
        x->prev.resolved = int_at(r, i, c++);
        x->prev.sat_good = int_at(r, i, c++);
        x->prev.sat_basic = int_at(r, i, c++);
        if (i == 0) {
            s->w.response = int_at(r, i, c++);
            s->w.resolution = int_at(r, i, c++);
            s->w.satisfaction = int_at(r, i, c++);
            s->count_basic = PQgetvalue(r, i, c++)[0] == 't';
            s->min_population = int_at(r, i, c++);
            s->list_size = int_at(r, i, c++);
        }
    }
    if (!ranking_settings_valid(s)) {
        err_set(ei, ERR_INTERNAL, NULL, "the report settings in the database are not valid");
        goto done;
    }
    *units = u;
    *n = (size_t) rows;
    u = NULL;
    rc = ERR_OK;
done:
    free(u);
    return rc;
}

Err
store_report_hot_decode(const PGresult *r, HotspotList list, HotspotRows *out, ErrInfo *ei)
{
    Err rc = ERR_INTERNAL;
    HotspotRow *rows = NULL; /* owned until handed out */
    int nrows = PQntuples(r), col = list == HOTSPOT_ADDRESSES ? 3 : 2;

    out->rows = NULL;
    out->n = 0;
    if ((unsigned) list >= HOTSPOT__COUNT || PQnfields(r) != col + 2) {
        err_set(ei, ERR_INTERNAL, NULL, "hotspot rows have %d columns, expected %d", PQnfields(r),
                col + 2);
        goto done;
    }
    rows = calloc(nrows > 0 ? (size_t) nrows : 1, sizeof *rows);
    if (rows == NULL) {
        err_set(ei, ERR_INTERNAL, NULL, "out of memory");
        goto done;
    }
    for (int i = 0; i < nrows; i++) {
        HotspotRow *x = &rows[i];

        x->code = PQgetisnull(r, i, 0) ? NULL : PQgetvalue(r, i, 0);
        x->name = PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1);
        x->address = list == HOTSPOT_ADDRESSES ? PQgetvalue(r, i, 2) : NULL;
        x->count = int_at(r, i, col);
        x->previous = int_at(r, i, col + 1);
    }
    out->rows = rows;
    out->n = (size_t) nrows;
    rows = NULL;
    rc = ERR_OK;
done:
    free(rows);
    return rc;
}
