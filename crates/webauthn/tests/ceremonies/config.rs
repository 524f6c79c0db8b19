//! Relying party configuration and user handles.

use wangshang_webauthn::{Error, Relying, user_uuid};

use crate::common::Device;

#[test]
fn bad_configurations_are_refused() {
    for (rp_id, origin) in [
        ("chat.example.com", "https://evil.example"),
        ("chat.example.com", "https://notchat.example.com"),
        ("chat.example.com", "http://chat.example.com"),
        ("chat.example.com", "https://chat.example.com/login"),
        ("chat.example.com", "https://chat.example.com/?a=b"),
        ("chat.example.com", "not a url"),
        ("localhost", "http://127.0.0.1:8080"),
    ] {
        match Relying::new(rp_id, "Wangshang", origin) {
            Err(Error::InvalidConfig(_)) => {}
            other => panic!("{rp_id} on {origin}: {other:?}"),
        }
    }
}

#[test]
fn parent_domains_and_trailing_slashes_are_accepted() {
    Relying::new("example.com", "Wangshang", "https://chat.example.com").unwrap();
    Relying::new("chat.example.com", "Wangshang", "https://chat.example.com/").unwrap();
    Relying::new(
        "chat.example.com",
        "Wangshang",
        "https://chat.example.com:8443",
    )
    .unwrap();
}

#[test]
fn localhost_over_http_works_end_to_end() {
    let origin = "http://localhost:8080";
    let relying = Relying::new("localhost", "Wangshang dev", origin).unwrap();
    let mut device = Device::new();
    let (options, state) = relying
        .start_registration(user_uuid("acc-1"), "alice", "Alice", &[])
        .unwrap();
    let response = device.create(&options, origin);
    let (id, credential) = relying.finish_registration(&state, &response).unwrap();
    let stored = vec![credential];
    let (options, state) = relying.start_authentication(&stored).unwrap();
    let response = device.get(&options, origin);
    let (same, _) = relying
        .finish_authentication(&state, &response, &stored)
        .unwrap();
    assert_eq!(same, id);
}

#[test]
fn user_handles_are_stable_and_distinct() {
    assert_eq!(user_uuid("acc-1"), user_uuid("acc-1"));
    assert_ne!(user_uuid("acc-1"), user_uuid("acc-2"));
    assert_ne!(user_uuid(""), [0; 16]);
}

#[test]
fn a_relying_party_can_be_shared_between_tasks() {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    shareable::<Relying>();
}
