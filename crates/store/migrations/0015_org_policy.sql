-- Enterprise security policy (SPEC §11). One row per enterprise that set one; no row means the
-- server's rules only. Flags are 0/1; optional limits are NULL when the enterprise set none.
-- `second_factor_since` is when the current second-factor requirement was switched on: the grace
-- period of a member counts from it (or from joining, if later).
CREATE TABLE org_policies (
    org_id TEXT PRIMARY KEY REFERENCES orgs(id),
    require_second_factor TEXT NOT NULL,
    grace_days BIGINT NOT NULL,
    second_factor_since BIGINT,
    password_min_length BIGINT,
    password_min_score BIGINT,
    password_require_composition BIGINT NOT NULL,
    session_max_age_hours BIGINT,
    session_idle_minutes BIGINT,
    allowed_networks TEXT NOT NULL,
    support_needs_admin BIGINT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES accounts(id),
    updated_at BIGINT NOT NULL
);

-- The enterprise whose data a conversation is (its policy applies); NULL for external chats.
ALTER TABLE conversations ADD COLUMN org_id TEXT REFERENCES orgs(id);
CREATE INDEX conversations_org ON conversations(org_id);

-- The longest pause between two uses of a session so far, so that an enterprise's idle limit
-- stays broken once broken, although the session lives on for the rest of the account's data.
ALTER TABLE sessions ADD COLUMN longest_idle_ms BIGINT NOT NULL DEFAULT 0;

-- A member an owner or admin suspended: their account lives on, the enterprise's conversations are
-- closed to them until reinstated (the row is deleted then). Their messages stay.
CREATE TABLE org_suspensions (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    suspended_by TEXT NOT NULL REFERENCES accounts(id),
    suspended_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, account_id)
);

-- The enterprise's audit log: policy changes and actions on members, with who and when (never
-- addresses, codes or secrets).
CREATE TABLE org_audit (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    actor_id TEXT NOT NULL REFERENCES accounts(id),
    subject_id TEXT REFERENCES accounts(id),
    kind TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX org_audit_org ON org_audit(org_id, at);

-- An offboarding (离职): the member is suspended and has left the enterprise's groups (those they
-- owned handed to the successor); `groups` (JSON) keeps what an undo within 30 days gives back.
CREATE TABLE org_offboardings (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    successor_id TEXT NOT NULL REFERENCES accounts(id),
    groups TEXT NOT NULL,
    offboarded_by TEXT NOT NULL REFERENCES accounts(id),
    offboarded_at BIGINT NOT NULL,
    undo_until BIGINT NOT NULL,
    PRIMARY KEY (org_id, account_id)
);
