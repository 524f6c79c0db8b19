//! A real S3-compatible server for tests: `s3s-fs` (from crates.io) served in-process over HTTP on
//! a loopback port, with access keys, keeping objects in a temporary directory (one directory per
//! bucket). Stopped when dropped.

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;

pub struct FakeS3 {
    pub endpoint: String,
    pub bucket: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl FakeS3 {
    pub async fn start() -> FakeS3 {
        let dir = tempfile::tempdir().expect("temp dir");
        let bucket = "wangshang-files".to_owned();
        std::fs::create_dir_all(dir.path().join(&bucket)).expect("bucket");
        let fs = s3s_fs::FileSystem::new(dir.path()).expect("s3s-fs");
        let (access_key_id, secret_access_key) = (
            "test-access-key".to_owned(),
            "test-secret-key-0123456789".to_owned(),
        );
        let service = {
            let mut b = S3ServiceBuilder::new(fs);
            b.set_auth(SimpleAuth::from_single(
                access_key_id.clone(),
                secret_access_key.clone(),
            ));
            b.build()
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        let task = tokio::spawn(async move {
            let http = ConnBuilder::new(TokioExecutor::new());
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let conn = http
                    .serve_connection(TokioIo::new(socket), service.clone())
                    .into_owned();
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        });
        FakeS3 {
            endpoint,
            bucket,
            access_key_id,
            secret_access_key,
            dir,
            task,
        }
    }

    /// Points a configuration's file storage at this server.
    pub fn configure(&self, c: &mut domain::config::Config) {
        c.files.storage = "s3".into();
        c.files.s3.endpoint = self.endpoint.clone();
        c.files.s3.bucket = self.bucket.clone();
        c.files.s3.access_key_id = Some(self.access_key_id.clone());
        c.files.s3.secret_access_key = Some(
            serde_json::from_value(serde_json::Value::String(self.secret_access_key.clone()))
                .expect("a secret"),
        );
    }

    /// The objects stored, as paths inside the bucket.
    pub fn objects(&self) -> Vec<String> {
        fn walk(base: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else if let Ok(rel) = p.strip_prefix(base) {
                    out.push(rel.display().to_string());
                }
            }
        }
        let base = self.dir.path().join(&self.bucket);
        let mut out = Vec::new();
        walk(&base, &base, &mut out);
        out.retain(|p| !p.starts_with(".") && !p.contains("/."));
        out
    }
}

impl Drop for FakeS3 {
    fn drop(&mut self) {
        self.task.abort();
    }
}
