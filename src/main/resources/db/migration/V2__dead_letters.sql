-- Actions whose retries were exhausted or that failed unexpectedly, kept for inspection and replay.
-- The access token is never stored in clear: token_encrypted is AES-GCM under wati.secret-key
-- (null for named accounts, whose token comes from configuration again on replay).
CREATE TABLE dead_letters (
    id               VARCHAR(36)     NOT NULL PRIMARY KEY,
    action           VARCHAR(64)     NOT NULL,
    account          VARCHAR(512)    NOT NULL,
    fields_json      VARCHAR(1048576) NOT NULL,
    token_encrypted  VARCHAR(8192),
    error            VARCHAR(4000)   NOT NULL,
    http_status      INTEGER         NOT NULL,
    attempts         INTEGER         NOT NULL,
    status           VARCHAR(16)     NOT NULL,
    replays          INTEGER         NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX dead_letters_status_created ON dead_letters (status, created_at DESC, id);
