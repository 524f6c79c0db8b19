//! A real clamd (Debian's `clamav-daemon`) for tests, started on a unix socket in a temporary
//! directory with a signature database made here: the EICAR test file's MD5 in a `.hdb` file (no
//! signature download is possible, or needed). Killed when dropped.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The EICAR anti-virus test file (68 bytes): harmless, and detected by every scanner.
pub const EICAR: &[u8] = br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// Where Debian installs clamd.
const BINARIES: &[&str] = &["/usr/sbin/clamd", "/usr/bin/clamd"];

pub struct Clamd {
    binary: &'static Path,
    conf: PathBuf,
    child: Option<tokio::process::Child>,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Clamd {
    /// The clamd binary, when installed.
    pub fn binary() -> Option<&'static Path> {
        BINARIES.iter().map(Path::new).find(|p| p.exists())
    }

    /// Writes clamd's configuration and signature database, without starting it; `None` when
    /// clamd is not installed.
    pub fn new() -> Option<Clamd> {
        let binary = Self::binary()?;
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("db");
        std::fs::create_dir_all(&db).expect("db dir");
        let md5 = "44d88612fea8a8f36de82e1278abb02f"; // MD5 of EICAR
        std::fs::write(
            db.join("test.hdb"),
            format!("{md5}:{}:Eicar-Test-Signature\n", EICAR.len()),
        )
        .expect("signature file");
        let socket = dir.path().join("clamd.sock");
        let conf = dir.path().join("clamd.conf");
        std::fs::write(
            &conf,
            format!(
                "Foreground yes\nLocalSocket {}\nDatabaseDirectory {}\nStreamMaxLength 200M\n\
                 LogFile {}\n",
                socket.display(),
                db.display(),
                dir.path().join("clamd.log").display()
            ),
        )
        .expect("config");
        Some(Clamd {
            binary,
            conf,
            child: None,
            socket,
            _dir: dir,
        })
    }

    /// Starts clamd and waits until it answers `PING`.
    pub async fn start(&mut self) {
        let child = tokio::process::Command::new(self.binary)
            .arg("-c")
            .arg(&self.conf)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("clamd starts");
        self.child = Some(child);
        for _ in 0..300 {
            if self.ping().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("clamd did not answer within 30 s");
    }

    /// `unix:/…/clamd.sock`, as `files.clamd` takes it.
    pub fn address(&self) -> String {
        format!("unix:{}", self.socket.display())
    }

    async fn ping(&self) -> bool {
        let Ok(mut s) = tokio::net::UnixStream::connect(&self.socket).await else {
            return false;
        };
        if s.write_all(b"zPING\0").await.is_err() {
            return false;
        }
        let mut reply = Vec::new();
        let _ = s.read_to_end(&mut reply).await;
        reply.starts_with(b"PONG")
    }
}
