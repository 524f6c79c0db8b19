//! An enterprise's security policy (owners set it, owners and admins read it) and what owners and
//! admins do to a member: sign out everywhere, suspend, reinstate.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use domain::clock::to_datetime;
use domain::policy::{Action, PolicyInput};
use domain::store::OrgPolicy;
use proto::policy::{PolicyUpdate, PolicyView, RequireSecondFactor};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, Auth, ClientInfo};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/policy", get(show).put(update))
        .route("/orgs/{id}/members/{account_id}/sign-out", post(sign_out))
        .route("/orgs/{id}/members/{account_id}/suspend", post(suspend))
        .route("/orgs/{id}/members/{account_id}/reinstate", post(reinstate))
}

async fn act(
    s: &AppState,
    actor: &str,
    (org_id, member_id): (String, String),
    action: Action,
) -> Result<StatusCode, ApiError> {
    s.app
        .act_on_member(actor, &org_id, &member_id, action)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Signs the member out of every device: every session ends and its sockets close, on every node.
/// Owners and admins; only owners act on owners.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/members/{account_id}/sign-out",
    params(("id" = String, Path, description = "The enterprise id."), ("account_id" = String, Path, description = "The member's account id.")), tag = "policy",
    responses((status = 204), (status = 403, description = "not_org_admin owner_only"), (status = 404, description = "not_found"), (status = 409, description = "own_membership")),
    security(("bearer" = [])))]
pub async fn sign_out(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(ids): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    act(&s, &auth.account_id, ids, Action::SignOut).await
}

/// Suspends the member: the enterprise's conversations answer `403 member_suspended` until they
/// are reinstated, their sessions end (sockets close at once), their messages stay.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/members/{account_id}/suspend",
    params(("id" = String, Path, description = "The enterprise id."), ("account_id" = String, Path, description = "The member's account id.")), tag = "policy",
    responses((status = 204), (status = 403, description = "not_org_admin owner_only"), (status = 404, description = "not_found"), (status = 409, description = "own_membership already_suspended last_owner")),
    security(("bearer" = [])))]
pub async fn suspend(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(ids): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    act(&s, &auth.account_id, ids, Action::Suspend).await
}

/// Lifts a suspension.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/members/{account_id}/reinstate",
    params(("id" = String, Path, description = "The enterprise id."), ("account_id" = String, Path, description = "The member's account id.")), tag = "policy",
    responses((status = 204), (status = 403, description = "not_org_admin owner_only"), (status = 404, description = "not_found"), (status = 409, description = "own_membership not_suspended")),
    security(("bearer" = [])))]
pub async fn reinstate(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(ids): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    act(&s, &auth.account_id, ids, Action::Reinstate).await
}

fn view(p: OrgPolicy) -> PolicyView {
    PolicyView {
        org_id: p.org_id,
        require_second_factor: RequireSecondFactor::parse(&p.require_second_factor),
        grace_days: p.grace_days,
        second_factor_since: p.second_factor_since.map(to_datetime),
        password_min_length: p.password_min_length,
        password_min_score: p.password_min_score,
        password_require_composition: p.password_require_composition,
        session_max_age_hours: p.session_max_age_hours,
        session_idle_minutes: p.session_idle_minutes,
        allowed_networks: p.allowed_networks,
        support_needs_admin: p.support_needs_admin,
        updated_at: (p.updated_at > 0).then(|| to_datetime(p.updated_at)),
    }
}

/// The enterprise's security policy (owners and admins; `403` for other members, `404` for
/// everyone else).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/policy",
    params(("id" = String, Path, description = "The enterprise id.")), tag = "policy",
    responses((status = 200, body = PolicyView), (status = 403, description = "not_org_admin"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn show(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PolicyView>, ApiError> {
    Ok(Json(view(s.app.org_policy(&auth.account_id, &id).await?)))
}

/// Replaces the policy (owners). The change is a security event of the owner and a notice to
/// every owner and admin.
#[utoipa::path(put, path = "/api/v1/orgs/{id}/policy",
    params(("id" = String, Path, description = "The enterprise id.")), tag = "policy", request_body = PolicyUpdate,
    responses((status = 200, body = PolicyView), (status = 403, description = "not_org_admin owner_only"), (status = 404, description = "not_found"), (status = 422, description = "invalid_policy invalid_network")),
    security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ClientInfo(client): ClientInfo,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<PolicyUpdate>,
) -> Result<Json<PolicyView>, ApiError> {
    let input = PolicyInput {
        require_second_factor: req.require_second_factor.as_str().to_owned(),
        grace_days: req.grace_days,
        password_min_length: req.password_min_length,
        password_min_score: req.password_min_score,
        password_require_composition: req.password_require_composition,
        session_max_age_hours: req.session_max_age_hours,
        session_idle_minutes: req.session_idle_minutes,
        allowed_networks: req.allowed_networks,
        support_needs_admin: req.support_needs_admin,
    };
    let p = s
        .app
        .set_org_policy(&auth.account_id, &id, &input, &client)
        .await?;
    Ok(Json(view(p)))
}
