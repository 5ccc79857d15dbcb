-- Facet counts and statistics group by these: an index that covers them avoids reading rows.
CREATE INDEX entries_facets ON entries (kind, region, status);
