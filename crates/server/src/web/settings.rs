//! The signed-in pages: profile (with the nickname form) and devices. (Bindings, password
//! change, two-factor and security records follow.)

use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use domain::clock::human;
use domain::sessions::Authenticated;

use super::ctx::Ctx;
use super::pages::{self, Shown};
use super::render::{page, redirect, shown};

pub async fn profile(ctx: Ctx) -> Response {
    let Some(auth) = ctx.auth().await else {
        return redirect(ctx, "/login");
    };
    profile_page(ctx, &auth, StatusCode::OK, Vec::new(), Saved::Nothing).await
}

/// What the profile page says was just saved, or what was typed into a refused form.
enum Saved {
    Nothing,
    Nickname,
    TimeZone,
    /// A refused nickname, kept in its field.
    TypedNickname(String),
}

#[derive(Deserialize)]
pub struct NicknameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    nickname: String,
}

/// The nickname form of the profile page (`PATCH /me {nickname}` of the API).
pub async fn nickname(ctx: Ctx, Form(f): Form<NicknameForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx
        .app
        .app
        .change_nickname(&auth, &f.nickname, &ctx.client)
        .await
    {
        Ok(_) => profile_page(ctx, &auth, StatusCode::OK, Vec::new(), Saved::Nickname).await,
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            let typed = Saved::TypedNickname(f.nickname);
            profile_page(ctx, &auth, status, vec![s], typed).await
        }
    }
}

#[derive(Deserialize)]
pub struct TimeZoneForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    time_zone: String,
}

/// The time-zone form of the profile page (`PATCH /me {time_zone}` of the API).
pub async fn time_zone(ctx: Ctx, Form(f): Form<TimeZoneForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx.app.app.set_time_zone(&auth, &f.time_zone).await {
        Ok(_) => profile_page(ctx, &auth, StatusCode::OK, Vec::new(), Saved::TimeZone).await,
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            profile_page(ctx, &auth, status, vec![s], Saved::Nothing).await
        }
    }
}

/// Every zone of the time-zone database, listed once.
fn zones() -> &'static [String] {
    static ZONES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    ZONES.get_or_init(domain::clock::time_zone_names)
}

async fn profile_page(
    ctx: Ctx,
    auth: &Authenticated,
    status: StatusCode,
    errors: Vec<Shown>,
    saved: Saved,
) -> Response {
    let t = ctx.t();
    let (p, m) = match (
        ctx.app.app.profile(auth).await,
        ctx.app.app.mfa_status(&auth.account_id).await,
    ) {
        (Ok(p), Ok(m)) => (p, m),
        _ => return redirect(ctx, "/login"),
    };
    let none = t.get("settings-none");
    let tpl = pages::Settings {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("settings-title"),
        errors,
        saved: match &saved {
            Saved::Nickname => Some(t.get("settings-nickname-saved")),
            Saved::TimeZone => Some(t.get("settings-zone-saved")),
            _ => None,
        },
        typed_nickname: match saved {
            Saved::TypedNickname(n) => n,
            _ => p.account.nickname.clone(),
        },
        time_zone: p.account.time_zone.clone().unwrap_or_default(),
        zones: zones(),
        nickname: p.account.nickname.clone(),
        phone: p.masked_phone.clone().unwrap_or_else(|| none.clone()),
        email: p.masked_email.clone().unwrap_or(none),
        mfa: if m.totp || m.webauthn {
            t.get("settings-mfa-on")
        } else {
            t.get("settings-mfa-off")
        },
        reminder: p.password_reminder_due,
    };
    page(ctx, status, &tpl)
}

pub async fn sessions(ctx: Ctx) -> Response {
    let Some(auth) = ctx.auth().await else {
        return redirect(ctx, "/login");
    };
    let t = ctx.t();
    let list = ctx.app.app.sessions(&auth).await.unwrap_or_default();
    let tpl = pages::Sessions {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("sessions-title"),
        sessions: list
            .into_iter()
            .map(|s| pages::SessionRow {
                current: s.id == auth.session_id,
                device: s
                    .device_name
                    .clone()
                    .unwrap_or_else(|| t.device(&s.user_agent)),
                ip: s.ip,
                last_seen: human(s.last_seen_at),
                id: s.id,
            })
            .collect(),
    };
    page(ctx, StatusCode::OK, &tpl)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn revoke(ctx: Ctx, Path(id): Path<String>, Form(f): Form<CsrfForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let _ = ctx.app.app.revoke_session(&auth, &id, &ctx.client).await;
    redirect(ctx, "/settings/sessions")
}
