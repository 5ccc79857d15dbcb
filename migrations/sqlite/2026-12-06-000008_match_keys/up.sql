-- Keys a load matches rows on besides the registry number: the Azerbaijani name folded as
-- search folds it (see duplicates::name_key; a possible duplicate has the same kind, region and
-- name key) and the Wikidata item. Existing rows take the name key from the first name of
-- search_text, which is that same folded name.
ALTER TABLE entries ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN wikidata TEXT;
UPDATE entries SET
    name_key = substr(search_text, 3, instr(search_text, ' |') - 3),
    wikidata = json_extract(body, '$.external_ids.wikidata');
CREATE INDEX entries_name_key ON entries (name_key);
CREATE INDEX entries_wikidata ON entries (wikidata) WHERE wikidata IS NOT NULL;
