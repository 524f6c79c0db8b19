//! Responses shaped as a browser's `PublicKeyCredential.toJSON()` produces
//! them (extra members, `clientExtensionResults`) are accepted.

use serde_json::{Value, json};
use wangshang_webauthn::user_uuid;

use crate::common::{Device, ORIGIN, enrol, relying};

/// Adds the members `toJSON()` has and the software device does not.
fn as_browser_json(mut response: Value, extensions: Value, extra: Value) -> Value {
    let object = response.as_object_mut().unwrap();
    object.remove("extensions");
    object.insert("clientExtensionResults".into(), extensions);
    object.insert("authenticatorAttachment".into(), "platform".into());
    let inner = object["response"].as_object_mut().unwrap();
    for (key, value) in extra.as_object().unwrap() {
        inner.insert(key.clone(), value.clone());
    }
    response
}

#[test]
fn registration_to_json_is_accepted() {
    let relying = relying();
    let (options, state) = relying
        .start_registration(user_uuid("acc-1"), "alice", "Alice", &[])
        .unwrap();
    let response = Device::new().create(&options, ORIGIN);
    let response = as_browser_json(
        response,
        json!({"credProps": {"rk": true}}),
        json!({
            "transports": ["internal", "hybrid"],
            "publicKeyAlgorithm": -7,
            "publicKey": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
            "authenticatorData": "AAAA",
        }),
    );
    relying.finish_registration(&state, &response).unwrap();
}

#[test]
fn assertion_to_json_is_accepted() {
    let mut enrolled = enrol();
    let stored = vec![enrolled.credential.clone()];
    let (options, state) = enrolled.relying.start_authentication(&stored).unwrap();
    let response = enrolled.device.get(&options, ORIGIN);
    let response = as_browser_json(response, json!({}), json!({}));
    enrolled
        .relying
        .finish_authentication(&state, &response, &stored)
        .unwrap();
}
