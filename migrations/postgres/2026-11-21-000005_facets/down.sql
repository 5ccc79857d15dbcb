DROP INDEX entries_facets;
