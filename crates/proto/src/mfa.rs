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
