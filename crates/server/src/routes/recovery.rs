use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};

use domain::recovery::{ResetStarted as Started, ResetVerified};
use proto::recovery::{
    CompleteReset, MoreEvidence, ResendReset, ResetSecondFactor, ResetStarted, ResetToken,
    ResetTokenRenewed, SecondFactorNeeded, StartReset, VerifyReset,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiJsonOrEmpty, ApiPath, ClientInfo};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/password-resets", post(start))
        .route("/password-resets/{id}/resend", post(resend))
        .route("/password-resets/{id}/verify", post(verify))
        .route("/password-resets/{id}/second-factor", post(second_factor))
        .route("/password-resets/{id}/complete", post(complete))
}

fn started(s: Started) -> ResetStarted {
    ResetStarted {
        reset_id: s.code.id,
        channel: s.code.channel.as_str().into(),
        masked_destination: s.code.masked_destination,
        expires_in: s.code.expires_in,
        resend_after: s.code.resend_after,
        alternatives: s.alternatives.iter().map(|c| c.as_str().into()).collect(),
        delivery_hint: s.code.delivery_hint.map(str::to_owned),
    }
}

/// Starts a recovery: a code goes to the phone or e-mail. The answer is the same whether or not
/// an account exists.
#[utoipa::path(post, path = "/api/v1/password-resets", tag = "recovery", request_body = StartReset,
    responses((status = 202, body = ResetStarted), (status = 400, description = "invalid_identifier"), (status = 429, description = "too_many_requests")))]
pub async fn start(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<StartReset>,
) -> Result<(StatusCode, Json<ResetStarted>), ApiError> {
    let channel = req.channel.map(super::channel);
    let out = s.app.start_reset(&req.identifier, channel, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(started(out))))
}

/// Sends a new code, on the same channel or switched to the other one.
#[utoipa::path(post, path = "/api/v1/password-resets/{id}/resend",
    params(("id" = String, Path, description = "The recovery id (`reset_id`).")), tag = "recovery", request_body = ResendReset,
    responses((status = 202, body = ResetStarted), (status = 404, description = "not_found"), (status = 410, description = "reset_expired code_expired"), (status = 429, description = "too_many_requests")))]
pub async fn resend(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiPath(id): ApiPath<String>,
    ApiJsonOrEmpty(req): ApiJsonOrEmpty<ResendReset>,
) -> Result<(StatusCode, Json<ResetStarted>), ApiError> {
    let channel = req.channel.map(super::channel);
    let out = s.app.resend_reset(&id, channel, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(started(out))))
}

/// Checks the code. `200` with the reset-only token, or `202` when a long-unused phone needs the
/// e-mail code as well.
#[utoipa::path(post, path = "/api/v1/password-resets/{id}/verify",
    params(("id" = String, Path, description = "The recovery id (`reset_id`).")), tag = "recovery", request_body = VerifyReset,
    responses((status = 200, body = ResetToken), (status = 202, body = MoreEvidence), (status = 400, description = "invalid_code"), (status = 403, description = "channel_on_hold support_required"), (status = 404, description = "not_found"), (status = 410, description = "code_expired reset_expired"), (status = 429, description = "too_many_requests")))]
pub async fn verify(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<VerifyReset>,
) -> Result<Response, ApiError> {
    Ok(match s.app.verify_reset(&id, &req.code, &client).await? {
        ResetVerified::Token {
            reset_token,
            expires_in,
            second_factor,
            webauthn,
        } => Json(ResetToken {
            reset_token,
            expires_in,
            second_factor: (!second_factor.is_empty()).then_some(SecondFactorNeeded {
                methods: second_factor,
                webauthn,
            }),
        })
        .into_response(),
        ResetVerified::MoreEvidence(c) => (
            StatusCode::ACCEPTED,
            Json(MoreEvidence {
                reason: "recycled_number".into(),
                reset_id: c.id,
                channel: c.channel.as_str().into(),
                masked_destination: c.masked_destination,
                expires_in: c.expires_in,
                resend_after: c.resend_after,
            }),
        )
            .into_response(),
    })
}

/// Confirms a second factor of an account with two-factor authentication; returns a new token.
#[utoipa::path(post, path = "/api/v1/password-resets/{id}/second-factor",
    params(("id" = String, Path, description = "The recovery id (`reset_id`).")), tag = "recovery", request_body = ResetSecondFactor,
    responses((status = 200, body = ResetTokenRenewed), (status = 400, description = "invalid_code invalid_method passkey_rejected"), (status = 404, description = "not_found"), (status = 409, description = "passkeys_unavailable"), (status = 410, description = "reset_expired"), (status = 429, description = "too_many_requests")))]
pub async fn second_factor(
    State(s): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ResetSecondFactor>,
) -> Result<Json<ResetTokenRenewed>, ApiError> {
    let reset_token = s
        .app
        .reset_second_factor(
            &id,
            &req.reset_token,
            req.method.as_str(),
            req.code.as_deref(),
            req.assertion.as_ref(),
        )
        .await?;
    Ok(Json(ResetTokenRenewed { reset_token }))
}

/// Sets the new password. Every session of the account ends; the user logs in again.
#[utoipa::path(post, path = "/api/v1/password-resets/{id}/complete",
    params(("id" = String, Path, description = "The recovery id (`reset_id`).")), tag = "recovery", request_body = CompleteReset,
    responses((status = 204), (status = 403, description = "second_factor_required"), (status = 404, description = "not_found"), (status = 410, description = "reset_expired"), (status = 422, description = "weak_password")))]
pub async fn complete(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<CompleteReset>,
) -> Result<StatusCode, ApiError> {
    s.app
        .complete_reset(&id, &req.reset_token, &req.new_password, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
