//! The search index rebuilt from the database (issue 18): by `wangshang admin search rebuild`,
//! and by the server at start when the index was built by other rules or never (as after the
//! migration that made it, or a rebuild cut off by a crash, or search turned off for a while:
//! `search.enabled`).

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use testkit::{Backend, StatusCode, TestApp, json, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";

async fn hits(app: &TestApp, token: &str, q: &str) -> usize {
    let url =
        reqwest::Url::parse_with_params("http://x/api/v1/search/messages", &[("q", q)]).unwrap();
    let r = app
        .get(
            &format!("{}?{}", url.path(), url.query().unwrap()),
            Some(token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["hits"].as_array().unwrap().len()
}

async fn lose_the_index(app: &TestApp) {
    app.exec("DELETE FROM search_postings").await;
    app.exec("DELETE FROM search_scopes").await;
}

on_both_backends!(
    the_index_is_rebuilt_by_command_and_at_start,
    search_off_indexes_nothing_and_on_again_rebuilds
);

async fn the_index_is_rebuilt_by_command_and_at_start(b: Backend) {
    let mut app = TestApp::spawn(b).await;
    let c = app
        .colleagues("ann@example.com", "bob@example.com", PW)
        .await;
    let path = format!("/api/v1/conversations/{}/messages", c.conversation_id);
    for (i, body) in ["合同已经签好了", "报价单在群文件里", "发票号 PO-2026-118"]
        .iter()
        .enumerate()
    {
        let r = app
            .post_auth(
                &path,
                &c.first_token,
                json!({"client_msg_id": format!("m{i}"), "body": body}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    assert_eq!(hits(&app, &c.second_token, "合同").await, 1);

    // Without the index nothing is found: the index is what search reads.
    lose_the_index(&app).await;
    assert_eq!(hits(&app, &c.second_token, "合同").await, 0);

    let data = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_wangshang"))
        .args(["admin", "search", "rebuild"])
        .env("WANGSHANG_DATABASE_URL", &app.database_url)
        .env("WANGSHANG_DATA_DIR", data.path())
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("3 messages indexed"), "{stdout}");
    assert_eq!(hits(&app, &c.second_token, "合同").await, 1);
    assert_eq!(hits(&app, &c.second_token, "PO-2026-118").await, 1);

    // An index of other rules (or none yet): the server rebuilds it when it starts.
    lose_the_index(&app).await;
    app.exec("UPDATE search_meta SET value = 'rebuilding' WHERE key = 'version'")
        .await;
    app.kill_and_restart().await;
    let mut found = 0;
    for _ in 0..100 {
        found = hits(&app, &c.second_token, "报价单").await;
        if found == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(found, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM search_meta WHERE key = 'version' AND value = '1'")
            .await,
        1
    );
    app.stop().await;
}

async fn search_status(app: &TestApp, token: &str, path: &str) -> (StatusCode, String) {
    let r = app.get(path, Some(token)).await;
    (r.status, r.code().to_owned())
}

async fn search_off_indexes_nothing_and_on_again_rebuilds(b: Backend) {
    let mut app = TestApp::spawn_with(b, |c| c.search.enabled = false).await;
    let c = app
        .colleagues("ann@example.com", "bob@example.com", PW)
        .await;
    let path = format!("/api/v1/conversations/{}/messages", c.conversation_id);
    let mut ids = Vec::new();
    for (i, body) in ["合同已经签好了", "报价单在群文件里", "发票号 PO-2026-118"]
        .iter()
        .enumerate()
    {
        let r = app
            .post_auth(
                &path,
                &c.first_token,
                json!({"client_msg_id": format!("m{i}"), "body": body}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        ids.push(r.str("message_id"));
    }
    // An edit and a recall while off: the rebuild must see the text as it is now.
    let r = app
        .request(
            reqwest::Method::PATCH,
            &format!("{path}/{}", ids[1]),
            Some(&c.first_token),
            Some(json!({"body": "对账单在群文件里"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post_auth(
            &format!("{path}/{}/recall", ids[2]),
            &c.first_token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    // Off: every search endpoint answers the problem code, and nothing was indexed.
    for p in [
        "/api/v1/search/messages?q=%E5%90%88%E5%90%8C",
        "/api/v1/search/people?q=bob",
        "/api/v1/search/conversations?q=bob",
    ] {
        assert_eq!(
            search_status(&app, &c.second_token, p).await,
            (StatusCode::CONFLICT, "search_disabled".to_owned()),
            "{p}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM search_postings").await, 0);
    // The start with search off marked the index out of date (in the background).
    let mut marked = 0;
    for _ in 0..100 {
        marked = app
            .count("SELECT COUNT(*) FROM search_meta WHERE key = 'version' AND value = 'off'")
            .await;
        if marked == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(marked, 1);

    // On again: the server rebuilds at start, and what was sent while off is found.
    app.restart_with(|c| c.search.enabled = true).await;
    let mut found = 0;
    for _ in 0..100 {
        found = hits(&app, &c.second_token, "合同").await;
        if found == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(found, 1);
    assert_eq!(hits(&app, &c.second_token, "对账单").await, 1);
    assert_eq!(hits(&app, &c.second_token, "报价单").await, 0);
    assert_eq!(hits(&app, &c.second_token, "PO-2026-118").await, 0);
    assert_eq!(
        search_status(&app, &c.second_token, "/api/v1/search/people?q=bob")
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM search_meta WHERE key = 'version' AND value = '1'")
            .await,
        1
    );
    app.stop().await;
}
