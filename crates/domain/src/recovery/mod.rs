//! Self-service password recovery (SPEC §2): identifier → code → (second factor) → new password.
//!
//! Every answer before the code is verified is the same whether or not the identifier has an
//! account: a recovery for an unknown identifier has a decoy destination, sends nothing, and its
//! stored code hash matches no code. Sends are queued in the outbox, never awaited, so timing
//! does not tell either. A verified code yields a reset-only token that opens nothing else.

mod complete;
mod decoy;
mod verify;

pub use verify::ResetVerified;

use crate::app::{Client, Wangshang};
use crate::clock::{Millis, SECOND, now_ms};
use crate::error::{Error, Result};
use crate::identifier::{Channel, Destination};
use crate::random;
use crate::store::{Account, PasswordReset};
use crate::unit::Unit;
use crate::verification::{CodeSent, NewCode, Purpose};

/// The answer to starting or resending a recovery.
#[derive(Clone, Debug)]
pub struct ResetStarted {
    pub code: CodeSent,
    /// The other channels the user may switch to.
    pub alternatives: Vec<Channel>,
}

/// Every channel but `current`; offered whether or not the account has it, so the list says
/// nothing about the account.
fn alternatives(current: Channel) -> Vec<Channel> {
    [Channel::Sms, Channel::Email]
        .into_iter()
        .filter(|c| *c != current)
        .collect()
}

impl Wangshang {
    /// `POST /password-resets`.
    #[tracing::instrument(skip_all)]
    pub async fn start_reset(
        &self,
        identifier: &str,
        channel: Option<Channel>,
        client: &Client,
    ) -> Result<ResetStarted> {
        let ident = Destination::parse_identifier(identifier, &self.config.default_region)?;
        let channel = channel.unwrap_or(ident.channel());
        let now = now_ms();
        let mut tx = self.write().await?;
        let account = tx
            .account_by_destination(ident.channel(), ident.as_str())
            .await?;
        let target = self.reset_target(account.as_ref(), &ident, channel);
        let v = self
            .new_code(
                &mut tx,
                NewCode {
                    purpose: Purpose::PasswordReset,
                    channel,
                    destination: &target.destination,
                    account_id: account.as_ref().map(|a| a.id.as_str()),
                    attempts: 0,
                    locale: account.as_ref().map(|a| a.locale.as_str()),
                },
                client,
                now,
            )
            .await?;
        let reset = PasswordReset {
            id: random::id(),
            account_id: account.map(|a| a.id),
            identifier: ident.as_str().to_owned(),
            channel,
            verification_id: v.id.clone(),
            verified: Vec::new(),
            token_hash: None,
            token_expires_at: None,
            second_factor_required: false,
            second_factor_at: None,
            completed_at: None,
            created_at: now,
            expires_at: now + self.config.recovery.flow_ttl_secs * SECOND,
        };
        tx.insert_reset(&reset).await?;
        let mut code = self.code_sent(&mut tx, &v, target.masked, now).await?;
        tx.commit().await?;
        code.id = reset.id;
        Ok(ResetStarted {
            code,
            alternatives: alternatives(channel),
        })
    }

    /// `POST /password-resets/{id}/resend`: a new code on the same channel (the newest wins), or
    /// a switch to the other channel. Wrong attempts carry over either way.
    #[tracing::instrument(skip(self, client))]
    pub async fn resend_reset(
        &self,
        id: &str,
        channel: Option<Channel>,
        client: &Client,
    ) -> Result<ResetStarted> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let (mut reset, account) = self.open_reset(&mut tx, id, now).await?;
        if reset.token_hash.is_some() {
            // The code was verified already: nothing more to send.
            return Err(Error::CodeExpired);
        }
        let mut v = tx
            .verification(&reset.verification_id)
            .await?
            .ok_or(Error::ResetExpired)?;
        let ident = Destination::parse_identifier(&reset.identifier, &self.config.default_region)?;
        let channel = channel.unwrap_or(reset.channel);
        let target = self.reset_target(account.as_ref(), &ident, channel);
        if channel == reset.channel {
            self.renew_code(&mut tx, &mut v, client, now).await?;
        } else {
            if v.attempts >= self.config.codes.max_attempts {
                return Err(Error::CodeExpired);
            }
            v = self
                .new_code(
                    &mut tx,
                    NewCode {
                        purpose: Purpose::PasswordReset,
                        channel,
                        destination: &target.destination,
                        account_id: reset.account_id.as_deref(),
                        attempts: v.attempts,
                        locale: account.as_ref().map(|a| a.locale.as_str()),
                    },
                    client,
                    now,
                )
                .await?;
            reset.channel = channel;
            reset.verification_id = v.id.clone();
            tx.update_reset(&reset).await?;
        }
        let mut code = self.code_sent(&mut tx, &v, target.masked, now).await?;
        tx.commit().await?;
        code.id = reset.id;
        Ok(ResetStarted {
            code,
            alternatives: alternatives(channel),
        })
    }

    /// Loads a recovery that is still open, with its account.
    async fn open_reset(
        &self,
        tx: &mut Unit,
        id: &str,
        now: Millis,
    ) -> Result<(PasswordReset, Option<Account>)> {
        let reset = tx.reset(id).await?.ok_or(Error::NotFound)?;
        if reset.completed_at.is_some() || reset.expires_at <= now {
            return Err(Error::ResetExpired);
        }
        let account = match &reset.account_id {
            Some(a) => tx.account(a).await?,
            None => None,
        };
        Ok((reset, account))
    }
}
