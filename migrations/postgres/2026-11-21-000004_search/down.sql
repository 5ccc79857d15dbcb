DROP INDEX entries_location;
DROP INDEX entries_economic_region;
DROP INDEX entries_search;
ALTER TABLE entries DROP COLUMN area_ha;
ALTER TABLE entries DROP COLUMN enrolled;
ALTER TABLE entries DROP COLUMN items_total;
ALTER TABLE entries DROP COLUMN holdings;
ALTER TABLE entries DROP COLUMN seats;
