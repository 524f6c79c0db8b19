//! Files in conversations: upload (multipart, streamed to a temporary file and stopped at the
//! size limit) and download (ranges, a sandbox, never a type a browser runs). The rules are the
//! domain's ([`domain::files`]); this is the HTTP around them.

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use domain::app::Wangshang;
use domain::files::{Download, Part, Staged, Upload};
use domain::sessions::Authenticated;
use proto::chat::{FileLinkView, MessageView};

use super::conversations::message_view;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery, Auth, ClientInfo};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/conversations/{id}/files",
            // The file's own limit is enforced while it streams in (`files.max_file_bytes`).
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/files/{file_id}", get(download))
        .route("/files/{file_id}/thumbnail", get(thumbnail))
        .route("/files/{file_id}/link", post(link))
}

/// Longest caption and `client_msg_id` parts read, in bytes.
const SMALL_PART: usize = 16 * 1024;
/// Room for the multipart framing and the small parts around the file.
const FRAMING: u64 = 64 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// Keep an image's metadata ("send original").
    original: Option<bool>,
}

fn unreadable(e: MultipartError) -> domain::Error {
    domain::Error::InvalidRequest(format!("The multipart body cannot be read: {e}"))
}

async fn small_text(mut field: Field<'_>, what: &str) -> domain::Result<String> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        if buf.len() + chunk.len() > SMALL_PART {
            return Err(domain::Error::InvalidRequest(format!(
                "`{what}` is too long."
            )));
        }
        buf.extend_from_slice(&chunk);
    }
    String::from_utf8(buf)
        .map_err(|_| domain::Error::InvalidRequest(format!("`{what}` is not UTF-8.")))
}

/// Reads the next part, which must be the short text part `name` (the web form's CSRF field
/// comes first, so it is checked before a file is read).
pub(crate) async fn first_text(multipart: &mut Multipart, name: &str) -> domain::Result<String> {
    match multipart.next_field().await.map_err(unreadable)? {
        Some(field) if field.name() == Some(name) => small_text(field, name).await,
        _ => Err(domain::Error::InvalidRequest(format!(
            "The first part must be `{name}`."
        ))),
    }
}

/// The parts of an upload, the file staged (deleted again if anything fails).
pub(crate) struct UploadParts {
    pub staged: Staged,
    pub name: Option<String>,
    pub declared_type: Option<String>,
    pub caption: String,
    pub client_msg_id: Option<String>,
    /// The web form's "send original" box (the API takes `?original=true`).
    pub original: bool,
}

impl UploadParts {
    /// The upload these parts make, for `sender` in `conversation_id`; a missing
    /// `client_msg_id` gets a fresh one.
    pub(crate) fn into_upload(
        self,
        conversation_id: String,
        sender: Authenticated,
        keep_original: bool,
    ) -> (Upload, Staged) {
        let up = Upload {
            conversation_id,
            sender,
            client_msg_id: self.client_msg_id.unwrap_or_else(domain::random::id),
            caption: self.caption,
            name: self.name,
            declared_type: self.declared_type,
            keep_original,
        };
        (up, self.staged)
    }
}

/// Reads an upload's parts: `file` (streamed to a temporary file, stopped at the size limit),
/// `caption`, `client_msg_id`, and with `form` the web form's `original` box.
pub(crate) async fn read_parts(
    app: &Wangshang,
    multipart: &mut Multipart,
    form: bool,
) -> domain::Result<UploadParts> {
    let mut caption = String::new();
    let mut client_msg_id = None;
    let mut original = false;
    let mut file = None;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or("") {
            "file" => {
                if file.is_some() {
                    return Err(domain::Error::InvalidRequest(
                        "Send one file per message.".into(),
                    ));
                }
                let name = field.file_name().map(str::to_owned);
                let declared = field.content_type().map(str::to_owned);
                // Dropped on any error below, the staged upload is deleted.
                let mut staging = app.stage_upload().await?;
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    staging.write(&chunk).await?;
                }
                file = Some((staging.finish().await?, name, declared));
            }
            "caption" => caption = small_text(field, "caption").await?,
            "client_msg_id" => client_msg_id = Some(small_text(field, "client_msg_id").await?),
            "original" if form => original = !small_text(field, "original").await?.is_empty(),
            other => {
                return Err(domain::Error::InvalidRequest(format!(
                    "Unknown part `{}`; the parts are file, caption and client_msg_id.",
                    other.chars().take(64).collect::<String>()
                )));
            }
        }
    }
    let Some((staged, name, declared_type)) = file else {
        return Err(domain::Error::InvalidRequest(
            "The `file` part is missing.".into(),
        ));
    };
    // A browser sends an empty file part when no file was picked.
    if staged.size() == 0 && name.as_deref().is_none_or(str::is_empty) {
        return Err(domain::Error::InvalidRequest(
            "The `file` part is missing.".into(),
        ));
    }
    Ok(UploadParts {
        staged,
        name,
        declared_type,
        caption,
        client_msg_id,
        original,
    })
}

/// Sends a file (with an optional caption) to a conversation. The type is read from the content;
/// images lose their metadata unless `original=true`; the size limit stops the upload as soon as
/// it is passed.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/files", tag = "files",
    params(("id" = String, Path, description = "The conversation id."), ("original" = Option<bool>, Query, description = "Keep an image's metadata (EXIF, GPS position) as sent.")),
    request_body(content = proto::chat::FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = MessageView), (status = 200, body = MessageView), (status = 403, description = "blocked"), (status = 404, description = "not_found"), (status = 413, description = "file_too_large"), (status = 415, description = "type_mismatch"), (status = 422, description = "storage_quota_exceeded")),
    security(("bearer" = [])))]
pub async fn upload(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    // Nothing is read before the caller is known to be a member.
    s.app.may_upload(&auth, &id).await?;
    let max = s.app.config.files.max_file_bytes;
    let declared_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|n| n > max.saturating_add(FRAMING)) {
        return Err(domain::Error::FileTooLarge { max }.into());
    }
    let mut multipart = multipart.map_err(|_| ApiError::unsupported_multipart())?;
    let parts = read_parts(&s.app, &mut multipart, false).await?;
    let (upload, staged) = parts.into_upload(id, auth, q.original.unwrap_or(false));
    let (m, created) = s.app.send_file(upload, staged).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(message_view(&m))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DownloadQuery {
    /// A signed link's token (from `POST /files/{id}/link`).
    link: Option<String>,
}

/// A short-lived signed link to the file (`files.link_ttl_secs`, 5 minutes by default) that an
/// app can open without the session. It acts for the caller: leaving the conversation or a
/// recall ends it at once.
#[utoipa::path(post, path = "/api/v1/files/{file_id}/link", tag = "files",
    params(("file_id" = String, Path, description = "The file id (`attachment.file_id`).")),
    responses((status = 201, body = FileLinkView), (status = 404, description = "not_found"), (status = 409, description = "scanning")),
    security(("bearer" = [])))]
pub async fn link(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(file_id): ApiPath<String>,
) -> Result<(StatusCode, Json<FileLinkView>), ApiError> {
    let l = s.app.file_link(&auth, &file_id).await?;
    let base = s.app.config.public_url.trim_end_matches('/');
    let url = format!(
        "{base}/api/v1/files/{}?link={}",
        utf8_percent_encode(&file_id, ATTR),
        l.token
    );
    Ok((
        StatusCode::CREATED,
        Json(FileLinkView {
            url,
            expires_at: domain::clock::to_datetime(l.expires_at),
        }),
    ))
}

/// The file's bytes, for current members of its conversation (a bearer token, or a signed
/// `link`). `Range` is supported. Signed out (no or a dead token), not a member (or no longer
/// one), the message recalled, an expired or forged link, or no such file: the same `404`.
#[utoipa::path(get, path = "/api/v1/files/{file_id}", tag = "files",
    params(("file_id" = String, Path, description = "The file id (`attachment.file_id`)."), ("link" = Option<String>, Query, description = "A signed link's token, instead of the bearer token."), ("range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-1023`.")),
    responses((status = 200, description = "The file's bytes: `Content-Disposition: attachment` (inline for raster images), `X-Content-Type-Options: nosniff`, `Content-Security-Policy: sandbox`; HTML, SVG, XML and scripts as `application/octet-stream`.", content_type = "application/octet-stream"), (status = 206, description = "The range asked for.", content_type = "application/octet-stream"), (status = 400, description = "invalid_request"), (status = 404, description = "not_found"), (status = 409, description = "scanning"), (status = 416, description = "range_not_satisfiable")))]
pub async fn download(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiPath(file_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let at = (client.ip.as_str(), q.link.as_deref());
    serve(&s, &file_id, &headers, Part::Original, at).await
}

/// A JPEG thumbnail of an image file, on the same terms as the file.
#[utoipa::path(get, path = "/api/v1/files/{file_id}/thumbnail", tag = "files",
    params(("file_id" = String, Path, description = "The file id (`attachment.file_id`)."), ("range" = Option<String>, Header, description = "One byte range.")),
    responses((status = 200, description = "The thumbnail (JPEG).", content_type = "image/jpeg"), (status = 206, description = "The range asked for.", content_type = "image/jpeg"), (status = 400, description = "invalid_request"), (status = 404, description = "not_found"), (status = 409, description = "scanning"), (status = 416, description = "range_not_satisfiable")))]
pub async fn thumbnail(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiPath(file_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let at = (client.ip.as_str(), q.link.as_deref());
    serve(&s, &file_id, &headers, Part::Thumbnail, at).await
}

/// Who asks: the account of a live bearer token, else nobody (whose answer is `404` like any
/// other that may not see the file).
async fn viewer(s: &AppState, headers: &HeaderMap, ip: &str) -> Option<Authenticated> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 256)?;
    s.app.authenticate(token, ip).await.ok()
}

/// Characters of a file name kept as they are in `filename*` (RFC 8187 attr-char).
const ATTR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

fn disposition(d: &Download) -> HeaderValue {
    let fallback: String = d
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let kind = if d.inline { "inline" } else { "attachment" };
    let v = format!(
        "{kind}; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(&d.name, ATTR)
    );
    HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static("attachment"))
}

/// Serves a file or its thumbnail, whole or one range of it.
async fn serve(
    s: &AppState,
    file_id: &str,
    headers: &HeaderMap,
    part: Part,
    (ip, link): (&str, Option<&str>),
) -> Result<Response, ApiError> {
    let d = match link {
        Some(token) => s.app.file_by_link(file_id, token, part).await?,
        None => {
            let viewer = viewer(s, headers, ip).await;
            s.app.file_download(viewer.as_ref(), file_id, part).await?
        }
    };
    respond(s, d, headers).await
}

/// The response for a download the caller may have: whole, or the one range asked for, with
/// headers that keep a browser from running it.
pub(crate) async fn respond(
    s: &AppState,
    mut d: Download,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let size = s.app.download_size(&mut d).await?;
    // One range is served as asked; several, or one that cannot be read, get the whole file.
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| http_range_header::parse_range_header(v).ok())
        .map(|r| r.validate(size));
    let (status, start, len) = match range {
        None => (StatusCode::OK, 0, size),
        Some(Ok(ranges)) if ranges.len() == 1 => {
            let r = &ranges[0];
            (
                StatusCode::PARTIAL_CONTENT,
                *r.start(),
                r.end() - r.start() + 1,
            )
        }
        Some(Ok(_)) => (StatusCode::OK, 0, size),
        Some(Err(_)) => {
            let mut res =
                ApiError::from(domain::Error::RangeNotSatisfiable { size }).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                res.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(res);
        }
    };
    let reader = s.app.open_download(&d, start, len).await?;
    // 256 KiB reads: the default 4 KiB makes a chunk (and a syscall) per page.
    let stream = tokio_util::io::ReaderStream::with_capacity(reader, 256 * 1024);
    let mut res = Response::new(Body::from_stream(stream));
    *res.status_mut() = status;
    let h = res.headers_mut();
    let content_type = HeaderValue::from_str(&d.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CONTENT_DISPOSITION, disposition(&d));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", d.sha256)) {
        h.insert(header::ETAG, v);
    }
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{}/{size}", start + len - 1))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    Ok(res)
}
