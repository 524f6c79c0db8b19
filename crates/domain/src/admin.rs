//! The operator's tasks (`wangshang admin …`): look an account up, lock and unlock it, sign it out
//! everywhere, export the audit log. Each is one unit of work and leaves a security event on the
//! account it concerns (`ip` "cli"), so the account's owner and later audits see what was done.
//! Nothing here shows or sets a secret: bindings are masked, factors are counted.

use serde::Serialize;

use crate::app::{Client, Wangshang};
use crate::clock::{DAY, Millis, now_ms, to_datetime};
use crate::credentials::throttle_keys;
use crate::error::{Error, Result};
use crate::events::{self, kind};
use crate::identifier::{Channel, Destination, mask_stored};
use crate::store::{Account, SecurityEvent, Throttle};
use crate::unit::Unit;

/// How long an operator's lock lasts: until unlocked (about a hundred years).
const ADMIN_LOCK: Millis = 36_500 * DAY;

/// What `admin account show` prints: never a secret.
#[derive(Clone, Debug, Serialize)]
pub struct AccountReport {
    pub id: String,
    pub nickname: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub created_at: String,
    pub password_changed_at: String,
    pub totp: bool,
    pub passkeys: usize,
    pub recovery_codes_left: u32,
    pub support_agent: bool,
    /// Until when sign-in is locked (failed attempts or an operator), if it is.
    pub locked_until: Option<String>,
    pub sessions: Vec<SessionReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SessionReport {
    pub id: String,
    pub device_id: String,
    pub user_agent: String,
    pub ip: String,
    pub created_at: String,
    pub last_seen_at: String,
}

/// Who acts in the events an admin command writes.
fn operator() -> Client {
    Client {
        ip: "cli".into(),
        user_agent: "wangshang admin".into(),
    }
}

/// The account named by an id, a phone number or an e-mail address.
pub(crate) async fn find_account(app: &Wangshang, tx: &mut Unit, who: &str) -> Result<Account> {
    if let Some(a) = tx.account(who.trim()).await? {
        return Ok(a);
    }
    let d = Destination::parse_identifier(who, &app.config.default_region)
        .map_err(|_| Error::NotFound)?;
    tx.account_by_destination(d.channel(), d.as_str())
        .await?
        .ok_or(Error::NotFound)
}

impl Wangshang {
    /// `admin account show`.
    pub async fn admin_show_account(&self, who: &str) -> Result<AccountReport> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let a = find_account(self, &mut tx, who).await?;
        let status = self.mfa_status_in(&mut tx, &a.id).await?;
        let passkeys = tx.passkeys(&a.id).await?.len();
        let support_agent = tx.is_agent(&a.id).await?;
        let mut locked_until = None;
        for key in throttle_keys(&a) {
            if let Some(t) = tx.throttle(&key).await?
                && let Some(until) = t.locked_until.filter(|u| *u > now)
            {
                locked_until = locked_until.max(Some(until));
            }
        }
        let idle = self.config.sessions.idle_timeout_secs * 1000;
        let sessions = tx
            .live_sessions(&a.id, now)
            .await?
            .into_iter()
            .filter(|s| now < s.last_seen_at + idle)
            .map(|s| SessionReport {
                id: s.id,
                device_id: s.device_id,
                user_agent: s.user_agent,
                ip: s.ip,
                created_at: to_datetime(s.created_at).to_string(),
                last_seen_at: to_datetime(s.last_seen_at).to_string(),
            })
            .collect();
        events::record(&mut tx, &a.id, kind::ADMIN_VIEWED, &operator(), &[], now).await?;
        tx.commit().await?;
        Ok(AccountReport {
            phone: a.phone.as_deref().map(|p| mask_stored(Channel::Sms, p)),
            email: a.email.as_deref().map(|e| mask_stored(Channel::Email, e)),
            created_at: to_datetime(a.created_at).to_string(),
            password_changed_at: to_datetime(a.password_changed_at).to_string(),
            totp: status.totp,
            passkeys,
            recovery_codes_left: status.recovery_codes_left,
            support_agent,
            locked_until: locked_until.map(|u| to_datetime(u).to_string()),
            sessions,
            id: a.id,
            nickname: a.nickname,
        })
    }

    /// `admin account lock`: sign-in refused (as after too many failures) until unlocked, and
    /// every session ended (sockets close on every node).
    pub async fn admin_lock_account(&self, who: &str) -> Result<String> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let a = find_account(self, &mut tx, who).await?;
        for key in throttle_keys(&a) {
            tx.save_throttle(&Throttle {
                key,
                failures: 0,
                last_failure_at: now,
                locked_until: Some(now + ADMIN_LOCK),
            })
            .await?;
        }
        tx.revoke_sessions(&a.id, None, now).await?;
        events::record(&mut tx, &a.id, kind::ADMIN_LOCKED, &operator(), &[], now).await?;
        tx.commit().await?;
        Ok(a.id)
    }

    /// `admin account unlock`: clears the lock (an operator's or one from failed attempts).
    pub async fn admin_unlock_account(&self, who: &str) -> Result<String> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let a = find_account(self, &mut tx, who).await?;
        for key in throttle_keys(&a) {
            tx.clear_throttle(&key).await?;
        }
        events::record(&mut tx, &a.id, kind::ADMIN_UNLOCKED, &operator(), &[], now).await?;
        tx.commit().await?;
        Ok(a.id)
    }

    /// `admin account sign-out`: every session of the account ends; its sockets close at once
    /// on every node. Returns the account id and how many sessions ended.
    pub async fn admin_sign_out(&self, who: &str) -> Result<(String, u64)> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let a = find_account(self, &mut tx, who).await?;
        let n = tx.revoke_sessions(&a.id, None, now).await?;
        let count = n.to_string();
        events::record(
            &mut tx,
            &a.id,
            kind::ADMIN_SIGNED_OUT,
            &operator(),
            &[count.as_str()],
            now,
        )
        .await?;
        tx.commit().await?;
        Ok((a.id, n))
    }

    /// `admin audit export`: one page of security events after `after` (by id), at or after
    /// `since`, of one account when given (already resolved with [`Self::admin_audit_account`]).
    pub async fn admin_audit_page(
        &self,
        after: i64,
        limit: u32,
        since: Option<Millis>,
        account_id: Option<&str>,
    ) -> Result<(Vec<SecurityEvent>, Option<i64>)> {
        let mut tx = self.read().await?;
        let page = tx.all_events(after, limit).await?;
        let next = (page.len() as u32 == limit)
            .then(|| page.last().map(|e| e.id))
            .flatten();
        let events = page
            .into_iter()
            .filter(|e| since.is_none_or(|s| e.at >= s))
            .filter(|e| account_id.is_none_or(|a| e.account_id == a))
            .collect();
        Ok((events, next))
    }

    /// The account an audit export is limited to; the export itself is recorded on it.
    pub async fn admin_audit_account(&self, who: &str) -> Result<String> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let a = find_account(self, &mut tx, who).await?;
        events::record(
            &mut tx,
            &a.id,
            kind::ADMIN_AUDIT_EXPORTED,
            &operator(),
            &[],
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(a.id)
    }
}
