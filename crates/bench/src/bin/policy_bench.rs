//! `policy_bench`: what a socket's heartbeat costs in enterprise-policy reads (issue 15).
//!
//! Every `chat.heartbeat_secs` an open stream socket re-checks its session and asks the
//! enterprises' policies which conversations it may not see (`authenticate` +
//! `blocked_conversations`): one read unit with a query per enterprise rule. This measures that
//! check in-process on the real server (testkit's `TestApp`) for a member of `--orgs`
//! enterprises, each with a policy (a second factor required with a grace period still running,
//! and allowed networks), in `--conversations` conversations, in two cases: nothing refused (the
//! usual case), and one enterprise refusing the member's address (the conversation list is then
//! read too). It prints p50/p99 per check, checks per second on one task, and — beside the SQLite
//! calibration of the same run — the sockets one core could re-check at the default 30 s
//! heartbeat.

// This is a benchmark binary: a failed setup should abort loudly rather than be reported as a
// measurement.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use serde_json::json;
use testkit::{Backend, TestApp};
use wangshang_bench::{calibrate, number, percentile, read_flags};

const USAGE: &str = "\
policy_bench: the cost of a heartbeat's policy re-check on SQLite or PostgreSQL

USAGE:
    policy_bench [--orgs N] [--conversations N] [--runs N] [--postgres URL]

    --orgs N            enterprises the member belongs to, each with a policy (default 3)
    --conversations N   conversations of the member (default 50)
    --runs N            checks timed per case (default 3000)
    --postgres URL      a PostgreSQL server (postgres://user:pw@host:port, no database name)";

struct Args {
    postgres: Option<String>,
    orgs: usize,
    conversations: usize,
    runs: usize,
}

fn parse_args(it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut a = Args {
        postgres: None,
        orgs: 3,
        conversations: 50,
        runs: 3000,
    };
    let go = read_flags(it, |flag, value| {
        match flag {
            "--postgres" => a.postgres = Some(value),
            "--orgs" => a.orgs = number(flag, &value)?.max(1),
            "--conversations" => a.conversations = number(flag, &value)?,
            "--runs" => a.runs = number(flag, &value)?.max(10),
            other => return Err(format!("unknown option {other}")),
        }
        Ok(())
    })?;
    if !go {
        return Ok(None);
    }
    Ok(Some(a))
}

/// Times `runs` heartbeat checks of the session `token`: (p50 µs, p99 µs, checks/s).
async fn time_checks(app: &TestApp, token: &str, runs: usize, blocked: usize) -> (f64, f64, f64) {
    let mut took = Vec::with_capacity(runs);
    let start = Instant::now();
    for _ in 0..runs {
        let t = Instant::now();
        let auth = app.app().authenticate(token, "127.0.0.1").await.unwrap();
        let b = app.app().blocked_conversations(&auth).await.unwrap();
        took.push(t.elapsed());
        assert_eq!(b.len(), blocked, "the policy's answer");
    }
    let per_sec = runs as f64 / start.elapsed().as_secs_f64();
    took.sort();
    let us = |p: f64| percentile(&took, p).as_secs_f64() * 1e6;
    (us(50.0), us(99.0), per_sec)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return std::process::ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("policy_bench: {e}\n\n{USAGE}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let backend = if args.postgres.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let app = match &args.postgres {
        Some(base) => {
            let url = testkit::fresh_postgres_database_on(base).await;
            TestApp::spawn_with(Backend::Sqlite, move |c| c.database_url = url).await
        }
        None => TestApp::spawn(Backend::Sqlite).await,
    };
    let pw = "blue lantern over quiet harbor";
    let member = app
        .register("email", "member@example.com", "张伟", pw)
        .await;
    let token = app.token("member@example.com", pw).await;
    let mut orgs = Vec::new();
    for i in 0..args.orgs {
        let r = app
            .post_auth("/api/v1/orgs", &token, json!({"name": format!("企业{i}")}))
            .await;
        let id = r.str("id");
        let p = app
            .put_auth(
                &format!("/api/v1/orgs/{id}/policy"),
                &token,
                json!({"require_second_factor": "any", "grace_days": 30,
                       "allowed_networks": ["127.0.0.0/8", "10.0.0.0/8"],
                       "support_needs_admin": false, "session_max_age_hours": 720}),
            )
            .await;
        assert!(p.status.is_success(), "{:?}", p.body);
        orgs.push(id);
    }
    for i in 0..args.conversations {
        let org = &orgs[i % orgs.len()];
        app.exec(&format!(
            "INSERT INTO conversations (id, kind, title, created_by, created_at, last_seq, org_id) \
             VALUES ('bench{i}', 'group', 'g{i}', '{member}', 1, 0, '{org}')"
        ))
        .await;
        app.exec(&format!(
            "INSERT INTO conversation_members (conversation_id, account_id, role, joined_at, \
             read_seq) VALUES ('bench{i}', '{member}', 'owner', 1, 0)"
        ))
        .await;
    }
    eprintln!("calibrating SQLite commits …");
    let limits = calibrate::sqlite_limits().await;
    // Warm up, then the usual case: nothing refused.
    time_checks(&app, &token, 50, 0).await;
    let open = time_checks(&app, &token, args.runs, 0).await;
    // One enterprise now refuses the member's address (127.0.0.1): its conversations are withheld.
    let r = app
        .put_auth(
            &format!("/api/v1/orgs/{}/policy", orgs[0]),
            &token,
            json!({"require_second_factor": "any", "grace_days": 30,
                   "allowed_networks": ["10.0.0.0/8"], "support_needs_admin": false}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let withheld = args.conversations.div_ceil(orgs.len());
    let refused = time_checks(&app, &token, args.runs, withheld).await;

    let heartbeat = 30.0;
    println!(
        "\npolicy_bench ({backend}): member of {} enterprises with a policy, {} conversations, {} checks per case\n",
        args.orgs, args.conversations, args.runs
    );
    println!(
        "| case | p50 | p99 | checks/s (one task) | ÷ SQLite commits/s | sockets one task re-checks per {heartbeat:.0} s heartbeat |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, (p50, p99, per_sec)) in [
        ("nothing refused", open),
        ("one enterprise refuses", refused),
    ] {
        println!(
            "| {name} | {p50:.0} µs | {p99:.0} µs | {per_sec:.0} | {:.2} | {:.0} |",
            calibrate::ratio(per_sec, limits.commits_per_sec),
            per_sec * heartbeat
        );
    }
    println!(
        "\ncalibration: SQLite {:.0} single-row commits/s",
        limits.commits_per_sec
    );
    app.stop().await;
    std::process::ExitCode::SUCCESS
}
