-- Each account's template catalogue as WATI lists it (getMessageTemplates), for the checks before a
-- template is sent and for GET /api/v1/templates. catalogue: "account:<name>", or for the request's own
-- credentials the endpoint and a hash of the token (never the token). A load replaces the catalogue's
-- templates in one transaction; template_catalogues says when it was last loaded, and the last failure.
CREATE TABLE template_catalogues (
    catalogue       VARCHAR(2100) NOT NULL PRIMARY KEY,
    account         VARCHAR(64),
    loaded_at       TIMESTAMP WITH TIME ZONE,
    template_count  INTEGER       NOT NULL,
    last_error      VARCHAR(1024),
    attempted_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

-- parameters: the names a send must give, in order, as a JSON array
CREATE TABLE message_templates (
    catalogue   VARCHAR(2100) NOT NULL,
    name        VARCHAR(512)  NOT NULL,
    language    VARCHAR(64)   NOT NULL,
    status      VARCHAR(64)   NOT NULL,
    category    VARCHAR(64),
    parameters  VARCHAR(65536) NOT NULL,
    PRIMARY KEY (catalogue, name, language)
);
