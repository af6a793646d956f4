-- When a schema and a subject version were created, as integer milliseconds since the epoch
-- (they were '<seconds>.<millis>' text).
ALTER TABLE schemas RENAME COLUMN created_at TO created_ms;
ALTER TABLE schemas ALTER COLUMN created_ms TYPE BIGINT USING round(created_ms::numeric * 1000)::BIGINT;
ALTER TABLE subject_versions RENAME COLUMN created_at TO created_ms;
ALTER TABLE subject_versions ALTER COLUMN created_ms TYPE BIGINT USING round(created_ms::numeric * 1000)::BIGINT;
