-- 005_routing.sql — direct dispatch (直派) rules: category prefix × area
-- prefix → unit, with a priority (contract §1, `import rules`).  The highest
-- priority wins, then the longest category prefix, then the longest area
-- prefix.  Area codes nest (district ⊃ street ⊃ community ⊃ grid), so an area
-- prefix matches every place under it.
CREATE TABLE routing_rules (
    id        bigserial PRIMARY KEY,
    category  text NOT NULL CHECK (category = '*' OR category ~ '^[A-Za-z0-9_.-]{1,32}$'),
    area      text NOT NULL CHECK (area = '*' OR area ~ '^[A-Za-z0-9_.-]{1,32}$'),
    unit      text NOT NULL REFERENCES units (code) DEFERRABLE INITIALLY DEFERRED,
    priority  integer NOT NULL DEFAULT 0,
    UNIQUE (category, area)
);

CREATE TRIGGER routing_rules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON routing_rules
    FOR EACH STATEMENT EXECUTE FUNCTION minhu_reference_changed();
