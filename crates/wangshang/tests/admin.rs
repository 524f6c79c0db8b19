//! `wangshang admin …` against a live server's database (issue 14): each command, its output,
//! and the security event it leaves.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;
use std::time::Duration;

use testkit::stream::Ended;
use testkit::{Backend, StatusCode, TestApp, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";

/// Runs the binary with `args` on the app's database.
async fn admin(app: &TestApp, data: &std::path::Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_wangshang"))
        .arg("admin")
        .args(args)
        .env("WANGSHANG_DATABASE_URL", &app.database_url)
        .env("WANGSHANG_DATA_DIR", data)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("run wangshang admin")
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

async fn events(app: &TestApp, kind: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM security_events WHERE kind = '{kind}' AND ip = 'cli'"
    ))
    .await
}

on_both_backends!(admin_commands_act_and_leave_events);

async fn admin_commands_act_and_leave_events(b: Backend) {
    let app = TestApp::spawn(b).await;
    let data = tempfile::tempdir().unwrap();
    let id = app.register("email", "owner@example.com", "小明", PW).await;
    let token = app.token("owner@example.com", PW).await;

    // show: masked bindings, factors, sessions, lock state; never a secret.
    let out = stdout(&admin(&app, data.path(), &["account", "show", "owner@example.com"]).await);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["id"], id.as_str());
    assert_eq!(report["email"], "o***@example.com");
    assert_eq!(report["totp"], false);
    assert_eq!(report["sessions"].as_array().unwrap().len(), 1);
    assert!(report["locked_until"].is_null());
    assert!(!out.contains("$argon2") && !out.contains("owner@"), "{out}");
    assert_eq!(events(&app, "admin_account_viewed").await, 1);
    // An unknown account is a clear error.
    let missing = admin(
        &app,
        data.path(),
        &["account", "show", "nobody@example.com"],
    )
    .await;
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such account"));

    // sign-out: every session ends; on PostgreSQL the server's open socket closes at once
    // (the command is another process: it announces the revocation like a node does).
    let mut socket = app.stream(&token, None).await;
    assert_eq!(
        socket.next(Duration::from_secs(5)).await.unwrap()["type"],
        "hello"
    );
    let out = stdout(&admin(&app, data.path(), &["account", "sign-out", &id]).await);
    assert!(out.contains("1 sessions ended"), "{out}");
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    if b == Backend::Postgres {
        let end = loop {
            match socket.next(Duration::from_secs(1)).await {
                Ok(_) => continue,
                Err(e) => break e,
            }
        };
        assert_eq!(end, Ended::Closed(Some(4001)));
    }
    assert_eq!(events(&app, "admin_signed_out").await, 1);

    // lock: sign-in refused and sessions ended; unlock: sign-in works again.
    let token = app.token("owner@example.com", PW).await;
    stdout(&admin(&app, data.path(), &["account", "lock", "owner@example.com"]).await);
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let refused = app.login("owner@example.com", PW).await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        refused.body
    );
    let shown = stdout(&admin(&app, data.path(), &["account", "show", &id]).await);
    assert!(!serde_json::from_str::<serde_json::Value>(&shown).unwrap()["locked_until"].is_null());
    stdout(&admin(&app, data.path(), &["account", "unlock", &id]).await);
    assert_eq!(
        app.login("owner@example.com", PW).await.status,
        StatusCode::CREATED
    );
    assert_eq!(events(&app, "admin_account_locked").await, 1);
    assert_eq!(events(&app, "admin_account_unlocked").await, 1);

    // audit export: JSON lines, filtered by account and time.
    let other = app
        .register("email", "other@example.com", "other", PW)
        .await;
    let all = stdout(&admin(&app, data.path(), &["audit", "export"]).await);
    let lines: Vec<serde_json::Value> = all
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.iter().any(|e| e["account_id"] == other.as_str()));
    assert!(lines.iter().any(|e| e["kind"] == "admin_account_locked"));
    let mine = stdout(
        &admin(
            &app,
            data.path(),
            &["audit", "export", "--account", "owner@example.com"],
        )
        .await,
    );
    assert!(!mine.is_empty());
    assert!(
        mine.lines()
            .all(|l| l.contains(&format!("\"account_id\":\"{id}\"")))
    );
    assert_eq!(events(&app, "admin_audit_exported").await, 1);
    let future = stdout(
        &admin(
            &app,
            data.path(),
            &["audit", "export", "--since", "2999-01-01"],
        )
        .await,
    );
    assert!(future.is_empty(), "{future}");
    let bad = admin(
        &app,
        data.path(),
        &["audit", "export", "--since", "yesterday"],
    )
    .await;
    assert!(!bad.status.success());

    // backup: a consistent copy of SQLite; PostgreSQL is told to use pg_dump.
    let file = data.path().join("copy.db");
    let file_arg = file.to_str().unwrap();
    let out = admin(&app, data.path(), &["backup", file_arg]).await;
    match b {
        Backend::Sqlite => {
            stdout(&out);
            let copy = format!("sqlite://{file_arg}?mode=ro");
            assert_eq!(
                store::count_raw(&copy, "SELECT COUNT(*) FROM accounts")
                    .await
                    .unwrap(),
                2
            );
            // Never over an existing file.
            assert!(
                !admin(&app, data.path(), &["backup", file_arg])
                    .await
                    .status
                    .success()
            );
        }
        Backend::Postgres => {
            assert!(!out.status.success());
            assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        }
    }
    app.stop().await;
}
