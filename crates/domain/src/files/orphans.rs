//! Removing what no message holds (SPEC §9: orphaned uploads go after a day): temporary files an
//! interrupted upload left when its process died (a live one deletes its own), and blobs stored
//! for a message that was never written — the send was refused after the bytes were stored (the
//! sender left the conversation meanwhile, the quota), or the node stopped between the two.
//!
//! Only what was last written before the cutoff (`files.orphan_secs`, a day, before now) is
//! looked at, so an upload in flight is never touched: storing a blob again (the same bytes sent
//! once more) writes it anew. A blob is removed only when no file row holds it, as its bytes or
//! as a thumbnail; with several nodes each may sweep, and removing twice is harmless.

use crate::app::Wangshang;
use crate::clock::Millis;
use crate::error::Result;

/// What a sweep removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub temporary: u64,
    pub blobs: u64,
}

impl Wangshang {
    /// Removes temporary upload files and unheld blobs last written before `cutoff`.
    pub async fn sweep_orphan_files(&self, cutoff: Millis) -> Result<Swept> {
        let temporary = self.blobs.sweep_tmp(cutoff).await?;
        let mut blobs = 0;
        for key in self.blobs.keys_older_than(cutoff).await? {
            let held = {
                let mut tx = self.read_one().await?;
                tx.blob_in_use(&key).await?
            };
            if !held {
                self.blobs.delete(&key).await?;
                blobs += 1;
            }
        }
        Ok(Swept { temporary, blobs })
    }
}
