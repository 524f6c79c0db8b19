-- Two-factor authentication and login challenges (SPEC §5).

-- The TOTP secret, sealed with a key derived from the server secret. `confirmed_at` is NULL while
-- enrolling; `last_step` is the newest accepted time step, so a code is accepted once.
CREATE TABLE totp_secrets (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    sealed_secret TEXT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Single-use recovery codes, stored as keyed hashes.
CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, code_hash)
);

-- The second step of a login: two-factor, or a code for a new device.
CREATE TABLE login_challenges (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    reason TEXT NOT NULL,
    methods TEXT NOT NULL,
    verification_id TEXT,
    device_id TEXT NOT NULL,
    device_name TEXT,
    webauthn_state TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    completed_at BIGINT
);

-- Wrong second factors during a recovery.
ALTER TABLE password_resets ADD COLUMN second_factor_attempts BIGINT NOT NULL DEFAULT 0;
