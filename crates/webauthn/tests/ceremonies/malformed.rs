//! Malformed client JSON is `InvalidResponse`, never a panic; tampered but
//! well-formed data is `Rejected`; unreadable server-side data is `Stored`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use wangshang_webauthn::{Error, user_uuid};

use crate::common::{Device, ORIGIN, assert_rejected, enrol, relying};

fn b64(bytes: &[u8]) -> Value {
    URL_SAFE_NO_PAD.encode(bytes).into()
}

/// Copies `valid` with `pointer` (a JSON pointer) set to `value`, or removed
/// when `value` is `None`.
fn with(valid: &Value, pointer: &str, value: Option<Value>) -> Value {
    let mut out = valid.clone();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = out.pointer_mut(parent).unwrap().as_object_mut().unwrap();
    match value {
        Some(value) => parent.insert(key.to_owned(), value),
        None => parent.remove(key),
    };
    out
}

fn shapes(valid: &Value) -> Vec<Value> {
    vec![
        Value::Null,
        json!("a string"),
        json!([]),
        json!({}),
        with(valid, "/response", None),
        with(valid, "/response", Some(json!("x"))),
        with(valid, "/rawId", Some(json!(42))),
        with(valid, "/response/clientDataJSON", None),
        with(
            valid,
            "/response/clientDataJSON",
            Some(json!("not base64 !!")),
        ),
        with(valid, "/response/clientDataJSON", Some(b64(b"not json"))),
        with(valid, "/response/clientDataJSON", Some(b64(b"{}"))),
        with(valid, "/response/clientDataJSON", Some(b64(b""))),
    ]
}

fn assert_invalid(result: Result<impl std::fmt::Debug, Error>, case: &Value) {
    match result {
        Err(Error::InvalidResponse(_)) => {}
        other => panic!("{case}: expected InvalidResponse, got {other:?}"),
    }
}

#[test]
fn malformed_registration_responses_are_invalid() {
    let relying = relying();
    let (options, state) = relying
        .start_registration(user_uuid("acc-1"), "alice", "Alice", &[])
        .unwrap();
    let valid = Device::new().create(&options, ORIGIN);
    let mut cases = shapes(&valid);
    cases.extend([
        with(&valid, "/response/attestationObject", None),
        with(
            &valid,
            "/response/attestationObject",
            Some(b64(&[0xff, 0x00])),
        ),
        with(&valid, "/response/attestationObject", Some(b64(&[]))),
        with(&valid, "/response/attestationObject", Some(b64(&[0xa0]))),
    ]);
    for case in &cases {
        assert_invalid(relying.finish_registration(&state, case), case);
    }
    // The untouched response still registers: nothing above consumed anything.
    relying.finish_registration(&state, &valid).unwrap();
}

#[test]
fn malformed_assertions_are_invalid() {
    let mut enrolled = enrol();
    let stored = vec![enrolled.credential.clone()];
    let (options, state) = enrolled.relying.start_authentication(&stored).unwrap();
    let valid = enrolled.device.get(&options, ORIGIN);
    let mut cases = shapes(&valid);
    cases.extend([
        with(&valid, "/response/authenticatorData", None),
        with(&valid, "/response/authenticatorData", Some(b64(&[1, 2, 3]))),
        with(&valid, "/response/authenticatorData", Some(b64(&[]))),
        with(&valid, "/response/signature", None),
        with(&valid, "/response/signature", Some(json!("%%%"))),
        with(&valid, "/response/userHandle", Some(json!(7))),
    ]);
    for case in &cases {
        assert_invalid(
            enrolled
                .relying
                .finish_authentication(&state, case, &stored),
            case,
        );
    }
    enrolled
        .relying
        .finish_authentication(&state, &valid, &stored)
        .unwrap();
}

#[test]
fn tampered_signed_data_is_rejected() {
    let mut enrolled = enrol();
    let stored = vec![enrolled.credential.clone()];
    let (options, state) = enrolled.relying.start_authentication(&stored).unwrap();
    let valid = enrolled.device.get(&options, ORIGIN);

    let signature = valid["response"]["signature"].as_str().unwrap();
    let mut signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    let last = signature.len() - 1;
    signature[last] ^= 1;
    let bad_signature = with(&valid, "/response/signature", Some(b64(&signature)));

    let client_data = valid["response"]["clientDataJSON"].as_str().unwrap();
    let mut client_data: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(client_data).unwrap()).unwrap();
    client_data["crossOrigin"] = true.into();
    let client_data = serde_json::to_vec(&client_data).unwrap();
    let unsigned_client_data = with(&valid, "/response/clientDataJSON", Some(b64(&client_data)));

    for case in [bad_signature, unsigned_client_data] {
        assert_rejected(
            enrolled
                .relying
                .finish_authentication(&state, &case, &stored),
            "Authentication has failed",
        );
    }
}

#[test]
fn unreadable_server_side_data_is_stored_error() {
    let mut enrolled = enrol();
    let stored = vec![enrolled.credential.clone()];
    let (reg_options, reg_state) = enrolled
        .relying
        .start_registration(user_uuid("acc-1"), "alice", "Alice", &stored)
        .unwrap();
    let (options, auth_state) = enrolled.relying.start_authentication(&stored).unwrap();
    let assertion = enrolled.device.get(&options, ORIGIN);
    let attestation = Device::new().create(&reg_options, ORIGIN);
    let relying = &enrolled.relying;

    let results = [
        relying
            .finish_authentication(&reg_state, &assertion, &stored)
            .err(),
        relying
            .finish_authentication("{", &assertion, &stored)
            .err(),
        relying
            .finish_authentication(&auth_state, &assertion, &["null".to_owned()])
            .err(),
        relying.finish_registration(&auth_state, &attestation).err(),
        relying.start_authentication(&["{}".to_owned()]).err(),
        relying
            .start_registration(user_uuid("acc-1"), "a", "A", &["[]".to_owned()])
            .err(),
    ];
    for (i, result) in results.into_iter().enumerate() {
        assert!(
            matches!(result, Some(Error::Stored(_))),
            "case {i}: {result:?}"
        );
    }
}
