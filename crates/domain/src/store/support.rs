//! The support desk's rows and repository: tickets, candidates, replies, audit, cancel links,
//! agents, trusted colleagues, vouches and enterprise-admin answers; and the account history the
//! evidence is scored against.

use async_trait::async_trait;

use super::StoreResult;
use crate::clock::Millis;

/// A recovery ticket (SPEC §4).
#[derive(Clone, Debug)]
pub struct Ticket {
    pub id: String,
    pub ticket_no: String,
    pub status_token_hash: String,
    /// `sms` or `email`: the proven contact.
    pub contact_channel: String,
    pub contact: String,
    /// The claims as JSON.
    pub claims: String,
    pub description: String,
    pub locale: String,
    pub ip: String,
    pub user_agent: String,
    /// The device id it was filed with (the web client's cookie, an app's install id).
    pub device_id: Option<String>,
    /// `open`, `need_info`, `approved`, `rejected`, `cancelled`, `completed`.
    pub status: String,
    /// What the requester is told (the agent's note of a `need_info`).
    pub message: Option<String>,
    pub account_id: Option<String>,
    pub flags: Vec<String>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    /// The end of the waiting period of an approved ticket.
    pub wait_until: Option<Millis>,
    pub code_verification_id: Option<String>,
    pub created_at: Millis,
    /// The last change the requester can see.
    pub updated_at: Millis,
    pub completed_at: Option<Millis>,
}

#[derive(Clone, Debug)]
pub struct Candidate {
    pub account_id: String,
    pub nickname: String,
    /// `phone`, `email`, `nickname` or `agent`.
    pub reason: String,
    /// Security answers of the ticket compared with this account's questions at filing (0: none
    /// given, or the account has none), and how many of its questions they answered right.
    pub answers_given: i64,
    pub answers_right: i64,
}

#[derive(Clone, Debug)]
pub struct TicketReply {
    pub id: String,
    /// `requester` or `agent`.
    pub author: String,
    pub body: String,
    pub at: Millis,
}

#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub id: String,
    pub ticket_id: String,
    /// An account id, `requester` or `owner`.
    pub actor: String,
    /// The actor account's nickname now, when the actor is an account (read only: filled by
    /// the store when it reads the trail, not written).
    pub actor_nickname: Option<String>,
    pub action: String,
    pub detail: String,
    pub ip: String,
    pub at: Millis,
}

#[derive(Clone, Debug)]
pub struct TrustedContact {
    pub contact_id: String,
    pub nickname: String,
    pub active_from: Millis,
    pub active_until: Option<Millis>,
}

#[derive(Clone, Debug)]
pub struct Vouch {
    pub id: String,
    pub ticket_id: String,
    pub voucher_id: String,
    pub voucher_nickname: String,
    pub subject_id: String,
    pub subject_nickname: String,
    pub answer: Option<String>,
    pub created_at: Millis,
    pub answered_at: Option<Millis>,
    /// From the ticket: where the requester asked from, and its status.
    pub requester_ip: String,
    pub requester_user_agent: String,
    pub ticket_status: String,
}

impl Vouch {
    /// Asked of the account itself on its signed-in sessions ("was it you?"), not of a trusted
    /// colleague.
    pub fn is_own(&self) -> bool {
        self.voucher_id == self.subject_id
    }
}

#[derive(Clone, Debug)]
pub struct AdminAnswer {
    pub ticket_id: String,
    pub admin_id: String,
    pub admin_nickname: String,
    pub org_id: String,
    /// The enterprise's current name (read with the answer; empty when written).
    pub org_name: String,
    pub subject_id: String,
    pub answer: String,
    pub at: Millis,
}

/// Someone an account knows (a colleague now or before, a contact, the other side of a direct
/// conversation), with the messages of a window between them: both ways in their direct
/// conversation, and the account's own messages elsewhere that mention them.
#[derive(Clone, Debug, Default)]
pub struct KnownPerson {
    pub account_id: String,
    pub nickname: String,
    pub former_nicknames: Vec<String>,
    pub colleague: bool,
    pub messages: i64,
}

/// Where an account logged in from, and with what.
#[derive(Clone, Debug, Default)]
pub struct LoginHistory {
    pub user_agents: Vec<String>,
    pub networks: Vec<String>,
    /// Place keys of `known_places` and labels of login events.
    pub places: Vec<String>,
}

#[async_trait]
pub trait SupportRepo {
    async fn is_agent(&mut self, account_id: &str) -> StoreResult<bool>;
    async fn set_agent(&mut self, account_id: &str, on: bool, now: Millis) -> StoreResult<()>;

    /// Fails with [`super::StoreError::Conflict`] when the ticket number is taken.
    async fn insert_ticket(&mut self, t: &Ticket) -> StoreResult<()>;
    async fn ticket(&mut self, id: &str) -> StoreResult<Option<Ticket>>;
    async fn ticket_by_no(&mut self, ticket_no: &str) -> StoreResult<Option<Ticket>>;
    /// Writes the mutable fields (status, message, account, flags, decision, wait, code,
    /// updated_at, completed_at).
    async fn update_ticket(&mut self, t: &Ticket) -> StoreResult<()>;
    /// Marks an approved ticket completed; `false` when it was not approved any more (so a
    /// cancel racing a completion lets exactly one through).
    async fn complete_ticket(&mut self, id: &str, now: Millis) -> StoreResult<bool>;
    /// Tickets by status (all when `None`), oldest first.
    async fn tickets(&mut self, status: Option<&str>, limit: u32) -> StoreResult<Vec<Ticket>>;
    /// Tickets opened since `since` from `ip` and to `contact`: (count, oldest) of each.
    async fn recent_tickets(
        &mut self,
        ip: &str,
        contact: &str,
        since: Millis,
    ) -> StoreResult<((i64, Option<Millis>), (i64, Option<Millis>))>;
    /// Open (`open`, `need_info`) tickets about active members of the enterprise.
    async fn open_tickets_of_org(&mut self, org_id: &str) -> StoreResult<Vec<Ticket>>;
    /// Tickets about the account that its owner can still stop (`open`, `need_info`,
    /// `approved`), oldest first.
    async fn live_tickets_of_account(&mut self, account_id: &str) -> StoreResult<Vec<Ticket>>;

    async fn add_candidate(
        &mut self,
        ticket_id: &str,
        account_id: &str,
        reason: &str,
    ) -> StoreResult<()>;
    /// What the ticket's security answers showed for a candidate (only the counts).
    async fn set_candidate_answers(
        &mut self,
        ticket_id: &str,
        account_id: &str,
        given: i64,
        right: i64,
    ) -> StoreResult<()>;
    async fn candidates(&mut self, ticket_id: &str) -> StoreResult<Vec<Candidate>>;
    async fn insert_reply(&mut self, ticket_id: &str, r: &TicketReply) -> StoreResult<()>;
    async fn replies(&mut self, ticket_id: &str) -> StoreResult<Vec<TicketReply>>;
    async fn insert_audit(&mut self, a: &AuditEntry) -> StoreResult<()>;
    async fn audit(&mut self, ticket_id: &str) -> StoreResult<Vec<AuditEntry>>;
    async fn insert_cancel_link(
        &mut self,
        token_hash: &str,
        ticket_id: &str,
        now: Millis,
    ) -> StoreResult<()>;
    /// The ticket a cancel link belongs to.
    async fn cancel_link(&mut self, token_hash: &str) -> StoreResult<Option<String>>;

    /// Every row of the account's trusted list (pending, active and being removed).
    async fn trusted_contacts(&mut self, account_id: &str) -> StoreResult<Vec<TrustedContact>>;
    async fn upsert_trusted_contact(
        &mut self,
        account_id: &str,
        contact_id: &str,
        active_from: Millis,
        active_until: Option<Millis>,
    ) -> StoreResult<()>;
    async fn delete_trusted_contact(
        &mut self,
        account_id: &str,
        contact_id: &str,
    ) -> StoreResult<()>;

    async fn insert_vouch(&mut self, v: &Vouch) -> StoreResult<bool>;
    async fn vouch(&mut self, id: &str) -> StoreResult<Option<Vouch>>;
    async fn vouches_of_ticket(&mut self, ticket_id: &str) -> StoreResult<Vec<Vouch>>;
    async fn vouches_for_voucher(&mut self, voucher_id: &str) -> StoreResult<Vec<Vouch>>;
    /// Vouch requests made of the colleague since `since`.
    async fn vouches_since(&mut self, voucher_id: &str, since: Millis) -> StoreResult<i64>;
    /// Answers once; `false` when it was answered already.
    async fn answer_vouch(&mut self, id: &str, answer: &str, now: Millis) -> StoreResult<bool>;

    /// Fails with [`super::StoreError::Conflict`] when this admin answered already.
    async fn insert_admin_answer(&mut self, a: &AdminAnswer) -> StoreResult<()>;
    async fn admin_answers(&mut self, ticket_id: &str) -> StoreResult<Vec<AdminAnswer>>;

    /// Every nickname the account has had (from `nickname_history`), oldest first.
    async fn nickname_history(&mut self, account_id: &str) -> StoreResult<Vec<String>>;
    /// Every phone/e-mail value the account had bound (old and new values of its changes).
    async fn bound_history(&mut self, account_id: &str) -> StoreResult<Vec<String>>;
    async fn login_history(&mut self, account_id: &str) -> StoreResult<LoginHistory>;
    /// The `(ip, place)` of the account's security events that have a place, each pair once.
    async fn login_places(&mut self, account_id: &str) -> StoreResult<Vec<(String, String)>>;
    /// Every name of every enterprise, `(org_id, name)`, at most `limit`.
    async fn all_org_names(&mut self, limit: u32) -> StoreResult<Vec<(String, String)>>;
    /// Members of an enterprise, past and present.
    async fn org_member_ids(&mut self, org_id: &str) -> StoreResult<Vec<String>>;
    /// The people an account knows, with the messages between them since `since`.
    async fn people(&mut self, account_id: &str, since: Millis) -> StoreResult<Vec<KnownPerson>>;
    /// Accounts whose current or a former nickname is exactly `nickname`.
    async fn accounts_named(&mut self, nickname: &str) -> StoreResult<Vec<String>>;
    /// Every nickname, current and former, `(account_id, nickname)`, at most `limit`.
    async fn all_nicknames(&mut self, limit: u32) -> StoreResult<Vec<(String, String)>>;
    /// How many accounts logged in from a network.
    async fn network_accounts(&mut self, network: &str) -> StoreResult<i64>;
    /// The accounts that used a device id.
    async fn device_accounts(&mut self, device_id: &str) -> StoreResult<Vec<String>>;
    /// Accounts that had a phone or e-mail bound before (a value of a binding change).
    async fn accounts_bound_before(&mut self, value: &str) -> StoreResult<Vec<String>>;
}
