//! An enterprise's security policy, as stored.

use async_trait::async_trait;

use super::StoreResult;
use crate::clock::Millis;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgPolicy {
    pub org_id: String,
    /// `off`, `any` or `passkey`.
    pub require_second_factor: String,
    pub grace_days: i64,
    /// When the current second-factor requirement was switched on.
    pub second_factor_since: Option<Millis>,
    pub password_min_length: Option<i64>,
    pub password_min_score: Option<i64>,
    pub password_require_composition: bool,
    pub session_max_age_hours: Option<i64>,
    pub session_idle_minutes: Option<i64>,
    /// CIDR blocks; empty means any network.
    pub allowed_networks: Vec<String>,
    pub support_needs_admin: bool,
    pub updated_by: String,
    pub updated_at: Millis,
}

/// One line of an enterprise's audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgAuditEntry {
    pub id: String,
    pub org_id: String,
    pub actor_id: String,
    pub subject_id: Option<String>,
    pub kind: String,
    pub at: Millis,
}

/// An offboarding (离职) that can still be undone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offboarding {
    pub org_id: String,
    pub account_id: String,
    pub successor_id: String,
    /// The groups the member left, with the role they had: `(conversation_id, role)`.
    pub groups: Vec<(String, String)>,
    pub offboarded_by: String,
    pub offboarded_at: Millis,
    pub undo_until: Millis,
}

/// A query of the audit log: optional filters, and the `(at, id)` the previous page ended at.
#[derive(Clone, Copy, Debug)]
pub struct AuditQuery<'a> {
    pub org_id: &'a str,
    /// The member the line concerns (as actor or subject).
    pub account_id: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub after: Option<Millis>,
    pub before: Option<Millis>,
    pub cursor: Option<(Millis, &'a str)>,
    pub limit: u32,
}

/// A request that a member re-verify a binding, with what the member is shown of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReverifyRequest {
    /// The verification whose code went to the binding.
    pub verification_id: String,
    pub org_id: String,
    pub org_name: String,
    pub account_id: String,
    pub requested_by: String,
    pub requested_at: Millis,
    pub confirmed_at: Option<Millis>,
    pub channel: crate::identifier::Channel,
    pub destination: String,
    pub expires_at: Millis,
}

#[async_trait]
pub trait PolicyRepo {
    async fn insert_reverify(
        &mut self,
        verification_id: &str,
        org_id: &str,
        account_id: &str,
        requested_by: &str,
        at: Millis,
    ) -> StoreResult<()>;
    /// One request, by its verification.
    async fn reverify(&mut self, verification_id: &str) -> StoreResult<Option<ReverifyRequest>>;
    /// The account's requests still open at `now` (not confirmed, code not expired), newest first.
    async fn open_reverifies(
        &mut self,
        account_id: &str,
        now: Millis,
    ) -> StoreResult<Vec<ReverifyRequest>>;
    async fn confirm_reverify(&mut self, verification_id: &str, at: Millis) -> StoreResult<()>;
    async fn org_policy(&mut self, org_id: &str) -> StoreResult<Option<OrgPolicy>>;
    /// Inserts or replaces the enterprise's policy.
    async fn put_org_policy(&mut self, p: &OrgPolicy) -> StoreResult<()>;
    /// The enterprises the account is an active member of that could keep it out: those with a
    /// policy, and those that suspended it (any other lets every member in).
    async fn gated_orgs(&mut self, account_id: &str) -> StoreResult<Vec<String>>;
    /// When the member was suspended, if they are.
    async fn org_suspension(
        &mut self,
        org_id: &str,
        account_id: &str,
    ) -> StoreResult<Option<Millis>>;
    /// Suspends a member; `false` when they were already.
    async fn suspend_org_member(
        &mut self,
        org_id: &str,
        account_id: &str,
        by: &str,
        at: Millis,
    ) -> StoreResult<bool>;
    /// Lifts a suspension; `false` when there was none.
    async fn reinstate_org_member(&mut self, org_id: &str, account_id: &str) -> StoreResult<bool>;
    async fn insert_org_audit(&mut self, e: &OrgAuditEntry) -> StoreResult<()>;
    async fn insert_offboarding(&mut self, o: &Offboarding) -> StoreResult<()>;
    async fn offboarding(
        &mut self,
        org_id: &str,
        account_id: &str,
    ) -> StoreResult<Option<Offboarding>>;
    async fn delete_offboarding(&mut self, org_id: &str, account_id: &str) -> StoreResult<bool>;
    /// Sets a group member's role (owner, admin or member).
    async fn set_group_role(
        &mut self,
        conversation_id: &str,
        account_id: &str,
        role: &str,
    ) -> StoreResult<()>;
    /// Audit lines, newest first.
    async fn org_audit_page(&mut self, q: &AuditQuery<'_>) -> StoreResult<Vec<OrgAuditEntry>>;
    /// When the account's newest session began (its last login), if it ever had one.
    async fn last_session_started(&mut self, account_id: &str) -> StoreResult<Option<Millis>>;
}
