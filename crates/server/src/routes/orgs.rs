//! Enterprises, their members and invitations.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};

use domain::chat::orgs;
use domain::clock::to_datetime;
use domain::store::OrgMember;
use proto::chat::{
    InviteSent, NewInvite, NewOrg, OrgList, OrgMemberView, OrgMembers, OrgView, PendingInvite,
    PendingInvites, SetRole,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, Auth};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs", post(create).get(mine))
        .route("/orgs/{id}", get(show).patch(rename))
        .route("/orgs/{id}/members", get(members))
        .route(
            "/orgs/{id}/members/{account_id}",
            patch(set_role).delete(remove_member),
        )
        .route("/orgs/{id}/invites", post(invite).get(invites))
        .route("/orgs/{id}/invites/{invite_id}", delete(revoke_invite))
        .route("/invites/{code}/accept", post(accept))
}

pub(crate) fn org_view(v: orgs::OrgView) -> OrgView {
    OrgView {
        id: v.org.id,
        name: v.org.name,
        role: v.my_role,
        member_count: u32::try_from(v.member_count).unwrap_or(u32::MAX),
        created_at: to_datetime(v.org.created_at),
    }
}

pub(crate) fn member_view(m: OrgMember) -> OrgMemberView {
    OrgMemberView {
        account_id: m.account_id,
        nickname: m.nickname,
        role: m.role,
        joined_at: to_datetime(m.joined_at),
    }
}

/// Creates an enterprise; the caller becomes its owner.
#[utoipa::path(post, path = "/api/v1/orgs", tag = "chat", request_body = NewOrg,
    responses((status = 201, body = OrgView), (status = 400, description = "invalid_request")),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<NewOrg>,
) -> Result<(StatusCode, Json<OrgView>), ApiError> {
    let v = s.app.create_org(&auth.account_id, &req.name).await?;
    Ok((StatusCode::CREATED, Json(org_view(v))))
}

/// The enterprises the caller belongs to.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "chat",
    responses((status = 200, body = OrgList)),
    security(("bearer" = [])))]
pub async fn mine(State(s): State<AppState>, Auth(auth): Auth) -> Result<Json<OrgList>, ApiError> {
    let orgs = s.app.my_orgs(&auth.account_id).await?;
    Ok(Json(OrgList {
        orgs: orgs.into_iter().map(org_view).collect(),
    }))
}

/// An enterprise the caller belongs to (`404` otherwise).
#[utoipa::path(get, path = "/api/v1/orgs/{id}",
    params(("id" = String, Path, description = "The enterprise id.")), tag = "chat",
    responses((status = 200, body = OrgView), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn show(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<OrgView>, ApiError> {
    Ok(Json(org_view(s.app.org(&auth.account_id, &id).await?)))
}

/// Renames the enterprise (owners and admins); the old name stays in its history.
#[utoipa::path(patch, path = "/api/v1/orgs/{id}",
    params(("id" = String, Path, description = "The enterprise id.")), tag = "chat", request_body = NewOrg,
    responses((status = 200, body = OrgView), (status = 403, description = "not_org_admin"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn rename(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<NewOrg>,
) -> Result<Json<OrgView>, ApiError> {
    Ok(Json(org_view(
        s.app.rename_org(&auth.account_id, &id, &req.name).await?,
    )))
}

/// The members and their roles.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/members",
    params(("id" = String, Path, description = "The enterprise id.")), tag = "chat",
    responses((status = 200, body = OrgMembers), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn members(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<OrgMembers>, ApiError> {
    let members = s.app.org_members(&auth.account_id, &id).await?;
    Ok(Json(OrgMembers {
        members: members.into_iter().map(member_view).collect(),
    }))
}

/// Changes a member's role (owners set any role; admins cannot touch owners).
#[utoipa::path(patch, path = "/api/v1/orgs/{id}/members/{account_id}",
    params(("id" = String, Path, description = "The enterprise id."), ("account_id" = String, Path, description = "The member's account id.")), tag = "chat", request_body = SetRole,
    responses((status = 200, body = OrgMemberView), (status = 403, description = "not_org_admin owner_only"), (status = 404, description = "not_found"), (status = 409, description = "last_owner")),
    security(("bearer" = [])))]
pub async fn set_role(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath((id, account_id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<SetRole>,
) -> Result<Json<OrgMemberView>, ApiError> {
    let m = s
        .app
        .set_org_role(&auth.account_id, &id, &account_id, req.role.as_str())
        .await?;
    Ok(Json(member_view(m)))
}

/// Removes a member, or leaves (own account id). The last owner cannot leave.
#[utoipa::path(delete, path = "/api/v1/orgs/{id}/members/{account_id}",
    params(("id" = String, Path, description = "The enterprise id."), ("account_id" = String, Path, description = "The member's account id.")), tag = "chat",
    responses((status = 204), (status = 403, description = "not_org_admin owner_only"), (status = 404, description = "not_found"), (status = 409, description = "last_owner")),
    security(("bearer" = [])))]
pub async fn remove_member(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath((id, account_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    s.app
        .remove_org_member(&auth.account_id, &id, &account_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invites a phone or e-mail (owners and admins); the link goes out through the outbox.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/invites",
    params(("id" = String, Path, description = "The enterprise id.")), tag = "chat", request_body = NewInvite,
    responses((status = 201, body = InviteSent), (status = 400, description = "invalid_phone invalid_email invalid_identifier"), (status = 403, description = "not_org_admin"), (status = 404, description = "not_found"), (status = 409, description = "already_member")),
    security(("bearer" = [])))]
pub async fn invite(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<NewInvite>,
) -> Result<(StatusCode, Json<InviteSent>), ApiError> {
    let sent = s
        .app
        .invite_to_org(&auth.account_id, &id, &req.destination)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(InviteSent {
            invite_id: sent.invite_id,
            masked_destination: sent.masked_destination,
            expires_at: to_datetime(sent.expires_at),
        }),
    ))
}

/// The invitations still waiting to be accepted (owners and admins), newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/invites",
    params(("id" = String, Path, description = "The enterprise id.")), tag = "chat",
    responses((status = 200, body = PendingInvites), (status = 403, description = "not_org_admin"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn invites(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PendingInvites>, ApiError> {
    let list = s.app.pending_invites(&auth.account_id, &id).await?;
    Ok(Json(PendingInvites {
        invites: list
            .into_iter()
            .map(|p| PendingInvite {
                invite_id: p.invite_id,
                channel: p.channel,
                masked_destination: p.masked_destination,
                invited_by: p.invited_by,
                inviter_nickname: p.inviter,
                created_at: to_datetime(p.created_at),
                expires_at: to_datetime(p.expires_at),
            })
            .collect(),
    }))
}

/// Withdraws a pending invitation (owners and admins); its link then answers `410 link_expired`.
#[utoipa::path(delete, path = "/api/v1/orgs/{id}/invites/{invite_id}",
    params(("id" = String, Path, description = "The enterprise id."), ("invite_id" = String, Path, description = "The invitation id.")), tag = "chat",
    responses((status = 204), (status = 403, description = "not_org_admin"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn revoke_invite(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath((id, invite_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    s.app
        .revoke_invite(&auth.account_id, &id, &invite_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accepts an invitation (the caller must have the invited phone or e-mail bound).
#[utoipa::path(post, path = "/api/v1/invites/{code}/accept",
    params(("code" = String, Path, description = "The invitation code from its link.")), tag = "chat",
    responses((status = 200, body = OrgView), (status = 403, description = "invite_for_someone_else"), (status = 404, description = "not_found"), (status = 410, description = "link_expired")),
    security(("bearer" = [])))]
pub async fn accept(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<OrgView>, ApiError> {
    let org = s.app.accept_invite(&auth.account_id, &code).await?;
    Ok(Json(org_view(s.app.org(&auth.account_id, &org.id).await?)))
}
