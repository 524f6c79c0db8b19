//! Login, brute force, sessions and security events.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use testkit::{Backend, StatusCode, TestApp, json, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";

async fn wrong_password_and_unknown_account_look_the_same(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("email", "known@example.com", "known", PW)
        .await;
    let wrong = app.login("known@example.com", "wrong password here").await;
    let unknown = app.login("nobody@example.com", "wrong password here").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown.body));
    assert_eq!(wrong.code(), "invalid_credentials");
    let bad_phone = app.login("12", "x").await;
    assert_eq!(
        (bad_phone.status, bad_phone.code()),
        (StatusCode::BAD_REQUEST, "invalid_identifier")
    );
}

async fn eleven_bad_logins_lock_without_revealing_the_account(b: Backend) {
    let app = TestApp::spawn_with(b, |c| {
        c.login.base_delay_ms = 0;
        c.login.lock_secs = 2;
    })
    .await;
    app.register("sms", "13500000005", "lock", PW).await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..11 {
        known.push(app.login("13500000005", "not the password").await);
        unknown.push(app.login("13500000006", "not the password").await);
    }
    for (k, u) in known.iter().zip(&unknown) {
        assert_eq!(k.status, u.status);
        assert_eq!(k.code(), u.code());
        assert_eq!(
            k.body["retry_after"].is_null(),
            u.body["retry_after"].is_null()
        );
    }
    assert!(
        known[..10]
            .iter()
            .all(|r| r.status == StatusCode::UNAUTHORIZED)
    );
    assert_eq!(known[10].status, StatusCode::TOO_MANY_REQUESTS);
    assert!(known[10].headers.contains_key("retry-after"));
    // Locked: even the right password is refused now.
    assert_eq!(
        app.login("13500000005", PW).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The owner was notified.
    let msgs = app.wait_for_messages("13500000005", 2).await;
    assert!(
        msgs[0]["body"].as_str().unwrap().contains("锁定"),
        "{msgs:?}"
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let t = app.token("13500000005", PW).await;
    let ev = app
        .get("/api/v1/me/security-events?limit=50", Some(&t))
        .await;
    let kinds: Vec<&str> = ev.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"account_locked") && kinds.contains(&"login_failed"),
        "{kinds:?}"
    );
    let failed = ev.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "login_failed")
        .unwrap();
    assert_eq!(failed["flags"], json!(["failed"]));
}

async fn failures_grow_a_delay(b: Backend) {
    let app = TestApp::spawn_with(b, |c| {
        c.login.delay_after = 2;
        c.login.base_delay_ms = 1500;
    })
    .await;
    app.register("email", "slow@example.com", "slow", PW).await;
    for _ in 0..2 {
        assert_eq!(
            app.login("slow@example.com", "nope nope nope").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let r = app.login("slow@example.com", PW).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the third attempt must wait"
    );
    assert!(r.body["retry_after"].as_u64().unwrap() >= 1);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(
        app.login("slow@example.com", PW).await.status,
        StatusCode::CREATED
    );
    // The success cleared the count: one more failure does not impose a wait.
    assert_eq!(
        app.login("slow@example.com", "nope nope nope").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("slow@example.com", PW).await.status,
        StatusCode::CREATED
    );
}

async fn per_ip_throttling_spans_identifiers(b: Backend) {
    let app = TestApp::spawn_with(b, |c| {
        c.login.ip_delay_after = 10_000;
        c.login.ip_lock_after = 5;
    })
    .await;
    for i in 0..5 {
        assert_eq!(
            app.login(&format!("spray{i}@example.com"), "guess guess guess")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login("spray9@example.com", "guess guess guess")
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

async fn sessions_list_and_revoke(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("email", "sess@example.com", "s", PW).await;
    let a = app.token("sess@example.com", PW).await;
    let other = app.login("sess@example.com", PW).await;
    let (b_token, b_id) = (other.str("token"), other.str("session_id"));
    let c = app.token("sess@example.com", PW).await;
    let list = app.get("/api/v1/sessions", Some(&a)).await;
    let items = list.body.as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    assert_eq!(items[0]["ip"], "127.0.0.1");
    // The device is described from the user agent (the test client's is not a known one).
    assert!(
        items[0]["device"]
            .as_str()
            .unwrap()
            .contains("Unknown device")
    );
    // Revoke one, then it is gone and its token dead.
    assert_eq!(
        app.delete(&format!("/api/v1/sessions/{b_id}"), &a)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&b_token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.delete(&format!("/api/v1/sessions/{b_id}"), &a)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Sign out everywhere else.
    assert_eq!(
        app.delete("/api/v1/sessions", &a).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&c)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/sessions", Some(&a))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Log out.
    assert_eq!(
        app.delete("/api/v1/sessions/current", &a).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&a)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Another account's session cannot be revoked.
    app.register("email", "x@example.com", "x", PW).await;
    let x = app.token("x@example.com", PW).await;
    let mine = app.token("sess@example.com", PW).await;
    let mine_id = app.get("/api/v1/sessions", Some(&mine)).await.body[0]["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.delete(&format!("/api/v1/sessions/{mine_id}"), &x)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&mine)).await.status,
        StatusCode::OK
    );
}

async fn sessions_expire_when_idle_and_absolutely(b: Backend) {
    let app = TestApp::spawn_with(b, |c| {
        c.sessions.idle_timeout_secs = 1;
        c.sessions.touch_interval_secs = 0;
    })
    .await;
    app.register("email", "idle@example.com", "i", PW).await;
    let t = app.token("idle@example.com", PW).await;
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            app.get("/api/v1/me", Some(&t)).await.status,
            StatusCode::OK,
            "use keeps it alive"
        );
    }
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(
        app.get("/api/v1/me", Some(&t)).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;

    let app = TestApp::spawn_with(b, |c| c.sessions.absolute_timeout_secs = 1).await;
    app.register("email", "abs@example.com", "a", PW).await;
    let t = app.token("abs@example.com", PW).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        app.get("/api/v1/me", Some(&t)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn tokens_are_long_random_and_stored_hashed(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("email", "tok@example.com", "t", PW).await;
    let t = app.token("tok@example.com", PW).await;
    assert!(t.len() >= 43, "256 bits in base64url");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
    // The stored value is not the token.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM sessions WHERE token_hash = '{t}'"
        ))
        .await,
        0
    );
    assert_eq!(
        app.get("/api/v1/me", Some("forged-token")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/api/v1/me", None).await.code(), "unauthenticated");
}

async fn security_events_page_newest_first(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("email", "ev@example.com", "e", PW).await;
    let _ = app.login("ev@example.com", "wrong wrong wrong").await;
    let t = app.token("ev@example.com", PW).await;
    let p1 = app
        .get("/api/v1/me/security-events?limit=2", Some(&t))
        .await;
    let ev = p1.body["events"].as_array().unwrap();
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["kind"], "login");
    assert_eq!(ev[0]["flags"], json!(["new_device"]));
    assert_eq!(ev[1]["kind"], "login_failed");
    let next = p1.str("next");
    let p2 = app
        .get(
            &format!("/api/v1/me/security-events?limit=2&before={next}"),
            Some(&t),
        )
        .await;
    assert_eq!(p2.body["events"][0]["kind"], "registered");
    assert!(p2.body["next"].is_null());
    // A known device is not new.
    let d = app
        .post(
            "/api/v1/sessions",
            json!({"identifier": "ev@example.com", "password": PW, "device_id": "known-device-1"}),
        )
        .await;
    let _ = app.post("/api/v1/sessions", json!({"identifier": "ev@example.com", "password": PW, "device_id": d.str("device_id")})).await;
    let p = app
        .get("/api/v1/me/security-events?limit=1", Some(&t))
        .await;
    assert_eq!(p.body["events"][0]["flags"], json!([]));
}

on_both_backends!(
    wrong_password_and_unknown_account_look_the_same,
    eleven_bad_logins_lock_without_revealing_the_account,
    failures_grow_a_delay,
    per_ip_throttling_spans_identifiers,
    sessions_list_and_revoke,
    sessions_expire_when_idle_and_absolutely,
    tokens_are_long_random_and_stored_hashed,
    security_events_page_newest_first,
);
