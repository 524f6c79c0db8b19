//! Enterprise security policy (SPEC §11): what an enterprise's owners require of the sessions
//! that reach its data — a second factor after a grace period, allowed networks, session
//! lifetime and idle limits — plus stricter password rules and whether support-desk recovery
//! needs an admin. Owners set it, owners and admins read it, nobody else learns it.
//!
//! [`gate`] is the one decision every path to an enterprise's conversations asks.

pub mod blocks;
pub mod gate;
pub mod members;
pub mod offboard;
pub mod reverify;
mod rules;
pub mod view;

pub use gate::gate;
pub use members::Action;
pub use rules::{PolicyInput, SecondFactor};

use serde_json::json;

use crate::app::{Client, Wangshang};
use crate::chat::orgs::membership;
use crate::chat::role;
use crate::clock::{Millis, now_ms};
use crate::config::PasswordConfig;
use crate::error::{Error, Result};
use crate::events;
use crate::messages::template;
use crate::outbox;
use crate::random;
use crate::store::{AdminAnswer, OrgAuditEntry, OrgPolicy};
use crate::unit::Unit;

/// Security event of the owner who changed a policy.
pub const POLICY_CHANGED: &str = "org_policy_changed";

/// The policy an enterprise without a stored one has: the server's rules only.
pub fn default_policy(org_id: &str) -> OrgPolicy {
    OrgPolicy {
        org_id: org_id.to_owned(),
        require_second_factor: SecondFactor::Off.as_str().to_owned(),
        grace_days: 0,
        second_factor_since: None,
        password_min_length: None,
        password_min_score: None,
        password_require_composition: false,
        session_max_age_hours: None,
        session_idle_minutes: None,
        allowed_networks: Vec::new(),
        support_needs_admin: false,
        updated_by: String::new(),
        updated_at: 0,
    }
}

/// An enterprise's demand for a second factor the member has not set up yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecondFactorDue {
    pub org_id: String,
    pub org_name: String,
    /// The end of the grace period (ms since the epoch).
    pub deadline: Millis,
    /// The account's time zone, to say the deadline in (`None`: UTC).
    pub time_zone: Option<String>,
}

/// Writes a line of the enterprise's audit log.
pub(crate) async fn audit(
    tx: &mut Unit,
    org_id: &str,
    actor_id: &str,
    subject_id: Option<&str>,
    kind: &str,
    at: Millis,
) -> Result<()> {
    tx.insert_org_audit(&OrgAuditEntry {
        id: random::id(),
        org_id: org_id.to_owned(),
        actor_id: actor_id.to_owned(),
        subject_id: subject_id.map(str::to_owned),
        kind: kind.to_owned(),
        at,
    })
    .await?;
    Ok(())
}

/// A member signed in (their sessions reach the enterprise's data unless its policy refuses, which
/// writes its own line).
pub const MEMBER_LOGIN: &str = "org_member_login";
/// The support desk tied a ticket to the member's account.
pub const MEMBER_SUPPORT_TICKET: &str = "org_member_support_ticket";
/// The support desk's recovery of the member's account completed (password and factors reset).
pub const MEMBER_RECOVERED: &str = "org_member_recovered";

/// A member's own security event that concerns every enterprise they belong to: a line in each
/// one's audit log, with the member as actor and subject.
pub(crate) async fn audit_member(
    tx: &mut Unit,
    account_id: &str,
    kind: &str,
    at: Millis,
) -> Result<()> {
    for m in tx.memberships(account_id).await? {
        if m.left_at.is_none() {
            audit(tx, &m.org_id, account_id, Some(account_id), kind, at).await?;
        }
    }
    Ok(())
}

/// The caller must be an active owner or admin (`NotFound` for a non-member, `not_org_admin`
/// for a member), as for the enterprise's other management calls.
pub(crate) async fn reader(tx: &mut Unit, org_id: &str, account_id: &str) -> Result<String> {
    let me = membership(tx, org_id, account_id).await?;
    if !role::manages(&me.role) {
        return Err(Error::Forbidden("not_org_admin"));
    }
    Ok(me.role)
}

/// An enterprise's password rules that go beyond the server's, for a page to show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StricterPassword {
    pub min_length: Option<usize>,
    pub min_score: Option<u8>,
    pub require_composition: bool,
}

impl StricterPassword {
    pub fn any(&self) -> bool {
        self.min_length.is_some() || self.min_score.is_some() || self.require_composition
    }
}

/// The password rules for `account_id`: the server's, made stricter by every enterprise it
/// belongs to now (the strictest of each rule wins).
pub(crate) async fn password_rules(
    tx: &mut Unit,
    account_id: &str,
    server: &PasswordConfig,
) -> Result<PasswordConfig> {
    let mut cfg = server.clone();
    for m in tx.memberships(account_id).await? {
        if m.left_at.is_some() {
            continue;
        }
        let Some(p) = tx.org_policy(&m.org_id).await? else {
            continue;
        };
        if let Some(n) = p.password_min_length.and_then(|n| usize::try_from(n).ok()) {
            cfg.min_length = cfg.min_length.max(n);
        }
        if let Some(s) = p.password_min_score.and_then(|s| u8::try_from(s).ok()) {
            cfg.min_score = cfg.min_score.max(s);
        }
        cfg.require_composition |= p.password_require_composition;
    }
    Ok(cfg)
}

/// Refuses to approve a support-desk recovery of `account_id` while an enterprise it belongs to
/// asks for its admins' word (`support_needs_admin`) and none of them has confirmed the person.
pub(crate) async fn support_approval_allowed(
    tx: &mut Unit,
    account_id: &str,
    answers: &[AdminAnswer],
) -> Result<()> {
    for m in tx.memberships(account_id).await? {
        if m.left_at.is_some() {
            continue;
        }
        let needs_admin = tx
            .org_policy(&m.org_id)
            .await?
            .is_some_and(|p| p.support_needs_admin);
        let confirmed = answers
            .iter()
            .any(|a| a.org_id == m.org_id && a.answer == "confirm");
        if needs_admin && !confirmed {
            return Err(Error::Conflict {
                code: "org_admin_confirmation_required",
                detail: "The member's enterprise asks that one of its admins confirm the person before a recovery is approved.",
            });
        }
    }
    Ok(())
}

impl Wangshang {
    /// The conversations whose enterprise's policy keeps this session out now (empty for most
    /// sessions, found with a few reads), so that a socket leaves their events out.
    pub async fn blocked_conversations(
        &self,
        caller: &crate::sessions::Authenticated,
    ) -> Result<std::collections::HashSet<String>> {
        let mut tx = self.read().await?;
        blocked_in(&mut tx, caller, now_ms()).await
    }

    /// The password rules a new password of this account must meet.
    /// The enterprise whose policy asks this account for a second factor it has not set up,
    /// with the soonest deadline (the end of its grace period; past it, that enterprise's
    /// conversations are closed to the account): what the banner tells the member.
    pub async fn second_factor_due(&self, account_id: &str) -> Result<Option<SecondFactorDue>> {
        let mut tx = self.read().await?;
        let mut due: Option<SecondFactorDue> = None;
        for m in tx.memberships(account_id).await? {
            if m.left_at.is_some() {
                continue;
            }
            let Some(p) = tx.org_policy(&m.org_id).await? else {
                continue;
            };
            if let Some(deadline) = gate::second_factor_deadline(&mut tx, &p, account_id).await?
                && due.as_ref().is_none_or(|d| deadline < d.deadline)
            {
                due = Some(SecondFactorDue {
                    org_id: m.org_id,
                    org_name: m.org_name,
                    deadline,
                    time_zone: None,
                });
            }
        }
        if let Some(d) = due.as_mut() {
            d.time_zone = tx.account(account_id).await?.and_then(|a| a.time_zone);
        }
        Ok(due)
    }

    pub async fn password_rules_for(&self, account_id: &str) -> Result<PasswordConfig> {
        let mut tx = self.read().await?;
        password_rules(&mut tx, account_id, &self.config.password).await
    }

    /// What the account's enterprises add to the server's password rules (for the pages).
    pub async fn stricter_password_rules(&self, account_id: &str) -> Result<StricterPassword> {
        let rules = self.password_rules_for(account_id).await?;
        let server = &self.config.password;
        Ok(StricterPassword {
            min_length: (rules.min_length > server.min_length).then_some(rules.min_length),
            min_score: (rules.min_score > server.min_score).then_some(rules.min_score),
            require_composition: rules.require_composition && !server.require_composition,
        })
    }

    /// `GET /orgs/{id}/policy` (owners and admins).
    pub async fn org_policy(&self, account_id: &str, org_id: &str) -> Result<OrgPolicy> {
        let mut tx = self.read().await?;
        reader(&mut tx, org_id, account_id).await?;
        let p = tx.org_policy(org_id).await?;
        Ok(p.unwrap_or_else(|| default_policy(org_id)))
    }

    /// `PUT /orgs/{id}/policy` (owners): replaces the policy, records a security event for the
    /// owner and tells every owner and admin.
    pub async fn set_org_policy(
        &self,
        account_id: &str,
        org_id: &str,
        input: &PolicyInput,
        client: &Client,
    ) -> Result<OrgPolicy> {
        let now = now_ms();
        let checked = input.check(&self.config.password)?;
        let mut tx = self.write().await?;
        if reader(&mut tx, org_id, account_id).await? != role::OWNER {
            return Err(Error::Forbidden("owner_only"));
        }
        let old = tx.org_policy(org_id).await?;
        let mut p = checked.into_policy(org_id, account_id, now);
        // The grace period runs from when the requirement was switched on, not from each edit.
        p.second_factor_since = match (&old, p.require_second_factor.as_str()) {
            (_, "off") => None,
            (Some(o), kind) if o.require_second_factor == kind => o.second_factor_since,
            _ => Some(now),
        };
        tx.put_org_policy(&p).await?;
        events::record(&mut tx, account_id, POLICY_CHANGED, client, &[], now).await?;
        audit(&mut tx, org_id, account_id, None, POLICY_CHANGED, now).await?;
        let org = tx.org(org_id).await?.ok_or(Error::NotFound)?;
        let by = tx
            .account(account_id)
            .await?
            .map(|a| a.nickname)
            .unwrap_or_default();
        for m in tx.org_members(org_id).await? {
            if !role::manages(&m.role) {
                continue;
            }
            if let Some(a) = tx.account(&m.account_id).await? {
                let params = json!({"org": org.name, "by": by, "when": now});
                outbox::notify_account(&mut tx, &a, template::ORG_POLICY_CHANGED, params).await?;
            }
        }
        tx.commit().await?;
        Ok(p)
    }
}

/// The conversations whose enterprise's policy keeps this session out now, read in the caller's
/// unit (the socket and search leave them out).
pub(crate) async fn blocked_in(
    tx: &mut Unit,
    caller: &crate::sessions::Authenticated,
    now: Millis,
) -> Result<std::collections::HashSet<String>> {
    let mut blocked = Vec::new();
    // Only an enterprise with a policy, or one that suspended the caller, can keep it out (see
    // `gate`): one statement finds those, usually none, so a search pays nothing more.
    for org_id in tx.gated_orgs(&caller.account_id).await? {
        match gate(tx, caller, &org_id, now).await {
            Ok(()) => {}
            Err(Error::PolicyBlocked { .. }) => blocked.push(org_id),
            Err(e) => return Err(e),
        }
    }
    if blocked.is_empty() {
        return Ok(Default::default());
    }
    Ok(tx
        .conversation_summaries(&caller.account_id)
        .await?
        .into_iter()
        .filter(|c| {
            c.conversation
                .org_id
                .as_ref()
                .is_some_and(|o| blocked.contains(o))
        })
        .map(|c| c.conversation.id)
        .collect())
}
