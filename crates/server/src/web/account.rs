//! Signed-in account pages: password change, bindings, two-factor (TOTP and recovery codes) and
//! security records. (Passkeys are managed over the API for now.)

use axum::Form;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use domain::clock::human;
use domain::identifier::Channel;
use domain::sessions::Authenticated;

use super::ctx::Ctx;
use super::pages::{self, Shown};
use super::render::{page, redirect, shown};

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    current_password: String,
    new_password: String,
}

async fn password_page(
    ctx: Ctx,
    account_id: &str,
    status: StatusCode,
    errors: Vec<Shown>,
    done: bool,
) -> Response {
    let t = ctx.t();
    let rules = ctx.app.app.stricter_password_rules(account_id).await.ok();
    let tpl = pages::PasswordChange {
        stricter: super::render::stricter_password(t, rules.as_ref()),
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("password-title"),
        errors,
        done,
    };
    page(ctx, status, &tpl)
}

pub async fn password(ctx: Ctx) -> Response {
    let Some(auth) = ctx.auth().await else {
        return redirect(ctx, "/login");
    };
    password_page(ctx, &auth.account_id, StatusCode::OK, Vec::new(), false).await
}

pub async fn change_password(ctx: Ctx, Form(f): Form<PasswordForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx
        .app
        .app
        .change_password(&auth, &f.current_password, &f.new_password, &ctx.client)
        .await
    {
        Ok(()) => password_page(ctx, &auth.account_id, StatusCode::OK, Vec::new(), true).await,
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            password_page(ctx, &auth.account_id, status, vec![s], false).await
        }
    }
}

async fn bindings_page(
    ctx: Ctx,
    auth: &Authenticated,
    status: StatusCode,
    errors: Vec<Shown>,
    notice: Option<String>,
    pending: Option<(String, String)>,
) -> Response {
    let t = ctx.t();
    let b = match ctx.app.app.bindings(auth).await {
        Ok(b) => b,
        Err(_) => return redirect(ctx, "/login"),
    };
    let show = |b: Option<domain::bindings::Binding>| match b {
        Some(b) => {
            let when = b.verified_at.map(human).unwrap_or_default();
            format!(
                "{} ({})",
                b.masked,
                t.with("bindings-verified", &[("when", &when)])
            )
        }
        None => t.get("settings-none"),
    };
    let removable = vec![
        ("phone".to_owned(), b.phone.is_some()),
        ("email".to_owned(), b.email.is_some()),
    ];
    let reverifies = ctx
        .app
        .app
        .open_reverifies(auth)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let said = t.with(
                "reverify-asked",
                &[("org", &r.org_name), ("destination", &r.masked)],
            );
            (r.request_id, said)
        })
        .collect();
    let tpl = pages::BindingsPage {
        removable,
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("bindings-title"),
        errors,
        notice,
        phone: show(b.phone),
        email: show(b.email),
        pending,
        reverifies,
    };
    page(ctx, status, &tpl)
}

#[derive(Deserialize)]
pub struct ReverifyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    code: String,
}

/// The member enters the code of an enterprise's re-verification request.
pub async fn reverify(ctx: Ctx, Form(f): Form<ReverifyForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = ctx
        .app
        .app
        .confirm_reverify(&auth, &f.request_id, &f.code, &ctx.client)
        .await;
    match done {
        Ok(()) => {
            let notice = Some(ctx.t().get("reverify-done"));
            bindings_page(ctx, &auth, StatusCode::OK, Vec::new(), notice, None).await
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            bindings_page(ctx, &auth, status, vec![s], None, None).await
        }
    }
}

pub async fn bindings(ctx: Ctx) -> Response {
    let Some(auth) = ctx.auth().await else {
        return redirect(ctx, "/login");
    };
    bindings_page(ctx, &auth, StatusCode::OK, Vec::new(), None, None).await
}

fn kind(k: &str) -> Channel {
    if k == "email" {
        Channel::Email
    } else {
        Channel::Sms
    }
}

#[derive(Deserialize)]
pub struct BindForm {
    #[serde(default)]
    csrf: String,
    kind: String,
    destination: String,
    current_password: String,
}

pub async fn bind(ctx: Ctx, Form(f): Form<BindForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx
        .app
        .app
        .start_binding(
            &auth,
            kind(&f.kind),
            &f.destination,
            &f.current_password,
            None,
            &ctx.client,
        )
        .await
    {
        Ok(sent) => {
            let notice = Some(ctx.t().with(
                "register-code-sent",
                &[
                    ("destination", &sent.masked_destination),
                    ("minutes", &(sent.expires_in / 60).to_string()),
                ],
            ));
            bindings_page(
                ctx,
                &auth,
                StatusCode::OK,
                Vec::new(),
                notice,
                Some((f.kind, sent.id)),
            )
            .await
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            bindings_page(ctx, &auth, status, vec![s], None, None).await
        }
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    kind: String,
    verification_id: String,
    code: String,
}

pub async fn confirm(ctx: Ctx, Form(f): Form<ConfirmForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx
        .app
        .app
        .confirm_binding(
            &auth,
            kind(&f.kind),
            &f.verification_id,
            &f.code,
            &ctx.client,
        )
        .await
    {
        Ok(_) => {
            let notice = Some(ctx.t().get("bindings-done"));
            bindings_page(ctx, &auth, StatusCode::OK, Vec::new(), notice, None).await
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            let pending = Some((f.kind, f.verification_id));
            bindings_page(ctx, &auth, status, vec![s], None, pending).await
        }
    }
}

async fn security_page(
    ctx: Ctx,
    auth: &Authenticated,
    status: StatusCode,
    errors: Vec<Shown>,
    enrolling: Option<(String, String)>,
    codes: Vec<String>,
) -> Response {
    let t = ctx.t();
    let m = ctx
        .app
        .app
        .mfa_status(&auth.account_id)
        .await
        .unwrap_or_default();
    let passkeys = ctx
        .app
        .app
        .passkeys(auth)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.credential_id, p.name))
        .collect();
    let tpl = pages::Security {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("security-title"),
        errors,
        totp: m.totp,
        recovery_left: t.with(
            "recovery-left",
            &[("count", &m.recovery_codes_left.to_string())],
        ),
        enrolling,
        codes_download: codes.join("%0A"),
        passkeys,
        codes,
    };
    page(ctx, status, &tpl)
}

pub async fn security(ctx: Ctx) -> Response {
    let Some(auth) = ctx.auth().await else {
        return redirect(ctx, "/login");
    };
    security_page(ctx, &auth, StatusCode::OK, Vec::new(), None, Vec::new()).await
}

#[derive(Deserialize)]
pub struct PasswordOnly {
    #[serde(default)]
    csrf: String,
    current_password: String,
}

pub async fn totp_start(ctx: Ctx, Form(f): Form<PasswordOnly>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx.app.app.start_totp(&auth, &f.current_password).await {
        Ok(e) => {
            security_page(
                ctx,
                &auth,
                StatusCode::OK,
                Vec::new(),
                Some((e.secret, e.qr_svg)),
                Vec::new(),
            )
            .await
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            security_page(ctx, &auth, status, vec![s], None, Vec::new()).await
        }
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    code: String,
}

pub async fn totp_confirm(ctx: Ctx, Form(f): Form<CodeForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx.app.app.confirm_totp(&auth, &f.code, &ctx.client).await {
        Ok(codes) => security_page(ctx, &auth, StatusCode::OK, Vec::new(), None, codes.0).await,
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            security_page(ctx, &auth, status, vec![s], None, Vec::new()).await
        }
    }
}

#[derive(Deserialize)]
pub struct DisableForm {
    #[serde(default)]
    csrf: String,
    current_password: String,
    code: String,
}

pub async fn totp_disable(ctx: Ctx, Form(f): Form<DisableForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = ctx
        .app
        .app
        .disable_totp(&auth, &f.current_password, &f.code, &ctx.client)
        .await;
    let errors = match r {
        Ok(()) => Vec::new(),
        Err(e) => vec![shown(ctx.t(), e).1],
    };
    security_page(ctx, &auth, StatusCode::OK, errors, None, Vec::new()).await
}

pub async fn regenerate(ctx: Ctx, Form(f): Form<PasswordOnly>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx
        .app
        .app
        .regenerate_recovery_codes(&auth, &f.current_password, &ctx.client)
        .await
    {
        Ok(codes) => security_page(ctx, &auth, StatusCode::OK, Vec::new(), None, codes.0).await,
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            security_page(ctx, &auth, status, vec![s], None, Vec::new()).await
        }
    }
}

pub async fn records(ctx: Ctx) -> Response {
    let Some(auth) = ctx.auth().await else {
        return redirect(ctx, "/login");
    };
    let t = ctx.t();
    let events = ctx
        .app
        .app
        .security_events(&auth.account_id, None, 50)
        .await
        .map(|p| p.events)
        .unwrap_or_default();
    let tpl = pages::Records {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("records-title"),
        records: events
            .into_iter()
            .map(|e| {
                let device = t.device(&e.user_agent);
                let place = e.place.map(|p| format!(" · {p}")).unwrap_or_default();
                let flags: Vec<String> = e
                    .flags
                    .iter()
                    .map(|f| t.get(&format!("flag-{f}")))
                    .collect();
                (
                    human(e.at),
                    e.kind.clone(),
                    t.get(&format!("event-{}", e.kind)),
                    format!("{}{place}", e.ip),
                    device,
                    flags.join(t.get("list-sep").as_str()),
                )
            })
            .collect(),
    };
    page(ctx, StatusCode::OK, &tpl)
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    csrf: String,
    kind: String,
    current_password: String,
}

pub async fn unbind(ctx: Ctx, Form(f): Form<RemoveForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx
        .app
        .app
        .remove_binding(&auth, kind(&f.kind), &f.current_password, None, &ctx.client)
        .await
    {
        Ok(()) => {
            let notice = Some(ctx.t().get("bindings-removed"));
            bindings_page(ctx, &auth, StatusCode::OK, Vec::new(), notice, None).await
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            bindings_page(ctx, &auth, status, vec![s], None, None).await
        }
    }
}

#[derive(Deserialize)]
pub struct PasskeyRename {
    #[serde(default)]
    csrf: String,
    id: String,
    name: String,
}

pub async fn rename_passkey(ctx: Ctx, Form(f): Form<PasskeyRename>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let errors = match ctx.app.app.rename_passkey(&auth, &f.id, &f.name).await {
        Ok(()) => Vec::new(),
        Err(e) => vec![shown(ctx.t(), e).1],
    };
    security_page(ctx, &auth, StatusCode::OK, errors, None, Vec::new()).await
}

#[derive(Deserialize)]
pub struct PasskeyRemove {
    #[serde(default)]
    csrf: String,
    id: String,
    current_password: String,
}

pub async fn remove_passkey(ctx: Ctx, Form(f): Form<PasskeyRemove>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let errors = match ctx
        .app
        .app
        .remove_passkey(&auth, &f.id, &f.current_password, &ctx.client)
        .await
    {
        Ok(()) => Vec::new(),
        Err(e) => vec![shown(ctx.t(), e).1],
    };
    security_page(ctx, &auth, StatusCode::OK, errors, None, Vec::new()).await
}
