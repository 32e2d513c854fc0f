-- 001_init.sql — reference data, tokens, tickets and their append-only event log.
--
-- Conventions: codes are text; times are timestamptz; a ticket row is the
-- projection and ticket_events is the truth (one row per accepted action, in
-- the same transaction, seq = the ticket's version after that action).

CREATE TABLE units (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_.-]{1,32}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind        text NOT NULL CHECK (kind IN ('center', 'district', 'street', 'community',
                                              'grid', 'department', 'enterprise')),
    parent      text REFERENCES units (code) DEFERRABLE INITIALLY DEFERRED,
    population  integer CHECK (population >= 0),
    active      boolean NOT NULL DEFAULT true,
    CHECK (parent IS DISTINCT FROM code)
);
CREATE INDEX units_parent ON units (parent);

CREATE TABLE categories (
    code    text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_.-]{1,32}$'),
    name    text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    parent  text REFERENCES categories (code) DEFERRABLE INITIALLY DEFERRED,
    active  boolean NOT NULL DEFAULT true,
    CHECK (parent IS DISTINCT FROM code)
);

-- Official holidays and adjusted working days (调休上班).  Weekends not listed
-- are days off; weekdays not listed are working days.
CREATE TABLE calendar (
    day   date PRIMARY KEY,
    kind  text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name  text
);

-- API tokens.  Only sha256(token) is stored; the token itself is shown once.
CREATE TABLE tokens (
    id          bigserial PRIMARY KEY,
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    role        text NOT NULL CHECK (role IN ('operator', 'unit', 'leader', 'admin', 'channel')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    unit        text REFERENCES units (code),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    CHECK ((role = 'unit') = (unit IS NOT NULL))
);

CREATE SEQUENCE ticket_number_seq;

-- The key behind residents' query codes: a ticket's 6-digit code is derived
-- from it and the ticket id (minhu_query_code), so no code is stored, and a
-- retried intake can return the same code again.
CREATE TABLE minhu_secret (
    id   integer PRIMARY KEY CHECK (id = 1),
    key  bytea NOT NULL
);
INSERT INTO minhu_secret
    VALUES (1, sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')));

CREATE TABLE tickets (
    id                  uuid PRIMARY KEY,
    number              text NOT NULL UNIQUE CHECK (number ~ '^[0-9]{8,20}$'),
    status              text NOT NULL CHECK (status IN ('pending_dispatch', 'dispatched',
                            'accepted', 'return_requested', 'suspended', 'replied', 'closed',
                            'answered', 'rejected', 'merged', 'cancelled')),
    prev_status         text,
    version             integer NOT NULL CHECK (version >= 1),
    channel             text NOT NULL,
    nature              text NOT NULL,
    urgency             text NOT NULL,
    category            text NOT NULL REFERENCES categories (code),
    area                text REFERENCES units (code),
    address             text,
    lat                 double precision,
    lon                 double precision,
    title               text,
    description         text NOT NULL,
    caller_name         text,
    caller_phone        text,
    anonymous           boolean NOT NULL DEFAULT false,
    confidential        boolean NOT NULL DEFAULT false,
    callback_wanted     boolean NOT NULL DEFAULT true,
    created_by          text NOT NULL,           -- token name
    created_by_token    bigint NOT NULL REFERENCES tokens (id),
    idempotency_key     text,
    idempotency_hash    bytea,
    lead_unit           text REFERENCES units (code),
    created_at          timestamptz NOT NULL,
    dispatched_at       timestamptz,
    accepted_at         timestamptz,
    contacted_at        timestamptz,
    replied_at          timestamptz,
    closed_at           timestamptz,
    suspended_at        timestamptz,
    dispatch_due        timestamptz,
    accept_due          timestamptz,
    contact_due         timestamptz,
    reply_due           timestamptz,
    callback_due        timestamptz,
    return_due          timestamptz,
    warned              text[] NOT NULL DEFAULT '{}',
    overdue             text[] NOT NULL DEFAULT '{}',
    result              text,
    cb_contacted        boolean,
    cb_resolved         boolean,
    cb_satisfaction     smallint CHECK (cb_satisfaction BETWEEN 1 AND 5),
    cb_at               timestamptz,
    ext_state           text CHECK (ext_state IN ('requested', 'approved', 'rejected')),
    ext_until           timestamptz,
    ext_reason          text,
    ext_approved_count  integer NOT NULL DEFAULT 0,
    reopen_count        integer NOT NULL DEFAULT 0,
    return_count        integer NOT NULL DEFAULT 0,
    problem             boolean NOT NULL DEFAULT false,
    unreasonable        boolean NOT NULL DEFAULT false,
    unreasonable_reason text,
    merged_into         uuid REFERENCES tickets (id),
    assist_units        text[] NOT NULL DEFAULT '{}',
    updated_at          timestamptz NOT NULL
);
CREATE UNIQUE INDEX tickets_idempotency ON tickets (created_by_token, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX tickets_lead_status ON tickets (lead_unit, status, id);
CREATE INDEX tickets_status ON tickets (status, id);
CREATE INDEX tickets_assist_units ON tickets USING gin (assist_units);
CREATE INDEX tickets_created_by ON tickets (created_by_token, id);
CREATE INDEX tickets_caller_phone ON tickets (caller_phone) WHERE caller_phone IS NOT NULL;

CREATE TABLE ticket_assists (
    ticket_id    uuid NOT NULL REFERENCES tickets (id),
    unit         text NOT NULL REFERENCES units (code),
    status       text NOT NULL CHECK (status IN ('summoned', 'accepted', 'replied')),
    summoned_at  timestamptz NOT NULL,
    accepted_at  timestamptz,
    replied_at   timestamptz,
    due_at       timestamptz,
    PRIMARY KEY (ticket_id, unit)
);

CREATE TABLE ticket_events (
    ticket_id    uuid NOT NULL REFERENCES tickets (id),
    seq          integer NOT NULL,
    at           timestamptz NOT NULL,
    action       text NOT NULL,
    actor        text NOT NULL,          -- token name
    actor_role   text NOT NULL,
    unit         text,                   -- the acting unit, for unit tokens
    from_status  text,
    to_status    text NOT NULL,
    note         text,
    data         jsonb,
    PRIMARY KEY (ticket_id, seq)
);

-- The event log is append-only: enforced here, not only in code.
CREATE FUNCTION minhu_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ticket_events is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER ticket_events_append_only
    BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION minhu_events_append_only();
CREATE TRIGGER ticket_events_no_truncate
    BEFORE TRUNCATE ON ticket_events
    FOR EACH STATEMENT EXECUTE FUNCTION minhu_events_append_only();

-- Raises SQLSTATE MH409 when a guarded change matched no row: the executor
-- maps it to 409 version_conflict, and the whole transaction is rolled back.
CREATE FUNCTION minhu_require_one(n bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF n <> 1 THEN
        RAISE EXCEPTION 'ticket changed concurrently' USING ERRCODE = 'MH409';
    END IF;
    RETURN true;
END
$$;
