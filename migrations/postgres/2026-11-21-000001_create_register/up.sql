-- The register: one row per entry, the searchable and constrained columns beside the full
-- entry as JSON. Foreign keys keep references valid and forbid deleting a referenced entry;
-- they are deferred so that one load may refer forward.
CREATE TABLE entries (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    registry_number TEXT NOT NULL UNIQUE,
    name_az TEXT NOT NULL,
    search_text TEXT NOT NULL,
    status TEXT NOT NULL,
    region TEXT,
    economic_region TEXT,
    ownership TEXT,
    type_word TEXT NOT NULL,
    founded_year BIGINT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    parent_id TEXT REFERENCES entries (id) DEFERRABLE INITIALLY DEFERRED,
    reserve_id TEXT REFERENCES entries (id) DEFERRABLE INITIALLY DEFERRED,
    museum_id TEXT REFERENCES entries (id) DEFERRABLE INITIALLY DEFERRED,
    isil_key TEXT,
    inventory_scope TEXT,
    inventory_number TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    body TEXT NOT NULL
);
-- Most entries have no ISIL, inventory number or reference: partial indexes keep bulk loads
-- from maintaining index entries for NULLs.
CREATE UNIQUE INDEX entries_isil ON entries (isil_key) WHERE isil_key IS NOT NULL;
CREATE UNIQUE INDEX entries_inventory ON entries (inventory_number, inventory_scope)
    WHERE inventory_number IS NOT NULL;
CREATE INDEX entries_kind ON entries (kind, id);
CREATE INDEX entries_region ON entries (region);
CREATE INDEX entries_status ON entries (status);
CREATE INDEX entries_parent ON entries (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX entries_reserve ON entries (reserve_id) WHERE reserve_id IS NOT NULL;
CREATE INDEX entries_museum ON entries (museum_id) WHERE museum_id IS NOT NULL;

-- Every change of every entry, numbered by the global change sequence.
CREATE TABLE revisions (
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

-- Named counters: the change sequence and the registry-number sequence of each kind. Writers
-- take the change counter first, which serialises them until commit.
CREATE TABLE counters (
    name TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES
    ('change', 0), ('THR', 0), ('LIB', 0), ('MUS', 0), ('RSV', 0), ('SCH', 0), ('HER', 0);
