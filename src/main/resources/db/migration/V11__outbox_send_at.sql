-- Scheduled sends and quiet hours: an outbox row is due at send_at (the caller's send_at, the end of
-- the account's quiet hours, or when it was accepted) and is claimed only once the runtime's clock
-- has reached it; requeueing (crash recovery) keeps it. deferred says why it waits longer than asked
-- ("quiet hours 21:00-08:00 Africa/Johannesburg"), null when it does not.
-- Rows from before are due when they were accepted, so they keep their order. The default (now) is
-- kept: a row written without send_at is due at once.
ALTER TABLE outbox ADD COLUMN send_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL;
UPDATE outbox SET send_at = created_at;
ALTER TABLE outbox ADD COLUMN deferred VARCHAR(255);

-- The claim: state = 'queued' AND send_at <= now ORDER BY send_at, id. The old index served the
-- claim's former order (created_at) and nothing else.
CREATE INDEX outbox_state_send_at ON outbox (state, send_at, id);
DROP INDEX outbox_state_created;
