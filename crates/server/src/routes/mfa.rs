use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};

use proto::mfa::{CurrentPassword, DisableTotp, RecoveryCodes, TotpCode, TotpEnrolment};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, Auth, ClientInfo};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/mfa/totp", post(start_totp).delete(disable_totp))
        .route("/me/mfa/totp/confirm", post(confirm_totp))
        .route("/me/mfa/recovery-codes", post(recovery_codes))
}

/// Starts TOTP enrolment: a new secret, its `otpauth://` URI and a QR code. Not active until
/// confirmed with a first code.
#[utoipa::path(post, path = "/api/v1/me/mfa/totp", tag = "mfa", request_body = CurrentPassword,
    responses((status = 200, body = TotpEnrolment), (status = 401, body = proto::Problem), (status = 409, body = proto::Problem)), security(("bearer" = [])))]
pub async fn start_totp(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<CurrentPassword>,
) -> Result<Json<TotpEnrolment>, ApiError> {
    let e = s.app.start_totp(&auth, &req.current_password).await?;
    Ok(Json(TotpEnrolment {
        secret: e.secret,
        otpauth_uri: e.otpauth_uri,
        qr_svg: e.qr_svg,
    }))
}

/// Turns TOTP on with a first code. The first factor comes with 10 recovery codes, shown once;
/// other sessions end and every bound channel is told.
#[utoipa::path(post, path = "/api/v1/me/mfa/totp/confirm", tag = "mfa", request_body = TotpCode,
    responses((status = 200, body = RecoveryCodes), (status = 400, body = proto::Problem), (status = 404, body = proto::Problem)), security(("bearer" = [])))]
pub async fn confirm_totp(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<TotpCode>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let codes = s.app.confirm_totp(&auth, &req.code, &client).await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes.0,
    }))
}

/// Turns TOTP off: the password and a current code.
#[utoipa::path(delete, path = "/api/v1/me/mfa/totp", tag = "mfa", request_body = DisableTotp,
    responses((status = 204), (status = 400, body = proto::Problem), (status = 401, body = proto::Problem), (status = 409, body = proto::Problem)), security(("bearer" = [])))]
pub async fn disable_totp(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<DisableTotp>,
) -> Result<StatusCode, ApiError> {
    s.app
        .disable_totp(&auth, &req.current_password, &req.code, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new set of 10 recovery codes; the old ones stop working.
#[utoipa::path(post, path = "/api/v1/me/mfa/recovery-codes", tag = "mfa", request_body = CurrentPassword,
    responses((status = 200, body = RecoveryCodes), (status = 401, body = proto::Problem), (status = 409, body = proto::Problem)), security(("bearer" = [])))]
pub async fn recovery_codes(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<CurrentPassword>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let codes = s
        .app
        .regenerate_recovery_codes(&auth, &req.current_password, &client)
        .await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes.0,
    }))
}
