//! Enterprise security policy.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// Which second factor an enterprise requires of the sessions reaching its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequireSecondFactor {
    Off,
    /// An authenticator app (TOTP) or a passkey.
    Any,
    /// Passkeys only.
    Passkey,
}

impl RequireSecondFactor {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Any => "any",
            Self::Passkey => "passkey",
        }
    }

    /// The stored form; anything else reads as `off`.
    pub fn parse(s: &str) -> Self {
        match s {
            "any" => Self::Any,
            "passkey" => Self::Passkey,
            _ => Self::Off,
        }
    }
}

/// `PUT /orgs/{id}/policy`: the whole policy.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyUpdate {
    pub require_second_factor: RequireSecondFactor,
    /// Days a member without the required factor keeps access (0–90), counted from when the
    /// requirement was switched on or from joining, whichever is later.
    #[serde(default)]
    pub grace_days: i64,
    /// At least the server's minimum, at most 64; applies at the next password change or reset.
    pub password_min_length: Option<i64>,
    /// Minimum zxcvbn score, 0–4.
    pub password_min_score: Option<i64>,
    pub password_require_composition: Option<bool>,
    /// Sessions older than this (1–8760 hours) no longer reach the enterprise's data.
    pub session_max_age_hours: Option<i64>,
    /// Sessions once idle longer than this (5–43200 minutes) no longer reach its data.
    pub session_idle_minutes: Option<i64>,
    /// CIDR blocks (or single addresses) the enterprise's data may be reached from; empty: any.
    #[serde(default)]
    pub allowed_networks: Vec<String>,
    /// Support-desk recovery of a member always waits for an admin's confirmation.
    #[serde(default)]
    pub support_needs_admin: bool,
}

/// An enterprise's policy as its owners and admins see it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PolicyView {
    pub org_id: String,
    pub require_second_factor: RequireSecondFactor,
    pub grace_days: i64,
    /// When the current second-factor requirement was switched on.
    #[serde(with = "time::serde::rfc3339::option")]
    pub second_factor_since: Option<OffsetDateTime>,
    pub password_min_length: Option<i64>,
    pub password_min_score: Option<i64>,
    pub password_require_composition: bool,
    pub session_max_age_hours: Option<i64>,
    pub session_idle_minutes: Option<i64>,
    pub allowed_networks: Vec<String>,
    pub support_needs_admin: bool,
    /// `null` while the enterprise has never set a policy.
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

/// `POST /orgs/{id}/members/{account_id}/offboard`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OffboardRequest {
    /// The colleague who takes over the groups the member owned.
    pub successor_id: String,
}

/// `POST /orgs/{id}/members/{account_id}/reverify`: which binding the member re-verifies.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReverifyRequest {
    pub channel: crate::Channel,
}

/// A re-verification asked for: the code went to the member's binding (masked here).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ReverifySent {
    pub request_id: String,
    pub channel: crate::Channel,
    pub destination: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// An enterprise's open request that the caller re-verify a binding.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OpenReverify {
    pub request_id: String,
    pub org_name: String,
    pub channel: crate::Channel,
    /// Masked.
    pub destination: String,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OpenReverifies {
    pub requests: Vec<OpenReverify>,
}

/// `POST /me/reverify/{request_id}`: the code that went to the binding.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReverifyCode {
    pub code: String,
}

/// A member's security posture, as the enterprise's owners and admins see it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberPosture {
    pub account_id: String,
    pub nickname: String,
    pub role: String,
    /// `totp` and/or `passkey`; empty without a second factor.
    pub second_factor: Vec<String>,
    pub password_age_days: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
    pub active_sessions: u32,
    /// `active`, `suspended` or `offboarded`.
    pub status: String,
}

/// One line of the enterprise's audit log.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub id: String,
    /// `org_policy_changed`, `org_member_signed_out`, `org_member_suspended`,
    /// `org_member_reinstated`.
    pub kind: String,
    pub actor_id: String,
    pub subject_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The `cursor` of the next page; `null` at the end.
    pub next_cursor: Option<String>,
}
