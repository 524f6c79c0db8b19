//! Where the bytes of files live: content-addressed (the key is the SHA-256 of the bytes), so a
//! blob once written never changes. Local storage keeps each blob at `dir/ab/abcdef…`; a blob is
//! written to a temporary file under `dir/tmp`, flushed to disk, then renamed into place, so a
//! crash never leaves a half blob under its key, and no row points at a blob before it is whole.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};

use crate::error::{Error, Result};

/// A reader of a blob's bytes.
pub type BlobReader = Pin<Box<dyn AsyncRead + Send>>;

/// The file store.
pub struct Blobs {
    root: PathBuf,
}

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

impl Blobs {
    pub fn local(root: PathBuf) -> Self {
        Self { root }
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
        match self.path(key) {
            Ok(p) => tokio::fs::try_exists(p).await.unwrap_or(false),
            Err(_) => false,
        }
    }
}

impl Blobs {
    /// The size of a stored blob.
    pub async fn size(&self, key: &str) -> Result<u64> {
        let path = self.path(key)?;
        tokio::fs::metadata(&path)
            .await
            .map(|m| m.len())
            .map_err(|e| io("reading the size", e))
    }
}
