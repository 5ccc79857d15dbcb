-- Access tokens: only a hash of each token is stored; the token itself is shown once.
CREATE TABLE tokens (
    name TEXT PRIMARY KEY NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
