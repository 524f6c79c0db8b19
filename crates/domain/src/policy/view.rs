//! What an enterprise's owners and admins see: their members' security posture and the
//! enterprise's audit log. Never addresses, codes or secrets.

use super::reader;
use crate::app::Wangshang;
use crate::clock::{DAY, Millis, now_ms};
use crate::error::{Error, Result};
use crate::store::{AuditQuery, OrgAuditEntry};

/// Most audit lines in one page, and in one export.
pub const AUDIT_PAGE: u32 = 100;
pub const AUDIT_EXPORT: u32 = 10_000;

/// One member's security posture.
#[derive(Clone, Debug)]
pub struct MemberPosture {
    pub account_id: String,
    pub nickname: String,
    pub role: String,
    /// `totp` and/or `passkey`.
    pub second_factor: Vec<&'static str>,
    pub password_age_days: i64,
    pub last_login_at: Option<Millis>,
    pub active_sessions: usize,
    /// `active`, `suspended` or `offboarded`.
    pub status: &'static str,
}

/// Which members to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostureFilter {
    All,
    NoSecondFactor,
    /// No login for 30 days.
    Inactive30d,
}

impl PostureFilter {
    pub fn parse(s: Option<&str>) -> Result<Self> {
        match s {
            None | Some("") => Ok(Self::All),
            Some("no_second_factor") => Ok(Self::NoSecondFactor),
            Some("inactive_30d") => Ok(Self::Inactive30d),
            Some(_) => Err(Error::InvalidRequest(
                "filter must be no_second_factor or inactive_30d".into(),
            )),
        }
    }
}

/// A page of the audit log, newest first; `next` continues it.
pub struct AuditPage {
    pub entries: Vec<OrgAuditEntry>,
    pub next: Option<String>,
}

/// The cursor of the page after `last`.
fn cursor_of(last: &OrgAuditEntry) -> String {
    format!("{}.{}", last.at, last.id)
}

fn parse_cursor(c: &str) -> Result<(Millis, String)> {
    c.split_once('.')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.to_owned())))
        .ok_or_else(|| Error::InvalidRequest("cursor is not one this server gave".into()))
}

impl Wangshang {
    /// `GET /orgs/{id}/security/members` (owners and admins).
    pub async fn org_security_members(
        &self,
        actor_id: &str,
        org_id: &str,
        filter: PostureFilter,
    ) -> Result<Vec<MemberPosture>> {
        let now = now_ms();
        let idle = self.config.sessions.idle_timeout_secs * 1000;
        let mut tx = self.read().await?;
        reader(&mut tx, org_id, actor_id).await?;
        let mut out = Vec::new();
        for m in tx.org_members(org_id).await? {
            let Some(a) = tx.account(&m.account_id).await? else {
                continue;
            };
            let mut second_factor = Vec::new();
            if tx
                .totp(&a.id)
                .await?
                .is_some_and(|t| t.confirmed_at.is_some())
            {
                second_factor.push("totp");
            }
            if !tx.passkeys(&a.id).await?.is_empty() {
                second_factor.push("passkey");
            }
            let active_sessions = tx
                .live_sessions(&a.id, now)
                .await?
                .iter()
                .filter(|s| now < s.last_seen_at + idle)
                .count();
            let last_login_at = tx.last_session_started(&a.id).await?;
            let status = if tx.offboarding(org_id, &a.id).await?.is_some() {
                "offboarded"
            } else if tx.org_suspension(org_id, &a.id).await?.is_some() {
                "suspended"
            } else {
                "active"
            };
            let p = MemberPosture {
                account_id: a.id,
                nickname: a.nickname,
                role: m.role,
                second_factor,
                password_age_days: (now - a.password_changed_at).max(0) / DAY,
                last_login_at,
                active_sessions,
                status,
            };
            let keep = match filter {
                PostureFilter::All => true,
                PostureFilter::NoSecondFactor => p.second_factor.is_empty(),
                PostureFilter::Inactive30d => p.last_login_at.is_none_or(|t| now - t > 30 * DAY),
            };
            if keep {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// `GET /orgs/{id}/audit` (owners and admins): newest first, filtered by member, kind and
    /// time; `limit` at most [`AUDIT_PAGE`] (or [`AUDIT_EXPORT`] for an export).
    #[allow(clippy::too_many_arguments)]
    pub async fn org_audit(
        &self,
        actor_id: &str,
        org_id: &str,
        account_id: Option<&str>,
        kind: Option<&str>,
        after: Option<Millis>,
        before: Option<Millis>,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<AuditPage> {
        let cursor = cursor.map(parse_cursor).transpose()?;
        let limit = limit.clamp(1, AUDIT_EXPORT);
        let mut tx = self.read().await?;
        reader(&mut tx, org_id, actor_id).await?;
        let entries = tx
            .org_audit_page(&AuditQuery {
                org_id,
                account_id,
                kind,
                after,
                before,
                cursor: cursor.as_ref().map(|(at, id)| (*at, id.as_str())),
                limit,
            })
            .await?;
        let next = (entries.len() as u32 == limit)
            .then(|| entries.last().map(cursor_of))
            .flatten();
        Ok(AuditPage { entries, next })
    }
}
