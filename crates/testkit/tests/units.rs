//! The unit of work (issue 13): a flow is applied whole or not at all, units do not nest, and
//! many concurrent writers queue instead of failing.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::{Backend, StatusCode, TestApp, json, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";

on_both_backends!(
    nested_units_are_refused,
    a_recovery_failing_after_its_first_statements_leaves_nothing,
    a_message_send_failing_midway_leaves_nothing,
    sixty_four_concurrent_writers_all_succeed,
);

/// Opening a second unit in a task that holds one would wait forever for the single writer;
/// debug builds (the tests) refuse it at once instead. (Inside a spawned task, as every request
/// handler runs.)
async fn nested_units_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let a = app.app().clone();
    tokio::spawn(async move {
        let outer = a.write().await.unwrap();
        assert!(a.read().await.is_err(), "a read inside a write unit");
        assert!(a.write().await.is_err(), "a write inside a write unit");
        drop(outer);
        // Once the first ends, the task may open another; another task may anyway.
        let again = a.read().await.unwrap();
        let b = a.clone();
        let other = tokio::spawn(async move { b.read().await.is_ok() });
        assert!(other.await.unwrap(), "another task's unit");
        drop(again);
    })
    .await
    .unwrap();
    app.stop().await;
}

/// `verify_reset` with a store error injected at its last write (the recovery's update): the
/// code is not used up, no token is stored, and the same code works once the fault is gone.
async fn a_recovery_failing_after_its_first_statements_leaves_nothing(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.codes.resend_interval_secs = 0).await;
    app.register("email", "owner@example.com", "小明", PW).await;
    let r = app
        .post(
            "/api/v1/password-resets",
            json!({"identifier": "owner@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let id = r.str("reset_id");
    let code = app.code_sent_to("owner@example.com", 2).await;

    app.arm_fault("UPDATE password_resets SET channel");
    let r = app
        .post(
            &format!("/api/v1/password-resets/{id}/verify"),
            json!({"code": code}),
        )
        .await;
    app.disarm_fault();
    assert!(r.status.is_server_error(), "{:?}", r.body);
    assert_eq!(r.code(), "internal", "{:?}", r.body);
    // Nothing of the failed step persisted: the code is unused, no attempt counted, no token.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM verifications WHERE consumed_at IS NOT NULL AND purpose = 'password_reset'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM verifications WHERE attempts > 0")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM password_resets WHERE token_hash IS NOT NULL")
            .await,
        0
    );
    // The user simply tries again.
    let r = app
        .post(
            &format!("/api/v1/password-resets/{id}/verify"),
            json!({"code": code}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(!r.str("reset_token").is_empty());
    app.stop().await;
}

/// A message send whose stream events fail to insert (after the message rows were written in
/// the same unit): no message, no seq used, and the retried `client_msg_id` creates it once.
async fn a_message_send_failing_midway_leaves_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let c = app
        .colleagues("alice@example.com", "bob@example.com", PW)
        .await;
    let conversation = c.conversation_id;
    let path = format!("/api/v1/conversations/{conversation}/messages");
    let events_before = app.count("SELECT COUNT(*) FROM stream_events").await;

    app.arm_fault("INSERT INTO stream_events");
    let r = app
        .post_auth(
            &path,
            &c.first_token,
            json!({"client_msg_id": "m-1", "body": "报价单已发"}),
        )
        .await;
    app.disarm_fault();
    assert!(r.status.is_server_error(), "{:?}", r.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM messages").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM stream_events").await,
        events_before
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM conversations WHERE last_seq <> 0")
            .await,
        0
    );

    let r = app
        .post_auth(
            &path,
            &c.first_token,
            json!({"client_msg_id": "m-1", "body": "报价单已发"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["seq"], 1, "{:?}", r.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM messages").await, 1);
    app.stop().await;
}

/// 64 writers at once (sign-up codes to distinct destinations): every one is answered, none
/// with "database is locked" or any other server error.
async fn sixty_four_concurrent_writers_all_succeed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let sends = (0..64).map(|i| {
        app.post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "email", "destination": format!("w{i}@example.com")}),
        )
    });
    for r in futures::future::join_all(sends).await {
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM verifications").await, 64);
    app.stop().await;
}
