//! An upload while it arrives: written chunk by chunk to a temporary file next to the blobs, its
//! size checked against the limit at every chunk (past it, reading stops and the file is
//! deleted). Dropped before it is stored — an error, a refused upload, a broken connection — the
//! temporary file is removed: nothing half-uploaded is kept, served or counted.

use tokio::io::AsyncWriteExt;

use crate::error::{Error, Result};

/// An upload being received.
pub struct Staging {
    file: tokio::fs::File,
    path: tempfile::TempPath,
    size: u64,
    max: u64,
}

/// A whole upload, not yet stored.
pub struct Staged {
    pub(crate) path: tempfile::TempPath,
    pub(crate) size: u64,
}

impl Staged {
    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }
}

impl Staging {
    pub(crate) async fn new(dir: std::path::PathBuf, max: u64) -> Result<Self> {
        let (file, path) = tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)?;
            tempfile::NamedTempFile::new_in(&dir).map(|f| f.into_parts())
        })
        .await
        .map_err(|e| Error::Internal(format!("staging task: {e}")))?
        .map_err(|e| Error::Internal(format!("staging an upload: {e}")))?;
        Ok(Self {
            file: tokio::fs::File::from_std(file),
            path,
            size: 0,
            max,
        })
    }

    /// Appends a chunk; past the limit, [`Error::FileTooLarge`] (and the caller stops reading).
    pub async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        self.size += chunk.len() as u64;
        if self.size > self.max {
            return Err(Error::FileTooLarge { max: self.max });
        }
        self.file
            .write_all(chunk)
            .await
            .map_err(|e| Error::Internal(format!("writing an upload: {e}")))
    }

    /// The whole upload.
    pub async fn finish(mut self) -> Result<Staged> {
        self.file
            .flush()
            .await
            .map_err(|e| Error::Internal(format!("writing an upload: {e}")))?;
        Ok(Staged {
            path: self.path,
            size: self.size,
        })
    }
}
