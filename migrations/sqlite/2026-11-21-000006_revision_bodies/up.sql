-- The revision that is its entry's current version stores no body: the entry's row holds it.
-- A writer copies the body into that revision when the entry next changes or is deleted, so
-- a register stores each state once. revision_log reads every revision with its body (and
-- none, which a reader takes as an error, should a body be missing where the entry moved on).
CREATE TABLE revisions_new (
    seq BIGINT PRIMARY KEY NOT NULL,
    entry_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    operation TEXT NOT NULL,
    actor TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    reason TEXT,
    import_id TEXT,
    body TEXT,
    UNIQUE (entry_id, version)
);
INSERT INTO revisions_new (seq, entry_id, version, operation, actor, recorded_at, reason, import_id, body)
    SELECT seq, entry_id, version, operation, actor, recorded_at, reason, import_id, body FROM revisions;
DROP TABLE revisions;
ALTER TABLE revisions_new RENAME TO revisions;
CREATE INDEX revisions_import ON revisions (import_id);
CREATE VIEW revision_log AS
    SELECT r.seq, r.entry_id, r.version, r.operation, r.actor, r.recorded_at, r.reason, r.import_id,
        CASE WHEN r.body IS NOT NULL THEN r.body WHEN e.version = r.version THEN e.body END AS body
    FROM revisions r LEFT JOIN entries e ON r.body IS NULL AND e.id = r.entry_id;
