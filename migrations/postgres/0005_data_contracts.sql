-- Data contracts (Confluent 7.4+): a schema's metadata and rule set, as JSON text (NULL: none),
-- part of its identity; and per-subject (or global) contract settings: default and override
-- metadata and rule sets and the compatibility group, as one JSON object.
ALTER TABLE schemas ADD COLUMN metadata TEXT;
ALTER TABLE schemas ADD COLUMN rule_set TEXT;
ALTER TABLE configs ADD COLUMN contracts TEXT;
