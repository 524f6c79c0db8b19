-- Files attached to messages (SPEC §9). The bytes live outside the database (under `data_dir` or
-- in an S3-compatible store), content-addressed: `blob` is the SHA-256 of the stored bytes (after
-- metadata stripping), `thumb_blob` that of the thumbnail. One file per message; the row is
-- written in the same transaction as its message. `status` is ready, scanning or blocked.
CREATE TABLE files (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE REFERENCES messages(id),
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    uploader_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    blob TEXT NOT NULL,
    thumb_blob TEXT,
    width BIGINT,
    height BIGINT,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- The per-account storage quota counts what an account stored over the last day.
CREATE INDEX files_uploader_time ON files(uploader_id, created_at);
