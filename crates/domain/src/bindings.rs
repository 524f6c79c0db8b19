//! Bindings (SPEC §3): the phone and e-mail of an account. Binding, changing or removing one
//! needs the current password and, for a new destination, its code. The old destination is told,
//! with single-use links to confirm the change or to cancel it within the hold period; until the
//! change is confirmed from there, recovery through the new destination waits (see
//! `recovery::verify`). A destination bound to another account gets a notice instead of a code, so
//! the answer never says it is taken.

use serde_json::{Value, json};

use crate::app::{Client, Wangshang};
use crate::clock::{HOUR, Millis, now_ms};
use crate::error::{Error, Result};
use crate::events::{self, kind};
use crate::identifier::{Channel, Destination, mask_stored};
use crate::messages::template;
use crate::outbox;
use crate::random;
use crate::sessions::Authenticated;
use crate::store::{Account, BindingChange, StoreError};
use crate::unit::Unit;
use crate::verification::{CodeSent, NewCode, Purpose};

/// One bound destination, masked.
#[derive(Clone, Debug)]
pub struct Binding {
    pub masked: String,
    pub verified_at: Option<Millis>,
}

/// `GET /me/bindings`.
#[derive(Clone, Debug)]
pub struct Bindings {
    pub phone: Option<Binding>,
    pub email: Option<Binding>,
}

fn bindings_of(a: &Account) -> Bindings {
    let one = |channel, value: &Option<String>, at| {
        value.as_deref().map(|v| Binding {
            masked: mask_stored(channel, v),
            verified_at: at,
        })
    };
    Bindings {
        phone: one(Channel::Sms, &a.phone, a.phone_verified_at),
        email: one(Channel::Email, &a.email, a.email_verified_at),
    }
}

/// A destination as a notice shows it: masked, or a dash for "none".
fn masked_or_dash(channel: Channel, value: Option<&str>) -> Value {
    value
        .map(|v| mask_stored(channel, v))
        .unwrap_or_else(|| "—".into())
        .into()
}

/// Which link of a binding-change notice was followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkAction {
    Confirm,
    Cancel,
}

impl Wangshang {
    /// `GET /me/bindings`.
    pub async fn bindings(&self, auth: &Authenticated) -> Result<Bindings> {
        Ok(bindings_of(&self.load_account(&auth.account_id).await?))
    }

    /// `POST /me/bindings/{phone|email}`: re-authenticates (password, and a second factor when
    /// the account has one), then sends a code to the new
    /// destination (or, when another account has it, a notice that matches no code).
    #[tracing::instrument(skip_all)]
    pub async fn start_binding(
        &self,
        auth: &Authenticated,
        channel: Channel,
        destination: &str,
        current_password: &str,
        factor: Option<(&str, &str)>,
        client: &Client,
    ) -> Result<CodeSent> {
        let dest = Destination::parse(channel, destination, &self.config.default_region)?;
        let account = self.load_account(&auth.account_id).await?;
        self.reauthenticate(&account, current_password).await?;
        let tx = self.write().await?;
        let mut tx = self.second_factor_gate(tx, &account, factor).await?;
        if account.destination(channel) == Some(dest.as_str()) {
            return Err(Error::InvalidRequest(
                "this is already the account's current phone/e-mail".into(),
            ));
        }
        let now = now_ms();
        let v = self
            .new_code(
                &mut tx,
                NewCode {
                    purpose: Purpose::Bind,
                    channel,
                    destination: dest.as_str(),
                    account_id: Some(&account.id),
                    attempts: 0,
                    locale: Some(&account.locale),
                },
                client,
                now,
            )
            .await?;
        let sent = self.code_sent(&mut tx, &v, dest.masked(), now).await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// `POST /me/bindings/{phone|email}/confirm`: the code of the new destination applies the
    /// change.
    #[tracing::instrument(skip(self, auth, code, client))]
    pub async fn confirm_binding(
        &self,
        auth: &Authenticated,
        channel: Channel,
        verification_id: &str,
        code: &str,
        client: &Client,
    ) -> Result<Bindings> {
        let mut tx = self.write().await?;
        let v = tx.verification(verification_id).await?;
        let mine = v.is_some_and(|v| {
            v.account_id.as_deref() == Some(auth.account_id.as_str()) && v.channel == channel
        });
        if !mine {
            return Err(Error::NotFound);
        }
        let (mut tx, v) = self
            .checked_code(tx, verification_id, Purpose::Bind, code)
            .await?;
        let now = now_ms();
        let account = tx
            .account(&auth.account_id)
            .await?
            .ok_or(Error::Unauthenticated)?;
        if !tx
            .consume_verification(&v.id, now, self.config.codes.max_attempts)
            .await?
        {
            return Err(Error::CodeExpired);
        }
        match tx
            .set_binding(&account.id, channel, Some(&v.destination), Some(now))
            .await
        {
            Ok(()) => {}
            // Bound to another account since the code was sent.
            Err(StoreError::Conflict(_)) => return Err(Error::DestinationUnavailable),
            Err(e) => return Err(e.into()),
        }
        let old = account.destination(channel).map(str::to_owned);
        self.record_change(
            &mut tx,
            &account,
            channel,
            old,
            Some(v.destination.clone()),
            client,
            now,
        )
        .await?;
        let mut params = Self::notice_params(client, now);
        params["new"] = mask_stored(channel, &v.destination).into();
        tx.enqueue(&outbox::message(
            channel,
            &v.destination,
            template::BINDING_ADDED,
            &account.locale,
            params,
            None,
        ))
        .await?;
        events::record(
            &mut tx,
            &account.id,
            kind::BINDING_CHANGED,
            client,
            &[channel.as_str()],
            now,
        )
        .await?;
        let updated = tx
            .account(&account.id)
            .await?
            .ok_or(Error::Unauthenticated)?;
        tx.commit().await?;
        Ok(bindings_of(&updated))
    }

    /// `DELETE /me/bindings/{phone|email}`: the last channel stays.
    #[tracing::instrument(skip_all)]
    pub async fn remove_binding(
        &self,
        auth: &Authenticated,
        channel: Channel,
        current_password: &str,
        factor: Option<(&str, &str)>,
        client: &Client,
    ) -> Result<()> {
        let account = self.load_account(&auth.account_id).await?;
        self.reauthenticate(&account, current_password).await?;
        let tx = self.write().await?;
        let mut tx = self.second_factor_gate(tx, &account, factor).await?;
        let Some(removed) = account.destination(channel).map(str::to_owned) else {
            return Err(Error::NotFound);
        };
        if account.destination(channel.other()).is_none() {
            return Err(Error::LastChannel);
        }
        let now = now_ms();
        tx.set_binding(&account.id, channel, None, None).await?;
        self.record_change(&mut tx, &account, channel, Some(removed), None, client, now)
            .await?;
        events::record(
            &mut tx,
            &account.id,
            kind::BINDING_REMOVED,
            client,
            &[channel.as_str()],
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes the change and tells the old destination (or, for a first binding, the other
    /// channel), with the links to confirm or cancel it.
    #[allow(clippy::too_many_arguments)] // the parts of one change; a struct would only rename them
    async fn record_change(
        &self,
        tx: &mut Unit,
        account: &Account,
        channel: Channel,
        old: Option<String>,
        new: Option<String>,
        client: &Client,
        now: Millis,
    ) -> Result<()> {
        let hold = self.config.recovery.binding_hold_hours;
        let (cancel, confirm) = (random::token(), random::token());
        let change = BindingChange {
            id: random::id(),
            account_id: account.id.clone(),
            channel,
            old_value: old.clone(),
            new_value: new.clone(),
            at: now,
            cancel_token_hash: Some(random::token_hash(&cancel)),
            confirm_token_hash: Some(random::token_hash(&confirm)),
            links_expire_at: now + hold * HOUR,
            cancelled_at: None,
            confirmed_at: None,
        };
        tx.insert_binding_change(&change).await?;
        let (to_channel, to) = match &old {
            Some(o) => (channel, o.clone()),
            None => match account.destination(channel.other()) {
                Some(d) => (channel.other(), d.to_owned()),
                None => return Ok(()),
            },
        };
        let base = self.config.public_url.trim_end_matches('/');
        let mut params = Self::notice_params(client, now);
        params["old"] = masked_or_dash(channel, old.as_deref());
        params["new"] = masked_or_dash(channel, new.as_deref());
        params["hours"] = json!(hold);
        params["cancel_url"] = format!("{base}/bindings/cancel?token={cancel}").into();
        params["confirm_url"] = format!("{base}/bindings/confirm?token={confirm}").into();
        tx.enqueue(&outbox::message(
            to_channel,
            &to,
            template::BINDING_CHANGED,
            &account.locale,
            params,
            None,
        ))
        .await?;
        Ok(())
    }

    /// `POST /bindings/confirm` and `/bindings/cancel`: the links of the notice to the old
    /// destination. Cancelling restores the old binding and signs out every session.
    #[tracing::instrument(skip_all)]
    pub async fn follow_binding_link(
        &self,
        action: LinkAction,
        token: &str,
        client: &Client,
    ) -> Result<()> {
        let hash = random::token_hash(token);
        let now = now_ms();
        let mut tx = self.write().await?;
        let change = tx
            .binding_change_by_token(&hash)
            .await?
            .ok_or(Error::LinkExpired)?;
        let expected = match action {
            LinkAction::Cancel => &change.cancel_token_hash,
            LinkAction::Confirm => &change.confirm_token_hash,
        };
        if expected.as_deref() != Some(hash.as_str()) || change.links_expire_at <= now {
            return Err(Error::LinkExpired);
        }
        if !tx
            .settle_binding_change(&change.id, action == LinkAction::Cancel, now)
            .await?
        {
            return Err(Error::LinkExpired);
        }
        let account = tx
            .account(&change.account_id)
            .await?
            .ok_or(Error::LinkExpired)?;
        if action == LinkAction::Confirm {
            events::record(
                &mut tx,
                &account.id,
                kind::BINDING_CONFIRMED,
                client,
                &[],
                now,
            )
            .await?;
            tx.commit().await?;
            return Ok(());
        }
        match tx
            .set_binding(
                &account.id,
                change.channel,
                change.old_value.as_deref(),
                Some(now),
            )
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Err(Error::DestinationUnavailable),
            Err(e) => return Err(e.into()),
        }
        tx.revoke_sessions(&account.id, None, now).await?;
        events::record(
            &mut tx,
            &account.id,
            kind::BINDING_CANCELLED,
            client,
            &[],
            now,
        )
        .await?;
        let restored = tx.account(&account.id).await?.ok_or(Error::LinkExpired)?;
        let mut params = Self::notice_params(client, change.at);
        params["old"] = masked_or_dash(change.channel, change.old_value.as_deref());
        params["new"] = masked_or_dash(change.channel, change.new_value.as_deref());
        outbox::notify_account(&mut tx, &restored, template::BINDING_CANCELLED, params).await?;
        tx.commit().await?;
        Ok(())
    }
}
