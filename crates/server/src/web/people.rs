//! Errors for people are pages. A browser request (one that accepts `text/html`, outside `/api/`)
//! whose answer is an error without a page — an unknown address, a form address opened with
//! GET, an expired form, a rate limit, a server error — gets an HTML page in the visitor's
//! language, with the status and headers (`Retry-After`, `Allow`, cookies) kept, and a way back.
//! JSON clients and everything under `/api/` keep their problem documents.
//!
//! The same layer says where the language switch goes: on a page that answered a form post, to
//! the form's page (GET) instead of the post's address, which may take no GET at all.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::ctx::{SESSION, csrf_cookie, request_lang};
use super::i18n::Tr;
use crate::AppState;

/// The web client's addresses that answer GET with a page (`{…}` is one path segment), as the
/// router declares them. A form's page is the first of these found walking up from the form's
/// address.
fn pages() -> &'static [&'static str] {
    static PAGES: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(|| super::routes().pages);
    &PAGES
}

fn is_page(path: &str) -> bool {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    pages().iter().any(|p| {
        let pat: Vec<&str> = p.trim_end_matches('/').split('/').collect();
        pat.len() == segs.len()
            && pat
                .iter()
                .zip(&segs)
                .all(|(a, b)| (a.starts_with('{') && !b.is_empty()) || a == b)
    })
}

/// The page of the form that posts to `path`: `path` itself if it answers GET, else the nearest
/// address above it that does (`/orgs/x/invites` → `/orgs/x`), at worst `/`.
pub fn form_page(path: &str) -> String {
    let mut p = path.trim_end_matches('/');
    loop {
        if p.is_empty() {
            return "/".into();
        }
        if is_page(p) {
            return p.into();
        }
        match p.rfind('/') {
            Some(i) => p = &p[..i],
            None => return "/".into(),
        }
    }
}

/// Where the language links of this request's page go (before `lang=`): the same address with
/// its query for a GET, the form's page for anything else.
fn lang_base(method: &Method, uri: &Uri) -> String {
    if method == Method::GET || method == Method::HEAD {
        let query: Vec<&str> = uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("lang="))
            .collect();
        if query.is_empty() {
            uri.path().to_owned()
        } else {
            format!("{}?{}", uri.path(), query.join("&"))
        }
    } else {
        form_page(uri.path())
    }
}

tokio::task_local! {
    static LANG_BASE: String;
}

/// The `href` of the link to this page in `lang` (`zh-CN` or `en`).
pub fn lang_href(lang: &str) -> String {
    let base = LANG_BASE.try_with(Clone::clone).unwrap_or_default();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}lang={lang}")
}

fn browser(h: &HeaderMap, path: &str) -> bool {
    !path.starts_with("/api/")
        && !path.starts_with("/static/")
        && h.get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
}

fn is_html(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub status: u16,
    pub text: String,
    /// (href, label) of the ways back, the first one the main one.
    pub links: Vec<(String, String)>,
}

/// What the page says for a status: (title key, text).
fn words(t: Tr, status: StatusCode, retry_after: Option<u64>) -> (String, String) {
    use StatusCode as S;
    let key = match status {
        S::NOT_FOUND => "not-found",
        S::METHOD_NOT_ALLOWED => "method",
        S::FORBIDDEN => "forbidden",
        S::UNAUTHORIZED => "unauthenticated",
        S::GONE => "gone",
        S::PAYLOAD_TOO_LARGE => "too-large",
        S::TOO_MANY_REQUESTS => "throttled",
        s if s.is_server_error() => "server",
        _ => "bad-request",
    };
    let minutes = retry_after.map(|s| s.div_ceil(60).max(1)).unwrap_or(1);
    (
        t.get(&format!("error-{key}-title")),
        t.with(
            &format!("error-{key}"),
            &[("minutes", &minutes.to_string())],
        ),
    )
}

pub async fn layer(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let ip = crate::extract::ClientInfo::from_request_parts(&mut parts, &s)
        .await
        .map(|c| c.0.ip)
        .unwrap_or_default();
    let req = Request::from_parts(parts, body);
    let method = req.method().clone();
    let uri = req.uri().clone();
    let headers = req.headers().clone();
    let base = lang_base(&method, &uri);
    let res = LANG_BASE.scope(base, next.run(req)).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error())
        || is_html(&res)
        || !browser(&headers, uri.path())
        || method == Method::HEAD
    {
        return res;
    }
    let (lang, _) = request_lang(&uri, &headers);
    let t = Tr(lang);
    let logged_in = match super::ctx::Ctx::named(&headers, SESSION) {
        Some(token) => s.app.authenticate(&token, &ip).await.is_ok(),
        None => false,
    };
    let retry_after = res
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let (title, text) = words(t, status, retry_after);
    let mut links = Vec::new();
    let form = form_page(uri.path());
    if status == StatusCode::METHOD_NOT_ALLOWED || method != Method::GET {
        links.push((form.clone(), t.get("error-back-form")));
    }
    if form != "/" {
        links.push(("/".into(), t.get("error-home")));
    }
    if links.is_empty() {
        links.push(("/".into(), t.get("error-home")));
    }
    // The language links of the error page lead back to the form's page for a form address.
    let base = if status == StatusCode::METHOD_NOT_ALLOWED || method != Method::GET {
        form
    } else {
        lang_base(&method, &uri)
    };
    let tpl = ErrorPage {
        t,
        csrf: csrf_cookie(&headers).unwrap_or_default(),
        logged_in,
        title,
        status: status.as_u16(),
        text,
        links,
    };
    let html = match LANG_BASE.scope(base, async { tpl.render() }).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "error page failed");
            return res;
        }
    };
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    let page = Html(html).into_response();
    for (name, value) in page.headers() {
        parts.headers.insert(name.clone(), value.clone());
    }
    Response::from_parts(parts, page.into_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_address_leads_to_its_page() {
        assert_eq!(form_page("/orgs/abc/invites"), "/orgs/abc");
        assert_eq!(form_page("/settings/security/totp"), "/settings/security");
        assert_eq!(
            form_page("/settings/security/totp/confirm"),
            "/settings/security"
        );
        assert_eq!(form_page("/support/tickets"), "/support");
        assert_eq!(form_page("/support/verify"), "/support");
        assert_eq!(form_page("/forgot/x1/resend"), "/forgot/x1");
        assert_eq!(form_page("/login"), "/login");
        assert_eq!(form_page("/logout"), "/");
        // An enterprise's member actions belong to its security view, not to its page.
        assert_eq!(
            form_page("/orgs/o1/security/members/a1/act"),
            "/orgs/o1/security"
        );
        assert_eq!(form_page("/orgs/o1/policy"), "/orgs/o1/policy");
        assert_eq!(form_page("/settings/time-zone"), "/settings");
        assert_eq!(form_page("/chat/c1/messages"), "/chat/c1");
        assert_eq!(form_page("/no/such/thing"), "/");
    }

    #[test]
    fn language_links_keep_a_get_and_leave_a_post() {
        let uri: Uri = "/chat/c1?before=40&lang=en".parse().unwrap_or_default();
        assert_eq!(lang_base(&Method::GET, &uri), "/chat/c1?before=40");
        let uri: Uri = "/orgs/o1/invites".parse().unwrap_or_default();
        assert_eq!(lang_base(&Method::POST, &uri), "/orgs/o1");
    }
}
