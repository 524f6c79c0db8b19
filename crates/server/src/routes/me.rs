use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;

use domain::accounts::Profile;
use domain::clock::to_datetime;
use proto::accounts::{ChangePassword, Me, Mfa, SecurityEvent, SecurityEvents, UpdateMe};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, Auth, ClientInfo};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me).patch(update_me))
        .route("/me/password", put(change_password))
        .route("/me/security-events", get(security_events))
}

/// The signed-in account, with masked bindings.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", responses((status = 200, body = Me), (status = 401, description = "unauthenticated")),
    security(("bearer" = [])))]
pub async fn me(State(s): State<AppState>, Auth(auth): Auth) -> Result<Json<Me>, ApiError> {
    let p = s.app.profile(&auth).await?;
    me_view(&s, &auth.account_id, p).await
}

/// Changes the profile: a new nickname is kept in the nickname history, written as a security
/// event and told to the account's phone and e-mail.
#[utoipa::path(patch, path = "/api/v1/me", tag = "me", request_body = UpdateMe,
    responses((status = 200, body = Me), (status = 400, description = "invalid_request"), (status = 401, description = "unauthenticated"), (status = 422, description = "invalid_nickname"), (status = 429, description = "too_many_requests")), security(("bearer" = [])))]
pub async fn update_me(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<UpdateMe>,
) -> Result<Json<Me>, ApiError> {
    let mut p = match req.nickname {
        Some(n) => s.app.change_nickname(&auth, &n, &client).await?,
        None => s.app.profile(&auth).await?,
    };
    if let Some(zone) = req.time_zone {
        p = s.app.set_time_zone(&auth, &zone).await?;
    }
    me_view(&s, &auth.account_id, p).await
}

async fn me_view(s: &AppState, account_id: &str, p: Profile) -> Result<Json<Me>, ApiError> {
    let m = s.app.mfa_status(account_id).await?;
    Ok(Json(Me {
        account_id: p.account.id,
        nickname: p.account.nickname,
        time_zone: p.account.time_zone,
        phone: p.masked_phone,
        email: p.masked_email,
        password_changed_at: to_datetime(p.account.password_changed_at),
        password_reminder_due: p.password_reminder_due,
        mfa: Mfa {
            totp: m.totp,
            webauthn: m.webauthn,
            recovery_codes_left: m.recovery_codes_left,
        },
    }))
}

/// Changes the password; every other session is signed out.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "me", request_body = ChangePassword,
    responses((status = 204), (status = 401, description = "invalid_credentials"), (status = 422, description = "weak_password"), (status = 429, description = "too_many_requests")),
    security(("bearer" = [])))]
pub async fn change_password(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<ChangePassword>,
) -> Result<StatusCode, ApiError> {
    s.app
        .change_password(&auth, &req.current_password, &req.new_password, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// The `next` of the previous page.
    before: Option<String>,
    /// Events per page, default 20; taken as 1–100.
    limit: Option<i64>,
}

/// The account's security records, newest first.
#[utoipa::path(get, path = "/api/v1/me/security-events", tag = "me", params(Page),
    responses((status = 200, body = SecurityEvents), (status = 401, description = "unauthenticated")),
    security(("bearer" = [])))]
pub async fn security_events(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<SecurityEvents>, ApiError> {
    let before = page
        .before
        .as_deref()
        .map(|b| {
            b.parse::<i64>()
                .map_err(|_| ApiError::invalid_request("before must be a cursor from `next`"))
        })
        .transpose()?;
    let p = s
        .app
        .security_events(
            &auth.account_id,
            before,
            super::page_size(page.limit, 20, 100),
        )
        .await?;
    Ok(Json(SecurityEvents {
        events: p
            .events
            .into_iter()
            .map(|e| SecurityEvent {
                id: e.id.to_string(),
                kind: e.kind,
                at: to_datetime(e.at),
                ip: e.ip,
                device: loginmeta::describe(&e.user_agent).label,
                place: e.place,
                flags: e.flags,
            })
            .collect(),
        next: p.next.map(|n| n.to_string()),
    }))
}
