//! Starts a real Wangshang server on port 0 with a fresh database (a SQLite file in a temporary
//! directory, or a new PostgreSQL database) and talks HTTP to it, as users and apps do.
//!
//! PostgreSQL tests need `TEST_POSTGRES_URL` (e.g. `postgres://wangshang:wangshang@127.0.0.1:5432`,
//! a role that may create databases); without it they fail, unless `TEST_SKIP_POSTGRES=1`.

// A test harness: a failed setup step should fail the test loudly, hence `expect`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use serde_json::Value;
use sqlx::{Connection, Executor};
use tokio::net::TcpListener;

pub use domain::config::Config;
pub use reqwest::StatusCode;
pub use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn name(backend: Backend)` once per backend, as `sqlite::name` and
/// `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() {
                   if $crate::skip_postgres() { return; }
                   super::$name($crate::Backend::Postgres).await
               } )*
        }
    };
}

/// Whether PostgreSQL tests were explicitly switched off.
pub fn skip_postgres() -> bool {
    std::env::var("TEST_SKIP_POSTGRES").is_ok_and(|v| v == "1")
}

/// A configuration for tests: cheap Argon2 (the policy is the same, only the cost differs),
/// per-IP limits high enough for many requests from 127.0.0.1, a fast outbox poll.
pub fn test_config() -> Config {
    let mut c = Config {
        dev: true,
        ..Config::default()
    };
    c.password.argon2_memory_kib = 256;
    c.password.argon2_iterations = 1;
    c.codes.per_ip_hour = 10_000;
    c.codes.per_ip_day = 10_000;
    c.login.ip_delay_after = 10_000;
    c.login.ip_lock_after = 10_000;
    c.outbox.poll_interval_ms = 50;
    // Most tests log in from fresh devices; the new-device step has its own tests.
    c.login.new_device_challenge = false;
    c.login.notify_new_login = false;
    c
}

pub mod clamd;
pub mod fake_sms;
pub mod fake_smtp;
pub mod private_pg;
pub mod process;
pub mod s3;
pub mod stream;

/// The token of a single-use link in a message body, after `marker` (e.g.
/// `"/bindings/cancel?token="`).
pub fn link_token(body: &str, marker: &str) -> String {
    let start = body.find(marker).expect("the link") + marker.len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The code of the invitation link among messages the outbox sent (the newest first).
pub fn invite_code(msgs: &[Value]) -> String {
    let body = msgs
        .iter()
        .filter_map(|m| m["body"].as_str())
        .find(|t| t.contains("/invites/"))
        .expect("an invitation among the messages");
    link_token(body, "/invites/")
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub database_url: String,
    running: Option<server::Running>,
    config: Config,
    _dir: tempfile::TempDir,
}

/// What [`TestApp::colleagues`] made.
pub struct Colleagues {
    pub first_token: String,
    pub second_token: String,
    pub conversation_id: String,
}

/// An answer: status, headers and the JSON body (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    /// The `Retry-After` header in seconds, checked against the body's `retry_after`.
    pub fn retry_after(&self) -> u64 {
        let header: u64 = self.headers["retry-after"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert_eq!(self.body["retry_after"].as_u64(), Some(header));
        header
    }

    pub fn str(&self, key: &str) -> String {
        self.body[key].as_str().unwrap_or_default().to_owned()
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts a server whose test configuration `tweak` may change.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = test_config();
        config.data_dir = dir.path().to_path_buf();
        config.database_url = match backend {
            Backend::Sqlite => format!("sqlite://{}", dir.path().join("wangshang.db").display()),
            Backend::Postgres => fresh_postgres_database().await,
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        config.listen = listener.local_addr().expect("addr").to_string();
        config.public_url = format!("http://{}", config.listen);
        tweak(&mut config);
        let database_url = config.database_url.clone();
        let running = server::start(config.clone(), listener)
            .await
            .expect("server starts");
        Self {
            base: format!("http://{}", running.addr),
            client: reqwest::Client::builder()
                .user_agent("wangshang-tests/1.0")
                .build()
                .expect("client"),
            backend,
            database_url,
            running: Some(running),
            config,
            _dir: dir,
        }
    }

    /// A client of a server started elsewhere (another process) on `database_url`: the HTTP
    /// helpers work; [`TestApp::app`] does not (there is no server inside).
    pub fn remote(base: &str, backend: Backend, database_url: &str) -> Self {
        let mut config = test_config();
        config.database_url = database_url.to_owned();
        Self {
            base: base.to_owned(),
            client: reqwest::Client::builder()
                .user_agent("wangshang-tests/1.0")
                .build()
                .expect("client"),
            backend,
            database_url: database_url.to_owned(),
            running: None,
            config,
            _dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A fresh database of `backend` for a server started elsewhere, and its directory.
    pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> String {
        match backend {
            Backend::Sqlite => format!("sqlite://{}", dir.join("wangshang.db").display()),
            Backend::Postgres => fresh_postgres_database().await,
        }
    }

    /// The application inside the server (for reading the database in assertions).
    pub fn app(&self) -> &domain::Wangshang {
        &self.running.as_ref().expect("running").app
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }

    /// Starts another server node on the same database and configuration; it runs its own
    /// delivery worker. Stop it with [`server::Running::stop`].
    pub async fn another_node(&self) -> server::Running {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let mut config = self.config.clone();
        config.listen = listener.local_addr().expect("addr").to_string();
        server::start(config, listener)
            .await
            .expect("second node starts")
    }

    /// Kills the server as a crash would, then starts a new one on the same database and
    /// configuration (on a new port).
    pub async fn kill_and_restart(&mut self) {
        if let Some(r) = self.running.take() {
            r.kill();
        }
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        self.config.listen = listener.local_addr().expect("addr").to_string();
        let running = server::start(self.config.clone(), listener)
            .await
            .expect("server restarts");
        self.base = format!("http://{}", running.addr);
        self.running = Some(running);
    }

    /// Stops the server, lets `tweak` change its configuration, then starts a new one on the
    /// same database (on a new port), as an operator changing a setting would.
    pub async fn restart_with(&mut self, tweak: impl FnOnce(&mut Config)) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
        tweak(&mut self.config);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        self.config.listen = listener.local_addr().expect("addr").to_string();
        let running = server::start(self.config.clone(), listener)
            .await
            .expect("server restarts");
        self.base = format!("http://{}", running.addr);
        self.running = Some(running);
    }

    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Self::read(req.send().await.expect("request sent")).await
    }

    pub async fn read(res: reqwest::Response) -> Resp {
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.expect("body");
        Resp {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.request(reqwest::Method::POST, path, None, Some(body))
            .await
    }

    pub async fn post_auth(&self, path: &str, token: &str, body: Value) -> Resp {
        self.request(reqwest::Method::POST, path, Some(token), Some(body))
            .await
    }

    pub async fn put_auth(&self, path: &str, token: &str, body: Value) -> Resp {
        self.request(reqwest::Method::PUT, path, Some(token), Some(body))
            .await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.request(reqwest::Method::GET, path, token, None).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Resp {
        self.request(reqwest::Method::DELETE, path, Some(token), None)
            .await
    }

    /// `DELETE` with a JSON body.
    pub async fn delete_json(&self, path: &str, token: &str, body: Value) -> Resp {
        self.request(reqwest::Method::DELETE, path, Some(token), Some(body))
            .await
    }

    /// The dev outbox's messages to `destination`, newest first.
    pub async fn messages_to(&self, destination: &str) -> Vec<Value> {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/api/v1/dev/outbox", self.base),
            &[("destination", destination)],
        )
        .expect("url");
        let res = Self::read(self.client.get(url).send().await.expect("outbox")).await;
        res.body["messages"].as_array().cloned().unwrap_or_default()
    }

    /// Waits (up to 10 s) until `destination` has received `count` messages; returns them.
    pub async fn wait_for_messages(&self, destination: &str, count: usize) -> Vec<Value> {
        for _ in 0..200 {
            let m = self.messages_to(destination).await;
            if m.len() >= count {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{destination} did not receive {count} messages");
    }

    /// The code in the newest message to `destination` that carries one, waiting for the `nth`
    /// (1-based) message. (A notice delivered in the same millisecond may sort either way.)
    pub async fn code_sent_to(&self, destination: &str, nth: usize) -> String {
        let m = self.wait_for_messages(destination, nth).await;
        m.iter()
            .find_map(|m| m["code"].as_str())
            .expect("a message carries a code")
            .to_owned()
    }

    /// `POST /verifications/{id}/resend`.
    pub async fn resend(&self, verification_id: &str) -> Resp {
        self.post(
            &format!("/api/v1/verifications/{verification_id}/resend"),
            json!({}),
        )
        .await
    }

    /// Asks for a registration code; returns the verification id.
    pub async fn start_registration(&self, channel: &str, destination: &str) -> String {
        let r = self
            .post(
                "/api/v1/verifications",
                json!({"purpose": "register", "channel": channel, "destination": destination}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        r.str("verification_id")
    }

    /// Registers an account through the real flow; returns its id.
    pub async fn register(
        &self,
        channel: &str,
        destination: &str,
        nickname: &str,
        password: &str,
    ) -> String {
        let before = self.messages_to(destination).await.len();
        let vid = self.start_registration(channel, destination).await;
        let code = self.code_sent_to(destination, before + 1).await;
        let r = self.post("/api/v1/accounts", json!({"verification_id": vid, "code": code, "nickname": nickname, "password": password})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.str("account_id")
    }

    pub async fn login(&self, identifier: &str, password: &str) -> Resp {
        self.post(
            "/api/v1/sessions",
            json!({"identifier": identifier, "password": password}),
        )
        .await
    }

    /// Two colleagues with a direct conversation: `first` registers and creates an enterprise,
    /// invites `second` (registered too), who accepts; `first` opens the conversation.
    pub async fn colleagues(&self, first: &str, second: &str, password: &str) -> Colleagues {
        self.register("email", first, "first", password).await;
        let second_id = self.register("email", second, "second", password).await;
        let first_token = self.token(first, password).await;
        let second_token = self.token(second, password).await;
        let org = self
            .post_auth("/api/v1/orgs", &first_token, json!({"name": "旺商科技"}))
            .await;
        assert_eq!(org.status, StatusCode::CREATED, "{:?}", org.body);
        self.join_org(&org.str("id"), &first_token, second, &second_token)
            .await;
        let conv = self
            .post_auth(
                "/api/v1/conversations",
                &first_token,
                json!({"member_ids": [second_id]}),
            )
            .await;
        assert!(conv.status.is_success(), "{:?}", conv.body);
        Colleagues {
            first_token,
            second_token,
            conversation_id: conv.str("conversation_id"),
        }
    }

    /// `inviter` invites `destination` (an e-mail address) into the enterprise; the account
    /// bound to it (`invitee`'s token) accepts through the link the outbox sent.
    pub async fn join_org(&self, org_id: &str, inviter: &str, destination: &str, invitee: &str) {
        let before = self.messages_to(destination).await.len();
        let r = self
            .post_auth(
                &format!("/api/v1/orgs/{org_id}/invites"),
                inviter,
                json!({"destination": destination}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let msgs = self.wait_for_messages(destination, before + 1).await;
        let code = invite_code(&msgs);
        let r = self
            .post_auth(
                &format!("/api/v1/invites/{code}/accept"),
                invitee,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }

    /// Posts a multipart form to `POST /api/v1/conversations/{conversation}/files{query}`.
    pub async fn upload_form(
        &self,
        token: &str,
        conversation: &str,
        query: &str,
        form: reqwest::multipart::Form,
    ) -> Resp {
        let res = self
            .client
            .post(format!(
                "{}/api/v1/conversations/{conversation}/files{query}",
                self.base
            ))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload sent");
        Self::read(res).await
    }

    /// Opens the event stream with a bearer token.
    pub async fn stream(&self, token: &str, since: Option<i64>) -> stream::StreamClient {
        stream::StreamClient::connect(
            &self.base,
            since,
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await
        .expect("stream opens")
    }

    /// Logs in and returns the token, asserting success.
    pub async fn token(&self, identifier: &str, password: &str) -> String {
        let r = self.login(identifier, password).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.str("token")
    }

    /// Makes every statement of this server whose SQL contains `sql_fragment` fail (a store
    /// error injected mid-flow), until [`TestApp::disarm_fault`].
    pub fn arm_fault(&self, sql_fragment: &str) {
        store::faults::arm(&self.database_url, sql_fragment);
    }

    pub fn disarm_fault(&self) {
        store::faults::disarm(&self.database_url);
    }

    /// Runs one statement directly against the database, to put a row into a state that would
    /// otherwise take months (an old timestamp).
    pub async fn exec(&self, sql: &str) {
        store::exec_raw(&self.database_url, sql)
            .await
            .expect("exec");
    }

    /// Runs a scalar count query directly against the database (for "nothing half-written").
    pub async fn count(&self, sql: &str) -> i64 {
        store::count_raw(&self.database_url, sql)
            .await
            .expect("count")
    }
}

/// Creates an empty database on the server of `TEST_POSTGRES_URL`; returns its URL.
async fn fresh_postgres_database() -> String {
    let base = std::env::var("TEST_POSTGRES_URL")
        .expect("PostgreSQL tests need TEST_POSTGRES_URL (or TEST_SKIP_POSTGRES=1); see README");
    fresh_postgres_database_on(&base).await
}

/// Creates an empty database on the PostgreSQL server `base` (`postgres://user:pw@host:port`);
/// returns its URL (benchmarks use it with [`TestApp::spawn_with`]).
pub async fn fresh_postgres_database_on(base: &str) -> String {
    let base = base.trim_end_matches('/').to_owned();
    let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres"))
        .await
        .expect("connect to PostgreSQL");
    let name = format!("wstest_{}", domain::random::id());
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create database");
    admin.close().await.expect("disconnect");
    format!("{base}/{name}")
}
