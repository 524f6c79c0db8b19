-- Support-desk recovery (SPEC §4): the agents' role, recovery tickets with their candidate
-- accounts, replies, audit trail, cancel links, trusted colleagues, vouches and enterprise-admin
-- answers. Claims are kept as the requester wrote them (JSON); the status token, cancel tokens
-- and codes are stored only as hashes.

CREATE TABLE support_agents (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    added_at BIGINT NOT NULL
);

-- `status`: open, need_info, approved, rejected, cancelled, completed. `account_id` is the
-- account the ticket is about once found (by phone/e-mail) or picked by an agent. `flags` is a
-- comma-separated list (colleague_denied, admin_denied, cancelled_by_owner).
CREATE TABLE support_tickets (
    id TEXT PRIMARY KEY,
    ticket_no TEXT NOT NULL UNIQUE,
    status_token_hash TEXT NOT NULL,
    contact_channel TEXT NOT NULL,
    contact TEXT NOT NULL,
    claims TEXT NOT NULL,
    description TEXT NOT NULL,
    locale TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT,
    account_id TEXT REFERENCES accounts(id),
    flags TEXT NOT NULL,
    decided_by TEXT,
    decision_note TEXT,
    wait_until BIGINT,
    code_verification_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE INDEX support_tickets_status ON support_tickets(status, created_at);
CREATE INDEX support_tickets_account ON support_tickets(account_id);
CREATE INDEX support_tickets_ip ON support_tickets(ip, created_at);
CREATE INDEX support_tickets_contact ON support_tickets(contact, created_at);

-- Accounts a ticket may be about, and why (`phone`, `email`, `nickname`, `agent`).
CREATE TABLE support_candidates (
    ticket_id TEXT NOT NULL REFERENCES support_tickets(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    reason TEXT NOT NULL,
    PRIMARY KEY (ticket_id, account_id)
);

-- The requester's answers and the agents' notes.
CREATE TABLE support_replies (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES support_tickets(id),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX support_replies_ticket ON support_replies(ticket_id, at);

-- Everything done to a ticket, by whom (an agent's account id, `requester`, `owner`, `system`).
CREATE TABLE support_audit (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES support_tickets(id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX support_audit_ticket ON support_audit(ticket_id, at);

-- The links of "if this was not you, cancel" notices.
CREATE TABLE support_cancel_links (
    token_hash TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES support_tickets(id),
    created_at BIGINT NOT NULL
);

-- A member's trusted colleagues: a row counts from `active_from` until `active_until`.
CREATE TABLE trusted_contacts (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    contact_id TEXT NOT NULL REFERENCES accounts(id),
    active_from BIGINT NOT NULL,
    active_until BIGINT,
    PRIMARY KEY (account_id, contact_id)
);
CREATE INDEX trusted_contacts_contact ON trusted_contacts(contact_id);

-- A trusted colleague asked to vouch for `subject_id` during a ticket; `answer` is confirm/deny.
CREATE TABLE support_vouches (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES support_tickets(id),
    voucher_id TEXT NOT NULL REFERENCES accounts(id),
    subject_id TEXT NOT NULL REFERENCES accounts(id),
    answer TEXT,
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    UNIQUE (ticket_id, voucher_id)
);
CREATE INDEX support_vouches_voucher ON support_vouches(voucher_id, created_at);

-- An enterprise admin's answer about a member's ticket.
CREATE TABLE support_admin_answers (
    ticket_id TEXT NOT NULL REFERENCES support_tickets(id),
    admin_id TEXT NOT NULL REFERENCES accounts(id),
    org_id TEXT NOT NULL REFERENCES orgs(id),
    subject_id TEXT NOT NULL REFERENCES accounts(id),
    answer TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, admin_id)
);
