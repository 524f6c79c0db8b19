-- Search (SPEC §10): an inverted index inside the database, written in the same transaction as
-- the message it describes, so every node sees the same results and a crash loses nothing.
--
-- `search_docs` holds one row per searchable thing (`kind` 'message' today; other kinds, such as
-- files, can be added) with what the filters need. `search_terms` is the index proper: the
-- terms of each document (Chinese bigrams and single characters, words, numbers), keyed by
-- conversation first, so a search reads only the conversations the member is in. Every hit is
-- checked against the message's current text before it is returned, so the index only needs
-- to find candidates.
CREATE TABLE search_docs (
-- [sqlite]     id INTEGER PRIMARY KEY,
-- [postgres]     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    has_file BIGINT NOT NULL DEFAULT 0,
    UNIQUE (kind, ref_id)
);
CREATE INDEX search_docs_conversation ON search_docs(conversation_id, sent_at);

-- Terms compare byte by byte on both backends, so a prefix is a range of the index.
CREATE TABLE search_terms (
    conversation_id TEXT NOT NULL,
-- [sqlite]     term TEXT NOT NULL,
-- [postgres]     term TEXT COLLATE "C" NOT NULL,
    doc_id BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, term, doc_id)
-- [sqlite] ) WITHOUT ROWID;
-- [postgres] );

-- `version`: the tokenizer the index was built with; another value makes the server rebuild
-- the index at start (so existing messages are indexed after this migration).
CREATE TABLE search_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO search_meta (key, value) VALUES ('version', '0');
