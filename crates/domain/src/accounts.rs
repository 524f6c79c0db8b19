//! Accounts: registration after a proven destination, the profile, and password changes.

use serde_json::json;

use crate::app::{Client, Wangshang};
use crate::clock::{DAY, Millis, now_ms};
use crate::credentials::throttle_keys;
use crate::error::{Error, Result};
use crate::events::{self, kind};
use crate::identifier::{Channel, Email, Phone, mask_stored};
use crate::messages::template;
use crate::outbox;
use crate::password::{PolicyContext, policy};
use crate::random;
use crate::sessions::Authenticated;
use crate::store::{Account, StoreError};
use crate::verification::Purpose;

pub const NICKNAME_MAX: usize = 32;

/// A nickname: trimmed, 1–32 characters, no control characters.
pub fn parse_nickname(raw: &str) -> Result<String> {
    let n = raw.trim();
    if n.is_empty() {
        return Err(Error::InvalidNickname("empty"));
    }
    if n.chars().count() > NICKNAME_MAX {
        return Err(Error::InvalidNickname("too_long"));
    }
    if n.chars().any(char::is_control) {
        return Err(Error::InvalidNickname("control_characters"));
    }
    Ok(n.to_owned())
}

/// A client-chosen device id: 8–128 characters of `[A-Za-z0-9_-]`; a new one when none is given.
pub fn parse_device_id(raw: Option<&str>) -> Result<String> {
    match raw {
        None => Ok(random::id()),
        Some(d)
            if (8..=128).contains(&d.len())
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            Ok(d.to_owned())
        }
        Some(_) => Err(Error::InvalidRequest(
            "device_id must be 8–128 characters of A–Z, a–z, 0–9, - and _".into(),
        )),
    }
}

/// The policy context of an account (or of an account about to exist).
pub fn policy_context<'a>(
    phone: Option<&'a Phone>,
    email: Option<&'a Email>,
    nickname: &'a str,
) -> PolicyContext<'a> {
    PolicyContext {
        phone: phone.map(|p| (p.as_str(), p.national())),
        email_local: email.map(Email::local_part),
        nickname: Some(nickname),
    }
}

pub struct Registration<'a> {
    pub verification_id: &'a str,
    pub code: &'a str,
    pub nickname: &'a str,
    pub password: &'a str,
    pub device_id: Option<&'a str>,
}

pub struct Registered {
    pub account_id: String,
    pub nickname: String,
    pub device_id: String,
}

/// The profile of `GET /me`.
pub struct Profile {
    pub account: Account,
    pub masked_phone: Option<String>,
    pub masked_email: Option<String>,
    pub password_reminder_due: bool,
}

impl Wangshang {
    /// `POST /accounts`: creates the account once the code is right and the password acceptable.
    /// A wrong code costs an attempt; a weak password costs nothing and leaves the code usable.
    #[tracing::instrument(skip_all)]
    pub async fn register(&self, r: Registration<'_>, client: &Client) -> Result<Registered> {
        let nickname = parse_nickname(r.nickname)?;
        let password = self.password(r.password)?;
        let device_id = parse_device_id(r.device_id)?;
        // Hashed before the unit opens, so SQLite's single writer never waits out Argon2; a
        // wrong code or a weak password wastes this hash, as a failed login does.
        let hash = self.hasher.hash(&password).await?;
        let tx = self.write().await?;
        let (mut tx, v) = self
            .checked_code(tx, r.verification_id, Purpose::Register, r.code)
            .await?;
        let (phone, email) = match v.channel {
            Channel::Sms => (Some(Phone::from_e164(&v.destination)?), None),
            Channel::Email => (None, Some(Email::parse(&v.destination)?)),
        };
        let violations = policy::check(
            &password,
            &policy_context(phone.as_ref(), email.as_ref(), &nickname),
            &self.config.password,
        );
        if !violations.is_empty() {
            return Err(Error::WeakPassword(violations));
        }
        let now = now_ms();
        let phone_proven = phone.as_ref().map(|_| now);
        let account = Account {
            id: random::id(),
            nickname: nickname.clone(),
            phone_verified_at: phone_proven,
            email_verified_at: email.as_ref().map(|_| now),
            phone_used_at: phone_proven,
            time_zone: None,
            phone: phone.map(|p| p.as_str().to_owned()),
            email: email.map(|e| e.as_str().to_owned()),
            password_hash: hash,
            password_changed_at: now,
            locale: self.config.default_locale.clone(),
            created_at: now,
        };
        if !tx
            .consume_verification(&v.id, now, self.config.codes.max_attempts)
            .await?
        {
            return Err(Error::CodeExpired);
        }
        match tx.insert_account(&account).await {
            Ok(()) => {}
            // Taken since the code was sent: the same answer as any spent code.
            Err(StoreError::Conflict(_)) => return Err(Error::CodeExpired),
            Err(e) => return Err(e.into()),
        }
        tx.add_nickname_history(&account.id, &nickname, now).await?;
        tx.touch_device(&account.id, &device_id, &client.user_agent, now)
            .await?;
        // The network and place of registration are the account's first known ones.
        let origin = self.origin(client);
        self.login_flags(&mut tx, &account.id, &origin, false, now)
            .await?;
        self.record_login(
            &mut tx,
            &account.id,
            kind::REGISTERED,
            client,
            &origin,
            &[],
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Registered {
            account_id: account.id,
            nickname,
            device_id,
        })
    }

    pub(crate) async fn load_account(&self, id: &str) -> Result<Account> {
        let mut tx = self.read().await?;
        let a = tx.account(id).await?.ok_or(Error::Unauthenticated)?;
        tx.commit().await?;
        Ok(a)
    }

    /// The identifier the account logs in with (its phone, else its e-mail).
    pub async fn login_identifier(&self, account_id: &str) -> Result<String> {
        let a = self.load_account(account_id).await?;
        a.phone.or(a.email).ok_or(Error::NotFound)
    }

    /// `GET /me`.
    pub async fn profile(&self, auth: &Authenticated) -> Result<Profile> {
        let account = self.load_account(&auth.account_id).await?;
        let age = now_ms() - account.password_changed_at;
        Ok(Profile {
            masked_phone: account
                .phone
                .as_deref()
                .map(|p| mask_stored(Channel::Sms, p)),
            masked_email: account
                .email
                .as_deref()
                .map(|e| mask_stored(Channel::Email, e)),
            password_reminder_due: age > self.config.password.reminder_days * DAY,
            account,
        })
    }

    /// `PATCH /me {nickname}`: a new nickname. Every nickname is kept in the history with the
    /// time it was taken (the support desk matches former names); the change is a security
    /// event and the account's channels are told. The same nickname again changes nothing; more
    /// than `chat.nicknames_per_day` nicknames in 24 hours (the registration's included) answer
    /// `Throttled`.
    #[tracing::instrument(skip_all)]
    pub async fn change_nickname(
        &self,
        auth: &Authenticated,
        raw: &str,
        client: &Client,
    ) -> Result<Profile> {
        let nickname = parse_nickname(raw)?;
        let now = now_ms();
        let mut tx = self.write().await?;
        let account = tx
            .account(&auth.account_id)
            .await?
            .ok_or(Error::Unauthenticated)?;
        if account.nickname != nickname {
            let (taken, oldest) = tx.nicknames_since(&account.id, now - DAY).await?;
            if taken >= self.config.chat.nicknames_per_day {
                return Err(Error::Throttled {
                    retry_after: crate::clock::secs_until(now, oldest.unwrap_or(now) + DAY),
                });
            }
            tx.set_nickname(&account.id, &nickname).await?;
            tx.add_nickname_history(&account.id, &nickname, now).await?;
            events::record(
                &mut tx,
                &account.id,
                kind::NICKNAME_CHANGED,
                client,
                &[],
                now,
            )
            .await?;
            let mut params = Self::notice_params(client, now);
            params["old"] = json!(account.nickname);
            params["new"] = json!(nickname);
            outbox::notify_account(&mut tx, &account, template::NICKNAME_CHANGED, params).await?;
        }
        tx.commit().await?;
        self.profile(auth).await
    }

    /// `PATCH /me {time_zone}`: the IANA zone (`Asia/Shanghai`) the account's notices are written
    /// in; empty for UTC. A name the time-zone database does not know is refused.
    pub async fn set_time_zone(&self, auth: &Authenticated, raw: &str) -> Result<Profile> {
        let zone = match raw.trim() {
            "" => None,
            name => Some(crate::clock::time_zone_name(name).ok_or_else(|| {
                Error::InvalidRequest("time_zone must be an IANA time zone name".into())
            })?),
        };
        let mut tx = self.write().await?;
        tx.set_time_zone(&auth.account_id, zone.as_deref()).await?;
        tx.commit().await?;
        self.profile(auth).await
    }

    /// Parameters of every notice about an action: when, from which IP and device.
    pub(crate) fn notice_params(client: &Client, now: Millis) -> serde_json::Value {
        json!({"when": now, "ip": client.ip, "device": client.user_agent})
    }

    /// `PUT /me/password`: needs the current password; ends every other session.
    #[tracing::instrument(skip_all)]
    pub async fn change_password(
        &self,
        auth: &Authenticated,
        current: &str,
        new: &str,
        client: &Client,
    ) -> Result<()> {
        let account = self.load_account(&auth.account_id).await?;
        self.reauthenticate(&account, current).await?;
        let hash = self.new_password_hash(&account, new).await?;
        let now = now_ms();
        let mut tx = self.write().await?;
        tx.set_password(&account.id, &hash, Some(now)).await?;
        tx.revoke_sessions(&account.id, Some(&auth.session_id), now)
            .await?;
        for key in throttle_keys(&account) {
            tx.clear_throttle(&key).await?;
        }
        events::record(
            &mut tx,
            &account.id,
            kind::PASSWORD_CHANGED,
            client,
            &[],
            now,
        )
        .await?;
        outbox::notify_account(
            &mut tx,
            &account,
            template::PASSWORD_CHANGED,
            Self::notice_params(client, now),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
