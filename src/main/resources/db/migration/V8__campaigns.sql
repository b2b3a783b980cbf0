-- Template campaigns (POST /api/v1/campaigns): every recipient stored before the 202, then sent by
-- batches that one worker of one instance claims at a time (claim_token, claimed_until).
-- campaigns.status: running -> finished, or paused (and running again), or cancelled.
CREATE TABLE campaigns (
    id               VARCHAR(36)   NOT NULL PRIMARY KEY,
    caller           VARCHAR(255)  NOT NULL,
    account          VARCHAR(64),
    endpoint         VARCHAR(2048) NOT NULL,
    token_encrypted  VARCHAR(8192),
    template_name    VARCHAR(512)  NOT NULL,
    broadcast_name   VARCHAR(512)  NOT NULL,
    mode             VARCHAR(16)   NOT NULL,
    status           VARCHAR(16)   NOT NULL,
    total            INTEGER       NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE,
    finished_at      TIMESTAMP WITH TIME ZONE,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX campaigns_caller_created ON campaigns (caller, created_at);

-- A batch is what one worker takes: in bulk mode the receivers of one sendTemplateMessages call
-- (at most 1000), in single mode a few recipients sent one by one.
-- state: pending -> claimed -> done; a claim that ran out (its instance died) goes back to pending,
-- and its recipients that were being sent become unknown (never sent again). sending: the batch's
-- bulk call may have reached WATI (its recipients are then all being sent, without a row change each).
CREATE TABLE campaign_batches (
    campaign_id      VARCHAR(36)   NOT NULL,
    batch_no         INTEGER       NOT NULL,
    state            VARCHAR(16)   NOT NULL,
    sending          BOOLEAN       DEFAULT FALSE NOT NULL,
    claim_token      VARCHAR(255),
    claimed_until    TIMESTAMP WITH TIME ZONE,
    attempts         INTEGER       NOT NULL,
    PRIMARY KEY (campaign_id, batch_no)
);

CREATE INDEX campaign_batches_state ON campaign_batches (state, campaign_id, batch_no);

-- status: pending -> sending (single mode: WATI may have been called; in bulk mode the batch says so)
-- -> sent or failed; skipped when stored (invalid or opted-out number, blank parameter, duplicate) or
-- when the campaign was cancelled; unknown when a crash left a send's outcome unknown.
-- local_message_id is sent with a bulk receiver and matches WATI's status events to it.
-- status is in no index: changing it rewrites only the row (on PostgreSQL a HOT update).
CREATE TABLE campaign_recipients (
    campaign_id       VARCHAR(36)     NOT NULL,
    seq               INTEGER         NOT NULL,
    batch_no          INTEGER,
    number            VARCHAR(64)     NOT NULL,
    parameters_json   VARCHAR(65536)  NOT NULL,
    status            VARCHAR(16)     NOT NULL,
    reason            VARCHAR(1024),
    local_message_id  VARCHAR(36),
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (campaign_id, seq)
);

CREATE INDEX campaign_recipients_batch ON campaign_recipients (campaign_id, batch_no);
CREATE INDEX campaign_recipients_local_id ON campaign_recipients (local_message_id);
