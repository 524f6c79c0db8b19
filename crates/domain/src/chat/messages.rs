//! Reading and changing messages: history by cursor, edit and recall (撤回) within the window,
//! read markers and receipts, and the frequent contacts the support desk uses.

use serde_json::json;

use super::conversations::{GROUP, admitted, member_ids};
use super::{Emit, emit, kind, parse_text, role};
use crate::app::Wangshang;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::search;
use crate::sessions::Authenticated;
use crate::store::{ConversationMember, FrequentContact, Message};
use crate::unit::Unit;

/// Longest message body, in characters.
pub const MAX_BODY: usize = 4000;
/// Most messages in one page of history.
pub const MAX_PAGE: u32 = 200;

/// Who has read a message (in a group: every member whose marker passed it).
pub struct Receipts {
    pub read_by: Vec<ConversationMember>,
    pub unread_by: Vec<ConversationMember>,
}

impl Wangshang {
    /// History, newest first, below `before` (a seq).
    pub async fn messages(
        &self,
        caller: &Authenticated,
        conversation_id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Message>> {
        let mut tx = self.read().await?;
        admitted(&mut tx, caller, conversation_id, now_ms()).await?;
        Ok(tx
            .messages(conversation_id, before, limit.clamp(1, MAX_PAGE))
            .await?)
    }

    /// Edits the caller's own message within the window.
    pub async fn edit_message(
        &self,
        caller: &Authenticated,
        conversation_id: &str,
        message_id: &str,
        body: &str,
    ) -> Result<Message> {
        let account_id = caller.account_id.as_str();
        let body = parse_text(body, MAX_BODY, "body")?;
        let indexing = self.search_enabled();
        let now = now_ms();
        let mut tx = self.write().await?;
        admitted(&mut tx, caller, conversation_id, now).await?;
        let m = message_in(&mut tx, conversation_id, message_id).await?;
        if m.sender_id != account_id {
            return Err(Error::Forbidden("not_your_message"));
        }
        self.changeable(&m, now)?;
        tx.edit_message(&m.id, &body, now).await?;
        if indexing {
            search::reindex_message(&mut tx, &m).await?;
        }
        let edited = self
            .message_changed(tx, conversation_id, message_id, kind::MESSAGE_EDITED, now)
            .await?;
        if indexing {
            self.wake_indexer();
        }
        Ok(edited)
    }

    /// Recalls (撤回) a message: the sender within the window, a group owner at any time. The row
    /// stays as a tombstone with its body removed.
    pub async fn recall_message(
        &self,
        caller: &Authenticated,
        conversation_id: &str,
        message_id: &str,
    ) -> Result<Message> {
        let account_id = caller.account_id.as_str();
        let now = now_ms();
        let mut tx = self.write().await?;
        let (me, c) = admitted(&mut tx, caller, conversation_id, now).await?;
        let m = message_in(&mut tx, conversation_id, message_id).await?;
        let group_owner = c.kind == GROUP && me.role == role::OWNER;
        if !group_owner {
            if m.sender_id != account_id {
                return Err(Error::Forbidden("not_your_message"));
            }
            self.changeable(&m, now)?;
        } else if m.recalled_at.is_some() {
            return Err(recalled());
        }
        tx.recall_message(&m.id, account_id, now).await?;
        if self.search_enabled() {
            search::unindex_message(&mut tx, &m).await?;
        }
        self.message_changed(tx, conversation_id, message_id, kind::MESSAGE_RECALLED, now)
            .await
    }

    /// Tells every member about an edited or recalled message, commits, and returns it.
    async fn message_changed(
        &self,
        mut tx: Unit,
        conversation_id: &str,
        message_id: &str,
        kind: &'static str,
        now: i64,
    ) -> Result<Message> {
        let m = message_in(&mut tx, conversation_id, message_id).await?;
        let to = member_ids(&mut tx, conversation_id).await?;
        let e = Emit {
            kind,
            conversation_id: Some(conversation_id),
            message: Some(&m),
            data: None,
        };
        emit(&mut tx, &to, e, now).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Moves the caller's read marker forward to `seq` (capped at the newest message) and tells
    /// the members.
    pub async fn mark_read(
        &self,
        caller: &Authenticated,
        conversation_id: &str,
        seq: i64,
    ) -> Result<i64> {
        let account_id = caller.account_id.as_str();
        let now = now_ms();
        let mut tx = self.write().await?;
        let (me, c) = admitted(&mut tx, caller, conversation_id, now).await?;
        let seq = seq.clamp(0, c.last_seq);
        if !tx.mark_read(conversation_id, account_id, seq).await? {
            return Ok(me.read_seq.max(seq));
        }
        let to = member_ids(&mut tx, conversation_id).await?;
        emit(
            &mut tx,
            &to,
            Emit {
                kind: kind::READ_UPDATED,
                conversation_id: Some(conversation_id),
                message: None,
                data: Some(json!({"account_id": account_id, "read_seq": seq})),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Who has read a message and who has not (the sender is in neither list).
    pub async fn receipts(
        &self,
        caller: &Authenticated,
        conversation_id: &str,
        message_id: &str,
    ) -> Result<Receipts> {
        let mut tx = self.read().await?;
        admitted(&mut tx, caller, conversation_id, now_ms()).await?;
        let m = message_in(&mut tx, conversation_id, message_id).await?;
        let (read_by, unread_by) = tx
            .conversation_members(conversation_id)
            .await?
            .into_iter()
            .filter(|x| x.account_id != m.sender_id)
            .partition(|x| x.read_seq >= m.seq);
        Ok(Receipts { read_by, unread_by })
    }

    /// The colleagues the account exchanged most messages with over the configured window.
    pub async fn frequent_contacts(
        &self,
        account_id: &str,
        limit: u32,
    ) -> Result<Vec<FrequentContact>> {
        let since = now_ms() - self.config.chat.frequent_contacts_days * 86_400_000;
        let mut tx = self.read().await?;
        Ok(tx.frequent_contacts(account_id, since, limit).await?)
    }

    fn changeable(&self, m: &Message, now: i64) -> Result<()> {
        if m.recalled_at.is_some() {
            return Err(recalled());
        }
        if now - m.sent_at > self.config.chat.edit_window_secs * 1000 {
            return Err(Error::Conflict {
                code: "edit_window_closed",
                detail: "Messages can be edited or recalled only for a while after sending.",
            });
        }
        Ok(())
    }
}

fn recalled() -> Error {
    Error::Conflict {
        code: "message_recalled",
        detail: "This message was recalled.",
    }
}

async fn message_in(tx: &mut Unit, conversation_id: &str, message_id: &str) -> Result<Message> {
    tx.message(message_id)
        .await?
        .filter(|m| m.conversation_id == conversation_id)
        .ok_or(Error::NotFound)
}
