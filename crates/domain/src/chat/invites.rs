//! Invitations to an enterprise by phone or e-mail, sent through the outbox. The link is a bearer
//! secret, and only the account bound to the invited phone or e-mail can accept it.

use serde_json::json;

use super::orgs::membership;
use super::role;
use crate::app::Wangshang;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::identifier::{Channel, Destination, mask_stored};
use crate::messages::template;
use crate::outbox;
use crate::random;
use crate::store::{Org, OrgInvite};

/// An invitation still waiting, as its enterprise's admins see it (the address masked).
pub struct Pending {
    pub invite_id: String,
    pub channel: String,
    pub masked_destination: String,
    pub invited_by: String,
    /// The inviter's nickname (empty once they left the enterprise's member list).
    pub inviter: String,
    pub created_at: i64,
    pub expires_at: i64,
}

pub struct InviteSent {
    pub invite_id: String,
    pub masked_destination: String,
    pub expires_at: i64,
}

impl Wangshang {
    /// Invites a phone or e-mail to the enterprise as a member (owners and admins).
    pub async fn invite_to_org(
        &self,
        account_id: &str,
        org_id: &str,
        destination: &str,
    ) -> Result<InviteSent> {
        let dest = Destination::parse_identifier(destination, &self.config.default_region)?;
        let now = now_ms();
        let hours = self.config.chat.invite_ttl_hours;
        let code = random::token();
        let mut tx = self.write().await?;
        let me = membership(&mut tx, org_id, account_id).await?;
        if !role::manages(&me.role) {
            return Err(Error::Forbidden("not_org_admin"));
        }
        let org = tx.org(org_id).await?.ok_or(Error::NotFound)?;
        // Oneself or a member already: an invitation would only confuse its receiver.
        if let Some(a) = tx
            .account_by_destination(dest.channel(), dest.as_str())
            .await?
            && tx
                .org_member(org_id, &a.id)
                .await?
                .is_some_and(|m| m.left_at.is_none())
        {
            return Err(Error::Conflict {
                code: "already_member",
                detail: "This phone/e-mail belongs to a member of the enterprise already.",
            });
        }
        let invite = OrgInvite {
            id: random::id(),
            code_hash: random::token_hash(&code),
            org_id: org_id.to_owned(),
            channel: dest.channel().as_str().to_owned(),
            destination: dest.as_str().to_owned(),
            role: role::MEMBER.into(),
            invited_by: account_id.to_owned(),
            created_at: now,
            expires_at: now + hours * 3_600_000,
            accepted_by: None,
            accepted_at: None,
        };
        tx.insert_invite(&invite).await?;
        let url = format!(
            "{}/invites/{code}",
            self.config.public_url.trim_end_matches('/')
        );
        tx.enqueue(&outbox::message(
            dest.channel(),
            dest.as_str(),
            template::ORG_INVITE,
            &self.config.default_locale,
            json!({"org": org.name, "inviter": me.nickname, "invite_url": url, "hours": hours}),
            Some(invite.expires_at),
        ))
        .await?;
        tx.commit().await?;
        Ok(InviteSent {
            invite_id: invite.id,
            masked_destination: dest.masked(),
            expires_at: invite.expires_at,
        })
    }

    /// The enterprise's invitations still waiting to be accepted (owners and admins).
    pub async fn pending_invites(&self, account_id: &str, org_id: &str) -> Result<Vec<Pending>> {
        let mut tx = self.read().await?;
        let me = membership(&mut tx, org_id, account_id).await?;
        if !role::manages(&me.role) {
            return Err(Error::Forbidden("not_org_admin"));
        }
        let invites = tx.pending_invites(org_id, now_ms()).await?;
        let members = tx.org_members(org_id).await?;
        Ok(invites
            .into_iter()
            .map(|i| {
                let inviter = members
                    .iter()
                    .find(|m| m.account_id == i.invited_by)
                    .map(|m| m.nickname.clone())
                    .unwrap_or_default();
                Pending {
                    masked_destination: Channel::parse(&i.channel)
                        .map(|c| mask_stored(c, &i.destination))
                        .unwrap_or_else(|| "***".into()),
                    channel: i.channel,
                    invited_by: i.invited_by,
                    inviter,
                    created_at: i.created_at,
                    expires_at: i.expires_at,
                    invite_id: i.id,
                }
            })
            .collect())
    }

    /// Withdraws a pending invitation (owners and admins): its link then answers as an expired
    /// one. An accepted, expired or unknown invitation is `NotFound`.
    pub async fn revoke_invite(
        &self,
        account_id: &str,
        org_id: &str,
        invite_id: &str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let me = membership(&mut tx, org_id, account_id).await?;
        if !role::manages(&me.role) {
            return Err(Error::Forbidden("not_org_admin"));
        }
        if !tx.revoke_invite(org_id, invite_id, now_ms()).await? {
            return Err(Error::NotFound);
        }
        tx.commit().await
    }

    /// The enterprise an invitation code is for, while it can still be accepted.
    pub async fn invite_org(&self, code: &str) -> Result<Org> {
        let mut tx = self.read().await?;
        let invite = live_invite(&mut tx, code).await?;
        tx.org(&invite.org_id).await?.ok_or(Error::LinkExpired)
    }

    /// Accepts an invitation: the account must have the invited phone or e-mail bound.
    pub async fn accept_invite(&self, account_id: &str, code: &str) -> Result<Org> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let invite = live_invite(&mut tx, code).await?;
        let account = tx
            .account(account_id)
            .await?
            .ok_or(Error::Unauthenticated)?;
        let bound = match invite.channel.as_str() {
            "sms" => account.phone.as_deref(),
            _ => account.email.as_deref(),
        };
        if bound != Some(invite.destination.as_str()) {
            return Err(Error::Forbidden("invite_for_someone_else"));
        }
        if !tx.accept_invite(&invite.id, account_id, now).await? {
            return Err(Error::LinkExpired);
        }
        if tx.org_member(&invite.org_id, account_id).await?.is_none() {
            tx.upsert_org_member(&invite.org_id, account_id, &invite.role, now)
                .await?;
        }
        let org = tx.org(&invite.org_id).await?.ok_or(Error::LinkExpired)?;
        tx.commit().await?;
        Ok(org)
    }
}

async fn live_invite(tx: &mut crate::unit::Unit, code: &str) -> Result<OrgInvite> {
    let invite = tx
        .invite_by_code_hash(&random::token_hash(code))
        .await?
        .ok_or(Error::LinkExpired)?;
    if invite.accepted_at.is_some() || invite.expires_at <= now_ms() {
        return Err(Error::LinkExpired);
    }
    Ok(invite)
}
