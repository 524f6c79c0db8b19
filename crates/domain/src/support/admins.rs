//! Enterprise admins (SPEC §4): the owners and admins of an enterprise see the open tickets
//! about its active members and confirm or deny knowing the person. Their answer is evidence
//! for the agent, never a decision.

use crate::app::{Client, Wangshang};
use crate::chat::role;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::store::{AdminAnswer, StoreError, Ticket};
use crate::support::{Answer, add_flag, audit, flag, status};
use crate::unit::Unit;

/// An open ticket about a member, as the enterprise's admin sees it.
#[derive(Clone, Debug)]
pub struct OrgRecoveryRequest {
    pub ticket_no: String,
    pub account_id: String,
    pub nickname: String,
    pub requester_ip: String,
    pub requester_network: Option<String>,
    pub requester_device: String,
    pub created_at: i64,
    /// The caller's answer, if given.
    pub answer: Option<String>,
}

impl Wangshang {
    /// Refuses callers who are not an active owner or admin of the enterprise.
    async fn require_org_admin(&self, tx: &mut Unit, account_id: &str, org_id: &str) -> Result<()> {
        let m = tx.org_member(org_id, account_id).await?;
        match m {
            None => Err(Error::NotFound),
            Some(m) if !role::manages(&m.role) => Err(Error::Forbidden("not_org_admin")),
            Some(_) => Ok(()),
        }
    }

    /// `GET /orgs/{id}/recovery-requests`.
    pub async fn org_recovery_requests(
        &self,
        account_id: &str,
        org_id: &str,
    ) -> Result<Vec<OrgRecoveryRequest>> {
        let mut tx = self.read().await?;
        self.require_org_admin(&mut tx, account_id, org_id).await?;
        let tickets = tx.open_tickets_of_org(org_id).await?;
        let mut out = Vec::new();
        for t in tickets {
            let Some(subject) = t.account_id.clone() else {
                continue;
            };
            if subject == account_id {
                continue;
            }
            let Some(a) = tx.account(&subject).await? else {
                continue;
            };
            let answer = tx
                .admin_answers(&t.id)
                .await?
                .into_iter()
                .find(|x| x.admin_id == account_id)
                .map(|x| x.answer);
            out.push(OrgRecoveryRequest {
                ticket_no: t.ticket_no,
                account_id: subject,
                nickname: a.nickname,
                requester_network: loginmeta::network_of(&t.ip),
                requester_device: loginmeta::describe(&t.user_agent).label,
                requester_ip: t.ip,
                created_at: t.created_at,
                answer,
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// `POST /orgs/{id}/recovery-requests/{ticket_no}`: once per admin and ticket.
    pub async fn answer_org_recovery(
        &self,
        account_id: &str,
        org_id: &str,
        ticket_no: &str,
        answer: Answer,
        client: &Client,
    ) -> Result<()> {
        let now = now_ms();
        let mut tx = self.write().await?;
        self.require_org_admin(&mut tx, account_id, org_id).await?;
        let mut t: Ticket = tx.ticket_by_no(ticket_no).await?.ok_or(Error::NotFound)?;
        let subject = t.account_id.clone().ok_or(Error::NotFound)?;
        // Only tickets about an active member of this enterprise.
        if tx.org_member(org_id, &subject).await?.is_none() {
            return Err(Error::NotFound);
        }
        if subject == account_id {
            return Err(Error::Forbidden("own_ticket"));
        }
        if !status::is_open(&t.status) {
            return Err(Error::Conflict {
                code: "ticket_closed",
                detail: "This recovery request is closed.",
            });
        }
        let row = AdminAnswer {
            ticket_id: t.id.clone(),
            admin_id: account_id.to_owned(),
            admin_nickname: String::new(),
            org_id: org_id.to_owned(),
            org_name: String::new(),
            subject_id: subject,
            answer: answer.as_str().to_owned(),
            at: now,
        };
        match tx.insert_admin_answer(&row).await {
            Err(StoreError::Conflict(_)) => {
                return Err(Error::Conflict {
                    code: "already_answered",
                    detail: "You answered this request already.",
                });
            }
            other => other?,
        }
        if answer == Answer::Deny {
            add_flag(&mut t, flag::ADMIN_DENIED);
            tx.update_ticket(&t).await?;
        }
        audit(
            &mut tx,
            &t.id,
            account_id,
            &format!("admin_{}", answer.as_str()),
            org_id,
            client,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
