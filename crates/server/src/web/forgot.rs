//! "忘记密码": identifier → code (resend countdown, switch channel, the seed's hints) → second
//! factor when the account has one → new password → done, then log in. The reset token lives in
//! an HttpOnly cookie, never in a URL.

use axum::Form;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use domain::identifier::Channel;
use domain::recovery::{ResetStarted, ResetVerified};

use super::ctx::Ctx;
use super::pages;
use super::render::{page, redirect, shown};

const RESET: &str = "ws_reset";
const SENT: &str = "ws_sent";

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    csrf: String,
    identifier: String,
}

fn start_page(ctx: Ctx, status: StatusCode, errors: Vec<pages::Shown>) -> Response {
    let t = ctx.t();
    let tpl = pages::ForgotStart {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: false,
        title: t.get("forgot-title"),
        errors,
    };
    page(ctx, status, &tpl)
}

pub async fn show(ctx: Ctx) -> Response {
    start_page(ctx, StatusCode::OK, Vec::new())
}

/// Remembers what the code page shows (masked destination, channel, countdown, hint).
/// `switched`: the code went to the other channel than the one typed, which the account may not
/// have; its page then names no address (a made-up one would alarm a real owner) but says what
/// is true either way.
fn remember(ctx: &mut Ctx, s: &ResetStarted, switched: bool) {
    let v = format!(
        "{}.{}.{}.{}.{}",
        s.code.channel.as_str(),
        s.code.resend_after,
        u8::from(s.code.delivery_hint.is_some()),
        u8::from(switched),
        hex(&s.code.masked_destination)
    );
    ctx.set_named(&format!("{SENT}_{}", s.code.id), &v, 3600);
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> String {
    let bytes: Vec<u8> = (0..s.len() / 2)
        .filter_map(|i| {
            s.get(2 * i..2 * i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub async fn start(mut ctx: Ctx, Form(f): Form<StartForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    match ctx
        .app
        .app
        .start_reset(&f.identifier, None, &ctx.client)
        .await
    {
        Ok(s) => {
            remember(&mut ctx, &s, false);
            let to = format!("/forgot/{}", s.code.id);
            redirect(ctx, &to)
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            start_page(ctx, status, vec![s])
        }
    }
}

fn code_page(
    ctx: Ctx,
    id: String,
    headers: &HeaderMap,
    status: StatusCode,
    errors: Vec<pages::Shown>,
) -> Response {
    let t = ctx.t();
    let sent = Ctx::named(headers, &format!("{SENT}_{id}")).unwrap_or_default();
    let mut parts = sent.splitn(5, '.');
    let channel = parts
        .next()
        .and_then(Channel::parse)
        .unwrap_or(Channel::Sms);
    let resend_after = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let undeliverable = parts.next() == Some("1");
    let switched = parts.next() == Some("1");
    let masked = parts.next().map(unhex).unwrap_or_default();
    let sent_to = if switched {
        t.pick("forgot-sent-if", channel.as_str())
    } else {
        t.get("forgot-code-sent")
    };
    let (other, switch_label) = match channel {
        Channel::Sms => ("email", t.get("forgot-switch-email")),
        Channel::Email => ("sms", t.get("forgot-switch-sms")),
    };
    let tpl = pages::ForgotCode {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: false,
        title: t.get("forgot-title"),
        errors,
        id,
        masked: if switched { String::new() } else { masked },
        sent_to,
        resend_after,
        other: other.into(),
        switch_label,
        undeliverable,
    };
    page(ctx, status, &tpl)
}

pub async fn code(ctx: Ctx, Path(id): Path<String>, headers: HeaderMap) -> Response {
    code_page(ctx, id, &headers, StatusCode::OK, Vec::new())
}

#[derive(Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    csrf: String,
    code: String,
}

pub async fn verify(
    mut ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<VerifyForm>,
) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    match ctx.app.app.verify_reset(&id, &f.code, &ctx.client).await {
        Ok(ResetVerified::Token {
            reset_token,
            second_factor,
            ..
        }) => {
            ctx.set_named(RESET, &format!("{id}.{reset_token}"), 900);
            let to = if second_factor.is_empty() {
                format!("/forgot/{id}/password")
            } else {
                ctx.set_named(&format!("ws_methods_{id}"), &second_factor.join(","), 900);
                format!("/forgot/{id}/second-factor")
            };
            redirect(ctx, &to)
        }
        Ok(ResetVerified::MoreEvidence(sent)) => {
            let started = ResetStarted {
                code: sent,
                alternatives: Vec::new(),
            };
            remember(&mut ctx, &started, false);
            redirect(ctx, &format!("/forgot/{id}"))
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            code_page(ctx, id, &headers, status, vec![s])
        }
    }
}

#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    csrf: String,
    channel: Option<String>,
}

pub async fn resend(
    mut ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<ResendForm>,
) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    let channel = f.channel.as_deref().and_then(Channel::parse);
    match ctx.app.app.resend_reset(&id, channel, &ctx.client).await {
        Ok(s) => {
            remember(&mut ctx, &s, channel.is_some());
            redirect(ctx, &format!("/forgot/{id}"))
        }
        Err(e) => {
            let (status, mut s) = shown(ctx.t(), e);
            // A limit of this channel: the other one may still work.
            if s.code == "too_many_requests" {
                s.details.push(ctx.t().get("forgot-throttled-switch"));
            }
            code_page(ctx, id, &headers, status, vec![s])
        }
    }
}

/// The reset token of recovery `id` from its cookie.
fn token(headers: &HeaderMap, id: &str) -> Option<String> {
    Ctx::named(headers, RESET)
        .and_then(|v| v.split_once('.').map(|(i, t)| (i.to_owned(), t.to_owned())))
        .filter(|(i, _)| i == id)
        .map(|(_, t)| t)
}

async fn password_page(
    ctx: Ctx,
    id: String,
    headers: &HeaderMap,
    second_factor: bool,
    status: StatusCode,
    errors: Vec<pages::Shown>,
) -> Response {
    let t = ctx.t();
    let rules = match token(headers, &id) {
        Some(tok) if !second_factor => ctx.app.app.reset_password_rules(&id, &tok).await,
        _ => None,
    };
    let methods = Ctx::named(headers, &format!("ws_methods_{id}"))
        .unwrap_or_default()
        .split(',')
        .filter(|m| !m.is_empty() && *m != "webauthn")
        .map(|m| (m.to_owned(), t.get(&format!("method-{m}"))))
        .collect();
    let title = if second_factor {
        t.get("forgot-second-factor-title")
    } else {
        t.get("forgot-password-title")
    };
    let tpl = pages::ForgotPassword {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: false,
        title,
        errors,
        id,
        second_factor,
        methods,
        stricter: super::render::stricter_password(t, rules.as_ref()),
    };
    page(ctx, status, &tpl)
}

pub async fn password(ctx: Ctx, Path(id): Path<String>, headers: HeaderMap) -> Response {
    password_page(ctx, id, &headers, false, StatusCode::OK, Vec::new()).await
}

pub async fn second_factor(ctx: Ctx, Path(id): Path<String>, headers: HeaderMap) -> Response {
    password_page(ctx, id, &headers, true, StatusCode::OK, Vec::new()).await
}

#[derive(Deserialize)]
pub struct FactorForm {
    #[serde(default)]
    csrf: String,
    method: String,
    code: String,
}

pub async fn answer_factor(
    mut ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<FactorForm>,
) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    let t = token(&headers, &id).unwrap_or_default();
    match ctx
        .app
        .app
        .reset_second_factor(&id, &t, &f.method, Some(&f.code), None)
        .await
    {
        Ok(fresh) => {
            ctx.set_named(RESET, &format!("{id}.{fresh}"), 900);
            redirect(ctx, &format!("/forgot/{id}/password"))
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            password_page(ctx, id, &headers, true, status, vec![s]).await
        }
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    new_password: String,
}

pub async fn complete(
    mut ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    let t = token(&headers, &id).unwrap_or_default();
    match ctx
        .app
        .app
        .complete_reset(&id, &t, &f.new_password, &ctx.client)
        .await
    {
        Ok(()) => {
            ctx.set_named(RESET, "", 0);
            ctx.clear_session();
            redirect(ctx, "/forgot/done")
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            password_page(ctx, id, &headers, false, status, vec![s]).await
        }
    }
}

pub async fn done(ctx: Ctx) -> Response {
    let t = ctx.t();
    let tpl = pages::Message {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: false,
        title: t.get("forgot-done-title"),
        section_id: "reset-done".into(),
        text: t.get("forgot-done-text"),
        link: Some(("/login".into(), t.get("forgot-to-login"), "to-login".into())),
    };
    page(ctx, StatusCode::OK, &tpl)
}
