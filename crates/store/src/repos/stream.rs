use std::collections::BTreeMap;

use async_trait::async_trait;

use domain::clock::Millis;
use domain::store::{NewStreamEvent, StoreError, StoreResult, StreamEvent, StreamHead, StreamRepo};

use super::messages::{FILE_JOIN, MESSAGE_COLUMNS, message, values_list};
use super::{col, query};
use crate::tx::{Dialect, SqlTx};

/// Rows per multi-row INSERT (7 parameters each).
const CHUNK: usize = 1000;

/// Accounts per stream-head upsert (3 parameters each).
const HEAD_CHUNK: usize = 1000;

/// The channel other nodes LISTEN on.
pub const STREAM_CHANNEL: &str = "wangshang_stream";

#[async_trait]
impl StreamRepo for SqlTx {
    async fn append_events(&mut self, events: &[NewStreamEvent]) -> StoreResult<Vec<i64>> {
        // Counts per account, in account order so concurrent appends lock heads in one order.
        let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
        for e in events {
            *counts.entry(e.account_id.as_str()).or_default() += 1;
        }
        // One upsert for all accounts (per chunk), rows in account order.
        let counts: Vec<(&str, i64)> = counts.into_iter().collect();
        let mut next: BTreeMap<String, i64> = BTreeMap::new();
        for chunk in counts.chunks(HEAD_CHUNK) {
            let sql = format!(
                "INSERT INTO stream_heads (account_id, seq, pruned_through) VALUES {} \
                 ON CONFLICT (account_id) DO UPDATE SET seq = stream_heads.seq + excluded.seq \
                 RETURNING account_id, seq",
                values_list(self.dialect, chunk.len(), 3, 0)
            );
            let mut q = query(sql);
            for (account, count) in chunk {
                q = q.bind(*account).bind(*count).bind(0i64);
            }
            for r in &q.fetch_all(&mut self.conn).await? {
                let account: String = col(r, "account_id")?;
                let last: i64 = col(r, "seq")?;
                let count = chunk
                    .binary_search_by(|(a, _)| (*a).cmp(account.as_str()))
                    .map(|i| chunk[i].1)
                    .map_err(|_| StoreError::Database(format!("unexpected head {account}")))?;
                next.insert(account, last - count + 1);
            }
        }
        let mut seqs = Vec::with_capacity(events.len());
        for e in events {
            let n = next
                .get_mut(e.account_id.as_str())
                .ok_or_else(|| StoreError::Database(format!("no head for {}", e.account_id)))?;
            seqs.push(*n);
            *n += 1;
        }
        for (chunk, chunk_seqs) in events.chunks(CHUNK).zip(seqs.chunks(CHUNK)) {
            let sql = format!(
                "INSERT INTO stream_events (account_id, seq, kind, conversation_id, message_id, \
                 data, created_at) VALUES {}",
                values_list(self.dialect, chunk.len(), 7, 0)
            );
            let mut q = query(sql);
            for (e, seq) in chunk.iter().zip(chunk_seqs) {
                q = q
                    .bind(e.account_id.clone())
                    .bind(*seq)
                    .bind(e.kind.clone())
                    .bind(e.conversation_id.clone())
                    .bind(e.message_id.clone())
                    .bind(e.data.clone())
                    .bind(e.created_at);
            }
            q.execute(&mut self.conn).await?;
        }
        Ok(seqs)
    }

    async fn stream_head(&mut self, account_id: &str) -> StoreResult<StreamHead> {
        let row = query("SELECT seq, pruned_through FROM stream_heads WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(&mut self.conn)
            .await?;
        Ok(match row {
            Some(r) => StreamHead {
                seq: col(&r, "seq")?,
                pruned_through: col(&r, "pruned_through")?,
            },
            None => StreamHead::default(),
        })
    }

    async fn events_after(
        &mut self,
        account_id: &str,
        since: i64,
        limit: u32,
    ) -> StoreResult<Vec<StreamEvent>> {
        let rows = query(format!(
            "SELECT e.seq AS e_seq, e.kind AS e_kind, e.conversation_id AS e_conversation_id, \
               e.data AS e_data, e.created_at AS e_created_at, e.message_id AS e_message_id, \
               {MESSAGE_COLUMNS} \
             FROM stream_events e LEFT JOIN messages m ON m.id = e.message_id {FILE_JOIN} \
             WHERE e.account_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3"
        ))
        .bind(account_id)
        .bind(since)
        .bind(i64::from(limit))
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                let message_id: Option<String> = col(r, "e_message_id")?;
                Ok(StreamEvent {
                    seq: col(r, "e_seq")?,
                    kind: col(r, "e_kind")?,
                    conversation_id: col(r, "e_conversation_id")?,
                    data: col(r, "e_data")?,
                    created_at: col(r, "e_created_at")?,
                    message: match message_id {
                        Some(_) => Some(message(r)?),
                        None => None,
                    },
                })
            })
            .collect()
    }

    async fn prune_events(&mut self, before: Millis) -> StoreResult<u64> {
        query(
            "UPDATE stream_heads SET pruned_through = (SELECT MAX(e.seq) FROM stream_events e \
               WHERE e.account_id = stream_heads.account_id AND e.created_at < $1) \
             WHERE EXISTS (SELECT 1 FROM stream_events e \
               WHERE e.account_id = stream_heads.account_id AND e.created_at < $1)",
        )
        .bind(before)
        .execute(&mut self.conn)
        .await?;
        let done = query("DELETE FROM stream_events WHERE created_at < $1")
            .bind(before)
            .execute(&mut self.conn)
            .await?;
        Ok(done)
    }

    async fn notify_streams(&mut self, payload: &str) -> StoreResult<()> {
        if self.dialect == Dialect::Postgres {
            query("SELECT 1 FROM (SELECT pg_notify($1, $2)) AS n")
                .bind(STREAM_CHANNEL)
                .bind(payload)
                .execute(&mut self.conn)
                .await?;
        }
        Ok(())
    }
}
