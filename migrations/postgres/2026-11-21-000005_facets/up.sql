-- Facet counts and statistics group by kind, region and status: an index that covers them
-- avoids reading rows. Lists and searches filter by kind and region and page in id order:
-- an index for each combination lets them stop after a page even when few entries match.
CREATE INDEX entries_facets ON entries (kind, region, status);
CREATE INDEX entries_kind_region ON entries (kind, region, id);
DROP INDEX entries_region;
CREATE INDEX entries_region ON entries (region, id);
