//! Two-factor authentication.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CurrentPassword {
    pub current_password: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TotpEnrolment {
    /// Base32, for entering by hand.
    pub secret: String,
    pub otpauth_uri: String,
    /// The `otpauth://` URI as a QR code, an SVG document.
    pub qr_svg: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    pub code: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableTotp {
    pub current_password: String,
    pub code: String,
}

/// Shown once; empty when an earlier set is still in use.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PasskeyRegistration {
    /// Give it back to `/finish`.
    pub registration_id: String,
    /// The creation options for `navigator.credentials.create()` (`publicKey` inside).
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinishPasskey {
    pub registration_id: String,
    /// Shown in the list, e.g. "MacBook Touch ID"; "Passkey" when empty.
    #[serde(default)]
    pub name: Option<String>,
    /// The `PublicKeyCredential` JSON from `navigator.credentials.create()`.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PasskeyAdded {
    pub credential_id: String,
    pub name: String,
    /// 10 codes when this is the first factor, shown once; else empty.
    pub recovery_codes: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PasskeyView {
    pub credential_id: String,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<time::OffsetDateTime>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenamePasskey {
    pub name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionAnswer {
    pub question: String,
    pub answer: String,
}

/// Replaces every security question (at most 3; an empty list removes them).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetSecurityQuestions {
    pub current_password: String,
    pub questions: Vec<QuestionAnswer>,
}

/// The questions only; answers are never shown.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SecurityQuestions {
    pub questions: Vec<String>,
}
