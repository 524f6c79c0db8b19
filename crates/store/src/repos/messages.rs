use std::collections::HashMap;

use async_trait::async_trait;

use domain::clock::Millis;
use domain::store::{Attachment, FrequentContact, Message, MessageRepo, StoreError, StoreResult};

use super::{Row, col, query};
use crate::tx::{Dialect, SqlTx};

pub(crate) const MESSAGE_COLUMNS: &str = "m.id, m.conversation_id, m.seq, m.sender_id, \
     m.client_msg_id, m.body, m.mentions, m.sent_at, m.edited_at, m.recalled_at, m.recalled_by, \
     f.id AS f_id, f.name AS f_name, f.size AS f_size, f.content_type AS f_content_type, \
     f.sha256 AS f_sha256, f.blob AS f_blob, f.thumb_blob AS f_thumb_blob, f.width AS f_width, \
     f.height AS f_height, f.status AS f_status";

/// Joined after `messages m` wherever [`MESSAGE_COLUMNS`] are read: the message's file.
pub(crate) const FILE_JOIN: &str = "LEFT JOIN files f ON f.message_id = m.id";

/// Rows per multi-row INSERT: 11 parameters each stays far below both backends' limits.
const CHUNK: usize = 500;

pub(crate) fn message(row: &Row) -> StoreResult<Message> {
    let mentions: String = col(row, "mentions")?;
    let recalled_at: Option<Millis> = col(row, "recalled_at")?;
    let file_id: Option<String> = col(row, "f_id")?;
    let attachment = match file_id {
        Some(id) if recalled_at.is_none() => Some(Attachment {
            id,
            name: col(row, "f_name")?,
            size: col(row, "f_size")?,
            content_type: col(row, "f_content_type")?,
            sha256: col(row, "f_sha256")?,
            blob: col(row, "f_blob")?,
            thumb_blob: col(row, "f_thumb_blob")?,
            width: col(row, "f_width")?,
            height: col(row, "f_height")?,
            status: col(row, "f_status")?,
        }),
        _ => None,
    };
    Ok(Message {
        id: col(row, "id")?,
        conversation_id: col(row, "conversation_id")?,
        seq: col(row, "seq")?,
        sender_id: col(row, "sender_id")?,
        client_msg_id: col(row, "client_msg_id")?,
        body: col(row, "body")?,
        mentions: serde_json::from_str(&mentions)
            .map_err(|e| StoreError::Database(format!("mentions: {e}")))?,
        sent_at: col(row, "sent_at")?,
        edited_at: col(row, "edited_at")?,
        recalled_at,
        recalled_by: col(row, "recalled_by")?,
        attachment,
    })
}

/// `($1, …, $n), ($n+1, …)`: the VALUES list of a multi-row statement whose parameters start
/// after `offset`. SQLite gets anonymous `?` placeholders instead: they are bound by position
/// without reading each parameter's name back (these lists bind in order anyway), and SQLite
/// need not keep a name for each of thousands of parameters.
pub(crate) fn values_list(dialect: Dialect, rows: usize, columns: usize, offset: usize) -> String {
    let mut s = String::with_capacity(rows * columns * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..columns {
            if c > 0 {
                s.push_str(", ");
            }
            push_param(&mut s, dialect, offset + r * columns + c + 1);
        }
        s.push(')');
    }
    s
}

/// `$1, $2, …, $n` (`?, ?, …` on SQLite, as in [`values_list`]).
fn in_list(dialect: Dialect, n: usize) -> String {
    let mut s = String::with_capacity(n * 5);
    for i in 1..=n {
        if i > 1 {
            s.push_str(", ");
        }
        push_param(&mut s, dialect, i);
    }
    s
}

fn push_param(s: &mut String, dialect: Dialect, n: usize) {
    match dialect {
        Dialect::Sqlite => s.push('?'),
        Dialect::Postgres => {
            s.push('$');
            s.push_str(&n.to_string());
        }
    }
}

/// The messages since `since` between the account and each person: both ways in their direct
/// conversation, and the account's own messages elsewhere that mention the person — not
/// everyone who wrote in a big group the two share. Frequent contacts and the support desk's
/// evidence count with it.
pub(crate) async fn talk(
    tx: &mut SqlTx,
    account_id: &str,
    since: Millis,
) -> StoreResult<HashMap<String, i64>> {
    let mut counts: HashMap<String, i64> = HashMap::new();
    let direct = query(
        "SELECT o.account_id, COUNT(*) AS n FROM conversation_members me \
         JOIN conversations c ON c.id = me.conversation_id AND c.kind = 'direct' \
         JOIN conversation_members o ON o.conversation_id = c.id AND o.account_id <> me.account_id \
         JOIN messages m ON m.conversation_id = c.id \
         WHERE me.account_id = $1 AND m.sent_at >= $2 AND m.recalled_at IS NULL \
         GROUP BY o.account_id",
    )
    .bind(account_id)
    .bind(since)
    .fetch_all(&mut tx.conn)
    .await?;
    for r in &direct {
        let id: String = col(r, "account_id")?;
        let n: i64 = col(r, "n")?;
        *counts.entry(id).or_default() += n;
    }
    let mentions = query(
        "SELECT m.mentions FROM messages m JOIN conversations c ON c.id = m.conversation_id \
         WHERE m.sender_id = $1 AND c.kind <> 'direct' AND m.sent_at >= $2 \
         AND m.recalled_at IS NULL AND m.mentions <> '[]'",
    )
    .bind(account_id)
    .bind(since)
    .fetch_all(&mut tx.conn)
    .await?;
    for r in &mentions {
        let m: String = col(r, "mentions")?;
        let ids: Vec<String> =
            serde_json::from_str(&m).map_err(|e| StoreError::Database(format!("mentions: {e}")))?;
        for id in ids {
            if id != account_id {
                *counts.entry(id).or_default() += 1;
            }
        }
    }
    Ok(counts)
}

#[async_trait]
impl MessageRepo for SqlTx {
    async fn message_by_client_id(
        &mut self,
        sender_id: &str,
        client_msg_id: &str,
    ) -> StoreResult<Option<Message>> {
        let row = query(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m {FILE_JOIN} \
             WHERE m.sender_id = $1 AND m.client_msg_id = $2"
        ))
        .bind(sender_id)
        .bind(client_msg_id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(message).transpose()
    }

    async fn messages_by_client_ids(
        &mut self,
        pairs: &[(String, String)],
    ) -> StoreResult<Vec<Message>> {
        let mut out = Vec::new();
        for chunk in pairs.chunks(CHUNK) {
            let sql = format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages m {FILE_JOIN} \
                 WHERE (m.sender_id, m.client_msg_id) IN (VALUES {})",
                values_list(self.dialect, chunk.len(), 2, 0)
            );
            let mut q = query(sql);
            for (sender, client_id) in chunk {
                q = q.bind(sender.clone()).bind(client_id.clone());
            }
            for r in &q.fetch_all(&mut self.conn).await? {
                out.push(message(r)?);
            }
        }
        Ok(out)
    }

    async fn blocks_among(&mut self, account_ids: &[String]) -> StoreResult<Vec<(String, String)>> {
        let mut out = Vec::new();
        for chunk in account_ids.chunks(CHUNK) {
            let list = in_list(self.dialect, chunk.len());
            let sql =
                format!("SELECT account_id, blocked_id FROM blocks WHERE account_id IN ({list})");
            let mut q = query(sql);
            for id in chunk {
                q = q.bind(id.clone());
            }
            for r in &q.fetch_all(&mut self.conn).await? {
                out.push((col(r, "account_id")?, col(r, "blocked_id")?));
            }
        }
        Ok(out)
    }

    async fn reserve_seqs(
        &mut self,
        conversations: &[(String, i64)],
        at: Millis,
    ) -> StoreResult<Vec<i64>> {
        // One statement for all conversations of the batch. On PostgreSQL the rows are locked in
        // id order first, so concurrent batches (several nodes) cannot deadlock.
        let mut order: Vec<usize> = (0..conversations.len()).collect();
        order.sort_by(|&a, &b| conversations[a].0.cmp(&conversations[b].0));
        let mut last: std::collections::HashMap<String, i64> =
            std::collections::HashMap::with_capacity(conversations.len());
        for chunk in order.chunks(CHUNK) {
            if self.dialect == Dialect::Postgres {
                let sql = format!(
                    "SELECT id FROM conversations WHERE id IN ({}) ORDER BY id FOR UPDATE",
                    in_list(self.dialect, chunk.len())
                );
                let mut q = query(sql);
                for &i in chunk {
                    q = q.bind(conversations[i].0.clone());
                }
                q.execute(&mut self.conn).await?;
            }
            let at_param = match self.dialect {
                Dialect::Sqlite => "?".to_owned(),
                Dialect::Postgres => "$1".to_owned(),
            };
            let sql = format!(
                "UPDATE conversations SET last_seq = conversations.last_seq + v.column2, \
                 last_message_at = {at_param} FROM (VALUES {}) AS v \
                 WHERE conversations.id = v.column1 RETURNING conversations.id, conversations.last_seq",
                values_list(self.dialect, chunk.len(), 2, 1)
            );
            let mut q = query(sql).bind(at);
            for &i in chunk {
                let (id, count) = &conversations[i];
                q = q.bind(id.clone()).bind(*count);
            }
            for r in &q.fetch_all(&mut self.conn).await? {
                last.insert(col(r, "id")?, col(r, "last_seq")?);
            }
        }
        conversations
            .iter()
            .map(|(id, count)| {
                last.get(id)
                    .map(|l| l - count + 1)
                    .ok_or_else(|| StoreError::Database(format!("no conversation {id}")))
            })
            .collect()
    }

    async fn insert_messages(&mut self, messages: &[Message]) -> StoreResult<()> {
        for chunk in messages.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, body, \
                 mentions, sent_at, edited_at, recalled_at, recalled_by) VALUES {}",
                values_list(self.dialect, chunk.len(), 11, 0)
            );
            let mut q = query(sql);
            for m in chunk {
                let mentions = serde_json::to_string(&m.mentions)
                    .map_err(|e| StoreError::Database(format!("mentions: {e}")))?;
                q = q
                    .bind(m.id.clone())
                    .bind(m.conversation_id.clone())
                    .bind(m.seq)
                    .bind(m.sender_id.clone())
                    .bind(m.client_msg_id.clone())
                    .bind(m.body.clone())
                    .bind(mentions)
                    .bind(m.sent_at)
                    .bind(m.edited_at)
                    .bind(m.recalled_at)
                    .bind(m.recalled_by.clone());
            }
            q.execute(&mut self.conn).await?;
        }
        Ok(())
    }

    async fn message(&mut self, id: &str) -> StoreResult<Option<Message>> {
        let row = query(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m {FILE_JOIN} WHERE m.id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(message).transpose()
    }

    async fn messages(
        &mut self,
        conversation_id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let rows = query(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m {FILE_JOIN} \
             WHERE m.conversation_id = $1 AND m.seq < $2 \
             ORDER BY m.seq DESC LIMIT $3"
        ))
        .bind(conversation_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(message).collect()
    }

    async fn edit_message(&mut self, id: &str, body: &str, at: Millis) -> StoreResult<()> {
        query("UPDATE messages SET body = $2, edited_at = $3 WHERE id = $1")
            .bind(id)
            .bind(body)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn recall_message(&mut self, id: &str, by: &str, at: Millis) -> StoreResult<()> {
        query(
            "UPDATE messages SET body = '', mentions = '[]', recalled_at = $3, recalled_by = $2 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(by)
        .bind(at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn members_of(
        &mut self,
        conversation_ids: &[String],
    ) -> StoreResult<Vec<(String, String)>> {
        let mut out = Vec::new();
        for chunk in conversation_ids.chunks(CHUNK) {
            let list = in_list(self.dialect, chunk.len());
            let sql = format!(
                "SELECT conversation_id, account_id FROM conversation_members \
                 WHERE conversation_id IN ({list})"
            );
            let mut q = query(sql);
            for id in chunk {
                q = q.bind(id.clone());
            }
            let rows = q.fetch_all(&mut self.conn).await?;
            for r in &rows {
                out.push((col(r, "conversation_id")?, col(r, "account_id")?));
            }
        }
        Ok(out)
    }

    async fn frequent_contacts(
        &mut self,
        account_id: &str,
        since: Millis,
        limit: u32,
    ) -> StoreResult<Vec<FrequentContact>> {
        let colleagues = query(
            "SELECT a.id, a.nickname FROM accounts a WHERE a.id IN (SELECT y.account_id \
             FROM org_members x JOIN org_members y ON y.org_id = x.org_id \
             WHERE x.account_id = $1 AND y.account_id <> $1)",
        )
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        let counts = talk(self, account_id, since).await?;
        let mut out = Vec::new();
        for r in &colleagues {
            let id: String = col(r, "id")?;
            if let Some(n) = counts.get(&id).copied().filter(|n| *n > 0) {
                out.push(FrequentContact {
                    nickname: col(r, "nickname")?,
                    account_id: id,
                    messages: n,
                });
            }
        }
        out.sort_by(|a, b| {
            b.messages
                .cmp(&a.messages)
                .then_with(|| a.account_id.cmp(&b.account_id))
        });
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }
}
