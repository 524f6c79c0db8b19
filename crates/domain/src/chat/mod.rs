//! Business chat (SPEC §6): enterprises and their members, contacts, conversations and messages,
//! and each account's event stream.
//!
//! Every change that others must see writes stream events in the same transaction (each account's
//! stream counts its own seq in the database), and after commit hands them to the [`Fanout`] the
//! server installed, which pushes them to open sockets. A socket that misses something reads it
//! back from the database, so nothing depends on any node's memory.

pub mod contacts;
pub mod conversations;
pub mod invites;
pub mod messages;
pub mod nodes;
pub mod orgs;
pub mod stream;
pub mod typing;
mod writer;

use std::sync::Arc;

use crate::app::Wangshang;
use crate::clock::Millis;
use crate::error::{Error, Result};
use crate::store::{Message, NewStreamEvent, StreamEvent};
use crate::unit::Unit;

pub use writer::{Outgoing, Writer};

/// Event kinds of the stream (API.md's chat table).
pub mod kind {
    pub const MESSAGE_CREATED: &str = "message.created";
    pub const MESSAGE_EDITED: &str = "message.edited";
    pub const MESSAGE_RECALLED: &str = "message.recalled";
    pub const READ_UPDATED: &str = "read.updated";
    pub const MEMBER_JOINED: &str = "member.joined";
    pub const MEMBER_LEFT: &str = "member.left";
    pub const VOUCH_REQUESTED: &str = "vouch.requested";
    /// A file's scan ended: the message with its attachment's new status.
    pub const ATTACHMENT_UPDATED: &str = "attachment.updated";
    /// To the sender only: a file they sent was found infected and blocked.
    pub const FILE_BLOCKED: &str = "file.blocked";
}

/// Roles in an enterprise and in a group conversation.
pub mod role {
    pub const OWNER: &str = "owner";
    pub const ADMIN: &str = "admin";
    pub const MEMBER: &str = "member";

    pub fn parse(s: &str) -> Option<&'static str> {
        match s {
            "owner" => Some(OWNER),
            "admin" => Some(ADMIN),
            "member" => Some(MEMBER),
            _ => None,
        }
    }

    /// Owners and admins manage members.
    pub fn manages(role: &str) -> bool {
        role == OWNER || role == ADMIN
    }
}

/// Receives committed stream events and pushes them to open sockets (the server's hub).
pub trait Fanout: Send + Sync {
    fn deliver(&self, account_id: &str, event: &StreamEvent);
    /// Every event of one commit. An event told to many accounts differs between them only
    /// in its seq, so a hub can render it once.
    fn deliver_all(&self, events: &[(String, StreamEvent)]) {
        for (account_id, e) in events {
            self.deliver(account_id, e);
        }
    }
    /// Some of the account's sessions were revoked: its sockets re-check theirs now.
    fn sessions_revoked(&self, account_id: &str);
    /// `account_id` is typing in the conversation: tell the sockets of `to` (nothing stored).
    fn typing(&self, to: &[String], conversation_id: &str, account_id: &str);
}

/// An event for the accounts in `to`, before it is stored.
pub(crate) struct Emit<'a> {
    pub kind: &'static str,
    pub conversation_id: Option<&'a str>,
    pub message: Option<&'a Message>,
    pub data: Option<serde_json::Value>,
}

/// Writes one event into the streams of `to`; the unit pushes it to sockets after commit.
pub(crate) async fn emit(tx: &mut Unit, to: &[String], e: Emit<'_>, now: Millis) -> Result<()> {
    let data = e.data.map(|d| d.to_string());
    let events: Vec<NewStreamEvent> = to
        .iter()
        .map(|account_id| NewStreamEvent {
            account_id: account_id.clone(),
            kind: e.kind.to_owned(),
            conversation_id: e.conversation_id.map(str::to_owned),
            message_id: e.message.map(|m| m.id.clone()),
            data: data.clone(),
            created_at: now,
        })
        .collect();
    let seqs = tx.append_events(&events).await?;
    notify_others(tx, to.iter().zip(&seqs)).await?;
    let delivered: Vec<(String, StreamEvent)> = to
        .iter()
        .zip(seqs)
        .map(|(account_id, seq)| {
            (
                account_id.clone(),
                StreamEvent {
                    seq,
                    kind: e.kind.to_owned(),
                    conversation_id: e.conversation_id.map(str::to_owned),
                    data: data.clone(),
                    message: e.message.cloned(),
                    created_at: now,
                },
            )
        })
        .collect();
    tx.deliver(delivered);
    Ok(())
}

/// Tells other nodes (PostgreSQL `NOTIFY`, sent at commit) which streams moved (the format is
/// [`nodes`]'); a node reads the events themselves from the database.
pub(crate) async fn notify_others<'a>(
    tx: &mut Unit,
    heads: impl Iterator<Item = (&'a String, &'a i64)>,
) -> Result<()> {
    let notices: Vec<nodes::Notice> = heads
        .map(|(account, seq)| nodes::Notice::Moved {
            account_id: account.clone(),
            seq: *seq,
        })
        .collect();
    tx.announce(&notices).await
}

impl Wangshang {
    /// Installs the hub that pushes committed events to sockets.
    pub fn set_fanout(&self, fanout: Arc<dyn Fanout>) {
        // A second install (a test building two servers on one app) keeps the first.
        let _ = self.fanout.set(fanout);
    }
}

/// A text that must be 1..=max characters after trimming.
pub(crate) fn parse_text(raw: &str, max: usize, what: &str) -> Result<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(Error::InvalidRequest(format!("{what} must not be empty")));
    }
    if t.chars().count() > max {
        return Err(Error::InvalidRequest(format!(
            "{what} must be at most {max} characters"
        )));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Error::InvalidRequest(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(t.to_owned())
}
