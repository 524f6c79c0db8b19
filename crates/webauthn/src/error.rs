//! The crate's error type and the mapping from `webauthn-rs` errors.

use webauthn_rs::prelude::WebauthnError;

/// Why a WebAuthn operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The relying party configuration (rp id, origin) is invalid.
    #[error("invalid WebAuthn configuration: {0}")]
    InvalidConfig(String),
    /// The client's response is malformed: not the expected JSON shape, bad
    /// base64url, or undecodable CBOR / client data.
    #[error("invalid WebAuthn response: {0}")]
    InvalidResponse(String),
    /// The response is well formed but not acceptable: wrong origin or rp id,
    /// wrong challenge, bad signature, user not verified, an excluded, unknown
    /// or replayed credential, a counter that did not advance.
    #[error("WebAuthn response rejected: {0}")]
    Rejected(String),
    /// A server-side value (ceremony state or stored credential JSON) could not
    /// be read: a corrupt row, or e.g. a registration state passed to
    /// authentication. Never caused by the client.
    #[error("unreadable stored WebAuthn data: {0}")]
    Stored(String),
}

impl From<WebauthnError> for Error {
    fn from(err: WebauthnError) -> Self {
        use WebauthnError as W;
        let text = err.to_string();
        match err {
            W::Configuration => Error::InvalidConfig(text),
            W::ParseBase64Failure(_)
            | W::ParseCBORFailure(_)
            | W::ParseJSONFailure(_)
            | W::ParseNOMFailure
            | W::ParseInsufficientBytesAvailable
            | W::COSEKeyInvalidCBORValue
            | W::COSEKeyECDSAXYInvalid
            | W::COSEKeyRSANEInvalid
            | W::COSEKeyEDDSAXInvalid
            | W::MissingAttestationCredentialData => Error::InvalidResponse(text),
            _ => Error::Rejected(text),
        }
    }
}
