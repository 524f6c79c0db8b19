//! A relying party and a software passkey device that answers its options.

use serde_json::Value;
use wangshang_webauthn::{Error, Relying, user_uuid};
use webauthn_authenticator_rs::prelude::Url;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::{AuthenticatorBackend, WebauthnAuthenticator};
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};

pub const RP_ID: &str = "chat.example.com";
pub const ORIGIN: &str = "https://chat.example.com";
pub const EVIL_ORIGIN: &str = "https://evil.example";

/// The relying party under test.
pub fn relying() -> Relying {
    Relying::new(RP_ID, "Wangshang", ORIGIN).unwrap()
}

/// A software passkey that claims user verification, as a platform
/// authenticator with a PIN or biometric would.
pub struct Device {
    key: SoftPasskey,
}

impl Device {
    pub fn new() -> Self {
        Self {
            key: SoftPasskey::new(true),
        }
    }

    /// `navigator.credentials.create()` on `origin`, with the browser's checks
    /// (the rp id must match the origin).
    pub fn create(&mut self, options: &Value, origin: &str) -> Value {
        let options: CreationChallengeResponse = serde_json::from_value(options.clone()).unwrap();
        let response = self
            .key
            .do_registration(Url::parse(origin).unwrap(), options)
            .unwrap();
        serde_json::to_value(response).unwrap()
    }

    /// `navigator.credentials.get()` on `origin`, with the browser's checks.
    pub fn get(&mut self, options: &Value, origin: &str) -> Value {
        let options: RequestChallengeResponse = serde_json::from_value(options.clone()).unwrap();
        let response = self
            .key
            .do_authentication(Url::parse(origin).unwrap(), options)
            .unwrap();
        serde_json::to_value(response).unwrap()
    }

    /// A lying (or compromised) client: the authenticator signs for our rp id
    /// but the client data names `origin`, skipping the browser's checks.
    pub fn create_unchecked(&mut self, options: &Value, origin: &str) -> Value {
        let options: CreationChallengeResponse = serde_json::from_value(options.clone()).unwrap();
        let response = AuthenticatorBackend::perform_register(
            &mut self.key,
            Url::parse(origin).unwrap(),
            options.public_key,
            60_000,
        )
        .unwrap();
        serde_json::to_value(response).unwrap()
    }

    /// A lying client for `navigator.credentials.get()`, as in
    /// [`Device::create_unchecked`].
    pub fn get_unchecked(&mut self, options: &Value, origin: &str) -> Value {
        let options: RequestChallengeResponse = serde_json::from_value(options.clone()).unwrap();
        let response = AuthenticatorBackend::perform_auth(
            &mut self.key,
            Url::parse(origin).unwrap(),
            options.public_key,
            60_000,
        )
        .unwrap();
        serde_json::to_value(response).unwrap()
    }
}

/// A phishing page on `https://evil.example` relaying our options: the browser
/// forces the rp id to the phishing page's domain.
pub fn phished(options: &Value) -> Value {
    let mut options = options.clone();
    let public_key = options.get_mut("publicKey").unwrap();
    if let Some(rp) = public_key.get_mut("rp") {
        rp["id"] = "evil.example".into();
    } else {
        public_key["rpId"] = "evil.example".into();
    }
    options
}

/// A registered device: the relying party, the device, and its stored
/// credential (id, JSON).
pub struct Enrolled {
    pub relying: Relying,
    pub device: Device,
    pub credential_id: String,
    pub credential: String,
}

/// Registers a fresh device for account "acc-1".
pub fn enrol() -> Enrolled {
    let relying = relying();
    let mut device = Device::new();
    let (options, state) = relying
        .start_registration(user_uuid("acc-1"), "alice", "Alice", &[])
        .unwrap();
    let response = device.create(&options, ORIGIN);
    let (credential_id, credential) = relying.finish_registration(&state, &response).unwrap();
    Enrolled {
        relying,
        device,
        credential_id,
        credential,
    }
}

/// Asserts `result` is `Rejected` with a message containing `because`.
pub fn assert_rejected<T: std::fmt::Debug>(result: Result<T, Error>, because: &str) {
    match result {
        Err(Error::Rejected(message)) if message.contains(because) => {}
        other => panic!("expected Rejected({because:?}), got {other:?}"),
    }
}
