//! Search (SPEC §10): messages a member can read now, and people and conversations by name,
//! pinyin or initials.
//!
//! The engine is an inverted index inside the database ([`crate::store::SearchRepo`], migration
//! 0012), so every node sees the same results and the embedded default needs nothing beside its
//! database. A send (or an edit) queues its messages in its own unit of work and the
//! [`indexer`] indexes them after commit, many at a time (migration 0016); a search first
//! indexes what is still queued, so it finds what was sent before it. An edit and a recall
//! remove the old terms in their own unit.
//! Terms are Chinese character pairs and words ([`text`]); the index finds candidates, and each
//! candidate is checked against the message's current text, so results are exact: never a
//! recalled message, never the text before an edit. Which conversations count is decided in the
//! same query from the current membership, so a member removed from a group stops finding its
//! messages at once, on every node.

pub mod indexer;
pub mod names;
pub mod text;

use std::borrow::Cow;
use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::app::Wangshang;
use crate::chat::conversations::admitted;
use crate::clock::{Millis, now_ms};
use crate::error::{Error, Result};
use crate::policy;
use crate::sessions::Authenticated;
use crate::store::{
    IndexSource, Message, SearchBatch, SearchCandidate, SearchDoc, SearchFilter, TermLookup,
};
use crate::unit::Unit;

pub use text::TOKENIZER_VERSION;

/// Most hits in one page.
pub const MAX_PAGE: u32 = 50;
/// Candidates read from the index per statement.
const BATCH: u32 = 100;
/// Most candidates checked for one page in newest-first order; past it the page ends early and
/// its cursor goes on from there.
const MAX_SCAN: usize = 2000;
/// Relevance ranks the newest this many hits.
const MAX_RANKED: usize = 500;

/// What the index version is set to while search is off: any other version than
/// [`TOKENIZER_VERSION`] makes a server started with search on rebuild the index.
const VERSION_OFF: &str = "off";

/// The answer of every search while `search.enabled` is off.
pub fn disabled() -> Error {
    Error::Conflict {
        code: "search_disabled",
        detail: "Search is turned off on this server.",
    }
}

/// The order of hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Newest,
    Relevance,
}

/// A message search.
#[derive(Clone, Debug)]
pub struct MessageSearch {
    pub q: String,
    pub conversation_id: Option<String>,
    pub sender_id: Option<String>,
    pub after: Option<Millis>,
    pub before: Option<Millis>,
    pub has_file: Option<bool>,
    pub order: Order,
    pub cursor: Option<String>,
    pub limit: u32,
}

/// A message found, with a snippet of its text and the byte ranges of the snippet to highlight.
#[derive(Clone, Debug)]
pub struct Hit {
    pub message: Message,
    pub snippet: String,
    pub highlights: Vec<(usize, usize)>,
}

#[derive(Clone, Debug, Default)]
pub struct Hits {
    pub hits: Vec<Hit>,
    pub next_cursor: Option<String>,
}

/// Where a page ends: newest-first `(sent_at, doc)`, or relevance `(score, sent_at, doc)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cursor {
    Newest(Millis, i64),
    Relevance(i64, Millis, i64),
}

impl Cursor {
    fn encode(self) -> String {
        let s = match self {
            Cursor::Newest(at, doc) => format!("n.{at}.{doc}"),
            Cursor::Relevance(score, at, doc) => format!("r.{score}.{at}.{doc}"),
        };
        URL_SAFE_NO_PAD.encode(s)
    }

    fn decode(s: &str, order: Order) -> Result<Self> {
        let bad = || Error::InvalidRequest("cursor is not one this search returned".into());
        let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        let raw = String::from_utf8(raw).map_err(|_| bad())?;
        let parts: Vec<&str> = raw.split('.').collect();
        let num = |i: usize| -> Result<i64> {
            parts
                .get(i)
                .and_then(|p| p.parse::<i64>().ok())
                .ok_or_else(bad)
        };
        match (parts.first(), parts.len(), order) {
            (Some(&"n"), 3, Order::Newest) => Ok(Cursor::Newest(num(1)?, num(2)?)),
            (Some(&"r"), 4, Order::Relevance) => Ok(Cursor::Relevance(num(1)?, num(2)?, num(3)?)),
            _ => Err(bad()),
        }
    }
}

/// The index document of a message.
fn message_doc(m: &Message) -> SearchDoc {
    SearchDoc {
        conversation_id: m.conversation_id.clone(),
        seq: m.seq,
    }
}

/// The batch that indexes `messages` by the terms of their current text: each conversation's
/// terms with the messages that have them. CPU work (tokenising, grouping), done before the
/// write unit opens.
pub(crate) fn message_batch(messages: &[IndexSource]) -> SearchBatch {
    let mut conversations: Vec<String> =
        messages.iter().map(|m| m.conversation_id.clone()).collect();
    conversations.sort_unstable();
    conversations.dedup();
    let mut lists: HashMap<(usize, String), Vec<u32>> = HashMap::new();
    for (i, m) in messages.iter().enumerate() {
        // Found: `conversations` holds every message's conversation.
        let c = conversations
            .binary_search(&m.conversation_id)
            .unwrap_or_else(|at| at);
        for t in text::terms(&searchable_text(&m.body, m.file_name.as_deref())) {
            lists.entry((c, t)).or_default().push(i as u32);
        }
    }
    SearchBatch {
        docs: messages
            .iter()
            .map(|m| {
                Some(SearchDoc {
                    conversation_id: m.conversation_id.clone(),
                    seq: m.seq,
                })
            })
            .collect(),
        conversations,
        postings: lists.into_iter().map(|((c, t), d)| (c, t, d)).collect(),
    }
}

/// Writes a batch into the index, in the unit that holds the index's lock.
pub(crate) async fn index_batch(tx: &mut Unit, batch: &SearchBatch) -> Result<()> {
    if batch.docs.iter().any(Option::is_some) {
        tx.index_docs(batch).await?;
    }
    Ok(())
}

/// The text a message is found by: its body and, for a file, the file's name (a caption is the
/// body).
fn searchable_text<'a>(body: &'a str, file_name: Option<&str>) -> Cow<'a, str> {
    match file_name {
        Some(name) if body.is_empty() => Cow::Owned(name.to_owned()),
        Some(name) => Cow::Owned(format!("{body}\n{name}")),
        None => Cow::Borrowed(body),
    }
}

fn searchable(m: &Message) -> Cow<'_, str> {
    searchable_text(&m.body, m.attachment.as_ref().map(|a| a.name.as_str()))
}

/// Takes an edited message's old terms out of the index and queues it to be indexed by its new
/// text (`before` is the message as it was), in the edit's unit.
pub(crate) async fn reindex_message(tx: &mut Unit, before: &Message) -> Result<()> {
    unindex_message(tx, before).await?;
    tx.queue_for_index(std::slice::from_ref(&before.id)).await?;
    Ok(())
}

/// Removes a recalled message from the index (`before` is the message as it was).
pub(crate) async fn unindex_message(tx: &mut Unit, before: &Message) -> Result<()> {
    indexer::lock_index(tx).await?;
    tx.unindex_doc(&message_doc(before), &text::terms(&searchable(before)))
        .await?;
    Ok(())
}

/// A score for relevance order: how often the query's parts occur, for the text's length.
fn score(m: &text::Matched) -> i64 {
    let count = i64::try_from(m.count).unwrap_or(i64::MAX);
    let length = i64::try_from(m.length).unwrap_or(i64::MAX);
    count.saturating_mul(100_000) / (length + 20)
}

/// A candidate checked against its current text.
fn checked(q: &text::Query, c: SearchCandidate) -> Option<(Hit, i64, i64)> {
    let found_in = searchable(&c.message);
    let m = text::check(q, &found_in)?;
    let (snippet, highlights) = text::snippet(&found_in, &m.ranges);
    Some((
        Hit {
            message: c.message,
            snippet,
            highlights,
        },
        score(&m),
        c.doc,
    ))
}

/// Index rows counted per lookup when planning a search: enough to tell a rare term from a
/// common one, few enough that counting stays cheap.
const PLAN_CAP: u32 = 2000;

/// The query's lookups with the rarest first (fewest index rows in the member's conversations,
/// counted up to [`PLAN_CAP`]): the store reads the first from the index and checks the others
/// per document, so "PO-2026-118" starts from 118, not from every 2026. Ties keep the parser's
/// order (exact before prefix, longer before shorter).
async fn rarest_first(
    tx: &mut Unit,
    account_id: &str,
    conversation_id: Option<&str>,
    q: &text::Query,
) -> Result<Vec<TermLookup>> {
    if q.lookups.len() < 2 {
        return Ok(q.lookups.clone());
    }
    let mut counted = Vec::with_capacity(q.lookups.len());
    for (i, l) in q.lookups.iter().enumerate() {
        let n = tx
            .search_term_count(account_id, conversation_id, l, PLAN_CAP)
            .await?;
        counted.push((n, i, l.clone()));
    }
    counted.sort_by_key(|(n, i, _)| (*n, *i));
    Ok(counted.into_iter().map(|(.., l)| l).collect())
}

impl Wangshang {
    /// Whether messages are indexed and searches answered (`search.enabled`).
    pub fn search_enabled(&self) -> bool {
        self.config.search.enabled
    }

    /// Refuses a search while search is off.
    pub(crate) fn search_on(&self) -> Result<()> {
        if self.search_enabled() {
            Ok(())
        } else {
            Err(disabled())
        }
    }

    /// Messages the member can read now that have every part of the query.
    pub async fn search_messages(&self, caller: &Authenticated, s: &MessageSearch) -> Result<Hits> {
        let account_id = caller.account_id.as_str();
        self.search_on()?;
        let raw = s.q.trim();
        if raw.chars().count() > text::MAX_QUERY {
            return Err(Error::InvalidRequest(format!(
                "q must be at most {} characters",
                text::MAX_QUERY
            )));
        }
        let cursor = s
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| Cursor::decode(c, s.order))
            .transpose()?;
        let q = text::parse_query(raw);
        let limit = s.limit.clamp(1, MAX_PAGE);
        // What was sent before this search is found by it: index what is still queued. Should
        // that fail, the search answers from the index as it is (the queue stays for the
        // indexer) rather than not at all.
        if let Err(e) = self.catch_up_index().await {
            tracing::warn!(error = %e, "indexing the queue before a search failed");
        }
        let mut tx = self.read().await?;
        let now = now_ms();
        if let Some(c) = &s.conversation_id {
            admitted(&mut tx, caller, c, now).await?;
        }
        // Conversations an enterprise's policy keeps this session out of are never searched.
        let blocked = policy::blocked_in(&mut tx, caller, now).await?;
        if q.lookups.is_empty() {
            // Nothing a message could be found by (no letter, digit or CJK character).
            return Ok(Hits::default());
        }
        let lookups = rarest_first(&mut tx, account_id, s.conversation_id.as_deref(), &q).await?;
        let mut filter = SearchFilter {
            account_id: account_id.to_owned(),
            lookups,
            conversation_id: s.conversation_id.clone(),
            sender_id: s.sender_id.clone(),
            after: s.after,
            before: s.before,
            has_file: s.has_file,
            below: match cursor {
                Some(Cursor::Newest(at, doc)) => Some((at, doc)),
                _ => None,
            },
            limit: BATCH,
        };
        match s.order {
            Order::Newest => {
                let mut hits = Vec::new();
                let mut scanned = 0;
                loop {
                    let batch = tx.search_candidates(&filter).await?;
                    let full = batch.len() as u32 == BATCH;
                    for c in batch {
                        scanned += 1;
                        filter.below = Some((c.message.sent_at, c.doc));
                        if blocked.contains(&c.message.conversation_id) {
                            continue;
                        }
                        if let Some((hit, ..)) = checked(&q, c) {
                            hits.push(hit);
                            if hits.len() as u32 == limit {
                                return Ok(Hits {
                                    hits,
                                    next_cursor: filter
                                        .below
                                        .map(|(at, doc)| Cursor::Newest(at, doc).encode()),
                                });
                            }
                        }
                    }
                    if !full {
                        return Ok(Hits {
                            hits,
                            next_cursor: None,
                        });
                    }
                    if scanned >= MAX_SCAN {
                        return Ok(Hits {
                            hits,
                            next_cursor: filter
                                .below
                                .map(|(at, doc)| Cursor::Newest(at, doc).encode()),
                        });
                    }
                }
            }
            Order::Relevance => {
                let mut ranked: Vec<(Hit, i64, i64)> = Vec::new();
                loop {
                    let batch = tx.search_candidates(&filter).await?;
                    let full = batch.len() as u32 == BATCH;
                    for c in batch {
                        filter.below = Some((c.message.sent_at, c.doc));
                        if blocked.contains(&c.message.conversation_id) {
                            continue;
                        }
                        if let Some(h) = checked(&q, c) {
                            ranked.push(h);
                        }
                    }
                    if !full || ranked.len() >= MAX_RANKED {
                        break;
                    }
                }
                let key = |(h, score, doc): &(Hit, i64, i64)| (*score, h.message.sent_at, *doc);
                ranked.sort_by_key(|h| std::cmp::Reverse(key(h)));
                if let Some(Cursor::Relevance(score, at, doc)) = cursor {
                    ranked.retain(|h| key(h) < (score, at, doc));
                }
                let more = ranked.len() > limit as usize;
                ranked.truncate(limit as usize);
                let next_cursor = more
                    .then(|| ranked.last().map(key))
                    .flatten()
                    .map(|(score, at, doc)| Cursor::Relevance(score, at, doc).encode());
                Ok(Hits {
                    hits: ranked.into_iter().map(|(h, ..)| h).collect(),
                    next_cursor,
                })
            }
        }
    }

    /// Rebuilds the index from the messages in the database: empties it and queues every
    /// message that is not recalled in one unit, then indexes the queue. Safe while the server
    /// runs (every node's indexer helps with the queue), and an interrupted rebuild goes on at
    /// the next start from the queue. Returns how many messages were queued.
    pub async fn rebuild_search_index(&self) -> Result<u64> {
        let mut tx = self.write().await?;
        indexer::lock_index(&mut tx).await?;
        tx.clear_search_index().await?;
        let queued = tx.queue_all_for_index().await?;
        tx.set_search_meta("version", TOKENIZER_VERSION).await?;
        tx.commit().await?;
        self.index_queued().await?;
        Ok(queued)
    }

    /// Rebuilds the index when it was built by other rules (or never, as after migration 0012,
    /// or it missed messages while search was off); `None` when it was up to date. The server
    /// runs this at start. With search off it only marks the index out of date, so that the
    /// first start with search on again rebuilds it.
    pub async fn catch_up_search_index(&self) -> Result<Option<u64>> {
        let mut tx = self.read_one().await?;
        let version = tx.search_meta("version").await?;
        drop(tx);
        if !self.search_enabled() {
            if version.as_deref() != Some(VERSION_OFF) {
                let mut tx = self.write().await?;
                tx.set_search_meta("version", VERSION_OFF).await?;
                tx.commit().await?;
            }
            return Ok(None);
        }
        if version.as_deref() == Some(TOKENIZER_VERSION) {
            return Ok(None);
        }
        self.rebuild_search_index().await.map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: &str, conversation: &str, body: &str) -> IndexSource {
        IndexSource {
            id: id.into(),
            conversation_id: conversation.into(),
            seq: 1,
            body: body.into(),
            file_name: None,
            edited_at: None,
            recalled_at: None,
        }
    }

    #[test]
    fn a_batch_lists_each_conversations_terms_with_the_messages_that_have_them() {
        let batch = message_batch(&[
            message("m0", "zc", "合同已签"),
            message("m1", "ac", "合同 PO-7"),
            message("m2", "zc", "补签合同"),
        ]);
        assert_eq!(batch.conversations, ["ac", "zc"]);
        assert_eq!(batch.docs.len(), 3);
        let list = |c: usize, term: &str| {
            batch
                .postings
                .iter()
                .find(|(pc, t, _)| *pc == c && t == term)
                .map(|(.., d)| d.clone())
        };
        assert_eq!(list(1, "合同"), Some(vec![0, 2]));
        assert_eq!(list(0, "合同"), Some(vec![1]));
        assert_eq!(list(0, "po"), Some(vec![1]));
        assert_eq!(list(1, "po"), None);
        // One list per conversation and term.
        let mut keys: Vec<_> = batch.postings.iter().map(|(c, t, _)| (c, t)).collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }

    #[test]
    fn cursors_round_trip_and_refuse_other_text() {
        let c = Cursor::Newest(1_700_000_000_000, 42);
        assert_eq!(Cursor::decode(&c.encode(), Order::Newest).unwrap(), c);
        let r = Cursor::Relevance(900, 5, 7);
        assert_eq!(Cursor::decode(&r.encode(), Order::Relevance).unwrap(), r);
        assert!(Cursor::decode(&c.encode(), Order::Relevance).is_err());
        for bad in [
            "",
            "!!",
            "bi4x",
            &URL_SAFE_NO_PAD.encode("n.1"),
            &URL_SAFE_NO_PAD.encode("n.a.b"),
        ] {
            assert!(Cursor::decode(bad, Order::Newest).is_err(), "{bad}");
        }
    }
}
