-- An owner's or admin's request that a member re-verify a bound phone or e-mail: the code went
-- to the binding as the verification `verification_id` (purpose `reverify`); the member enters
-- it while signed in, which refreshes the binding's verification time.
CREATE TABLE org_reverify_requests (
    verification_id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    requested_by TEXT NOT NULL REFERENCES accounts(id),
    requested_at BIGINT NOT NULL,
    confirmed_at BIGINT
);
CREATE INDEX org_reverify_account ON org_reverify_requests(account_id, requested_at);
