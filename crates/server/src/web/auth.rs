//! Log in (with its second step) and log out.

use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use domain::sessions::{Login, LoginOutcome};

use super::ctx::Ctx;
use super::pages;
use super::render::{page, redirect, shown};

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    identifier: String,
    password: String,
}

fn login_page(
    ctx: Ctx,
    status: StatusCode,
    errors: Vec<pages::Shown>,
    identifier: String,
) -> Response {
    let t = ctx.t();
    let tpl = pages::Login {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: false,
        title: t.get("login-title"),
        errors,
        identifier,
    };
    page(ctx, status, &tpl)
}

pub async fn show(ctx: Ctx) -> Response {
    if ctx.auth().await.is_some() {
        return redirect(ctx, "/chat");
    }
    login_page(ctx, StatusCode::OK, Vec::new(), String::new())
}

pub async fn submit(mut ctx: Ctx, Form(f): Form<LoginForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    let outcome = ctx
        .app
        .app
        .login(
            Login {
                identifier: &f.identifier,
                password: &f.password,
                device_id: Some(&ctx.device_id),
                device_name: None,
            },
            &ctx.client,
        )
        .await;
    match outcome {
        Ok(LoginOutcome::Session(s)) => {
            ctx.set_session(&s.token);
            let to = ctx.after_login();
            redirect(ctx, &to)
        }
        Ok(LoginOutcome::Challenge(c)) => {
            let intro = match &c.masked_destination {
                Some(d) => ctx.t().with("step-new-device", &[("destination", d)]),
                None => ctx.t().get("step-mfa"),
            };
            ctx.set_named(&format!("ws_step_{}", c.id), &urlencode(&intro), 600);
            let methods = c.methods.join(",");
            ctx.set_named(&format!("ws_methods_{}", c.id), &methods, 600);
            redirect(ctx, &format!("/login/step/{}", c.id))
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            login_page(ctx, status, vec![s], f.identifier)
        }
    }
}

/// Cookie values hold only `[A-Za-z0-9%._-]`.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn urldecode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 3 <= bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn step_page(
    ctx: Ctx,
    id: String,
    status: StatusCode,
    errors: Vec<pages::Shown>,
    headers: &axum::http::HeaderMap,
) -> Response {
    let t = ctx.t();
    let intro = Ctx::named(headers, &format!("ws_step_{id}"))
        .map(|s| urldecode(&s))
        .unwrap_or_else(|| t.get("step-mfa"));
    let listed = Ctx::named(headers, &format!("ws_methods_{id}"))
        .unwrap_or_else(|| "totp,recovery_code".into());
    let passkey = listed.split(',').any(|m| m == "webauthn");
    // A new-device code (by SMS or e-mail) can be sent again.
    let resend = listed.split(',').any(|m| m == "sms" || m == "email");
    let methods = listed
        .split(',')
        .filter(|m| *m != "webauthn" && !m.is_empty())
        .map(|m| (m.to_owned(), t.get(&format!("method-{m}"))))
        .collect();
    let tpl = pages::Step {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: false,
        title: t.get("step-title"),
        errors,
        id,
        intro,
        methods,
        passkey,
        resend,
    };
    page(ctx, status, &tpl)
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// "Send the code again" on the new-device step: the same channel, a fresh code.
pub async fn resend(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    match ctx.app.app.resend_challenge(&id, None, &ctx.client).await {
        Ok(_) => redirect(ctx, &format!("/login/step/{id}")),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            step_page(ctx, id, status, vec![s], &headers)
        }
    }
}

pub async fn step(ctx: Ctx, Path(id): Path<String>, headers: axum::http::HeaderMap) -> Response {
    step_page(ctx, id, StatusCode::OK, Vec::new(), &headers)
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    method: String,
    code: String,
}

pub async fn answer(
    mut ctx: Ctx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    Form(f): Form<StepForm>,
) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    match ctx
        .app
        .app
        .complete_challenge(&id, &f.method, Some(&f.code), None, &ctx.client)
        .await
    {
        Ok(s) => {
            ctx.set_session(&s.token);
            let to = ctx.after_login();
            redirect(ctx, &to)
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            step_page(ctx, id, status, vec![s], &headers)
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(mut ctx: Ctx, Form(f): Form<CsrfForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    if let Some(auth) = ctx.auth().await {
        let _ = ctx
            .app
            .app
            .revoke_session(&auth, &auth.session_id, &ctx.client)
            .await;
    }
    ctx.clear_session();
    redirect(ctx, "/login")
}
