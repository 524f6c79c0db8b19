//! Support-desk recovery, trusted colleagues and enterprise-admin answers.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::Channel;

/// Where a recovery ticket stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    Open,
    NeedInfo,
    Approved,
    Rejected,
    Cancelled,
    Completed,
}

impl TicketState {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketState::Open => "open",
            TicketState::NeedInfo => "need_info",
            TicketState::Approved => "approved",
            TicketState::Rejected => "rejected",
            TicketState::Cancelled => "cancelled",
            TicketState::Completed => "completed",
        }
    }
}

/// An agent's decision on a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    NeedInfo,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
            Decision::NeedInfo => "need_info",
        }
    }
}

/// A colleague's or an admin's answer: they know the person, or they do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Confirm,
    Deny,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Confirm => "confirm",
            Answer::Deny => "deny",
        }
    }
}

/// The evidence's verdict on a candidate account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    LikelyOwner,
    Uncertain,
    LikelyImpostor,
}

/// How one claim compared with the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimResult {
    Matched,
    Partial,
    Contradicted,
    Unknown,
}

/// What the requester remembers; every field optional.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nicknames: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise: Option<String>,
    /// Colleagues the requester chats with often (nicknames).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
    /// Devices they logged in with ("iPhone", "Windows PC").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<String>,
    /// Places (city names) or IP addresses they logged in from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_around: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    /// A verification of purpose `support_contact` (`POST /verifications`).
    pub contact_verification_id: String,
    pub contact_code: String,
    #[serde(default)]
    pub claims: Claims,
    #[serde(default)]
    pub description: String,
    /// The app's install id (8–128 of `A–Z a–z 0–9 - _`), as sent when logging in: a device
    /// the account used is evidence for the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// Answers to the security questions the requester set, without the questions (at most 3):
    /// compared at filing with the accounts the ticket may be about, never stored or shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_answers: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TicketOpened {
    pub ticket_no: String,
    /// The private status token: keep it; it is stored only as a hash.
    pub status_token: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct StatusQuery {
    pub token: String,
}

/// What the requester sees: never account data, never which claims matched.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TicketStatus {
    pub ticket_no: String,
    #[schema(value_type = TicketState)]
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketReply {
    pub status_token: String,
    pub text: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusToken {
    pub status_token: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelTicket {
    pub cancel_token: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TicketCodeSent {
    #[schema(value_type = Channel)]
    pub channel: String,
    pub masked_destination: String,
    pub expires_in: i64,
    pub resend_after: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteTicket {
    pub status_token: String,
    pub code: String,
    pub new_password: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct QueueQuery {
    #[serde(default)]
    pub status: Option<TicketState>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct QueueEntry {
    pub ticket_no: String,
    #[schema(value_type = TicketState)]
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Seconds since the ticket was opened.
    pub age_secs: i64,
    pub has_account: bool,
    pub flags: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Queue {
    pub tickets: Vec<QueueEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct EvidenceItem {
    pub claim: String,
    #[schema(value_type = ClaimResult)]
    pub result: String,
    /// Signed points (negative for a contradiction).
    pub weight: i32,
    /// What the item means, in the language of `Accept-Language` (zh-CN by default, en).
    pub detail: String,
    /// The stable code of the detail (`contact_top`, `device_specific`, `filed_from_own_network` …).
    pub code: String,
    /// The detail's values (`name`, `messages`, `device`, `days` …).
    pub args: std::collections::BTreeMap<String, String>,
    /// Without this item the recommendation would be different.
    pub decisive: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Evidence {
    pub score: u32,
    #[schema(value_type = Recommendation)]
    pub recommendation: String,
    /// Points of private evidence (colleagues written with, devices, places, dates, former
    /// bindings, where it was filed); `likely_owner` needs `support.private_evidence_min` of
    /// them, or k trusted colleagues.
    pub private_points: u32,
    pub items: Vec<EvidenceItem>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CandidateView {
    pub account_id: String,
    pub nickname: String,
    /// How it was found: `phone`, `email`, `former_binding`, `nickname` (with the enterprise),
    /// `nickname_contacts` (with colleagues it knows), `agent`.
    pub reason: String,
    pub evidence: Evidence,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ReplyView {
    /// `requester` or `agent`.
    pub author: String,
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct VouchView {
    pub voucher_id: String,
    pub nickname: String,
    pub account_id: String,
    /// The account itself was asked "was it you?" on a signed-in session (not a trusted
    /// colleague: it never counts among the k confirmations).
    pub own: bool,
    /// `confirm`, `deny`, or absent while unanswered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub asked_at: OffsetDateTime,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AdminAnswerView {
    pub org_id: String,
    /// The enterprise's current name.
    pub org_name: String,
    pub admin_id: String,
    pub nickname: String,
    pub account_id: String,
    pub answer: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditView {
    /// An agent's account id, `requester`, `owner`, or a colleague's/admin's account id.
    pub actor: String,
    /// The actor account's nickname now (`null` for `requester` and `owner`).
    pub actor_nickname: Option<String>,
    pub action: String,
    pub detail: String,
    pub ip: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RequesterView {
    pub ip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    pub device: String,
    /// The proven contact, masked.
    pub contact: String,
}

/// A ticket as an agent sees it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AgentTicket {
    pub ticket_no: String,
    #[schema(value_type = TicketState)]
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// The account the ticket is about, once found or picked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub requester: RequesterView,
    pub claims: Claims,
    pub description: String,
    pub candidates: Vec<CandidateView>,
    pub replies: Vec<ReplyView>,
    pub vouches: Vec<VouchView>,
    pub admin_answers: Vec<AdminAnswerView>,
    pub flags: Vec<String>,
    pub audit: Vec<AuditView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_note: Option<String>,
    /// The end of the waiting period of an approved ticket.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub wait_until: Option<OffsetDateTime>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickCandidate {
    pub account_id: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideTicket {
    pub decision: Decision,
    pub note: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTrustedContacts {
    pub account_ids: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TrustedContactView {
    pub account_id: String,
    pub nickname: String,
    /// When the colleague starts to count (after the activation delay).
    #[serde(with = "time::serde::rfc3339")]
    pub active_from: OffsetDateTime,
    /// Set when removed: the colleague stops counting then.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub active_until: Option<OffsetDateTime>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TrustedContacts {
    pub trusted_contacts: Vec<TrustedContactView>,
}

/// A request to vouch, as the trusted colleague sees it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct VouchRequestView {
    pub id: String,
    /// Who asks: the nickname and id of the account being recovered.
    pub nickname: String,
    pub account_id: String,
    /// From where and with what the request was filed (for `own` requests, which may reach
    /// an account the ticket turns out not to be about, the device only: `requester_ip` is
    /// empty and there is no network).
    pub requester_ip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_network: Option<String>,
    pub requester_device: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Whether an answer is still taken.
    pub open: bool,
    /// Asked of the account itself, on its signed-in sessions: "did you ask support to recover
    /// this account?" (the nickname is then one's own).
    pub own: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct VouchRequests {
    pub requests: Vec<VouchRequestView>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub answer: Answer,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrgRecoveryRequest {
    pub ticket_no: String,
    pub account_id: String,
    pub nickname: String,
    pub requester_ip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_network: Option<String>,
    pub requester_device: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrgRecoveryRequests {
    pub requests: Vec<OrgRecoveryRequest>,
}
