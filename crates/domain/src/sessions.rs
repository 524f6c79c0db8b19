//! Login and sessions: opaque 256-bit bearer tokens stored as SHA-256 hashes, with idle and
//! absolute expiry; listing and revoking; brute-force throttling on every password check.

use crate::accounts::parse_device_id;
use crate::app::{Client, Wangshang};
use crate::clock::{DAY, Millis, SECOND, now_ms};
use crate::error::{Error, Result};
use crate::events::{self, kind};
use crate::identifier::{Channel, Destination};
use crate::messages::template;
use crate::outbox;
use crate::password::Password;
use crate::password::hashing::Verified;
use crate::random;
use crate::store::{Account, Session};
use crate::throttle::{self, Limits};
use crate::unit::Unit;

pub struct Login<'a> {
    pub identifier: &'a str,
    pub password: &'a str,
    pub device_id: Option<&'a str>,
    pub device_name: Option<&'a str>,
}

pub struct NewSession {
    pub token: String,
    pub session_id: String,
    pub account_id: String,
    pub device_id: String,
    pub expires_at: Millis,
}

/// A login that passed every check, and what it leaves to write.
pub(crate) struct Granted<'a> {
    pub account: Account,
    /// A new hash when the stored one used old parameters.
    pub rehash: Option<String>,
    /// The throttle key to clear, when it had failures.
    pub clear_key: Option<&'a str>,
    /// Whether the identifier was the phone (the number is in use, not recycled).
    pub phone_login: bool,
}

/// What a password login leads to.
pub enum LoginOutcome {
    Session(NewSession),
    /// A second step is needed (`202`).
    Challenge(crate::challenges::ChallengeStarted),
}

/// A request's verified session, with what an enterprise's policy judges it by.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub session_id: String,
    pub account_id: String,
    /// When the session began (an enterprise's absolute session limit).
    pub created_at: Millis,
    /// The longest pause between two uses so far, this one included (its idle limit).
    pub longest_idle_ms: Millis,
    /// The address this request came from (its allowed networks).
    pub ip: String,
}

impl Wangshang {
    /// `POST /sessions`. Wrong password, unknown account: the same `InvalidCredentials` after the
    /// same Argon2 work; a locked identifier answers `Throttled` whether or not it has an account.
    #[tracing::instrument(skip_all)]
    pub async fn login(&self, l: Login<'_>, client: &Client) -> Result<LoginOutcome> {
        let dest = Destination::parse_identifier(l.identifier, &self.config.default_region)?;
        let device_id = parse_device_id(l.device_id)?;
        let device_name = l
            .device_name
            // A label shown back to the user: control characters (NUL, which PostgreSQL refuses
            // in text, among them) are dropped rather than stored.
            .map(|n| {
                n.chars()
                    .filter(|c| !c.is_control())
                    .take(64)
                    .collect::<String>()
            });
        let cfg = &self.config.login;
        let id_key = throttle::identifier_key(dest.as_str());
        let ip_key = throttle::ip_key(&client.ip);
        let now = now_ms();
        let (account, had_failures) = {
            let mut tx = self.read().await?;
            let id_state = tx.throttle(&id_key).await?;
            let ip_state = tx.throttle(&ip_key).await?;
            throttle::check(id_state.as_ref(), cfg, Limits::identifier(cfg), now)?;
            throttle::check(ip_state.as_ref(), cfg, Limits::ip(cfg), now)?;
            let account = tx
                .account_by_destination(dest.channel(), dest.as_str())
                .await?;
            tx.commit().await?;
            (account, id_state.is_some())
        };
        let verified = match Password::new(l.password, &self.config.password) {
            Ok(pw) => {
                self.hasher
                    .verify(&pw, account.as_ref().map(|a| a.password_hash.as_str()))
                    .await?
            }
            Err(_) => Verified::No,
        };
        let account = match (account, verified) {
            (Some(a), Verified::Yes) => (a, None),
            (Some(a), Verified::YesRehash(h)) => (a, Some(h)),
            (account, _) => {
                let mut tx = self.write().await?;
                self.login_failed(&mut tx, account.as_ref(), &id_key, &ip_key, client)
                    .await?;
                return tx.commit_err(Error::InvalidCredentials).await;
            }
        };
        // A success clears the identifier's failures; with none recorded there is nothing to clear.
        let clear_key = had_failures.then_some(id_key.as_str());
        let granted = Granted {
            account: account.0,
            rehash: account.1,
            clear_key,
            phone_login: dest.channel() == Channel::Sms,
        };
        // Argon2 ran before this unit: SQLite's single writer never waits out a hash.
        let mut tx = self.write().await?;
        // The password alone never opens a session on an account with two-factor, and a new
        // device must prove a bound channel first.
        let outcome = match self
            .second_step(
                &mut tx,
                &granted.account,
                &device_id,
                device_name.as_deref(),
                client,
            )
            .await?
        {
            Some(started) => LoginOutcome::Challenge(started),
            None => LoginOutcome::Session(
                self.open_session(&mut tx, granted, device_id, device_name, client)
                    .await?,
            ),
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn login_failed(
        &self,
        tx: &mut Unit,
        account: Option<&Account>,
        id_key: &str,
        ip_key: &str,
        client: &Client,
    ) -> Result<()> {
        let cfg = &self.config.login;
        let now = now_ms();
        let locked =
            throttle::record_failure(tx, id_key, cfg, Limits::identifier(cfg), now).await?;
        throttle::record_failure(tx, ip_key, cfg, Limits::ip(cfg), now).await?;
        if let Some(a) = account {
            let origin = self.origin(client);
            self.record_login(
                tx,
                &a.id,
                kind::LOGIN_FAILED,
                client,
                &origin,
                &["failed"],
                now,
            )
            .await?;
            if locked {
                events::record(tx, &a.id, kind::ACCOUNT_LOCKED, client, &[], now).await?;
                let mut params = Self::notice_params(client, now);
                params["minutes"] = (cfg.lock_secs / 60).max(1).into();
                outbox::notify_account(tx, a, template::ACCOUNT_LOCKED, params).await?;
            }
        }
        Ok(())
    }

    pub(crate) async fn open_session(
        &self,
        tx: &mut Unit,
        granted: Granted<'_>,
        device_id: String,
        device_name: Option<String>,
        client: &Client,
    ) -> Result<NewSession> {
        let Granted {
            account,
            rehash,
            clear_key,
            phone_login,
        } = granted;
        let now = now_ms();
        let token = random::token();
        let origin = self.origin(client);
        let mut s = Session {
            id: random::id(),
            account_id: account.id.clone(),
            token_hash: random::token_hash(&token),
            device_id: device_id.clone(),
            device_name,
            user_agent: client.user_agent.clone(),
            ip: client.ip.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + self.config.sessions.absolute_timeout_secs * SECOND,
            revoked_at: None,
            dispute_token_hash: None,
            longest_idle_ms: 0,
        };
        if let Some(h) = rehash {
            tx.set_password(&account.id, &h, None).await?;
        }
        if let Some(key) = clear_key {
            tx.clear_throttle(key).await?;
        }
        // The phone is in use (not recycled); written at most daily to keep logins cheap.
        if phone_login && account.phone_used_at.is_none_or(|t| now - t > DAY) {
            tx.touch_phone_used(&account.id, now).await?;
        }
        let new_device = tx
            .touch_device(&account.id, &device_id, &client.user_agent, now)
            .await?;
        let flags = self
            .login_flags(tx, &account.id, &origin, new_device, now)
            .await?;
        if !flags.is_empty() && self.config.login.notify_new_login {
            s.dispute_token_hash = Some(
                self.notify_new_login(tx, &account, client, &origin, now)
                    .await?,
            );
        }
        tx.insert_session(&s).await?;
        self.record_login(tx, &account.id, kind::LOGIN, client, &origin, &flags, now)
            .await?;
        crate::policy::audit_member(tx, &account.id, crate::policy::MEMBER_LOGIN, now).await?;
        Ok(NewSession {
            token,
            session_id: s.id,
            account_id: account.id,
            device_id,
            expires_at: s.expires_at,
        })
    }

    /// Resolves a bearer token, used from `ip`, to its live session, refreshing `last_seen_at`
    /// now and then.
    pub async fn authenticate(&self, token: &str, ip: &str) -> Result<Authenticated> {
        let now = now_ms();
        let hash = random::token_hash(token);
        // Every authenticated request runs this: one statement, no transaction around it.
        let mut tx = self.read_one().await?;
        let s = tx.session_by_token_hash(&hash).await?;
        tx.commit().await?;
        let s = s.ok_or(Error::Unauthenticated)?;
        let cfg = &self.config.sessions;
        let idle_end = s.last_seen_at + cfg.idle_timeout_secs * SECOND;
        if s.revoked_at.is_some() || now >= s.expires_at || now >= idle_end {
            return Err(Error::Unauthenticated);
        }
        if now - s.last_seen_at >= cfg.touch_interval_secs * SECOND {
            let mut tx = self.write().await?;
            tx.touch_session(&s.id, now).await?;
            tx.commit().await?;
        }
        Ok(Authenticated {
            longest_idle_ms: s.longest_idle_ms.max(now - s.last_seen_at),
            created_at: s.created_at,
            session_id: s.id,
            account_id: s.account_id,
            ip: ip.to_owned(),
        })
    }

    /// The account's live sessions, newest first.
    pub async fn sessions(&self, auth: &Authenticated) -> Result<Vec<Session>> {
        let now = now_ms();
        let idle = self.config.sessions.idle_timeout_secs * SECOND;
        let mut tx = self.read().await?;
        let mut list = tx.live_sessions(&auth.account_id, now).await?;
        tx.commit().await?;
        list.retain(|s| now < s.last_seen_at + idle);
        Ok(list)
    }

    /// Ends one session of the account (`DELETE /sessions/{id}` and `/sessions/current`).
    pub async fn revoke_session(
        &self,
        auth: &Authenticated,
        session_id: &str,
        client: &Client,
    ) -> Result<()> {
        let now = now_ms();
        let mut tx = self.write().await?;
        if !tx.revoke_session(&auth.account_id, session_id, now).await? {
            return Err(Error::NotFound);
        }
        let k = if session_id == auth.session_id {
            kind::LOGOUT
        } else {
            kind::SESSION_REVOKED
        };
        events::record(&mut tx, &auth.account_id, k, client, &[], now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// "Sign out everywhere else" (`DELETE /sessions`).
    pub async fn revoke_other_sessions(
        &self,
        auth: &Authenticated,
        client: &Client,
    ) -> Result<u64> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let n = tx
            .revoke_sessions(&auth.account_id, Some(&auth.session_id), now)
            .await?;
        if n > 0 {
            events::record(
                &mut tx,
                &auth.account_id,
                kind::SESSION_REVOKED,
                client,
                &[],
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    }
}
