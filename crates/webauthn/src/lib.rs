//! WebAuthn / passkey ceremonies for Wangshang, built on `webauthn-rs`.
//!
//! Everything crossing this crate's boundary is JSON: the options sent to the
//! browser and the browser's responses are [`serde_json::Value`]s, and the
//! ceremony states and stored credentials are opaque JSON strings the domain
//! crate keeps in SQL rows. No `webauthn-rs` type leaks out.
//!
//! # Ceremonies
//!
//! Passkey ceremonies are used (`start_passkey_registration` /
//! `start_passkey_authentication`): user verification is required, no
//! attestation is requested, and any authenticator (platform, roaming,
//! synced) may take part.
//!
//! # What the browser sends and receives
//!
//! All binary members are base64url without padding, as WebAuthn Level 3's
//! `toJSON()` / `parse*OptionsFromJSON()` use.
//!
//! - Registration options: `{"publicKey": {rp, user: {id, name, displayName},
//!   challenge, pubKeyCredParams, timeout, excludeCredentials, authenticatorSelection,
//!   attestation, extensions}}`; pass `publicKey` to
//!   `PublicKeyCredential.parseCreationOptionsFromJSON()`.
//! - Registration response (`RegisterPublicKeyCredential`): `{id, rawId, type:
//!   "public-key", response: {clientDataJSON, attestationObject, transports?},
//!   clientExtensionResults?}`; `credential.toJSON()` fits, extra members are ignored.
//! - Authentication options: `{"publicKey": {challenge, timeout, rpId,
//!   allowCredentials, userVerification}}`; pass `publicKey` to
//!   `PublicKeyCredential.parseRequestOptionsFromJSON()`.
//! - Assertion (`PublicKeyCredential`): `{id, rawId, type: "public-key", response:
//!   {clientDataJSON, authenticatorData, signature, userHandle?},
//!   clientExtensionResults?}`; `credential.toJSON()` fits.
//!
//! # Ceremony state: server-side and single use
//!
//! Serialising the state needs `webauthn-rs`'s `danger-allow-state-serialisation`
//! feature. The "danger" is sending it to the client, where it could be
//! replayed or forged: the state string returned by the `start_*` calls MUST
//! be stored server-side only (a row keyed by a random ceremony id), and MUST
//! be used at most once. `webauthn-rs` does not remember which challenges were
//! answered, so the caller ensures single use by deleting the state row in the
//! same step that reads it (`DELETE … RETURNING state`, or `SELECT` + `DELETE`
//! in one transaction, checking one row was deleted) before calling a
//! `finish_*` method, and by expiring rows older than the ceremony timeout
//! (five minutes). [`Relying::finish_authentication`] additionally rejects an
//! assertion whose signature counter does not advance past the counter of the
//! credential currently stored, which stops a replay once the updated
//! credential was stored, for authenticators that keep a counter.
//!
//! The `danger-credential-internals` feature is enabled only to read a stored
//! credential's signature counter for that check.

mod error;
mod relying;
mod user;

pub use error::Error;
pub use relying::{CEREMONY_TIMEOUT, Relying};
pub use user::user_uuid;
