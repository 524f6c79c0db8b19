-- Optional security questions (SPEC §5): evidence for the support desk only, never enough alone.
CREATE TABLE security_questions (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    position BIGINT NOT NULL,
    question TEXT NOT NULL,
    answer_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, position)
);
