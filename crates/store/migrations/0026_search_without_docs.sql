-- Search (issue 18): no document rows. Every indexed message wrote a `search_docs` row (two
-- B-trees: the row and its unique key) inside SQLite's single writer, which the sends queue for
-- too: under load this was about half of an index pass. A posting list now holds the messages'
-- `seq` in the conversation its row is keyed by (`scope`), and a search reads the message by
-- (conversation, seq) and its filters (sender, time, file) from the message itself.
--
-- `indexed_seq` is the highest seq indexed in the conversation: a pass appends a new row for
-- the messages above it (the rows of one conversation and term keep ranges that do not overlap)
-- and adds one at or below it (an edited message indexed again) to the row whose range holds it.
--
-- Like migrations 0019 and 0024, the old index is dropped and rebuilt from the messages at start.
DROP TABLE search_docs;
DELETE FROM search_postings;
DELETE FROM search_pending;
ALTER TABLE search_scopes ADD COLUMN indexed_seq BIGINT NOT NULL DEFAULT 0;

UPDATE search_meta SET value = 'layout-0026' WHERE key = 'version';
