//! An owner or admin asks a member to re-verify a bound phone or e-mail: a code goes to that
//! binding (never anywhere else), and the member enters it while signed in, which refreshes the
//! binding's verification time. Admins never rebind a login channel and never see the code or
//! the address in full; the request and its confirmation are lines of the enterprise's audit log
//! and security records of the member.

use super::audit;
use super::members::actor_and_target;
use crate::app::{Client, Wangshang};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::events;
use crate::identifier::{Channel, mask_stored};
use crate::sessions::Authenticated;
use crate::store::ReverifyRequest;
use crate::verification::{NewCode, Purpose};

/// Audit and security-record kinds.
pub const REQUESTED: &str = "org_member_reverify_requested";
pub const CONFIRMED: &str = "org_member_reverified";

/// A request just made: where the code went (masked) and until when it is good.
#[derive(Clone, Debug)]
pub struct ReverifySent {
    pub request_id: String,
    pub channel: Channel,
    pub masked: String,
    pub expires_at: crate::clock::Millis,
}

/// An open request as the member sees it.
#[derive(Clone, Debug)]
pub struct OpenReverify {
    pub request_id: String,
    pub org_name: String,
    pub channel: Channel,
    pub masked: String,
    pub requested_at: crate::clock::Millis,
    pub expires_at: crate::clock::Millis,
}

impl From<ReverifyRequest> for OpenReverify {
    fn from(r: ReverifyRequest) -> Self {
        Self {
            masked: mask_stored(r.channel, &r.destination),
            request_id: r.verification_id,
            org_name: r.org_name,
            channel: r.channel,
            requested_at: r.requested_at,
            expires_at: r.expires_at,
        }
    }
}

impl Wangshang {
    /// `POST /orgs/{id}/members/{account_id}/reverify {channel}` (owners and admins; only owners
    /// ask owners; not oneself). `409 channel_not_bound` when the member has no such binding.
    pub async fn request_reverify(
        &self,
        actor_id: &str,
        org_id: &str,
        member_id: &str,
        channel: Channel,
        client: &Client,
    ) -> Result<ReverifySent> {
        let now = now_ms();
        let mut tx = self.write().await?;
        actor_and_target(&mut tx, org_id, actor_id, member_id).await?;
        let account = tx.account(member_id).await?.ok_or(Error::NotFound)?;
        let destination = account
            .destination(channel)
            .ok_or(Error::Conflict {
                code: "channel_not_bound",
                detail: "The member has no such binding.",
            })?
            .to_owned();
        let v = self
            .new_code(
                &mut tx,
                NewCode {
                    purpose: Purpose::Reverify,
                    channel,
                    destination: &destination,
                    account_id: Some(member_id),
                    attempts: 0,
                    locale: Some(&account.locale),
                },
                client,
                now,
            )
            .await?;
        tx.insert_reverify(&v.id, org_id, member_id, actor_id, now)
            .await?;
        audit(&mut tx, org_id, actor_id, Some(member_id), REQUESTED, now).await?;
        let nobody = Client {
            ip: String::new(),
            user_agent: String::new(),
        };
        events::record(&mut tx, member_id, REQUESTED, &nobody, &[], now).await?;
        tx.commit().await?;
        Ok(ReverifySent {
            request_id: v.id,
            channel,
            masked: mask_stored(channel, &destination),
            expires_at: v.expires_at,
        })
    }

    /// The caller's open requests, newest first.
    pub async fn open_reverifies(&self, caller: &Authenticated) -> Result<Vec<OpenReverify>> {
        let mut tx = self.read().await?;
        let list = tx.open_reverifies(&caller.account_id, now_ms()).await?;
        tx.commit().await?;
        Ok(list.into_iter().map(OpenReverify::from).collect())
    }

    /// `POST /me/reverify/{request_id} {code}`: the member proves the binding is still theirs.
    /// Someone else's request is `404`; a binding changed since the request `409 binding_changed`.
    pub async fn confirm_reverify(
        &self,
        caller: &Authenticated,
        request_id: &str,
        code: &str,
        client: &Client,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let r = tx
            .reverify(request_id)
            .await?
            .filter(|r| r.account_id == caller.account_id)
            .ok_or(Error::NotFound)?;
        let (mut tx, v) = self
            .checked_code(tx, request_id, Purpose::Reverify, code)
            .await?;
        let now = now_ms();
        let account = tx
            .account(&caller.account_id)
            .await?
            .ok_or(Error::Unauthenticated)?;
        if account.destination(v.channel) != Some(v.destination.as_str()) {
            return Err(Error::Conflict {
                code: "binding_changed",
                detail: "This phone/e-mail is no longer bound to the account.",
            });
        }
        if !tx
            .consume_verification(&v.id, now, self.config.codes.max_attempts)
            .await?
        {
            return Err(Error::CodeExpired);
        }
        tx.set_binding(&account.id, v.channel, Some(&v.destination), Some(now))
            .await?;
        tx.confirm_reverify(request_id, now).await?;
        audit(
            &mut tx,
            &r.org_id,
            &account.id,
            Some(&account.id),
            CONFIRMED,
            now,
        )
        .await?;
        events::record(&mut tx, &account.id, CONFIRMED, client, &[], now).await?;
        tx.commit().await?;
        Ok(())
    }
}
