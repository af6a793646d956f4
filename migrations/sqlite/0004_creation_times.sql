-- When a schema and a subject version were created, as integer milliseconds since the epoch
-- (they were '<seconds>.<millis>' text).
ALTER TABLE schemas ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0;
UPDATE schemas SET created_ms = CAST(ROUND(CAST(created_at AS REAL) * 1000) AS INTEGER);
ALTER TABLE schemas DROP COLUMN created_at;

ALTER TABLE subject_versions ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0;
UPDATE subject_versions SET created_ms = CAST(ROUND(CAST(created_at AS REAL) * 1000) AS INTEGER);
ALTER TABLE subject_versions DROP COLUMN created_at;
