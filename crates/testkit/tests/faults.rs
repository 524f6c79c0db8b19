//! Faults at the network boundary (issue 14): an SMTP relay that stalls mid-conversation or
//! refuses service. Delivery is bounded by `delivery.timeout_secs`, retried, its status kept,
//! nothing lost or sent twice, and the site keeps answering meanwhile.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use domain::config::delivery::{SmtpConfig, SmtpSecurity};
use testkit::fake_smtp::{self, Conduct};
use testkit::{Backend, StatusCode, TestApp, json, on_both_backends};

on_both_backends!(a_stalling_then_refusing_relay_is_retried_and_the_site_still_answers);

async fn a_stalling_then_refusing_relay_is_retried_and_the_site_still_answers(b: Backend) {
    let relay = fake_smtp::start(&[Conduct::StallAfterEhlo, Conduct::Refuse]).await;
    let port = relay.port;
    let app = TestApp::spawn_with(b, |c| {
        c.dev = false;
        c.outbox.driver = Some("providers".into());
        c.delivery.email = Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            security: SmtpSecurity::Plain,
            from: "Wangshang <no-reply@example.com>".into(),
            ..SmtpConfig::default()
        });
        c.delivery.timeout_secs = 1;
        c.outbox.base_backoff_ms = 100;
        c.outbox.max_backoff_secs = 1;
        c.outbox.max_attempts = 5;
    })
    .await;
    let r = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "email", "destination": "relay@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);

    // While the worker waits on the stalled relay, the site answers at once.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = Instant::now();
    let page = app.get("/login", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    let stalled = app
        .count("SELECT COUNT(*) FROM outbox WHERE destination = 'relay@example.com' AND status <> 'sent'")
        .await;
    assert_eq!(stalled, 1, "the message waits, it is not lost");

    // Stalled (timed out), refused (421), then accepted: exactly one message arrives.
    let deadline = Instant::now() + Duration::from_secs(15);
    while relay.received.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the relay never got the message");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = relay.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "sent once");
    assert!(*relay.connections.lock().unwrap() >= 3);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE destination = 'relay@example.com' AND status = 'sent' AND attempts >= 3")
            .await,
        1
    );
    assert!(
        received[0]
            .to_ascii_lowercase()
            .contains("to: relay@example.com"),
        "{}",
        received[0]
    );
}
