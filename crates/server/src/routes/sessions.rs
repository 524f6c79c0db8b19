use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::{Json, Router};

use domain::clock::to_datetime;
use domain::sessions::{Login, LoginOutcome};
use proto::sessions::{self as wire, NewSession, SessionInfo};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiJsonOrEmpty, ApiPath, Auth, ClientInfo};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sessions", post(login).get(list).delete(revoke_others))
        .route("/sessions/current", delete(logout))
        .route("/sessions/{id}", delete(revoke))
        .route("/sessions/challenges/{id}", post(complete_challenge))
        .route("/sessions/dispute", post(dispute))
        .route("/sessions/challenges/{id}/resend", post(resend_challenge))
}

fn new_session(n: domain::sessions::NewSession) -> (StatusCode, Json<NewSession>) {
    (
        StatusCode::CREATED,
        Json(NewSession {
            token: n.token,
            session_id: n.session_id,
            account_id: n.account_id,
            device_id: n.device_id,
            expires_at: to_datetime(n.expires_at),
        }),
    )
}

/// Logs in with phone or e-mail and password.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", request_body = wire::Login,
    responses((status = 201, body = NewSession), (status = 202, body = wire::LoginChallenge), (status = 400, description = "invalid_identifier"), (status = 401, description = "invalid_credentials"), (status = 429, description = "too_many_requests")))]
pub async fn login(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<wire::Login>,
) -> Result<Response, ApiError> {
    let outcome = s
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
    Ok(match outcome {
        LoginOutcome::Session(n) => new_session(n).into_response(),
        LoginOutcome::Challenge(c) => (
            StatusCode::ACCEPTED,
            Json(wire::LoginChallenge {
                challenge_id: c.id,
                reason: c.reason.into(),
                methods: c.methods,
                masked_destination: c.masked_destination,
                expires_in: c.expires_in,
                webauthn: c.webauthn,
            }),
        )
            .into_response(),
    })
}

/// The second step of a login: a TOTP code, a recovery code, the code sent for a new device, or
/// a passkey assertion. Five wrong answers end the challenge.
#[utoipa::path(post, path = "/api/v1/sessions/challenges/{id}",
    params(("id" = String, Path, description = "The login challenge id.")), tag = "sessions", request_body = wire::CompleteChallenge,
    responses((status = 201, body = NewSession), (status = 400, description = "invalid_code invalid_method passkey_rejected"), (status = 404, description = "not_found"), (status = 409, description = "passkeys_unavailable"), (status = 410, description = "challenge_expired"), (status = 429, description = "too_many_requests")))]
pub async fn complete_challenge(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<wire::CompleteChallenge>,
) -> Result<(StatusCode, Json<NewSession>), ApiError> {
    let n = s
        .app
        .complete_challenge(
            &id,
            req.method.as_str(),
            req.code.as_deref(),
            req.assertion.as_ref(),
            &client,
        )
        .await?;
    Ok(new_session(n))
}

/// Sends a new new-device code, on the same channel or switched to the other bound one.
#[utoipa::path(post, path = "/api/v1/sessions/challenges/{id}/resend",
    params(("id" = String, Path, description = "The login challenge id.")), tag = "sessions", request_body = wire::ResendChallenge,
    responses((status = 202, body = wire::ChallengeCodeSent), (status = 400, description = "invalid_method"), (status = 404, description = "not_found"), (status = 410, description = "challenge_expired code_expired"), (status = 429, description = "too_many_requests")))]
pub async fn resend_challenge(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiPath(id): ApiPath<String>,
    ApiJsonOrEmpty(req): ApiJsonOrEmpty<wire::ResendChallenge>,
) -> Result<(StatusCode, Json<wire::ChallengeCodeSent>), ApiError> {
    let channel = req.channel.map(super::channel);
    let sent = s.app.resend_challenge(&id, channel, &client).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(wire::ChallengeCodeSent {
            masked_destination: sent.masked_destination,
            resend_after: sent.resend_after,
        }),
    ))
}

/// The account's live sessions.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions", responses((status = 200, body = Vec<SessionInfo>), (status = 401, description = "unauthenticated")),
    security(("bearer" = [])))]
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
                device: x
                    .device_name
                    .unwrap_or_else(|| loginmeta::describe(&x.user_agent).label),
                ip: x.ip,
                place: None,
                created_at: to_datetime(x.created_at),
                last_seen_at: to_datetime(x.last_seen_at),
            })
            .collect(),
    ))
}

/// Signs out the calling session.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "sessions", responses((status = 204), (status = 401, description = "unauthenticated")),
    security(("bearer" = [])))]
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
#[utoipa::path(delete, path = "/api/v1/sessions/{id}",
    params(("id" = String, Path, description = "The session id.")), tag = "sessions", responses((status = 204), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn revoke(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    s.app.revoke_session(&auth, &id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Signs out every other session ("sign out everywhere else").
#[utoipa::path(delete, path = "/api/v1/sessions", tag = "sessions", responses((status = 204), (status = 401, description = "unauthenticated")),
    security(("bearer" = [])))]
pub async fn revoke_others(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
) -> Result<StatusCode, ApiError> {
    s.app.revoke_other_sessions(&auth, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The "this wasn't me" link of a new-login notice: signs that session out. The user should
/// then change the password.
#[utoipa::path(post, path = "/api/v1/sessions/dispute", tag = "sessions", request_body = proto::bindings::BindingLink,
    responses((status = 204), (status = 410, description = "link_expired")))]
pub async fn dispute(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<proto::bindings::BindingLink>,
) -> Result<StatusCode, ApiError> {
    s.app.dispute_session(&req.token, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
