//! Bad input gets a clear problem-details error and changes nothing; operations endpoints.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::{Backend, StatusCode, TestApp, json, on_both_backends};

fn assert_problem(r: &testkit::Resp, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{:?}", r.body);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert_eq!(r.code(), code);
    assert_eq!(r.body["status"], status.as_u16());
    assert_eq!(r.body["type"], format!("/problems/{code}"));
    assert!(r.body["title"].is_string() && r.body["detail"].is_string());
}

async fn malformed_input_is_a_4xx_problem_and_writes_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let v = "/api/v1/verifications";
    assert_problem(
        &app.post(
            v,
            json!({"purpose": "register", "channel": "sms", "destination": "12345"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_phone",
    );
    assert_problem(
        &app.post(
            v,
            json!({"purpose": "register", "channel": "sms", "destination": "not a number"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_phone",
    );
    assert_problem(
        &app.post(
            v,
            json!({"purpose": "register", "channel": "email", "destination": "a@@b"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_email",
    );
    assert_problem(
        &app.post(
            v,
            json!({"purpose": "register", "channel": "fax", "destination": "1"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_problem(
        &app.post(
            v,
            json!({"purpose": "hack", "channel": "sms", "destination": "13800000000"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_problem(&app.post(v, json!({"purpose": "register", "channel": "sms", "destination": "13800000000", "admin": true})).await, StatusCode::BAD_REQUEST, "invalid_request");
    assert_problem(
        &app.post(v, json!({"purpose": "register"})).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_problem(
        &app.post(v, json!([1, 2])).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    let raw = |body: &'static str, ct: &'static str| {
        app.client
            .post(format!("{}{v}", app.base))
            .header("content-type", ct)
            .body(body)
            .send()
    };
    assert_problem(
        &TestApp::read(raw("{not json", "application/json").await.unwrap()).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_problem(
        &TestApp::read(
            raw("purpose=register", "application/x-www-form-urlencoded")
                .await
                .unwrap(),
        )
        .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let big = format!(
        "{{\"purpose\":\"register\",\"channel\":\"sms\",\"destination\":\"{}\"}}",
        "1".repeat(70 * 1024)
    );
    let r = app
        .client
        .post(format!("{}{v}", app.base))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_problem(
        &TestApp::read(r).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
    // Accounts: bad nickname, missing verification.
    assert_problem(&app.post("/api/v1/accounts", json!({"verification_id": "nope", "code": "123456", "nickname": "n", "password": "blue lantern over quiet harbor"})).await, StatusCode::NOT_FOUND, "not_found");
    let vid = app.start_registration("email", "nick@example.com").await;
    let code = app.code_sent_to("nick@example.com", 1).await;
    assert_problem(&app.post("/api/v1/accounts", json!({"verification_id": vid, "code": code, "nickname": "   ", "password": "blue lantern over quiet harbor"})).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_nickname");
    assert_problem(&app.post("/api/v1/accounts", json!({"verification_id": vid, "code": code, "nickname": "x".repeat(33), "password": "blue lantern over quiet harbor"})).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_nickname");
    assert_problem(
        &app.get("/api/v1/me/security-events?limit=abc", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
    // Nothing half-written: one verification (the good one), no account, no other sends.
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM verifications").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM code_sends").await, 1);
    // The good code still works.
    let ok = app.post("/api/v1/accounts", json!({"verification_id": vid, "code": code, "nickname": "nick", "password": "blue lantern over quiet harbor"})).await;
    assert_eq!(ok.status, StatusCode::CREATED);
    let t = app
        .token("nick@example.com", "blue lantern over quiet harbor")
        .await;
    assert_problem(
        &app.get("/api/v1/me/security-events?limit=abc", Some(&t))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_problem(
        &app.get("/api/v1/me/security-events?before=xyz", Some(&t))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_problem(
        &app.get("/api/v1/nothing-here", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let r = app
        .request(testkit_method("PATCH"), "/api/v1/verifications", None, None)
        .await;
    assert_problem(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

fn testkit_method(m: &str) -> reqwest::Method {
    m.parse().unwrap()
}

async fn codes_are_stored_only_as_keyed_hashes(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.start_registration("email", "hash@example.com").await;
    let code = app.code_sent_to("hash@example.com", 1).await;
    assert_eq!(code.len(), 6);
    assert!(code.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM verifications WHERE code_hash LIKE '%{code}%'"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM verifications WHERE LENGTH(code_hash) = 64")
            .await,
        1
    );
    // Once sent, the outbox row no longer holds the code.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE params LIKE '%{code}%'"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
            .await,
        1
    );
}

async fn operations_endpoints(b: Backend) {
    let app = TestApp::spawn(b).await;
    let h = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(h.status(), StatusCode::OK);
    let r = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    app.start_registration("email", "m@example.com").await;
    app.wait_for_messages("m@example.com", 1).await;
    // The worker counts a delivery just after the dev outbox shows it: poll briefly.
    let sent = "wangshang_outbox_deliveries_total{channel=\"email\",outcome=\"sent\"} 1";
    let mut m = String::new();
    for _ in 0..100 {
        m = app
            .client
            .get(format!("{}/metrics", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if m.contains(sent) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(m.contains(sent), "{m}");
    assert!(m.contains("wangshang_http_requests_total{method=\"POST\",route=\"/api/v1/verifications\",status=\"202\"} 1"), "{m}");
    let doc = app.get("/api/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    for path in [
        "/api/v1/verifications",
        "/api/v1/accounts",
        "/api/v1/sessions",
        "/api/v1/me",
        "/api/v1/me/password",
        "/api/v1/me/security-events",
        "/api/v1/sessions/{id}",
    ] {
        assert!(
            doc.body["paths"][path].is_object(),
            "{path} missing from OpenAPI"
        );
    }
    assert!(doc.body["components"]["schemas"]["Problem"].is_object());
}

async fn dev_outbox_is_hidden_without_dev_mode(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.dev = false).await;
    let r = app.get("/api/v1/dev/outbox", None).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
}

async fn security_events_are_append_only(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register(
        "email",
        "audit@example.com",
        "a",
        "blue lantern over quiet harbor",
    )
    .await;
    assert!(
        store::exec_raw(&app.database_url, "UPDATE security_events SET kind = 'x'")
            .await
            .is_err()
    );
    assert!(
        store::exec_raw(&app.database_url, "DELETE FROM security_events")
            .await
            .is_err()
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM security_events WHERE kind = 'registered'")
            .await,
        1
    );
}

/// NUL and other control characters in free-text fields never reach the database as a 5xx
/// (PostgreSQL refuses NUL in text): they are refused (4xx) or dropped from a label.
async fn control_characters_in_text_fields_are_never_a_server_error(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register(
        "email",
        "nul@example.com",
        "nul",
        "blue lantern over quiet harbor",
    )
    .await;
    let login = app
        .post(
            "/api/v1/sessions",
            json!({"identifier": "nul@example.com", "password": "blue lantern over quiet harbor", "device_name": "Mac\u{0000}Book\u{0007}"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::CREATED, "{:?}", login.body);
    let token = login.str("token");
    let sessions = app.get("/api/v1/sessions", Some(&token)).await;
    assert!(
        sessions.body.to_string().contains("MacBook"),
        "{:?}",
        sessions.body
    );
    for (path, body) in [
        ("/api/v1/orgs", json!({"name": "旺\u{0000}商"})),
        (
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "email", "destination": "a\u{0000}@example.com"}),
        ),
        (
            "/api/v1/sessions",
            json!({"identifier": "nul\u{0000}@example.com", "password": "x"}),
        ),
        ("/api/v1/password-resets", json!({"identifier": "\u{0000}"})),
    ] {
        let r = app.post_auth(path, &token, body).await;
        assert!(r.status.is_client_error(), "{path}: {:?}", r.body);
    }
}

on_both_backends!(
    control_characters_in_text_fields_are_never_a_server_error,
    malformed_input_is_a_4xx_problem_and_writes_nothing,
    codes_are_stored_only_as_keyed_hashes,
    operations_endpoints,
    dev_outbox_is_hidden_without_dev_mode,
    security_events_are_append_only,
);
