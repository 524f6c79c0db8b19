//! Self-service password recovery (SPEC §2).

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::Value;
use testkit::{Backend, Resp, StatusCode, TestApp, json, link_token, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";
const NEW_PW: &str = "seven green kites at dawn";

/// The JSON "shape" of a value: keys and value types, not values.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::Null => json!("null"),
    }
}

fn masked_phone(s: &str) -> bool {
    s.len() == 11
        && s[..3].chars().all(|c| c.is_ascii_digit())
        && &s[3..7] == "****"
        && s[7..].chars().all(|c| c.is_ascii_digit())
}

fn masked_email(s: &str) -> bool {
    let (local, domain) = s.split_once('@').unwrap_or(("", ""));
    local.chars().count() == 4 && local.ends_with("***") && domain.contains('.')
}

/// An app without the 60 s cooldown, so a recovery can start right after registration.
async fn spawn(b: Backend) -> TestApp {
    TestApp::spawn_with(b, |c| c.codes.resend_interval_secs = 0).await
}

async fn start(app: &TestApp, identifier: &str, channel: Option<&str>) -> Resp {
    let mut body = json!({ "identifier": identifier });
    if let Some(c) = channel {
        body["channel"] = json!(c);
    }
    app.post("/api/v1/password-resets", body).await
}

async fn verify(app: &TestApp, id: &str, code: &str) -> Resp {
    app.post(
        &format!("/api/v1/password-resets/{id}/verify"),
        json!({ "code": code }),
    )
    .await
}

async fn resend(app: &TestApp, id: &str, channel: Option<&str>) -> Resp {
    let body = channel.map_or(json!({}), |c| json!({ "channel": c }));
    app.post(&format!("/api/v1/password-resets/{id}/resend"), body)
        .await
}

async fn complete(app: &TestApp, id: &str, token: &str, password: &str) -> Resp {
    app.post(
        &format!("/api/v1/password-resets/{id}/complete"),
        json!({ "reset_token": token, "new_password": password }),
    )
    .await
}

/// Starts a recovery, reads the code (the `nth` message to `destination`), verifies it; returns
/// (reset id, reset token).
async fn reset_token(
    app: &TestApp,
    identifier: &str,
    destination: &str,
    nth: usize,
) -> (String, String) {
    let r = start(app, identifier, None).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let id = r.str("reset_id");
    let code = app.code_sent_to(destination, nth).await;
    let v = verify(app, &id, &code).await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
    (id, v.str("reset_token"))
}

async fn reset_by_phone_ends_every_session_and_notifies(b: Backend) {
    let app = spawn(b).await;
    app.register("sms", "13812340001", "reset", PW).await;
    let t1 = app.token("13812340001", PW).await;
    let t2 = app.token("13812340001", PW).await;
    let r = start(&app, "138 1234 0001", None).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(r.str("channel"), "sms");
    assert_eq!(r.str("masked_destination"), "138****0001");
    assert_eq!(r.body["expires_in"], 600);
    assert_eq!(
        r.body["resend_after"],
        app.app().config.codes.resend_interval_secs
    );
    assert_eq!(r.body["alternatives"], json!(["email"]));
    let id = r.str("reset_id");
    let code = app.code_sent_to("+8613812340001", 2).await;
    let v = verify(&app, &id, &code).await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
    assert!(v.body["second_factor"].is_null());
    assert_eq!(v.body["expires_in"], 900);
    let token = v.str("reset_token");
    // The reset token opens nothing else.
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The policy applies to the new password, and a refusal keeps the token usable.
    let weak = complete(&app, &id, &token, "13812340001x").await;
    assert_eq!(
        (weak.status, weak.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "weak_password")
    );
    let same = complete(&app, &id, &token, PW).await;
    assert_eq!(same.code(), "weak_password");
    let done = complete(&app, &id, &token, NEW_PW).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{:?}", done.body);
    assert!(done.body.is_null(), "not logged in automatically");
    for t in [&t1, &t2] {
        assert_eq!(
            app.get("/api/v1/me", Some(t)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login("13812340001", PW).await.status,
        StatusCode::UNAUTHORIZED
    );
    let t3 = app.token("13812340001", NEW_PW).await;
    let notice = app.wait_for_messages("+8613812340001", 3).await;
    assert!(notice[0]["body"].as_str().unwrap().contains("重置"));
    assert!(notice[0]["code"].is_null());
    let events = app.get("/api/v1/me/security-events", Some(&t3)).await;
    let kinds: Vec<&str> = events.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"password_reset"), "{kinds:?}");
    // The token is spent.
    assert_eq!(
        complete(&app, &id, &token, "another long passphrase here")
            .await
            .status,
        StatusCode::GONE
    );
}

async fn reset_by_email_notifies_every_bound_channel(b: Backend) {
    let app = spawn(b).await;
    app.register("email", "both@example.com", "both", PW).await;
    // Give the account a phone too, through the bindings flow.
    let t = app.token("both@example.com", PW).await;
    let s = app
        .post_auth(
            "/api/v1/me/bindings/phone",
            &t,
            json!({"destination": "13812340002", "current_password": PW}),
        )
        .await;
    assert_eq!(s.status, StatusCode::ACCEPTED, "{:?}", s.body);
    let code = app.code_sent_to("+8613812340002", 1).await;
    let c = app
        .post_auth(
            "/api/v1/me/bindings/phone/confirm",
            &t,
            json!({"verification_id": s.str("verification_id"), "code": code}),
        )
        .await;
    assert_eq!(c.status, StatusCode::OK, "{:?}", c.body);
    // The phone got its code and "bound to your account"; the e-mail its registration code
    // and the notice of the new phone.
    app.wait_for_messages("+8613812340002", 2).await;
    app.wait_for_messages("both@example.com", 2).await;
    let (id, token) = reset_token(&app, "both@example.com", "both@example.com", 3).await;
    assert_eq!(
        complete(&app, &id, &token, NEW_PW).await.status,
        StatusCode::NO_CONTENT
    );
    let phone = app.wait_for_messages("+8613812340002", 3).await;
    let email = app.wait_for_messages("both@example.com", 4).await;
    assert!(phone[0]["body"].as_str().unwrap().contains("重置"));
    assert!(email[0]["body"].as_str().unwrap().contains("重置"));
    app.token("13812340002", NEW_PW).await;
}

async fn existing_and_unknown_identifiers_look_the_same(b: Backend) {
    let app = spawn(b).await;
    app.register("sms", "13812340003", "known", PW).await;
    let known = start(&app, "13812340003", None).await;
    let unknown = start(&app, "13812340004", None).await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(shape(&known.body), shape(&unknown.body));
    assert!(masked_phone(&known.str("masked_destination")));
    assert!(masked_phone(&unknown.str("masked_destination")));
    assert_eq!(known.body["alternatives"], unknown.body["alternatives"]);
    assert_eq!(known.body["expires_in"], unknown.body["expires_in"]);
    // Nothing is sent to an identifier without an account: its outbox row is a stand-in.
    assert!(app.messages_to("+8613812340004").await.is_empty());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE destination LIKE 'decoy:%' AND status <> 'suppressed'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'suppressed'")
            .await,
        1
    );
    // A switch to e-mail (neither account has one): same shape, plausible and stable masks.
    let (kid, uid) = (known.str("reset_id"), unknown.str("reset_id"));
    let known_mail = resend(&app, &kid, Some("email")).await;
    let unknown_mail = resend(&app, &uid, Some("email")).await;
    assert_eq!(known_mail.status, StatusCode::ACCEPTED);
    assert_eq!(known_mail.status, unknown_mail.status);
    assert_eq!(shape(&known_mail.body), shape(&unknown_mail.body));
    assert!(masked_email(&known_mail.str("masked_destination")));
    assert!(masked_email(&unknown_mail.str("masked_destination")));
    assert_eq!(unknown_mail.body["alternatives"], json!(["sms"]));
    let again = start(&app, "13812340004", Some("email")).await;
    assert_eq!(
        again.str("masked_destination"),
        unknown_mail.str("masked_destination")
    );
    // Wrong codes: the same answer and the same attempt count.
    let kv = verify(&app, &kid, "000000").await;
    let uv = verify(&app, &uid, "000000").await;
    assert_eq!(
        (kv.status, kv.code()),
        (StatusCode::BAD_REQUEST, "invalid_code")
    );
    assert_eq!((kv.status, &kv.body), (uv.status, &uv.body));
    // Completing without a token: the same answer.
    let kc = complete(&app, &kid, "not-a-token", NEW_PW).await;
    let uc = complete(&app, &uid, "not-a-token", NEW_PW).await;
    assert_eq!(kc.status, StatusCode::GONE);
    assert_eq!((kc.status, &kc.body), (uc.status, &uc.body));
    // The answers for an account with both channels look the same as well.
    app.register("email", "known@example.com", "k2", PW).await;
    let e_known = start(&app, "known@example.com", None).await;
    let e_unknown = start(&app, "unknown@example.com", None).await;
    assert_eq!(shape(&e_known.body), shape(&e_unknown.body));
    assert!(masked_email(&e_unknown.str("masked_destination")));
}

async fn concurrent_verify_and_complete_succeed_exactly_once(b: Backend) {
    let app = spawn(b).await;
    app.register("email", "race@example.com", "race", PW).await;
    let r = start(&app, "race@example.com", None).await;
    let id = r.str("reset_id");
    let code = app.code_sent_to("race@example.com", 2).await;
    let verifies = (0..100).map(|_| verify(&app, &id, &code));
    let results = futures::future::join_all(verifies).await;
    let tokens: Vec<&Resp> = results
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .collect();
    assert_eq!(tokens.len(), 1);
    assert!(
        results
            .iter()
            .filter(|r| r.status != StatusCode::OK)
            .all(|r| r.status == StatusCode::GONE)
    );
    let token = tokens[0].str("reset_token");
    let passwords: Vec<String> = (0..100).map(|i| format!("{NEW_PW} {i}")).collect();
    let completes = passwords.iter().map(|p| complete(&app, &id, &token, p));
    let results = futures::future::join_all(completes).await;
    let done: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status == StatusCode::NO_CONTENT)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(done.len(), 1);
    assert!(
        results
            .iter()
            .filter(|r| r.status != StatusCode::NO_CONTENT)
            .all(|r| r.status == StatusCode::GONE && r.code() == "reset_expired")
    );
    app.token("race@example.com", &format!("{NEW_PW} {}", done[0]))
        .await;
}

async fn five_wrong_codes_or_expiry_kill_the_code(b: Backend) {
    let app = spawn(b).await;
    app.register("sms", "13812340005", "wrong", PW).await;
    let r = start(&app, "13812340005", None).await;
    let id = r.str("reset_id");
    let code = app.code_sent_to("+8613812340005", 2).await;
    let wrong = if code == "111111" { "222222" } else { "111111" };
    for left in (0..5).rev() {
        let v = verify(&app, &id, wrong).await;
        assert_eq!(v.code(), "invalid_code");
        assert_eq!(v.body["attempts_left"], left);
    }
    let v = verify(&app, &id, &code).await;
    assert_eq!((v.status, v.code()), (StatusCode::GONE, "code_expired"));
    // A resend does not bring the attempts back, nor does a switch of channel.
    assert_eq!(
        resend(&app, &id, Some("email")).await.status,
        StatusCode::GONE
    );

    let app = TestApp::spawn_with(b, |c| {
        c.codes.ttl_secs = 1;
        c.codes.resend_interval_secs = 0;
    })
    .await;
    app.register("sms", "13812340006", "expiry", PW).await;
    let r = start(&app, "13812340006", None).await;
    let code = app.code_sent_to("+8613812340006", 2).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let v = verify(&app, &r.str("reset_id"), &code).await;
    assert_eq!((v.status, v.code()), (StatusCode::GONE, "code_expired"));
}

async fn resends_are_limited_and_the_newest_code_wins(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("email", "cool@example.com", "cool", PW).await;
    // The registration code went out just now; a recovery code may follow at once (the wait is
    // between codes of one purpose), but not a second one.
    let r = start(&app, "cool@example.com", None).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let again = start(&app, "cool@example.com", None).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=60).contains(&again.retry_after()));
    let r = start(&app, "13812349999", None).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let early = resend(&app, &r.str("reset_id"), None).await;
    assert_eq!(early.status, StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=60).contains(&early.retry_after()));

    let app = TestApp::spawn_with(b, |c| c.codes.resend_interval_secs = 0).await;
    app.register("sms", "13812340008", "burst", PW).await;
    let r = start(&app, "13812340008", None).await;
    let id = r.str("reset_id");
    let first_code = app.code_sent_to("+8613812340008", 2).await;
    // Registration used one send of the hour, the start another: three resends are left.
    for _ in 0..3 {
        assert_eq!(resend(&app, &id, None).await.status, StatusCode::ACCEPTED);
    }
    let burst = resend(&app, &id, None).await;
    assert_eq!(burst.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(burst.retry_after() >= 120, "{}", burst.retry_after());
    // Of the four codes sent for this recovery only the newest works. (Messages sent in the
    // same millisecond may list in either order, so every code is tried.)
    let messages = app.wait_for_messages("+8613812340008", 5).await;
    let codes: Vec<String> = messages
        .iter()
        .take(4)
        .map(|m| m["code"].as_str().unwrap().to_owned())
        .collect();
    let mut worked = 0;
    for code in &codes {
        let v = verify(&app, &id, code).await;
        match v.status {
            StatusCode::OK => worked += 1,
            _ => assert_eq!(v.code(), "invalid_code", "{:?}", v.body),
        }
        if worked == 1 {
            break;
        }
    }
    assert_eq!(worked, 1, "{codes:?}");
    assert!(codes.contains(&first_code));
}

async fn switching_to_email_and_back(b: Backend) {
    let app = spawn(b).await;
    app.register("email", "switch@example.com", "switch", PW)
        .await;
    let t = app.token("switch@example.com", PW).await;
    let s = app
        .post_auth(
            "/api/v1/me/bindings/phone",
            &t,
            json!({"destination": "13812340009", "current_password": PW}),
        )
        .await;
    let code = app.code_sent_to("+8613812340009", 1).await;
    app.post_auth(
        "/api/v1/me/bindings/phone/confirm",
        &t,
        json!({"verification_id": s.str("verification_id"), "code": code}),
    )
    .await;
    let r = start(&app, "switch@example.com", None).await;
    let id = r.str("reset_id");
    // Registration code, the notice about the new phone, then the recovery code.
    let email_code = app.code_sent_to("switch@example.com", 3).await;
    let wrong = if email_code == "123456" {
        "654321"
    } else {
        "123456"
    };
    assert_eq!(verify(&app, &id, wrong).await.body["attempts_left"], 4);
    let sms = resend(&app, &id, Some("sms")).await;
    assert_eq!(sms.status, StatusCode::ACCEPTED);
    assert_eq!(sms.str("channel"), "sms");
    assert_eq!(sms.str("masked_destination"), "138****0009");
    assert_eq!(sms.body["alternatives"], json!(["email"]));
    // The e-mail code no longer works; wrong attempts carried over.
    let old = verify(&app, &id, &email_code).await;
    assert_eq!(old.code(), "invalid_code");
    assert_eq!(old.body["attempts_left"], 3);
    let back = resend(&app, &id, Some("email")).await;
    assert_eq!(back.str("channel"), "email");
    let newest = app.code_sent_to("switch@example.com", 4).await;
    // The phone was bound minutes ago, but recovery goes through the e-mail: no hold.
    let v = verify(&app, &id, &newest).await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
}

async fn a_login_lock_never_blocks_recovery(b: Backend) {
    let app = TestApp::spawn_with(b, |c| {
        c.login.base_delay_ms = 0;
        c.codes.resend_interval_secs = 0;
    })
    .await;
    app.register("email", "locked@example.com", "locked", PW)
        .await;
    for _ in 0..11 {
        app.login("locked@example.com", "not the password").await;
    }
    assert_eq!(
        app.login("locked@example.com", PW).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let (id, token) = reset_token(&app, "locked@example.com", "locked@example.com", 3).await;
    assert_eq!(
        complete(&app, &id, &token, NEW_PW).await.status,
        StatusCode::NO_CONTENT
    );
    // The reset cleared the brute-force counters: the new password works at once.
    app.token("locked@example.com", NEW_PW).await;
    // Many recovery requests never lock the account.
    for _ in 0..3 {
        start(&app, "locked@example.com", None).await;
    }
    app.token("locked@example.com", NEW_PW).await;
}

async fn a_long_unused_phone_needs_the_email_code_too(b: Backend) {
    let app = spawn(b).await;
    app.register("sms", "13812340010", "old phone", PW).await;
    app.register("sms", "13812340011", "no email", PW).await;
    let t = app.token("13812340010", PW).await;
    let s = app
        .post_auth(
            "/api/v1/me/bindings/email",
            &t,
            json!({"destination": "old@example.com", "current_password": PW}),
        )
        .await;
    let code = app.code_sent_to("old@example.com", 1).await;
    app.post_auth(
        "/api/v1/me/bindings/email/confirm",
        &t,
        json!({"verification_id": s.str("verification_id"), "code": code}),
    )
    .await;
    // Confirm the new e-mail from the phone, so recovery through it is not on hold.
    let notice = app.wait_for_messages("+8613812340010", 2).await;
    let link = notice[0]["body"].as_str().unwrap();
    let token = link_token(link, "/bindings/confirm?token=");
    assert_eq!(
        app.post("/api/v1/bindings/confirm", json!({ "token": token }))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let year = 400i64 * 24 * 3600 * 1000;
    app.exec(&format!(
        "UPDATE accounts SET phone_used_at = phone_used_at - {year}, phone_verified_at = phone_verified_at - {year}"
    ))
    .await;
    let r = start(&app, "13812340010", None).await;
    let id = r.str("reset_id");
    let sms_code = app.code_sent_to("+8613812340010", 3).await;
    let more = verify(&app, &id, &sms_code).await;
    assert_eq!(more.status, StatusCode::ACCEPTED, "{:?}", more.body);
    assert_eq!(more.str("reason"), "recycled_number");
    assert_eq!(more.str("channel"), "email");
    assert_eq!(more.str("masked_destination"), "o***@example.com");
    // The SMS code alone gives no token: /complete cannot be reached.
    assert_eq!(
        complete(&app, &id, "anything", NEW_PW).await.status,
        StatusCode::GONE
    );
    let email_code = app.code_sent_to("old@example.com", 3).await;
    let v = verify(&app, &id, &email_code).await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
    assert_eq!(
        complete(&app, &id, &v.str("reset_token"), NEW_PW)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    // Without an e-mail the support desk is the way.
    let r = start(&app, "13812340011", None).await;
    let code = app.code_sent_to("+8613812340011", 2).await;
    let v = verify(&app, &r.str("reset_id"), &code).await;
    assert_eq!(
        (v.status, v.code()),
        (StatusCode::FORBIDDEN, "support_required")
    );
    // A recently used phone goes straight through.
    app.token("13812340010", NEW_PW).await;
    // Phone so far: registration code, notice of the new e-mail, recovery code, reset notice.
    app.wait_for_messages("+8613812340010", 4).await;
    let (id, token) = reset_token(&app, "13812340010", "+8613812340010", 5).await;
    assert_eq!(
        complete(&app, &id, &token, "third passphrase for this test")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

async fn bad_input_at_every_step_changes_nothing(b: Backend) {
    let app = spawn(b).await;
    app.register("email", "bad@example.com", "bad", PW).await;
    let cases = [
        ("/api/v1/password-resets", json!({})),
        ("/api/v1/password-resets", json!({"identifier": 12})),
        (
            "/api/v1/password-resets",
            json!({"identifier": "bad@example.com", "extra": 1}),
        ),
        (
            "/api/v1/password-resets",
            json!({"identifier": "bad@example.com", "channel": "fax"}),
        ),
        (
            "/api/v1/password-resets",
            json!({"identifier": "not an identifier"}),
        ),
    ];
    for (path, body) in cases {
        let r = app.post(path, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.body);
        assert!(!r.code().is_empty());
    }
    let r = start(&app, "bad@example.com", None).await;
    let id = r.str("reset_id");
    let code = app.code_sent_to("bad@example.com", 2).await;
    for (step, body) in [
        ("verify", json!({})),
        ("verify", json!({"code": 123456})),
        ("verify", json!({"code": code, "x": 1})),
        ("complete", json!({"reset_token": "t"})),
        ("complete", json!({"new_password": NEW_PW})),
        ("resend", json!({"channel": 3})),
        ("second-factor", json!({"reset_token": "t"})),
    ] {
        let r = app
            .post(
                &format!("/api/v1/password-resets/{id}/{step}"),
                body.clone(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{step} {body}: {:?}",
            r.body
        );
    }
    for step in ["verify", "complete", "resend"] {
        let r = app
            .post(
                &format!("/api/v1/password-resets/no-such-id/{step}"),
                json!({"code": "123456", "reset_token": "t", "new_password": NEW_PW}),
            )
            .await;
        assert!(r.status.is_client_error(), "{step}: {:?}", r.status);
        assert!(!r.code().is_empty());
    }
    // A token of another recovery does not complete this one.
    app.register("email", "other@example.com", "other", PW)
        .await;
    let (_, other_token) = reset_token(&app, "other@example.com", "other@example.com", 2).await;
    let v = verify(&app, &id, &code).await;
    assert_eq!(v.status, StatusCode::OK);
    let r = complete(&app, &id, &other_token, NEW_PW).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "reset_expired"));
    // Nothing changed: the old password still works everywhere.
    app.token("bad@example.com", PW).await;
    app.token("other@example.com", PW).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM password_resets WHERE completed_at IS NOT NULL")
            .await,
        0
    );
}

async fn second_factor_step_checks_the_token_and_method(b: Backend) {
    let app = spawn(b).await;
    app.register("email", "sf@example.com", "sf", PW).await;
    let (id, token) = reset_token(&app, "sf@example.com", "sf@example.com", 2).await;
    let path = format!("/api/v1/password-resets/{id}/second-factor");
    let r = app
        .post(
            &path,
            json!({"reset_token": token, "method": "totp", "code": "123456"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_method")
    );
    let r = app
        .post(
            &path,
            json!({"reset_token": "wrong", "method": "totp", "code": "123456"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::GONE);
    // The refused factor left the token as it was.
    assert_eq!(
        complete(&app, &id, &token, NEW_PW).await.status,
        StatusCode::NO_CONTENT
    );
}

on_both_backends!(
    reset_by_phone_ends_every_session_and_notifies,
    reset_by_email_notifies_every_bound_channel,
    existing_and_unknown_identifiers_look_the_same,
    concurrent_verify_and_complete_succeed_exactly_once,
    five_wrong_codes_or_expiry_kill_the_code,
    resends_are_limited_and_the_newest_code_wins,
    switching_to_email_and_back,
    a_login_lock_never_blocks_recovery,
    a_long_unused_phone_needs_the_email_code_too,
    bad_input_at_every_step_changes_nothing,
    second_factor_step_checks_the_token_and_method,
);
