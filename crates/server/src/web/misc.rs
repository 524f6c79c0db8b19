//! The help page, the dev outbox page, the home redirect, the static files and the security
//! headers every page carries.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use domain::clock::human;

use super::ctx::Ctx;
use super::pages;
use super::render::{page, redirect};

pub async fn home(ctx: Ctx) -> Response {
    let to = if ctx.auth().await.is_some() {
        "/chat"
    } else {
        "/login"
    };
    redirect(ctx, to)
}

pub async fn help(ctx: Ctx) -> Response {
    let logged_in = ctx.auth().await.is_some();
    let t = ctx.t();
    let tpl = pages::Help {
        t,
        csrf: ctx.csrf.clone(),
        logged_in,
        title: t.get("help-title"),
    };
    page(ctx, StatusCode::OK, &tpl)
}

/// The dev outbox page (dev mode only): what the dev driver "sent".
pub async fn outbox(ctx: Ctx) -> Response {
    if !ctx.app.app.config.dev {
        return ctx.finish(StatusCode::NOT_FOUND);
    }
    let logged_in = ctx.auth().await.is_some();
    let t = ctx.t();
    let messages = ctx
        .app
        .app
        .dev_messages(None, 100)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            (
                human(m.created_at),
                m.destination,
                m.code.unwrap_or_default(),
                m.body,
            )
        })
        .collect();
    let tpl = pages::Outbox {
        t,
        csrf: ctx.csrf.clone(),
        logged_in,
        title: t.get("dev-title"),
        messages,
    };
    page(ctx, StatusCode::OK, &tpl)
}

pub async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../static/app.js"),
    )
        .into_response()
}

pub async fn chat_script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../static/chat.js"),
    )
        .into_response()
}

pub async fn files_script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../static/files.js"),
    )
        .into_response()
}

pub async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

/// A strict CSP (no inline scripts or styles), no framing, no referrer, no sniffing.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A file's own policy (`sandbox`) stays: it is stricter for what it serves.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        );
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
