-- R_reports.sql — the monthly assessment summary (and the marks behind it)
-- kept in step with the event log.  Re-applied by every `minhu-admin migrate` (CREATE OR REPLACE only).
--
-- minhu_report_event() runs after every INSERT of an event that moves a
-- figure (the trigger's WHEN list in 004_reports.sql), in the inserting
-- transaction, and adds to report_unit_month / report_handling.  The rules
-- are domain.md §5 as docs/ranking.md spells them out; the same figures are
-- computed by one plain query over the raw tables (REPORT_BASELINE in
-- lib/store/report.c), and tests/integration/test_reports.py holds the two
-- equal.  Nothing here reads the session's TimeZone: months are
-- Asia/Shanghai months.

-- The first day of the Asia/Shanghai month of t.
CREATE OR REPLACE FUNCTION minhu_report_month(t timestamptz) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT date_trunc('month', t AT TIME ZONE 'Asia/Shanghai')::date $$;

-- The smallest UUIDv7 of instant t: ticket ids are UUIDv7 (48-bit
-- millisecond time first), so a range of ids is a range of intake times and
-- the primary key serves "tickets created in a month".
CREATE OR REPLACE FUNCTION minhu_uuid7_floor(t timestamptz) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT (lpad(to_hex(floor(extract(epoch FROM t) * 1000)::bigint), 12, '0')
        || '00000000000000000000')::uuid
$$;

-- The start of handling that event seq of ticket tid belongs to: the last
-- event before it that handed the ticket to a lead unit (dispatch, routed
-- intake, approved return to a named unit).  NULL seq when there is none.
CREATE OR REPLACE FUNCTION minhu_report_span(tid uuid, before integer,
                                             OUT seq integer, OUT at timestamptz)
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    SELECT d.seq, d.at INTO seq, at FROM ticket_events d
    WHERE d.ticket_id = tid AND d.seq < before AND d.to_status = 'dispatched'
      AND d.action IN ('intake', 'dispatch', 'approve_return')
    ORDER BY d.seq DESC LIMIT 1;
END
$$;

-- Whether a closing callback counts as a response (先行联系 in time): the
-- resident said they were contacted, the unit recorded a contact during this
-- handling, and the contact clock never went red (no sla_overdue on the
-- contact clock) before the callback.
CREATE OR REPLACE FUNCTION minhu_report_responded(e ticket_events) RETURNS boolean
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    from_seq integer;
BEGIN
    IF coalesce((e.data ->> 'contacted')::boolean, false) IS NOT TRUE THEN
        RETURN false;
    END IF;
    from_seq := coalesce((minhu_report_span(e.ticket_id, e.seq)).seq, 0);
    RETURN EXISTS (SELECT 1 FROM ticket_events c
                   WHERE c.ticket_id = e.ticket_id AND c.seq > from_seq AND c.seq < e.seq
                     AND c.action = 'contact')
       AND NOT EXISTS (SELECT 1 FROM ticket_events o
                       WHERE o.ticket_id = e.ticket_id AND o.seq > from_seq AND o.seq < e.seq
                         AND o.action = 'sla_overdue' AND o.data ->> 'clock' = 'contact');
END
$$;

-- Whether an event before seq took ticket tid out of scoring for good
-- (flagged unreasonable, or merged, answered, rejected, cancelled).
CREATE OR REPLACE FUNCTION minhu_report_excluded_before(tid uuid, before integer)
    RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM ticket_events x
                   WHERE x.ticket_id = tid AND x.seq < before
                     AND (x.action = 'flag_unreasonable'
                          OR x.to_status IN ('merged', 'answered', 'rejected', 'cancelled')));
END
$$;

-- Adds to one unit-month row of this session's slot.
CREATE OR REPLACE FUNCTION minhu_report_add(m date, u text,
        d_population integer DEFAULT 0, d_responded integer DEFAULT 0,
        d_resolved integer DEFAULT 0, d_sat_good integer DEFAULT 0,
        d_sat_basic integer DEFAULT 0, d_volume integer DEFAULT 0,
        d_returns integer DEFAULT 0, d_reopens integer DEFAULT 0,
        d_extensions integer DEFAULT 0, d_overdue_accept integer DEFAULT 0,
        d_overdue_contact integer DEFAULT 0, d_overdue_reply integer DEFAULT 0,
        d_overdue_assist integer DEFAULT 0)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO report_unit_month AS r (month, unit, slot, population, responded, resolved,
        sat_good, sat_basic, volume, returns, reopens, extensions, overdue_accept,
        overdue_contact, overdue_reply, overdue_assist)
VALUES (m, u, pg_backend_pid() % 16, d_population, d_responded, d_resolved, d_sat_good,
        d_sat_basic, d_volume, d_returns, d_reopens, d_extensions, d_overdue_accept,
        d_overdue_contact, d_overdue_reply, d_overdue_assist)
ON CONFLICT (month, unit, slot) DO UPDATE SET
    population = r.population + EXCLUDED.population,
    responded = r.responded + EXCLUDED.responded,
    resolved = r.resolved + EXCLUDED.resolved,
    sat_good = r.sat_good + EXCLUDED.sat_good,
    sat_basic = r.sat_basic + EXCLUDED.sat_basic,
    volume = r.volume + EXCLUDED.volume,
    returns = r.returns + EXCLUDED.returns,
    reopens = r.reopens + EXCLUDED.reopens,
    extensions = r.extensions + EXCLUDED.extensions,
    overdue_accept = r.overdue_accept + EXCLUDED.overdue_accept,
    overdue_contact = r.overdue_contact + EXCLUDED.overdue_contact,
    overdue_reply = r.overdue_reply + EXCLUDED.overdue_reply,
    overdue_assist = r.overdue_assist + EXCLUDED.overdue_assist;
END
$$;

-- Records event e of the ticket as costing unit u points (report_marks).
CREATE OR REPLACE FUNCTION minhu_report_mark(e ticket_events, u text, why text,
        is_responded boolean DEFAULT NULL, is_resolved boolean DEFAULT NULL,
        sat integer DEFAULT NULL)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_marks (month, unit, ticket_id, seq, reason, responded, resolved,
                              satisfaction)
    VALUES (minhu_report_month(e.at), u, e.ticket_id, e.seq, why, is_responded, is_resolved,
            sat)
    ON CONFLICT (month, unit, ticket_id, seq) DO NOTHING;
END
$$;

-- Adds (sign 1) or removes (sign -1) closing callback e from the population.
CREATE OR REPLACE FUNCTION minhu_report_callback(e ticket_events, sign integer)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    sat   integer := (e.data ->> 'satisfaction')::integer;
    resp  boolean := minhu_report_responded(e);
    reso  boolean := coalesce((e.data ->> 'resolved')::boolean, false);
BEGIN
    PERFORM minhu_report_add(minhu_report_month(e.at), e.lead_unit,
        d_population => sign,
        d_responded => CASE WHEN resp THEN sign ELSE 0 END,
        d_resolved => CASE WHEN reso THEN sign ELSE 0 END,
        d_sat_good => CASE WHEN sat >= 4 THEN sign ELSE 0 END,
        d_sat_basic => CASE WHEN sat = 3 THEN sign ELSE 0 END);
    IF sign < 0 THEN
        DELETE FROM report_marks
        WHERE month = minhu_report_month(e.at) AND unit = e.lead_unit
          AND ticket_id = e.ticket_id AND seq = e.seq;
    ELSIF NOT (resp AND reso AND coalesce(sat, 0) >= 4) THEN
        PERFORM minhu_report_mark(e, e.lead_unit, 'callback', resp, reso, sat);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION minhu_report_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    m      date := minhu_report_month(NEW.at);
    who    text;
    span   record;
    prior  ticket_events;
BEGIN
    CASE NEW.action
    WHEN 'intake', 'dispatch', 'approve_return' THEN
        IF NEW.to_status = 'dispatched' AND NEW.lead_unit IS NOT NULL THEN
            PERFORM minhu_report_add(m, NEW.lead_unit, d_volume => 1);
        END IF;
        IF NEW.action = 'approve_return' THEN
            -- Counted against the unit that asked: the lead at its request.
            SELECT q.lead_unit INTO who FROM ticket_events q
            WHERE q.ticket_id = NEW.ticket_id AND q.seq < NEW.seq AND q.action = 'request_return'
            ORDER BY q.seq DESC LIMIT 1;
            IF who IS NOT NULL THEN
                PERFORM minhu_report_add(m, who, d_returns => 1);
                PERFORM minhu_report_mark(NEW, who, 'returned');
            END IF;
        END IF;
    WHEN 'reply' THEN
        span := minhu_report_span(NEW.ticket_id, NEW.seq);
        IF span.at IS NOT NULL AND NEW.lead_unit IS NOT NULL THEN
            INSERT INTO report_handling AS h (month, unit, tenths, slot, n)
            VALUES (m, NEW.lead_unit, floor(extract(epoch FROM NEW.at - span.at) / 360)::integer,
                    pg_backend_pid() % 16, 1)
            ON CONFLICT (month, unit, tenths, slot) DO UPDATE SET n = h.n + 1;
        END IF;
    WHEN 'callback' THEN
        IF NEW.lead_unit IS NULL THEN
            RETURN NULL;
        END IF;
        IF NEW.to_status = 'accepted' THEN
            PERFORM minhu_report_add(m, NEW.lead_unit, d_reopens => 1);
            PERFORM minhu_report_mark(NEW, NEW.lead_unit, 'reopened');
        ELSIF NEW.to_status = 'closed' AND NEW.data ? 'contacted'
              AND NOT minhu_report_excluded_before(NEW.ticket_id, NEW.seq) THEN
            PERFORM minhu_report_callback(NEW, 1);
        END IF;
    WHEN 'reopen' THEN
        IF NEW.lead_unit IS NOT NULL THEN
            PERFORM minhu_report_add(m, NEW.lead_unit, d_reopens => 1);
            PERFORM minhu_report_mark(NEW, NEW.lead_unit, 'reopened');
        END IF;
    WHEN 'approve_extension' THEN
        IF NEW.lead_unit IS NOT NULL THEN
            PERFORM minhu_report_add(m, NEW.lead_unit, d_extensions => 1);
        END IF;
    WHEN 'sla_overdue' THEN
        who := NEW.data ->> 'unit';
        IF who IS NULL THEN
            RETURN NULL;                -- the centre's dispatch clock
        ELSIF who IS DISTINCT FROM NEW.lead_unit THEN
            PERFORM minhu_report_add(m, who, d_overdue_assist => 1);
            PERFORM minhu_report_mark(NEW, who, 'overdue_assist');
        ELSIF NEW.data ->> 'clock' = 'accept' THEN
            PERFORM minhu_report_add(m, who, d_overdue_accept => 1);
            PERFORM minhu_report_mark(NEW, who, 'overdue_accept');
        ELSIF NEW.data ->> 'clock' = 'contact' THEN
            PERFORM minhu_report_add(m, who, d_overdue_contact => 1);
            PERFORM minhu_report_mark(NEW, who, 'overdue_contact');
        ELSIF NEW.data ->> 'clock' = 'reply' THEN
            PERFORM minhu_report_add(m, who, d_overdue_reply => 1);
            PERFORM minhu_report_mark(NEW, who, 'overdue_reply');
        END IF;
    ELSE
        -- flag_unreasonable, merge, cancel, answer, reject: the ticket leaves
        -- scoring for good; its earlier closing callbacks leave the population
        -- of their months (once: only the first such event does this).
        IF NEW.action = 'flag_unreasonable'
           OR NEW.to_status IN ('merged', 'answered', 'rejected', 'cancelled') THEN
            IF NOT minhu_report_excluded_before(NEW.ticket_id, NEW.seq) THEN
                FOR prior IN
                    SELECT * FROM ticket_events p
                    WHERE p.ticket_id = NEW.ticket_id AND p.seq < NEW.seq
                      AND p.action = 'callback' AND p.to_status = 'closed'
                      AND p.data ? 'contacted' AND p.lead_unit IS NOT NULL
                    ORDER BY p.seq
                LOOP
                    PERFORM minhu_report_callback(prior, -1);
                END LOOP;
            END IF;
        END IF;
    END CASE;
    RETURN NULL;
END
$$;

-- The reasons a ticket cost its unit points, as bits (the accountability
-- report aggregates a ticket's marks with bit_or): in the alphabetical order
-- of their names, so that the names below come out sorted.
CREATE OR REPLACE FUNCTION minhu_report_reason_bits(m report_marks, sat_min integer)
    RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE m.reason
        WHEN 'callback' THEN CASE WHEN NOT m.responded THEN 1 ELSE 0 END
                           | CASE WHEN NOT m.resolved THEN 128 ELSE 0 END
                           | CASE WHEN coalesce(m.satisfaction, 0) < sat_min THEN 256 ELSE 0 END
        WHEN 'overdue_accept' THEN 2
        WHEN 'overdue_assist' THEN 4
        WHEN 'overdue_contact' THEN 8
        WHEN 'overdue_reply' THEN 16
        WHEN 'reopened' THEN 32
        WHEN 'returned' THEN 64
        ELSE 0 END
$$;

CREATE OR REPLACE FUNCTION minhu_report_reason_names(bits integer)
    RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws(',',
        CASE WHEN bits & 1 <> 0 THEN 'not_responded' END,
        CASE WHEN bits & 2 <> 0 THEN 'overdue_accept' END,
        CASE WHEN bits & 4 <> 0 THEN 'overdue_assist' END,
        CASE WHEN bits & 8 <> 0 THEN 'overdue_contact' END,
        CASE WHEN bits & 16 <> 0 THEN 'overdue_reply' END,
        CASE WHEN bits & 32 <> 0 THEN 'reopened' END,
        CASE WHEN bits & 64 <> 0 THEN 'returned' END,
        CASE WHEN bits & 128 <> 0 THEN 'unresolved' END,
        CASE WHEN bits & 256 <> 0 THEN 'unsatisfied' END)
$$;

CREATE OR REPLACE FUNCTION minhu_report_reason_count(bits integer)
    RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT (bits & 1) + (bits >> 1 & 1) + (bits >> 2 & 1) + (bits >> 3 & 1) + (bits >> 4 & 1)
         + (bits >> 5 & 1) + (bits >> 6 & 1) + (bits >> 7 & 1) + (bits >> 8 & 1)
$$;
