//! Files in the web client: sending one from a conversation's page (a multipart form whose first
//! part is the CSRF field, so nothing is read before the form is known to be this site's), and
//! fetching files and thumbnails with the session cookie. The rules are the domain's
//! ([`domain::files`]) and the HTTP is the API's (`routes::files`): the same size limit while the
//! file streams in, the same type check, the same `404` for anyone who may not see it, the same
//! headers that keep a browser from running what it gets.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use domain::files::Part;
use domain::store::Attachment;

use super::chat::{problem_page, sent_answer};
use super::ctx::Ctx;
use super::i18n::Tr;
use crate::routes::files::{first_text, read_parts, respond};

/// Longest side of a thumbnail as the conversation shows it, in CSS pixels.
const SHOWN_PX: i64 = 240;

/// What a message's file card shows.
pub struct FileCard {
    pub id: String,
    pub name: String,
    /// "2.4 MB".
    pub size: String,
    /// The extension in capitals ("PDF"), for the card's icon.
    pub ext: String,
    /// `ready`, `scanning` or `blocked`.
    pub status: String,
    /// A thumbnail exists: an image preview, shown at `(width, height)`.
    pub preview: Option<(i64, i64)>,
}

/// A size as people read it: bytes, KB, MB or GB (powers of 1024, one decimal under 10).
pub fn size_text(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = bytes.max(0) as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else if v < 10.0 {
        format!("{v:.1} {}", UNITS[unit])
    } else {
        format!("{v:.0} {}", UNITS[unit])
    }
}

/// The card of a message's file (none for a recalled message: its tombstone shows nothing).
pub fn card(a: &Attachment) -> FileCard {
    let ext = a
        .name
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.len() <= 5 && e.chars().all(char::is_alphanumeric))
        .unwrap_or("")
        .to_uppercase();
    let preview = a.thumb_blob.as_ref().map(|_| {
        let (w, h) = (a.width.unwrap_or(SHOWN_PX), a.height.unwrap_or(SHOWN_PX));
        let (w, h) = (w.max(1), h.max(1));
        let scale = (SHOWN_PX as f64 / w.max(h) as f64).min(1.0);
        (
            ((w as f64 * scale).round() as i64).max(1),
            ((h as f64 * scale).round() as i64).max(1),
        )
    });
    FileCard {
        id: a.id.clone(),
        name: a.name.clone(),
        size: size_text(a.size),
        ext,
        status: a.status.clone(),
        preview,
    }
}

/// A message's text in a one-line summary (the conversation list): a file without a caption
/// shows "[File] name".
pub fn summary(t: Tr, body: &str, a: Option<&Attachment>) -> String {
    match a {
        Some(a) if body.trim().is_empty() => t.with("file-summary", &[("name", &a.name)]),
        _ => body.to_owned(),
    }
}

/// Sends a file from the conversation page: the form's parts are `csrf` (first), then
/// `client_msg_id`, `file`, and the `original` box. The page's script posts the same form with
/// `Accept: application/json` (to show progress) and gets the message back.
pub async fn upload(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Ok(mut multipart) = multipart else {
        return ctx.forbidden();
    };
    let csrf = first_text(&mut multipart, "csrf").await.unwrap_or_default();
    let (ctx, auth) = match ctx.form_auth(&csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let app = ctx.app.app.clone();
    let sent = async {
        // Nothing more is read before the caller is known to be a member.
        app.may_upload(&auth, &id).await?;
        let parts = read_parts(&app, &mut multipart, true).await?;
        let keep = parts.original;
        let (upload, staged) = parts.into_upload(id.clone(), auth.clone(), keep);
        app.send_file(upload, staged).await
    }
    .await;
    let sent = sent.map(|(m, _)| m);
    sent_answer(ctx, &auth, &id, &headers, sent, String::new()).await
}

/// A file, for a signed-in member of its conversation (the session cookie).
pub async fn download(ctx: Ctx, Path(file_id): Path<String>, headers: HeaderMap) -> Response {
    serve(ctx, &file_id, Part::Original, &headers).await
}

/// An image's thumbnail, on the same terms.
pub async fn thumbnail(ctx: Ctx, Path(file_id): Path<String>, headers: HeaderMap) -> Response {
    serve(ctx, &file_id, Part::Thumbnail, &headers).await
}

async fn serve(ctx: Ctx, file_id: &str, part: Part, headers: &HeaderMap) -> Response {
    let viewer = ctx.auth().await;
    let found = ctx
        .app
        .app
        .file_download(viewer.as_ref(), file_id, part)
        .await;
    match found {
        Ok(d) => match respond(&ctx.app, d, headers).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        },
        // A page in the visitor's language, as for any other link that leads nowhere.
        Err(e) => problem_page(ctx, e, ("/chat", "chat-back")),
    }
}
