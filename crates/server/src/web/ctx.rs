//! What every web request carries: the language, the CSRF token (double submit: a cookie and a
//! hidden field that must match), the long-lived device id, the session token cookie, and the
//! client. New cookies are set on the response by [`Ctx::finish`].

use axum::extract::{FromRequestParts, Query};
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use domain::app::Client;
use domain::random;
use domain::sessions::Authenticated;

use super::i18n::{Lang, Tr};
use crate::AppState;
use crate::extract::ClientInfo;

pub const SESSION: &str = "ws_session";
const CSRF: &str = "ws_csrf";
const DEVICE: &str = "ws_device";
const LANG: &str = "ws_lang";
/// Where to go after signing in (a page that sent a signed-out visitor to log in).
const NEXT: &str = "ws_next";
const YEAR: u64 = 365 * 24 * 3600;

pub struct Ctx {
    pub lang: Lang,
    pub csrf: String,
    pub device_id: String,
    pub token: Option<String>,
    /// The page to return to after signing in, if one asked.
    next: Option<String>,
    pub client: Client,
    pub app: AppState,
    secure: bool,
    set: Vec<String>,
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 256)
}

/// A local path of plain characters (no `//host`, no scheme, nothing to escape in a cookie).
fn safe_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && p.len() <= 200
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'))
}

/// The language of a request: `?lang=` (then also returned, to be remembered), the language
/// cookie, `Accept-Language`, else zh-CN.
pub fn request_lang(uri: &axum::http::Uri, h: &axum::http::HeaderMap) -> (Lang, Option<Lang>) {
    let asked = Query::<LangQuery>::try_from_uri(uri)
        .ok()
        .and_then(|q| q.0.lang)
        .and_then(|l| Lang::parse(&l));
    let lang = asked
        .or_else(|| cookie(h, LANG).and_then(|l| Lang::parse(&l)))
        .or_else(|| {
            h.get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept)
        })
        .unwrap_or(Lang::Zh);
    (lang, asked)
}

/// The CSRF cookie of a request, if it has one (for a page drawn outside a handler).
pub fn csrf_cookie(h: &axum::http::HeaderMap) -> Option<String> {
    cookie(h, CSRF)
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ClientInfo(client) = ClientInfo::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let secure = state.app.config.public_url.starts_with("https://");
        let h = &parts.headers;
        let mut set = Vec::new();
        let (lang, asked) = request_lang(&parts.uri, h);
        let mut ctx = Ctx {
            lang,
            csrf: String::new(),
            device_id: String::new(),
            token: cookie(h, SESSION),
            next: cookie(h, NEXT).filter(|p| safe_path(p)),
            client,
            app: state.clone(),
            secure,
            set: Vec::new(),
        };
        if let Some(l) = asked {
            set.push(ctx.cookie(LANG, l.tag(), YEAR, false));
        }
        ctx.csrf = match cookie(h, CSRF) {
            Some(c) => c,
            None => {
                let c = random::token();
                set.push(ctx.cookie(CSRF, &c, YEAR, true));
                c
            }
        };
        ctx.device_id = match cookie(h, DEVICE)
            .filter(|d| domain::accounts::parse_device_id(Some(d)).is_ok())
        {
            Some(d) => d,
            None => {
                let d = random::id();
                set.push(ctx.cookie(DEVICE, &d, 10 * YEAR, true));
                d
            }
        };
        ctx.set = set;
        Ok(ctx)
    }
}

impl Ctx {
    pub fn t(&self) -> Tr {
        Tr(self.lang)
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Lax, and `Secure` over HTTPS.
    fn cookie(&self, name: &str, value: &str, max_age: u64, http_only: bool) -> String {
        let mut c = format!("{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax");
        if http_only {
            c.push_str("; HttpOnly");
        }
        if self.secure {
            c.push_str("; Secure");
        }
        c
    }

    pub fn set_session(&mut self, token: &str) {
        let c = self.cookie(SESSION, token, 30 * 24 * 3600, true);
        self.set.push(c);
    }

    pub fn clear_session(&mut self) {
        let c = self.cookie(SESSION, "", 0, true);
        self.set.push(c);
    }

    pub fn set_named(&mut self, name: &str, value: &str, max_age: u64) {
        let c = self.cookie(name, value, max_age, true);
        self.set.push(c);
    }

    /// Remembers a same-site path to come back to after signing in (ten minutes).
    pub fn return_here(&mut self, path: &str) {
        if safe_path(path) {
            let c = self.cookie(NEXT, path, 600, true);
            self.set.push(c);
        }
    }

    /// Where a fresh session goes: the remembered page (then forgotten), else the chat list.
    pub fn after_login(&mut self) -> String {
        match self.next.take() {
            Some(p) => {
                let c = self.cookie(NEXT, "", 0, true);
                self.set.push(c);
                p
            }
            None => "/chat".into(),
        }
    }

    /// Whether a form's hidden `csrf` field matches the cookie.
    pub fn csrf_ok(&self, field: &str) -> bool {
        !field.is_empty() && bool::from(field.as_bytes().ct_eq(self.csrf.as_bytes()))
    }

    /// The signed-in account, if the session cookie is live.
    pub async fn auth(&self) -> Option<Authenticated> {
        let t = self.token.as_deref()?;
        self.app.app.authenticate(t, &self.client.ip).await.ok()
    }

    /// Adds the cookies this request created to a response.
    pub fn finish(self, resp: impl IntoResponse) -> Response {
        let mut r = resp.into_response();
        for c in self.set {
            if let Ok(v) = HeaderValue::from_str(&c) {
                r.headers_mut().append(SET_COOKIE, v);
            }
        }
        r
    }

    /// A form post on a signed-in page: the CSRF check, then the session (else the login page).
    pub async fn form_auth(self, csrf: &str) -> Result<(Self, Authenticated), Response> {
        if !self.csrf_ok(csrf) {
            return Err(self.forbidden());
        }
        match self.auth().await {
            Some(a) => Ok((self, a)),
            None => Err(self.finish(axum::response::Redirect::to("/login"))),
        }
    }

    /// `403` for a form without the right CSRF field.
    pub fn forbidden(self) -> Response {
        let msg = self.t().get("err-csrf");
        self.finish((StatusCode::FORBIDDEN, msg))
    }

    /// The session cookie of another request (for reading the `cookie` helper in handlers).
    pub fn named(parts: &axum::http::HeaderMap, name: &str) -> Option<String> {
        cookie(parts, name)
    }
}
