//! The agents' side (role `support_agent`, stored in `support_agents`): the queue, a ticket with
//! its candidates and their evidence, picking the account, and the decision. An agent needs
//! two-factor authentication on (TOTP or a passkey) for every call; every call about a ticket
//! is written to its audit trail and as a security event of the agent. Nothing here reads or
//! writes a password: an approval only starts the waiting period.

use serde_json::json;

use crate::app::{Client, Wangshang};
use crate::clock::{Millis, SECOND, now_ms};
use crate::error::{Error, Result};
use crate::events;
use crate::identifier::Destination;
use crate::messages::template;
use crate::outbox;
use crate::random;
use crate::sessions::Authenticated;
use crate::store::{AdminAnswer, AuditEntry, Ticket, TicketReply, Vouch};
use crate::support::evidence::{Assessment, Claims, assess};
use crate::support::{audit, kind, status};
use crate::unit::Unit;

/// A candidate account with its evidence.
#[derive(Clone, Debug)]
pub struct CandidateView {
    pub account_id: String,
    pub nickname: String,
    pub reason: String,
    pub evidence: Assessment,
}

/// A ticket as the agent sees it.
#[derive(Clone, Debug)]
pub struct AgentTicket {
    pub ticket: Ticket,
    pub claims: Claims,
    pub masked_contact: String,
    pub candidates: Vec<CandidateView>,
    pub replies: Vec<TicketReply>,
    pub vouches: Vec<Vouch>,
    pub admin_answers: Vec<AdminAnswer>,
    pub audit: Vec<AuditEntry>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    NeedInfo,
}

impl Decision {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "approve" => Ok(Decision::Approve),
            "reject" => Ok(Decision::Reject),
            "need_info" => Ok(Decision::NeedInfo),
            _ => Err(Error::InvalidRequest(
                "decision must be \"approve\", \"reject\" or \"need_info\"".into(),
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
            Decision::NeedInfo => "need_info",
        }
    }
}

fn closed() -> Error {
    Error::Conflict {
        code: "ticket_closed",
        detail: "This ticket was decided already.",
    }
}

impl Wangshang {
    /// `wangshang admin agent add|remove`: `who` is an account id, a phone or an e-mail.
    pub async fn set_support_agent(&self, who: &str, on: bool) -> Result<String> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let account = match tx.account(who.trim()).await? {
            Some(a) => a,
            None => {
                let d = Destination::parse_identifier(who, &self.config.default_region)?;
                tx.account_by_destination(d.channel(), d.as_str())
                    .await?
                    .ok_or(Error::NotFound)?
            }
        };
        tx.set_agent(&account.id, on, now).await?;
        let k = if on {
            kind::AGENT_ADDED
        } else {
            kind::AGENT_REMOVED
        };
        let cli = Client {
            ip: "cli".into(),
            user_agent: "wangshang admin".into(),
        };
        events::record(&mut tx, &account.id, k, &cli, &[], now).await?;
        tx.commit().await?;
        Ok(account.id)
    }

    /// Refuses callers who are not agents, or agents without two-factor authentication.
    async fn require_agent(&self, tx: &mut Unit, auth: &Authenticated) -> Result<()> {
        let agent = tx.is_agent(&auth.account_id).await?;
        if !agent {
            return Err(Error::Forbidden("not_support_agent"));
        }
        if self.factor_methods(tx, &auth.account_id).await?.is_empty() {
            return Err(Error::Forbidden("agent_needs_2fa"));
        }
        Ok(())
    }

    /// Records an agent's action on a ticket: audit trail and the agent's security events.
    #[allow(clippy::too_many_arguments)] // the parts of one audit line
    async fn agent_audit(
        &self,
        tx: &mut Unit,
        auth: &Authenticated,
        ticket: &Ticket,
        event: &str,
        action: &str,
        detail: &str,
        client: &Client,
        now: Millis,
    ) -> Result<()> {
        audit(
            tx,
            &ticket.id,
            &auth.account_id,
            action,
            detail,
            client,
            now,
        )
        .await?;
        let tag = format!("ticket:{}", ticket.ticket_no);
        events::record(tx, &auth.account_id, event, client, &[tag.as_str()], now).await?;
        Ok(())
    }

    /// `GET /agent/tickets?status=`: oldest first.
    pub async fn agent_queue(
        &self,
        auth: &Authenticated,
        status_filter: Option<&str>,
    ) -> Result<Vec<Ticket>> {
        let mut tx = self.read().await?;
        self.require_agent(&mut tx, auth).await?;
        if let Some(s) = status_filter
            && ![
                status::OPEN,
                status::NEED_INFO,
                status::APPROVED,
                status::REJECTED,
                status::CANCELLED,
                status::COMPLETED,
            ]
            .contains(&s)
        {
            return Err(Error::InvalidRequest("unknown status".into()));
        }
        let list = tx.tickets(status_filter, 200).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// The full view of a ticket, read in the flow's unit.
    async fn agent_view(&self, tx: &mut Unit, ticket_no: &str) -> Result<AgentTicket> {
        let now = now_ms();
        let ticket = tx.ticket_by_no(ticket_no).await?.ok_or(Error::NotFound)?;
        let claims: Claims = serde_json::from_str(&ticket.claims).unwrap_or_default();
        let mut candidates = Vec::new();
        for c in tx.candidates(&ticket.id).await? {
            let (_, e) = self.gather_evidence(tx, &ticket, &claims, &c, now).await?;
            candidates.push(CandidateView {
                evidence: assess(&claims, &e, &self.config.support),
                account_id: c.account_id,
                nickname: c.nickname,
                reason: c.reason,
            });
        }
        // The picked account first.
        candidates.sort_by_key(|c| Some(&c.account_id) != ticket.account_id.as_ref());
        let view = AgentTicket {
            masked_contact: Self::masked_contact(&ticket),
            replies: tx.replies(&ticket.id).await?,
            vouches: tx.vouches_of_ticket(&ticket.id).await?,
            admin_answers: tx.admin_answers(&ticket.id).await?,
            audit: tx.audit(&ticket.id).await?,
            candidates,
            claims,
            ticket,
        };
        Ok(view)
    }

    /// `GET /agent/tickets/{no}` (audited).
    pub async fn agent_ticket(
        &self,
        auth: &Authenticated,
        ticket_no: &str,
        client: &Client,
    ) -> Result<AgentTicket> {
        let now = now_ms();
        let mut tx = self.write().await?;
        self.require_agent(&mut tx, auth).await?;
        let ticket = tx.ticket_by_no(ticket_no).await?.ok_or(Error::NotFound)?;
        self.agent_audit(
            &mut tx,
            auth,
            &ticket,
            kind::TICKET_VIEWED,
            "viewed",
            "",
            client,
            now,
        )
        .await?;
        let view = self.agent_view(&mut tx, ticket_no).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// `POST /agent/tickets/{no}/candidate`: the account the ticket is about; its trusted
    /// colleagues are asked to vouch.
    pub async fn pick_candidate(
        &self,
        auth: &Authenticated,
        ticket_no: &str,
        account_id: &str,
        client: &Client,
    ) -> Result<AgentTicket> {
        let mut tx = self.write().await?;
        self.require_agent(&mut tx, auth).await?;
        if account_id == auth.account_id {
            return Err(Error::Forbidden("own_ticket"));
        }
        let now = now_ms();
        let mut ticket = tx.ticket_by_no(ticket_no).await?.ok_or(Error::NotFound)?;
        if !status::is_open(&ticket.status) {
            return Err(closed());
        }
        let account = tx.account(account_id).await?.ok_or(Error::Rejected {
            code: "unknown_account",
            detail: "There is no account with this id.",
        })?;
        tx.add_candidate(&ticket.id, &account.id, "agent").await?;
        if ticket.account_id.as_deref() != Some(account.id.as_str()) {
            self.attach_account(&mut tx, &mut ticket, &account, now)
                .await?;
        }
        self.agent_audit(
            &mut tx,
            auth,
            &ticket,
            kind::CANDIDATE_PICKED,
            "picked_candidate",
            &account.id,
            client,
            now,
        )
        .await?;
        let view = self.agent_view(&mut tx, ticket_no).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// `POST /agent/tickets/{no}/decision`. `approve` starts the waiting period and tells every
    /// bound channel with a cancel link; `reject` ends the ticket ("could not be verified");
    /// `need_info` shows the note to the requester.
    pub async fn decide_ticket(
        &self,
        auth: &Authenticated,
        ticket_no: &str,
        decision: Decision,
        note: &str,
        client: &Client,
    ) -> Result<AgentTicket> {
        let note = crate::chat::parse_text(note, 2000, "note")?;
        let now = now_ms();
        let mut tx = self.write().await?;
        self.require_agent(&mut tx, auth).await?;
        let mut ticket = tx.ticket_by_no(ticket_no).await?.ok_or(Error::NotFound)?;
        if !status::is_open(&ticket.status) {
            return Err(closed());
        }
        if ticket.account_id.as_deref() == Some(auth.account_id.as_str()) {
            return Err(Error::Forbidden("own_ticket"));
        }
        ticket.decided_by = Some(auth.account_id.clone());
        ticket.decision_note = Some(note.clone());
        ticket.updated_at = now;
        match decision {
            Decision::Approve => {
                let account_id = ticket.account_id.clone().ok_or(Error::Conflict {
                    code: "no_account",
                    detail: "Pick the account the ticket is about first.",
                })?;
                let account = tx.account(&account_id).await?.ok_or(Error::NotFound)?;
                let answers = tx.admin_answers(&ticket.id).await?;
                crate::policy::support_approval_allowed(&mut tx, &account_id, &answers).await?;
                let wait = self.config.support.waiting_period_secs * SECOND;
                ticket.status = status::APPROVED.to_owned();
                ticket.message = None;
                ticket.wait_until = Some(now + wait);
                tx.update_ticket(&ticket).await?;
                let cancel_url = self.cancel_url(&mut tx, &ticket, now).await?;
                let requester = Client {
                    ip: ticket.ip.clone(),
                    user_agent: loginmeta::describe(&ticket.user_agent).label,
                };
                let mut params = Self::notice_params(&requester, now);
                params["ticket"] = json!(ticket.ticket_no);
                params["cancel_url"] = json!(cancel_url);
                // Rounded up: a shortened period (tests, a small desk) never reads "in 0 hours".
                params["hours"] = json!((self.config.support.waiting_period_secs + 3599) / 3600);
                outbox::notify_account(
                    &mut tx,
                    &account,
                    template::SUPPORT_RECOVERY_APPROVED,
                    params,
                )
                .await?;
                events::record(
                    &mut tx,
                    &account.id,
                    kind::RECOVERY_APPROVED,
                    &requester,
                    &[],
                    now,
                )
                .await?;
            }
            Decision::Reject => {
                ticket.status = status::REJECTED.to_owned();
                ticket.message = None;
                tx.update_ticket(&ticket).await?;
            }
            Decision::NeedInfo => {
                ticket.status = status::NEED_INFO.to_owned();
                ticket.message = Some(note.clone());
                tx.update_ticket(&ticket).await?;
                tx.insert_reply(
                    &ticket.id,
                    &TicketReply {
                        id: random::id(),
                        author: "agent".into(),
                        body: note.clone(),
                        at: now,
                    },
                )
                .await?;
            }
        }
        if let Some(channel) = crate::identifier::Channel::parse(&ticket.contact_channel) {
            let mut params = Self::notice_params(client, now);
            params["ticket"] = json!(ticket.ticket_no);
            params["status_url"] = json!(self.status_url(&ticket.ticket_no, None));
            tx.enqueue(&outbox::message(
                channel,
                &ticket.contact,
                template::SUPPORT_TICKET_DECIDED,
                &ticket.locale,
                params,
                None,
            ))
            .await?;
        }
        self.agent_audit(
            &mut tx,
            auth,
            &ticket,
            kind::TICKET_DECIDED,
            decision.as_str(),
            &note,
            client,
            now,
        )
        .await?;
        let view = self.agent_view(&mut tx, ticket_no).await?;
        tx.commit().await?;
        Ok(view)
    }
}
