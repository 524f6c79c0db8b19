//! `POST /password-resets/{id}/verify`: a right code yields the reset-only token, unless the
//! channel is on hold after a recent binding change, or a long-unused phone needs the e-mail
//! code too (a carrier may have recycled the number).

use crate::app::{Client, Wangshang};
use crate::clock::{DAY, HOUR, Millis, SECOND, now_ms};
use crate::error::{Error, Result};
use crate::identifier::{Channel, mask_stored};
use crate::mfa::{method, passkeys};
use crate::random;
use crate::store::{Account, PasswordReset, Verification};
use crate::unit::Unit;
use crate::verification::{CodeSent, NewCode, Purpose};

/// What a right code leads to.
#[derive(Clone, Debug)]
pub enum ResetVerified {
    /// The reset-only token; `second_factor` lists the methods still required (empty: none).
    Token {
        reset_token: String,
        expires_in: i64,
        second_factor: Vec<String>,
        /// Request options for the account's passkeys, when `webauthn` is among them.
        webauthn: Option<serde_json::Value>,
    },
    /// The phone was unused for a long time: a code went to the account's e-mail as well.
    MoreEvidence(CodeSent),
}

impl Wangshang {
    /// `POST /password-resets/{id}/verify`.
    #[tracing::instrument(skip(self, code, client))]
    pub async fn verify_reset(
        &self,
        id: &str,
        code: &str,
        client: &Client,
    ) -> Result<ResetVerified> {
        // One unit from the code check to the passkey options: if any step fails, the code is
        // not used up and no token is stored, so the user simply tries again.
        let now = now_ms();
        let mut tx = self.write().await?;
        let (mut reset, account) = self.open_reset(&mut tx, id, now).await?;
        // Counts a wrong attempt (committed although the step fails); a decoy's hash matches no
        // code, so an unknown identifier ends here exactly like a wrong code.
        let (mut tx, v) = self
            .checked_code(tx, &reset.verification_id, Purpose::PasswordReset, code)
            .await?;
        let methods = match &v.account_id {
            Some(a) => self.factor_methods(&mut tx, a).await?,
            None => Vec::new(),
        };
        let account = account.ok_or(Error::CodeExpired)?;
        // The code must be the recovery's current one, and still go to a bound destination.
        if reset.verification_id != v.id || account.destination(v.channel) != Some(&v.destination) {
            return Err(Error::CodeExpired);
        }
        self.check_hold(&mut tx, &account, &v, now).await?;
        let recycled = v.channel == Channel::Sms
            && !reset.verified.contains(&Channel::Email)
            && self.phone_may_be_recycled(&account, now);
        if recycled && account.email.is_none() {
            return Err(Error::SupportRequired);
        }
        if !tx
            .consume_verification(&v.id, now, self.config.codes.max_attempts)
            .await?
        {
            return Err(Error::CodeExpired);
        }
        reset.verified.push(v.channel);
        let next = if recycled {
            Some(
                self.ask_email_code(&mut tx, &mut reset, &account, &v, client, now)
                    .await?,
            )
        } else {
            None
        };
        let answer = match &next {
            Some(_) => None,
            None => Some(self.issue_reset_token(&mut reset, methods, now)),
        };
        tx.update_reset(&reset).await?;
        let answer = match (answer, next) {
            (Some(a), _) => a,
            (None, Some(next)) => {
                let masked = mask_stored(Channel::Email, &next.destination);
                let mut sent = self.code_sent(&mut tx, &next, masked, now).await?;
                sent.id = reset.id.clone();
                ResetVerified::MoreEvidence(sent)
            }
            (None, None) => return Err(Error::Internal("no answer".into())),
        };
        let answer = match answer {
            ResetVerified::Token {
                reset_token,
                expires_in,
                second_factor,
                ..
            } if second_factor.iter().any(|m| m == method::WEBAUTHN) => ResetVerified::Token {
                webauthn: self
                    .passkey_options(&mut tx, &account, &reset.id, passkeys::RESET)
                    .await?,
                reset_token,
                expires_in,
                second_factor,
            },
            other => other,
        };
        tx.commit().await?;
        Ok(answer)
    }

    /// A destination bound recently, by a change not confirmed from the old destination, may not
    /// be used for recovery until the hold ends.
    async fn check_hold(
        &self,
        tx: &mut Unit,
        account: &Account,
        v: &Verification,
        now: Millis,
    ) -> Result<()> {
        let hold = self.config.recovery.binding_hold_hours * HOUR;
        let Some(change) = tx
            .binding_change_to(&account.id, &v.destination, now - hold)
            .await?
        else {
            return Ok(());
        };
        if change.confirmed_at.is_some() || change.cancelled_at.is_some() {
            return Ok(());
        }
        let other = v.channel.other();
        Err(Error::ChannelOnHold {
            until: change.at + hold,
            alternatives: account
                .destination(other)
                .map(|_| vec![other.as_str().to_owned()])
                .unwrap_or_default(),
        })
    }

    /// Whether the phone went unused for login and recovery so long that the carrier may have
    /// given the number to someone else.
    fn phone_may_be_recycled(&self, account: &Account, now: Millis) -> bool {
        let limit = self.config.recovery.recycled_phone_after_days * DAY;
        let used = account
            .phone_used_at
            .or(account.phone_verified_at)
            .unwrap_or(account.created_at);
        now - used > limit
    }

    /// Switches the recovery to the account's e-mail and queues a code there.
    async fn ask_email_code(
        &self,
        tx: &mut Unit,
        reset: &mut PasswordReset,
        account: &Account,
        v: &Verification,
        client: &Client,
        now: Millis,
    ) -> Result<Verification> {
        let email = account.email.as_deref().ok_or(Error::SupportRequired)?;
        let next = self
            .new_code(
                tx,
                NewCode {
                    purpose: Purpose::PasswordReset,
                    channel: Channel::Email,
                    destination: email,
                    account_id: Some(&account.id),
                    attempts: v.attempts,
                    locale: Some(&account.locale),
                },
                client,
                now,
            )
            .await?;
        reset.channel = Channel::Email;
        reset.verification_id = next.id.clone();
        Ok(next)
    }

    fn issue_reset_token(
        &self,
        reset: &mut PasswordReset,
        methods: Vec<String>,
        now: Millis,
    ) -> ResetVerified {
        let token = random::token();
        let ttl = self.config.recovery.reset_token_ttl_secs;
        reset.token_hash = Some(random::token_hash(&token));
        reset.token_expires_at = Some(now + ttl * SECOND);
        reset.second_factor_required = !methods.is_empty();
        ResetVerified::Token {
            reset_token: token,
            expires_in: ttl,
            second_factor: methods,
            webauthn: None,
        }
    }
}
