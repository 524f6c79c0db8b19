//! Where the bytes of files live: content-addressed (the key is the SHA-256 of the bytes), so a
//! blob once written never changes. Uploads arrive in a temporary file under `dir/tmp` (always
//! local). Local storage keeps each blob at `dir/ab/abcdef…`: the temporary file is flushed to
//! disk, then renamed into place, so a crash never leaves a half blob under its key. An
//! S3-compatible store (`object_store`) keeps it at `files/ab/abcdef…` in the bucket: a single PUT
//! or a multipart upload, which becomes visible only when complete. Either way no row points at
//! a blob before it is whole.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use std::sync::Arc;

use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, PutPayload, WriteMultipart};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};

use crate::config::FilesConfig;

use crate::error::{Error, Result};

/// A reader of a blob's bytes.
pub type BlobReader = Pin<Box<dyn AsyncRead + Send>>;

/// The file store.
pub struct Blobs {
    /// Local blobs and, for every kind, the staging directory.
    root: PathBuf,
    s3: Option<Arc<dyn ObjectStore>>,
}

/// Bytes per part of a multipart upload to S3 (and the size above which one is used).
const PART: usize = 8 * 1024 * 1024;

fn io(what: &str, e: std::io::Error) -> Error {
    Error::Internal(format!("file storage, {what}: {e}"))
}

/// A key is 64 lower-case hex digits (a SHA-256).
fn valid_key(key: &str) -> bool {
    key.len() == 64
        && key
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn s3_err(what: &str, e: object_store::Error) -> Error {
    Error::Internal(format!("object store, {what}: {e}"))
}

impl Blobs {
    pub fn local(root: PathBuf) -> Self {
        Self { root, s3: None }
    }

    /// The store `files.storage` names (`local` or `s3`).
    pub fn from_config(cfg: &FilesConfig, data_dir: &Path) -> Result<Self> {
        let root = cfg.dir.clone().unwrap_or_else(|| data_dir.join("files"));
        match cfg.storage.as_str() {
            "local" => Ok(Self::local(root)),
            "s3" => {
                let s = &cfg.s3;
                let mut b = AmazonS3Builder::new()
                    .with_bucket_name(&s.bucket)
                    .with_region(&s.region)
                    .with_allow_http(s.endpoint.starts_with("http://"))
                    .with_virtual_hosted_style_request(s.virtual_hosted);
                if !s.endpoint.is_empty() {
                    b = b.with_endpoint(&s.endpoint);
                }
                if let Some(k) = &s.access_key_id {
                    b = b.with_access_key_id(k);
                }
                if let Some(k) = &s.secret_access_key {
                    b = b.with_secret_access_key(k.expose());
                }
                let store = b
                    .build()
                    .map_err(|e| Error::Internal(format!("files.s3: {e}")))?;
                Ok(Self {
                    root,
                    s3: Some(Arc::new(store)),
                })
            }
            other => Err(Error::Internal(format!(
                "files.storage must be local or s3, not {other}"
            ))),
        }
    }

    fn object(key: &str) -> Result<ObjectPath> {
        if !valid_key(key) {
            return Err(Error::Internal(format!("not a blob key: {key}")));
        }
        Ok(ObjectPath::from(format!("files/{}/{key}", &key[..2])))
    }

    /// Where uploads are written while they arrive (on the same file system as the blobs, so
    /// the final rename is atomic).
    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    fn path(&self, key: &str) -> Result<PathBuf> {
        if !valid_key(key) {
            return Err(Error::Internal(format!("not a blob key: {key}")));
        }
        Ok(self.root.join(&key[..2]).join(key))
    }

    /// Moves a finished temporary file in under its key. The same key holds the same bytes, so
    /// replacing an existing blob changes nothing.
    pub async fn put(&self, key: &str, file: tempfile::TempPath) -> Result<()> {
        if let Some(s3) = &self.s3 {
            return put_s3(s3.as_ref(), Self::object(key)?, file).await;
        }
        let dest = self.path(key)?;
        tokio::task::spawn_blocking(move || {
            let dir = dest.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir).map_err(|e| io("creating a directory", e))?;
            // Flushed before the rename, so the name never points at bytes not yet on disk.
            std::fs::File::open(&file)
                .and_then(|f| f.sync_all())
                .map_err(|e| io("flushing", e))?;
            file.persist(&dest).map_err(|e| io("renaming", e.error))?;
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        })
        .await
        .map_err(|e| Error::Internal(format!("file storage task: {e}")))?
    }

    /// Stores small bytes (a thumbnail) under their key.
    pub async fn put_bytes(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        let tmp = self.tmp_dir();
        let file = tokio::task::spawn_blocking(move || -> Result<tempfile::TempPath> {
            use std::io::Write;
            std::fs::create_dir_all(&tmp).map_err(|e| io("creating a directory", e))?;
            let mut f = tempfile::NamedTempFile::new_in(&tmp).map_err(|e| io("temp file", e))?;
            f.write_all(&bytes).map_err(|e| io("writing", e))?;
            Ok(f.into_temp_path())
        })
        .await
        .map_err(|e| Error::Internal(format!("file storage task: {e}")))??;
        self.put(key, file).await
    }

    /// `len` bytes of the blob from `start`.
    pub async fn open(&self, key: &str, start: u64, len: u64) -> Result<BlobReader> {
        if let Some(s3) = &self.s3 {
            if len == 0 {
                return Ok(Box::pin(tokio::io::empty()));
            }
            let opts = GetOptions {
                range: Some(GetRange::Bounded(start..start + len)),
                ..GetOptions::default()
            };
            let got = s3
                .get_opts(&Self::object(key)?, opts)
                .await
                .map_err(|e| s3_err("reading", e))?;
            let stream = got.into_stream().map_err(std::io::Error::other);
            return Ok(Box::pin(tokio_util::io::StreamReader::new(stream)));
        }
        let path = self.path(key)?;
        let mut f = tokio::fs::File::open(&path)
            .await
            .map_err(|e| io("opening", e))?;
        if start > 0 {
            f.seek(SeekFrom::Start(start))
                .await
                .map_err(|e| io("seeking", e))?;
        }
        Ok(Box::pin(f.take(len)))
    }

    /// Whether the blob is stored (tests and the benchmark look).
    pub async fn exists(&self, key: &str) -> bool {
        if self.s3.is_some() {
            return self.size(key).await.is_ok();
        }
        match self.path(key) {
            Ok(p) => tokio::fs::try_exists(p).await.unwrap_or(false),
            Err(_) => false,
        }
    }
}

/// What the sweep of orphans looks at: stored blobs and leftover temporary files.
impl Blobs {
    /// The keys of the blobs last written before `cutoff` (ms since the epoch).
    pub async fn keys_older_than(&self, cutoff: i64) -> Result<Vec<String>> {
        if let Some(s3) = &self.s3 {
            let prefix = ObjectPath::from("files");
            let listed: Vec<object_store::ObjectMeta> = s3
                .list(Some(&prefix))
                .try_collect()
                .await
                .map_err(|e| s3_err("listing", e))?;
            return Ok(listed
                .into_iter()
                .filter(|m| m.last_modified.timestamp_millis() < cutoff)
                .filter_map(|m| m.location.filename().map(str::to_owned))
                .filter(|k| valid_key(k))
                .collect());
        }
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || {
            let mut keys = Vec::new();
            let Ok(dirs) = std::fs::read_dir(&root) else {
                return Ok(keys);
            };
            for dir in dirs.flatten() {
                let name = dir.file_name();
                let name = name.to_string_lossy();
                // Blob directories are two hex digits (`tmp` is not one).
                if name.len() != 2 || !dir.path().is_dir() {
                    continue;
                }
                for f in std::fs::read_dir(dir.path())
                    .map_err(|e| io("listing", e))?
                    .flatten()
                {
                    let key = f.file_name().to_string_lossy().into_owned();
                    if valid_key(&key)
                        && key.starts_with(name.as_ref())
                        && modified_before(&f, cutoff)
                    {
                        keys.push(key);
                    }
                }
            }
            Ok(keys)
        })
        .await
        .map_err(|e| Error::Internal(format!("file storage task: {e}")))?
    }

    /// Deletes a blob (gone already is fine).
    pub async fn delete(&self, key: &str) -> Result<()> {
        if let Some(s3) = &self.s3 {
            return match s3.delete(&Self::object(key)?).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(s3_err("deleting", e)),
            };
        }
        match tokio::fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io("deleting", e)),
        }
    }

    /// Deletes the temporary files last written before `cutoff`: uploads a crash or a killed
    /// process left behind (a live upload writes to its file all the time). Returns how many.
    pub async fn sweep_tmp(&self, cutoff: i64) -> Result<u64> {
        let tmp = self.tmp_dir();
        tokio::task::spawn_blocking(move || {
            let Ok(entries) = std::fs::read_dir(&tmp) else {
                return 0;
            };
            let mut n = 0;
            for e in entries.flatten() {
                if e.path().is_file()
                    && modified_before(&e, cutoff)
                    && std::fs::remove_file(e.path()).is_ok()
                {
                    n += 1;
                }
            }
            n
        })
        .await
        .map_err(|e| Error::Internal(format!("file storage task: {e}")))
    }
}

/// Whether a directory entry was last written before `cutoff` (ms since the epoch); unreadable
/// times count as recent, so nothing is removed on a doubt.
fn modified_before(e: &std::fs::DirEntry, cutoff: i64) -> bool {
    e.metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .is_some_and(|ms| ms < cutoff)
}

impl Blobs {
    /// The size of a stored blob.
    pub async fn size(&self, key: &str) -> Result<u64> {
        if let Some(s3) = &self.s3 {
            let meta = s3
                .head(&Self::object(key)?)
                .await
                .map_err(|e| s3_err("reading the size", e))?;
            return Ok(meta.size);
        }
        let path = self.path(key)?;
        tokio::fs::metadata(&path)
            .await
            .map(|m| m.len())
            .map_err(|e| io("reading the size", e))
    }
}

/// Uploads a finished temporary file: one PUT when small, else a multipart upload (aborted on
/// failure, so no part of it becomes visible).
async fn put_s3(s3: &dyn ObjectStore, dest: ObjectPath, file: tempfile::TempPath) -> Result<()> {
    let mut f = tokio::fs::File::open(&file)
        .await
        .map_err(|e| io("opening", e))?;
    let size = f
        .metadata()
        .await
        .map_err(|e| io("reading the size", e))?
        .len();
    if size <= PART as u64 {
        let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        f.read_to_end(&mut buf)
            .await
            .map_err(|e| io("reading", e))?;
        s3.put(&dest, PutPayload::from(buf))
            .await
            .map_err(|e| s3_err("writing", e))?;
        return Ok(());
    }
    let upload = s3
        .put_multipart(&dest)
        .await
        .map_err(|e| s3_err("starting an upload", e))?;
    let mut w = WriteMultipart::new_with_chunk_size(upload, PART);
    let mut buf = vec![0u8; 1024 * 1024];
    loop {
        let n = match f.read(&mut buf).await {
            Ok(n) => n,
            Err(e) => {
                let _ = w.abort().await;
                return Err(io("reading", e));
            }
        };
        if n == 0 {
            break;
        }
        if let Err(e) = w.wait_for_capacity(4).await {
            return Err(s3_err("uploading a part", e));
        }
        w.write(&buf[..n]);
    }
    w.finish()
        .await
        .map_err(|e| s3_err("completing an upload", e))?;
    Ok(())
}
