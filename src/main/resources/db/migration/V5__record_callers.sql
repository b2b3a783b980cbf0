-- Kept records belong to the API key that created them (its name, never the key): a key sees,
-- replays and deletes only its own; the keys of wati.api-admins see all. Rows from before are
-- given to "default", the name of wati.api-key. The default is dropped again at once: a row
-- written without its caller fails instead of silently going to "default".
ALTER TABLE dead_letters ADD COLUMN caller VARCHAR(255) DEFAULT 'default' NOT NULL;
ALTER TABLE dead_letters ALTER COLUMN caller DROP DEFAULT;
ALTER TABLE outbox ADD COLUMN caller VARCHAR(255) DEFAULT 'default' NOT NULL;
ALTER TABLE outbox ALTER COLUMN caller DROP DEFAULT;
ALTER TABLE files ADD COLUMN caller VARCHAR(255) DEFAULT 'default' NOT NULL;
ALTER TABLE files ALTER COLUMN caller DROP DEFAULT;
