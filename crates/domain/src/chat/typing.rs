//! "Is typing…": a passing signal from a member to the others of one conversation, never
//! stored and never replayed. It reaches this node's sockets through the hub and the other
//! nodes' through `NOTIFY`; a socket whose session an enterprise's policy keeps out of the
//! conversation does not get it, and a member the policy keeps out cannot send it.
//!
//! Large rooms do not show it (as Slack and DingTalk do not): beyond [`TYPING_MAX_MEMBERS`] the
//! signal is dropped, so a big group's typing never floods every member's socket.

use super::conversations::{admitted, member_ids};
use super::nodes::Notice;
use crate::app::Wangshang;
use crate::clock::now_ms;
use crate::error::Result;
use crate::sessions::Authenticated;

/// The frame type of the signal.
pub const TYPING: &str = "typing";
/// The most members a conversation may have for its typing to be shown.
pub const TYPING_MAX_MEMBERS: usize = 50;
/// How long a client shows "is typing" after the last signal, and so how often a client that
/// keeps typing repeats it (a little under this).
pub const TYPING_SHOWN_SECS: u64 = 6;

impl Wangshang {
    /// Tells the other members of the conversation that the caller is typing. A non-member gets
    /// `NotFound` and a member the enterprise's policy keeps out its refusal, as for a send.
    pub async fn typing(&self, caller: &Authenticated, conversation_id: &str) -> Result<()> {
        let mut tx = self.read().await?;
        admitted(&mut tx, caller, conversation_id, now_ms()).await?;
        let mut to = member_ids(&mut tx, conversation_id).await?;
        if to.len() > TYPING_MAX_MEMBERS {
            return Ok(());
        }
        to.retain(|a| *a != caller.account_id);
        if to.is_empty() {
            return Ok(());
        }
        tx.announce(&[Notice::Typing {
            conversation_id: conversation_id.to_owned(),
            account_id: caller.account_id.clone(),
            to: to.clone(),
        }])
        .await?;
        tx.commit().await?;
        if let Some(f) = self.fanout.get() {
            f.typing(&to, conversation_id, &caller.account_id);
        }
        Ok(())
    }
}
