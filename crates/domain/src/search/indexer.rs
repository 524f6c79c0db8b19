//! The indexer: messages wait in a queue (`search_pending`, migration 0016) that a send or an
//! edit adds to in its own unit of work, and are indexed after commit, many at a time, so the
//! send's transaction writes one small row per message instead of every term.
//!
//! - Every node runs [`Wangshang::index_queued`] when its own sends wake it, and every few
//!   seconds for what other nodes or a crash left queued; at start it catches up first. A
//!   message is taken off the queue only in the unit that indexes it, so a crash never loses an
//!   indexed message for good.
//! - A search first indexes what is still queued ([`Wangshang::catch_up_index`]), so it finds a
//!   message sent just before it, on any node.
//! - Index writes are serialised (SQLite's single writer; an advisory lock on PostgreSQL), and a
//!   pass indexes a message only if its text is still the text it tokenised: an edit removes
//!   the old terms and queues the message again, a recall removes them, whichever commits first.

use std::collections::{HashMap, HashSet};

use super::{index_batch, message_batch};
use crate::app::Wangshang;
use crate::error::{Error, Result};
use crate::store::{IndexSource, MessageVersion};
use crate::unit::Unit;

/// Queued messages indexed per unit of work. A pass writes one posting row per conversation and
/// term for all its messages (migration 0024), so under load a longer pass writes fewer rows per
/// message: 5,000 measured send throughput with the index on ÷ off about 0.04 above 2,000 in the
/// chat benchmark (README, issue 18). A pass holds the writer longer, but passes are long only
/// when sends queue faster than they are indexed.
pub const PASS: usize = 5000;
/// Most queued messages a search indexes before it answers; past it (a rebuild's backlog) it
/// answers from the index as it is.
const SEARCH_CATCH_UP: usize = 5000;
/// The key every index write holds (see [`crate::store::Tx::lock_key`]).
pub(crate) const INDEX_LOCK: &str = "search-index";

/// Takes the index's lock for the rest of the unit.
pub(crate) async fn lock_index(tx: &mut Unit) -> Result<()> {
    tx.lock_key(INDEX_LOCK).await?;
    Ok(())
}

/// Whether the message is still what was tokenised (its file cannot change but by a recall).
fn unchanged(was: &IndexSource, now: &MessageVersion) -> bool {
    now.recalled_at.is_none() && now.body == was.body && now.edited_at == was.edited_at
}

impl Wangshang {
    /// Wakes this node's indexer (after a commit that queued messages).
    pub(crate) fn wake_indexer(&self) {
        self.index_wake.notify_one();
    }

    /// Resolves when a commit on this node queued messages for the index.
    pub async fn indexer_woken(&self) {
        self.index_wake.notified().await;
    }

    /// One pass: indexes up to [`PASS`] of the oldest queued messages; returns how many queue
    /// entries it read (0: the queue was empty).
    async fn index_pass(&self) -> Result<usize> {
        let mut tx = self.read().await?;
        let queued = tx.queued_sources(PASS as u32).await?;
        drop(tx);
        if queued.is_empty() {
            return Ok(0);
        }
        let entries: Vec<i64> = queued.iter().map(|(e, _)| *e).collect();
        // Each message once (an edit queues it again), not recalled, not gone.
        let mut seen: HashSet<String> = HashSet::new();
        let messages: Vec<IndexSource> = queued
            .into_iter()
            .filter_map(|(_, m)| m)
            .filter(|m| m.recalled_at.is_none() && seen.insert(m.id.clone()))
            .collect();
        let (messages, mut batch) = tokio::task::spawn_blocking(move || {
            let batch = message_batch(&messages);
            (messages, batch)
        })
        .await
        .map_err(|e| Error::Internal(format!("tokenising for the index: {e}")))?;
        let mut tx = self.write().await?;
        lock_index(&mut tx).await?;
        // Entries another pass (another node) took meanwhile are indexed already.
        let mut taken: Vec<String> = tx.take_queued(&entries).await?;
        taken.sort();
        taken.dedup();
        let current: HashMap<String, MessageVersion> = tx
            .message_versions(&taken)
            .await?
            .into_iter()
            .map(|m| (m.id.clone(), m))
            .collect();
        let taken: HashSet<String> = taken.into_iter().collect();
        for (doc, m) in batch.docs.iter_mut().zip(&messages) {
            // Edited since (then queued again) or recalled: left to the edit's entry.
            let keep =
                taken.contains(&m.id) && current.get(&m.id).is_some_and(|now| unchanged(m, now));
            if !keep {
                *doc = None;
            }
        }
        index_batch(&mut tx, &batch).await?;
        tx.commit().await?;
        Ok(entries.len())
    }

    /// Indexes queued messages until none is left; returns how many queue entries it read.
    pub async fn index_queued(&self) -> Result<u64> {
        self.index_while(1).await
    }

    /// Indexes queued messages in passes while a pass finds at least `fewest` (the indexer task
    /// lets a short queue grow, since a pass costs about as much for a few messages as for many);
    /// returns how many queue entries it read.
    pub async fn index_while(&self, fewest: usize) -> Result<u64> {
        let mut done = 0u64;
        loop {
            let n = {
                let _one = self.indexing.lock().await;
                self.index_pass().await?
            };
            done += n as u64;
            if n == 0 || n < fewest {
                return Ok(done);
            }
        }
    }

    /// Indexes what is queued before a search answers (up to [`SEARCH_CATCH_UP`] messages), so
    /// it finds every message committed before it, also on another node.
    pub(crate) async fn catch_up_index(&self) -> Result<()> {
        // Nothing queued (the usual case): no need to wait for this node's indexer. A message
        // committed before this search has its queue entry committed with it, so it shows here
        // until the pass that indexes it commits.
        let mut tx = self.read().await?;
        let queued = tx.queued_for_index(1).await?;
        drop(tx);
        if queued.is_empty() {
            return Ok(());
        }
        let _one = self.indexing.lock().await;
        let mut done = 0;
        while done < SEARCH_CATCH_UP {
            let n = self.index_pass().await?;
            if n == 0 {
                break;
            }
            done += n;
        }
        Ok(())
    }
}
