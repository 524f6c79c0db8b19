//! Authentication: end to end, origin, challenge, replay and stale counters.

use crate::common::{EVIL_ORIGIN, ORIGIN, assert_rejected, enrol, phished};

#[test]
fn registration_then_authentication_twice() {
    let mut enrolled = enrol();
    let relying = &enrolled.relying;
    let stored = vec![enrolled.credential.clone()];

    let (options, state) = relying.start_authentication(&stored).unwrap();
    let allowed = options["publicKey"]["allowCredentials"].as_array().unwrap();
    assert_eq!(allowed[0]["id"], enrolled.credential_id.as_str());
    assert_eq!(options["publicKey"]["userVerification"], "required");
    let response = enrolled.device.get(&options, ORIGIN);
    let (id, updated) = relying
        .finish_authentication(&state, &response, &stored)
        .unwrap();
    assert_eq!(id, enrolled.credential_id);
    let updated = updated.expect("the counter advanced, so the credential changed");
    assert_ne!(updated, enrolled.credential);

    let stored = vec![updated];
    let (options, state) = relying.start_authentication(&stored).unwrap();
    let response = enrolled.device.get(&options, ORIGIN);
    let (id, again) = relying
        .finish_authentication(&state, &response, &stored)
        .unwrap();
    assert_eq!(id, enrolled.credential_id);
    assert!(again.is_some(), "the counter advanced again");
}

#[test]
fn another_origin_is_rejected() {
    let mut enrolled = enrol();
    let stored = vec![enrolled.credential.clone()];
    let (options, state) = enrolled.relying.start_authentication(&stored).unwrap();
    let response = enrolled.device.get_unchecked(&options, EVIL_ORIGIN);
    assert_rejected(
        enrolled
            .relying
            .finish_authentication(&state, &response, &stored),
        "relying party origin does not match",
    );
}

#[test]
fn a_phishing_page_relaying_the_options_gets_nothing() {
    let mut enrolled = enrol();
    let stored = vec![enrolled.credential.clone()];
    let (options, state) = enrolled.relying.start_authentication(&stored).unwrap();
    let response = enrolled
        .device
        .get_unchecked(&phished(&options), EVIL_ORIGIN);
    assert_rejected(
        enrolled
            .relying
            .finish_authentication(&state, &response, &stored),
        "relying party origin does not match",
    );
}

#[test]
fn a_signature_for_another_rp_id_is_rejected() {
    let mut enrolled = enrol();
    let stored = vec![enrolled.credential.clone()];
    let (options, state) = enrolled.relying.start_authentication(&stored).unwrap();
    let response = enrolled.device.get_unchecked(&phished(&options), ORIGIN);
    assert_rejected(
        enrolled
            .relying
            .finish_authentication(&state, &response, &stored),
        "relying party id hash does not match",
    );
}

#[test]
fn a_response_to_another_challenge_is_rejected() {
    let mut enrolled = enrol();
    let stored = vec![enrolled.credential.clone()];
    let (options, _state) = enrolled.relying.start_authentication(&stored).unwrap();
    let (_, other_state) = enrolled.relying.start_authentication(&stored).unwrap();
    let response = enrolled.device.get(&options, ORIGIN);
    assert_rejected(
        enrolled
            .relying
            .finish_authentication(&other_state, &response, &stored),
        "challenge differs",
    );
}

#[test]
fn a_replayed_assertion_is_rejected_once_the_update_is_stored() {
    let mut enrolled = enrol();
    let stored = vec![enrolled.credential.clone()];
    let (options, state) = enrolled.relying.start_authentication(&stored).unwrap();
    let response = enrolled.device.get(&options, ORIGIN);
    let (_, updated) = enrolled
        .relying
        .finish_authentication(&state, &response, &stored)
        .unwrap();
    let stored = vec![updated.unwrap()];

    // The same response against the same state (a state row that was not
    // deleted on use) ...
    assert_rejected(
        enrolled
            .relying
            .finish_authentication(&state, &response, &stored),
        "did not advance",
    );

    // ... or against a fresh challenge.
    let (_, fresh_state) = enrolled.relying.start_authentication(&stored).unwrap();
    assert_rejected(
        enrolled
            .relying
            .finish_authentication(&fresh_state, &response, &stored),
        "challenge differs",
    );
}

#[test]
fn a_stale_counter_is_rejected() {
    let mut enrolled = enrol();
    let stored = vec![enrolled.credential.clone()];
    // Two ceremonies in flight; the device answers both (counters 1 then 2).
    let (options_1, state_1) = enrolled.relying.start_authentication(&stored).unwrap();
    let (options_2, state_2) = enrolled.relying.start_authentication(&stored).unwrap();
    let older = enrolled.device.get(&options_1, ORIGIN);
    let newer = enrolled.device.get(&options_2, ORIGIN);

    let (_, updated) = enrolled
        .relying
        .finish_authentication(&state_2, &newer, &stored)
        .unwrap();
    let stored = vec![updated.unwrap()];
    // The older assertion is otherwise valid for its own challenge, but its
    // counter is behind the stored one: a clone or a replay.
    assert_rejected(
        enrolled
            .relying
            .finish_authentication(&state_1, &older, &stored),
        "did not advance",
    );
}

#[test]
fn a_credential_removed_since_the_start_is_rejected() {
    let mut enrolled = enrol();
    let stored = vec![enrolled.credential.clone()];
    let (options, state) = enrolled.relying.start_authentication(&stored).unwrap();
    let response = enrolled.device.get(&options, ORIGIN);
    assert_rejected(
        enrolled
            .relying
            .finish_authentication(&state, &response, &[]),
        "no longer registered",
    );
}

#[test]
fn no_credentials_cannot_start() {
    let enrolled = enrol();
    assert_rejected(enrolled.relying.start_authentication(&[]), "no passkey");
}
