-- R_ticket_json.sql — how a ticket looks in the API, built where the data is.
-- Re-applied by every `minhu-admin migrate` (CREATE OR REPLACE only).
--
-- The functions with a query inside are PL/pgSQL, not SQL: PostgreSQL cannot
-- inline a SQL function whose body has a FROM or a subquery, and then plans
-- its body again in every statement that calls it (0.6 ms for
-- minhu_ticket_json, more than the rest of a read); PL/pgSQL keeps the plan
-- for the session (docs/performance.md, "HTTP engine").  The generic plan is
-- forced: left to choose, PostgreSQL keeps planning anew for each call, since
-- a plan made for the actual values (a NULL lead unit, no events wanted)
-- always looks cheaper than the generic one.
--
-- Times come out as RFC 3339 in the session's TimeZone (the server and tools
-- set Asia/Shanghai).  The caller block is complete here: minhud masks it per
-- role (lib/core/mask.c) before it leaves the process.

CREATE OR REPLACE FUNCTION minhu_ts(ms bigint) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT to_timestamp(ms / 1000.0) $$;

CREATE OR REPLACE FUNCTION minhu_ms(t timestamptz) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT round(extract(epoch FROM t) * 1000)::bigint $$;

-- The resident's 6-digit query code of a ticket: a keyed hash of its id.
-- $1, not the name id: inside the body a bare id is the column minhu_secret.id
-- (always 1), which gave every ticket the same code.
CREATE OR REPLACE FUNCTION minhu_query_code(id uuid) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN (SELECT lpad(((('x' || encode(substr(sha256(s.key || convert_to($1::text, 'UTF8')),
                                                1, 4), 'hex'))::bit(32)::bigint % 1000000))::text,
                        6, '0')
            FROM minhu_secret s WHERE s.id = 1);
END
$$;

CREATE OR REPLACE FUNCTION minhu_unit_json(code text) RETURNS json
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN (SELECT json_build_object('code', u.code, 'name', u.name, 'kind', u.kind)
            FROM units u WHERE u.code = $1);
END
$$;

CREATE OR REPLACE FUNCTION minhu_ticket_json(t tickets, with_events boolean) RETURNS json
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET plan_cache_mode = force_generic_plan AS $$
BEGIN
RETURN json_build_object(
    'id', t.id,
    'number', t.number,
    'status', t.status,
    'version', t.version,
    'channel', t.channel,
    'nature', t.nature,
    'urgency', t.urgency,
    'category', (SELECT json_build_object('code', c.code, 'name', c.name)
                 FROM categories c WHERE c.code = t.category),
    'area', (SELECT json_build_object('code', u.code, 'name', u.name, 'kind', u.kind)
             FROM units u WHERE u.code = t.area),
    'address', t.address,
    'location', CASE WHEN t.lat IS NULL THEN NULL
                     ELSE json_build_object('lat', t.lat, 'lon', t.lon) END,
    'title', t.title,
    'description', t.description,
    'caller', json_build_object('name', t.caller_name, 'phone', t.caller_phone,
                                'anonymous', t.anonymous, 'confidential', t.confidential),
    'callback_wanted', t.callback_wanted,
    'lead_unit', minhu_unit_json(t.lead_unit),
    'assists', coalesce((SELECT json_agg(json_build_object(
                                'unit', minhu_unit_json(a.unit), 'status', a.status,
                                'summoned_at', a.summoned_at, 'due_at', a.due_at,
                                'accepted_at', a.accepted_at, 'replied_at', a.replied_at)
                             ORDER BY a.summoned_at, a.unit)
                         FROM ticket_assists a WHERE a.ticket_id = t.id), '[]'::json),
    'deadlines', json_build_object('dispatch', t.dispatch_due, 'accept', t.accept_due,
                                   'contact', t.contact_due, 'reply', t.reply_due,
                                   'callback', t.callback_due, 'return_window', t.return_due),
    'warned', to_json(t.warned),
    'overdue', to_json(t.overdue),
    'created_at', t.created_at,
    'dispatched_at', t.dispatched_at,
    'accepted_at', t.accepted_at,
    'contacted_at', t.contacted_at,
    'replied_at', t.replied_at,
    'closed_at', t.closed_at,
    'suspended_at', t.suspended_at,
    'extension', CASE WHEN t.ext_state IS NULL THEN NULL
                      ELSE json_build_object('state', t.ext_state, 'until', t.ext_until,
                                             'reason', t.ext_reason) END,
    'result', t.result,
    'callback', CASE WHEN t.cb_at IS NULL THEN NULL
                     ELSE json_build_object('contacted', t.cb_contacted,
                                            'resolved', t.cb_resolved,
                                            'satisfaction', t.cb_satisfaction,
                                            'at', t.cb_at) END,
    'reopen_count', t.reopen_count,
    'return_count', t.return_count,
    'problem', t.problem,
    'unreasonable', t.unreasonable,
    'unreasonable_reason', t.unreasonable_reason,
    'merged_into', (SELECT m.number FROM tickets m WHERE m.id = t.merged_into),
    'created_by', t.created_by,
    'events', CASE WHEN with_events THEN
        coalesce((SELECT json_agg(json_build_object(
                         'seq', e.seq, 'at', e.at, 'action', e.action, 'actor', e.actor,
                         'unit', e.unit, 'from', e.from_status, 'to', e.to_status,
                         'note', e.note, 'data', e.data) ORDER BY e.seq)
                  FROM ticket_events e WHERE e.ticket_id = t.id), '[]'::json)
        END
);
END
$$;

-- The resident's view: nothing that domain.md §6 keeps private (no caller,
-- no address, no internal notes).  NULL when the number or the code is wrong.
CREATE OR REPLACE FUNCTION minhu_public_json(num text, code text) RETURNS json
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET plan_cache_mode = force_generic_plan AS $$
BEGIN
RETURN (SELECT json_build_object(
    'number', t.number,
    'status', t.status,
    'category', (SELECT json_build_object('code', c.code, 'name', c.name)
                 FROM categories c WHERE c.code = t.category),
    'title', t.title,
    'unit', (SELECT json_build_object('name', u.name) FROM units u WHERE u.code = t.lead_unit),
    'created_at', t.created_at,
    'dispatched_at', t.dispatched_at,
    'accepted_at', t.accepted_at,
    'replied_at', t.replied_at,
    'closed_at', t.closed_at,
    'deadline', CASE WHEN t.status IN ('dispatched', 'accepted', 'return_requested', 'suspended')
                     THEN t.reply_due END,
    'result', CASE WHEN t.status IN ('replied', 'closed', 'answered') THEN t.result END,
    'timeline', coalesce((SELECT json_agg(json_build_object('at', e.at, 'action', e.action,
                                                            'status', e.to_status)
                                          ORDER BY e.seq)
                          FROM ticket_events e
                          WHERE e.ticket_id = t.id
                            AND e.action NOT IN ('note', 'flag_unreasonable')), '[]'::json)
)
FROM tickets t
WHERE t.number = minhu_public_json.num
  AND minhu_query_code(t.id) = minhu_public_json.code);
END
$$;
