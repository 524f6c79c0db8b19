use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::Channel;

/// How a login challenge is answered: a second factor, or for a new device the code sent by SMS
/// or e-mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeMethod {
    Totp,
    Webauthn,
    RecoveryCode,
    Sms,
    Email,
}

impl ChallengeMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ChallengeMethod::Totp => "totp",
            ChallengeMethod::Webauthn => "webauthn",
            ChallengeMethod::RecoveryCode => "recovery_code",
            ChallengeMethod::Sms => "sms",
            ChallengeMethod::Email => "email",
        }
    }
}

/// Why a login needs a second step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeReason {
    Mfa,
    NewDevice,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// A phone number (default region CN) or an e-mail address.
    pub identifier: String,
    pub password: String,
    pub device_id: Option<String>,
    pub device_name: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct NewSession {
    /// The bearer token; shown only here.
    pub token: String,
    pub session_id: String,
    pub account_id: String,
    pub device_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionInfo {
    pub session_id: String,
    pub device: String,
    pub ip: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    pub current: bool,
}

/// `202` from `POST /sessions`: a second step is needed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LoginChallenge {
    pub challenge_id: String,
    /// `mfa` (two-factor) or `new_device` (a code went to a bound channel).
    #[schema(value_type = ChallengeReason)]
    pub reason: String,
    /// `totp`, `webauthn`, `recovery_code`; or `sms` / `email` for a new device.
    #[schema(value_type = Vec<ChallengeMethod>)]
    pub methods: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_destination: Option<String>,
    pub expires_in: i64,
    /// With `webauthn` among the methods: the request options for
    /// `navigator.credentials.get()` (`publicKey` inside).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub webauthn: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteChallenge {
    pub method: ChallengeMethod,
    /// The TOTP code, a recovery code, or the code sent for a new device.
    #[serde(default)]
    pub code: Option<String>,
    /// The WebAuthn assertion (`PublicKeyCredential` JSON) for `method: "webauthn"`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub assertion: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendChallenge {
    /// Switch to this bound channel; by default the current one.
    #[serde(default)]
    pub channel: Option<Channel>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ChallengeCodeSent {
    pub masked_destination: String,
    pub resend_after: i64,
}
