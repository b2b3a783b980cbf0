-- Async actions (Prefer: respond-async): accepted durably before the 202, then sent by workers.
-- state: queued -> claimed (a worker has it, nothing sent) -> sending (WATI may have been called)
--        -> done; after a crash, claimed goes back to queued and sending becomes a dead letter
--        (the outcome is unknown: never sent twice).
CREATE TABLE outbox (
    id               VARCHAR(36)      NOT NULL PRIMARY KEY,
    action           VARCHAR(64)      NOT NULL,
    fields_json      VARCHAR(1048576) NOT NULL,
    token_encrypted  VARCHAR(8192),
    callback_url     VARCHAR(2048),
    state            VARCHAR(16)      NOT NULL,
    claimed_by       VARCHAR(128),
    claimed_until    TIMESTAMP WITH TIME ZONE,
    result_status    INTEGER,
    result_json      VARCHAR(1048576),
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX outbox_state_created ON outbox (state, created_at);
