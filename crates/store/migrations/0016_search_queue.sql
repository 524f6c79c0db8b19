-- Search (issue 18): messages wait here for the search index instead of being indexed in the
-- transaction that sends them. A send (and an edit) adds its messages in its own transaction, so
-- a committed message is always indexed or queued: every node's indexer takes queued messages in
-- batches after commit and at start (a crash loses nothing for good; a node that was down
-- catches up), and a search first indexes what is still queued, so it finds a message sent just
-- before it. An entry leaves the queue in the transaction that indexes its message.
CREATE TABLE search_pending (
-- [sqlite]     id INTEGER PRIMARY KEY,
-- [postgres]     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id TEXT NOT NULL
);
