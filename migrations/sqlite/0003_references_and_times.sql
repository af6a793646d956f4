-- References in their own table (they were JSON text parsed per query), and the audit log's and
-- tokens' times as integer milliseconds since the epoch (they were '<seconds>.<millis>' text).
CREATE TABLE schema_references (
    schema_id INTEGER NOT NULL REFERENCES schemas (id),
    name TEXT NOT NULL,
    subject TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (schema_id, name)
);
CREATE INDEX schema_references_target ON schema_references (subject, version);
INSERT INTO schema_references (schema_id, name, subject, version)
    SELECT s.id, json_extract(r.value, '$.name'), json_extract(r.value, '$.subject'),
           json_extract(r.value, '$.version')
    FROM schemas s, json_each(s.refs) r;

CREATE TABLE audit_log_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    principal TEXT NOT NULL,
    address TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT,
    detail TEXT NOT NULL
);
INSERT INTO audit_log_new (id, at_ms, principal, address, action, subject, detail)
    SELECT id, CAST(ROUND(CAST(at AS REAL) * 1000) AS INTEGER), principal, address, action, subject, detail
    FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_subject ON audit_log (subject, id);

CREATE TABLE api_tokens_new (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL,
    role TEXT NOT NULL,
    scope TEXT,
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER
);
INSERT INTO api_tokens_new (id, name, secret_sha256, role, scope, created_ms, revoked_ms)
    SELECT id, name, secret_sha256, role, scope, CAST(ROUND(CAST(created_at AS REAL) * 1000) AS INTEGER),
           CASE WHEN revoked_at IS NULL THEN NULL ELSE CAST(ROUND(CAST(revoked_at AS REAL) * 1000) AS INTEGER) END
    FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;
