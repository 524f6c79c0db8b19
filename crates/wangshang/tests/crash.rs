//! The server killed with SIGKILL under message load, and restarted on the same database
//! (issue 14): every acknowledged message is there once, each conversation's seqs have no gap,
//! and a retried `client_msg_id` returns the first message.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use testkit::process::ServerProcess;
use testkit::{Backend, StatusCode, TestApp, json, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";
const KEY: &str = "crash-test-secret-key-0123456789";
const SENDERS: usize = 8;

on_both_backends!(sigkill_under_message_load_loses_and_repeats_nothing);

async fn sigkill_under_message_load_loses_and_repeats_nothing(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestApp::fresh_database(b, dir.path()).await;
    let bin = Path::new(env!("CARGO_BIN_EXE_wangshang"));
    let server = ServerProcess::start(bin, &db, KEY, &[]).await;
    let api = server.client(b, &db);

    // Two colleagues with a direct conversation.
    let c = api
        .colleagues("ann@example.com", "bob@example.com", PW)
        .await;
    let (ann, conv) = (c.first_token, c.conversation_id);
    let path = format!("/api/v1/conversations/{conv}/messages");

    // Senders send until the server dies; the acknowledged ids and their message ids are kept.
    let acked: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let tried: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut senders = Vec::new();
    for s in 0..SENDERS {
        let (client, base, path, ann) = (
            reqwest::Client::new(),
            server.base.clone(),
            path.clone(),
            ann.clone(),
        );
        let (acked, tried) = (acked.clone(), tried.clone());
        senders.push(tokio::spawn(async move {
            for i in 0..2_000 {
                let cid = format!("s{s}-{i}");
                tried.lock().unwrap().push(cid.clone());
                let r = client
                    .post(format!("{base}{path}"))
                    .bearer_auth(&ann)
                    .json(&json!({"client_msg_id": cid, "body": format!("报价 {cid}")}))
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await;
                let Ok(r) = r else { return };
                if r.status() != 201 {
                    eprintln!(
                        "send {cid}: {} {}",
                        r.status(),
                        r.text().await.unwrap_or_default()
                    );
                    return;
                }
                let v: serde_json::Value = r.json().await.unwrap_or_default();
                if let Some(id) = v["message_id"].as_str() {
                    acked.lock().unwrap().insert(cid, id.to_owned());
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.kill().await;
    for s in senders {
        s.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let tried = tried.lock().unwrap().clone();
    eprintln!(
        "killed after {} acknowledged sends of {} tried",
        acked.len(),
        tried.len()
    );
    assert!(
        acked.len() > 20,
        "the load ran: {} acknowledged",
        acked.len()
    );

    // Restarted on the same database.
    let server = ServerProcess::start(bin, &db, KEY, &[]).await;
    let api = server.client(b, &db);
    let count = |sql: String| {
        let db = db.clone();
        async move { store::count_raw(&db, &sql).await.unwrap() }
    };
    let stored = count("SELECT COUNT(*) FROM messages".into()).await;
    let max_seq = count("SELECT COALESCE(MAX(seq), 0) FROM messages".into()).await;
    assert_eq!(stored, max_seq, "seqs 1..{max_seq} without a gap");
    assert!(stored >= acked.len() as i64);
    assert_eq!(
        count("SELECT COUNT(DISTINCT client_msg_id) FROM messages".into()).await,
        stored,
        "no message twice"
    );
    // Every acknowledged message is there, once; retrying it returns the first message.
    for (cid, id) in &acked {
        let r = api
            .post_auth(
                &path,
                &ann,
                json!({"client_msg_id": cid, "body": format!("报价 {cid}")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{cid}: {:?}", r.body);
        assert_eq!(r.str("message_id"), *id);
    }
    // Retrying everything that was tried creates only what never landed, still without gaps.
    for cid in &tried {
        let r = api
            .post_auth(
                &path,
                &ann,
                json!({"client_msg_id": cid, "body": format!("报价 {cid}")}),
            )
            .await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::CREATED,
            "{:?}",
            r.body
        );
    }
    let stored = count("SELECT COUNT(*) FROM messages".into()).await;
    assert_eq!(stored, tried.len() as i64);
    assert_eq!(
        count("SELECT COALESCE(MAX(seq), 0) FROM messages".into()).await,
        stored
    );
    server.kill().await;
}
