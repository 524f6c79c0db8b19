//! Scanning (SPEC §9): with `files.clamd` set, a new file is `scanning` — listed, but not served
//! (`409 scanning`) — until clamd's verdict. Clean, it becomes `ready`; infected, `blocked` for
//! good (never served, the same `404` as a file that does not exist), a security event
//! (`malware_blocked`) is written on the sender's account and the sender is told on the stream
//! (`file.blocked`), and so are the enterprise's owners and admins when the conversation is an
//! enterprise's (and its audit log gets a `file_blocked` line). Every member's stream gets `attachment.updated` with the new status.
//!
//! The scanner works from the database: after an upload it is woken, and it also looks every
//! `files.scan_retry_secs` for files still `scanning` (clamd was down, the node restarted), so no
//! file stays quarantined because of a lost wake-up. A verdict is applied only to a file still
//! `scanning`, so two nodes scanning the same file change it once.

use std::time::Duration;

use serde_json::json;

use super::clamd::{self, Verdict};
use super::status;
use crate::app::{Client, Wangshang};
use crate::chat::conversations::member_ids;
use crate::chat::{Emit, emit, kind, role};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::events;
use crate::policy;
use crate::store::FileRecord;
use crate::unit::Unit;

/// Files scanned per look.
const BATCH: u32 = 50;

impl Wangshang {
    /// Scans the files waiting for a verdict; returns how many got one. Without a scanner
    /// configured, nothing.
    pub async fn scan_pending(&self) -> Result<usize> {
        let Some(addr) = self.config.files.clamd.clone() else {
            return Ok(0);
        };
        let pending = {
            let mut tx = self.read().await?;
            tx.files_with_status(status::SCANNING, BATCH).await?
        };
        let timeout = Duration::from_secs(self.config.files.scan_timeout_secs.max(1));
        let mut done = 0;
        for f in pending {
            let size = u64::try_from(f.attachment.size).unwrap_or(0);
            let bytes = self.blobs.open(&f.attachment.blob, 0, size).await?;
            match clamd::scan(&addr, bytes, timeout).await {
                Ok(v) => {
                    self.apply_verdict(&f, v).await?;
                    done += 1;
                }
                Err(e) => {
                    // clamd down or refusing: the file stays quarantined; the next look retries.
                    tracing::warn!(error = %e, file_id = %f.attachment.id, "scanning a file failed");
                    break;
                }
            }
        }
        Ok(done)
    }

    /// Wakes the scanner (after an upload that waits for a verdict).
    pub(crate) fn wake_scanner(&self) {
        self.scan_wake.notify_one();
    }

    /// Waits until an upload wakes the scanner.
    pub async fn scanner_woken(&self) {
        self.scan_wake.notified().await;
    }

    async fn apply_verdict(&self, f: &FileRecord, v: Verdict) -> Result<()> {
        let now = now_ms();
        let to = match &v {
            Verdict::Clean => status::READY,
            Verdict::Infected(_) => status::BLOCKED,
        };
        let mut tx = self.write().await?;
        if !tx
            .set_file_status(&f.attachment.id, status::SCANNING, to)
            .await?
        {
            return Ok(());
        }
        let m = tx.message(&f.message_id).await?.ok_or(Error::NotFound)?;
        let members = member_ids(&mut tx, &f.conversation_id).await?;
        let e = Emit {
            kind: kind::ATTACHMENT_UPDATED,
            conversation_id: Some(&f.conversation_id),
            message: Some(&m),
            data: Some(json!({"file_id": f.attachment.id, "status": to})),
        };
        emit(&mut tx, &members, e, now).await?;
        if let Verdict::Infected(signature) = &v {
            tracing::warn!(file_id = %f.attachment.id, uploader = %f.uploader_id, %signature, "malware blocked");
            let scanner = Client {
                ip: "clamd".into(),
                user_agent: String::new(),
            };
            events::record(
                &mut tx,
                &f.uploader_id,
                events::kind::MALWARE_BLOCKED,
                &scanner,
                &[signature.as_str()],
                now,
            )
            .await?;
            let told = Emit {
                kind: kind::FILE_BLOCKED,
                conversation_id: Some(&f.conversation_id),
                message: Some(&m),
                data: Some(json!({
                    "file_id": f.attachment.id,
                    "name": f.attachment.name,
                    "signature": signature,
                })),
            };
            // The sender, and the enterprise's owners and admins when the conversation is an
            // enterprise's (a taken-over account spreading malware is their concern too).
            let (told_to, org) = blocked_file_audience(&mut tx, f).await?;
            if let Some(org_id) = org {
                let who = Some(f.uploader_id.as_str());
                policy::audit(&mut tx, &org_id, &f.uploader_id, who, "file_blocked", now).await?;
            }
            emit(&mut tx, &told_to, told, now).await?;
        }
        tx.commit().await
    }
}

/// Who is told of a blocked file: its sender, and the owners and admins (current members) of
/// the enterprise whose conversation it was sent to.
async fn blocked_file_audience(
    tx: &mut Unit,
    f: &FileRecord,
) -> Result<(Vec<String>, Option<String>)> {
    let mut to = vec![f.uploader_id.clone()];
    let org = tx
        .conversation(&f.conversation_id)
        .await?
        .and_then(|c| c.org_id);
    if let Some(org_id) = &org {
        for m in tx.org_members(org_id).await? {
            if m.left_at.is_none() && role::manages(&m.role) && !to.contains(&m.account_id) {
                to.push(m.account_id);
            }
        }
    }
    Ok((to, org))
}
