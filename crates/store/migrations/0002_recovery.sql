-- Self-service password recovery and bindings (SPEC §2, §3).

-- When each channel was proven, and when the phone was last used to log in or recover: a phone
-- unused for a long time may have been recycled by the carrier.
ALTER TABLE accounts ADD COLUMN phone_verified_at BIGINT;
ALTER TABLE accounts ADD COLUMN email_verified_at BIGINT;
ALTER TABLE accounts ADD COLUMN phone_used_at BIGINT;
UPDATE accounts SET phone_verified_at = created_at, phone_used_at = created_at WHERE phone IS NOT NULL;
UPDATE accounts SET email_verified_at = created_at WHERE email IS NOT NULL;

-- A code for a binding belongs to the account that asked for it.
ALTER TABLE verifications ADD COLUMN account_id TEXT;

CREATE TABLE password_resets (
    id TEXT PRIMARY KEY,
    -- NULL when the identifier matched no account: the flow looks the same and never succeeds.
    account_id TEXT REFERENCES accounts(id),
    identifier TEXT NOT NULL,
    channel TEXT NOT NULL,
    verification_id TEXT NOT NULL REFERENCES verifications(id),
    -- Channels whose code was verified, comma-separated.
    verified TEXT NOT NULL DEFAULT '',
    token_hash TEXT,
    token_expires_at BIGINT,
    second_factor_required BIGINT NOT NULL DEFAULT 0,
    second_factor_at BIGINT,
    completed_at BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX password_resets_account ON password_resets(account_id);

-- Every bind, change and removal, with the single-use links sent to the old destination.
CREATE TABLE binding_changes (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    channel TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    at BIGINT NOT NULL,
    cancel_token_hash TEXT UNIQUE,
    confirm_token_hash TEXT UNIQUE,
    links_expire_at BIGINT NOT NULL,
    cancelled_at BIGINT,
    confirmed_at BIGINT
);
CREATE INDEX binding_changes_account ON binding_changes(account_id, at);
