//! Security events: an append-only record of what happened to an account, shown to its owner as
//! "security records" and exportable by operators.

use crate::app::{Client, Wangshang};
use crate::clock::Millis;
use crate::error::Result;
use crate::store::{NewSecurityEvent, SecurityEvent};
use crate::unit::Unit;

pub mod kind {
    pub const REGISTERED: &str = "registered";
    pub const LOGIN: &str = "login";
    pub const LOGIN_FAILED: &str = "login_failed";
    pub const ACCOUNT_LOCKED: &str = "account_locked";
    pub const LOGOUT: &str = "logout";
    pub const SESSION_REVOKED: &str = "session_revoked";
    pub const PASSWORD_CHANGED: &str = "password_changed";
    pub const PASSWORD_RESET: &str = "password_reset";
    pub const BINDING_CHANGED: &str = "binding_changed";
    pub const BINDING_REMOVED: &str = "binding_removed";
    pub const BINDING_CONFIRMED: &str = "binding_change_confirmed";
    pub const BINDING_CANCELLED: &str = "binding_change_cancelled";
    pub const MFA_TOTP_ENABLED: &str = "mfa_totp_enabled";
    pub const MFA_TOTP_DISABLED: &str = "mfa_totp_disabled";
    pub const RECOVERY_CODES_REGENERATED: &str = "recovery_codes_regenerated";
    pub const PASSKEY_ADDED: &str = "passkey_added";
    pub const PASSKEY_REMOVED: &str = "passkey_removed";
    pub const SECOND_FACTOR_FAILED: &str = "second_factor_failed";
    pub const LOGIN_DISPUTED: &str = "login_disputed";
    pub const SECURITY_QUESTIONS_CHANGED: &str = "security_questions_changed";
    /// An operator's `wangshang admin account …` / `audit export --account`.
    pub const ADMIN_VIEWED: &str = "admin_account_viewed";
    pub const ADMIN_LOCKED: &str = "admin_account_locked";
    pub const ADMIN_UNLOCKED: &str = "admin_account_unlocked";
    pub const ADMIN_SIGNED_OUT: &str = "admin_signed_out";
    pub const ADMIN_AUDIT_EXPORTED: &str = "admin_audit_exported";
    pub const NICKNAME_CHANGED: &str = "nickname_changed";
    /// A file the account sent was found infected by the scanner (flags: the signature).
    pub const MALWARE_BLOCKED: &str = "malware_blocked";
}

/// Every kind of security record any flow writes (for the pages' completeness test: each has a
/// name in both languages).
pub fn every_kind() -> Vec<&'static str> {
    use crate::policy::members::kind as member;
    use crate::support::kind as support;
    vec![
        kind::REGISTERED,
        kind::LOGIN,
        kind::LOGIN_FAILED,
        kind::ACCOUNT_LOCKED,
        kind::LOGOUT,
        kind::SESSION_REVOKED,
        kind::PASSWORD_CHANGED,
        kind::PASSWORD_RESET,
        kind::BINDING_CHANGED,
        kind::BINDING_REMOVED,
        kind::BINDING_CONFIRMED,
        kind::BINDING_CANCELLED,
        kind::MFA_TOTP_ENABLED,
        kind::MFA_TOTP_DISABLED,
        kind::RECOVERY_CODES_REGENERATED,
        kind::PASSKEY_ADDED,
        kind::PASSKEY_REMOVED,
        kind::SECOND_FACTOR_FAILED,
        kind::LOGIN_DISPUTED,
        kind::SECURITY_QUESTIONS_CHANGED,
        kind::ADMIN_VIEWED,
        kind::ADMIN_LOCKED,
        kind::ADMIN_UNLOCKED,
        kind::ADMIN_SIGNED_OUT,
        kind::ADMIN_AUDIT_EXPORTED,
        kind::NICKNAME_CHANGED,
        kind::MALWARE_BLOCKED,
        support::TICKET_VIEWED,
        support::CANDIDATE_PICKED,
        support::TICKET_DECIDED,
        support::RECOVERY_APPROVED,
        support::RECOVERY_CANCELLED,
        support::RECOVERY_COMPLETED,
        support::TRUSTED_CONTACTS_CHANGED,
        support::AGENT_ADDED,
        support::AGENT_REMOVED,
        member::SIGNED_OUT,
        member::SUSPENDED,
        member::REINSTATED,
        member::OFFBOARDED,
        member::OFFBOARD_UNDONE,
        crate::policy::POLICY_CHANGED,
        crate::policy::reverify::REQUESTED,
        crate::policy::reverify::CONFIRMED,
    ]
}

/// Writes an event inside the caller's transaction.
pub async fn record(
    tx: &mut Unit,
    account_id: &str,
    kind: &str,
    client: &Client,
    flags: &[&str],
    at: Millis,
) -> Result<()> {
    tx.insert_event(&NewSecurityEvent {
        account_id: account_id.to_owned(),
        kind: kind.to_owned(),
        at,
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
        flags: flags.iter().map(|f| (*f).to_owned()).collect(),
        place: None,
    })
    .await?;
    Ok(())
}

/// One page of an account's events, newest first, and the cursor of the next page.
pub struct EventPage {
    pub events: Vec<SecurityEvent>,
    pub next: Option<i64>,
}

impl Wangshang {
    pub async fn security_events(
        &self,
        account_id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<EventPage> {
        let limit = limit.clamp(1, 100);
        let mut tx = self.read().await?;
        let events = tx.events(account_id, before, limit).await?;
        tx.commit().await?;
        let next = if events.len() as u32 == limit {
            events.last().map(|e| e.id)
        } else {
            None
        };
        Ok(EventPage { events, next })
    }

    /// Every event after `after`, oldest first: the operators' JSON-lines export.
    pub async fn export_events(&self, after: i64, limit: u32) -> Result<Vec<SecurityEvent>> {
        let mut tx = self.read().await?;
        let events = tx.all_events(after, limit).await?;
        tx.commit().await?;
        Ok(events)
    }
}
