//! The phone and e-mail bound to an account.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::SecondFactorMethod;

/// Which binding a path names: the phone or the e-mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BindingKind {
    Phone,
    Email,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct BindingView {
    pub masked: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub verified_at: Option<OffsetDateTime>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct BindingsView {
    pub phone: Option<BindingView>,
    pub email: Option<BindingView>,
}

/// A second factor given with a re-authentication (required once two-factor is enabled).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorProof {
    pub method: SecondFactorMethod,
    pub code: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartBinding {
    pub destination: String,
    pub current_password: String,
    #[serde(default)]
    pub second_factor: Option<SecondFactorProof>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBinding {
    pub verification_id: String,
    pub code: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveBinding {
    pub current_password: String,
    #[serde(default)]
    pub second_factor: Option<SecondFactorProof>,
}

/// The token of a link in a binding-change notice.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BindingLink {
    pub token: String,
}
