//! Files and images in conversations (SPEC §9).
//!
//! An upload is checked in three steps. Before its body is read, the caller must be a member of
//! the conversation ([`Wangshang::may_upload`]). While it arrives it is written to a temporary
//! file and stopped at the size limit ([`Staging`]). Then, with no unit open and off the async
//! runtime: its type is read from the content ([`kinds`]), a claim the content contradicts is
//! refused, an image loses its metadata and gets a thumbnail ([`images`]), and the bytes are
//! hashed. The bytes are stored under their hash ([`blobs`]) and finally the message and its
//! file row are written in one unit (the message writer's), which checks membership and the
//! daily quota again. A file is served only to current members of its conversation while its
//! message is not recalled; every other case is the same `404` as an unknown id.

pub mod blobs;
pub mod clamd;
pub mod images;
pub mod kinds;
mod links;
mod orphans;
mod scan;
mod staging;

use std::io::Read;

use sha2::{Digest, Sha256};

pub use blobs::{BlobReader, Blobs};
pub use links::FileLink;
pub use orphans::Swept;
pub use staging::{Staged, Staging};

use crate::app::Wangshang;
use crate::chat::Outgoing;
use crate::chat::conversations::{admitted, member_of};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::random;
use crate::sessions::Authenticated;
use crate::store::{Attachment, FileRecord, Message};

/// The daily quota's window: what an account stored over the last 24 hours counts.
pub(crate) const QUOTA_WINDOW_MS: i64 = 86_400_000;

/// Whether storing `size` more bytes after `used` over the quota's window goes past
/// `files.daily_quota_bytes`.
pub(crate) fn over_quota(cfg: &crate::config::FilesConfig, used: i64, size: i64) -> bool {
    used.saturating_add(size) > i64::try_from(cfg.daily_quota_bytes).unwrap_or(i64::MAX)
}

/// The answer to a file over the daily quota.
pub(crate) fn quota_exceeded() -> Error {
    Error::Rejected {
        code: "storage_quota_exceeded",
        detail: "You stored as much as you may over the last 24 hours.",
    }
}

/// A file's status.
pub mod status {
    pub const READY: &str = "ready";
    pub const SCANNING: &str = "scanning";
    pub const BLOCKED: &str = "blocked";
}

/// Longest file name kept, in characters.
const MAX_NAME: usize = 255;

/// A file to send, once its bytes arrived.
pub struct Upload {
    pub conversation_id: String,
    /// The sender's session: the enterprise's policy judges it.
    pub sender: Authenticated,
    pub client_msg_id: String,
    /// The caption (may be empty).
    pub caption: String,
    /// The file name the client gave.
    pub name: Option<String>,
    /// The type the client claimed.
    pub declared_type: Option<String>,
    /// Keep an image's metadata ("send original").
    pub keep_original: bool,
}

/// What a download serves.
pub struct Download {
    pub name: String,
    /// The `Content-Type` to send (never one a browser runs).
    pub content_type: String,
    /// Shown inline (raster images) or downloaded.
    pub inline: bool,
    pub size: u64,
    pub sha256: String,
    blob: String,
}

/// Which bytes of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Original,
    Thumbnail,
}

/// What the blocking step made of an upload.
struct Prepared {
    file: tempfile::TempPath,
    size: u64,
    sha256: String,
    content_type: String,
    width: Option<i64>,
    height: Option<i64>,
    thumbnail: Option<(String, Vec<u8>)>,
}

/// A file name as given, without any directory part or control characters.
pub fn clean_name(raw: Option<&str>) -> String {
    let base = raw
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME)
        .collect::<String>();
    let base = base.trim();
    if base.is_empty() || base == "." || base == ".." {
        "file".to_owned()
    } else {
        base.to_owned()
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Reads the type from the content, refuses a contradicting claim, strips an image, hashes.
/// Blocking: runs in `spawn_blocking`.
fn prepare(
    staged: Staged,
    declared: Option<&str>,
    keep_original: bool,
    tmp_dir: &std::path::Path,
    thumbnail_px: u32,
    max_pixels: u64,
) -> Result<Prepared> {
    let err = |what: &str, e: std::io::Error| Error::Internal(format!("{what}: {e}"));
    let mut f = std::fs::File::open(&staged.path).map_err(|e| err("reading an upload", e))?;
    let mut head = vec![0u8; kinds::HEAD];
    let mut n = 0;
    while n < head.len() {
        let r = f
            .read(&mut head[n..])
            .map_err(|e| err("reading an upload", e))?;
        if r == 0 {
            break;
        }
        n += r;
    }
    head.truncate(n);
    let detected = kinds::detect(&head);
    if kinds::contradicts(declared, detected) {
        return Err(Error::TypeMismatch {
            declared: declared.unwrap_or("").chars().take(100).collect(),
        });
    }
    let content_type = kinds::stored_type(detected, &head);
    let mut prepared = Prepared {
        file: staged.path,
        size: staged.size,
        sha256: String::new(),
        content_type,
        width: None,
        height: None,
        thumbnail: None,
    };
    if kinds::is_image(&prepared.content_type) {
        let bytes = std::fs::read(&prepared.file).map_err(|e| err("reading an upload", e))?;
        let keep = keep_original || images::animated(&bytes, &prepared.content_type);
        let stripped = if keep {
            None
        } else {
            images::strip(&bytes, &prepared.content_type)
        };
        let stored = stripped.as_deref().unwrap_or(&bytes);
        let d = images::describe(stored, thumbnail_px, max_pixels);
        prepared.width = d.width.map(i64::from);
        prepared.height = d.height.map(i64::from);
        prepared.thumbnail = d.thumbnail.map(|t| (sha256_hex(&t), t));
        prepared.sha256 = sha256_hex(stored);
        if let Some(s) = stripped {
            use std::io::Write;
            let mut out =
                tempfile::NamedTempFile::new_in(tmp_dir).map_err(|e| err("temp file", e))?;
            out.write_all(&s).map_err(|e| err("writing", e))?;
            prepared.size = s.len() as u64;
            prepared.file = out.into_temp_path();
        }
        return Ok(prepared);
    }
    // Hash the rest of the file in blocks.
    let mut hasher = Sha256::new();
    hasher.update(&head);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let r = f.read(&mut buf).map_err(|e| err("reading an upload", e))?;
        if r == 0 {
            break;
        }
        hasher.update(&buf[..r]);
    }
    prepared.sha256 = hex::encode(hasher.finalize());
    Ok(prepared)
}

impl Wangshang {
    /// The file store.
    pub fn blobs(&self) -> &Blobs {
        &self.blobs
    }

    /// Before an upload's body is read: the caller must be a member of the conversation
    /// (`404` otherwise, as for a conversation that does not exist) whom its enterprise's
    /// policy admits.
    pub async fn may_upload(&self, caller: &Authenticated, conversation_id: &str) -> Result<()> {
        let mut tx = self.read_one().await?;
        admitted(&mut tx, caller, conversation_id, now_ms()).await?;
        Ok(())
    }

    /// A temporary file for an upload, limited to `files.max_file_bytes`.
    pub async fn stage_upload(&self) -> Result<Staging> {
        Staging::new(self.blobs.tmp_dir(), self.config.files.max_file_bytes).await
    }

    /// Sends a file received whole: checks and prepares it off the runtime, stores its bytes,
    /// then writes the message and the file in one unit. Returns the message and whether this
    /// call created it (a repeated `client_msg_id` returns the first message).
    pub async fn send_file(&self, up: Upload, staged: Staged) -> Result<(Message, bool)> {
        self.quota_allows(&up, staged.size()).await?;
        let cfg = self.config.files.clone();
        let tmp = self.blobs.tmp_dir();
        let declared = up.declared_type.clone();
        let keep = up.keep_original;
        let p = tokio::task::spawn_blocking(move || {
            prepare(
                staged,
                declared.as_deref(),
                keep,
                &tmp,
                cfg.thumbnail_px,
                cfg.max_image_pixels,
            )
        })
        .await
        .map_err(|e| Error::Internal(format!("preparing an upload: {e}")))??;
        let thumb_blob = match p.thumbnail {
            Some((key, bytes)) => {
                self.blobs.put_bytes(&key, bytes).await?;
                Some(key)
            }
            None => None,
        };
        self.blobs.put(&p.sha256, p.file).await?;
        let attachment = Attachment {
            id: random::id(),
            name: clean_name(up.name.as_deref()),
            size: i64::try_from(p.size).unwrap_or(i64::MAX),
            content_type: p.content_type,
            sha256: p.sha256.clone(),
            blob: p.sha256,
            thumb_blob,
            width: p.width,
            height: p.height,
            status: if self.config.files.clamd.is_some() {
                status::SCANNING
            } else {
                status::READY
            }
            .to_owned(),
        };
        let scanned = attachment.status == status::SCANNING;
        let sent = self
            .send_message(Outgoing {
                conversation_id: up.conversation_id,
                sender: up.sender,
                client_msg_id: up.client_msg_id,
                body: up.caption,
                mentions: Vec::new(),
                attachment: Some(attachment),
            })
            .await?;
        if scanned && sent.1 {
            self.wake_scanner();
        }
        Ok(sent)
    }

    /// Refuses a file the uploader's daily quota has no room for, before its bytes are prepared
    /// and stored, so a refused file leaves nothing behind (the message writer checks again,
    /// with what was stored meanwhile). A repeated `client_msg_id` is the message already sent,
    /// not a new file.
    async fn quota_allows(&self, up: &Upload, size: u64) -> Result<()> {
        let who = &up.sender.account_id;
        let mut tx = self.read_one().await?;
        let pair = (who.clone(), up.client_msg_id.clone());
        if !tx.messages_by_client_ids(&[pair]).await?.is_empty() {
            return Ok(());
        }
        let used = tx.file_bytes_since(who, now_ms() - QUOTA_WINDOW_MS).await?;
        let size = i64::try_from(size).unwrap_or(i64::MAX);
        if over_quota(&self.config.files, used, size) {
            return Err(quota_exceeded());
        }
        Ok(())
    }

    /// The file a viewer may download. No viewer (signed out), not a current member, a
    /// recalled message, a blocked file or an unknown id: the same [`Error::NotFound`].
    /// While the file is being scanned: `409 scanning`. The enterprise's policy judges the
    /// viewer's session like any other read of the conversation.
    pub async fn file_download(
        &self,
        viewer: Option<&Authenticated>,
        file_id: &str,
        part: Part,
    ) -> Result<Download> {
        let Some(viewer) = viewer else {
            return Err(Error::NotFound);
        };
        self.download_for(&viewer.account_id, Some(viewer), file_id, part)
            .await
    }

    /// The download for a member: with a session, the policy gate as well (a signed link has
    /// none; its session was judged when the link was made).
    async fn download_for(
        &self,
        account_id: &str,
        session: Option<&Authenticated>,
        file_id: &str,
        part: Part,
    ) -> Result<Download> {
        let mut tx = self.read().await?;
        let f: FileRecord = tx.file(file_id).await?.ok_or(Error::NotFound)?;
        match session {
            Some(caller) => {
                admitted(&mut tx, caller, &f.conversation_id, now_ms()).await?;
            }
            None => {
                member_of(&mut tx, &f.conversation_id, account_id).await?;
            }
        }
        drop(tx);
        let a = f.attachment;
        if f.recalled || a.status == status::BLOCKED {
            return Err(Error::NotFound);
        }
        if a.status == status::SCANNING {
            return Err(Error::Conflict {
                code: "scanning",
                detail: "The file is being checked; try again shortly.",
            });
        }
        match part {
            Part::Original => Ok(Download {
                inline: kinds::inline(&a.content_type),
                content_type: kinds::served_type(&a.content_type).to_owned(),
                size: u64::try_from(a.size).unwrap_or(0),
                sha256: a.sha256,
                name: a.name,
                blob: a.blob,
            }),
            Part::Thumbnail => {
                let blob = a.thumb_blob.ok_or(Error::NotFound)?;
                Ok(Download {
                    inline: true,
                    content_type: "image/jpeg".to_owned(),
                    size: 0,
                    sha256: blob.clone(),
                    name: format!("{}.thumbnail.jpg", a.name),
                    blob,
                })
            }
        }
    }

    /// The size of what a download serves (a thumbnail's is read from storage).
    pub async fn download_size(&self, d: &mut Download) -> Result<u64> {
        if d.size == 0 {
            d.size = self.blobs.size(&d.blob).await?;
        }
        Ok(d.size)
    }

    /// The bytes `start..start+len` of a download.
    pub async fn open_download(&self, d: &Download, start: u64, len: u64) -> Result<BlobReader> {
        self.blobs.open(&d.blob, start, len).await
    }
}
