use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};

use domain::accounts::Registration;
use proto::accounts::{Register, Registered};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ClientInfo};

pub fn router() -> Router<AppState> {
    Router::new().route("/accounts", post(register))
}

/// Creates an account with a proven phone or e-mail.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = Register,
    responses((status = 201, body = Registered), (status = 400, description = "invalid_code"), (status = 404, description = "not_found"), (status = 410, description = "code_expired"), (status = 422, description = "weak_password invalid_nickname"), (status = 429, description = "too_many_requests")))]
pub async fn register(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<Register>,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    let r = s
        .app
        .register(
            Registration {
                verification_id: &req.verification_id,
                code: &req.code,
                nickname: &req.nickname,
                password: &req.password,
                device_id: req.device_id.as_deref(),
            },
            &client,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            account_id: r.account_id,
            nickname: r.nickname,
            device_id: r.device_id,
        }),
    ))
}
