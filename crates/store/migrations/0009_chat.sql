-- Business chat (SPEC §6): enterprises, members with roles, invitations, contacts, conversations,
-- messages with a per-conversation seq, and each account's event stream with its own seq, kept
-- here so a reconnecting client replays from the database rather than from any node's memory.

CREATE TABLE orgs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES accounts(id),
    created_at BIGINT NOT NULL
);

-- Every name an enterprise has had (evidence for the support desk).
CREATE TABLE org_names (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX org_names_org ON org_names(org_id);

-- Membership is kept after leaving (`left_at`), for the support desk's history.
CREATE TABLE org_members (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,
    joined_at BIGINT NOT NULL,
    left_at BIGINT,
    PRIMARY KEY (org_id, account_id)
);
CREATE INDEX org_members_account ON org_members(account_id);

CREATE TABLE org_invites (
    id TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    channel TEXT NOT NULL,
    destination TEXT NOT NULL,
    role TEXT NOT NULL,
    invited_by TEXT NOT NULL REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    accepted_by TEXT REFERENCES accounts(id),
    accepted_at BIGINT
);
CREATE INDEX org_invites_org ON org_invites(org_id);

-- External contacts by request and accept; `status` is pending, accepted or declined.
CREATE TABLE contact_requests (
    id TEXT PRIMARY KEY,
    from_id TEXT NOT NULL REFERENCES accounts(id),
    to_id TEXT NOT NULL REFERENCES accounts(id),
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX contact_requests_from ON contact_requests(from_id);
CREATE INDEX contact_requests_to ON contact_requests(to_id);

CREATE TABLE blocks (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    blocked_id TEXT NOT NULL REFERENCES accounts(id),
    at BIGINT NOT NULL,
    PRIMARY KEY (account_id, blocked_id)
);

-- `direct_key` (the two ids, sorted, joined) makes a direct conversation unique per pair.
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT,
    direct_key TEXT UNIQUE,
    created_by TEXT NOT NULL REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    last_message_at BIGINT
);

CREATE TABLE conversation_members (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,
    joined_at BIGINT NOT NULL,
    read_seq BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, account_id)
);
CREATE INDEX conversation_members_account ON conversation_members(account_id);

-- Edits and recalls keep the row (a recall is a tombstone: body emptied, `recalled_at` set).
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    seq BIGINT NOT NULL,
    sender_id TEXT NOT NULL REFERENCES accounts(id),
    client_msg_id TEXT NOT NULL,
    body TEXT NOT NULL,
    mentions TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    edited_at BIGINT,
    recalled_at BIGINT,
    recalled_by TEXT,
    UNIQUE (conversation_id, seq),
    UNIQUE (sender_id, client_msg_id)
);
CREATE INDEX messages_sender_time ON messages(sender_id, sent_at);

-- Each account's stream: `seq` counts per account without gaps; `pruned_through` is the newest
-- seq removed by retention (a `since` below it gets `resync`).
CREATE TABLE stream_heads (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    seq BIGINT NOT NULL,
    pruned_through BIGINT NOT NULL
);

-- Message events point at the message (a replay shows its current state); others carry `data`.
CREATE TABLE stream_events (
    account_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    conversation_id TEXT,
    message_id TEXT,
    data TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, seq)
);
CREATE INDEX stream_events_time ON stream_events(created_at);
