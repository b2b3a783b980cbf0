-- Media archived by get_media: one row per stored blob, written only after the blob is complete.
-- Portable SQL: the same migration runs on H2 (embedded default) and PostgreSQL (production).
CREATE TABLE files (
    id                VARCHAR(36)   NOT NULL PRIMARY KEY,
    owner_id          VARCHAR(64)   NOT NULL,
    file_url          VARCHAR(2048) NOT NULL,
    file_name         VARCHAR(255)  NOT NULL,
    size              BIGINT        NOT NULL,
    content_type      VARCHAR(255)  NOT NULL,
    source_file_name  VARCHAR(1024) NOT NULL,
    container         VARCHAR(63)   NOT NULL,
    blob_name         VARCHAR(1024) NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX files_owner_created ON files (owner_id, created_at DESC, id);
