-- Figures the statistics sum, as columns.
ALTER TABLE entries ADD COLUMN seats BIGINT;
ALTER TABLE entries ADD COLUMN holdings BIGINT;
ALTER TABLE entries ADD COLUMN items_total BIGINT;
ALTER TABLE entries ADD COLUMN enrolled BIGINT;
ALTER TABLE entries ADD COLUMN area_ha DOUBLE PRECISION;

-- Full-text search over every name, folded the Azerbaijani way (see normalize::fold), with
-- prefix indexes for type-ahead. Kept in step with entries by triggers. (VACUUM may renumber
-- rowids: after one, run INSERT INTO entry_search(entry_search) VALUES ('rebuild').)
CREATE VIRTUAL TABLE entry_search USING fts5(
    search_text, content='entries', content_rowid='rowid', prefix='1 2 3', tokenize='unicode61'
);
INSERT INTO entry_search(rowid, search_text) SELECT rowid, search_text FROM entries;
CREATE TRIGGER entries_search_insert AFTER INSERT ON entries BEGIN
    INSERT INTO entry_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER entries_search_delete AFTER DELETE ON entries BEGIN
    INSERT INTO entry_search(entry_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER entries_search_update AFTER UPDATE OF search_text ON entries BEGIN
    INSERT INTO entry_search(entry_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO entry_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE INDEX entries_economic_region ON entries (economic_region);
CREATE INDEX entries_location ON entries (lat, lon) WHERE lat IS NOT NULL;
