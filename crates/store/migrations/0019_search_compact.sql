-- Search (issue 18): a more compact index. Every message adds 20–40 term rows, and each row of
-- migration 0012 repeated the conversation's 32-character id; the index now keys them by a small
-- integer per conversation (`search_scopes`), so the index is written in about a third of the
-- bytes. `search_docs` loses its conversation index (no search reads documents by conversation;
-- terms do) and keeps its conversation as that key, which a document's other terms are checked
-- under.
--
-- The old index cannot be converted in SQL (the key of a conversation is given when the index
-- first meets it), so it is dropped, and the index version is reset: the next server with search
-- on rebuilds it from the messages at start (queues every message and indexes the queue in the
-- background, as after migration 0012), and `wangshang admin search rebuild` does it by hand.
DROP TABLE search_terms;
DROP TABLE search_docs;
DELETE FROM search_pending;

-- One row per conversation the index has met: its compact key.
CREATE TABLE search_scopes (
-- [sqlite]     id INTEGER PRIMARY KEY,
-- [postgres]     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id TEXT NOT NULL UNIQUE
);

CREATE TABLE search_docs (
-- [sqlite]     id INTEGER PRIMARY KEY,
-- [postgres]     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    scope BIGINT NOT NULL,
    sender_id TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    has_file BIGINT NOT NULL DEFAULT 0,
    UNIQUE (kind, ref_id)
);

-- Terms compare byte by byte on both backends, so a prefix is a range of the index.
CREATE TABLE search_terms (
    scope BIGINT NOT NULL,
-- [sqlite]     term TEXT NOT NULL,
-- [postgres]     term TEXT COLLATE "C" NOT NULL,
    doc_id BIGINT NOT NULL,
    PRIMARY KEY (scope, term, doc_id)
-- [sqlite] ) WITHOUT ROWID;
-- [postgres] );

UPDATE search_meta SET value = 'layout-0019' WHERE key = 'version';
