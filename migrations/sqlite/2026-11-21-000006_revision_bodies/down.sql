DROP VIEW revision_log;
UPDATE revisions SET body = (SELECT e.body FROM entries e
        WHERE e.id = revisions.entry_id AND e.version = revisions.version)
    WHERE body IS NULL;
CREATE TABLE revisions_old (
    seq BIGINT PRIMARY KEY NOT NULL,
    entry_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    operation TEXT NOT NULL,
    actor TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    reason TEXT,
    import_id TEXT,
    body TEXT NOT NULL,
    UNIQUE (entry_id, version)
);
INSERT INTO revisions_old (seq, entry_id, version, operation, actor, recorded_at, reason, import_id, body)
    SELECT seq, entry_id, version, operation, actor, recorded_at, reason, import_id, body FROM revisions;
DROP TABLE revisions;
ALTER TABLE revisions_old RENAME TO revisions;
CREATE INDEX revisions_import ON revisions (import_id);
