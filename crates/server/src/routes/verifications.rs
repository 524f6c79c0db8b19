use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};

use domain::verification::{CodeSent, Purpose};
use proto::verifications::{StartVerification, VerificationSent};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ClientInfo};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verifications", post(start))
        .route("/verifications/{id}/resend", post(resend))
}

pub(crate) fn sent(s: CodeSent) -> VerificationSent {
    VerificationSent {
        verification_id: s.id,
        channel: s.channel.as_str().into(),
        masked_destination: s.masked_destination,
        expires_in: s.expires_in,
        resend_after: s.resend_after,
        delivery_hint: s.delivery_hint.map(str::to_owned),
    }
}

/// Sends a code (registration, support contact). The answer is the same whether or not the
/// destination already has an account.
#[utoipa::path(post, path = "/api/v1/verifications", tag = "verifications", request_body = StartVerification,
    responses((status = 202, body = VerificationSent), (status = 400, description = "invalid_phone invalid_email"), (status = 429, description = "too_many_requests")))]
pub async fn start(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<StartVerification>,
) -> Result<(StatusCode, Json<VerificationSent>), ApiError> {
    let purpose = match req.purpose {
        proto::verifications::Purpose::Register => Purpose::Register,
        proto::verifications::Purpose::SupportContact => Purpose::SupportContact,
    };
    let out = s
        .app
        .start_verification(
            purpose,
            super::channel(req.channel),
            &req.destination,
            &client,
        )
        .await?;
    Ok((StatusCode::ACCEPTED, Json(sent(out))))
}

/// Sends a new code; the previous one stops working, wrong attempts are kept.
#[utoipa::path(post, path = "/api/v1/verifications/{id}/resend",
    params(("id" = String, Path, description = "The verification id.")), tag = "verifications",
    responses((status = 202, body = VerificationSent), (status = 404, description = "not_found"), (status = 410, description = "code_expired"), (status = 429, description = "too_many_requests")))]
pub async fn resend(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiPath(id): ApiPath<String>,
) -> Result<(StatusCode, Json<VerificationSent>), ApiError> {
    let out = s.app.resend_verification(&id, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(sent(out))))
}
