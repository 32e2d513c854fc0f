-- 006_inbox.sql — what a unit's inbox and the duplicate hints need.

-- The nearest deadline among a ticket's running clocks (NULL when none
-- runs), written with every change: the inbox sorts by it.
ALTER TABLE tickets ADD COLUMN next_due timestamptz;
CREATE INDEX tickets_lead_next_due ON tickets (lead_unit, next_due, id);

-- Duplicate hints: open tickets of the same category in the same place lately.
CREATE INDEX tickets_category_area ON tickets (category, area, created_at);
