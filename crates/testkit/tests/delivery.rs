//! Delivery through real providers: the outbox survives a crash, a fallback provider takes over,
//! retries are bounded, a send whose outcome is unknown resends the same code, the user is told
//! when SMS cannot be delivered, and nothing secret reaches the log. The SMS gateway is a local
//! fake of the signed webhook (`testkit::fake_sms`).

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use domain::config::Config;
use domain::config::delivery::{SmsProvider, WebhookConfig};
use testkit::fake_sms::{Mode, WebhookFake};
use testkit::{Backend, StatusCode, TestApp, json, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";

fn webhook(url: &str, secret: &str) -> SmsProvider {
    SmsProvider::Webhook(WebhookConfig {
        url: url.to_owned(),
        secret: secret.to_owned().into(),
    })
}

/// Real providers instead of the dev outbox, short timeouts and backoff.
fn providers(c: &mut Config, primary: SmsProvider, fallback: Option<SmsProvider>) {
    c.dev = false;
    c.outbox.driver = Some("providers".into());
    c.delivery.sms.primary = Some(primary);
    c.delivery.sms.fallback = fallback;
    c.delivery.timeout_secs = 1;
    c.outbox.base_backoff_ms = 100;
    c.outbox.max_backoff_secs = 1;
    c.codes.resend_interval_secs = 0;
}

/// A loopback address where nothing listens (yet).
async fn closed_port() -> std::net::SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap()
}

async fn status_of(app: &TestApp, destination: &str) -> (String, i64) {
    let sql = |col: &str| {
        format!(
            "SELECT {col} FROM outbox WHERE destination = '{destination}' ORDER BY created_at DESC LIMIT 1"
        )
    };
    let sent = app
        .count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE destination = '{destination}' AND status = 'sent'"
        ))
        .await;
    let failed = app
        .count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE destination = '{destination}' AND status = 'failed'"
        ))
        .await;
    let attempts = app.count(&sql("attempts")).await;
    let status = match (sent, failed) {
        (s, 0) if s > 0 => "sent",
        (_, f) if f > 0 => "failed",
        _ => "pending",
    };
    (status.to_owned(), attempts)
}

async fn pending_messages_survive_a_crash_and_go_out_once(b: Backend) {
    let down = closed_port().await;
    let url = format!("http://{down}/sms");
    let mut app = TestApp::spawn_with(b, |c| {
        providers(c, webhook(&url, "webhook-test-secret-1"), None);
        c.outbox.max_attempts = 50;
    })
    .await;
    let r = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "sms", "destination": "13712340001"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    // The gateway is down: the message waits in the outbox. The server dies.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(status_of(&app, "+8613712340001").await.0, "pending");
    app.kill_and_restart().await;
    let gateway = WebhookFake::start_at(down, Mode::Accept).await;
    let calls = gateway.wait_for_calls(1).await;
    // Nothing more arrives once it is sent.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(gateway.calls().len(), 1, "{calls:?}");
    assert_eq!(gateway.forged(), 0);
    assert_eq!(calls[0]["to"], "+8613712340001");
    assert_eq!(calls[0]["template"], "register_code");
    let (status, _) = status_of(&app, "+8613712340001").await;
    assert_eq!(status, "sent");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE provider = 'webhook' AND provider_message_id IS NOT NULL")
            .await,
        1
    );
    // The code that went out works.
    let code = calls[0]["params"]["code"].as_str().unwrap();
    let a = app
        .post(
            "/api/v1/accounts",
            json!({"verification_id": r.str("verification_id"), "code": code, "nickname": "n", "password": PW}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.body);
}

async fn the_fallback_delivers_then_bounded_retries_end_in_failed_and_email_is_offered(b: Backend) {
    let primary = WebhookFake::start(Mode::Fail(503)).await;
    let fallback = WebhookFake::start(Mode::Accept).await;
    let app = TestApp::spawn_with(b, |c| {
        providers(
            c,
            webhook(&primary.url, &primary.secret),
            Some(webhook(&fallback.url, &fallback.secret)),
        );
        c.outbox.max_attempts = 3;
    })
    .await;
    // Primary down (5xx): the fallback delivers the registration code.
    let r = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "sms", "destination": "13712340002"}),
        )
        .await;
    assert!(r.body["delivery_hint"].is_null());
    let calls = fallback.wait_for_calls(1).await;
    assert_eq!(primary.calls().len(), 1);
    let code = calls[0]["params"]["code"].as_str().unwrap();
    let a = app
        .post(
            "/api/v1/accounts",
            json!({"verification_id": r.str("verification_id"), "code": code, "nickname": "n", "password": PW}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    // Both down: three attempts with backoff, then `failed`.
    fallback.set_mode(Mode::Fail(502));
    let r = app
        .post(
            "/api/v1/password-resets",
            json!({"identifier": "13712340002"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert!(r.body["delivery_hint"].is_null());
    fallback.wait_for_calls(1 + 3).await;
    for _ in 0..100 {
        if status_of(&app, "+8613712340002").await.0 == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, attempts) = status_of(&app, "+8613712340002").await;
    assert_eq!((status.as_str(), attempts), ("failed", 3));
    assert_eq!(primary.calls().len(), 1 + 3);
    // The user is told to switch to e-mail; the hint depends on the number, not the account.
    let again = app
        .post(
            &format!("/api/v1/password-resets/{}/resend", r.str("reset_id")),
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    assert_eq!(again.body["delivery_hint"], "sms_undeliverable");
    assert_eq!(again.body["alternatives"], json!(["email"]));
    let unknown = app
        .post(
            "/api/v1/password-resets",
            json!({"identifier": "13712340003"}),
        )
        .await;
    assert!(unknown.body["delivery_hint"].is_null());
    let email = app
        .post(
            &format!("/api/v1/password-resets/{}/resend", r.str("reset_id")),
            json!({"channel": "email"}),
        )
        .await;
    assert_eq!(email.status, StatusCode::ACCEPTED);
    assert!(email.body["delivery_hint"].is_null());
}

async fn a_send_with_an_unknown_outcome_is_retried_with_the_same_code(b: Backend) {
    let gateway = WebhookFake::start(Mode::AcceptSlowly(Duration::from_secs(3))).await;
    let app = TestApp::spawn_with(b, |c| {
        providers(c, webhook(&gateway.url, &gateway.secret), None);
        c.outbox.max_attempts = 5;
    })
    .await;
    let r = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "sms", "destination": "13712340004"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    gateway.wait_for_calls(1).await;
    gateway.set_mode(Mode::Accept);
    let calls = gateway.wait_for_calls(2).await;
    assert_eq!(calls[0]["id"], calls[1]["id"]);
    assert_eq!(calls[0]["params"]["code"], calls[1]["params"]["code"]);
    assert_eq!(calls[0]["text"], calls[1]["text"]);
    for _ in 0..100 {
        if status_of(&app, "+8613712340004").await.0 == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status_of(&app, "+8613712340004").await.0, "sent");
}

async fn two_nodes_never_send_one_message_twice(b: Backend) {
    let gateway = WebhookFake::start(Mode::Accept).await;
    let app = TestApp::spawn_with(b, |c| {
        providers(c, webhook(&gateway.url, &gateway.secret), None);
        c.outbox.poll_interval_ms = 10;
    })
    .await;
    let node2 = app.another_node().await;
    let n = 40;
    let requests = (0..n).map(|i| {
        app.post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "sms", "destination": format!("1371235{i:04}")}),
        )
    });
    for r in futures::future::join_all(requests).await {
        assert_eq!(r.status, StatusCode::ACCEPTED);
    }
    gateway.wait_for_calls(n).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    node2.stop().await;
    let calls = gateway.calls();
    let mut ids: Vec<&str> = calls.iter().map(|c| c["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((calls.len(), ids.len()), (n, n));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
            .await,
        n as i64
    );
}

async fn a_code_past_its_life_is_never_sent_late(b: Backend) {
    let down = closed_port().await;
    let url = format!("http://{down}/sms");
    let app = TestApp::spawn_with(b, |c| {
        providers(c, webhook(&url, "webhook-test-secret-1"), None);
        c.codes.ttl_secs = 1;
        c.outbox.max_attempts = 50;
    })
    .await;
    app.post(
        "/api/v1/verifications",
        json!({"purpose": "register", "channel": "sms", "destination": "13712340005"}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let gateway = WebhookFake::start_at(down, Mode::Accept).await;
    for _ in 0..100 {
        if app
            .count("SELECT COUNT(*) FROM outbox WHERE status = 'expired'")
            .await
            == 1
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'expired'")
            .await,
        1
    );
    assert!(gateway.calls().is_empty());
}

on_both_backends!(
    two_nodes_never_send_one_message_twice,
    a_code_past_its_life_is_never_sent_late,
    pending_messages_survive_a_crash_and_go_out_once,
    the_fallback_delivers_then_bounded_retries_end_in_failed_and_email_is_offered,
    a_send_with_an_unknown_outcome_is_retried_with_the_same_code,
);
