use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Register {
    pub verification_id: String,
    pub code: String,
    pub nickname: String,
    pub password: String,
    pub device_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Registered {
    pub account_id: String,
    pub nickname: String,
    pub device_id: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Mfa {
    pub totp: bool,
    pub webauthn: bool,
    pub recovery_codes_left: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub account_id: String,
    pub nickname: String,
    /// Masked, e.g. `138****5678`.
    pub phone: Option<String>,
    /// Masked, e.g. `z***@example.com`.
    pub email: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub password_changed_at: OffsetDateTime,
    /// The password is older than the configured reminder age (a reminder, never a forced change).
    pub password_reminder_due: bool,
    pub mfa: Mfa,
    /// The IANA time zone the account's notices are written in; `null` for UTC.
    pub time_zone: Option<String>,
}

/// `PATCH /me`: the fields to change.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    /// 1–32 characters; every nickname is kept in the account's history (the support desk
    /// matches former names), and a change is told to the account's phone and e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// An IANA time zone name (`Asia/Shanghai`) for the account's notices; `""` for UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64)]
    pub time_zone: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SecurityEvent {
    pub id: String,
    /// `registered`, `login`, `login_failed`, `account_locked`, `logout`, `session_revoked`,
    /// `password_changed`.
    pub kind: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub ip: String,
    pub device: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    pub flags: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SecurityEvents {
    pub events: Vec<SecurityEvent>,
    /// Pass as `before` to get the next (older) page; absent on the last page.
    pub next: Option<String>,
}
