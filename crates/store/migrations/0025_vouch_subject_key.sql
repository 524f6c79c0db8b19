-- A ticket asks an account "was it you?" on its own signed-in sessions (a row whose voucher is
-- its subject) for each likely candidate, and later asks the picked account's trusted
-- colleagues about it. A colleague can be both, a candidate of the ticket and a trusted colleague
-- of the account picked: the key is the question (ticket, who is asked, about whom), so the first
-- row can no longer keep the second from being asked.
CREATE TABLE support_vouches_v2 (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES support_tickets(id),
    voucher_id TEXT NOT NULL REFERENCES accounts(id),
    subject_id TEXT NOT NULL REFERENCES accounts(id),
    answer TEXT,
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    UNIQUE (ticket_id, voucher_id, subject_id)
);
INSERT INTO support_vouches_v2 (id, ticket_id, voucher_id, subject_id, answer, created_at, answered_at)
    SELECT id, ticket_id, voucher_id, subject_id, answer, created_at, answered_at FROM support_vouches;
DROP TABLE support_vouches;
ALTER TABLE support_vouches_v2 RENAME TO support_vouches;
CREATE INDEX support_vouches_voucher ON support_vouches(voucher_id, created_at);
