-- Login records (SPEC §5): the place of each event, the networks and places an account has
-- logged in from, and the "this wasn't me" link of a new-login notice.
ALTER TABLE security_events ADD COLUMN place TEXT;

CREATE TABLE known_networks (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    network TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, network)
);

CREATE TABLE known_places (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    place TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, place)
);

ALTER TABLE sessions ADD COLUMN dispute_token_hash TEXT;
CREATE UNIQUE INDEX sessions_dispute ON sessions(dispute_token_hash);
