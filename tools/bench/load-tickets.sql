-- load-tickets.sql — minhu-bench's loader when `minhu-admin gen` cannot run:
-- :count closed tickets, numbers :first + 1 .. :first + :count of :total,
-- spread evenly over the year before now (time-ordered ids, as minhud makes
-- them), each with its five events (intake, accept, contact, reply,
-- callback), routed to the nine street offices of 莲湖区.
--
-- A throwaway benchmark database only: in this transaction the report
-- triggers and foreign-key checks are skipped (session_replication_role =
-- replica) and the audit chain trigger is set aside, each event getting a
-- hash of its own content instead of a chained one — what is measured here
-- is how tables and indexes of that size behave, not how fast they load.
BEGIN;
SET LOCAL session_replication_role = replica;
ALTER TABLE ticket_events DISABLE TRIGGER ticket_events_zz_chain;
WITH s AS (
    SELECT g, nextval('ticket_number_seq') AS n,
           now() - interval '365 days' + (:first + g) * (interval '365 days' / :total) AS t,
           '61010400' || (1 + (:first + g) % 9) AS unit
    FROM generate_series(1, :count) AS g
), t AS (
    INSERT INTO tickets (id, number, status, version, channel, nature, urgency, category, area,
                         address, title, description, caller_name, caller_phone, created_by,
                         created_by_token, lead_unit, created_at, dispatched_at, accepted_at,
                         contacted_at, replied_at, closed_at, result, cb_contacted, cb_resolved,
                         cb_satisfaction, cb_at, updated_at)
    SELECT (lpad(to_hex(minhu_ms(s.t)), 12, '0') || '7000' || '8' ||
            lpad(to_hex(s.n % 281474976710656), 15, '0'))::uuid,
           to_char(s.t AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') ||
               lpad((s.n % 100000000)::text, 8, '0'),
           'closed', 5, 'phone', 'complaint', 'normal', '0301', s.unit, '莲湖区某小区 5 号楼',
           '夜间施工噪声', '小区旁工地每晚十一点后仍在施工，影响休息。', '王某某',
           '138' || lpad((s.n % 100000000)::text, 8, '0'), 'bench-load', :token, s.unit, s.t, s.t,
           s.t + interval '1 hour', s.t + interval '2 hours', s.t + interval '2 days',
           s.t + interval '3 days', '已责令工地夜间停工', true, true, 5, s.t + interval '3 days',
           s.t + interval '3 days'
    FROM s
    RETURNING id, created_at, lead_unit
)
INSERT INTO ticket_events (ticket_id, seq, at, action, actor, actor_role, unit, from_status,
                           to_status, note, data, lead_unit, prev_hash, hash)
SELECT t.id, e.seq, t.created_at + e.after, e.action, e.actor, e.role,
       CASE WHEN e.role = 'unit' THEN t.lead_unit END, e.f, e.to_, NULL, e.data, t.lead_unit,
       NULL, sha256(convert_to(t.id::text || e.seq, 'UTF8'))
FROM t CROSS JOIN (VALUES
    (1, interval '0', 'intake', 'bench-load', 'operator', NULL, 'dispatched',
     '{"channel": "phone", "nature": "complaint", "urgency": "normal", "category": "0301"}'::jsonb),
    (2, interval '1 hour', 'accept', 'bench-unit', 'unit', 'dispatched', 'accepted', NULL),
    (3, interval '2 hours', 'contact', 'bench-unit', 'unit', 'accepted', 'accepted', NULL),
    (4, interval '2 days', 'reply', 'bench-unit', 'unit', 'accepted', 'replied', NULL),
    (5, interval '3 days', 'callback', 'bench-load', 'operator', 'replied', 'closed',
     '{"contacted": true, "resolved": true, "satisfaction": 5}'::jsonb)
) AS e(seq, after, action, actor, role, f, to_, data);
ALTER TABLE ticket_events ENABLE ALWAYS TRIGGER ticket_events_zz_chain;
COMMIT;
