//! The search index's rows and repository (SPEC §10): documents and their terms, written in the
//! same transaction as what they describe, and the candidates of a search.

use async_trait::async_trait;

use super::{Message, StoreResult};
use crate::clock::Millis;

/// What an edit or a recall changes of a message (its file is fixed when it is sent, and a
/// recall takes it away with the text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageVersion {
    pub id: String,
    /// Empty once recalled.
    pub body: String,
    pub edited_at: Option<Millis>,
    pub recalled_at: Option<Millis>,
}

/// What the indexer reads of a queued message: what its terms come from, its place (its
/// document), and what an edit or a recall changes.
#[derive(Clone, Debug)]
pub struct IndexSource {
    pub id: String,
    pub conversation_id: String,
    pub seq: i64,
    /// Empty once recalled.
    pub body: String,
    /// The name of the message's file, if it has one.
    pub file_name: Option<String>,
    pub edited_at: Option<Millis>,
    pub recalled_at: Option<Millis>,
}

/// A document to index: a message, by its place in its conversation (migration 0026).
#[derive(Clone, Debug)]
pub struct SearchDoc {
    pub conversation_id: String,
    pub seq: i64,
}

/// Documents indexed together (one pass) and their terms grouped into posting lists, one per
/// conversation and term: grouped before the write unit opens, so the unit only writes.
#[derive(Clone, Debug, Default)]
pub struct SearchBatch {
    /// `None`: left out after grouping (the store skips it in the lists).
    pub docs: Vec<Option<SearchDoc>>,
    /// The conversations of `docs`, sorted, without repeats.
    pub conversations: Vec<String>,
    /// (index in `conversations`, term, indexes in `docs` ascending).
    pub postings: Vec<(usize, String, Vec<u32>)>,
}

/// How a term of a query is looked up in the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TermLookup {
    /// This term exactly.
    Exact(String),
    /// Every term that starts with this.
    Prefix(String),
}

/// What the store narrows a search to. Only messages of conversations `account_id` is a member
/// of now, never recalled ones, that have every term of `lookups`.
#[derive(Clone, Debug)]
pub struct SearchFilter {
    pub account_id: String,
    /// At least one; the first is read from the index, the others checked per document.
    pub lookups: Vec<TermLookup>,
    pub conversation_id: Option<String>,
    pub sender_id: Option<String>,
    /// Sent at or after.
    pub after: Option<Millis>,
    /// Sent before.
    pub before: Option<Millis>,
    pub has_file: Option<bool>,
    /// Only documents older than this `(sent_at, doc)` (the cursor).
    pub below: Option<(Millis, i64)>,
    pub limit: u32,
}

/// A message that has the terms: the text still needs checking.
#[derive(Clone, Debug)]
pub struct SearchCandidate {
    /// The document's key in the index, unique among messages: it orders hits sent in the same
    /// millisecond (and is the cursor's second half).
    pub doc: i64,
    pub message: Message,
}

#[async_trait]
pub trait SearchRepo {
    /// Adds a batch's documents to the posting lists; a document already in a list stays there
    /// once.
    async fn index_docs(&mut self, batch: &SearchBatch) -> StoreResult<()>;
    /// Removes a document from the lists of `terms` (those it was indexed with).
    async fn unindex_doc(&mut self, doc: &SearchDoc, terms: &[String]) -> StoreResult<()>;
    /// Candidates, newest first (`sent_at`, then doc, descending).
    async fn search_candidates(&mut self, f: &SearchFilter) -> StoreResult<Vec<SearchCandidate>>;
    /// How many index rows `lookup` has in the conversations `account_id` is a member of now
    /// (only `conversation_id`, when given), counted up to `cap`: the query planner's estimate.
    async fn search_term_count(
        &mut self,
        account_id: &str,
        conversation_id: Option<&str>,
        lookup: &TermLookup,
        cap: u32,
    ) -> StoreResult<i64>;
    /// Empties the index and its queue (a rebuild queues every message again, in order).
    async fn clear_search_index(&mut self) -> StoreResult<()>;
    /// Queues messages for the index (a send, an edit).
    async fn queue_for_index(&mut self, message_ids: &[String]) -> StoreResult<()>;
    /// Queues every message that is not recalled (a rebuild); returns how many.
    async fn queue_all_for_index(&mut self) -> StoreResult<u64>;
    /// The oldest queue entries, `(entry, message id)`.
    async fn queued_for_index(&mut self, limit: u32) -> StoreResult<Vec<(i64, String)>>;
    /// The oldest queue entries with what the indexer reads of their messages (`None`: the
    /// message is gone), in one statement.
    async fn queued_sources(&mut self, limit: u32) -> StoreResult<Vec<(i64, Option<IndexSource>)>>;
    /// Removes queue entries; returns the message ids of those that were still queued (another
    /// pass may have taken the others).
    async fn take_queued(&mut self, entries: &[i64]) -> StoreResult<Vec<String>>;
    /// What could have changed of these messages since they were read (those that exist), in
    /// no particular order.
    async fn message_versions(&mut self, ids: &[String]) -> StoreResult<Vec<MessageVersion>>;
    async fn search_meta(&mut self, key: &str) -> StoreResult<Option<String>>;
    async fn set_search_meta(&mut self, key: &str, value: &str) -> StoreResult<()>;
}
