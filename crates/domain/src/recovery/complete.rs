//! The end of a recovery: the second factor when the account has one, then the new password.
//! On success every session ends, the brute-force counters are cleared, every bound channel is
//! told, and the user is not signed in.

use subtle::ConstantTimeEq;

use crate::app::{Client, Wangshang};
use crate::clock::now_ms;
use crate::credentials::throttle_keys;
use crate::error::{Error, Result};
use crate::events::{self, kind};
use crate::identifier::Channel;
use crate::messages::template;
use crate::mfa::{Answer, passkeys};
use crate::outbox;
use crate::random;
use crate::store::{Account, PasswordReset};
use crate::unit::Unit;

impl Wangshang {
    /// Loads an open recovery whose reset token is `token` and still valid, with its account.
    /// What the account's enterprises add to the password rules, for the page of a reset in
    /// progress (`None` when the token does not hold: the page then shows the server's rules).
    pub async fn reset_password_rules(
        &self,
        id: &str,
        token: &str,
    ) -> Option<crate::policy::StricterPassword> {
        let account = {
            let mut tx = self.read().await.ok()?;
            self.reset_by_token(&mut tx, id, token).await.ok()?.1
        };
        self.stricter_password_rules(&account.id).await.ok()
    }

    async fn reset_by_token(
        &self,
        tx: &mut Unit,
        id: &str,
        token: &str,
    ) -> Result<(PasswordReset, Account)> {
        let now = now_ms();
        let (reset, account) = self.open_reset(tx, id, now).await?;
        let presented = random::token_hash(token);
        let valid = reset.token_hash.as_deref().is_some_and(|h| {
            bool::from(h.as_bytes().ct_eq(presented.as_bytes()))
                && reset.token_expires_at.is_some_and(|e| e > now)
        });
        match (valid, account) {
            (true, Some(a)) => Ok((reset, a)),
            _ => Err(Error::ResetExpired),
        }
    }

    /// `POST /password-resets/{id}/second-factor`: returns a fresh reset token.
    #[tracing::instrument(skip(self, token, code, assertion))]
    pub async fn reset_second_factor(
        &self,
        id: &str,
        token: &str,
        method: &str,
        code: Option<&str>,
        assertion: Option<&serde_json::Value>,
    ) -> Result<String> {
        let mut tx = self.write().await?;
        let (mut reset, account) = self.reset_by_token(&mut tx, id, token).await?;
        let answer = match (code, assertion) {
            (Some(code), None) => Answer::Code(code),
            (None, Some(assertion)) => Answer::Assertion {
                ceremony: &reset.id,
                purpose: passkeys::RESET,
                assertion,
            },
            _ => {
                return Err(Error::InvalidRequest(
                    "give either `code` or `assertion`".into(),
                ));
            }
        };
        if !self.check_factor(&mut tx, &account, method, answer).await? {
            let max = self.config.codes.max_attempts;
            let counted = tx.count_reset_factor_failure(&reset.id, max).await?;
            // The failure is counted (and a passkey ceremony spent) although the step fails.
            return tx
                .commit_err(match counted {
                    Some(n) if n < max => Error::InvalidCode {
                        attempts_left: max - n,
                    },
                    _ => Error::ResetExpired,
                })
                .await;
        }
        let now = now_ms();
        let fresh = random::token();
        reset.token_hash = Some(random::token_hash(&fresh));
        reset.second_factor_at = Some(now);
        tx.update_reset(&reset).await?;
        tx.commit().await?;
        Ok(fresh)
    }

    /// `POST /password-resets/{id}/complete`.
    #[tracing::instrument(skip(self, token, new_password, client))]
    pub async fn complete_reset(
        &self,
        id: &str,
        token: &str,
        new_password: &str,
        client: &Client,
    ) -> Result<()> {
        // Prepared in a read-only unit, so that Argon2 never runs while SQLite's single writer
        // is held; the write unit then checks the token again before it applies anything.
        let account = {
            let mut tx = self.read().await?;
            let (reset, account) = self.reset_by_token(&mut tx, id, token).await?;
            if reset.second_factor_required && reset.second_factor_at.is_none() {
                return Err(Error::SecondFactorRequired {
                    methods: self.second_factor_methods(&mut tx, &account).await?,
                });
            }
            account
        };
        let hash = self.new_password_hash(&account, new_password).await?;
        let now = now_ms();
        let mut tx = self.write().await?;
        let (reset, account) = self.reset_by_token(&mut tx, id, token).await?;
        if reset.second_factor_required && reset.second_factor_at.is_none() {
            return Err(Error::ResetExpired);
        }
        if !tx.complete_reset(&reset.id, now).await? {
            return Err(Error::ResetExpired);
        }
        tx.set_password(&account.id, &hash, Some(now)).await?;
        tx.revoke_sessions(&account.id, None, now).await?;
        for key in throttle_keys(&account) {
            tx.clear_throttle(&key).await?;
        }
        if reset.verified.contains(&Channel::Sms) {
            tx.touch_phone_used(&account.id, now).await?;
        }
        events::record(&mut tx, &account.id, kind::PASSWORD_RESET, client, &[], now).await?;
        outbox::notify_account(
            &mut tx,
            &account,
            template::PASSWORD_RESET,
            Self::notice_params(client, now),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
