//! Short-lived signed links (SPEC §9): `POST /files/{id}/link` gives a member a URL an app can
//! open without the session (a video player, a system viewer). The link names the file, the
//! member and an expiry, signed with the server's key (HMAC-SHA256). It is never permanent, and
//! it opens the file only on the member's behalf: when it is used, membership, recall and the
//! scan are checked again, so leaving the conversation or a recall ends it at once.

use super::{Download, Part};
use crate::app::Wangshang;
use crate::clock::{Millis, now_ms};
use crate::error::{Error, Result};
use crate::sessions::Authenticated;

const SCOPE: &str = "file-link";

/// A signed link's token and when it expires.
pub struct FileLink {
    pub token: String,
    pub expires_at: Millis,
}

impl Wangshang {
    /// A link to a file the member may download now.
    pub async fn file_link(&self, caller: &Authenticated, file_id: &str) -> Result<FileLink> {
        self.file_download(Some(caller), file_id, Part::Original)
            .await?;
        let account_id = caller.account_id.as_str();
        let expires_at = now_ms() + self.config.files.link_ttl_secs.max(1) * 1000;
        let mac = self.code_hash(SCOPE, &format!("{file_id}.{account_id}.{expires_at}"));
        Ok(FileLink {
            token: format!("{account_id}.{expires_at}.{mac}"),
            expires_at,
        })
    }

    /// The download a signed link opens: the same checks as with the member's session, and the
    /// same `404` for a link that is forged, for another file, or expired.
    pub async fn file_by_link(&self, file_id: &str, token: &str, part: Part) -> Result<Download> {
        let mut parts = token.splitn(3, '.');
        let (Some(account_id), Some(expires), Some(mac)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::NotFound);
        };
        let Ok(expires_at) = expires.parse::<Millis>() else {
            return Err(Error::NotFound);
        };
        let signed = format!("{file_id}.{account_id}.{expires_at}");
        if !self.code_matches(SCOPE, &signed, mac) || now_ms() > expires_at {
            return Err(Error::NotFound);
        }
        self.download_for(account_id, None, file_id, part).await
    }
}
