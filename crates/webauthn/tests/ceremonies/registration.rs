//! Registration: origin, challenge and excluded credentials.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use wangshang_webauthn::user_uuid;

use crate::common::{Device, EVIL_ORIGIN, ORIGIN, assert_rejected, enrol, phished, relying};

#[test]
fn registration_returns_the_browsers_credential_id() {
    let relying = relying();
    let mut device = Device::new();
    let (options, state) = relying
        .start_registration(user_uuid("acc-1"), "alice", "Alice", &[])
        .unwrap();
    let public_key = &options["publicKey"];
    assert_eq!(public_key["rp"]["id"], "chat.example.com");
    assert_eq!(public_key["rp"]["name"], "Wangshang");
    assert_eq!(public_key["user"]["name"], "alice");
    assert_eq!(
        public_key["user"]["id"],
        URL_SAFE_NO_PAD.encode(user_uuid("acc-1")).as_str()
    );
    assert_eq!(
        public_key["authenticatorSelection"]["userVerification"],
        "required"
    );
    let response = device.create(&options, ORIGIN);
    let (credential_id, credential) = relying.finish_registration(&state, &response).unwrap();
    assert_eq!(response["id"], credential_id.as_str());
    assert_eq!(response["rawId"], credential_id.as_str());
    serde_json::from_str::<serde_json::Value>(&credential).unwrap();
}

#[test]
fn another_origin_is_rejected() {
    let relying = relying();
    let mut device = Device::new();
    let (options, state) = relying
        .start_registration(user_uuid("acc-1"), "alice", "Alice", &[])
        .unwrap();
    let response = device.create_unchecked(&options, EVIL_ORIGIN);
    assert_rejected(
        relying.finish_registration(&state, &response),
        "relying party origin does not match",
    );
}

#[test]
fn a_phishing_page_relaying_the_options_is_rejected() {
    let relying = relying();
    let mut device = Device::new();
    let (options, state) = relying
        .start_registration(user_uuid("acc-1"), "alice", "Alice", &[])
        .unwrap();
    let response = device.create(&phished(&options), EVIL_ORIGIN);
    assert_rejected(
        relying.finish_registration(&state, &response),
        "relying party origin does not match",
    );
}

#[test]
fn a_signature_for_another_rp_id_is_rejected() {
    let relying = relying();
    let mut device = Device::new();
    let (options, state) = relying
        .start_registration(user_uuid("acc-1"), "alice", "Alice", &[])
        .unwrap();
    let response = device.create_unchecked(&phished(&options), ORIGIN);
    assert_rejected(
        relying.finish_registration(&state, &response),
        "relying party id hash does not match",
    );
}

#[test]
fn a_response_to_another_challenge_is_rejected() {
    let relying = relying();
    let mut device = Device::new();
    let (options, _state) = relying
        .start_registration(user_uuid("acc-1"), "alice", "Alice", &[])
        .unwrap();
    let (_, other_state) = relying
        .start_registration(user_uuid("acc-1"), "alice", "Alice", &[])
        .unwrap();
    let response = device.create(&options, ORIGIN);
    assert_rejected(
        relying.finish_registration(&other_state, &response),
        "challenge differs",
    );
}

#[test]
fn existing_credentials_are_excluded() {
    let first = enrol();
    let (options, state) = first
        .relying
        .start_registration(
            user_uuid("acc-1"),
            "alice",
            "Alice",
            std::slice::from_ref(&first.credential),
        )
        .unwrap();
    let excluded = options["publicKey"]["excludeCredentials"]
        .as_array()
        .unwrap();
    assert_eq!(excluded.len(), 1);
    assert_eq!(excluded[0]["id"], first.credential_id.as_str());
    assert_eq!(excluded[0]["type"], "public-key");

    // A second authenticator still registers, with another id.
    let response = Device::new().create(&options, ORIGIN);
    let (second_id, _) = first
        .relying
        .finish_registration(&state, &response)
        .unwrap();
    assert_ne!(second_id, first.credential_id);
}

#[test]
fn no_existing_credentials_lists_none() {
    let (options, _) = relying()
        .start_registration(user_uuid("acc-1"), "alice", "Alice", &[])
        .unwrap();
    let excluded = &options["publicKey"]["excludeCredentials"];
    assert!(
        excluded.is_null() || excluded.as_array().is_some_and(Vec::is_empty),
        "{excluded}"
    );
}
