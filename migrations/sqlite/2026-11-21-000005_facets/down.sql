DROP INDEX entries_region;
CREATE INDEX entries_region ON entries (region);
DROP INDEX entries_kind_region;
DROP INDEX entries_facets;
