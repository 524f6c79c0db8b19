//! The end of an approved ticket: after the waiting period (with no cancel) the requester asks
//! for a one-time code at the proven contact (`POST /support/tickets/{no}/code`) and sets a new
//! password with it. In one transaction: the password (under the policy), every session
//! revoked, TOTP, recovery codes and passkeys removed (two-factor off), the proven contact bound
//! unless another account holds it, a security event and a notice to the old channels. The
//! trusted-colleague list is kept.

use crate::app::{Client, Wangshang};
use crate::clock::{Millis, now_ms};
use crate::credentials::throttle_keys;
use crate::error::{Error, Result};
use crate::events;
use crate::identifier::{Channel, mask_stored};
use crate::messages::template;
use crate::outbox;
use crate::random;
use crate::store::{BindingChange, Ticket};
use crate::support::{add_flag, audit, flag, kind, status};
use crate::verification::{CodeSent, NewCode, Purpose};

fn ready(t: &Ticket, now: Millis) -> Result<()> {
    if t.status != status::APPROVED {
        return Err(Error::Conflict {
            code: "ticket_closed",
            detail: "This request is not approved, or was cancelled or completed.",
        });
    }
    if t.wait_until.is_none_or(|w| w > now) {
        return Err(Error::Conflict {
            code: "waiting",
            detail: "The waiting period has not ended yet.",
        });
    }
    Ok(())
}

fn channel(t: &Ticket) -> Result<Channel> {
    Channel::parse(&t.contact_channel).ok_or_else(|| Error::Internal("ticket channel".into()))
}

impl Wangshang {
    /// `POST /support/tickets/{no}/code`: once the waiting period is over, a one-time code goes
    /// to the proven contact (send limits apply; a new one replaces the last).
    pub async fn send_ticket_code(
        &self,
        ticket_no: &str,
        token: &str,
        client: &Client,
    ) -> Result<CodeSent> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let mut t = self.requester_ticket(&mut tx, ticket_no, token).await?;
        ready(&t, now)?;
        let channel = channel(&t)?;
        let v = self
            .new_code(
                &mut tx,
                NewCode {
                    purpose: Purpose::SupportRecovery,
                    channel,
                    destination: &t.contact,
                    account_id: t.account_id.as_deref(),
                    attempts: 0,
                    locale: Some(&t.locale),
                },
                client,
                now,
            )
            .await?;
        t.code_verification_id = Some(v.id.clone());
        tx.update_ticket(&t).await?;
        let sent = self
            .code_sent(&mut tx, &v, mask_stored(channel, &t.contact), now)
            .await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// `POST /support/tickets/{no}/complete`.
    #[tracing::instrument(skip(self, token, code, new_password, client))]
    pub async fn complete_ticket(
        &self,
        ticket_no: &str,
        token: &str,
        code: &str,
        new_password: &str,
        client: &Client,
    ) -> Result<()> {
        let mut tx = self.read().await?;
        let t = self.requester_ticket(&mut tx, ticket_no, token).await?;
        let account = match &t.account_id {
            Some(a) => tx.account(a).await?,
            None => None,
        };
        tx.commit().await?;
        ready(&t, now_ms())?;
        let account = account.ok_or(Error::Conflict {
            code: "ticket_closed",
            detail: "This request is not approved.",
        })?;
        let vid = t.code_verification_id.clone().ok_or(Error::Conflict {
            code: "code_required",
            detail: "Ask for the code first.",
        })?;
        // Prepared outside the unit, so SQLite's single writer never waits out Argon2; the unit
        // re-checks the ticket (`complete_ticket` only moves an approved one).
        let hash = self.new_password_hash(&account, new_password).await?;
        let channel = channel(&t)?;
        let tx = self.write().await?;
        let (mut tx, v) = self
            .checked_code(tx, &vid, Purpose::SupportRecovery, code)
            .await?;
        let now = now_ms();
        if !tx
            .consume_verification(&v.id, now, self.config.codes.max_attempts)
            .await?
        {
            return Err(Error::CodeExpired);
        }
        if !tx.complete_ticket(&t.id, now).await? {
            return Err(Error::Conflict {
                code: "ticket_closed",
                detail: "This request was cancelled or completed.",
            });
        }
        tx.set_password(&account.id, &hash, Some(now)).await?;
        crate::policy::audit_member(&mut tx, &account.id, crate::policy::MEMBER_RECOVERED, now)
            .await?;
        tx.revoke_sessions(&account.id, None, now).await?;
        tx.delete_totp(&account.id).await?;
        tx.replace_recovery_codes(&account.id, &[], now).await?;
        for p in tx.passkeys(&account.id).await? {
            tx.delete_passkey(&account.id, &p.credential_id).await?;
        }
        for key in throttle_keys(&account) {
            tx.clear_throttle(&key).await?;
        }
        let mut flags = Vec::new();
        let old = account.destination(channel).map(str::to_owned);
        if old.as_deref() != Some(t.contact.as_str()) {
            let holder = tx.account_by_destination(channel, &t.contact).await?;
            if holder.is_some_and(|h| h.id != account.id) {
                // Never take a destination from another account: the requester binds another
                // one later through the ordinary binding flow.
                flags.push(flag::CONTACT_NOT_BOUND);
            } else {
                tx.set_binding(&account.id, channel, Some(&t.contact), Some(now))
                    .await?;
                tx.insert_binding_change(&BindingChange {
                    id: random::id(),
                    account_id: account.id.clone(),
                    channel,
                    old_value: old,
                    new_value: Some(t.contact.clone()),
                    at: now,
                    cancel_token_hash: None,
                    confirm_token_hash: None,
                    links_expire_at: now,
                    cancelled_at: None,
                    confirmed_at: Some(now),
                })
                .await?;
            }
        }
        if channel == Channel::Sms && !flags.contains(&flag::CONTACT_NOT_BOUND) {
            tx.touch_phone_used(&account.id, now).await?;
        }
        if !flags.is_empty() {
            let mut done = self.ticket_by_id(&mut tx, &t.id).await?;
            for f in &flags {
                add_flag(&mut done, f);
            }
            tx.update_ticket(&done).await?;
        }
        events::record(
            &mut tx,
            &account.id,
            kind::RECOVERY_COMPLETED,
            client,
            &flags,
            now,
        )
        .await?;
        audit(&mut tx, &t.id, "requester", "completed", "", client, now).await?;
        // Every channel bound before the recovery is told.
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
