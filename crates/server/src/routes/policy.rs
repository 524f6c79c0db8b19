//! An enterprise's security policy (owners set it, owners and admins read it), what owners and
//! admins do to a member (sign out everywhere, suspend, reinstate), the members' security posture
//! and the enterprise's audit log.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use domain::clock::to_datetime;
use domain::policy::view::{AUDIT_EXPORT, AUDIT_PAGE, PostureFilter};
use domain::policy::{Action, PolicyInput};
use domain::store::{OrgAuditEntry, OrgPolicy};
use proto::policy::{
    AuditEntry, AuditPage, MemberPosture, OffboardRequest, OpenReverifies, OpenReverify,
    PolicyUpdate, PolicyView, RequireSecondFactor, ReverifyCode, ReverifyRequest, ReverifySent,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, ClientInfo};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/policy", get(show).put(update))
        .route("/orgs/{id}/members/{account_id}/sign-out", post(sign_out))
        .route("/orgs/{id}/members/{account_id}/suspend", post(suspend))
        .route("/orgs/{id}/members/{account_id}/reinstate", post(reinstate))
        .route("/orgs/{id}/members/{account_id}/offboard", post(offboard))
        .route("/orgs/{id}/members/{account_id}/reverify", post(reverify))
        .route("/me/reverify", get(my_reverifies))
        .route("/me/reverify/{request_id}", post(confirm_reverify))
        .route(
            "/orgs/{id}/members/{account_id}/offboard/undo",
            post(undo_offboard),
        )
        .route("/orgs/{id}/security/members", get(security_members))
        .route("/orgs/{id}/audit", get(audit))
        .route("/orgs/{id}/audit/export", get(audit_export))
}

/// Offboards (离职) the member: suspended as by `suspend`, out of the enterprise's groups — those
/// they owned handed to `successor_id` — while their direct conversations stay readable for the
/// colleagues and every message stays. Undo within 30 days.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/members/{account_id}/offboard",
    params(("id" = String, Path, description = "The enterprise id."), ("account_id" = String, Path, description = "The member's account id.")), tag = "policy", request_body = OffboardRequest,
    responses((status = 204), (status = 403, description = "not_org_admin owner_only"), (status = 404, description = "not_found"), (status = 409, description = "own_membership already_offboarded last_owner")),
    security(("bearer" = [])))]
pub async fn offboard(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath((id, account_id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<OffboardRequest>,
) -> Result<StatusCode, ApiError> {
    s.app
        .offboard_member(&auth.account_id, &id, &account_id, &req.successor_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Asks the member to re-verify a bound phone or e-mail: a code goes to that binding (never
/// elsewhere); the member enters it while signed in (`POST /me/reverify/{request_id}`). Owners
/// and admins; only owners ask owners. Admins never rebind a channel nor see the code.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/members/{account_id}/reverify",
    params(("id" = String, Path, description = "The enterprise id."), ("account_id" = String, Path, description = "The member's account id.")), tag = "policy", request_body = ReverifyRequest,
    responses((status = 202, body = ReverifySent), (status = 403, description = "not_org_admin owner_only"), (status = 404, description = "not_found"), (status = 409, description = "own_membership channel_not_bound"), (status = 429, description = "too_many_requests")),
    security(("bearer" = [])))]
pub async fn reverify(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ClientInfo(client): ClientInfo,
    ApiPath((id, account_id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<ReverifyRequest>,
) -> Result<(StatusCode, Json<ReverifySent>), ApiError> {
    let sent = s
        .app
        .request_reverify(
            &auth.account_id,
            &id,
            &account_id,
            super::channel(req.channel),
            &client,
        )
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ReverifySent {
            request_id: sent.request_id,
            channel: req.channel,
            destination: sent.masked,
            expires_at: to_datetime(sent.expires_at),
        }),
    ))
}

/// The caller's open requests to re-verify a binding, newest first.
#[utoipa::path(get, path = "/api/v1/me/reverify", tag = "policy",
    responses((status = 200, body = OpenReverifies), (status = 401, description = "unauthenticated")),
    security(("bearer" = [])))]
pub async fn my_reverifies(
    State(s): State<AppState>,
    Auth(auth): Auth,
) -> Result<Json<OpenReverifies>, ApiError> {
    let list = s.app.open_reverifies(&auth).await?;
    Ok(Json(OpenReverifies {
        requests: list.into_iter().map(open_view).collect(),
    }))
}

pub(crate) fn open_view(r: domain::policy::reverify::OpenReverify) -> OpenReverify {
    OpenReverify {
        request_id: r.request_id,
        org_name: r.org_name,
        channel: super::channel_view(r.channel),
        destination: r.masked,
        requested_at: to_datetime(r.requested_at),
        expires_at: to_datetime(r.expires_at),
    }
}

/// The member enters the code that went to the binding: the binding's verification time is
/// renewed. Someone else's request is `404`.
#[utoipa::path(post, path = "/api/v1/me/reverify/{request_id}",
    params(("request_id" = String, Path, description = "The request id.")), tag = "policy", request_body = ReverifyCode,
    responses((status = 204), (status = 400, description = "invalid_code"), (status = 401, description = "unauthenticated"), (status = 404, description = "not_found"), (status = 409, description = "binding_changed"), (status = 410, description = "code_expired")),
    security(("bearer" = [])))]
pub async fn confirm_reverify(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ClientInfo(client): ClientInfo,
    ApiPath(request_id): ApiPath<String>,
    ApiJson(req): ApiJson<ReverifyCode>,
) -> Result<StatusCode, ApiError> {
    s.app
        .confirm_reverify(&auth, &request_id, &req.code, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Undoes an offboarding within 30 days: reinstated, back in the groups with the former roles.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/members/{account_id}/offboard/undo",
    params(("id" = String, Path, description = "The enterprise id."), ("account_id" = String, Path, description = "The member's account id.")), tag = "policy",
    responses((status = 204), (status = 403, description = "not_org_admin owner_only"), (status = 404, description = "not_found"), (status = 409, description = "own_membership not_offboarded undo_expired")),
    security(("bearer" = [])))]
pub async fn undo_offboard(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath((id, account_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    s.app
        .undo_offboarding(&auth.account_id, &id, &account_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostureQuery {
    filter: Option<String>,
}

/// The members' security posture: second factors, password age, last login, live sessions and
/// status — never addresses, codes or secrets (owners and admins).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/security/members", tag = "policy",
    params(("id" = String, Path, description = "The enterprise id."), ("filter" = Option<String>, Query, description = "`no_second_factor` or `inactive_30d` (no login for 30 days).")),
    responses((status = 200, body = [MemberPosture]), (status = 403, description = "not_org_admin"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn security_members(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PostureQuery>,
) -> Result<Json<Vec<MemberPosture>>, ApiError> {
    let filter = PostureFilter::parse(q.filter.as_deref())?;
    let list = s
        .app
        .org_security_members(&auth.account_id, &id, filter)
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|p| MemberPosture {
                account_id: p.account_id,
                nickname: p.nickname,
                role: p.role,
                second_factor: p.second_factor.iter().map(|f| (*f).to_owned()).collect(),
                password_age_days: p.password_age_days,
                last_login_at: p.last_login_at.map(to_datetime),
                active_sessions: u32::try_from(p.active_sessions).unwrap_or(u32::MAX),
                status: p.status.to_owned(),
            })
            .collect(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQueryParams {
    account_id: Option<String>,
    kind: Option<String>,
    /// RFC 3339.
    after: Option<String>,
    before: Option<String>,
    cursor: Option<String>,
    format: Option<String>,
}

fn instant(raw: Option<&str>, name: &str) -> Result<Option<i64>, ApiError> {
    raw.map(|r| {
        time::OffsetDateTime::parse(r, &time::format_description::well_known::Rfc3339)
            .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
            .map_err(|_| ApiError::invalid_request(format!("{name} must be an RFC 3339 time")))
    })
    .transpose()
}

fn entry(e: OrgAuditEntry) -> AuditEntry {
    AuditEntry {
        id: e.id,
        kind: e.kind,
        actor_id: e.actor_id,
        subject_id: e.subject_id,
        at: to_datetime(e.at),
    }
}

async fn audit_entries(
    s: &AppState,
    actor: &str,
    org_id: &str,
    q: &AuditQueryParams,
    limit: u32,
) -> Result<(Vec<AuditEntry>, Option<String>), ApiError> {
    let page = s
        .app
        .org_audit(
            actor,
            org_id,
            q.account_id.as_deref(),
            q.kind.as_deref(),
            instant(q.after.as_deref(), "after")?,
            instant(q.before.as_deref(), "before")?,
            q.cursor.as_deref(),
            limit,
        )
        .await?;
    Ok((page.entries.into_iter().map(entry).collect(), page.next))
}

/// The enterprise's audit log, newest first: policy changes and actions on members (owners and
/// admins). `account_id` matches the actor or the member acted on.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/audit", tag = "policy",
    params(("id" = String, Path, description = "The enterprise id."), ("account_id" = Option<String>, Query, description = "Lines by or about this member."), ("kind" = Option<String>, Query, description = "Lines of this kind."), ("after" = Option<String>, Query, description = "At or after this time (RFC 3339)."), ("before" = Option<String>, Query, description = "Before this time (RFC 3339)."), ("cursor" = Option<String>, Query, description = "The `next_cursor` of the previous page.")),
    responses((status = 200, body = AuditPage), (status = 403, description = "not_org_admin"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn audit(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<AuditQueryParams>,
) -> Result<Json<AuditPage>, ApiError> {
    if q.format.is_some() {
        return Err(ApiError::invalid_request("format belongs to /audit/export"));
    }
    let (entries, next_cursor) = audit_entries(&s, &auth.account_id, &id, &q, AUDIT_PAGE).await?;
    Ok(Json(AuditPage {
        entries,
        next_cursor,
    }))
}

/// The audit log (same filters, up to 10,000 lines) as JSON lines or CSV, for download.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/audit/export", tag = "policy",
    params(("id" = String, Path, description = "The enterprise id."), ("format" = Option<String>, Query, description = "`jsonl` (default) or `csv`."), ("account_id" = Option<String>, Query, description = "Lines by or about this member."), ("kind" = Option<String>, Query, description = "Lines of this kind."), ("after" = Option<String>, Query, description = "At or after this time (RFC 3339)."), ("before" = Option<String>, Query, description = "Before this time (RFC 3339).")),
    responses((status = 200, description = "JSON lines (`format=jsonl`) or CSV (`format=csv`).", content((String = "application/x-ndjson"), (String = "text/csv"))), (status = 403, description = "not_org_admin"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn audit_export(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<AuditQueryParams>,
) -> Result<Response, ApiError> {
    let csv = match q.format.as_deref() {
        None | Some("jsonl") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::invalid_request("format must be jsonl or csv")),
    };
    if q.cursor.is_some() {
        return Err(ApiError::invalid_request("an export has no cursor"));
    }
    let (entries, _) = audit_entries(&s, &auth.account_id, &id, &q, AUDIT_EXPORT).await?;
    let internal = |e: String| ApiError::from(domain::Error::Internal(e));
    let (content_type, body) = if csv {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["id", "at", "kind", "actor_id", "subject_id"])
            .map_err(|e| internal(e.to_string()))?;
        for e in &entries {
            let at = domain::clock::rfc3339(e.at.unix_timestamp() * 1000);
            w.write_record([
                e.id.as_str(),
                at.as_str(),
                e.kind.as_str(),
                e.actor_id.as_str(),
                e.subject_id.as_deref().unwrap_or(""),
            ])
            .map_err(|e| internal(e.to_string()))?;
        }
        let bytes = w.into_inner().map_err(|e| internal(e.to_string()))?;
        ("text/csv; charset=utf-8", bytes)
    } else {
        let mut out = Vec::new();
        for e in &entries {
            serde_json::to_writer(&mut out, e).map_err(|e| internal(e.to_string()))?;
            out.push(b'\n');
        }
        ("application/x-ndjson", out)
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, "attachment"),
        ],
        body,
    )
        .into_response())
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
    responses((status = 204), (status = 403, description = "not_org_admin owner_only"), (status = 404, description = "not_found"), (status = 409, description = "own_membership not_suspended offboarded")),
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
