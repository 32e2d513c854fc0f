-- 008_open311.sql — GET requests (Open311) lists an app's reports newest
-- first within a date range.
CREATE INDEX tickets_open311_created ON tickets (created_at, id) WHERE channel = 'open311';
