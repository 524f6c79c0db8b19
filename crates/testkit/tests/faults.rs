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

/// PostgreSQL restarted under message load, with two nodes: the nodes reconnect, LISTEN resumes,
/// and a socket on the second node gets every stream event exactly once and in order. (A private
/// cluster: restarting the shared one would fail the other tests.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_under_load_loses_no_stream_event() {
    use testkit::private_pg::PrivateCluster;
    use testkit::stream::StreamClient;
    if testkit::skip_postgres() {
        return;
    }
    let _ = tracing_subscriber::fmt().with_env_filter("warn").try_init();
    let cluster = PrivateCluster::start();
    let url = format!("{}/postgres", cluster.url());
    let app = TestApp::spawn_with(Backend::Postgres, |c| {
        c.database_url = url.clone();
        // Only the announcements (and a resumed LISTEN) may bring events early.
        c.chat.heartbeat_secs = 600;
    })
    .await;
    let node_b = app.another_node().await;
    let base_b = format!("http://{}", node_b.addr);
    let c = app
        .colleagues(
            "ann@example.com",
            "bob@example.com",
            "blue lantern over quiet harbor",
        )
        .await;
    let (ann, bob_token) = (c.first_token, c.second_token);
    let path = format!("/api/v1/conversations/{}/messages", c.conversation_id);
    let mut socket = StreamClient::connect(
        &base_b,
        None,
        &[("authorization", &format!("Bearer {bob_token}"))],
    )
    .await
    .unwrap();
    let hello = socket.next(Duration::from_secs(5)).await.unwrap();
    let mut last = hello["head"].as_i64().unwrap();

    // Sends through node A, each retried with its client_msg_id until acknowledged; the database
    // restarts in the middle.
    let total = 60;
    for i in 0..total {
        if i == total / 2 {
            cluster.restart();
        }
        let cid = format!("pg-{i}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let r = app
                .post_auth(
                    &path,
                    &ann,
                    json!({"client_msg_id": cid, "body": format!("第 {i} 条")}),
                )
                .await;
            if r.status.is_success() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{cid} never went through: {:?}",
                r.body
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // Bob's socket on B sees every message once, in order, with no gap in his stream.
    let mut bodies = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while bodies.len() < total {
        assert!(
            Instant::now() < deadline,
            "only {} of {total} arrived",
            bodies.len()
        );
        let f = match socket.next(Duration::from_secs(5)).await {
            Ok(f) => f,
            Err(e) => panic!(
                "the socket on B ended ({e:?}) after {} messages",
                bodies.len()
            ),
        };
        let Some(seq) = f["seq"].as_i64() else {
            continue;
        };
        assert_eq!(seq, last + 1, "the stream skipped or repeated: {f}");
        last = seq;
        if f["type"] == "message.created" {
            bodies.push(f["message"]["body"].as_str().unwrap().to_owned());
        }
    }
    let want: Vec<String> = (0..total).map(|i| format!("第 {i} 条")).collect();
    assert_eq!(bodies, want);
    node_b.stop().await;
    app.stop().await;
}
