use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};

use domain::identifier::Channel;
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
    responses((status = 202, body = VerificationSent), (status = 400, body = proto::Problem), (status = 429, body = proto::Problem)))]
pub async fn start(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<StartVerification>,
) -> Result<(StatusCode, Json<VerificationSent>), ApiError> {
    let purpose = Purpose::parse(&req.purpose).ok_or_else(|| {
        ApiError::invalid_request("purpose must be \"register\" or \"support_contact\"")
    })?;
    let channel = Channel::parse(&req.channel)
        .ok_or_else(|| ApiError::invalid_request("channel must be \"sms\" or \"email\""))?;
    let out = s
        .app
        .start_verification(purpose, channel, &req.destination, &client)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(sent(out))))
}

/// Sends a new code; the previous one stops working, wrong attempts are kept.
#[utoipa::path(post, path = "/api/v1/verifications/{id}/resend", tag = "verifications",
    responses((status = 202, body = VerificationSent), (status = 404, body = proto::Problem), (status = 429, body = proto::Problem)))]
pub async fn resend(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiPath(id): ApiPath<String>,
) -> Result<(StatusCode, Json<VerificationSent>), ApiError> {
    let out = s.app.resend_verification(&id, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(sent(out))))
}
