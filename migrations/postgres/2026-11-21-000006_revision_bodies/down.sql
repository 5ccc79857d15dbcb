DROP VIEW revision_log;
UPDATE revisions SET body = (SELECT e.body FROM entries e
        WHERE e.id = revisions.entry_id AND e.version = revisions.version)
    WHERE body IS NULL;
ALTER TABLE revisions ALTER COLUMN body SET NOT NULL;
