//! Reading an account's stream back from the database: a client resuming with `since` gets every
//! event after it, or `resync` when retention already removed some of them.

use crate::app::Wangshang;
use crate::clock::now_ms;
use crate::error::Result;
use crate::store::StreamEvent;

/// Most events read back in one go.
pub const REPLAY_PAGE: u32 = 500;

pub enum Replay {
    /// The events after `since`, oldest first (at most [`REPLAY_PAGE`]; ask again from the last).
    Events(Vec<StreamEvent>),
    /// Some events after `since` are gone (retention) or `since` is ahead of the stream: the
    /// client must reload its state; `head` is where to resume from.
    Resync { head: i64 },
}

impl Wangshang {
    /// The account's stream position (its newest seq).
    pub async fn stream_head(&self, account_id: &str) -> Result<i64> {
        let mut tx = self.read_one().await?;
        Ok(tx.stream_head(account_id).await?.seq)
    }

    pub async fn replay(&self, account_id: &str, since: i64) -> Result<Replay> {
        let mut tx = self.read().await?;
        let head = tx.stream_head(account_id).await?;
        if since < head.pruned_through || since > head.seq {
            return Ok(Replay::Resync { head: head.seq });
        }
        Ok(Replay::Events(
            tx.events_after(account_id, since, REPLAY_PAGE).await?,
        ))
    }

    /// Deletes stream events older than the retention; returns how many.
    pub async fn prune_streams(&self) -> Result<u64> {
        let before = now_ms() - self.config.chat.stream_retention_days * 86_400_000;
        let mut tx = self.write().await?;
        let n = tx.prune_events(before).await?;
        tx.commit().await?;
        Ok(n)
    }
}
