//! `chat_fanout`: a load driver for the chat's realtime path.
//!
//! It starts the built `wangshang serve --dev` binary as a child process on SQLite in a temporary
//! directory (loopback only), so the server's own memory can be read from `/proc/<pid>/status`,
//! and then:
//!
//! 1. registers `--accounts` accounts through the real flow (verification code from the dev outbox,
//!    account, session; Argon2 lowered to m=256 KiB t=1 for the bench server so setup takes
//!    seconds), puts them in one enterprise by invitation, and opens a ring of direct
//!    conversations (account i with account i+1);
//! 2. reads the server's VmRSS, opens `--sockets` WebSockets on `GET /api/v1/stream` spread over
//!    the accounts, waits for every `hello`, lets them idle, reads VmRSS again: the growth divided
//!    by the sockets is the memory per idle socket;
//! 3. sends `--messages` messages with `--concurrency` HTTP clients (`POST
//!    /api/v1/conversations/{id}/messages`, each into the sender's conversation with its right
//!    neighbour) while every socket reads. Each body carries its send time, so a recipient's
//!    socket measures send→receive latency. Every socket checks that its account's stream seqs
//!    arrive exactly once and in order and that each conversation's message seqs do too; a socket
//!    the server closes (lagging) reconnects with `since=` its last seq.
//!
//! 4. the search phase (issue 18): fresh servers, alternately with `search.enabled` off and on
//!    (`--search-rounds` of each, on SQLite in a temporary directory, or each on a fresh
//!    PostgreSQL database with `--search-postgres`), each set up like the first with
//!    `--search-accounts` accounts, take `--search-messages` business-style Chinese messages over
//!    HTTP from `--concurrency` senders; the send throughput with the index on as a ratio to off
//!    (goal ≥ 0.9) is printed in the table, and with search on the time the first search after
//!    the last send took (it indexes what is still queued before it answers).
//!
//! Messages/s end to end is the messages divided by the time from the first send until the
//! last socket received the last frame. It prints a markdown table to stdout (progress to
//! stderr); a missed target is reported, not an error. Every loop is bounded in count and time
//! (`--max-secs` per phase).

// This is a benchmark binary: a failed setup (server start, registration, socket open) should
// abort loudly rather than be reported as a measurement.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use wangshang_bench::calibrate;

const USAGE: &str = "\
chat_fanout: messages/s end to end, send→receive latency and memory per idle socket of the chat

USAGE:
    chat_fanout [--accounts N] [--sockets N] [--messages N] [--concurrency N] [--max-secs N]
                [--server PATH] [--database URL] [--max-batch N] [--idle-secs N]

OPTIONS:
    --accounts N      accounts (a ring of direct conversations between them)   [default: 500]
    --sockets N       WebSockets, spread evenly over the accounts              [default: 1000]
    --messages N      messages sent over HTTP                                  [default: 40000]
    --concurrency N   concurrent HTTP senders                                  [default: 64]
    --max-secs N      time limit of each phase, in seconds                     [default: 120]
    --idle-secs N     seconds the sockets idle before the second RSS reading   [default: 3]
    --max-batch N     the server's chat.max_batch (unset: its default)
    --server PATH     the wangshang binary           [default: next to this binary]
    --via http|ws     send with POST …/messages, or as `message.send` frames on one
                      extra stream socket per sending account  [default: http]
    --window N        with --via ws: unanswered sends per sender    [default: 4]
    --search-messages N   the search phase: messages sent to each server     [default: 10000]
    --search-accounts N   the search phase: accounts of each server          [default: 100]
    --search-rounds N     the search phase: rounds of (search off, search on) [default: 2]
    --search-postgres URL the search phase on PostgreSQL: a fresh database per server on this
                          server (postgres://user:pw@host:port) instead of SQLite
    --database URL    an empty database for the server instead of SQLite in a temporary
                      directory (e.g. a fresh PostgreSQL database, to check the SQL there)
    -h, --help        print this help
";

const PASSWORD: &str = "blue lantern over quiet harbor";

/// Messages/s end to end as a share of the axum echo's requests/s in the same run (issue 13).
const ECHO_SHARE_TARGET: f64 = 0.15;
const P99_TARGET_MS: f64 = 50.0;
const KIB_PER_SOCKET_TARGET: f64 = 10.0;
/// Send throughput with search on as a share of off (issue 18).
const SEARCH_RATIO_TARGET: f64 = 0.9;

#[derive(Debug)]
struct Args {
    accounts: usize,
    sockets: usize,
    messages: usize,
    concurrency: usize,
    max_secs: u64,
    idle_secs: u64,
    max_batch: Option<usize>,
    server: Option<PathBuf>,
    database: Option<String>,
    /// Send over the stream sockets (`message.send`) instead of HTTP.
    via_ws: bool,
    /// With `--via ws`: unanswered sends each sender keeps in flight.
    window: usize,
    /// The search phase: messages sent per server, accounts, rounds of off-then-on.
    search_messages: usize,
    search_accounts: usize,
    search_rounds: usize,
    /// The search phase on PostgreSQL: the server to make fresh databases on.
    search_postgres: Option<String>,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            accounts: 500,
            sockets: 1_000,
            messages: 40_000,
            concurrency: 64,
            max_secs: 120,
            idle_secs: 3,
            max_batch: None,
            server: None,
            database: None,
            via_ws: false,
            window: 4,
            search_messages: 10_000,
            search_accounts: 100,
            search_rounds: 2,
            search_postgres: None,
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
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (flag.clone(), None),
        };
        let value = match inline {
            Some(v) => v,
            None => it.next().ok_or_else(|| format!("{name} needs a value"))?,
        };
        if name == "--server" {
            a.server = Some(PathBuf::from(value));
            continue;
        }
        if name == "--search-postgres" {
            a.search_postgres = Some(value);
            continue;
        }
        if name == "--database" {
            a.database = Some(value);
            continue;
        }
        if name == "--via" {
            a.via_ws = match value.as_str() {
                "http" => false,
                "ws" => true,
                _ => return Err(format!("--via: {value:?} is neither http nor ws")),
            };
            continue;
        }
        let n: usize = value
            .parse()
            .map_err(|_| format!("{name}: {value:?} is not a non-negative integer"))?;
        if n == 0 {
            return Err(format!("{name} must be at least 1"));
        }
        match name.as_str() {
            "--accounts" => a.accounts = n,
            "--sockets" => a.sockets = n,
            "--messages" => a.messages = n,
            "--concurrency" => a.concurrency = n,
            "--max-secs" => a.max_secs = n as u64,
            "--idle-secs" => a.idle_secs = n as u64,
            "--max-batch" => a.max_batch = Some(n),
            "--window" => a.window = n,
            "--search-messages" => a.search_messages = n,
            "--search-accounts" => a.search_accounts = n,
            "--search-rounds" => a.search_rounds = n,
            _ => return Err(format!("unknown option {name}")),
        }
    }
    if a.accounts < 2 || a.search_accounts < 2 {
        return Err("--accounts and --search-accounts must be at least 2".into());
    }
    Ok(Some(a))
}

/// The instant all send times are measured from (bodies carry microseconds since it).
fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

fn micros_now() -> u64 {
    base().elapsed().as_micros() as u64
}

/// The server as a child process.
struct Server {
    child: tokio::process::Child,
    base: String,
    ws_base: String,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start(
        bin: &PathBuf,
        max_batch: Option<usize>,
        database: Option<&str>,
        search: bool,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("its address")
            .port();
        let addr = format!("127.0.0.1:{port}");
        let data = dir.path().join("data");
        let mut cmd = tokio::process::Command::new(bin);
        cmd.args(["serve", "--dev"])
            .current_dir(dir.path())
            .env("RUST_LOG", "warn")
            .env("WANGSHANG_LISTEN", &addr)
            .env("WANGSHANG_PUBLIC_URL", format!("http://localhost:{port}"))
            .env(
                "WANGSHANG_DATABASE_URL",
                database.map_or_else(
                    || format!("sqlite://{}", data.join("bench.db").display()),
                    str::to_owned,
                ),
            )
            .env("WANGSHANG_DATA_DIR", &data)
            // Setup only: registration and login hash passwords; the measured paths do not.
            .env("WANGSHANG_PASSWORD__ARGON2_MEMORY_KIB", "256")
            .env("WANGSHANG_PASSWORD__ARGON2_ITERATIONS", "1")
            .env("WANGSHANG_CODES__PER_IP_HOUR", "100000")
            .env("WANGSHANG_CODES__PER_IP_DAY", "100000")
            .env("WANGSHANG_LOGIN__IP_DELAY_AFTER", "100000")
            .env("WANGSHANG_LOGIN__IP_LOCK_AFTER", "100000")
            .env("WANGSHANG_LOGIN__NEW_DEVICE_CHALLENGE", "false")
            .env("WANGSHANG_LOGIN__NOTIFY_NEW_LOGIN", "false")
            .env("WANGSHANG_OUTBOX__POLL_INTERVAL_MS", "20")
            .env("WANGSHANG_SEARCH__ENABLED", search.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .kill_on_drop(true);
        if let Some(n) = max_batch {
            cmd.env("WANGSHANG_CHAT__MAX_BATCH", n.to_string());
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
        let server = Self {
            child,
            base: format!("http://{addr}"),
            ws_base: format!("ws://{addr}"),
            _dir: dir,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client.get(format!("{}/healthz", server.base)).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "the server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// The server's resident set in KiB (`VmRSS` of `/proc/<pid>/status`).
    fn rss_kib(&self) -> u64 {
        let pid = self.child.id().expect("the server runs");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }
}

struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let bytes = res.bytes().await.expect("body");
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value, expect: u16) -> Value {
        let (status, v) = self
            .call(reqwest::Method::POST, path, token, Some(body))
            .await;
        assert_eq!(status, expect, "POST {path}: {v}");
        v
    }

    /// The dev outbox messages to `destination`, waiting (up to 20 s) until there are `count`.
    async fn outbox(&self, destination: &str, count: usize) -> Vec<Value> {
        for _ in 0..400 {
            let (_, v) = self
                .call(
                    reqwest::Method::GET,
                    &format!("/api/v1/dev/outbox?destination={destination}"),
                    None,
                    None,
                )
                .await;
            let m = v["messages"].as_array().cloned().unwrap_or_default();
            if m.len() >= count {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{destination} did not receive {count} messages");
    }
}

struct Account {
    id: String,
    email: String,
    token: String,
}

async fn register(api: &Api, i: usize) -> Account {
    let email = format!("chatbench{i}@example.com");
    let v = api
        .post(
            "/api/v1/verifications",
            None,
            json!({"purpose": "register", "channel": "email", "destination": email}),
            202,
        )
        .await;
    let vid = v["verification_id"]
        .as_str()
        .expect("verification_id")
        .to_owned();
    let msgs = api.outbox(&email, 1).await;
    let code = msgs
        .iter()
        .find_map(|m| m["code"].as_str())
        .expect("a code")
        .to_owned();
    let a = api
        .post(
            "/api/v1/accounts",
            None,
            json!({"verification_id": vid, "code": code, "nickname": format!("bench {i}"), "password": PASSWORD}),
            201,
        )
        .await;
    let id = a["account_id"].as_str().expect("account_id").to_owned();
    let s = api
        .post(
            "/api/v1/sessions",
            None,
            json!({"identifier": email, "password": PASSWORD}),
            201,
        )
        .await;
    let token = s["token"].as_str().expect("token").to_owned();
    Account { id, email, token }
}

/// Runs `f(i)` for `0..n` with `concurrency` tasks, in order of `i` in the result.
async fn parallel<T, F, Fut>(n: usize, concurrency: usize, f: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let f = Arc::new(f);
    let next = Arc::new(AtomicUsize::new(0));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(n) {
        let f = f.clone();
        let next = next.clone();
        set.spawn(async move {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                out.push((i, f(i).await));
            }
            out
        });
    }
    let mut all = Vec::with_capacity(n);
    while let Some(r) = set.join_next().await {
        all.extend(r.expect("task panicked"));
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, t)| t).collect()
}

/// What the driver reads of a frame.
#[derive(Deserialize)]
struct Frame<'a> {
    seq: Option<i64>,
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    head: Option<i64>,
    message: Option<MessageFrame<'a>>,
}

#[derive(Deserialize)]
struct MessageFrame<'a> {
    #[serde(borrow)]
    conversation_id: std::borrow::Cow<'a, str>,
    seq: i64,
    #[serde(borrow)]
    sender_id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    body: std::borrow::Cow<'a, str>,
}

/// Shared counters of all sockets.
struct Counters {
    /// Message frames received (by all sockets).
    frames: AtomicUsize,
    /// Sockets that received their `hello`.
    hellos: AtomicUsize,
    /// Stream seqs out of order, repeated or missing; conversation seqs likewise.
    violations: AtomicUsize,
    /// Reconnects after the server closed a socket.
    reconnects: AtomicUsize,
    /// Set when the load phase starts: latencies are recorded from then on.
    measuring: AtomicBool,
}

/// One socket's result: latencies (µs) of messages from other accounts, and example violations.
struct SocketResult {
    latencies: Vec<u32>,
    examples: Vec<String>,
}

/// Reads one socket until `stop`, reconnecting with `since=` when the server closes it.
async fn socket_task(
    ws_base: String,
    account_id: String,
    token: String,
    counters: Arc<Counters>,
    mut stop: watch::Receiver<bool>,
) -> SocketResult {
    let mut last: Option<i64> = None;
    let mut conv_seq: HashMap<String, i64> = HashMap::new();
    let mut result = SocketResult {
        latencies: Vec::new(),
        examples: Vec::new(),
    };
    let mut first = true;
    for _attempt in 0..50 {
        let url = match last {
            Some(s) => format!("{ws_base}/api/v1/stream?since={s}"),
            None => format!("{ws_base}/api/v1/stream"),
        };
        let mut req = url.into_client_request().expect("request");
        req.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {token}")).expect("header"),
        );
        let (mut ws, _) = match tokio_tungstenite::connect_async(req).await {
            Ok(ok) => ok,
            Err(e) => {
                if result.examples.len() < 3 {
                    result.examples.push(format!("connect: {e}"));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        loop {
            let msg = tokio::select! {
                m = ws.next() => m,
                _ = stop.changed() => {
                    let _ = ws.close(None).await;
                    return result;
                }
            };
            let text = match msg {
                Some(Ok(Ws::Text(t))) => t,
                Some(Ok(Ws::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => continue,
            };
            let f: Frame = match serde_json::from_str(&text) {
                Ok(f) => f,
                Err(e) => {
                    counters.violations.fetch_add(1, Ordering::Relaxed);
                    if result.examples.len() < 3 {
                        result.examples.push(format!("bad frame {e}: {text}"));
                    }
                    continue;
                }
            };
            match (f.kind, f.seq) {
                ("hello", _) => {
                    if last.is_none() {
                        last = f.head;
                    }
                    if first {
                        first = false;
                        counters.hellos.fetch_add(1, Ordering::Relaxed);
                    }
                }
                (_, Some(seq)) => {
                    let prev = last.unwrap_or(0);
                    if seq != prev + 1 {
                        counters.violations.fetch_add(1, Ordering::Relaxed);
                        if result.examples.len() < 3 {
                            result
                                .examples
                                .push(format!("stream seq {seq} after {prev}"));
                        }
                    }
                    last = Some(seq.max(prev));
                    if f.kind != "message.created" {
                        continue;
                    }
                    let Some(m) = f.message else { continue };
                    counters.frames.fetch_add(1, Ordering::Relaxed);
                    let c = conv_seq.entry(m.conversation_id.into_owned()).or_insert(0);
                    if m.seq != *c + 1 {
                        counters.violations.fetch_add(1, Ordering::Relaxed);
                        if result.examples.len() < 3 {
                            result
                                .examples
                                .push(format!("conversation seq {} after {}", m.seq, *c));
                        }
                    }
                    *c = (*c).max(m.seq);
                    if m.sender_id != account_id
                        && counters.measuring.load(Ordering::Relaxed)
                        && let Some(sent) = m
                            .body
                            .strip_prefix("bench ")
                            .and_then(|t| t.parse::<u64>().ok())
                    {
                        let lat = micros_now().saturating_sub(sent);
                        result.latencies.push(lat.min(u64::from(u32::MAX)) as u32);
                    }
                }
                _ => {}
            }
        }
        if *stop.borrow() {
            return result;
        }
        counters.reconnects.fetch_add(1, Ordering::Relaxed);
    }
    result
}

/// Sends the messages of the accounts it owns as `message.send` frames, one socket per account,
/// keeping at most `window` unanswered; returns the send→ack latencies (µs), example failures and
/// how many failed.
async fn ws_sender(
    ws_base: String,
    owned: Vec<(usize, String, String)>,
    n_accounts: usize,
    total: usize,
    deadline: Instant,
    window: usize,
) -> (Vec<u32>, Vec<String>, usize) {
    use futures_util::SinkExt;
    let mut sinks = HashMap::new();
    let mut streams = Vec::new();
    for (a, token, conv) in &owned {
        let mut req = format!("{ws_base}/api/v1/stream")
            .into_client_request()
            .expect("request");
        req.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {token}")).expect("header"),
        );
        let (ws, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("sender socket opens");
        let (sink, stream) = ws.split();
        sinks.insert(*a, (sink, conv.clone()));
        streams.push(stream);
    }
    let mut incoming = futures_util::stream::select_all(streams);
    let mine: std::collections::HashSet<usize> = sinks.keys().copied().collect();
    let mut todo = (0..total).filter(move |i| mine.contains(&(i % n_accounts)));
    let mut pending: HashMap<String, Instant> = HashMap::new();
    let (mut lat, mut failures, mut failed) = (Vec::new(), Vec::new(), 0usize);
    let mut done = false;
    loop {
        while !done && pending.len() < window && Instant::now() < deadline {
            let Some(i) = todo.next() else {
                done = true;
                break;
            };
            let (sink, conv) = sinks.get_mut(&(i % n_accounts)).expect("owned");
            let cid = format!("m{i}");
            let frame = json!({"type": "message.send", "conversation_id": conv,
                "client_msg_id": cid, "body": format!("bench {}", micros_now())});
            if sink.send(Ws::Text(frame.to_string().into())).await.is_err() {
                failed += 1;
                continue;
            }
            pending.insert(cid, Instant::now());
        }
        if pending.is_empty() && (done || Instant::now() >= deadline) {
            break;
        }
        let msg = match tokio::time::timeout_at(deadline.into(), incoming.next()).await {
            Ok(Some(Ok(m))) => m,
            _ => break,
        };
        let Ws::Text(t) = msg else { continue };
        let v: Value = serde_json::from_str(&t).unwrap_or_default();
        let kind = v["type"].as_str().unwrap_or_default();
        if kind != "message.sent" && kind != "message.failed" {
            continue;
        }
        let cid = v["data"]["client_msg_id"].as_str().unwrap_or_default();
        let Some(t0) = pending.remove(cid) else {
            continue;
        };
        if kind == "message.sent" {
            lat.push(t0.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        } else {
            failed += 1;
            if failures.len() < 3 {
                failures.push(v.to_string());
            }
        }
    }
    failed += pending.len();
    (lat, failures, failed)
}

fn percentile_ms(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let n = sorted.len();
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, n) - 1]) / 1_000.0
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "not met" }
}

/// Accounts `0..n_accounts` registered, in one enterprise, with a ring of direct conversations
/// (conversation i is between account i and account i+1, mod n).
async fn setup(
    api: &Arc<Api>,
    n_accounts: usize,
    limit: Duration,
) -> (Arc<Vec<Account>>, Arc<Vec<String>>) {
    // Setup: accounts, one enterprise, a ring of direct conversations.
    let t = Instant::now();
    let accounts = {
        let api = api.clone();
        tokio::time::timeout(
            limit,
            parallel(n_accounts, 8, move |i| {
                let api = api.clone();
                async move { register(&api, i).await }
            }),
        )
        .await
        .expect("registration within --max-secs")
    };
    eprintln!(
        "registered {} accounts in {:.1} s",
        accounts.len(),
        t.elapsed().as_secs_f64()
    );
    let accounts = Arc::new(accounts);
    let owner = &accounts[0];
    let org = api
        .post(
            "/api/v1/orgs",
            Some(&owner.token),
            json!({"name": "Bench Co"}),
            201,
        )
        .await;
    let org_id = org["id"].as_str().expect("org id").to_owned();
    {
        let api = api.clone();
        let accounts = accounts.clone();
        tokio::time::timeout(
            limit,
            parallel(n_accounts - 1, 8, move |i| {
                let api = api.clone();
                let accounts = accounts.clone();
                let org_id = org_id.clone();
                async move {
                    let a = &accounts[i + 1];
                    let owner = &accounts[0];
                    let before = api.outbox(&a.email, 0).await.len();
                    api.post(
                        &format!("/api/v1/orgs/{org_id}/invites"),
                        Some(&owner.token),
                        json!({"destination": a.email}),
                        201,
                    )
                    .await;
                    let msgs = api.outbox(&a.email, before + 1).await;
                    let code = msgs
                        .iter()
                        .filter_map(|m| m["body"].as_str())
                        .find_map(|b| {
                            let start = b.find("/invites/")? + "/invites/".len();
                            Some(
                                b[start..]
                                    .chars()
                                    .take_while(|c| {
                                        c.is_ascii_alphanumeric() || *c == '-' || *c == '_'
                                    })
                                    .collect::<String>(),
                            )
                        })
                        .expect("an invitation link");
                    api.post(
                        &format!("/api/v1/invites/{code}/accept"),
                        Some(&a.token),
                        json!({}),
                        200,
                    )
                    .await;
                }
            }),
        )
        .await
        .expect("invitations within --max-secs");
    }
    // Conversation i is between account i and account i+1 (mod n).
    let conversations: Arc<Vec<String>> = {
        let api = api.clone();
        let accounts = accounts.clone();
        let n = n_accounts;
        Arc::new(
            tokio::time::timeout(
                limit,
                parallel(n, 8, move |i| {
                    let api = api.clone();
                    let accounts = accounts.clone();
                    async move {
                        let other = accounts[(i + 1) % n].id.clone();
                        let c = api
                            .post(
                                "/api/v1/conversations",
                                Some(&accounts[i].token),
                                json!({"member_ids": [other]}),
                                201,
                            )
                            .await;
                        c["conversation_id"]
                            .as_str()
                            .expect("conversation_id")
                            .to_owned()
                    }
                }),
            )
            .await
            .expect("conversations within --max-secs"),
        )
    };
    eprintln!(
        "setup (accounts, enterprise, {} conversations) took {:.1} s",
        conversations.len(),
        t.elapsed().as_secs_f64()
    );
    (accounts, conversations)
}

/// Chinese business texts with order numbers: what the index is written for.
const SEARCH_BODIES: [&str; 6] = [
    "采购订单 PO-2026-{i} 已确认，请于周五前发货到上海仓库",
    "报价单已经更新，含税单价下调百分之三，请查收附件",
    "合同第{i}版已签字盖章，原件明天快递给您",
    "发票号 {i} 的款项已到账，谢谢王经理",
    "样品测试报告显示耐压合格，可以安排批量生产",
    "明天上午十点视频会议讨论交货期和包装要求",
];

/// Starts a server with search on or off on SQLite in a temporary directory, sets it up with
/// `--search-accounts` accounts, and sends `--search-messages` messages over HTTP from
/// `--concurrency` senders; returns messages/s answered (201), the failed sends and, with search
/// on, how long the first search after the last send took (it indexes what is still queued
/// before it answers, so this is how far the index was behind), how many messages it found and
/// how many it should have found (at most 50).
async fn search_send_rate(
    bin: &PathBuf,
    args: &Args,
    search: bool,
    limit: Duration,
) -> (f64, usize, Option<(f64, usize, usize)>) {
    let database = match &args.search_postgres {
        Some(base) => Some(testkit::fresh_postgres_database_on(base).await),
        None => None,
    };
    let server = Server::start(bin, args.max_batch, database.as_deref(), search).await;
    let api = Arc::new(Api {
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(args.concurrency.max(16))
            .build()
            .expect("client"),
        base: server.base.clone(),
    });
    let (accounts, conversations) = setup(&api, args.search_accounts, limit).await;
    let n = args.search_accounts;
    let total = args.search_messages;
    let next = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + limit;
    let start = Instant::now();
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency {
        let (api, accounts, conversations) = (api.clone(), accounts.clone(), conversations.clone());
        let (next, failed) = (next.clone(), failed.clone());
        senders.spawn(async move {
            let mut ok = 0usize;
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let a = i % n;
                let body = SEARCH_BODIES[i % SEARCH_BODIES.len()].replace("{i}", &i.to_string());
                let res = api
                    .client
                    .post(format!(
                        "{}/api/v1/conversations/{}/messages",
                        api.base, conversations[a]
                    ))
                    .bearer_auth(&accounts[a].token)
                    .json(&json!({"client_msg_id": format!("s{i}"), "body": body}))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status().as_u16() == 201 => {
                        let _ = r.bytes().await;
                        ok += 1;
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            ok
        });
    }
    let mut sent = 0;
    while let Some(r) = senders.join_next().await {
        sent += r.expect("sender panicked");
    }
    let rate = sent as f64 / start.elapsed().as_secs_f64();
    let first_search = if search {
        // Account 0 sends messages 0, n, 2n, …; those whose number is also a multiple of the
        // bodies' count say 采购订单 (the first of SEARCH_BODIES), message 0 at least. Before,
        // this searched 合同, which account 0 never sends when n is a multiple of 6.
        let t = Instant::now();
        let r = api
            .client
            .get(format!(
                "{}/api/v1/search/messages?q=%E9%87%87%E8%B4%AD%E8%AE%A2%E5%8D%95&limit=50&conversation_id={}",
                api.base, conversations[0]
            ))
            .bearer_auth(&accounts[0].token)
            .send()
            .await
            .expect("search");
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let body: Value = r.json().await.expect("search answer");
        let hits = body["hits"].as_array().map_or(0, Vec::len);
        let sent_by_0 = (0..total).filter(|i| i % n == 0 && i % SEARCH_BODIES.len() == 0);
        Some((ms, hits, sent_by_0.count().min(50)))
    } else {
        None
    };
    drop(server);
    (rate, failed.load(Ordering::Relaxed), first_search)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("chat_fanout: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    base();
    let limit = Duration::from_secs(args.max_secs);
    // The limits the figures are judged against, measured first in this run on this machine:
    // an in-process axum JSON echo under the same load driver and senders, and SQLite's write
    // rates with the server's settings.
    eprintln!(
        "calibration: axum JSON echo with {} senders, SQLite write rates …",
        args.concurrency
    );
    let echo = calibrate::echo(args.messages, args.concurrency, limit).await;
    let lite = calibrate::sqlite_limits().await;
    eprintln!(
        "echo {:.0} requests/s; SQLite {:.0} commits/s, {:.0} rows/s batched",
        echo.rate(),
        lite.commits_per_sec,
        lite.batched_rows_per_sec
    );
    let bin = args.server.clone().unwrap_or_else(|| {
        let me = std::env::current_exe().expect("this binary's path");
        me.with_file_name("wangshang")
    });
    eprintln!("starting {} …", bin.display());
    let server = Server::start(&bin, args.max_batch, args.database.as_deref(), true).await;
    let api = Arc::new(Api {
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(args.concurrency.max(16))
            .build()
            .expect("client"),
        base: server.base.clone(),
    });

    let (accounts, conversations) = setup(&api, args.accounts, limit).await;

    // Idle sockets and the server's memory.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before = server.rss_kib();
    let counters = Arc::new(Counters {
        frames: AtomicUsize::new(0),
        hellos: AtomicUsize::new(0),
        violations: AtomicUsize::new(0),
        reconnects: AtomicUsize::new(0),
        measuring: AtomicBool::new(false),
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut sockets_per_account = vec![0usize; args.accounts];
    let mut sockets = tokio::task::JoinSet::new();
    let t = Instant::now();
    for s in 0..args.sockets {
        let a = s % args.accounts;
        sockets_per_account[a] += 1;
        sockets.spawn(socket_task(
            server.ws_base.clone(),
            accounts[a].id.clone(),
            accounts[a].token.clone(),
            counters.clone(),
            stop_rx.clone(),
        ));
        // Open in waves so the accept queue never overflows.
        if s % 64 == 63 {
            while counters.hellos.load(Ordering::Relaxed) + 64 < s {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }
    while counters.hellos.load(Ordering::Relaxed) < args.sockets {
        assert!(
            t.elapsed() < limit,
            "sockets did not open within --max-secs"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    eprintln!(
        "{} sockets open in {:.2} s; idling {} s",
        args.sockets,
        t.elapsed().as_secs_f64(),
        args.idle_secs
    );
    tokio::time::sleep(Duration::from_secs(args.idle_secs)).await;
    let rss_idle = server.rss_kib();
    let kib_per_socket = (rss_idle as f64 - rss_before as f64) / args.sockets as f64;

    // Load: every message goes to both members' sockets.
    let expected: usize = (0..args.messages)
        .map(|i| {
            let a = i % args.accounts;
            sockets_per_account[a] + sockets_per_account[(a + 1) % args.accounts]
        })
        .sum();
    counters.measuring.store(true, Ordering::Relaxed);
    let next = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + limit;
    let mut senders = tokio::task::JoinSet::new();
    for k in 0..args.concurrency.min(args.messages) {
        if args.via_ws {
            let owned: Vec<(usize, String, String)> = (0..args.accounts)
                .filter(|a| a % args.concurrency == k)
                .map(|a| (a, accounts[a].token.clone(), conversations[a].clone()))
                .collect();
            let (ws_base, n, total, window) = (
                server.ws_base.clone(),
                args.accounts,
                args.messages,
                args.window,
            );
            let failed = failed.clone();
            senders.spawn(async move {
                let (lat, failures, f) =
                    ws_sender(ws_base, owned, n, total, deadline, window).await;
                failed.fetch_add(f, Ordering::Relaxed);
                (lat, failures)
            });
            continue;
        }
        let api = api.clone();
        let accounts = accounts.clone();
        let conversations = conversations.clone();
        let next = next.clone();
        let failed = failed.clone();
        let (n, total) = (args.accounts, args.messages);
        senders.spawn(async move {
            let mut lat: Vec<u32> = Vec::new();
            let mut failures: Vec<String> = Vec::new();
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let a = i % n;
                let t0 = Instant::now();
                let res = api
                    .client
                    .post(format!(
                        "{}/api/v1/conversations/{}/messages",
                        api.base, conversations[a]
                    ))
                    .bearer_auth(&accounts[a].token)
                    .json(&json!({"client_msg_id": format!("m{i}"), "body": format!("bench {}", micros_now())}))
                    .send()
                    .await;
                let ok = match res {
                    Ok(r) => {
                        let status = r.status();
                        let body = r.bytes().await.unwrap_or_default();
                        if status.as_u16() == 201 {
                            true
                        } else {
                            if failures.len() < 3 {
                                failures
                                    .push(format!("{status}: {}", String::from_utf8_lossy(&body)));
                            }
                            false
                        }
                    }
                    Err(e) => {
                        if failures.len() < 3 {
                            failures.push(e.to_string());
                        }
                        false
                    }
                };
                if ok {
                    lat.push(t0.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
            (lat, failures)
        });
    }
    let mut http_lat = Vec::with_capacity(args.messages);
    let mut failures = Vec::new();
    while let Some(r) = senders.join_next().await {
        let (lat, f) = r.expect("sender panicked");
        http_lat.extend(lat);
        failures.extend(f);
    }
    let sent_in = start.elapsed();
    let sent = http_lat.len();
    http_lat.sort_unstable();
    // Expected frames of the messages actually sent (a failed send delivers nothing).
    let expected = if failed.load(Ordering::Relaxed) == 0 && sent == args.messages {
        expected
    } else {
        0
    };
    while counters.frames.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let delivered_in = start.elapsed();
    let frames = counters.frames.load(Ordering::Relaxed);
    let _ = stop_tx.send(true);
    let mut latencies: Vec<u32> = Vec::with_capacity(frames);
    let mut examples = Vec::new();
    while let Some(r) = sockets.join_next().await {
        let r = r.expect("socket task panicked");
        latencies.extend(r.latencies);
        examples.extend(r.examples);
    }
    latencies.sort_unstable();
    let rss_after = server.rss_kib();
    drop(server);

    // The search phase: send throughput with the index off and on, alternately.
    let (mut off_rates, mut on_rates, mut search_failed) = (Vec::new(), Vec::new(), 0);
    let mut first_searches: Vec<(f64, usize, usize)> = Vec::new();
    for round in 0..args.search_rounds {
        for search in [false, true] {
            let (r, f, first) = search_send_rate(&bin, &args, search, limit).await;
            first_searches.extend(first);
            eprintln!(
                "search phase round {}: search {} — {r:.0} messages/s",
                round + 1,
                if search { "on" } else { "off" }
            );
            if search {
                on_rates.push(r);
            } else {
                off_rates.push(r);
            }
            search_failed += f;
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (off_rate, on_rate) = (mean(&off_rates), mean(&on_rates));
    let search_ratio = calibrate::ratio(on_rate, off_rate);

    let rate = sent as f64 / delivered_in.as_secs_f64();
    let http_rate = sent as f64 / sent_in.as_secs_f64();
    let p50 = percentile_ms(&latencies, 50.0);
    let p99 = percentile_ms(&latencies, 99.0);
    let violations = counters.violations.load(Ordering::Relaxed);
    let all_delivered = expected > 0 && frames == expected;

    println!(
        "\n| measurement ({} sockets, {} accounts, {} messages, {} senders) | value | target |",
        args.sockets, args.accounts, args.messages, args.concurrency
    );
    println!("|---|---|---|");
    let echo_rate = echo.rate();
    println!(
        "| limit: axum JSON echo requests/s ({} senders, same load driver) | {echo_rate:.0} | |",
        args.concurrency
    );
    println!(
        "| limit: SQLite single-row commits/s; rows/s in transactions of 100 | {:.0}; {:.0} | |",
        lite.commits_per_sec, lite.batched_rows_per_sec
    );
    let share = calibrate::ratio(rate, echo_rate);
    println!(
        "| messages/s persisted and delivered end to end | {rate:.0} | ≥ {ECHO_SHARE_TARGET} × echo = {:.0} — {} |",
        ECHO_SHARE_TARGET * echo_rate,
        met(share >= ECHO_SHARE_TARGET && all_delivered)
    );
    println!(
        "| messages/s ÷ echo requests/s | {share:.3} | ≥ {ECHO_SHARE_TARGET} — {} |",
        met(share >= ECHO_SHARE_TARGET && all_delivered)
    );
    println!(
        "| messages/s ÷ SQLite rows/s batched | {:.3} | |",
        calibrate::ratio(rate, lite.batched_rows_per_sec)
    );
    println!(
        "| send→receive latency p50 / p99 (ms, {} recipient frames) | {p50:.2} / {p99:.2} | p99 < {P99_TARGET_MS:.0} — {} |",
        latencies.len(),
        met(p99 < P99_TARGET_MS && !latencies.is_empty())
    );
    println!(
        "| sends via {}: messages/s answered and p50 / p99 to the answer (ms) | {http_rate:.0}; {:.2} / {:.2} | |",
        if args.via_ws {
            "`message.send` on the socket"
        } else {
            "POST …/messages"
        },
        percentile_ms(&http_lat, 50.0),
        percentile_ms(&http_lat, 99.0)
    );
    println!(
        "| frames delivered / expected; order or exactly-once violations; reconnects | {frames} / {expected}; {violations}; {} | all, 0 |",
        counters.reconnects.load(Ordering::Relaxed)
    );
    println!(
        "| server RSS before / with idle sockets / after load (KiB) | {rss_before} / {rss_idle} / {rss_after} | |"
    );
    println!(
        "| memory per idle socket (KiB) | {kib_per_socket:.1} | ≤ {KIB_PER_SOCKET_TARGET:.0} — {} |",
        met(kib_per_socket <= KIB_PER_SOCKET_TARGET)
    );
    println!(
        "| search phase ({} rounds, {} messages, {} accounts, {}): sends/s with search off; on | {off_rate:.0}; {on_rate:.0} | |",
        args.search_rounds,
        args.search_messages,
        args.search_accounts,
        if args.search_postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!(
        "| send throughput search on ÷ off | {search_ratio:.3} | ≥ {SEARCH_RATIO_TARGET} — {} |",
        met(search_ratio >= SEARCH_RATIO_TARGET && search_failed == 0)
    );
    println!(
        "| search on: the first search after the last send (it indexes what is still queued first), ms; hits of those sent (at most 50) | {} | |",
        first_searches
            .iter()
            .map(|(ms, hits, sent)| format!("{ms:.0}; {hits} of {sent}"))
            .collect::<Vec<_>>()
            .join(" / ")
    );
    let failed = failed.load(Ordering::Relaxed);
    if search_failed > 0 {
        println!("\n{search_failed} sends of the search phase failed");
    }
    if failed > 0 {
        println!("\n{failed} sends failed, e.g. {failures:?}");
    }
    if !examples.is_empty() {
        examples.truncate(5);
        println!("\nsocket problems, e.g. {examples:?}");
    }
    if Instant::now() >= deadline {
        println!("\nthe load phase stopped at the {} s limit", args.max_secs);
    }
    ExitCode::SUCCESS
}
