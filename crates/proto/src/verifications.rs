use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Channel;

/// What a code proves: a destination to register with, or a contact for the support desk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Register,
    SupportContact,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::SupportContact => "support_contact",
        }
    }
}

/// `sms_undeliverable`: the last SMS to this destination could not be delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryHint {
    SmsUndeliverable,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartVerification {
    pub purpose: Purpose,
    pub channel: Channel,
    /// A phone number (default region CN) or an e-mail address, as `channel` says.
    pub destination: String,
}

/// Sent (or said to be sent: the answer is the same for a taken destination).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct VerificationSent {
    pub verification_id: String,
    #[schema(value_type = Channel)]
    pub channel: String,
    pub masked_destination: String,
    /// Seconds the code stays valid.
    pub expires_in: i64,
    /// Seconds before a resend is allowed.
    pub resend_after: i64,
    /// `sms_undeliverable` when the last SMS to this destination could not be delivered: switch
    /// to e-mail. `null` otherwise.
    #[schema(value_type = Option<DeliveryHint>)]
    pub delivery_hint: Option<String>,
}
