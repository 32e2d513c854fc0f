-- R_open311.sql — what the Open311 GeoReport v2 endpoint reads (docs/open311.md).
-- Re-applied by every `minhu-admin migrate` (CREATE OR REPLACE only); its
-- index is in 008_open311.sql.
--
-- It runs before R_ticket_json.sql (files apply in name order), so it uses
-- none of that file's functions.  Only tickets taken in through Open311
-- (channel 'open311') and not confidential are ever read here, and nothing of
-- the caller: GET requests is public (domain.md §6).

-- One service request's facts, for minhud to shape into the specification's
-- fields (status mapping and notes are core's: lib/core/open311.c).  Times are
-- epoch milliseconds; status_ms is when the status last changed.
CREATE OR REPLACE FUNCTION minhu_open311_request_json(t tickets) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT json_build_object(
    'number', t.number,
    'status', t.status,
    'result', t.result,
    'merged_into', (SELECT m.number FROM tickets m WHERE m.id = t.merged_into),
    'service_code', t.category,
    'service_name', (SELECT c.name FROM categories c WHERE c.code = t.category),
    'description', t.description,
    'agency', (SELECT u.name FROM units u WHERE u.code = t.lead_unit),
    'requested_ms', round(extract(epoch FROM t.created_at) * 1000)::bigint,
    'updated_ms', round(extract(epoch FROM t.updated_at) * 1000)::bigint,
    'status_ms', (SELECT round(extract(epoch FROM max(e.at)) * 1000)::bigint
                  FROM ticket_events e
                  WHERE e.ticket_id = t.id AND e.from_status IS DISTINCT FROM e.to_status),
    'reply_due_ms', round(extract(epoch FROM t.reply_due) * 1000)::bigint,
    'address', t.address,
    'address_id', t.area,
    'lat', t.lat,
    'long', t.lon,
    'media_url', (SELECT e.data ->> 'media_url' FROM ticket_events e
                  WHERE e.ticket_id = t.id AND e.seq = 1)
)
$$;
