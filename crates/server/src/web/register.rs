//! Sign-up: a code to the phone or e-mail, then nickname and password; the new account is
//! signed in on this device.

use axum::Form;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use domain::accounts::Registration;
use domain::identifier::Channel;
use domain::sessions::{Login, LoginOutcome};
use domain::verification::{CodeSent, Purpose};

use super::ctx::Ctx;
use super::pages;
use super::render::{page, redirect, shown};

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    csrf: String,
    channel: Option<String>,
    destination: Option<String>,
    verification_id: Option<String>,
    code: Option<String>,
    nickname: Option<String>,
    password: Option<String>,
}

/// What the form shows again after a refusal (never the code or the password).
#[derive(Default)]
struct Typed {
    channel: String,
    destination: String,
    nickname: String,
}

fn render(
    ctx: Ctx,
    status: StatusCode,
    errors: Vec<pages::Shown>,
    sent: Option<&CodeSent>,
    vid: Option<String>,
    typed: Typed,
) -> Response {
    let t = ctx.t();
    let minutes = (ctx.app.app.config.codes.ttl_secs / 60).to_string();
    let tpl = pages::Register {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: false,
        title: t.get("register-title"),
        errors,
        sent: sent
            .map(|s| {
                t.with(
                    "register-code-sent",
                    &[
                        ("destination", &s.masked_destination),
                        ("minutes", &minutes),
                    ],
                )
            })
            .unwrap_or_default(),
        resend_after: sent.map(|s| s.resend_after).unwrap_or(0),
        verification: sent.map(|s| s.id.clone()).or(vid),
        channel: typed.channel,
        destination: typed.destination,
        nickname: typed.nickname,
    };
    page(ctx, status, &tpl)
}

pub async fn show(ctx: Ctx) -> Response {
    render(
        ctx,
        StatusCode::OK,
        Vec::new(),
        None,
        None,
        Typed::default(),
    )
}

pub async fn submit(mut ctx: Ctx, Form(f): Form<RegisterForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    // Step 1: a code to the destination.
    let Some(vid) = f.verification_id.clone() else {
        let channel = Channel::parse(f.channel.as_deref().unwrap_or("sms")).unwrap_or(Channel::Sms);
        let dest = f.destination.unwrap_or_default();
        return match ctx
            .app
            .app
            .start_verification(Purpose::Register, channel, &dest, &ctx.client)
            .await
        {
            Ok(sent) => render(
                ctx,
                StatusCode::OK,
                Vec::new(),
                Some(&sent),
                None,
                Typed::default(),
            ),
            Err(e) => {
                let (status, s) = shown(ctx.t(), e);
                let typed = Typed {
                    channel: channel.as_str().to_owned(),
                    destination: dest.trim().to_owned(),
                    nickname: String::new(),
                };
                render(ctx, status, vec![s], None, None, typed)
            }
        };
    };
    // Step 2: code, nickname, password; then signed in on this device.
    let password = f.password.unwrap_or_default();
    let r = ctx
        .app
        .app
        .register(
            Registration {
                verification_id: &vid,
                code: f.code.as_deref().unwrap_or(""),
                nickname: f.nickname.as_deref().unwrap_or(""),
                password: &password,
                device_id: Some(&ctx.device_id),
            },
            &ctx.client,
        )
        .await;
    let account = match r {
        Ok(a) => a,
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            let typed = Typed {
                nickname: f.nickname.unwrap_or_default(),
                ..Typed::default()
            };
            return render(ctx, status, vec![s], None, Some(vid), typed);
        }
    };
    let identifier = match ctx.app.app.login_identifier(&account.account_id).await {
        Ok(id) => id,
        Err(_) => return redirect(ctx, "/login"),
    };
    let login = ctx
        .app
        .app
        .login(
            Login {
                identifier: &identifier,
                password: &password,
                device_id: Some(&ctx.device_id),
                device_name: None,
            },
            &ctx.client,
        )
        .await;
    match login {
        Ok(LoginOutcome::Session(s)) => {
            ctx.set_session(&s.token);
            let to = ctx.after_login();
            redirect(ctx, &to)
        }
        _ => redirect(ctx, "/login"),
    }
}

#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    csrf: String,
    verification_id: String,
}

pub async fn resend(ctx: Ctx, Form(f): Form<ResendForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    match ctx
        .app
        .app
        .resend_verification(&f.verification_id, &ctx.client)
        .await
    {
        Ok(sent) => render(
            ctx,
            StatusCode::OK,
            Vec::new(),
            Some(&sent),
            None,
            Typed::default(),
        ),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            render(
                ctx,
                status,
                vec![s],
                None,
                Some(f.verification_id),
                Typed::default(),
            )
        }
    }
}
