//! The requester's side: open a ticket from a proven contact, follow it with the status token,
//! answer a `need_info`, and (in [`super::finish`]) ask for the code and set a new password.
//! The account's channels may refuse a ticket or cancel an approval with their link.

use serde_json::json;

use crate::app::{Client, Wangshang};
use crate::chat::parse_text;
use crate::clock::{DAY, Millis, human, now_ms, secs_until};
use crate::error::{Error, Result};
use crate::identifier::{Channel, Email, Phone, mask_stored};
use crate::messages::template;
use crate::outbox;
use crate::random;
use crate::store::{Account, StoreError, Ticket, TicketReply};
use crate::support::evidence::org::{self, NameMatch};
use crate::support::evidence::{Claims, Similarity, date_range, similarity};
use crate::support::{add_flag, audit, flag, kind, status, token_matches};
use crate::unit::Unit;
use crate::verification::Purpose;

const MAX_ITEMS: usize = 10;
const MAX_CLAIM_CHARS: usize = 100;
const MAX_DESCRIPTION_CHARS: usize = 4000;
const MAX_CANDIDATES: usize = 10;
/// Candidates of a ticket that names no account by its phone or e-mail whose signed-in sessions
/// are asked "was it you?" at filing (the best found first).
const OWN_CHECKS: usize = 3;
/// Nicknames (current and former) read to find accounts by a claimed nickname.
const NICKNAME_SCAN: u32 = 200_000;
/// Accounts with a nickname like the claimed one whose enterprises and colleagues are checked.
const NAMED_CHECKS: usize = 200;

/// A ticket as the public form sends it.
#[derive(Clone, Debug)]
pub struct NewTicket {
    pub contact_verification_id: String,
    pub contact_code: String,
    pub claims: Claims,
    pub description: String,
    /// The device id of the browser or app filing it (the web client's long-lived cookie, an
    /// app's install id), when it has one: a device the account used is evidence.
    pub device_id: Option<String>,
    /// Answers to the security questions the requester set (without the questions): compared
    /// with the first candidates' at filing, never stored ([`super::answers`]).
    pub security_answers: Vec<String>,
}

/// What the requester keeps: the number and the private status token.
#[derive(Clone, Debug)]
pub struct TicketOpened {
    pub ticket_no: String,
    pub status_token: String,
}

/// What the status link shows: never account data, never which claims matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketStatus {
    pub ticket_no: String,
    pub status: String,
    pub updated_at: Millis,
    pub message: Option<String>,
    /// The end of the waiting period of an approved ticket (the web page shows when the
    /// requester may finish; the time is about the ticket, not the account).
    pub wait_until: Option<Millis>,
    /// Whether the one-time code of an approved ticket was asked for (the page then offers
    /// the code and new-password form).
    pub code_sent: bool,
}

/// Checks and normalises the claims: phone to E.164, e-mail lower-cased, lists and texts
/// bounded, the creation date readable, and at least one of them given.
pub fn parse_claims(raw: Claims, region: &str) -> Result<Claims> {
    let text = |s: &str, what: &str| parse_text(s, MAX_CLAIM_CHARS, what);
    let list = |v: &[String], what: &str| -> Result<Vec<String>> {
        if v.len() > MAX_ITEMS {
            return Err(Error::InvalidRequest(format!(
                "{what} may have at most {MAX_ITEMS} entries"
            )));
        }
        v.iter().map(|s| text(s, what)).collect()
    };
    let phone = match raw.phone.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => Some(Phone::parse(p, region)?.as_str().to_owned()),
        _ => None,
    };
    let email = match raw.email.as_deref().map(str::trim) {
        Some(e) if !e.is_empty() => Some(Email::parse(e)?.as_str().to_owned()),
        _ => None,
    };
    let created_around = match raw.created_around.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => {
            if date_range(c).is_none() {
                return Err(Error::Rejected {
                    code: "invalid_date",
                    detail: "created_around must be YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2024 or 2024-05.",
                });
            }
            Some(c.to_owned())
        }
        _ => None,
    };
    let claims = Claims {
        phone,
        email,
        nicknames: list(&raw.nicknames, "nicknames")?,
        enterprise: match raw.enterprise.as_deref().map(str::trim) {
            Some(e) if !e.is_empty() => Some(text(e, "enterprise")?),
            _ => None,
        },
        contacts: list(&raw.contacts, "contacts")?,
        devices: list(&raw.devices, "devices")?,
        places: list(&raw.places, "places")?,
        created_around,
    };
    // The description alone gives an agent nothing to check against the account.
    let claimed = claims.phone.is_some()
        || claims.email.is_some()
        || claims.enterprise.is_some()
        || claims.created_around.is_some()
        || !claims.nicknames.is_empty()
        || !claims.contacts.is_empty()
        || !claims.devices.is_empty()
        || !claims.places.is_empty();
    if !claimed {
        return Err(Error::Rejected {
            code: "no_claims",
            detail: "Say at least one thing about the account besides the description: a phone, an e-mail, a nickname, an enterprise, a contact, a device, a place or when it was created.",
        });
    }
    Ok(claims)
}

/// What the requester sees of a ticket. A refusal by the account's owner before any approval
/// reads like any rejection, so the requester never learns that the claims named an account.
pub fn requester_view(t: &Ticket, now: Millis) -> TicketStatus {
    let could_not_verify = "Your request could not be verified.".to_owned();
    let (status, message) = match t.status.as_str() {
        status::NEED_INFO => (status::NEED_INFO, t.message.clone()),
        status::REJECTED => (status::REJECTED, Some(could_not_verify)),
        status::CANCELLED if t.wait_until.is_none() => (status::REJECTED, Some(could_not_verify)),
        status::CANCELLED => (
            status::CANCELLED,
            Some("This recovery was cancelled from the account's phone or e-mail.".into()),
        ),
        status::APPROVED => match t.wait_until {
            Some(w) if w > now => (
                status::APPROVED,
                Some(format!(
                    "Approved. If nobody cancels it, you can set a new password after {}.",
                    human(w)
                )),
            ),
            _ => (
                status::APPROVED,
                Some("Approved: ask for a code at your contact and set a new password.".into()),
            ),
        },
        status::COMPLETED => (
            status::COMPLETED,
            Some("Done: sign in with your new password.".into()),
        ),
        _ => (status::OPEN, None),
    };
    TicketStatus {
        ticket_no: t.ticket_no.clone(),
        status: status.to_owned(),
        updated_at: t.updated_at,
        message,
        wait_until: (t.status == status::APPROVED)
            .then_some(t.wait_until)
            .flatten(),
        code_sent: t.status == status::APPROVED && t.code_verification_id.is_some(),
    }
}

/// A ticket number people can read out: `WS` and 10 digits.
fn ticket_no() -> String {
    format!("WS{}{}", random::digits(5), random::digits(5))
}

impl Wangshang {
    /// The status link of a ticket (with its token only in the first message).
    pub(crate) fn status_url(&self, ticket_no: &str, token: Option<&str>) -> String {
        let base = self.config.public_url.trim_end_matches('/');
        match token {
            Some(t) => format!("{base}/support/tickets/{ticket_no}?token={t}"),
            None => format!("{base}/support/tickets/{ticket_no}"),
        }
    }

    /// The "this was not me" link sent to the account's channels.
    pub(crate) async fn cancel_url(
        &self,
        tx: &mut Unit,
        ticket: &Ticket,
        now: Millis,
    ) -> Result<String> {
        let token = random::token();
        tx.insert_cancel_link(&random::token_hash(&token), &ticket.id, now)
            .await?;
        let base = self.config.public_url.trim_end_matches('/');
        Ok(format!(
            "{base}/support/cancel?ticket={}&token={token}",
            ticket.ticket_no
        ))
    }

    pub(crate) async fn ticket_by_id(&self, tx: &mut Unit, id: &str) -> Result<Ticket> {
        tx.ticket(id).await?.ok_or(Error::NotFound)
    }

    /// The ticket whose status token is `token`; `NotFound` for a wrong token exactly as for an
    /// unknown number.
    pub(crate) async fn requester_ticket(
        &self,
        tx: &mut Unit,
        ticket_no: &str,
        token: &str,
    ) -> Result<Ticket> {
        match tx.ticket_by_no(ticket_no.trim()).await? {
            Some(t) if token_matches(&t, token) => Ok(t),
            _ => Err(Error::NotFound),
        }
    }

    /// Refuses a new ticket over the per-IP or per-contact daily limit.
    async fn ticket_slot(
        &self,
        tx: &mut Unit,
        contact: &str,
        client: &Client,
        now: Millis,
    ) -> Result<()> {
        tx.lock_key(&format!("ticket-ip:{}", client.ip)).await?;
        tx.lock_key(&format!("ticket-contact:{contact}")).await?;
        let cfg = &self.config.support;
        let ((ip_n, ip_oldest), (c_n, c_oldest)) =
            tx.recent_tickets(&client.ip, contact, now - DAY).await?;
        let over = |oldest: Option<Millis>| Error::Throttled {
            retry_after: secs_until(now, oldest.unwrap_or(now) + DAY),
        };
        if c_n >= cfg.tickets_per_contact_day {
            return Err(over(c_oldest));
        }
        if ip_n >= cfg.tickets_per_ip_day {
            return Err(over(ip_oldest));
        }
        Ok(())
    }

    /// The accounts a ticket may be about, found from any strong claim: the phone or e-mail
    /// (bound now, or before), or a nickname (current or former, fuzzy) together with either
    /// the enterprise (any of its names, short forms, pinyin) or a colleague the account knows.
    async fn find_candidates(
        &self,
        tx: &mut Unit,
        claims: &Claims,
    ) -> Result<Vec<(Account, &'static str)>> {
        let mut found: Vec<(Account, &'static str)> = Vec::new();
        let by = [
            (Channel::Sms, claims.phone.as_deref(), "phone"),
            (Channel::Email, claims.email.as_deref(), "email"),
        ];
        for (channel, value, reason) in by {
            if let Some(v) = value
                && let Some(a) = tx.account_by_destination(channel, v).await?
                && !found.iter().any(|(f, _)| f.id == a.id)
            {
                found.push((a, reason));
            }
        }
        for v in [claims.phone.as_deref(), claims.email.as_deref()]
            .into_iter()
            .flatten()
        {
            for id in tx.accounts_bound_before(v).await? {
                if found.len() < MAX_CANDIDATES
                    && !found.iter().any(|(f, _)| f.id == id)
                    && let Some(a) = tx.account(&id).await?
                {
                    found.push((a, "former_binding"));
                }
            }
        }
        if claims.nicknames.is_empty() {
            return Ok(found);
        }
        let mut named: Vec<String> = Vec::new();
        for (id, nickname) in tx.all_nicknames(NICKNAME_SCAN).await? {
            if named.len() >= NAMED_CHECKS || named.contains(&id) {
                continue;
            }
            if claims
                .nicknames
                .iter()
                .any(|n| similarity(n, &nickname) > Similarity::None)
            {
                named.push(id);
            }
        }
        for id in named {
            if found.len() >= MAX_CANDIDATES {
                break;
            }
            if found.iter().any(|(f, _)| f.id == id) {
                continue;
            }
            let mut reason = None;
            if let Some(enterprise) = &claims.enterprise {
                for m in tx.memberships(&id).await? {
                    let names = tx.org_names(&m.org_id).await?;
                    if names
                        .iter()
                        .chain(std::iter::once(&m.org_name))
                        .any(|n| org::compare(enterprise, n) > NameMatch::None)
                    {
                        reason = Some("nickname");
                        break;
                    }
                }
            }
            if reason.is_none() && !claims.contacts.is_empty() {
                let people = tx.people(&id, 0).await?;
                let knows = claims.contacts.iter().any(|c| {
                    people.iter().any(|p| {
                        std::iter::once(&p.nickname)
                            .chain(p.former_nicknames.iter())
                            .any(|n| similarity(c, n) > Similarity::None)
                    })
                });
                if knows {
                    reason = Some("nickname_contacts");
                }
            }
            if let Some(r) = reason
                && let Some(a) = tx.account(&id).await?
            {
                found.push((a, r));
            }
        }
        Ok(found)
    }

    /// Sets the account a ticket is about and asks its trusted colleagues, inside the caller's
    /// transaction.
    pub(crate) async fn attach_account(
        &self,
        tx: &mut Unit,
        ticket: &mut Ticket,
        account: &Account,
        now: Millis,
    ) -> Result<()> {
        ticket.account_id = Some(account.id.clone());
        tx.update_ticket(ticket).await?;
        crate::policy::audit_member(tx, &account.id, crate::policy::MEMBER_SUPPORT_TICKET, now)
            .await?;
        self.request_vouches(tx, ticket, &account.id, &account.nickname, now)
            .await
    }

    /// `POST /support/tickets`: anyone, with a contact proved by a `support_contact` code.
    #[tracing::instrument(skip_all)]
    pub async fn open_ticket(&self, req: NewTicket, client: &Client) -> Result<TicketOpened> {
        let claims = parse_claims(req.claims, &self.config.default_region)?;
        let answers = super::answers::parse_answers(&req.security_answers)?;
        let device_id = match req.device_id.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() => Some(crate::accounts::parse_device_id(Some(d))?),
            _ => None,
        };
        let description = match req.description.trim() {
            "" => String::new(),
            d => parse_text(d, MAX_DESCRIPTION_CHARS, "description")?,
        };
        let tx = self.write().await?;
        let (mut tx, v) = self
            .checked_code(
                tx,
                &req.contact_verification_id,
                Purpose::SupportContact,
                &req.contact_code,
            )
            .await?;
        let now = now_ms();
        self.ticket_slot(&mut tx, &v.destination, client, now)
            .await?;
        if !tx
            .consume_verification(&v.id, now, self.config.codes.max_attempts)
            .await?
        {
            return Err(Error::CodeExpired);
        }
        let token = random::token();
        let mut ticket = Ticket {
            id: random::id(),
            ticket_no: ticket_no(),
            status_token_hash: random::token_hash(&token),
            contact_channel: v.channel.as_str().to_owned(),
            contact: v.destination.clone(),
            claims: serde_json::to_string(&claims).map_err(|e| Error::Internal(e.to_string()))?,
            description,
            locale: self.config.default_locale.clone(),
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            device_id,
            status: status::OPEN.to_owned(),
            message: None,
            account_id: None,
            flags: Vec::new(),
            decided_by: None,
            decision_note: None,
            wait_until: None,
            code_verification_id: None,
            created_at: now,
            updated_at: now,
            completed_at: None,
        };
        match tx.insert_ticket(&ticket).await {
            Err(StoreError::Conflict(_)) => {
                ticket.ticket_no = ticket_no();
                tx.insert_ticket(&ticket).await?;
            }
            other => other?,
        }
        let candidates = self.find_candidates(&mut tx, &claims).await?;
        for (a, reason) in &candidates {
            tx.add_candidate(&ticket.id, &a.id, reason).await?;
        }
        // One account named by its phone/e-mail: the ticket is about it; its channels are told
        // (never the proven contact itself, so the requester learns nothing from it).
        let named: Vec<&Account> = candidates
            .iter()
            .filter(|(_, r)| matches!(*r, "phone" | "email"))
            .map(|(a, _)| a)
            .collect();
        if let [account] = named.as_slice() {
            self.attach_account(&mut tx, &mut ticket, account, now)
                .await?;
            let cancel_url = self.cancel_url(&mut tx, &ticket, now).await?;
            let mut owner = (*account).clone();
            if owner.phone.as_deref() == Some(&ticket.contact) {
                owner.phone = None;
            }
            if owner.email.as_deref() == Some(&ticket.contact) {
                owner.email = None;
            }
            let mut params = Self::notice_params(client, now);
            params["ticket"] = json!(ticket.ticket_no);
            params["status_url"] = json!(cancel_url);
            outbox::notify_account(
                &mut tx,
                &owner,
                template::SUPPORT_TICKET_FILED_FOR_YOU,
                params,
            )
            .await?;
        } else {
            // No account named by its phone or e-mail: each likely candidate's own signed-in
            // sessions are asked "was it you?" (the owner says yes; another account's holder no).
            for (a, _) in candidates.iter().take(OWN_CHECKS) {
                self.ask_own_sessions(&mut tx, &ticket, &a.id, &a.nickname, now)
                    .await?;
            }
        }
        let mut params = Self::notice_params(client, now);
        params["ticket"] = json!(ticket.ticket_no);
        params["status_url"] = json!(self.status_url(&ticket.ticket_no, Some(&token)));
        tx.enqueue(&outbox::message(
            v.channel,
            &ticket.contact,
            template::SUPPORT_TICKET_OPENED,
            &ticket.locale,
            params,
            None,
        ))
        .await?;
        audit(&mut tx, &ticket.id, "requester", "opened", "", client, now).await?;
        tx.commit().await?;
        // After the ticket's unit, so that only the request that used the code hashes; and after
        // the response, so that its time says nothing of the answers.
        self.check_ticket_answers_later(
            ticket.id.clone(),
            candidates.into_iter().map(|(a, _)| a).collect(),
            answers,
        );
        Ok(TicketOpened {
            ticket_no: ticket.ticket_no,
            status_token: token,
        })
    }

    /// Step 1 of the web form: whether `code` is right for the `support_contact` verification
    /// `id`, without using it up (the ticket consumes it). Wrong answers count as usual.
    pub async fn check_support_contact(&self, id: &str, code: &str) -> Result<()> {
        let tx = self.write().await?;
        let (tx, _) = self
            .checked_code(tx, id, Purpose::SupportContact, code)
            .await?;
        // Nothing else was written: the check's unit ends here.
        drop(tx);
        Ok(())
    }

    /// Whether the account holds the role `support_agent` (the web console's nav link).
    pub async fn is_support_agent(&self, account_id: &str) -> Result<bool> {
        let mut tx = self.read().await?;
        let agent = tx.is_agent(account_id).await?;
        tx.commit().await?;
        Ok(agent)
    }

    /// `GET /support/tickets/{no}?token=`.
    pub async fn ticket_status(&self, ticket_no: &str, token: &str) -> Result<TicketStatus> {
        let mut tx = self.read().await?;
        let t = self.requester_ticket(&mut tx, ticket_no, token).await?;
        tx.commit().await?;
        Ok(requester_view(&t, now_ms()))
    }

    /// `POST /support/tickets/{no}/replies`: the requester adds information (answering a
    /// `need_info`, which puts the ticket back in the queue).
    pub async fn reply_to_ticket(
        &self,
        ticket_no: &str,
        token: &str,
        text: &str,
        client: &Client,
    ) -> Result<TicketStatus> {
        let body = parse_text(text, MAX_DESCRIPTION_CHARS, "text")?;
        let now = now_ms();
        let mut tx = self.write().await?;
        let mut t = self.requester_ticket(&mut tx, ticket_no, token).await?;
        if !status::is_open(&t.status) {
            return Err(Error::Conflict {
                code: "ticket_closed",
                detail: "This request is closed.",
            });
        }
        tx.insert_reply(
            &t.id,
            &TicketReply {
                id: random::id(),
                author: "requester".into(),
                body,
                at: now,
            },
        )
        .await?;
        t.status = status::OPEN.to_owned();
        t.message = None;
        t.updated_at = now;
        tx.update_ticket(&t).await?;
        audit(&mut tx, &t.id, "requester", "replied", "", client, now).await?;
        tx.commit().await?;
        Ok(requester_view(&t, now))
    }

    /// `POST /support/tickets/{no}/cancel`: the link sent to the account's channels. It stops
    /// the ticket for good (before or after approval), flags it and tells the agent.
    pub async fn cancel_ticket(
        &self,
        ticket_no: &str,
        cancel_token: &str,
        client: &Client,
    ) -> Result<()> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let id = tx
            .cancel_link(&random::token_hash(cancel_token.trim()))
            .await?
            .ok_or(Error::LinkExpired)?;
        let t = self.ticket_by_id(&mut tx, &id).await?;
        if t.ticket_no != ticket_no.trim() {
            return Err(Error::LinkExpired);
        }
        if t.status == status::CANCELLED {
            return Ok(());
        }
        if !(status::is_open(&t.status) || t.status == status::APPROVED) {
            return Err(Error::LinkExpired);
        }
        self.stop_ticket(tx, t, client, now).await
    }

    /// The ticket numbers of recoveries of the account that its signed-in owner can still stop
    /// (the web client shows them in a banner with a cancel button).
    pub async fn tickets_about(&self, account_id: &str) -> Result<Vec<String>> {
        let mut tx = self.read().await?;
        let list = tx.live_tickets_of_account(account_id).await?;
        Ok(list.into_iter().map(|t| t.ticket_no).collect())
    }

    /// The signed-in owner stops a recovery of their own account, as with the link sent to the
    /// account's channels. A ticket about another account is `not_found`.
    pub async fn cancel_own_ticket(
        &self,
        account_id: &str,
        ticket_no: &str,
        client: &Client,
    ) -> Result<()> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let t = tx
            .ticket_by_no(ticket_no.trim())
            .await?
            .filter(|t| t.account_id.as_deref() == Some(account_id))
            .ok_or(Error::NotFound)?;
        if t.status == status::CANCELLED {
            return Ok(());
        }
        if !(status::is_open(&t.status) || t.status == status::APPROVED) {
            return Err(Error::Conflict {
                code: "ticket_closed",
                detail: "The ticket was decided, cancelled or completed already.",
            });
        }
        self.stop_ticket(tx, t, client, now).await
    }

    /// Cancels a ticket for good, flags it, tells the agent (audit) and records it on the account.
    async fn stop_ticket(
        &self,
        mut tx: Unit,
        mut t: Ticket,
        client: &Client,
        now: Millis,
    ) -> Result<()> {
        stop_ticket_in(&mut tx, &mut t, client, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The proven contact, masked, as the agent sees it.
    pub(crate) fn masked_contact(t: &Ticket) -> String {
        Channel::parse(&t.contact_channel)
            .map(|c| mask_stored(c, &t.contact))
            .unwrap_or_default()
    }
}

/// Cancels a ticket for good inside the caller's unit: flags it, tells the agent (audit) and
/// records it on the account.
pub(crate) async fn stop_ticket_in(
    tx: &mut Unit,
    t: &mut Ticket,
    client: &Client,
    now: Millis,
) -> Result<()> {
    t.status = status::CANCELLED.to_owned();
    t.updated_at = now;
    add_flag(t, flag::CANCELLED_BY_OWNER);
    tx.update_ticket(t).await?;
    audit(tx, &t.id, "owner", "cancelled_by_owner", "", client, now).await?;
    if let Some(a) = &t.account_id {
        crate::events::record(tx, a, kind::RECOVERY_CANCELLED, client, &[], now).await?;
    }
    Ok(())
}
