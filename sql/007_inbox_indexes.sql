-- 007_inbox_indexes.sql — indexes measured on 1.3 M tickets (docs/inbox.md).

-- The centre's lists in deadline order across units (sort=deadline without
-- unit=: the next deadlines of the whole city, the dispatch queue, open
-- overdue tickets).  A unit's inbox reads tickets_lead_next_due (006); these
-- had no index in that order and sorted every ticket ever taken in: 1.2 s,
-- 5 ms with this one.
CREATE INDEX tickets_next_due ON tickets (next_due, id);

-- Duplicate hints look for the same category in the last 7 days; the area is
-- a prefix (starts_with), which a btree cannot search, so with the area as
-- the second column the scan read every ticket of the category ever taken
-- in (234 index pages, growing with history) to keep a week of them (9).
DROP INDEX tickets_category_area;
CREATE INDEX tickets_category_created ON tickets (category, created_at);
