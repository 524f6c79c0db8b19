//! The relying party and its four ceremony steps.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use webauthn_rs::prelude::{
    Credential, Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

use crate::Error;

/// How long the browser is given to complete a ceremony. Callers should expire
/// stored ceremony states older than this.
pub const CEREMONY_TIMEOUT: Duration = Duration::from_secs(300);

/// A WebAuthn relying party: one rp id and the one origin allowed to use it.
#[derive(Debug, Clone)]
pub struct Relying {
    webauthn: Webauthn,
}

impl Relying {
    /// A relying party for `rp_id` (e.g. `"chat.example.com"` or `"localhost"`)
    /// shown to users as `rp_name`, accepting responses made on `origin`
    /// (e.g. `"https://chat.example.com"` or `"http://localhost:8080"`).
    ///
    /// `origin` must be `https`, or `http` on `localhost`, without a path,
    /// query or fragment, and `rp_id` must be its host or a parent domain of it.
    pub fn new(rp_id: &str, rp_name: &str, origin: &str) -> Result<Self, Error> {
        let url = Url::parse(origin)
            .map_err(|err| Error::InvalidConfig(format!("origin {origin:?}: {err}")))?;
        let secure = url.scheme() == "https"
            || (url.scheme() == "http" && url.host_str() == Some("localhost"));
        if !secure {
            return Err(Error::InvalidConfig(format!(
                "origin {origin:?} must be https (or http on localhost)"
            )));
        }
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            return Err(Error::InvalidConfig(format!(
                "origin {origin:?} must not have a path, query or fragment"
            )));
        }
        let webauthn = WebauthnBuilder::new(rp_id, &url)
            .map_err(|_| {
                Error::InvalidConfig(format!(
                    "rp id {rp_id:?} is not the host of origin {origin:?} or a parent domain of it"
                ))
            })?
            .rp_name(rp_name)
            .timeout(CEREMONY_TIMEOUT)
            .build()?;
        Ok(Self { webauthn })
    }

    /// Starts registering a new passkey for the user `user_id` (see
    /// [`crate::user_uuid`]). `existing` are the user's stored credential JSONs;
    /// they are listed in `excludeCredentials` so an authenticator already
    /// registered is not registered twice.
    ///
    /// Returns the options to send to the browser (a `CreationChallengeResponse`:
    /// `{"publicKey": {...}}`) and the state JSON to store server-side, once.
    pub fn start_registration(
        &self,
        user_id: [u8; 16],
        user_name: &str,
        display_name: &str,
        existing: &[String],
    ) -> Result<(serde_json::Value, String), Error> {
        let exclude = parse_credentials(existing)?
            .iter()
            .map(|passkey| passkey.cred_id().clone())
            .collect::<Vec<_>>();
        let exclude = (!exclude.is_empty()).then_some(exclude);
        let (options, state) = self.webauthn.start_passkey_registration(
            Uuid::from_bytes(user_id),
            user_name,
            display_name,
            exclude,
        )?;
        Ok((to_value(&options)?, to_stored(&state)?))
    }

    /// Finishes a registration: `state` is the stored state of the matching
    /// [`Relying::start_registration`] (delete it before calling), `response`
    /// the browser's `RegisterPublicKeyCredential`.
    ///
    /// Returns the credential id (base64url, unpadded) and the credential JSON
    /// to store. The caller must ensure the credential id is not already
    /// registered to any account (a unique index on it).
    pub fn finish_registration(
        &self,
        state: &str,
        response: &serde_json::Value,
    ) -> Result<(String, String), Error> {
        let state: PasskeyRegistration = from_stored(state, "registration state")?;
        let response: RegisterPublicKeyCredential = from_client(response)?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(&response, &state)?;
        Ok((
            URL_SAFE_NO_PAD.encode(passkey.cred_id()),
            to_stored(&passkey)?,
        ))
    }

    /// Starts authenticating with any of `credentials` (the user's stored
    /// credential JSONs, at least one).
    ///
    /// Returns the options to send to the browser (a `RequestChallengeResponse`:
    /// `{"publicKey": {...}}`) and the state JSON to store server-side, once.
    pub fn start_authentication(
        &self,
        credentials: &[String],
    ) -> Result<(serde_json::Value, String), Error> {
        let passkeys = parse_credentials(credentials)?;
        if passkeys.is_empty() {
            return Err(Error::Rejected("the user has no passkey".into()));
        }
        let (options, state) = self.webauthn.start_passkey_authentication(&passkeys)?;
        Ok((to_value(&options)?, to_stored(&state)?))
    }

    /// Verifies an assertion: `state` is the stored state of the matching
    /// [`Relying::start_authentication`] (delete it before calling), `response`
    /// the browser's `PublicKeyCredential`, `credentials` the user's credential
    /// JSONs as stored now.
    ///
    /// The credential used must still be among `credentials`, and when it
    /// keeps a signature counter the counter must have advanced past the stored
    /// one (else the assertion is a replay or comes from a cloned key).
    ///
    /// Returns the credential id (base64url, unpadded) and, when its counter or
    /// backup state changed, the updated credential JSON the caller must store.
    pub fn finish_authentication(
        &self,
        state: &str,
        response: &serde_json::Value,
        credentials: &[String],
    ) -> Result<(String, Option<String>), Error> {
        let state: PasskeyAuthentication = from_stored(state, "authentication state")?;
        let response: PublicKeyCredential = from_client(response)?;
        let stored = parse_credentials(credentials)?;
        let result = self
            .webauthn
            .finish_passkey_authentication(&response, &state)?;
        let credential_id = URL_SAFE_NO_PAD.encode(result.cred_id());
        let mut passkey = stored
            .into_iter()
            .find(|passkey| passkey.cred_id() == result.cred_id())
            .ok_or_else(|| Error::Rejected("the credential is no longer registered".into()))?;
        let stored_counter = Credential::from(passkey.clone()).counter;
        if (result.counter() > 0 || stored_counter > 0) && result.counter() <= stored_counter {
            return Err(Error::Rejected(format!(
                "signature counter {} did not advance past {stored_counter}: replayed or cloned",
                result.counter()
            )));
        }
        let updated = match passkey.update_credential(&result) {
            Some(true) => Some(to_stored(&passkey)?),
            _ => None,
        };
        Ok((credential_id, updated))
    }
}

/// Parses stored credential JSONs.
fn parse_credentials(credentials: &[String]) -> Result<Vec<Passkey>, Error> {
    credentials
        .iter()
        .map(|json| from_stored(json, "credential"))
        .collect()
}

/// Parses a server-side JSON string.
fn from_stored<T: DeserializeOwned>(json: &str, what: &str) -> Result<T, Error> {
    serde_json::from_str(json).map_err(|err| Error::Stored(format!("{what}: {err}")))
}

/// Parses a client response.
fn from_client<T: DeserializeOwned>(response: &serde_json::Value) -> Result<T, Error> {
    T::deserialize(response).map_err(|err| Error::InvalidResponse(err.to_string()))
}

/// Serialises a value to store server-side.
fn to_stored<T: Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|err| Error::Stored(err.to_string()))
}

/// Serialises a value to send to the browser.
fn to_value<T: Serialize>(value: &T) -> Result<serde_json::Value, Error> {
    serde_json::to_value(value).map_err(|err| Error::Stored(err.to_string()))
}
