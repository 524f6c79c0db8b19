//! Every rejection under `/api/` is a problem document (`application/problem+json` with a stable
//! `code`): path and query parameters that cannot be read, bad percent-encoding, bodies that
//! cannot be read, methods an address does not take, addresses that do not exist, and a plain
//! HTTP request to the WebSocket stream. Never axum's `text/plain`.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::Method;
use testkit::{Backend, Resp, StatusCode, TestApp, json, on_both_backends};

const PASSWORD: &str = "blue lantern over quiet harbor";

fn assert_problem(r: &Resp, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{:?}", r.body);
    assert_eq!(
        r.headers["content-type"], "application/problem+json",
        "{status} {code}: {:?}",
        r.body
    );
    assert_eq!(r.code(), code, "{:?}", r.body);
    assert_eq!(r.body["status"], status.as_u16());
    assert_eq!(r.body["type"], format!("/problems/{code}"));
    assert!(r.body["title"].is_string() && r.body["detail"].is_string());
}

/// A raw request: the path goes out exactly as written (percent-encoding and all).
async fn raw(app: &TestApp, method: Method, path: &str, token: Option<&str>) -> Resp {
    let mut req = app.client.request(method, format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    TestApp::read(req.send().await.unwrap()).await
}

async fn signed_in(app: &TestApp) -> String {
    app.register("email", "p@example.com", "p", PASSWORD).await;
    app.token("p@example.com", PASSWORD).await
}

async fn path_parameters_that_cannot_be_read(b: Backend) {
    let app = TestApp::spawn(b).await;
    // Not UTF-8 once decoded (the case of the issue), and a NUL (which PostgreSQL refuses in text).
    for path in [
        "/api/v1/verifications/%00%ff/resend",
        "/api/v1/verifications/%ff/resend",
        "/api/v1/verifications/%00/resend",
        "/api/v1/verifications/a%0Ab/resend",
        "/api/v1/password-resets/%C3%28/verify",
    ] {
        let r = raw(&app, Method::POST, path, None).await;
        assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_request");
    }
    // Behind authentication too, on both backends: never a 500.
    let t = signed_in(&app).await;
    for path in [
        "/api/v1/orgs/%00",
        "/api/v1/orgs/%ff/members",
        "/api/v1/conversations/%00/messages/x/receipts",
        "/api/v1/support/tickets/%00?token=x",
    ] {
        let r = raw(&app, Method::GET, path, Some(&t)).await;
        assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_request");
    }
    // A readable id that does not exist is still `404`.
    let r = raw(&app, Method::GET, "/api/v1/orgs/%E4%B8%AD", Some(&t)).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "not_found");
}

async fn query_parameters_that_cannot_be_read(b: Backend) {
    let app = TestApp::spawn(b).await;
    let t = signed_in(&app).await;
    for path in [
        "/api/v1/me/security-events?limit=1.5",
        "/api/v1/me/security-events?unknown=1",
        "/api/v1/conversations/c/messages?before=abc",
        "/api/v1/dev/outbox?destination=a&destination=b",
        "/api/v1/stream?since=abc",
    ] {
        let r = raw(&app, Method::GET, path, Some(&t)).await;
        assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_request");
    }
    // A required query parameter left out.
    let r = raw(&app, Method::GET, "/api/v1/support/tickets/T-1", None).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_request");
}

async fn bodies_that_cannot_be_read(b: Backend) {
    let app = TestApp::spawn(b).await;
    let send = |body: &'static str, ct: Option<&'static str>| {
        let mut req = app
            .client
            .post(format!("{}/api/v1/password-resets", app.base))
            .body(body);
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        async move { TestApp::read(req.send().await.unwrap()).await }
    };
    let json = Some("application/json");
    for body in [
        "{",
        "[]",
        "{\"identifier\": 1}",
        "{\"identifier\": \"a@example.com\", \"x\": 1}",
    ] {
        assert_problem(
            &send(body, json).await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        );
    }
    assert_problem(
        &send("{}", None).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    assert_problem(
        &send("{}", Some("text/plain")).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    // A body that may be left empty must still be JSON when given.
    let r = app
        .client
        .post(format!("{}/api/v1/password-resets/x/resend", app.base))
        .body("nope")
        .send()
        .await
        .unwrap();
    assert_problem(
        &TestApp::read(r).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    // A struct's fields as an array are not an object: refused, and nothing changes.
    let token = signed_in(&app).await;
    for body in ["[null, null]", "[\"new name\"]", "null", "\"x\""] {
        let r = app
            .client
            .patch(format!("{}/api/v1/me", app.base))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_problem(
            &TestApp::read(r).await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        );
    }
    assert_ne!(
        app.get("/api/v1/me", Some(&token)).await.str("nickname"),
        "new name"
    );
}

async fn methods_not_allowed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let t = signed_in(&app).await;
    for (method, path, allowed) in [
        (Method::PATCH, "/api/v1/verifications", "POST"),
        (Method::GET, "/api/v1/verifications/x/resend", "POST"),
        (Method::PUT, "/api/v1/sessions", "DELETE"),
        (Method::DELETE, "/api/v1/me", "GET"),
        (Method::POST, "/api/v1/stream", "GET"),
        (Method::PUT, "/api/openapi.json", "GET"),
    ] {
        let r = raw(&app, method.clone(), path, Some(&t)).await;
        assert_problem(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        let allow = r.headers["allow"].to_str().unwrap();
        assert!(allow.contains(allowed), "{method} {path}: Allow: {allow}");
    }
}

async fn unknown_addresses(b: Backend) {
    let app = TestApp::spawn(b).await;
    for (method, path) in [
        (Method::GET, "/api/v1/nothing-here"),
        (Method::POST, "/api/v1/verifications/x/resend/more"),
        (Method::GET, "/api/v2/me"),
        (Method::GET, "/api/"),
        (Method::DELETE, "/api/v1/%ff"),
    ] {
        let r = raw(&app, method, path, None).await;
        assert_problem(&r, StatusCode::NOT_FOUND, "not_found");
    }
    // A keyword in the path that names nothing.
    let t = signed_in(&app).await;
    let r = app
        .post_auth(
            "/api/v1/me/bindings/fax/confirm",
            &t,
            json!({"verification_id": "v", "code": "1"}),
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, "not_found");
}

async fn the_stream_over_plain_http(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = raw(&app, Method::GET, "/api/v1/stream", None).await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    let t = signed_in(&app).await;
    let r = raw(&app, Method::GET, "/api/v1/stream", Some(&t)).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "websocket_required");
    let r = raw(&app, Method::GET, "/api/v1/stream?since=-1", Some(&t)).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_request");
}

async fn json_still_answers_json(b: Backend) {
    // The safety net leaves alone what is not an error, and what is not under /api/.
    let app = TestApp::spawn(b).await;
    let r = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "email", "destination": "j@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(r.headers["content-type"], "application/json");
    let page = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}

on_both_backends!(
    path_parameters_that_cannot_be_read,
    query_parameters_that_cannot_be_read,
    bodies_that_cannot_be_read,
    methods_not_allowed,
    unknown_addresses,
    the_stream_over_plain_http,
    json_still_answers_json,
);
