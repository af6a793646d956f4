-- schemagate registry, SQLite. Never edit a shipped migration: add a new one.
CREATE TABLE schemas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- SHA-256 of the canonical schema text, its type and its references: one id per content.
    fingerprint TEXT NOT NULL UNIQUE,
    schema_type TEXT NOT NULL,
    schema_text TEXT NOT NULL,
    -- JSON array of Confluent references {name, subject, version}.
    refs TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE subject_versions (
    subject TEXT NOT NULL,
    version INTEGER NOT NULL,
    schema_id INTEGER NOT NULL REFERENCES schemas (id),
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (subject, version)
);
CREATE INDEX subject_versions_schema_id ON subject_versions (schema_id);

-- '' is the global row.
CREATE TABLE configs (
    subject TEXT PRIMARY KEY,
    compatibility TEXT,
    rules TEXT
);

CREATE TABLE modes (
    subject TEXT PRIMARY KEY,
    mode TEXT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    principal TEXT NOT NULL,
    address TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT,
    detail TEXT NOT NULL
);
