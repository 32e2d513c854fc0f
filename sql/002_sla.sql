-- 002_sla.sql — SLA policy as data, durable clock timers, and the
-- notification outbox.

-- Limits per category prefix × urgency × clock (contract §1, `import sla`).
-- The most specific row wins: longest category prefix, then exact urgency.
CREATE TABLE sla_rules (
    category    text NOT NULL CHECK (category = '*' OR category ~ '^[A-Za-z0-9_.-]{1,32}$'),
    urgency     text NOT NULL CHECK (urgency IN ('emergency', 'timely', 'normal', 'complex', '*')),
    clock       text NOT NULL CHECK (clock IN ('dispatch', 'accept', 'contact', 'reply',
                                               'callback', 'return_window')),
    limit_text  text NOT NULL,
    PRIMARY KEY (category, urgency, clock)
);

-- When each clock last started: the warning point is a share of start→due.
ALTER TABLE tickets
    ADD COLUMN dispatch_start   timestamptz,
    ADD COLUMN accept_start     timestamptz,
    ADD COLUMN contact_start    timestamptz,
    ADD COLUMN reply_start      timestamptz,
    ADD COLUMN callback_start   timestamptz,
    ADD COLUMN return_start     timestamptz,
    ADD COLUMN reported         boolean NOT NULL DEFAULT false;

-- Every pending warning, overdue and report point is a row.  A row is fired
-- exactly once: claimed with FOR UPDATE SKIP LOCKED and marked fired in the
-- transaction that applies its effect.  `deadline_at` is the clock's due at
-- planning time: a timer whose clock has since completed or moved is stale
-- and fires with no effect.
CREATE TABLE sla_timers (
    id           bigserial PRIMARY KEY,
    ticket_id    uuid NOT NULL REFERENCES tickets (id),
    clock        text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('warning', 'overdue', 'report')),
    unit         text NOT NULL DEFAULT '',      -- '' for the lead unit's clocks, else the assist unit
    due_at       timestamptz NOT NULL,
    deadline_at  timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    fired_at     timestamptz,
    effect       text CHECK (effect IN ('applied', 'stale')),
    UNIQUE (ticket_id, clock, kind, unit, due_at)
);
CREATE INDEX sla_timers_pending ON sla_timers (due_at) WHERE fired_at IS NULL;

-- The transactional outbox: who must be told what.  Written in the same
-- transaction as the change it reports; delivered by minhud's sender.
CREATE TABLE notifications (
    id          bigserial PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    ticket_id   uuid REFERENCES tickets (id),
    audience    text NOT NULL CHECK (audience IN ('unit', 'supervisor', 'resident')),
    unit        text REFERENCES units (code),
    kind        text NOT NULL,
    message     text NOT NULL,
    sent_at     timestamptz,
    attempts    integer NOT NULL DEFAULT 0
);
CREATE INDEX notifications_unsent ON notifications (id) WHERE sent_at IS NULL;

-- Running servers reload the calendar and the SLA policy when either changes.
CREATE FUNCTION minhu_reference_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('minhu_reference', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
CREATE TRIGGER calendar_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar
    FOR EACH STATEMENT EXECUTE FUNCTION minhu_reference_changed();
CREATE TRIGGER sla_rules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sla_rules
    FOR EACH STATEMENT EXECUTE FUNCTION minhu_reference_changed();
