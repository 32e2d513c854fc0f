-- 003_event_lead.sql — every event records the ticket's lead unit at that
-- moment, so reports attribute a callback, a return or an overdue mark to the
-- unit that was handling the ticket then, whatever happened to it later.
ALTER TABLE ticket_events ADD COLUMN lead_unit text;
CREATE INDEX ticket_events_action_at ON ticket_events (action, at);
