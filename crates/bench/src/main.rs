//! `wangshang-bench`: a load driver for Wangshang's costly HTTP paths, measured in one run.
//!
//! 1. The raw Argon2id rate (hashes/s) on all cores at the configured parameters.
//! 2. `POST /api/v1/sessions` logins/s against an in-process server on SQLite with the same
//!    Argon2 parameters, and the ratio logins/s ÷ hashes/s (target ≥ 0.9).
//! 3. `POST /api/v1/verifications` requests/s and latency to distinct destinations
//!    (targets ≥ 2,000 requests/s, p99 < 25 ms).
//!
//! 4. `POST /api/v1/password-resets` requests/s and p99 over identifiers with and without an
//!    account, and the median latency of existing vs unknown identifiers with their difference.
//!
//! It prints a markdown-style table to stdout (progress goes to stderr). A missed target is
//! reported, not an error: the exit status is 0 whenever the run itself worked.
//!
//! Every loop is bounded both in count (`--hashes`, `--logins`, `--requests`) and in time
//! (`--max-secs` per phase).

// This is a benchmark binary: a failed setup (server start, registration, thread spawn) should
// abort loudly rather than be reported as a measurement.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod resets;

use wangshang_bench::{calibrate, per_sec, run_http};

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use domain::config::PasswordConfig;
use domain::password::Hasher;
use testkit::{Backend, TestApp};

const USAGE: &str = "\
wangshang-bench: measures Argon2id hashes/s, login/s and verification requests/s in one run

USAGE:
    wangshang-bench [--hashes N] [--logins N] [--requests N] [--concurrency N] [--max-secs N]

OPTIONS:
    --hashes N        Argon2id hashes per thread in the raw-rate phase   [default: 40]
    --logins N        POST /api/v1/sessions requests                     [default: 200]
    --requests N      POST /api/v1/verifications requests                [default: 5000]
    --concurrency N   concurrent clients for the verification phase      [default: 16]
    --resets N        POST /api/v1/password-resets requests              [default: 2000]
    --samples N       existing/unknown pairs for the timing comparison   [default: 300]
    --max-secs N      time limit of each phase, in seconds               [default: 300]
    -h, --help        print this help
";

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "blue lantern over quiet harbor";
const DEVICE: &str = "benchdevice01";

const LOGIN_RATIO_TARGET: f64 = 0.9;
/// `/verifications` and `/password-resets` requests/s as a share of the axum echo's requests/s
/// in the same run (issue 13).
const ECHO_SHARE_TARGET: f64 = 0.08;
const VERIFY_P99_TARGET_MS: f64 = 25.0;

#[derive(Debug)]
struct Args {
    hashes: usize,
    logins: usize,
    requests: usize,
    concurrency: usize,
    resets: usize,
    samples: usize,
    max_secs: u64,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            hashes: 40,
            logins: 200,
            requests: 5_000,
            concurrency: 16,
            resets: 2_000,
            samples: 300,
            max_secs: 300,
        }
    }
}

/// `Ok(None)` means help was asked for.
fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut a = Args::default();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        // Accept both `--flag value` and `--flag=value`.
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (flag.clone(), None),
        };
        let value = match inline {
            Some(v) => v,
            None => it.next().ok_or_else(|| format!("{name} needs a value"))?,
        };
        let n: u64 = value
            .parse()
            .map_err(|_| format!("{name}: {value:?} is not a non-negative integer"))?;
        if n == 0 {
            return Err(format!("{name} must be at least 1"));
        }
        let as_usize = || usize::try_from(n).map_err(|_| format!("{name}: {n} is too large"));
        match name.as_str() {
            "--hashes" => a.hashes = as_usize()?,
            "--logins" => a.logins = as_usize()?,
            "--requests" => a.requests = as_usize()?,
            "--concurrency" => a.concurrency = as_usize()?,
            "--resets" => a.resets = as_usize()?,
            "--samples" => a.samples = as_usize()?,
            "--max-secs" => a.max_secs = n,
            _ => return Err(format!("unknown option {name}")),
        }
    }
    Ok(Some(a))
}

/// Phase 1: `threads` OS threads each hash `per_thread` times (or until `deadline`).
fn raw_hash_rate(
    cfg: &PasswordConfig,
    threads: usize,
    per_thread: usize,
    limit: Duration,
) -> (usize, Duration, bool) {
    let hasher = Hasher::new(cfg).expect("argon2 parameters are valid");
    let done = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + limit;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let hasher = hasher.clone();
            let done = done.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{t}"))
                .spawn(move || {
                    for i in 0..per_thread {
                        if Instant::now() >= deadline {
                            break;
                        }
                        let pw = format!("{PASSWORD} {t} {i}");
                        hasher.hash_blocking(pw.as_bytes()).expect("argon2 hash");
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                })
                .expect("spawn hashing thread")
        })
        .collect();
    for h in handles {
        h.join().expect("hashing thread panicked");
    }
    let elapsed = start.elapsed();
    let n = done.load(Ordering::Relaxed);
    (n, elapsed, n < threads * per_thread)
}

/// Sends one JSON POST and checks the status.
async fn post_expect(
    client: &reqwest::Client,
    url: &str,
    body: &serde_json::Value,
    expect: u16,
) -> Result<(), String> {
    post_from(client, url, body, expect, None).await
}

/// Posts as the client `forwarded_for` behind the trusted proxy (when given).
async fn post_from(
    client: &reqwest::Client,
    url: &str,
    body: &serde_json::Value,
    expect: u16,
    forwarded_for: Option<String>,
) -> Result<(), String> {
    let mut req = client.post(url).json(body);
    if let Some(ip) = forwarded_for {
        req = req.header("x-forwarded-for", ip);
    }
    let res = req.send().await.map_err(|e| format!("send: {e}"))?;
    let status = res.status();
    // Read the whole body so the connection returns to the pool (and the time includes it).
    let bytes = res.bytes().await.map_err(|e| format!("body: {e}"))?;
    if status.as_u16() == expect {
        Ok(())
    } else {
        Err(format!(
            "{status}: {}",
            String::from_utf8_lossy(&bytes)
                .chars()
                .take(200)
                .collect::<String>()
        ))
    }
}

struct Table {
    rows: Vec<[String; 4]>,
}

impl Table {
    fn row(
        &mut self,
        measurement: impl Into<String>,
        value: impl Into<String>,
        target: &str,
        met: Option<bool>,
    ) {
        let met = match met {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "",
        };
        self.rows.push([
            measurement.into(),
            value.into(),
            target.to_owned(),
            met.to_owned(),
        ]);
    }

    fn print(&self) {
        println!("| measurement | value | target | met |");
        println!("|---|---|---|---|");
        for [m, v, t, ok] in &self.rows {
            println!("| {m} | {v} | {t} | {ok} |");
        }
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let limit = Duration::from_secs(args.max_secs);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pw_cfg = PasswordConfig::default();
    let params = format!(
        "m={} t={} p={}",
        pw_cfg.argon2_memory_kib, pw_cfg.argon2_iterations, pw_cfg.argon2_parallelism
    );
    let mut table = Table { rows: Vec::new() };
    let mut notes: Vec<String> = Vec::new();

    // 0. The limits the figures are judged against, measured in this run (see `calibrate`).
    eprintln!(
        "[0/4] calibration: axum JSON echo, {} requests, concurrency {} ...",
        args.requests, args.concurrency
    );
    let echo = calibrate::echo(args.requests * 4, args.concurrency, limit).await;
    let echo_rate = echo.rate();
    eprintln!("      echo {echo_rate:.0} requests/s; SQLite write rates ...");
    let lite = calibrate::sqlite_limits().await;
    table.row(
        format!(
            "limit: axum JSON echo requests/s (concurrency {}, p99 {:.2} ms)",
            args.concurrency,
            echo.percentile_ms(99.0)
        ),
        format!("{echo_rate:.0}"),
        "",
        None,
    );
    table.row(
        "limit: SQLite single-row commits/s (WAL, synchronous=NORMAL)",
        format!("{:.0}", lite.commits_per_sec),
        "",
        None,
    );
    table.row(
        "limit: SQLite rows/s in transactions of 100",
        format!("{:.0}", lite.batched_rows_per_sec),
        "",
        None,
    );
    notes.extend(echo.notes("echo requests", args.max_secs));

    // 1. Raw Argon2id rate on all cores.
    eprintln!(
        "[1/4] argon2id: {cores} threads × {} hashes ({params}) ...",
        args.hashes
    );
    let cfg = pw_cfg.clone();
    let (hashes, hash_elapsed, hash_cut) =
        tokio::task::spawn_blocking(move || raw_hash_rate(&cfg, cores, args.hashes, limit))
            .await
            .expect("hashing phase panicked");
    let hash_rate = per_sec(hashes, hash_elapsed);
    eprintln!(
        "      {hashes} hashes in {:.2} s = {hash_rate:.1}/s",
        hash_elapsed.as_secs_f64()
    );
    if hash_cut {
        notes.push(format!(
            "argon2 phase stopped at the {} s limit after {hashes} hashes",
            args.max_secs
        ));
    }
    table.row(
        format!("argon2id hashes/s ({cores} threads, {params}, {hashes} hashes)"),
        format!("{hash_rate:.1}"),
        "",
        None,
    );

    // The server, on SQLite, with real Argon2 parameters. Logins all come from 127.0.0.1, so
    // their per-IP throttle is off; verification requests model many clients behind a trusted
    // proxy (distinct X-Forwarded-For addresses from the 198.18.0.0/15 benchmarking range, never
    // contacted) and keep the default per-IP limits. Messages go to the dev outbox table (one
    // more write per message than a real provider costs, so the figure is conservative).
    eprintln!("      starting server (SQLite, real Argon2 parameters) ...");
    let server_pw = pw_cfg.clone();
    let app = TestApp::spawn_with(Backend::Sqlite, move |c| {
        c.dev = true;
        c.password = server_pw;
        c.login.ip_delay_after = u32::MAX;
        c.login.ip_lock_after = u32::MAX;
        c.behind_proxy = true;
    })
    .await;
    app.register("email", EMAIL, "bench", PASSWORD).await;
    let client = app.client.clone();

    // 2. Logins.
    let login_conc = 2 * cores;
    let sessions_url = format!("{}/api/v1/sessions", app.base);
    let login_body = serde_json::json!({
        "identifier": EMAIL,
        "password": PASSWORD,
        "device_id": DEVICE,
    });
    // One untimed login: proves the account works and opens a connection.
    post_expect(&client, &sessions_url, &login_body, 201)
        .await
        .expect("warm-up login");
    eprintln!(
        "[2/4] POST /api/v1/sessions: {} logins, concurrency {login_conc} ...",
        args.logins
    );
    let logins = {
        let (client, url, body) = (client.clone(), Arc::new(sessions_url), Arc::new(login_body));
        run_http(args.logins, login_conc, limit, move |_| {
            let (client, url, body) = (client.clone(), url.clone(), body.clone());
            async move { post_expect(&client, &url, &body, 201).await }
        })
        .await
    };
    let login_rate = logins.rate();
    let ratio = if hash_rate > 0.0 {
        login_rate / hash_rate
    } else {
        0.0
    };
    eprintln!(
        "      {} ok, {} failed in {:.2} s = {login_rate:.1}/s (ratio {ratio:.2})",
        logins.ok,
        logins.failed,
        logins.elapsed.as_secs_f64()
    );
    table.row(
        format!(
            "POST /sessions logins/s ({} ok, concurrency {login_conc})",
            logins.ok
        ),
        format!("{login_rate:.1}"),
        &format!(
            "≥ {LOGIN_RATIO_TARGET} × hashes/s = {:.1}",
            LOGIN_RATIO_TARGET * hash_rate
        ),
        Some(ratio >= LOGIN_RATIO_TARGET),
    );
    table.row(
        "login/hash ratio",
        format!("{ratio:.2}"),
        &format!("≥ {LOGIN_RATIO_TARGET:.2}"),
        Some(ratio >= LOGIN_RATIO_TARGET),
    );
    table.row(
        "POST /sessions p50 latency (ms)",
        format!("{:.1}", logins.percentile_ms(50.0)),
        "",
        None,
    );
    table.row(
        "POST /sessions p99 latency (ms)",
        format!("{:.1}", logins.percentile_ms(99.0)),
        "",
        None,
    );
    notes.extend(logins.notes("login requests", args.max_secs));

    // 3. Verification requests to distinct destinations.
    let verify_url = format!("{}/api/v1/verifications", app.base);
    post_expect(
        &client,
        &verify_url,
        &serde_json::json!({"purpose": "register", "channel": "email", "destination": "warmup@bench.example"}),
        202,
    )
    .await
    .expect("warm-up verification");
    eprintln!(
        "[3/4] POST /api/v1/verifications: {} requests, concurrency {} ...",
        args.requests, args.concurrency
    );
    let verifies = {
        let (client, url) = (client.clone(), Arc::new(verify_url));
        run_http(args.requests, args.concurrency, limit, move |i| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let body = serde_json::json!({
                    "purpose": "register",
                    "channel": "email",
                    "destination": format!("user{i}@bench.example"),
                });
                let ip = format!("198.18.{}.{}", (i / 250) % 250, i % 250 + 1);
                post_from(&client, &url, &body, 202, Some(ip)).await
            }
        })
        .await
    };
    let verify_rate = verifies.rate();
    let (p50, p99) = (verifies.percentile_ms(50.0), verifies.percentile_ms(99.0));
    eprintln!(
        "      {} ok, {} failed in {:.2} s = {verify_rate:.0}/s, p50 {p50:.2} ms, p99 {p99:.2} ms",
        verifies.ok,
        verifies.failed,
        verifies.elapsed.as_secs_f64()
    );
    table.row(
        format!(
            "POST /verifications requests/s ({} ok, concurrency {})",
            verifies.ok, args.concurrency
        ),
        format!("{verify_rate:.0}"),
        &format!(
            "≥ {ECHO_SHARE_TARGET} × echo = {:.0}",
            ECHO_SHARE_TARGET * echo_rate
        ),
        Some(verify_rate >= ECHO_SHARE_TARGET * echo_rate),
    );
    let share = calibrate::ratio(verify_rate, echo_rate);
    table.row(
        "POST /verifications ÷ echo",
        format!("{share:.3}"),
        &format!("≥ {ECHO_SHARE_TARGET}"),
        Some(share >= ECHO_SHARE_TARGET),
    );
    table.row(
        "POST /verifications ÷ SQLite single-row commits",
        format!("{:.3}", calibrate::ratio(verify_rate, lite.commits_per_sec)),
        "",
        None,
    );
    table.row(
        "POST /verifications p50 latency (ms)",
        format!("{p50:.2}"),
        "",
        None,
    );
    table.row(
        "POST /verifications p99 latency (ms)",
        format!("{p99:.2}"),
        &format!("< {VERIFY_P99_TARGET_MS:.0}"),
        Some(verifies.ok > 0 && p99 < VERIFY_P99_TARGET_MS),
    );
    let slowest = verifies.percentile_ms(100.0);
    table.row(
        "POST /verifications slowest request (ms)",
        format!("{slowest:.2}"),
        &format!("< 10 × p99 = {:.1}", 10.0 * p99),
        Some(verifies.ok > 0 && slowest < 10.0 * p99),
    );
    notes.extend(verifies.notes("verification requests", args.max_secs));

    // 4. Password recovery: throughput, then existing vs unknown timing.
    let seeded = args.resets / 2 + 1 + args.samples;
    eprintln!("[4/4] POST /api/v1/password-resets: seeding {seeded} accounts ...");
    resets::seed_accounts(&app, seeded).await;
    eprintln!(
        "      {} requests (half to existing accounts), concurrency {} ...",
        args.resets, args.concurrency
    );
    let r = resets::throughput(&app, args.resets, args.concurrency, limit).await;
    let (rate, p50, p99) = (r.rate(), r.percentile_ms(50.0), r.percentile_ms(99.0));
    eprintln!(
        "      {} ok, {} failed in {:.2} s = {rate:.0}/s, p50 {p50:.2} ms, p99 {p99:.2} ms",
        r.ok,
        r.failed,
        r.elapsed.as_secs_f64()
    );
    table.row(
        format!(
            "POST /password-resets requests/s ({} ok, concurrency {})",
            r.ok, args.concurrency
        ),
        format!("{rate:.0}"),
        &format!(
            "≥ {ECHO_SHARE_TARGET} × echo = {:.0}",
            ECHO_SHARE_TARGET * echo_rate
        ),
        Some(rate >= ECHO_SHARE_TARGET * echo_rate),
    );
    let share = calibrate::ratio(rate, echo_rate);
    table.row(
        "POST /password-resets ÷ echo",
        format!("{share:.3}"),
        &format!("≥ {ECHO_SHARE_TARGET}"),
        Some(share >= ECHO_SHARE_TARGET),
    );
    table.row(
        "POST /password-resets p50 latency (ms)",
        format!("{p50:.2}"),
        "",
        None,
    );
    table.row(
        "POST /password-resets p99 latency (ms)",
        format!("{p99:.2}"),
        &format!("< {VERIFY_P99_TARGET_MS:.0}"),
        Some(r.ok > 0 && p99 < VERIFY_P99_TARGET_MS),
    );
    notes.extend(r.notes("password-reset requests", args.max_secs));
    eprintln!(
        "      timing: {} existing/unknown pairs, one at a time ...",
        args.samples
    );
    let t = resets::timing(&app, args.samples, args.resets / 2 + 1).await;
    let (e, u) = (
        t.existing_median.as_secs_f64() * 1_000.0,
        t.unknown_median.as_secs_f64() * 1_000.0,
    );
    table.row(
        format!("median, existing identifier (ms, {} samples)", t.samples),
        format!("{e:.3}"),
        "",
        None,
    );
    table.row(
        format!("median, unknown identifier (ms, {} samples)", t.samples),
        format!("{u:.3}"),
        "",
        None,
    );
    table.row(
        "difference existing − unknown (ms)",
        format!("{:+.3}", e - u),
        "comparable",
        None,
    );
    if !t.failures.is_empty() {
        notes.push(format!("timing requests failed, e.g. {:?}", t.failures));
    }

    app.stop().await;

    println!();
    table.print();
    if !notes.is_empty() {
        println!();
        for n in &notes {
            println!("note: {n}");
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use wangshang_bench::percentile;

    #[test]
    fn percentiles_use_nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&v, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&v, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&[], 99.0), Duration::ZERO);
        assert_eq!(percentile(&v[..1], 0.0), Duration::from_millis(1));
    }

    #[test]
    fn args_parse() {
        let a = parse_args(
            ["--hashes", "3", "--logins=7"]
                .into_iter()
                .map(String::from),
        )
        .unwrap()
        .unwrap();
        assert_eq!((a.hashes, a.logins, a.requests), (3, 7, 5_000));
        assert!(parse_args(["--bogus", "1"].into_iter().map(String::from)).is_err());
        assert!(parse_args(["--hashes"].into_iter().map(String::from)).is_err());
        assert!(parse_args(["--hashes", "0"].into_iter().map(String::from)).is_err());
        assert!(
            parse_args(["-h"].into_iter().map(String::from))
                .unwrap()
                .is_none()
        );
    }
}
