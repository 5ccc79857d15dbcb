DROP INDEX entries_wikidata;
DROP INDEX entries_name_key;
ALTER TABLE entries DROP COLUMN wikidata;
ALTER TABLE entries DROP COLUMN name_key;
