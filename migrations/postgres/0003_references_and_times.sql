-- References in their own table (they were JSON text parsed per query), and the audit log's and
-- tokens' times as integer milliseconds since the epoch (they were '<seconds>.<millis>' text).
CREATE TABLE schema_references (
    schema_id BIGINT NOT NULL REFERENCES schemas (id),
    name TEXT NOT NULL,
    subject TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (schema_id, name)
);
CREATE INDEX schema_references_target ON schema_references (subject, version);
INSERT INTO schema_references (schema_id, name, subject, version)
    SELECT s.id, r->>'name', r->>'subject', (r->>'version')::BIGINT
    FROM schemas s, jsonb_array_elements(s.refs::jsonb) r;

ALTER TABLE audit_log RENAME COLUMN at TO at_ms;
ALTER TABLE audit_log ALTER COLUMN at_ms TYPE BIGINT USING round(at_ms::numeric * 1000)::BIGINT;
CREATE INDEX audit_log_subject ON audit_log (subject, id);

ALTER TABLE api_tokens RENAME COLUMN created_at TO created_ms;
ALTER TABLE api_tokens ALTER COLUMN created_ms TYPE BIGINT USING round(created_ms::numeric * 1000)::BIGINT;
ALTER TABLE api_tokens RENAME COLUMN revoked_at TO revoked_ms;
ALTER TABLE api_tokens ALTER COLUMN revoked_ms TYPE BIGINT USING round(revoked_ms::numeric * 1000)::BIGINT;
