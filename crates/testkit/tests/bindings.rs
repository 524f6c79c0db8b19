//! Bindings (SPEC §3): view, bind, change, remove, the notice to the old destination with its
//! cancel and confirm links, and the hold on recovery through a newly bound channel.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::{Backend, Resp, StatusCode, TestApp, json, link_token, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";

async fn spawn(b: Backend) -> TestApp {
    TestApp::spawn_with(b, |c| c.codes.resend_interval_secs = 0).await
}

async fn bind(app: &TestApp, token: &str, kind: &str, destination: &str) -> Resp {
    app.post_auth(
        &format!("/api/v1/me/bindings/{kind}"),
        token,
        json!({"destination": destination, "current_password": PW}),
    )
    .await
}

async fn confirm(
    app: &TestApp,
    token: &str,
    kind: &str,
    verification_id: &str,
    code: &str,
) -> Resp {
    app.post_auth(
        &format!("/api/v1/me/bindings/{kind}/confirm"),
        token,
        json!({"verification_id": verification_id, "code": code}),
    )
    .await
}

/// Binds `destination` through the whole flow; its code is the `nth` message it receives.
async fn bind_fully(
    app: &TestApp,
    token: &str,
    kind: &str,
    destination: &str,
    stored: &str,
    nth: usize,
) -> Resp {
    let s = bind(app, token, kind, destination).await;
    assert_eq!(s.status, StatusCode::ACCEPTED, "{:?}", s.body);
    let code = app.code_sent_to(stored, nth).await;
    let c = confirm(app, token, kind, &s.str("verification_id"), &code).await;
    assert_eq!(c.status, StatusCode::OK, "{:?}", c.body);
    c
}

async fn bind_change_and_cancel_from_the_old_phone(b: Backend) {
    let app = TestApp::spawn_with(b, |c| {
        c.codes.resend_interval_secs = 0;
        c.public_url = "https://chat.example.com/".into();
    })
    .await;
    app.register("sms", "13912340001", "binder", PW).await;
    let t = app.token("13912340001", PW).await;
    let view = app.get("/api/v1/me/bindings", Some(&t)).await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.body["phone"]["masked"], "139****0001");
    assert!(view.body["phone"]["verified_at"].is_string());
    assert!(view.body["email"].is_null());
    // Re-authentication first.
    let wrong = app
        .post_auth(
            "/api/v1/me/bindings/email",
            &t,
            json!({"destination": "b@example.com", "current_password": "not it at all"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let added = bind_fully(&app, &t, "email", "b@example.com", "b@example.com", 1).await;
    assert_eq!(added.body["email"]["masked"], "b***@example.com");
    // A first e-mail is announced on the phone.
    let phone = app.wait_for_messages("+8613912340001", 2).await;
    assert!(
        phone[0]["body"]
            .as_str()
            .unwrap()
            .contains("/bindings/cancel?token=")
    );
    // Change the phone: the code goes to the new number, the old one is told.
    let changed = bind_fully(&app, &t, "phone", "13912340002", "+8613912340002", 1).await;
    assert_eq!(changed.body["phone"]["masked"], "139****0002");
    let old = app.wait_for_messages("+8613912340001", 3).await;
    let body = old[0]["body"].as_str().unwrap();
    assert!(
        body.contains("139****0001") && body.contains("139****0002"),
        "{body}"
    );
    assert!(body.starts_with("【旺商聊】"));
    assert!(
        body.contains("https://chat.example.com/bindings/cancel?token="),
        "links use public_url: {body}"
    );
    let cancel = link_token(body, "/bindings/cancel?token=");
    let r = app
        .post("/api/v1/bindings/cancel", json!({ "token": cancel }))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    // The old phone is back, every session ended, and the link is spent.
    assert_eq!(
        app.get("/api/v1/me", Some(&t)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let t2 = app.token("13912340001", PW).await;
    let view = app.get("/api/v1/me/bindings", Some(&t2)).await;
    assert_eq!(view.body["phone"]["masked"], "139****0001");
    assert_eq!(
        app.login("13912340002", PW).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .post("/api/v1/bindings/cancel", json!({ "token": cancel }))
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::GONE, "link_expired")
    );
    let kinds = app.get("/api/v1/me/security-events", Some(&t2)).await;
    let kinds: Vec<String> = kinds.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(kinds.contains(&"binding_changed".to_owned()));
    assert!(kinds.contains(&"binding_change_cancelled".to_owned()));
}

async fn the_last_channel_cannot_be_removed(b: Backend) {
    let app = spawn(b).await;
    app.register("sms", "13912340003", "last", PW).await;
    let t = app.token("13912340003", PW).await;
    let remove = |kind: &'static str| {
        let app = &app;
        let t = t.clone();
        async move {
            app.delete_json(
                &format!("/api/v1/me/bindings/{kind}"),
                &t,
                json!({"current_password": PW}),
            )
            .await
        }
    };
    let r = remove("phone").await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "last_channel"));
    assert_eq!(remove("email").await.status, StatusCode::NOT_FOUND);
    bind_fully(&app, &t, "email", "last@example.com", "last@example.com", 1).await;
    assert_eq!(remove("phone").await.status, StatusCode::NO_CONTENT);
    let r = remove("email").await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "last_channel"));
    // The removed phone no longer logs in; the e-mail does.
    assert_eq!(
        app.login("13912340003", PW).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.token("last@example.com", PW).await;
    let wrong = app
        .delete_json(
            "/api/v1/me/bindings/email",
            &app.token("last@example.com", PW).await,
            json!({"current_password": "nope nope nope"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
}

async fn a_taken_destination_looks_free_and_cannot_be_bound(b: Backend) {
    let app = spawn(b).await;
    app.register("sms", "13912340004", "owner", PW).await;
    app.register("email", "other@example.com", "other", PW)
        .await;
    let t = app.token("other@example.com", PW).await;
    let taken = bind(&app, &t, "phone", "13912340004").await;
    let free = bind(&app, &t, "phone", "13912340005").await;
    assert_eq!(taken.status, StatusCode::ACCEPTED);
    assert_eq!(taken.status, free.status);
    let keys = |r: &Resp| {
        let mut k: Vec<String> = r.body.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&taken), keys(&free));
    // The owner is told, without a code; no code confirms the binding.
    let notice = app.wait_for_messages("+8613912340004", 2).await;
    assert!(notice[0]["code"].is_null());
    assert!(notice[0]["body"].as_str().unwrap().contains("另一个账号"));
    let vid = taken.str("verification_id");
    for code in ["000000", "123456"] {
        let r = confirm(&app, &t, "phone", &vid, code).await;
        assert_eq!(r.code(), "invalid_code");
    }
    // Someone else's verification is not found.
    let owner = app.token("13912340004", PW).await;
    let r = confirm(
        &app,
        &owner,
        "phone",
        &free.str("verification_id"),
        "000000",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE phone = '+8613912340004'")
            .await,
        1
    );
}

async fn recovery_through_a_new_binding_waits_unless_confirmed(b: Backend) {
    let app = spawn(b).await;
    app.register("sms", "13912340006", "held", PW).await;
    let t = app.token("13912340006", PW).await;
    bind_fully(&app, &t, "email", "held@example.com", "held@example.com", 1).await;
    let r = app
        .post(
            "/api/v1/password-resets",
            json!({"identifier": "held@example.com"}),
        )
        .await;
    let id = r.str("reset_id");
    // Bind code, "bound to your account", then the recovery code.
    let code = app.code_sent_to("held@example.com", 3).await;
    let v = app
        .post(
            &format!("/api/v1/password-resets/{id}/verify"),
            json!({ "code": code }),
        )
        .await;
    assert_eq!(
        (v.status, v.code()),
        (StatusCode::FORBIDDEN, "channel_on_hold"),
        "{:?}",
        v.body
    );
    assert!(v.body["until"].is_string());
    assert_eq!(v.body["alternatives"], json!(["sms"]));
    // The old phone confirms the change: the hold ends, the same code now works.
    let notice = app.wait_for_messages("+8613912340006", 2).await;
    let confirm_token = link_token(
        notice[0]["body"].as_str().unwrap(),
        "/bindings/confirm?token=",
    );
    let c = app
        .post(
            "/api/v1/bindings/confirm",
            json!({ "token": confirm_token }),
        )
        .await;
    assert_eq!(c.status, StatusCode::NO_CONTENT);
    let v = app
        .post(
            &format!("/api/v1/password-resets/{id}/verify"),
            json!({ "code": code }),
        )
        .await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
    // A confirmed change can no longer be cancelled.
    let cancel = link_token(
        notice[0]["body"].as_str().unwrap(),
        "/bindings/cancel?token=",
    );
    let r = app
        .post("/api/v1/bindings/cancel", json!({ "token": cancel }))
        .await;
    assert_eq!(r.status, StatusCode::GONE);
    // The hold ends by itself after 72 h.
    bind_fully(&app, &t, "phone", "13912340007", "+8613912340007", 1).await;
    let r = app
        .post(
            "/api/v1/password-resets",
            json!({"identifier": "13912340007"}),
        )
        .await;
    let id = r.str("reset_id");
    let code = app.code_sent_to("+8613912340007", 3).await;
    let held = app
        .post(
            &format!("/api/v1/password-resets/{id}/verify"),
            json!({ "code": code }),
        )
        .await;
    assert_eq!(held.code(), "channel_on_hold");
    app.exec("UPDATE binding_changes SET at = at - 73 * 3600 * 1000")
        .await;
    let v = app
        .post(
            &format!("/api/v1/password-resets/{id}/verify"),
            json!({ "code": code }),
        )
        .await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
}

async fn bad_binding_input_changes_nothing(b: Backend) {
    let app = spawn(b).await;
    app.register("email", "badbind@example.com", "bb", PW).await;
    let t = app.token("badbind@example.com", PW).await;
    for (path, body) in [
        ("/api/v1/me/bindings/phone", json!({})),
        (
            "/api/v1/me/bindings/phone",
            json!({"destination": "12", "current_password": PW}),
        ),
        (
            "/api/v1/me/bindings/phone",
            json!({"destination": 139, "current_password": PW}),
        ),
        (
            "/api/v1/me/bindings/email",
            json!({"destination": "badbind@example.com", "current_password": PW}),
        ),
        (
            "/api/v1/me/bindings/phone/confirm",
            json!({"verification_id": "x"}),
        ),
        ("/api/v1/bindings/cancel", json!({})),
    ] {
        let r = app.post_auth(path, &t, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{path} {body}: {:?}",
            r.body
        );
    }
    let r = app
        .post_auth(
            "/api/v1/me/bindings/fax",
            &t,
            json!({"destination": "x", "current_password": PW}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post("/api/v1/bindings/cancel", json!({"token": "forged"}))
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "link_expired"));
    let r = app.get("/api/v1/me/bindings", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM binding_changes").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE phone IS NOT NULL")
            .await,
        0
    );
}

on_both_backends!(
    bind_change_and_cancel_from_the_old_phone,
    the_last_channel_cannot_be_removed,
    a_taken_destination_looks_free_and_cannot_be_bound,
    recovery_through_a_new_binding_waits_unless_confirmed,
    bad_binding_input_changes_nothing,
);
