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

/// A domain error as a message in the page's language, and its status. Everything shown comes
/// from the catalog: the message by the problem's code, a password rule by its violation code, a
/// malformed field by the shape of the domain's detail (a detail of no known shape is shown only
/// on an English page, never as an English sentence inside a Chinese one).
pub fn shown(t: Tr, e: domain::Error) -> (StatusCode, Shown) {
    let mib = match &e {
        domain::Error::FileTooLarge { max } => (max / (1024 * 1024)).to_string(),
        _ => String::new(),
    };
    let api = ApiError::from(e);
    let p = api.problem();
    let attempts = p.attempts_left.map(|n| n.to_string()).unwrap_or_default();
    let wait = p.retry_after.unwrap_or(0);
    let message = if p.code == "too_many_requests" && wait >= 60 {
        t.with(
            "err-too_many_requests-minutes",
            &[("minutes", &wait.div_ceil(60).to_string())],
        )
    } else {
        t.with(
            &format!("err-{}", p.code),
            &[
                ("attempts", &attempts),
                ("seconds", &wait.to_string()),
                ("mib", &mib),
            ],
        )
    };
    let mut details: Vec<String> = p
        .violations
        .as_ref()
        .map(|v| {
            v.iter()
                .map(|v| {
                    t.with(
                        &format!("pw-{}", v.code),
                        &[("n", first_number(&v.message))],
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    // A malformed field ("title must not be empty") says which one.
    if p.code == "invalid_request"
        && !p.detail.is_empty()
        && let Some(d) = detail(t, &p.detail)
    {
        details.push(d);
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

fn first_number(s: &str) -> &str {
    let start = s.find(|c: char| c.is_ascii_digit()).unwrap_or(s.len());
    let rest = &s[start..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The domain's detail of a malformed field in the page's language: `<field> must not be empty`,
/// `<field> must be at most N characters`, `<field> must not contain control characters`.
fn detail(t: Tr, d: &str) -> Option<String> {
    let shapes = [
        (" must not be empty", "detail-empty"),
        (" must not contain control characters", "detail-control"),
    ];
    for (tail, key) in shapes {
        if let Some(field) = d.strip_suffix(tail)
            && !field.contains(' ')
        {
            let name = t.get(&format!("field-{field}"));
            if !name.starts_with('⟦') {
                return Some(t.with(key, &[("field", &name)]));
            }
        }
    }
    if let Some((field, rest)) = d.split_once(" must be at most ")
        && !field.contains(' ')
        && rest.ends_with(" characters")
    {
        let name = t.get(&format!("field-{field}"));
        if !name.starts_with('⟦') {
            return Some(t.with(
                "detail-too-long",
                &[("field", &name), ("n", first_number(rest))],
            ));
        }
    }
    // No known shape: English pages show the domain's words, Chinese pages only the message.
    (t.0 == super::i18n::Lang::En).then(|| d.to_owned())
}
