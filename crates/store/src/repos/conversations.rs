use async_trait::async_trait;

use domain::clock::Millis;
use domain::store::{
    Conversation, ConversationMember, ConversationRepo, ConversationSummary, StoreResult,
};

use super::messages::{FILE_JOIN, MESSAGE_COLUMNS, message};
use super::{Row, col, query};
use crate::tx::SqlTx;

const CONVERSATION_COLUMNS: &str = "c.id, c.kind, c.title, c.direct_key, c.created_by, c.created_at, c.last_seq, c.last_message_at, c.org_id";

fn conversation(row: &Row) -> StoreResult<Conversation> {
    Ok(Conversation {
        id: col(row, "id")?,
        kind: col(row, "kind")?,
        title: col(row, "title")?,
        direct_key: col(row, "direct_key")?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
        last_seq: col(row, "last_seq")?,
        last_message_at: col(row, "last_message_at")?,
        org_id: col(row, "org_id")?,
    })
}

fn member(row: &Row) -> StoreResult<ConversationMember> {
    Ok(ConversationMember {
        conversation_id: col(row, "conversation_id")?,
        account_id: col(row, "account_id")?,
        nickname: col(row, "nickname")?,
        role: col(row, "role")?,
        joined_at: col(row, "joined_at")?,
        read_seq: col(row, "read_seq")?,
    })
}

const MEMBER: &str = "SELECT m.conversation_id, m.account_id, a.nickname, m.role, m.joined_at, \
     m.read_seq FROM conversation_members m JOIN accounts a ON a.id = m.account_id";

#[async_trait]
impl ConversationRepo for SqlTx {
    async fn insert_conversation(&mut self, c: &Conversation) -> StoreResult<()> {
        query(
            "INSERT INTO conversations (id, kind, title, direct_key, created_by, created_at, \
             last_seq, last_message_at, org_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&c.id)
        .bind(&c.kind)
        .bind(&c.title)
        .bind(&c.direct_key)
        .bind(&c.created_by)
        .bind(c.created_at)
        .bind(c.last_seq)
        .bind(c.last_message_at)
        .bind(&c.org_id)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn conversation(&mut self, id: &str) -> StoreResult<Option<Conversation>> {
        let row = query(format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(conversation).transpose()
    }

    async fn conversation_by_direct_key(&mut self, key: &str) -> StoreResult<Option<Conversation>> {
        let row = query(format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations c WHERE c.direct_key = $1"
        ))
        .bind(key)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(conversation).transpose()
    }

    async fn insert_conversation_member(
        &mut self,
        conversation_id: &str,
        account_id: &str,
        role: &str,
        at: Millis,
        read_seq: i64,
    ) -> StoreResult<bool> {
        let done = query(
            "INSERT INTO conversation_members (conversation_id, account_id, role, joined_at, read_seq) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (conversation_id, account_id) DO NOTHING",
        )
        .bind(conversation_id)
        .bind(account_id)
        .bind(role)
        .bind(at)
        .bind(read_seq)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn remove_conversation_member(
        &mut self,
        conversation_id: &str,
        account_id: &str,
    ) -> StoreResult<bool> {
        let done = query(
            "DELETE FROM conversation_members WHERE conversation_id = $1 AND account_id = $2",
        )
        .bind(conversation_id)
        .bind(account_id)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn conversation_member(
        &mut self,
        conversation_id: &str,
        account_id: &str,
    ) -> StoreResult<Option<ConversationMember>> {
        let row = query(format!(
            "{MEMBER} WHERE m.conversation_id = $1 AND m.account_id = $2"
        ))
        .bind(conversation_id)
        .bind(account_id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(member).transpose()
    }

    async fn conversation_members(
        &mut self,
        conversation_id: &str,
    ) -> StoreResult<Vec<ConversationMember>> {
        let rows = query(format!(
            "{MEMBER} WHERE m.conversation_id = $1 ORDER BY m.joined_at, m.account_id"
        ))
        .bind(conversation_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(member).collect()
    }

    async fn conversation_summaries(
        &mut self,
        account_id: &str,
    ) -> StoreResult<Vec<ConversationSummary>> {
        let rows = query(format!(
            "SELECT {CONVERSATION_COLUMNS}, me.read_seq, \
               (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.seq > me.read_seq \
                  AND m.sender_id <> me.account_id AND m.recalled_at IS NULL) AS unread, \
               (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.seq > me.read_seq \
                  AND m.sender_id <> me.account_id AND m.recalled_at IS NULL \
                  AND m.mentions LIKE '%\"' || me.account_id || '\"%') AS unread_mentions, \
               (SELECT COUNT(*) FROM conversation_members x WHERE x.conversation_id = c.id) AS member_count, \
               (SELECT a.nickname FROM conversation_members x JOIN accounts a ON a.id = x.account_id \
                  WHERE x.conversation_id = c.id AND x.account_id <> me.account_id \
                  ORDER BY x.account_id LIMIT 1) AS peer_nickname \
             FROM conversation_members me JOIN conversations c ON c.id = me.conversation_id \
             WHERE me.account_id = $1 \
             ORDER BY COALESCE(c.last_message_at, c.created_at) DESC, c.id"
        ))
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        let last_rows = query(format!(
            "SELECT {MESSAGE_COLUMNS} FROM conversation_members me \
             JOIN conversations c ON c.id = me.conversation_id \
             JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq {FILE_JOIN} \
             WHERE me.account_id = $1"
        ))
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        let mut last = std::collections::HashMap::new();
        for r in &last_rows {
            let m = message(r)?;
            last.insert(m.conversation_id.clone(), m);
        }
        rows.iter()
            .map(|r| {
                let c = conversation(r)?;
                let peer: Option<String> = col(r, "peer_nickname")?;
                Ok(ConversationSummary {
                    last_message: last.remove(&c.id),
                    peer_nickname: if c.kind == "direct" { peer } else { None },
                    conversation: c,
                    read_seq: col(r, "read_seq")?,
                    unread: col(r, "unread")?,
                    unread_mentions: col(r, "unread_mentions")?,
                    member_count: col(r, "member_count")?,
                    policy_block: None,
                })
            })
            .collect()
    }

    async fn mark_read(
        &mut self,
        conversation_id: &str,
        account_id: &str,
        seq: i64,
    ) -> StoreResult<bool> {
        let done = query(
            "UPDATE conversation_members SET read_seq = $3 \
             WHERE conversation_id = $1 AND account_id = $2 AND read_seq < $3",
        )
        .bind(conversation_id)
        .bind(account_id)
        .bind(seq)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }
}
