-- The revision that is its entry's current version stores no body: the entry's row holds it.
-- A writer copies the body into that revision when the entry next changes or is deleted, so
-- a register stores each state once. revision_log reads every revision with its body (and
-- none, which a reader takes as an error, should a body be missing where the entry moved on).
ALTER TABLE revisions ALTER COLUMN body DROP NOT NULL;
CREATE VIEW revision_log AS
    SELECT r.seq, r.entry_id, r.version, r.operation, r.actor, r.recorded_at, r.reason, r.import_id,
        CASE WHEN r.body IS NOT NULL THEN r.body WHEN e.version = r.version THEN e.body END AS body
    FROM revisions r LEFT JOIN entries e ON r.body IS NULL AND e.id = r.entry_id;
