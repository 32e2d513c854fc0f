-- R_sla.sql — the timer table kept equal to each ticket's plan, and the
-- firing of due timers.  Re-applied by every `minhu-admin migrate`.
--
-- The plan itself (which points a ticket needs) is computed in C
-- (lib/core/clocks.c) and handed to minhu_timers_sync(); the firing applies
-- the effect of a due point in the transaction that marks it fired.

-- Whether clock c of ticket t is running: the same rule as
-- workflow_clock_running() in lib/core/workflow.c (tested against each other
-- by tests/integration/test_sla.py).
CREATE OR REPLACE FUNCTION minhu_clock_running(t tickets, c text) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$
SELECT CASE
    WHEN t.status = 'suspended' THEN false
    WHEN c = 'dispatch' THEN t.status = 'pending_dispatch' AND t.dispatch_due IS NOT NULL
    WHEN c = 'accept' THEN t.accept_due IS NOT NULL AND t.accepted_at IS NULL
                           AND t.lead_unit IS NOT NULL
                           AND t.status IN ('dispatched', 'return_requested')
    WHEN c = 'contact' THEN t.contact_due IS NOT NULL AND t.contacted_at IS NULL
                            AND t.accepted_at IS NOT NULL
                            AND t.status IN ('accepted', 'return_requested')
    WHEN c = 'reply' THEN t.reply_due IS NOT NULL AND t.replied_at IS NULL
                          AND t.dispatched_at IS NOT NULL
                          AND t.status IN ('dispatched', 'accepted', 'return_requested')
    WHEN c = 'callback' THEN t.status = 'replied' AND t.callback_due IS NOT NULL
    ELSE false
END
$$;

CREATE OR REPLACE FUNCTION minhu_clock_due(t tickets, c text) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE AS $$
SELECT CASE c WHEN 'dispatch' THEN t.dispatch_due WHEN 'accept' THEN t.accept_due
              WHEN 'contact' THEN t.contact_due WHEN 'reply' THEN t.reply_due
              WHEN 'callback' THEN t.callback_due END
$$;

CREATE OR REPLACE FUNCTION minhu_clock_label(c text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
SELECT CASE c WHEN 'dispatch' THEN '派单' WHEN 'accept' THEN '签收' WHEN 'contact' THEN '先行联系'
              WHEN 'reply' THEN '办结' WHEN 'callback' THEN '回访' ELSE c END
$$;

-- The unit that supervises u (督办): its parent, or the 12345 centre for
-- units at the top of the tree (departments, enterprises, districts).
CREATE OR REPLACE FUNCTION minhu_supervisor(u text) RETURNS text
    LANGUAGE sql STABLE AS $$
SELECT coalesce((SELECT parent FROM units WHERE code = u),
                (SELECT code FROM units WHERE kind = 'center' ORDER BY code LIMIT 1))
$$;

-- Makes ticket tid's pending timers equal to the plan (arrays of one length).
-- Fired timers are kept and never re-inserted; pending ones no longer
-- planned are deleted, skipping any that a firing transaction holds (it
-- finds them stale itself).  Notifies minhu_timers with the earliest new
-- point so every minhud can re-arm — but only when that point is less than
-- 30 s away: every minhud looks for the earliest pending point at least
-- every 5 s (RECHECK_MS in server/timers.c), so it finds a later one in time
-- without being told.  A NOTIFY serialises the commits of all the
-- transactions that send one (PostgreSQL holds a database-wide lock from
-- before the commit record until the end), so sending one per intake capped
-- intake at one commit at a time (docs/performance.md, "HTTP engine").
-- Does nothing when tid does not exist (a replayed intake).
CREATE OR REPLACE FUNCTION minhu_timers_sync(tid uuid, clocks text[], kinds text[],
                                             units text[], dues bigint[], deadlines bigint[])
    RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n     integer;
    first bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tickets WHERE id = tid) THEN
        RETURN 0;
    END IF;
    DELETE FROM sla_timers s WHERE s.id IN (
        SELECT x.id FROM sla_timers x
        WHERE x.ticket_id = tid AND x.fired_at IS NULL
          AND (x.clock, x.kind, x.unit, minhu_ms(x.due_at)) NOT IN
              (SELECT p.c, p.k, p.u, p.d FROM unnest(clocks, kinds, units, dues) AS p(c, k, u, d))
        FOR UPDATE SKIP LOCKED);
    INSERT INTO sla_timers (ticket_id, clock, kind, unit, due_at, deadline_at)
    SELECT tid, p.c, p.k, p.u, minhu_ts(p.d), minhu_ts(p.dl)
    FROM unnest(clocks, kinds, units, dues, deadlines) AS p(c, k, u, d, dl)
    ON CONFLICT (ticket_id, clock, kind, unit, due_at) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        SELECT min(d) INTO first FROM unnest(dues) AS d;
        IF minhu_ts(first) < clock_timestamp() + interval '30 seconds' THEN
            PERFORM pg_notify('minhu_timers', first::text);
        END IF;
    END IF;
    RETURN n;
END
$$;

-- Fires up to max_timers due timers: claims them (FOR UPDATE SKIP LOCKED, so
-- concurrent minhud processes never take the same one), takes their tickets
-- in id order (no deadlock between firing processes), and for each timer
-- whose clock still runs with the same deadline applies its effect — the mark
-- on the ticket, one event, the notifications — and marks it fired, all in
-- the caller's transaction.  Returns one row per timer fired.
CREATE OR REPLACE FUNCTION minhu_fire_timers(max_timers integer)
    RETURNS TABLE (ticket_id uuid, clock text, kind text, effect text, due_ms bigint)
    LANGUAGE plpgsql AS $$
DECLARE
    tm    sla_timers;
    tk    tickets;
    live  boolean;
    who   text;
    mark  text;
    nv    integer;
    label text;
    -- A stable bound, so the claim can stop early on the pending index
    -- (clock_timestamp() in the filter would be re-evaluated per row).
    cutoff timestamptz := clock_timestamp();
BEGIN
    FOR tm IN
        SELECT * FROM (SELECT * FROM sla_timers s
                       WHERE s.fired_at IS NULL AND s.due_at <= cutoff
                       ORDER BY s.due_at LIMIT max_timers
                       FOR UPDATE SKIP LOCKED) claimed
        ORDER BY claimed.ticket_id, claimed.due_at
    LOOP
        SELECT * INTO tk FROM tickets t WHERE t.id = tm.ticket_id FOR UPDATE;
        IF tm.unit = '' THEN
            live := minhu_clock_running(tk, tm.clock)
                    AND minhu_clock_due(tk, tm.clock) = tm.deadline_at;
            who := tk.lead_unit;
            mark := tm.clock;
        ELSE
            live := tk.status = 'accepted' AND EXISTS (
                SELECT 1 FROM ticket_assists a
                WHERE a.ticket_id = tk.id AND a.unit = tm.unit AND a.status = 'summoned'
                  AND a.due_at = tm.deadline_at);
            who := tm.unit;
            mark := 'assist_' || tm.clock || ':' || tm.unit;
        END IF;
        -- A clock warns, goes overdue and is reported once per span: a moved
        -- deadline (resume, extension) does not repeat what already happened;
        -- a restarted clock has had its marks cleared by the change.
        live := live AND NOT CASE tm.kind
            WHEN 'warning' THEN mark = ANY (tk.warned)
            WHEN 'overdue' THEN mark = ANY (tk.overdue)
            ELSE tk.reported END;
        UPDATE sla_timers SET fired_at = clock_timestamp(),
                              effect = CASE WHEN live THEN 'applied' ELSE 'stale' END
        WHERE id = tm.id;
        IF live THEN
            UPDATE tickets t
            SET warned = CASE WHEN tm.kind = 'warning' AND NOT (mark = ANY (t.warned))
                              THEN array_append(t.warned, mark) ELSE t.warned END,
                overdue = CASE WHEN tm.kind = 'overdue' AND NOT (mark = ANY (t.overdue))
                               THEN array_append(t.overdue, mark) ELSE t.overdue END,
                reported = t.reported OR tm.kind = 'report',
                version = t.version + 1,
                updated_at = clock_timestamp()
            WHERE t.id = tk.id
            RETURNING t.version INTO nv;
            INSERT INTO ticket_events (ticket_id, seq, at, action, actor, actor_role, unit,
                                       from_status, to_status, note, data, lead_unit)
            VALUES (tk.id, nv, clock_timestamp(), 'sla_' || tm.kind, 'system', 'system',
                    who, tk.status, tk.status, NULL,
                    jsonb_build_object('clock', tm.clock, 'deadline', tm.deadline_at,
                                       'unit', who),
                    tk.lead_unit);
            label := minhu_clock_label(tm.clock);
            IF who IS NOT NULL THEN
                INSERT INTO notifications (ticket_id, audience, unit, kind, message)
                VALUES (tk.id, 'unit', who, tm.kind,
                        CASE tm.kind
                            WHEN 'warning' THEN format('工单 %s %s时限将到（%s）', tk.number, label,
                                                       to_char(tm.deadline_at, 'MM-DD HH24:MI'))
                            WHEN 'overdue' THEN format('工单 %s %s已超时', tk.number, label)
                            ELSE format('工单 %s 超过办结时限 5 个工作日，已通报', tk.number)
                        END);
            END IF;
            IF tm.kind IN ('overdue', 'report') THEN
                INSERT INTO notifications (ticket_id, audience, unit, kind, message)
                VALUES (tk.id, 'supervisor', minhu_supervisor(coalesce(who, '')), tm.kind,
                        format('督办：工单 %s（%s）%s%s', tk.number,
                               coalesce((SELECT name FROM units WHERE code = who), '待派单'),
                               label, CASE tm.kind WHEN 'report' THEN '超期 5 个工作日，通报'
                                                   ELSE '超时' END));
            END IF;
        END IF;
        ticket_id := tm.ticket_id;
        clock := tm.clock;
        kind := tm.kind;
        effect := CASE WHEN live THEN 'applied' ELSE 'stale' END;
        due_ms := minhu_ms(tm.due_at);
        RETURN NEXT;
    END LOOP;
END
$$;
