-- 009_audit.sql — a tamper-evident event log: every event carries a hash that
-- chains it to the previous event of its ticket.
--
--   hash      = sha256(prev_hash || minhu_event_content(event))
--   prev_hash = the hash of the ticket's event with the next lower seq (NULL
--               for the first event)
--
-- A BEFORE INSERT trigger computes both, so every path that writes an event
-- (the API, the SLA timers, imports and generators, psql) is covered, and no
-- writer can choose its own hash.  ticket_events is already append-only
-- (001_init.sql); the chain makes an edit that bypasses that trigger (a
-- superuser disabling it, a restore of an altered dump, a change to the data
-- files) visible to `minhu-admin verify`, which recomputes every chain with
-- minhu_audit_verify() below.
--
-- The trigger is named to fire after every other BEFORE INSERT trigger
-- (PostgreSQL fires them in name order), so it hashes the row as stored.

ALTER TABLE ticket_events ADD COLUMN prev_hash bytea, ADD COLUMN hash bytea;

-- The bytes an event's hash covers: every column the API shows or reports
-- count, as one JSON array.  jsonb's text form is canonical (object keys
-- sorted, no insignificant space) and the time is epoch microseconds, so the
-- bytes do not depend on the session's time zone or DateStyle.
CREATE FUNCTION minhu_event_content(e ticket_events) RETURNS bytea
    LANGUAGE sql STABLE AS $$
    SELECT convert_to(jsonb_build_array(
        e.ticket_id::text, e.seq, (extract(epoch FROM e.at) * 1000000)::bigint, e.action,
        e.actor, e.actor_role, e.unit, e.from_status, e.to_status, e.note, e.data,
        e.lead_unit)::text, 'UTF8')
$$;

CREATE FUNCTION minhu_event_hash(e ticket_events, prev bytea) RETURNS bytea
    LANGUAGE sql STABLE AS $$
    SELECT sha256(coalesce(prev, ''::bytea) || minhu_event_content(e))
$$;

-- Events of one ticket are written one transaction at a time (each holds the
-- ticket's row, or creates it), so the previous event is committed or was
-- written earlier by the same statement, which a row-level BEFORE trigger sees.
CREATE FUNCTION minhu_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT p.hash INTO NEW.prev_hash
    FROM ticket_events p
    WHERE p.ticket_id = NEW.ticket_id AND p.seq < NEW.seq
    ORDER BY p.seq DESC
    LIMIT 1;
    NEW.hash := minhu_event_hash(NEW, NEW.prev_hash);
    RETURN NEW;
END
$$;

-- Events written before this migration get their chain now (the append-only
-- trigger is set aside for this one update, inside the migration's
-- transaction).
ALTER TABLE ticket_events DISABLE TRIGGER ticket_events_append_only;
DO $$
DECLARE
    e     ticket_events;
    prev  bytea;
    last  uuid;
BEGIN
    FOR e IN SELECT * FROM ticket_events ORDER BY ticket_id, seq LOOP
        IF last IS DISTINCT FROM e.ticket_id THEN
            prev := NULL;
            last := e.ticket_id;
        END IF;
        UPDATE ticket_events SET prev_hash = prev, hash = minhu_event_hash(e, prev)
        WHERE ticket_id = e.ticket_id AND seq = e.seq
        RETURNING hash INTO prev;
    END LOOP;
END
$$;
ALTER TABLE ticket_events ENABLE TRIGGER ticket_events_append_only;

CREATE TRIGGER ticket_events_zz_chain BEFORE INSERT ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION minhu_event_chain();

-- ALWAYS: these fire in a session with session_replication_role = replica
-- too (bulk loads set it to skip the report triggers), so neither the chain
-- nor the append-only rule can be set aside that way.
ALTER TABLE ticket_events ENABLE ALWAYS TRIGGER ticket_events_zz_chain;
ALTER TABLE ticket_events ENABLE ALWAYS TRIGGER ticket_events_append_only;
ALTER TABLE ticket_events ENABLE ALWAYS TRIGGER ticket_events_no_truncate;

ALTER TABLE ticket_events ALTER COLUMN hash SET NOT NULL;

-- Every broken link, the first one per ticket: an event whose hash is not
-- the hash of its content chained to the previous event's stored hash, a
-- prev_hash that is not that previous hash, a gap in seq (an event removed),
-- a ticket whose version is past its last event (the last events removed),
-- or a ticket without events.  No row: every chain holds.
CREATE FUNCTION minhu_audit_verify()
    RETURNS TABLE (ticket_id uuid, number text, seq integer, problem text)
    LANGUAGE sql STABLE AS $$
    WITH chain AS (
        SELECT e.ticket_id, e.seq, e.hash, e.prev_hash,
               minhu_event_hash(e, lag(e.hash) OVER w) AS expect,
               lag(e.hash) OVER w AS chained,
               coalesce(lag(e.seq) OVER w, 0) AS prev_seq
        FROM ticket_events e
        WINDOW w AS (PARTITION BY e.ticket_id ORDER BY e.seq)
    ), broken AS (
        SELECT c.ticket_id, c.seq,
               CASE WHEN c.seq <> c.prev_seq + 1
                        THEN format('event %s missing', c.prev_seq + 1)
                    WHEN c.prev_hash IS DISTINCT FROM c.chained
                        THEN 'prev_hash is not the previous event''s hash'
                    ELSE 'hash does not match the event''s content' END AS problem
        FROM chain c
        WHERE c.seq <> c.prev_seq + 1 OR c.prev_hash IS DISTINCT FROM c.chained
           OR c.hash IS DISTINCT FROM c.expect
        UNION ALL
        SELECT t.id, coalesce(l.last, 0) + 1, format('ticket is at version %s, its last event is %s',
                                         t.version, coalesce(l.last, 0))
        FROM tickets t
        LEFT JOIN LATERAL (SELECT max(e.seq) AS last FROM ticket_events e
                           WHERE e.ticket_id = t.id) l ON true
        WHERE l.last IS DISTINCT FROM t.version
    )
    SELECT DISTINCT ON (b.ticket_id) b.ticket_id, t.number, b.seq, b.problem
    FROM broken b LEFT JOIN tickets t ON t.id = b.ticket_id
    ORDER BY b.ticket_id, b.seq
$$;
