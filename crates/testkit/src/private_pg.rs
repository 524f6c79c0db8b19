//! A PostgreSQL cluster of a test's own (Debian's server binaries, `initdb` into a temporary
//! directory, loopback only, a free port), for tests that restart the database under load —
//! which the shared test cluster cannot do without failing every other test.

use std::path::PathBuf;
use std::process::Command;

pub struct PrivateCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    root: bool,
}

/// Debian's server binaries of the newest installed major version.
fn server_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's server binaries under /usr/lib/postgresql")
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("pg_ctl under /usr/lib/postgresql/*/bin")
}

impl PrivateCluster {
    /// `initdb` and start; the role `wangshang` (trust, loopback only) owns it.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let c = Self {
            bin: server_bin(),
            dir,
            port,
            root,
        };
        if root {
            // PostgreSQL refuses to run as root: the cluster belongs to `postgres`.
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(c.dir.path())
                .status()
                .expect("chown")
                .success();
            assert!(ok, "chown the cluster directory");
        }
        let data = c.data();
        c.run(&format!(
            "{} -D {} -A trust -U wangshang --no-sync >/dev/null",
            c.bin.join("initdb").display(),
            data.display()
        ));
        c.pg_ctl("start");
        c
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, script: &str) {
        let status = if self.root {
            Command::new("su")
                .args(["postgres", "-s", "/bin/sh", "-c", script])
                .status()
        } else {
            Command::new("sh").args(["-c", script]).status()
        };
        assert!(status.expect("run").success(), "{script}");
    }

    fn pg_ctl(&self, action: &str) {
        let data = self.data();
        self.run(&format!(
            "{} -D {} -w -m fast -l {}/log -o '-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off' {action} >/dev/null",
            self.bin.join("pg_ctl").display(),
            data.display(),
            self.dir.path().display(),
            self.port,
            self.dir.path().display(),
        ));
    }

    /// `postgres://wangshang@127.0.0.1:PORT` (no database name).
    pub fn url(&self) -> String {
        format!("postgres://wangshang@127.0.0.1:{}", self.port)
    }

    /// Restarts the server (`pg_ctl restart -m fast`): every connection is cut.
    pub fn restart(&self) {
        self.pg_ctl("restart");
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let data = self.data();
        let script = format!(
            "{} -D {} -m immediate stop >/dev/null 2>&1",
            self.bin.join("pg_ctl").display(),
            data.display()
        );
        let _ = if self.root {
            Command::new("su")
                .args(["postgres", "-s", "/bin/sh", "-c", &script])
                .status()
        } else {
            Command::new("sh").args(["-c", &script]).status()
        };
    }
}
