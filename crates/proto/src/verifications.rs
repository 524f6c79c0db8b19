use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartVerification {
    /// `register` or `support_contact`.
    pub purpose: String,
    /// `sms` or `email`.
    pub channel: String,
    pub destination: String,
}

/// Sent (or said to be sent: the answer is the same for a taken destination).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct VerificationSent {
    pub verification_id: String,
    pub channel: String,
    pub masked_destination: String,
    /// Seconds the code stays valid.
    pub expires_in: i64,
    /// Seconds before a resend is allowed.
    pub resend_after: i64,
    /// `sms_undeliverable` when the last SMS to this destination could not be delivered: switch
    /// to e-mail. `null` otherwise.
    pub delivery_hint: Option<String>,
}
