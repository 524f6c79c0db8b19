//! Two `wangshang serve` processes on one PostgreSQL database (issue 14): each node has its own
//! id and memory and hears the other only through LISTEN/NOTIFY. With the heartbeat (the
//! periodic catch-up) set to ten minutes, everything here within a second comes from the
//! announcements.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use testkit::process::ServerProcess;
use testkit::stream::Ended;
use testkit::{Backend, StatusCode, TestApp, json, skip_postgres};

const PW: &str = "blue lantern over quiet harbor";
const NEW_PW: &str = "seven green kites at dawn";
const SECOND: Duration = Duration::from_secs(1);
const KEY: &str = "nodes-test-secret-key-0123456789";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_messages_revocations_and_flows() {
    if skip_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = TestApp::fresh_database(Backend::Postgres, dir.path()).await;
    let bin = Path::new(env!("CARGO_BIN_EXE_wangshang"));
    let slow_beat = [("WANGSHANG_CHAT__HEARTBEAT_SECS", "600")];
    let node_a = ServerProcess::start(bin, &db, KEY, &slow_beat).await;
    let node_b = ServerProcess::start(bin, &db, KEY, &slow_beat).await;
    let a = node_a.client(Backend::Postgres, &db);
    let b = node_b.client(Backend::Postgres, &db);

    // Two colleagues: registered on A, the invitation accepted on B.
    let alice = a.register("email", "alice@example.com", "alice", PW).await;
    let bob = a.register("email", "bob@example.com", "bob", PW).await;
    let alice_token = a.token("alice@example.com", PW).await;
    let bob_on_a = a.token("bob@example.com", PW).await;
    let org = a
        .post_auth("/api/v1/orgs", &alice_token, json!({"name": "旺商科技"}))
        .await;
    assert_eq!(org.status, StatusCode::CREATED, "{:?}", org.body);
    let invite = a
        .post_auth(
            &format!("/api/v1/orgs/{}/invites", org.str("id")),
            &alice_token,
            json!({"destination": "bob@example.com"}),
        )
        .await;
    assert_eq!(invite.status, StatusCode::CREATED, "{:?}", invite.body);
    let msgs = b.wait_for_messages("bob@example.com", 2).await;
    let code = testkit::invite_code(&msgs);
    let accepted = b
        .post_auth(
            &format!("/api/v1/invites/{code}/accept"),
            &bob_on_a,
            json!({}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
    let conv = a
        .post_auth(
            "/api/v1/conversations",
            &alice_token,
            json!({"member_ids": [bob]}),
        )
        .await;
    assert!(conv.status.is_success(), "{:?}", conv.body);
    let conv = conv.str("conversation_id");

    // A message sent through A reaches Bob's socket on B within a second.
    let mut socket = b.stream(&bob_on_a, None).await;
    assert_eq!(socket.next(SECOND * 5).await.unwrap()["type"], "hello");
    let sent_at = Instant::now();
    let sent = a
        .post_auth(
            &format!("/api/v1/conversations/{conv}/messages"),
            &alice_token,
            json!({"client_msg_id": "n-1", "body": "报价单已发 PO-2026-118"}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    let frame = socket.next_of("message.created", SECOND).await.unwrap();
    assert_eq!(frame["message"]["body"], "报价单已发 PO-2026-118");
    assert!(sent_at.elapsed() < SECOND);

    // Bob signs out on A: his socket on B closes within a second (4001).
    let out = a.delete("/api/v1/sessions/current", &bob_on_a).await;
    assert!(out.status.is_success(), "{:?}", out.body);
    let signed_out = Instant::now();
    let end = loop {
        match socket.next(SECOND).await {
            Ok(_) => continue,
            Err(e) => break e,
        }
    };
    assert_eq!(end, Ended::Closed(Some(4001)));
    assert!(signed_out.elapsed() < SECOND, "{:?}", signed_out.elapsed());

    // A recovery started on A completes on B; the new password works on A.
    let before = b.messages_to("alice@example.com").await.len();
    let started = a
        .post(
            "/api/v1/password-resets",
            json!({"identifier": "alice@example.com"}),
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{:?}", started.body);
    let id = started.str("reset_id");
    let code = b.code_sent_to("alice@example.com", before + 1).await;
    let verified = b
        .post(
            &format!("/api/v1/password-resets/{id}/verify"),
            json!({"code": code}),
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);
    let done = b
        .post(
            &format!("/api/v1/password-resets/{id}/complete"),
            json!({"reset_token": verified.str("reset_token"), "new_password": NEW_PW}),
        )
        .await;
    assert!(done.status.is_success(), "{:?}", done.body);
    assert_eq!(
        a.get("/api/v1/me", Some(&alice_token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        a.login("alice@example.com", NEW_PW).await.status,
        StatusCode::CREATED
    );
    let _ = alice;
    node_a.kill().await;
    node_b.kill().await;
}
