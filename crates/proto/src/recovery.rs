//! Self-service password recovery.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::verifications::DeliveryHint;
use crate::{Channel, SecondFactorMethod};

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartReset {
    /// The phone or e-mail used at registration.
    pub identifier: String,
    /// By default the identifier's own channel.
    #[serde(default)]
    pub channel: Option<Channel>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendReset {
    /// Switch to this channel; by default the current one.
    #[serde(default)]
    pub channel: Option<Channel>,
}

/// The same shape, status and comparable timing whether or not the account exists.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ResetStarted {
    pub reset_id: String,
    #[schema(value_type = Channel)]
    pub channel: String,
    pub masked_destination: String,
    /// Seconds the code stays valid.
    pub expires_in: i64,
    /// Seconds before a resend is allowed.
    pub resend_after: i64,
    /// Channels the user may switch to with `/resend`.
    #[schema(value_type = Vec<Channel>)]
    pub alternatives: Vec<String>,
    /// `sms_undeliverable` when the last SMS to this destination could not be delivered: switch
    /// to e-mail. `null` otherwise.
    #[schema(value_type = Option<DeliveryHint>)]
    pub delivery_hint: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyReset {
    pub code: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SecondFactorNeeded {
    #[schema(value_type = Vec<SecondFactorMethod>)]
    pub methods: Vec<String>,
    /// With `webauthn` among the methods: the request options for `navigator.credentials.get()`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub webauthn: Option<serde_json::Value>,
}

/// The reset-only token: it opens nothing but `/second-factor` and `/complete` of this recovery.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ResetToken {
    pub reset_token: String,
    /// Seconds the token stays valid.
    pub expires_in: i64,
    /// `null`, or the second factors of which one is required before `/complete`.
    pub second_factor: Option<SecondFactorNeeded>,
}

/// `202` from `/verify`: the phone went unused for long (the number may have been recycled), so a
/// code went to the account's e-mail too; verify it with `/verify` to get the reset token.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MoreEvidence {
    /// `recycled_number`.
    #[schema(pattern = "^recycled_number$")]
    pub reason: String,
    pub reset_id: String,
    #[schema(value_type = Channel)]
    pub channel: String,
    pub masked_destination: String,
    pub expires_in: i64,
    pub resend_after: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetSecondFactor {
    pub reset_token: String,
    pub method: SecondFactorMethod,
    /// The TOTP or recovery code.
    #[serde(default)]
    pub code: Option<String>,
    /// The passkey assertion (`PublicKeyCredential` JSON) for `webauthn`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub assertion: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ResetTokenRenewed {
    pub reset_token: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteReset {
    pub reset_token: String,
    pub new_password: String,
}
