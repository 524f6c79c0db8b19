-- Search (issue 18): posting lists instead of one row per term and message. Every message added
-- 20–40 rows to `search_terms`, one B-tree insert each, all inside SQLite's single writer, which
-- the sends queue for too: under load an index pass of 2,000 messages held it 43–83 ms. Now a
-- pass writes one row per conversation and term with the ids of all the pass's documents that
-- have the term, as a segment-based engine (Lucene, tantivy) groups its postings: under load a
-- pass writes several times fewer rows, and when messages come one by one it writes as many as
-- before.
--
-- `docs` holds the ids in ascending order (a JSON array on SQLite, read with `json_each`; an
-- array on PostgreSQL, read with `unnest`), `first_doc` and `last_doc` the smallest and the
-- largest. Passes run one at a time (the index's lock) and give their documents ids above every
-- id before, so the rows of one conversation and term cover ranges that do not overlap: the
-- row that may hold a document is the first whose `last_doc` is not below it. Removing a
-- document (an edit or a recall) rewrites the rows it is in.
--
-- Like migration 0019, the old index is dropped and rebuilt from the messages at start.
DROP TABLE search_terms;
DELETE FROM search_docs;
DELETE FROM search_pending;

CREATE TABLE search_postings (
    scope BIGINT NOT NULL,
-- [sqlite]     term TEXT NOT NULL,
-- [postgres]     term TEXT COLLATE "C" NOT NULL,
    last_doc BIGINT NOT NULL,
    first_doc BIGINT NOT NULL,
-- [sqlite]     docs TEXT NOT NULL,
-- [postgres]     docs BIGINT[] NOT NULL,
    PRIMARY KEY (scope, term, last_doc)
-- [sqlite] ) WITHOUT ROWID;
-- [postgres] );

UPDATE search_meta SET value = 'layout-0024' WHERE key = 'version';
