//! Contacts: colleagues and external contacts, requests, blocking.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};

use domain::chat::contacts::Requested;
use domain::clock::to_datetime;
use proto::chat::{ContactRequestView, ContactRequested, ContactView, Contacts, NewContactRequest};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, Auth};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list))
        .route("/contacts/requests", post(request))
        .route("/contacts/requests/{id}/accept", post(accept))
        .route("/contacts/requests/{id}/decline", post(decline))
        .route("/contacts/blocks/{account_id}", put(block).delete(unblock))
}

/// Colleagues, external contacts, and requests waiting for an answer.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "chat",
    responses((status = 200, body = Contacts)),
    security(("bearer" = [])))]
pub async fn list(State(s): State<AppState>, Auth(auth): Auth) -> Result<Json<Contacts>, ApiError> {
    let contacts = s.app.contacts(&auth.account_id).await?;
    let requests = s.app.incoming_contact_requests(&auth.account_id).await?;
    Ok(Json(Contacts {
        contacts: contacts
            .into_iter()
            .map(|c| ContactView {
                account_id: c.account_id,
                nickname: c.nickname,
                colleague: c.colleague,
                external: c.external,
            })
            .collect(),
        requests: requests
            .into_iter()
            .map(|(r, nickname)| ContactRequestView {
                id: r.id,
                from_id: r.from_id,
                from_nickname: nickname,
                created_at: to_datetime(r.created_at),
            })
            .collect(),
    }))
}

/// Asks an account to become an external contact. Addressed by phone or e-mail, the answer is
/// `202` whether or not the address is registered.
#[utoipa::path(post, path = "/api/v1/contacts/requests", tag = "chat", request_body = NewContactRequest,
    responses((status = 201, body = ContactRequested), (status = 202, body = ContactRequested), (status = 400, description = "invalid_identifier"), (status = 403, description = "blocked"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn request(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<NewContactRequest>,
) -> Result<(StatusCode, Json<ContactRequested>), ApiError> {
    let r = s
        .app
        .request_contact(
            &auth.account_id,
            req.account_id.as_deref(),
            req.identifier.as_deref(),
        )
        .await?;
    Ok(match r {
        None => (
            StatusCode::ACCEPTED,
            Json(ContactRequested {
                request_id: None,
                status: "pending".into(),
            }),
        ),
        Some(Requested::Sent(r)) => (
            StatusCode::CREATED,
            Json(ContactRequested {
                request_id: Some(r.id),
                status: r.status,
            }),
        ),
        Some(Requested::Accepted) => (
            StatusCode::OK,
            Json(ContactRequested {
                request_id: None,
                status: "accepted".into(),
            }),
        ),
    })
}

/// Accepts a request addressed to the caller.
#[utoipa::path(post, path = "/api/v1/contacts/requests/{id}/accept",
    params(("id" = String, Path, description = "The contact request id.")), tag = "chat",
    responses((status = 204), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn accept(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    s.app
        .answer_contact_request(&auth.account_id, &id, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Declines a request addressed to the caller.
#[utoipa::path(post, path = "/api/v1/contacts/requests/{id}/decline",
    params(("id" = String, Path, description = "The contact request id.")), tag = "chat",
    responses((status = 204), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn decline(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    s.app
        .answer_contact_request(&auth.account_id, &id, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Blocks an account: no requests, no new conversations, no direct messages either way.
#[utoipa::path(put, path = "/api/v1/contacts/blocks/{account_id}",
    params(("account_id" = String, Path, description = "The account id to block or unblock.")), tag = "chat",
    responses((status = 204), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn block(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(account_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    s.app.block(&auth.account_id, &account_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/contacts/blocks/{account_id}",
    params(("account_id" = String, Path, description = "The account id to block or unblock.")), tag = "chat",
    responses((status = 204)),
    security(("bearer" = [])))]
pub async fn unblock(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(account_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    s.app.unblock(&auth.account_id, &account_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
