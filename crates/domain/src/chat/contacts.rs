//! Contacts: colleagues (a shared enterprise) are contacts by themselves; external contacts by
//! request and accept; blocking either way stops requests and new conversations.

use super::conversations::reachable;
use crate::app::Wangshang;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::identifier::Destination;
use crate::random;
use crate::store::{Contact, ContactRequest};

/// What the requester learns: a request id when addressed by account id; nothing when
/// addressed by phone or e-mail, so that the answer does not reveal whether it is registered.
pub enum Requested {
    Sent(ContactRequest),
    Accepted,
}

impl Wangshang {
    pub async fn contacts(&self, account_id: &str) -> Result<Vec<Contact>> {
        let mut tx = self.read().await?;
        let blocked = tx.blocked(account_id).await?;
        Ok(tx
            .contacts(account_id)
            .await?
            .into_iter()
            .filter(|c| !blocked.contains(&c.account_id))
            .collect())
    }

    pub async fn incoming_contact_requests(
        &self,
        account_id: &str,
    ) -> Result<Vec<(ContactRequest, String)>> {
        let mut tx = self.read().await?;
        let mut out = Vec::new();
        for r in tx.incoming_contact_requests(account_id).await? {
            let nickname = tx
                .account(&r.from_id)
                .await?
                .map(|a| a.nickname)
                .unwrap_or_default();
            out.push((r, nickname));
        }
        Ok(out)
    }

    /// Asks another account (by id, or by phone/e-mail) to become an external contact.
    pub async fn request_contact(
        &self,
        account_id: &str,
        target_id: Option<&str>,
        identifier: Option<&str>,
    ) -> Result<Option<Requested>> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let (target, by_identifier) = match (target_id, identifier) {
            (Some(id), None) => (tx.account(id).await?.map(|a| a.id), false),
            (None, Some(raw)) => {
                let dest = Destination::parse_identifier(raw, &self.config.default_region)?;
                (
                    tx.account_by_destination(dest.channel(), dest.as_str())
                        .await?
                        .map(|a| a.id),
                    true,
                )
            }
            _ => {
                return Err(Error::InvalidRequest(
                    "give either account_id or identifier".into(),
                ));
            }
        };
        let Some(target) = target else {
            return if by_identifier {
                Ok(None)
            } else {
                Err(Error::NotFound)
            };
        };
        if target == account_id {
            return Err(Error::InvalidRequest("you cannot add yourself".into()));
        }
        let hide = |r: Requested| if by_identifier { None } else { Some(r) };
        if reachable(&mut tx, account_id, &target).await? {
            return Ok(hide(Requested::Accepted));
        }
        if let Some(r) = tx.contact_request_between(account_id, &target).await?
            && r.status == "pending"
        {
            if r.to_id == account_id {
                // They asked first: asking back accepts.
                tx.decide_contact_request(&r.id, "accepted", now).await?;
                tx.commit().await?;
                return Ok(hide(Requested::Accepted));
            }
            return Ok(hide(Requested::Sent(r)));
        }
        // A request to someone who blocked the caller is kept but never shown to them.
        let status = if tx.blocked_between(account_id, &target).await? {
            "ignored"
        } else {
            "pending"
        };
        let r = ContactRequest {
            id: random::id(),
            from_id: account_id.to_owned(),
            to_id: target,
            status: status.into(),
            created_at: now,
            decided_at: None,
        };
        tx.insert_contact_request(&r).await?;
        tx.commit().await?;
        Ok(hide(Requested::Sent(ContactRequest {
            status: "pending".into(),
            ..r
        })))
    }

    /// Accepts or declines a request addressed to the caller.
    pub async fn answer_contact_request(
        &self,
        account_id: &str,
        request_id: &str,
        accept: bool,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let r = tx
            .contact_request(request_id)
            .await?
            .filter(|r| r.to_id == account_id && r.status == "pending")
            .ok_or(Error::NotFound)?;
        let status = if accept { "accepted" } else { "declined" };
        tx.decide_contact_request(&r.id, status, now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn block(&self, account_id: &str, target_id: &str) -> Result<()> {
        if target_id == account_id {
            return Err(Error::InvalidRequest("you cannot block yourself".into()));
        }
        let mut tx = self.write().await?;
        tx.account(target_id).await?.ok_or(Error::NotFound)?;
        tx.block(account_id, target_id, now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn unblock(&self, account_id: &str, target_id: &str) -> Result<()> {
        let mut tx = self.write().await?;
        tx.unblock(account_id, target_id).await?;
        tx.commit().await?;
        Ok(())
    }
}
