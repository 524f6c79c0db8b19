//! Verification codes: enumeration, attempts, single use, newest wins, resend limits.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::{Backend, StatusCode, TestApp, json, on_both_backends};

fn shape(v: &serde_json::Value) -> Vec<(String, &'static str)> {
    let mut keys: Vec<_> = v
        .as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| {
            let t = match v {
                serde_json::Value::String(_) => "string",
                serde_json::Value::Number(_) => "number",
                serde_json::Value::Null => "null",
                serde_json::Value::Array(_) => "array",
                serde_json::Value::Bool(_) => "bool",
                serde_json::Value::Object(_) => "object",
            };
            (k.clone(), t)
        })
        .collect();
    keys.sort();
    keys
}

async fn taken_and_free_destinations_get_the_same_answer(b: Backend) {
    // No resend interval: the registration below has just sent a code to the taken number.
    let app = TestApp::spawn_with(b, |c| c.codes.resend_interval_secs = 0).await;
    app.register(
        "sms",
        "13800000001",
        "taken",
        "blue lantern over quiet harbor",
    )
    .await;
    let taken = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "sms", "destination": "13800000001"}),
        )
        .await;
    let free = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "sms", "destination": "13900000002"}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::ACCEPTED);
    assert_eq!(free.status, taken.status);
    assert_eq!(shape(&taken.body), shape(&free.body));
    assert_eq!(taken.str("masked_destination"), "138****0001");
    assert_eq!(free.str("masked_destination"), "139****0002");
    for k in ["expires_in", "resend_after", "channel"] {
        assert_eq!(taken.body[k], free.body[k], "{k}");
    }
    // The owner is told someone tried; that message carries no code, so the flow cannot go on.
    let msgs = app.wait_for_messages("13800000001", 2).await;
    assert!(msgs[0]["code"].is_null(), "{msgs:?}");
    assert!(msgs[0]["body"].as_str().unwrap().contains("忘记密码"));
    for guess in ["000000", "123456"] {
        let r = app.post("/api/v1/accounts", json!({"verification_id": taken.str("verification_id"), "code": guess, "nickname": "x", "password": "another fine long passphrase"})).await;
        assert_eq!(r.code(), "invalid_code");
    }
    // Same answer for e-mail.
    app.register(
        "email",
        "owner@example.com",
        "owner",
        "blue lantern over quiet harbor",
    )
    .await;
    let t = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "email", "destination": "owner@example.com"}),
        )
        .await;
    let f = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "email", "destination": "other@example.com"}),
        )
        .await;
    assert_eq!((t.status, shape(&t.body)), (f.status, shape(&f.body)));
    assert_eq!(t.str("masked_destination"), "o***@example.com");
}

async fn five_wrong_attempts_kill_the_code(b: Backend) {
    let app = TestApp::spawn(b).await;
    let vid = app.start_registration("email", "five@example.com").await;
    let code = app.code_sent_to("five@example.com", 1).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (0..5).rev() {
        let r = app.post("/api/v1/accounts", json!({"verification_id": vid, "code": wrong, "nickname": "n", "password": "blue lantern over quiet harbor"})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            (r.code(), r.body["attempts_left"].as_u64()),
            ("invalid_code", Some(left))
        );
    }
    // The sixth try fails with 410 even with the right code.
    let r = app.post("/api/v1/accounts", json!({"verification_id": vid, "code": code, "nickname": "n", "password": "blue lantern over quiet harbor"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "code_expired"));
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
}

async fn a_used_code_cannot_be_used_again(b: Backend) {
    let app = TestApp::spawn(b).await;
    let vid = app.start_registration("email", "once@example.com").await;
    let code = app.code_sent_to("once@example.com", 1).await;
    let body = json!({"verification_id": vid, "code": code, "nickname": "once", "password": "blue lantern over quiet harbor"});
    assert_eq!(
        app.post("/api/v1/accounts", body.clone()).await.status,
        StatusCode::CREATED
    );
    let again = app.post("/api/v1/accounts", body).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::GONE, "code_expired")
    );
}

async fn the_newest_code_wins_and_resend_waits(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.codes.resend_interval_secs = 1).await;
    let vid = app.start_registration("email", "newest@example.com").await;
    let old = app.code_sent_to("newest@example.com", 1).await;
    // Too early: 429 with Retry-After.
    let early = app.resend(&vid).await;
    assert_eq!(
        (early.status, early.code()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_requests")
    );
    let ra = early.retry_after();
    assert!((1..=1).contains(&ra), "{ra}");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = app.resend(&vid).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let new = app.code_sent_to("newest@example.com", 2).await;
    if new != old {
        let r = app.post("/api/v1/accounts", json!({"verification_id": vid, "code": old, "nickname": "n", "password": "blue lantern over quiet harbor"})).await;
        assert_eq!(r.code(), "invalid_code", "the older code must be rejected");
    }
    let r = app.post("/api/v1/accounts", json!({"verification_id": vid, "code": new, "nickname": "n", "password": "blue lantern over quiet harbor"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}

async fn resend_before_sixty_seconds_is_refused_by_default(b: Backend) {
    let app = TestApp::spawn(b).await;
    let vid = app.start_registration("sms", "13700000003").await;
    let r = app.resend(&vid).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let ra = r.retry_after();
    assert!((55..=60).contains(&ra), "{ra}");
    // A new verification to the same destination is held to the same interval.
    let again = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "sms", "destination": "+86 137 0000 0003"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn hourly_and_ip_bursts_answer_at_least_two_minutes(b: Backend) {
    let app = TestApp::spawn_with(b, |c| {
        c.codes.resend_interval_secs = 0;
        c.codes.per_ip_hour = 8;
    })
    .await;
    let vid = app.start_registration("email", "burst@example.com").await;
    for _ in 0..4 {
        assert_eq!(app.resend(&vid).await.status, StatusCode::ACCEPTED);
    }
    let r = app.resend(&vid).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let ra = r.retry_after();
    assert!(ra >= 120, "{ra}");
    assert_eq!(app.wait_for_messages("burst@example.com", 5).await.len(), 5);
    // Per IP: 5 sent already from 127.0.0.1; 3 more destinations pass, the next is refused.
    for i in 0..3 {
        app.start_registration("email", &format!("ip{i}@example.com"))
            .await;
    }
    let r = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "email", "destination": "ip9@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body["retry_after"].as_u64().unwrap() >= 120);
}

async fn daily_limit_per_destination(b: Backend) {
    let app = TestApp::spawn_with(b, |c| {
        c.codes.resend_interval_secs = 0;
        c.codes.per_destination_hour = 100;
        c.codes.per_destination_day = 3;
    })
    .await;
    let vid = app.start_registration("email", "day@example.com").await;
    for _ in 0..2 {
        assert_eq!(app.resend(&vid).await.status, StatusCode::ACCEPTED);
    }
    let r = app.resend(&vid).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body["retry_after"].as_u64().unwrap() > 3600);
}

async fn codes_expire(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.codes.ttl_secs = 1).await;
    let vid = app.start_registration("email", "late@example.com").await;
    let code = app.code_sent_to("late@example.com", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let r = app.post("/api/v1/accounts", json!({"verification_id": vid, "code": code, "nickname": "n", "password": "blue lantern over quiet harbor"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "code_expired"));
}

async fn concurrent_uses_of_one_code_create_one_account(b: Backend) {
    let app = TestApp::spawn(b).await;
    let vid = app.start_registration("email", "race@example.com").await;
    let code = app.code_sent_to("race@example.com", 1).await;
    let body = json!({"verification_id": vid, "code": code, "nickname": "race", "password": "blue lantern over quiet harbor"});
    let futs = (0..20).map(|_| app.post("/api/v1/accounts", body.clone()));
    let results = futures::future::join_all(futs).await;
    let created = results
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(
        created,
        1,
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(
        results
            .iter()
            .all(|r| r.status == StatusCode::CREATED || r.status == StatusCode::GONE)
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
}

async fn concurrent_code_requests_never_fail(b: Backend) {
    let app = TestApp::spawn(b).await;
    let futs = (0..60).map(|i| app.post("/api/v1/verifications", json!({"purpose": "register", "channel": "email", "destination": format!("many{i}@example.com")})));
    let results = futures::future::join_all(futs).await;
    assert!(
        results.iter().all(|r| r.status == StatusCode::ACCEPTED),
        "{:?}",
        results.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM verifications").await, 60);
}

on_both_backends!(
    taken_and_free_destinations_get_the_same_answer,
    five_wrong_attempts_kill_the_code,
    a_used_code_cannot_be_used_again,
    the_newest_code_wins_and_resend_waits,
    resend_before_sixty_seconds_is_refused_by_default,
    hourly_and_ip_bursts_answer_at_least_two_minutes,
    daily_limit_per_destination,
    codes_expire,
    concurrent_uses_of_one_code_create_one_account,
    concurrent_code_requests_never_fail,
);
