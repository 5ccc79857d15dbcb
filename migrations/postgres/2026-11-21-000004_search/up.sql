-- Figures the statistics sum, as columns.
ALTER TABLE entries ADD COLUMN seats BIGINT;
ALTER TABLE entries ADD COLUMN holdings BIGINT;
ALTER TABLE entries ADD COLUMN items_total BIGINT;
ALTER TABLE entries ADD COLUMN enrolled BIGINT;
ALTER TABLE entries ADD COLUMN area_ha DOUBLE PRECISION;

-- Full-text search over every name, folded the Azerbaijani way (see normalize::fold); prefix
-- queries (word:*) serve type-ahead.
CREATE INDEX entries_search ON entries USING GIN (to_tsvector('simple', search_text));

CREATE INDEX entries_economic_region ON entries (economic_region);
CREATE INDEX entries_location ON entries (lat, lon) WHERE lat IS NOT NULL;
