//! The limits a benchmark is judged against, measured in the same run on the same machine:
//! these shared machines move 2–4× from day to day, so absolute figures mean little and the
//! ratio to these limits is what a target names.
//!
//! - the HTTP limit: an in-process axum JSON echo (`POST /echo`) under the same load driver
//!   ([`crate::run_http`]) and concurrency as the phase it judges;
//! - the storage limit: SQLite single-row write transactions per second and rows per second in
//!   batches of 100, with the server's settings (WAL, `synchronous=NORMAL`), through `rusqlite`
//!   on one thread;
//! - the login limit is the raw Argon2id rate, which `wangshang-bench` measures itself.

use std::path::Path;
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::routing::post;
use serde_json::{Value, json};

use crate::{HttpPhase, per_sec, run_http};

/// Requests/s of an in-process axum JSON echo with `concurrency` clients, `count` requests at
/// most, for at most `limit`.
pub async fn echo(count: usize, concurrency: usize, limit: Duration) -> HttpPhase {
    async fn echo(Json(v): Json<Value>) -> Json<Value> {
        Json(v)
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the echo server");
    let addr = listener.local_addr().expect("echo address");
    let server = tokio::spawn(async move {
        let app = Router::new().route("/echo", post(echo));
        axum::serve(listener, app).await.expect("echo server");
    });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    let url = format!("http://{addr}/echo");
    let phase = run_http(count, concurrency, limit, move |i| {
        let client = client.clone();
        let url = url.clone();
        async move {
            // A body of the size of a verification request.
            let body = json!({"purpose": "register", "channel": "email", "destination": format!("echo{i}@example.com")});
            let r = client
                .post(&url)
                .json(&body)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if r.status() != 200 {
                return Err(format!("echo answered {}", r.status()));
            }
            r.bytes().await.map_err(|e| e.to_string())?;
            Ok(())
        }
    })
    .await;
    server.abort();
    phase
}

/// SQLite write rates with the server's settings.
#[derive(Clone, Copy, Debug)]
pub struct SqliteLimits {
    /// Single-row write transactions per second (BEGIN IMMEDIATE, INSERT, COMMIT).
    pub commits_per_sec: f64,
    /// Rows per second written in transactions of 100 rows.
    pub batched_rows_per_sec: f64,
}

/// Measures [`SqliteLimits`] on a fresh file in `dir`: at most `count` transactions per test,
/// each test for at most `limit`.
pub fn sqlite(dir: &Path, count: usize, limit: Duration) -> SqliteLimits {
    let path = dir.join("calibrate.db");
    let _ = std::fs::remove_file(&path);
    let conn = rusqlite::Connection::open(&path).expect("open the calibration database");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
         CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, at INTEGER NOT NULL);",
    )
    .expect("set up the calibration database");
    let single = {
        let start = Instant::now();
        let mut n = 0;
        while n < count && start.elapsed() < limit {
            conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
            conn.prepare_cached("INSERT INTO t (name, at) VALUES (?1, ?2)")
                .expect("prepare")
                .execute(rusqlite::params![format!("row {n}"), n as i64])
                .expect("insert");
            conn.execute_batch("COMMIT").expect("commit");
            n += 1;
        }
        per_sec(n, start.elapsed())
    };
    let batched = {
        let start = Instant::now();
        let mut rows = 0;
        while rows < count * 100 && start.elapsed() < limit {
            conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
            {
                let mut stmt = conn
                    .prepare_cached("INSERT INTO t (name, at) VALUES (?1, ?2)")
                    .expect("prepare");
                for i in 0..100 {
                    stmt.execute(rusqlite::params![format!("row {rows} {i}"), i])
                        .expect("insert");
                }
            }
            conn.execute_batch("COMMIT").expect("commit");
            rows += 100;
        }
        per_sec(rows, start.elapsed())
    };
    drop(conn);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    SqliteLimits {
        commits_per_sec: single,
        batched_rows_per_sec: batched,
    }
}

/// [`sqlite`] on a temporary directory, off the async runtime: the benchmarks' storage limit.
pub async fn sqlite_limits() -> SqliteLimits {
    let scratch = tempfile::tempdir().expect("temp dir");
    let dir = scratch.path().to_path_buf();
    tokio::task::spawn_blocking(move || sqlite(&dir, 20_000, Duration::from_secs(10)))
        .await
        .expect("sqlite calibration panicked")
}

/// `value / limit`, or 0 when the limit could not be measured.
pub fn ratio(value: f64, limit: f64) -> f64 {
    if limit > 0.0 { value / limit } else { 0.0 }
}
