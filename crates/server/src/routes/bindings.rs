use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use domain::bindings::{Binding, Bindings, LinkAction};
use domain::clock::to_datetime;
use domain::identifier::Channel;
use proto::bindings::{
    BindingLink, BindingView, BindingsView, ConfirmBinding, RemoveBinding, StartBinding,
};
use proto::verifications::VerificationSent;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, Auth, ClientInfo};
use crate::routes::verifications::sent;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/bindings", get(list))
        .route("/me/bindings/{kind}", post(start).delete(remove))
        .route("/me/bindings/{kind}/confirm", post(confirm))
        .route("/bindings/confirm", post(confirm_link))
        .route("/bindings/cancel", post(cancel_link))
}

/// `phone` or `email` in the path.
fn kind(raw: &str) -> Result<Channel, ApiError> {
    match raw {
        "phone" => Ok(Channel::Sms),
        "email" => Ok(Channel::Email),
        _ => Err(ApiError::not_found()),
    }
}

fn view(b: Bindings) -> BindingsView {
    let one = |b: Option<Binding>| {
        b.map(|b| BindingView {
            masked: b.masked,
            verified_at: b.verified_at.map(to_datetime),
        })
    };
    BindingsView {
        phone: one(b.phone),
        email: one(b.email),
    }
}

/// The bound phone and e-mail, masked, with when each was verified.
#[utoipa::path(get, path = "/api/v1/me/bindings", tag = "bindings",
    responses((status = 200, body = BindingsView), (status = 401, description = "unauthenticated")),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Auth(auth): Auth,
) -> Result<Json<BindingsView>, ApiError> {
    Ok(Json(view(s.app.bindings(&auth).await?)))
}

/// Binds or changes the phone (`phone`) or e-mail (`email`): needs the current password; a code
/// goes to the new destination. The answer never says whether another account has it.
#[utoipa::path(post, path = "/api/v1/me/bindings/{kind}", tag = "bindings", request_body = StartBinding,
    params(("kind" = inline(proto::bindings::BindingKind), Path, description = "The binding: `phone` or `email`.")),
    responses((status = 202, body = VerificationSent), (status = 400, description = "invalid_phone invalid_email invalid_code invalid_method"), (status = 401, description = "invalid_credentials"), (status = 403, description = "second_factor_required"), (status = 404, description = "not_found"), (status = 429, description = "too_many_requests")),
    security(("bearer" = [])))]
pub async fn start(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiPath(k): ApiPath<String>,
    ApiJson(req): ApiJson<StartBinding>,
) -> Result<(StatusCode, Json<VerificationSent>), ApiError> {
    let channel = kind(&k)?;
    let out = s
        .app
        .start_binding(
            &auth,
            channel,
            &req.destination,
            &req.current_password,
            req.second_factor
                .as_ref()
                .map(|f| (f.method.as_str(), f.code.as_str())),
            &client,
        )
        .await?;
    Ok((StatusCode::ACCEPTED, Json(sent(out))))
}

/// Applies the binding with the code sent to the new destination.
#[utoipa::path(post, path = "/api/v1/me/bindings/{kind}/confirm", tag = "bindings", request_body = ConfirmBinding,
    params(("kind" = inline(proto::bindings::BindingKind), Path, description = "The binding: `phone` or `email`.")),
    responses((status = 200, body = BindingsView), (status = 400, description = "invalid_code"), (status = 404, description = "not_found"), (status = 409, description = "destination_unavailable"), (status = 410, description = "code_expired"), (status = 429, description = "too_many_requests")),
    security(("bearer" = [])))]
pub async fn confirm(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiPath(k): ApiPath<String>,
    ApiJson(req): ApiJson<ConfirmBinding>,
) -> Result<Json<BindingsView>, ApiError> {
    let channel = kind(&k)?;
    let b = s
        .app
        .confirm_binding(&auth, channel, &req.verification_id, &req.code, &client)
        .await?;
    Ok(Json(view(b)))
}

/// Removes the phone or e-mail; the last one cannot be removed.
#[utoipa::path(delete, path = "/api/v1/me/bindings/{kind}", tag = "bindings", request_body = RemoveBinding,
    params(("kind" = inline(proto::bindings::BindingKind), Path, description = "The binding: `phone` or `email`.")),
    responses((status = 204), (status = 400, description = "invalid_code invalid_method"), (status = 401, description = "invalid_credentials"), (status = 403, description = "second_factor_required"), (status = 404, description = "not_found"), (status = 409, description = "last_channel"), (status = 429, description = "too_many_requests")),
    security(("bearer" = [])))]
pub async fn remove(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiPath(k): ApiPath<String>,
    ApiJson(req): ApiJson<RemoveBinding>,
) -> Result<StatusCode, ApiError> {
    let channel = kind(&k)?;
    s.app
        .remove_binding(
            &auth,
            channel,
            &req.current_password,
            req.second_factor
                .as_ref()
                .map(|f| (f.method.as_str(), f.code.as_str())),
            &client,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The "it was me" link of a binding-change notice: recovery through the new destination no
/// longer waits.
#[utoipa::path(post, path = "/api/v1/bindings/confirm", tag = "bindings", request_body = BindingLink,
    responses((status = 204), (status = 410, description = "link_expired")))]
pub async fn confirm_link(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<BindingLink>,
) -> Result<StatusCode, ApiError> {
    s.app
        .follow_binding_link(LinkAction::Confirm, &req.token, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The "it was not me" link of a binding-change notice: restores the old binding and signs out
/// every session.
#[utoipa::path(post, path = "/api/v1/bindings/cancel", tag = "bindings", request_body = BindingLink,
    responses((status = 204), (status = 409, description = "destination_unavailable"), (status = 410, description = "link_expired")))]
pub async fn cancel_link(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<BindingLink>,
) -> Result<StatusCode, ApiError> {
    s.app
        .follow_binding_link(LinkAction::Cancel, &req.token, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
