-- The 24-hour customer service window per account and contact: when the customer last wrote (the
-- message event's own timestamp). A session message to a contact whose window is known to be closed
-- is not sent (or its fallback template is). endpoint: the account's, so an action that brings the
-- same endpoint with its own token finds the account's contacts, as opt-outs do.
CREATE TABLE contact_windows (
    account                   VARCHAR(64)   NOT NULL,
    number                    VARCHAR(32)   NOT NULL,
    endpoint                  VARCHAR(2048),
    last_customer_message_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (account, number)
);

CREATE INDEX contact_windows_number ON contact_windows (number);
