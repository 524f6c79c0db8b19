//! Registration, password policy, profile, password change.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::{Backend, StatusCode, TestApp, json, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";

async fn register_by_phone_and_email_and_read_me(b: Backend) {
    let app = TestApp::spawn(b).await;
    let id = app.register("sms", "138 1234 5678", "王小明", PW).await;
    let token = app.token("+8613812345678", PW).await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.str("account_id"), id);
    assert_eq!(me.str("nickname"), "王小明");
    assert_eq!(me.str("phone"), "138****5678");
    assert!(me.body["email"].is_null());
    assert_eq!(me.body["password_reminder_due"], false);
    assert_eq!(
        me.body["mfa"],
        json!({"totp": false, "webauthn": false, "recovery_codes_left": 0})
    );
    // Login by the national form and by e-mail with upper-case domain.
    app.token("13812345678", PW).await;
    app.register("email", "Zhang@Example.COM", "zhang", PW)
        .await;
    app.token("Zhang@example.com", PW).await;
}

async fn device_id_is_returned_or_issued(b: Backend) {
    let app = TestApp::spawn(b).await;
    let vid = app.start_registration("email", "dev@example.com").await;
    let code = app.code_sent_to("dev@example.com", 1).await;
    let r = app.post("/api/v1/accounts", json!({"verification_id": vid, "code": code, "nickname": "d", "password": PW, "device_id": "phone-install-0001"})).await;
    assert_eq!(r.str("device_id"), "phone-install-0001");
    let s = app
        .post(
            "/api/v1/sessions",
            json!({"identifier": "dev@example.com", "password": PW}),
        )
        .await;
    assert_eq!(s.str("device_id").len(), 32);
    let bad = app
        .post(
            "/api/v1/sessions",
            json!({"identifier": "dev@example.com", "password": PW, "device_id": "x"}),
        )
        .await;
    assert_eq!(bad.code(), "invalid_request");
}

async fn weak_passwords_list_every_rule_and_keep_the_code(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.password.require_composition = true).await;
    let vid = app.start_registration("sms", "13612345678").await;
    let code = app.code_sent_to("13612345678", 1).await;
    let r = app.post("/api/v1/accounts", json!({"verification_id": vid, "code": code, "nickname": "xiaoming", "password": "xiaoming13612345678"})).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "weak_password")
    );
    let codes: Vec<&str> = r.body["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    for c in ["contains_phone", "contains_nickname", "composition"] {
        assert!(codes.contains(&c), "{c} missing from {codes:?}");
    }
    assert!(r.body["violations"][0]["message"].as_str().unwrap().len() > 10);
    let short = app
        .post(
            "/api/v1/accounts",
            json!({"verification_id": vid, "code": code, "nickname": "x", "password": "aB3$"}),
        )
        .await;
    assert!(
        short.body["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["code"] == "too_short")
    );
    let huge = app.post("/api/v1/accounts", json!({"verification_id": vid, "code": code, "nickname": "x", "password": "a".repeat(2000)})).await;
    assert!(
        huge.body["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["code"] == "too_long")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
    // The code was not used up by the refusals.
    let ok = app.post("/api/v1/accounts", json!({"verification_id": vid, "code": code, "nickname": "x", "password": "blue lantern over quiet harbor #7"})).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
}

async fn password_change_revokes_other_sessions(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("email", "chg@example.com", "chg", PW).await;
    let keep = app.token("chg@example.com", PW).await;
    let other1 = app.token("chg@example.com", PW).await;
    let other2 = app.token("chg@example.com", PW).await;
    assert_eq!(
        app.get("/api/v1/me", Some(&other1)).await.status,
        StatusCode::OK
    );
    let wrong = app.put_auth("/api/v1/me/password", &keep, json!({"current_password": "not it at all", "new_password": "a new long passphrase here"})).await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );
    let same = app
        .put_auth(
            "/api/v1/me/password",
            &keep,
            json!({"current_password": PW, "new_password": PW}),
        )
        .await;
    assert!(
        same.body["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["code"] == "same_as_current")
    );
    let r = app
        .put_auth(
            "/api/v1/me/password",
            &keep,
            json!({"current_password": PW, "new_password": "a new long passphrase here"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    for t in [&other1, &other2] {
        let r = app.get("/api/v1/me", Some(t)).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNAUTHORIZED, "unauthenticated")
        );
    }
    assert_eq!(
        app.get("/api/v1/me", Some(&keep)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.login("chg@example.com", PW).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.token("chg@example.com", "a new long passphrase here")
        .await;
    // The owner was told.
    let msgs = app.wait_for_messages("chg@example.com", 2).await;
    assert!(
        msgs[0]["body"].as_str().unwrap().contains("密码已"),
        "{msgs:?}"
    );
    let events = app.get("/api/v1/me/security-events", Some(&keep)).await;
    assert!(
        events.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "password_changed")
    );
}

async fn password_reminder_after_the_configured_age(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.password.reminder_days = 0).await;
    app.register("email", "old@example.com", "old", PW).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let t = app.token("old@example.com", PW).await;
    assert_eq!(
        app.get("/api/v1/me", Some(&t)).await.body["password_reminder_due"],
        true
    );
    // A reminder, never a forced change: the session works.
    assert_eq!(
        app.get("/api/v1/sessions", Some(&t)).await.status,
        StatusCode::OK
    );
}

async fn patch(app: &TestApp, token: &str, body: serde_json::Value) -> testkit::Resp {
    app.request(
        reqwest::Method::PATCH,
        "/api/v1/me",
        Some(token),
        Some(body),
    )
    .await
}

async fn nickname_changes_are_kept_notified_and_limited(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.chat.nicknames_per_day = 3).await;
    let id = app.register("email", "wei@example.com", "张伟", PW).await;
    let token = app.token("wei@example.com", PW).await;
    let before = app.messages_to("wei@example.com").await.len();
    let r = patch(&app, &token, json!({"nickname": "  张伟（销售部） "})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.str("nickname"), "张伟（销售部）");
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.str("nickname"),
        "张伟（销售部）"
    );
    // Kept in the history with its time, recorded, and told to the account's channels.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM nickname_history WHERE account_id = '{id}' AND at > 0"
        ))
        .await,
        2
    );
    let events = app.get("/api/v1/me/security-events", Some(&token)).await;
    assert_eq!(events.body["events"][0]["kind"], "nickname_changed");
    let notice = app.wait_for_messages("wei@example.com", before + 1).await;
    let body = notice[0]["body"].as_str().unwrap();
    assert!(
        body.contains("张伟") && body.contains("张伟（销售部）"),
        "{body}"
    );
    // The same name again changes nothing; an empty one or an unknown field is refused.
    let r = patch(&app, &token, json!({"nickname": "张伟（销售部）"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = patch(&app, &token, json!({"nickname": "  "})).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_nickname")
    );
    let r = patch(&app, &token, json!({"nick": "x"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM nickname_history WHERE account_id = '{id}'"
        ))
        .await,
        2
    );
    // Three nicknames a day, the registration's included.
    assert_eq!(
        patch(&app, &token, json!({"nickname": "Wei Zhang"}))
            .await
            .status,
        StatusCode::OK
    );
    let r = patch(&app, &token, json!({"nickname": "伟哥"})).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.body);
    assert!(r.retry_after() > 86_000);
    // Without a session: nothing.
    let r = app
        .request(
            reqwest::Method::PATCH,
            "/api/v1/me",
            None,
            Some(json!({"nickname": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// The body of the newest of the first `n` messages to `to`.
async fn newest_body(app: &TestApp, to: &str, n: usize) -> String {
    let m = app.wait_for_messages(to, n).await;
    m[0]["body"].as_str().unwrap().to_owned()
}

/// A notice's time reads in the account's time zone, named; no zone (or cleared) reads UTC.
async fn notices_are_written_in_the_account_time_zone(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("email", "tz@example.com", "时区", PW).await;
    let token = app.token("tz@example.com", PW).await;
    assert!(app.get("/api/v1/me", Some(&token)).await.body["time_zone"].is_null());
    let mut seen = app.messages_to("tz@example.com").await.len();
    let r = patch(&app, &token, json!({"nickname": "时区一"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    seen += 1;
    let body = newest_body(&app, "tz@example.com", seen).await;
    assert!(body.contains(" UTC") && !body.contains("Asia/"), "{body}");

    // Refused: an unknown zone, a path, an overlong name; nothing changes.
    for bad in ["Mars/Olympus", "../../etc/localtime", &"A/".repeat(40)] {
        let r = patch(&app, &token, json!({"time_zone": bad})).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::BAD_REQUEST, "invalid_request"),
            "{bad}"
        );
    }
    let r = patch(&app, &token, json!({"time_zone": "asia/shanghai"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.str("time_zone"), "Asia/Shanghai");
    let r = patch(&app, &token, json!({"nickname": "时区二"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    seen += 1;
    let body = newest_body(&app, "tz@example.com", seen).await;
    assert!(body.contains(" UTC+08:00 (Asia/Shanghai)"), "{body}");
    // The hour is Shanghai's: eight hours ahead of UTC.
    let utc_hour: u8 = domain::clock::human(domain::clock::now_ms())[11..13]
        .parse()
        .unwrap();
    let shown: u8 = body
        .split(" UTC+08:00")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|hms| hms[..2].parse().ok())
        .unwrap();
    assert!(
        [(utc_hour + 8) % 24, (utc_hour + 9) % 24].contains(&shown),
        "{body}"
    );

    // Cleared: UTC again.
    let r = patch(&app, &token, json!({"time_zone": ""})).await;
    assert!(r.body["time_zone"].is_null(), "{:?}", r.body);
    patch(&app, &token, json!({"nickname": "时区三"})).await;
    seen += 1;
    let body = newest_body(&app, "tz@example.com", seen).await;
    assert!(!body.contains("Asia/Shanghai"), "{body}");
}

on_both_backends!(
    notices_are_written_in_the_account_time_zone,
    nickname_changes_are_kept_notified_and_limited,
    register_by_phone_and_email_and_read_me,
    device_id_is_returned_or_issued,
    weak_passwords_list_every_rule_and_keep_the_code,
    password_change_revokes_other_sessions,
    password_reminder_after_the_configured_age,
);
