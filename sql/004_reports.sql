-- 004_reports.sql — the monthly assessment (三率考核, domain.md §5): its
-- settings, the weights per unit kind, and a per-unit-per-month summary kept
-- by a trigger on ticket_events in the same transaction as every event that
-- moves a figure.  The rules themselves are in R_reports.sql (the trigger)
-- and lib/store/report.c (the same aggregate as one plain query over the raw
-- tables, which the tests and `minhu-report verify` hold the summary to).

-- Weights of the three rates per unit kind; each row sums to 1.  Editable:
--   UPDATE report_weights SET w_response = 0.2, w_resolution = 0.4,
--          w_satisfaction = 0.4 WHERE kind = 'department';
CREATE TABLE report_weights (
    kind            text PRIMARY KEY CHECK (kind IN ('district', 'street', 'department',
                                                     'enterprise')),
    w_response      numeric(5, 4) NOT NULL CHECK (w_response BETWEEN 0 AND 1),
    w_resolution    numeric(5, 4) NOT NULL CHECK (w_resolution BETWEEN 0 AND 1),
    w_satisfaction  numeric(5, 4) NOT NULL CHECK (w_satisfaction BETWEEN 0 AND 1),
    CHECK (w_response + w_resolution + w_satisfaction = 1)
);
INSERT INTO report_weights VALUES
    ('district', 0.30, 0.35, 0.35),
    ('street', 0.30, 0.35, 0.35),
    ('department', 0.30, 0.35, 0.35),
    ('enterprise', 0.30, 0.35, 0.35);

-- The other knobs of the assessment (one row).
CREATE TABLE report_settings (
    id                     integer PRIMARY KEY CHECK (id = 1),
    count_basic_satisfied  boolean NOT NULL DEFAULT true,   -- 基本满意 (3) counts as satisfied
    min_population         integer NOT NULL DEFAULT 10 CHECK (min_population >= 1),
    list_size              integer NOT NULL DEFAULT 5 CHECK (list_size >= 1)
);
INSERT INTO report_settings (id) VALUES (1);

-- Counts per unit and month (the first day of the Asia/Shanghai month).  A
-- figure is the sum over `slot`: each database session adds to its own slot
-- (its backend pid modulo 16), so concurrent transactions that touch the
-- same unit rarely wait on, or deadlock over, one hot row.
CREATE TABLE report_unit_month (
    month            date NOT NULL,
    unit             text NOT NULL,
    slot             smallint NOT NULL,
    population       integer NOT NULL DEFAULT 0,   -- closing callbacks with answers, scored
    responded        integer NOT NULL DEFAULT 0,   -- ... contacted = yes and contact in time
    resolved         integer NOT NULL DEFAULT 0,   -- ... resolved = yes
    sat_good         integer NOT NULL DEFAULT 0,   -- ... satisfaction 4 or 5
    sat_basic        integer NOT NULL DEFAULT 0,   -- ... satisfaction 3
    volume           integer NOT NULL DEFAULT 0,   -- tickets dispatched to the unit as lead
    returns          integer NOT NULL DEFAULT 0,   -- approved returns against the unit
    reopens          integer NOT NULL DEFAULT 0,   -- callbacks that reopened, reopen actions
    extensions       integer NOT NULL DEFAULT 0,   -- approved extensions
    overdue_accept   integer NOT NULL DEFAULT 0,
    overdue_contact  integer NOT NULL DEFAULT 0,
    overdue_reply    integer NOT NULL DEFAULT 0,
    overdue_assist   integer NOT NULL DEFAULT 0,   -- the unit's own accept clock as an assist
    PRIMARY KEY (month, unit, slot)
);

-- Handling times (dispatch to reply) per unit and month as a histogram in
-- tenths of an hour, enough for an exact median of those tenths.
CREATE TABLE report_handling (
    month   date NOT NULL,
    unit    text NOT NULL,
    tenths  integer NOT NULL,
    slot    smallint NOT NULL,
    n       integer NOT NULL,
    PRIMARY KEY (month, unit, tenths, slot)
);

-- The events that cost a unit points in a month, one row each, for the
-- accountability report's "tickets behind the score": closing callbacks that
-- were not perfect (not responded, not resolved, or satisfaction under 4 —
-- kept with their answers, since whether 3 counts is a setting), reopens,
-- approved returns and overdue marks.  Kept by the same trigger.
CREATE TABLE report_marks (
    month         date NOT NULL,
    unit          text NOT NULL,
    ticket_id     uuid NOT NULL,
    seq           integer NOT NULL,
    reason        text NOT NULL CHECK (reason IN ('callback', 'reopened', 'returned',
                      'overdue_accept', 'overdue_contact', 'overdue_reply', 'overdue_assist')),
    responded     boolean,
    resolved      boolean,
    satisfaction  smallint,
    PRIMARY KEY (month, unit, ticket_id, seq)
);

-- The same from the raw tables (the drill-down's baseline, `verify`).
CREATE INDEX ticket_events_report_lead ON ticket_events (lead_unit, at)
    WHERE action IN ('callback', 'reopen');
CREATE INDEX ticket_events_report_overdue ON ticket_events ((data ->> 'unit'), at)
    WHERE action = 'sla_overdue';

-- Replaced by R_reports.sql at the end of every migrate; it exists here so
-- that the trigger can be created.
CREATE FUNCTION minhu_report_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RETURN NULL;
END
$$;

CREATE TRIGGER ticket_events_report AFTER INSERT ON ticket_events
    FOR EACH ROW
    WHEN (NEW.action IN ('intake', 'dispatch', 'approve_return', 'reply', 'callback', 'reopen',
                         'approve_extension', 'sla_overdue', 'flag_unreasonable', 'merge',
                         'cancel', 'answer', 'reject'))
    EXECUTE FUNCTION minhu_report_event();
