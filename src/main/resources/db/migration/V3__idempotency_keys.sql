-- Idempotency-Key: one row per key (hashed with the API key name that sent it), holding the
-- request's hash and, once finished, the answer to give back to a repeat.
CREATE TABLE idempotency_keys (
    key_hash         VARCHAR(64)      NOT NULL PRIMARY KEY,
    request_hash     VARCHAR(64)      NOT NULL,
    state            VARCHAR(16)      NOT NULL,
    response_status  INTEGER,
    response_body    VARCHAR(1048576),
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
