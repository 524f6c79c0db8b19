//! Turning templates and errors into responses.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, Redirect, Response};

use super::ctx::Ctx;
use super::i18n::Tr;
use super::pages::Shown;
use crate::error::ApiError;

/// Renders a page with the request's new cookies.
pub fn page(ctx: Ctx, status: StatusCode, tpl: &impl Template) -> Response {
    match tpl.render() {
        Ok(html) => ctx.finish((status, Html(html))),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            let msg = ctx.t().get("err-internal");
            ctx.finish((StatusCode::INTERNAL_SERVER_ERROR, msg))
        }
    }
}

pub fn redirect(ctx: Ctx, to: &str) -> Response {
    ctx.finish(Redirect::to(to))
}

/// A domain error as a message in the page's language, and its status.
/// The line a password page adds when the account's enterprises ask more than the server.
pub fn stricter_password(
    t: Tr,
    rules: Option<&domain::policy::StricterPassword>,
) -> Option<String> {
    let r = rules.filter(|r| r.any())?;
    let mut parts = Vec::new();
    if let Some(n) = r.min_length {
        parts.push(t.with("policy-password-min-length", &[("n", &n.to_string())]));
    }
    if let Some(s) = r.min_score {
        parts.push(t.with("policy-password-min-score", &[("score", &s.to_string())]));
    }
    if r.require_composition {
        parts.push(t.get("policy-password-composition"));
    }
    Some(t.with(
        "policy-password-rules",
        &[("rules", &parts.join(&t.get("policy-list-separator")))],
    ))
}

pub fn shown(t: Tr, e: domain::Error) -> (StatusCode, Shown) {
    let api = ApiError::from(e);
    let p = api.problem();
    let attempts = p.attempts_left.map(|n| n.to_string()).unwrap_or_default();
    let seconds = p.retry_after.map(|n| n.to_string()).unwrap_or_default();
    let message = t.with(
        &format!("err-{}", p.code),
        &[("attempts", &attempts), ("seconds", &seconds)],
    );
    let mut details: Vec<String> = p
        .violations
        .as_ref()
        .map(|v| v.iter().map(|v| v.message.clone()).collect())
        .unwrap_or_default();
    // A malformed field ("created_around must be YYYY, YYYY-MM or YYYY-MM-DD") says which one.
    if p.code == "invalid_request" && !p.detail.is_empty() {
        details.push(p.detail.clone());
    }
    (
        api.status(),
        Shown {
            code: p.code.clone(),
            message,
            attempts_left: p.attempts_left,
            details,
        },
    )
}
