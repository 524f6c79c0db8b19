//! RFC 9457 problem details with a stable machine `code`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type: `/problems/{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable snake_case code, one of [`CODES`] (listed in the OpenAPI document). Clients branch
    /// on it; new codes may be added.
    pub code: String,
    /// `invalid_code`: wrong attempts left before the code dies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    /// `weak_password`: every rule the password broke.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violations: Option<Vec<Violation>>,
    /// `too_many_requests`: seconds to wait, as in the `Retry-After` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// `second_factor_required`: the methods the account has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<String>>,
    /// `channel_on_hold`: the channels that can be used instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<Vec<String>>,
    /// `channel_on_hold`: when the channel may be used (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// `policy_*`: the enterprise whose policy refused the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Violation {
    pub code: String,
    pub message: String,
}

/// Every `code` the API answers, with its status and what it means. The OpenAPI document lists
/// them; the test suite fails on a problem whose code or status is not here.
pub const CODES: &[(&str, u16, &str)] = &[
    (
        "invalid_request",
        400,
        "The request cannot be read: malformed JSON, an unknown or missing field, a field of the wrong type or value, a path or query parameter that cannot be read.",
    ),
    ("invalid_phone", 400, "Not a valid phone number."),
    ("invalid_email", 400, "Not a valid e-mail address."),
    (
        "invalid_identifier",
        400,
        "Neither a phone number nor an e-mail address.",
    ),
    (
        "invalid_code",
        400,
        "Wrong code; `attempts_left` says how many tries remain.",
    ),
    (
        "invalid_method",
        400,
        "This second-factor method is not set up for the account (or not usable here).",
    ),
    ("passkey_rejected", 400, "The passkey response was refused."),
    (
        "websocket_required",
        400,
        "`GET /api/v1/stream` was not opened as a WebSocket.",
    ),
    (
        "invalid_credentials",
        401,
        "Wrong identifier or password (the same for an unknown account).",
    ),
    (
        "unauthenticated",
        401,
        "No bearer token, or its session has expired or was revoked.",
    ),
    (
        "second_factor_required",
        403,
        "Confirm with a second factor first; `methods` lists the account's.",
    ),
    (
        "channel_on_hold",
        403,
        "This phone/e-mail was bound recently and cannot recover the account yet; see `until` and `alternatives`.",
    ),
    (
        "support_required",
        403,
        "The phone number went unused for long; recovery needs the e-mail too, or the support desk.",
    ),
    (
        "blocked",
        403,
        "One of the two accounts has blocked the other.",
    ),
    (
        "invite_for_someone_else",
        403,
        "The invitation went to a phone/e-mail the caller has not bound.",
    ),
    (
        "not_a_contact",
        403,
        "The account is neither a colleague nor an accepted external contact.",
    ),
    (
        "not_group_admin",
        403,
        "Only the group's owner and admins may do this.",
    ),
    (
        "not_org_admin",
        403,
        "Only the enterprise's owners and admins may do this.",
    ),
    ("owner_only", 403, "Only an owner may do this."),
    (
        "policy_requires_2fa",
        403,
        "The enterprise requires a second factor (or a passkey) before its data can be reached; set one up.",
    ),
    (
        "policy_network",
        403,
        "The enterprise allows its data to be reached only from its own networks.",
    ),
    (
        "policy_session_expired",
        403,
        "This session is older or was idle longer than the enterprise allows; sign in again.",
    ),
    (
        "member_suspended",
        403,
        "An owner or admin suspended this member: the enterprise's conversations are closed to them.",
    ),
    (
        "own_membership",
        409,
        "Owners and admins cannot sign out, suspend or reinstate themselves this way.",
    ),
    ("already_suspended", 409, "The member is suspended already."),
    (
        "channel_not_bound",
        409,
        "The member has no phone/e-mail of that kind to re-verify.",
    ),
    (
        "binding_changed",
        409,
        "The phone/e-mail to re-verify is no longer bound to the account.",
    ),
    (
        "already_offboarded",
        409,
        "The member is offboarded already.",
    ),
    ("not_offboarded", 409, "The member is not offboarded."),
    (
        "offboarded",
        409,
        "The member is offboarded: undo the offboarding to give their access back.",
    ),
    (
        "undo_expired",
        409,
        "An offboarding can be undone for 30 days only.",
    ),
    (
        "org_admin_confirmation_required",
        409,
        "The member's enterprise asks that one of its admins confirm the person before a support-desk recovery is approved.",
    ),
    ("not_suspended", 409, "The member is not suspended."),
    (
        "invalid_policy",
        422,
        "A policy value is out of range; `detail` says which.",
    ),
    (
        "invalid_network",
        422,
        "An allowed network is not an address block such as 203.0.113.0/24.",
    ),
    (
        "not_support_agent",
        403,
        "Only support agents with two-factor authentication may do this.",
    ),
    (
        "not_your_message",
        403,
        "Only the sender may do this to the message.",
    ),
    (
        "own_ticket",
        403,
        "Nobody may handle or answer a recovery ticket about their own account.",
    ),
    (
        "not_found",
        404,
        "There is nothing at this address, or nothing the caller may see.",
    ),
    (
        "method_not_allowed",
        405,
        "The address does not take this method; `Allow` lists those it takes.",
    ),
    (
        "last_channel",
        409,
        "The last phone/e-mail of the account cannot be removed.",
    ),
    (
        "destination_unavailable",
        409,
        "This phone/e-mail cannot be bound to the account.",
    ),
    (
        "mfa_already_enabled",
        409,
        "This kind of two-factor authentication is on already.",
    ),
    ("mfa_not_enabled", 409, "Two-factor authentication is off."),
    (
        "passkeys_unavailable",
        409,
        "This server's address cannot host passkeys.",
    ),
    (
        "search_disabled",
        409,
        "Search is turned off on this server (`search.enabled`).",
    ),
    (
        "already_answered",
        409,
        "This request was answered already.",
    ),
    (
        "code_required",
        409,
        "Ask for the ticket's one-time code first.",
    ),
    (
        "direct_conversation",
        409,
        "A direct conversation has no members to add or remove.",
    ),
    (
        "edit_window_closed",
        409,
        "The message can no longer be edited or recalled.",
    ),
    (
        "last_owner",
        409,
        "The last owner cannot leave or be demoted.",
    ),
    ("message_recalled", 409, "The message was recalled."),
    (
        "scanning",
        409,
        "The file is being checked for malware; try again shortly.",
    ),
    (
        "already_member",
        409,
        "The invited phone/e-mail belongs to a member of the enterprise already (the inviter too).",
    ),
    ("no_account", 409, "The ticket has no account picked yet."),
    (
        "ticket_closed",
        409,
        "The ticket was decided, cancelled or completed already.",
    ),
    (
        "waiting",
        409,
        "The approved ticket's waiting period has not ended.",
    ),
    (
        "code_expired",
        410,
        "The code expired, was used, or had too many wrong attempts.",
    ),
    (
        "reset_expired",
        410,
        "The password recovery expired or was completed, or the reset token is wrong.",
    ),
    (
        "challenge_expired",
        410,
        "The sign-in step expired, was used, or had too many wrong attempts.",
    ),
    ("link_expired", 410, "The link expired or was used."),
    ("payload_too_large", 413, "The body is over 64 KiB."),
    (
        "file_too_large",
        413,
        "The file is over the size limit (`files.max_file_bytes`); the server stopped reading it.",
    ),
    (
        "type_mismatch",
        415,
        "The file's content contradicts the type it was sent as.",
    ),
    (
        "range_not_satisfiable",
        416,
        "The `Range` asked for lies outside the file.",
    ),
    (
        "unsupported_media_type",
        415,
        "The body is not sent as `application/json`.",
    ),
    (
        "weak_password",
        422,
        "The password breaks the policy; `violations` lists each rule.",
    ),
    (
        "invalid_nickname",
        422,
        "The nickname must be 1–32 characters without control characters.",
    ),
    (
        "trusted_contacts_count",
        422,
        "Trusted colleagues are 2 to 5, or none.",
    ),
    (
        "not_a_colleague",
        422,
        "A trusted colleague must share an enterprise with the account.",
    ),
    ("unknown_account", 422, "There is no account with this id."),
    (
        "storage_quota_exceeded",
        422,
        "The account stored as much as it may over the last 24 hours (`files.daily_quota_bytes`).",
    ),
    (
        "invalid_date",
        422,
        "A date claim is not YYYY, YYYY-MM or YYYY-MM-DD (a support ticket's `created_around`).",
    ),
    (
        "no_claims",
        422,
        "A support ticket needs at least one claim about the account besides the description.",
    ),
    (
        "too_many_requests",
        429,
        "Throttled: wait `retry_after` seconds (also in `Retry-After`).",
    ),
    (
        "internal",
        500,
        "Something went wrong on the server; nothing was changed.",
    ),
    (
        "not_ready",
        503,
        "The database is not reachable (`GET /readyz`).",
    ),
];
