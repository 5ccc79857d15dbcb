-- Every bulk load: who, when, which files, what it did. Revisions name their import.
CREATE TABLE imports (
    id TEXT PRIMARY KEY NOT NULL,
    actor TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    files TEXT NOT NULL,
    mode TEXT NOT NULL,
    atomic BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    undone_at TIMESTAMP,
    undone_by TEXT
);
CREATE INDEX revisions_import ON revisions (import_id);
