//! A Wangshang server as its own process (the built `wangshang serve --dev`), for tests that
//! need what only separate processes show: several nodes on one PostgreSQL database, each with
//! its own memory, talking through LISTEN/NOTIFY only.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::{Backend, TestApp};

pub struct ServerProcess {
    child: Child,
    pub base: String,
    _dir: tempfile::TempDir,
}

/// The test configuration of [`crate::test_config`], as the environment the binary reads.
const TEST_ENV: &[(&str, &str)] = &[
    ("WANGSHANG_PASSWORD__ARGON2_MEMORY_KIB", "256"),
    ("WANGSHANG_PASSWORD__ARGON2_ITERATIONS", "1"),
    ("WANGSHANG_CODES__PER_IP_HOUR", "10000"),
    ("WANGSHANG_CODES__PER_IP_DAY", "10000"),
    ("WANGSHANG_CODES__RESEND_INTERVAL_SECS", "0"),
    ("WANGSHANG_LOGIN__IP_DELAY_AFTER", "10000"),
    ("WANGSHANG_LOGIN__IP_LOCK_AFTER", "10000"),
    ("WANGSHANG_LOGIN__NEW_DEVICE_CHALLENGE", "false"),
    ("WANGSHANG_LOGIN__NOTIFY_NEW_LOGIN", "false"),
    ("WANGSHANG_OUTBOX__POLL_INTERVAL_MS", "50"),
    ("RUST_LOG", "warn"),
];

impl ServerProcess {
    /// Starts `bin serve --dev` on `database_url` with the test configuration, `secret_key`
    /// (shared by every node of one deployment) and `extra` settings, and waits until it is ready.
    pub async fn start(
        bin: &Path,
        database_url: &str,
        secret_key: &str,
        extra: &[(&str, &str)],
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        // A free port: bound and released, then handed to the child.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let mut cmd = Command::new(bin);
        cmd.args(["serve", "--dev"])
            .env("WANGSHANG_LISTEN", format!("127.0.0.1:{port}"))
            .env("WANGSHANG_PUBLIC_URL", &base)
            .env("WANGSHANG_DATABASE_URL", database_url)
            .env("WANGSHANG_DATA_DIR", dir.path())
            .env("WANGSHANG_SECRET_KEY", secret_key)
            .envs(TEST_ENV.iter().copied())
            .envs(extra.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let child = cmd.spawn().expect("start the wangshang binary");
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if let Ok(r) = client.get(format!("{base}/readyz")).send().await
                && r.status().is_success()
            {
                return Self {
                    child,
                    base,
                    _dir: dir,
                };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server at {base} did not become ready");
    }

    /// A client of this process with the helpers of [`TestApp`].
    pub fn client(&self, backend: Backend, database_url: &str) -> TestApp {
        TestApp::remote(&self.base, backend, database_url)
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub async fn kill(mut self) {
        let _ = self.child.kill().await;
    }
}
