-- API tokens. Only a SHA-256 of the secret is stored; the token itself is shown once, at
-- creation. `scope` is a subject prefix ('widgets.' for `widgets.*`), NULL for every subject.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL,
    role TEXT NOT NULL,
    scope TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
