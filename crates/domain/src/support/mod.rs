//! Support-desk recovery (SPEC §4): a public ticket from a proven contact, candidates for the
//! account it is about, evidence scored per candidate, trusted colleagues and enterprise admins
//! as further evidence, agents who decide, and a waiting period with a cancel link before the
//! requester may set a new password.
//!
//! What the requester is told never depends on whether or which claims matched: a ticket that
//! names no account looks the same and ends "could not be verified" (SECURITY 44). Agents only
//! start the waiting period; no call lets them see or set a password (SECURITY 40). Every agent
//! action is written to the ticket's audit trail and as a security event of the agent (43).

pub mod admins;
pub mod agents;
pub mod answers;
pub mod evidence;
mod finish;
mod gather;
pub mod tickets;
pub mod trusted;

use subtle::ConstantTimeEq;

use crate::app::Client;
use crate::clock::Millis;
use crate::error::{Error, Result};
use crate::random;
use crate::store::{AuditEntry, Ticket};
use crate::unit::Unit;

/// Ticket statuses as stored.
pub mod status {
    pub const OPEN: &str = "open";
    pub const NEED_INFO: &str = "need_info";
    pub const APPROVED: &str = "approved";
    pub const REJECTED: &str = "rejected";
    pub const CANCELLED: &str = "cancelled";
    pub const COMPLETED: &str = "completed";

    /// Whether agents, colleagues and admins may still add to the ticket.
    pub fn is_open(s: &str) -> bool {
        s == OPEN || s == NEED_INFO
    }
}

/// Flags an agent sees on a ticket.
pub mod flag {
    pub const COLLEAGUE_DENIED: &str = "colleague_denied";
    /// A session the account is signed in with answered "not me".
    pub const OWNER_DENIED: &str = "owner_denied";
    pub const ADMIN_DENIED: &str = "admin_denied";
    pub const CANCELLED_BY_OWNER: &str = "cancelled_by_owner";
    pub const CONTACT_NOT_BOUND: &str = "contact_not_bound";
}

/// Security-event kinds of the support desk (on the agent's or the owner's account).
pub mod kind {
    pub const TICKET_VIEWED: &str = "support_ticket_viewed";
    pub const CANDIDATE_PICKED: &str = "support_candidate_picked";
    pub const TICKET_DECIDED: &str = "support_ticket_decided";
    pub const RECOVERY_APPROVED: &str = "support_recovery_approved";
    pub const RECOVERY_CANCELLED: &str = "support_recovery_cancelled";
    pub const RECOVERY_COMPLETED: &str = "support_recovery_completed";
    pub const TRUSTED_CONTACTS_CHANGED: &str = "trusted_contacts_changed";
    pub const AGENT_ADDED: &str = "support_agent_added";
    pub const AGENT_REMOVED: &str = "support_agent_removed";
}

/// A confirm/deny answer of a colleague or an admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Confirm,
    Deny,
}

impl Answer {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "confirm" => Ok(Answer::Confirm),
            "deny" => Ok(Answer::Deny),
            _ => Err(Error::InvalidRequest(
                "answer must be \"confirm\" or \"deny\"".into(),
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Confirm => "confirm",
            Answer::Deny => "deny",
        }
    }
}

/// Whether `token` is the ticket's status token (constant time).
pub(crate) fn token_matches(ticket: &Ticket, token: &str) -> bool {
    let presented = random::token_hash(token.trim());
    bool::from(
        ticket
            .status_token_hash
            .as_bytes()
            .ct_eq(presented.as_bytes()),
    )
}

/// Adds a flag once.
pub(crate) fn add_flag(ticket: &mut Ticket, f: &str) {
    if !ticket.flags.iter().any(|x| x == f) {
        ticket.flags.push(f.to_owned());
    }
}

/// Writes a line of the ticket's audit trail.
pub(crate) async fn audit(
    tx: &mut Unit,
    ticket_id: &str,
    actor: &str,
    action: &str,
    detail: &str,
    client: &Client,
    now: Millis,
) -> Result<()> {
    tx.insert_audit(&AuditEntry {
        id: random::id(),
        ticket_id: ticket_id.to_owned(),
        actor: actor.to_owned(),
        actor_nickname: None,
        action: action.to_owned(),
        detail: detail.to_owned(),
        ip: client.ip.clone(),
        at: now,
    })
    .await?;
    Ok(())
}

/// The /24 or /48 network of an IP, as requests are shown to agents and colleagues.
pub fn network_of(ip: &str) -> Option<String> {
    loginmeta::network_of(ip)
}

/// The device a user agent describes ("Chrome on Windows").
pub fn device_label(user_agent: &str) -> String {
    loginmeta::describe(user_agent).label
}
