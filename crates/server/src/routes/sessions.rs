use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};

use domain::clock::to_datetime;
use domain::sessions::Login;
use proto::sessions::{self as wire, NewSession, SessionInfo};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, Auth, ClientInfo};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sessions", post(login).get(list).delete(revoke_others))
        .route("/sessions/current", delete(logout))
        .route("/sessions/{id}", delete(revoke))
}

/// Logs in with phone or e-mail and password.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", request_body = wire::Login,
    responses((status = 201, body = NewSession), (status = 401, body = proto::Problem), (status = 429, body = proto::Problem)))]
pub async fn login(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<wire::Login>,
) -> Result<(StatusCode, Json<NewSession>), ApiError> {
    let n = s
        .app
        .login(
            Login {
                identifier: &req.identifier,
                password: &req.password,
                device_id: req.device_id.as_deref(),
                device_name: req.device_name.as_deref(),
            },
            &client,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewSession {
            token: n.token,
            session_id: n.session_id,
            account_id: n.account_id,
            device_id: n.device_id,
            expires_at: to_datetime(n.expires_at),
        }),
    ))
}

/// The account's live sessions.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions", responses((status = 200, body = Vec<SessionInfo>), (status = 401, body = proto::Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Auth(auth): Auth,
) -> Result<Json<Vec<SessionInfo>>, ApiError> {
    let list = s.app.sessions(&auth).await?;
    Ok(Json(
        list.into_iter()
            .map(|x| SessionInfo {
                current: x.id == auth.session_id,
                session_id: x.id,
                device: x.device_name.unwrap_or(x.user_agent),
                ip: x.ip,
                place: None,
                created_at: to_datetime(x.created_at),
                last_seen_at: to_datetime(x.last_seen_at),
            })
            .collect(),
    ))
}

/// Signs out the calling session.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "sessions", responses((status = 204), (status = 401, body = proto::Problem)), security(("bearer" = [])))]
pub async fn logout(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
) -> Result<StatusCode, ApiError> {
    s.app
        .revoke_session(&auth, &auth.session_id.clone(), &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Signs out one session of the account.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "sessions", responses((status = 204), (status = 404, body = proto::Problem)), security(("bearer" = [])))]
pub async fn revoke(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    s.app.revoke_session(&auth, &id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Signs out every other session ("sign out everywhere else").
#[utoipa::path(delete, path = "/api/v1/sessions", tag = "sessions", responses((status = 204), (status = 401, body = proto::Problem)), security(("bearer" = [])))]
pub async fn revoke_others(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
) -> Result<StatusCode, ApiError> {
    s.app.revoke_other_sessions(&auth, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
