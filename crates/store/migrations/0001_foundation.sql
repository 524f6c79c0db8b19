-- Accounts, sessions, verification codes, throttling, security events, outbox.
-- Timestamps are BIGINT milliseconds since the Unix epoch; ids are opaque text.

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    nickname TEXT NOT NULL,
    phone TEXT UNIQUE,
    email TEXT UNIQUE,
    password_hash TEXT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    locale TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE nickname_history (
-- [sqlite]     id INTEGER PRIMARY KEY AUTOINCREMENT,
-- [postgres]     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    nickname TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX nickname_history_account ON nickname_history(account_id);

CREATE TABLE devices (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    device_id TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, device_id)
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    token_hash TEXT NOT NULL UNIQUE,
    device_id TEXT NOT NULL,
    device_name TEXT,
    user_agent TEXT NOT NULL,
    ip TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE verifications (
    id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    channel TEXT NOT NULL,
    destination TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    sends BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_sent_at BIGINT NOT NULL,
    consumed_at BIGINT
);

CREATE TABLE code_sends (
-- [sqlite]     id INTEGER PRIMARY KEY AUTOINCREMENT,
-- [postgres]     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    destination TEXT NOT NULL,
    ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX code_sends_destination ON code_sends(destination, at);
CREATE INDEX code_sends_ip ON code_sends(ip, at);

CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until BIGINT
);

CREATE TABLE security_events (
-- [sqlite]     id INTEGER PRIMARY KEY AUTOINCREMENT,
-- [postgres]     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    flags TEXT NOT NULL
);
CREATE INDEX security_events_account ON security_events(account_id, id);
-- [sqlite] CREATE TRIGGER security_events_no_update BEFORE UPDATE ON security_events
-- [sqlite] BEGIN SELECT RAISE(ABORT, 'security_events is append-only'); END;
-- [sqlite] CREATE TRIGGER security_events_no_delete BEFORE DELETE ON security_events
-- [sqlite] BEGIN SELECT RAISE(ABORT, 'security_events is append-only'); END;
-- [postgres] CREATE FUNCTION security_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
-- [postgres] BEGIN RAISE EXCEPTION 'security_events is append-only'; END $$;
-- [postgres] CREATE TRIGGER security_events_append_only BEFORE UPDATE OR DELETE ON security_events
-- [postgres] FOR EACH ROW EXECUTE FUNCTION security_events_append_only();

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    destination TEXT NOT NULL,
    template TEXT NOT NULL,
    locale TEXT NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    expires_at BIGINT,
    provider TEXT,
    provider_message_id TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

CREATE TABLE dev_messages (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    destination TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    code TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX dev_messages_destination ON dev_messages(destination, created_at);
