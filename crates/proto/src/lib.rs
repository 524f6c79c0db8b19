//! The wire types of the Wangshang JSON API (`/api/v1`), shared by the server, tests and clients.
//! Requests reject unknown fields; timestamps are RFC 3339 UTC.

pub mod accounts;
pub mod bindings;
pub mod chat;
pub mod dev;
pub mod mfa;
pub mod policy;
pub mod problem;
pub mod recovery;
pub mod search;
pub mod sessions;
pub mod support;
pub mod verifications;

pub use problem::Problem;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a code goes: a text message or an e-mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }
}

/// A second factor: an authenticator app, a passkey, or a one-time recovery code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecondFactorMethod {
    Totp,
    Webauthn,
    RecoveryCode,
}

impl SecondFactorMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            SecondFactorMethod::Totp => "totp",
            SecondFactorMethod::Webauthn => "webauthn",
            SecondFactorMethod::RecoveryCode => "recovery_code",
        }
    }
}
