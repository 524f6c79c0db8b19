//! Passkeys in the browser: the page's script asks for options, runs `navigator.credentials`,
//! and sends the result back. JSON calls with the CSRF token in the body, on the cookie session.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ctx::Ctx;
use super::render::shown;

fn fail(ctx: Ctx, e: domain::Error) -> Response {
    let (status, s) = shown(ctx.t(), e);
    ctx.finish((status, Json(json!({"code": s.code, "message": s.message}))))
}

#[derive(Deserialize)]
pub struct Start {
    #[serde(default)]
    csrf: String,
    current_password: String,
}

pub async fn register_start(ctx: Ctx, Json(f): Json<Start>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    let Some(auth) = ctx.auth().await else {
        return ctx.finish(StatusCode::UNAUTHORIZED);
    };
    match ctx
        .app
        .app
        .start_passkey_registration(&auth, &f.current_password)
        .await
    {
        Ok((id, options)) => ctx.finish(Json(json!({"registration_id": id, "options": options}))),
        Err(e) => fail(ctx, e),
    }
}

#[derive(Deserialize)]
pub struct Finish {
    #[serde(default)]
    csrf: String,
    registration_id: String,
    #[serde(default)]
    name: Option<String>,
    credential: Value,
}

pub async fn register_finish(ctx: Ctx, Json(f): Json<Finish>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    let Some(auth) = ctx.auth().await else {
        return ctx.finish(StatusCode::UNAUTHORIZED);
    };
    match ctx
        .app
        .app
        .finish_passkey_registration(
            &auth,
            &f.registration_id,
            f.name.as_deref(),
            &f.credential,
            &ctx.client,
        )
        .await
    {
        Ok((p, codes)) => ctx.finish(Json(json!({"name": p.name, "recovery_codes": codes.0}))),
        Err(e) => fail(ctx, e),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn login_options(ctx: Ctx, Path(id): Path<String>, Json(f): Json<CsrfOnly>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    match ctx.app.app.challenge_passkey_options(&id).await {
        Ok(options) => ctx.finish(Json(options)),
        Err(e) => fail(ctx, e),
    }
}

#[derive(Deserialize)]
pub struct Assertion {
    #[serde(default)]
    csrf: String,
    assertion: Value,
}

pub async fn login_finish(
    mut ctx: Ctx,
    Path(id): Path<String>,
    Json(f): Json<Assertion>,
) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    match ctx
        .app
        .app
        .complete_challenge(&id, "webauthn", None, Some(&f.assertion), &ctx.client)
        .await
    {
        Ok(s) => {
            ctx.set_session(&s.token);
            let to = ctx.after_login();
            ctx.finish(Json(json!({"redirect": to})))
        }
        Err(e) => fail(ctx, e),
    }
}
