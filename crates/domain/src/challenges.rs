//! The second step of a login (`202` from `POST /sessions`): two-factor authentication
//! (`reason: "mfa"`), or for an account without it, a code to the first bound channel when the
//! device is new (`reason: "new_device"`). Five wrong answers kill a challenge; a correct password
//! followed by a failed second factor is recorded and the owner told.

use crate::app::{Client, Wangshang};
use crate::clock::{SECOND, now_ms};
use crate::credentials::throttle_keys;
use crate::error::{Error, Result};
use crate::events::{self, kind};
use crate::identifier::{Channel, mask_stored};
use crate::messages::template;
use crate::mfa::{Answer, method, passkeys};
use crate::outbox;
use crate::random;
use crate::sessions::{Granted, NewSession};
use crate::store::{Account, LoginChallenge};
use crate::unit::Unit;
use crate::verification::{CodeSent, NewCode, Purpose};

pub const MFA: &str = "mfa";
pub const NEW_DEVICE: &str = "new_device";

/// The `202` answer.
#[derive(Clone, Debug)]
pub struct ChallengeStarted {
    pub id: String,
    pub reason: &'static str,
    pub methods: Vec<String>,
    /// Where a new-device code went.
    pub masked_destination: Option<String>,
    pub expires_in: i64,
    /// Request options for the account's passkeys, when `webauthn` is a method.
    pub webauthn: Option<serde_json::Value>,
}

impl Wangshang {
    /// Starts the second step when one is needed; `None` when the session may open now.
    pub(crate) async fn second_step(
        &self,
        tx: &mut Unit,
        account: &Account,
        device_id: &str,
        device_name: Option<&str>,
        client: &Client,
    ) -> Result<Option<ChallengeStarted>> {
        let methods = self.second_factor_methods(tx, account).await?;
        if !methods.is_empty() {
            return self
                .new_challenge(tx, account, MFA, methods, device_id, device_name, client)
                .await
                .map(Some);
        }
        if !self.config.login.new_device_challenge {
            return Ok(None);
        }
        let seen_with = tx.known_device(&account.id, device_id).await?;
        // A device is its identifier plus the browser and system behind it: a copied device
        // cookie used from another kind of client counts as new. (Versions may change.)
        let same_kind = |a: &str, b: &str| {
            let (a, b) = (loginmeta::describe(a), loginmeta::describe(b));
            a.browser == b.browser && a.os == b.os
        };
        if seen_with.is_some_and(|ua| same_kind(&ua, &client.user_agent)) {
            return Ok(None);
        }
        self.new_challenge(
            tx,
            account,
            NEW_DEVICE,
            vec![account.first_channel().as_str().to_owned()],
            device_id,
            device_name,
            client,
        )
        .await
        .map(Some)
    }

    #[allow(clippy::too_many_arguments)] // the unit, then what the challenge is made of
    async fn new_challenge(
        &self,
        tx: &mut Unit,
        account: &Account,
        reason: &'static str,
        methods: Vec<String>,
        device_id: &str,
        device_name: Option<&str>,
        client: &Client,
    ) -> Result<ChallengeStarted> {
        let now = now_ms();
        let mut masked = None;
        let mut verification_id = None;
        if reason == NEW_DEVICE {
            let channel = account.first_channel();
            let destination = account.destination(channel).ok_or(Error::NotFound)?;
            let v = self
                .new_code(
                    tx,
                    NewCode {
                        purpose: Purpose::Login,
                        channel,
                        destination,
                        account_id: Some(&account.id),
                        attempts: 0,
                        locale: Some(&account.locale),
                    },
                    client,
                    now,
                )
                .await?;
            masked = Some(mask_stored(channel, destination));
            verification_id = Some(v.id);
        }
        let ttl = self.config.login.challenge_ttl_secs;
        let c = LoginChallenge {
            id: random::id(),
            account_id: account.id.clone(),
            reason: reason.to_owned(),
            methods: methods.clone(),
            verification_id,
            device_id: device_id.to_owned(),
            device_name: device_name.map(str::to_owned),
            webauthn_state: None,
            attempts: 0,
            created_at: now,
            expires_at: now + ttl * SECOND,
            completed_at: None,
        };
        tx.insert_challenge(&c).await?;
        let webauthn = if methods.iter().any(|m| m == method::WEBAUTHN) {
            self.passkey_options(tx, account, &c.id, passkeys::LOGIN)
                .await?
        } else {
            None
        };
        Ok(ChallengeStarted {
            id: c.id,
            reason,
            methods,
            masked_destination: masked,
            expires_in: ttl,
            webauthn,
        })
    }

    /// Loads a challenge that can still be answered, with its account.
    async fn open_challenge(&self, tx: &mut Unit, id: &str) -> Result<(LoginChallenge, Account)> {
        let c = tx.challenge(id).await?.ok_or(Error::NotFound)?;
        let account = tx.account(&c.account_id).await?.ok_or(Error::NotFound)?;
        if c.completed_at.is_some()
            || c.expires_at <= now_ms()
            || c.attempts >= self.config.login.challenge_max_attempts
        {
            return Err(Error::ChallengeExpired);
        }
        Ok((c, account))
    }

    /// Fresh passkey request options for a login challenge (the web page asks for them when the
    /// user picks the passkey).
    pub async fn challenge_passkey_options(&self, id: &str) -> Result<serde_json::Value> {
        let mut tx = self.write().await?;
        let (c, account) = self.open_challenge(&mut tx, id).await?;
        if !c.methods.iter().any(|m| m == method::WEBAUTHN) {
            return Err(Error::InvalidMethod);
        }
        let options = self
            .passkey_options(&mut tx, &account, &c.id, passkeys::LOGIN)
            .await?
            .ok_or(Error::PasskeysUnavailable)?;
        tx.commit().await?;
        Ok(options)
    }

    /// `POST /sessions/challenges/{id}` with a code (TOTP, recovery code, or the new-device
    /// code) or a passkey assertion.
    #[tracing::instrument(skip(self, code, assertion, client))]
    pub async fn complete_challenge(
        &self,
        id: &str,
        method: &str,
        code: Option<&str>,
        assertion: Option<&serde_json::Value>,
        client: &Client,
    ) -> Result<NewSession> {
        let mut tx = self.write().await?;
        let (c, account) = self.open_challenge(&mut tx, id).await?;
        if !c.methods.iter().any(|m| m == method) {
            return Err(Error::InvalidMethod);
        }
        let answer = match (code, assertion) {
            (Some(code), None) => Answer::Code(code),
            (None, Some(assertion)) => Answer::Assertion {
                ceremony: &c.id,
                purpose: passkeys::LOGIN,
                assertion,
            },
            _ => {
                return Err(Error::InvalidRequest(
                    "give either `code` or `assertion`".into(),
                ));
            }
        };
        let right = match (c.reason.as_str(), answer) {
            (NEW_DEVICE, Answer::Code(code)) => self.check_login_code(&mut tx, &c, code).await?,
            (NEW_DEVICE, _) => return Err(Error::InvalidMethod),
            _ => self.check_factor(&mut tx, &account, method, answer).await?,
        };
        match self
            .complete_challenge_with(&mut tx, c, account, right, client)
            .await
        {
            Ok(session) => {
                tx.commit().await?;
                Ok(session)
            }
            // A wrong answer counts (and what it spent stays spent).
            Err(e @ (Error::InvalidCode { .. } | Error::ChallengeExpired)) if !right => {
                tx.commit_err(e).await
            }
            Err(e) => Err(e),
        }
    }

    /// Finishes a challenge whose answer was checked: a wrong one counts (five kill it), a right
    /// one opens the session on the challenge's device.
    pub(crate) async fn complete_challenge_with(
        &self,
        tx: &mut Unit,
        c: LoginChallenge,
        account: Account,
        right: bool,
        client: &Client,
    ) -> Result<NewSession> {
        let max = self.config.login.challenge_max_attempts;
        let now = now_ms();
        if !right {
            let counted = tx.count_challenge_failure(&c.id, max).await?;
            if c.reason == MFA {
                events::record(
                    tx,
                    &account.id,
                    kind::SECOND_FACTOR_FAILED,
                    client,
                    &["failed"],
                    now,
                )
                .await?;
            }
            let dead = counted.is_none_or(|n| n >= max);
            if dead && c.reason == MFA {
                outbox::notify_account(
                    tx,
                    &account,
                    template::SECOND_FACTOR_FAILED,
                    Self::notice_params(client, now),
                )
                .await?;
            }
            return match counted {
                Some(n) if n < max => Err(Error::InvalidCode {
                    attempts_left: max - n,
                }),
                _ => Err(Error::ChallengeExpired),
            };
        }
        if !tx.complete_challenge(&c.id, now, max).await? {
            return Err(Error::ChallengeExpired);
        }
        if let Some(vid) = &c.verification_id {
            tx.consume_verification(vid, now, u32::MAX).await?;
        }
        for key in throttle_keys(&account) {
            tx.clear_throttle(&key).await?;
        }
        let granted = Granted {
            account,
            rehash: None,
            clear_key: None,
            phone_login: false,
        };
        self.open_session(tx, granted, c.device_id, c.device_name, client)
            .await
    }

    /// Whether `code` is the new-device code of the challenge (no attempt counted here).
    async fn check_login_code(
        &self,
        tx: &mut Unit,
        c: &LoginChallenge,
        code: &str,
    ) -> Result<bool> {
        let Some(vid) = &c.verification_id else {
            return Ok(false);
        };
        let v = tx.verification(vid).await?;
        Ok(v.is_some_and(|v| {
            v.consumed_at.is_none()
                && v.expires_at > now_ms()
                && self.code_matches(&v.id, code.trim(), &v.code_hash)
        }))
    }

    /// `POST /sessions/challenges/{id}/resend`: a new new-device code, on the same channel or
    /// switched to the account's other one.
    #[tracing::instrument(skip(self, client))]
    pub async fn resend_challenge(
        &self,
        id: &str,
        channel: Option<Channel>,
        client: &Client,
    ) -> Result<CodeSent> {
        let mut tx = self.write().await?;
        let (c, account) = self.open_challenge(&mut tx, id).await?;
        let Some(vid) = c.verification_id.clone() else {
            return Err(Error::InvalidMethod);
        };
        let now = now_ms();
        let mut v = tx
            .verification(&vid)
            .await?
            .ok_or(Error::ChallengeExpired)?;
        let channel = channel.unwrap_or(v.channel);
        if channel == v.channel {
            self.renew_code(&mut tx, &mut v, client, now).await?;
        } else {
            let destination = account.destination(channel).ok_or(Error::InvalidMethod)?;
            v = self
                .new_code(
                    &mut tx,
                    NewCode {
                        purpose: Purpose::Login,
                        channel,
                        destination,
                        account_id: Some(&account.id),
                        attempts: 0,
                        locale: Some(&account.locale),
                    },
                    client,
                    now,
                )
                .await?;
            tx.set_challenge_code(&c.id, &v.id, channel.as_str())
                .await?;
        }
        let masked = mask_stored(v.channel, &v.destination);
        let sent = self.code_sent(&mut tx, &v, masked, now).await?;
        tx.commit().await?;
        Ok(sent)
    }
}
