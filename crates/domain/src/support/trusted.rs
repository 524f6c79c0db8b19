//! Trusted colleagues (SPEC §4): a member names 2–5 colleagues in advance; each change takes
//! effect after `trusted_activation_secs`. When a ticket gets its account, each active trusted
//! colleague is asked in-app (a vouch request and a `vouch.requested` stream event) to confirm or
//! deny, seeing who asks and from which network and device. A colleague helps at most
//! `vouch_limit` times per `vouch_window_days`: confirmations given (unless their ticket was
//! rejected or cancelled) and requests still open on open tickets count, and beyond the limit no
//! request is created. Denied requests and unanswered requests of closed tickets do not count, so
//! filing tickets cannot use up a colleague's help. A request unanswered past
//! `vouch_deadline_secs` counts as silence in the evidence.

use serde_json::json;

use crate::app::{Client, Wangshang};
use crate::chat::{self, Emit, kind as stream_kind};
use crate::clock::{DAY, Millis, SECOND, now_ms};
use crate::error::{Error, Result};
use crate::events;
use crate::messages::template;
use crate::outbox;
use crate::random;
use crate::sessions::Authenticated;
use crate::store::{Ticket, TrustedContact, Vouch};
use crate::support::{Answer, add_flag, audit, flag, kind, status};
use crate::unit::Unit;

pub const MIN_TRUSTED: usize = 2;
pub const MAX_TRUSTED: usize = 5;

/// Whether a trusted-list row counts at `now`.
pub fn is_active(t: &TrustedContact, now: Millis) -> bool {
    t.active_from <= now && t.active_until.is_none_or(|u| u > now)
}

/// A vouch's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VouchAnswer {
    Pending,
    Confirmed,
    Denied,
}

impl VouchAnswer {
    pub fn of(v: &Vouch) -> Self {
        match v.answer.as_deref() {
            Some("confirm") => VouchAnswer::Confirmed,
            Some(_) => VouchAnswer::Denied,
            None => VouchAnswer::Pending,
        }
    }
}

/// A vouch request as the colleague sees it: who asks, from where, with what.
#[derive(Clone, Debug)]
pub struct VouchRequest {
    pub id: String,
    /// The nickname of the account the requester claims.
    pub nickname: String,
    pub account_id: String,
    /// Empty (and no network) for "was it you?" ([`VouchRequest::own`]).
    pub requester_ip: String,
    pub requester_network: Option<String>,
    pub requester_device: String,
    pub created_at: Millis,
    pub answer: Option<String>,
    /// Whether the ticket still takes answers.
    pub open: bool,
    /// Asked of the account itself ("was it you?"), not of a colleague.
    pub own: bool,
}

fn vouch_request(v: Vouch) -> VouchRequest {
    let own = v.is_own();
    // "Was it you?" also goes to likely candidates that may be someone else's account: they
    // see the requester's device, not where they are (a colleague, asked by name, sees both).
    let (requester_ip, requester_network) = if own {
        (String::new(), None)
    } else {
        (
            v.requester_ip.clone(),
            loginmeta::network_of(&v.requester_ip),
        )
    };
    VouchRequest {
        open: status::is_open(&v.ticket_status),
        own,
        requester_network,
        requester_device: loginmeta::describe(&v.requester_user_agent).label,
        requester_ip,
        nickname: v.subject_nickname,
        account_id: v.subject_id,
        created_at: v.created_at,
        answer: v.answer,
        id: v.id,
    }
}

impl Wangshang {
    /// `GET /me/trusted-contacts`: pending, active and leaving rows.
    pub async fn trusted_contacts(&self, account_id: &str) -> Result<Vec<TrustedContact>> {
        let now = now_ms();
        let mut tx = self.read().await?;
        let list = tx.trusted_contacts(account_id).await?;
        tx.commit().await?;
        Ok(list
            .into_iter()
            .filter(|t| t.active_until.is_none_or(|u| u > now))
            .collect())
    }

    /// `PUT /me/trusted-contacts`: 2–5 colleagues (or none, to clear). New names count after
    /// the activation delay; removed names keep counting until the delay has passed, so a
    /// stolen session cannot swap the list at once. The owner's channels are told.
    pub async fn set_trusted_contacts(
        &self,
        auth: &Authenticated,
        account_ids: &[String],
        client: &Client,
    ) -> Result<Vec<TrustedContact>> {
        let mut wanted: Vec<&str> = account_ids.iter().map(|s| s.trim()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.len() != account_ids.len() {
            return Err(Error::InvalidRequest("account_ids has duplicates".into()));
        }
        if !wanted.is_empty() && !(MIN_TRUSTED..=MAX_TRUSTED).contains(&wanted.len()) {
            return Err(Error::Rejected {
                code: "trusted_contacts_count",
                detail: "Name 2 to 5 trusted colleagues (or none).",
            });
        }
        if wanted.contains(&auth.account_id.as_str()) {
            return Err(Error::Rejected {
                code: "not_a_colleague",
                detail: "You cannot be your own trusted colleague.",
            });
        }
        let now = now_ms();
        let delay = self.config.support.trusted_activation_secs * SECOND;
        let mut tx = self.write().await?;
        let account = tx
            .account(&auth.account_id)
            .await?
            .ok_or(Error::Unauthenticated)?;
        for id in &wanted {
            if !tx.colleagues(&auth.account_id, id).await? {
                return Err(Error::Rejected {
                    code: "not_a_colleague",
                    detail: "Each trusted contact must be a colleague in one of your enterprises.",
                });
            }
        }
        let current = tx.trusted_contacts(&auth.account_id).await?;
        let mut changed = false;
        for t in &current {
            let keep = wanted.contains(&t.contact_id.as_str());
            match (keep, t.active_until) {
                (_, Some(u)) if u <= now => {
                    tx.delete_trusted_contact(&auth.account_id, &t.contact_id)
                        .await?;
                }
                (false, None) => {
                    changed = true;
                    if t.active_from > now {
                        // Never active: drop it at once.
                        tx.delete_trusted_contact(&auth.account_id, &t.contact_id)
                            .await?;
                    } else {
                        tx.upsert_trusted_contact(
                            &auth.account_id,
                            &t.contact_id,
                            t.active_from,
                            Some(now + delay),
                        )
                        .await?;
                    }
                }
                (true, Some(_)) => {
                    // Named again while leaving: it stays.
                    changed = true;
                    tx.upsert_trusted_contact(&auth.account_id, &t.contact_id, t.active_from, None)
                        .await?;
                }
                _ => {}
            }
        }
        for id in &wanted {
            let known = current
                .iter()
                .any(|t| t.contact_id == *id && t.active_until.is_none_or(|u| u > now));
            if !known {
                changed = true;
                tx.upsert_trusted_contact(&auth.account_id, id, now + delay, None)
                    .await?;
            }
        }
        if changed {
            events::record(
                &mut tx,
                &account.id,
                kind::TRUSTED_CONTACTS_CHANGED,
                client,
                &[],
                now,
            )
            .await?;
            let mut params = Self::notice_params(client, now);
            params["hours"] = json!(self.config.support.trusted_activation_secs / 3600);
            outbox::notify_account(
                &mut tx,
                &account,
                template::TRUSTED_CONTACTS_CHANGED,
                params,
            )
            .await?;
        }
        let list = tx.trusted_contacts(&auth.account_id).await?;
        tx.commit().await?;
        Ok(list
            .into_iter()
            .filter(|t| t.active_until.is_none_or(|u| u > now))
            .collect())
    }

    /// Asks each active trusted colleague of the ticket's account to vouch, inside the caller's
    /// transaction (the unit pushes the requests to their sockets after commit).
    pub(crate) async fn request_vouches(
        &self,
        tx: &mut Unit,
        ticket: &Ticket,
        account_id: &str,
        nickname: &str,
        now: Millis,
    ) -> Result<()> {
        let cfg = &self.config.support;
        let since = now - cfg.vouch_window_days * DAY;
        self.ask_own_sessions(tx, ticket, account_id, nickname, now)
            .await?;
        for t in tx.trusted_contacts(account_id).await? {
            if !is_active(&t, now) {
                continue;
            }
            tx.lock_key(&format!("vouch:{}", t.contact_id)).await?;
            if tx.vouches_since(&t.contact_id, since).await? >= i64::from(cfg.vouch_limit) {
                continue;
            }
            self.ask_vouch(
                tx,
                ticket,
                (&t.contact_id, &t.nickname),
                (account_id, nickname),
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// Asks the account itself, when it is signed in somewhere, "did you ask support to
    /// recover this account?": the owner who forgot the password but is still signed in on a
    /// phone answers yes; the holder of an account someone else is trying to take answers no.
    /// Asked once per ticket and account (for each candidate of a ticket that names none by
    /// its phone or e-mail, and for the account picked later).
    pub(crate) async fn ask_own_sessions(
        &self,
        tx: &mut Unit,
        ticket: &Ticket,
        account_id: &str,
        nickname: &str,
        now: Millis,
    ) -> Result<()> {
        if tx.live_sessions(account_id, now).await?.is_empty() {
            return Ok(());
        }
        self.ask_vouch(
            tx,
            ticket,
            (account_id, nickname),
            (account_id, nickname),
            now,
        )
        .await
    }

    /// One request to `voucher` about `subject` (`(id, nickname)` each), pushed to the
    /// voucher's sockets after commit; nothing when it was asked already for this ticket.
    async fn ask_vouch(
        &self,
        tx: &mut Unit,
        ticket: &Ticket,
        (voucher_id, voucher_nickname): (&str, &str),
        (account_id, nickname): (&str, &str),
        now: Millis,
    ) -> Result<()> {
        let v = Vouch {
            id: random::id(),
            ticket_id: ticket.id.clone(),
            voucher_id: voucher_id.to_owned(),
            voucher_nickname: voucher_nickname.to_owned(),
            subject_id: account_id.to_owned(),
            subject_nickname: nickname.to_owned(),
            answer: None,
            created_at: now,
            answered_at: None,
            requester_ip: ticket.ip.clone(),
            requester_user_agent: ticket.user_agent.clone(),
            ticket_status: ticket.status.clone(),
        };
        if !tx.insert_vouch(&v).await? {
            return Ok(());
        }
        let r = vouch_request(v);
        let data = json!({
            "vouch_request_id": r.id,
            "own": r.own,
            "nickname": r.nickname,
            "requester_ip": r.requester_ip,
            "requester_network": r.requester_network,
            "requester_device": r.requester_device,
        });
        chat::emit(
            tx,
            &[voucher_id.to_owned()],
            Emit {
                kind: stream_kind::VOUCH_REQUESTED,
                conversation_id: None,
                message: None,
                data: Some(data),
            },
            now,
        )
        .await?;
        Ok(())
    }

    /// `GET /me/vouch-requests`, newest first.
    pub async fn vouch_requests(&self, account_id: &str) -> Result<Vec<VouchRequest>> {
        let mut tx = self.read().await?;
        let list = tx.vouches_for_voucher(account_id).await?;
        tx.commit().await?;
        Ok(list.into_iter().map(vouch_request).collect())
    }

    /// `POST /me/vouch-requests/{id}`: confirm or deny, once, while the ticket is open. A deny
    /// flags the ticket for the agent.
    pub async fn answer_vouch(
        &self,
        account_id: &str,
        id: &str,
        answer: Answer,
        client: &Client,
    ) -> Result<VouchRequest> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let v = tx
            .vouch(id)
            .await?
            .filter(|v| v.voucher_id == account_id)
            .ok_or(Error::NotFound)?;
        if !status::is_open(&v.ticket_status) {
            return Err(Error::Conflict {
                code: "ticket_closed",
                detail: "This recovery request is closed.",
            });
        }
        if !tx.answer_vouch(id, answer.as_str(), now).await? {
            return Err(Error::Conflict {
                code: "already_answered",
                detail: "You answered this request already.",
            });
        }
        let mut ticket = self.ticket_by_id(&mut tx, &v.ticket_id).await?;
        let own = v.is_own();
        // A candidate's own "not me" is evidence against that candidate only: the ticket is
        // flagged when the answer is about the account it is about.
        let about_it = ticket.account_id.as_deref() == Some(v.subject_id.as_str());
        if answer == Answer::Deny && (!own || about_it) {
            add_flag(
                &mut ticket,
                if own {
                    flag::OWNER_DENIED
                } else {
                    flag::COLLEAGUE_DENIED
                },
            );
            tx.update_ticket(&ticket).await?;
        }
        audit(
            &mut tx,
            &ticket.id,
            account_id,
            &format!(
                "{}_{}",
                if own { "owner" } else { "colleague" },
                answer.as_str()
            ),
            "",
            client,
            now,
        )
        .await?;
        // "Not me" about a ticket that named this account by its phone or e-mail stops it, as
        // the banner's cancel does: the account's holder says someone else is recovering it.
        // An account an agent picked by other claims may be the wrong one: its "not me" only
        // counts against it, and the agent can still pick another.
        if own && answer == Answer::Deny && about_it {
            let named = tx.candidates(&ticket.id).await?.iter().any(|c| {
                c.account_id == account_id && matches!(c.reason.as_str(), "phone" | "email")
            });
            if named {
                super::tickets::stop_ticket_in(&mut tx, &mut ticket, client, now).await?;
            }
        }
        let v = tx.vouch(id).await?.ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(vouch_request(v))
    }
}
